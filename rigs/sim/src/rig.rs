//! The I/O shell: one thread that owns the [`Sim`], serves every endpoint on its own
//! pseudo-terminal and steps the model on a fixed cadence (10 ms when idle, finer around
//! mechanical transitions). Everything else is in the sans-IO handlers.

use crate::board::PowerBoard;
use crate::control::{Clock, ControlChannel};
use crate::instruments::analyser::PowerAnalyser;
use crate::instruments::ev::EvEmulator;
use crate::instruments::rfid::RfidEmulator;
use crate::lines::{Line, LineBuffer, Terminator};
use crate::sim::{Sim, SimConfig};
use crate::SimTime;
use serialport::{SerialPort, TTYPort};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest sleep of the loop when nothing is due; also how long a newly opened terminal may
/// wait to be noticed.
const IDLE_WAIT: Duration = Duration::from_millis(50);

/// How to build a rig.
#[derive(Debug, Clone, Default)]
pub struct RigConfig {
    pub sim: SimConfig,
    /// Serial number in the instruments' identities and the board id.
    pub serial: String,
}

/// The pseudo-terminals other processes open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RigPaths {
    pub board: PathBuf,
    pub ev: PathBuf,
    pub analyser: PathBuf,
    pub rfid: PathBuf,
    pub control: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Board,
    Ev,
    Analyser,
    Rfid,
    Control,
}

/// The master side of one pseudo-terminal.
struct Endpoint {
    kind: Kind,
    master: TTYPort,
    lines: LineBuffer,
    /// Whether a process has the slave side open (no hang-up on the master).
    connected: bool,
}

impl Endpoint {
    fn open(kind: Kind, terminator: Terminator) -> io::Result<(Endpoint, PathBuf)> {
        let (master, slave) = TTYPort::pair().map_err(io::Error::other)?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("pseudo-terminal has no slave name"))?;
        // Closing our slave handle leaves the master hung up until a client opens the slave,
        // which is how the loop knows whether anyone listens.
        drop(slave);
        set_nonblocking(master.as_raw_fd())?;
        Ok((
            Endpoint {
                kind,
                master,
                lines: LineBuffer::new(terminator),
                connected: false,
            },
            path,
        ))
    }

    fn fd(&self) -> RawFd {
        self.master.as_raw_fd()
    }

    /// Writes what fits; output to a terminal nobody has open is dropped, so a client that
    /// connects later does not read stale replies.
    fn write(&mut self, bytes: &[u8]) {
        if !self.connected || bytes.is_empty() {
            return;
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            // SAFETY: fd is an open descriptor owned by self.master; the slice is valid.
            let n = unsafe { libc::write(self.fd(), rest.as_ptr().cast(), rest.len()) };
            if n <= 0 {
                // EAGAIN (client not reading) or EIO (client gone): drop the rest.
                return;
            }
            rest = &rest[n as usize..];
        }
    }

    /// Reads everything available; `None` when the client hung up.
    fn read_available(&mut self) -> Option<Vec<u8>> {
        let mut data = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            // SAFETY: reading into a stack buffer of the given length from an owned fd.
            let n = unsafe { libc::read(self.fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                data.extend_from_slice(&buf[..n as usize]);
                continue;
            }
            let e = io::Error::last_os_error();
            if n < 0 && e.kind() == io::ErrorKind::WouldBlock {
                return Some(data);
            }
            return if data.is_empty() { None } else { Some(data) };
        }
    }
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: plain fcntl on an fd we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The protocol handlers and the model, owned by the rig thread.
struct Bench {
    sim: Sim,
    board: PowerBoard,
    ev: EvEmulator,
    analyser: PowerAnalyser,
    rfid: RfidEmulator,
    control: ControlChannel,
}

impl Bench {
    /// Handles input of one endpoint at `now`; returns the bytes to send back.
    fn input(&mut self, ep: &mut Endpoint, bytes: &[u8], now: SimTime) -> Vec<u8> {
        if ep.kind == Kind::Board {
            return self.board.receive(bytes, &mut self.sim, now);
        }
        let mut out = String::new();
        for line in ep.lines.push(bytes) {
            match ep.kind {
                Kind::Ev => {
                    let reply = match line {
                        Line::Text(t) => self.ev.handle(&t, &mut self.sim),
                        Line::TooLong => Some(EvEmulator::too_long()),
                    };
                    if let Some(r) = reply {
                        out.push_str(&r);
                        out.push('\n');
                    }
                }
                Kind::Control => {
                    let reply = match line {
                        Line::Text(t) => self.control.handle(&t, &mut self.sim, &mut self.board),
                        Line::TooLong => Some(EvEmulator::too_long()),
                    };
                    if let Some(r) = reply {
                        out.push_str(&r);
                        out.push('\n');
                    }
                }
                Kind::Analyser => {
                    let Line::Text(t) = line else { continue };
                    if let Some(r) = self.analyser.handle(&t, &mut self.sim) {
                        out.push_str(&r);
                        out.push('\n');
                    }
                }
                Kind::Rfid => {
                    let Line::Text(t) = line else {
                        out.push_str("202:INVALID PARAMETER\r\n");
                        continue;
                    };
                    for r in self.rfid.handle(&t, &mut self.sim) {
                        out.push_str(&r);
                        out.push_str("\r\n");
                    }
                }
                Kind::Board => unreachable!("handled above"),
            }
        }
        out.into_bytes()
    }
}

/// Entry point of the library: starts a rig on its own thread.
pub struct Rig;

impl Rig {
    pub fn start(config: RigConfig) -> io::Result<RunningRig> {
        let (board, board_path) = Endpoint::open(Kind::Board, Terminator::Lf)?;
        let (ev, ev_path) = Endpoint::open(Kind::Ev, Terminator::Lf)?;
        let (analyser, analyser_path) = Endpoint::open(Kind::Analyser, Terminator::Lf)?;
        let (rfid, rfid_path) = Endpoint::open(Kind::Rfid, Terminator::CrOrLf)?;
        let (control, control_path) = Endpoint::open(Kind::Control, Terminator::Lf)?;
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills the two-element array.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
        let (stop_rx, stop_tx) = (fds[0], fds[1]);
        let epoch_at_zero_us = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        let started = Instant::now();
        let serial = if config.serial.is_empty() {
            format!("SIM{}", std::process::id())
        } else {
            config.serial.clone()
        };
        let bench = Bench {
            sim: Sim::new(config.sim),
            board: PowerBoard::new(&serial),
            ev: EvEmulator::new(&serial),
            analyser: PowerAnalyser::new(&serial),
            rfid: RfidEmulator::default(),
            control: ControlChannel::new(&serial, Clock { epoch_at_zero_us }),
        };
        let endpoints = vec![board, ev, analyser, rfid, control];
        let thread = std::thread::Builder::new()
            .name("rig-sim".into())
            .spawn(move || run(bench, endpoints, stop_rx, started))?;
        Ok(RunningRig {
            paths: RigPaths {
                board: board_path,
                ev: ev_path,
                analyser: analyser_path,
                rfid: rfid_path,
                control: control_path,
            },
            stop_tx,
            thread: Some(thread),
        })
    }
}

/// A rig running on its thread; dropping it stops the thread and closes the terminals.
pub struct RunningRig {
    paths: RigPaths,
    stop_tx: RawFd,
    thread: Option<JoinHandle<()>>,
}

impl RunningRig {
    pub fn paths(&self) -> &RigPaths {
        &self.paths
    }

    /// False once the rig thread has ended (it only ends when stopped or if it panicked).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the rig thread and waits for it; `Err` if it had panicked.
    pub fn stop(mut self) -> Result<(), String> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), String> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        // SAFETY: writing one byte to the pipe we own; closing it afterwards.
        unsafe {
            libc::write(self.stop_tx, [1u8].as_ptr().cast(), 1);
            libc::close(self.stop_tx);
        }
        thread
            .join()
            .map_err(|_| "the rig-sim thread panicked".to_string())
    }
}

impl Drop for RunningRig {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

fn poll_fds(fds: &mut [libc::pollfd], timeout: Duration) -> usize {
    let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
    // SAFETY: fds is a valid slice of pollfd structures.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    n.max(0) as usize
}

/// For each master, whether a client has its slave side open (no hang-up reported); one
/// zero-timeout poll for all of them.
fn clients_present(endpoints: &[Endpoint]) -> Vec<bool> {
    let mut fds: Vec<libc::pollfd> = endpoints
        .iter()
        .map(|e| libc::pollfd {
            fd: e.fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    poll_fds(&mut fds, Duration::ZERO);
    fds.iter().map(|p| p.revents & libc::POLLHUP == 0).collect()
}

fn run(mut bench: Bench, mut endpoints: Vec<Endpoint>, stop_rx: RawFd, started: Instant) {
    loop {
        let now = started.elapsed();
        bench.sim.step(now);
        let present = clients_present(&endpoints);
        for (ep, connected) in endpoints.iter_mut().zip(present) {
            if connected != ep.connected {
                ep.connected = connected;
                // A new client starts with a clean line buffer.
                ep.lines = LineBuffer::new(match ep.kind {
                    Kind::Rfid => Terminator::CrOrLf,
                    _ => Terminator::Lf,
                });
                if ep.kind == Kind::Board {
                    bench.board.reset_input();
                }
            }
        }
        let out = bench.board.poll(&mut bench.sim, now);
        endpoints[0].write(&out);

        // Without a controller listening, the board's 10 ms status cadence is moot.
        let mut deadline = now + IDLE_WAIT;
        if endpoints[0].connected {
            deadline = deadline.min(bench.board.next_deadline());
        }
        if let Some(t) = bench.sim.next_transition() {
            deadline = deadline.min(t);
        }
        let mut fds: Vec<libc::pollfd> = std::iter::once(stop_rx)
            .chain(endpoints.iter().filter(|e| e.connected).map(|e| e.fd()))
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        poll_fds(&mut fds, deadline.saturating_sub(started.elapsed()));
        if fds[0].revents != 0 {
            break;
        }
        for pfd in &fds[1..] {
            if pfd.revents & libc::POLLIN == 0 {
                continue;
            }
            let Some(ep) = endpoints.iter_mut().find(|e| e.fd() == pfd.fd) else {
                continue;
            };
            let Some(bytes) = ep.read_available() else {
                ep.connected = false;
                continue;
            };
            let now = started.elapsed();
            bench.sim.step(now);
            let reply = bench.input(ep, &bytes, now);
            ep.write(&reply);
        }
    }
    // SAFETY: closing the pipe end this thread owns.
    unsafe {
        libc::close(stop_rx);
    }
}

//! `rig-sim --out FILE`: starts a rig, writes where its terminals are, runs until SIGTERM/SIGINT
//! or until its parent dies.

use crate::physics::mains::Mains;
use crate::rig::{Rig, RigConfig, RigPaths};
use crate::sim::SimConfig;
use clap::{Parser, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Variant {
    /// 230/400 V three-phase supply (L1, L2, L3 wired).
    ThreePhase,
    /// 230 V single-phase supply (only L1 wired).
    SinglePhase,
}

/// Command line of `rig-sim`.
#[derive(Debug, Parser)]
#[command(
    name = "rig-sim",
    about = "The emulated test bench on pseudo-terminals"
)]
pub struct Args {
    /// Where to write the JSON object naming the terminals (written atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Supply wiring of the simulated installation.
    #[arg(long, value_enum, default_value = "three-phase")]
    pub variant: Variant,
    /// Serial number the instruments and the board report.
    #[arg(long, default_value = "")]
    pub serial: String,
    /// Contactor closing delay in ms.
    #[arg(long, default_value_t = 25)]
    pub contactor_close_ms: u64,
    /// Contactor opening delay in ms.
    #[arg(long, default_value_t = 20)]
    pub contactor_open_ms: u64,
    /// Vehicle reaction time to a new offered current, seconds (at most 5).
    #[arg(long, default_value_t = 2.0)]
    pub reaction_s: f64,
}

impl Args {
    fn config(&self) -> Result<RigConfig, String> {
        if !(0.0..=5.0).contains(&self.reaction_s) {
            return Err(format!(
                "--reaction-s must be 0..5 seconds, got {}",
                self.reaction_s
            ));
        }
        if self.contactor_close_ms > 1000 || self.contactor_open_ms > 1000 {
            return Err("--contactor-close-ms and --contactor-open-ms must be at most 1000".into());
        }
        let mut sim = SimConfig::default();
        if self.variant == Variant::SinglePhase {
            sim.mains = Mains {
                phase_v: [230.0, 0.0, 0.0],
                ..Mains::default()
            };
        }
        sim.contactor.close_delay = Duration::from_millis(self.contactor_close_ms);
        sim.contactor.open_delay = Duration::from_millis(self.contactor_open_ms);
        sim.vehicle_reaction = Duration::from_secs_f64(self.reaction_s);
        Ok(RigConfig {
            sim,
            serial: self.serial.clone(),
        })
    }
}

/// The JSON document `--out` receives.
pub fn paths_json(paths: &RigPaths, pid: u32) -> serde_json::Value {
    serde_json::json!({
        "board": paths.board,
        "ev": paths.ev,
        "analyser": paths.analyser,
        "rfid": paths.rfid,
        "control": paths.control,
        "pid": pid,
    })
}

/// Writes `contents` to `path` through a temporary file and a rename, so a reader never sees
/// a partial file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} has no file name", path.display())))?;
    let mut tmp_name = OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(contents)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Write end of the self-pipe the signal handler pokes.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(_: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: write(2) is async-signal-safe.
        unsafe {
            libc::write(fd, [1u8].as_ptr().cast(), 1);
        }
    }
}

/// Installs SIGTERM/SIGINT handlers writing to a pipe; returns its read end.
fn install_signal_pipe() -> std::io::Result<i32> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the array; sigaction with a handler that only calls write(2).
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        SIGNAL_PIPE.store(fds[1], Ordering::Relaxed);
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        for sig in [libc::SIGTERM, libc::SIGINT] {
            if libc::sigaction(sig, &action, std::ptr::null_mut()) < 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(fds[0])
}

/// Asks the kernel to send SIGTERM when the parent dies; returns false if it already has.
fn die_with_parent() -> bool {
    // SAFETY: getppid and prctl have no memory-safety preconditions.
    unsafe {
        let parent = libc::getppid();
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGTERM as libc::c_ulong,
            0,
            0,
            0,
        );
        // The parent may have died between fork and prctl.
        libc::getppid() == parent && parent != 1
    }
}

/// Waits on the signal pipe until a signal arrives or the rig thread ends.
fn wait_for_signal(signal_rx: i32, rig: &crate::rig::RunningRig) {
    while rig.is_running() {
        let mut p = [libc::pollfd {
            fd: signal_rx,
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(p.as_mut_ptr(), 1, 500) };
        if n > 0 {
            return;
        }
    }
}

/// `rig-sim` with its arguments (without the program name).
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    let argv = std::iter::once(OsString::from("rig-sim")).chain(args);
    let args = match Args::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let first = e.to_string();
            let line = first.lines().next().unwrap_or("bad arguments");
            eprintln!("rig-sim: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let config = match args.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rig-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if !die_with_parent() {
        eprintln!("rig-sim: parent process already gone, not starting");
        return ExitCode::from(1);
    }
    let signal_rx = match install_signal_pipe() {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("rig-sim: cannot install signal handlers: {e}");
            return ExitCode::from(1);
        }
    };
    let rig = match Rig::start(config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rig-sim: cannot create pseudo-terminals: {e}");
            return ExitCode::from(1);
        }
    };
    let json = paths_json(rig.paths(), std::process::id());
    if let Err(e) = write_atomically(&args.out, format!("{json}\n").as_bytes()) {
        eprintln!("rig-sim: cannot write {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    wait_for_signal(signal_rx, &rig);
    match rig.stop() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rig-sim: {e}");
            ExitCode::from(1)
        }
    }
}

//! The instrument side of a line protocol for tests: a thread that reads commands (ended by CR
//! or LF) from a pseudo-terminal master or a TCP stream and answers through a handler.
//! Shared by the three instrument plugins' tests through `#[path]`.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the instrument does with one command.
pub enum Answer {
    /// Sends these bytes (the handler adds the line ends it wants).
    Bytes(Vec<u8>),
    /// Says nothing.
    Silence,
    /// Closes the port, as if the instrument was unplugged.
    HangUp,
}

pub trait Stream: Read + Write + Send + 'static {}
impl<T: Read + Write + Send + 'static> Stream for T {}

/// A running instrument; the commands it received are kept in order.
pub struct LineServer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub received: Arc<Mutex<Vec<String>>>,
    /// For a pseudo-terminal: the slave end kept open so the path stays valid.
    pub keep_alive: Option<serialport::TTYPort>,
    /// Where the plugin connects: a pty path or a TCP address.
    pub address: String,
}

impl LineServer {
    pub fn spawn<S: Stream>(
        address: String,
        stream: S,
        mut handler: impl FnMut(&str) -> Answer + Send + 'static,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (stop2, received2) = (stop.clone(), received.clone());
        let thread = std::thread::spawn(move || {
            let mut stream = stream;
            let mut pending: Vec<u8> = Vec::new();
            let mut chunk = [0u8; 256];
            while !stop2.load(Ordering::SeqCst) {
                match stream.read(&mut chunk) {
                    Ok(0) => return,
                    Ok(n) => pending.extend_from_slice(&chunk[..n]),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                        ) =>
                    {
                        continue
                    }
                    Err(_) => return,
                }
                while let Some(end) = pending.iter().position(|b| *b == b'\n' || *b == b'\r') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    let line = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                    if line.is_empty() {
                        continue;
                    }
                    received2.lock().unwrap().push(line.clone());
                    match handler(&line) {
                        Answer::Bytes(bytes) => {
                            if stream
                                .write_all(&bytes)
                                .and_then(|_| stream.flush())
                                .is_err()
                            {
                                return;
                            }
                        }
                        Answer::Silence => {}
                        Answer::HangUp => return,
                    }
                }
            }
        });
        Self {
            stop,
            thread: Some(thread),
            received,
            keep_alive: None,
            address,
        }
    }

    /// An instrument on a fresh pseudo-terminal pair.
    pub fn on_pty(handler: impl FnMut(&str) -> Answer + Send + 'static) -> Self {
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
        serialport::SerialPort::set_timeout(&mut master, Duration::from_millis(10)).unwrap();
        let path = serialport::SerialPort::name(&slave).expect("pty has a name");
        let mut server = Self::spawn(path, master, handler);
        server.keep_alive = Some(slave);
        server
    }

    /// An instrument listening on a loopback TCP port (one connection).
    pub fn on_tcp(handler: impl FnMut(&str) -> Answer + Send + 'static) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let handler = Arc::new(Mutex::new(handler));
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (stop2, received2) = (stop.clone(), received.clone());
        let thread = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_millis(10)))
                .unwrap();
            let h = handler.clone();
            let mut inner = Self::spawn(String::new(), stream, move |l| (h.lock().unwrap())(l));
            while !stop2.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
                let mut got = inner.received.lock().unwrap();
                received2.lock().unwrap().append(&mut got);
            }
            inner.stop_now();
        });
        Self {
            stop,
            thread: Some(thread),
            received,
            keep_alive: None,
            address,
        }
    }

    /// The commands received so far.
    pub fn commands(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Stops answering and closes the port.
    pub fn stop_now(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for LineServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

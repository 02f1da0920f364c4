//! The power-board link over a serial port: a reader thread decodes frames into a channel,
//! the event loop writes encoded frames.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use board_link::{BoardMessage, ControllerMessage, Decoder, Encoder, FrameError};
use serialport::{SerialPort, TTYPort};
use tokio::sync::mpsc;

/// Baud rate of the link (BOARD_LINK.md section 1).
pub const BAUD: u32 = 115_200;

/// What the reader thread delivers.
#[derive(Debug)]
pub enum FromBoard {
    Frame(BoardMessage),
    Error(FrameError),
}

/// The controller's end of the link.
pub struct BoardPort {
    port: TTYPort,
    encoder: Encoder,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl BoardPort {
    /// Opens the serial port and starts the reader thread.
    pub fn open(path: &str) -> Result<(BoardPort, mpsc::Receiver<FromBoard>), String> {
        let port = serialport::new(path, BAUD)
            .timeout(Duration::from_millis(100))
            .open_native()
            .map_err(|e| format!("board {path}: cannot open serial port: {e}"))?;
        BoardPort::from_port(port, path)
    }

    /// Wraps an already open port (tests use one end of a pseudo-terminal pair).
    pub fn from_port(
        mut port: TTYPort,
        name: &str,
    ) -> Result<(BoardPort, mpsc::Receiver<FromBoard>), String> {
        port.set_timeout(Duration::from_millis(100))
            .map_err(|e| format!("board {name}: cannot set timeout: {e}"))?;
        let mut read_half = port
            .try_clone_native()
            .map_err(|e| format!("board {name}: cannot clone port: {e}"))?;
        let (tx, rx) = mpsc::channel(256);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_reader = stop.clone();
        let name = name.to_string();
        let reader = std::thread::Builder::new()
            .name("board-link-rx".into())
            .spawn(move || {
                let mut decoder = Decoder::<BoardMessage>::new();
                let mut buf = [0u8; 512];
                while !stop_reader.load(Ordering::Relaxed) {
                    match read_half.read(&mut buf) {
                        Ok(0) => std::thread::sleep(Duration::from_millis(20)),
                        Ok(n) => {
                            for r in decoder.push_slice(&buf[..n]) {
                                let item = match r {
                                    Ok(f) => FromBoard::Frame(f.message),
                                    Err(e) => FromBoard::Error(e),
                                };
                                if tx.blocking_send(item).is_err() {
                                    return;
                                }
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            // The peer went away (e.g. the pty master closed): keep trying;
                            // the core's 5 s link timeout decides what that means.
                            tracing::debug!(port = %name, error = %e, "board port read error");
                            decoder.reset();
                            std::thread::sleep(Duration::from_millis(100));
                        }
                    }
                }
            })
            .map_err(|e| format!("cannot start the board reader thread: {e}"))?;
        // A lone delimiter makes the board drop any partial frame (BOARD_LINK.md section 2).
        let _ = port.write_all(&[0]);
        Ok((
            BoardPort {
                port,
                encoder: Encoder::new(),
                stop,
                reader: Some(reader),
            },
            rx,
        ))
    }

    /// Encodes and writes one message. Write errors are logged, not fatal: a broken link is
    /// detected by the keep-alive timeout.
    pub fn send(&mut self, msg: &ControllerMessage) {
        let frame = self.encoder.encode(msg);
        if let Err(e) = self.port.write_all(&frame) {
            tracing::debug!(error = %e, "board port write failed");
        }
    }
}

impl Drop for BoardPort {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
    }
}

//! A minimal line client for the rig's terminals, written from the protocol documents.

#![allow(dead_code)]

use serialport::{ClearBuffer, SerialPort, TTYPort};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct LineClient {
    port: TTYPort,
    pending: Vec<u8>,
}

impl LineClient {
    pub fn open(path: &Path) -> LineClient {
        let port = serialport::new(path.to_string_lossy(), 115_200)
            .timeout(Duration::from_millis(50))
            .open_native()
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        port.clear(ClearBuffer::All).unwrap();
        // Give the rig's loop a moment to notice the new client.
        std::thread::sleep(Duration::from_millis(60));
        LineClient {
            port,
            pending: Vec::new(),
        }
    }

    pub fn send(&mut self, text: &str) {
        self.port.write_all(text.as_bytes()).unwrap();
        self.port.flush().unwrap();
    }

    /// Reads one line ending in `\n` (CR stripped), failing after 2 s.
    pub fn read_line(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            if let Some(at) = self.pending.iter().position(|b| *b == b'\n') {
                let mut line: Vec<u8> = self.pending.drain(..=at).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return String::from_utf8(line).unwrap();
            }
            assert!(Instant::now() < deadline, "no reply line within 2 s");
            let mut buf = [0u8; 256];
            match self.port.read(&mut buf) {
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    /// Sends a LF-terminated command and returns its one reply line.
    pub fn ask(&mut self, command: &str) -> String {
        self.send(&format!("{command}\n"));
        self.read_line()
    }

    /// Whether anything arrives within `wait`.
    pub fn silent_for(&mut self, wait: Duration) -> bool {
        std::thread::sleep(wait);
        let mut buf = [0u8; 256];
        match self.port.read(&mut buf) {
            Ok(n) => n == 0 && self.pending.is_empty(),
            Err(_) => self.pending.is_empty(),
        }
    }

    pub fn port(&mut self) -> &mut TTYPort {
        &mut self.port
    }
}

/// The ten numbers of an EV emulator `MEAS?` reply.
pub fn meas(reply: &str) -> Vec<f64> {
    let data = reply
        .strip_prefix("OK ")
        .unwrap_or_else(|| panic!("MEAS? failed: {reply}"));
    let v: Vec<f64> = data.split(' ').map(|x| x.parse().unwrap()).collect();
    assert_eq!(v.len(), 10, "{reply}");
    v
}

/// Looks a key up in a control-channel `STATE?` reply.
pub fn truth<'a>(reply: &'a str, key: &str) -> &'a str {
    reply
        .split(' ')
        .find_map(|kv| kv.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key} in {reply}"))
}

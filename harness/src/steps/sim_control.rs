//! A client for the emulated rig's control channel (rig-sim's `control` pseudo-terminal, see
//! rigs/sim/INSTRUMENTS.md section 4): one LF-terminated command, one reply line (`OK`,
//! `OK <data>` or `ERR <code> <text>`). Blocking, with a timeout on every reply.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use nix::sys::termios::{self, SetArg, SpecialCharacterIndices};

/// How long rig-sim may take to answer one command.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct ControlLink {
    path: String,
    file: File,
    /// Bytes read after the last complete reply line.
    pending: Vec<u8>,
}

impl ControlLink {
    /// Opens the pseudo-terminal in raw mode, with reads that return every 100 ms.
    pub fn open(path: &str) -> Result<Self, String> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path)
            .map_err(|e| format!("rig control channel {path}: cannot open: {e}"))?;
        let mut t = termios::tcgetattr(&file)
            .map_err(|e| format!("rig control channel {path}: not a terminal: {e}"))?;
        termios::cfmakeraw(&mut t);
        t.control_chars[SpecialCharacterIndices::VMIN as usize] = 0;
        t.control_chars[SpecialCharacterIndices::VTIME as usize] = 1;
        termios::tcsetattr(&file, SetArg::TCSANOW, &t)
            .map_err(|e| format!("rig control channel {path}: cannot set raw mode: {e}"))?;
        Ok(ControlLink {
            path: path.to_string(),
            file,
            pending: Vec::new(),
        })
    }

    /// Sends one command; returns the data after `OK` (empty for a bare `OK`).
    pub fn command(&mut self, line: &str) -> Result<String, String> {
        self.file
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| {
                format!(
                    "rig control channel {}: cannot send `{line}`: {e}",
                    self.path
                )
            })?;
        let reply = self.read_line(REPLY_TIMEOUT).map_err(|e| {
            format!(
                "rig control channel {}: no reply to `{line}`: {e}",
                self.path
            )
        })?;
        parse_reply(&reply).map_err(|e| {
            format!(
                "rig control channel {}: `{line}` was refused: {e}",
                self.path
            )
        })
    }

    fn read_line(&mut self, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line).trim().to_string();
                if text.is_empty() {
                    continue;
                }
                return Ok(text);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "nothing within {} ms (partial: {:?})",
                    timeout.as_millis(),
                    String::from_utf8_lossy(&self.pending)
                ));
            }
            let mut buf = [0u8; 256];
            match self.file.read(&mut buf) {
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }
}

/// `OK`, `OK data` → the data; `ERR …` or anything else → the line as the error.
pub fn parse_reply(line: &str) -> Result<String, String> {
    match line.strip_prefix("OK") {
        Some(rest) if rest.is_empty() || rest.starts_with(' ') => Ok(rest.trim().to_string()),
        _ => Err(line.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(parse_reply("OK").unwrap(), "");
        assert_eq!(parse_reply("OK contactor=open").unwrap(), "contactor=open");
        assert_eq!(
            parse_reply("ERR 101 bad argument: x").unwrap_err(),
            "ERR 101 bad argument: x"
        );
        assert!(parse_reply("OKAY").is_err());
    }

    #[test]
    fn talks_to_a_pseudo_terminal() {
        use std::os::fd::AsRawFd;
        let pty = nix::pty::openpty(None, None).expect("openpty");
        let path = std::fs::read_link(format!("/proc/self/fd/{}", pty.slave.as_raw_fd()))
            .expect("slave path");
        let mut link = ControlLink::open(path.to_str().unwrap()).expect("open");
        let mut master = File::from(pty.master);
        let peer = std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = [0u8; 64];
            while !got.ends_with(b"\n") {
                let n = master.read(&mut buf).unwrap_or(0);
                got.extend_from_slice(&buf[..n]);
            }
            master.write_all(b"OK state=1\n").unwrap();
            // Kept open until the reply is read: a closed master makes the terminal hang up.
            (master, String::from_utf8(got).unwrap())
        });
        assert_eq!(link.command("STATE?").unwrap(), "state=1");
        let (_master, got) = peer.join().unwrap();
        assert_eq!(got, "STATE?\n");
        drop(pty.slave);
    }
}

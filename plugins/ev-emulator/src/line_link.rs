//! A line-oriented request/reply link to an instrument over a serial port or a TCP socket.
//!
//! Shared by the three instrument plugins (the power analyser and the RFID emulator include this
//! file with `#[path]`, so there is one copy). It knows nothing about any instrument: it sends one
//! line, reads lines back, and turns every way a link can fail into a [`LinkError`] that names the
//! port and what was expected. Every read has a deadline, so nothing here can hang.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Longest line we accept before calling the reply garbled (a real reply is < 200 bytes).
const MAX_LINE_BYTES: usize = 4096;
/// The longest time spent dropping stale input before a command.
const DISCARD_AT_MOST: Duration = Duration::from_millis(50);

/// A failure on the link, already phrased for the user: port, what was expected, what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError(pub String);

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LinkError {}

/// Anything we can read and write bytes on with a settable read timeout.
pub trait ByteStream: Read + Write + Send {
    /// Bounds the next `read`; `read` returns `TimedOut`/`WouldBlock` when it passes.
    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()>;
}

impl ByteStream for serialport::TTYPort {
    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        serialport::SerialPort::set_timeout(self, timeout).map_err(io::Error::other)
    }
}

impl ByteStream for TcpStream {
    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        // A zero timeout means "block forever" to std; never ask for that.
        TcpStream::set_read_timeout(self, Some(timeout.max(Duration::from_millis(1))))
    }
}

/// One open link: the byte stream, its name for messages, and bytes read past the last line.
pub struct LineLink {
    peer: String,
    stream: Box<dyn ByteStream>,
    terminator: &'static str,
    timeout: Duration,
    pending: Vec<u8>,
}

impl LineLink {
    /// Opens a serial port 8N1 at `baud`. `terminator` is appended to every line sent.
    pub fn open_serial(
        path: &str,
        baud: u32,
        timeout: Duration,
        terminator: &'static str,
    ) -> Result<Self, LinkError> {
        let peer = format!("serial port {path}");
        let port = serialport::new(path, baud)
            .timeout(timeout)
            .open_native()
            .map_err(|e| LinkError(format!("{peer}: cannot open: {e}")))?;
        Ok(Self::from_stream(peer, Box::new(port), timeout, terminator))
    }

    /// Connects to `addr` ("host:port") within `timeout`.
    pub fn connect_tcp(
        addr: &str,
        timeout: Duration,
        terminator: &'static str,
    ) -> Result<Self, LinkError> {
        let peer = format!("tcp {addr}");
        let resolved = addr
            .to_socket_addrs()
            .map_err(|e| LinkError(format!("{peer}: cannot resolve address: {e}")))?
            .next()
            .ok_or_else(|| LinkError(format!("{peer}: address resolves to nothing")))?;
        let stream = TcpStream::connect_timeout(&resolved, timeout)
            .map_err(|e| LinkError(format!("{peer}: cannot connect: {e}")))?;
        stream
            .set_write_timeout(Some(timeout))
            .and_then(|_| stream.set_nodelay(true))
            .map_err(|e| LinkError(format!("{peer}: cannot configure socket: {e}")))?;
        Ok(Self::from_stream(
            peer,
            Box::new(stream),
            timeout,
            terminator,
        ))
    }

    /// Wraps an already open stream (used by the two constructors above and by tests).
    pub fn from_stream(
        peer: String,
        stream: Box<dyn ByteStream>,
        timeout: Duration,
        terminator: &'static str,
    ) -> Self {
        Self {
            peer,
            stream,
            terminator,
            timeout,
            pending: Vec::new(),
        }
    }

    /// The name used in messages, e.g. `serial port /dev/ttyUSB0`.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// The reply timeout configured for this link.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Builds an error message naming this link.
    pub fn error(&self, what: impl fmt::Display) -> LinkError {
        LinkError(format!("{}: {what}", self.peer))
    }

    /// Sends `line` followed by the terminator.
    pub fn send_line(&mut self, line: &str) -> Result<(), LinkError> {
        let mut bytes = Vec::with_capacity(line.len() + self.terminator.len());
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(self.terminator.as_bytes());
        self.stream
            .write_all(&bytes)
            .and_then(|_| self.stream.flush())
            .map_err(|e| self.error(format_args!("cannot send `{line}`: {e}")))
    }

    /// Drops whatever the instrument sent that nobody asked for (e.g. a late reply after a
    /// timeout), so the next reply is matched to the next request. Bounded in time, so an
    /// instrument that never stops talking cannot keep us here.
    pub fn discard_input(&mut self) {
        self.pending.clear();
        let mut scratch = [0u8; 256];
        let until = Instant::now() + DISCARD_AT_MOST;
        let _ = self.stream.set_read_timeout(Duration::from_millis(1));
        while Instant::now() < until {
            match self.stream.read(&mut scratch) {
                Ok(n) if n > 0 => continue,
                _ => break,
            }
        }
    }

    /// Reads one line (LF-terminated, a CR before the LF is dropped) within the link timeout.
    /// `expected` says what we are waiting for, for the error message.
    pub fn read_line(&mut self, expected: &str) -> Result<String, LinkError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(pos) = self.pending.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.pending.drain(..=pos).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return String::from_utf8(line).map_err(|e| {
                    self.error(format_args!(
                        "garbled reply (not UTF-8: {:?}), expected {expected}",
                        String::from_utf8_lossy(e.as_bytes())
                    ))
                });
            }
            if self.pending.len() > MAX_LINE_BYTES {
                let seen = String::from_utf8_lossy(&self.pending[..80]).into_owned();
                self.pending.clear();
                return Err(self.error(format_args!(
                    "garbled reply (more than {MAX_LINE_BYTES} bytes without a line end, starting {seen:?}), expected {expected}"
                )));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.timeout_error(expected));
            }
            self.fill(deadline - now, expected)?;
        }
    }

    /// Sends `line` and reads the one-line reply.
    pub fn request(&mut self, line: &str) -> Result<String, LinkError> {
        self.send_line(line)?;
        self.read_line(&format!("a reply to `{line}`"))
    }

    fn timeout_error(&self, expected: &str) -> LinkError {
        let partial = if self.pending.is_empty() {
            String::new()
        } else {
            format!(
                " (received only {:?})",
                String::from_utf8_lossy(&self.pending)
            )
        };
        self.error(format_args!(
            "no answer within {} ms, expected {expected}{partial}",
            self.timeout.as_millis()
        ))
    }

    /// One read of whatever is available, waiting at most `wait`.
    fn fill(&mut self, wait: Duration, expected: &str) -> Result<(), LinkError> {
        let mut chunk = [0u8; 512];
        if let Err(e) = self.stream.set_read_timeout(wait) {
            return Err(self.error(format_args!("cannot set read timeout: {e}")));
        }
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(self.error(format_args!(
                "connection closed by the instrument, expected {expected}"
            ))),
            Ok(n) => {
                self.pending.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(self.error(format_args!(
                "port failed ({e}) while waiting for {expected}; was it unplugged?"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A scripted byte stream: reads come from `input`, then time out; writes are collected.
    struct Script {
        input: VecDeque<io::Result<Vec<u8>>>,
        written: Vec<u8>,
    }

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.input.pop_front() {
                Some(Ok(bytes)) => {
                    buf[..bytes.len()].copy_from_slice(&bytes);
                    Ok(bytes.len())
                }
                Some(Err(e)) => Err(e),
                None => Err(io::Error::new(io::ErrorKind::TimedOut, "timed out")),
            }
        }
    }

    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl ByteStream for Script {
        fn set_read_timeout(&mut self, _: Duration) -> io::Result<()> {
            Ok(())
        }
    }

    fn link(chunks: Vec<io::Result<Vec<u8>>>) -> LineLink {
        let script = Script {
            input: chunks.into(),
            written: Vec::new(),
        };
        LineLink::from_stream(
            "test port".into(),
            Box::new(script),
            Duration::from_millis(20),
            "\n",
        )
    }

    #[test]
    fn joins_chunks_and_strips_crlf() {
        let mut l = link(vec![Ok(b"OK 1".to_vec()), Ok(b"2\r\nOK\n".to_vec())]);
        assert_eq!(l.read_line("x").unwrap(), "OK 12");
        assert_eq!(l.read_line("x").unwrap(), "OK");
    }

    #[test]
    fn silence_is_a_timeout_naming_port_and_expectation() {
        let mut l = link(vec![Ok(b"OK".to_vec())]);
        let e = l.read_line("a reply to `MEAS?`").unwrap_err().0;
        assert!(e.starts_with("test port: no answer within 20 ms"), "{e}");
        assert!(
            e.contains("a reply to `MEAS?`") && e.contains("received only \"OK\""),
            "{e}"
        );
    }

    #[test]
    fn eof_and_io_errors_say_the_port_failed() {
        let mut l = link(vec![Ok(Vec::new())]);
        assert!(l
            .read_line("x")
            .unwrap_err()
            .0
            .contains("connection closed"));
        let mut l = link(vec![Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"))]);
        let e = l.read_line("x").unwrap_err().0;
        assert!(e.contains("port failed (gone)"), "{e}");
    }

    #[test]
    fn invalid_utf8_and_endless_lines_are_garbled() {
        let mut l = link(vec![Ok(vec![0xff, 0xfe, b'\n'])]);
        assert!(l.read_line("x").unwrap_err().0.contains("garbled reply"));
        let mut l = link((0..10).map(|_| Ok(vec![b'a'; 512])).collect());
        assert!(l
            .read_line("x")
            .unwrap_err()
            .0
            .contains("without a line end"));
    }
}

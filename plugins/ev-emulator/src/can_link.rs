//! [`EvLink`] over SocketCAN (Linux), with the frame layout of [`crate::can_frame`].

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use socketcan::{
    CanFilter, CanFrame, CanSocket, EmbeddedFrame, Frame, Socket, SocketOptions, StandardId,
};

use crate::can_frame::{
    encode_request, Assembled, ReplyAssembler, REPLY_FILTER, REQUEST_ID, STATUS_ID,
};
use crate::line_link::LinkError;
use crate::link::EvLink;
use crate::protocol::{Command, Reply};

/// An open CAN interface, receiving only the emulator's reply ID.
pub struct CanLink {
    peer: String,
    socket: CanSocket,
    timeout: Duration,
}

impl CanLink {
    pub fn open(interface: &str, timeout: Duration) -> Result<Self, LinkError> {
        let peer = format!("can {interface}");
        let socket = CanSocket::open(interface)
            .map_err(|e| LinkError(format!("{peer}: cannot open the CAN interface: {e}")))?;
        socket
            .set_filters(&[CanFilter::new(REPLY_FILTER.0 as u32, REPLY_FILTER.1 as u32)])
            .map_err(|e| LinkError(format!("{peer}: cannot set the receive filter: {e}")))?;
        Ok(Self {
            peer,
            socket,
            timeout,
        })
    }

    fn error(&self, what: impl std::fmt::Display) -> LinkError {
        LinkError(format!("{}: {what}", self.peer))
    }

    /// Drops replies that arrived late for an earlier request.
    fn drain_stale(&self) {
        while self
            .socket
            .read_frame_timeout(Duration::from_micros(1))
            .is_ok()
        {}
    }
}

impl EvLink for CanLink {
    fn exchange(&mut self, command: &Command) -> Result<Reply, LinkError> {
        self.drain_stale();
        let id = StandardId::new(REQUEST_ID).expect("REQUEST_ID is an 11-bit ID");
        let frame = CanFrame::new(id, &encode_request(command))
            .ok_or_else(|| self.error(format_args!("cannot build a frame for `{command}`")))?;
        self.socket
            .write_frame(&frame)
            .map_err(|e| self.error(format_args!("cannot send `{command}`: {e}")))?;
        let deadline = Instant::now() + self.timeout;
        let mut assembler = ReplyAssembler::new(command.clone());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.error(format_args!(
                    "no answer within {} ms, expected the reply frames (status on 0x{STATUS_ID:03x}) to `{command}`",
                    self.timeout.as_millis()
                )));
            }
            let frame = match self.socket.read_frame_timeout(left) {
                Ok(frame) => frame,
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
                    continue
                }
                Err(e) => {
                    return Err(self.error(format_args!(
                        "interface failed ({e}) while waiting for a reply to `{command}`"
                    )))
                }
            };
            let id = frame.raw_id();
            if frame.is_extended() || id & REPLY_FILTER.1 as u32 != REPLY_FILTER.0 as u32 {
                continue;
            }
            match assembler.push(id as u16, frame.data()) {
                Ok(Assembled::Partial) => {}
                Ok(Assembled::Done(reply)) => return Ok(reply),
                Err(e) => return Err(self.error(format_args!("{e} (request `{command}`)"))),
            }
        }
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}

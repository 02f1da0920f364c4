//! How the plugin exchanges one command for one reply, whatever carries them.
//!
//! [`EvLink`] is the capability; [`TextLink`] implements it over a serial port or TCP with the
//! line protocol, `can_link::CanLink` over SocketCAN with the frame layout of PROTOCOL.md.

use crate::line_link::{LineLink, LinkError};
use crate::protocol::{parse_reply, Command, Reply};

/// One request, one reply. Implementations report every failure as a [`LinkError`] naming the
/// port and what was expected.
pub trait EvLink: Send {
    fn exchange(&mut self, command: &Command) -> Result<Reply, LinkError>;
    /// The port or interface, for messages.
    fn peer(&self) -> &str;
}

/// The ASCII line protocol over a serial port or TCP.
pub struct TextLink {
    line: LineLink,
    /// Set after a failed exchange: a late reply may still arrive and must not be taken as the
    /// answer to the next command.
    resync_needed: bool,
}

impl TextLink {
    pub fn new(line: LineLink) -> Self {
        // PROTOCOL.md: a previous client may have left an unread reply; drop it first.
        Self {
            line,
            resync_needed: true,
        }
    }
}

impl EvLink for TextLink {
    fn exchange(&mut self, command: &Command) -> Result<Reply, LinkError> {
        if self.resync_needed {
            self.line.discard_input();
            self.resync_needed = false;
        }
        let text = command.to_line();
        let result = self.line.request(&text).and_then(|reply| {
            parse_reply(&reply).map_err(|e| self.line.error(format_args!("{e} to `{text}`")))
        });
        self.resync_needed = result.is_err();
        result
    }

    fn peer(&self) -> &str {
        self.line.peer()
    }
}

//! Splits a byte stream into command lines.

/// Longest line accepted; a longer one is discarded up to its terminator.
pub const MAX_LINE: usize = 512;

/// Which bytes end a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    /// LF ends a line; a CR just before it is dropped.
    Lf,
    /// CR or LF ends a line; empty lines (the LF of a CR LF pair) are skipped.
    CrOrLf,
}

/// One complete input line, or a line that was too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Text(String),
    TooLong,
}

#[derive(Debug)]
pub struct LineBuffer {
    terminator: Terminator,
    pending: Vec<u8>,
    overflowed: bool,
}

impl LineBuffer {
    pub fn new(terminator: Terminator) -> Self {
        LineBuffer {
            terminator,
            pending: Vec::new(),
            overflowed: false,
        }
    }

    /// Feeds received bytes; returns the lines they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Line> {
        let mut lines = Vec::new();
        for &b in bytes {
            let ends = b == b'\n' || (b == b'\r' && self.terminator == Terminator::CrOrLf);
            if !ends {
                if self.pending.len() < MAX_LINE {
                    self.pending.push(b);
                } else {
                    self.overflowed = true;
                }
                continue;
            }
            if self.pending.last() == Some(&b'\r') {
                self.pending.pop();
            }
            if self.overflowed {
                lines.push(Line::TooLong);
            } else if !(self.pending.is_empty() && self.terminator == Terminator::CrOrLf) {
                lines.push(Line::Text(
                    String::from_utf8_lossy(&self.pending).into_owned(),
                ));
            }
            self.pending.clear();
            self.overflowed = false;
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_lines_drop_a_trailing_cr_and_keep_partial_input() {
        let mut b = LineBuffer::new(Terminator::Lf);
        assert_eq!(b.push(b"PLUG TE"), vec![]);
        assert_eq!(
            b.push(b"THERED\r\nMEAS?\n\n"),
            vec![
                Line::Text("PLUG TETHERED".into()),
                Line::Text("MEAS?".into()),
                Line::Text(String::new())
            ]
        );
    }

    #[test]
    fn cr_lines_skip_the_lf_of_a_pair() {
        let mut b = LineBuffer::new(Terminator::CrOrLf);
        assert_eq!(
            b.push(b"VERSION?\r\nUID?\r"),
            vec![Line::Text("VERSION?".into()), Line::Text("UID?".into())]
        );
    }

    #[test]
    fn overlong_lines_are_reported_once() {
        let mut b = LineBuffer::new(Terminator::Lf);
        let long = vec![b'x'; MAX_LINE + 10];
        assert_eq!(b.push(&long), vec![]);
        assert_eq!(
            b.push(b"\nOK\n"),
            vec![Line::TooLong, Line::Text("OK".into())]
        );
    }
}

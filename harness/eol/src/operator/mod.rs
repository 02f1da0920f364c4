//! What the operator sees: one line per check as it happens, a progress bar after each stage,
//! and a banner at the end that can't be missed. Plain text when the output is not a terminal
//! (a log file, CI), colours when it is.

pub mod banner;
pub mod line;
pub mod progress;

/// ANSI styles, used only on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Pass,
    Fail,
    Aborted,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            // Bold white on green / red / yellow-black: readable from across the line.
            Style::Pass => "\x1b[1;97;42m",
            Style::Fail => "\x1b[1;97;41m",
            Style::Aborted => "\x1b[1;30;43m",
        }
    }
}

/// Wraps `text` in `style` when `color` is on.
pub fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{}{text}\x1b[0m", style.code())
    } else {
        text.to_string()
    }
}

/// Pads or cuts `text` to `width` characters (not bytes: check names contain Ω and µ).
pub fn fit(text: &str, width: usize, fill: char) -> String {
    let n = text.chars().count();
    if n > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        let mut s = text.to_string();
        s.extend(std::iter::repeat_n(fill, width - n));
        s
    }
}

//! The one-line progress display while the suite runs.

use crate::model::{Summary, Verdict};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Counts finished scenarios and renders
/// `[ 12/102] 10 passed, 1 failed, 1 not run, 00:42 elapsed`.
/// On a terminal the line is redrawn in place; elsewhere (CI logs) one line per scenario.
#[derive(Debug)]
pub struct Progress {
    total: Option<usize>,
    started: Instant,
    summary: Summary,
}

impl Progress {
    /// `total` is the number of scenarios the run will have, if known.
    pub fn new(total: Option<usize>) -> Progress {
        Progress::starting_at(total, Instant::now())
    }

    /// As [`Progress::new`] with an explicit start (for tests and for a resumed display).
    pub fn starting_at(total: Option<usize>, started: Instant) -> Progress {
        Progress {
            total,
            started,
            summary: Summary::default(),
        }
    }

    /// Counts one finished scenario.
    pub fn record(&mut self, verdict: &Verdict, duration_s: f64) {
        self.summary.add(verdict, duration_s);
    }

    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The progress line at `now`.
    pub fn line_at(&self, now: Instant) -> String {
        let done = self.summary.total;
        let count = match self.total {
            Some(total) => {
                let width = total.to_string().len();
                format!("[{done:>width$}/{total}]")
            }
            None => format!("[{done}]"),
        };
        format!(
            "{count} {} passed, {} failed, {} not run, {} elapsed",
            self.summary.passed,
            self.summary.failed,
            self.summary.skipped,
            elapsed_text(now.saturating_duration_since(self.started)),
        )
    }

    /// The progress line now.
    pub fn line(&self) -> String {
        self.line_at(Instant::now())
    }

    /// Prints the line on stderr: redrawn in place on a terminal, one line each otherwise.
    /// Call [`Progress::finish_line`] before printing anything else on a terminal.
    pub fn print(&self) {
        let stderr = std::io::stderr();
        let mut err = stderr.lock();
        if stderr.is_terminal() {
            let _ = write!(err, "\r\x1b[2K{}", self.line());
        } else {
            let _ = writeln!(err, "{}", self.line());
        }
        let _ = err.flush();
    }

    /// Ends an in-place line with a newline (nothing to do off a terminal).
    pub fn finish_line(&self) {
        let stderr = std::io::stderr();
        if stderr.is_terminal() {
            let _ = writeln!(stderr.lock());
        }
    }
}

/// `mm:ss`, or `h:mm:ss` from one hour on.
fn elapsed_text(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counts_and_formats_elapsed_time() {
        let start = Instant::now();
        let mut progress = Progress::starting_at(Some(102), start);
        progress.record(&Verdict::Passed, 1.0);
        progress.record(&Verdict::Failed, 1.0);
        progress.record(
            &Verdict::Skipped {
                reason: "no rfid".into(),
            },
            0.0,
        );
        assert_eq!(
            progress.line_at(start + Duration::from_secs(62)),
            "[  3/102] 1 passed, 1 failed, 1 not run, 01:02 elapsed"
        );
        assert_eq!(elapsed_text(Duration::from_secs(3723)), "1:02:03");
        let open = Progress::starting_at(None, start);
        assert_eq!(
            open.line_at(start),
            "[0] 0 passed, 0 failed, 0 not run, 00:00 elapsed"
        );
    }
}

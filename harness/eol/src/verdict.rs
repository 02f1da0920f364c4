//! Verdicts as stored and printed: a run is PASS, FAIL or ABORTED; a measurement PASS or FAIL.

use std::fmt;

/// The outcome of a whole run of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunVerdict {
    Pass,
    Fail,
    /// Stopped before the end (Ctrl-C, a dead instrument); what was measured is kept.
    Aborted,
}

impl RunVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            RunVerdict::Pass => "PASS",
            RunVerdict::Fail => "FAIL",
            RunVerdict::Aborted => "ABORTED",
        }
    }

    pub fn parse(s: &str) -> Option<RunVerdict> {
        match s {
            "PASS" => Some(RunVerdict::Pass),
            "FAIL" => Some(RunVerdict::Fail),
            "ABORTED" => Some(RunVerdict::Aborted),
            _ => None,
        }
    }

    /// The harness's exit status for this verdict: 0 only for PASS.
    pub fn exit_status(self) -> u8 {
        match self {
            RunVerdict::Pass => 0,
            RunVerdict::Fail => 1,
            RunVerdict::Aborted => 130,
        }
    }
}

impl fmt::Display for RunVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of one measurement against its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckVerdict {
    Pass,
    Fail,
}

impl CheckVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckVerdict::Pass => "PASS",
            CheckVerdict::Fail => "FAIL",
        }
    }

    pub fn parse(s: &str) -> Option<CheckVerdict> {
        match s {
            "PASS" => Some(CheckVerdict::Pass),
            "FAIL" => Some(CheckVerdict::Fail),
            _ => None,
        }
    }

    /// Inclusive limits; a value that could not be measured (NaN) never passes.
    pub fn judge(value: f64, low: Option<f64>, high: Option<f64>) -> CheckVerdict {
        let within = !value.is_nan()
            && low.is_none_or(|low| value >= low)
            && high.is_none_or(|high| value <= high);
        if within {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        }
    }
}

impl fmt::Display for CheckVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_inclusive_and_nan_fails() {
        assert_eq!(
            CheckVerdict::judge(1.0, Some(1.0), Some(2.0)),
            CheckVerdict::Pass
        );
        assert_eq!(
            CheckVerdict::judge(2.0, Some(1.0), Some(2.0)),
            CheckVerdict::Pass
        );
        assert_eq!(
            CheckVerdict::judge(2.1, Some(1.0), Some(2.0)),
            CheckVerdict::Fail
        );
        assert_eq!(
            CheckVerdict::judge(f64::NAN, None, None),
            CheckVerdict::Fail
        );
        assert_eq!(CheckVerdict::judge(-5.0, None, None), CheckVerdict::Pass);
    }

    #[test]
    fn names_round_trip() {
        for v in [RunVerdict::Pass, RunVerdict::Fail, RunVerdict::Aborted] {
            assert_eq!(RunVerdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(RunVerdict::parse("pass"), None);
    }
}

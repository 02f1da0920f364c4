//! One line per check, printed the moment it is measured:
//! `  CP positive level, state B ......... 9.02 V      8.00 .. 10.00 V      PASS`

use super::{fit, paint, Style};
use crate::measurement::Measurement;

const NAME_WIDTH: usize = 46;
const VALUE_WIDTH: usize = 14;
const LIMITS_WIDTH: usize = 22;

pub fn check_line(m: &Measurement, color: bool) -> String {
    let name = fit(&format!("{} ", m.name), NAME_WIDTH, '.');
    let value = fit(&m.value_text(), VALUE_WIDTH, ' ');
    let limits = fit(&m.limits_text(), LIMITS_WIDTH, ' ');
    let verdict = if m.passed() {
        paint(" PASS ", Style::Pass, color)
    } else {
        paint(" FAIL ", Style::Fail, color)
    };
    format!("  {name} {value} {limits} {verdict}")
}

/// A stage (scenario) that failed without a measurement (a frame that never came, a dead
/// reader): the operator still gets one line naming it and why.
pub fn stage_failure_line(stage: &str, reason: &str, color: bool) -> String {
    format!(
        "  {} {}\n      {}",
        fit(
            &format!("{stage} "),
            NAME_WIDTH + VALUE_WIDTH + LIMITS_WIDTH + 1,
            '.'
        ),
        paint(" FAIL ", Style::Fail, color),
        reason
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_line_has_name_value_limits_verdict() {
        let m = Measurement::judged(
            "CP positive level, state B",
            9.02,
            "V",
            Some(8.0),
            Some(10.0),
        );
        let line = check_line(&m, false);
        assert!(line.contains("CP positive level, state B ...."), "{line}");
        assert!(line.contains("9.02 V"), "{line}");
        assert!(line.contains("8.00 .. 10.00 V"), "{line}");
        assert!(line.trim_end().ends_with("PASS"), "{line}");
        assert!(!line.contains('\x1b'));
    }

    #[test]
    fn coloured_fail() {
        let m = Measurement::judged("contactor opening", 250.0, "ms", None, Some(100.0));
        let line = check_line(&m, true);
        assert!(line.contains("\x1b[1;97;41m FAIL \x1b[0m"), "{line:?}");
    }
}

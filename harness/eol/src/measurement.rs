//! One measured check of a unit, as stored, printed and put on the certificate.

use chrono::{DateTime, Utc};

use crate::station::STAGE_UNIT;
use crate::verdict::CheckVerdict;

#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// What was checked, e.g. "CP level at 2.74 kΩ".
    pub name: String,
    /// NaN when nothing could be measured (a timeout): stored as NULL.
    pub value: f64,
    /// SI unit symbol: "V", "A", "ms", "%", "mA".
    pub unit: String,
    /// Inclusive limits; absent means no limit on that side.
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub verdict: CheckVerdict,
    pub at: DateTime<Utc>,
}

impl Measurement {
    /// A measurement judged against its limits now.
    pub fn judged(
        name: impl Into<String>,
        value: f64,
        unit: impl Into<String>,
        low: Option<f64>,
        high: Option<f64>,
    ) -> Measurement {
        Measurement::judged_at(name, value, unit, low, high, Utc::now())
    }

    pub fn judged_at(
        name: impl Into<String>,
        value: f64,
        unit: impl Into<String>,
        low: Option<f64>,
        high: Option<f64>,
        at: DateTime<Utc>,
    ) -> Measurement {
        Measurement {
            name: name.into(),
            value,
            unit: unit.into(),
            low,
            high,
            verdict: CheckVerdict::judge(value, low, high),
            at,
        }
    }

    pub fn passed(&self) -> bool {
        self.verdict == CheckVerdict::Pass
    }

    /// "9.02 V", or "not measured".
    pub fn value_text(&self) -> String {
        if self.unit == STAGE_UNIT {
            return if self.passed() { "done" } else { "failed" }.to_string();
        }
        if self.value.is_nan() {
            "not measured".to_string()
        } else {
            format!("{} {}", number(self.value), self.unit)
        }
    }

    /// "8.00 .. 10.00 V", "≤ 100 ms", "≥ 300 ms", or "no limit".
    pub fn limits_text(&self) -> String {
        if self.unit == STAGE_UNIT {
            return "must pass".to_string();
        }
        match (self.low, self.high) {
            (Some(l), Some(h)) => format!("{} .. {} {}", number(l), number(h), self.unit),
            (Some(l), None) => format!("≥ {} {}", number(l), self.unit),
            (None, Some(h)) => format!("≤ {} {}", number(h), self.unit),
            (None, None) => "no limit".to_string(),
        }
    }
}

/// A number with as many decimals as its size needs for an operator (3 significant digits
/// after the point for small values, fewer for large ones).
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let m = Measurement::judged("CP level", 9.021, "V", Some(8.0), Some(10.0));
        assert_eq!(m.value_text(), "9.02 V");
        assert_eq!(m.limits_text(), "8.00 .. 10.00 V");
        let t = Measurement::judged("open", 31.4, "ms", None, Some(100.0));
        assert_eq!(t.limits_text(), "≤ 100.0 ms");
        let n = Measurement::judged("x", f64::NAN, "ms", None, Some(100.0));
        assert_eq!(n.value_text(), "not measured");
        assert!(!n.passed());
        assert_eq!(number(1234.4), "1234");
    }
}

//! The welded-contact check: after the contactor was commanded open, no phase may still carry
//! mains voltage at the vehicle inlet. A welded contact keeps the supply there.

use crate::measurement::Measurement;

/// Above this a phase is "live" (well under any mains voltage, well above induced noise).
pub const LIVE_V: f64 = 50.0;

/// The highest inlet voltage after opening, judged against [`LIVE_V`].
pub fn judge(supply_v: &[f64]) -> Measurement {
    let highest = supply_v
        .iter()
        .copied()
        .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a });
    Measurement::judged(
        "voltage at the inlet with the contactor open (welded contacts)",
        highest,
        "V",
        None,
        Some(LIVE_V),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_phase_means_welded() {
        assert!(judge(&[0.4, 0.1, 0.0]).passed());
        let w = judge(&[0.0, 229.8, 0.0]);
        assert!(!w.passed());
        assert!((w.value - 229.8).abs() < 1e-9);
        assert!(!judge(&[]).passed(), "no sample is not a pass");
    }
}

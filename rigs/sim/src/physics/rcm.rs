//! The DC residual-current sensor with its test winding.

use crate::SimTime;
use std::time::Duration;

/// How long the test-winding self-test takes.
pub const SELF_TEST_DURATION: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResidualCurrentSensor {
    injected_dc_ma: f64,
    self_test_broken: bool,
    self_test_started: Option<SimTime>,
}

impl ResidualCurrentSensor {
    /// The DC leakage the vehicle causes while it is supplied, in mA.
    pub fn inject(&mut self, dc_ma: f64) {
        self.injected_dc_ma = dc_ma.max(0.0);
    }

    pub fn injected_dc_ma(&self) -> f64 {
        self.injected_dc_ma
    }

    /// Makes the self-test fail (a broken test winding or sensor).
    pub fn set_self_test_broken(&mut self, broken: bool) {
        self.self_test_broken = broken;
    }

    pub fn self_test_broken(&self) -> bool {
        self.self_test_broken
    }

    /// Leakage flows only while the vehicle is supplied.
    pub fn measured_dc_ma(&self, energised: bool) -> f64 {
        if energised {
            self.injected_dc_ma
        } else {
            0.0
        }
    }

    pub fn start_self_test(&mut self, now: SimTime) {
        self.self_test_started = Some(now);
    }

    /// `Some(passed)` once a started self-test has run its course (reported once).
    pub fn take_self_test_result(&mut self, now: SimTime) -> Option<bool> {
        let started = self.self_test_started?;
        if now < started + SELF_TEST_DURATION {
            return None;
        }
        self.self_test_started = None;
        Some(!self.self_test_broken)
    }

    pub fn next_event(&self) -> Option<SimTime> {
        self.self_test_started.map(|t| t + SELF_TEST_DURATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leakage_is_seen_only_while_energised() {
        let mut r = ResidualCurrentSensor::default();
        r.inject(6.0);
        assert_eq!(r.measured_dc_ma(true), 6.0);
        assert_eq!(r.measured_dc_ma(false), 0.0);
    }

    #[test]
    fn self_test_reports_after_its_duration() {
        let mut r = ResidualCurrentSensor::default();
        r.start_self_test(SimTime::ZERO);
        assert_eq!(r.take_self_test_result(Duration::from_millis(10)), None);
        assert_eq!(
            r.take_self_test_result(Duration::from_millis(50)),
            Some(true)
        );
        assert_eq!(r.take_self_test_result(Duration::from_millis(60)), None);
        r.set_self_test_broken(true);
        r.start_self_test(Duration::from_secs(1));
        assert_eq!(r.take_self_test_result(Duration::from_secs(2)), Some(false));
    }
}

//! Residual current (DC 6 mA, IEC 62955): the trip curve and the sensor self-test.

use serde::{Deserialize, Serialize};

use super::time::Millis;

/// One point of the trip curve: a residual current at or above `threshold_ma` that lasts
/// `trip_after_ms` trips.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TripPoint {
    pub threshold_ma: f64,
    pub trip_after_ms: u64,
}

/// The default curve: 6 mA in 1 s (the standard allows 10 s), 60 mA in 200 ms, 200 mA in 50 ms.
pub fn default_trip_curve() -> Vec<TripPoint> {
    vec![
        TripPoint {
            threshold_ma: 6.0,
            trip_after_ms: 1000,
        },
        TripPoint {
            threshold_ma: 60.0,
            trip_after_ms: 200,
        },
        TripPoint {
            threshold_ma: 200.0,
            trip_after_ms: 50,
        },
    ]
}

/// Checks that a curve trips 6 mA DC within 10 s, as IEC 62955 requires.
pub fn validate_trip_curve(curve: &[TripPoint]) -> Result<(), String> {
    if curve
        .iter()
        .any(|p| p.threshold_ma.is_nan() || p.threshold_ma <= 0.0)
    {
        return Err("residual trip curve: every threshold_ma must be above 0".into());
    }
    if !curve
        .iter()
        .any(|p| p.threshold_ma <= 6.0 && p.trip_after_ms <= 10_000)
    {
        return Err(
            "residual trip curve: needs a point with threshold_ma <= 6 and trip_after_ms <= 10000"
                .into(),
        );
    }
    Ok(())
}

/// Watches the DC residual current against the trip curve.
#[derive(Debug, Clone)]
pub struct ResidualMonitor {
    curve: Vec<TripPoint>,
    /// Per curve point: since when the current has been at or above its threshold.
    above_since: Vec<Option<Millis>>,
    last_ma: f64,
}

impl ResidualMonitor {
    pub fn new(curve: Vec<TripPoint>) -> Self {
        let n = curve.len();
        ResidualMonitor {
            curve,
            above_since: vec![None; n],
            last_ma: 0.0,
        }
    }

    /// Records a reading; returns true when the curve says trip.
    pub fn sample(&mut self, now: Millis, residual_ma: f64) -> bool {
        self.last_ma = residual_ma;
        for (point, since) in self.curve.iter().zip(self.above_since.iter_mut()) {
            if residual_ma >= point.threshold_ma {
                since.get_or_insert(now);
            } else {
                *since = None;
            }
        }
        self.tripped(now)
    }

    /// True when some point's time has run out (call on timeouts too).
    pub fn tripped(&self, now: Millis) -> bool {
        self.curve
            .iter()
            .zip(&self.above_since)
            .any(|(p, since)| since.is_some_and(|t| now.since(t) >= p.trip_after_ms))
    }

    /// Forget the running timers (during a self-test, the test current is not a leak).
    pub fn clear(&mut self) {
        self.above_since.iter_mut().for_each(|s| *s = None);
    }

    pub fn last_ma(&self) -> f64 {
        self.last_ma
    }

    /// When the earliest running timer will trip.
    pub fn deadline(&self) -> Option<Millis> {
        self.curve
            .iter()
            .zip(&self.above_since)
            .filter_map(|(p, since)| since.map(|t| t + p.trip_after_ms))
            .min()
    }
}

/// Progress of the residual-current sensor self-test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTest {
    NotRun,
    /// Waiting for the board's result of attempt `attempt` (1-based) until `deadline`.
    Running {
        attempt: u8,
        deadline: Millis,
    },
    Passed,
    /// Failed; a new attempt starts at `retry_at`.
    Failed {
        retry_at: Millis,
    },
}

/// Attempts per self-test before it counts as failed.
pub const SELF_TEST_ATTEMPTS: u8 = 3;
/// How long to wait for the board's result.
pub const SELF_TEST_REPLY_MS: u64 = 1000;
/// Pause before a failed self-test is tried again.
pub const SELF_TEST_RETRY_MS: u64 = 30_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_curve_points() {
        let mut m = ResidualMonitor::new(default_trip_curve());
        assert!(!m.sample(Millis(0), 3.0));
        assert!(!m.sample(Millis(0), 6.0));
        assert_eq!(m.deadline(), Some(Millis(1000)));
        assert!(!m.tripped(Millis(999)));
        assert!(m.tripped(Millis(1000)));
        let mut m = ResidualMonitor::new(default_trip_curve());
        assert!(!m.sample(Millis(0), 250.0));
        assert!(m.sample(Millis(50), 250.0));
        assert!(validate_trip_curve(&default_trip_curve()).is_ok());
        assert!(validate_trip_curve(&[TripPoint {
            threshold_ma: 6.0,
            trip_after_ms: 11_000
        }])
        .is_err());
    }
}

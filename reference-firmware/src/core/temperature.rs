//! Temperature derating: full current below `derate_from_c`, a linear reduction to 6 A up to
//! `stop_at_c`, no charging at or above it; each step back needs `hysteresis_c` of cooling.

use serde::{Deserialize, Serialize};

/// Temperature thresholds (configuration).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TemperatureLimits {
    pub derate_from_c: f64,
    pub stop_at_c: f64,
    pub hysteresis_c: f64,
}

impl Default for TemperatureLimits {
    fn default() -> Self {
        TemperatureLimits {
            derate_from_c: 70.0,
            stop_at_c: 85.0,
            hysteresis_c: 5.0,
        }
    }
}

impl TemperatureLimits {
    pub fn validate(&self) -> Result<(), String> {
        let finite = [self.derate_from_c, self.stop_at_c, self.hysteresis_c]
            .iter()
            .all(|v| v.is_finite());
        if !finite || self.derate_from_c >= self.stop_at_c || self.hysteresis_c < 0.0 {
            return Err(format!(
                "temperature: need derate_from_c < stop_at_c and hysteresis_c >= 0, got {} / {} / {}",
                self.derate_from_c, self.stop_at_c, self.hysteresis_c
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThermalLevel {
    Normal,
    Derating,
    Stopped,
}

/// Derating state with hysteresis.
#[derive(Debug, Clone)]
pub struct Derating {
    limits: TemperatureLimits,
    level: ThermalLevel,
    last_c: f64,
}

impl Derating {
    pub fn new(limits: TemperatureLimits) -> Self {
        Derating {
            limits,
            level: ThermalLevel::Normal,
            last_c: 20.0,
        }
    }

    pub fn level(&self) -> ThermalLevel {
        self.level
    }

    pub fn last_c(&self) -> f64 {
        self.last_c
    }

    /// Records a temperature; returns the new level when it changed.
    pub fn sample(&mut self, celsius: f64) -> Option<ThermalLevel> {
        self.last_c = celsius;
        let l = self.limits;
        let next = match self.level {
            ThermalLevel::Normal if celsius >= l.stop_at_c => ThermalLevel::Stopped,
            ThermalLevel::Normal if celsius >= l.derate_from_c => ThermalLevel::Derating,
            ThermalLevel::Derating if celsius >= l.stop_at_c => ThermalLevel::Stopped,
            ThermalLevel::Derating if celsius < l.derate_from_c - l.hysteresis_c => {
                ThermalLevel::Normal
            }
            ThermalLevel::Stopped if celsius < l.derate_from_c - l.hysteresis_c => {
                ThermalLevel::Normal
            }
            ThermalLevel::Stopped if celsius < l.stop_at_c - l.hysteresis_c => {
                ThermalLevel::Derating
            }
            same => same,
        };
        (next != self.level).then(|| {
            self.level = next;
            next
        })
    }

    /// The temperature limit in 0.1 A for a unit rated `rated_deciamps`; `None` = no limit.
    pub fn limit_deciamps(&self, rated_deciamps: u32) -> Option<u32> {
        let l = self.limits;
        match self.level {
            ThermalLevel::Normal => None,
            ThermalLevel::Stopped => Some(0),
            ThermalLevel::Derating => {
                // Linear from the rating at derate_from_c to 6 A at stop_at_c; never above the
                // rating, never below 6 A while derating.
                let span = l.stop_at_c - l.derate_from_c;
                let frac = ((l.stop_at_c - self.last_c) / span).clamp(0.0, 1.0);
                let amps = 60.0 + (f64::from(rated_deciamps) - 60.0).max(0.0) * frac;
                Some((amps.floor() as u32).clamp(60, rated_deciamps.max(60)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derates_stops_and_recovers_with_hysteresis() {
        let mut d = Derating::new(TemperatureLimits::default());
        assert_eq!(d.sample(60.0), None);
        assert_eq!(d.limit_deciamps(320), None);
        assert_eq!(d.sample(70.0), Some(ThermalLevel::Derating));
        assert_eq!(d.limit_deciamps(320), Some(320));
        d.sample(77.5);
        assert_eq!(d.limit_deciamps(320), Some(190));
        assert_eq!(d.sample(85.0), Some(ThermalLevel::Stopped));
        assert_eq!(d.limit_deciamps(320), Some(0));
        assert_eq!(d.sample(80.5), None, "needs 5 degrees of cooling");
        assert_eq!(d.sample(79.9), Some(ThermalLevel::Derating));
        assert_eq!(d.sample(65.5), None);
        assert_eq!(d.sample(64.9), Some(ThermalLevel::Normal));
    }
}

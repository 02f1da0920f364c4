//! The three-phase supply feeding the charger.

/// Order in which the phases reach their peaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rotation {
    /// L1 → L2 → L3 (L2 lags L1 by 120°).
    #[default]
    Clockwise,
    /// L1 → L3 → L2 (L2 leads L1 by 120°).
    CounterClockwise,
}

/// The supply: per-phase RMS voltages to neutral, frequency and rotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Mains {
    /// Per-phase RMS voltage when the supply is present; 0 for a phase that is not wired.
    pub phase_v: [f64; 3],
    pub freq_hz: f64,
    pub rotation: Rotation,
    /// False during a mains loss.
    pub present: bool,
}

impl Default for Mains {
    fn default() -> Self {
        Mains {
            phase_v: [230.0; 3],
            freq_hz: 50.0,
            rotation: Rotation::Clockwise,
            present: true,
        }
    }
}

impl Mains {
    /// RMS voltage of phase `i` (0-based) now.
    pub fn voltage(&self, i: usize) -> f64 {
        if self.present {
            self.phase_v[i]
        } else {
            0.0
        }
    }

    /// The frequency now (0 during a mains loss).
    pub fn frequency(&self) -> f64 {
        if self.present {
            self.freq_hz
        } else {
            0.0
        }
    }

    /// Phase angle of phase `i` relative to L1, in degrees.
    pub fn angle_deg(&self, i: usize) -> f64 {
        let step = match self.rotation {
            Rotation::Clockwise => -120.0,
            Rotation::CounterClockwise => 120.0,
        };
        let a = step * i as f64;
        if a <= -180.0 {
            a + 360.0
        } else if a > 180.0 {
            a - 360.0
        } else {
            a
        }
    }

    /// Instantaneous voltage of phase `i` at `t_s` seconds (for waveform-level checks).
    pub fn instantaneous(&self, i: usize, t_s: f64) -> f64 {
        let peak = self.voltage(i) * std::f64::consts::SQRT_2;
        let phase = self.angle_deg(i).to_radians();
        peak * (2.0 * std::f64::consts::PI * self.freq_hz * t_s + phase).sin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_sets_the_phase_order() {
        let mut m = Mains::default();
        assert_eq!(
            [m.angle_deg(0), m.angle_deg(1), m.angle_deg(2)],
            [0.0, -120.0, 120.0]
        );
        m.rotation = Rotation::CounterClockwise;
        assert_eq!(
            [m.angle_deg(0), m.angle_deg(1), m.angle_deg(2)],
            [0.0, 120.0, -120.0]
        );
    }

    #[test]
    fn instantaneous_peaks_at_325_v_and_phases_sum_to_zero() {
        let m = Mains::default();
        // L1 peaks at a quarter period.
        assert!((m.instantaneous(0, 0.005) - 325.27).abs() < 0.01);
        for k in 0..20 {
            let t = k as f64 * 0.001;
            let sum: f64 = (0..3).map(|i| m.instantaneous(i, t)).sum();
            assert!(sum.abs() < 1e-9);
        }
    }

    #[test]
    fn mains_loss_removes_voltage_and_frequency() {
        let m = Mains {
            present: false,
            ..Mains::default()
        };
        assert_eq!((m.voltage(0), m.frequency()), (0.0, 0.0));
    }
}

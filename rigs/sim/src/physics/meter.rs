//! The charger's metering chip: per-phase readings and an energy register, with settable gain
//! errors so calibration checks against the reference analyser can fail.

use super::power::PhaseQuantities;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeteringChip {
    /// Error of the current channel in percent (+1.0 reads 1 % high).
    current_gain_error_pct: f64,
    /// Error of the voltage channel in percent.
    voltage_gain_error_pct: f64,
    /// Active energy register, Wh, per phase.
    energy_wh: [f64; 3],
}

impl MeteringChip {
    pub fn set_gain_errors(&mut self, current_pct: f64, voltage_pct: f64) {
        self.current_gain_error_pct = current_pct;
        self.voltage_gain_error_pct = voltage_pct;
    }

    pub fn gain_errors(&self) -> (f64, f64) {
        (self.current_gain_error_pct, self.voltage_gain_error_pct)
    }

    /// What the chip reads for the true quantities of each phase.
    pub fn read(&self, truth: &[PhaseQuantities; 3]) -> [PhaseQuantities; 3] {
        let ki = 1.0 + self.current_gain_error_pct / 100.0;
        let ku = 1.0 + self.voltage_gain_error_pct / 100.0;
        truth.map(|q| PhaseQuantities::new(q.u * ku, q.i * ki, q.lambda, q.freq_hz))
    }

    /// Adds `seconds` of the given true power to the register (through the chip's errors).
    pub fn accumulate(&mut self, truth: &[PhaseQuantities; 3], seconds: f64) {
        let read = self.read(truth);
        for (register, q) in self.energy_wh.iter_mut().zip(read.iter()) {
            *register += q.p * seconds / 3600.0;
        }
    }

    /// The chip restarted: the register starts from zero, the calibration stays.
    pub fn restart(&mut self) {
        self.energy_wh = [0.0; 3];
    }

    pub fn energy_wh(&self) -> [f64; 3] {
        self.energy_wh
    }

    pub fn total_energy_wh(&self) -> f64 {
        self.energy_wh.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_error_scales_current_power_and_energy() {
        let mut m = MeteringChip::default();
        m.set_gain_errors(2.0, 0.0);
        let truth = [PhaseQuantities::new(230.0, 10.0, 1.0, 50.0); 3];
        let read = m.read(&truth);
        assert!((read[0].i - 10.2).abs() < 1e-9);
        assert!((read[0].p - 2346.0).abs() < 1e-9);
        m.accumulate(&truth, 3600.0);
        assert!((m.total_energy_wh() - 3.0 * 2346.0).abs() < 1e-6);
    }
}

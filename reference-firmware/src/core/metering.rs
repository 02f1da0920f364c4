//! Metering: the latest per-phase values and the persistent energy register.

use board_link::MeterSample;
use serde::{Deserialize, Serialize};

/// One phase in engineering units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PhaseReading {
    pub voltage_v: f64,
    pub current_a: f64,
    pub power_w: f64,
    pub power_factor: f64,
}

/// The latest meter values.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MeterReading {
    pub phases: [PhaseReading; 3],
    /// Sum of the phases' active power.
    pub power_w: f64,
    /// The energy register in whole watt-hours (the local interface's display).
    pub energy_wh: u64,
    /// The same register at its own resolution, mWh. OCPP reports this one: whole watt-hours
    /// would add up to 1 Wh of quantisation at each end of a short comparison with a
    /// reference instrument, which is as much as a 1 % class allows over 100 Wh.
    #[serde(default)]
    pub energy_mwh: u64,
}

/// Converts the wire sample to engineering units.
pub fn phases_of(sample: &MeterSample) -> [PhaseReading; 3] {
    sample.phases.map(|p| PhaseReading {
        voltage_v: f64::from(p.voltage_tenth_v) / 10.0,
        current_a: f64::from(p.current_ma) / 1000.0,
        power_w: f64::from(p.active_power_tenth_w) / 10.0,
        power_factor: f64::from(p.power_factor_milli) / 1000.0,
    })
}

/// The energy register: it only ever grows, and it continues from the stored value after a
/// restart of the controller or of the board.
#[derive(Debug, Clone)]
pub struct EnergyRegister {
    total_mwh: u64,
    /// The board accumulator value the register last took a difference from.
    last_board_mwh: Option<u64>,
    /// Scale applied to each increment, in parts per million (1_000_000 = exact). Only the
    /// seeded "energy-fast" defect changes it.
    scale_ppm: u64,
}

impl EnergyRegister {
    pub fn new(stored_mwh: u64) -> Self {
        EnergyRegister {
            total_mwh: stored_mwh,
            last_board_mwh: None,
            scale_ppm: 1_000_000,
        }
    }

    pub(crate) fn set_scale_ppm(&mut self, ppm: u64) {
        self.scale_ppm = ppm;
    }

    /// Adds the growth of the board's accumulator. The first value after a (re)connection only
    /// sets the base: energy the board counted while the controller was not listening cannot be
    /// attributed safely. A value lower than the previous one means the board restarted.
    pub fn update(&mut self, board_mwh: u64) {
        let delta = match self.last_board_mwh {
            None => 0,
            Some(prev) if board_mwh >= prev => board_mwh - prev,
            Some(_) => board_mwh,
        };
        self.last_board_mwh = Some(board_mwh);
        let scaled = (u128::from(delta) * u128::from(self.scale_ppm) / 1_000_000) as u64;
        self.total_mwh = self.total_mwh.saturating_add(scaled);
    }

    /// After a link loss the next board value is a new base.
    pub fn rebase(&mut self) {
        self.last_board_mwh = None;
    }

    pub fn total_mwh(&self) -> u64 {
        self.total_mwh
    }

    pub fn total_wh(&self) -> u64 {
        self.total_mwh / 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_only_grows_and_survives_board_restart() {
        let mut r = EnergyRegister::new(5_000);
        r.update(100_000); // base only
        assert_eq!(r.total_mwh(), 5_000);
        r.update(101_500);
        assert_eq!(r.total_mwh(), 6_500);
        r.update(300); // board restarted
        assert_eq!(r.total_mwh(), 6_800);
        r.update(300);
        assert_eq!(r.total_wh(), 6);
    }
}

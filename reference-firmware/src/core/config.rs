//! Tunable behaviour of the charging core (from the state directory's `settings.json`).

use serde::{Deserialize, Serialize};

use super::proximity::PpTable;
use super::residual::{default_trip_curve, validate_trip_curve, TripPoint};
use super::temperature::TemperatureLimits;

/// Everything about the charging behaviour that is configuration rather than law. Missing keys
/// take the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Accept state D (ventilation required) as a charging state.
    pub allow_state_d: bool,
    /// PP acceptance ranges for socket variants.
    pub pp_table: PpTable,
    /// A new pilot state counts after it was seen this long.
    pub pilot_debounce_ms: u64,
    /// State F lasts at least this long after a fault.
    pub fault_f_hold_ms: u64,
    /// Open under load when the EV keeps drawing this long after PWM was withdrawn.
    pub stop_under_load_ms: u64,
    /// PWM duty changes at most this often.
    pub duty_change_interval_ms: u64,
    /// A card accepted before the vehicle is plugged in stays valid this long.
    pub pre_authorization_timeout_ms: u64,
    /// The cable lock must report engaged within this time.
    pub lock_timeout_ms: u64,
    pub residual_trip_curve: Vec<TripPoint>,
    pub temperature: TemperatureLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allow_state_d: false,
            pp_table: PpTable::default(),
            pilot_debounce_ms: 20,
            fault_f_hold_ms: 300,
            stop_under_load_ms: 6000,
            duty_change_interval_ms: 5000,
            pre_authorization_timeout_ms: 60_000,
            lock_timeout_ms: 2000,
            residual_trip_curve: default_trip_curve(),
            temperature: TemperatureLimits::default(),
        }
    }
}

impl Settings {
    /// Checks the values that safety depends on; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        validate_trip_curve(&self.residual_trip_curve)?;
        self.temperature.validate()?;
        if self.pilot_debounce_ms > 50 {
            return Err(format!(
                "pilot_debounce_ms {} is above 50 (the contactor must open within 100 ms)",
                self.pilot_debounce_ms
            ));
        }
        if self.fault_f_hold_ms < 300 {
            return Err(format!(
                "fault_f_hold_ms {} is below 300",
                self.fault_f_hold_ms
            ));
        }
        if self.stop_under_load_ms > 6000 {
            return Err(format!(
                "stop_under_load_ms {} is above 6000",
                self.stop_under_load_ms
            ));
        }
        if self.duty_change_interval_ms < 5000 {
            return Err(format!(
                "duty_change_interval_ms {} is below 5000",
                self.duty_change_interval_ms
            ));
        }
        Ok(())
    }
}

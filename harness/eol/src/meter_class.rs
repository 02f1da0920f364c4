//! The meter accuracy class a unit is checked against, as rig values: the limits are a product
//! decision (IEC 62053-21 class 1, MID class B, ...), not something to bury in a feature or in
//! code.

use serde::Deserialize;

/// What the unit's meter reports and the analyser compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Current,
    Voltage,
    ActivePower,
}

impl Quantity {
    /// The OCPP measurand name the harness's metering steps use.
    pub fn measurand(self) -> &'static str {
        match self {
            Quantity::Current => "Current.Import",
            Quantity::Voltage => "Voltage",
            Quantity::ActivePower => "Power.Active.Import",
        }
    }

    pub fn from_measurand(name: &str) -> Option<Quantity> {
        match name {
            "Current.Import" => Some(Quantity::Current),
            "Voltage" => Some(Quantity::Voltage),
            "Power.Active.Import" => Some(Quantity::ActivePower),
            _ => None,
        }
    }
}

/// `[eol.meter]`. Defaults: IEC 62053-21 class 1 at power factor 1 (±1 % from 0.1 In to Imax,
/// ±1.5 % below 0.1 In), voltage within ±1 %.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeterClass {
    /// Printed on the certificate.
    pub class: String,
    /// Current and active power error limit from `low_current_fraction` × rated up to rated, %.
    pub error_percent: f64,
    /// Below this fraction of the rated current the wider limit applies.
    pub low_current_fraction: f64,
    /// Current and active power error limit below `low_current_fraction`, %.
    pub low_current_error_percent: f64,
    /// Voltage error limit at every load point, %.
    pub voltage_error_percent: f64,
}

impl Default for MeterClass {
    fn default() -> Self {
        MeterClass {
            class: "IEC 62053-21 class 1".into(),
            error_percent: 1.0,
            low_current_fraction: 0.1,
            low_current_error_percent: 1.5,
            voltage_error_percent: 1.0,
        }
    }
}

impl MeterClass {
    pub(crate) fn validate(&self) -> Result<(), String> {
        for (key, v) in [
            ("error_percent", self.error_percent),
            ("low_current_error_percent", self.low_current_error_percent),
            ("voltage_error_percent", self.voltage_error_percent),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 10.0) {
                return Err(format!("{key} {v} is outside (0, 10] %"));
            }
        }
        if !(self.low_current_fraction >= 0.0 && self.low_current_fraction < 1.0) {
            return Err(format!(
                "low_current_fraction {} is outside [0, 1)",
                self.low_current_fraction
            ));
        }
        Ok(())
    }

    /// The error limit, %, for `quantity` at `fraction` of the rated current. The fraction is
    /// compared with a small margin so a load point written as 0.1 is not pushed into the
    /// low-current band by rounding.
    pub fn limit_percent(&self, quantity: Quantity, fraction: f64) -> f64 {
        match quantity {
            Quantity::Voltage => self.voltage_error_percent,
            Quantity::Current | Quantity::ActivePower => {
                if fraction + 1e-9 < self.low_current_fraction {
                    self.low_current_error_percent
                } else {
                    self.error_percent
                }
            }
        }
    }
}

/// The relative error of the unit's reading against the analyser's, %.
pub fn error_percent(unit_reading: f64, reference: f64) -> f64 {
    if reference == 0.0 {
        if unit_reading == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        (unit_reading - reference) / reference * 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_1_limits_by_load_point() {
        let c = MeterClass::default();
        assert_eq!(c.limit_percent(Quantity::Current, 0.05), 1.5);
        assert_eq!(c.limit_percent(Quantity::Current, 0.1), 1.0);
        assert_eq!(c.limit_percent(Quantity::ActivePower, 1.0), 1.0);
        assert_eq!(c.limit_percent(Quantity::Voltage, 0.05), 1.0);
    }

    #[test]
    fn relative_error() {
        assert!((error_percent(16.16, 16.0) - 1.0).abs() < 1e-9);
        assert!((error_percent(15.84, 16.0) + 1.0).abs() < 1e-9);
        assert_eq!(error_percent(0.0, 0.0), 0.0);
        assert!(error_percent(0.1, 0.0).is_infinite());
    }

    #[test]
    fn measurand_names_round_trip() {
        for q in [Quantity::Current, Quantity::Voltage, Quantity::ActivePower] {
            assert_eq!(Quantity::from_measurand(q.measurand()), Some(q));
        }
    }
}

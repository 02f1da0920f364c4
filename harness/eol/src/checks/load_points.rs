//! Meter accuracy load points: a percentage of the product's rated current (10 %, 50 %, 100 %),
//! so one feature serves every product line; the rated current and the class limits come from
//! the rig's `[eol]`.

use crate::config::EolConfig;
use crate::measurement::Measurement;
use crate::meter_class::{error_percent, Quantity};

/// The vehicle's current at `percent` of the rated current, A.
pub fn current_at(config: &EolConfig, percent: f64) -> Result<f64, String> {
    if !(percent > 0.0 && percent <= 100.0) {
        return Err(format!(
            "{percent} % of the rated current is outside (0, 100] %"
        ));
    }
    Ok(config.rated_current_a * percent / 100.0)
}

/// One comparison of the unit's reading with the analyser's at a load point, judged against
/// the class limit for that point: the measurement is the relative error in %.
pub fn judge(
    config: &EolConfig,
    quantity: Quantity,
    phase: Option<u8>,
    percent: f64,
    unit_reading: f64,
    analyser_reading: f64,
) -> Measurement {
    let limit = config.meter.limit_percent(quantity, percent / 100.0);
    let name = match phase {
        Some(p) => format!(
            "meter {} L{p} error at {percent} % In",
            quantity.measurand()
        ),
        None => format!("meter {} error at {percent} % In", quantity.measurand()),
    };
    Measurement::judged(
        name,
        error_percent(unit_reading, analyser_reading),
        "%",
        Some(-limit),
        Some(limit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EolConfig;
    use std::path::Path;

    fn config() -> EolConfig {
        EolConfig::parse(
            Path::new("r.toml"),
            "[eol]\ndatabase = \"x.sqlite\"\nrated_current_a = 16\n",
        )
        .unwrap()
    }

    #[test]
    fn load_points_scale_the_rated_current() {
        let c = config();
        assert!((current_at(&c, 10.0).unwrap() - 1.6).abs() < 1e-9);
        assert!((current_at(&c, 100.0).unwrap() - 16.0).abs() < 1e-9);
        assert!(current_at(&c, 0.0).is_err());
        assert!(current_at(&c, 150.0).is_err());
    }

    #[test]
    fn a_3_percent_gain_error_fails_class_1() {
        let c = config();
        let m = judge(&c, Quantity::Current, Some(2), 50.0, 8.24, 8.0);
        assert_eq!(m.name, "meter Current.Import L2 error at 50 % In");
        assert!((m.value - 3.0).abs() < 1e-9);
        assert!(!m.passed());
        assert_eq!((m.low, m.high), (Some(-1.0), Some(1.0)));
        assert!(judge(&c, Quantity::Current, Some(1), 10.0, 1.605, 1.6).passed());
    }
}

//! Turning meter readings into OCPP sampled values, and the clock-aligned
//! interval arithmetic.

use chrono::{DateTime, Duration, Timelike, Utc};
use rust_ocpp::v1_6::types::{
    Location, Measurand, MeterValue, Phase, ReadingContext, SampledValue, UnitOfMeasure,
};

use crate::io::{MeterReading, PhaseValues};

fn number(v: f64) -> String {
    // Three decimals at most, without trailing zeros: "1234", "16.2", "0.125".
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn value(
    v: f64,
    measurand: Measurand,
    unit: UnitOfMeasure,
    phase: Option<Phase>,
    context: &ReadingContext,
) -> SampledValue {
    SampledValue {
        value: number(v),
        context: Some(context.clone()),
        format: None,
        measurand: Some(measurand),
        phase,
        location: Some(Location::Outlet),
        unit: Some(unit),
    }
}

fn per_phase(
    values: &PhaseValues,
    phases: [Phase; 3],
    measurand: Measurand,
    unit: UnitOfMeasure,
    context: &ReadingContext,
    out: &mut Vec<SampledValue>,
) {
    for (v, phase) in [values.l1, values.l2, values.l3].into_iter().zip(phases) {
        if let Some(v) = v {
            out.push(value(
                v,
                measurand.clone(),
                unit.clone(),
                Some(phase),
                context,
            ));
        }
    }
}

/// The sampled values of `measurands` (configuration-key names) in `reading`.
/// Current and voltage are reported per phase, energy and power as totals.
pub fn sampled_values(
    reading: &MeterReading,
    measurands: &[String],
    context: ReadingContext,
) -> Vec<SampledValue> {
    let mut out = Vec::new();
    let ctx = &context;
    for m in measurands {
        match m.as_str() {
            "Energy.Active.Import.Register" => out.push(value(
                reading.energy_wh,
                Measurand::EnergyActiveImportRegister,
                UnitOfMeasure::Wh,
                None,
                ctx,
            )),
            "Power.Active.Import" => {
                if let Some(total) = reading.power_w.sum() {
                    out.push(value(
                        total,
                        Measurand::PowerActiveImport,
                        UnitOfMeasure::W,
                        None,
                        ctx,
                    ));
                }
            }
            "Current.Import" => per_phase(
                &reading.current_a,
                [Phase::L1, Phase::L2, Phase::L3],
                Measurand::CurrentImport,
                UnitOfMeasure::A,
                ctx,
                &mut out,
            ),
            "Voltage" => per_phase(
                &reading.voltage_v,
                [Phase::L1N, Phase::L2N, Phase::L3N],
                Measurand::Voltage,
                UnitOfMeasure::V,
                ctx,
                &mut out,
            ),
            "Current.Offered" => {
                if let Some(a) = reading.current_offered_a {
                    out.push(value(
                        a,
                        Measurand::CurrentOffered,
                        UnitOfMeasure::A,
                        None,
                        ctx,
                    ));
                }
            }
            "Frequency" => {
                if let Some(f) = reading.frequency_hz {
                    // Frequency has no unit of its own in OCPP 1.6.
                    let mut v = value(f, Measurand::Frequency, UnitOfMeasure::Wh, None, ctx);
                    v.unit = None;
                    out.push(v);
                }
            }
            "Temperature" => {
                if let Some(t) = reading.temperature_c {
                    let mut v = value(t, Measurand::Temperature, UnitOfMeasure::Celsius, None, ctx);
                    v.location = Some(Location::Body);
                    out.push(v);
                }
            }
            _ => {}
        }
    }
    out
}

/// One MeterValue, or `None` when no configured measurand has a value.
pub fn meter_value(
    at: DateTime<Utc>,
    reading: &MeterReading,
    measurands: &[String],
    context: ReadingContext,
) -> Option<MeterValue> {
    let sampled_value = sampled_values(reading, measurands, context);
    (!sampled_value.is_empty()).then_some(MeterValue {
        timestamp: at,
        sampled_value,
    })
}

/// The first clock-aligned instant strictly after `now` for an interval of
/// `interval_s` seconds, intervals counted from midnight UTC.
pub fn next_aligned(now: DateTime<Utc>, interval_s: i64) -> Option<DateTime<Utc>> {
    if interval_s <= 0 {
        return None;
    }
    let midnight = now
        .with_hour(0)?
        .with_minute(0)?
        .with_second(0)?
        .with_nanosecond(0)?;
    let since = (now - midnight).num_seconds();
    let k = since / interval_s + 1;
    let next = midnight + Duration::seconds(k * interval_s);
    // An interval that does not divide the day restarts at the next midnight.
    let next_midnight = midnight + Duration::days(1);
    Some(next.min(next_midnight))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn per_phase_current_and_total_energy() {
        let reading = MeterReading {
            energy_wh: 1234.5,
            current_a: PhaseValues::three(16.0, 15.9, 16.1),
            power_w: PhaseValues::three(3680.0, 3657.0, 3703.0),
            ..Default::default()
        };
        let list = vec![
            "Energy.Active.Import.Register".to_string(),
            "Current.Import".to_string(),
            "Power.Active.Import".to_string(),
            "Voltage".to_string(),
        ];
        let v = sampled_values(&reading, &list, ReadingContext::SamplePeriodic);
        assert_eq!(
            v.len(),
            5,
            "energy + 3 currents + power, no voltage reading"
        );
        assert_eq!(v[0].value, "1234.5");
        assert_eq!(v[1].phase, Some(Phase::L1));
        assert_eq!(v[4].value, "11040");
    }

    #[test]
    fn aligned_boundaries() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 10, 7, 30).unwrap();
        assert_eq!(
            next_aligned(t, 900),
            Some(Utc.with_ymd_and_hms(2026, 1, 1, 10, 15, 0).unwrap())
        );
        let on = Utc.with_ymd_and_hms(2026, 1, 1, 10, 15, 0).unwrap();
        assert_eq!(
            next_aligned(on, 900),
            Some(Utc.with_ymd_and_hms(2026, 1, 1, 10, 30, 0).unwrap())
        );
        let late = Utc.with_ymd_and_hms(2026, 1, 1, 23, 59, 0).unwrap();
        assert_eq!(
            next_aligned(late, 7 * 3600),
            Some(Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap())
        );
        assert_eq!(next_aligned(t, 0), None);
    }
}

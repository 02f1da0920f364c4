//! Turns the instrument plugins' observation records (`{t_us, kind, data}`, drained after every
//! scenario) into the [`Observations`] the plots need. Takes plain `(t_us, kind, data)` triples
//! so this crate needs neither the plugin API nor cucumber.
//!
//! Kinds understood (others are ignored):
//! - `cp_sample` (EV emulator): `cp_high_v`, `cp_low_v`, `duty_percent`, `current_a: [3]` →
//!   a CP sample, and a phase current sample with the current the duty cycle offers;
//! - `analyser_sample` (power analyser): `elements: [{current_a, ..}]`, `energy_wh: [..]` →
//!   analyser energy (sum over the elements), and phase currents when no EV sample had any;
//! - `ocpp_frame` (mock CSMS): `direction` (`from_charge_point`/`to_charge_point`),
//!   `message_type`, `action`, `payload`, `violations` → the message sequence; the charger's
//!   energy register from MeterValues (`Energy.Active.Import.Register`, Wh or kWh) and from
//!   StartTransaction `meterStart` / StopTransaction `meterStop`.

use crate::model::{
    CpSample, Direction, Observations, OcppMessage, OcppMessageKind, PhaseCurrentSample, TimedValue,
};
use serde_json::Value;

/// The energy register measurand of OCPP 1.6, also the default when a sampled value names none.
const ENERGY_REGISTER: &str = "Energy.Active.Import.Register";

/// Builds the plot series from plugin observation records, each series sorted by time.
pub fn observations_from_records<'a>(
    records: impl IntoIterator<Item = (i64, &'a str, &'a Value)>,
) -> Observations {
    let mut obs = Observations::default();
    let mut analyser_currents = Vec::new();
    for (t_us, kind, data) in records {
        match kind {
            "cp_sample" => cp_sample(&mut obs, t_us, data),
            "analyser_sample" => analyser_sample(&mut obs, &mut analyser_currents, t_us, data),
            "ocpp_frame" => ocpp_frame(&mut obs, t_us, data),
            _ => {}
        }
    }
    if obs.phase_currents.is_empty() {
        obs.phase_currents = analyser_currents;
    }
    obs.cp.sort_by_key(|s| s.t_us);
    obs.phase_currents.sort_by_key(|s| s.t_us);
    obs.charger_energy.sort_by_key(|s| s.t_us);
    obs.analyser_energy.sort_by_key(|s| s.t_us);
    obs.ocpp.sort_by_key(|m| m.t_us);
    if !obs.cp.is_empty() {
        // Analyser currents have no duty cycle of their own: take the latest CP sample's.
        for sample in &mut obs.phase_currents {
            if sample.offered_a.is_none() {
                let idx = obs.cp.partition_point(|c| c.t_us <= sample.t_us);
                sample.offered_a = idx
                    .checked_sub(1)
                    .and_then(|i| offered_current_a(obs.cp[i].duty_percent));
            }
        }
    }
    obs
}

/// The current (A) a PWM duty cycle (%) offers under IEC 61851-1 Annex A: none without PWM;
/// 6 A just below 10 %; 0.6 A per % from 10 % to 85 %; (duty − 64) × 2.5 A up to 96 %;
/// 80 A up to 97 %. `None` for the digital-communication band (3-7 %) and invalid duties.
pub fn offered_current_a(duty_percent: f64) -> Option<f64> {
    let d = duty_percent;
    if !d.is_finite() {
        None
    } else if d <= 0.0 || d >= 99.5 {
        Some(0.0)
    } else if d > 7.0 && d < 10.0 {
        Some(6.0)
    } else if (10.0..=85.0).contains(&d) {
        Some(d * 0.6)
    } else if d > 85.0 && d <= 96.0 {
        Some((d - 64.0) * 2.5)
    } else if d > 96.0 && d <= 97.0 {
        Some(80.0)
    } else {
        None
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn three(v: &Value) -> Option<[f64; 3]> {
    let list = v.as_array()?;
    let get = |i: usize| list.get(i).and_then(number).unwrap_or(0.0);
    (!list.is_empty()).then(|| [get(0), get(1), get(2)])
}

fn cp_sample(obs: &mut Observations, t_us: i64, data: &Value) {
    let (Some(high_v), Some(duty)) = (number(&data["cp_high_v"]), number(&data["duty_percent"]))
    else {
        return;
    };
    obs.cp.push(CpSample {
        t_us,
        high_v,
        low_v: number(&data["cp_low_v"]),
        duty_percent: duty,
    });
    if let Some(current_a) = three(&data["current_a"]) {
        obs.phase_currents.push(PhaseCurrentSample {
            t_us,
            current_a,
            offered_a: offered_current_a(duty),
        });
    }
}

fn analyser_sample(
    obs: &mut Observations,
    currents: &mut Vec<PhaseCurrentSample>,
    t_us: i64,
    data: &Value,
) {
    if let Some(energies) = data["energy_wh"].as_array() {
        let values: Vec<f64> = energies.iter().filter_map(number).collect();
        if !values.is_empty() {
            obs.analyser_energy.push(TimedValue {
                t_us,
                value: values.iter().sum(),
            });
        }
    }
    if let Some(elements) = data["elements"].as_array() {
        let mut current_a = [0.0; 3];
        for (i, element) in elements.iter().take(3).enumerate() {
            current_a[i] = number(&element["current_a"]).unwrap_or(0.0);
        }
        if !elements.is_empty() {
            currents.push(PhaseCurrentSample {
                t_us,
                current_a,
                offered_a: None,
            });
        }
    }
}

fn ocpp_frame(obs: &mut Observations, t_us: i64, data: &Value) {
    let direction = match data["direction"].as_str() {
        Some("to_charge_point") => Direction::ToChargePoint,
        _ => Direction::ToCsms,
    };
    let kind = match data["message_type"].as_str() {
        Some("call") => OcppMessageKind::Call,
        Some("call_result") => OcppMessageKind::CallResult,
        Some("call_error") => OcppMessageKind::CallError,
        _ => OcppMessageKind::Malformed,
    };
    let action = data["action"].as_str().unwrap_or("?").to_string();
    let valid = data["violations"].as_array().is_none_or(|v| v.is_empty())
        && kind != OcppMessageKind::Malformed;
    if direction == Direction::ToCsms && kind == OcppMessageKind::Call {
        charger_energy(obs, t_us, &action, &data["payload"]);
    }
    obs.ocpp.push(OcppMessage {
        t_us,
        direction,
        action,
        kind,
        valid,
    });
}

/// The charger's energy register from what it reports over OCPP, in Wh.
fn charger_energy(obs: &mut Observations, t_us: i64, action: &str, payload: &Value) {
    let mut push = |value: f64| obs.charger_energy.push(TimedValue { t_us, value });
    match action {
        "StartTransaction" => number(&payload["meterStart"])
            .into_iter()
            .for_each(&mut push),
        "StopTransaction" => number(&payload["meterStop"])
            .into_iter()
            .for_each(&mut push),
        "MeterValues" => {
            let Some(meter_values) = payload["meterValue"].as_array() else {
                return;
            };
            for meter_value in meter_values {
                let Some(sampled) = meter_value["sampledValue"].as_array() else {
                    continue;
                };
                for value in sampled {
                    let measurand = value["measurand"].as_str().unwrap_or(ENERGY_REGISTER);
                    // A per-phase register would be counted twice next to the total.
                    if measurand != ENERGY_REGISTER || !value["phase"].is_null() {
                        continue;
                    }
                    let scale = match value["unit"].as_str() {
                        Some("kWh") => 1000.0,
                        _ => 1.0,
                    };
                    if let Some(v) = number(&value["value"]) {
                        push(v * scale);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duty_cycle_to_offered_current() {
        assert_eq!(offered_current_a(100.0), Some(0.0));
        assert_eq!(offered_current_a(5.0), None);
        assert_eq!(offered_current_a(8.0), Some(6.0));
        assert!((offered_current_a(26.7).unwrap() - 16.02).abs() < 1e-9);
        assert!((offered_current_a(53.3).unwrap() - 31.98).abs() < 1e-9);
        assert_eq!(offered_current_a(90.0), Some(65.0));
        assert_eq!(offered_current_a(96.5), Some(80.0));
        assert_eq!(offered_current_a(98.0), None);
    }

    #[test]
    fn records_of_the_three_plugins_become_plot_series() {
        let cp = json!({"t_us": 1, "cp_high_v": 6.1, "cp_low_v": -11.9, "pwm_frequency_hz": 1000.0,
            "duty_percent": 26.7, "state": "C", "supply_v": [230.0, 230.0, 230.0], "current_a": [15.8, 15.7, 15.9]});
        let analyser = json!({"elements": [{"element": 1, "current_a": 15.8}], "energy_wh": [10.0, 11.0, 12.0]});
        let meter_values = json!({"seq": 3, "direction": "from_charge_point", "message_type": "call",
            "action": "MeterValues", "violations": [],
            "payload": {"connectorId": 1, "transactionId": 7, "meterValue": [{"timestamp": "x", "sampledValue": [
                {"value": "1.5", "unit": "kWh"},
                {"value": "500", "measurand": "Energy.Active.Import.Register", "phase": "L1"},
                {"value": "16.0", "measurand": "Current.Import", "unit": "A"}]}]}});
        let bad_answer = json!({"direction": "to_charge_point", "message_type": "call_result",
            "action": "MeterValues", "violations": ["schema.additional: x"], "payload": {}});
        let start = json!({"direction": "from_charge_point", "message_type": "call",
            "action": "StartTransaction", "payload": {"meterStart": 1400}, "violations": []});
        let garbage = json!({"direction": "from_charge_point", "message_type": "malformed", "violations": ["framing"]});
        let records = vec![
            (30, "ocpp_frame", &meter_values),
            (10, "cp_sample", &cp),
            (20, "analyser_sample", &analyser),
            (31, "ocpp_frame", &bad_answer),
            (5, "ocpp_frame", &start),
            (40, "ocpp_frame", &garbage),
            (50, "ev_command", &cp),
        ];
        let obs = observations_from_records(records);
        assert_eq!(obs.cp.len(), 1);
        assert_eq!(obs.cp[0].t_us, 10, "the record's time is used");
        assert_eq!(obs.cp[0].low_v, Some(-11.9));
        assert_eq!(
            obs.phase_currents.len(),
            1,
            "EV currents win over the analyser's"
        );
        assert_eq!(obs.phase_currents[0].current_a, [15.8, 15.7, 15.9]);
        assert!((obs.phase_currents[0].offered_a.unwrap() - 16.02).abs() < 1e-9);
        assert_eq!(
            obs.analyser_energy,
            vec![TimedValue {
                t_us: 20,
                value: 33.0
            }]
        );
        assert_eq!(
            obs.charger_energy,
            vec![
                TimedValue {
                    t_us: 5,
                    value: 1400.0
                },
                TimedValue {
                    t_us: 30,
                    value: 1500.0
                }
            ]
        );
        let kinds: Vec<_> = obs.ocpp.iter().map(|m| (m.t_us, m.kind, m.valid)).collect();
        assert_eq!(
            kinds,
            vec![
                (5, OcppMessageKind::Call, true),
                (30, OcppMessageKind::Call, true),
                (31, OcppMessageKind::CallResult, false),
                (40, OcppMessageKind::Malformed, false),
            ]
        );
        assert_eq!(obs.ocpp[2].direction, Direction::ToChargePoint);
    }

    #[test]
    fn analyser_currents_are_used_without_ev_samples_and_get_the_offer_of_the_pilot() {
        let analyser = json!({"elements": [{"current_a": 9.0}, {"current_a": 9.1}, {"current_a": 8.9}], "energy_wh": []});
        let cp = json!({"cp_high_v": 6.0, "cp_low_v": -12.0, "duty_percent": 16.7});
        let obs = observations_from_records(vec![
            (1, "cp_sample", &cp),
            (2, "analyser_sample", &analyser),
        ]);
        assert_eq!(obs.phase_currents.len(), 1);
        assert_eq!(obs.phase_currents[0].current_a, [9.0, 9.1, 8.9]);
        assert!((obs.phase_currents[0].offered_a.unwrap() - 10.02).abs() < 1e-9);
        assert!(obs.analyser_energy.is_empty(), "no energies, no point");
    }
}

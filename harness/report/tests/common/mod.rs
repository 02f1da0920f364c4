//! A realistic small run for the tests: a charging scenario that failed on its switch-off time,
//! two that passed, one not run.
#![allow(dead_code)] // each test file uses a different part of this module

use chrono::{DateTime, TimeZone, Utc};
use conformance_report::*;

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap()
}

pub fn meta(run_id: &str) -> RunMeta {
    RunMeta {
        run_id: run_id.to_string(),
        rig: "emulated".to_string(),
        dut: DutIdentity {
            charge_point_id: Some("CP-0001".to_string()),
            serial: Some("130577-000123".to_string()),
            product_number: Some("AC22-T2S".to_string()),
        },
        firmware_version: Some("ref-fw 0.1.0".to_string()),
        git_revision: Some("80125cc".to_string()),
        harness_version: "0.1.0".to_string(),
        started: start(),
        ended: None,
        seeded_defects: Vec::new(),
    }
}

fn step(keyword: &str, text: &str, line: u32, status: StepStatus, error: Option<&str>) -> Step {
    Step {
        keyword: keyword.to_string(),
        text: text.to_string(),
        line,
        status,
        duration_s: 0.25,
        error: error.map(str::to_string),
    }
}

/// A charging session: CP A→B→C with PWM for 16 A, currents following the offer, energy, OCPP.
pub fn charging_observations(t0: DateTime<Utc>) -> Observations {
    let t0 = t0.timestamp_micros();
    let ms = |m: i64| t0 + m * 1000;
    let mut cp = Vec::new();
    for i in 0..=60 {
        let t = i * 100;
        let (high_v, duty) = match t {
            0..=999 => (12.0, 100.0),
            1000..=1999 => (9.0, 100.0),
            2000..=2999 => (9.0, 26.7),
            3000..=4999 => (6.0, 26.7),
            _ => (9.0, 26.7),
        };
        cp.push(CpSample {
            t_us: ms(t),
            high_v,
            low_v: if duty < 100.0 { Some(-12.0) } else { None },
            duty_percent: duty,
        });
    }
    let mut phase_currents = Vec::new();
    for i in 0..=30 {
        let t = 3000 + i * 100;
        let offered = if t < 4500 { 16.0 } else { 10.0 };
        let drawn = if t < 5000 {
            (offered - 0.4f64).min(((t - 3000) as f64) / 50.0)
        } else {
            0.0
        };
        phase_currents.push(PhaseCurrentSample {
            t_us: ms(t),
            current_a: [drawn, drawn * 0.98, drawn * 1.01],
            offered_a: Some(offered),
        });
    }
    let charger_energy = (0..=4)
        .map(|i| TimedValue {
            t_us: ms(3000 + i * 500),
            value: 1000.0 + i as f64 * 4.4,
        })
        .collect();
    let analyser_energy = (0..=20)
        .map(|i| TimedValue {
            t_us: ms(3000 + i * 100),
            value: 1000.0 + i as f64 * 1.1,
        })
        .collect();
    let call = |t, direction, action: &str, kind| OcppMessage {
        t_us: ms(t),
        direction,
        action: action.to_string(),
        kind,
        valid: true,
    };
    use Direction::*;
    use OcppMessageKind::*;
    let mut ocpp = vec![
        call(1000, ToCsms, "StatusNotification", Call),
        call(1010, ToChargePoint, "StatusNotification", CallResult),
        call(1500, ToCsms, "Authorize", Call),
        call(1520, ToChargePoint, "Authorize", CallResult),
        call(1600, ToCsms, "StartTransaction", Call),
        call(1630, ToChargePoint, "StartTransaction", CallResult),
        call(3200, ToCsms, "MeterValues", Call),
        call(3210, ToChargePoint, "MeterValues", CallResult),
    ];
    let mut bad = call(5100, ToCsms, "StopTransaction", Call);
    bad.valid = false;
    ocpp.push(bad);
    ocpp.push(call(5120, ToChargePoint, "StopTransaction", CallError));
    Observations {
        cp,
        phase_currents,
        charger_energy,
        analyser_energy,
        ocpp,
    }
}

pub fn failing(t0: DateTime<Utc>) -> Scenario {
    let feature_path = "features/iec61851/switch-off.feature";
    let name = "Contactor opens within 100 ms after C to B";
    Scenario {
        id: scenario_id(feature_path, name, 14),
        feature_name: "Switch-off on state change".to_string(),
        feature_path: feature_path.to_string(),
        name: name.to_string(),
        line: 14,
        tags: vec!["@IEC61851-1".into(), "@iec.contactor-open-100ms".into(), "@TC_003_CS".into()],
        verdict: Verdict::Failed,
        error: None,
        started: t0,
        duration_s: 6.2,
        steps: vec![
            step("Given", "the EV plugs in with a 20 A cable", 15, StepStatus::Passed, None),
            step("When", "the EV requests charging", 16, StepStatus::Passed, None),
            step(
                "Then",
                "the contactor opens within 100 ms",
                17,
                StepStatus::Failed,
                Some("expected the contactor open within 100 ms of C→B, seen still closed after 180 ms"),
            ),
            step("And", "the CSMS receives StopTransaction within 5 s", 18, StepStatus::Skipped, None),
        ],
        measurements: vec![
            Measurement::judged("contactor opening after C→B", 180.0, "ms", None, Some(100.0)),
            Measurement::judged("offered current", 16.0, "A", Some(15.5), Some(16.5)),
            Measurement::judged("PWM frequency", 1000.2, "Hz", Some(980.0), Some(1020.0)),
        ],
        trace: None,
        observations_file: None,
        observations: charging_observations(t0),
        known_failure: None,
    }
}

pub fn passing(t0: DateTime<Utc>, n: u32) -> Scenario {
    let feature_path = "features/ocpp16/core/boot.feature";
    let name = format!("Cold boot is accepted ({n})");
    Scenario {
        id: scenario_id(feature_path, &name, 5 + n),
        feature_name: "Cold boot".to_string(),
        feature_path: feature_path.to_string(),
        name,
        line: 5 + n,
        tags: vec!["@TC_001_CS".into()],
        verdict: Verdict::Passed,
        error: None,
        started: t0,
        duration_s: 1.5,
        steps: vec![
            step(
                "Given",
                "the charger is powered on",
                6 + n,
                StepStatus::Passed,
                None,
            ),
            step(
                "Then",
                "the CSMS receives BootNotification within 5 s",
                7 + n,
                StepStatus::Passed,
                None,
            ),
        ],
        measurements: vec![Measurement::judged(
            "boot time",
            2.1,
            "s",
            Some(0.0),
            Some(30.0),
        )],
        trace: None,
        observations_file: None,
        observations: Observations::default(),
        known_failure: None,
    }
}

pub fn skipped(t0: DateTime<Utc>) -> Scenario {
    let feature_path = "features/rfid/offline.feature";
    let name = "Offline start with a valid card";
    Scenario {
        id: scenario_id(feature_path, name, 9),
        feature_name: "Offline authorisation".to_string(),
        feature_path: feature_path.to_string(),
        name: name.to_string(),
        line: 9,
        tags: vec!["@TC_037_1_CS".into(), "@requires.rfid".into()],
        verdict: Verdict::Skipped {
            reason: "rig 'emulated' lacks capability rfid".to_string(),
        },
        error: None,
        started: t0,
        duration_s: 0.0,
        steps: vec![step(
            "Given",
            "a valid card is presented",
            10,
            StepStatus::Skipped,
            None,
        )],
        measurements: vec![],
        trace: None,
        observations_file: None,
        observations: Observations::default(),
        known_failure: None,
    }
}

/// Passing, failing, not run, passing: the failure is not first, so ordering is tested.
pub fn run_scenarios() -> Vec<Scenario> {
    let t = start();
    vec![
        passing(t, 1),
        failing(t + chrono::Duration::seconds(2)),
        skipped(t + chrono::Duration::seconds(9)),
        passing(t + chrono::Duration::seconds(10), 2),
    ]
}

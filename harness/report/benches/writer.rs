//! How long the writer takes to keep a run's reports current: a suite of N scenarios, each with
//! a charging session's worth of observations (CP at 100 Hz for 60 s, currents at 10 Hz, energy,
//! 40 OCPP messages), written scenario by scenario, then finished (HTML with plots).
//!
//! `cargo bench -p conformance-report --bench writer [-- <scenarios>]`; prints its figures.

use chrono::Utc;
use conformance_report::*;
use std::time::Instant;

fn observations(t0: i64) -> Observations {
    let cp = (0..6000)
        .map(|i| CpSample {
            t_us: t0 + i * 10_000,
            high_v: if i < 1000 { 9.0 } else { 6.0 },
            low_v: Some(-12.0),
            duty_percent: 26.7,
        })
        .collect();
    let phase_currents = (0..600)
        .map(|i| PhaseCurrentSample {
            t_us: t0 + i * 100_000,
            current_a: [15.9, 15.8, 16.0],
            offered_a: Some(16.0),
        })
        .collect();
    let energy = |step: f64| -> Vec<TimedValue> {
        (0..60)
            .map(|i| TimedValue {
                t_us: t0 + i * 1_000_000,
                value: 1000.0 + i as f64 * step,
            })
            .collect()
    };
    let ocpp = (0..40)
        .map(|i| OcppMessage {
            t_us: t0 + i * 1_500_000,
            direction: if i % 2 == 0 {
                Direction::ToCsms
            } else {
                Direction::ToChargePoint
            },
            action: "MeterValues".into(),
            kind: if i % 2 == 0 {
                OcppMessageKind::Call
            } else {
                OcppMessageKind::CallResult
            },
            valid: true,
        })
        .collect();
    Observations {
        cp,
        phase_currents,
        charger_energy: energy(3.1),
        analyser_energy: energy(3.0),
        ocpp,
    }
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Utc::now();
    let meta = RunMeta {
        run_id: "bench".into(),
        rig: "bench".into(),
        dut: DutIdentity::default(),
        firmware_version: None,
        git_revision: None,
        harness_version: env!("CARGO_PKG_VERSION").into(),
        started: start,
        ended: None,
        seeded_defects: Vec::new(),
    };
    let mut writer = ReportWriter::create(dir.path(), meta).expect("writer");
    let began = Instant::now();
    let mut slowest = 0.0f64;
    for i in 0..n {
        let mut scenario = Scenario::new(
            "Bench",
            "features/bench.feature",
            format!("charge {i}"),
            i as u32 + 2,
            vec!["@TC_003_CS".into()],
            start,
        );
        scenario.duration_s = 60.0;
        scenario.observations = observations(start.timestamp_micros());
        scenario.measurements.push(Measurement::judged(
            "switch-off",
            42.0,
            "ms",
            None,
            Some(100.0),
        ));
        scenario.judge();
        let t = Instant::now();
        writer.scenario_finished(scenario).expect("write");
        slowest = slowest.max(t.elapsed().as_secs_f64());
    }
    let progressive = began.elapsed().as_secs_f64();
    let run_dir = writer.run_dir().to_path_buf();
    let t = Instant::now();
    writer.finish().expect("finish");
    let finish = t.elapsed().as_secs_f64();
    let size = |name: &str| {
        std::fs::metadata(run_dir.join(name))
            .map(|m| m.len())
            .unwrap_or(0) as f64
            / 1e6
    };
    println!("scenarios: {n}");
    println!(
        "scenario_finished total: {progressive:.2} s, mean {:.1} ms, slowest {:.1} ms",
        progressive / n as f64 * 1e3,
        slowest * 1e3
    );
    println!("finish (cucumber.json, report.json, junit.xml, report.html): {finish:.2} s");
    println!(
        "report.json {:.1} MB, report.html {:.1} MB, junit.xml {:.2} MB",
        size("report.json"),
        size("report.html"),
        size("junit.xml")
    );
}

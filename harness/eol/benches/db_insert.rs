//! Database insert time per measurement and per run, on this machine's file system.
//! `cargo bench -p eol-station --bench db_insert` prints the figures.

use std::time::{Duration, Instant};

use chrono::Utc;
use eol_station::db::{Database, NewRun};
use eol_station::{Measurement, RunVerdict};

/// Checks in one end-of-line run of the feature set (about 60 measured values and 12 stages).
const CHECKS_PER_RUN: usize = 72;
const RUNS: usize = 40;

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("bench.sqlite");
    let mut db = Database::open(&path, Duration::from_millis(200)).expect("open");
    let mut per_measurement = Vec::new();
    let mut per_run = Vec::new();
    for r in 0..RUNS {
        let run_start = Instant::now();
        let run = db
            .begin_run(
                &NewRun {
                    serial: format!("130577-{r:06}"),
                    product_number: "130577".into(),
                    station: "bench".into(),
                    operator: Some("bench".into()),
                    retest: false,
                },
                Utc::now(),
            )
            .expect("begin");
        for k in 0..CHECKS_PER_RUN {
            let m = Measurement::judged(
                format!("check {k}"),
                k as f64 * 0.1,
                "V",
                Some(0.0),
                Some(100.0),
            );
            let t = Instant::now();
            db.record_measurement(run, &m).expect("insert");
            per_measurement.push(t.elapsed());
        }
        db.finish_run(run, RunVerdict::Pass, None, Utc::now())
            .expect("finish");
        per_run.push(run_start.elapsed());
    }
    report(
        "insert per measurement (own transaction, WAL, synchronous=FULL)",
        &mut per_measurement,
    );
    report(
        &format!("whole run ({CHECKS_PER_RUN} measurements + begin + finish)"),
        &mut per_run,
    );
    let open = Instant::now();
    let _again = Database::open(&path, Duration::from_millis(200)).expect("reopen");
    println!(
        "open + quick_check + schema check of a {RUNS}-run file: {:.2} ms",
        open.elapsed().as_secs_f64() * 1e3
    );
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len() as f64;
    println!(
        "{what}: n={} mean {:.3} ms, median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        samples.len(),
        mean,
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
        ms(samples[samples.len() - 1])
    );
}

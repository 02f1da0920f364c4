//! The per-unit database through the station: a passing unit, a refused second run, a retest,
//! an aborted run, a locked and a corrupt database, the upgrade from schema version 1, the CSV
//! export.

mod common;

use std::time::Duration;

use chrono::Utc;
use eol_station::db::export::{parse_bound, write_csv, Selection, HEADER};
use eol_station::db::{schema, Database, NewRun};
use eol_station::{EolError, Measurement, RunVerdict};

use common::{config, passing_run, start};

#[test]
fn a_passing_unit_is_stored_with_every_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let (station, _out) = start(dir.path(), "130577-000123", false);
    let station = station.unwrap();
    passing_run(&station);
    station.unit_info(Some("1.2.3"), Some(true));
    let done = station.finish();
    assert_eq!(done.verdict, RunVerdict::Pass);
    assert!(done.failure.is_none());

    let db = Database::open(&config(dir.path()).database, Duration::from_millis(100)).unwrap();
    let unit = db.unit("130577-000123").unwrap().unwrap();
    assert_eq!(unit.product_number, "130577");
    assert_eq!(unit.firmware_version.as_deref(), Some("1.2.3"));
    assert!(unit.pin_provisioned);
    let run = db.run(done.run_id).unwrap().unwrap();
    assert_eq!(run.verdict, Some(RunVerdict::Pass));
    assert_eq!(run.station, "line-1");
    assert_eq!(run.operator.as_deref(), Some("Ana"));
    assert!(!run.retest);
    assert!(run.ended.is_some());
    let ms = db.measurements(done.run_id).unwrap();
    // Three measured checks and two stage rows, in order.
    let names: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CP positive level, vehicle 2.74 kΩ",
            "contactor opening after C→B",
            "CP levels",
            "meter Current.Import L1 error at 50 % In",
            "Meter accuracy"
        ]
    );
    assert_eq!(ms[0].value, 9.02);
    assert_eq!((ms[0].low, ms[0].high), (Some(8.0), Some(10.0)));
    assert_eq!(ms[0].unit, "V");
    assert!(ms.iter().all(|m| m.passed()));
}

#[test]
fn a_unit_that_passed_is_refused_without_retest_and_accepted_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = start(dir.path(), "S-1", false);
    let first = first.unwrap();
    passing_run(&first);
    let passed = first.finish();
    drop(first);

    let (second, _) = start(dir.path(), "S-1", false);
    let err = second.unwrap_err();
    assert!(matches!(err, EolError::Refused(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("S-1 already passed"), "{text}");
    assert!(text.contains(&format!("run {}", passed.run_id)), "{text}");
    assert!(text.contains("--retest"), "{text}");
    assert!(!text.contains('\n'));

    let (retest, _) = start(dir.path(), "S-1", true);
    let retest = retest.unwrap();
    passing_run(&retest);
    let again = retest.finish();
    assert_eq!(again.verdict, RunVerdict::Pass);
    let db = Database::open(&config(dir.path()).database, Duration::from_millis(100)).unwrap();
    let runs = db.runs_of("S-1").unwrap();
    assert_eq!(runs.len(), 2, "the refused attempt left no run");
    assert!(!runs[0].retest && runs[1].retest);
}

#[test]
fn a_failed_unit_may_be_tested_again_without_retest() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = start(dir.path(), "S-2", false);
    let first = first.unwrap();
    first.check(
        "contactor opening after C→B",
        250.0,
        "ms",
        None,
        Some(100.0),
    );
    assert_eq!(first.finish().verdict, RunVerdict::Fail);
    drop(first);
    let (second, _) = start(dir.path(), "S-2", false);
    assert!(second.is_ok(), "a FAIL is repaired and tested again");
}

#[test]
fn another_product_number_for_a_known_serial_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = start(dir.path(), "S-3", false);
    first.unwrap().abort("test");
    let out = common::Captured::default();
    let mut req = common::request("S-3", false);
    req.product_number = "130578".into();
    let err = eol_station::Station::start(
        config(dir.path()),
        req,
        common::report_dir(dir.path()),
        Box::new(out),
        false,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("registered as product 130577, not 130578"),
        "{err}"
    );
}

#[test]
fn an_aborted_run_keeps_what_was_measured() {
    let dir = tempfile::tempdir().unwrap();
    let (station, out) = start(dir.path(), "S-4", false);
    let station = station.unwrap();
    station.set_stage_count(12);
    station.check(
        "CP positive level, vehicle open",
        11.9,
        "V",
        Some(11.0),
        Some(13.0),
    );
    station.stage_finished("Provisioning", None);
    let done = station.abort("Ctrl-C: the operator stopped the run");
    assert_eq!(done.verdict, RunVerdict::Aborted);
    assert_eq!(done.verdict.exit_status(), 130);
    // Late records of a step still running are not added to a closed run.
    station.check("late", 1.0, "V", None, None);
    assert_eq!(
        station.finish().verdict,
        RunVerdict::Aborted,
        "closing twice keeps the first"
    );

    let db = Database::open(&config(dir.path()).database, Duration::from_millis(100)).unwrap();
    let run = db.run(done.run_id).unwrap().unwrap();
    assert_eq!(run.verdict, Some(RunVerdict::Aborted));
    assert_eq!(
        run.failure.as_deref(),
        Some("Ctrl-C: the operator stopped the run")
    );
    let ms = db.measurements(done.run_id).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0].name, "CP positive level, vehicle open");
    assert!(out.text().contains("ABORTED: Ctrl-C"), "{}", out.text());
    // An aborted unit is not "passed": it is tested again without --retest.
    drop(station);
    assert!(start(dir.path(), "S-4", false).0.is_ok());
}

#[test]
fn a_run_left_open_by_a_crashed_station_becomes_aborted() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    let mut db = Database::open(&path, Duration::from_millis(100)).unwrap();
    let run = db
        .begin_run(
            &NewRun {
                serial: "S-5".into(),
                product_number: "130577".into(),
                station: "line-1".into(),
                operator: None,
                retest: false,
            },
            Utc::now(),
        )
        .unwrap();
    drop(db);
    let (station, _) = start(dir.path(), "S-6", false);
    drop(station.unwrap());
    let db = Database::open(&path, Duration::from_millis(100)).unwrap();
    let stale = db.run(run).unwrap().unwrap();
    assert_eq!(stale.verdict, Some(RunVerdict::Aborted));
    assert_eq!(
        stale.failure.as_deref(),
        Some("the station stopped during the run")
    );
}

#[test]
fn a_locked_database_is_refused_before_the_run_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    drop(Database::open(&path, Duration::from_millis(100)).unwrap());
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = std::time::Instant::now();
    let (station, out) = start(dir.path(), "S-7", false);
    let err = station.unwrap_err();
    assert!(matches!(err, EolError::Locked(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("is locked by another program"), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'));
    assert!(out.text().is_empty(), "nothing printed, nothing run");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the busy timeout is short"
    );
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    let db = Database::open(&path, Duration::from_millis(100)).unwrap();
    assert!(db.runs_of("S-7").unwrap().is_empty());
}

#[test]
fn a_corrupt_database_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    std::fs::write(
        &path,
        b"this is not an SQLite file, just text the disk ate\n".repeat(200),
    )
    .unwrap();
    let (station, _) = start(dir.path(), "S-8", false);
    let err = station.unwrap_err();
    assert!(matches!(err, EolError::Corrupt(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("is damaged or not a database"), "{text}");
    assert!(text.contains("restore it from the backup"), "{text}");
    assert!(!text.contains('\n'));
}

#[test]
fn a_damaged_page_is_found_by_the_quick_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    {
        let (station, _) = start(dir.path(), "S-9", false);
        let station = station.unwrap();
        for k in 0..400 {
            station.check(
                &format!("check {k} with a long name to fill pages"),
                k as f64,
                "V",
                None,
                None,
            );
        }
        station.finish();
    }
    // Fold the WAL into the main file, then overwrite a page in the middle with garbage.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4096 * 4, "{} bytes", bytes.len());
    for b in &mut bytes[4096 * 2..4096 * 3] {
        *b = 0xA5;
    }
    std::fs::write(&path, bytes).unwrap();
    let err = start(dir.path(), "S-10", false).0.unwrap_err();
    assert!(matches!(err, EolError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("damaged"), "{err}");
}

#[test]
fn an_sqlite_file_of_another_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("CREATE TABLE invoices (id INTEGER)")
        .unwrap();
    drop(c);
    let err = start(dir.path(), "S-11", false).0.unwrap_err();
    assert!(
        err.to_string()
            .contains("not an end-of-line station database"),
        "{err}"
    );
}

#[test]
fn a_version_1_database_is_upgraded_keeping_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    {
        let v1 = Database::open_at(&path, Duration::from_millis(100), 1).unwrap();
        assert_eq!(v1.schema_version().unwrap(), 1);
        // Written as a version 1 station did: no retest, operator, PIN or firmware columns.
        v1.connection()
            .execute_batch(
                "INSERT INTO units VALUES ('OLD-1', '130577', '2026-01-05T08:00:00.000Z');
                 INSERT INTO runs (serial, station, started, ended, verdict)
                     VALUES ('OLD-1', 'line-0', '2026-01-05T08:00:01.000Z',
                             '2026-01-05T08:00:14.000Z', 'PASS');
                 INSERT INTO measurements (run_id, name, value, unit, low, high, verdict, measured_at)
                     VALUES (1, 'CP positive level, vehicle open', 11.95, 'V', 11, 13, 'PASS',
                             '2026-01-05T08:00:02.000Z');",
            )
            .unwrap();
        assert!(v1
            .connection()
            .execute_batch("SELECT retest FROM runs")
            .is_err());
    }
    let db = Database::open(&path, Duration::from_millis(100)).unwrap();
    assert_eq!(db.schema_version().unwrap(), schema::LATEST);
    let versions: Vec<u32> = db
        .connection()
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, [1, 2]);
    let unit = db.unit("OLD-1").unwrap().unwrap();
    assert!(!unit.pin_provisioned);
    assert_eq!(unit.firmware_version, None);
    let run = db.run(1).unwrap().unwrap();
    assert_eq!(run.verdict, Some(RunVerdict::Pass));
    assert!(!run.retest);
    assert_eq!(db.measurements(1).unwrap()[0].value, 11.95);
    drop(db);
    // The old unit's PASS still counts after the upgrade.
    let err = start(dir.path(), "OLD-1", false).0.unwrap_err();
    assert!(
        err.to_string().contains("OLD-1 already passed (run 1"),
        "{err}"
    );
}

#[test]
fn a_database_newer_than_the_station_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    let db = Database::open(&path, Duration::from_millis(100)).unwrap();
    db.connection()
        .execute(
            "INSERT INTO schema_migrations VALUES (?1, '2030-01-01T00:00:00.000Z')",
            [schema::LATEST + 1],
        )
        .unwrap();
    drop(db);
    let err = start(dir.path(), "S-12", false).0.unwrap_err();
    assert!(
        err.to_string().contains("newer than this station knows"),
        "{err}"
    );
}

fn csv_rows(db: &Database, selection: &Selection) -> Vec<String> {
    let mut out = Vec::new();
    write_csv(db, selection, &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn csv_export_of_a_run_and_of_a_date_range() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = start(dir.path(), "S-20", false);
    let a = a.unwrap();
    passing_run(&a);
    a.unit_info(Some("1.2.3"), Some(true));
    let run_a = a.finish().run_id;
    drop(a);
    let (b, _) = start(dir.path(), "S-21", false);
    let b = b.unwrap();
    b.check(
        "contactor opening, \"quoted\", with commas",
        250.0,
        "ms",
        None,
        Some(100.0),
    );
    b.check("RCD trip time", f64::NAN, "ms", None, Some(10_000.0));
    let run_b = b.finish().run_id;
    drop(b);

    let db = Database::open(&config(dir.path()).database, Duration::from_millis(100)).unwrap();
    let one = csv_rows(&db, &Selection::Run(run_a));
    assert_eq!(one[0], HEADER.join(","));
    assert_eq!(one.len(), 1 + 5);
    assert!(
        one[1].starts_with(&format!("{run_a},S-20,130577,1.2.3,yes,line-1,Ana,")),
        "{}",
        one[1]
    );
    assert!(
        one[1].ends_with(",PASS,no,\"CP positive level, vehicle 2.74 kΩ\",9.02,V,8,10,PASS"),
        "{}",
        one[1]
    );

    let today = Utc::now().format("%Y-%m-%d").to_string();
    let range = Selection::Between {
        from: parse_bound(&today, false, "--from").unwrap(),
        to: parse_bound(&today, true, "--to").unwrap(),
    };
    let all = csv_rows(&db, &range);
    assert_eq!(all.len(), 1 + 5 + 2, "{all:#?}");
    let b_rows: Vec<&String> = all
        .iter()
        .filter(|r| r.starts_with(&format!("{run_b},")))
        .collect();
    assert_eq!(b_rows.len(), 2);
    assert!(
        b_rows[0].contains("\"contactor opening, \"\"quoted\"\", with commas\",250,ms,,100,FAIL"),
        "{}",
        b_rows[0]
    );
    assert!(
        b_rows[1].contains(",RCD trip time,,ms,,10000,FAIL"),
        "{}",
        b_rows[1]
    );
    assert!(
        b_rows[0].contains(",FAIL,no,"),
        "run verdict FAIL: {}",
        b_rows[0]
    );

    let yesterday = (Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let old = Selection::Between {
        from: parse_bound(&yesterday, false, "--from").unwrap(),
        to: parse_bound(&yesterday, true, "--to").unwrap(),
    };
    assert_eq!(csv_rows(&db, &old).len(), 1, "only the header");
    let missing = {
        let mut sink = Vec::new();
        write_csv(&db, &Selection::Run(999), &mut sink).unwrap_err()
    };
    assert!(
        missing.to_string().contains("--run 999: no such run"),
        "{missing}"
    );
}

#[test]
fn export_csv_writes_the_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = start(dir.path(), "S-30", false);
    let a = a.unwrap();
    passing_run(&a);
    let run = a.finish().run_id;
    drop(a);
    let file = dir.path().join("quality.csv");
    let summary =
        eol_station::cli::export_csv(&config(dir.path()), &file, &Selection::Run(run)).unwrap();
    assert!(
        summary.contains("exported 1 run(s), 5 measurement(s)"),
        "{summary}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 6);
    assert!(!dir.path().join("quality.csv.partial").exists());
    let err =
        eol_station::cli::export_csv(&config(dir.path()), &file, &Selection::Run(77)).unwrap_err();
    assert!(err.to_string().contains("no such run"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "a failed export keeps the old file"
    );
}

#[test]
fn measurements_round_trip_with_missing_limits_and_nan() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path()).database;
    let mut db = Database::open(&path, Duration::from_millis(100)).unwrap();
    let run = db
        .begin_run(
            &NewRun {
                serial: "S-40".into(),
                product_number: "130577".into(),
                station: "line-1".into(),
                operator: None,
                retest: false,
            },
            Utc::now(),
        )
        .unwrap();
    let m = Measurement::judged("not measured", f64::NAN, "ms", None, Some(100.0));
    db.record_measurement(run, &m).unwrap();
    let back = &db.measurements(run).unwrap()[0];
    assert!(back.value.is_nan());
    assert_eq!(back.low, None);
    assert!(!back.passed());
    db.finish_run(run, RunVerdict::Fail, Some("x"), Utc::now())
        .unwrap();
    assert!(
        db.finish_run(run, RunVerdict::Pass, None, Utc::now())
            .is_err(),
        "closed once"
    );
}

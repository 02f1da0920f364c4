//! What the operator sees and what goes in the box: check lines as they happen, the progress
//! bar, the banner naming the failing check and its value, the certificate with every
//! measurement.

mod common;

use eol_station::operator::banner::{banner, BannerInfo};
use eol_station::RunVerdict;

use common::{passing_run, start};

#[test]
fn each_check_prints_its_line_as_it_happens() {
    let dir = tempfile::tempdir().unwrap();
    let (station, out) = start(dir.path(), "130577-000123", false);
    let station = station.unwrap();
    let header = out.text();
    assert!(header.contains("END-OF-LINE TEST  unit 130577-000123  product 130577  station line-1"));
    station.set_stage_count(2);
    station.check(
        "CP positive level, vehicle 882 Ω",
        5.98,
        "V",
        Some(5.0),
        Some(7.0),
    );
    let after_one = out.text();
    let line = after_one.lines().last().unwrap();
    assert!(line.contains("CP positive level, vehicle 882 Ω"), "{line}");
    assert!(line.contains("5.98 V"), "{line}");
    assert!(line.contains("5.00 .. 7.00 V"), "{line}");
    assert!(line.trim_end().ends_with("PASS"), "{line}");
    station.stage_finished("CP levels", None);
    let bar = out.text().lines().last().unwrap().to_string();
    assert!(
        bar.starts_with(&format!("[{}{}]", "#".repeat(15), "-".repeat(15))),
        "{bar}"
    );
    assert!(bar.contains(" 1/2") && bar.ends_with("CP levels"), "{bar}");
}

#[test]
fn the_fail_banner_names_the_failing_check_and_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let (station, out) = start(dir.path(), "130577-000124", false);
    let station = station.unwrap();
    station.set_stage_count(3);
    station.check(
        "CP positive level, vehicle open",
        11.9,
        "V",
        Some(11.0),
        Some(13.0),
    );
    station.stage_finished("CP levels", None);
    station.check(
        "contactor opening after C→B",
        251.0,
        "ms",
        None,
        Some(100.0),
    );
    // A second failure later does not replace the first in the banner.
    station.check(
        "meter Current.Import L1 error at 10 % In",
        3.0,
        "%",
        Some(-1.0),
        Some(1.0),
    );
    station.stage_finished(
        "Contactor",
        Some("expected the contactor to open within 100 ms"),
    );
    let done = station.finish();
    assert_eq!(done.verdict, RunVerdict::Fail);
    assert_eq!(
        done.failure.as_deref(),
        Some("contactor opening after C→B = 251.0 ms (limits ≤ 100.0 ms)")
    );
    let text = out.text();
    // Big letters: the F of FAIL, five rows high, framed.
    assert!(text.contains("##########  "), "{text}");
    assert!(
        text.contains("FAILED CHECK: contactor opening after C→B = 251.0 ms (limits ≤ 100.0 ms)"),
        "{text}"
    );
    assert!(
        text.contains("UNIT 130577-000124  product 130577"),
        "{text}"
    );
    assert!(text.contains("FAIL rack"), "{text}");
    assert!(!text.contains('\x1b'), "plain text when not a terminal");
    assert!(done.banner.contains("FAILED CHECK: contactor opening"));
    // The failed stage also printed its reason on the line.
    assert!(
        text.contains("expected the contactor to open within 100 ms"),
        "{text}"
    );
}

#[test]
fn a_stage_failing_without_a_measurement_is_the_failing_check() {
    let dir = tempfile::tempdir().unwrap();
    let (station, out) = start(dir.path(), "S-RFID", false);
    let station = station.unwrap();
    station.set_stage_count(1);
    station.stage_finished(
        "RFID read",
        Some("expected Authorize within 5 s;\n no Authorize arrived"),
    );
    let done = station.finish();
    assert_eq!(done.verdict, RunVerdict::Fail);
    let f = done.failure.unwrap();
    assert_eq!(
        f,
        "RFID read: expected Authorize within 5 s; no Authorize arrived"
    );
    assert!(out.text().contains(&format!("FAILED CHECK: {f}")));
}

#[test]
fn a_failure_only_the_runner_saw_still_fails_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let (station, out) = start(dir.path(), "S-NOTE", false);
    let station = station.unwrap();
    passing_run(&station);
    station.note_failure("the run reported a failed scenario");
    station.note_failure("a second note does not replace the first");
    let done = station.finish();
    assert_eq!(done.verdict, RunVerdict::Fail);
    assert_eq!(
        done.failure.as_deref(),
        Some("the run reported a failed scenario")
    );
    assert!(out
        .text()
        .contains("FAILED CHECK: the run reported a failed scenario"));
}

#[test]
fn the_pass_banner_is_big_and_coloured_on_a_terminal() {
    let info = BannerInfo {
        verdict: RunVerdict::Pass,
        serial: "130577-000123".into(),
        product_number: "130577".into(),
        run_id: 7,
        failure: None,
        duration_s: 12.34,
        certificate: Some("reports/eol-certificate-130577-000123-run7.html".into()),
        storage_warning: None,
    };
    let plain = banner(&info, false);
    assert!(plain.contains("########    "), "{plain}");
    assert!(plain.contains("UNIT 130577-000123  product 130577  run 7  PASS  (12.3 s)"));
    assert!(plain.contains("Certificate: reports/eol-certificate-130577-000123-run7.html"));
    assert!(!plain.contains("FAILED CHECK"));
    let lines: Vec<&str> = plain.lines().collect();
    assert!(
        lines.len() >= 10,
        "five rows of letters plus frame and text"
    );
    let coloured = banner(&info, true);
    assert!(
        coloured.contains("\x1b[1;97;42m"),
        "green block on a terminal"
    );
    let fail = banner(
        &BannerInfo {
            verdict: RunVerdict::Fail,
            failure: Some("RCD trip time = 12000 ms (limits ≤ 10000 ms)".into()),
            ..info.clone()
        },
        true,
    );
    assert!(fail.contains("\x1b[1;97;41m"), "red block");
    assert!(fail.contains("FAILED CHECK: RCD trip time = 12000 ms (limits ≤ 10000 ms)"));
    let warn = banner(
        &BannerInfo {
            storage_warning: Some("database x: disk full".into()),
            ..info
        },
        false,
    );
    assert!(warn.contains("WARNING: records not stored: database x: disk full"));
}

#[test]
fn the_certificate_holds_every_measurement_with_limits_and_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (station, _) = start(dir.path(), "130577-000125", false);
    let station = station.unwrap();
    passing_run(&station);
    station.check("<script>alert(1)</script>", 1.0, "V", None, Some(0.5));
    station.unit_info(Some("1.2.3"), Some(true));
    let done = station.finish();
    let path = done.certificate.expect("certificate written");
    assert_eq!(
        path,
        common::report_dir(dir.path()).join(format!(
            "eol-certificate-130577-000125-run{}.html",
            done.run_id
        ))
    );
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<td id=\"serial\">130577-000125</td>"));
    assert!(html.contains("<td id=\"product\">130577</td>"));
    assert!(html.contains("<td id=\"firmware\">1.2.3</td>"));
    assert!(html.contains("<td id=\"station\">line-1</td>"));
    assert!(html.contains(&format!(
        "<td id=\"date\">{}",
        chrono::Utc::now().format("%Y-%m-%d")
    )));
    assert!(html.contains("id=\"verdict\">FAIL</div>"));
    for (name, value, limits, verdict) in [
        (
            "CP positive level, vehicle 2.74 kΩ",
            "9.02 V",
            "8.00 .. 10.00 V",
            "PASS",
        ),
        (
            "contactor opening after C→B",
            "31.00 ms",
            "≤ 100.0 ms",
            "PASS",
        ),
        ("CP levels", "done", "must pass", "PASS"),
        (
            "meter Current.Import L1 error at 50 % In",
            "0.20 %",
            "-1.00 .. 1.00 %",
            "PASS",
        ),
        ("Meter accuracy", "done", "must pass", "PASS"),
        (
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "1.00 V",
            "≤ 0.50 V",
            "FAIL",
        ),
    ] {
        let row = format!(
            "<td>{name}</td><td class=\"num\">{value}</td><td class=\"num\">{limits}</td><td class=\"verdict\">{verdict}</td>"
        );
        assert!(html.contains(&row), "missing row {row}\n{html}");
    }
    assert_eq!(html.matches("<tr class=").count(), 6);
    assert!(!html.contains("<script>"), "values are escaped");
    assert!(html.contains("IEC 62053-21 class 1"));
}

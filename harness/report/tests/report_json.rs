//! report.json round-trips through the documented types; the matrix and Cucumber JSON say what
//! the scenarios say.

mod common;

use conformance_report::*;

#[test]
fn report_json_round_trips_through_the_types() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = ReportWriter::create(dir.path(), common::meta("run-1")).unwrap();
    for scenario in common::run_scenarios() {
        writer.scenario_finished(scenario).unwrap();
    }
    let run_dir = writer.run_dir().to_path_buf();
    let summary = writer.finish().unwrap();
    assert_eq!(
        (
            summary.total,
            summary.passed,
            summary.failed,
            summary.skipped
        ),
        (4, 2, 1, 1)
    );

    let text = std::fs::read_to_string(run_dir.join("report.json")).unwrap();
    let report: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(report.format, REPORT_FORMAT);
    assert!(report.complete);
    assert!(report.meta.ended.is_some());
    assert_eq!(report.summary, summary);
    // Writing what was read gives the same JSON: nothing is lost or defaulted on the way.
    let again: serde_json::Value = serde_json::to_value(&report).unwrap();
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again, original);

    // With the observation files, every scenario comes back exactly as it was written.
    let loaded = load_report(&run_dir).unwrap();
    let mut expected = common::run_scenarios();
    expected[1].observations_file = Some(
        "observations/iec61851-switch-off-l14-contactor-opens-within-100-ms-after-c-to-b.json"
            .into(),
    );
    // (assert! rather than assert_eq!: the Debug dump of the observations is thousands of lines)
    assert!(
        loaded.scenarios == expected,
        "scenarios changed on the way through report.json"
    );
    assert!(!loaded.scenarios[1].observations.is_empty());
    assert!(
        report.scenarios[1].observations.is_empty(),
        "not inline in report.json"
    );
}

#[test]
fn report_json_field_names_are_the_documented_ones() {
    let scenario = common::failing(common::start());
    let value = serde_json::to_value(&scenario).unwrap();
    assert_eq!(value["verdict"], serde_json::json!({"status": "failed"}));
    assert_eq!(value["steps"][2]["status"], "failed");
    assert_eq!(value["measurements"][0]["verdict"], "failed");
    assert_eq!(value["measurements"][0]["high"], 100.0);
    assert!(
        value.get("observations").is_none(),
        "series live in observations_file"
    );
    let series = serde_json::to_value(&scenario.observations).unwrap();
    assert_eq!(series["ocpp"][0]["direction"], "to_csms");
    assert_eq!(series["ocpp"][9]["kind"], "CallError");
    assert_eq!(series["cp"][0]["duty_percent"], 100.0);
    assert_eq!(
        value["started"],
        "2026-11-28T09:32:00Z".replace("09:32", "09:30")
    );
    let skipped = serde_json::to_value(common::skipped(common::start())).unwrap();
    assert_eq!(skipped["verdict"]["status"], "skipped");
    assert_eq!(
        skipped["verdict"]["reason"],
        "rig 'emulated' lacks capability rfid"
    );
    // Series may be left out entirely by other tools.
    let parsed: Observations = serde_json::from_value(serde_json::json!({"cp": []})).unwrap();
    assert!(parsed.is_empty());
}

#[test]
fn measurement_limits_are_inclusive() {
    assert_eq!(
        Measurement::judged("x", 100.0, "ms", None, Some(100.0)).verdict,
        MeasurementVerdict::Passed
    );
    assert_eq!(
        Measurement::judged("x", 100.1, "ms", None, Some(100.0)).verdict,
        MeasurementVerdict::Failed
    );
    assert_eq!(
        Measurement::judged("x", 5.0, "A", Some(5.0), None).verdict,
        MeasurementVerdict::Passed
    );
    assert_eq!(
        Measurement::judged("x", f64::NAN, "A", None, None).verdict,
        MeasurementVerdict::Failed
    );
}

#[test]
fn matrix_lists_every_octt_case_and_the_iec_rules() {
    let matrix = ConformanceMatrix::build(&common::run_scenarios());
    assert_eq!(matrix.octt.len(), 102);
    let row = |id: &str| matrix.octt.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row("TC_001_CS").status, MatrixStatus::Passed);
    assert_eq!(row("TC_001_CS").scenarios.len(), 2);
    assert_eq!(row("TC_003_CS").status, MatrixStatus::Failed);
    assert!(row("TC_003_CS").note.contains("Contactor opens"));
    assert_eq!(row("TC_037_1_CS").status, MatrixStatus::NotRun);
    assert_eq!(
        row("TC_037_1_CS").note,
        "rig 'emulated' lacks capability rfid"
    );
    assert_eq!(row("TC_087_CS").status, MatrixStatus::NotRun);
    assert!(row("TC_087_CS")
        .note
        .contains("no scenario in this run is tagged @TC_087_CS"));
    assert_eq!(matrix.iec.len(), 1);
    assert_eq!(matrix.iec[0].id, "contactor-open-100ms");
    assert_eq!(matrix.iec[0].status, MatrixStatus::Failed);
}

#[test]
fn matrix_shows_unknown_octt_tags_and_untagged_iec_scenarios() {
    let mut scenario = common::passing(common::start(), 1);
    scenario.tags = vec!["@TC_999_CS".into(), "@IEC61851-1".into()];
    let mut clause = common::passing(common::start(), 2);
    clause.tags = vec![
        "@IEC61851-1:A.3.3".into(),
        "@iec.state-f".into(),
        "@iec.state-f".into(),
    ];
    let matrix = ConformanceMatrix::build(&[scenario, clause]);
    let rules: Vec<&str> = matrix.iec.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(rules, [matrix::IEC_NO_RULE, "A.3.3", "state-f"]);
    assert_eq!(
        matrix.iec[2].scenarios.len(),
        1,
        "a repeated tag counts once"
    );
    assert_eq!(matrix.octt.len(), 103);
    assert_eq!(matrix.octt[102].id, "TC_999_CS");
    assert_eq!(matrix.octt[102].group, "not in the OCTT list");
    assert_eq!(matrix.iec[0].id, matrix::IEC_NO_RULE);
    assert_eq!(matrix.iec[0].status, MatrixStatus::Passed);
}

#[test]
fn cucumber_json_has_the_standard_shape() {
    let json = render_cucumber_json(&common::run_scenarios());
    let features = json.as_array().unwrap();
    assert_eq!(features.len(), 3, "three feature files");
    let boot = &features[0];
    assert_eq!(boot["uri"], "features/ocpp16/core/boot.feature");
    assert_eq!(boot["keyword"], "Feature");
    assert_eq!(boot["elements"].as_array().unwrap().len(), 2);
    let failing = &features[1]["elements"][0];
    assert_eq!(failing["type"], "scenario");
    assert_eq!(failing["tags"][0]["name"], "@IEC61851-1");
    let step = &failing["steps"][2];
    assert_eq!(step["keyword"], "Then ");
    assert_eq!(step["result"]["status"], "failed");
    assert_eq!(step["result"]["duration"], 250_000_000u64);
    assert!(step["result"]["error_message"]
        .as_str()
        .unwrap()
        .contains("180 ms"));
    let skipped = &features[2]["elements"][0];
    assert_eq!(
        skipped["description"],
        "Not run: rig 'emulated' lacks capability rfid"
    );
}

#[test]
fn a_failure_outside_steps_is_reported_as_an_after_hook() {
    let mut scenario = common::passing(common::start(), 1);
    scenario.verdict = Verdict::Failed;
    scenario.error = Some("StopTransaction frame broke the schema: meterStop missing".into());
    let json = render_cucumber_json(&[scenario.clone()]);
    let after = &json[0]["elements"][0]["after"][0]["result"];
    assert_eq!(after["status"], "failed");
    assert_eq!(
        after["error_message"],
        "StopTransaction frame broke the schema: meterStop missing"
    );
    assert_eq!(
        failure_message(&scenario),
        "StopTransaction frame broke the schema: meterStop missing"
    );
}

#[test]
fn second_run_with_the_same_id_gets_a_suffix_and_latest_follows() {
    let dir = tempfile::tempdir().unwrap();
    let first = ReportWriter::create(dir.path(), common::meta("run")).unwrap();
    let second = ReportWriter::create(dir.path(), common::meta("run")).unwrap();
    assert_eq!(first.meta().run_id, "run");
    assert_eq!(second.meta().run_id, "run-2");
    assert_eq!(
        std::fs::read_link(dir.path().join(LATEST_LINK)).unwrap(),
        std::path::Path::new("run-2")
    );
    let bad = ReportWriter::create(dir.path(), common::meta("../escape")).unwrap_err();
    assert!(
        bad.to_string().contains("not usable as a folder name"),
        "{bad}"
    );
}

#[test]
fn traces_are_one_frame_per_line_under_traces() {
    let dir = tempfile::tempdir().unwrap();
    let writer = ReportWriter::create(dir.path(), common::meta("run")).unwrap();
    let frames = vec![
        serde_json::json!({"t_us": 1, "dir": "to_csms", "frame": [2, "1", "Heartbeat", {}], "valid": true}),
        serde_json::json!({"t_us": 2, "dir": "to_charge_point", "frame": [3, "1", {"currentTime": "x"}], "valid": true}),
    ];
    let path = writer.write_trace("Boot / L5: cold", &frames).unwrap();
    assert_eq!(path, "traces/boot-l5-cold.jsonl");
    let text = std::fs::read_to_string(writer.run_dir().join(&path)).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, frames);
}

#[test]
fn scenario_new_and_judge_follow_what_was_recorded() {
    let mut scenario = Scenario::new(
        "Boot",
        "features/boot.feature",
        "Cold boot",
        3,
        vec![],
        common::start(),
    );
    assert_eq!(
        scenario.id,
        scenario_id("features/boot.feature", "Cold boot", 3)
    );
    scenario.judge();
    assert_eq!(scenario.verdict, Verdict::Passed);
    scenario.measurements.push(Measurement::judged(
        "boot time",
        40.0,
        "s",
        None,
        Some(30.0),
    ));
    scenario.judge();
    assert_eq!(
        scenario.verdict,
        Verdict::Failed,
        "a measurement out of limits fails the scenario"
    );
    scenario.measurements.clear();
    scenario.steps = common::passing(common::start(), 1).steps;
    scenario.steps[0].status = StepStatus::Undefined;
    scenario.judge();
    assert_eq!(
        scenario.verdict,
        Verdict::Failed,
        "an undefined step fails the scenario"
    );
    assert!(failure_message(&scenario).contains("no step definition matches"));
    scenario.verdict = Verdict::Skipped {
        reason: "no rfid".into(),
    };
    scenario.judge();
    assert!(
        matches!(scenario.verdict, Verdict::Skipped { .. }),
        "judge keeps a skip"
    );
}

#[test]
fn run_id_from_start_time() {
    assert_eq!(run_id_for(common::start()), "20261128-093000Z");
}

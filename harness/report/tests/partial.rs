//! A writer dropped without `finish` (a panic, an early return) leaves valid partial files.

mod common;

use conformance_report::*;

#[test]
fn dropped_writer_leaves_parseable_partial_reports() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir;
    {
        let mut writer = ReportWriter::create(dir.path(), common::meta("partial")).unwrap();
        run_dir = writer.run_dir().to_path_buf();
        // Right after creation the files exist and are valid, with no scenario.
        let empty: Report =
            serde_json::from_str(&std::fs::read_to_string(run_dir.join("report.json")).unwrap())
                .unwrap();
        assert_eq!(empty.summary.total, 0);
        for scenario in common::run_scenarios().into_iter().take(2) {
            writer.scenario_finished(scenario).unwrap();
        }
    }
    let report: Report =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("report.json")).unwrap())
            .unwrap();
    assert!(!report.complete);
    assert!(report.meta.ended.is_none());
    assert_eq!(report.scenarios.len(), 2);
    assert_eq!((report.summary.passed, report.summary.failed), (1, 1));
    let junit = std::fs::read_to_string(run_dir.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&junit).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        2
    );
    assert!(
        !run_dir.join("cucumber.json").exists(),
        "cucumber.json is written by finish only"
    );
    // Only the expected files, no temporaries.
    let mut names: Vec<String> = std::fs::read_dir(&run_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["junit.xml", "observations", "report.json"]);
}

#[test]
fn html_on_interrupt_marks_the_report_partial() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = ReportWriter::create(dir.path(), common::meta("interrupted")).unwrap();
    writer
        .scenario_finished(common::failing(common::start()))
        .unwrap();
    let page = std::fs::read_to_string(writer.write_html_now().unwrap()).unwrap();
    assert!(page.contains("Partial report"));
    assert!(page.contains("Contactor opens within 100 ms after C to B"));
    // After finish the page no longer says partial and cucumber.json exists.
    let run_dir = writer.run_dir().to_path_buf();
    writer.finish().unwrap();
    let page = std::fs::read_to_string(run_dir.join("report.html")).unwrap();
    assert!(!page.contains("Partial report"));
    let cucumber: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("cucumber.json")).unwrap())
            .unwrap();
    assert_eq!(cucumber.as_array().unwrap().len(), 1);
}

#[test]
fn html_can_be_rebuilt_from_the_report_json_of_a_killed_run() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir;
    {
        let mut writer = ReportWriter::create(dir.path(), common::meta("rebuilt")).unwrap();
        run_dir = writer.run_dir().to_path_buf();
        writer
            .scenario_finished(common::failing(common::start()))
            .unwrap();
    }
    assert!(!run_dir.join("report.html").exists());
    let page = std::fs::read_to_string(rebuild_html(&run_dir).unwrap()).unwrap();
    assert!(page.contains("Partial report") && page.contains("Contactor opens within 100 ms"));
    let err = rebuild_html(&dir.path().join("missing")).unwrap_err();
    assert!(err.to_string().contains("report.json"), "{err}");
}

#[test]
fn html_before_any_scenario_says_there_is_no_verdict_yet() {
    let dir = tempfile::tempdir().unwrap();
    let writer = ReportWriter::create(dir.path(), common::meta("empty")).unwrap();
    let page = std::fs::read_to_string(writer.write_html_now().unwrap()).unwrap();
    assert!(page.contains("NO VERDICT"));
    assert!(page.contains("No scenario has finished."));
    assert!(
        page.contains("TC_087_CS"),
        "the matrix lists every case even with nothing run"
    );
}

#[test]
fn a_run_with_seeded_defects_says_so_in_the_header_and_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut meta = common::meta("seeded");
    meta.seeded_defects = vec!["slow-contactor-open".into()];
    let writer = ReportWriter::create(dir.path(), meta).unwrap();
    let page = std::fs::read_to_string(writer.write_html_now().unwrap()).unwrap();
    assert!(
        page.contains("Seeded defects: slow-contactor-open"),
        "the header must name the seeded defect"
    );
    let json = std::fs::read_to_string(writer.run_dir().join("report.json")).unwrap();
    assert!(json.contains("\"seeded_defects\""), "{json}");

    let clean = ReportWriter::create(dir.path(), common::meta("clean")).unwrap();
    let page = std::fs::read_to_string(clean.write_html_now().unwrap()).unwrap();
    assert!(!page.contains("Seeded defects:"), "a clean run shows none");
}

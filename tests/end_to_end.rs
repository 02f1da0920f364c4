//! The harness binary, the bundled plugins, the rig simulator and the reference firmware,
//! together, on the default emulated rig: a passing scenario passes, a wrong expectation fails
//! with a message that says why, and the run leaves its reports.

use workspace_tests::{run_harness, workspace_root};

fn feature(path: &str) -> String {
    workspace_root()
        .join("tests/features")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn a_vehicle_in_state_b_passes() {
    let reports = tempfile::tempdir().unwrap();
    let run = run_harness(&[&feature("pilot/state_b.feature")], reports.path());
    assert_eq!(run.code, Some(0), "{}", run.output());
}

#[test]
fn a_wrong_expectation_fails_and_says_why() {
    let reports = tempfile::tempdir().unwrap();
    let run = run_harness(
        &[&feature("pilot/wrong_expectation.feature")],
        reports.path(),
    );
    assert_eq!(run.code, Some(1), "{}", run.output());
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains("state C") && text.contains('B'),
        "the failure should name the expected state C and the state seen: {}",
        run.output()
    );
}

/// The default rig with the deliberately wrong scenario listed as a known failure of the DUT.
fn rig_with_known_failure(dir: &std::path::Path) -> String {
    let rig = std::fs::read_to_string(workspace_root().join("rigs/emulated.toml")).unwrap();
    let entry = "\"deliberately-wrong\" = \"expects state C from a vehicle in B\"\n";
    let marked = if rig.contains("[dut.known_failures]\n") {
        rig.replacen(
            "[dut.known_failures]\n",
            &format!("[dut.known_failures]\n{entry}"),
            1,
        )
    } else {
        rig.replacen(
            "[dut]\n",
            &format!("[dut.known_failures]\n{entry}\n[dut]\n"),
            1,
        )
    };
    assert_ne!(rig, marked, "rigs/emulated.toml has a [dut] section");
    let path = dir.join("rig.toml");
    std::fs::write(&path, marked).unwrap();
    path.display().to_string()
}

#[test]
fn a_known_failure_still_fails_its_scenario_but_not_the_run() {
    let reports = tempfile::tempdir().unwrap();
    let rig = rig_with_known_failure(reports.path());
    let run = run_harness(
        &[&feature("pilot/wrong_expectation.feature"), "--rig", &rig],
        reports.path(),
    );
    assert_eq!(run.code, Some(0), "{}", run.output());
    assert!(
        run.stderr.contains("1 failed") && run.stderr.contains("known failures"),
        "{}",
        run.output()
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reports.path().join("latest/report.json")).unwrap(),
    )
    .unwrap();
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["verdict"]["status"], "failed", "{report}");
    assert_eq!(
        scenario["known_failure"], "expects state C from a vehicle in B",
        "{report}"
    );
    assert_eq!(report["summary"]["known_failures"], 1, "{report}");
}

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

//! cucumber's own options work through the harness's command line, and `--list-steps` needs no
//! rig.

mod common;

use common::{Sandbox, TEST_PLUGIN_RIG};

const TWO_SCENARIOS: &str = "Feature: filters\n  @run\n  Scenario: tagged and passing\n    When the CSMS goes online\n\n  Scenario: untagged with a step nobody wrote\n    When nobody wrote this step\n";

#[test]
fn tags_select_scenarios() {
    let sandbox = Sandbox::new();
    sandbox.write("rig.toml", TEST_PLUGIN_RIG);
    sandbox.write("features/f.feature", TWO_SCENARIOS);
    let run = sandbox.harness(&["features", "--rig", "rig.toml", "--tags", "@run"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    assert!(
        run.stdout.contains("1 scenario (1 passed)"),
        "{}",
        run.stdout
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(1), "{}", run.output());
}

#[test]
fn name_selects_scenarios() {
    let sandbox = Sandbox::new();
    sandbox.write("rig.toml", TEST_PLUGIN_RIG);
    sandbox.write("features/f.feature", TWO_SCENARIOS);
    let run = sandbox.harness(&["features", "--rig", "rig.toml", "--name", "^tagged"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
}

#[test]
fn list_steps_prints_patterns_with_examples_without_a_rig() {
    let sandbox = Sandbox::new();
    let run = sandbox.harness(&["--list-steps", "--rig", "no-such-rig.toml"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    assert!(
        run.stdout
            .contains("Given /the charger is ready/\n    e.g. Given the charger is ready\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn help_exits_0() {
    let sandbox = Sandbox::new();
    let run = sandbox.harness(&["--help"]);
    assert_eq!(run.code, Some(0));
    for option in [
        "--rig",
        "--report-dir",
        "--plugin-path",
        "--list-steps",
        "--tags",
        "--fail-fast",
        "--concurrency",
    ] {
        assert!(run.stdout.contains(option), "{option} missing from --help");
    }
}

//! A plugin written in C against `harness_plugin.h` runs scenarios: the ABI needs no Rust.

mod common;

use common::{Sandbox, TEST_PLUGIN_RIG};

#[test]
fn a_c_plugin_serves_steps_and_reports_errors() {
    let sandbox = Sandbox::new();
    let marker = sandbox.path().join("closed");
    let rig = TEST_PLUGIN_RIG.replace(
        "plugin = \"test-plugin\"",
        &format!(
            "plugin = \"c-plugin\"\nclose_marker = \"{}\"",
            marker.display()
        ),
    );
    sandbox.write("rig.toml", &rig);
    sandbox.write(
        "features/c.feature",
        "Feature: C\n  Scenario: online\n    When the CSMS goes online\n\n  Scenario: offline\n    When the CSMS goes offline\n",
    );
    sandbox.compile_c("plugin.c", "c-plugin", &[]);
    let dir = sandbox.path().display().to_string();
    let run = sandbox.harness(&["features", "--rig", "rig.toml", "--plugin-path", &dir]);
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(
        run.stdout.contains("2 scenarios (1 passed, 1 failed)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "plugin `c-plugin` method `go_offline` failed: the C plugin cannot go offline"
        ),
        "{}",
        run.stdout
    );
    // close() ran: the instrument reached its safe state after the scenario.
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "closed");
    // The record was drained after the scenario: endpoint, go_online, violations (checked after
    // every scenario) and drain_record itself.
    // The CSMS record goes to the scenario's trace, one JSON value per line.
    let report = sandbox.latest_report();
    let trace = report["scenarios"][0]["trace"].as_str().expect("a trace");
    let record =
        std::fs::read_to_string(sandbox.path().join("reports/latest").join(trace)).unwrap();
    let first: serde_json::Value = serde_json::from_str(record.lines().next().unwrap()).unwrap();
    assert_eq!(first["data"]["count"], 4, "{record}");
}

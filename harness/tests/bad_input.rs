//! Every bad input of the harness gives one line naming the file, line or key, and the right exit
//! status: 2 for usage and configuration, 1 for a failing scenario.

mod common;

use common::{Sandbox, TEST_PLUGIN_RIG};

const GOOD_FEATURE: &str =
    "Feature: online\n  Scenario: the CSMS goes online\n    When the CSMS goes online\n";

fn sandbox_with_rig(rig: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("rig.toml", rig);
    sandbox.write("features/ok.feature", GOOD_FEATURE);
    sandbox
}

#[test]
fn a_good_run_exits_0() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let report = sandbox.latest_report();
    assert_eq!(report["complete"], true, "{report}");
    assert_eq!(report["summary"]["passed"], 1, "{report}");
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["id"], "ok-l2-the-csms-goes-online");
    assert_eq!(scenario["verdict"]["status"], "passed");
    assert_eq!(scenario["steps"][0]["text"], "the CSMS goes online");
    assert_eq!(scenario["steps"][0]["status"], "passed");
    for file in ["junit.xml", "cucumber.json", "report.html"] {
        assert!(
            sandbox.path().join("reports/latest").join(file).is_file(),
            "{file}"
        );
    }
}

#[test]
fn missing_feature_path() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    let run = sandbox.harness(&["no-such-features/", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.one_line_error(),
        "error: feature path no-such-features/ does not exist"
    );
}

#[test]
fn malformed_feature_names_file_and_line() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    sandbox.write(
        "features/bad.feature",
        "Feature: bad\n  Scenario: one\n    Given a step\n  This line is not Gherkin\n",
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(
        line.starts_with("error: malformed feature file features/bad.feature:4: "),
        "{line}"
    );
}

#[test]
fn missing_rig_file() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    let run = sandbox.harness(&["features", "--rig", "rigs/none.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(
        line.starts_with("error: rig file rigs/none.toml: cannot read: "),
        "{line}"
    );
}

#[test]
fn rig_file_that_is_not_toml() {
    let sandbox = sandbox_with_rig("[rig\nname = \"x\"\n");
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(line.starts_with("error: rig file rig.toml:1: "), "{line}");
}

#[test]
fn rig_file_with_unknown_key() {
    let sandbox = sandbox_with_rig(
        &TEST_PLUGIN_RIG.replace("kind = \"external\"", "kind = \"external\"\nsirial = \"1\""),
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(
        line.starts_with("error: rig file rig.toml:8: key `dut.sirial`: unknown field `sirial`"),
        "{line}"
    );
}

#[test]
fn rig_file_with_wrong_type() {
    let sandbox = sandbox_with_rig(
        &TEST_PLUGIN_RIG.replace("name = \"test\"", "name = \"test\"\nparallel = \"two\""),
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(
        line.starts_with(
            "error: rig file rig.toml:4: key `rig.parallel`: invalid type: string \"two\""
        ),
        "{line}"
    );
}

#[test]
fn missing_plugin_library() {
    let sandbox =
        sandbox_with_rig(&TEST_PLUGIN_RIG.replace("\"test-plugin\"", "\"no-such-plugin\""));
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(
        line.starts_with("error: plugin `no-such-plugin`: no libno_such_plugin.so in "),
        "{line}"
    );
    assert!(
        line.ends_with("(rig file rig.toml, section [csms])"),
        "{line}"
    );
}

#[test]
fn shared_object_that_is_not_a_plugin() {
    let sandbox = sandbox_with_rig(&TEST_PLUGIN_RIG.replace("\"test-plugin\"", "\"not-a-plugin\""));
    let lib = sandbox.compile_c("not_a_plugin.c", "not-a-plugin", &[]);
    let dir = sandbox.path().display().to_string();
    let run = sandbox.harness(&["features", "--rig", "rig.toml", "--plugin-path", &dir]);
    assert_eq!(run.code, Some(2));
    let expected = format!(
        "error: plugin library {}: not a harness plugin: it exports no `harness_plugin_v1` symbol",
        lib.display()
    );
    assert!(
        run.one_line_error().starts_with(&expected),
        "{}",
        run.stderr
    );
}

#[test]
fn plugin_of_another_abi_version() {
    let sandbox = sandbox_with_rig(&TEST_PLUGIN_RIG.replace("\"test-plugin\"", "\"c-plugin\""));
    let lib = sandbox.compile_c("plugin.c", "c-plugin", &["-DABI_VERSION_OVERRIDE=2"]);
    let dir = sandbox.path().display().to_string();
    // Found through HARNESS_PLUGIN_PATH this time.
    let mut command = sandbox.command(&["features", "--rig", "rig.toml"]);
    command.env("HARNESS_PLUGIN_PATH", format!("/nonexistent:{dir}"));
    let run = common::finish(command.spawn().unwrap(), std::time::Duration::from_secs(60));
    assert_eq!(run.code, Some(2));
    let expected = format!(
        "error: plugin library {}: exports plugin ABI version 2, this harness speaks version 1",
        lib.display()
    );
    assert!(
        run.one_line_error().starts_with(&expected),
        "{}",
        run.stderr
    );
}

#[test]
fn plugin_of_the_wrong_kind() {
    let rig = format!("{TEST_PLUGIN_RIG}\n[ev]\nplugin = \"test-plugin\"\n");
    let sandbox = sandbox_with_rig(&rig);
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    let line = run.one_line_error();
    assert!(line.contains("libtest_plugin.so: is a `csms` plugin (`test-plugin`), but the rig section needs a `ev-emulator` plugin"), "{line}");
    assert!(line.ends_with("section [ev])"), "{line}");
}

#[test]
fn a_panicking_plugin_method_fails_only_its_step() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    sandbox.write(
        "features/ok.feature",
        "Feature: panics\n  Scenario: panics\n    When the CSMS goes offline\n\n  Scenario: still works\n    When the CSMS goes online\n",
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml", "--concurrency", "1"]);
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(run.stdout.contains("plugin `test-plugin` died in method `go_offline`: panicked: test-plugin panics in go_offline on purpose"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2 scenarios (1 passed, 1 failed)"),
        "{}",
        run.stdout
    );
    // The reports name the failing step and what went wrong.
    let junit = std::fs::read_to_string(sandbox.path().join("reports/latest/junit.xml")).unwrap();
    assert!(
        junit.contains(
            "When the CSMS goes offline&#39; (line 3) failed: plugin `test-plugin` died in method `go_offline`"
        ),
        "{junit}"
    );
    let report = sandbox.latest_report();
    let failed = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "panics")
        .unwrap();
    assert_eq!(failed["verdict"]["status"], "failed");
    assert_eq!(failed["steps"][0]["status"], "failed");
}

#[test]
fn an_undefined_step_fails_the_run_and_is_named() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    sandbox.write(
        "features/ok.feature",
        "Feature: undefined\n  Scenario: typo\n    When the CSMS goes offlien\n",
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(
        run.stdout.contains("the CSMS goes offlien"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_scenario_needing_a_missing_capability_is_skipped_with_the_reason() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    sandbox.write(
        "features/ok.feature",
        "Feature: gated\n  @requires.power-cycle\n  Scenario: needs power cycling\n    When the CSMS goes offline\n\n  @requires.net-cut\n  Scenario: runs\n    When the CSMS goes online\n",
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    assert!(
        run.stdout.contains(
            "this scenario is skipped: rig \"test\" (rig.toml) lacks capability \"power-cycle\""
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 skipped"), "{}", run.stdout);
    let report = sandbox.latest_report();
    let skipped = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "needs power cycling")
        .unwrap();
    assert_eq!(
        skipped["verdict"],
        serde_json::json!({"status": "skipped",
            "reason": "rig \"test\" (rig.toml) lacks capability \"power-cycle\""})
    );
}

#[test]
fn a_scenario_needing_an_undeclared_dut_feature_is_not_run_with_the_reason() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    sandbox.write(
        "features/ok.feature",
        "Feature: gated\n  @requires.dut.signed-firmware\n  Scenario: signed update\n    When the CSMS goes offline\n",
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let report = sandbox.latest_report();
    assert_eq!(
        report["scenarios"][0]["verdict"],
        serde_json::json!({"status": "skipped", "reason": "the DUT does not declare signed-firmware"})
    );
    assert_eq!(report["summary"]["passed"], 0);
    assert_eq!(report["summary"]["failed"], 0);
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    let sandbox = sandbox_with_rig(TEST_PLUGIN_RIG);
    let run = sandbox.harness(&["--rigg", "rig.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.one_line_error()
            .starts_with("error: unexpected argument '--rigg' found"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_protocol_violation_fails_the_scenario_although_no_step_looked() {
    let rig = TEST_PLUGIN_RIG.replace(
        "plugin = \"test-plugin\"",
        "plugin = \"test-plugin\"\nreport_violation = true",
    );
    let sandbox = sandbox_with_rig(&rig);
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(
        run.stdout.contains("the charge point broke OCPP 1.6 1 time(s); first, frame 7 (schema.required): BootNotification lacks chargePointVendor"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_plugin_refusing_its_configuration_stops_the_run_with_exit_2() {
    let rig = TEST_PLUGIN_RIG.replace(
        "plugin = \"test-plugin\"",
        "plugin = \"test-plugin\"\nfail_open = true",
    );
    let sandbox = sandbox_with_rig(&rig);
    sandbox.write("features/more.feature", GOOD_FEATURE);
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(2), "{}", run.output());
    let line = run.one_line_error();
    assert!(
        line.starts_with("error: rig \"test\" instance 0 did not start: plugin `test-plugin` ("),
        "{line}"
    );
    assert!(
        line.ends_with(
            "open failed: key `fail_open`: asked to fail (rig file rig.toml, section [csms])"
        ),
        "{line}"
    );
}

#[test]
fn an_eol_unit_of_another_product_line_is_refused() {
    let rig =
        format!("{TEST_PLUGIN_RIG}\n[eol]\ndatabase = \"eol.sqlite\"\nrated_current_a = 16\n")
            .replace(
                "charge_point_id = \"CP-1\"",
                "charge_point_id = \"CP-1\"\nproduct_number = \"130577\"",
            );
    let sandbox = sandbox_with_rig(&rig);
    let good = sandbox.harness(&[
        "features",
        "--rig",
        "rig.toml",
        "--unit-serial",
        "130577-000001",
        "--product-number",
        "130800",
    ]);
    assert_eq!(
        good.code,
        Some(0),
        "a 16 A product passes: {}",
        good.output()
    );
    let run = sandbox.harness(&[
        "features",
        "--rig",
        "rig.toml",
        "--unit-serial",
        "130578-000001",
        "--product-number",
        "130578",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.output());
    assert!(
        run.one_line_error().contains(
            "product 130578 is rated 32 A, but this station (rig.toml) is set up for 16 A ([eol] rated_current_a)"
        ),
        "{}",
        run.stderr
    );
}

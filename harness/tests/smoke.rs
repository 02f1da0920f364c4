//! End to end on the default rig, `rigs/emulated.toml`: the real simulator, the real reference
//! firmware and the real instrument plugins, through the harness binary.

mod common;

use std::path::Path;

use common::Sandbox;

#[test]
fn a_vehicle_plugs_in_charges_and_unplugs_on_the_emulated_rig() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "features/smoke.feature",
        "Feature: smoke\n  Scenario: a vehicle plugs in and out\n    When the EV plugs in with a tethered cable\n    Then the control pilot is in state B within 3 s\n    When the EV asks for state C\n    Then the control pilot is in state C within 3 s\n    When the EV unplugs\n    Then the control pilot is in state A within 3 s\n",
    );
    let rig = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rigs/emulated.toml");
    let rig = rig.display().to_string();
    let run = sandbox.harness(&["features", "--rig", &rig]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    assert!(
        run.stdout.contains("1 scenario (1 passed)"),
        "{}",
        run.stdout
    );
}

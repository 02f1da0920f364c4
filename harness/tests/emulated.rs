//! The emulated rig kind with the real simulator (`harness __rig-sim`) and the real instrument
//! plugins on its pseudo-terminals. The firmware is a stand-in shell command (`dut.command`) that
//! records the simulator's port file and its own pid, prints READY and sleeps, so these tests
//! check the rig's life cycle, not the firmware: instances start, run scenarios in parallel, and
//! leave no process behind, after a normal end or after Ctrl-C.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::Sandbox;

fn emulated_rig(sandbox: &Sandbox) -> String {
    let dir = sandbox.path().display();
    format!(
        r#"
[rig]
name = "emu-test"
parallel = 2
capabilities = ["three-phase"]

[dut]
kind = "emulated"
product_number = "130577"
charge_point_id = "CP-1"
command = ["sh", "-c", "cat {{state_dir}}/../rig.json >> {dir}/rigs.jsonl; echo >> {dir}/rigs.jsonl; echo $$ >> {dir}/firmware.pids; echo READY; exec sleep 300"]
ready_timeout_s = 10

[csms]
plugin = "ocpp-csms"
listen = "127.0.0.1:0"

[ev]
plugin = "ev-emulator"
transport = "sim"

[analyser]
plugin = "power-analyser"
transport = "sim"

[rfid]
plugin = "rfid-emulator"
transport = "sim"
"#
    )
}

/// Every process the rig instances started: simulators (from their port files) and firmwares.
fn started_pids(dir: &Path) -> Vec<u32> {
    let mut pids = Vec::new();
    for line in std::fs::read_to_string(dir.join("rigs.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let ports: serde_json::Value = serde_json::from_str(line).unwrap();
        pids.push(ports["pid"].as_u64().expect("rig-sim writes its pid") as u32);
    }
    for line in std::fs::read_to_string(dir.join("firmware.pids"))
        .unwrap_or_default()
        .lines()
    {
        pids.push(line.trim().parse().unwrap());
    }
    pids
}

fn assert_all_gone(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    for pid in pids {
        while harness::process::is_alive(*pid) {
            assert!(
                Instant::now() < deadline,
                "process {pid} outlived the harness run"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn scenarios_run_on_fresh_instances_and_leave_nothing_behind() {
    let sandbox = Sandbox::new();
    sandbox.write("rig.toml", &emulated_rig(&sandbox));
    let scenario = |n: u32| {
        format!("  Scenario: plug {n}\n    When the EV plugs in with a tethered cable\n    When the EV unplugs\n\n")
    };
    let feature = format!(
        "Feature: plugging\n{}{}{}",
        scenario(1),
        scenario(2),
        scenario(3)
    );
    sandbox.write("features/plug.feature", &feature);
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let pids = started_pids(sandbox.path());
    // One simulator and one firmware per scenario.
    assert_eq!(pids.len(), 6, "{pids:?}");
    assert_all_gone(&pids);
    // The EV emulator's record was drained into the report.
    let report = sandbox.latest_report();
    assert_eq!(report["summary"]["passed"], 3, "{report}");
    // Each scenario kept its processes' logs.
    let logs = sandbox.path().join("reports/latest/logs");
    assert_eq!(std::fs::read_dir(&logs).unwrap().count(), 3);
}

#[test]
fn ctrl_c_ends_every_rig_process() {
    let sandbox = Sandbox::new();
    sandbox.write("rig.toml", &emulated_rig(&sandbox));
    // The stand-in firmware never connects, so both scenarios wait in the CSMS step.
    let waiting = "    Then the CSMS receives BootNotification within 20 s\n\n";
    sandbox.write(
        "features/wait.feature",
        &format!("Feature: wait\n  Scenario: one\n{waiting}  Scenario: two\n{waiting}"),
    );
    let child = sandbox
        .command(&["features", "--rig", "rig.toml"])
        .spawn()
        .unwrap();
    let harness_pid = child.id() as libc::pid_t;
    let deadline = Instant::now() + Duration::from_secs(30);
    while started_pids(sandbox.path()).len() < 4 {
        assert!(
            Instant::now() < deadline,
            "the two rig instances did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: plain syscall on our own child.
    unsafe { libc::kill(harness_pid, libc::SIGINT) };
    let run = common::finish(child, Duration::from_secs(30));
    assert_eq!(run.code, Some(130), "{}", run.output());
    assert_all_gone(&started_pids(sandbox.path()));
    // The reports stay readable: report.json as it stood, and the page rebuilt at Ctrl-C.
    assert_eq!(sandbox.latest_report()["complete"], false);
    assert!(sandbox.path().join("reports/latest/report.html").is_file());
}

#[test]
fn a_power_cycle_restarts_the_firmware_with_its_state() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path().display().to_string();
    let rig = emulated_rig(&sandbox)
        .replace(
            "capabilities = [\"three-phase\"]",
            "capabilities = [\"three-phase\", \"power-cycle\"]",
        )
        .replace(
            &format!("cat {{state_dir}}/../rig.json >> {dir}/rigs.jsonl; echo >> {dir}/rigs.jsonl; echo $$ >> {dir}/firmware.pids;"),
            &format!("echo $$ {{state_dir}} >> {dir}/starts.txt;"),
        );
    sandbox.write("rig.toml", &rig);
    sandbox.write(
        "features/cycle.feature",
        "Feature: power\n  @requires.power-cycle\n  Scenario: cycle\n    When the charger is power cycled\n",
    );
    let run = sandbox.harness(&["features", "--rig", "rig.toml"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let starts = std::fs::read_to_string(sandbox.path().join("starts.txt")).unwrap();
    let starts: Vec<(u32, &str)> = starts
        .lines()
        .map(|l| {
            let (pid, state) = l.split_once(' ').unwrap();
            (pid.parse().unwrap(), state)
        })
        .collect();
    assert_eq!(starts.len(), 2, "{starts:?}");
    assert_ne!(starts[0].0, starts[1].0, "a new firmware process");
    assert_eq!(starts[0].1, starts[1].1, "the same state folder");
    assert_all_gone(&[starts[0].0, starts[1].0]);
}

/// The local interface's port is chosen free, but another process may take it before the
/// firmware binds it: the firmware then ends saying it cannot listen, and the instance starts
/// it again on another port.
#[test]
fn a_taken_interface_port_is_replaced_by_another() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path().display().to_string();
    let rig_text = format!(
        r#"
[rig]
name = "port-race"
capabilities = ["three-phase"]

[dut]
kind = "emulated"
product_number = "130577"
charge_point_id = "CP-1"
command = ["sh", "-c", "echo {{ui_listen}} >> {dir}/ports; if [ ! -f {dir}/taken ]; then touch {dir}/taken; echo 'reference-firmware: --ui-listen {{ui_listen}}: cannot listen: Address in use' >&2; exit 1; fi; echo READY; exec sleep 300"]
ready_timeout_s = 10

[csms]
plugin = "ocpp-csms"
listen = "127.0.0.1:0"
"#
    );
    let rig_path = sandbox.path().join("rig.toml");
    std::fs::write(&rig_path, rig_text).unwrap();
    let rig = harness::rig::load(&rig_path).unwrap();
    let libraries = harness::plugin_host::PluginLibraries::new(
        harness::plugin_host::SearchPath::from_process(&[]),
    );
    let exe = Path::new(env!("CARGO_BIN_EXE_harness"));
    let instance = harness::rig::emulated::start(&rig, &libraries, exe, 0)
        .unwrap_or_else(|e| panic!("the instance did not start: {}", e.message()));
    let ports = std::fs::read_to_string(sandbox.path().join("ports")).unwrap();
    let ports: Vec<&str> = ports.lines().collect();
    assert_eq!(ports.len(), 2, "one refused start, one good: {ports:?}");
    let ui = instance.ui.clone().expect("an interface address");
    assert_eq!(
        ui.addr.to_string(),
        ports[1],
        "the instance uses the second port"
    );
    assert!(
        ui.pin.is_some_and(|p| p.len() == 6),
        "a PIN made for the instance"
    );
}

/// While the unit is off, another process may take its interface's port: at power-on the
/// firmware then ends saying it cannot listen, and the instance switches it on again at another
/// port, which the steps then use.
#[test]
fn a_port_taken_during_a_power_cycle_is_replaced_by_another() {
    let sandbox = Sandbox::new();
    let dir = sandbox.path().display().to_string();
    // `sh -c SCRIPT sh --ui-listen ADDR`: the address is $2, and the harness can replace it.
    let script = format!(
        "echo $2 >> {dir}/ports; if [ -f {dir}/armed ] && [ ! -f {dir}/refused ]; then touch {dir}/refused; echo \"reference-firmware: --ui-listen $2: cannot listen: Address in use\" >&2; exit 1; fi; echo READY; exec sleep 300"
    );
    let rig_text = format!(
        r#"
[rig]
name = "port-race-power"
capabilities = ["three-phase", "power-cycle"]

[dut]
kind = "emulated"
product_number = "130577"
charge_point_id = "CP-1"
command = ["sh", "-c", "{script}", "sh", "--ui-listen", "{{ui_listen}}"]
ready_timeout_s = 10

[csms]
plugin = "ocpp-csms"
listen = "127.0.0.1:0"
"#,
        script = script.replace('"', "\\\"")
    );
    let rig_path = sandbox.path().join("rig.toml");
    std::fs::write(&rig_path, rig_text).unwrap();
    let rig = harness::rig::load(&rig_path).unwrap();
    let libraries = harness::plugin_host::PluginLibraries::new(
        harness::plugin_host::SearchPath::from_process(&[]),
    );
    let exe = Path::new(env!("CARGO_BIN_EXE_harness"));
    let mut instance = harness::rig::emulated::start(&rig, &libraries, exe, 0)
        .unwrap_or_else(|e| panic!("the instance did not start: {}", e.message()));
    sandbox.write("armed", "");
    instance
        .power_off(harness::rig::instance::PowerLoss::Abrupt)
        .unwrap();
    assert_eq!(instance.power_on(), Ok(true), "switched on again");
    let ports = std::fs::read_to_string(sandbox.path().join("ports")).unwrap();
    let ports: Vec<&str> = ports.lines().collect();
    assert_eq!(
        ports.len(),
        3,
        "start, refused power-on, good power-on: {ports:?}"
    );
    assert_eq!(
        ports[0], ports[1],
        "power-on tries the unit's own port first"
    );
    assert_ne!(ports[1], ports[2], "then another one");
    let ui = instance.ui.clone().expect("an interface address");
    assert_eq!(ui.addr.to_string(), ports[2], "the steps use the new port");
}

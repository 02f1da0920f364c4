//! Nothing outlives the harness: Ctrl-C closes the plugins (safe state) and exits 130; a crash of
//! the harness takes its child processes with it.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Sandbox, TEST_PLUGIN_RIG};

#[test]
fn ctrl_c_puts_instruments_in_safe_state_and_exits_130() {
    let sandbox = Sandbox::new();
    let marker = sandbox.path().join("closed");
    let opened = sandbox.path().join("opened");
    let rig = TEST_PLUGIN_RIG.replace(
        "plugin = \"test-plugin\"",
        &format!(
            "plugin = \"test-plugin\"\nclose_marker = \"{}\"\nopen_marker = \"{}\"",
            marker.display(),
            opened.display()
        ),
    );
    sandbox.write("rig.toml", &rig);
    // The test plugin's wait_for blocks for its whole timeout: the step is still running at Ctrl-C.
    sandbox.write("features/wait.feature", "Feature: wait\n  Scenario: waits\n    Then the CSMS receives BootNotification within 2 s\n");
    let child = sandbox
        .command(&["features", "--rig", "rig.toml"])
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the scenario never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Into the step, which blocks in the plugin for 2 s.
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: plain syscall on our own child.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let started = Instant::now();
    let run = common::finish(child, Duration::from_secs(30));
    assert_eq!(run.code, Some(130), "{}", run.output());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap(),
        "closed",
        "close() was not called"
    );
}

/// Set in the child copy of this test binary that plays a crashing harness.
const CRASH_ROLE: &str = "HARNESS_TEST_CRASHING_PARENT";

#[test]
fn children_die_with_a_crashing_harness() {
    if let Ok(pid_file) = std::env::var(CRASH_ROLE) {
        // The crashing parent: start a supervised child, say its pid, then die without cleanup.
        let mut sleeper = Command::new("sleep");
        sleeper.arg("300");
        let child = harness::process::spawn("sleeper", sleeper).unwrap();
        std::fs::write(&pid_file, child.pid().to_string()).unwrap();
        std::mem::forget(child);
        std::process::abort();
    }
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("child.pid");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "children_die_with_a_crashing_harness",
            "--nocapture",
        ])
        .env(CRASH_ROLE, &pid_file)
        .status()
        .unwrap();
    assert!(!status.success(), "the parent should have crashed");
    let pid: u32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while harness::process::is_alive(pid) {
        assert!(
            Instant::now() < deadline,
            "child {pid} outlived its crashed parent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

//! The `rig-sim` binary: the JSON file, clean exit on SIGTERM and SIGINT, exit with its parent,
//! bad arguments; and the library rig's teardown.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rig-sim");

fn wait_for_file(path: &Path) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return serde_json::from_str(&text).expect("the file is complete JSON");
        }
        assert!(
            Instant::now() < deadline,
            "{} not written within 5 s",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("rig-sim did not exit within 3 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn is_alive(pid: i32) -> bool {
    // A zombie waiting for its new parent to reap it counts as gone.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn writes_its_terminals_and_exits_cleanly_on_sigterm_and_sigint() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rig.json");
        let mut child = Command::new(BIN)
            .arg("--out")
            .arg(&out)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let json = wait_for_file(&out);
        for key in ["board", "ev", "analyser", "rfid", "control"] {
            let path = json[key].as_str().unwrap();
            assert!(path.starts_with("/dev/pts/"), "{key}: {path}");
            assert!(Path::new(path).exists());
        }
        assert_eq!(json["pid"].as_u64(), Some(u64::from(child.id())));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = wait_exit(&mut child);
        assert_eq!(status.code(), Some(0), "signal {signal}");
    }
}

#[test]
fn exits_when_its_parent_dies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rig.json");
    // The shell starts rig-sim in the background and exits soon after.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("'{BIN}' --out '{}' & sleep 1", out.display()))
        .status()
        .unwrap();
    assert!(status.success());
    let pid = wait_for_file(&out)["pid"].as_i64().unwrap() as i32;
    let deadline = Instant::now() + Duration::from_secs(3);
    while is_alive(pid) {
        assert!(
            Instant::now() < deadline,
            "rig-sim {pid} outlived its parent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let output = Command::new(BIN).arg("--frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let output = Command::new(BIN)
        .args(["--out", "/tmp/x.json", "--reaction-s", "9"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("--reaction-s"));
}

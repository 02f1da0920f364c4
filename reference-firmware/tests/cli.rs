//! The binary: argument errors exit 2 with one line; with a board on a pty it prints READY
//! once idle and exits 0 on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::pty_board::PtyBoard;
use serialport::{SerialPort, TTYPort};

const BIN: &str = env!("CARGO_BIN_EXE_reference-firmware");

/// Runs the firmware and collects its output; a firmware still running after 10 s is killed
/// and the test fails, rather than hanging.
fn run_to_end(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{args:?}: still running after 10 s; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn run_expecting_2(args: &[&str], needle: &str) {
    let out = run_to_end(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    let lines: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("reference-firmware:"))
        .collect();
    assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
    assert!(lines[0].contains(needle), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let base = [
        "--state-dir",
        d,
        "--serial",
        "HALO123456",
        "--product-number",
        "130577",
    ];
    run_expecting_2(&["--state-dir", d], "--board");
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let v = with(&["--board", "/dev/does-not-exist-42"]);
    run_expecting_2(
        &v.iter().map(String::as_str).collect::<Vec<_>>(),
        "/dev/does-not-exist-42",
    );
    run_expecting_2(
        &[
            "--board",
            "/dev/null",
            "--state-dir",
            d,
            "--serial",
            "S",
            "--product-number",
            "123",
        ],
        "unknown product",
    );
    run_expecting_2(
        &[
            "--board",
            "/dev/null",
            "--state-dir",
            d,
            "--serial",
            "S",
            "--product-number",
            "x",
        ],
        "product-number",
    );
    // A state directory below a regular file cannot exist.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let bad_dir = file.join("state");
    run_expecting_2(
        &[
            "--board",
            "/dev/null",
            "--state-dir",
            bad_dir.to_str().unwrap(),
            "--serial",
            "S",
            "--product-number",
            "130577",
        ],
        "state directory",
    );
    // A corrupt stored file names itself.
    std::fs::write(dir.path().join("installation.json"), b"{ nope").unwrap();
    let v = with(&["--board", "/dev/null"]);
    run_expecting_2(
        &v.iter().map(String::as_str).collect::<Vec<_>>(),
        "installation.json",
    );
    std::fs::remove_file(dir.path().join("installation.json")).unwrap();
    let v = with(&["--board", "/dev/null", "--csms-url", "http://x"]);
    run_expecting_2(&v.iter().map(String::as_str).collect::<Vec<_>>(), "ws://");
    let v = with(&["--board", "/dev/null", "--seed-defect", "no-such-defect"]);
    run_expecting_2(
        &v.iter().map(String::as_str).collect::<Vec<_>>(),
        "unknown seeded defect",
    );
    #[cfg(not(feature = "seeded-defects"))]
    {
        let v = with(&[
            "--board",
            "/dev/null",
            "--seed-defect",
            "slow-contactor-open",
        ]);
        run_expecting_2(
            &v.iter().map(String::as_str).collect::<Vec<_>>(),
            "seeded-defects",
        );
    }
}

#[test]
fn prints_ready_once_idle_and_stops_on_sigterm() {
    let (master, slave) = TTYPort::pair().expect("pty pair");
    let path = slave.name().expect("pty slave path");
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args([
            "--board",
            &path,
            "--state-dir",
            dir.path().to_str().unwrap(),
        ])
        .args(["--product-number", "100307", "--serial", "HALO000042"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut board = PtyBoard::new(master);
    board.status_on = true;
    let start = Instant::now();
    let mut ready = false;
    while start.elapsed() < Duration::from_secs(10) && !ready {
        board.pump(Duration::from_millis(50));
        if let Ok(line) = rx.try_recv() {
            assert_eq!(line, "READY");
            ready = true;
        }
    }
    assert!(ready, "no READY within 10 s");
    board.pump(Duration::from_millis(300));
    assert!(rx.try_recv().is_err(), "exactly one line on stdout");
    board.status_on = false;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        board.pump(Duration::from_millis(50));
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not exit on SIGTERM");
    };
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("CAPI cloud protocol is not available"),
        "{stderr}"
    );
    drop(slave);
}

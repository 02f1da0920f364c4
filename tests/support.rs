//! Helpers for the workspace's end-to-end tests: find the harness binary that `cargo test`
//! built, run it in a scratch folder, and read what it left behind.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (this package lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The harness binary of the same build as this test (`target/<profile>/harness`).
///
/// `cargo test` at the workspace root builds every member's binaries before running any test;
/// running this package alone (`cargo test -p workspace-tests`) needs `cargo build -p harness`
/// first, and the panic says so.
pub fn harness_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/end_to_end-<hash> → target/<profile>/harness
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let harness = profile_dir.join("harness");
    assert!(
        harness.exists(),
        "{} is missing: run `cargo test` at the workspace root, or `cargo build -p harness` first",
        harness.display()
    );
    harness
}

/// What a harness run printed and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn output(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the harness from the workspace root (so `rigs/emulated.toml` is the default rig) with
/// its reports in `report_dir`.
pub fn run_harness(args: &[&str], report_dir: &Path) -> Run {
    let out = Command::new(harness_binary())
        .current_dir(workspace_root())
        .args(args)
        .arg("--report-dir")
        .arg(report_dir)
        .output()
        .expect("harness starts");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

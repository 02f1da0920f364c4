//! Shared by the harness's integration tests: a scratch folder, running the harness binary with a
//! timeout, and compiling C plugins with the system compiler.
#![allow(dead_code)] // each test file uses a different part

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A rig with an external DUT whose CSMS is the misbehaving test plugin.
pub const TEST_PLUGIN_RIG: &str = r#"
[rig]
name = "test"
capabilities = ["net-cut"]

[dut]
kind = "external"
charge_point_id = "CP-1"

[csms]
plugin = "test-plugin"
"#;

pub struct Sandbox {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Everything printed, for assertions about output.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// stderr, which must be exactly one line for configuration errors.
    pub fn one_line_error(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one line on stderr, got:\n{}",
            self.stderr
        );
        lines[0]
    }
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `reports/latest/report.json` of the last run in this sandbox.
    #[allow(dead_code)] // not every test binary reads reports
    pub fn latest_report(&self) -> serde_json::Value {
        let path = self.path().join("reports/latest/report.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The harness binary, started in the sandbox with its reports kept there.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_harness"));
        command
            .current_dir(self.dir.path())
            .args(args)
            .arg("--report-dir")
            .arg(self.dir.path().join("reports"))
            .arg("--color")
            .arg("never")
            .env_remove("HARNESS_PLUGIN_PATH")
            .env_remove("CUCUMBER_FILTER_TAGS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs the harness to completion (at most 60 s).
    pub fn harness(&self, args: &[&str]) -> Run {
        finish(
            self.command(args).spawn().expect("start harness"),
            Duration::from_secs(60),
        )
    }

    /// Compiles `tests/c/<source>` into `<sandbox>/lib<name>.so` with extra `-D` definitions.
    pub fn compile_c(&self, source: &str, name: &str, defines: &[&str]) -> PathBuf {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = self
            .dir
            .path()
            .join(format!("lib{}.so", name.replace('-', "_")));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o"])
            .arg(&out)
            .arg("-I")
            .arg(manifest.join("../plugins/api/include"))
            .args(defines)
            .arg(manifest.join("tests/c").join(source))
            .status()
            .expect("run cc");
        assert!(status.success(), "cc failed for {source}");
        out
    }
}

/// Waits for `child` (killing it after `limit`) and collects its output.
pub fn finish(mut child: Child, limit: Duration) -> Run {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).ok();
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("the harness did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

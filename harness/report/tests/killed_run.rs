//! A run killed with SIGKILL in the middle of writing leaves valid `report.json` and `junit.xml`
//! holding every scenario that had finished.
//!
//! This test binary has its own `main` (harness = false): started with `--child <dir>` it is the
//! run being killed, writing scenarios as fast as it can; started otherwise it is the test, which
//! spawns the child, reads the files while they are being rewritten, kills the child and checks.

mod common;

use conformance_report::*;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const CHILD_FLAG: &str = "--child";
const DEADLINE: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == CHILD_FLAG) {
        let dir = PathBuf::from(args.get(i + 1).expect("--child needs a folder"));
        child(&dir);
        return ExitCode::SUCCESS;
    }
    let result = std::panic::catch_unwind(parent);
    match result {
        Ok(()) => {
            println!("test killed_run_leaves_valid_partial_reports ... ok");
            println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
            ExitCode::SUCCESS
        }
        Err(_) => {
            println!("test killed_run_leaves_valid_partial_reports ... FAILED");
            println!(
                "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out"
            );
            ExitCode::FAILURE
        }
    }
}

/// The run to be killed: writes scenarios with plenty of observations (so each rewrite takes a
/// while and the kill is likely to land inside one) until killed or after a bounded number.
fn child(dir: &Path) {
    let mut writer = ReportWriter::create(dir, common::meta("killed")).expect("create writer");
    let base = common::run_scenarios();
    for n in 0..2000 {
        let mut scenario = base[n % base.len()].clone();
        scenario.name = format!("{} #{n}", scenario.name);
        scenario.id = format!("{}-{n}", scenario.id);
        writer.scenario_finished(scenario).expect("write scenario");
    }
}

fn read_report(path: &Path) -> Option<Report> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("torn report.json ({e}): {} bytes", text.len())),
    )
}

fn parent() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg(CHILD_FLAG)
        .arg(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn the child run");
    let report_path = dir.path().join("killed").join("report.json");
    let started = Instant::now();
    // Read the files while the child rewrites them: every read must parse.
    let mut reads = 0;
    loop {
        if let Some(report) = read_report(&report_path) {
            reads += 1;
            if report.scenarios.len() >= 12 {
                break;
            }
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("the child wrote fewer than 12 scenarios in {DEADLINE:?}");
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child ended before it was killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // std's Child::kill sends SIGKILL on Unix: no destructor, no flush, no finish.
    child.kill().expect("SIGKILL the child");
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the child was killed, not finished: {status}"
    );

    let report = read_report(&report_path).expect("report.json is there after the kill");
    assert!(!report.complete, "a killed run is not complete");
    assert!(report.scenarios.len() >= 12);
    assert_eq!(report.summary.total, report.scenarios.len());
    let junit = std::fs::read_to_string(dir.path().join("killed").join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&junit).expect("junit.xml is well-formed after the kill");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    // junit.xml is written just after report.json, so it may hold the one scenario less.
    assert!(
        cases == report.scenarios.len() || cases + 1 == report.scenarios.len(),
        "junit.xml has {cases} cases, report.json {}",
        report.scenarios.len()
    );
    assert_eq!(
        std::fs::read_link(dir.path().join(LATEST_LINK)).unwrap(),
        Path::new("killed")
    );
    // Every observations file report.json names was complete before report.json named it.
    let loaded = load_report(&dir.path().join("killed")).expect("observation files readable");
    assert!(loaded.scenarios.iter().any(|s| !s.observations.is_empty()));
    eprintln!(
        "killed after {} scenarios; {reads} reads during the run all parsed",
        report.scenarios.len()
    );
}

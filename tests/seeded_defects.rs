//! Proof that the suite fails a wrong charger: for each seeded firmware defect, run the
//! scenarios of its area against the emulated firmware with `--seed-defect NAME` and check that
//! the expected scenarios fail with a message that names the misbehaviour. A clean control run of
//! the same scenarios must not show those messages, so a catch is the defect's doing.
//!
//! The verdicts come from report.json, never from the exit status alone: a scenario listed in
//! the rig's `[dut.known_failures]` fails without failing the run, and must still count.
//! The end-of-line cases run `features/eol` on the EOL station rig and check the failing check
//! in the unit's database and in the report.
//!
//! The table of defects is in features/SEEDED_DEFECTS.md; keep both in step.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;
use workspace_tests::{run_harness, workspace_root};

/// Harness runs at once (each runs a simulator and a firmware; the CI machine has 2 cores).
const WORKERS: usize = 3;

/// One expected catch: a scenario with `tag` fails and its failure says `says`.
#[derive(Clone, Copy)]
struct Catch {
    tag: &'static str,
    says: &'static str,
}

/// One harness run and the catches it must show.
struct Case {
    /// The seeded defect; `None` for a clean control run.
    defect: Option<&'static str>,
    rig: &'static str,
    features: &'static str,
    /// `--tags` expression selecting the scenarios of the defect's area.
    tags: Option<&'static str>,
    catches: Vec<Catch>,
    /// End-of-line run: failing measurements (or checks) whose names contain these must be in
    /// the unit's database (and must not be, in a clean control run).
    eol_failed_checks: Vec<&'static str>,
}

const fn catch(tag: &'static str, says: &'static str) -> Catch {
    Catch { tag, says }
}

/// A suite run with one defect on the given rig.
fn suite(defect: &'static str, rig: &'static str, tags: &'static str, catches: &[Catch]) -> Case {
    Case {
        defect: Some(defect),
        rig,
        features: "features/",
        tags: Some(tags),
        catches: catches.to_vec(),
        eol_failed_checks: Vec::new(),
    }
}

/// An end-of-line run of one unit with one defect.
fn eol(defect: &'static str, stage: Catch, failed_check: &'static str) -> Case {
    Case {
        defect: Some(defect),
        rig: "rigs/eol-station.toml",
        features: "features/eol",
        tags: None,
        catches: vec![stage],
        eol_failed_checks: vec![failed_check],
    }
}

const EMULATED: &str = "rigs/emulated.toml";
const SOCKET: &str = "rigs/emulated-socket.toml";

fn suite_cases() -> Vec<Case> {
    vec![
        suite(
            "slow-contactor-open",
            EMULATED,
            "@iec.contactor-open-100ms",
            &[catch(
                "@iec.contactor-open-100ms",
                "expected the contactor to open within 100 ms",
            )],
        ),
        suite(
            "duty-two-points-high",
            EMULATED,
            "@iec.duty-cycle",
            &[catch("@iec.duty-cycle", "PWM 1000 Hz 28.7 %")],
        ),
        suite(
            "pp-13a-read-as-20a",
            SOCKET,
            "@iec.pp-coding",
            &[catch(
                "@iec.pp-coding",
                "expected a duty cycle of 21.7 % (± 0.5 %, 13 A)",
            )],
        ),
        suite(
            "cable-limit-ignored",
            SOCKET,
            "@load.cable",
            &[catch(
                "@load.cable",
                "expected a duty cycle of 21.7 % (± 0.5 %, 13 A)",
            )],
        ),
        suite(
            "installation-max-ignored",
            EMULATED,
            "@load.installation-max",
            &[catch(
                "@load.installation-max",
                "expected a duty cycle of 16.7 % (± 0.5 %, 10 A)",
            )],
        ),
        suite(
            "pin-lockout-never",
            EMULATED,
            "@ui.lockout",
            &[catch(
                "@ui.lockout",
                "expected the interface to refuse with 429 saying \"too many wrong PINs\"",
            )],
        ),
        suite(
            "rcm-trips-at-12ma",
            EMULATED,
            "@rcd.trip-6ma",
            &[catch(
                "@rcd.trip-6ma",
                "expected the contactor to open within 10000 ms",
            )],
        ),
        suite(
            "cp-pe-short-ignored",
            EMULATED,
            "@iec.cp-pe-short",
            &[catch("@iec.cp-pe-short", "supply still on")],
        ),
        suite(
            "rfid-reader-dead",
            EMULATED,
            "@TC_003_CS or @rfid.unknown",
            &[
                catch("@TC_003_CS", "no Authorize arrived"),
                catch("@rfid.unknown", "no Authorize arrived"),
            ],
        ),
        suite(
            "uid-truncated-to-4-bytes",
            EMULATED,
            "@rfid.uid-length",
            &[catch(
                "@rfid.uid-length",
                "idTag is \"04A2B3C4\", expected \"04A2B3C4D5E6F7\"",
            )],
        ),
        suite(
            "status-preparing-never-sent",
            EMULATED,
            "@TC_010_CS",
            &[catch(
                "@TC_010_CS",
                "with status Preparing; no StatusNotification arrived",
            )],
        ),
        suite(
            "stop-reason-always-local",
            EMULATED,
            "@TC_012_CS",
            &[catch(
                "@TC_012_CS",
                "reason is \"Local\", expected \"Remote\"",
            )],
        ),
        suite(
            "offline-queue-lost-on-reboot",
            EMULATED,
            "@ocpp16.offline-power-cut",
            &[catch("@ocpp16.offline-power-cut", "no MeterValues arrived")],
        ),
        suite(
            "meter-values-newest-first",
            EMULATED,
            "@TC_036_CS",
            &[catch("@TC_036_CS", "expected MeterValues timestamps")],
        ),
        suite(
            "l2-current-3-percent-high",
            EMULATED,
            "@metering.phases",
            &[catch(
                "@metering.phases",
                "expected the charger's Current.Import on L2 within 1 %",
            )],
        ),
        suite(
            "energy-3-percent-fast",
            EMULATED,
            "@metering.energy",
            // The figure itself varies by a few hundredths of a percent from run to run.
            &[catch(
                "@metering.energy",
                "against the analyser, limit ±1 %",
            )],
        ),
        suite(
            "heartbeat-interval-ignored",
            EMULATED,
            "@TC_001_CS",
            &[catch("@TC_001_CS", "no Heartbeat arrived")],
        ),
        suite(
            "unknown-config-key-accepted",
            EMULATED,
            "@TC_040_1_CS",
            &[catch(
                "@TC_040_1_CS",
                "with status NotSupported; got CALLRESULT {\"status\":\"Accepted\"}",
            )],
        ),
        suite(
            "boot-retried-early",
            EMULATED,
            "@TC_002_CS",
            &[catch(
                "@TC_002_CS",
                "expected the next BootNotification between 6 s and 20 s",
            )],
        ),
        suite(
            "local-list-version-not-updated",
            EMULATED,
            "@TC_043_CS",
            &[catch(
                "@TC_043_CS",
                "GetLocalListVersion with listVersion 2; got CALLRESULT {\"listVersion\":0}",
            )],
        ),
        suite(
            "reservation-never-expires",
            EMULATED,
            "@TC_047_CS",
            &[catch(
                "@TC_047_CS",
                "with status Available; no StatusNotification arrived",
            )],
        ),
        suite(
            "tx-profile-ignored",
            EMULATED,
            "@TC_057_CS or @TC_059_CS",
            &[
                catch(
                    "@TC_057_CS",
                    "expected a duty cycle of 13.3 % (± 0.5 %, 8 A)",
                ),
                catch(
                    "@TC_059_CS",
                    "expected a duty cycle of 10.0 % (± 0.5 %, 6 A)",
                ),
            ],
        ),
    ]
}

fn eol_cases() -> Vec<Case> {
    vec![
        eol(
            "l2-current-3-percent-high",
            catch("@eol.meter", "meter Current.Import L2 error"),
            "meter Current.Import L2 error",
        ),
        eol(
            "slow-contactor-open",
            catch(
                "@eol.contactor",
                "expected the contactor to open within 100 ms",
            ),
            "contactor opening after the EV's last action",
        ),
        eol(
            "rcm-trips-at-12ma",
            catch(
                "@eol.residual-current",
                "expected the contactor to open within 10000 ms",
            ),
            "6 mA DC trips within 10 s",
        ),
        eol(
            "rfid-reader-dead",
            catch("@eol.rfid", "no Authorize arrived"),
            "The reader reads the test card",
        ),
    ]
}

/// Clean runs of every scenario the defect cases select, per rig and feature folder.
fn control_cases(cases: &[Case]) -> Vec<Case> {
    let mut controls: Vec<Case> = Vec::new();
    for case in cases {
        let existing = controls
            .iter_mut()
            .find(|c| c.rig == case.rig && c.features == case.features);
        match existing {
            Some(control) => {
                control.catches.extend(case.catches.iter().copied());
                control
                    .eol_failed_checks
                    .extend(case.eol_failed_checks.iter().copied());
            }
            None => controls.push(Case {
                defect: None,
                rig: case.rig,
                features: case.features,
                tags: None,
                catches: case.catches.clone(),
                eol_failed_checks: case.eol_failed_checks.clone(),
            }),
        }
    }
    controls
}

/// A scenario as report.json has it: its tags, verdict and everything it said on failing.
struct Outcome {
    name: String,
    tags: Vec<String>,
    failed: bool,
    said: String,
}

fn outcomes(report: &Value) -> Vec<Outcome> {
    let scenarios = report["scenarios"].as_array().cloned().unwrap_or_default();
    scenarios
        .iter()
        .map(|s| {
            let mut said: Vec<String> = Vec::new();
            said.extend(s["error"].as_str().map(str::to_string));
            for step in s["steps"].as_array().into_iter().flatten() {
                said.extend(step["error"].as_str().map(str::to_string));
            }
            for m in s["measurements"].as_array().into_iter().flatten() {
                if m["verdict"] != "passed" {
                    said.push(format!("failed measurement: {}", m["name"]));
                }
            }
            Outcome {
                name: s["name"].as_str().unwrap_or_default().to_string(),
                tags: s["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
                failed: s["verdict"]["status"] == "failed",
                said: said.join(" | "),
            }
        })
        .collect()
}

/// The report.json of the one run in `dir`.
fn read_report(dir: &Path) -> Result<Value, String> {
    let run_dir = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.join("report.json").is_file() && !p.ends_with("latest"))
        .ok_or_else(|| format!("no report.json under {}", dir.display()))?;
    let text = std::fs::read_to_string(run_dir.join("report.json")).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("report.json: {e}"))
}

/// The EOL station rig with its database in `dir`.
fn eol_rig(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(workspace_root().join("rigs/eol-station.toml")).unwrap();
    let db = dir.join("eol.sqlite");
    let rig: Vec<String> = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("database") {
                format!("database = {:?}", db.display().to_string())
            } else {
                l.to_string()
            }
        })
        .collect();
    let path = dir.join("eol-station.toml");
    std::fs::write(&path, rig.join("\n")).unwrap();
    (path, db)
}

/// The names of the failing measurements and checks stored for the unit's run.
fn eol_failed_checks(db: &Path) -> Result<Vec<String>, String> {
    let conn = rusqlite::Connection::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    let mut stmt = conn
        .prepare("SELECT name FROM measurements WHERE verdict = 'FAIL'")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// Runs one case; returns what went wrong (empty = as expected).
fn run_case(case: &Case) -> Vec<String> {
    let label = case.defect.unwrap_or("clean control run");
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let mut args: Vec<String> = vec![case.features.into()];
    let db = if case.features == "features/eol" {
        let (rig, db) = eol_rig(dir.path());
        args.extend(["--rig".into(), rig.display().to_string()]);
        args.extend(["--unit-serial".into(), "130577-009001".into()]);
        Some(db)
    } else {
        args.extend(["--rig".into(), case.rig.into()]);
        None
    };
    let tags = match (case.tags, case.defect) {
        (Some(t), _) => Some(t.to_string()),
        // The control run selects every tag its defect runs selected.
        (None, None) if case.features != "features/eol" => Some(
            case.catches
                .iter()
                .map(|c| c.tag)
                .collect::<Vec<_>>()
                .join(" or "),
        ),
        _ => None,
    };
    if let Some(t) = &tags {
        args.extend(["--tags".into(), t.clone()]);
    }
    if let Some(d) = case.defect {
        args.extend(["--seed-defect".into(), d.into()]);
    }
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_harness(&arg_refs, &reports);
    let report = match read_report(&reports) {
        Ok(r) => r,
        Err(e) => return vec![format!("{label}: {e}\n{}", run.output())],
    };
    let mut problems = Vec::new();
    let recorded: Vec<String> = report["meta"]["seeded_defects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    let expected: Vec<String> = case.defect.iter().map(|d| d.to_string()).collect();
    if recorded != expected {
        problems.push(format!(
            "{label}: report.json meta.seeded_defects is {recorded:?}, expected {expected:?}"
        ));
    }
    let scenarios = outcomes(&report);
    for c in &case.catches {
        let tagged: Vec<&Outcome> = scenarios
            .iter()
            .filter(|s| s.tags.iter().any(|t| t == c.tag))
            .collect();
        let caught = tagged.iter().any(|s| s.failed && s.said.contains(c.says));
        match (case.defect.is_some(), caught) {
            (true, false) => {
                let seen: Vec<String> = tagged
                    .iter()
                    .map(|s| {
                        format!(
                            "{} [{}] {}",
                            s.name,
                            if s.failed { "failed" } else { "passed/not run" },
                            s.said
                        )
                    })
                    .collect();
                problems.push(format!(
                    "defect {label} NOT CAUGHT by {}: expected a failed scenario saying {:?}; saw {}",
                    c.tag,
                    c.says,
                    if seen.is_empty() {
                        "no such scenario".to_string()
                    } else {
                        seen.join("; ")
                    }
                ));
            }
            (false, true) => problems.push(format!(
                "clean firmware on {} already fails {} saying {:?}: the catch would not be the defect's",
                case.rig, c.tag, c.says
            )),
            _ => {}
        }
    }
    if let Some(db) = &db {
        match eol_failed_checks(db) {
            Ok(failed) => {
                for check in &case.eol_failed_checks {
                    let hit = failed.iter().any(|n| n.contains(check));
                    if case.defect.is_some() && !hit {
                        problems.push(format!(
                        "defect {label} NOT CAUGHT at the EOL check {check:?}: failing checks in the database: {failed:?}"
                    ));
                    }
                    if case.defect.is_none() && hit {
                        problems.push(format!(
                            "clean unit already fails the EOL check {check:?}: {failed:?}"
                        ));
                    }
                }
            }
            Err(e) => problems.push(format!("{label}: EOL database: {e}")),
        }
    }
    problems
}

/// Runs the cases `WORKERS` at a time and gathers every problem.
fn run_all(cases: &[Case]) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let problems = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let found = run_case(case);
                problems.lock().unwrap().extend(found);
            });
        }
    });
    problems.into_inner().unwrap()
}

#[test]
fn every_seeded_defect_is_caught_by_its_scenarios() {
    let mut cases = suite_cases();
    cases.extend(eol_cases());
    // One clean EOL run covers every EOL check; the suite controls cover each rig.
    let controls = control_cases(&cases);
    cases.extend(controls);
    let problems = run_all(&cases);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn seeding_is_refused_on_a_non_emulated_rig() {
    let reports = tempfile::tempdir().unwrap();
    let run = run_harness(
        &[
            "features/",
            "--rig",
            "rigs/bench.example.toml",
            "--seed-defect",
            "slow-contactor-open",
        ],
        reports.path(),
    );
    assert_eq!(run.code, Some(2), "{}", run.output());
    assert!(
        run.stderr.contains("--seed-defect") && run.stderr.contains("emulated"),
        "{}",
        run.output()
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.output());
}

#[test]
fn an_unknown_defect_is_refused_with_the_known_names() {
    let reports = tempfile::tempdir().unwrap();
    let run = run_harness(
        &["features/", "--seed-defect", "no-such-defect"],
        reports.path(),
    );
    assert_eq!(run.code, Some(2), "{}", run.output());
    assert!(
        run.stderr.contains("no-such-defect") && run.stderr.contains("stop-reason-always-local"),
        "{}",
        run.output()
    );
}

#[test]
fn seeding_is_refused_for_a_custom_firmware_command() {
    let dir = tempfile::tempdir().unwrap();
    let rig = std::fs::read_to_string(workspace_root().join("rigs/emulated.toml")).unwrap();
    let rig = rig.replacen(
        "[dut]\n",
        "[dut]\ncommand = [\"/usr/local/bin/other-firmware\", \"--board\", \"{board}\"]\n",
        1,
    );
    assert!(
        rig.contains("other-firmware"),
        "rigs/emulated.toml has no [dut] line"
    );
    let path = dir.path().join("custom.toml");
    std::fs::write(&path, rig).unwrap();
    let run = run_harness(
        &[
            "features/",
            "--rig",
            path.to_str().unwrap(),
            "--seed-defect",
            "slow-contactor-open",
        ],
        &dir.path().join("reports"),
    );
    assert_eq!(run.code, Some(2), "{}", run.output());
    assert!(
        run.stderr.contains("[dut] command") && run.stderr.contains("slow-contactor-open"),
        "{}",
        run.output()
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.output());
}

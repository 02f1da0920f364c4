//! The run's reports through the `conformance-report` crate: one [`RunReport`] per run, shared by
//! the `after` hook (which knows the World: measurements, plugin records, the OCPP trace) and the
//! event writer in `report_events` (which knows the steps and their outcomes). The hook leaves
//! its part under the scenario's key; the writer picks it up when cucumber says the scenario
//! finished (cucumber emits that event only after the `after` hook ran).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard};

use conformance_report::{
    DutIdentity, Measurement, Observations, Progress, ReportWriter, RunMeta, Scenario, Summary,
};
use cucumber::gherkin::{Feature, Scenario as GherkinScenario};
use plugin_api::Observation;

use crate::plugin_host::CallError;
use crate::rig::{Instrument, Rig};

/// Identifies one scenario (one example row of an outline) within a run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScenarioKey {
    pub feature_path: String,
    pub line: usize,
    pub name: String,
}

impl ScenarioKey {
    pub fn of(feature: &Feature, scenario: &GherkinScenario) -> ScenarioKey {
        ScenarioKey {
            feature_path: feature_path(feature),
            line: scenario.position.line,
            name: scenario.name.clone(),
        }
    }

    /// The report's id for the scenario (also its trace file's stem).
    pub fn id(&self) -> String {
        conformance_report::scenario_id(&self.feature_path, &self.name, self.line as u32)
    }
}

/// The feature's file as given on the command line, or its name for a feature without a file.
pub fn feature_path(feature: &Feature) -> String {
    feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| feature.name.clone())
}

/// What only the World and the rig know about a finished scenario.
#[derive(Debug, Default)]
pub struct ScenarioExtras {
    pub measurements: Vec<Measurement>,
    pub observations: Observations,
    /// `traces/<id>.jsonl`, relative to the run folder.
    pub trace: Option<String>,
    /// Problems collecting the records (a plugin that could not be drained, a trace not written).
    pub record_errors: Vec<String>,
}

struct State {
    /// `None` once the run finished.
    writer: Option<ReportWriter>,
    progress: Progress,
    extras: HashMap<ScenarioKey, ScenarioExtras>,
}

/// The run's report, shared between the hooks, the event writer and the Ctrl-C handler.
pub struct RunReport {
    run_dir: PathBuf,
    state: Mutex<State>,
}

impl std::fmt::Debug for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunReport")
            .field("run_dir", &self.run_dir)
            .finish()
    }
}

impl RunReport {
    /// Creates `<report_dir>/<run id>/` with empty reports and the `latest` link.
    pub fn create(
        report_dir: &Path,
        rig: &Rig,
        total: Option<usize>,
    ) -> Result<Arc<RunReport>, String> {
        let started = chrono::Utc::now();
        let meta = RunMeta {
            run_id: conformance_report::run_id_for(started),
            rig: rig.name.clone(),
            dut: DutIdentity {
                charge_point_id: Some(rig.dut.charge_point_id.clone()),
                serial: rig.dut.serial.clone(),
                product_number: rig.dut.product_number.clone(),
            },
            firmware_version: None,
            git_revision: git_revision(),
            harness_version: env!("CARGO_PKG_VERSION").to_string(),
            started,
            ended: None,
            seeded_defects: rig.dut.seeded_defects.clone(),
        };
        let writer = ReportWriter::create(report_dir, meta).map_err(|e| e.to_string())?;
        Ok(Arc::new(RunReport {
            run_dir: writer.run_dir().to_path_buf(),
            state: Mutex::new(State {
                writer: Some(writer),
                progress: Progress::new(total),
                extras: HashMap::new(),
            }),
        }))
    }

    /// `<report dir>/<run id>`.
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// Where a scenario's process logs are kept.
    pub fn logs_dir(&self, key: &ScenarioKey) -> PathBuf {
        self.run_dir
            .join("logs")
            .join(conformance_report::file_safe(&key.id()))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every update is one call).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The `after` hook's part: measurements, plot series and the OCPP trace from the drained
    /// plugin records. Also takes the firmware version from the first BootNotification seen.
    pub fn record_world(
        &self,
        key: ScenarioKey,
        measurements: Vec<Measurement>,
        drained: BTreeMap<Instrument, Result<Vec<Observation>, CallError>>,
    ) {
        let mut extras = ScenarioExtras {
            measurements,
            ..ScenarioExtras::default()
        };
        let mut all: Vec<&Observation> = Vec::new();
        for (instrument, result) in &drained {
            match result {
                Ok(observations) => all.extend(observations),
                Err(e) => extras.record_errors.push(format!(
                    "the [{}] plugin's record could not be drained: {e}",
                    instrument.section()
                )),
            }
        }
        extras.observations = conformance_report::observations_from_records(
            all.iter().map(|o| (o.t_us, o.kind.as_str(), &o.data)),
        );
        let frames: Vec<serde_json::Value> = match drained.get(&Instrument::Csms) {
            Some(Ok(observations)) => observations.iter().map(trace_line).collect(),
            _ => Vec::new(),
        };
        let boot = frames.iter().find_map(boot_identity);
        let mut state = self.lock();
        if let Some(writer) = state.writer.as_mut() {
            if !frames.is_empty() {
                match writer.write_trace(&key.id(), &frames) {
                    Ok(path) => extras.trace = Some(path),
                    Err(e) => extras
                        .record_errors
                        .push(format!("the OCPP trace was not written: {e}")),
                }
            }
            if let Some((version, serial)) = boot {
                let meta = writer.meta_mut();
                if meta.firmware_version.is_none() {
                    meta.firmware_version = version;
                }
                if meta.dut.serial.is_none() {
                    meta.dut.serial = serial;
                }
            }
        }
        state.extras.insert(key, extras);
    }

    /// The event writer's part: completes the scenario with the hook's part, judges it, writes
    /// the reports and prints the progress line.
    pub fn scenario_finished(&self, key: &ScenarioKey, mut scenario: Scenario) {
        let mut state = self.lock();
        if let Some(extras) = state.extras.remove(key) {
            scenario.measurements = extras.measurements;
            scenario.observations = extras.observations;
            scenario.trace = extras.trace;
            if !extras.record_errors.is_empty() {
                // Not a verdict on the charger, so it only annotates a scenario that failed.
                let note = extras.record_errors.join("; ");
                scenario.error = Some(match scenario.error.take() {
                    Some(error) => format!("{error} ({note})"),
                    None if scenario.verdict == conformance_report::Verdict::Failed => note,
                    None => {
                        eprintln!("warning: scenario `{}`: {note}", scenario.name);
                        String::new()
                    }
                })
                .filter(|e| !e.is_empty());
            }
        }
        scenario.judge();
        if let Some(context) = super::context::current() {
            mark_known_failure(&context.rig.dut.known_failures, &mut scenario);
        }
        state
            .progress
            .record(&scenario.verdict, scenario.duration_s);
        // A rig that cannot start is a configuration error: its one-line message says it all.
        let config_error =
            super::context::current().is_some_and(|c| c.pool.config_error().is_some());
        if !config_error {
            state.progress.print();
        }
        if let Some(writer) = state.writer.as_mut() {
            if let Err(e) = writer.scenario_finished(scenario) {
                eprintln!("warning: report not updated: {e}");
            }
        }
    }

    /// Rebuilds `report.html` for what finished so far (Ctrl-C).
    pub fn write_html_now(&self) -> Option<PathBuf> {
        let state = self.lock();
        let writer = state.writer.as_ref()?;
        match writer.write_html_now() {
            Ok(path) => Some(path),
            Err(e) => {
                eprintln!("warning: report.html not written: {e}");
                None
            }
        }
    }

    /// Writes the final reports; the summary of the run.
    pub fn finish(&self) -> Result<Summary, String> {
        let mut state = self.lock();
        state.progress.finish_line();
        let writer = state
            .writer
            .take()
            .ok_or("the report was already finished")?;
        writer.finish().map_err(|e| e.to_string())
    }
}

/// Notes the rig's reason on a failed scenario whose tag is a known failure of the DUT, and
/// says so when such a scenario passed (its entry is out of date).
fn mark_known_failure(known: &std::collections::BTreeMap<String, String>, scenario: &mut Scenario) {
    let reason = scenario
        .tags
        .iter()
        .find_map(|tag| known.get(tag.trim_start_matches('@')));
    match (&scenario.verdict, reason) {
        (conformance_report::Verdict::Failed, Some(reason)) => {
            scenario.known_failure = Some(reason.clone());
        }
        (conformance_report::Verdict::Passed, Some(_)) => eprintln!(
            "note: scenario `{}` passed although the rig lists it as a known failure; remove it from [dut] known_failures",
            scenario.name
        ),
        _ => {}
    }
}

/// One line of `traces/<id>.jsonl`: the recorded frame (timestamps, direction, validation
/// result), or a connection event with its kind.
fn trace_line(observation: &Observation) -> serde_json::Value {
    match &observation.data {
        serde_json::Value::Object(fields) if observation.kind == "ocpp_frame" => {
            serde_json::Value::Object(fields.clone())
        }
        data => serde_json::json!({
            "t_us": observation.t_us,
            "event": observation.kind,
            "data": data,
        }),
    }
}

/// `firmwareVersion` and `chargePointSerialNumber` of a BootNotification the charger sent.
fn boot_identity(frame: &serde_json::Value) -> Option<(Option<String>, Option<String>)> {
    if frame.get("action")?.as_str()? != "BootNotification"
        || frame.get("direction")?.as_str()? != "from_charge_point"
        || frame.get("message_type")?.as_str()? != "call"
    {
        return None;
    }
    let payload = frame.get("payload")?;
    let field = |name: &str| {
        payload
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Some((field("firmwareVersion"), field("chargePointSerialNumber")))
}

/// `git rev-parse HEAD` of the working directory's checkout, if git and a checkout are there.
fn git_revision() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn boot_notification_gives_the_firmware_version_and_serial() {
        let frame = json!({"action": "BootNotification", "direction": "from_charge_point",
            "message_type": "call", "payload": {"firmwareVersion": "1.2.3",
            "chargePointSerialNumber": "EMU1"}});
        assert_eq!(
            boot_identity(&frame),
            Some((Some("1.2.3".to_string()), Some("EMU1".to_string())))
        );
        let answer = json!({"action": "BootNotification", "direction": "to_charge_point",
            "message_type": "call_result", "payload": {"status": "Accepted"}});
        assert_eq!(boot_identity(&answer), None);
    }

    #[test]
    fn trace_lines_keep_frames_and_tag_events() {
        let frame = Observation {
            t_us: 5,
            kind: "ocpp_frame".into(),
            data: json!({"seq": 1, "t_us": 5, "violations": []}),
        };
        assert_eq!(
            trace_line(&frame),
            json!({"seq": 1, "t_us": 5, "violations": []})
        );
        let event = Observation {
            t_us: 7,
            kind: "connection_closed".into(),
            data: json!({"charge_point": "CP"}),
        };
        assert_eq!(
            trace_line(&event),
            json!({"t_us": 7, "event": "connection_closed", "data": {"charge_point": "CP"}})
        );
    }
}

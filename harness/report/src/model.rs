//! The report's data model: what `report.json` holds, field by field.
//!
//! Every type here is documented in `harness/REPORT_FORMAT.md`; keep the two in step.
//! Times of day are UTC (RFC 3339 in JSON); durations are seconds as floating point numbers;
//! observation times are Unix epoch microseconds, as the plugins record them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The format tag written into `report.json`, bumped on an incompatible change.
pub const REPORT_FORMAT: &str = "conformance-report/1";

/// The whole of `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_FORMAT`].
    pub format: String,
    /// `false` while the run goes on (or if it was killed); `true` once the writer finished.
    pub complete: bool,
    pub meta: RunMeta,
    pub summary: Summary,
    /// In the order the scenarios finished.
    pub scenarios: Vec<Scenario>,
}

/// What identifies a run: where, against what, with which software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// Also the name of the run's folder under the reports folder.
    pub run_id: String,
    /// The rig's name (from the rig file).
    pub rig: String,
    pub dut: DutIdentity,
    /// As the DUT reports it (BootNotification firmwareVersion), if known.
    pub firmware_version: Option<String>,
    /// `git describe`/commit of the harness checkout, if known.
    pub git_revision: Option<String>,
    pub harness_version: String,
    pub started: DateTime<Utc>,
    /// Set when the run finished; absent in a partial report.
    pub ended: Option<DateTime<Utc>>,
    /// Defects deliberately seeded into an emulated firmware (`--seed-defect`): such a run
    /// proves the suite, it is never a clean run of a charger. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seeded_defects: Vec<String>,
}

/// The charger under test.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DutIdentity {
    /// OCPP charge point identity (the last path segment of its CSMS URL).
    pub charge_point_id: Option<String>,
    pub serial: Option<String>,
    pub product_number: Option<String>,
}

/// Counts over the scenarios written so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Not run (skipped with a reason).
    pub skipped: usize,
    /// Of the failed, those the rig lists as known failures of the DUT.
    #[serde(default)]
    pub known_failures: usize,
    /// Sum of the scenarios' durations, seconds.
    pub duration_s: f64,
}

impl Summary {
    /// Counts over `scenarios`.
    pub fn of(scenarios: &[Scenario]) -> Summary {
        let mut summary = Summary::default();
        for scenario in scenarios {
            summary.add(&scenario.verdict, scenario.duration_s);
            if scenario.verdict == Verdict::Failed && scenario.known_failure.is_some() {
                summary.known_failures += 1;
            }
        }
        summary
    }

    /// Counts one more scenario.
    pub fn add(&mut self, verdict: &Verdict, duration_s: f64) {
        self.total += 1;
        self.duration_s += duration_s;
        match verdict {
            Verdict::Passed => self.passed += 1,
            Verdict::Failed => self.failed += 1,
            Verdict::Skipped { .. } => self.skipped += 1,
        }
    }

    /// True when nothing failed. Skipped scenarios do not fail a run by themselves.
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

/// One scenario (or one example row of a scenario outline) as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable id, see [`crate::scenario_id`]; also the trace file's stem.
    pub id: String,
    pub feature_name: String,
    /// Path of the `.feature` file as given on the command line (relative if it was).
    pub feature_path: String,
    pub name: String,
    /// Line of the scenario (or of the example row) in the feature file.
    pub line: u32,
    /// All tags that apply, the feature's included, with their `@`.
    pub tags: Vec<String>,
    pub verdict: Verdict,
    /// Why it failed when no single step did (e.g. an OCPP frame broke the schema), if so.
    pub error: Option<String>,
    pub started: DateTime<Utc>,
    pub duration_s: f64,
    pub steps: Vec<Step>,
    pub measurements: Vec<Measurement>,
    /// Path of the OCPP trace relative to the run folder (`traces/<id>.jsonl`), if one was written.
    pub trace: Option<String>,
    /// Path of this scenario's plot series relative to the run folder
    /// (`observations/<id>.json`, an [`Observations`] object), when it recorded any. The writer
    /// sets it; the series live in that file, written once, so that rewriting `report.json`
    /// after every scenario stays cheap however long the run.
    #[serde(default)]
    pub observations_file: Option<String>,
    /// Time series for the plots. Not inline in `report.json` (see `observations_file`);
    /// [`crate::load_report`] reads them back.
    #[serde(skip)]
    pub observations: Observations,
    /// Set when the scenario failed and the rig lists one of its tags as a known failure of this
    /// DUT: the reason given there. The verdict stays `failed`; only the run's exit status
    /// forgives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_failure: Option<String>,
}

impl Scenario {
    /// A scenario about to run: id from [`crate::scenario_id`], verdict `passed` until
    /// [`Scenario::judge`] or the harness says otherwise, everything else empty.
    pub fn new(
        feature_name: impl Into<String>,
        feature_path: impl Into<String>,
        name: impl Into<String>,
        line: u32,
        tags: Vec<String>,
        started: DateTime<Utc>,
    ) -> Scenario {
        let feature_path = feature_path.into();
        let name = name.into();
        Scenario {
            id: crate::scenario_id(&feature_path, &name, line),
            feature_name: feature_name.into(),
            feature_path,
            name,
            line,
            tags,
            verdict: Verdict::Passed,
            error: None,
            started,
            duration_s: 0.0,
            steps: Vec::new(),
            measurements: Vec::new(),
            trace: None,
            observations_file: None,
            observations: Observations::default(),
            known_failure: None,
        }
    }

    /// Sets the verdict from what was recorded, unless the scenario was skipped: failed if a
    /// step failed or was undefined, if there is a scenario-level error, or if a measurement lay
    /// outside its limits (nothing passes silently); passed otherwise.
    pub fn judge(&mut self) {
        if matches!(self.verdict, Verdict::Skipped { .. }) {
            return;
        }
        let failed = self.error.is_some()
            || self
                .steps
                .iter()
                .any(|s| matches!(s.status, StepStatus::Failed | StepStatus::Undefined))
            || self
                .measurements
                .iter()
                .any(|m| m.verdict == MeasurementVerdict::Failed);
        self.verdict = if failed {
            Verdict::Failed
        } else {
            Verdict::Passed
        };
    }
}

/// The outcome of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
    /// Not run, with the reason (e.g. "rig lacks capability rfid").
    Skipped {
        reason: String,
    },
}

impl Verdict {
    /// `passed`, `failed` or `skipped`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Skipped { .. } => "skipped",
        }
    }
}

/// One step as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// `Given`, `When`, `Then`, `And`, `But` or `*`, without trailing space.
    pub keyword: String,
    pub text: String,
    pub line: u32,
    pub status: StepStatus,
    pub duration_s: f64,
    /// What was expected and what was seen, when the step failed.
    pub error: Option<String>,
}

/// The outcome of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Passed,
    Failed,
    /// Not run because an earlier step failed or the scenario was skipped.
    Skipped,
    /// No step definition matches the text (this fails the scenario).
    Undefined,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
            StepStatus::Undefined => "undefined",
        }
    }
}

/// A measured value and the limits it was judged against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// What was measured, e.g. "contactor opening after C→B".
    pub name: String,
    pub value: f64,
    /// SI unit symbol, e.g. "ms", "A", "V", "%", "Wh".
    pub unit: String,
    /// Lowest value that passes, inclusive; absent = no lower limit.
    pub low: Option<f64>,
    /// Highest value that passes, inclusive; absent = no upper limit.
    pub high: Option<f64>,
    pub verdict: MeasurementVerdict,
}

impl Measurement {
    /// A measurement judged against inclusive limits (NaN never passes).
    pub fn judged(
        name: impl Into<String>,
        value: f64,
        unit: impl Into<String>,
        low: Option<f64>,
        high: Option<f64>,
    ) -> Measurement {
        let within = !value.is_nan()
            && low.is_none_or(|low| value >= low)
            && high.is_none_or(|high| value <= high);
        Measurement {
            name: name.into(),
            value,
            unit: unit.into(),
            low,
            high,
            verdict: if within {
                MeasurementVerdict::Passed
            } else {
                MeasurementVerdict::Failed
            },
        }
    }
}

/// Whether a measurement lay within its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasurementVerdict {
    Passed,
    Failed,
}

/// The time series a scenario recorded, for the plots. Any of them may be empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    /// Control pilot as the EV emulator measured it.
    #[serde(default)]
    pub cp: Vec<CpSample>,
    /// Current drawn per phase with the current the charger offered at that time.
    #[serde(default)]
    pub phase_currents: Vec<PhaseCurrentSample>,
    /// The charger's own energy register (e.g. from its MeterValues), Wh.
    #[serde(default)]
    pub charger_energy: Vec<TimedValue>,
    /// The reference power analyser's integrated energy, Wh.
    #[serde(default)]
    pub analyser_energy: Vec<TimedValue>,
    /// Every OCPP message between charger and CSMS, in order.
    #[serde(default)]
    pub ocpp: Vec<OcppMessage>,
}

impl Observations {
    pub fn is_empty(&self) -> bool {
        self.cp.is_empty()
            && self.phase_currents.is_empty()
            && self.charger_energy.is_empty()
            && self.analyser_energy.is_empty()
            && self.ocpp.is_empty()
    }
}

/// One control pilot measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CpSample {
    /// Unix epoch microseconds.
    pub t_us: i64,
    /// Positive CP level, V (12, 9, 6, 3 for states A to D).
    pub high_v: f64,
    /// Negative CP level, V (-12 with PWM), if measured.
    pub low_v: Option<f64>,
    /// PWM duty cycle, % (100 or 0 without PWM).
    pub duty_percent: f64,
}

/// Per-phase current at one time, with the limit the charger offered then.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhaseCurrentSample {
    /// Unix epoch microseconds.
    pub t_us: i64,
    /// L1, L2, L3 current, A.
    pub current_a: [f64; 3],
    /// Current offered through the PWM duty cycle, A, if known.
    pub offered_a: Option<f64>,
}

/// A value at a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimedValue {
    /// Unix epoch microseconds.
    pub t_us: i64,
    pub value: f64,
}

/// One OCPP-J message seen on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcppMessage {
    /// Unix epoch microseconds.
    pub t_us: i64,
    pub direction: Direction,
    /// The action (for a CallResult/CallError: the action of the call it answers).
    pub action: String,
    pub kind: OcppMessageKind,
    /// False when the frame broke the OCPP 1.6 schema rules.
    #[serde(default = "default_true")]
    pub valid: bool,
}

fn default_true() -> bool {
    true
}

/// Who sent an OCPP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Charge point to CSMS.
    ToCsms,
    /// CSMS to charge point.
    ToChargePoint,
}

/// OCPP-J message type (2, 3 or 4 on the wire), or not an OCPP-J frame at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OcppMessageKind {
    Call,
    CallResult,
    CallError,
    /// Not a valid OCPP-J frame (always drawn as a violation).
    Malformed,
}

//! `junit.xml`: the JUnit XML that CI servers read (the Ant/Jenkins "junit-10" schema).
//!
//! One `<testsuite>` per feature, in the order features first finished a scenario; one
//! `<testcase>` per scenario. A failed scenario has one `<failure>` whose message names the step
//! and what was expected and seen; a scenario not run has `<skipped message=reason>`. Each suite
//! carries the run's identity as `<properties>`. Times are seconds with three decimals, as the
//! schema's pattern wants; the timestamp is UTC without a zone suffix, as the schema wants.

use crate::escape::xml;
use crate::model::{RunMeta, Scenario, StepStatus, Summary, Verdict};
use std::fmt::Write;

/// Renders the whole file.
pub fn render(meta: &RunMeta, scenarios: &[Scenario]) -> String {
    let summary = Summary::of(scenarios);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
        xml(&format!("conformance run {} on {}", meta.run_id, meta.rig)),
        summary.total,
        summary.failed,
        seconds(summary.duration_s),
    );
    for (index, feature) in group_by_feature(scenarios).iter().enumerate() {
        render_suite(&mut out, meta, index, feature);
    }
    out.push_str("</testsuites>\n");
    out
}

/// The scenarios of one feature file, in finishing order.
struct FeatureGroup<'a> {
    path: &'a str,
    name: &'a str,
    scenarios: Vec<&'a Scenario>,
}

fn group_by_feature(scenarios: &[Scenario]) -> Vec<FeatureGroup<'_>> {
    let mut groups: Vec<FeatureGroup<'_>> = Vec::new();
    for scenario in scenarios {
        match groups.iter_mut().find(|g| g.path == scenario.feature_path) {
            Some(group) => group.scenarios.push(scenario),
            None => groups.push(FeatureGroup {
                path: &scenario.feature_path,
                name: &scenario.feature_name,
                scenarios: vec![scenario],
            }),
        }
    }
    groups
}

fn render_suite(out: &mut String, meta: &RunMeta, index: usize, feature: &FeatureGroup<'_>) {
    let mut summary = Summary::default();
    for scenario in &feature.scenarios {
        summary.add(&scenario.verdict, scenario.duration_s);
    }
    let timestamp = feature
        .scenarios
        .iter()
        .map(|s| s.started)
        .min()
        .unwrap_or(meta.started)
        .format("%Y-%m-%dT%H:%M:%S");
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" id=\"{index}\" package=\"{}\" hostname=\"{}\" timestamp=\"{timestamp}\" \
         tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
        xml(feature.name),
        xml(feature.path),
        xml(&meta.rig),
        summary.total,
        summary.failed,
        summary.skipped,
        seconds(summary.duration_s),
    );
    out.push_str("    <properties>\n");
    for (name, value) in properties(meta) {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            xml(name),
            xml(&value)
        );
    }
    out.push_str("    </properties>\n");
    for scenario in &feature.scenarios {
        render_case(out, scenario);
    }
    out.push_str("  </testsuite>\n");
}

/// The run's identity as JUnit properties; unknown values are written as `unknown`.
fn properties(meta: &RunMeta) -> Vec<(&'static str, String)> {
    let known = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_string());
    vec![
        ("run_id", meta.run_id.clone()),
        ("rig", meta.rig.clone()),
        ("dut.charge_point_id", known(&meta.dut.charge_point_id)),
        ("dut.serial", known(&meta.dut.serial)),
        ("dut.product_number", known(&meta.dut.product_number)),
        ("firmware_version", known(&meta.firmware_version)),
        ("git_revision", known(&meta.git_revision)),
        ("harness_version", meta.harness_version.clone()),
    ]
}

fn render_case(out: &mut String, scenario: &Scenario) {
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\">",
        xml(&scenario.name),
        xml(&classname(&scenario.feature_path)),
        seconds(scenario.duration_s),
    );
    match &scenario.verdict {
        Verdict::Passed => {}
        Verdict::Failed => {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"ScenarioFailed\">{}</failure>",
                xml(&failure_message(scenario)),
                xml(&step_listing(scenario)),
            );
        }
        Verdict::Skipped { reason } => {
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml(reason));
        }
    }
    if !matches!(scenario.verdict, Verdict::Failed) && !scenario.steps.is_empty() {
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            xml(&step_listing(scenario))
        );
    }
    out.push_str("    </testcase>\n");
}

/// `features/ocpp16/core/boot.feature` → `features.ocpp16.core.boot`, which CI servers show as
/// a package tree.
fn classname(feature_path: &str) -> String {
    let without_ext = feature_path
        .strip_suffix(".feature")
        .unwrap_or(feature_path);
    without_ext
        .trim_start_matches("./")
        .replace(['/', '\\'], ".")
}

/// The one-line reason a scenario failed: the first failed or undefined step and its error, or
/// the scenario-level error, or the first failed measurement.
pub fn failure_message(scenario: &Scenario) -> String {
    if let Some(step) = scenario
        .steps
        .iter()
        .find(|s| matches!(s.status, StepStatus::Failed | StepStatus::Undefined))
    {
        let what = match (&step.error, step.status) {
            (Some(error), _) => error.clone(),
            (None, StepStatus::Undefined) => "no step definition matches this text".to_string(),
            (None, _) => "failed without a message".to_string(),
        };
        return format!(
            "step '{} {}' (line {}) {}: {}",
            step.keyword,
            step.text,
            step.line,
            step.status.as_str(),
            what
        );
    }
    if let Some(error) = &scenario.error {
        return error.clone();
    }
    if let Some(m) = scenario
        .measurements
        .iter()
        .find(|m| m.verdict == crate::model::MeasurementVerdict::Failed)
    {
        return format!(
            "measurement '{}' = {} {} outside {}",
            m.name,
            m.value,
            m.unit,
            crate::limits_text(m)
        );
    }
    "failed (no step, error or measurement recorded why)".to_string()
}

/// Every step with its status, and the scenario error, as plain text.
fn step_listing(scenario: &Scenario) -> String {
    let mut out = String::new();
    for step in &scenario.steps {
        let _ = writeln!(
            out,
            "[{:>9}] {} {} (line {}, {:.3} s)",
            step.status.as_str(),
            step.keyword,
            step.text,
            step.line,
            step.duration_s
        );
        if let Some(error) = &step.error {
            let _ = writeln!(out, "            {error}");
        }
    }
    if let Some(error) = &scenario.error {
        let _ = writeln!(out, "scenario: {error}");
    }
    for m in &scenario.measurements {
        let _ = writeln!(
            out,
            "measurement {}: {} {} (limits {}) {}",
            m.name,
            m.value,
            m.unit,
            crate::limits_text(m),
            if m.verdict == crate::model::MeasurementVerdict::Passed {
                "ok"
            } else {
                "OUT OF LIMITS"
            }
        );
    }
    out
}

/// Seconds with three decimals; negative or non-finite durations become 0.000.
fn seconds(s: f64) -> String {
    if s.is_finite() && s > 0.0 {
        format!("{s:.3}")
    } else {
        "0.000".to_string()
    }
}

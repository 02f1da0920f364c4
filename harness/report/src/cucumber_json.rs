//! `cucumber.json`: the Cucumber JSON format that the Cucumber ecosystem's tools read
//! (an array of features, each with `elements` = scenarios, each with `steps` and a `result`).
//!
//! Durations are nanoseconds, as that format wants. A scenario not run gets its reason in its
//! `description` and every step `skipped`; a scenario-level error (not tied to a step) is
//! reported as an extra failed `After` hook, which is how the format carries such failures.

use crate::model::{Scenario, StepStatus, Verdict};
use serde_json::{json, Value};

/// Renders the whole file.
pub fn render(scenarios: &[Scenario]) -> Value {
    let mut features: Vec<(String, String, Vec<Value>)> = Vec::new();
    for scenario in scenarios {
        let element = element(scenario);
        match features.iter_mut().find(|f| f.0 == scenario.feature_path) {
            Some(feature) => feature.2.push(element),
            None => features.push((
                scenario.feature_path.clone(),
                scenario.feature_name.clone(),
                vec![element],
            )),
        }
    }
    Value::Array(
        features
            .into_iter()
            .map(|(uri, name, elements)| {
                json!({
                    "uri": uri,
                    "id": crate::ids::file_safe(&name),
                    "keyword": "Feature",
                    "name": name,
                    "line": 1,
                    "description": "",
                    "tags": [],
                    "elements": elements,
                })
            })
            .collect(),
    )
}

fn element(scenario: &Scenario) -> Value {
    let description = match &scenario.verdict {
        Verdict::Skipped { reason } => format!("Not run: {reason}"),
        _ => String::new(),
    };
    let steps: Vec<Value> = scenario
        .steps
        .iter()
        .map(|step| {
            let mut result = json!({
                "status": step.status.as_str(),
                "duration": nanos(step.duration_s),
            });
            if let Some(error) = &step.error {
                result["error_message"] = json!(error);
            }
            json!({
                "keyword": format!("{} ", step.keyword),
                "name": step.text,
                "line": step.line,
                "result": result,
            })
        })
        .collect();
    let mut element = json!({
        "id": format!("{};{}", crate::ids::file_safe(&scenario.feature_name), scenario.id),
        "keyword": "Scenario",
        "type": "scenario",
        "name": scenario.name,
        "line": scenario.line,
        "description": description,
        "tags": scenario.tags.iter().map(|t| json!({"name": t, "line": scenario.line.saturating_sub(1).max(1)})).collect::<Vec<_>>(),
        "steps": steps,
    });
    let failed_without_step = scenario.verdict == Verdict::Failed
        && !scenario
            .steps
            .iter()
            .any(|s| matches!(s.status, StepStatus::Failed | StepStatus::Undefined));
    if failed_without_step {
        element["after"] = json!([{
            "match": {"location": "conformance checks"},
            "result": {
                "status": "failed",
                "duration": 0,
                "error_message": crate::junit::failure_message(scenario),
            },
        }]);
    }
    element
}

fn nanos(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1e9).round() as u64
    } else {
        0
    }
}

//! Per-scenario observation records, as drained from the plugins, written as JSON for the report.

use std::collections::BTreeMap;
use std::path::Path;

use cucumber::gherkin::{Feature, Scenario};
use plugin_api::Observation;

use crate::plugin_host::CallError;
use crate::rig::Instrument;

/// `<feature file stem>-L<line>-<scenario name as a slug>`: unique per scenario and example row.
pub fn scenario_folder(feature: &Feature, scenario: &Scenario) -> String {
    let stem = feature
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| slug(&feature.name));
    format!(
        "{stem}-L{}-{}",
        scenario.position.line,
        slug(&scenario.name)
    )
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// Writes `observations.json`: `{feature, scenario, rig, slot, records: {csms: [...], ev: [...]},
/// errors: {section: message}}`.
pub fn write(
    dest: &Path,
    feature: &str,
    scenario: &str,
    rig: &str,
    slot: usize,
    drained: BTreeMap<Instrument, Result<Vec<Observation>, CallError>>,
) -> Result<(), String> {
    let mut records = serde_json::Map::new();
    let mut errors = serde_json::Map::new();
    for (instrument, result) in drained {
        match result {
            Ok(observations) => {
                records.insert(
                    instrument.section().into(),
                    serde_json::to_value(observations).unwrap_or_default(),
                );
            }
            Err(e) => {
                errors.insert(instrument.section().into(), e.to_string().into());
            }
        }
    }
    let doc = serde_json::json!({
        "feature": feature, "scenario": scenario, "rig": rig, "slot": slot,
        "records": records, "errors": errors,
    });
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let file = dest.join("observations.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap_or_default())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(
            slug("Charging: start/stop (3 phases)"),
            "charging-start-stop-3-phases"
        );
    }
}

//! Loading `.feature` files before the run, so that a missing path or a malformed file is a
//! one-line error (exit 2) instead of cucumber's panic, and rewriting scenarios the rig cannot run
//! so that cucumber reports them as skipped with the reason as the step text.

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, Feature, GherkinEnv, Rule, Scenario, Step, StepType};

use crate::rig::capabilities::{self, Requirement};
use crate::rig::Rig;

/// A configuration error in the features: one line naming file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureError(pub String);

impl std::fmt::Display for FeatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FeatureError {}

/// Every `.feature` file under `paths` (files are taken as given, folders searched recursively),
/// sorted within each folder.
pub fn find_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FeatureError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            let before = files.len();
            collect_dir(path, &mut files)?;
            files[before..].sort();
        } else {
            return Err(FeatureError(format!(
                "feature path {} does not exist",
                path.display()
            )));
        }
    }
    Ok(files)
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FeatureError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        FeatureError(format!(
            "feature folder {}: cannot read: {e}",
            dir.display()
        ))
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| {
                FeatureError(format!(
                    "feature folder {}: cannot read: {e}",
                    dir.display()
                ))
            })?
            .path();
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("feature"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses one file, with Scenario Outlines expanded.
pub fn parse_file(path: &Path) -> Result<Feature, FeatureError> {
    let feature = Feature::parse_path(path, GherkinEnv::default()).map_err(|e| match e {
        gherkin::ParseFileError::Reading { source, .. } => FeatureError(format!(
            "feature file {}: cannot read: {source}",
            path.display()
        )),
        gherkin::ParseFileError::Parsing { error, source, .. } => {
            let (line, detail) = split_parse_error(&source.to_string());
            let detail = match error {
                Some(env_error) => format!("{env_error} ({detail})"),
                None => detail,
            };
            FeatureError(format!(
                "malformed feature file {}:{line}: {detail}",
                path.display()
            ))
        }
    })?;
    feature.expand_examples().map_err(|e| {
        FeatureError(format!(
            "malformed feature file {}: {}",
            path.display(),
            one_line(&e.to_string())
        ))
    })
}

/// gherkin's message is `Error at LINE:COL: {expected tokens}`.
fn split_parse_error(message: &str) -> (String, String) {
    let rest = message.strip_prefix("Error at ").unwrap_or(message);
    match rest.split_once(": ") {
        Some((pos, expected)) => {
            let line = pos.split(':').next().unwrap_or(pos).to_string();
            let col = pos.split(':').nth(1).unwrap_or("?");
            (
                line,
                format!(
                    "syntax error at column {col}, expected one of {}",
                    one_line(expected)
                ),
            )
        }
        None => ("?".to_string(), one_line(message)),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Loads every feature under `paths`; also rejects `@requires.<x>` and `@requires.dut.<x>` tags
/// naming unknown capabilities or DUT features.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Feature>, FeatureError> {
    let mut features = Vec::new();
    for file in find_files(paths)? {
        let feature = parse_file(&file)?;
        check_capability_tags(&file, &feature)?;
        features.push(feature);
    }
    Ok(features)
}

fn check_capability_tags(file: &Path, feature: &Feature) -> Result<(), FeatureError> {
    let check = |tags: &[String], line: usize| -> Result<(), FeatureError> {
        for requirement in capabilities::required_by(tags) {
            if requirement.is_known() {
                continue;
            }
            let (what, known) = match requirement {
                Requirement::Rig(_) => ("capability", capabilities::known_list()),
                Requirement::Dut(_) => ("DUT feature", capabilities::known_dut_feature_list()),
            };
            return Err(FeatureError(format!(
                "feature file {}:{line}: tag `@{}` names an unknown {what} (known: {known})",
                file.display(),
                requirement.tag(),
            )));
        }
        Ok(())
    };
    check(&feature.tags, feature.position.line)?;
    for scenario in all_scenarios(feature) {
        check(&scenario.tags, scenario.position.line)?;
    }
    for rule in &feature.rules {
        check(&rule.tags, rule.position.line)?;
    }
    Ok(())
}

fn all_scenarios(feature: &Feature) -> impl Iterator<Item = &Scenario> {
    feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()))
}

/// Why a scenario cannot run on this rig: the first requirement the rig or its DUT lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Capability(String),
    DutFeature(String),
}

impl Missing {
    /// The not-run reason as the report and the console show it.
    pub fn reason(&self, rig: &Rig) -> String {
        match self {
            Missing::Capability(cap) => format!(
                "rig \"{}\" ({}) lacks capability \"{cap}\"",
                rig.name,
                rig.path.display()
            ),
            Missing::DutFeature(feature) => format!("the DUT does not declare {feature}"),
        }
    }
}

/// The first requirement the scenario has and the rig (or its DUT) does not meet.
pub fn missing_requirement(
    rig: &Rig,
    feature: &Feature,
    rule: Option<&Rule>,
    scenario: &Scenario,
) -> Option<Missing> {
    let tags = feature
        .tags
        .iter()
        .chain(rule.into_iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter());
    capabilities::required_by(tags)
        .into_iter()
        .find_map(|requirement| match requirement {
            Requirement::Rig(cap) if !rig.has_capability(cap) => {
                Some(Missing::Capability(cap.to_string()))
            }
            Requirement::Dut(feature) if !rig.dut.declares(feature) => {
                Some(Missing::DutFeature(feature.to_string()))
            }
            _ => None,
        })
}

/// The prefix of the stand-in step's text; what follows it is the not-run reason.
pub const SKIP_STEP_PREFIX: &str = "this scenario is skipped: ";

/// The text of the stand-in step of a scenario the rig cannot run. No step definition matches
/// it, so cucumber reports it (and so the scenario) as skipped, with the reason.
pub fn skip_step_text(rig: &Rig, missing: &Missing) -> String {
    format!("{SKIP_STEP_PREFIX}{}", missing.reason(rig))
}

/// Splits each feature so that scenarios the rig cannot run go into a copy of the feature without
/// its Background (nothing of them may touch the rig) and with one stand-in step explaining why.
pub fn gate_by_capabilities(rig: &Rig, features: Vec<Feature>) -> Vec<Feature> {
    let mut out = Vec::with_capacity(features.len());
    for mut feature in features {
        let mut skipped_feature = Feature {
            background: None,
            scenarios: Vec::new(),
            rules: Vec::new(),
            ..feature.clone()
        };
        let scenarios = std::mem::take(&mut feature.scenarios);
        for scenario in scenarios {
            match missing_requirement(rig, &feature, None, &scenario) {
                Some(missing) => skipped_feature
                    .scenarios
                    .push(stand_in(rig, &missing, scenario)),
                None => feature.scenarios.push(scenario),
            }
        }
        for mut rule in std::mem::take(&mut feature.rules) {
            let scenarios = std::mem::take(&mut rule.scenarios);
            let mut skipped_rule = Rule {
                background: None,
                scenarios: Vec::new(),
                ..rule.clone()
            };
            for scenario in scenarios {
                match missing_requirement(rig, &feature, Some(&rule), &scenario) {
                    Some(missing) => skipped_rule
                        .scenarios
                        .push(stand_in(rig, &missing, scenario)),
                    None => rule.scenarios.push(scenario),
                }
            }
            if !skipped_rule.scenarios.is_empty() {
                skipped_feature.rules.push(skipped_rule);
            }
            if !rule.scenarios.is_empty() {
                feature.rules.push(rule);
            }
        }
        if !feature.scenarios.is_empty() || !feature.rules.is_empty() {
            out.push(feature);
        }
        if !skipped_feature.scenarios.is_empty() || !skipped_feature.rules.is_empty() {
            out.push(skipped_feature);
        }
    }
    out
}

fn stand_in(rig: &Rig, missing: &Missing, mut scenario: Scenario) -> Scenario {
    let position = scenario.position;
    scenario.steps = vec![Step {
        keyword: "Given ".to_string(),
        ty: StepType::Given,
        value: skip_step_text(rig, missing),
        docstring: None,
        table: None,
        span: scenario.span,
        position,
    }];
    scenario
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(text: &str) -> Feature {
        Feature::parse(text, GherkinEnv::default()).unwrap()
    }

    #[test]
    fn parse_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.feature");
        std::fs::write(
            &file,
            "Feature: x\n  Scenario: y\n    Given a\n  Oops this is not gherkin\n",
        )
        .unwrap();
        let e = load(std::slice::from_ref(&file)).unwrap_err().0;
        let expected = format!("malformed feature file {}:4: ", file.display());
        assert!(e.starts_with(&expected), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn missing_path_is_named() {
        let e = load(&[PathBuf::from("/nonexistent/features")])
            .unwrap_err()
            .0;
        assert_eq!(e, "feature path /nonexistent/features does not exist");
    }

    #[test]
    fn unknown_capability_tag_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.feature");
        std::fs::write(
            &file,
            "Feature: x\n  @requires.powercycle\n  Scenario: y\n    Given a\n",
        )
        .unwrap();
        let e = load(&[dir.path().to_path_buf()]).unwrap_err().0;
        assert!(
            e.contains("a.feature:3: tag `@requires.powercycle` names an unknown capability"),
            "{e}"
        );
    }

    #[test]
    fn scenarios_needing_a_missing_capability_become_a_skip_stand_in() {
        let rig = crate::rig::tests_support::rig_with_capabilities(&["net-cut"]);
        let f = feature(
            "Feature: x\n  Background:\n    Given b\n\n  @requires.net-cut\n  Scenario: runs\n    Given a\n\n  @requires.power-cycle\n  Scenario: skipped\n    Given a\n",
        );
        let out = gate_by_capabilities(&rig, vec![f]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].scenarios.len(), 1);
        assert!(out[0].background.is_some());
        assert!(out[1].background.is_none());
        assert_eq!(out[1].scenarios[0].name, "skipped");
        assert_eq!(out[1].scenarios[0].steps.len(), 1);
        assert!(out[1].scenarios[0].steps[0]
            .value
            .contains("lacks capability \"power-cycle\""));
    }

    #[test]
    fn scenarios_needing_an_undeclared_dut_feature_are_not_run_with_the_reason() {
        let mut rig = crate::rig::tests_support::rig_with_capabilities(&[]);
        rig.dut.features.insert("rated-32a".to_string());
        let f = feature(
            "Feature: x\n  @requires.dut.rated-32a\n  Scenario: runs\n    Given a\n\n  @requires.dut.signed-firmware\n  Scenario: skipped\n    Given a\n",
        );
        let out = gate_by_capabilities(&rig, vec![f]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].scenarios[0].name, "runs");
        assert_eq!(
            out[1].scenarios[0].steps[0].value,
            "this scenario is skipped: the DUT does not declare signed-firmware"
        );
    }

    #[test]
    fn unknown_dut_feature_tag_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.feature");
        std::fs::write(
            &file,
            "Feature: x\n  @requires.dut.warp-drive\n  Scenario: y\n    Given a\n",
        )
        .unwrap();
        let e = load(&[dir.path().to_path_buf()]).unwrap_err().0;
        assert!(
            e.contains("a.feature:3: tag `@requires.dut.warp-drive` names an unknown DUT feature"),
            "{e}"
        );
    }
}

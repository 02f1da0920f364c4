//! The conformance matrix: for every OCTT charge point case and every IEC 61851-1 rule the
//! features cover, whether the run showed it passed, failed or did not run it, and why.
//!
//! Tags decide what a scenario covers: `@TC_003_CS` claims an OCTT case; `@IEC61851-1` marks an
//! IEC 61851-1 scenario, and `@iec.<rule>` (as the features write it, e.g.
//! `@iec.contactor-open-100ms`) or `@IEC61851-1:<rule>` (e.g. `@IEC61851-1:A.3.3`) names a rule
//! it checks.

use crate::model::{Scenario, Verdict};
use crate::octt::{is_octt_tag, octt_cases};
use std::collections::BTreeMap;

/// The tag that marks an IEC 61851-1 scenario; a rule tag is this, a colon and the rule.
pub const IEC_TAG: &str = "@IEC61851-1";

/// The prefix of a rule tag as the features write it: `@iec.<rule>`.
pub const IEC_RULE_PREFIX: &str = "@iec.";

/// The row id for IEC scenarios that carry no rule tag.
pub const IEC_NO_RULE: &str = "(no rule tag)";

/// The status of one row of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixStatus {
    Passed,
    Failed,
    NotRun,
}

impl MatrixStatus {
    pub fn label(self) -> &'static str {
        match self {
            MatrixStatus::Passed => "passed",
            MatrixStatus::Failed => "failed",
            MatrixStatus::NotRun => "not run",
        }
    }
}

/// One requirement (an OCTT case or an IEC rule) and what the run says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    /// OCTT id (`TC_003_CS`) or IEC rule (`A.3.3`).
    pub id: String,
    /// OCTT profile, or `IEC 61851-1`.
    pub group: String,
    /// The OCTT case's name, or the names of the scenarios covering the rule.
    pub name: String,
    pub status: MatrixStatus,
    /// Ids of the scenarios that cover it.
    pub scenarios: Vec<String>,
    /// Which scenarios failed, or why it did not run; empty when it passed.
    pub note: String,
}

/// The two tables of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ConformanceMatrix {
    /// Every case of the OCTT list in document order, then any `@TC_..._CS` tag not on the list.
    pub octt: Vec<MatrixRow>,
    /// Every IEC 61851-1 rule tagged in the features, sorted by rule.
    pub iec: Vec<MatrixRow>,
}

impl ConformanceMatrix {
    /// Builds the matrix from the scenarios of a run.
    pub fn build(scenarios: &[Scenario]) -> ConformanceMatrix {
        let mut by_octt: BTreeMap<String, Vec<&Scenario>> = BTreeMap::new();
        let mut by_rule: BTreeMap<String, Vec<&Scenario>> = BTreeMap::new();
        for scenario in scenarios {
            let mut is_iec = false;
            let mut rules = Vec::new();
            for tag in &scenario.tags {
                if is_octt_tag(tag) {
                    let id = tag.trim_start_matches('@').to_string();
                    push_once(by_octt.entry(id).or_default(), scenario);
                } else if tag == IEC_TAG {
                    is_iec = true;
                } else if let Some(rule) = rule_of(tag) {
                    is_iec = true;
                    if !rule.is_empty() && !rules.iter().any(|r| r == rule) {
                        rules.push(rule.to_string());
                    }
                }
            }
            if is_iec && rules.is_empty() {
                rules.push(IEC_NO_RULE.to_string());
            }
            for rule in rules {
                push_once(by_rule.entry(rule).or_default(), scenario);
            }
        }

        let mut octt = Vec::new();
        for case in octt_cases() {
            let covering = by_octt.remove(case.id).unwrap_or_default();
            octt.push(row(case.id, case.profile, case.name, &covering, || {
                format!(
                    "not covered: no scenario in this run is tagged @{}",
                    case.id
                )
            }));
        }
        for (id, covering) in by_octt {
            octt.push(row(
                &id,
                "not in the OCTT list",
                "(unknown id: check the tag)",
                &covering,
                String::new,
            ));
        }

        let iec = by_rule
            .iter()
            .map(|(rule, covering)| {
                let names: Vec<&str> = covering.iter().map(|s| s.name.as_str()).collect();
                row(
                    rule,
                    "IEC 61851-1",
                    &names.join("; "),
                    covering,
                    String::new,
                )
            })
            .collect();
        ConformanceMatrix { octt, iec }
    }

    /// Counts of (passed, failed, not run) over both tables.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for row in self.octt.iter().chain(&self.iec) {
            match row.status {
                MatrixStatus::Passed => counts.0 += 1,
                MatrixStatus::Failed => counts.1 += 1,
                MatrixStatus::NotRun => counts.2 += 1,
            }
        }
        counts
    }
}

/// The rule a tag names, if it is a rule tag (`@iec.<rule>` or `@IEC61851-1:<rule>`).
fn rule_of(tag: &str) -> Option<&str> {
    tag.strip_prefix(IEC_RULE_PREFIX)
        .or_else(|| tag.strip_prefix(IEC_TAG).and_then(|r| r.strip_prefix(':')))
}

fn push_once<'a>(list: &mut Vec<&'a Scenario>, scenario: &'a Scenario) {
    if !list.iter().any(|s| std::ptr::eq(*s, scenario)) {
        list.push(scenario);
    }
}

/// One row: failed if any covering scenario failed; passed if none failed and one passed;
/// otherwise not run, with the skip reasons (or `uncovered()` when nothing covers it).
fn row(
    id: &str,
    group: &str,
    name: &str,
    covering: &[&Scenario],
    uncovered: impl FnOnce() -> String,
) -> MatrixRow {
    let failed: Vec<&str> = covering
        .iter()
        .filter(|s| s.verdict == Verdict::Failed)
        .map(|s| s.name.as_str())
        .collect();
    let passed = covering
        .iter()
        .filter(|s| s.verdict == Verdict::Passed)
        .count();
    let mut skip_reasons: Vec<&str> = Vec::new();
    for scenario in covering {
        if let Verdict::Skipped { reason } = &scenario.verdict {
            if !skip_reasons.contains(&reason.as_str()) {
                skip_reasons.push(reason);
            }
        }
    }
    let (status, note) = if !failed.is_empty() {
        (
            MatrixStatus::Failed,
            format!("failed: {}", failed.join("; ")),
        )
    } else if passed > 0 {
        let note = if skip_reasons.is_empty() {
            String::new()
        } else {
            format!(
                "{} scenario(s) not run: {}",
                covering.len() - passed,
                skip_reasons.join("; ")
            )
        };
        (MatrixStatus::Passed, note)
    } else if covering.is_empty() {
        (MatrixStatus::NotRun, uncovered())
    } else {
        (MatrixStatus::NotRun, skip_reasons.join("; "))
    };
    MatrixRow {
        id: id.to_string(),
        group: group.to_string(),
        name: name.to_string(),
        status,
        scenarios: covering.iter().map(|s| s.id.clone()).collect(),
        note,
    }
}

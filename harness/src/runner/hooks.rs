//! cucumber's one `before` and one `after` hook: lease a rig instance for the scenario, and after
//! it hand the measurements and every plugin's drained record to the report, keep the process
//! logs, and tear the instance down.

use cucumber::event::ScenarioFinished;
use cucumber::gherkin::{Feature, Rule, Scenario};

use plugin_api::kinds::csms;

use super::report::ScenarioKey;
use super::world::HarnessWorld;
use crate::features::missing_requirement;
use crate::rig::pool::RigLease;
use crate::rig::Instrument;

pub async fn before(
    feature: &Feature,
    rule: Option<&Rule>,
    scenario: &Scenario,
    world: &mut HarnessWorld,
) {
    // A scenario the rig cannot run is only its stand-in step; it must not start a rig.
    if missing_requirement(&world.run.rig, feature, rule, scenario).is_some() {
        return;
    }
    match world.run.pool.acquire().await {
        Ok(lease) => world.lease = Some(lease),
        Err(e) => panic!("{e}"),
    }
}

pub async fn after(
    feature: &Feature,
    scenario: &Scenario,
    finished: &ScenarioFinished,
    world: Option<&mut HarnessWorld>,
) {
    let Some(world) = world else { return };
    let eol = world.run.eol.clone();
    let Some(lease) = world.lease.take() else {
        // Not run on this rig (a requirement it lacks), or its rig did not start.
        if let Some(eol) = &eol {
            let failure = match finished {
                ScenarioFinished::BeforeHookFailed(_) => Some("the rig instance did not start"),
                _ => None,
            };
            eol.stage_finished(&scenario.name, failure);
        }
        return;
    };
    let failure = step_failure(finished);
    let key = ScenarioKey::of(feature, scenario);
    let report = world.run.report.clone();
    let measurements = std::mem::take(&mut world.memory.measurements);
    // Checking, draining and copying call plugins and touch files: keep it off the async threads.
    let checked = tokio::task::spawn_blocking(move || {
        let violations = protocol_violations(&lease);
        let logs = report.logs_dir(&key);
        if let Ok(drained) = lease.with(|instance| instance.drain_records()) {
            report.record_world(key, measurements, drained);
        }
        // Logs are a diagnosis aid; a rig torn down by Ctrl-C has none left to keep.
        let _ = lease.with(|instance| instance.keep_logs(&logs));
        (lease, violations)
    })
    .await;
    if let Ok((lease, violations)) = checked {
        lease.release().await;
        if let Some(eol) = &eol {
            let stage_failure = failure.clone().or_else(|| violations.clone());
            eol.stage_finished(&scenario.name, stage_failure.as_deref());
            // An instrument that died leaves nothing trustworthy to measure: stop the unit's run.
            if let Some(dead) = failure.as_deref().filter(|f| f.contains(DEAD_PLUGIN)) {
                world.run.pool.close();
                eol.abort(&format!("an instrument stopped working: {dead}"));
            }
        }
        if let Some(message) = violations {
            panic!("{message}");
        }
    }
}

/// How `CallError` describes a plugin that panicked (its instance accepts only `close`).
const DEAD_PLUGIN: &str = "died in method";

/// The failing step's message, without cucumber's prefix; `None` when the scenario passed. A
/// scenario that ran on a rig and ends "skipped" has an undefined step: a failure (the
/// runner's `fail_on_skipped` fails it too).
fn step_failure(finished: &ScenarioFinished) -> Option<String> {
    let text = match finished {
        ScenarioFinished::StepPassed => return None,
        ScenarioFinished::StepSkipped => "a step of this stage is not defined".to_string(),
        ScenarioFinished::BeforeHookFailed(_) => "the rig instance did not start".to_string(),
        ScenarioFinished::StepFailed(_, _, error) => error.to_string(),
    };
    Some(
        text.strip_prefix("Step panicked. Captured output: ")
            .unwrap_or(&text)
            .to_string(),
    )
}

/// Every frame the CSMS saw is judged against OCPP 1.6; a violation fails the scenario even if
/// no step looked at that frame (the `after` hook's failure counts as the scenario's).
fn protocol_violations(lease: &RigLease) -> Option<String> {
    let csms = lease.plugin(Instrument::Csms).ok()?;
    match csms.call_blocking(&csms::Violations { after: 0 }) {
        Ok(violations) => violations.first().map(|v| {
            format!(
                "the charge point broke OCPP 1.6 {} time(s); first, frame {} ({}): {}: {}",
                violations.len(),
                v.seq,
                v.rule,
                v.message,
                v.raw
            )
        }),
        Err(e) => Some(format!(
            "cannot check the CSMS record for protocol violations: {e}"
        )),
    }
}

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
    _finished: &ScenarioFinished,
    world: Option<&mut HarnessWorld>,
) {
    let Some(world) = world else { return };
    let Some(lease) = world.lease.take() else {
        return;
    };
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
        if let Some(message) = violations {
            panic!("{message}");
        }
    }
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

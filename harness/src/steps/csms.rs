//! Steps about what the CSMS sees and does.

use cucumber::codegen::LocalBoxFuture;
use cucumber::gherkin::StepType;
use cucumber::step::Context;
use plugin_api::kinds::csms;

use super::{capture, seconds_ms, step, StepDef};
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::Then,
        pattern: r"the CSMS receives (?:a |an )?([A-Za-z]+) within (\d+(?:\.\d+)?) s",
        example: "Then the CSMS receives a BootNotification within 10 s",
        run: receives_within,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the CSMS goes offline",
        example: "When the CSMS goes offline",
        run: goes_offline,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the CSMS goes online",
        example: "When the CSMS goes online",
        run: goes_online,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the CSMS has recorded no protocol violation",
        example: "Then the CSMS has recorded no protocol violation",
        run: no_violations,
    },
];

fn receives_within(world: &mut HarnessWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        let action = capture(&ctx, 1)?.to_string();
        let timeout_ms = seconds_ms(&ctx, 2)?;
        let matcher = csms::FrameMatcher {
            action,
            payload_subset: serde_json::Value::Null,
            direction: Some(csms::Direction::FromChargePoint),
        };
        let frames = world
            .call(
                Instrument::Csms,
                csms::WaitForFrames {
                    charge_point: None,
                    matchers: vec![matcher],
                    after: world.csms_mark,
                    timeout_ms,
                },
            )
            .await?;
        // Later expectations look at frames after this one.
        world.csms_mark = frames
            .iter()
            .map(|f| f.seq)
            .max()
            .unwrap_or(world.csms_mark);
        Ok(())
    })
}

fn goes_offline(world: &mut HarnessWorld, _ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        world
            .call(Instrument::Csms, csms::GoOffline { for_ms: None })
            .await?;
        Ok(())
    })
}

fn goes_online(world: &mut HarnessWorld, _ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        world.call(Instrument::Csms, csms::GoOnline {}).await?;
        Ok(())
    })
}

fn no_violations(world: &mut HarnessWorld, _ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        let violations = world
            .call(Instrument::Csms, csms::Violations { after: 0 })
            .await?;
        match violations.first() {
            None => Ok(()),
            Some(v) => Err(format!(
                "{} protocol violation(s); the first, frame {}: {}: {} in {}",
                violations.len(),
                v.seq,
                v.rule,
                v.message,
                v.raw
            )),
        }
    })
}

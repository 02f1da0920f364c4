//! Steps about what the CSMS sees and does.

use cucumber::codegen::LocalBoxFuture;
use cucumber::gherkin::StepType;
use cucumber::step::Context;
use plugin_api::kinds::csms;

use super::{step, StepDef};
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
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

//! Steps about the rig and the charger as a whole.

use cucumber::codegen::LocalBoxFuture;
use cucumber::gherkin::StepType;
use cucumber::step::Context;
use plugin_api::kinds::csms;

use super::{step, StepDef};
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[StepDef {
    keyword: StepType::Given,
    pattern: "the charger is ready",
    example: "Given the charger is ready",
    run: charger_is_ready,
}];

/// How long a charger may take to connect to the CSMS after it reported ready.
const CONNECT_TIMEOUT_MS: u64 = 30_000;

fn charger_is_ready(world: &mut HarnessWorld, _ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        world
            .lease()?
            .with(|instance| instance.check_children())??;
        if world.run.rig.instruments.contains_key(&Instrument::Csms) {
            world
                .call(
                    Instrument::Csms,
                    csms::WaitConnected {
                        charge_point: None,
                        timeout_ms: CONNECT_TIMEOUT_MS,
                    },
                )
                .await?;
        }
        Ok(())
    })
}

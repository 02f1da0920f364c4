//! Residual current: the DC leakage the EV emulator injects, and the detector self-test the
//! simulator can break.

use cucumber::gherkin::StepType;
use plugin_api::kinds::ev_emulator as ev;

use super::power::control;
use super::support::{self, mark, step_fn};
use super::StepDef;
use crate::rig::Instrument;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::When,
        pattern: r"the EV leaks (\d+(?:\.\d+)?) mA DC residual current",
        example: "When the EV leaks 6 mA DC residual current",
        run: leaks,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: "the residual-current detector's self-test fails",
        example: "Given the residual-current detector's self-test fails",
        run: self_test_fails,
    },
];

step_fn!(leaks, |world, ctx| {
    let dc_ma = support::number(&ctx, 1)?;
    mark(world).await?;
    let ack = world
        .call(Instrument::Ev, ev::SetResidualCurrent { dc_ma })
        .await?;
    world.memory.last_ev_ack_us = Some(ack.at_us);
    Ok(())
});

step_fn!(self_test_fails, |world, ctx| {
    control(world, "RCM_SELFTEST FAIL").await.map(|_| ())
});

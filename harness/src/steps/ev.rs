//! Steps about the vehicle: plugging, states, and what the control pilot shows.

use cucumber::codegen::LocalBoxFuture;
use cucumber::gherkin::StepType;
use cucumber::step::Context;
use plugin_api::kinds::ev_emulator as ev;

use super::{capture, seconds_ms, step, StepDef};
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::When,
        pattern: "the EV plugs in with a tethered cable",
        example: "When the EV plugs in with a tethered cable",
        run: plugs_tethered,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the EV asks for state (B|C|D)",
        example: "When the EV asks for state C",
        run: asks_for_state,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the control pilot is in state (A|B|C|D|E|F) within (\d+(?:\.\d+)?) s",
        example: "Then the control pilot is in state B within 1 s",
        run: pilot_state_within,
    },
];

fn plugs_tethered(world: &mut HarnessWorld, _ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        world
            .call(
                Instrument::Ev,
                ev::Plug {
                    cable: ev::CableCoding::Tethered,
                },
            )
            .await?;
        Ok(())
    })
}

/// Parses a state letter through the kind's own serde names, so the spelling stays the API's.
fn parse_letter<T: serde::de::DeserializeOwned>(letter: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(letter.to_string()))
        .map_err(|_| format!("`{letter}` is not a state"))
}

fn asks_for_state(world: &mut HarnessWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        let state: ev::VehicleState = parse_letter(capture(&ctx, 1)?)?;
        world.call(Instrument::Ev, ev::SetState { state }).await?;
        Ok(())
    })
}

fn pilot_state_within(world: &mut HarnessWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    step(async move {
        let state: ev::CpState = parse_letter(capture(&ctx, 1)?)?;
        let timeout_ms = seconds_ms(&ctx, 2)?;
        let outcome = world
            .call(
                Instrument::Ev,
                ev::WaitFor {
                    condition: ev::PilotCondition::State { state },
                    timeout_ms,
                },
            )
            .await?;
        if outcome.met {
            return Ok(());
        }
        let s = outcome.sample;
        Err(format!(
            "expected the control pilot in state {state:?} within {timeout_ms} ms, saw state {:?} (high {:.2} V, low {:.2} V, {:.0} Hz, {:.1} %)",
            s.state, s.cp_high_v, s.cp_low_v, s.pwm_frequency_hz, s.duty_percent
        ))
    })
}

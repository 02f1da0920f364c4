//! The rig itself: mains, network, and the faults only a rig (not a vehicle) can make: lock
//! failure, contactor weld, over-temperature, meter gain error, a broken residual-current
//! self-test. The emulated rig does these through the simulator's control channel; the network
//! cut is done by the CSMS, which drops the charger's connection and refuses new ones.

use std::time::Duration;

use cucumber::gherkin::StepType;
use plugin_api::kinds::csms;

use super::sim_control::ControlLink;
use super::support::{self, mark, step_fn};
use super::StepDef;
use crate::rig::instance::PowerLoss;
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::When,
        pattern: "the charger is power cycled",
        example: "When the charger is power cycled",
        run: power_cycled,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the mains supply fails",
        example: "When the mains supply fails",
        run: mains_fails,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the mains supply returns",
        example: "When the mains supply returns",
        run: mains_returns,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the network is cut for (\d+) s",
        example: "When the network is cut for 8 s",
        run: network_cut_for,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the network is cut",
        example: "When the network is cut",
        run: network_cut,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the network is restored",
        example: "When the network is restored",
        run: network_restored,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: "the connector lock fails",
        example: "Given the connector lock fails",
        run: lock_fails,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the contactor welds",
        example: "When the contactor welds",
        run: contactor_welds,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the charger's temperature (?:rises|falls) to (-?\d+(?:\.\d+)?) °C",
        example: "When the charger's temperature rises to 80 °C",
        run: temperature,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the charger's meter reads (\d+(?:\.\d+)?) % (high|low)",
        example: "Given the charger's meter reads 3 % high",
        run: meter_gain,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"(\d+(?:\.\d+)?) s pass",
        example: "When 6 s pass",
        run: time_passes,
    },
];

/// How long the mains stays off in a power cycle.
const POWER_OFF: Duration = Duration::from_secs(2);

/// Sends one command on the simulator's control channel (opened on first use).
pub async fn control(world: &mut HarnessWorld, command: &str) -> Result<String, String> {
    let link = match world.memory.control.take() {
        Some(link) => link,
        None => {
            let path = world
                .lease()?
                .with(|i| i.sim.as_ref().and_then(|s| s.control.clone()))?
                .ok_or_else(|| {
                    format!(
                        "rig \"{}\" has no simulator control channel, so it cannot do `{command}`",
                        world.run.rig.name
                    )
                })?;
            ControlLink::open(&path)?
        }
    };
    let command = command.to_string();
    let (link, reply) = tokio::task::spawn_blocking(move || {
        let mut link = link;
        let reply = link.command(&command);
        (link, reply)
    })
    .await
    .map_err(|e| format!("rig control channel: {e}"))?;
    world.memory.control = Some(link);
    reply
}

/// Mains off: the rig's supply is switched off, and the charger's processor stops at once
/// (the emulated firmware is killed; its state folder stays) unless a backup supply keeps it up.
async fn mains_off(world: &mut HarnessWorld) -> Result<(), String> {
    control(world, "MAINS OFF").await?;
    if !world.run.rig.has_capability("backup-power") {
        world
            .lease()?
            .with_blocking(|i| i.power_off(PowerLoss::Abrupt))
            .await??;
    }
    Ok(())
}

/// Mains on: the supply returns and a charger that had stopped boots again (same stored
/// state) and is ready.
async fn mains_on(world: &mut HarnessWorld) -> Result<(), String> {
    control(world, "MAINS ON").await?;
    world
        .lease()?
        .with_blocking(|i| i.power_on())
        .await?
        .map_err(|e| format!("the charger did not come back after mains returned: {e}"))?;
    // Not ready within the patience (e.g. a failed self-test) is for the next steps to judge.
    Ok(())
}

step_fn!(power_cycled, |world, ctx| {
    mark(world).await?;
    mains_off(world).await?;
    tokio::time::sleep(POWER_OFF).await;
    mains_on(world).await
});

step_fn!(mains_fails, |world, ctx| {
    mark(world).await?;
    mains_off(world).await
});

step_fn!(mains_returns, |world, ctx| {
    mark(world).await?;
    mains_on(world).await
});

step_fn!(network_cut_for, |world, ctx| {
    let for_ms = support::number(&ctx, 1)? as u64 * 1000;
    mark(world).await?;
    world
        .call(
            Instrument::Csms,
            csms::GoOffline {
                for_ms: Some(for_ms),
            },
        )
        .await?;
    Ok(())
});

step_fn!(network_cut, |world, ctx| {
    mark(world).await?;
    world
        .call(Instrument::Csms, csms::GoOffline { for_ms: None })
        .await?;
    Ok(())
});

step_fn!(network_restored, |world, ctx| {
    mark(world).await?;
    world.call(Instrument::Csms, csms::GoOnline {}).await?;
    Ok(())
});

step_fn!(lock_fails, |world, ctx| {
    control(world, "LOCKFAIL ON").await.map(|_| ())
});

step_fn!(contactor_welds, |world, ctx| {
    mark(world).await?;
    control(world, "WELD ON").await.map(|_| ())
});

step_fn!(temperature, |world, ctx| {
    let celsius = support::number(&ctx, 1)?;
    mark(world).await?;
    control(world, &format!("TEMP {celsius}")).await.map(|_| ())
});

step_fn!(meter_gain, |world, ctx| {
    let percent = support::number(&ctx, 1)?;
    let sign = if support::capture_str(&ctx, 2)? == "low" {
        -1.0
    } else {
        1.0
    };
    control(world, &format!("METER_GAIN {}", sign * percent))
        .await
        .map(|_| ())
});

step_fn!(time_passes, |world, ctx| {
    let seconds = support::number(&ctx, 1)?;
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    Ok(())
});

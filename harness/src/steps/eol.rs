//! Factory end-of-line steps: the ready light, the pilot's level for each vehicle resistance,
//! meter load points as a share of the rated current judged by the class limits, and the
//! provisioning and factory reset through the unit's local interface. The rules live in the
//! `eol-station` crate (`eol_station::checks`); these steps fetch what the instruments see.

use std::time::{Duration, Instant};

use cucumber::gherkin::StepType;
use eol_station::checks::lights::{parse_light, parse_state};
use eol_station::checks::load_points;
use eol_station::checks::pilot_levels::{self, EmulatorAction, PilotLoad};
use eol_station::meter_class::Quantity;
use eol_station::EolConfig;
use plugin_api::kinds::ev_emulator as ev;

use super::pilot::plug_default;
use super::power::control;
use super::support::{self, mark, step_fn, text};
use super::StepDef;
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::Then,
        pattern: r"the ready light is solid white within (\d+) s",
        example: "Then the ready light is solid white within 10 s",
        run: ready_light,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the vehicle presents (open|2\.74 kΩ|882 Ω|246 Ω) on the pilot",
        example: "When the vehicle presents 2.74 kΩ on the pilot",
        run: presents,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot's positive level is (\d+(?:\.\d+)?) V",
        example: "Then the pilot's positive level is 9 V",
        run: positive_level,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the EV draws (\d+(?:\.\d+)?) % of the rated current on each phase",
        example: "Given the EV draws 10 % of the rated current on each phase",
        run: draws_share,
    },
    StepDef {
        // The next load point of the same session (the vehicle changes its own load, so the
        // pilot, which may change only every 5 s, stays as it is).
        keyword: StepType::When,
        pattern: r"the EV draws (\d+(?:\.\d+)?) % of the rated current on each phase",
        example: "When the EV draws 50 % of the rated current on each phase",
        run: draws_share,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the EV draws (\d+(?:\.\d+)?) % of the rated current per phase within (\d+) s",
        example: "Then the EV draws 50 % of the rated current per phase within 6 s",
        run: draws_share_within,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger's (Current\.Import|Voltage|Power\.Active\.Import)(?: on (L1|L2|L3))? agrees with the analyser within the class limit",
        example: "Then the charger's Voltage on L3 agrees with the analyser within the class limit",
        run: agrees_within_class,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the station provisions the unit's serial number and a new PIN",
        example: "When the station provisions the unit's serial number and a new PIN",
        run: provisions,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the unit reads back its serial number, product number and PIN",
        example: "Then the unit reads back its serial number, product number and PIN",
        run: reads_back,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the unit's firmware version is the released one",
        example: "Then the unit's firmware version is the released one",
        run: reads_back,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the station resets the unit to factory settings",
        example: "When the station resets the unit to factory settings",
        run: factory_reset,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the unit is in its shipping state",
        example: "Then the unit is in its shipping state",
        run: shipping_state,
    },
];

const POLL: Duration = Duration::from_millis(50);

/// The station's `[eol]` settings: the running station's, or the rig file's when the features
/// run without `--unit-serial` (CI of the features themselves).
fn config(world: &HarnessWorld) -> Result<EolConfig, String> {
    match &world.run.eol {
        Some(station) => Ok(station.config().clone()),
        None => EolConfig::load(&world.run.rig.path).map_err(|e| e.to_string()),
    }
}

step_fn!(ready_light, |world, ctx| {
    let timeout = Duration::from_secs(support::number(&ctx, 1)? as u64);
    let deadline = Instant::now() + timeout;
    loop {
        let state = parse_state(&control(world, "STATE?").await?);
        let seen = state
            .get("central_light")
            .cloned()
            .unwrap_or_else(|| "(not reported)".into());
        if parse_light(&seen).is_ok_and(|l| l.is_ready_white()) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "expected the central light solid white within {} s; it is {seen}",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
});

step_fn!(presents, |world, ctx| {
    let load = PilotLoad::parse(&text(&ctx, 1)?)?;
    let action = load.emulator_action()?;
    let plugged = matches!(world.memory.eol_pilot_load, Some(PilotLoad::Ohms(_)));
    mark(world).await?;
    let state = match action {
        EmulatorAction::Unplug => {
            if plugged {
                world.call(Instrument::Ev, ev::Unplug {}).await?;
            }
            None
        }
        EmulatorAction::StateB => Some(ev::VehicleState::B),
        EmulatorAction::StateC => Some(ev::VehicleState::C),
        EmulatorAction::StateD => Some(ev::VehicleState::D),
    };
    if let Some(state) = state {
        if !plugged {
            plug_default(world).await?;
        }
        let ack = world.call(Instrument::Ev, ev::SetState { state }).await?;
        world.memory.last_ev_ack_us = Some(ack.at_us);
    }
    world.memory.eol_pilot_load = Some(load);
    Ok(())
});

step_fn!(positive_level, |world, ctx| {
    let nominal = support::number(&ctx, 1)?;
    let tolerance = config(world)?.cp_level_tolerance_v;
    let load = world
        .memory
        .eol_pilot_load
        .ok_or("no vehicle load was presented on the pilot in this scenario")?;
    let m = world.call(Instrument::Ev, ev::Measure {}).await?;
    let (low, high) = pilot_levels::limits(nominal, tolerance);
    if support::measure(
        world,
        load.check_name(),
        m.cp_high_v,
        "V",
        Some(low),
        Some(high),
    ) {
        Ok(())
    } else {
        Err(format!(
            "expected the pilot's positive level at {nominal} V ± {tolerance} V; it is {:.2} V",
            m.cp_high_v
        ))
    }
});

step_fn!(draws_share, |world, ctx| {
    let percent = support::number(&ctx, 1)?;
    let config = config(world)?;
    let max_current_a = load_points::current_at(&config, percent)?;
    world
        .call(
            Instrument::Ev,
            ev::SetLoad {
                max_current_a,
                phases: config.phases,
                power_factor: 1.0,
            },
        )
        .await?;
    world.memory.ev_phases = Some(config.phases);
    world.memory.eol_load_percent = Some(percent);
    Ok(())
});

step_fn!(draws_share_within, |world, ctx| {
    let percent = support::number(&ctx, 1)?;
    let timeout = Duration::from_secs(support::number(&ctx, 2)? as u64);
    let amps = load_points::current_at(&config(world)?, percent)?;
    let tol = world.run.rig.tolerances.current_a;
    let n = world.memory.ev_phases.unwrap_or(3).clamp(1, 3) as usize;
    let deadline = Instant::now() + timeout;
    loop {
        let m = world.call(Instrument::Ev, ev::Measure {}).await?;
        let held = m.current_a[..n].iter().all(|i| (i - amps).abs() <= tol);
        if held || Instant::now() >= deadline {
            for (k, i) in m.current_a[..n].iter().enumerate() {
                support::measure(
                    world,
                    format!("vehicle current L{} at {percent} % In", k + 1),
                    *i,
                    "A",
                    Some(amps - tol),
                    Some(amps + tol),
                );
            }
            return if held {
                Ok(())
            } else {
                Err(format!(
                    "expected the EV to draw {amps:.2} A ({percent} % of the rated current, ± {tol} A) within {} s; it draws {:?} A",
                    timeout.as_secs(),
                    &m.current_a[..n]
                ))
            };
        }
        tokio::time::sleep(POLL).await;
    }
});

step_fn!(agrees_within_class, |world, ctx| {
    let measurand = text(&ctx, 1)?;
    let phase = support::optional(&ctx, 2);
    let quantity = Quantity::from_measurand(&measurand)
        .ok_or_else(|| format!("`{measurand}` is not a metered quantity"))?;
    let percent = world.memory.eol_load_percent.ok_or(
        "no load point was set in this scenario (\"the EV draws N % of the rated current\")",
    )?;
    let config = config(world)?;
    let n: Option<u8> = phase.as_deref().and_then(|p| p[1..].parse().ok());
    // `readings` compares only once the load has been steady for longer than the unit's meter
    // sample period, so one comparison is the verdict.
    let (charger, analyser) =
        super::metering::readings(world, &measurand, phase.as_deref()).await?;
    let m = load_points::judge(&config, quantity, n, percent, charger, analyser);
    let (name, value, low, high) = (m.name.clone(), m.value, m.low, m.high);
    if support::measure(world, name, value, "%", low, high) {
        Ok(())
    } else {
        Err(format!(
            "expected the charger's {measurand}{} within the class limit ±{}% at {percent} % of the rated current; charger {charger:.3}, analyser {analyser:.3} ({value:+.2} %)",
            phase.as_deref().map(|p| format!(" on {p}")).unwrap_or_default(),
            high.unwrap_or_default()
        ))
    }
});

/// The provisioning and factory reset steps need a factory channel to the unit (to write the
/// serial number and PIN) and its local interface's address; neither the rig file schema nor the
/// reference firmware offers them yet.
fn no_factory_channel(world: &HarnessWorld, what: &str) -> String {
    format!(
        "rig \"{}\": cannot {what}: the unit's factory channel (serial number and PIN writing) \
         and its local interface address are not available to the harness yet (see harness/EOL.md)",
        world.run.rig.name
    )
}

step_fn!(provisions, |world, ctx| {
    Err(no_factory_channel(
        world,
        "provision the serial number and PIN",
    ))
});

step_fn!(reads_back, |world, ctx| {
    Err(no_factory_channel(world, "read back the provisioning"))
});

step_fn!(factory_reset, |world, ctx| {
    Err(no_factory_channel(
        world,
        "reset the unit to factory settings",
    ))
});

step_fn!(shipping_state, |world, ctx| {
    Err(no_factory_channel(world, "read the unit's shipping state"))
});

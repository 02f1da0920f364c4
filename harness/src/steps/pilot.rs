//! The vehicle and the control pilot: what the EV emulator does (plug, states, load, faults) and
//! what it measures (pilot levels, PWM, supply and current at the inlet, contactor timing).

use std::time::{Duration, Instant};

use cucumber::gherkin::StepType;
use plugin_api::kinds::ev_emulator::{self as ev, CpState, PilotCondition, PilotMeasurement};

use super::support::{self, mark, step_fn, text};
use super::StepDef;
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::When,
        pattern: "the EV plugs in",
        example: "When the EV plugs in",
        run: plugs_in,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the EV plugs in with a (13|20|32|63) A cable",
        example: "When the EV plugs in with a 13 A cable",
        run: plugs_in_rated,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the EV plugs in with a cable coded (\d+(?:\.\d+)?) (?:Ω|ohm)",
        example: "When the EV plugs in with a cable coded 4700 Ω",
        run: plugs_in_coded,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the EV unplugs",
        example: "When the EV unplugs",
        run: unplugs,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the EV goes to state (B|C|D)",
        example: "When the EV goes to state C",
        run: goes_to_state,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the EV draws up to (\d+(?:\.\d+)?) A on (1|3) phases?(?: at power factor (\d(?:\.\d+)?))?",
        example: "Given the EV draws up to 16 A on 3 phases",
        run: draws_up_to,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the EV has an? (shorted diode|CP–PE short|CP-PE short|open PE)",
        example: "When the EV has a shorted diode",
        run: has_fault,
    },
    StepDef {
        keyword: StepType::When,
        pattern: "the EV's fault is cleared",
        example: "When the EV's fault is cleared",
        run: fault_cleared,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: "the EV ignores the pilot",
        example: "Given the EV ignores the pilot",
        run: ignores_pilot,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the EV follows a new offer within (\d+(?:\.\d+)?) s",
        example: "Given the EV follows a new offer within 0.2 s",
        run: follows_within,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot shows state ([A-F]) within (\d+) ms",
        example: "Then the pilot shows state B within 500 ms",
        run: shows_state,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot stays in state ([A-F]) for at least (\d+) ms",
        example: "Then the pilot stays in state F for at least 300 ms",
        run: stays_in_state,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot is a (\d+(?:\.\d+)?) Hz PWM",
        example: "Then the pilot is a 1000 Hz PWM",
        run: is_pwm,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot is steady(?: within (\d+) s)?",
        example: "Then the pilot is steady",
        run: is_steady,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the duty cycle is (\d+(?:\.\d+)?) % within (\d+) s",
        example: "Then the duty cycle is 26.7 % within 5 s",
        run: duty_is,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot offers (\d+(?:\.\d+)?) A within (\d+) s",
        example: "Then the pilot offers 16 A within 5 s",
        run: offers,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot offers the rated current within (\d+) s",
        example: "Then the pilot offers the rated current within 5 s",
        run: offers_rated,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the pilot offers at most (\d+(?:\.\d+)?) A within (\d+) s",
        example: "Then the pilot offers at most 10 A within 10 s",
        run: offers_at_most,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the duty cycle does not change for (\d+) s",
        example: "Then the duty cycle does not change for 4 s",
        run: duty_steady,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the contactor (opens|closes) within (\d+) ms after the EV's last action",
        example: "Then the contactor opens within 100 ms after the EV's last action",
        run: contactor_reaction,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the contactor opens under load within (\d+) s after the PWM stops",
        example: "Then the contactor opens under load within 6 s after the PWM stops",
        run: opens_under_load,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the contactor (opens|closes) within (\d+) s",
        example: "Then the contactor closes within 3 s",
        run: contactor_within,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the contactor stays (open|closed) for (\d+) (s|ms)",
        example: "Then the contactor stays open for 3 s",
        run: contactor_stays,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the EV draws (\d+(?:\.\d+)?) A per phase within (\d+) s",
        example: "Then the EV draws 10 A per phase within 6 s",
        run: draws,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the EV draws the rated current per phase within (\d+) s",
        example: "Then the EV draws the rated current per phase within 6 s",
        run: draws_rated,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the EV draws at most (\d+(?:\.\d+)?) A per phase within (\d+) s",
        example: "Then the EV draws at most 13.5 A per phase within 6 s",
        run: draws_at_most,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the EV draws no current within (\d+) s",
        example: "Then the EV draws no current within 1 s",
        run: draws_nothing,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the supply at the EV is (\d+(?:\.\d+)?) V per phase",
        example: "Then the supply at the EV is 230 V per phase",
        run: supply_is,
    },
];

/// Between two samples of a polled check.
const POLL: Duration = Duration::from_millis(50);
/// The supply is on above this on L1, off below `OFF_V` on every phase.
const ON_V: f64 = 100.0;
const OFF_V: f64 = 50.0;

/// The duty cycle (percent) that offers `amps` (IEC 61851-1 table A.8).
pub fn duty_for_amps(amps: f64) -> f64 {
    if amps <= 51.0 {
        amps / 0.6
    } else {
        amps / 2.5 + 64.0
    }
}

/// The current (A) a duty cycle offers; 0 when it allows no charging.
pub fn amps_for_duty(duty: f64) -> f64 {
    match duty {
        d if (8.0..10.0).contains(&d) => 6.0,
        d if (10.0..=85.0).contains(&d) => 0.6 * d,
        d if d > 85.0 && d <= 96.0 => (d - 64.0) * 2.5,
        d if d > 96.0 && d <= 97.0 => 80.0,
        _ => 0.0,
    }
}

fn describe(m: &PilotMeasurement) -> String {
    format!(
        "state {:?}, CP {:+.1} V / {:+.1} V, {}, supply {:.0}/{:.0}/{:.0} V, current {:.1}/{:.1}/{:.1} A",
        m.state,
        m.cp_high_v,
        m.cp_low_v,
        if m.pwm_frequency_hz > 0.0 {
            format!("PWM {:.0} Hz {:.1} %", m.pwm_frequency_hz, m.duty_percent)
        } else {
            "no PWM".to_string()
        },
        m.supply_v[0],
        m.supply_v[1],
        m.supply_v[2],
        m.current_a[0],
        m.current_a[1],
        m.current_a[2]
    )
}

fn state_letter(letter: &str) -> Result<CpState, String> {
    serde_json::from_value(serde_json::Value::String(letter.to_string()))
        .map_err(|_| format!("`{letter}` is not a pilot state"))
}

async fn measure_now(world: &HarnessWorld) -> Result<PilotMeasurement, String> {
    world.call(Instrument::Ev, ev::Measure {}).await
}

/// Polls the pilot until `holds` or the deadline; returns the last sample and whether it held.
async fn poll_until(
    world: &HarnessWorld,
    timeout: Duration,
    holds: impl Fn(&PilotMeasurement) -> bool,
) -> Result<(bool, PilotMeasurement), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let m = measure_now(world).await?;
        if holds(&m) {
            return Ok((true, m));
        }
        if Instant::now() >= deadline {
            return Ok((false, m));
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn remember_ack(world: &mut HarnessWorld, ack: ev::CommandAck) {
    world.memory.last_ev_ack_us = Some(ack.at_us);
}

/// Plugs the vehicle in with the rig's cable: tethered, or a 32 A plug on a socket rig.
pub async fn plug_default(world: &mut HarnessWorld) -> Result<(), String> {
    let cable = if world.run.rig.has_capability("socket") {
        ev::CableCoding::Rated { amps: 32 }
    } else {
        ev::CableCoding::Tethered
    };
    let ack = world.call(Instrument::Ev, ev::Plug { cable }).await?;
    remember_ack(world, ack).await;
    Ok(())
}

pub async fn set_state(world: &mut HarnessWorld, state: ev::VehicleState) -> Result<(), String> {
    let ack = world.call(Instrument::Ev, ev::SetState { state }).await?;
    remember_ack(world, ack).await;
    Ok(())
}

/// Waits until the supply at the inlet is on (L1 above 100 V) or off (every phase below 50 V).
pub async fn wait_supply(world: &HarnessWorld, on: bool, timeout_ms: u64) -> Result<(), String> {
    let (held, m) = poll_until(world, Duration::from_millis(timeout_ms), |m| {
        supply_is_on(m) == Some(on)
    })
    .await?;
    if held {
        Ok(())
    } else {
        Err(format!(
            "expected the contactor {} within {timeout_ms} ms; saw {}",
            if on { "closed" } else { "open" },
            describe(&m)
        ))
    }
}

/// `Some(true)` on, `Some(false)` off, `None` in between.
fn supply_is_on(m: &PilotMeasurement) -> Option<bool> {
    if m.supply_v[0] > ON_V {
        Some(true)
    } else if m.supply_v.iter().all(|v| *v < OFF_V) {
        Some(false)
    } else {
        None
    }
}

async fn plug(world: &mut HarnessWorld, cable: ev::CableCoding) -> Result<(), String> {
    mark(world).await?;
    let ack = world.call(Instrument::Ev, ev::Plug { cable }).await?;
    remember_ack(world, ack).await;
    Ok(())
}

step_fn!(plugs_in, |world, ctx| {
    mark(world).await?;
    plug_default(world).await
});

step_fn!(plugs_in_rated, |world, ctx| {
    let amps = support::number(&ctx, 1)? as u32;
    plug(world, ev::CableCoding::Rated { amps }).await
});

step_fn!(plugs_in_coded, |world, ctx| {
    let ohms = support::number(&ctx, 1)?;
    plug(world, ev::CableCoding::Resistance { ohms }).await
});

step_fn!(unplugs, |world, ctx| {
    mark(world).await?;
    let ack = world.call(Instrument::Ev, ev::Unplug {}).await?;
    remember_ack(world, ack).await;
    Ok(())
});

step_fn!(goes_to_state, |world, ctx| {
    let state: ev::VehicleState = serde_json::from_value(serde_json::Value::String(text(&ctx, 1)?))
        .map_err(|e| format!("vehicle state: {e}"))?;
    mark(world).await?;
    set_state(world, state).await
});

step_fn!(draws_up_to, |world, ctx| {
    let max_current_a = support::number(&ctx, 1)?;
    let phases = support::number(&ctx, 2)? as u8;
    let power_factor = match support::optional(&ctx, 3) {
        Some(pf) => pf
            .parse()
            .map_err(|_| format!("power factor `{pf}` is not a number"))?,
        None => 1.0,
    };
    world
        .call(
            Instrument::Ev,
            ev::SetLoad {
                max_current_a,
                phases,
                power_factor,
            },
        )
        .await?;
    world.memory.ev_phases = Some(phases);
    Ok(())
});

step_fn!(has_fault, |world, ctx| {
    let fault = match text(&ctx, 1)?.as_str() {
        "shorted diode" => ev::PilotFault::DiodeShort,
        "open PE" => ev::PilotFault::PeOpen,
        _ => ev::PilotFault::CpPeShort,
    };
    mark(world).await?;
    let ack = world
        .call(Instrument::Ev, ev::InjectFault { fault })
        .await?;
    remember_ack(world, ack).await;
    Ok(())
});

step_fn!(fault_cleared, |world, ctx| {
    mark(world).await?;
    let ack = world
        .call(
            Instrument::Ev,
            ev::InjectFault {
                fault: ev::PilotFault::None,
            },
        )
        .await?;
    remember_ack(world, ack).await;
    Ok(())
});

step_fn!(ignores_pilot, |world, ctx| {
    let ack = world
        .call(Instrument::Ev, ev::SetIgnorePilot { ignore: true })
        .await?;
    remember_ack(world, ack).await;
    Ok(())
});

step_fn!(follows_within, |world, ctx| {
    let seconds = support::number(&ctx, 1)?;
    let ack = world
        .call(Instrument::Ev, ev::SetReaction { seconds })
        .await?;
    remember_ack(world, ack).await;
    Ok(())
});

step_fn!(shows_state, |world, ctx| {
    let state = state_letter(support::capture_str(&ctx, 1)?)?;
    let timeout_ms = support::number(&ctx, 2)? as u64;
    let outcome = world
        .call(
            Instrument::Ev,
            ev::WaitFor {
                condition: PilotCondition::State { state },
                timeout_ms,
            },
        )
        .await?;
    if outcome.met {
        Ok(())
    } else {
        Err(format!(
            "expected the pilot in state {state:?} within {timeout_ms} ms; saw {}",
            describe(&outcome.sample)
        ))
    }
});

step_fn!(stays_in_state, |world, ctx| {
    let state = state_letter(support::capture_str(&ctx, 1)?)?;
    let min_ms = support::number(&ctx, 2)?;
    // From the first sample in the state to the first sample out of it.
    let entered = world
        .call(
            Instrument::Ev,
            ev::WaitFor {
                condition: PilotCondition::State { state },
                timeout_ms: 1000,
            },
        )
        .await?;
    if !entered.met {
        return Err(format!(
            "expected the pilot in state {state:?}; saw {}",
            describe(&entered.sample)
        ));
    }
    let start_us = entered.sample.t_us;
    let limit = Duration::from_millis(min_ms as u64 + 200);
    let (left, m) = poll_until(world, limit, |m| m.state != state).await?;
    let held_ms = if left {
        (m.t_us - start_us) as f64 / 1000.0
    } else {
        limit.as_millis() as f64
    };
    if support::measure(
        world,
        format!("time in state {state:?}"),
        held_ms,
        "ms",
        Some(min_ms),
        None,
    ) {
        Ok(())
    } else {
        Err(format!(
            "expected the pilot to stay in state {state:?} for at least {min_ms} ms; it left after {held_ms:.0} ms ({})",
            describe(&m)
        ))
    }
});

step_fn!(is_pwm, |world, ctx| {
    let hz = support::number(&ctx, 1)?;
    let tol = world.run.rig.tolerances.pwm_frequency_hz;
    let m = measure_now(world).await?;
    if support::measure(
        world,
        "pilot PWM frequency",
        m.pwm_frequency_hz,
        "Hz",
        Some(hz - tol),
        Some(hz + tol),
    ) {
        Ok(())
    } else {
        Err(format!(
            "expected a {hz} Hz PWM (± {tol} Hz) on the pilot; saw {}",
            describe(&m)
        ))
    }
});

step_fn!(is_steady, |world, ctx| {
    let timeout = Duration::from_secs(
        support::optional(&ctx, 1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
    );
    let (held, m) = poll_until(world, timeout, |m| m.pwm_frequency_hz <= 0.0).await?;
    if held {
        Ok(())
    } else {
        Err(format!(
            "expected a steady pilot (no PWM){}; saw {}",
            if timeout.is_zero() {
                String::new()
            } else {
                format!(" within {} s", timeout.as_secs())
            },
            describe(&m)
        ))
    }
});

/// Waits for a duty cycle within the rig's tolerance; records it.
async fn expect_duty(
    world: &mut HarnessWorld,
    duty: f64,
    timeout_ms: u64,
    what: &str,
) -> Result<(), String> {
    let tol = world.run.rig.tolerances.duty_cycle_percent;
    let outcome = world
        .call(
            Instrument::Ev,
            ev::WaitFor {
                condition: PilotCondition::DutyCycle {
                    percent: duty,
                    tolerance: tol,
                },
                timeout_ms,
            },
        )
        .await?;
    let seen = outcome.sample.duty_percent;
    support::measure(
        world,
        format!("duty cycle for {what}"),
        seen,
        "%",
        Some(duty - tol),
        Some(duty + tol),
    );
    if outcome.met {
        Ok(())
    } else {
        Err(format!(
            "expected a duty cycle of {duty:.1} % (± {tol} %, {what}) within {} s; saw {}",
            timeout_ms / 1000,
            describe(&outcome.sample)
        ))
    }
}

step_fn!(duty_is, |world, ctx| {
    let duty = support::number(&ctx, 1)?;
    let timeout_ms = support::number(&ctx, 2)? as u64 * 1000;
    expect_duty(
        world,
        duty,
        timeout_ms,
        &format!("{:.1} A", amps_for_duty(duty)),
    )
    .await
});

step_fn!(offers, |world, ctx| {
    let amps = support::number(&ctx, 1)?;
    let timeout_ms = support::number(&ctx, 2)? as u64 * 1000;
    expect_duty(world, duty_for_amps(amps), timeout_ms, &format!("{amps} A")).await
});

step_fn!(offers_rated, |world, ctx| {
    let amps = f64::from(world.run.rig.dut.rated_current_a()?);
    let timeout_ms = support::number(&ctx, 1)? as u64 * 1000;
    let what = format!("the rated current, {amps} A");
    expect_duty(world, duty_for_amps(amps), timeout_ms, &what).await
});

step_fn!(offers_at_most, |world, ctx| {
    let amps = support::number(&ctx, 1)?;
    let timeout = Duration::from_secs(support::number(&ctx, 2)? as u64);
    let tol = world.run.rig.tolerances.duty_cycle_percent;
    let limit = duty_for_amps(amps) + tol;
    let (held, m) = poll_until(world, timeout, |m| {
        m.pwm_frequency_hz <= 0.0 || m.duty_percent <= limit
    })
    .await?;
    let offered = if m.pwm_frequency_hz > 0.0 {
        amps_for_duty(m.duty_percent)
    } else {
        0.0
    };
    support::measure(world, "offered current", offered, "A", None, Some(amps));
    if held {
        Ok(())
    } else {
        Err(format!(
            "expected the pilot to offer at most {amps} A (duty ≤ {limit:.1} %) within {} s; it offers {offered:.1} A ({})",
            timeout.as_secs(),
            describe(&m)
        ))
    }
});

step_fn!(duty_steady, |world, ctx| {
    let during = Duration::from_secs(support::number(&ctx, 1)? as u64);
    let tol = world.run.rig.tolerances.duty_cycle_percent;
    let first = measure_now(world).await?;
    let (changed, m) = poll_until(world, during, |m| {
        (m.duty_percent - first.duty_percent).abs() > tol
            || (m.pwm_frequency_hz > 0.0) != (first.pwm_frequency_hz > 0.0)
    })
    .await?;
    if changed {
        Err(format!(
            "expected the duty cycle to stay at {:.1} % for {} s; it changed after {:.1} s ({})",
            first.duty_percent,
            during.as_secs(),
            (m.t_us - first.t_us) as f64 / 1e6,
            describe(&m)
        ))
    } else {
        Ok(())
    }
});

step_fn!(contactor_reaction, |world, ctx| {
    let opens = support::capture_str(&ctx, 1)? == "opens";
    let limit_ms = support::number(&ctx, 2)?;
    let wait_ms = limit_ms as u64 + 1000;
    let what = if opens { "open" } else { "close" };
    let reaction_ms = if opens {
        // The plugin times the opening from its last command's acknowledgement, sample-exact.
        let outcome = world
            .call(
                Instrument::Ev,
                ev::WaitFor {
                    condition: PilotCondition::SupplyOff,
                    timeout_ms: wait_ms,
                },
            )
            .await?;
        if !outcome.met {
            support::measure(
                world,
                "contactor opening after the EV's last action",
                f64::NAN,
                "ms",
                None,
                Some(limit_ms),
            );
            return Err(format!(
                "expected the contactor to open within {limit_ms} ms after the EV's last action; supply still on after {:.0} ms ({})",
                outcome.since_last_command_ms,
                describe(&outcome.sample)
            ));
        }
        outcome.since_last_command_ms
    } else {
        let ack_us = world
            .memory
            .last_ev_ack_us
            .ok_or("the EV has done nothing yet to time the contactor from")?;
        let (held, m) = poll_until(world, Duration::from_millis(wait_ms), |m| {
            supply_is_on(m) == Some(true)
        })
        .await?;
        if !held {
            support::measure(
                world,
                "contactor closing after the EV's last action",
                f64::NAN,
                "ms",
                None,
                Some(limit_ms),
            );
            return Err(format!(
                "expected the contactor to close within {limit_ms} ms after the EV's last action; supply still off after {:.0} ms ({})",
                (m.t_us - ack_us) as f64 / 1000.0,
                describe(&m)
            ));
        }
        (m.t_us - ack_us) as f64 / 1000.0
    };
    if support::measure(
        world,
        format!(
            "contactor {} after the EV's last action",
            if opens { "opening" } else { "closing" }
        ),
        reaction_ms,
        "ms",
        None,
        Some(limit_ms),
    ) {
        Ok(())
    } else {
        Err(format!(
            "expected the contactor to {what} within {limit_ms} ms after the EV's last action; it took {reaction_ms:.0} ms"
        ))
    }
});

/// The vehicle draws at least this much (A) when the charger switches off "under load".
const UNDER_LOAD_A: f64 = 1.0;

step_fn!(opens_under_load, |world, ctx| {
    let limit_s = support::number(&ctx, 1)?;
    // The wait itself, plus the opening time the rig allows after the charger decides.
    let allowance_ms = world.run.rig.tolerances.contactor_open_ms;
    let limit_ms = limit_s * 1000.0 + allowance_ms;
    let pwm_off = world
        .call(
            Instrument::Ev,
            ev::WaitFor {
                condition: PilotCondition::PwmOff,
                timeout_ms: limit_ms as u64,
            },
        )
        .await?;
    if !pwm_off.met {
        return Err(format!(
            "expected the PWM to stop; it still runs after {:.0} ms ({})",
            pwm_off.waited_ms,
            describe(&pwm_off.sample)
        ));
    }
    let now = measure_now(world).await?;
    let drawing = now.current_a.iter().cloned().fold(0.0, f64::max);
    if supply_is_on(&now) == Some(true) && drawing < UNDER_LOAD_A {
        return Err(format!(
            "the EV stopped drawing when the PWM stopped ({drawing:.2} A): this is no switch-off under load (use \"Given the EV ignores the pilot\"); saw {}",
            describe(&now)
        ));
    }
    let opened = world
        .call(
            Instrument::Ev,
            ev::WaitFor {
                condition: PilotCondition::SupplyOff,
                timeout_ms: limit_ms as u64 + 1000,
            },
        )
        .await?;
    let after_ms = (opened.sample.t_us - pwm_off.sample.t_us) as f64 / 1000.0;
    let name = "contactor opening under load after the PWM stopped";
    if !opened.met {
        support::measure(world, name, f64::NAN, "ms", None, Some(limit_ms));
        return Err(format!(
            "expected the contactor to open within {limit_s} s (+ {allowance_ms} ms opening) after the PWM stopped; supply still on after {:.0} ms ({})",
            after_ms,
            describe(&opened.sample)
        ));
    }
    if support::measure(world, name, after_ms, "ms", None, Some(limit_ms)) {
        Ok(())
    } else {
        Err(format!(
            "expected the contactor to open within {limit_s} s (+ {allowance_ms} ms opening) after the PWM stopped; it opened after {after_ms:.0} ms"
        ))
    }
});

step_fn!(contactor_within, |world, ctx| {
    let on = support::capture_str(&ctx, 1)? == "closes";
    let timeout_ms = support::number(&ctx, 2)? as u64 * 1000;
    wait_supply(world, on, timeout_ms).await
});

step_fn!(contactor_stays, |world, ctx| {
    let closed = support::capture_str(&ctx, 1)? == "closed";
    let amount = support::number(&ctx, 2)?;
    let during = if support::capture_str(&ctx, 3)? == "ms" {
        Duration::from_millis(amount as u64)
    } else {
        Duration::from_secs(amount as u64)
    };
    let start = measure_now(world).await?;
    if supply_is_on(&start) != Some(closed) {
        return Err(format!(
            "expected the contactor {} for {} s; it is not now ({})",
            if closed { "closed" } else { "open" },
            during.as_secs_f64(),
            describe(&start)
        ));
    }
    let (changed, m) = poll_until(world, during, |m| supply_is_on(m) != Some(closed)).await?;
    if changed {
        Err(format!(
            "expected the contactor to stay {} for {} s; it changed after {:.1} s ({})",
            if closed { "closed" } else { "open" },
            during.as_secs_f64(),
            (m.t_us - start.t_us) as f64 / 1e6,
            describe(&m)
        ))
    } else {
        Ok(())
    }
});

/// The phases the vehicle draws on, as indexes.
fn phases(world: &HarnessWorld) -> usize {
    world.memory.ev_phases.unwrap_or(3).clamp(1, 3) as usize
}

step_fn!(draws, |world, ctx| {
    let amps = support::number(&ctx, 1)?;
    let timeout = Duration::from_secs(support::number(&ctx, 2)? as u64);
    expect_draws(world, amps, timeout).await
});

step_fn!(draws_rated, |world, ctx| {
    let amps = f64::from(world.run.rig.dut.rated_current_a()?);
    let timeout = Duration::from_secs(support::number(&ctx, 1)? as u64);
    expect_draws(world, amps, timeout).await
});

/// Waits until the vehicle draws `amps` on each of its phases (within the rig's current
/// tolerance) and records each phase's current.
async fn expect_draws(
    world: &mut HarnessWorld,
    amps: f64,
    timeout: Duration,
) -> Result<(), String> {
    let tol = world.run.rig.tolerances.current_a;
    let n = phases(world);
    let (held, m) = poll_until(world, timeout, |m| {
        m.current_a[..n].iter().all(|i| (i - amps).abs() <= tol)
    })
    .await?;
    for (k, i) in m.current_a[..n].iter().enumerate() {
        support::measure(
            world,
            format!("vehicle current L{}", k + 1),
            *i,
            "A",
            Some(amps - tol),
            Some(amps + tol),
        );
    }
    if held {
        Ok(())
    } else {
        Err(format!(
            "expected the EV to draw {amps} A (± {tol} A) on {n} phase(s) within {} s; saw {}",
            timeout.as_secs(),
            describe(&m)
        ))
    }
}

step_fn!(draws_at_most, |world, ctx| {
    let amps = support::number(&ctx, 1)?;
    let timeout = Duration::from_secs(support::number(&ctx, 2)? as u64);
    let (held, m) = poll_until(world, timeout, |m| m.current_a.iter().all(|i| *i <= amps)).await?;
    let max = m.current_a.iter().cloned().fold(0.0, f64::max);
    support::measure(
        world,
        "highest vehicle phase current",
        max,
        "A",
        None,
        Some(amps),
    );
    if held {
        Ok(())
    } else {
        Err(format!(
            "expected the EV to draw at most {amps} A per phase within {} s; saw {}",
            timeout.as_secs(),
            describe(&m)
        ))
    }
});

step_fn!(draws_nothing, |world, ctx| {
    let timeout = Duration::from_secs(support::number(&ctx, 1)? as u64);
    let tol = world.run.rig.tolerances.current_a;
    let (held, m) = poll_until(world, timeout, |m| {
        m.current_a.iter().all(|i| i.abs() <= tol)
    })
    .await?;
    if held {
        Ok(())
    } else {
        Err(format!(
            "expected the EV to draw no current (≤ {tol} A) within {} s; saw {}",
            timeout.as_secs(),
            describe(&m)
        ))
    }
});

step_fn!(supply_is, |world, ctx| {
    let volts = support::number(&ctx, 1)?;
    let tol = volts * world.run.rig.tolerances.voltage_percent / 100.0;
    let n = phases(world);
    let m = measure_now(world).await?;
    let mut ok = true;
    for (k, v) in m.supply_v[..n].iter().enumerate() {
        ok &= support::measure(
            world,
            format!("supply voltage L{}", k + 1),
            *v,
            "V",
            Some(volts - tol),
            Some(volts + tol),
        );
    }
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected {volts} V (± {tol:.1} V) on each of {n} phase(s) at the inlet; saw {}",
            describe(&m)
        ))
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duty_cycle_table_of_iec_61851() {
        for (amps, duty) in [
            (6.0, 10.0),
            (10.0, 16.67),
            (13.0, 21.67),
            (16.0, 26.67),
            (20.0, 33.33),
            (32.0, 53.33),
        ] {
            assert!((duty_for_amps(amps) - duty).abs() < 0.01, "{amps} A");
            assert!((amps_for_duty(duty_for_amps(amps)) - amps).abs() < 1e-9);
        }
        assert!((duty_for_amps(63.0) - 89.2).abs() < 1e-9);
        assert_eq!(amps_for_duty(9.0), 6.0);
        assert_eq!(amps_for_duty(5.0), 0.0);
        assert_eq!(amps_for_duty(100.0), 0.0);
        assert!((amps_for_duty(90.0) - 65.0).abs() < 1e-9);
    }
}

//! The charger's meter against the reference power analyser. The charger's values come from a
//! MeterValues the CSMS triggers; the analyser measures on the supply side.

use std::time::{Duration, Instant};

use cucumber::gherkin::StepType;
use plugin_api::kinds::csms::CallOutcome;
use plugin_api::kinds::power_analyser as pa;
use serde_json::{json, Value};

use super::memory::EnergyStart;
use super::ocpp::{describe, send_call};
use super::ocpp_receive::receive;
use super::support::{self, mark, step_fn, text};
use super::StepDef;
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::When,
        pattern: "the analyser starts integrating energy",
        example: "When the analyser starts integrating energy",
        run: start_integration,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the analyser's energy agrees with the charger's within (\d+(?:\.\d+)?) %",
        example: "Then the analyser's energy agrees with the charger's within 1 %",
        run: energy_agrees,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger's (Current\.Import|Voltage|Power\.Active\.Import)(?: on (L1|L2|L3))? agrees with the analyser within (\d+(?:\.\d+)?) %",
        example: "Then the charger's Current.Import on L2 agrees with the analyser within 1 %",
        run: value_agrees,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the analyser measures (\d+(?:\.\d+)?) A on each phase within (\d+) s",
        example: "Then the analyser measures 16 A on each phase within 5 s",
        run: analyser_current,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the analyser measures (\d+(?:\.\d+)?) kW ± (\d+(?:\.\d+)?) kW",
        example: "Then the analyser measures 11.0 kW ± 0.4 kW",
        run: analyser_power,
    },
];

const ELEMENTS: [u8; 3] = [1, 2, 3];
const METER_VALUES_TIMEOUT_MS: u64 = 5_000;
/// How long the load must stay unchanged before a comparison. A charger's meter reports values
/// it sampled (or averaged) over its own period, 1 s on the Halo's power board; a comparison
/// with the analyser is only fair when the load has not moved during that period. 200 ms on top
/// cover the analyser's poll interval and the sample's way to the charger's controller.
const STEADY_FOR: Duration = Duration::from_millis(1200);
/// The longest wait for a steady load (a vehicle follows a new offer within 5 s).
const STEADY_TIMEOUT: Duration = Duration::from_secs(10);
/// Between two analyser readings while waiting for a steady load.
const STEADY_POLL: Duration = Duration::from_millis(100);

/// Whether two analyser readings show the same load: every element's current and active power
/// within 0.2 % (plus 20 mA / 5 W for the noise of a real analyser near zero).
pub fn same_load(a: &pa::AnalyserReading, b: &pa::AnalyserReading) -> bool {
    let close = |x: f64, y: f64, floor: f64| (x - y).abs() <= floor + 0.002 * x.abs().max(y.abs());
    a.elements.len() == b.elements.len()
        && a.elements.iter().zip(&b.elements).all(|(x, y)| {
            x.element == y.element
                && close(x.current_a, y.current_a, 0.02)
                && close(x.power_w, y.power_w, 5.0)
        })
}

async fn read_analyser(world: &HarnessWorld) -> Result<pa::AnalyserReading, String> {
    world
        .call(
            Instrument::Analyser,
            pa::MeasureElements {
                elements: ELEMENTS.to_vec(),
            },
        )
        .await
}

/// Waits until the analyser has seen the same load for [`STEADY_FOR`]. The load a previous
/// comparison of this scenario found steady counts as steady still when the analyser reads it
/// again (nothing between two comparison steps changes the load).
async fn wait_for_steady_load(world: &mut HarnessWorld) -> Result<(), String> {
    let mut anchor = read_analyser(world).await?;
    if world
        .memory
        .steady_load
        .as_ref()
        .is_some_and(|steady| same_load(steady, &anchor))
    {
        return Ok(());
    }
    let started = Instant::now();
    let mut anchor_at = started;
    loop {
        if anchor_at.elapsed() >= STEADY_FOR {
            world.memory.steady_load = Some(anchor);
            return Ok(());
        }
        if started.elapsed() >= STEADY_TIMEOUT {
            let currents: Vec<String> = anchor
                .elements
                .iter()
                .map(|e| format!("{:.3}", e.current_a))
                .collect();
            return Err(format!(
                "expected a steady load for {} ms before comparing with the charger's meter; the analyser's reading was still changing after {} s (last {} A)",
                STEADY_FOR.as_millis(),
                STEADY_TIMEOUT.as_secs(),
                currents.join(" / ")
            ));
        }
        tokio::time::sleep(STEADY_POLL).await;
        let now = read_analyser(world).await?;
        if !same_load(&anchor, &now) {
            anchor = now;
            anchor_at = Instant::now();
        }
    }
}

/// One sampled value of a MeterValues, in SI base units (Wh, W, A, V), with its resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub measurand: String,
    pub phase: Option<String>,
    pub value: f64,
    pub resolution: f64,
}

/// Every sampled value of a MeterValues payload.
pub fn samples(payload: &Value) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for mv in payload["meterValue"].as_array().into_iter().flatten() {
        for sv in mv["sampledValue"].as_array().into_iter().flatten() {
            let text = sv["value"].as_str().unwrap_or("");
            let value: f64 = text
                .trim()
                .parse()
                .map_err(|_| format!("sampled value {text:?} is not a number: {sv}"))?;
            let decimals = text.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
            let scale = match sv["unit"].as_str() {
                Some("kWh") | Some("kW") | Some("kvarh") | Some("kvar") | Some("kVA") => 1000.0,
                _ => 1.0,
            };
            out.push(Sample {
                measurand: sv["measurand"]
                    .as_str()
                    .unwrap_or("Energy.Active.Import.Register")
                    .to_string(),
                phase: sv["phase"].as_str().map(str::to_string),
                value: value * scale,
                resolution: 10f64.powi(-decimals) * scale,
            });
        }
    }
    Ok(out)
}

/// The sample of `measurand` on `phase` (`L1` also finds `L1-N`); without a phase, the
/// phase-less sample, or else the sum over the phases.
pub fn pick(samples: &[Sample], measurand: &str, phase: Option<&str>) -> Option<f64> {
    let of: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.measurand == measurand)
        .collect();
    match phase {
        Some(p) => of
            .iter()
            .find(|s| {
                s.phase
                    .as_deref()
                    .is_some_and(|sp| sp == p || sp.starts_with(&format!("{p}-")))
            })
            .map(|s| s.value),
        None => of
            .iter()
            .find(|s| s.phase.is_none())
            .map(|s| s.value)
            .or_else(|| (!of.is_empty()).then(|| of.iter().map(|s| s.value).sum())),
    }
}

/// Asks the charger for MeterValues now and returns its sampled values.
async fn triggered_samples(world: &mut HarnessWorld) -> Result<Vec<Sample>, String> {
    mark(world).await?;
    let outcome = send_call(
        world,
        "TriggerMessage",
        json!({"requestedMessage": "MeterValues", "connectorId": 1}),
    )
    .await?;
    if !matches!(&outcome, CallOutcome::Result { payload } if payload["status"] == "Accepted") {
        return Err(format!(
            "reading the charger's meter: expected TriggerMessage MeterValues Accepted, got {}",
            describe(&outcome)
        ));
    }
    let frame = receive(
        world,
        "MeterValues",
        Some(&json!({"connectorId": 1})),
        METER_VALUES_TIMEOUT_MS,
    )
    .await
    .map_err(|e| format!("reading the charger's meter: {e}"))?;
    samples(&frame.payload)
}

fn register(samples: &[Sample]) -> Result<(f64, f64), String> {
    samples
        .iter()
        .find(|s| s.measurand == "Energy.Active.Import.Register" && s.phase.is_none())
        .map(|s| (s.value, s.resolution))
        .ok_or_else(|| {
            format!("the charger's MeterValues has no Energy.Active.Import.Register: {samples:?}")
        })
}

/// How long the energy register may take to move on. A charger's register follows its metering
/// chip, which it reads every second or so; 5 s covers a slower one without hanging.
const REGISTER_TICK_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause between two reads of the register while waiting for it to move on. Each end of the
/// window is late by up to this much, independently, so it bounds the window's misalignment.
const REGISTER_POLL: Duration = Duration::from_millis(10);

/// Waits for the charger's energy register to move on and returns its new value and resolution.
///
/// Why: the register is not a continuous quantity. It follows the metering chip's accumulator,
/// read every second or so, and a MeterValues reports the value of the last read. A register
/// read at an arbitrary instant therefore lags the analyser by up to a read period (1 s is 2.5 %
/// of a 40 s window), and by a different amount at each end. Starting and stopping the analyser
/// right after the register moves on puts both windows on the register's own updates, so the
/// lag is the same at both ends and cancels.
async fn next_register_value(world: &mut HarnessWorld, end: &str) -> Result<(f64, f64), String> {
    let (first, _) = register(&triggered_samples(world).await?)?;
    let started = Instant::now();
    loop {
        tokio::time::sleep(REGISTER_POLL).await;
        let (value, resolution) = register(&triggered_samples(world).await?)?;
        if value != first {
            return Ok((value, resolution));
        }
        if started.elapsed() >= REGISTER_TICK_TIMEOUT {
            return Err(format!(
                "{end} of the energy comparison: expected the charger's Energy.Active.Import.Register to move on within {} s while energy flows; it stayed at {first} Wh",
                REGISTER_TICK_TIMEOUT.as_secs()
            ));
        }
    }
}

step_fn!(start_integration, |world, ctx| {
    world
        .call(Instrument::Analyser, pa::IntegrationReset {})
        .await?;
    let (register_wh, resolution_wh) = next_register_value(world, "start").await?;
    world
        .call(Instrument::Analyser, pa::IntegrationStart {})
        .await?;
    world.memory.energy_start = Some(EnergyStart {
        register_wh,
        resolution_wh,
    });
    Ok(())
});

step_fn!(energy_agrees, |world, ctx| {
    let tolerance = support::number(&ctx, 1)?;
    let start = world.memory.energy_start.ok_or(
        "the analyser was not integrating: use \"the analyser starts integrating energy\" first",
    )?;
    let (end_wh, end_res) = next_register_value(world, "end").await?;
    world
        .call(Instrument::Analyser, pa::IntegrationStop {})
        .await?;
    let reading = world
        .call(
            Instrument::Analyser,
            pa::IntegrationRead {
                elements: ELEMENTS.to_vec(),
            },
        )
        .await?;
    let charger_wh = end_wh - start.register_wh;
    let analyser_wh = reading.total_wh;
    if analyser_wh <= 0.0 {
        return Err(format!(
            "the analyser integrated {analyser_wh:.2} Wh: no energy flowed to compare"
        ));
    }
    // The register's own resolution at each end is allowed on top of the accuracy class.
    let allowance = tolerance + (start.resolution_wh + end_res) / analyser_wh * 100.0;
    let error = (charger_wh - analyser_wh) / analyser_wh * 100.0;
    if support::measure(
        world,
        "charger energy error against the analyser",
        error,
        "%",
        Some(-allowance),
        Some(allowance),
    ) {
        Ok(())
    } else {
        Err(format!(
            "energy register {error:+.1} % against the analyser, limit ±{tolerance} % (± {allowance:.2} % with the register's resolution): the charger counted {charger_wh:.3} Wh, the analyser {analyser_wh:.3} Wh"
        ))
    }
});

/// The charger's value of `measurand` (on `phase`, or the total / first phase) from a triggered
/// MeterValues, and the analyser's at the same moment, once the load is steady.
pub(super) async fn readings(
    world: &mut HarnessWorld,
    measurand: &str,
    phase: Option<&str>,
) -> Result<(f64, f64), String> {
    wait_for_steady_load(world).await?;
    let samples = triggered_samples(world).await?;
    let reading = world
        .call(
            Instrument::Analyser,
            pa::MeasureElements {
                elements: ELEMENTS.to_vec(),
            },
        )
        .await?;
    let charger = pick(&samples, measurand, phase).ok_or_else(|| {
        format!(
            "the charger's MeterValues has no {measurand}{}: {samples:?}",
            phase.map(|p| format!(" on {p}")).unwrap_or_default()
        )
    })?;
    let element = |e: &pa::ElementReading| match measurand {
        "Current.Import" => e.current_a,
        "Voltage" => e.voltage_v,
        _ => e.power_w,
    };
    let analyser = match phase {
        Some(p) => {
            let n: u8 = p[1..].parse().unwrap_or(1);
            reading
                .elements
                .iter()
                .find(|e| e.element == n)
                .map(element)
                .ok_or_else(|| format!("the analyser did not report element {n}"))?
        }
        None if measurand == "Power.Active.Import" => reading.elements.iter().map(element).sum(),
        None => reading.elements.first().map(element).unwrap_or(0.0),
    };
    if analyser.abs() < 1e-9 {
        return Err(format!(
            "the analyser measures no {measurand} to compare with (charger: {charger})"
        ));
    }
    Ok((charger, analyser))
}

step_fn!(value_agrees, |world, ctx| {
    let measurand = text(&ctx, 1)?;
    let phase = support::optional(&ctx, 2);
    let tolerance = support::number(&ctx, 3)?;
    let (charger, analyser) = readings(world, &measurand, phase.as_deref()).await?;
    let name = format!(
        "charger {measurand}{} against the analyser",
        phase
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default()
    );
    let error = (charger - analyser) / analyser * 100.0;
    if support::measure(world, name, error, "%", Some(-tolerance), Some(tolerance)) {
        Ok(())
    } else {
        Err(format!(
            "expected the charger's {measurand}{} within {tolerance} % of the analyser; charger {charger:.3}, analyser {analyser:.3} ({error:+.2} %)",
            phase.as_deref().map(|p| format!(" on {p}")).unwrap_or_default()
        ))
    }
});

step_fn!(analyser_current, |world, ctx| {
    let amps = support::number(&ctx, 1)?;
    let timeout = Duration::from_secs(support::number(&ctx, 2)? as u64);
    let tol = world.run.rig.tolerances.current_a;
    let n = world.memory.ev_phases.unwrap_or(3).clamp(1, 3) as usize;
    let deadline = Instant::now() + timeout;
    loop {
        let reading = world
            .call(
                Instrument::Analyser,
                pa::MeasureElements {
                    elements: ELEMENTS[..n].to_vec(),
                },
            )
            .await?;
        let currents: Vec<f64> = reading.elements.iter().map(|e| e.current_a).collect();
        if currents.len() == n && currents.iter().all(|i| (i - amps).abs() <= tol) {
            for (k, i) in currents.iter().enumerate() {
                support::measure(
                    world,
                    format!("analyser current L{}", k + 1),
                    *i,
                    "A",
                    Some(amps - tol),
                    Some(amps + tol),
                );
            }
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "expected the analyser to measure {amps} A (± {tol} A) on each of {n} phase(s) within {} s; it measures {currents:?} A",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
});

step_fn!(analyser_power, |world, ctx| {
    let kw = support::number(&ctx, 1)?;
    let tol = support::number(&ctx, 2)?;
    let reading = world
        .call(
            Instrument::Analyser,
            pa::MeasureElements {
                elements: ELEMENTS.to_vec(),
            },
        )
        .await?;
    let total_kw = reading.elements.iter().map(|e| e.power_w).sum::<f64>() / 1000.0;
    if support::measure(
        world,
        "analyser active power",
        total_kw,
        "kW",
        Some(kw - tol),
        Some(kw + tol),
    ) {
        Ok(())
    } else {
        Err(format!(
            "expected the analyser to measure {kw} kW ± {tol} kW; it measures {total_kw:.2} kW"
        ))
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(currents: &[f64]) -> pa::AnalyserReading {
        pa::AnalyserReading {
            t_us: 0,
            elements: currents
                .iter()
                .zip(1u8..)
                .map(|(i, element)| pa::ElementReading {
                    element,
                    voltage_v: 230.0,
                    current_a: *i,
                    power_w: 230.0 * i,
                    apparent_va: 230.0 * i,
                    reactive_var: 0.0,
                    power_factor: 1.0,
                    frequency_hz: 50.0,
                })
                .collect(),
        }
    }

    #[test]
    fn a_ramping_load_is_not_the_same_load() {
        let steady = reading(&[16.0, 16.0, 16.0]);
        assert!(same_load(&steady, &reading(&[16.01, 15.99, 16.0])));
        assert!(!same_load(&steady, &reading(&[15.6, 15.6, 15.6])));
        assert!(!same_load(&steady, &reading(&[16.0, 16.0, 0.0])));
        assert!(same_load(&reading(&[0.0; 3]), &reading(&[0.01, 0.0, 0.0])));
        assert!(!same_load(&steady, &reading(&[16.0, 16.0])));
    }

    #[test]
    fn sampled_values_in_si_units_with_resolution() {
        let payload = json!({"connectorId": 1, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [
            {"value": "1234.5", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "12.345", "measurand": "Energy.Active.Import.Register", "unit": "kWh", "phase": "L1"},
            {"value": "16.02", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
            {"value": "15.98", "measurand": "Current.Import", "phase": "L2", "unit": "A"},
            {"value": "230.1", "measurand": "Voltage", "phase": "L1-N", "unit": "V"},
            {"value": "3", "measurand": "Power.Active.Import", "unit": "kW"}
        ]}]});
        let s = samples(&payload).unwrap();
        assert_eq!(register(&s).unwrap(), (1234.5, 0.1));
        assert_eq!(s[1].value, 12345.0);
        assert!((s[1].resolution - 1.0).abs() < 1e-9);
        assert_eq!(pick(&s, "Current.Import", Some("L2")), Some(15.98));
        assert_eq!(pick(&s, "Voltage", Some("L1")), Some(230.1));
        assert_eq!(pick(&s, "Power.Active.Import", None), Some(3000.0));
        assert!((pick(&s, "Current.Import", None).unwrap() - 32.0).abs() < 1e-9);
        assert_eq!(pick(&s, "Voltage", Some("L3")), None);
        assert!(samples(&json!({"meterValue": [{"sampledValue": [{"value": "x"}]}]})).is_err());
    }
}

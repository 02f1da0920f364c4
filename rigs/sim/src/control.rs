//! The simulator control channel (rigs/sim/INSTRUMENTS.md): what only a simulator can do
//! (welding the contactor, breaking the lock, heating the board, cutting the board link ...) and
//! a ground-truth query. Same line format as the EV emulator: `OK`, `OK <data>`, `ERR <code> <text>`.

use crate::board::{LinkState, PowerBoard};
use crate::physics::cp;
use crate::physics::mains::Rotation;
use crate::physics::vehicle::Battery;
use crate::sim::Sim;
use crate::SimTime;
use board_link::{LightPattern, LightSetting};
use std::time::Duration;

fn err(code: u16, detail: impl std::fmt::Display) -> String {
    let text = match code {
        100 => "unknown command",
        _ => "bad argument",
    };
    format!("ERR {code} {text}: {detail}")
}

/// Maps simulation time to the Unix epoch for reports.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Unix time in µs at simulation time zero.
    pub epoch_at_zero_us: i64,
}

impl Clock {
    pub fn unix_us(&self, t: SimTime) -> i64 {
        self.epoch_at_zero_us + t.as_micros() as i64
    }
}

#[derive(Debug, Clone)]
pub struct ControlChannel {
    identity: String,
    clock: Clock,
}

impl ControlChannel {
    pub fn new(serial: &str, clock: Clock) -> Self {
        ControlChannel {
            identity: format!("RIG-SIM,CONTROL,{serial},{}", env!("CARGO_PKG_VERSION")),
            clock,
        }
    }

    /// Runs one command line; `None` for an empty line.
    pub fn handle(&self, line: &str, sim: &mut Sim, board: &mut PowerBoard) -> Option<String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (&verb, args) = words.split_first()?;
        let verb = verb.to_ascii_uppercase();
        let args: Vec<String> = args.iter().map(|a| a.to_ascii_uppercase()).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match (verb.as_str(), args.as_slice()) {
            ("*IDN?", []) => return Some(format!("OK {}", self.identity)),
            ("STATE?", []) => return Some(format!("OK {}", self.ground_truth(sim, board))),
            _ => {}
        }
        let reply: Result<(), String> = match (verb.as_str(), args.as_slice()) {
            ("BOARD_RESTART", []) => {
                board.restart(sim, sim.now());
                Ok(())
            }
            ("WELD", [on]) => switch(on).map(|on| sim.set_contactor_welded(on)),
            ("LOCKFAIL", [on]) => switch(on).map(|on| sim.set_lock_failed(on)),
            ("MAINS", [on]) => switch(on).map(|on| sim.set_mains_present(on)),
            ("LINK", [up]) => switch(up).map(|up| sim.board_link_up = up),
            ("ETH", [up]) => switch(up).map(|up| sim.ethernet_up = up),
            ("RCM_SELFTEST", [result]) => match *result {
                "PASS" | "FAIL" => {
                    sim.rcm.set_self_test_broken(*result == "FAIL");
                    Ok(())
                }
                _ => Err(err(
                    101,
                    format!("RCM_SELFTEST takes PASS or FAIL, got '{result}'"),
                )),
            },
            ("TEMP", [c]) => ranged("celsius", c, -40.0, 150.0).map(|c| sim.temperature_c = c),
            ("METER_GAIN", [i]) => ranged("current_pct", i, -50.0, 50.0).map(|i| {
                let (_, u) = sim.meter.gain_errors();
                sim.meter.set_gain_errors(i, u)
            }),
            ("METER_GAIN", [i, u]) => ranged("current_pct", i, -50.0, 50.0).and_then(|i| {
                ranged("voltage_pct", u, -50.0, 50.0).map(|u| sim.meter.set_gain_errors(i, u))
            }),
            ("MAINS_V", [v]) => ranged("volts", v, 1.0, 300.0).map(|v| {
                for phase in sim.mains.phase_v.iter_mut().filter(|p| **p > 0.0) {
                    *phase = v;
                }
                sim.vehicle_changed();
            }),
            ("ROTATION", [r]) => match *r {
                "L123" | "L132" => {
                    sim.mains.rotation = if *r == "L123" {
                        Rotation::Clockwise
                    } else {
                        Rotation::CounterClockwise
                    };
                    Ok(())
                }
                _ => Err(err(101, format!("ROTATION takes L123 or L132, got '{r}'"))),
            },
            ("REACTION", [s]) => ranged("seconds", s, 0.0, 5.0).and_then(|s| {
                sim.vehicle
                    .set_reaction(Duration::from_secs_f64(s))
                    .map_err(|e| err(101, e))
            }),
            ("BATTERY", [cap, energy]) => {
                ranged("capacity_wh", cap, 1.0, 1e6).and_then(|capacity_wh| {
                    ranged("energy_wh", energy, 0.0, capacity_wh).map(|energy_wh| {
                        sim.vehicle.set_battery(Battery {
                            capacity_wh,
                            energy_wh,
                        });
                        sim.vehicle_changed();
                    })
                })
            }
            ("CONTACTOR_DELAY", [close, open]) => {
                ranged("close_ms", close, 0.0, 1000.0).and_then(|c| {
                    ranged("open_ms", open, 0.0, 1000.0).map(|o| {
                        let mut t = sim.contactor.timing();
                        t.close_delay = Duration::from_secs_f64(c / 1000.0);
                        t.open_delay = Duration::from_secs_f64(o / 1000.0);
                        sim.contactor.set_timing(t);
                    })
                })
            }
            (
                "*IDN?" | "STATE?" | "BOARD_RESTART" | "WELD" | "LOCKFAIL" | "MAINS" | "LINK"
                | "ETH" | "RCM_SELFTEST" | "TEMP" | "METER_GAIN" | "MAINS_V" | "ROTATION"
                | "REACTION" | "BATTERY" | "CONTACTOR_DELAY",
                _,
            ) => Err(err(101, format!("wrong number of arguments for {verb}"))),
            _ => Err(err(100, format!("'{verb}'"))),
        };
        Some(match reply {
            Ok(()) => "OK".to_string(),
            Err(e) => e,
        })
    }

    /// `key=value` pairs describing the bench now; times are Unix epoch µs.
    fn ground_truth(&self, sim: &Sim, board: &PowerBoard) -> String {
        let m = sim.cp_measurement();
        let i = sim.currents();
        let u = sim.inlet_voltages();
        let onoff = |b: bool| if b { "on" } else { "off" };
        let updown = |b: bool| if b { "up" } else { "down" };
        let stamp = |t: Option<SimTime>| t.map_or(-1, |t| self.clock.unix_us(t));
        let transition = stamp(sim.contactor.last_transition());
        let faults = board.faults();
        let mut fault_list = Vec::new();
        for (on, name) in [
            (faults.link_timeout, "link_timeout"),
            (faults.welded, "welded"),
            (faults.lock_failure, "lock_failure"),
            (faults.over_temperature, "over_temperature"),
            (faults.rcm_trip, "rcm_trip"),
        ] {
            if on {
                fault_list.push(name);
            }
        }
        let counters = board.counters();
        let vehicle = match sim.vehicle.network() {
            None => "A".to_string(),
            Some(n) => format!("{n:?}"),
        };
        [
            format!("t_us={}", self.clock.unix_us(sim.now())),
            format!(
                "contactor={}",
                if sim.contactor.is_closed() {
                    "closed"
                } else {
                    "open"
                }
            ),
            format!("coil={}", onoff(sim.contactor.coil_on())),
            format!("contactor_changed_us={transition}"),
            format!("welded={}", onoff(sim.contactor.is_welded())),
            format!(
                "lock={}",
                if sim.lock.is_locked() {
                    "locked"
                } else {
                    "unlocked"
                }
            ),
            format!(
                "lock_cmd={}",
                if sim.lock.commanded_locked() {
                    "locked"
                } else {
                    "unlocked"
                }
            ),
            format!("lock_failed={}", onoff(sim.lock.is_failed())),
            format!("cp={}", cp::classify(&m)),
            format!("cp_high_v={:.3}", m.high_v),
            format!("cp_low_v={:.3}", m.low_v),
            format!("pwm_hz={:.1}", m.freq_hz),
            format!("duty={:.2}", m.duty_percent),
            format!(
                "pp_ohms={}",
                sim.pp_ohms().map_or("open".into(), |r| format!("{r:.0}"))
            ),
            format!("vehicle={vehicle}"),
            format!("u_v={:.1},{:.1},{:.1}", u[0], u[1], u[2]),
            format!("i_a={:.3},{:.3},{:.3}", i[0], i[1], i[2]),
            format!("battery_wh={:.1}", sim.vehicle.battery().energy_wh),
            format!("meter_wh={:.3}", sim.meter.total_energy_wh()),
            format!("rcd_ma={:.1}", sim.residual_current_ma()),
            format!("temp_c={:.1}", sim.temperature_c),
            format!("mains={}", onoff(sim.mains.present)),
            format!("link={}", updown(sim.board_link_up)),
            format!(
                "board={}",
                match board.link_state() {
                    LinkState::Up => "up",
                    LinkState::AwaitingHello => "awaiting_hello",
                }
            ),
            format!(
                "board_faults={}",
                if fault_list.is_empty() {
                    "none".into()
                } else {
                    fault_list.join(",")
                }
            ),
            format!("frames_rx={}", counters.frames_received),
            format!("frames_bad={}", counters.bad_frames),
            format!("eth={}", updown(sim.ethernet_up)),
            format!("central_light={}", light(board.lights().0)),
            format!("ring_light={}", light(board.lights().1)),
            format!(
                "rfid={}",
                sim.rfid_card.as_ref().map_or("none".into(), |uid| {
                    uid.iter().map(|b| format!("{b:02X}")).collect::<String>()
                })
            ),
        ]
        .join(" ")
    }
}

/// `pattern:r,g,b`, e.g. `solid:255,255,255`.
fn light(l: LightSetting) -> String {
    let pattern = match l.pattern {
        LightPattern::Off => "off",
        LightPattern::Solid => "solid",
        LightPattern::SlowBlink => "slow_blink",
        LightPattern::FastBlink => "fast_blink",
        LightPattern::Pulse => "pulse",
    };
    format!("{pattern}:{},{},{}", l.red, l.green, l.blue)
}

fn switch(word: &str) -> Result<bool, String> {
    match word {
        "ON" | "UP" | "1" => Ok(true),
        "OFF" | "DOWN" | "0" => Ok(false),
        _ => Err(err(
            101,
            format!("expected ON/OFF or UP/DOWN, got '{word}'"),
        )),
    }
}

fn ranged(name: &str, text: &str, min: f64, max: f64) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= min && v <= max => Ok(v),
        _ => Err(err(
            101,
            format!("{name} must be a number in {min}..{max}, got '{text}'"),
        )),
    }
}

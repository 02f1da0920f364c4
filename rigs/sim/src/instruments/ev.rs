//! The EV emulator's line protocol (documented in plugins/ev-emulator/PROTOCOL.md): one command
//! per line, exactly one reply line per command.

use crate::physics::cp::{EvNetwork, PilotFault};
use crate::physics::pp::CableCoding;
use crate::physics::vehicle::ObcLimits;
use crate::sim::Sim;

/// Error codes of the protocol.
const UNKNOWN: u16 = 100;
const BAD_ARGUMENT: u16 = 101;
const NOT_ALLOWED: u16 = 102;

fn err(code: u16, detail: impl std::fmt::Display) -> String {
    let text = match code {
        UNKNOWN => "unknown command",
        BAD_ARGUMENT => "bad argument",
        _ => "not allowed in this state",
    };
    format!("ERR {code} {text}: {detail}")
}

/// The instrument side of the EV emulator protocol.
#[derive(Debug, Clone)]
pub struct EvEmulator {
    identity: String,
}

impl EvEmulator {
    pub fn new(serial: &str) -> Self {
        EvEmulator {
            identity: format!("RIG-SIM,EV-EMULATOR,{serial},{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Runs one command line against the model; returns the reply line without its LF, or
    /// `None` for an empty line (which the protocol ignores).
    pub fn handle(&self, line: &str, sim: &mut Sim) -> Option<String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (&verb, args) = words.split_first()?;
        let verb = verb.to_ascii_uppercase();
        let reply = match verb.as_str() {
            "*IDN?" => no_args(&verb, args).map(|_| format!("OK {}", self.identity)),
            "PLUG" => one_arg(&verb, args).and_then(|a| plug(a, sim)),
            "PLUG?" => no_args(&verb, args).map(|_| format!("OK {}", plug_query(sim))),
            "UNPLUG" => no_args(&verb, args).map(|_| {
                sim.unplug();
                "OK".to_string()
            }),
            "STATE" => one_arg(&verb, args).and_then(|a| state(a, sim)),
            "STATE?" => no_args(&verb, args).map(|_| format!("OK {}", state_query(sim))),
            "LOAD" => load(args, sim),
            "LOAD?" => no_args(&verb, args).map(|_| {
                let o = sim.vehicle.obc();
                format!(
                    "OK {:.2} {} {:.3}",
                    o.max_current_a, o.phases, o.power_factor
                )
            }),
            "FAULT" => one_arg(&verb, args).and_then(|a| fault(a, sim)),
            "FAULT?" => {
                no_args(&verb, args).map(|_| format!("OK {}", fault_name(sim.pilot_fault())))
            }
            "RCD" => one_arg(&verb, args).and_then(|a| rcd(a, sim)),
            "RCD?" => no_args(&verb, args).map(|_| format!("OK {:.3}", sim.rcm.injected_dc_ma())),
            "IGNORE_PILOT" => one_arg(&verb, args).and_then(|a| ignore_pilot(a, sim)),
            "IGNORE_PILOT?" => no_args(&verb, args).map(|_| {
                format!(
                    "OK {}",
                    if sim.vehicle.ignores_pilot() {
                        "ON"
                    } else {
                        "OFF"
                    }
                )
            }),
            "REACTION" => one_arg(&verb, args).and_then(|a| reaction(a, sim)),
            "REACTION?" => no_args(&verb, args)
                .map(|_| format!("OK {:.3}", sim.vehicle.reaction().as_secs_f64())),
            "MEAS?" => no_args(&verb, args).map(|_| measure(sim)),
            _ => Err(err(UNKNOWN, format!("'{verb}'"))),
        };
        Some(reply.unwrap_or_else(|e| e))
    }

    /// The reply to an overlong line.
    pub fn too_long() -> String {
        err(
            UNKNOWN,
            format!("line longer than {} bytes", crate::lines::MAX_LINE),
        )
    }
}

fn no_args(verb: &str, args: &[&str]) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(err(BAD_ARGUMENT, format!("{verb} takes no argument")))
    }
}

fn one_arg<'a>(verb: &str, args: &[&'a str]) -> Result<&'a str, String> {
    match args {
        [a] => Ok(a),
        _ => Err(err(
            BAD_ARGUMENT,
            format!("{verb} takes one argument, got {}", args.len()),
        )),
    }
}

fn number(name: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(err(
            BAD_ARGUMENT,
            format!("{name} must be a number, got '{text}'"),
        )),
    }
}

fn plug(arg: &str, sim: &mut Sim) -> Result<String, String> {
    let upper = arg.to_ascii_uppercase();
    let coding = if upper == "TETHERED" {
        CableCoding::Tethered
    } else if let Some(ohms) = upper.strip_prefix("R=") {
        let ohms = number("R", ohms)?;
        if ohms <= 0.0 {
            return Err(err(
                BAD_ARGUMENT,
                format!("R must be above 0 ohm, got {ohms}"),
            ));
        }
        CableCoding::Resistor(ohms)
    } else if let Some(amps) = upper.strip_prefix("A=") {
        amps.parse::<u32>()
            .ok()
            .and_then(CableCoding::for_rating)
            .ok_or_else(|| {
                err(
                    BAD_ARGUMENT,
                    format!("A must be 13, 20, 32 or 63, got '{amps}'"),
                )
            })?
    } else {
        return Err(err(
            BAD_ARGUMENT,
            format!("PLUG takes TETHERED, R=<ohms> or A=<13|20|32|63>, got '{arg}'"),
        ));
    };
    sim.plug(coding);
    Ok("OK".into())
}

fn plug_query(sim: &Sim) -> String {
    match sim.vehicle.connection() {
        None => "NONE".into(),
        Some(CableCoding::Tethered) => "TETHERED".into(),
        Some(CableCoding::Resistor(ohms)) => format!("R={ohms}"),
    }
}

fn state(arg: &str, sim: &mut Sim) -> Result<String, String> {
    let network = match arg.to_ascii_uppercase().as_str() {
        "B" => EvNetwork::B,
        "C" => EvNetwork::C,
        "D" => EvNetwork::D,
        _ => {
            return Err(err(
                BAD_ARGUMENT,
                format!("STATE takes B, C or D, got '{arg}'"),
            ))
        }
    };
    sim.request_state(network)
        .map_err(|why| err(NOT_ALLOWED, why))?;
    Ok("OK".into())
}

fn state_query(sim: &Sim) -> &'static str {
    match sim.vehicle.network() {
        None => "A",
        Some(EvNetwork::B) => "B",
        Some(EvNetwork::C) => "C",
        Some(EvNetwork::D) => "D",
    }
}

fn load(args: &[&str], sim: &mut Sim) -> Result<String, String> {
    let [max, phases, pf] = args else {
        return Err(err(
            BAD_ARGUMENT,
            format!(
                "LOAD takes <max_current_a> <phases> <power_factor>, got {} arguments",
                args.len()
            ),
        ));
    };
    let max_current_a = number("max_current_a", max)?;
    if !(0.0..=80.0).contains(&max_current_a) {
        return Err(err(
            BAD_ARGUMENT,
            format!("max_current_a must be 0..80 A, got {max_current_a}"),
        ));
    }
    let phases = match *phases {
        "1" => 1,
        "3" => 3,
        other => {
            return Err(err(
                BAD_ARGUMENT,
                format!("phases must be 1 or 3, got '{other}'"),
            ))
        }
    };
    let power_factor = number("power_factor", pf)?;
    if !(power_factor > 0.0 && power_factor <= 1.0) {
        return Err(err(
            BAD_ARGUMENT,
            format!("power_factor must be in (0, 1], got {power_factor}"),
        ));
    }
    sim.vehicle.set_obc(ObcLimits {
        max_current_a,
        phases,
        power_factor,
    });
    sim.vehicle_changed();
    Ok("OK".into())
}

fn fault_name(f: PilotFault) -> &'static str {
    match f {
        PilotFault::None => "NONE",
        PilotFault::DiodeShort => "DIODE_SHORT",
        PilotFault::CpPeShort => "CP_PE_SHORT",
        PilotFault::PeOpen => "PE_OPEN",
    }
}

fn fault(arg: &str, sim: &mut Sim) -> Result<String, String> {
    let f = match arg.to_ascii_uppercase().as_str() {
        "NONE" => PilotFault::None,
        "DIODE_SHORT" => PilotFault::DiodeShort,
        "CP_PE_SHORT" => PilotFault::CpPeShort,
        "PE_OPEN" => PilotFault::PeOpen,
        _ => {
            return Err(err(
                BAD_ARGUMENT,
                format!("FAULT takes NONE, DIODE_SHORT, CP_PE_SHORT or PE_OPEN, got '{arg}'"),
            ))
        }
    };
    sim.set_pilot_fault(f);
    Ok("OK".into())
}

fn rcd(arg: &str, sim: &mut Sim) -> Result<String, String> {
    let ma = number("dc_ma", arg)?;
    if !(0.0..=1000.0).contains(&ma) {
        return Err(err(
            BAD_ARGUMENT,
            format!("dc_ma must be 0..1000 mA, got {ma}"),
        ));
    }
    sim.rcm.inject(ma);
    Ok("OK".into())
}

fn ignore_pilot(arg: &str, sim: &mut Sim) -> Result<String, String> {
    let on = match arg.to_ascii_uppercase().as_str() {
        "ON" => true,
        "OFF" => false,
        _ => {
            return Err(err(
                BAD_ARGUMENT,
                format!("IGNORE_PILOT takes ON or OFF, got '{arg}'"),
            ))
        }
    };
    sim.vehicle.set_ignores_pilot(on);
    sim.vehicle_changed();
    Ok("OK".into())
}

fn reaction(arg: &str, sim: &mut Sim) -> Result<String, String> {
    let seconds = number("seconds", arg)?;
    if !(0.0..=5.0).contains(&seconds) {
        return Err(err(
            BAD_ARGUMENT,
            format!("seconds must be 0..5, got {seconds}"),
        ));
    }
    sim.vehicle
        .set_reaction(std::time::Duration::from_secs_f64(seconds))
        .map_err(|e| err(BAD_ARGUMENT, e))?;
    Ok("OK".into())
}

fn measure(sim: &Sim) -> String {
    let cp = sim.cp_measurement();
    let u = sim.inlet_voltages();
    let i = sim.currents();
    format!(
        "OK {:.3} {:.3} {:.1} {:.2} {:.1} {:.1} {:.1} {:.3} {:.3} {:.3}",
        cp.high_v, cp.low_v, cp.freq_hz, cp.duty_percent, u[0], u[1], u[2], i[0], i[1], i[2]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConfig;

    fn run(sim: &mut Sim, line: &str) -> String {
        EvEmulator::new("T1").handle(line, sim).unwrap()
    }

    #[test]
    fn commands_and_errors() {
        let mut sim = Sim::new(SimConfig::default());
        assert!(run(&mut sim, "*IDN?").starts_with("OK RIG-SIM,EV-EMULATOR,T1,"));
        assert_eq!(
            run(&mut sim, "STATE C"),
            "ERR 102 not allowed in this state: vehicle is not plugged in"
        );
        assert_eq!(run(&mut sim, "PLUG A=32"), "OK");
        assert_eq!(sim.pp_ohms(), Some(220.0));
        assert_eq!(
            run(&mut sim, "PLUG A=16").split(':').next(),
            Some("ERR 101 bad argument")
        );
        assert_eq!(run(&mut sim, "STATE C"), "OK");
        assert_eq!(run(&mut sim, "STATE?"), "OK C");
        assert_eq!(run(&mut sim, "LOAD 16 1 0.9"), "OK");
        assert_eq!(run(&mut sim, "LOAD?"), "OK 16.00 1 0.900");
        assert!(run(&mut sim, "LOAD 16 2 0.9").starts_with("ERR 101"));
        assert!(run(&mut sim, "FROB").starts_with("ERR 100"));
        assert_eq!(run(&mut sim, "FAULT DIODE_SHORT"), "OK");
        assert_eq!(run(&mut sim, "FAULT?"), "OK DIODE_SHORT");
        assert_eq!(run(&mut sim, "RCD 6"), "OK");
        assert_eq!(run(&mut sim, "IGNORE_PILOT?"), "OK OFF");
        assert_eq!(run(&mut sim, "ignore_pilot on"), "OK");
        assert_eq!(run(&mut sim, "IGNORE_PILOT?"), "OK ON");
        assert!(run(&mut sim, "IGNORE_PILOT MAYBE").starts_with("ERR 101"));
        assert_eq!(run(&mut sim, "REACTION?"), "OK 2.000");
        assert_eq!(run(&mut sim, "REACTION 0.2"), "OK");
        assert_eq!(run(&mut sim, "REACTION?"), "OK 0.200");
        assert!(run(&mut sim, "REACTION 6").starts_with("ERR 101"));
        assert_eq!(run(&mut sim, "UNPLUG"), "OK");
        assert_eq!(run(&mut sim, "PLUG?"), "OK NONE");
        assert_eq!(EvEmulator::new("T1").handle("   ", &mut sim), None);
    }

    #[test]
    fn meas_reports_ten_numbers_with_a_dot() {
        let mut sim = Sim::new(SimConfig::default());
        run(&mut sim, "PLUG TETHERED");
        let reply = run(&mut sim, "MEAS?");
        let fields: Vec<&str> = reply.split(' ').collect();
        assert_eq!(fields.len(), 11, "{reply}");
        assert!(fields[1..].iter().all(|f| f.contains('.')));
        // The board drives −12 V until a controller speaks: state F.
        assert_eq!(fields[1], "-12.000");
    }
}

//! The EV emulator's command set (PROTOCOL.md): what we send and how replies are read.
//!
//! Pure functions only: a [`Command`] becomes a text line (or a CAN frame, see `can_frame`), a
//! reply line becomes a [`Reply`], and the data of `MEAS?` becomes a [`Measurement`].

use std::fmt;

use plugin_api::kinds::ev_emulator::{classify_cp, CpState, PilotMeasurement};

/// A vehicle fault the emulator can switch in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    DiodeShort,
    CpPeShort,
    PeOpen,
}

impl Fault {
    pub fn wire_name(self) -> &'static str {
        match self {
            Fault::None => "NONE",
            Fault::DiodeShort => "DIODE_SHORT",
            Fault::CpPeShort => "CP_PE_SHORT",
            Fault::PeOpen => "PE_OPEN",
        }
    }
}

/// The vehicle states an emulator can be asked for once plugged (A is `Unplug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VehicleState {
    B,
    C,
    D,
}

/// How the vehicle is connected: a tethered cable (no PP), or a socket-outlet cable whose PP
/// resistor is given directly or by the cable rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plug {
    Tethered,
    Resistance { ohms: f64 },
    Rating { amps: u32 },
}

/// The cable ratings PROTOCOL.md accepts for `PLUG A=`.
pub const CABLE_RATINGS_A: [u32; 4] = [13, 20, 32, 63];
/// The highest per-phase load current PROTOCOL.md allows.
pub const MAX_LOAD_A: f64 = 80.0;
/// The longest vehicle reaction time PROTOCOL.md allows (the standard's 5 s).
pub const MAX_REACTION_S: f64 = 5.0;
/// The highest DC residual current PROTOCOL.md allows.
pub const MAX_RCD_MA: f64 = 1000.0;

/// One request to the emulator.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Identify,
    Plug(Plug),
    Unplug,
    State(VehicleState),
    Load {
        max_current_a: f64,
        phases: u8,
        power_factor: f64,
    },
    Fault(Fault),
    ResidualCurrent {
        dc_ma: f64,
    },
    /// `IGNORE_PILOT ON|OFF`: the on-board charger keeps drawing when the offer falls or the
    /// PWM stops.
    IgnorePilot(bool),
    /// `REACTION <seconds>`: how long the on-board charger takes to follow a new offer.
    Reaction {
        seconds: f64,
    },
    Measure,
}

impl Command {
    /// The text line for serial and TCP (without the line end).
    pub fn to_line(&self) -> String {
        match self {
            Command::Identify => "*IDN?".into(),
            Command::Plug(Plug::Tethered) => "PLUG TETHERED".into(),
            Command::Plug(Plug::Resistance { ohms }) => format!("PLUG R={ohms:.1}"),
            Command::Plug(Plug::Rating { amps }) => format!("PLUG A={amps}"),
            Command::Unplug => "UNPLUG".into(),
            Command::State(s) => format!("STATE {s:?}"),
            Command::Load {
                max_current_a,
                phases,
                power_factor,
            } => format!("LOAD {max_current_a:.3} {phases} {power_factor:.3}"),
            Command::Fault(f) => format!("FAULT {}", f.wire_name()),
            Command::ResidualCurrent { dc_ma } => format!("RCD {dc_ma:.3}"),
            Command::IgnorePilot(on) => format!("IGNORE_PILOT {}", if *on { "ON" } else { "OFF" }),
            Command::Reaction { seconds } => format!("REACTION {seconds:.3}"),
            Command::Measure => "MEAS?".into(),
        }
    }

    /// Checks arguments before anything is sent, so a bad step fails with a clear reason.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Command::Plug(Plug::Rating { amps }) if !CABLE_RATINGS_A.contains(&amps) => Err(
                format!("cable rating {amps} A is not one of 13, 20, 32, 63 A"),
            ),
            Command::Plug(Plug::Resistance { ohms })
                if !(ohms.is_finite() && ohms > 0.0 && ohms < 1e8) =>
            {
                Err(format!("PP resistance {ohms} Ω must be above 0"))
            }
            Command::Load {
                max_current_a,
                phases,
                power_factor,
            } => {
                if !(max_current_a.is_finite() && (0.0..=MAX_LOAD_A).contains(&max_current_a)) {
                    Err(format!(
                        "load current {max_current_a} A is outside 0..{MAX_LOAD_A} A"
                    ))
                } else if phases != 1 && phases != 3 {
                    Err(format!("load phases {phases}: must be 1 or 3"))
                } else if !(power_factor > 0.0 && power_factor <= 1.0) {
                    Err(format!("power factor {power_factor}: must be in (0, 1]"))
                } else {
                    Ok(())
                }
            }
            Command::Reaction { seconds }
                if !(seconds.is_finite() && (0.0..=MAX_REACTION_S).contains(&seconds)) =>
            {
                Err(format!(
                    "reaction time {seconds} s is outside 0..{MAX_REACTION_S} s"
                ))
            }
            Command::ResidualCurrent { dc_ma }
                if !(dc_ma.is_finite() && (0.0..=MAX_RCD_MA).contains(&dc_ma)) =>
            {
                Err(format!(
                    "DC residual current {dc_ma} mA is outside 0..{MAX_RCD_MA} mA"
                ))
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_line())
    }
}

/// The instrument's answer to one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `OK` or `OK <data>` (data empty for a bare `OK`).
    Ok(String),
    /// `ERR <code> <text>`.
    Err { code: u16, text: String },
}

/// Reads a reply line; anything that is neither `OK…` nor `ERR <code> …` is garbled.
pub fn parse_reply(line: &str) -> Result<Reply, String> {
    let line = line.trim();
    if line == "OK" {
        return Ok(Reply::Ok(String::new()));
    }
    if let Some(data) = line.strip_prefix("OK ") {
        return Ok(Reply::Ok(data.trim().to_string()));
    }
    if let Some(rest) = line.strip_prefix("ERR ") {
        let (code, text) = rest.split_once(' ').unwrap_or((rest, ""));
        if let Ok(code) = code.parse::<u16>() {
            return Ok(Reply::Err {
                code,
                text: text.trim().to_string(),
            });
        }
    }
    Err(format!(
        "garbled reply {line:?}: expected `OK`, `OK <data>` or `ERR <code> <text>`"
    ))
}

/// Parses the data of a `MEAS?` reply (ten numbers separated by spaces) into a measurement
/// stamped `t_us`. The state is classified from the levels (IEC 61851-1 bands of ±1 V); a level
/// between the bands (a transition caught mid-way) is given the nearest state.
pub fn parse_measurement(data: &str, t_us: i64) -> Result<PilotMeasurement, String> {
    let numbers: Vec<f64> = data
        .split_whitespace()
        .map(|field| {
            field
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("MEAS? field {field:?} is not a number"))
        })
        .collect::<Result<_, _>>()?;
    if numbers.len() != 10 {
        return Err(format!(
            "MEAS? reply has {} numbers, expected 10 (cp_high cp_low freq duty u1 u2 u3 i1 i2 i3): {data:?}",
            numbers.len()
        ));
    }
    let (high, low) = (numbers[0], numbers[1]);
    Ok(PilotMeasurement {
        t_us,
        cp_high_v: high,
        cp_low_v: low,
        pwm_frequency_hz: numbers[2],
        duty_percent: numbers[3],
        state: classify_cp(high, low).unwrap_or_else(|| nearest_state(high)),
        supply_v: [numbers[4], numbers[5], numbers[6]],
        current_a: [numbers[7], numbers[8], numbers[9]],
    })
}

/// The state whose nominal positive level is closest to `high_v`.
fn nearest_state(high_v: f64) -> CpState {
    const NOMINAL: [(CpState, f64); 6] = [
        (CpState::A, 12.0),
        (CpState::B, 9.0),
        (CpState::C, 6.0),
        (CpState::D, 3.0),
        (CpState::E, 0.0),
        (CpState::F, -12.0),
    ];
    NOMINAL
        .iter()
        .min_by(|a, b| (a.1 - high_v).abs().total_cmp(&(b.1 - high_v).abs()))
        .map(|(s, _)| *s)
        .unwrap_or(CpState::E)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_match_the_protocol() {
        assert_eq!(Command::Plug(Plug::Tethered).to_line(), "PLUG TETHERED");
        assert_eq!(
            Command::Plug(Plug::Resistance { ohms: 680.0 }).to_line(),
            "PLUG R=680.0"
        );
        assert_eq!(
            Command::Plug(Plug::Rating { amps: 32 }).to_line(),
            "PLUG A=32"
        );
        assert_eq!(Command::State(VehicleState::C).to_line(), "STATE C");
        assert_eq!(
            Command::Load {
                max_current_a: 16.0,
                phases: 3,
                power_factor: 0.95
            }
            .to_line(),
            "LOAD 16.000 3 0.950"
        );
        assert_eq!(
            Command::Fault(Fault::CpPeShort).to_line(),
            "FAULT CP_PE_SHORT"
        );
        assert_eq!(
            Command::ResidualCurrent { dc_ma: 6.0 }.to_line(),
            "RCD 6.000"
        );
        assert_eq!(Command::Measure.to_line(), "MEAS?");
    }

    #[test]
    fn bad_arguments_are_refused_before_sending() {
        assert!(Command::Plug(Plug::Rating { amps: 16 }).validate().is_err());
        let load = |a, p, pf| Command::Load {
            max_current_a: a,
            phases: p,
            power_factor: pf,
        };
        assert!(load(16.0, 2, 1.0).validate().is_err());
        assert!(load(16.0, 3, 0.0).validate().is_err());
        assert!(load(-1.0, 3, 1.0).validate().is_err());
        assert!(load(16.0, 1, 0.5).validate().is_ok());
    }

    #[test]
    fn replies() {
        assert_eq!(parse_reply("OK").unwrap(), Reply::Ok(String::new()));
        assert_eq!(parse_reply("OK a,b").unwrap(), Reply::Ok("a,b".into()));
        assert_eq!(
            parse_reply("ERR 102 not allowed in this state").unwrap(),
            Reply::Err {
                code: 102,
                text: "not allowed in this state".into()
            }
        );
        assert!(parse_reply("OKAY").is_err());
        assert!(parse_reply("ERR x y").is_err());
        assert!(parse_reply("").is_err());
    }

    #[test]
    fn measurement() {
        let m = parse_measurement(
            "9.00 -12.00 1000.0 26.67 230.1 229.9 230.0 15.9 16.0 0.0",
            7,
        )
        .unwrap();
        assert_eq!((m.t_us, m.cp_high_v, m.state), (7, 9.0, CpState::B));
        assert_eq!(m.pwm_frequency_hz, 1000.0);
        assert_eq!(m.current_a, [15.9, 16.0, 0.0]);
        assert_eq!(
            parse_measurement("7.4 -12 0 100 0 0 0 0 0 0", 0)
                .unwrap()
                .state,
            CpState::C
        );
        assert!(parse_measurement("9.0 -12.0", 0)
            .unwrap_err()
            .contains("2 numbers"));
        assert!(parse_measurement("9.0 x 0 0 0 0 0 0 0 0", 0)
            .unwrap_err()
            .contains("\"x\""));
    }
}

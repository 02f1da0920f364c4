//! The control pilot's positive level with the vehicle's resistance at open, 2.74 kΩ, 882 Ω and
//! 246 Ω (states A to D). The expected level follows from the circuit: the charger's +12 V
//! through its 1 kΩ source resistor, the vehicle's diode (about 0.7 V) and resistance to PE, which
//! gives the standard's nominal 12 / 9 / 6 / 3 V within a few tens of millivolts.

/// The vehicle's load on the pilot, as the step names it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PilotLoad {
    Open,
    Ohms(f64),
}

/// The EV emulator state that presents this resistance (the emulator switches the standard
/// resistors, not arbitrary values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmulatorAction {
    Unplug,
    StateB,
    StateC,
    StateD,
}

const SOURCE_V: f64 = 12.0;
const SOURCE_OHMS: f64 = 1000.0;
const DIODE_V: f64 = 0.7;

impl PilotLoad {
    /// Parses the step's words: `open`, `2.74 kΩ`, `882 Ω`, `246 Ω` (also `ohm`, `kohm`).
    pub fn parse(text: &str) -> Result<PilotLoad, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("open") || t.eq_ignore_ascii_case("open circuit") {
            return Ok(PilotLoad::Open);
        }
        let (number, factor) = if let Some(n) = t.strip_suffix("kΩ").or(t.strip_suffix("kohm")) {
            (n, 1000.0)
        } else if let Some(n) = t.strip_suffix('Ω').or(t.strip_suffix("ohm")) {
            (n, 1.0)
        } else {
            return Err(format!("`{t}` is not a resistance like 2.74 kΩ or 882 Ω"));
        };
        let value: f64 = number
            .trim()
            .parse()
            .map_err(|_| format!("`{t}` is not a resistance like 2.74 kΩ or 882 Ω"))?;
        Ok(PilotLoad::Ohms(value * factor))
    }

    /// The emulator action for the standard resistances (±5 %); others are refused because the
    /// emulator cannot present them.
    pub fn emulator_action(self) -> Result<EmulatorAction, String> {
        let near = |r: f64, nominal: f64| (r - nominal).abs() <= nominal * 0.05;
        match self {
            PilotLoad::Open => Ok(EmulatorAction::Unplug),
            PilotLoad::Ohms(r) if near(r, 2740.0) => Ok(EmulatorAction::StateB),
            PilotLoad::Ohms(r) if near(r, 882.0) => Ok(EmulatorAction::StateC),
            PilotLoad::Ohms(r) if near(r, 246.0) => Ok(EmulatorAction::StateD),
            PilotLoad::Ohms(r) => Err(format!(
                "the EV emulator presents 2.74 kΩ, 882 Ω or 246 Ω on the pilot, not {r} Ω"
            )),
        }
    }

    /// The expected positive pilot level, V.
    pub fn expected_level_v(self) -> f64 {
        match self {
            PilotLoad::Open => SOURCE_V,
            PilotLoad::Ohms(r) => (SOURCE_V - DIODE_V) * r / (r + SOURCE_OHMS) + DIODE_V,
        }
    }

    /// The check's name on the certificate.
    pub fn check_name(self) -> String {
        match self {
            PilotLoad::Open => "CP positive level, vehicle open".to_string(),
            PilotLoad::Ohms(r) if r >= 1000.0 => {
                format!("CP positive level, vehicle {} kΩ", trim_number(r / 1000.0))
            }
            PilotLoad::Ohms(r) => format!("CP positive level, vehicle {} Ω", trim_number(r)),
        }
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Limits around a nominal level with the station's tolerance.
pub fn limits(nominal_v: f64, tolerance_v: f64) -> (f64, f64) {
    (nominal_v - tolerance_v, nominal_v + tolerance_v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_match_the_standard_nominals() {
        for (text, nominal) in [
            ("open", 12.0),
            ("2.74 kΩ", 9.0),
            ("882 Ω", 6.0),
            ("246 Ω", 3.0),
        ] {
            let load = PilotLoad::parse(text).unwrap();
            let v = load.expected_level_v();
            assert!((v - nominal).abs() < 0.1, "{text}: {v}");
        }
    }

    #[test]
    fn resistances_map_to_emulator_states() {
        let p = |t| PilotLoad::parse(t).unwrap().emulator_action();
        assert_eq!(p("open").unwrap(), EmulatorAction::Unplug);
        assert_eq!(p("2.74 kΩ").unwrap(), EmulatorAction::StateB);
        assert_eq!(p("2740 ohm").unwrap(), EmulatorAction::StateB);
        assert_eq!(p("882 Ω").unwrap(), EmulatorAction::StateC);
        assert_eq!(p("246 Ω").unwrap(), EmulatorAction::StateD);
        assert!(p("1500 Ω").unwrap_err().contains("1500"));
        assert!(PilotLoad::parse("12 V").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(
            PilotLoad::parse("2.74 kΩ").unwrap().check_name(),
            "CP positive level, vehicle 2.74 kΩ"
        );
        assert_eq!(
            PilotLoad::parse("882 Ω").unwrap().check_name(),
            "CP positive level, vehicle 882 Ω"
        );
        assert_eq!(limits(9.0, 1.0), (8.0, 10.0));
    }
}

//! A three-element power analyser answering the Yokogawa WT300-style SCPI subset described in
//! rigs/sim/INSTRUMENTS.md. It measures the true values at the charger's outlet.

use super::scpi::{self, Unit};
use crate::physics::integrator::IntegratorState;
use crate::physics::power::PhaseQuantities;
use crate::sim::Sim;
use std::collections::VecDeque;

const ERROR_QUEUE_DEPTH: usize = 16;
const MAX_ITEMS: usize = 255;
const DEFAULT_ITEM_COUNT: usize = 15;

/// A measurement function of `:NUMeric:NORMal:ITEM<k>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    None,
    U,
    I,
    P,
    S,
    Q,
    Lambda,
    Phi,
    Fu,
    Fi,
    Wh,
    WhPlus,
    WhMinus,
    Ah,
    Time,
}

const FUNCTIONS: &[(&str, Function)] = &[
    ("NONE", Function::None),
    ("U", Function::U),
    ("I", Function::I),
    ("P", Function::P),
    ("S", Function::S),
    ("Q", Function::Q),
    ("LAMBda", Function::Lambda),
    ("PHI", Function::Phi),
    ("FU", Function::Fu),
    ("VHZ", Function::Fu),
    ("FI", Function::Fi),
    ("AHZ", Function::Fi),
    ("WH", Function::Wh),
    ("WHP", Function::WhPlus),
    ("WHM", Function::WhMinus),
    ("AH", Function::Ah),
    ("TIME", Function::Time),
];

/// Which input element an item reads: 1..3, or Σ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    Phase(usize),
    Sigma,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    function: Function,
    element: Element,
}

/// An SCPI error for the queue: code and message.
type ScpiError = (i32, &'static str);

const SYNTAX_ERROR: ScpiError = (-102, "Syntax error");
const PARAMETER_NOT_ALLOWED: ScpiError = (-108, "Parameter not allowed");
const MISSING_PARAMETER: ScpiError = (-109, "Missing parameter");
const UNDEFINED_HEADER: ScpiError = (-113, "Undefined header");
const SETTINGS_CONFLICT: ScpiError = (-221, "Settings conflict");
const DATA_OUT_OF_RANGE: ScpiError = (-222, "Data out of range");
const ILLEGAL_PARAMETER: ScpiError = (-224, "Illegal parameter value");
const QUEUE_OVERFLOW: ScpiError = (-350, "Queue overflow");

/// The analyser's settings and error queue; the measured values come from the [`Sim`].
#[derive(Debug, Clone)]
pub struct PowerAnalyser {
    identity: String,
    items: Vec<Item>,
    item_count: usize,
    errors: VecDeque<ScpiError>,
    /// Standard event status register bits set since the last `*ESR?`.
    esr: u8,
}

impl PowerAnalyser {
    pub fn new(serial: &str) -> Self {
        let mut a = PowerAnalyser {
            identity: format!("RIG-SIM,WT300-SIM,{serial},F{}", env!("CARGO_PKG_VERSION")),
            items: Vec::new(),
            item_count: DEFAULT_ITEM_COUNT,
            errors: VecDeque::new(),
            esr: 0,
        };
        a.reset_settings();
        a
    }

    /// Default item list: U, I, P, S, Q, λ, φ, fU, fI of element 1, then U, I, P of 2 and 3;
    /// items above 15 are NONE.
    fn reset_settings(&mut self) {
        let e1 = Element::Phase(1);
        let mut items: Vec<Item> = [
            Function::U,
            Function::I,
            Function::P,
            Function::S,
            Function::Q,
            Function::Lambda,
            Function::Phi,
            Function::Fu,
            Function::Fi,
        ]
        .into_iter()
        .map(|function| Item {
            function,
            element: e1,
        })
        .collect();
        for e in [2, 3] {
            for function in [Function::U, Function::I, Function::P] {
                items.push(Item {
                    function,
                    element: Element::Phase(e),
                });
            }
        }
        items.resize(
            MAX_ITEMS,
            Item {
                function: Function::None,
                element: e1,
            },
        );
        self.items = items;
        self.item_count = DEFAULT_ITEM_COUNT;
    }

    fn push_error(&mut self, e: ScpiError) {
        // Command errors set bit 5 (CME), execution errors bit 4 (EXE) of the ESR.
        self.esr |= if e.0 <= -100 && e.0 > -200 {
            0x20
        } else {
            0x10
        };
        if self.errors.len() >= ERROR_QUEUE_DEPTH {
            if let Some(last) = self.errors.back_mut() {
                *last = QUEUE_OVERFLOW;
            }
        } else {
            self.errors.push_back(e);
        }
    }

    /// Runs one program message; returns the response line (queries' answers joined with `;`)
    /// or `None` when the message held no query.
    pub fn handle(&mut self, line: &str, sim: &mut Sim) -> Option<String> {
        let mut answers = Vec::new();
        for unit in scpi::parse_message(line) {
            let result = match unit {
                Ok(unit) => self.execute(&unit, sim),
                Err(_) => Err(SYNTAX_ERROR),
            };
            match result {
                Ok(Some(answer)) => answers.push(answer),
                Ok(None) => {}
                Err(e) => self.push_error(e),
            }
        }
        (!answers.is_empty()).then(|| answers.join(";"))
    }

    fn execute(&mut self, u: &Unit, sim: &mut Sim) -> Result<Option<String>, ScpiError> {
        let is = |pattern: &str| scpi::match_header(pattern, &u.nodes);
        let first = u.nodes[0].as_str();
        if first.starts_with('*') {
            return self.common(first, u);
        }
        if is("SYSTem:ERRor:[NEXT]").is_some() {
            query_only(u)?;
            let (code, text) = self.errors.pop_front().unwrap_or((0, "No error"));
            return Ok(Some(format!("{code},\"{text}\"")));
        }
        if is("COMMunicate:HEADer").is_some() {
            return if u.query {
                Ok(Some("0".into()))
            } else {
                match one_param(u)?.to_ascii_uppercase().as_str() {
                    "OFF" | "0" => Ok(None),
                    "ON" | "1" => Err(SETTINGS_CONFLICT),
                    _ => Err(ILLEGAL_PARAMETER),
                }
            };
        }
        if is("NUMeric:FORMat").is_some() {
            return if u.query {
                Ok(Some("ASCII".into()))
            } else {
                let p = one_param(u)?.to_ascii_uppercase();
                if scpi::mnemonic_matches("ASCii", &p) {
                    Ok(None)
                } else if scpi::mnemonic_matches("FLOat", &p) {
                    Err(SETTINGS_CONFLICT)
                } else {
                    Err(ILLEGAL_PARAMETER)
                }
            };
        }
        if is("NUMeric:[NORMal]:NUMber").is_some() {
            if u.query {
                return Ok(Some(self.item_count.to_string()));
            }
            self.item_count = int_param(one_param(u)?, 1, MAX_ITEMS)?;
            return Ok(None);
        }
        if let Some(k) = is("NUMeric:[NORMal]:ITEM#") {
            let k = k as usize;
            if k == 0 || k > MAX_ITEMS {
                return Err(DATA_OUT_OF_RANGE);
            }
            if u.query {
                return Ok(Some(item_text(self.items[k - 1])));
            }
            self.items[k - 1] = parse_item(&u.params)?;
            return Ok(None);
        }
        if is("NUMeric:[NORMal]:VALue").is_some() {
            if !u.query {
                return Err(UNDEFINED_HEADER);
            }
            let truth = sim.phase_quantities();
            let value = |item: Item| format_value(item_value(item, &truth, sim));
            return match u.params.as_slice() {
                [] => Ok(Some(
                    self.items[..self.item_count]
                        .iter()
                        .map(|i| value(*i))
                        .collect::<Vec<_>>()
                        .join(","),
                )),
                [n] => {
                    let n = int_param(n, 1, MAX_ITEMS)?;
                    Ok(Some(value(self.items[n - 1])))
                }
                _ => Err(PARAMETER_NOT_ALLOWED),
            };
        }
        if is("INTEGrate:STARt").is_some() {
            no_params(u)?;
            return if sim.integrator.start() {
                Ok(None)
            } else {
                Err(SETTINGS_CONFLICT)
            };
        }
        if is("INTEGrate:STOP").is_some() {
            no_params(u)?;
            return if sim.integrator.stop() {
                Ok(None)
            } else {
                Err(SETTINGS_CONFLICT)
            };
        }
        if is("INTEGrate:RESet").is_some() {
            no_params(u)?;
            return if sim.integrator.reset() {
                Ok(None)
            } else {
                Err(SETTINGS_CONFLICT)
            };
        }
        if is("INTEGrate:STATe").is_some() {
            query_only(u)?;
            let state = match sim.integrator.state() {
                IntegratorState::Reset => "RESET",
                IntegratorState::Running => "START",
                IntegratorState::Stopped => "STOP",
            };
            return Ok(Some(state.into()));
        }
        Err(UNDEFINED_HEADER)
    }

    fn common(&mut self, header: &str, u: &Unit) -> Result<Option<String>, ScpiError> {
        match (header, u.query) {
            ("*IDN", true) => {
                no_params(u)?;
                Ok(Some(self.identity.clone()))
            }
            ("*RST", false) => {
                no_params(u)?;
                self.reset_settings();
                Ok(None)
            }
            ("*CLS", false) => {
                no_params(u)?;
                self.errors.clear();
                self.esr = 0;
                Ok(None)
            }
            ("*OPC", true) => {
                no_params(u)?;
                Ok(Some("1".into()))
            }
            ("*OPC", false) => {
                no_params(u)?;
                self.esr |= 0x01;
                Ok(None)
            }
            ("*WAI", false) => no_params(u).map(|_| None),
            ("*ESR", true) => {
                no_params(u)?;
                let v = self.esr;
                self.esr = 0;
                Ok(Some(v.to_string()))
            }
            _ => Err(UNDEFINED_HEADER),
        }
    }
}

fn no_params(u: &Unit) -> Result<(), ScpiError> {
    if u.params.is_empty() {
        Ok(())
    } else {
        Err(PARAMETER_NOT_ALLOWED)
    }
}

fn query_only(u: &Unit) -> Result<(), ScpiError> {
    if !u.query {
        return Err(UNDEFINED_HEADER);
    }
    no_params(u)
}

fn one_param(u: &Unit) -> Result<&str, ScpiError> {
    match u.params.as_slice() {
        [] => Err(MISSING_PARAMETER),
        [p] if p.is_empty() => Err(MISSING_PARAMETER),
        [p] => Ok(p),
        _ => Err(PARAMETER_NOT_ALLOWED),
    }
}

fn int_param(text: &str, min: usize, max: usize) -> Result<usize, ScpiError> {
    let v: f64 = text.parse().map_err(|_| ILLEGAL_PARAMETER)?;
    if v.fract() != 0.0 {
        return Err(ILLEGAL_PARAMETER);
    }
    if v < min as f64 || v > max as f64 {
        return Err(DATA_OUT_OF_RANGE);
    }
    Ok(v as usize)
}

fn parse_item(params: &[String]) -> Result<Item, ScpiError> {
    let (func_text, element_text) = match params {
        [] => return Err(MISSING_PARAMETER),
        [f] => (f, None),
        [f, e] => (f, Some(e)),
        _ => return Err(PARAMETER_NOT_ALLOWED),
    };
    let upper = func_text.to_ascii_uppercase();
    let function = FUNCTIONS
        .iter()
        .find(|(spec, _)| scpi::mnemonic_matches(spec, &upper))
        .map(|(_, f)| *f)
        .ok_or(ILLEGAL_PARAMETER)?;
    let element = match element_text.map(|e| e.to_ascii_uppercase()) {
        None => Element::Phase(1),
        Some(e) if scpi::mnemonic_matches("SIGMa", &e) => Element::Sigma,
        Some(e) => match e.as_str() {
            "1" | "2" | "3" => Element::Phase(e.parse().unwrap_or(1)),
            _ => return Err(ILLEGAL_PARAMETER),
        },
    };
    if element == Element::Sigma && matches!(function, Function::Fu | Function::Fi) {
        return Err(ILLEGAL_PARAMETER);
    }
    Ok(Item { function, element })
}

fn item_text(item: Item) -> String {
    let name = FUNCTIONS
        .iter()
        .find(|(_, f)| *f == item.function)
        .map(|(spec, _)| spec.to_ascii_uppercase())
        .unwrap_or_default();
    if item.function == Function::None {
        return name;
    }
    let element = match item.element {
        Element::Phase(n) => n.to_string(),
        Element::Sigma => "SIGMA".into(),
    };
    format!("{name},{element}")
}

/// The value of an item now; `None` is "no data" (NAN on the wire).
fn item_value(item: Item, truth: &[PhaseQuantities; 3], sim: &Sim) -> Option<f64> {
    let integ = &sim.integrator;
    let phase = |f: &dyn Fn(usize) -> f64| match item.element {
        Element::Phase(n) => f(n - 1),
        Element::Sigma => (0..3).map(f).sum(),
    };
    let mean = |f: &dyn Fn(usize) -> f64| match item.element {
        Element::Phase(n) => f(n - 1),
        Element::Sigma => (0..3).map(f).sum::<f64>() / 3.0,
    };
    let s = phase(&|i| truth[i].s);
    let p = phase(&|i| truth[i].p);
    let lambda = if s > 0.0 { p / s } else { 1.0 };
    let freq = |n: usize| {
        let f = truth[n].freq_hz;
        (f > 0.0).then_some(f)
    };
    match item.function {
        Function::None => None,
        Function::U => Some(mean(&|i| truth[i].u)),
        Function::I => Some(mean(&|i| truth[i].i)),
        Function::P => Some(p),
        Function::S => Some(s),
        Function::Q => Some(phase(&|i| truth[i].q)),
        Function::Lambda => Some(lambda),
        Function::Phi => Some(lambda.clamp(-1.0, 1.0).acos().to_degrees()),
        Function::Fu => match item.element {
            Element::Phase(n) => freq(n - 1),
            Element::Sigma => None,
        },
        Function::Fi => match item.element {
            Element::Phase(n) if truth[n - 1].i > 0.0 => freq(n - 1),
            _ => None,
        },
        Function::Wh => Some(phase(&|i| integ.element(i).wh)),
        Function::WhPlus => Some(phase(&|i| integ.element(i).wh_plus)),
        Function::WhMinus => Some(phase(&|i| integ.element(i).wh_minus)),
        Function::Ah => Some(phase(&|i| integ.element(i).ah)),
        Function::Time => Some(integ.elapsed_s()),
    }
}

/// ASCII numeric data: five significant digits in exponent form (`230.00` → `2.3000E+02`),
/// `NAN` when there is no data.
pub fn format_value(v: Option<f64>) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "NAN".into();
    };
    let text = format!("{v:.4E}");
    let (mantissa, exponent) = text.split_once('E').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConfig;

    #[test]
    fn values_are_formatted_like_the_instrument() {
        assert_eq!(format_value(Some(230.0)), "2.3000E+02");
        assert_eq!(format_value(Some(-0.01234)), "-1.2340E-02");
        assert_eq!(format_value(Some(0.0)), "0.0000E+00");
        assert_eq!(format_value(None), "NAN");
    }

    #[test]
    fn error_queue_reports_undefined_headers_in_order_then_no_error() {
        let mut a = PowerAnalyser::new("T");
        let mut sim = Sim::new(SimConfig::default());
        assert_eq!(a.handle(":FOO:BAR 1", &mut sim), None);
        assert_eq!(a.handle(":NUM:NORM:NUM 999", &mut sim), None);
        assert_eq!(
            a.handle("SYST:ERR?;:SYSTEM:ERROR:NEXT?;:syst:err?", &mut sim)
                .unwrap(),
            "-113,\"Undefined header\";-222,\"Data out of range\";0,\"No error\""
        );
    }

    #[test]
    fn error_queue_overflow_replaces_the_last_entry() {
        let mut a = PowerAnalyser::new("T");
        let mut sim = Sim::new(SimConfig::default());
        for _ in 0..20 {
            a.handle(":BOGUS", &mut sim);
        }
        let mut last = String::new();
        for _ in 0..ERROR_QUEUE_DEPTH {
            last = a.handle(":SYST:ERR?", &mut sim).unwrap();
        }
        assert_eq!(last, "-350,\"Queue overflow\"");
        assert_eq!(a.handle("*ESR?", &mut sim).unwrap(), "32");
    }

    #[test]
    fn items_are_set_and_read_back() {
        let mut a = PowerAnalyser::new("T");
        let mut sim = Sim::new(SimConfig::default());
        a.handle(
            ":NUMERIC:NORMAL:NUMBER 3;ITEM1 U,2;ITEM2 LAMB,SIGMA;ITEM3 WH,3",
            &mut sim,
        );
        assert_eq!(
            a.handle(":NUM:ITEM1?;ITEM2?;ITEM3?;:NUM:NUM?", &mut sim)
                .unwrap(),
            "U,2;LAMBDA,SIGMA;WH,3;3"
        );
        assert_eq!(
            a.handle(":NUM:NORM:VAL?", &mut sim).unwrap(),
            "0.0000E+00,1.0000E+00,0.0000E+00"
        );
        a.handle(":NUM:ITEM1 FU,SIGMA", &mut sim);
        assert_eq!(
            a.handle(":SYST:ERR?", &mut sim).unwrap(),
            "-224,\"Illegal parameter value\""
        );
    }
}

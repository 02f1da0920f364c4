//! A scripted EV emulator written from the protocol (interfaces section D / PROTOCOL.md), not
//! from the simulator: enough state to answer every command the way the document says.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use super::line_server::Answer;

/// What the charger side is doing, set by the test, plus the vehicle's side set by commands.
#[derive(Debug, Clone)]
pub struct Bench {
    pub plugged: bool,
    pub state: char,
    /// PWM duty the "charger" generates; `None` is DC.
    pub duty: Option<f64>,
    pub supply_on: bool,
    /// Overrides the CP high level (timing tests).
    pub cp_high_override: Option<f64>,
    /// Answer every command with this line instead (garbled instrument).
    pub garble: Option<String>,
    /// Stop answering at all.
    pub silent: bool,
    /// Close the port on the next command.
    pub hang_up: bool,
    pub load_a: f64,
}

impl Default for Bench {
    fn default() -> Self {
        Self {
            plugged: false,
            state: 'A',
            duty: None,
            supply_on: false,
            cp_high_override: None,
            garble: None,
            silent: false,
            hang_up: false,
            load_a: 0.0,
        }
    }
}

impl Bench {
    fn cp_high(&self) -> f64 {
        self.cp_high_override.unwrap_or(match self.state {
            'B' => 9.0,
            'C' => 6.0,
            'D' => 3.0,
            _ => 12.0,
        })
    }

    fn meas(&self) -> String {
        let (freq, duty) = match self.duty {
            Some(d) => (1000.0, d),
            None => (0.0, 100.0),
        };
        let low = if self.duty.is_some() {
            -12.0
        } else {
            self.cp_high()
        };
        let u = if self.supply_on { 230.0 } else { 0.0 };
        let i = if self.supply_on && matches!(self.state, 'C' | 'D') {
            self.load_a
        } else {
            0.0
        };
        format!(
            "OK {:.2} {:.2} {freq:.1} {duty:.2} {u:.1} {u:.1} {u:.1} {i:.2} {i:.2} {i:.2}",
            self.cp_high(),
            low
        )
    }

    /// The reply line to one command, per the protocol document.
    pub fn answer(&mut self, line: &str) -> Answer {
        if self.hang_up {
            return Answer::HangUp;
        }
        if self.silent {
            return Answer::Silence;
        }
        if let Some(g) = &self.garble {
            return Answer::Bytes(format!("{g}\n").into_bytes());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let reply = match words.as_slice() {
            ["*IDN?"] => "OK TestBench,EVE-1,0001,1.0".to_string(),
            ["MEAS?"] => self.meas(),
            ["PLUG", coding] => {
                let ok = *coding == "TETHERED"
                    || coding
                        .strip_prefix("R=")
                        .is_some_and(|r| r.parse::<f64>().is_ok_and(|r| r > 0.0))
                    || coding
                        .strip_prefix("A=")
                        .is_some_and(|a| ["13", "20", "32", "63"].contains(&a));
                if ok {
                    self.plugged = true;
                    self.state = 'B';
                    "OK".into()
                } else {
                    "ERR 101 bad argument".into()
                }
            }
            ["UNPLUG"] => {
                self.plugged = false;
                self.state = 'A';
                self.load_a = 0.0;
                "OK".into()
            }
            ["STATE", s] if ["B", "C", "D"].contains(s) => {
                if self.plugged {
                    self.state = s.chars().next().unwrap();
                    "OK".into()
                } else {
                    "ERR 102 not allowed in this state".into()
                }
            }
            ["LOAD", a, p, pf] => match (a.parse::<f64>(), p.parse::<u8>(), pf.parse::<f64>()) {
                (Ok(a), Ok(1 | 3), Ok(_)) => {
                    self.load_a = a;
                    "OK".into()
                }
                _ => "ERR 101 bad argument".into(),
            },
            ["FAULT", "NONE" | "DIODE_SHORT" | "CP_PE_SHORT" | "PE_OPEN"] => "OK".into(),
            ["RCD", ma] if ma.parse::<f64>().is_ok() => "OK".into(),
            _ => "ERR 100 unknown command".into(),
        };
        Answer::Bytes(format!("{reply}\r\n").into_bytes())
    }
}

pub type SharedBench = Arc<Mutex<Bench>>;

/// A handler for `LineServer` answering from a shared bench.
pub fn handler(bench: SharedBench) -> impl FnMut(&str) -> Answer + Send + 'static {
    move |line| bench.lock().unwrap().answer(line)
}

//! Messages from the controller (the charger's main processor) to the power board.
//! Type ids 0x01..=0x7F.

use crate::wire::{Reader, Writer};
use crate::{FrameError, Message};

/// What the board drives on the control pilot line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PilotOutput {
    /// Constant +12 V (states A, B1, C1: no PWM, "x1").
    DcPlus12V,
    /// Constant −12 V: state F, EVSE not available.
    DcMinus12V,
    /// 1 kHz ±12 V square wave with this duty cycle in 0.1 % units (0..=1000), "x2".
    Pwm { duty_permille: u16 },
}

/// One light (the central light around the RFID reader, or the ring light).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LightSetting {
    pub pattern: LightPattern,
    pub red: u8,
    pub green: u8,
    pub blue: u8,
}

/// How a light shows its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LightPattern {
    #[default]
    Off,
    Solid,
    /// 1 Hz, 50 % on.
    SlowBlink,
    /// 4 Hz, 50 % on.
    FastBlink,
    /// Smooth 2 s breathing.
    Pulse,
}

impl LightPattern {
    fn code(self) -> u8 {
        match self {
            LightPattern::Off => 0,
            LightPattern::Solid => 1,
            LightPattern::SlowBlink => 2,
            LightPattern::FastBlink => 3,
            LightPattern::Pulse => 4,
        }
    }
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => LightPattern::Off,
            1 => LightPattern::Solid,
            2 => LightPattern::SlowBlink,
            3 => LightPattern::FastBlink,
            4 => LightPattern::Pulse,
            _ => return None,
        })
    }
}

/// A message the controller sends to the power board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControllerMessage {
    /// 0x01: sent at start-up and after a link loss; the board answers with its `Hello`.
    Hello { firmware_version: String },
    /// 0x02: sent every second; proves the controller is alive.
    KeepAlive,
    /// 0x03: set the control pilot output.
    SetPilot(PilotOutput),
    /// 0x04: close or open the main contactor.
    SetContactor { closed: bool },
    /// 0x05: lock or unlock the socket's cable lock (ignored by tethered boards).
    SetLock { locked: bool },
    /// 0x06: inject the residual-current sensor's test current; the board answers with
    /// `RcmSelfTestResult`.
    StartRcmSelfTest,
    /// 0x07: set both lights.
    SetLights {
        central: LightSetting,
        ring: LightSetting,
    },
}

pub(crate) const HELLO: u8 = 0x01;
pub(crate) const KEEP_ALIVE: u8 = 0x02;
pub(crate) const SET_PILOT: u8 = 0x03;
pub(crate) const SET_CONTACTOR: u8 = 0x04;
pub(crate) const SET_LOCK: u8 = 0x05;
pub(crate) const START_RCM_SELF_TEST: u8 = 0x06;
pub(crate) const SET_LIGHTS: u8 = 0x07;

fn write_light(w: &mut Writer<'_>, l: &LightSetting) {
    w.u8(l.pattern.code());
    w.u8(l.red);
    w.u8(l.green);
    w.u8(l.blue);
}

fn read_light(r: &mut Reader<'_>, field: &'static str) -> Result<LightSetting, FrameError> {
    let code = r.u8()?;
    let pattern = LightPattern::from_code(code).ok_or_else(|| r.bad_value(field, code.into()))?;
    Ok(LightSetting {
        pattern,
        red: r.u8()?,
        green: r.u8()?,
        blue: r.u8()?,
    })
}

impl Message for ControllerMessage {
    fn type_id(&self) -> u8 {
        match self {
            ControllerMessage::Hello { .. } => HELLO,
            ControllerMessage::KeepAlive => KEEP_ALIVE,
            ControllerMessage::SetPilot(_) => SET_PILOT,
            ControllerMessage::SetContactor { .. } => SET_CONTACTOR,
            ControllerMessage::SetLock { .. } => SET_LOCK,
            ControllerMessage::StartRcmSelfTest => START_RCM_SELF_TEST,
            ControllerMessage::SetLights { .. } => SET_LIGHTS,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        let mut w = Writer(out);
        match self {
            ControllerMessage::Hello { firmware_version } => w.text(firmware_version),
            ControllerMessage::KeepAlive | ControllerMessage::StartRcmSelfTest => {}
            ControllerMessage::SetPilot(p) => {
                let (mode, duty) = match *p {
                    PilotOutput::DcPlus12V => (0, 0),
                    PilotOutput::DcMinus12V => (1, 0),
                    PilotOutput::Pwm { duty_permille } => (2, duty_permille),
                };
                w.u8(mode);
                w.u16(duty);
            }
            ControllerMessage::SetContactor { closed } => w.bool(*closed),
            ControllerMessage::SetLock { locked } => w.bool(*locked),
            ControllerMessage::SetLights { central, ring } => {
                write_light(&mut w, central);
                write_light(&mut w, ring);
            }
        }
    }

    fn decode_body(type_id: u8, body: &[u8]) -> Result<Self, FrameError> {
        let mut r = Reader::new(type_id, body);
        Ok(match type_id {
            HELLO => ControllerMessage::Hello {
                firmware_version: r.text("firmware_version")?,
            },
            KEEP_ALIVE => ControllerMessage::KeepAlive,
            SET_PILOT => {
                let mode = r.u8()?;
                let duty = r.u16()?;
                ControllerMessage::SetPilot(match mode {
                    0 => PilotOutput::DcPlus12V,
                    1 => PilotOutput::DcMinus12V,
                    2 if duty <= 1000 => PilotOutput::Pwm {
                        duty_permille: duty,
                    },
                    2 => return Err(r.bad_value("duty_permille", duty.into())),
                    m => return Err(r.bad_value("pilot_mode", m.into())),
                })
            }
            SET_CONTACTOR => ControllerMessage::SetContactor {
                closed: r.bool("closed")?,
            },
            SET_LOCK => ControllerMessage::SetLock {
                locked: r.bool("locked")?,
            },
            START_RCM_SELF_TEST => ControllerMessage::StartRcmSelfTest,
            SET_LIGHTS => ControllerMessage::SetLights {
                central: read_light(&mut r, "central_pattern")?,
                ring: read_light(&mut r, "ring_pattern")?,
            },
            other => return Err(FrameError::UnknownMessage { type_id: other }),
        })
    }
}

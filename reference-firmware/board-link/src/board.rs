//! Messages from the power board to the controller. Type ids 0x81..=0xFF.

use crate::wire::{Reader, Writer};
use crate::{FrameError, Message};

/// `pp_ohms` value on the wire meaning "no resistor seen" (open circuit, no cable, or a
/// tethered board without a PP input).
pub const PP_OPEN: u32 = u32::MAX;

/// The board's periodic status (every 10 ms, and at once when a discrete input changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Control pilot, positive plateau, in mV (for DC the level itself).
    pub cp_high_mv: i16,
    /// Control pilot, negative plateau, in mV (for +12 V DC the board reports the same as high).
    pub cp_low_mv: i16,
    /// Proximity pilot resistance PP–PE in ohms; `None` when open.
    pub pp_ohms: Option<u32>,
    /// The contactor's auxiliary (mirror) contact: true when the main contacts are closed.
    pub contactor_closed: bool,
    /// The lock's feedback switch: true when the lock pin is engaged.
    pub lock_engaged: bool,
    /// The RJ45 port has an Ethernet link.
    pub ethernet_link_up: bool,
    /// DC residual current measured by the sensor, in 0.1 mA.
    pub residual_dc_tenth_ma: u16,
    /// Hottest temperature sensor on the board (terminals, relay), in 0.1 °C.
    pub temperature_tenth_c: i16,
    /// Milliseconds since the board started (wraps after 49 days).
    pub board_uptime_ms: u32,
}

/// One phase of a meter sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PhaseSample {
    /// RMS voltage, 0.1 V.
    pub voltage_tenth_v: u16,
    /// RMS current, mA.
    pub current_ma: u32,
    /// Active power, 0.1 W (negative when exporting).
    pub active_power_tenth_w: i32,
    /// Power factor × 1000 (−1000..=1000).
    pub power_factor_milli: i16,
}

/// A sample from the metering chip (every 1 s while the contactor is closed, every 10 s
/// otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeterSample {
    /// L1, L2, L3. Phases that are not wired report zero.
    pub phases: [PhaseSample; 3],
    /// The chip's active import energy accumulator since board power-up, in mWh. Only grows;
    /// restarts at 0 when the board restarts.
    pub import_energy_mwh: u64,
}

/// What the board's own protection did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardFaultCode {
    /// 1: no valid frame from the controller for 5 s; the board entered its safe state.
    LinkTimeout,
    /// 2: the auxiliary contact says closed while the contactor is commanded open.
    ContactorWelded,
    /// 3: the auxiliary contact stayed open 500 ms after a close command.
    ContactorDidNotClose,
    /// 4: the lock did not reach the commanded position within 1 s.
    LockFailure,
    /// 5: the board's own hardware over-temperature cut-out opened the contactor.
    OverTemperature,
    /// 6: the residual-current sensor's hardware trip opened the contactor.
    ResidualCurrentTrip,
    /// Any other code (newer boards); treat as a fault that opened the contactor.
    Other(u8),
}

impl BoardFaultCode {
    /// The code byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            BoardFaultCode::LinkTimeout => 1,
            BoardFaultCode::ContactorWelded => 2,
            BoardFaultCode::ContactorDidNotClose => 3,
            BoardFaultCode::LockFailure => 4,
            BoardFaultCode::OverTemperature => 5,
            BoardFaultCode::ResidualCurrentTrip => 6,
            BoardFaultCode::Other(c) => c,
        }
    }
    /// The fault of a code byte (unknown codes become `Other`).
    pub fn from_code(c: u8) -> Self {
        match c {
            1 => BoardFaultCode::LinkTimeout,
            2 => BoardFaultCode::ContactorWelded,
            3 => BoardFaultCode::ContactorDidNotClose,
            4 => BoardFaultCode::LockFailure,
            5 => BoardFaultCode::OverTemperature,
            6 => BoardFaultCode::ResidualCurrentTrip,
            c => BoardFaultCode::Other(c),
        }
    }
}

/// A message the power board sends to the controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardMessage {
    /// 0x81: answer to the controller's `Hello`.
    Hello {
        board_id: String,
        board_firmware: String,
    },
    /// 0x82: periodic status.
    Status(Status),
    /// 0x83: metering chip sample.
    MeterSample(MeterSample),
    /// 0x84: outcome of `StartRcmSelfTest`.
    RcmSelfTestResult {
        passed: bool,
        measured_tenth_ma: u16,
    },
    /// 0x85: the board's own protection raised (`active`) or cleared a fault.
    /// `contactor_opened` says whether the board opened the contactor by itself.
    Fault {
        code: BoardFaultCode,
        active: bool,
        contactor_opened: bool,
    },
    /// 0x86: the RFID reader (ISO/IEC 14443 Type A, on the front board) read a card: its UID,
    /// 1..=10 bytes (4, 7 or 10 for real cards; the controller refuses other lengths).
    RfidCard { uid: Vec<u8> },
}

pub(crate) const HELLO: u8 = 0x81;
pub(crate) const STATUS: u8 = 0x82;
pub(crate) const METER_SAMPLE: u8 = 0x83;
pub(crate) const RCM_SELF_TEST_RESULT: u8 = 0x84;
pub(crate) const FAULT: u8 = 0x85;
pub(crate) const RFID_CARD: u8 = 0x86;
/// Longest UID a `RfidCard` message carries.
pub const MAX_UID_LEN: usize = 10;

const FLAG_CONTACTOR: u8 = 1 << 0;
const FLAG_LOCK: u8 = 1 << 1;
const FLAG_ETHERNET: u8 = 1 << 2;

impl Message for BoardMessage {
    fn type_id(&self) -> u8 {
        match self {
            BoardMessage::Hello { .. } => HELLO,
            BoardMessage::Status(_) => STATUS,
            BoardMessage::MeterSample(_) => METER_SAMPLE,
            BoardMessage::RcmSelfTestResult { .. } => RCM_SELF_TEST_RESULT,
            BoardMessage::Fault { .. } => FAULT,
            BoardMessage::RfidCard { .. } => RFID_CARD,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        let mut w = Writer(out);
        match self {
            BoardMessage::Hello {
                board_id,
                board_firmware,
            } => {
                w.text(board_id);
                w.text(board_firmware);
            }
            BoardMessage::Status(s) => {
                w.i16(s.cp_high_mv);
                w.i16(s.cp_low_mv);
                w.u32(s.pp_ohms.unwrap_or(PP_OPEN));
                let mut flags = 0;
                if s.contactor_closed {
                    flags |= FLAG_CONTACTOR;
                }
                if s.lock_engaged {
                    flags |= FLAG_LOCK;
                }
                if s.ethernet_link_up {
                    flags |= FLAG_ETHERNET;
                }
                w.u8(flags);
                w.u16(s.residual_dc_tenth_ma);
                w.i16(s.temperature_tenth_c);
                w.u32(s.board_uptime_ms);
            }
            BoardMessage::MeterSample(m) => {
                for p in &m.phases {
                    w.u16(p.voltage_tenth_v);
                    w.u32(p.current_ma);
                    w.i32(p.active_power_tenth_w);
                    w.i16(p.power_factor_milli);
                }
                w.u64(m.import_energy_mwh);
            }
            BoardMessage::RcmSelfTestResult {
                passed,
                measured_tenth_ma,
            } => {
                w.bool(*passed);
                w.u16(*measured_tenth_ma);
            }
            BoardMessage::Fault {
                code,
                active,
                contactor_opened,
            } => {
                w.u8(code.code());
                w.bool(*active);
                w.bool(*contactor_opened);
            }
            BoardMessage::RfidCard { uid } => {
                let uid = &uid[..uid.len().min(MAX_UID_LEN)];
                w.u8(uid.len() as u8);
                uid.iter().for_each(|&b| w.u8(b));
            }
        }
    }

    fn decode_body(type_id: u8, body: &[u8]) -> Result<Self, FrameError> {
        let mut r = Reader::new(type_id, body);
        Ok(match type_id {
            HELLO => BoardMessage::Hello {
                board_id: r.text("board_id")?,
                board_firmware: r.text("board_firmware")?,
            },
            STATUS => {
                let cp_high_mv = r.i16()?;
                let cp_low_mv = r.i16()?;
                let pp = r.u32()?;
                let flags = r.u8()?;
                Status {
                    cp_high_mv,
                    cp_low_mv,
                    pp_ohms: (pp != PP_OPEN).then_some(pp),
                    contactor_closed: flags & FLAG_CONTACTOR != 0,
                    lock_engaged: flags & FLAG_LOCK != 0,
                    ethernet_link_up: flags & FLAG_ETHERNET != 0,
                    residual_dc_tenth_ma: r.u16()?,
                    temperature_tenth_c: r.i16()?,
                    board_uptime_ms: r.u32()?,
                }
                .into()
            }
            METER_SAMPLE => {
                let mut phases = [PhaseSample::default(); 3];
                for p in &mut phases {
                    *p = PhaseSample {
                        voltage_tenth_v: r.u16()?,
                        current_ma: r.u32()?,
                        active_power_tenth_w: r.i32()?,
                        power_factor_milli: r.i16()?,
                    };
                    if !(-1000..=1000).contains(&p.power_factor_milli) {
                        return Err(r.bad_value("power_factor_milli", p.power_factor_milli.into()));
                    }
                }
                BoardMessage::MeterSample(MeterSample {
                    phases,
                    import_energy_mwh: r.u64()?,
                })
            }
            RCM_SELF_TEST_RESULT => BoardMessage::RcmSelfTestResult {
                passed: r.bool("passed")?,
                measured_tenth_ma: r.u16()?,
            },
            FAULT => BoardMessage::Fault {
                code: BoardFaultCode::from_code(r.u8()?),
                active: r.bool("active")?,
                contactor_opened: r.bool("contactor_opened")?,
            },
            RFID_CARD => {
                let len = r.u8()?;
                if len == 0 || usize::from(len) > MAX_UID_LEN {
                    return Err(r.bad_value("uid_len", len.into()));
                }
                let uid = (0..len).map(|_| r.u8()).collect::<Result<Vec<u8>, _>>()?;
                BoardMessage::RfidCard { uid }
            }
            other => return Err(FrameError::UnknownMessage { type_id: other }),
        })
    }
}

impl From<Status> for BoardMessage {
    fn from(s: Status) -> Self {
        BoardMessage::Status(s)
    }
}

//! The CAN variant of the EV emulator protocol (PROTOCOL.md): the same commands in classic
//! 8-byte frames with standard 11-bit IDs, all multi-byte numbers little-endian.
//!
//! - A request is one frame on [`REQUEST_ID`]: byte 0 the opcode, then its arguments, padded
//!   with zeros to 8 bytes. `IDN 0x01` | `PLUG 0x10 kind(0 tethered, 1 resistance, 2 rating)`
//!   then `u32 ohms×10` at bytes 2..6 or `u8 amps` at byte 2 | `UNPLUG 0x11` |
//!   `STATE 0x12 'B'|'C'|'D'` | `LOAD 0x13 u16 max_current×100, u8 phases, u16 pf×1000` |
//!   `FAULT 0x14 u8 (0 none, 1 diode short, 2 CP-PE short, 3 PE open)` | `RCD 0x15 u32 µA` |
//!   `IGNORE_PILOT 0x16 u8 (0 off, 1 on)` | `REACTION 0x17 u16 ms` | `MEAS 0x20`.
//! - Every request is answered by one status frame on [`STATUS_ID`]: `[opcode, code, following]`
//!   with code 0 for OK or the line protocol's error code (100..102), and `following` the
//!   number of data frames after it.
//! - `MEAS` is followed by three frames: [`MEAS_PILOT_ID`] `i16 cp_high mV, i16 cp_low mV,
//!   u16 freq×10, u16 duty×100`; [`MEAS_VOLTAGE_ID`] `3 × u16 V×10`; [`MEAS_CURRENT_ID`]
//!   `3 × u16 A×100`.
//! - `IDN` is followed by `following` frames on [`TEXT_ID`], 8 ASCII bytes each, zero-padded.

use crate::protocol::{Command, Fault, Plug, Reply, VehicleState};

/// Plugin → emulator: one frame per command.
pub const REQUEST_ID: u16 = 0x6E0;
/// Emulator → plugin: the status of each command.
pub const STATUS_ID: u16 = 0x6E8;
/// Emulator → plugin after a `MEAS` status: levels, frequency, duty.
pub const MEAS_PILOT_ID: u16 = 0x6E9;
/// ... inlet voltage per phase.
pub const MEAS_VOLTAGE_ID: u16 = 0x6EA;
/// ... current per phase.
pub const MEAS_CURRENT_ID: u16 = 0x6EB;
/// Emulator → plugin after an `IDN` status: the identity text.
pub const TEXT_ID: u16 = 0x6EC;
/// Receive filter: every reply ID lies in 0x6E8..=0x6EF.
pub const REPLY_FILTER: (u16, u16) = (0x6E8, 0x7F8);

fn opcode(command: &Command) -> u8 {
    match command {
        Command::Identify => 0x01,
        Command::Plug(_) => 0x10,
        Command::Unplug => 0x11,
        Command::State(_) => 0x12,
        Command::Load { .. } => 0x13,
        Command::Fault(_) => 0x14,
        Command::ResidualCurrent { .. } => 0x15,
        Command::IgnorePilot(_) => 0x16,
        Command::Reaction { .. } => 0x17,
        Command::Measure => 0x20,
    }
}

/// Scales and rounds into an unsigned 16-bit field, clamping out-of-range values.
fn scaled_u16(value: f64, scale: f64) -> u16 {
    (value * scale).round().clamp(0.0, u16::MAX as f64) as u16
}

fn scaled_u32(value: f64, scale: f64) -> u32 {
    (value * scale).round().clamp(0.0, u32::MAX as f64) as u32
}

/// The request frame's 8 data bytes.
pub fn encode_request(command: &Command) -> [u8; 8] {
    let mut d = [0u8; 8];
    d[0] = opcode(command);
    match *command {
        Command::Identify | Command::Unplug | Command::Measure => {}
        Command::Plug(Plug::Tethered) => d[1] = 0,
        Command::Plug(Plug::Resistance { ohms }) => {
            d[1] = 1;
            d[2..6].copy_from_slice(&scaled_u32(ohms, 10.0).to_le_bytes());
        }
        Command::Plug(Plug::Rating { amps }) => {
            d[1] = 2;
            d[2] = amps.min(255) as u8;
        }
        Command::State(s) => {
            d[1] = match s {
                VehicleState::B => b'B',
                VehicleState::C => b'C',
                VehicleState::D => b'D',
            }
        }
        Command::Load {
            max_current_a,
            phases,
            power_factor,
        } => {
            d[1..3].copy_from_slice(&scaled_u16(max_current_a, 100.0).to_le_bytes());
            d[3] = phases;
            d[4..6].copy_from_slice(&scaled_u16(power_factor, 1000.0).to_le_bytes());
        }
        Command::Fault(f) => {
            d[1] = match f {
                Fault::None => 0,
                Fault::DiodeShort => 1,
                Fault::CpPeShort => 2,
                Fault::PeOpen => 3,
            }
        }
        Command::ResidualCurrent { dc_ma } => {
            d[1..5].copy_from_slice(&scaled_u32(dc_ma, 1000.0).to_le_bytes());
        }
        Command::IgnorePilot(on) => d[1] = u8::from(on),
        Command::Reaction { seconds } => {
            d[1..3].copy_from_slice(&scaled_u16(seconds, 1000.0).to_le_bytes());
        }
    }
    d
}

/// What one received frame meant.
#[derive(Debug, PartialEq, Eq)]
pub enum Assembled {
    /// More frames to come.
    Partial,
    Done(Reply),
}

/// Collects the frames answering one request into a [`Reply`] whose data reads like the line
/// protocol's, so the rest of the plugin does not care which transport carried it.
pub struct ReplyAssembler {
    command: Command,
    /// Data frames announced by the status frame; `None` until it arrived.
    following: Option<u8>,
    text: Vec<u8>,
    pilot: Option<[u8; 8]>,
    voltage: Option<[u8; 8]>,
    current: Option<[u8; 8]>,
    received: u8,
}

fn pad(data: &[u8]) -> [u8; 8] {
    let mut d = [0u8; 8];
    let n = data.len().min(8);
    d[..n].copy_from_slice(&data[..n]);
    d
}

impl ReplyAssembler {
    pub fn new(command: Command) -> Self {
        Self {
            command,
            following: None,
            text: Vec::new(),
            pilot: None,
            voltage: None,
            current: None,
            received: 0,
        }
    }

    /// Takes one frame from the reply IDs; an error says what was wrong with it.
    pub fn push(&mut self, id: u16, data: &[u8]) -> Result<Assembled, String> {
        let op = opcode(&self.command);
        let Some(following) = self.following else {
            if id != STATUS_ID || data.len() < 3 || data[0] != op {
                return Err(format!(
                    "unexpected frame 0x{id:03x} {data:02x?}: expected the status frame 0x{STATUS_ID:03x} for opcode 0x{op:02x}"
                ));
            }
            let (code, following) = (data[1], data[2]);
            if code != 0 {
                return Ok(Assembled::Done(Reply::Err {
                    code: code as u16,
                    text: "(reported over CAN)".into(),
                }));
            }
            let expected = match self.command {
                Command::Measure => Some(3),
                Command::Identify => None,
                _ => Some(0),
            };
            if expected.is_some_and(|n| n != following) {
                return Err(format!(
                    "status frame announces {following} data frames for opcode 0x{op:02x}, expected {}",
                    expected.unwrap_or_default()
                ));
            }
            self.following = Some(following);
            return self.finish_if_complete();
        };
        let slot = match (&self.command, id) {
            (Command::Measure, MEAS_PILOT_ID) => &mut self.pilot,
            (Command::Measure, MEAS_VOLTAGE_ID) => &mut self.voltage,
            (Command::Measure, MEAS_CURRENT_ID) => &mut self.current,
            (Command::Identify, TEXT_ID) => {
                self.text.extend_from_slice(data);
                self.received += 1;
                return self.finish_if_complete();
            }
            _ => {
                return Err(format!(
                    "unexpected frame 0x{id:03x} {data:02x?} after the status of opcode 0x{op:02x} ({} of {following} data frames received)",
                    self.received
                ))
            }
        };
        if slot.replace(pad(data)).is_some() {
            return Err(format!("data frame 0x{id:03x} received twice"));
        }
        self.received += 1;
        self.finish_if_complete()
    }

    fn finish_if_complete(&mut self) -> Result<Assembled, String> {
        if Some(self.received) != self.following {
            return Ok(Assembled::Partial);
        }
        let data = match self.command {
            Command::Identify => {
                let text: Vec<u8> = self.text.iter().copied().filter(|b| *b != 0).collect();
                String::from_utf8(text).map_err(|_| "identity text is not ASCII".to_string())?
            }
            Command::Measure => decode_measurement(
                &self.pilot.unwrap_or_default(),
                &self.voltage.unwrap_or_default(),
                &self.current.unwrap_or_default(),
            ),
            _ => String::new(),
        };
        Ok(Assembled::Done(Reply::Ok(data)))
    }
}

fn word(d: &[u8; 8], k: usize) -> [u8; 2] {
    [d[2 * k], d[2 * k + 1]]
}

/// The three MEAS data frames as the line protocol's ten numbers.
fn decode_measurement(pilot: &[u8; 8], voltage: &[u8; 8], current: &[u8; 8]) -> String {
    let unsigned =
        |d: &[u8; 8], k: usize, scale: f64| u16::from_le_bytes(word(d, k)) as f64 / scale;
    let signed = |d: &[u8; 8], k: usize| i16::from_le_bytes(word(d, k)) as f64 / 1000.0;
    format!(
        "{:.3} {:.3} {:.1} {:.2} {:.1} {:.1} {:.1} {:.2} {:.2} {:.2}",
        signed(pilot, 0),
        signed(pilot, 1),
        unsigned(pilot, 2, 10.0),
        unsigned(pilot, 3, 100.0),
        unsigned(voltage, 0, 10.0),
        unsigned(voltage, 1, 10.0),
        unsigned(voltage, 2, 10.0),
        unsigned(current, 0, 100.0),
        unsigned(current, 1, 100.0),
        unsigned(current, 2, 100.0),
    )
}

/// The emulator's side of a `MEAS` answer for ten values in line-protocol units: the status
/// frame and three data frames as `(id, data)` (for tests and emulator writers).
pub fn encode_measurement_reply(v: [f64; 10]) -> Vec<(u16, [u8; 8])> {
    let mut pilot = [0u8; 8];
    for (k, x) in v[..2].iter().enumerate() {
        let raw = (x * 1000.0).round().clamp(i16::MIN as f64, i16::MAX as f64) as i16;
        pilot[2 * k..2 * k + 2].copy_from_slice(&raw.to_le_bytes());
    }
    pilot[4..6].copy_from_slice(&scaled_u16(v[2], 10.0).to_le_bytes());
    pilot[6..8].copy_from_slice(&scaled_u16(v[3], 100.0).to_le_bytes());
    let triple = |values: &[f64], scale: f64| {
        let mut d = [0u8; 8];
        for (k, x) in values.iter().enumerate() {
            d[2 * k..2 * k + 2].copy_from_slice(&scaled_u16(*x, scale).to_le_bytes());
        }
        d
    };
    vec![
        (STATUS_ID, pad(&[0x20, 0, 3])),
        (MEAS_PILOT_ID, pilot),
        (MEAS_VOLTAGE_ID, triple(&v[4..7], 10.0)),
        (MEAS_CURRENT_ID, triple(&v[7..10], 100.0)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_one_padded_frame() {
        assert_eq!(
            encode_request(&Command::Plug(Plug::Resistance { ohms: 680.0 })),
            [0x10, 1, 0x90, 0x1a, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::Plug(Plug::Rating { amps: 32 })),
            [0x10, 2, 32, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::State(VehicleState::C)),
            [0x12, b'C', 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::Load {
                max_current_a: 16.0,
                phases: 3,
                power_factor: 0.95
            }),
            [0x13, 0x40, 0x06, 3, 0xb6, 0x03, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::Fault(Fault::PeOpen)),
            [0x14, 3, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::ResidualCurrent { dc_ma: 6.0 }),
            [0x15, 0x70, 0x17, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::IgnorePilot(true)),
            [0x16, 1, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::Reaction { seconds: 0.2 }),
            [0x17, 200, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(encode_request(&Command::Measure)[0], 0x20);
        assert_eq!(encode_request(&Command::Unplug)[0], 0x11);
        assert_eq!(encode_request(&Command::Identify)[0], 0x01);
    }

    #[test]
    fn measurement_in_status_plus_three_frames() {
        let values = [
            9.0, -12.0, 1000.0, 26.67, 230.1, 229.9, 230.0, 15.9, 16.0, 0.0,
        ];
        let frames = encode_measurement_reply(values);
        let mut asm = ReplyAssembler::new(Command::Measure);
        for (id, data) in &frames[..3] {
            assert_eq!(asm.push(*id, data).unwrap(), Assembled::Partial);
        }
        let (id, data) = frames[3];
        assert_eq!(
            asm.push(id, &data).unwrap(),
            Assembled::Done(Reply::Ok(
                "9.000 -12.000 1000.0 26.67 230.1 229.9 230.0 15.90 16.00 0.00".into()
            ))
        );
    }

    #[test]
    fn ok_error_and_identity_replies() {
        let mut asm = ReplyAssembler::new(Command::Unplug);
        assert_eq!(
            asm.push(STATUS_ID, &[0x11, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
            Assembled::Done(Reply::Ok(String::new()))
        );
        let mut asm = ReplyAssembler::new(Command::State(VehicleState::C));
        assert!(matches!(
            asm.push(STATUS_ID, &[0x12, 102, 0]).unwrap(),
            Assembled::Done(Reply::Err { code: 102, .. })
        ));
        let mut asm = ReplyAssembler::new(Command::Identify);
        assert_eq!(
            asm.push(STATUS_ID, &[0x01, 0, 2]).unwrap(),
            Assembled::Partial
        );
        assert_eq!(asm.push(TEXT_ID, b"RIG-SIM,").unwrap(), Assembled::Partial);
        assert_eq!(
            asm.push(TEXT_ID, b"EV,1\0\0\0\0").unwrap(),
            Assembled::Done(Reply::Ok("RIG-SIM,EV,1".into()))
        );
    }

    #[test]
    fn wrong_frames_are_rejected() {
        let mut asm = ReplyAssembler::new(Command::Unplug);
        assert!(asm
            .push(STATUS_ID, &[0x12, 0, 0])
            .unwrap_err()
            .contains("opcode 0x11"));
        assert!(asm
            .push(MEAS_PILOT_ID, &[0; 8])
            .unwrap_err()
            .contains("expected the status frame"));
        assert!(asm
            .push(STATUS_ID, &[0x11, 0, 2])
            .unwrap_err()
            .contains("announces 2 data frames"));
        let mut asm = ReplyAssembler::new(Command::Measure);
        asm.push(STATUS_ID, &[0x20, 0, 3]).unwrap();
        asm.push(MEAS_PILOT_ID, &[0; 8]).unwrap();
        assert!(asm
            .push(MEAS_PILOT_ID, &[0; 8])
            .unwrap_err()
            .contains("twice"));
        assert!(asm
            .push(TEXT_ID, &[0; 8])
            .unwrap_err()
            .contains("unexpected frame 0x6ec"));
    }
}

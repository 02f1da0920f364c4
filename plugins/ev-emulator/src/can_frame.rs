//! The CAN variant of the EV emulator protocol: the same commands in classic 8-byte frames.
//!
//! Layout (documented in README.md, to be mirrored in PROTOCOL.md):
//! - requests on standard ID [`REQUEST_ID`], replies on [`REPLY_ID`];
//! - request byte 0 = opcode, then the arguments, little-endian:
//!   `IDN 0x01` | `PLUG 0x02 kind(0 tethered, 1 ohms, 2 amps) u32 value` | `UNPLUG 0x03` |
//!   `STATE 0x04 'B'|'C'|'D'` | `LOAD 0x05 u16 max_current(0.01 A) u8 phases u16 pf(0.001)` |
//!   `FAULT 0x06 u8(0 none, 1 diode short, 2 CP-PE short, 3 PE open)` | `RCD 0x07 u32 dc(µA)` |
//!   `MEAS 0x08`;
//! - reply byte 0 = opcode | part << 4, byte 1 = status (0 OK, else the error code 100..102),
//!   bytes 2.. = up to 6 data bytes of part `part`; the last part of a reply has DLC < 8 (an
//!   empty final part of DLC 2 when the data is a multiple of 6 bytes);
//! - `IDN` data is ASCII; `MEAS` data is 20 bytes: i16 cp_high, i16 cp_low (10 mV), u16 freq
//!   (Hz), u16 duty (0.01 %), u16 u1 u2 u3 (0.1 V), u16 i1 i2 i3 (0.01 A).

use crate::protocol::{Command, Fault, Plug, Reply, VehicleState};

/// Standard 11-bit ID of frames from the plugin to the emulator.
pub const REQUEST_ID: u16 = 0x610;
/// Standard 11-bit ID of frames from the emulator to the plugin.
pub const REPLY_ID: u16 = 0x611;
/// Payload bytes per reply frame after the opcode and status bytes.
pub const PART_BYTES: usize = 6;
const MEAS_BYTES: usize = 20;

fn opcode(command: &Command) -> u8 {
    match command {
        Command::Identify => 0x01,
        Command::Plug(_) => 0x02,
        Command::Unplug => 0x03,
        Command::State(_) => 0x04,
        Command::Load { .. } => 0x05,
        Command::Fault(_) => 0x06,
        Command::ResidualCurrent { .. } => 0x07,
        Command::Measure => 0x08,
    }
}

/// Scales and rounds to an unsigned 16-bit field, clamping out-of-range values.
fn scaled_u16(value: f64, per_unit: f64) -> u16 {
    (value * per_unit).round().clamp(0.0, u16::MAX as f64) as u16
}

/// The request frame's data bytes (at most 8).
pub fn encode_request(command: &Command) -> Vec<u8> {
    let mut data = vec![opcode(command)];
    match *command {
        Command::Identify | Command::Unplug | Command::Measure => {}
        Command::Plug(plug) => {
            let (kind, value) = match plug {
                Plug::Tethered => (0u8, 0u32),
                Plug::Resistance { ohms } => (1, ohms),
                Plug::Rating { amps } => (2, amps),
            };
            data.push(kind);
            data.extend_from_slice(&value.to_le_bytes());
        }
        Command::State(s) => data.push(match s {
            VehicleState::B => b'B',
            VehicleState::C => b'C',
            VehicleState::D => b'D',
        }),
        Command::Load {
            max_current_a,
            phases,
            power_factor,
        } => {
            data.extend_from_slice(&scaled_u16(max_current_a, 100.0).to_le_bytes());
            data.push(phases);
            data.extend_from_slice(&scaled_u16(power_factor, 1000.0).to_le_bytes());
        }
        Command::Fault(f) => data.push(match f {
            Fault::None => 0,
            Fault::DiodeShort => 1,
            Fault::CpPeShort => 2,
            Fault::PeOpen => 3,
        }),
        Command::ResidualCurrent { dc_ma } => {
            let micro_amps = (dc_ma * 1000.0).round().clamp(0.0, u32::MAX as f64) as u32;
            data.extend_from_slice(&micro_amps.to_le_bytes());
        }
    }
    data
}

/// Collects the reply frames of one request into a [`Reply`] whose data reads like the line
/// protocol's, so the rest of the plugin does not care which transport carried it.
pub struct ReplyAssembler {
    command: Command,
    data: Vec<u8>,
    next_part: u8,
}

/// What one received frame meant.
#[derive(Debug, PartialEq, Eq)]
pub enum Assembled {
    /// More parts to come.
    Partial,
    Done(Reply),
}

impl ReplyAssembler {
    pub fn new(command: Command) -> Self {
        Self {
            command,
            data: Vec::new(),
            next_part: 0,
        }
    }

    /// Takes one frame's data from [`REPLY_ID`]; an error describes what was wrong with it.
    pub fn push(&mut self, frame: &[u8]) -> Result<Assembled, String> {
        let expected = opcode(&self.command);
        if frame.len() < 2 {
            return Err(format!(
                "reply frame of {} bytes, expected at least 2 (opcode, status)",
                frame.len()
            ));
        }
        let (op, part, status) = (frame[0] & 0x0f, frame[0] >> 4, frame[1]);
        if op != expected || part != self.next_part {
            return Err(format!(
                "unexpected reply frame {frame:02x?}: expected opcode 0x{expected:02x} part {}",
                self.next_part
            ));
        }
        if status != 0 {
            return Ok(Assembled::Done(Reply::Err {
                code: status as u16,
                text: "(error reported over CAN)".into(),
            }));
        }
        self.data.extend_from_slice(&frame[2..]);
        self.next_part += 1;
        if frame.len() == 8 {
            if self.next_part > 15 {
                return Err("reply longer than 16 frames".into());
            }
            return Ok(Assembled::Partial);
        }
        self.finish().map(Assembled::Done)
    }

    fn finish(&self) -> Result<Reply, String> {
        match self.command {
            Command::Identify => String::from_utf8(self.data.clone())
                .map(Reply::Ok)
                .map_err(|_| "IDN reply is not ASCII".into()),
            Command::Measure => decode_measurement(&self.data).map(Reply::Ok),
            _ if self.data.is_empty() => Ok(Reply::Ok(String::new())),
            _ => Err(format!(
                "reply to opcode 0x{:02x} carries {} unexpected data bytes",
                opcode(&self.command),
                self.data.len()
            )),
        }
    }
}

/// Turns the 20 MEAS bytes into the line protocol's ten numbers.
fn decode_measurement(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() != MEAS_BYTES {
        return Err(format!(
            "MEAS reply carries {} bytes, expected {MEAS_BYTES}",
            bytes.len()
        ));
    }
    let word = |i: usize| [bytes[2 * i], bytes[2 * i + 1]];
    let signed = |i: usize| i16::from_le_bytes(word(i)) as f64;
    let unsigned = |i: usize| u16::from_le_bytes(word(i)) as f64;
    Ok(format!(
        "{:.2} {:.2} {:.0} {:.2} {:.1} {:.1} {:.1} {:.2} {:.2} {:.2}",
        signed(0) / 100.0,
        signed(1) / 100.0,
        unsigned(2),
        unsigned(3) / 100.0,
        unsigned(4) / 10.0,
        unsigned(5) / 10.0,
        unsigned(6) / 10.0,
        unsigned(7) / 100.0,
        unsigned(8) / 100.0,
        unsigned(9) / 100.0,
    ))
}

/// The emulator side of a reply, split into frames: used by tests and by anyone writing an
/// emulator from this layout.
pub fn encode_reply(command: &Command, status: u8, data: &[u8]) -> Vec<Vec<u8>> {
    let op = opcode(command);
    if status != 0 {
        return vec![vec![op, status]];
    }
    let mut frames: Vec<Vec<u8>> = data
        .chunks(PART_BYTES)
        .enumerate()
        .map(|(part, chunk)| {
            let mut f = vec![op | ((part as u8) << 4), 0];
            f.extend_from_slice(chunk);
            f
        })
        .collect();
    if data.len().is_multiple_of(PART_BYTES) {
        frames.push(vec![op | ((frames.len() as u8) << 4), 0]);
    }
    frames
}

/// The 20 MEAS bytes for ten values in line-protocol units (emulator side, for tests).
pub fn encode_measurement(values: [f64; 10]) -> Vec<u8> {
    let scales = [
        100.0, 100.0, 1.0, 100.0, 10.0, 10.0, 10.0, 100.0, 100.0, 100.0,
    ];
    let mut out = Vec::with_capacity(MEAS_BYTES);
    for (i, (v, s)) in values.iter().zip(scales).enumerate() {
        if i < 2 {
            let raw = (v * s).round().clamp(i16::MIN as f64, i16::MAX as f64) as i16;
            out.extend_from_slice(&raw.to_le_bytes());
        } else {
            out.extend_from_slice(&scaled_u16(*v, s).to_le_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fit_one_frame() {
        assert_eq!(
            encode_request(&Command::Plug(Plug::Resistance { ohms: 680 })),
            vec![0x02, 1, 0xa8, 0x02, 0, 0]
        );
        assert_eq!(
            encode_request(&Command::State(VehicleState::C)),
            vec![0x04, b'C']
        );
        assert_eq!(
            encode_request(&Command::Load {
                max_current_a: 16.0,
                phases: 3,
                power_factor: 0.95
            }),
            vec![0x05, 0x40, 0x06, 3, 0xb6, 0x03]
        );
        assert_eq!(
            encode_request(&Command::ResidualCurrent { dc_ma: 6.0 }),
            vec![0x07, 0x70, 0x17, 0, 0]
        );
        for c in [Command::Identify, Command::Unplug, Command::Measure] {
            assert_eq!(encode_request(&c).len(), 1);
        }
    }

    #[test]
    fn measurement_round_trip_over_four_frames() {
        let values = [
            9.0, -12.0, 1000.0, 26.67, 230.1, 229.9, 230.0, 15.9, 16.0, 0.0,
        ];
        let frames = encode_reply(&Command::Measure, 0, &encode_measurement(values));
        assert_eq!(frames.len(), 4);
        assert_eq!(frames[3].len(), 4);
        let mut asm = ReplyAssembler::new(Command::Measure);
        for f in &frames[..3] {
            assert_eq!(asm.push(f).unwrap(), Assembled::Partial);
        }
        assert_eq!(
            asm.push(&frames[3]).unwrap(),
            Assembled::Done(Reply::Ok(
                "9.00 -12.00 1000 26.67 230.1 229.9 230.0 15.90 16.00 0.00".into()
            ))
        );
    }

    #[test]
    fn ok_error_and_identity_replies() {
        let mut asm = ReplyAssembler::new(Command::Unplug);
        assert_eq!(
            asm.push(&[0x03, 0]).unwrap(),
            Assembled::Done(Reply::Ok(String::new()))
        );
        let mut asm = ReplyAssembler::new(Command::State(VehicleState::C));
        assert!(matches!(
            asm.push(&[0x04, 102]).unwrap(),
            Assembled::Done(Reply::Err { code: 102, .. })
        ));
        let frames = encode_reply(&Command::Identify, 0, b"ACME,EVE1,1");
        let mut asm = ReplyAssembler::new(Command::Identify);
        assert_eq!(asm.push(&frames[0]).unwrap(), Assembled::Partial);
        assert_eq!(
            asm.push(&frames[1]).unwrap(),
            Assembled::Done(Reply::Ok("ACME,EVE1,1".into()))
        );
        // A 6-byte identity ends with an empty final part.
        assert_eq!(encode_reply(&Command::Identify, 0, b"ABCDEF").len(), 2);
    }

    #[test]
    fn wrong_frames_are_rejected() {
        let mut asm = ReplyAssembler::new(Command::Unplug);
        assert!(asm.push(&[0x04, 0]).unwrap_err().contains("opcode 0x03"));
        assert!(asm.push(&[0x03]).unwrap_err().contains("at least 2"));
        let mut asm = ReplyAssembler::new(Command::Measure);
        assert!(asm.push(&[0x18, 0, 1, 2]).unwrap_err().contains("part 0"));
        assert!(asm
            .push(&[0x08, 0, 1, 2])
            .unwrap_err()
            .contains("carries 2 bytes"));
    }
}

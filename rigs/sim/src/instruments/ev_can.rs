//! The CAN variant of the EV emulator protocol (layout in plugins/ev-emulator/PROTOCOL.md): the
//! same commands in 8-byte frames. A request frame is translated to the text command it stands
//! for, and the text reply back to frames, so both transports share one implementation.

/// Host → emulator: one frame per command.
pub const REQUEST_ID: u32 = 0x6E0;
/// Emulator → host: one status frame per command.
pub const STATUS_ID: u32 = 0x6E8;
/// Emulator → host, after the status of `MEAS?`: pilot levels, frequency, duty.
pub const MEAS_PILOT_ID: u32 = 0x6E9;
/// ... inlet voltages.
pub const MEAS_VOLTAGE_ID: u32 = 0x6EA;
/// ... phase currents.
pub const MEAS_CURRENT_ID: u32 = 0x6EB;
/// Emulator → host, after the status of `*IDN?`: the identity text, 8 bytes a frame.
pub const TEXT_ID: u32 = 0x6EC;

pub const OP_IDN: u8 = 0x01;
pub const OP_PLUG: u8 = 0x10;
pub const OP_UNPLUG: u8 = 0x11;
pub const OP_STATE: u8 = 0x12;
pub const OP_LOAD: u8 = 0x13;
pub const OP_FAULT: u8 = 0x14;
pub const OP_RCD: u8 = 0x15;
pub const OP_IGNORE_PILOT: u8 = 0x16;
pub const OP_REACTION: u8 = 0x17;
pub const OP_MEAS: u8 = 0x20;

const FAULTS: [&str; 4] = ["NONE", "DIODE_SHORT", "CP_PE_SHORT", "PE_OPEN"];

/// A classic CAN data frame with a standard (11-bit) identifier and 8 data bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanFrame {
    pub id: u32,
    pub data: [u8; 8],
}

fn u16_at(d: &[u8; 8], i: usize) -> u16 {
    u16::from_le_bytes([d[i], d[i + 1]])
}

fn u32_at(d: &[u8; 8], i: usize) -> u32 {
    u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]])
}

/// The text command a request frame stands for; `Err((opcode, status))` for a frame that is
/// not a valid command (status 100 unknown opcode, 101 bad argument).
pub fn request_to_line(frame: &CanFrame) -> Result<String, (u8, u8)> {
    let d = &frame.data;
    let op = d[0];
    let bad = Err((op, 101));
    if frame.id != REQUEST_ID {
        return Err((op, 100));
    }
    let line = match op {
        OP_IDN => "*IDN?".to_string(),
        OP_PLUG => match d[1] {
            0 => "PLUG TETHERED".into(),
            1 => format!("PLUG R={:.1}", u32_at(d, 2) as f64 / 10.0),
            2 => format!("PLUG A={}", d[2]),
            _ => return bad,
        },
        OP_UNPLUG => "UNPLUG".into(),
        OP_STATE => match d[1] {
            b'B' | b'C' | b'D' => format!("STATE {}", d[1] as char),
            _ => return bad,
        },
        OP_LOAD => format!(
            "LOAD {:.2} {} {:.3}",
            u16_at(d, 1) as f64 / 100.0,
            d[3],
            u16_at(d, 4) as f64 / 1000.0
        ),
        OP_FAULT => match FAULTS.get(d[1] as usize) {
            Some(name) => format!("FAULT {name}"),
            None => return bad,
        },
        OP_RCD => format!("RCD {:.3}", u32_at(d, 1) as f64 / 1000.0),
        OP_IGNORE_PILOT => match d[1] {
            0 => "IGNORE_PILOT OFF".into(),
            1 => "IGNORE_PILOT ON".into(),
            _ => return bad,
        },
        OP_REACTION => format!("REACTION {:.3}", u16_at(d, 1) as f64 / 1000.0),
        OP_MEAS => "MEAS?".into(),
        _ => return Err((op, 100)),
    };
    Ok(line)
}

/// The request frame for a text command (what a CAN client sends).
pub fn line_to_request(line: &str) -> Option<CanFrame> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut d = [0u8; 8];
    match words.as_slice() {
        ["*IDN?"] => d[0] = OP_IDN,
        ["PLUG", arg] => {
            d[0] = OP_PLUG;
            if *arg == "TETHERED" {
                d[1] = 0;
            } else if let Some(r) = arg.strip_prefix("R=") {
                d[1] = 1;
                let tenths = (r.parse::<f64>().ok()? * 10.0).round() as u32;
                d[2..6].copy_from_slice(&tenths.to_le_bytes());
            } else {
                d[1] = 2;
                d[2] = arg.strip_prefix("A=")?.parse().ok()?;
            }
        }
        ["UNPLUG"] => d[0] = OP_UNPLUG,
        ["STATE", s] if s.len() == 1 => {
            d[0] = OP_STATE;
            d[1] = s.as_bytes()[0];
        }
        ["LOAD", max, phases, pf] => {
            d[0] = OP_LOAD;
            let centi = (max.parse::<f64>().ok()? * 100.0).round() as u16;
            d[1..3].copy_from_slice(&centi.to_le_bytes());
            d[3] = phases.parse().ok()?;
            let milli = (pf.parse::<f64>().ok()? * 1000.0).round() as u16;
            d[4..6].copy_from_slice(&milli.to_le_bytes());
        }
        ["FAULT", f] => {
            d[0] = OP_FAULT;
            d[1] = FAULTS.iter().position(|n| n == f)? as u8;
        }
        ["RCD", ma] => {
            d[0] = OP_RCD;
            let micro = (ma.parse::<f64>().ok()? * 1000.0).round() as u32;
            d[1..5].copy_from_slice(&micro.to_le_bytes());
        }
        ["IGNORE_PILOT", on] => {
            d[0] = OP_IGNORE_PILOT;
            d[1] = match *on {
                "ON" => 1,
                "OFF" => 0,
                _ => return None,
            };
        }
        ["REACTION", s] => {
            d[0] = OP_REACTION;
            let ms = (s.parse::<f64>().ok()? * 1000.0).round() as u16;
            d[1..3].copy_from_slice(&ms.to_le_bytes());
        }
        ["MEAS?"] => d[0] = OP_MEAS,
        _ => return None,
    }
    Some(CanFrame {
        id: REQUEST_ID,
        data: d,
    })
}

fn status(op: u8, code: u8, following: u8) -> CanFrame {
    CanFrame {
        id: STATUS_ID,
        data: [op, code, following, 0, 0, 0, 0, 0],
    }
}

/// The frames answering a request, from the text reply line of the same command.
pub fn reply_to_frames(op: u8, reply: &str) -> Vec<CanFrame> {
    if let Some(rest) = reply.strip_prefix("ERR ") {
        let code = rest
            .split_whitespace()
            .next()
            .and_then(|c| c.parse::<u8>().ok())
            .unwrap_or(100);
        return vec![status(op, code, 0)];
    }
    let data = reply.strip_prefix("OK").unwrap_or("").trim();
    match op {
        OP_IDN => {
            let chunks: Vec<&[u8]> = data.as_bytes().chunks(8).collect();
            let mut frames = vec![status(op, 0, chunks.len() as u8)];
            for chunk in chunks {
                let mut d = [0u8; 8];
                d[..chunk.len()].copy_from_slice(chunk);
                frames.push(CanFrame {
                    id: TEXT_ID,
                    data: d,
                });
            }
            frames
        }
        OP_MEAS => {
            let v: Vec<f64> = data
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            if v.len() != 10 {
                return vec![status(op, 100, 0)];
            }
            let mut pilot = [0u8; 8];
            pilot[0..2].copy_from_slice(&((v[0] * 1000.0).round() as i16).to_le_bytes());
            pilot[2..4].copy_from_slice(&((v[1] * 1000.0).round() as i16).to_le_bytes());
            pilot[4..6].copy_from_slice(&((v[2] * 10.0).round() as u16).to_le_bytes());
            pilot[6..8].copy_from_slice(&((v[3] * 100.0).round() as u16).to_le_bytes());
            let triple = |values: &[f64], scale: f64| {
                let mut d = [0u8; 8];
                for (k, x) in values.iter().enumerate() {
                    let raw = (x * scale).round().clamp(0.0, u16::MAX as f64) as u16;
                    d[k * 2..k * 2 + 2].copy_from_slice(&raw.to_le_bytes());
                }
                d
            };
            vec![
                status(op, 0, 3),
                CanFrame {
                    id: MEAS_PILOT_ID,
                    data: pilot,
                },
                CanFrame {
                    id: MEAS_VOLTAGE_ID,
                    data: triple(&v[4..7], 10.0),
                },
                CanFrame {
                    id: MEAS_CURRENT_ID,
                    data: triple(&v[7..10], 100.0),
                },
            ]
        }
        _ => vec![status(op, 0, 0)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::ev::EvEmulator;
    use crate::sim::{Sim, SimConfig};

    #[test]
    fn every_command_round_trips_through_a_frame() {
        for line in [
            "*IDN?",
            "PLUG TETHERED",
            "PLUG R=220.0",
            "PLUG A=32",
            "UNPLUG",
            "STATE C",
            "LOAD 16.00 3 0.950",
            "FAULT CP_PE_SHORT",
            "RCD 6.000",
            "IGNORE_PILOT ON",
            "IGNORE_PILOT OFF",
            "REACTION 0.200",
            "MEAS?",
        ] {
            let frame = line_to_request(line).unwrap();
            assert_eq!(request_to_line(&frame).unwrap(), line);
        }
    }

    #[test]
    fn meas_answers_with_status_and_three_data_frames() {
        let ev = EvEmulator::new("T");
        let mut sim = Sim::new(SimConfig::default());
        let line = request_to_line(&line_to_request("MEAS?").unwrap()).unwrap();
        let reply = ev.handle(&line, &mut sim).unwrap();
        let frames = reply_to_frames(OP_MEAS, &reply);
        assert_eq!(frames.len(), 4);
        assert_eq!(frames[0].data[..3], [OP_MEAS, 0, 3]);
        assert_eq!(
            i16::from_le_bytes([frames[1].data[0], frames[1].data[1]]),
            -12000
        );
    }

    #[test]
    fn errors_and_identity() {
        assert_eq!(
            reply_to_frames(OP_STATE, "ERR 102 not allowed in this state: x")[0].data[1],
            102
        );
        let frames = reply_to_frames(OP_IDN, "OK RIG-SIM,EV,1,0.1.0");
        assert_eq!(frames[0].data[2], 3);
        assert_eq!(&frames[1].data, b"RIG-SIM,");
        let bad = CanFrame {
            id: REQUEST_ID,
            data: [0x77, 0, 0, 0, 0, 0, 0, 0],
        };
        assert_eq!(request_to_line(&bad), Err((0x77, 100)));
    }
}

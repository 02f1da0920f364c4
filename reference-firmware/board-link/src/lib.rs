//! The wire protocol between the charger's controller and its power board.
//!
//! Every frame is `COBS(version, sequence, type id, body, CRC-32) 0x00`; the full byte-by-byte
//! description, timing and loss behaviour are in `reference-firmware/BOARD_LINK.md`.
//!
//! - [`ControllerMessage`]: controller → board (type ids 0x01..=0x7F).
//! - [`BoardMessage`]: board → controller (type ids 0x81..=0xFF).
//! - [`Encoder`] numbers and frames messages; [`Decoder`] is a streaming decoder that reports
//!   every bad frame as a [`FrameError`] and resynchronises on the next 0x00.
//! - [`Liveness`] is the 1 Hz keep-alive / 5 s loss timer both ends run.
//!
//! ```
//! use board_link::{BoardMessage, ControllerMessage, Decoder, Encoder, PilotOutput};
//! let mut enc = Encoder::new();
//! let wire = enc.encode(&ControllerMessage::SetPilot(PilotOutput::Pwm { duty_permille: 267 }));
//! let mut dec = Decoder::<ControllerMessage>::new();
//! let frames = dec.push_slice(&wire);
//! assert_eq!(frames[0].as_ref().unwrap().message,
//!            ControllerMessage::SetPilot(PilotOutput::Pwm { duty_permille: 267 }));
//! # let _ = Decoder::<BoardMessage>::new();
//! ```

mod board;
pub mod cobs;
mod controller;
mod frame;
mod liveness;
mod wire;

pub use board::{
    BoardFaultCode, BoardMessage, MeterSample, PhaseSample, Status, MAX_UID_LEN, PP_OPEN,
};
pub use controller::{ControllerMessage, LightPattern, LightSetting, PilotOutput};
pub use frame::{
    encode_frame_raw, Decoder, Encoder, Frame, FrameError, Message, SequenceTracker, CRC_LEN,
    HEADER_LEN, MAX_BODY_LEN, MAX_ENCODED_LEN, PROTOCOL_VERSION,
};
pub use liveness::{Liveness, LivenessEvent, KEEP_ALIVE_INTERVAL_MS, LINK_TIMEOUT_MS};

/// Longest text field (board id, firmware versions) in bytes.
pub const MAX_TEXT_LEN: usize = 32;

//! Framing: header, CRC-32 and COBS around a message body, and the streaming decoder.

use std::fmt;
use std::marker::PhantomData;

use crate::cobs;

/// The protocol version this crate speaks (byte 0 of every frame).
pub const PROTOCOL_VERSION: u8 = 1;
/// Largest message body in bytes.
pub const MAX_BODY_LEN: usize = 240;
/// version + sequence + type id.
pub const HEADER_LEN: usize = 3;
/// CRC-32 trailer.
pub const CRC_LEN: usize = 4;
/// Largest COBS-encoded frame on the wire, without the 0x00 delimiter. Longer runs of non-zero
/// bytes are discarded as [`FrameError::Overlong`].
pub const MAX_ENCODED_LEN: usize = 256;

/// A message type of one direction of the link.
pub trait Message: Sized {
    /// The message's type id (byte 2 of the frame).
    fn type_id(&self) -> u8;
    /// Appends the body (little-endian fields) to `out`.
    fn encode_body(&self, out: &mut Vec<u8>);
    /// Parses a body. Bytes beyond the fields this version knows are ignored, so that a newer
    /// sender may append fields without a version change.
    fn decode_body(type_id: u8, body: &[u8]) -> Result<Self, FrameError>;
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<M> {
    /// The sender's sequence number (0..=255, wrapping).
    pub seq: u8,
    pub message: M,
}

/// Why a frame was rejected. Every error is local to one frame: the decoder continues with the
/// next delimiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The bytes between two delimiters are not valid COBS.
    Framing,
    /// More than [`MAX_ENCODED_LEN`] bytes without a delimiter; bytes discarded up to the next
    /// 0x00.
    Overlong,
    /// Fewer bytes than a header and a CRC.
    Truncated { len: usize },
    /// The CRC-32 trailer does not match the frame.
    Checksum { expected: u32, actual: u32 },
    /// A protocol version this side does not speak.
    UnknownVersion { version: u8 },
    /// A type id this side does not know (or one of the other direction).
    UnknownMessage { type_id: u8 },
    /// The body is shorter than the message's fields.
    BadLength { type_id: u8, len: usize },
    /// A field holds a value outside its range.
    BadValue {
        type_id: u8,
        field: &'static str,
        value: i64,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Framing => write!(f, "framing error: invalid COBS encoding"),
            FrameError::Overlong => {
                write!(
                    f,
                    "framing error: more than {MAX_ENCODED_LEN} bytes without a delimiter"
                )
            }
            FrameError::Truncated { len } => write!(f, "truncated frame of {len} bytes"),
            FrameError::Checksum { expected, actual } => {
                write!(
                    f,
                    "checksum error: CRC-32 {actual:#010x}, expected {expected:#010x}"
                )
            }
            FrameError::UnknownVersion { version } => write!(
                f,
                "unknown protocol version {version} (this side speaks {PROTOCOL_VERSION})"
            ),
            FrameError::UnknownMessage { type_id } => {
                write!(f, "unknown message type {type_id:#04x}")
            }
            FrameError::BadLength { type_id, len } => {
                write!(
                    f,
                    "message {type_id:#04x}: body of {len} bytes is too short"
                )
            }
            FrameError::BadValue {
                type_id,
                field,
                value,
            } => {
                write!(
                    f,
                    "message {type_id:#04x}: field {field} has invalid value {value}"
                )
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// Encodes a frame with an explicit version and sequence number: the building block of
/// [`Encoder`], public so tests can craft frames of other versions.
pub fn encode_frame_raw(version: u8, seq: u8, type_id: u8, body: &[u8]) -> Vec<u8> {
    assert!(
        body.len() <= MAX_BODY_LEN,
        "message body of {} bytes is too long",
        body.len()
    );
    let mut raw = Vec::with_capacity(HEADER_LEN + body.len() + CRC_LEN);
    raw.extend_from_slice(&[version, seq, type_id]);
    raw.extend_from_slice(body);
    let crc = crc32fast::hash(&raw);
    raw.extend_from_slice(&crc.to_le_bytes());
    let mut wire = Vec::with_capacity(raw.len() + raw.len() / 254 + 2);
    cobs::encode(&raw, &mut wire);
    wire.push(0);
    wire
}

/// Turns messages into wire frames, numbering them.
#[derive(Debug, Default)]
pub struct Encoder {
    next_seq: u8,
}

impl Encoder {
    pub fn new() -> Self {
        Encoder::default()
    }

    /// The complete frame to write, delimiter included.
    pub fn encode<M: Message>(&mut self, message: &M) -> Vec<u8> {
        let mut body = Vec::new();
        message.encode_body(&mut body);
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        encode_frame_raw(PROTOCOL_VERSION, seq, message.type_id(), &body)
    }
}

/// Streaming decoder: feed it bytes as they arrive; it yields one result per delimiter.
#[derive(Debug)]
pub struct Decoder<M> {
    buf: Vec<u8>,
    discarding: bool,
    _message: PhantomData<fn() -> M>,
}

impl<M: Message> Default for Decoder<M> {
    fn default() -> Self {
        Decoder {
            buf: Vec::with_capacity(MAX_ENCODED_LEN),
            discarding: false,
            _message: PhantomData,
        }
    }
}

impl<M: Message> Decoder<M> {
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Feeds one byte. Returns a result when the byte completes a frame (a delimiter) or when
    /// the frame grows too long. Empty frames (consecutive delimiters) are skipped silently.
    pub fn push(&mut self, byte: u8) -> Option<Result<Frame<M>, FrameError>> {
        if byte == 0 {
            let was_discarding = std::mem::replace(&mut self.discarding, false);
            if was_discarding || self.buf.is_empty() {
                self.buf.clear();
                return None;
            }
            let result = decode_frame(&self.buf);
            self.buf.clear();
            return Some(result);
        }
        if self.discarding {
            return None;
        }
        if self.buf.len() == MAX_ENCODED_LEN {
            self.buf.clear();
            self.discarding = true;
            return Some(Err(FrameError::Overlong));
        }
        self.buf.push(byte);
        None
    }

    /// Feeds many bytes; returns the results in order.
    pub fn push_slice(&mut self, bytes: &[u8]) -> Vec<Result<Frame<M>, FrameError>> {
        bytes.iter().filter_map(|&b| self.push(b)).collect()
    }

    /// Forgets a partial frame (e.g. after the port was reopened).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.discarding = false;
    }
}

fn decode_frame<M: Message>(encoded: &[u8]) -> Result<Frame<M>, FrameError> {
    let raw = cobs::decode(encoded).map_err(|_| FrameError::Framing)?;
    if raw.len() < HEADER_LEN + CRC_LEN {
        return Err(FrameError::Truncated { len: raw.len() });
    }
    let (content, trailer) = raw.split_at(raw.len() - CRC_LEN);
    let expected = crc32fast::hash(content);
    let actual = u32::from_le_bytes(trailer.try_into().expect("CRC trailer is 4 bytes"));
    if expected != actual {
        return Err(FrameError::Checksum { expected, actual });
    }
    let (version, seq, type_id) = (content[0], content[1], content[2]);
    if version != PROTOCOL_VERSION {
        return Err(FrameError::UnknownVersion { version });
    }
    let message = M::decode_body(type_id, &content[HEADER_LEN..])?;
    Ok(Frame { seq, message })
}

/// Counts frames the peer sent that never arrived, from the sequence numbers.
#[derive(Debug, Default)]
pub struct SequenceTracker {
    last: Option<u8>,
}

impl SequenceTracker {
    /// Records a received sequence number; returns how many frames were skipped before it.
    pub fn observe(&mut self, seq: u8) -> u8 {
        let missed = match self.last {
            Some(last) => seq.wrapping_sub(last).wrapping_sub(1),
            None => 0,
        };
        self.last = Some(seq);
        missed
    }

    /// Forget the last number (after a link loss or a `Hello`).
    pub fn reset(&mut self) {
        self.last = None;
    }
}

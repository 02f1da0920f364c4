//! Consistent Overhead Byte Stuffing (COBS).
//!
//! COBS removes every 0x00 from a byte string so that 0x00 can delimit frames on the wire.
//! Each run of up to 254 non-zero bytes is preceded by a code byte: the distance to the next
//! (removed) zero, or 0xFF for a full run that is not followed by a zero.

/// Encodes `data` into `out` (appended). The result contains no 0x00 byte; the caller appends
/// the delimiter.
pub fn encode(data: &[u8], out: &mut Vec<u8>) {
    let mut code_index = out.len();
    out.push(0); // placeholder for the first code byte
    let mut code: u8 = 1;
    for &byte in data {
        if byte == 0 {
            out[code_index] = code;
            code_index = out.len();
            out.push(0);
            code = 1;
        } else {
            out.push(byte);
            code += 1;
            if code == 0xFF {
                out[code_index] = code;
                code_index = out.len();
                out.push(0);
                code = 1;
            }
        }
    }
    out[code_index] = code;
}

/// Why a byte string is not valid COBS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CobsError {
    /// A 0x00 byte inside the encoded data.
    ZeroByte,
    /// A code byte points past the end of the data.
    RunPastEnd,
}

/// Decodes one COBS-encoded frame (without its delimiter).
pub fn decode(encoded: &[u8]) -> Result<Vec<u8>, CobsError> {
    let mut out = Vec::with_capacity(encoded.len());
    let mut i = 0;
    while i < encoded.len() {
        let code = encoded[i];
        if code == 0 {
            return Err(CobsError::ZeroByte);
        }
        let run_end = i + code as usize;
        if run_end > encoded.len() {
            return Err(CobsError::RunPastEnd);
        }
        let run = &encoded[i + 1..run_end];
        if run.contains(&0) {
            return Err(CobsError::ZeroByte);
        }
        out.extend_from_slice(run);
        i = run_end;
        // A code below 0xFF stands for a zero that followed the run, except at the very end.
        if code < 0xFF && i < encoded.len() {
            out.push(0);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &[u8]) {
        let mut enc = Vec::new();
        encode(data, &mut enc);
        assert!(
            !enc.contains(&0),
            "encoded {data:?} contains a zero: {enc:?}"
        );
        assert_eq!(decode(&enc).unwrap(), data);
    }

    #[test]
    fn known_vectors() {
        let mut enc = Vec::new();
        encode(&[0x11, 0x22, 0x00, 0x33], &mut enc);
        assert_eq!(enc, [0x03, 0x11, 0x22, 0x02, 0x33]);
        enc.clear();
        encode(&[0x00], &mut enc);
        assert_eq!(enc, [0x01, 0x01]);
        enc.clear();
        encode(&[], &mut enc);
        assert_eq!(enc, [0x01]);
    }

    #[test]
    fn round_trips_edge_lengths() {
        round_trip(&[]);
        round_trip(&[0, 0, 0]);
        for len in [253usize, 254, 255, 256, 508, 600] {
            let data: Vec<u8> = (0..len).map(|i| (i % 255 + 1) as u8).collect();
            round_trip(&data);
            let mut with_zeros = data.clone();
            with_zeros[len / 2] = 0;
            round_trip(&with_zeros);
        }
    }

    #[test]
    fn rejects_bad_encodings() {
        assert_eq!(decode(&[0x05, 0x11]), Err(CobsError::RunPastEnd));
        assert_eq!(decode(&[0x03, 0x11, 0x00]), Err(CobsError::ZeroByte));
        assert_eq!(decode(&[0x00]), Err(CobsError::ZeroByte));
    }
}

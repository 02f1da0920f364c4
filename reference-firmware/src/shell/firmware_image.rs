//! The firmware image format the reference firmware installs: the payload followed by a
//! 12-byte trailer that lets the unit refuse a damaged or truncated download before it
//! installs anything.
//!
//! ```text
//! payload (any length) | "RFW1" | payload length, u32 little-endian | CRC-32 of the payload, u32 little-endian
//! ```
//!
//! The CRC is the IEEE 802.3 CRC-32 (the one of zip and PNG). The CSMS plugin's file server
//! builds its test images in this format (`/firmware/good.bin` valid, `/firmware/corrupt.bin`
//! with a damaged middle), so OCTT TC_044_3 ends in InstallationFailed.

/// Marks the trailer.
pub const MAGIC: &[u8; 4] = b"RFW1";
/// Bytes after the payload.
pub const TRAILER_LEN: usize = 12;

/// Checks an image; on success returns its payload.
pub fn verify(image: &[u8]) -> Result<&[u8], String> {
    if image.len() < TRAILER_LEN {
        return Err(format!(
            "image of {} bytes is shorter than the {TRAILER_LEN}-byte trailer",
            image.len()
        ));
    }
    let (payload, trailer) = image.split_at(image.len() - TRAILER_LEN);
    if &trailer[..4] != MAGIC {
        return Err("no RFW1 trailer: not a firmware image of this unit".into());
    }
    let word =
        |i: usize| u32::from_le_bytes([trailer[i], trailer[i + 1], trailer[i + 2], trailer[i + 3]]);
    let (length, crc) = (word(4) as usize, word(8));
    if length != payload.len() {
        return Err(format!(
            "the trailer announces {length} payload bytes, the image has {}",
            payload.len()
        ));
    }
    let actual = crc32fast::hash(payload);
    if actual != crc {
        return Err(format!(
            "payload CRC-32 is {actual:08x}, the trailer says {crc:08x}"
        ));
    }
    Ok(payload)
}

/// Builds an image from a payload (for tests and tools).
pub fn build(payload: &[u8]) -> Vec<u8> {
    let mut image = payload.to_vec();
    image.extend_from_slice(MAGIC);
    image.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    image.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    image
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_image_verifies_and_yields_its_payload() {
        let image = build(b"new firmware");
        assert_eq!(verify(&image).unwrap(), b"new firmware");
        assert_eq!(verify(&build(b"")).unwrap(), b"");
    }

    #[test]
    fn damage_truncation_and_foreign_files_are_refused() {
        let mut image = build(&[7u8; 1000]);
        image[500] ^= 0x01;
        assert!(verify(&image).unwrap_err().contains("CRC-32"));

        let image = build(&[7u8; 1000]);
        let mut cut = image[..400].to_vec();
        cut.extend_from_slice(&image[image.len() - TRAILER_LEN..]);
        assert!(verify(&cut).unwrap_err().contains("announces 1000"));

        assert!(verify(b"plain text file, no trailer")
            .unwrap_err()
            .contains("RFW1"));
        assert!(verify(b"RFW1").unwrap_err().contains("shorter"));
    }

    #[test]
    fn the_crc_is_the_ieee_one() {
        // The check value of CRC-32/IEEE for "123456789".
        let image = build(b"123456789");
        assert_eq!(&image[image.len() - 4..], &0xCBF4_3926u32.to_le_bytes());
    }
}

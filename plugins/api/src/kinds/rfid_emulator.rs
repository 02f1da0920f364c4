//! Kind `rfid-emulator`: an ISO 14443A card emulator in front of the charger's reader.

use serde::{Deserialize, Serialize};

pub use super::CommandAck;

crate::method_set! {
    kind = "rfid-emulator";
    /// What an RFID emulator plugin does.
    trait RfidEmulator {
        /// Puts a card with this UID in the reader's field.
        fn present(PresentCard) -> CommandAck;
        /// Takes the card away.
        fn remove(RemoveCard) -> CommandAck;
        /// Whether a card is in the field, and which.
        fn status(CardStatus) -> CardState;
    }
}

/// A card UID of 4, 7 or 10 bytes, as hex digits (upper or lower case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresentCard {
    pub uid_hex: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveCard {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardStatus {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardState {
    pub present: bool,
    pub uid_hex: Option<String>,
}

/// Checks a UID's length (4, 7 or 10 bytes) and hex digits; returns the bytes.
pub fn parse_uid(uid_hex: &str) -> Result<Vec<u8>, crate::PluginError> {
    let digits = uid_hex.trim();
    if !digits.len().is_multiple_of(2) || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(crate::PluginError::new(format!(
            "UID `{uid_hex}` is not an even number of hex digits"
        )));
    }
    let bytes: Vec<u8> = (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("checked hex"))
        .collect();
    if ![4, 7, 10].contains(&bytes.len()) {
        return Err(crate::PluginError::new(format!(
            "UID `{uid_hex}` has {} bytes; ISO 14443A UIDs have 4, 7 or 10",
            bytes.len()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_lengths() {
        assert_eq!(parse_uid("04A2B3C4").unwrap().len(), 4);
        assert_eq!(parse_uid("04a2b3c4d5e6f7").unwrap().len(), 7);
        assert_eq!(parse_uid("04A2B3C4D5E6F70809AA").unwrap().len(), 10);
        assert!(parse_uid("04A2B3")
            .unwrap_err()
            .message()
            .contains("3 bytes"));
        assert!(parse_uid("04A2B3C").is_err());
        assert!(parse_uid("ZZA2B3C4").is_err());
    }
}

//! The ChameleonMini serial command set, the part this plugin uses: commands end with CR,
//! each answer starts with a status line `NNN:TEXT` (CR LF), and `101:OK WITH TEXT` is followed
//! by one line of text.

/// The configuration (card type) that carries a UID of this many bytes. 4 and 7 bytes are the
/// real device's MIFARE Classic 1K settings; the real device has no 10-byte setting, so for 10
/// bytes we ask for `MF_CLASSIC_1K_10B` (the emulated rig has it; a real ChameleonMini answers
/// `202:INVALID PARAMETER`, which the plugin reports as "no 10-byte configuration").
pub fn config_for_uid_len(len: usize) -> Option<&'static str> {
    match len {
        4 => Some("MF_CLASSIC_1K"),
        7 => Some("MF_CLASSIC_1K_7B"),
        10 => Some("MF_CLASSIC_1K_10B"),
        _ => None,
    }
}

/// The configuration with no card in the field.
pub const NO_CARD: &str = "NONE";

/// What a status line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// `100:OK`
    Ok,
    /// `101:OK WITH TEXT`: a text line follows.
    OkWithText,
    /// `2xx:…` (200 unknown command, 201 invalid usage, 202 invalid parameter, 203 timeout).
    Refused { code: u16, text: String },
}

/// Reads a status line; anything else is garbled.
pub fn parse_status(line: &str) -> Result<Status, String> {
    let garbled = || {
        format!("garbled reply {line:?}: expected a status line like `100:OK` or `202:INVALID PARAMETER`")
    };
    let (code, text) = line.trim().split_once(':').ok_or_else(garbled)?;
    let code: u16 = code.parse().map_err(|_| garbled())?;
    match code {
        100 => Ok(Status::Ok),
        101 => Ok(Status::OkWithText),
        200..=299 => Ok(Status::Refused {
            code,
            text: text.to_string(),
        }),
        _ => Err(garbled()),
    }
}

/// Upper-case hex of a UID, as sent with `UID=`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status("100:OK").unwrap(), Status::Ok);
        assert_eq!(
            parse_status("101:OK WITH TEXT").unwrap(),
            Status::OkWithText
        );
        assert_eq!(
            parse_status("202:INVALID PARAMETER").unwrap(),
            Status::Refused {
                code: 202,
                text: "INVALID PARAMETER".into()
            }
        );
        assert!(parse_status("OK").unwrap_err().contains("garbled"));
        assert!(parse_status("999:WHAT").is_err());
    }

    #[test]
    fn configurations_by_uid_length() {
        assert_eq!(config_for_uid_len(4), Some("MF_CLASSIC_1K"));
        assert_eq!(config_for_uid_len(7), Some("MF_CLASSIC_1K_7B"));
        assert_eq!(config_for_uid_len(10), Some("MF_CLASSIC_1K_10B"));
        assert_eq!(config_for_uid_len(5), None);
        assert_eq!(hex(&[0x04, 0xa2]), "04A2");
    }
}

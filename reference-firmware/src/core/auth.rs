//! Authorization: RFID UIDs become id tags; an authorizer decides. Until the OCPP side takes
//! over (`AuthMode::External`), the offline card list decides.

use serde::{Deserialize, Serialize};

/// Who decides about a presented card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// The offline card list (the local interface's RFID tab) decides at once.
    #[default]
    OfflineList,
    /// The core emits `Event::AuthorizationRequested` and waits for
    /// `Input::AuthorizationDecision` (the OCPP side, when connected to a CSMS). Cards of the
    /// offline list are then ignored, as the product manual says.
    External,
}

/// Why a UID was not accepted as an id tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadUid {
    pub len: usize,
}

impl std::fmt::Display for BadUid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RFID UID of {} bytes; ISO/IEC 14443 UIDs have 4, 7 or 10 bytes",
            self.len
        )
    }
}

/// The id tag of an ISO/IEC 14443 Type A UID: upper-case hex, 8, 14 or 20 characters.
pub fn id_tag_of_uid(uid: &[u8]) -> Result<String, BadUid> {
    if !matches!(uid.len(), 4 | 7 | 10) {
        return Err(BadUid { len: uid.len() });
    }
    Ok(uid.iter().map(|b| format!("{b:02X}")).collect())
}

/// Normalises an id tag typed by a person (case, surrounding spaces).
pub fn normalise_id_tag(tag: &str) -> String {
    tag.trim().to_ascii_uppercase()
}

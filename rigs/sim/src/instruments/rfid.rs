//! A ChameleonMini-style card emulator (the command subset in rigs/sim/INSTRUMENTS.md). The
//! emulated card is in the charger's RFID field whenever the configuration is not NONE.

use crate::sim::Sim;

/// Card configurations and their UID sizes in bytes. `MF_CLASSIC_1K_10B` is this simulator's
/// extension for triple-size UIDs (the real device has no 10-byte MIFARE Classic setting).
const CONFIGS: &[(&str, usize)] = &[
    ("NONE", 0),
    ("MF_ULTRALIGHT", 7),
    ("MF_CLASSIC_1K", 4),
    ("MF_CLASSIC_1K_7B", 7),
    ("MF_CLASSIC_4K", 4),
    ("MF_CLASSIC_4K_7B", 7),
    ("MF_CLASSIC_1K_10B", 10),
];

const COMMANDS: &[&str] = &["VERSION", "CONFIG", "UID", "UIDSIZE", "HELP", "RESET"];

/// The first bytes of the UID a configuration starts with.
const DEFAULT_UID: [u8; 10] = [0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99];

fn ok() -> Vec<String> {
    vec!["100:OK".into()]
}

fn text(t: impl Into<String>) -> Vec<String> {
    vec!["101:OK WITH TEXT".into(), t.into()]
}

fn unknown() -> Vec<String> {
    vec!["200:UNKNOWN COMMAND".into()]
}

fn usage() -> Vec<String> {
    vec!["201:INVALID COMMAND USAGE".into()]
}

fn invalid() -> Vec<String> {
    vec!["202:INVALID PARAMETER".into()]
}

#[derive(Debug, Clone, Default)]
pub struct RfidEmulator {
    config: usize,
    uid: Vec<u8>,
}

impl RfidEmulator {
    fn uid_size(&self) -> usize {
        CONFIGS[self.config].1
    }

    fn publish(&self, sim: &mut Sim) {
        sim.rfid_card = (self.uid_size() > 0).then(|| self.uid.clone());
    }

    /// Runs one command; returns the reply lines (each sent with CR LF).
    pub fn handle(&mut self, line: &str, sim: &mut Sim) -> Vec<String> {
        let line = line.trim();
        if line.is_empty() {
            return Vec::new();
        }
        let (name, suffix) = match line.find(['?', '=']) {
            Some(at) => (&line[..at], &line[at..]),
            None => (line, ""),
        };
        let name = name.to_ascii_uppercase();
        if !COMMANDS.contains(&name.as_str()) {
            return unknown();
        }
        let reply = match (name.as_str(), suffix) {
            ("VERSION", "?") => text(format!(
                "ChameleonMini RevG rig-sim {}",
                env!("CARGO_PKG_VERSION")
            )),
            ("CONFIG", "?") => text(CONFIGS[self.config].0),
            ("CONFIG", "=?") => text(
                CONFIGS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("CONFIG", s) if s.starts_with('=') => self.set_config(&s[1..]),
            ("UID", "?") => {
                if self.uid_size() == 0 {
                    text("NO UID.")
                } else {
                    text(hex(&self.uid))
                }
            }
            ("UID", s) if s.starts_with('=') => self.set_uid(&s[1..]),
            ("UIDSIZE", "?") => text(self.uid_size().to_string()),
            ("HELP", "") => text(COMMANDS.join(",")),
            ("RESET", "") => ok(),
            _ => usage(),
        };
        self.publish(sim);
        reply
    }

    fn set_config(&mut self, value: &str) -> Vec<String> {
        let upper = value.trim().to_ascii_uppercase();
        let Some(index) = CONFIGS.iter().position(|(n, _)| *n == upper) else {
            return invalid();
        };
        if self.config != index || self.uid.len() != CONFIGS[index].1 {
            self.uid = DEFAULT_UID[..CONFIGS[index].1].to_vec();
        }
        self.config = index;
        ok()
    }

    fn set_uid(&mut self, value: &str) -> Vec<String> {
        let value = value.trim();
        let size = self.uid_size();
        if size == 0 || value.len() != size * 2 {
            return invalid();
        }
        match parse_hex(value) {
            Some(uid) => {
                self.uid = uid;
                ok()
            }
            None => invalid(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimConfig;

    #[test]
    fn a_card_enters_and_leaves_the_field() {
        let mut r = RfidEmulator::default();
        let mut sim = Sim::new(SimConfig::default());
        assert_eq!(r.handle("UIDSIZE?", &mut sim), text("0"));
        assert_eq!(r.handle("CONFIG=MF_CLASSIC_1K", &mut sim), ok());
        assert_eq!(r.handle("UID=a1b2c3d4", &mut sim), ok());
        assert_eq!(r.handle("UID?", &mut sim), text("A1B2C3D4"));
        assert_eq!(sim.rfid_card, Some(vec![0xA1, 0xB2, 0xC3, 0xD4]));
        assert_eq!(r.handle("UID=A1B2C3D4E5F607", &mut sim), invalid());
        assert_eq!(r.handle("config=mf_classic_1k_7b", &mut sim), ok());
        assert_eq!(r.handle("UIDSIZE?", &mut sim), text("7"));
        assert_eq!(r.handle("UID=04A1B2C3D4E5F6", &mut sim), ok());
        assert_eq!(r.handle("CONFIG?", &mut sim), text("MF_CLASSIC_1K_7B"));
        assert_eq!(r.handle("CONFIG=NONE", &mut sim), ok());
        assert_eq!(sim.rfid_card, None);
    }

    #[test]
    fn errors_follow_the_chameleon_codes() {
        let mut r = RfidEmulator::default();
        let mut sim = Sim::new(SimConfig::default());
        assert_eq!(r.handle("FROB?", &mut sim), unknown());
        assert_eq!(r.handle("UID", &mut sim), usage());
        assert_eq!(r.handle("CONFIG=MF_PLUS", &mut sim), invalid());
        assert_eq!(
            r.handle("UID=01020304", &mut sim),
            invalid(),
            "no card configured"
        );
        r.handle("CONFIG=MF_CLASSIC_1K_10B", &mut sim);
        assert_eq!(r.handle("UID=0102030405060708090A", &mut sim), ok());
        assert_eq!(r.handle("UID=ZZ02030405060708090A", &mut sim), invalid());
        assert!(r.handle("VERSION?", &mut sim)[1].starts_with("ChameleonMini"));
    }
}

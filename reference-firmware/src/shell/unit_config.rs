//! The unit's own configuration files in the state directory, besides the charging core's:
//! - `ocpp-connection.json`: CSMS URL, charge point identity, authorization key, security profile;
//! - `csms-ca.pem`: the CSMS root certificate for `wss://`;
//! - `wifi.json`: the Wi-Fi network to join;
//! - `provisioning.json`: serial and PIN written at the factory (kept by a factory reset).
//!
//! Every file is written crash-safe (temporary file, fsync, rename).

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::storage::write_atomic;

const CONNECTION: &str = "ocpp-connection.json";
const CSMS_CA: &str = "csms-ca.pem";
const WIFI: &str = "wifi.json";
const PROVISIONING: &str = "provisioning.json";
/// What a factory reset removes (the charging core's installation and offline cards too).
const WIPED_BY_FACTORY_RESET: &[&str] = &[
    CONNECTION,
    CSMS_CA,
    WIFI,
    "installation.json",
    "offline-cards.json",
];

/// How the unit reaches its CSMS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionSettings {
    pub csms_url: Option<String>,
    pub charge_point_id: Option<String>,
    /// Basic-auth password (security profiles 1 and 2); never shown back.
    pub authorization_key: Option<String>,
    /// 0 plain, 1 Basic auth, 2 TLS + Basic auth. Only ever raised.
    pub security_profile: u8,
}

/// The Wi-Fi network to join (the passphrase is never shown back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiSettings {
    pub ssid: String,
    /// `wpa-tkip` or `wpa2-aes`.
    pub security: String,
    pub passphrase: String,
}

/// Written at the factory: the serial number and the unit's PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provisioning {
    pub serial: String,
    pub pin: Option<String>,
}

impl Provisioning {
    /// A provisioning file (`{"serial": "...", "pin": "..."}`), checked.
    pub fn from_file(path: &Path) -> Result<Provisioning, String> {
        let bytes =
            fs::read(path).map_err(|e| format!("--provisioning {}: {e}", path.display()))?;
        let p: Provisioning = serde_json::from_slice(&bytes)
            .map_err(|e| format!("--provisioning {}: {e}", path.display()))?;
        if let Some(pin) = &p.pin {
            check_pin(pin).map_err(|e| format!("--provisioning {}: {e}", path.display()))?;
        }
        if p.serial.trim().is_empty() {
            return Err(format!(
                "--provisioning {}: serial must not be empty",
                path.display()
            ));
        }
        Ok(p)
    }
}

/// A PIN is 4 to 12 digits.
pub fn check_pin(pin: &str) -> Result<(), String> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("the PIN must be 4 to 12 digits".into())
    }
}

/// The state directory's unit configuration files.
#[derive(Debug, Clone)]
pub struct UnitConfig {
    dir: PathBuf,
}

impl UnitConfig {
    pub fn new(state_dir: &Path) -> UnitConfig {
        UnitConfig {
            dir: state_dir.to_path_buf(),
        }
    }

    pub fn connection(&self) -> Result<ConnectionSettings, String> {
        Ok(self.load(CONNECTION)?.unwrap_or_default())
    }

    pub fn save_connection(&self, c: &ConnectionSettings) -> Result<(), String> {
        self.save(CONNECTION, c)
    }

    pub fn csms_ca(&self) -> Result<Option<Vec<u8>>, String> {
        let path = self.dir.join(CSMS_CA);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
        }
    }

    pub fn save_csms_ca(&self, pem: &[u8]) -> Result<(), String> {
        let path = self.dir.join(CSMS_CA);
        write_atomic(&path, pem).map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }

    pub fn wifi(&self) -> Result<Option<WifiSettings>, String> {
        self.load(WIFI)
    }

    pub fn save_wifi(&self, w: &WifiSettings) -> Result<(), String> {
        self.save(WIFI, w)
    }

    pub fn provisioning(&self) -> Result<Option<Provisioning>, String> {
        self.load(PROVISIONING)
    }

    pub fn save_provisioning(&self, p: &Provisioning) -> Result<(), String> {
        self.save(PROVISIONING, p)
    }

    /// Removes configuration, credentials and cards; the energy register, the core's tuning
    /// (`settings.json`) and the provisioning stay.
    pub fn factory_wipe(&self) -> Result<(), String> {
        for name in WIPED_BY_FACTORY_RESET {
            let path = self.dir.join(name);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{}: cannot remove: {e}", path.display())),
            }
        }
        super::ocpp_store::OcppStore::open(&self.dir)?.wipe()?;
        fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| format!("{}: cannot sync: {e}", self.dir.display()))
    }

    fn load<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
        super::storage::load_json(&self.dir, name)
    }

    fn save<T: Serialize>(&self, name: &str, value: &T) -> Result<(), String> {
        super::storage::save_json(&self.dir, name, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factory_wipe_keeps_energy_and_provisioning() {
        let dir = tempfile::tempdir().unwrap();
        let unit = UnitConfig::new(dir.path());
        unit.save_connection(&ConnectionSettings {
            csms_url: Some("ws://h/x".into()),
            authorization_key: Some("0123456789abcdef".into()),
            ..Default::default()
        })
        .unwrap();
        unit.save_provisioning(&Provisioning {
            serial: "2207001234567".into(),
            pin: Some("1234".into()),
        })
        .unwrap();
        fs::write(dir.path().join("energy.json"), b"{\"energy_mwh\":5}").unwrap();
        fs::write(dir.path().join("offline-cards.json"), b"[\"04A22B1A\"]").unwrap();
        let store = super::super::ocpp_store::OcppStore::open(dir.path()).unwrap();
        store.save("local_list", b"{}").unwrap();
        unit.factory_wipe().unwrap();
        assert_eq!(unit.connection().unwrap(), ConnectionSettings::default());
        assert!(unit.provisioning().unwrap().is_some());
        assert!(dir.path().join("energy.json").exists());
        assert!(!dir.path().join("offline-cards.json").exists());
        assert!(store.load().is_err() || store.load().unwrap().entries.is_empty());
    }

    #[test]
    fn pins_are_digits() {
        assert!(check_pin("1234").is_ok());
        assert!(check_pin("12a4").is_err());
        assert!(check_pin("123").is_err());
    }
}

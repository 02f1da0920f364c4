//! How an instrument plugin reaches its instrument, as written in a rig section:
//! `transport = { serial = "/dev/ttyUSB0", baud = 115200 }`, `{ tcp = "host:5025" }` or
//! `{ can = "can0" }`.

use serde::{Deserialize, Serialize};

use crate::PluginError;

/// The raw rig-file form; use [`TransportConfig::resolve`] to get a checked [`Transport`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baud: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can: Option<String>,
}

/// A checked transport: exactly one way to reach the instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Serial { path: String, baud: u32 },
    Tcp { address: String },
    Can { interface: String },
}

/// The baud rate when a serial transport names none.
pub const DEFAULT_BAUD: u32 = 115_200;

impl TransportConfig {
    pub fn resolve(&self) -> Result<Transport, PluginError> {
        let given = [
            self.serial.is_some(),
            self.tcp.is_some(),
            self.can.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if given != 1 {
            return Err(PluginError::new(
                "transport: give exactly one of `serial`, `tcp` or `can`",
            ));
        }
        if self.baud.is_some() && self.serial.is_none() {
            return Err(PluginError::new(
                "transport.baud: only a serial transport has a baud rate",
            ));
        }
        Ok(if let Some(path) = &self.serial {
            Transport::Serial {
                path: path.clone(),
                baud: self.baud.unwrap_or(DEFAULT_BAUD),
            }
        } else if let Some(address) = &self.tcp {
            Transport::Tcp {
                address: address.clone(),
            }
        } else {
            Transport::Can {
                interface: self.can.clone().unwrap_or_default(),
            }
        })
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Serial { path, baud } => write!(f, "serial {path} at {baud} baud"),
            Transport::Tcp { address } => write!(f, "tcp {address}"),
            Transport::Can { interface } => write!(f, "can {interface}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_transport_is_required() {
        let none = TransportConfig::default();
        assert!(none
            .resolve()
            .unwrap_err()
            .message()
            .contains("exactly one"));
        let two = TransportConfig {
            serial: Some("/dev/x".into()),
            tcp: Some("h:1".into()),
            ..Default::default()
        };
        assert!(two.resolve().is_err());
    }

    #[test]
    fn serial_defaults_to_115200() {
        let t: TransportConfig = serde_json::from_str(r#"{"serial":"/dev/pts/3"}"#).unwrap();
        assert_eq!(
            t.resolve().unwrap(),
            Transport::Serial {
                path: "/dev/pts/3".into(),
                baud: 115_200
            }
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = serde_json::from_str::<TransportConfig>(r#"{"serail":"/dev/x"}"#).unwrap_err();
        assert!(e.to_string().contains("serail"));
    }
}

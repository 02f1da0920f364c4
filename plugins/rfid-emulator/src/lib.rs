//! Plugin `rfid-emulator`: a ChameleonMini (or anything speaking its serial command set) that
//! presents ISO 14443A cards to the charger's reader.
//!
//! Rig configuration (a JSON object, the rig section without `plugin`):
//! `{"transport": {"serial": "/dev/ttyACM0", "baud": 115200} | {"tcp": "host:port"},
//! "timeout_ms": 1000}`.

pub mod chameleon;
#[path = "../../ev-emulator/src/line_link.rs"]
pub mod line_link;

use std::time::Duration;

use plugin_api::kinds::rfid_emulator::{self as rf, parse_uid, CommandAck, RfidEmulator};
use plugin_api::transport::{Transport, TransportConfig};
use plugin_api::{Observation, Plugin, PluginError};
use serde::Deserialize;
use serde_json::json;

use chameleon::{config_for_uid_len, hex, parse_status, Status, NO_CARD};
use line_link::LineLink;

/// The rig section's keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfidConfig {
    pub transport: TransportConfig,
    /// Reply timeout per command.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    1000
}

/// Opens the link the configuration names; ChameleonMini commands end with CR.
pub fn open_link(config: &RfidConfig) -> Result<LineLink, PluginError> {
    let context = |e: String| PluginError::new(format!("rfid-emulator configuration: {e}"));
    if config.timeout_ms == 0 {
        return Err(context("key `timeout_ms` must be at least 1".into()));
    }
    let timeout = Duration::from_millis(config.timeout_ms);
    let link = match config
        .transport
        .resolve()
        .map_err(|e| context(e.to_string()))?
    {
        Transport::Serial { path, baud } => LineLink::open_serial(&path, baud, timeout, "\r"),
        Transport::Tcp { address } => LineLink::connect_tcp(&address, timeout, "\r"),
        Transport::Can { interface } => {
            return Err(context(format!(
                "key `transport.can` ({interface}): a ChameleonMini is reached over serial"
            )))
        }
    };
    link.map_err(|e| PluginError::new(e.0))
}

/// The plugin instance.
pub struct RfidEmulatorPlugin {
    link: LineLink,
    version: String,
    record: Vec<Observation>,
    /// A failed exchange may leave a late answer in flight; drop it before the next command.
    resync_needed: bool,
}

impl RfidEmulatorPlugin {
    /// Sends one command; `Ok(Some(text))` for `101:OK WITH TEXT`, `Ok(None)` for `100:OK`.
    fn command(&mut self, command: &str) -> Result<Option<String>, PluginError> {
        if self.resync_needed {
            self.link.discard_input();
        }
        let result = self.exchange(command);
        self.resync_needed = result.is_err();
        let data = match &result {
            Ok(text) => json!({"command": command, "text": text}),
            Err(e) => json!({"command": command, "error": e.message()}),
        };
        self.record.push(Observation::new("rfid_command", data));
        result
    }

    fn exchange(&mut self, command: &str) -> Result<Option<String>, PluginError> {
        let fail = |e: line_link::LinkError| PluginError::new(e.0);
        self.link.send_line(command).map_err(fail)?;
        let status_line = self
            .link
            .read_line(&format!("a status line answering `{command}`"))
            .map_err(fail)?;
        let status = parse_status(&status_line)
            .map_err(|e| PluginError::new(self.link.error(format_args!("{e} to `{command}`")).0))?;
        match status {
            Status::Ok => Ok(None),
            Status::OkWithText => self
                .link
                .read_line(&format!(
                    "the text after `101:OK WITH TEXT` answering `{command}`"
                ))
                .map(Some)
                .map_err(fail),
            Status::Refused { code, text } => Err(PluginError::new(
                self.link
                    .error(format_args!(
                        "the card emulator refused `{command}`: {code}:{text}"
                    ))
                    .0,
            )),
        }
    }

    /// A command that must answer with text.
    fn query(&mut self, command: &str) -> Result<String, PluginError> {
        self.command(command)?.ok_or_else(|| {
            PluginError::new(
                self.link
                    .error(format_args!(
                        "`{command}` answered 100:OK, expected 101:OK WITH TEXT and a value"
                    ))
                    .0,
            )
        })
    }

    /// A command that must answer `100:OK`.
    fn set(&mut self, command: &str) -> Result<(), PluginError> {
        match self.command(command)? {
            None => Ok(()),
            Some(text) => Err(PluginError::new(
                self.link
                    .error(format_args!(
                        "`{command}` answered with text {text:?}, expected 100:OK"
                    ))
                    .0,
            )),
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }
}

impl Plugin for RfidEmulatorPlugin {
    const NAME: &'static str = "rfid-emulator";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn open(config: serde_json::Value) -> Result<Self, PluginError> {
        let config: RfidConfig = serde_json::from_value(config)
            .map_err(|e| PluginError::new(format!("rfid-emulator configuration: {e}")))?;
        let mut plugin = Self {
            link: open_link(&config)?,
            version: String::new(),
            record: Vec::new(),
            // A previous client may have left an unread answer; drop it first.
            resync_needed: true,
        };
        plugin.version = plugin.query("VERSION?")?;
        Ok(plugin)
    }

    fn drain_record(&mut self) -> Vec<Observation> {
        std::mem::take(&mut self.record)
    }

    fn close(&mut self) {
        // Safe state: no card in the field. A failure is already in the record.
        let _ = self.set(&format!("CONFIG={NO_CARD}"));
    }
}

impl RfidEmulator for RfidEmulatorPlugin {
    fn present(&mut self, args: rf::PresentCard) -> Result<CommandAck, PluginError> {
        let uid = parse_uid(&args.uid_hex)?;
        let config = config_for_uid_len(uid.len()).expect("parse_uid allows 4, 7 or 10 bytes");
        if let Err(e) = self.set(&format!("CONFIG={config}")) {
            if uid.len() == 10 && e.message().contains(": 202:") {
                return Err(PluginError::new(format!(
                    "{e} (this card emulator has no configuration for 10-byte UIDs)"
                )));
            }
            return Err(e);
        }
        let size = self.query("UIDSIZE?")?;
        if size.trim().parse::<usize>().ok() != Some(uid.len()) {
            return Err(PluginError::new(
                self.link
                    .error(format_args!(
                        "after CONFIG={config} the UID size is {size:?}, expected {}",
                        uid.len()
                    ))
                    .0,
            ));
        }
        let uid_hex = hex(&uid);
        self.set(&format!("UID={uid_hex}"))?;
        let echoed = self.query("UID?")?;
        if !echoed.trim().eq_ignore_ascii_case(&uid_hex) {
            return Err(PluginError::new(
                self.link
                    .error(format_args!("UID? answered {echoed:?}, expected {uid_hex}"))
                    .0,
            ));
        }
        self.record.push(Observation::new(
            "rfid_card",
            json!({"present": true, "uid": uid_hex}),
        ));
        Ok(CommandAck::now())
    }

    fn remove(&mut self, _: rf::RemoveCard) -> Result<CommandAck, PluginError> {
        self.set(&format!("CONFIG={NO_CARD}"))?;
        self.record
            .push(Observation::new("rfid_card", json!({"present": false})));
        Ok(CommandAck::now())
    }

    fn status(&mut self, _: rf::CardStatus) -> Result<rf::CardState, PluginError> {
        let config = self.query("CONFIG?")?;
        if config.trim().eq_ignore_ascii_case(NO_CARD) {
            return Ok(rf::CardState {
                present: false,
                uid_hex: None,
            });
        }
        let uid = self.query("UID?")?;
        Ok(rf::CardState {
            present: true,
            uid_hex: Some(uid.trim().to_ascii_uppercase()),
        })
    }
}

plugin_api::export_plugin!(rfid_emulator: RfidEmulatorPlugin);

//! What the firmware provides to the local interface: one small synchronous trait.
//!
//! The server calls every method on tokio's blocking pool (`spawn_blocking`) with a timeout
//! (`UiOptions::backend_timeout`), so an implementation may block briefly (a storage write, a
//! request to the charging core answered over a channel with `blocking_recv`). The interface has
//! already checked the syntax of every value it passes (see [`super::validate`]); checks that need
//! the variant or the stored state are the backend's: it returns `Err(reason)` — one line the
//! installer can act on — and then must have changed nothing.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::access_point::ApStatus;

/// The firmware side of the local interface.
pub trait Backend: Send + Sync + 'static {
    /// The PIN provisioned at the factory; `None` if the unit has none (then nobody can log in).
    fn pin(&self) -> Option<String>;

    /// Everything the Status tab shows.
    fn status(&self) -> Status;

    /// Stores a request to join a Wi-Fi network (the security is WPA-TKIP or WPA2-AES; WPA3 is
    /// refused before this is called).
    fn join_wifi(&self, request: &WifiJoin) -> Result<(), String>;

    fn installation(&self) -> Installation;
    /// Validates against the variant and applies at once (the pilot duty cycle follows a new
    /// maximum current immediately).
    fn set_installation(&self, new: &Installation) -> Result<(), String>;

    fn rfid_cards(&self) -> RfidCards;
    /// Adds an offline card (`uid` is upper-case hex, 4, 7 or 10 bytes).
    fn add_rfid_card(&self, uid: &str) -> Result<(), String>;
    /// Removes an offline card; `Err` if there is no such card.
    fn remove_rfid_card(&self, uid: &str) -> Result<(), String>;

    fn ocpp_settings(&self) -> OcppSettings;
    /// Stores the settings (durably within 10 s), then restarts the unit within 10 s so it
    /// connects to the new CSMS. Returns once stored or scheduled.
    fn set_ocpp_settings(&self, new: &OcppSettingsUpdate) -> Result<(), String>;

    /// Wipes configuration, Wi-Fi and OCPP credentials and offline cards; keeps the energy
    /// register and the provisioning (serial, product number, PIN). The PIN was checked before.
    fn factory_reset(&self) -> Result<(), String>;
}

/// The Status tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub serial: String,
    pub product_number: u32,
    pub firmware_version: String,
    pub network: NetworkStatus,
    pub ocpp: OcppStatus,
    /// The energy register (never reset, not even by a factory reset), Wh.
    pub energy_wh: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkStatus {
    /// From the shell's [`super::AccessPointHandle`].
    pub access_point: ApStatus,
    /// `None` on variants without LAN.
    pub ethernet: Option<EthernetStatus>,
    pub wifi: WifiStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthernetStatus {
    pub link_up: bool,
    /// Address from DHCP, if any.
    pub ip: Option<IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiStatus {
    /// The network the unit was asked to join, if any.
    pub ssid: Option<String>,
    pub security: Option<WifiSecurity>,
    pub connected: bool,
    pub ip: Option<IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcppStatus {
    pub csms_url: Option<String>,
    pub connection: OcppConnection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OcppConnection {
    NotConfigured,
    Connecting,
    Connected,
    Disconnected,
}

/// Wi-Fi security the unit supports (WPA3 is not supported by the radio).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WifiSecurity {
    /// Accepted, not recommended.
    #[serde(rename = "wpa-tkip")]
    WpaTkip,
    /// Recommended.
    #[serde(rename = "wpa2-aes")]
    Wpa2Aes,
}

/// A request to join a Wi-Fi network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WifiJoin {
    pub ssid: String,
    pub security: WifiSecurity,
    /// 8..=63 printable ASCII characters, or 64 hex digits (a raw PSK).
    pub passphrase: String,
}

/// The Installation tab (same field names as the core's installation parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub max_current_a: u32,
    pub fuse_rating_a: u32,
    pub phases: u8,
    pub earthing: Earthing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Earthing {
    TN,
    TT,
    IT,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfidCards {
    /// Upper-case hex UIDs.
    pub cards: Vec<String>,
    /// While a CSMS is configured the offline cards are ignored (the CSMS manages cards).
    pub csms_configured: bool,
}

/// The OCPP tab as read back (the authorization key is write-only: only whether one is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcppSettings {
    pub csms_url: Option<String>,
    pub charge_point_id: String,
    pub authorization_key_set: bool,
}

/// New OCPP settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcppSettingsUpdate {
    /// `ws://` or `wss://`.
    pub csms_url: String,
    pub charge_point_id: String,
    pub authorization_key: KeyChange,
}

/// What happens to the write-only authorization key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChange {
    Keep,
    Set(String),
    Clear,
}

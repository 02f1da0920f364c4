//! The interface of the charge point state machine: what the shell feeds in
//! (settings, stored state, charging-core events) and what comes out.

use std::collections::BTreeMap;

use rust_ocpp::v1_6::types::ChargePointErrorCode;
use serde::{Deserialize, Serialize};

/// Fixed facts about the charger, given at construction.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub vendor: String,
    pub model: String,
    pub serial_number: String,
    pub firmware_version: String,
    /// Number of connectors (connector ids 1..=connectors).
    pub connectors: u32,
    pub cable: Cable,
    /// Supply voltage per phase, used to turn power limits (W) into current (A).
    pub nominal_voltage_v: f64,
    /// Phases the charger switches (1 or 3).
    pub phases: u8,
    /// Rated current per phase, A: what GetCompositeSchedule reports where no
    /// profile limits the charger.
    pub rated_current_a: f64,
    /// How long to wait for the CSMS to answer a CALL, in seconds.
    pub call_timeout_s: i64,
    /// How long a Reset waits for the StopTransaction to be delivered, in seconds.
    pub reset_grace_s: i64,
    /// Seed of the reconnect back-off jitter (e.g. derived from the serial number).
    pub jitter_seed: u64,
    /// Seeded defects to act out (always empty without the `seeded-defects` feature).
    pub defects: crate::defects::OcppDefects,
}

impl Settings {
    /// Settings for a one-connector tethered wallbox, the reference product.
    pub fn wallbox(serial_number: &str, firmware_version: &str) -> Settings {
        Settings {
            vendor: "ReferenceVendor".into(),
            model: "RefWallbox".into(),
            serial_number: serial_number.into(),
            firmware_version: firmware_version.into(),
            connectors: 1,
            cable: Cable::Tethered,
            nominal_voltage_v: 230.0,
            phases: 3,
            rated_current_a: 16.0,
            call_timeout_s: 30,
            reset_grace_s: 10,
            jitter_seed: serial_number.bytes().fold(0x9E37_79B9_7F4A_7C15, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
            }),
            defects: Default::default(),
        }
    }
}

/// How the vehicle connector is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cable {
    /// Fixed cable: UnlockConnector is NotSupported.
    Tethered,
    /// Type 2 socket with a lock actuator.
    Socket,
}

/// Per-phase values; `None` where the meter has no such phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseValues {
    pub l1: Option<f64>,
    pub l2: Option<f64>,
    pub l3: Option<f64>,
}

impl PhaseValues {
    pub fn three(l1: f64, l2: f64, l3: f64) -> PhaseValues {
        PhaseValues {
            l1: Some(l1),
            l2: Some(l2),
            l3: Some(l3),
        }
    }

    pub fn sum(&self) -> Option<f64> {
        let vals: Vec<f64> = [self.l1, self.l2, self.l3].into_iter().flatten().collect();
        (!vals.is_empty()).then(|| vals.iter().sum())
    }
}

/// A meter reading of one connector, as the charging core measured it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeterReading {
    /// Energy.Active.Import.Register, Wh (monotonic).
    pub energy_wh: f64,
    /// Power.Active.Import per phase, W.
    pub power_w: PhaseValues,
    /// Current.Import per phase, A.
    pub current_a: PhaseValues,
    /// Voltage per phase (L-N), V.
    pub voltage_v: PhaseValues,
    /// Current.Offered (the PWM limit), A.
    pub current_offered_a: Option<f64>,
    pub frequency_hz: Option<f64>,
    pub temperature_c: Option<f64>,
}

/// Events from the charging core.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    /// Vehicle connected (CP state A → B).
    CablePlugged { connector: u32 },
    /// Vehicle disconnected (CP state → A).
    CableUnplugged { connector: u32 },
    /// Socket variants: the cable lock's feedback says engaged (or open). A
    /// transaction on a socket begins (StartTransaction) only once the cable is
    /// locked; a session whose lock never engages ends without a transaction.
    CableLocked { connector: u32, locked: bool },
    /// The EV asks for energy (state C/D) or not (state B).
    EvReady { connector: u32, ready: bool },
    /// The EVSE offers energy (PWM on with a usable duty cycle) or not.
    EnergyOffered { connector: u32, offered: bool },
    /// A fault appeared; connector 0 means the whole charge point.
    Faulted {
        connector: u32,
        error_code: ChargePointErrorCode,
        info: Option<String>,
        vendor_error_code: Option<String>,
    },
    /// The fault of that connector is gone.
    FaultCleared { connector: u32 },
    /// An RFID card (idTag) was presented; `connector` when the UI knows it.
    IdTagPresented {
        connector: Option<u32>,
        id_tag: String,
    },
    /// A fresh meter reading.
    Meter {
        connector: u32,
        reading: MeterReading,
    },
    /// The core stopped a session by itself (emergency stop, power loss with
    /// backup supply, ...).
    StopRequested {
        connector: u32,
        reason: rust_ocpp::v1_6::types::Reason,
    },
    /// Answer to [`Output::UnlockConnector`].
    UnlockResult { connector: u32, unlocked: bool },
    /// Answer to [`Output::DownloadFirmware`].
    FirmwareDownloaded { ok: bool },
    /// Answer to [`Output::InstallFirmware`]; on success the shell then
    /// performs the [`Output::Reset`] that follows.
    FirmwareInstalled { ok: bool },
    /// Answer to [`Output::UploadDiagnostics`].
    DiagnosticsUploaded { ok: bool },
    /// Answer to [`Output::UploadLog`].
    LogUploaded { ok: bool },
    /// The shell could not connect with a newly raised security profile and
    /// fell back to the previous one.
    SecurityProfileFailed { previous: u8 },
}

/// Reset kinds, as the shell performs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetKind {
    /// Restart the application.
    Soft,
    /// Restart the hardware (or the whole process).
    Hard,
}

/// What the state machine asks the shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    // ---- transport ----
    /// Send this text frame on the WebSocket.
    SendFrame(String),
    /// Open the WebSocket again after this delay (back-off with jitter).
    Reconnect { after: std::time::Duration },
    /// WebSocket ping interval in seconds (0 = don't ping).
    SetPingInterval { seconds: u32 },
    /// Connection security changed: reconnect with these settings. The
    /// authorization key is `None` when it did not change.
    SecuritySettings {
        profile: u8,
        authorization_key: Option<String>,
    },
    // ---- charging core ----
    /// Result of presenting an idTag (for the UI: green/red light).
    AuthorizeResult {
        connector: u32,
        id_tag: String,
        accepted: bool,
    },
    /// The transaction may draw energy: offer it (PWM on).
    StartCharging { connector: u32 },
    /// Stop offering energy (transaction ended or suspended by the CSMS).
    StopCharging { connector: u32 },
    /// Smart-charging limit of the connector in A per phase (`None` = no limit).
    SetCurrentLimit { connector: u32, amps: Option<f64> },
    /// Unlock the socket's cable lock; answer with `CoreEvent::UnlockResult`.
    UnlockConnector { connector: u32 },
    /// Connector (0 = whole charge point) set operative or inoperative.
    SetAvailability { connector: u32, operative: bool },
    /// Restart now; everything to keep has been stored already.
    Reset { kind: ResetKind },
    /// Set the wall clock (from BootNotification.conf / Heartbeat.conf).
    SetClock { utc: chrono::DateTime<chrono::Utc> },
    // ---- storage ----
    /// Persist `bytes` under `key` (crash-safe); give it back at construction.
    Store { key: &'static str, bytes: Vec<u8> },
    // ---- file transfer ----
    /// Download the firmware image; answer with `CoreEvent::FirmwareDownloaded`.
    DownloadFirmware { url: String },
    /// Install the downloaded image; answer with `CoreEvent::FirmwareInstalled`.
    InstallFirmware,
    /// Upload the diagnostics file; answer with `CoreEvent::DiagnosticsUploaded`.
    UploadDiagnostics { url: String, file_name: String },
    /// GetLog: upload a log file to `url` + `file_name`; answer with
    /// `CoreEvent::LogUploaded`. A security log is `security_lines` (the
    /// charge point's security events in the requested time range, one per
    /// line); a diagnostics log is what the shell puts in a diagnostics file.
    UploadLog {
        url: String,
        file_name: String,
        log_type: crate::security_log::LogType,
        security_lines: Vec<String>,
    },
    // ---- log ----
    /// Something the shell should log (dropped frame, discarded message ...).
    Warning(String),
}

/// Storage keys used in [`Output::Store`].
pub mod store_keys {
    pub const CONFIG: &str = "config";
    pub const AUTH_CACHE: &str = "auth_cache";
    pub const LOCAL_LIST: &str = "local_list";
    pub const TX_QUEUE: &str = "tx_queue";
    pub const SECURITY_QUEUE: &str = "security_queue";
    pub const TRANSACTIONS: &str = "transactions";
    pub const AVAILABILITY: &str = "availability";
    pub const RESERVATIONS: &str = "reservations";
    pub const PROFILES: &str = "charging_profiles";
    pub const FIRMWARE: &str = "firmware";
    pub const RESET: &str = "reset";
    pub const SECURITY_LOG: &str = "security_log";
    pub const LOG_UPLOAD: &str = "log_upload";
}

/// What the shell stored under each key, handed back at construction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredState {
    pub entries: BTreeMap<String, Vec<u8>>,
}

impl StoredState {
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// Applies a store output (the shell may use this as its in-memory mirror).
    pub fn apply(&mut self, key: &str, bytes: Vec<u8>) {
        self.entries.insert(key.to_string(), bytes);
    }

    /// Decodes a stored JSON value; missing or corrupt entries give `None`.
    pub fn decode<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Option<T> {
        self.get(key).and_then(|b| serde_json::from_slice(b).ok())
    }
}

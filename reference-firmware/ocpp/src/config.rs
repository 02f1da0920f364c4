//! The OCPP configuration keys: definitions, access rules, validation and the
//! persisted values.

use std::collections::BTreeMap;

use rust_ocpp::v1_6::types::{ConfigurationStatus, KeyValue};

/// Who may read or write a key over OCPP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
    /// Written by ChangeConfiguration, never reported (AuthorizationKey).
    WriteOnly,
}

/// The value syntax a key accepts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    /// Comma-separated measurands, at most `max_items`.
    Measurands {
        max_items: usize,
    },
    /// `<connector>.<rotation>` items.
    PhaseRotation,
    /// Free text with a length range in characters.
    Text {
        min: usize,
        max: usize,
    },
    /// Value fixed at construction (read-only keys).
    Fixed,
}

#[derive(Debug, Clone, Copy)]
pub struct KeyDef {
    pub name: &'static str,
    pub access: Access,
    pub kind: Kind,
    pub default: &'static str,
}

pub mod keys {
    pub const ALLOW_OFFLINE_TX_FOR_UNKNOWN_ID: &str = "AllowOfflineTxForUnknownId";
    pub const AUTHORIZATION_CACHE_ENABLED: &str = "AuthorizationCacheEnabled";
    pub const AUTHORIZE_REMOTE_TX_REQUESTS: &str = "AuthorizeRemoteTxRequests";
    pub const CLOCK_ALIGNED_DATA_INTERVAL: &str = "ClockAlignedDataInterval";
    pub const CONNECTION_TIME_OUT: &str = "ConnectionTimeOut";
    pub const GET_CONFIGURATION_MAX_KEYS: &str = "GetConfigurationMaxKeys";
    pub const HEARTBEAT_INTERVAL: &str = "HeartbeatInterval";
    pub const LOCAL_AUTHORIZE_OFFLINE: &str = "LocalAuthorizeOffline";
    pub const LOCAL_PRE_AUTHORIZE: &str = "LocalPreAuthorize";
    pub const MAX_ENERGY_ON_INVALID_ID: &str = "MaxEnergyOnInvalidId";
    pub const METER_VALUES_ALIGNED_DATA: &str = "MeterValuesAlignedData";
    pub const METER_VALUES_SAMPLED_DATA: &str = "MeterValuesSampledData";
    pub const METER_VALUE_SAMPLE_INTERVAL: &str = "MeterValueSampleInterval";
    pub const MINIMUM_STATUS_DURATION: &str = "MinimumStatusDuration";
    pub const NUMBER_OF_CONNECTORS: &str = "NumberOfConnectors";
    pub const STOP_TRANSACTION_ON_EV_SIDE_DISCONNECT: &str = "StopTransactionOnEVSideDisconnect";
    pub const STOP_TRANSACTION_ON_INVALID_ID: &str = "StopTransactionOnInvalidId";
    pub const STOP_TXN_ALIGNED_DATA: &str = "StopTxnAlignedData";
    pub const STOP_TXN_SAMPLED_DATA: &str = "StopTxnSampledData";
    pub const TRANSACTION_MESSAGE_ATTEMPTS: &str = "TransactionMessageAttempts";
    pub const TRANSACTION_MESSAGE_RETRY_INTERVAL: &str = "TransactionMessageRetryInterval";
    pub const UNLOCK_CONNECTOR_ON_EV_SIDE_DISCONNECT: &str = "UnlockConnectorOnEVSideDisconnect";
    pub const WEB_SOCKET_PING_INTERVAL: &str = "WebSocketPingInterval";
    pub const LOCAL_AUTH_LIST_ENABLED: &str = "LocalAuthListEnabled";
    pub const LOCAL_AUTH_LIST_MAX_LENGTH: &str = "LocalAuthListMaxLength";
    pub const SEND_LOCAL_LIST_MAX_LENGTH: &str = "SendLocalListMaxLength";
    pub const RESERVE_CONNECTOR_ZERO_SUPPORTED: &str = "ReserveConnectorZeroSupported";
    pub const CHARGE_PROFILE_MAX_STACK_LEVEL: &str = "ChargeProfileMaxStackLevel";
    pub const CHARGING_SCHEDULE_MAX_PERIODS: &str = "ChargingScheduleMaxPeriods";
    pub const MAX_CHARGING_PROFILES_INSTALLED: &str = "MaxChargingProfilesInstalled";
    pub const SECURITY_PROFILE: &str = "SecurityProfile";
    pub const AUTHORIZATION_KEY: &str = "AuthorizationKey";
}

/// Measurands the firmware's meter can deliver.
pub const SUPPORTED_MEASURANDS: &[&str] = &[
    "Energy.Active.Import.Register",
    "Power.Active.Import",
    "Current.Import",
    "Current.Offered",
    "Voltage",
    "Frequency",
    "Temperature",
];

const ROTATIONS: &[&str] = &[
    "RST",
    "RTS",
    "SRT",
    "STR",
    "TRS",
    "TSR",
    "NotApplicable",
    "Unknown",
];

use Access::{ReadOnly as R, ReadWrite as RW, WriteOnly as W};

const fn key(name: &'static str, access: Access, kind: Kind, default: &'static str) -> KeyDef {
    KeyDef {
        name,
        access,
        kind,
        default,
    }
}

const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max }
}

const MEAS: Kind = Kind::Measurands { max_items: 8 };

/// Every key the charge point knows, in the order GetConfiguration lists them.
/// Values of `Fixed` keys whose default is empty are filled in at construction.
pub const KEY_DEFS: &[KeyDef] = &[
    // Core profile
    key(
        keys::ALLOW_OFFLINE_TX_FOR_UNKNOWN_ID,
        RW,
        Kind::Bool,
        "false",
    ),
    key(keys::AUTHORIZATION_CACHE_ENABLED, RW, Kind::Bool, "true"),
    key(keys::AUTHORIZE_REMOTE_TX_REQUESTS, RW, Kind::Bool, "false"),
    key("BlinkRepeat", RW, int(0, 100), "3"),
    key(keys::CLOCK_ALIGNED_DATA_INTERVAL, RW, int(0, 86_400), "0"),
    key(keys::CONNECTION_TIME_OUT, RW, int(1, 3_600), "90"),
    key("ConnectorPhaseRotation", RW, Kind::PhaseRotation, "1.RST"),
    key("ConnectorPhaseRotationMaxLength", R, Kind::Fixed, "2"),
    key(keys::GET_CONFIGURATION_MAX_KEYS, R, Kind::Fixed, "50"),
    key(keys::HEARTBEAT_INTERVAL, RW, int(0, 86_400), "300"),
    key("LightIntensity", RW, int(0, 100), "100"),
    key(keys::LOCAL_AUTHORIZE_OFFLINE, RW, Kind::Bool, "true"),
    key(keys::LOCAL_PRE_AUTHORIZE, RW, Kind::Bool, "false"),
    key(keys::MAX_ENERGY_ON_INVALID_ID, RW, int(0, 1_000_000), "0"),
    key(
        keys::METER_VALUES_ALIGNED_DATA,
        RW,
        MEAS,
        "Energy.Active.Import.Register",
    ),
    key("MeterValuesAlignedDataMaxLength", R, Kind::Fixed, "8"),
    key(
        keys::METER_VALUES_SAMPLED_DATA,
        RW,
        MEAS,
        "Energy.Active.Import.Register",
    ),
    key("MeterValuesSampledDataMaxLength", R, Kind::Fixed, "8"),
    key(keys::METER_VALUE_SAMPLE_INTERVAL, RW, int(0, 86_400), "60"),
    key(keys::MINIMUM_STATUS_DURATION, RW, int(0, 3_600), "0"),
    key(keys::NUMBER_OF_CONNECTORS, R, Kind::Fixed, ""),
    key("ResetRetries", RW, int(0, 10), "1"),
    key(
        keys::STOP_TRANSACTION_ON_EV_SIDE_DISCONNECT,
        RW,
        Kind::Bool,
        "true",
    ),
    key(keys::STOP_TRANSACTION_ON_INVALID_ID, RW, Kind::Bool, "true"),
    key(keys::STOP_TXN_ALIGNED_DATA, RW, MEAS, ""),
    key("StopTxnAlignedDataMaxLength", R, Kind::Fixed, "8"),
    key(keys::STOP_TXN_SAMPLED_DATA, RW, MEAS, ""),
    key("StopTxnSampledDataMaxLength", R, Kind::Fixed, "8"),
    key(
        "SupportedFeatureProfiles",
        R,
        Kind::Fixed,
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
    ),
    key("SupportedFeatureProfilesMaxLength", R, Kind::Fixed, "6"),
    key(keys::TRANSACTION_MESSAGE_ATTEMPTS, RW, int(1, 10), "3"),
    key(
        keys::TRANSACTION_MESSAGE_RETRY_INTERVAL,
        RW,
        int(1, 3_600),
        "60",
    ),
    key(
        keys::UNLOCK_CONNECTOR_ON_EV_SIDE_DISCONNECT,
        RW,
        Kind::Bool,
        "true",
    ),
    key(keys::WEB_SOCKET_PING_INTERVAL, RW, int(0, 86_400), "30"),
    // Local Auth List Management
    key(keys::LOCAL_AUTH_LIST_ENABLED, RW, Kind::Bool, "true"),
    key(keys::LOCAL_AUTH_LIST_MAX_LENGTH, R, Kind::Fixed, "1000"),
    key(keys::SEND_LOCAL_LIST_MAX_LENGTH, R, Kind::Fixed, "100"),
    // Reservation
    key(
        keys::RESERVE_CONNECTOR_ZERO_SUPPORTED,
        R,
        Kind::Fixed,
        "true",
    ),
    // Smart Charging
    key(keys::CHARGE_PROFILE_MAX_STACK_LEVEL, R, Kind::Fixed, "8"),
    key(
        "ChargingScheduleAllowedChargingRateUnit",
        R,
        Kind::Fixed,
        "Current,Power",
    ),
    key(keys::CHARGING_SCHEDULE_MAX_PERIODS, R, Kind::Fixed, "24"),
    key("ConnectorSwitch3to1PhaseSupported", R, Kind::Fixed, "false"),
    key(keys::MAX_CHARGING_PROFILES_INSTALLED, R, Kind::Fixed, "16"),
    // Firmware Management
    key("SupportedFileTransferProtocols", R, Kind::Fixed, "HTTP"),
    // Security whitepaper subset
    key(keys::SECURITY_PROFILE, RW, int(0, 2), "0"),
    key(
        keys::AUTHORIZATION_KEY,
        W,
        Kind::Text { min: 16, max: 40 },
        "",
    ),
];

fn def(name: &str) -> Option<&'static KeyDef> {
    KEY_DEFS.iter().find(|d| d.name == name)
}

/// Outcome of a ChangeConfiguration, with the normalised value when accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Accepted { key: &'static str, value: String },
    Rejected(String),
    NotSupported,
}

impl Change {
    pub fn status(&self) -> ConfigurationStatus {
        match self {
            Change::Accepted { .. } => ConfigurationStatus::Accepted,
            Change::Rejected(_) => ConfigurationStatus::Rejected,
            Change::NotSupported => ConfigurationStatus::NotSupported,
        }
    }
}

/// The current value of every key. Writable values are persisted by the owner.
#[derive(Debug, Clone)]
pub struct Config {
    values: BTreeMap<&'static str, String>,
}

impl Config {
    /// Defaults, with `NumberOfConnectors` set, overlaid by stored writable values
    /// (stored values that no longer validate are dropped).
    pub fn new(connectors: u32, stored: &BTreeMap<String, String>) -> Config {
        let mut values = BTreeMap::new();
        for d in KEY_DEFS {
            values.insert(d.name, d.default.to_string());
        }
        values.insert(keys::NUMBER_OF_CONNECTORS, connectors.to_string());
        let mut config = Config { values };
        for (k, v) in stored {
            if let Some(d) = def(k) {
                if d.access != Access::ReadOnly {
                    if let Ok(norm) = validate(d, v) {
                        config.values.insert(d.name, norm);
                    }
                }
            }
        }
        config
    }

    /// Values of the writable keys, for persistence.
    pub fn writable_values(&self) -> BTreeMap<String, String> {
        KEY_DEFS
            .iter()
            .filter(|d| d.access != Access::ReadOnly)
            .map(|d| (d.name.to_string(), self.values[d.name].clone()))
            .collect()
    }

    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    pub fn bool(&self, key: &str) -> bool {
        self.get(key) == "true"
    }

    pub fn int(&self, key: &str) -> i64 {
        self.get(key).parse().unwrap_or(0)
    }

    /// Items of a comma-separated list value.
    pub fn list(&self, key: &str) -> Vec<String> {
        split_list(self.get(key))
    }

    /// Sets a value without the OCPP access rules (internal use, e.g. the
    /// heartbeat interval adopted from BootNotification.conf).
    pub fn set_internal(&mut self, key: &'static str, value: String) {
        self.values.insert(key, value);
    }

    /// GetConfiguration: all reportable keys when `requested` is empty.
    pub fn report(&self, requested: &[String]) -> (Vec<KeyValue>, Vec<String>) {
        let entry = |d: &KeyDef| KeyValue {
            key: d.name.to_string(),
            readonly: d.access == Access::ReadOnly,
            value: match d.access {
                Access::WriteOnly => None,
                _ => Some(self.values[d.name].clone()),
            },
        };
        if requested.is_empty() {
            let known = KEY_DEFS
                .iter()
                .filter(|d| d.access != Access::WriteOnly)
                .map(entry)
                .collect();
            return (known, Vec::new());
        }
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for name in requested {
            match def(name) {
                Some(d) => known.push(entry(d)),
                None => unknown.push(name.clone()),
            }
        }
        (known, unknown)
    }

    /// ChangeConfiguration: checks access and syntax, stores the value on success.
    pub fn change(&mut self, key: &str, value: &str) -> Change {
        let Some(d) = def(key) else {
            return Change::NotSupported;
        };
        if d.access == Access::ReadOnly {
            return Change::Rejected(format!("{key} is read-only"));
        }
        match validate(d, value) {
            Ok(norm) => {
                if d.name == keys::SECURITY_PROFILE
                    && norm.parse::<i64>().unwrap_or(0) <= self.int(keys::SECURITY_PROFILE)
                {
                    return Change::Rejected("SecurityProfile can only be raised".into());
                }
                self.values.insert(d.name, norm.clone());
                Change::Accepted {
                    key: d.name,
                    value: norm,
                }
            }
            Err(why) => Change::Rejected(why),
        }
    }
}

pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks `value` against the key's syntax and returns it normalised.
fn validate(d: &KeyDef, value: &str) -> Result<String, String> {
    let name = d.name;
    match d.kind {
        Kind::Bool => match value.trim().to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => Ok(v.to_string()),
            _ => Err(format!("{name} expects true or false, got {value:?}")),
        },
        Kind::Int { min, max } => {
            let n: i64 = value
                .trim()
                .parse()
                .map_err(|_| format!("{name} expects an integer, got {value:?}"))?;
            if n < min || n > max {
                return Err(format!("{name} must be in {min}..={max}, got {n}"));
            }
            Ok(n.to_string())
        }
        Kind::Measurands { max_items } => {
            let items = split_list(value);
            if items.len() > max_items {
                return Err(format!("{name} takes at most {max_items} measurands"));
            }
            for item in &items {
                if !SUPPORTED_MEASURANDS.contains(&item.as_str()) {
                    return Err(format!("{name}: unsupported measurand {item:?}"));
                }
            }
            Ok(items.join(","))
        }
        Kind::PhaseRotation => {
            let items = split_list(value);
            if items.is_empty() || items.len() > 2 {
                return Err(format!("{name} takes one or two items"));
            }
            for item in &items {
                let ok = item
                    .split_once('.')
                    .is_some_and(|(c, r)| c.parse::<u32>().is_ok() && ROTATIONS.contains(&r));
                if !ok {
                    return Err(format!("{name}: bad item {item:?}"));
                }
            }
            Ok(items.join(","))
        }
        Kind::Text { min, max } => {
            let len = value.chars().count();
            if len < min || len > max {
                return Err(format!("{name} must be {min} to {max} characters"));
            }
            Ok(value.to_string())
        }
        Kind::Fixed => Err(format!("{name} is read-only")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(1, &BTreeMap::new())
    }

    #[test]
    fn reports_all_required_core_keys_with_access() {
        let (all, unknown) = config().report(&[]);
        assert!(unknown.is_empty());
        let get = |k: &str| all.iter().find(|kv| kv.key == k).unwrap().clone();
        for k in [
            "AuthorizeRemoteTxRequests",
            "ClockAlignedDataInterval",
            "ConnectionTimeOut",
            "ConnectorPhaseRotation",
            "HeartbeatInterval",
            "LocalAuthorizeOffline",
            "LocalPreAuthorize",
            "MeterValuesAlignedData",
            "MeterValuesSampledData",
            "MeterValueSampleInterval",
            "ResetRetries",
            "StopTransactionOnEVSideDisconnect",
            "StopTransactionOnInvalidId",
            "StopTxnAlignedData",
            "StopTxnSampledData",
            "TransactionMessageAttempts",
            "TransactionMessageRetryInterval",
            "UnlockConnectorOnEVSideDisconnect",
        ] {
            assert!(!get(k).readonly, "{k} must be RW");
        }
        for k in [
            "GetConfigurationMaxKeys",
            "NumberOfConnectors",
            "SupportedFeatureProfiles",
        ] {
            assert!(get(k).readonly, "{k} must be R");
        }
        assert_eq!(get("NumberOfConnectors").value.as_deref(), Some("1"));
        assert!(all.iter().all(|kv| kv.key != "AuthorizationKey"));
    }

    #[test]
    fn change_rules() {
        let mut c = config();
        assert_eq!(c.change("Testing", "1"), Change::NotSupported);
        assert!(matches!(
            c.change("MeterValueSampleInterval", "-1"),
            Change::Rejected(_)
        ));
        assert!(matches!(
            c.change("NumberOfConnectors", "2"),
            Change::Rejected(_)
        ));
        assert!(matches!(
            c.change("MeterValueSampleInterval", "15"),
            Change::Accepted { .. }
        ));
        assert_eq!(c.int("MeterValueSampleInterval"), 15);
        assert!(matches!(
            c.change("WebSocketPingInterval", "-5"),
            Change::Rejected(_)
        ));
        assert!(matches!(
            c.change("MeterValuesSampledData", "Voltage,Bogus"),
            Change::Rejected(_)
        ));
        assert!(matches!(
            c.change("MeterValuesSampledData", "Voltage, Current.Import"),
            Change::Accepted { .. }
        ));
        assert_eq!(c.get("MeterValuesSampledData"), "Voltage,Current.Import");
        assert!(matches!(
            c.change("LocalPreAuthorize", "TRUE"),
            Change::Accepted { .. }
        ));
        assert!(c.bool("LocalPreAuthorize"));
    }

    #[test]
    fn security_profile_only_raised_and_key_write_only() {
        let mut c = config();
        assert!(matches!(
            c.change("SecurityProfile", "1"),
            Change::Accepted { .. }
        ));
        assert!(matches!(
            c.change("SecurityProfile", "0"),
            Change::Rejected(_)
        ));
        assert!(matches!(
            c.change("AuthorizationKey", "short"),
            Change::Rejected(_)
        ));
        assert!(matches!(
            c.change("AuthorizationKey", "0123456789abcdef0123"),
            Change::Accepted { .. }
        ));
        let (kv, _) = c.report(&["AuthorizationKey".to_string()]);
        assert_eq!(kv[0].value, None);
    }

    #[test]
    fn stored_values_survive_and_bad_ones_are_dropped() {
        let mut stored = BTreeMap::new();
        stored.insert("HeartbeatInterval".to_string(), "42".to_string());
        stored.insert("MeterValueSampleInterval".to_string(), "x".to_string());
        let c = Config::new(1, &stored);
        assert_eq!(c.int("HeartbeatInterval"), 42);
        assert_eq!(c.int("MeterValueSampleInterval"), 60);
    }
}

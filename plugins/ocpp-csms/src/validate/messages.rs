//! The OCPP 1.6 message schemas (edition 2 with the JSON schema errata applied), for every action
//! of the six feature profiles and the 11 messages of the 1.6 Security Whitepaper (edition 2),
//! requests and responses.
//!
//! Errata applied (OCPP-J 1.6 errata §2, schema set 2019-12): `additionalProperties: false`
//! everywhere; `BootNotification.conf interval`, `UpdateFirmware.req retries/retryInterval` are
//! integers; `StopTransaction.req reason` is optional; the unit `Celsius` is accepted next to the
//! 1.6 spelling `Celcius`. Arrays the specification gives cardinality `1..*` must not be empty.

use super::schema::{opt, req, Ty};

/// Which side sends the request of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    ChargePoint,
    CentralSystem,
    /// DataTransfer goes both ways.
    Either,
}

/// The request and response schema of one action.
#[derive(Debug)]
pub struct ActionSchema {
    pub name: &'static str,
    pub initiator: Initiator,
    pub request: Ty,
    pub response: Ty,
}

impl ActionSchema {
    pub fn sent_by_charge_point(&self) -> bool {
        matches!(self.initiator, Initiator::ChargePoint | Initiator::Either)
    }
    pub fn sent_by_central_system(&self) -> bool {
        matches!(self.initiator, Initiator::CentralSystem | Initiator::Either)
    }
}

const S20: Ty = Ty::Str(Some(20));
const S25: Ty = Ty::Str(Some(25));
const S50: Ty = Ty::Str(Some(50));
const S255: Ty = Ty::Str(Some(255));
const S500: Ty = Ty::Str(Some(500));
const EMPTY: Ty = Ty::Obj(&[]);

const AUTHORIZATION_STATUS: Ty =
    Ty::Enum(&["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"]);
const ACCEPTED_REJECTED: Ty = Ty::Enum(&["Accepted", "Rejected"]);

const ID_TAG_INFO: Ty = Ty::Obj(&[
    opt("expiryDate", Ty::DateTime),
    opt("parentIdTag", S20),
    req("status", AUTHORIZATION_STATUS),
]);

const SAMPLED_VALUE: Ty = Ty::Obj(&[
    req("value", Ty::Str(None)),
    opt(
        "context",
        Ty::Enum(&[
            "Interruption.Begin",
            "Interruption.End",
            "Sample.Clock",
            "Sample.Periodic",
            "Transaction.Begin",
            "Transaction.End",
            "Trigger",
            "Other",
        ]),
    ),
    opt("format", Ty::Enum(&["Raw", "SignedData"])),
    opt(
        "measurand",
        Ty::Enum(&[
            "Energy.Active.Export.Register",
            "Energy.Active.Import.Register",
            "Energy.Reactive.Export.Register",
            "Energy.Reactive.Import.Register",
            "Energy.Active.Export.Interval",
            "Energy.Active.Import.Interval",
            "Energy.Reactive.Export.Interval",
            "Energy.Reactive.Import.Interval",
            "Power.Active.Export",
            "Power.Active.Import",
            "Power.Offered",
            "Power.Reactive.Export",
            "Power.Reactive.Import",
            "Power.Factor",
            "Current.Import",
            "Current.Export",
            "Current.Offered",
            "Voltage",
            "Frequency",
            "Temperature",
            "SoC",
            "RPM",
        ]),
    ),
    opt(
        "phase",
        Ty::Enum(&[
            "L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1",
        ]),
    ),
    opt(
        "location",
        Ty::Enum(&["Cable", "EV", "Inlet", "Outlet", "Body"]),
    ),
    opt(
        "unit",
        Ty::Enum(&[
            "Wh",
            "kWh",
            "varh",
            "kvarh",
            "W",
            "kW",
            "VA",
            "kVA",
            "var",
            "kvar",
            "A",
            "V",
            "K",
            "Celcius",
            "Celsius",
            "Fahrenheit",
            "Percent",
        ]),
    ),
]);

const METER_VALUE: Ty = Ty::Obj(&[
    req("timestamp", Ty::DateTime),
    req(
        "sampledValue",
        Ty::Arr {
            item: &SAMPLED_VALUE,
            min_items: 1,
        },
    ),
]);

const CHARGING_RATE_UNIT: Ty = Ty::Enum(&["A", "W"]);
const CHARGING_PROFILE_PURPOSE: Ty =
    Ty::Enum(&["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"]);

const CHARGING_SCHEDULE_PERIOD: Ty = Ty::Obj(&[
    req("startPeriod", Ty::Int),
    req("limit", Ty::Dec { tenths: true }),
    opt("numberPhases", Ty::Int),
]);

const CHARGING_SCHEDULE: Ty = Ty::Obj(&[
    opt("duration", Ty::Int),
    opt("startSchedule", Ty::DateTime),
    req("chargingRateUnit", CHARGING_RATE_UNIT),
    req(
        "chargingSchedulePeriod",
        Ty::Arr {
            item: &CHARGING_SCHEDULE_PERIOD,
            min_items: 1,
        },
    ),
    opt("minChargingRate", Ty::Dec { tenths: true }),
]);

const CHARGING_PROFILE: Ty = Ty::Obj(&[
    req("chargingProfileId", Ty::Int),
    opt("transactionId", Ty::Int),
    req("stackLevel", Ty::Int),
    req("chargingProfilePurpose", CHARGING_PROFILE_PURPOSE),
    req(
        "chargingProfileKind",
        Ty::Enum(&["Absolute", "Recurring", "Relative"]),
    ),
    opt("recurrencyKind", Ty::Enum(&["Daily", "Weekly"])),
    opt("validFrom", Ty::DateTime),
    opt("validTo", Ty::DateTime),
    req("chargingSchedule", CHARGING_SCHEDULE),
]);

const DATA_TRANSFER_REQ: Ty = Ty::Obj(&[
    req("vendorId", S255),
    opt("messageId", S50),
    opt("data", Ty::Str(None)),
]);
const DATA_TRANSFER_CONF: Ty = Ty::Obj(&[
    req(
        "status",
        Ty::Enum(&[
            "Accepted",
            "Rejected",
            "UnknownMessageId",
            "UnknownVendorId",
        ]),
    ),
    opt("data", Ty::Str(None)),
]);

const CERTIFICATE_HASH_DATA: Ty = Ty::Obj(&[
    req("hashAlgorithm", Ty::Enum(&["SHA256", "SHA384", "SHA512"])),
    req("issuerNameHash", Ty::Str(Some(128))),
    req("issuerKeyHash", Ty::Str(Some(128))),
    req("serialNumber", Ty::Str(Some(40))),
]);
const CERTIFICATE_USE: Ty = Ty::Enum(&[
    "CentralSystemRootCertificate",
    "ManufacturerRootCertificate",
]);

/// A response whose only property is a required `status` enumeration.
macro_rules! status_only {
    ($($v:literal),+ $(,)?) => {
        Ty::Obj(&[req("status", Ty::Enum(&[$($v),+]))])
    };
}

use Initiator::{CentralSystem as CS, ChargePoint as CP, Either};

/// Every OCPP 1.6 and Security Whitepaper action, sorted by name (byte order).
pub static ACTIONS: &[ActionSchema] = &[
    ActionSchema {
        name: "Authorize",
        initiator: CP,
        request: Ty::Obj(&[req("idTag", S20)]),
        response: Ty::Obj(&[req("idTagInfo", ID_TAG_INFO)]),
    },
    ActionSchema {
        name: "BootNotification",
        initiator: CP,
        request: Ty::Obj(&[
            req("chargePointVendor", S20),
            req("chargePointModel", S20),
            opt("chargePointSerialNumber", S25),
            opt("chargeBoxSerialNumber", S25),
            opt("firmwareVersion", S50),
            opt("iccid", S20),
            opt("imsi", S20),
            opt("meterType", S25),
            opt("meterSerialNumber", S25),
        ]),
        response: Ty::Obj(&[
            req("status", Ty::Enum(&["Accepted", "Pending", "Rejected"])),
            req("currentTime", Ty::DateTime),
            req("interval", Ty::Int),
        ]),
    },
    ActionSchema {
        name: "CancelReservation",
        initiator: CS,
        request: Ty::Obj(&[req("reservationId", Ty::Int)]),
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "CertificateSigned",
        initiator: CS,
        request: Ty::Obj(&[req("certificateChain", Ty::Str(Some(10_000)))]),
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "ChangeAvailability",
        initiator: CS,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            req("type", Ty::Enum(&["Inoperative", "Operative"])),
        ]),
        response: status_only!("Accepted", "Rejected", "Scheduled"),
    },
    ActionSchema {
        name: "ChangeConfiguration",
        initiator: CS,
        request: Ty::Obj(&[req("key", S50), req("value", S500)]),
        response: status_only!("Accepted", "Rejected", "RebootRequired", "NotSupported"),
    },
    ActionSchema {
        name: "ClearCache",
        initiator: CS,
        request: EMPTY,
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "ClearChargingProfile",
        initiator: CS,
        request: Ty::Obj(&[
            opt("id", Ty::Int),
            opt("connectorId", Ty::Int),
            opt("chargingProfilePurpose", CHARGING_PROFILE_PURPOSE),
            opt("stackLevel", Ty::Int),
        ]),
        response: status_only!("Accepted", "Unknown"),
    },
    ActionSchema {
        name: "DataTransfer",
        initiator: Either,
        request: DATA_TRANSFER_REQ,
        response: DATA_TRANSFER_CONF,
    },
    ActionSchema {
        name: "DeleteCertificate",
        initiator: CS,
        request: Ty::Obj(&[req("certificateHashData", CERTIFICATE_HASH_DATA)]),
        response: status_only!("Accepted", "Failed", "NotFound"),
    },
    ActionSchema {
        name: "DiagnosticsStatusNotification",
        initiator: CP,
        request: status_only!("Idle", "Uploaded", "UploadFailed", "Uploading"),
        response: EMPTY,
    },
    ActionSchema {
        name: "ExtendedTriggerMessage",
        initiator: CS,
        request: Ty::Obj(&[
            req(
                "requestedMessage",
                Ty::Enum(&[
                    "BootNotification",
                    "LogStatusNotification",
                    "FirmwareStatusNotification",
                    "Heartbeat",
                    "MeterValues",
                    "SignChargePointCertificate",
                    "StatusNotification",
                ]),
            ),
            opt("connectorId", Ty::Int),
        ]),
        response: status_only!("Accepted", "Rejected", "NotImplemented"),
    },
    ActionSchema {
        name: "FirmwareStatusNotification",
        initiator: CP,
        request: status_only!(
            "Downloaded",
            "DownloadFailed",
            "Downloading",
            "Idle",
            "InstallationFailed",
            "Installing",
            "Installed",
        ),
        response: EMPTY,
    },
    ActionSchema {
        name: "GetCompositeSchedule",
        initiator: CS,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            req("duration", Ty::Int),
            opt("chargingRateUnit", CHARGING_RATE_UNIT),
        ]),
        response: Ty::Obj(&[
            req("status", ACCEPTED_REJECTED),
            opt("connectorId", Ty::Int),
            opt("scheduleStart", Ty::DateTime),
            opt("chargingSchedule", CHARGING_SCHEDULE),
        ]),
    },
    ActionSchema {
        name: "GetConfiguration",
        initiator: CS,
        request: Ty::Obj(&[opt(
            "key",
            Ty::Arr {
                item: &S50,
                min_items: 0,
            },
        )]),
        response: Ty::Obj(&[
            opt(
                "configurationKey",
                Ty::Arr {
                    item: &Ty::Obj(&[
                        req("key", S50),
                        req("readonly", Ty::Bool),
                        opt("value", S500),
                    ]),
                    min_items: 0,
                },
            ),
            opt(
                "unknownKey",
                Ty::Arr {
                    item: &S50,
                    min_items: 0,
                },
            ),
        ]),
    },
    ActionSchema {
        name: "GetDiagnostics",
        initiator: CS,
        request: Ty::Obj(&[
            req("location", Ty::Uri(None)),
            opt("retries", Ty::Int),
            opt("retryInterval", Ty::Int),
            opt("startTime", Ty::DateTime),
            opt("stopTime", Ty::DateTime),
        ]),
        response: Ty::Obj(&[opt("fileName", S255)]),
    },
    ActionSchema {
        name: "GetInstalledCertificateIds",
        initiator: CS,
        request: Ty::Obj(&[req("certificateType", CERTIFICATE_USE)]),
        response: Ty::Obj(&[
            req("status", Ty::Enum(&["Accepted", "NotFound"])),
            opt(
                "certificateHashData",
                Ty::Arr {
                    item: &CERTIFICATE_HASH_DATA,
                    min_items: 0,
                },
            ),
        ]),
    },
    ActionSchema {
        name: "GetLocalListVersion",
        initiator: CS,
        request: EMPTY,
        response: Ty::Obj(&[req("listVersion", Ty::Int)]),
    },
    ActionSchema {
        name: "GetLog",
        initiator: CS,
        request: Ty::Obj(&[
            req(
                "log",
                Ty::Obj(&[
                    req("remoteLocation", Ty::Uri(Some(512))),
                    opt("oldestTimestamp", Ty::DateTime),
                    opt("latestTimestamp", Ty::DateTime),
                ]),
            ),
            req("logType", Ty::Enum(&["DiagnosticsLog", "SecurityLog"])),
            req("requestId", Ty::Int),
            opt("retries", Ty::Int),
            opt("retryInterval", Ty::Int),
        ]),
        response: Ty::Obj(&[
            req(
                "status",
                Ty::Enum(&["Accepted", "Rejected", "AcceptedCanceled"]),
            ),
            opt("filename", S255),
        ]),
    },
    ActionSchema {
        name: "Heartbeat",
        initiator: CP,
        request: EMPTY,
        response: Ty::Obj(&[req("currentTime", Ty::DateTime)]),
    },
    ActionSchema {
        name: "InstallCertificate",
        initiator: CS,
        request: Ty::Obj(&[
            req("certificateType", CERTIFICATE_USE),
            req("certificate", Ty::Str(Some(5500))),
        ]),
        response: status_only!("Accepted", "Failed", "Rejected"),
    },
    ActionSchema {
        name: "LogStatusNotification",
        initiator: CP,
        request: Ty::Obj(&[
            req(
                "status",
                Ty::Enum(&[
                    "BadMessage",
                    "Idle",
                    "NotSupportedOperation",
                    "PermissionDenied",
                    "Uploaded",
                    "UploadFailure",
                    "Uploading",
                ]),
            ),
            opt("requestId", Ty::Int),
        ]),
        response: EMPTY,
    },
    ActionSchema {
        name: "MeterValues",
        initiator: CP,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            opt("transactionId", Ty::Int),
            req(
                "meterValue",
                Ty::Arr {
                    item: &METER_VALUE,
                    min_items: 1,
                },
            ),
        ]),
        response: EMPTY,
    },
    ActionSchema {
        name: "RemoteStartTransaction",
        initiator: CS,
        request: Ty::Obj(&[
            opt("connectorId", Ty::Int),
            req("idTag", S20),
            opt("chargingProfile", CHARGING_PROFILE),
        ]),
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "RemoteStopTransaction",
        initiator: CS,
        request: Ty::Obj(&[req("transactionId", Ty::Int)]),
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "ReserveNow",
        initiator: CS,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            req("expiryDate", Ty::DateTime),
            req("idTag", S20),
            opt("parentIdTag", S20),
            req("reservationId", Ty::Int),
        ]),
        response: status_only!("Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"),
    },
    ActionSchema {
        name: "Reset",
        initiator: CS,
        request: Ty::Obj(&[req("type", Ty::Enum(&["Hard", "Soft"]))]),
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "SecurityEventNotification",
        initiator: CP,
        request: Ty::Obj(&[
            req("type", S50),
            req("timestamp", Ty::DateTime),
            opt("techInfo", S255),
        ]),
        response: EMPTY,
    },
    ActionSchema {
        name: "SendLocalList",
        initiator: CS,
        request: Ty::Obj(&[
            req("listVersion", Ty::Int),
            opt(
                "localAuthorizationList",
                Ty::Arr {
                    item: &Ty::Obj(&[req("idTag", S20), opt("idTagInfo", ID_TAG_INFO)]),
                    min_items: 0,
                },
            ),
            req("updateType", Ty::Enum(&["Differential", "Full"])),
        ]),
        response: status_only!("Accepted", "Failed", "NotSupported", "VersionMismatch"),
    },
    ActionSchema {
        name: "SetChargingProfile",
        initiator: CS,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            req("csChargingProfiles", CHARGING_PROFILE),
        ]),
        response: status_only!("Accepted", "Rejected", "NotSupported"),
    },
    ActionSchema {
        name: "SignCertificate",
        initiator: CP,
        request: Ty::Obj(&[req("csr", Ty::Str(Some(5500)))]),
        response: status_only!("Accepted", "Rejected"),
    },
    ActionSchema {
        name: "SignedFirmwareStatusNotification",
        initiator: CP,
        request: Ty::Obj(&[
            req(
                "status",
                Ty::Enum(&[
                    "Downloaded",
                    "DownloadFailed",
                    "Downloading",
                    "DownloadScheduled",
                    "DownloadPaused",
                    "Idle",
                    "InstallationFailed",
                    "Installing",
                    "Installed",
                    "InstallRebooting",
                    "InstallScheduled",
                    "InstallVerificationFailed",
                    "InvalidSignature",
                    "SignatureVerified",
                ]),
            ),
            opt("requestId", Ty::Int),
        ]),
        response: EMPTY,
    },
    ActionSchema {
        name: "SignedUpdateFirmware",
        initiator: CS,
        request: Ty::Obj(&[
            opt("retries", Ty::Int),
            opt("retryInterval", Ty::Int),
            req("requestId", Ty::Int),
            req(
                "firmware",
                Ty::Obj(&[
                    req("location", Ty::Uri(Some(512))),
                    req("retrieveDateTime", Ty::DateTime),
                    opt("installDateTime", Ty::DateTime),
                    req("signingCertificate", Ty::Str(Some(5500))),
                    req("signature", Ty::Str(Some(800))),
                ]),
            ),
        ]),
        response: status_only!(
            "Accepted",
            "Rejected",
            "AcceptedCanceled",
            "InvalidCertificate",
            "RevokedCertificate"
        ),
    },
    ActionSchema {
        name: "StartTransaction",
        initiator: CP,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            req("idTag", S20),
            req("meterStart", Ty::Int),
            opt("reservationId", Ty::Int),
            req("timestamp", Ty::DateTime),
        ]),
        response: Ty::Obj(&[req("idTagInfo", ID_TAG_INFO), req("transactionId", Ty::Int)]),
    },
    ActionSchema {
        name: "StatusNotification",
        initiator: CP,
        request: Ty::Obj(&[
            req("connectorId", Ty::Int),
            req(
                "errorCode",
                Ty::Enum(&[
                    "ConnectorLockFailure",
                    "EVCommunicationError",
                    "GroundFailure",
                    "HighTemperature",
                    "InternalError",
                    "LocalListConflict",
                    "NoError",
                    "OtherError",
                    "OverCurrentFailure",
                    "PowerMeterFailure",
                    "PowerSwitchFailure",
                    "ReaderFailure",
                    "ResetFailure",
                    "UnderVoltage",
                    "OverVoltage",
                    "WeakSignal",
                ]),
            ),
            opt("info", S50),
            req(
                "status",
                Ty::Enum(&[
                    "Available",
                    "Preparing",
                    "Charging",
                    "SuspendedEVSE",
                    "SuspendedEV",
                    "Finishing",
                    "Reserved",
                    "Unavailable",
                    "Faulted",
                ]),
            ),
            opt("timestamp", Ty::DateTime),
            opt("vendorId", S255),
            opt("vendorErrorCode", S50),
        ]),
        response: EMPTY,
    },
    ActionSchema {
        name: "StopTransaction",
        initiator: CP,
        request: Ty::Obj(&[
            opt("idTag", S20),
            req("meterStop", Ty::Int),
            req("timestamp", Ty::DateTime),
            req("transactionId", Ty::Int),
            opt(
                "reason",
                Ty::Enum(&[
                    "EmergencyStop",
                    "EVDisconnected",
                    "HardReset",
                    "Local",
                    "Other",
                    "PowerLoss",
                    "Reboot",
                    "Remote",
                    "SoftReset",
                    "UnlockCommand",
                    "DeAuthorized",
                ]),
            ),
            opt(
                "transactionData",
                Ty::Arr {
                    item: &METER_VALUE,
                    min_items: 0,
                },
            ),
        ]),
        response: Ty::Obj(&[opt("idTagInfo", ID_TAG_INFO)]),
    },
    ActionSchema {
        name: "TriggerMessage",
        initiator: CS,
        request: Ty::Obj(&[
            req(
                "requestedMessage",
                Ty::Enum(&[
                    "BootNotification",
                    "DiagnosticsStatusNotification",
                    "FirmwareStatusNotification",
                    "Heartbeat",
                    "MeterValues",
                    "StatusNotification",
                ]),
            ),
            opt("connectorId", Ty::Int),
        ]),
        response: status_only!("Accepted", "Rejected", "NotImplemented"),
    },
    ActionSchema {
        name: "UnlockConnector",
        initiator: CS,
        request: Ty::Obj(&[req("connectorId", Ty::Int)]),
        response: status_only!("Unlocked", "UnlockFailed", "NotSupported"),
    },
    ActionSchema {
        name: "UpdateFirmware",
        initiator: CS,
        request: Ty::Obj(&[
            req("location", Ty::Uri(None)),
            opt("retries", Ty::Int),
            req("retrieveDate", Ty::DateTime),
            opt("retryInterval", Ty::Int),
        ]),
        response: EMPTY,
    },
];

/// The schema of an action by its exact, case-sensitive name.
pub fn lookup(action: &str) -> Option<&'static ActionSchema> {
    ACTIONS
        .binary_search_by(|a| a.name.cmp(action))
        .ok()
        .map(|i| &ACTIONS[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::schema::check;
    use serde_json::{json, Value};

    fn violations(v: &Value, ty: &Ty) -> Vec<String> {
        let mut out = Vec::new();
        check(v, ty, "", &mut out);
        out.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(ACTIONS.windows(2).all(|w| w[0].name < w[1].name));
        // 28 actions of the six profiles + 11 of the Security Whitepaper.
        assert_eq!(ACTIONS.len(), 39);
        let by_cp = ACTIONS.iter().filter(|a| a.sent_by_charge_point()).count();
        let by_cs = ACTIONS
            .iter()
            .filter(|a| a.sent_by_central_system())
            .count();
        assert_eq!((by_cp, by_cs), (14, 26));
        assert!(lookup("Heartbeat").is_some());
        assert!(lookup("heartbeat").is_none());
    }

    /// The rust-ocpp 1.6 types serialize to payloads our schemas accept: an independent
    /// cross-check of field names and casing.
    #[test]
    fn rust_ocpp_payloads_pass() {
        use rust_ocpp::v1_6::messages::{
            boot_notification::BootNotificationResponse, heart_beat::HeartbeatResponse,
            start_transaction::StartTransactionResponse,
        };
        use rust_ocpp::v1_6::types::{AuthorizationStatus, IdTagInfo, RegistrationStatus};
        let boot = serde_json::to_value(BootNotificationResponse {
            current_time: chrono::Utc::now(),
            interval: 300,
            status: RegistrationStatus::Accepted,
        })
        .unwrap();
        assert_eq!(
            violations(&boot, &lookup("BootNotification").unwrap().response),
            Vec::<String>::new()
        );
        let hb = serde_json::to_value(HeartbeatResponse {
            current_time: chrono::Utc::now(),
        })
        .unwrap();
        assert!(violations(&hb, &lookup("Heartbeat").unwrap().response).is_empty());
        let st = serde_json::to_value(StartTransactionResponse {
            id_tag_info: IdTagInfo {
                expiry_date: None,
                parent_id_tag: Some("PARENT".into()),
                status: AuthorizationStatus::Accepted,
            },
            transaction_id: 7,
        })
        .unwrap();
        assert!(violations(&st, &lookup("StartTransaction").unwrap().response).is_empty());
    }

    #[test]
    fn realistic_charge_point_requests_pass() {
        let mv = json!({"connectorId": 1, "transactionId": 5, "meterValue": [{
        "timestamp": "2026-11-28T16:00:00Z",
        "sampledValue": [
            {"value": "1234", "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Sample.Periodic", "location": "Outlet", "format": "Raw"},
            {"value": "15.9", "measurand": "Current.Import", "phase": "L1", "unit": "A"}
        ]}]});
        assert!(violations(&mv, &lookup("MeterValues").unwrap().request).is_empty());
        let stop = json!({"meterStop": 10, "timestamp": "2026-11-28T16:00:00Z",
            "transactionId": -1});
        assert!(violations(&stop, &lookup("StopTransaction").unwrap().request).is_empty());
        let prof = json!({"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1,
            "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute", "chargingSchedule": {"chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}]}}});
        assert!(violations(&prof, &lookup("SetChargingProfile").unwrap().request).is_empty());
    }

    #[test]
    fn security_whitepaper_messages() {
        let ev = json!({"type": "StartupOfTheDevice", "timestamp": "2026-11-28T16:00:00Z"});
        let sec = &lookup("SecurityEventNotification").unwrap().request;
        assert!(violations(&ev, sec).is_empty());
        let fw = json!({"requestId": 1, "firmware": {"location": "no uri",
            "retrieveDateTime": "2026-11-28T16:00:00Z", "signingCertificate": "x",
            "signature": "y"}});
        let got = violations(&fw, &lookup("SignedUpdateFirmware").unwrap().request);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("firmware.location"), "{got:?}");
    }

    #[test]
    fn boot_interval_must_be_an_integer() {
        let v = json!({"status": "Accepted", "currentTime": "2026-11-28T16:00:00Z",
            "interval": 300.5});
        let got = violations(&v, &lookup("BootNotification").unwrap().response);
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("interval"), "{got:?}");
    }
}

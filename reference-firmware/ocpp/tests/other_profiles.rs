//! Local Auth List, Reservation, Remote Trigger, Smart Charging, Firmware
//! Management and the security subset, through frames.

mod common;

use chrono::Duration;
use common::Bench;
use ocpp_charge_point::{CoreEvent, Output, ResetKind};
use serde_json::json;

fn full_list(version: i32, tags: &[(&str, &str)]) -> serde_json::Value {
    let list: Vec<_> = tags
        .iter()
        .map(|(t, s)| json!({"idTag": t, "idTagInfo": {"status": s}}))
        .collect();
    json!({"listVersion": version, "updateType": "Full", "localAuthorizationList": list})
}

#[test]
fn local_list_versions() {
    let mut b = Bench::online();
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        0
    );
    assert_eq!(b.status_of("SendLocalList", full_list(1, &[])), "Accepted");
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        0
    );
    assert_eq!(
        b.status_of("SendLocalList", full_list(2, &[("A", "Accepted")])),
        "Accepted"
    );
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        2
    );
    let diff = |v: i32| {
        json!({"listVersion": v, "updateType": "Differential",
        "localAuthorizationList": [{"idTag": "B", "idTagInfo": {"status": "Accepted"}}]})
    };
    assert_eq!(b.status_of("SendLocalList", diff(5)), "Accepted");
    assert_eq!(b.status_of("SendLocalList", diff(4)), "VersionMismatch");
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        5
    );
    // The list survives a reboot.
    b.reboot();
    b.connect();
    b.accept_boot();
    b.settle();
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        5
    );
}

#[test]
fn local_list_has_priority_over_cache_and_its_tags_are_not_cached() {
    let mut b = Bench::online();
    b.config("LocalPreAuthorize", "true");
    // The cache learns that CARD is Accepted ...
    b.start_session("CARD");
    b.swipe("CARD");
    b.settle();
    b.unplug();
    b.settle();
    // ... but the local list blocks it: the list wins, so an Authorize is asked.
    assert_eq!(
        b.status_of("SendLocalList", full_list(1, &[("CARD", "Blocked")])),
        "Accepted"
    );
    let before = b.actions().iter().filter(|a| **a == "Authorize").count();
    b.plug();
    b.swipe("CARD");
    b.until("Authorize");
    assert_eq!(
        b.actions().iter().filter(|a| **a == "Authorize").count(),
        before + 1
    );
}

#[test]
fn local_list_disabled_is_not_supported() {
    let mut b = Bench::online();
    b.config("LocalAuthListEnabled", "false");
    assert_eq!(
        b.status_of("SendLocalList", full_list(1, &[])),
        "NotSupported"
    );
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        -1
    );
}

fn reserve(
    b: &mut Bench,
    connector: u32,
    id: i32,
    tag: &str,
    parent: Option<&str>,
    secs: i64,
) -> String {
    let mut req = json!({"connectorId": connector, "expiryDate": b.now + Duration::seconds(secs),
        "idTag": tag, "reservationId": id});
    if let Some(p) = parent {
        req["parentIdTag"] = json!(p);
    }
    b.status_of("ReserveNow", req)
}

#[test]
fn reservation_admits_only_its_owner_and_is_used_by_the_transaction() {
    let mut b = Bench::online();
    assert_eq!(reserve(&mut b, 1, 11, "OWNER", None, 600), "Accepted");
    b.settle();
    assert_eq!(b.last_status(1), Some("Reserved"));
    b.swipe("STRANGER");
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
    b.settle();
    assert_eq!(b.last_status(1), Some("Reserved"));
    b.swipe("OWNER");
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));
    b.plug();
    let (_, p) = b.until("StartTransaction");
    assert_eq!(p["reservationId"], 11);
}

#[test]
fn reservation_with_parent_and_on_connector_zero() {
    let mut b = Bench::online();
    assert_eq!(
        reserve(&mut b, 0, 21, "OWNER", Some("FLEET"), 600),
        "Accepted"
    );
    b.settle();
    assert_eq!(b.last_status(1), Some("Reserved"));
    b.plug();
    b.swipe("MEMBER");
    let (id, _) = b.until("Authorize");
    b.reply(
        &id,
        json!({"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET"}}),
    );
    let (_, p) = b.until("StartTransaction");
    assert_eq!(p["reservationId"], 21);
}

#[test]
fn reservation_expires_and_can_be_cancelled() {
    let mut b = Bench::online();
    assert_eq!(reserve(&mut b, 1, 1, "A", None, 60), "Accepted");
    b.settle();
    assert_eq!(b.last_status(1), Some("Reserved"));
    b.advance(60);
    b.settle();
    assert_eq!(b.last_status(1), Some("Available"));
    assert_eq!(reserve(&mut b, 1, 2, "A", None, 60), "Accepted");
    assert_eq!(
        b.status_of("CancelReservation", json!({"reservationId": 2})),
        "Accepted"
    );
    assert_eq!(
        b.status_of("CancelReservation", json!({"reservationId": 2})),
        "Rejected"
    );
    b.settle();
    assert_eq!(b.last_status(1), Some("Available"));
}

#[test]
fn reservation_refusals() {
    let mut b = Bench::online();
    b.plug();
    assert_eq!(reserve(&mut b, 1, 1, "A", None, 60), "Occupied");
    assert_eq!(reserve(&mut b, 0, 2, "A", None, 60), "Occupied");
    b.unplug();
    b.core(CoreEvent::Faulted {
        connector: 1,
        error_code: ocpp_charge_point::ocpp::types::ChargePointErrorCode::GroundFailure,
        info: None,
        vendor_error_code: None,
    });
    assert_eq!(reserve(&mut b, 1, 3, "A", None, 60), "Faulted");
    // TC_050_1: connector 0 while the only connector is faulted.
    assert_eq!(reserve(&mut b, 0, 6, "A", None, 60), "Faulted");
    b.core(CoreEvent::FaultCleared { connector: 1 });
    b.status_of(
        "ChangeAvailability",
        json!({"connectorId": 1, "type": "Inoperative"}),
    );
    assert_eq!(reserve(&mut b, 1, 4, "A", None, 60), "Unavailable");
    assert_eq!(reserve(&mut b, 0, 8, "A", None, 60), "Unavailable");
    assert_eq!(reserve(&mut b, 7, 5, "A", None, 60), "Rejected");
}

#[test]
fn trigger_messages() {
    let mut b = Bench::online();
    b.meter(42.0);
    assert_eq!(
        b.status_of("TriggerMessage", json!({"requestedMessage": "Heartbeat"})),
        "Accepted"
    );
    b.answered("Heartbeat");
    assert_eq!(
        b.status_of(
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 1})
        ),
        "Accepted"
    );
    let p = b.answered("StatusNotification");
    assert_eq!(p["connectorId"], 1);
    assert_eq!(
        b.status_of("TriggerMessage", json!({"requestedMessage": "MeterValues"})),
        "Accepted"
    );
    let p = b.answered("MeterValues");
    assert_eq!(p["meterValue"][0]["sampledValue"][0]["context"], "Trigger");
    for (msg, status) in [
        ("DiagnosticsStatusNotification", "Idle"),
        ("FirmwareStatusNotification", "Idle"),
    ] {
        assert_eq!(
            b.status_of("TriggerMessage", json!({"requestedMessage": msg})),
            "Accepted"
        );
        let p = b.answered(msg);
        assert_eq!(p["status"], status);
    }
    assert_eq!(
        b.status_of(
            "TriggerMessage",
            json!({"requestedMessage": "MeterValues", "connectorId": 2})
        ),
        "Rejected"
    );
    assert_eq!(
        b.status_of(
            "TriggerMessage",
            json!({"requestedMessage": "BootNotification"})
        ),
        "Rejected"
    );
}

#[test]
fn triggered_boot_while_pending() {
    let mut b = Bench::new();
    b.connect();
    let (id, _) = b.until("BootNotification");
    b.reply(
        &id,
        json!({"status": "Pending", "currentTime": b.now, "interval": 600}),
    );
    assert_eq!(
        b.status_of(
            "TriggerMessage",
            json!({"requestedMessage": "BootNotification"})
        ),
        "Accepted"
    );
    b.until("BootNotification");
}

fn tx_default(
    id: i32,
    level: u32,
    periods: serde_json::Value,
    start: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    json!({"connectorId": 0, "csChargingProfiles": {
        "chargingProfileId": id, "stackLevel": level, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {"startSchedule": start, "chargingRateUnit": "A", "chargingSchedulePeriod": periods}}})
}

#[test]
fn smart_charging_drives_the_core_limit_and_composite() {
    let mut b = Bench::online();
    let start = b.now;
    let periods = json!([{"startPeriod": 0, "limit": 10}, {"startPeriod": 60, "limit": 6.5}]);
    assert_eq!(
        b.status_of("SetChargingProfile", tx_default(1, 0, periods, start)),
        "Accepted"
    );
    assert!(b.has_event(&Output::SetCurrentLimit {
        connector: 1,
        amps: Some(10.0)
    }));
    b.advance(60);
    assert!(b.has_event(&Output::SetCurrentLimit {
        connector: 1,
        amps: Some(6.5)
    }));
    let r = b.csms(
        "GetCompositeSchedule",
        json!({"connectorId": 1, "duration": 120, "chargingRateUnit": "A"}),
    );
    assert_eq!(r[2]["status"], "Accepted");
    let p = &r[2]["chargingSchedule"]["chargingSchedulePeriod"];
    assert_eq!(p[0]["limit"], json!(6.5));
    assert_eq!(
        b.status_of("ClearChargingProfile", json!({"id": 1})),
        "Accepted"
    );
    assert!(b.has_event(&Output::SetCurrentLimit {
        connector: 1,
        amps: None
    }));
    assert_eq!(
        b.status_of("ClearChargingProfile", json!({"id": 1})),
        "Unknown"
    );
}

#[test]
fn tx_profile_needs_the_right_transaction() {
    let mut b = Bench::online();
    let tx_profile = |tx: Option<i64>| {
        let mut p = json!({"chargingProfileId": 9, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6900}]}});
        if let Some(tx) = tx {
            p["transactionId"] = json!(tx);
        }
        json!({"connectorId": 1, "csChargingProfiles": p})
    };
    assert_eq!(
        b.status_of("SetChargingProfile", tx_profile(None)),
        "Rejected"
    );
    let tx = b.start_session("T1");
    assert_eq!(
        b.status_of("SetChargingProfile", tx_profile(Some(tx + 1))),
        "Rejected"
    );
    assert_eq!(
        b.status_of("SetChargingProfile", tx_profile(Some(tx))),
        "Accepted"
    );
    // 6900 W on 3 phases at 230 V = 10 A.
    assert!(b.has_event(&Output::SetCurrentLimit {
        connector: 1,
        amps: Some(10.0)
    }));
    b.swipe("T1");
    b.settle();
    assert!(b.has_event(&Output::SetCurrentLimit {
        connector: 1,
        amps: None
    }));
}

#[test]
fn remote_start_with_tx_profile_limits_the_session() {
    let mut b = Bench::online();
    b.plug();
    let req = json!({"connectorId": 1, "idTag": "R1", "chargingProfile": {
        "chargingProfileId": 3, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}}});
    assert_eq!(b.status_of("RemoteStartTransaction", req), "Accepted");
    b.until("StartTransaction");
    assert!(b.has_event(&Output::SetCurrentLimit {
        connector: 1,
        amps: Some(8.0)
    }));
}

#[test]
fn firmware_update_flow_through_reboot() {
    let mut b = Bench::online();
    let r = b.csms(
        "UpdateFirmware",
        json!({"location": "http://fw/x.bin", "retrieveDate": b.now}),
    );
    assert_eq!(r[0], 3);
    let p = b.answered("FirmwareStatusNotification");
    assert_eq!(p["status"], "Downloading");
    assert!(b.has_event(&Output::DownloadFirmware {
        url: "http://fw/x.bin".into()
    }));
    b.core(CoreEvent::FirmwareDownloaded { ok: true });
    let statuses: Vec<String> = (0..2)
        .map(|_| {
            let (id, p) = b.until("FirmwareStatusNotification");
            b.reply(&id, json!({}));
            p["status"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(statuses, ["Downloaded", "Installing"]);
    assert!(b.has_event(&Output::InstallFirmware));
    b.core(CoreEvent::FirmwareInstalled { ok: true });
    b.settle();
    assert!(b.has_event(&Output::Reset {
        kind: ResetKind::Hard
    }));
    b.reboot();
    b.connect();
    b.accept_boot();
    let (_, p) = b.until("FirmwareStatusNotification");
    assert_eq!(p["status"], "Installed");
}

#[test]
fn diagnostics_upload() {
    let mut b = Bench::online();
    let r = b.csms("GetDiagnostics", json!({"location": "http://up/"}));
    let name = r[2]["fileName"].as_str().unwrap().to_string();
    let p = b.answered("DiagnosticsStatusNotification");
    assert_eq!(p["status"], "Uploading");
    assert!(b.has_event(&Output::UploadDiagnostics {
        url: "http://up/".into(),
        file_name: name
    }));
    b.core(CoreEvent::DiagnosticsUploaded { ok: true });
    let (_, p) = b.until("DiagnosticsStatusNotification");
    assert_eq!(p["status"], "Uploaded");
}

#[test]
fn security_profile_and_authorization_key() {
    let mut b = Bench::online();
    b.config("SecurityProfile", "1");
    assert!(b.has_event(&Output::SecuritySettings {
        profile: 1,
        authorization_key: None
    }));
    // The shell reconnects with the new profile: a new registration (OCTT TC_083).
    b.disconnect();
    b.connect();
    b.accept_boot();
    b.settle();
    assert_eq!(
        b.status_of(
            "ChangeConfiguration",
            json!({"key": "SecurityProfile", "value": "0"})
        ),
        "Rejected"
    );
    b.config(
        "AuthorizationKey",
        "00112233445566778899aabbccddeeff00112233",
    );
    let r = b.csms("GetConfiguration", json!({}));
    assert!(!r.to_string().contains("00112233445566778899"));
    let (_, p) = b.until("SecurityEventNotification");
    assert_eq!(p["type"], "ReconfigurationOfSecurityParameters");
}

#[test]
fn get_log_uploads_the_security_log_and_reports_its_progress() {
    // Profile 1: the boot's StartupOfTheDevice event is in the security log.
    let mut b = Bench::online();
    let answer = b.csms(
        "GetLog",
        json!({"logType": "SecurityLog", "requestId": 7,
            "log": {"remoteLocation": "http://files/upload/"}}),
    );
    assert_eq!(answer[2]["status"], "Accepted", "{answer}");
    let file_name = answer[2]["filename"].as_str().unwrap().to_string();
    let p = b.answered("LogStatusNotification");
    assert_eq!(p, json!({"status": "Uploading", "requestId": 7}));
    let upload = b
        .events
        .iter()
        .find_map(|e| match e {
            Output::UploadLog {
                url,
                file_name: f,
                security_lines,
                ..
            } => Some((url.clone(), f.clone(), security_lines.clone())),
            _ => None,
        })
        .expect("an UploadLog output");
    assert_eq!(upload.0, "http://files/upload/");
    assert_eq!(upload.1, file_name);
    assert!(
        upload.2.iter().any(|l| l.ends_with(" StartupOfTheDevice")),
        "{:?}",
        upload.2
    );
    b.core(CoreEvent::LogUploaded { ok: true });
    let p = b.answered("LogStatusNotification");
    assert_eq!(p, json!({"status": "Uploaded", "requestId": 7}));

    // A failed upload without retries ends in UploadFailure.
    b.csms(
        "GetLog",
        json!({"logType": "DiagnosticsLog", "requestId": 8,
            "log": {"remoteLocation": "http://files/upload/"}}),
    );
    b.answered("LogStatusNotification");
    b.core(CoreEvent::LogUploaded { ok: false });
    let p = b.answered("LogStatusNotification");
    assert_eq!(p, json!({"status": "UploadFailure", "requestId": 8}));
}

#[test]
fn send_local_list_fails_while_the_list_cannot_be_stored() {
    let mut b = Bench::online();
    b.config("LocalAuthListEnabled", "true");
    b.cp.set_storage_fault("local_list", true);
    assert_eq!(
        b.status_of("SendLocalList", full_list(2, &[("CARD1", "Accepted")])),
        "Failed"
    );
    assert_eq!(
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"],
        0,
        "the old (empty) list stays"
    );
    b.cp.set_storage_fault("local_list", false);
    assert_eq!(
        b.status_of("SendLocalList", full_list(2, &[("CARD1", "Accepted")])),
        "Accepted"
    );
}

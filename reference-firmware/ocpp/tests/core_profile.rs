//! Core profile rules, driven through frames with a fake clock.

mod common;

use common::{t0, Bench};
use ocpp_charge_point::{CoreEvent, Output, ResetKind};
use serde_json::json;

#[test]
fn rejected_boot_waits_for_interval_and_ignores_csms() {
    let mut b = Bench::new();
    b.connect();
    let (id, _) = b.until("BootNotification");
    b.reply(
        &id,
        json!({"status": "Rejected", "currentTime": b.now, "interval": 60}),
    );
    // Rejected: the CSMS gets no answer at all.
    b.cp.on_text_frame(b.now, r#"[2,"x1","GetConfiguration",{}]"#);
    b.pump();
    assert!(b.frames.is_empty());
    b.advance(59);
    assert!(b.frames.is_empty(), "boot before interval: {:?}", b.frames);
    b.advance(1);
    let (id, _) = b.until("BootNotification");
    b.reply(
        &id,
        json!({"status": "Accepted", "currentTime": b.now, "interval": 120}),
    );
    b.settle();
    assert_eq!(b.last_status(0), Some("Available"));
    assert_eq!(b.last_status(1), Some("Available"));
    assert_eq!(b.cp.config_value("HeartbeatInterval"), "120");
    b.advance(120);
    let (id, _) = b.until("Heartbeat");
    b.reply(&id, json!({"currentTime": b.now}));
}

#[test]
fn pending_answers_requests_but_sends_nothing_until_accepted() {
    let mut b = Bench::new();
    b.connect();
    let (id, _) = b.until("BootNotification");
    b.reply(
        &id,
        json!({"status": "Pending", "currentTime": b.now, "interval": 30}),
    );
    let all = b.csms("GetConfiguration", json!({}));
    assert!(all[2]["configurationKey"].as_array().unwrap().len() > 30);
    assert_eq!(
        b.status_of(
            "ChangeConfiguration",
            json!({"key": "MeterValueSampleInterval", "value": "10"})
        ),
        "Accepted"
    );
    b.plug();
    b.advance(29);
    assert!(b.frames.is_empty(), "sent while Pending: {:?}", b.frames);
    b.advance(1);
    b.accept_boot();
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));
}

#[test]
fn plug_first_session_with_local_stop() {
    let mut b = Bench::online();
    b.plug();
    b.meter(1000.0);
    b.swipe("AABBCCDD");
    let (id, p) = b.until("Authorize");
    assert_eq!(p["idTag"], "AABBCCDD");
    b.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
    let (id, p) = b.until("StartTransaction");
    assert_eq!(p["connectorId"], 1);
    assert_eq!(p["meterStart"], 1000);
    b.reply(
        &id,
        json!({"transactionId": 7, "idTagInfo": {"status": "Accepted"}}),
    );
    assert!(b.has_event(&Output::StartCharging { connector: 1 }));
    b.charging();
    b.settle();
    assert_eq!(b.last_status(1), Some("Charging"));
    b.meter(2500.0);
    b.swipe("aabbccdd"); // idTags compare case-insensitively
    let (id, p) = b.until("StopTransaction");
    assert_eq!(p["transactionId"], 7);
    assert_eq!(p["reason"], "Local");
    assert_eq!(p["meterStop"], 2500);
    assert_eq!(p["idTag"], "aabbccdd");
    b.reply(&id, json!({}));
    b.core(CoreEvent::EvReady {
        connector: 1,
        ready: false,
    });
    b.settle();
    assert_eq!(b.last_status(1), Some("Finishing"));
    b.unplug();
    b.settle();
    assert_eq!(b.last_status(1), Some("Available"));
}

#[test]
fn other_card_does_not_stop_but_same_parent_does() {
    let mut b = Bench::online();
    b.plug();
    b.swipe("CARD1");
    let (id, _) = b.until("Authorize");
    b.reply(
        &id,
        json!({"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET"}}),
    );
    b.settle();
    // No parent known for the tx? It has one: a different card triggers an Authorize.
    b.swipe("CARD2");
    let (id, _) = b.until("Authorize");
    b.reply(
        &id,
        json!({"idTagInfo": {"status": "Accepted", "parentIdTag": "OTHER"}}),
    );
    b.settle();
    assert!(
        b.cp.transaction(1).is_some(),
        "different parent must not stop"
    );
    b.swipe("CARD3");
    let (id, _) = b.until("Authorize");
    b.reply(
        &id,
        json!({"idTagInfo": {"status": "Accepted", "parentIdTag": "fleet"}}),
    );
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["idTag"], "CARD3");
}

#[test]
fn parent_from_start_transaction_conf_lets_a_sibling_card_stop() {
    // TC_069 after a RemoteStart: no Authorize, the parent comes with StartTransaction.conf.
    let mut b = Bench::online();
    b.plug();
    b.settle();
    assert_eq!(
        b.status_of("RemoteStartTransaction", json!({"idTag": "CARD1"})),
        "Accepted"
    );
    let (id, _) = b.until("StartTransaction");
    b.reply(
        &id,
        json!({"transactionId": 41, "idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET"}}),
    );
    b.charging();
    b.settle();
    assert_eq!(
        b.cp.transaction(1).unwrap().parent_id_tag.as_deref(),
        Some("FLEET")
    );
    b.swipe("CARD2");
    let (id, p) = b.until("Authorize");
    assert_eq!(p["idTag"], "CARD2");
    b.reply(
        &id,
        json!({"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET"}}),
    );
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["idTag"], "CARD2");
    assert_eq!(p["reason"], "Local");
}

#[test]
fn different_card_without_parent_sends_nothing() {
    let mut b = Bench::online();
    b.start_session("CARD1");
    let before = b.calls.len();
    b.swipe("CARD2");
    assert!(b.frames.is_empty());
    assert_eq!(b.calls.len(), before);
    assert!(b.cp.transaction(1).is_some());
}

#[test]
fn ev_side_disconnect_stops_or_suspends() {
    let mut b = Bench::online();
    b.start_session("T1");
    b.unplug();
    let p = b.answered("StopTransaction");
    assert_eq!(p["reason"], "EVDisconnected");
    // TC_005_1/2: Finishing while the driver puts the cable away, then Available.
    b.settle();
    assert_eq!(b.last_status(1), Some("Finishing"));
    b.advance(2);
    b.settle();
    assert_eq!(b.last_status(1), Some("Finishing"));
    b.advance(1);
    b.settle();
    assert_eq!(b.last_status(1), Some("Available"));

    // Plugging in again during the Finishing hold goes straight to Preparing.
    let mut b = Bench::online();
    b.start_session("T1");
    b.unplug();
    b.settle();
    assert_eq!(b.last_status(1), Some("Finishing"));
    b.plug();
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));

    let mut b = Bench::online();
    b.config("StopTransactionOnEVSideDisconnect", "false");
    let tx = b.start_session("T1");
    b.unplug();
    b.settle();
    assert!(b.cp.transaction(1).is_some());
    assert_eq!(b.last_status(1), Some("SuspendedEV"));
    assert_eq!(
        b.status_of("RemoteStopTransaction", json!({"transactionId": tx})),
        "Accepted"
    );
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["reason"], "Remote");
    b.settle();
    assert_eq!(b.last_status(1), Some("Available"));
}

#[test]
fn remote_start_with_and_without_authorization() {
    let mut b = Bench::online();
    b.plug();
    b.settle();
    assert_eq!(
        b.status_of(
            "RemoteStartTransaction",
            json!({"connectorId": 1, "idTag": "R1"})
        ),
        "Accepted"
    );
    let (_, p) = b.until("StartTransaction");
    assert_eq!(p["idTag"], "R1");
    assert!(!b.actions().contains(&"Authorize"));

    let mut b = Bench::online();
    b.config("AuthorizeRemoteTxRequests", "true");
    assert_eq!(
        b.status_of("RemoteStartTransaction", json!({"idTag": "R2"})),
        "Accepted"
    );
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));
    b.plug();
    let (_, p) = b.until("StartTransaction");
    assert_eq!(p["idTag"], "R2");
}

#[test]
fn remote_start_and_stop_rejections() {
    let mut b = Bench::online();
    assert_eq!(
        b.status_of(
            "RemoteStartTransaction",
            json!({"connectorId": 0, "idTag": "R1"})
        ),
        "Rejected"
    );
    assert_eq!(
        b.status_of("RemoteStopTransaction", json!({"transactionId": 999})),
        "Rejected"
    );
    b.start_session("T1");
    assert_eq!(
        b.status_of(
            "RemoteStartTransaction",
            json!({"connectorId": 1, "idTag": "R1"})
        ),
        "Rejected"
    );
    let bad_profile = json!({"connectorId": 1, "idTag": "R1", "chargingProfile": {
        "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]}}});
    assert_eq!(
        b.status_of("RemoteStartTransaction", bad_profile),
        "Rejected"
    );
}

#[test]
fn connection_timeout_cancels_authorization() {
    let mut b = Bench::online();
    b.config("ConnectionTimeOut", "30");
    assert_eq!(
        b.status_of("RemoteStartTransaction", json!({"idTag": "R1"})),
        "Accepted"
    );
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));
    b.advance(29);
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));
    b.advance(1);
    b.settle();
    assert_eq!(b.last_status(1), Some("Available"));
    b.plug();
    b.settle();
    assert!(!b.actions().contains(&"StartTransaction"));
}

#[test]
fn minimum_status_duration_suppresses_short_states() {
    let mut b = Bench::online();
    b.config("MinimumStatusDuration", "10");
    b.plug();
    b.advance(5);
    b.unplug();
    b.advance(20);
    b.settle();
    assert!(!b.statuses.iter().any(|(_, s)| s == "Preparing"));
    b.plug();
    b.advance(9);
    assert!(b.frames.is_empty());
    b.advance(1);
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"));
}

#[test]
fn invalid_card_starts_nothing() {
    let mut b = Bench::online();
    b.plug();
    b.swipe("BAD");
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": {"status": "Invalid"}}));
    b.settle();
    assert!(b.cp.transaction(1).is_none());
    assert!(b.has_event(&Output::AuthorizeResult {
        connector: 1,
        id_tag: "BAD".into(),
        accepted: false
    }));
}

#[test]
fn cached_card_with_local_pre_authorize_skips_authorize() {
    let mut b = Bench::online();
    b.config("LocalPreAuthorize", "true");
    b.start_session("CACHED");
    b.swipe("CACHED");
    b.settle();
    b.unplug();
    b.settle();
    let authorizes = b.actions().iter().filter(|a| **a == "Authorize").count();
    b.plug();
    b.swipe("CACHED");
    b.until("StartTransaction");
    assert_eq!(
        b.actions().iter().filter(|a| **a == "Authorize").count(),
        authorizes
    );
    // ClearCache really clears: the next swipe asks the CSMS again.
    let mut b = Bench::online();
    b.config("LocalPreAuthorize", "true");
    b.start_session("C2");
    b.swipe("C2");
    b.settle();
    assert_eq!(b.status_of("ClearCache", json!({})), "Accepted");
    b.unplug();
    b.settle();
    b.plug();
    b.swipe("C2");
    b.until("Authorize");
}

#[test]
fn cache_survives_reboot() {
    let mut b = Bench::online();
    b.start_session("KEEP");
    b.reboot();
    b.connect();
    b.accept_boot();
    b.settle();
    b.disconnect();
    b.plug();
    b.swipe("KEEP");
    assert!(
        b.cp.transaction(1).is_some(),
        "cached card must start offline"
    );
}

#[test]
fn availability_is_persisted_and_deferred_during_transaction() {
    let mut b = Bench::online();
    assert_eq!(
        b.status_of(
            "ChangeAvailability",
            json!({"connectorId": 0, "type": "Inoperative"})
        ),
        "Accepted"
    );
    b.settle();
    assert_eq!(b.last_status(0), Some("Unavailable"));
    assert_eq!(b.last_status(1), Some("Unavailable"));
    b.reboot();
    b.connect();
    b.accept_boot();
    b.settle();
    assert_eq!(b.last_status(1), Some("Unavailable"));
    assert_eq!(
        b.status_of(
            "ChangeAvailability",
            json!({"connectorId": 0, "type": "Operative"})
        ),
        "Accepted"
    );
    b.start_session("T1");
    assert_eq!(
        b.status_of(
            "ChangeAvailability",
            json!({"connectorId": 1, "type": "Inoperative"})
        ),
        "Scheduled"
    );
    assert_eq!(
        b.status_of(
            "ChangeAvailability",
            json!({"connectorId": 2, "type": "Inoperative"})
        ),
        "Rejected"
    );
    b.swipe("T1");
    b.until("StopTransaction");
    b.settle();
    b.unplug();
    b.settle();
    assert_eq!(b.last_status(1), Some("Unavailable"));
}

#[test]
fn soft_reset_stops_transaction_then_resets() {
    let mut b = Bench::online();
    b.start_session("T1");
    assert_eq!(b.status_of("Reset", json!({"type": "Soft"})), "Accepted");
    let (id, p) = b.until("StopTransaction");
    assert_eq!(p["reason"], "SoftReset");
    assert!(!b.has_event(&Output::Reset {
        kind: ResetKind::Soft
    }));
    b.reply(&id, json!({}));
    b.settle();
    assert!(b.has_event(&Output::Reset {
        kind: ResetKind::Soft
    }));
}

#[test]
fn hard_reset_without_answer_resets_after_grace_and_stop_survives() {
    let mut b = Bench::online();
    b.start_session("T1");
    assert_eq!(b.status_of("Reset", json!({"type": "Hard"})), "Accepted");
    b.until("StopTransaction");
    b.advance(10);
    assert!(b.has_event(&Output::Reset {
        kind: ResetKind::Hard
    }));
    b.reboot();
    b.connect();
    b.accept_boot();
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["reason"], "HardReset");
}

#[test]
fn power_loss_closes_transaction_after_reboot() {
    let mut b = Bench::online();
    let tx = b.start_session("T1");
    b.reboot();
    b.connect();
    b.accept_boot();
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["reason"], "PowerLoss");
    assert_eq!(p["transactionId"], tx);
}

#[test]
fn unlock_on_tethered_cable_is_not_supported() {
    let mut b = Bench::online();
    assert_eq!(
        b.status_of("UnlockConnector", json!({"connectorId": 1})),
        "NotSupported"
    );
    assert_eq!(
        b.status_of("UnlockConnector", json!({"connectorId": 3})),
        "NotSupported"
    );
}

#[test]
fn unlock_socket_waits_for_the_lock() {
    let mut settings = ocpp_charge_point::Settings::wallbox("SN2", "1.0");
    settings.cable = ocpp_charge_point::Cable::Socket;
    let mut b = Bench::with(settings, Default::default(), t0());
    b.connect();
    b.accept_boot();
    b.start_session("T1");
    b.cp.on_text_frame(b.now, r#"[2,"u1","UnlockConnector",{"connectorId":1}]"#);
    b.pump();
    assert!(b.answer_to("u1").is_none());
    assert!(b.has_event(&Output::UnlockConnector { connector: 1 }));
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["reason"], "UnlockCommand");
    b.core(CoreEvent::UnlockResult {
        connector: 1,
        unlocked: true,
    });
    assert_eq!(b.answer_to("u1").unwrap()[2]["status"], "Unlocked");
}

#[test]
fn a_socket_session_whose_lock_fails_is_no_transaction() {
    // TC_024: Faulted (ConnectorLockFailure), no StartTransaction, no StopTransaction.
    let mut settings = ocpp_charge_point::Settings::wallbox("SN3", "1.0");
    settings.cable = ocpp_charge_point::Cable::Socket;
    let mut b = Bench::with(settings, Default::default(), t0());
    b.connect();
    b.accept_boot();
    b.settle();
    b.plug();
    b.swipe("T1");
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
    assert!(b.has_event(&Output::StartCharging { connector: 1 }));
    b.advance(1);
    b.settle();
    assert_eq!(b.last_status(1), Some("Preparing"), "waiting for the lock");
    b.core(CoreEvent::Faulted {
        connector: 1,
        error_code: ocpp_charge_point::ocpp::types::ChargePointErrorCode::ConnectorLockFailure,
        info: None,
        vendor_error_code: None,
    });
    b.core(CoreEvent::StopRequested {
        connector: 1,
        reason: ocpp_charge_point::ocpp::types::Reason::Other,
    });
    b.advance(5);
    b.settle();
    assert_eq!(b.last_status(1), Some("Faulted"));
    assert!(b.cp.transaction(1).is_none());
    assert!(
        !b.actions()
            .iter()
            .any(|a| *a == "StartTransaction" || *a == "StopTransaction"),
        "{:?}",
        b.actions()
    );

    // Once the lock engages the waiting session becomes a transaction.
    let mut settings = ocpp_charge_point::Settings::wallbox("SN4", "1.0");
    settings.cable = ocpp_charge_point::Cable::Socket;
    let mut b = Bench::with(settings, Default::default(), t0());
    b.connect();
    b.accept_boot();
    let tx = b.start_session("T2");
    assert!(tx > 0);
    assert_eq!(b.last_status(1), Some("Charging"));
}

#[test]
fn configuration_rules() {
    let mut b = Bench::online();
    assert_eq!(
        b.status_of(
            "ChangeConfiguration",
            json!({"key": "Testing", "value": "1"})
        ),
        "NotSupported"
    );
    assert_eq!(
        b.status_of(
            "ChangeConfiguration",
            json!({"key": "MeterValueSampleInterval", "value": "-1"})
        ),
        "Rejected"
    );
    assert_eq!(
        b.status_of(
            "ChangeConfiguration",
            json!({"key": "NumberOfConnectors", "value": "3"})
        ),
        "Rejected"
    );
    b.config("MeterValueSampleInterval", "20");
    let r = b.csms(
        "GetConfiguration",
        json!({"key": ["MeterValueSampleInterval", "Nope"]}),
    );
    assert_eq!(r[2]["configurationKey"][0]["value"], "20");
    assert_eq!(r[2]["unknownKey"][0], "Nope");
    // Values survive a reboot.
    b.reboot();
    assert_eq!(b.cp.config_value("MeterValueSampleInterval"), "20");
}

#[test]
fn data_transfer_unknown_vendor() {
    let mut b = Bench::online();
    assert_eq!(
        b.status_of("DataTransfer", json!({"vendorId": "acme"})),
        "UnknownVendorId"
    );
}

#[test]
fn sampled_meter_values_every_interval_with_phases() {
    let mut b = Bench::online();
    b.config("MeterValueSampleInterval", "10");
    b.config(
        "MeterValuesSampledData",
        "Energy.Active.Import.Register,Current.Import",
    );
    let tx = b.start_session("T1");
    b.advance(10);
    let (id, p) = b.until("MeterValues");
    b.reply(&id, json!({}));
    assert_eq!(p["transactionId"], tx);
    let sv = p["meterValue"][0]["sampledValue"].as_array().unwrap();
    assert_eq!(sv.len(), 4);
    assert_eq!(sv[0]["context"], "Sample.Periodic");
    assert_eq!(sv[1]["phase"], "L1");
    assert_eq!(sv[3]["phase"], "L3");
}

#[test]
fn clock_aligned_meter_values() {
    let mut b = Bench::online();
    b.config("ClockAlignedDataInterval", "900");
    b.config("MeterValueSampleInterval", "0");
    b.start_session("T1");
    b.advance(900);
    let (_, p) = b.until("MeterValues");
    let mv = &p["meterValue"][0];
    assert_eq!(mv["sampledValue"][0]["context"], "Sample.Clock");
    let ts: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(mv["timestamp"].clone()).unwrap();
    assert_eq!(ts, t0() + chrono::Duration::seconds(900));
}

#[test]
fn stop_transaction_carries_stop_txn_data() {
    let mut b = Bench::online();
    b.config("StopTxnSampledData", "Energy.Active.Import.Register");
    b.config("MeterValueSampleInterval", "60");
    b.start_session("T1");
    b.meter(1500.0);
    b.advance(60);
    b.settle();
    b.meter(1800.0);
    b.swipe("T1");
    let (_, p) = b.until("StopTransaction");
    let data = p["transactionData"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[0]["sampledValue"][0]["context"], "Transaction.Begin");
    assert_eq!(data[2]["sampledValue"][0]["context"], "Transaction.End");
    assert_eq!(data[2]["sampledValue"][0]["value"], "1800");
}

#[test]
fn faulted_connector_reports_and_refuses_sessions() {
    let mut b = Bench::online();
    b.core(CoreEvent::Faulted {
        connector: 1,
        error_code: ocpp_charge_point::ocpp::types::ChargePointErrorCode::ConnectorLockFailure,
        info: None,
        vendor_error_code: None,
    });
    b.settle();
    assert_eq!(b.last_status(1), Some("Faulted"));
    let n = b.calls.len();
    let (_, p) = &b.calls[n - 1];
    assert_eq!(p["errorCode"], "ConnectorLockFailure");
    b.plug();
    b.swipe("T1");
    b.settle();
    assert!(b.cp.transaction(1).is_none());
    assert!(!b.actions().contains(&"Authorize"));
}

#[test]
fn boot_without_answer_is_resent_on_reconnect() {
    let mut b = Bench::new();
    b.connect();
    b.until("BootNotification");
    b.disconnect();
    b.advance(3);
    b.connect();
    b.accept_boot();
}

#[test]
fn new_session_may_start_from_finishing() {
    let mut b = Bench::online();
    b.start_session("T1");
    b.swipe("T1");
    b.settle();
    assert_eq!(b.last_status(1), Some("Finishing"));
    b.swipe("T2");
    b.answered("Authorize");
    let (_, p) = b.until("StartTransaction");
    assert_eq!(p["idTag"], "T2");
}

#[test]
fn call_timeout_frees_the_line() {
    let mut b = Bench::online();
    b.plug();
    b.swipe("T1");
    let (_, _) = b.until("Authorize");
    // The CSMS never answers: after the call timeout the card is judged offline
    // (unknown card, AllowOfflineTxForUnknownId=false → refused).
    b.advance(30);
    assert!(b.cp.transaction(1).is_none());
    b.settle();
    b.advance(300);
    b.until("Heartbeat");
}

//! Offline behaviour: queueing, order, retries, transactionId -1, offline authorization.

mod common;

use chrono::DateTime;
use common::Bench;
use ocpp_charge_point::Output;
use serde_json::{json, Value};

fn timestamp(p: &Value) -> DateTime<chrono::Utc> {
    serde_json::from_value(p["meterValue"][0]["timestamp"].clone()).unwrap()
}

#[test]
fn meter_values_queued_offline_are_delivered_in_order() {
    let mut b = Bench::online();
    b.config("MeterValueSampleInterval", "10");
    let tx = b.start_session("T1");
    b.disconnect();
    b.advance(35);
    assert_eq!(b.cp.queued_messages(), 3);
    b.connect();
    // No new BootNotification after a reconnect.
    let mut stamps = Vec::new();
    for _ in 0..3 {
        let (id, p) = b.until("MeterValues");
        assert_eq!(p["transactionId"], tx);
        stamps.push(timestamp(&p));
        b.reply(&id, json!({}));
    }
    assert!(
        stamps.windows(2).all(|w| (w[1] - w[0]).num_seconds() == 10),
        "{stamps:?}"
    );
    assert_eq!(
        b.actions()
            .iter()
            .filter(|a| **a == "BootNotification")
            .count(),
        1
    );
}

#[test]
fn whole_offline_transaction_is_delivered_start_then_stop() {
    let mut b = Bench::online();
    b.config("AllowOfflineTxForUnknownId", "true");
    b.disconnect();
    b.plug();
    b.meter(100.0);
    b.swipe("OFF1");
    assert!(b.cp.transaction(1).is_some());
    b.meter(900.0);
    b.swipe("OFF1");
    b.unplug();
    b.connect();
    let (id, p) = b.until("StartTransaction");
    assert_eq!(p["idTag"], "OFF1");
    b.reply(
        &id,
        json!({"transactionId": 55, "idTagInfo": {"status": "Accepted"}}),
    );
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["transactionId"], 55);
    assert_eq!(p["meterStop"], 900);
    assert_eq!(p["reason"], "Local");
}

#[test]
fn failed_start_gives_minus_one_and_retries_wait_longer_each_time() {
    let mut b = Bench::online();
    b.config("TransactionMessageAttempts", "3");
    b.config("TransactionMessageRetryInterval", "20");
    b.plug();
    b.swipe("T1");
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
    let (id, _) = b.until("StartTransaction");
    let t_first = b.now;
    b.reply_error(&id, "InternalError");
    b.swipe("T1"); // stop while the start is still unconfirmed
    b.advance(19);
    assert!(b.frames.iter().all(|f| f[2] != "StartTransaction"));
    b.advance(1);
    let (id, _) = b.until("StartTransaction");
    assert_eq!((b.now - t_first).num_seconds(), 20);
    b.reply_error(&id, "InternalError");
    b.advance(39);
    assert!(b.frames.iter().all(|f| f[2] != "StartTransaction"));
    b.advance(1);
    let (id, _) = b.until("StartTransaction");
    assert_eq!((b.now - t_first).num_seconds(), 60);
    b.reply_error(&id, "InternalError");
    // Third failure: the start is dropped, the stop goes out with -1.
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["transactionId"], -1);
    assert!(b
        .events
        .iter()
        .any(|e| matches!(e, Output::Warning(w) if w.contains("discarded"))));
}

#[test]
fn queue_survives_reboot() {
    let mut b = Bench::online();
    b.config("AllowOfflineTxForUnknownId", "true");
    b.disconnect();
    b.plug();
    b.swipe("Q1");
    b.swipe("Q1");
    assert_eq!(b.cp.queued_messages(), 2);
    b.reboot();
    assert_eq!(b.cp.queued_messages(), 2);
    b.connect();
    b.accept_boot();
    let (id, _) = b.until("StartTransaction");
    b.reply(
        &id,
        json!({"transactionId": 9, "idTagInfo": {"status": "Accepted"}}),
    );
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["transactionId"], 9);
}

#[test]
fn offline_authorization_rules() {
    // Unknown card, AllowOfflineTxForUnknownId=false: refused.
    let mut b = Bench::online();
    b.disconnect();
    b.plug();
    b.swipe("UNKNOWN");
    assert!(b.cp.transaction(1).is_none());

    // Card in the local list, LocalAuthorizeOffline=true: accepted.
    let mut b = Bench::online();
    let r = b.status_of(
        "SendLocalList",
        json!({"listVersion": 1, "updateType": "Full",
               "localAuthorizationList": [{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}},
                                          {"idTag": "BLOCKED", "idTagInfo": {"status": "Blocked"}}]}),
    );
    assert_eq!(r, "Accepted");
    b.disconnect();
    b.plug();
    b.swipe("BLOCKED");
    assert!(b.cp.transaction(1).is_none());
    b.swipe("LOCAL1");
    assert!(b.cp.transaction(1).is_some());

    // LocalAuthorizeOffline=false: even a listed card is refused offline.
    let mut b = Bench::online();
    b.status_of(
        "SendLocalList",
        json!({"listVersion": 1, "updateType": "Full",
               "localAuthorizationList": [{"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted"}}]}),
    );
    b.config("LocalAuthorizeOffline", "false");
    b.disconnect();
    b.plug();
    b.swipe("LOCAL1");
    assert!(b.cp.transaction(1).is_none());
}

fn offline_start_then_invalid(stop_on_invalid: &str, max_energy: &str) -> Bench {
    let mut b = Bench::online();
    b.config("AllowOfflineTxForUnknownId", "true");
    b.config("StopTransactionOnInvalidId", stop_on_invalid);
    b.config("MaxEnergyOnInvalidId", max_energy);
    b.disconnect();
    b.plug();
    b.meter(0.0);
    b.swipe("STOLEN");
    b.charging();
    b.connect();
    let (id, _) = b.until("StartTransaction");
    b.reply(
        &id,
        json!({"transactionId": 3, "idTagInfo": {"status": "Invalid"}}),
    );
    b
}

#[test]
fn invalid_id_on_reconnect_stops_with_deauthorized() {
    let mut b = offline_start_then_invalid("true", "0");
    let (_, p) = b.until("StopTransaction");
    assert_eq!(p["reason"], "DeAuthorized");
}

#[test]
fn invalid_id_without_stop_suspends_energy() {
    let mut b = offline_start_then_invalid("false", "0");
    b.settle();
    assert!(b.cp.transaction(1).is_some());
    assert!(b.has_event(&Output::StopCharging { connector: 1 }));
    assert_eq!(b.last_status(1), Some("SuspendedEVSE"));
}

#[test]
fn invalid_id_allows_max_energy_then_suspends() {
    let mut b = offline_start_then_invalid("false", "500");
    b.settle();
    assert!(!b.has_event(&Output::StopCharging { connector: 1 }));
    b.meter(499.0);
    assert!(!b.has_event(&Output::StopCharging { connector: 1 }));
    b.meter(500.0);
    assert!(b.has_event(&Output::StopCharging { connector: 1 }));
}

#[test]
fn security_events_wait_for_acceptance_and_do_not_block_transactions() {
    let mut b = Bench::new();
    b.cp.set_connection_security_profile(1);
    b.pump();
    b.reboot();
    assert_eq!(b.cp.queued_security_events(), 1);
    b.connect();
    // Only the BootNotification goes out before acceptance.
    let (id, _) = b.until("BootNotification");
    assert!(b.frames.is_empty());
    b.reply(
        &id,
        json!({"status": "Accepted", "currentTime": b.now, "interval": 300}),
    );
    let (id, p) = b.until("SecurityEventNotification");
    assert_eq!(p["type"], "StartupOfTheDevice");
    // A CSMS without the security extension: the event is dropped at once.
    b.reply_error(&id, "NotImplemented");
    assert_eq!(b.cp.queued_security_events(), 0);
}

#[test]
fn no_security_events_at_profile_zero() {
    let b = Bench::online();
    assert_eq!(b.cp.queued_security_events(), 0);
    assert!(!b.actions().contains(&"SecurityEventNotification"));
}

#[test]
fn reconnect_back_off_grows_and_resets() {
    let mut b = Bench::online();
    let delays: Vec<u128> = (0..4)
        .map(|_| {
            b.events.clear();
            b.disconnect();
            b.events
                .iter()
                .find_map(|e| match e {
                    Output::Reconnect { after } => Some(after.as_millis()),
                    _ => None,
                })
                .unwrap()
        })
        .collect();
    assert!(delays.windows(2).all(|w| w[1] > w[0]), "{delays:?}");
    assert!((1_500..=2_500).contains(&delays[0]), "{delays:?}");
    b.connect();
    b.events.clear();
    b.disconnect();
    assert!(b
        .events
        .iter()
        .any(|e| matches!(e, Output::Reconnect { after } if after.as_millis() <= 2_500)));
}

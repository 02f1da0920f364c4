//! Each seeded OCPP defect (feature `seeded-defects`) really changes the behaviour it names; each
//! test runs the same steps on a clean and on a defective charge point and compares. Run with
//! `cargo test -p ocpp-charge-point --features seeded-defects --test seeded_defects`.
#![cfg(feature = "seeded-defects")]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{t0, Bench};
use ocpp_charge_point::{OcppDefect, OcppDefects, Output, Settings, StoredState};
use serde_json::{json, Value};

/// A fresh charge point with `defect` active (or none), not yet connected.
fn fresh(defect: Option<OcppDefect>) -> Bench {
    let mut settings = Settings::wallbox("SN-0001", "1.0.0");
    settings.defects = OcppDefects::new(defect.as_slice()).unwrap();
    Bench::with(settings, StoredState::default(), t0())
}

/// Connected, BootNotification accepted, initial statuses answered.
fn online(defect: Option<OcppDefect>) -> Bench {
    let mut b = fresh(defect);
    b.connect();
    b.accept_boot();
    b.settle();
    b
}

/// Runs `scenario` on a clean and on a defective charge point: (clean, defective).
fn both<T>(defect: OcppDefect, scenario: impl Fn(Option<OcppDefect>) -> T) -> (T, T) {
    (scenario(None), scenario(Some(defect)))
}

#[test]
fn every_name_parses_back() {
    for d in OcppDefect::ALL {
        assert_eq!(OcppDefect::from_name(d.name()), Some(d));
    }
    assert_eq!(OcppDefect::from_name("no-such-defect"), None);
}

#[test]
fn status_preparing_never_sent() {
    let (clean, bad) = both(OcppDefect::StatusPreparingNeverSent, |d| {
        let mut b = online(d);
        b.plug();
        b.settle();
        b.last_status(1).map(str::to_string)
    });
    assert_eq!(clean.as_deref(), Some("Preparing"));
    assert_eq!(
        bad.as_deref(),
        Some("Available"),
        "plugged in, still Available"
    );
}

#[test]
fn stop_reason_always_local() {
    let (clean, bad) = both(OcppDefect::StopReasonAlwaysLocal, |d| {
        let mut b = online(d);
        b.start_session("T1");
        b.unplug();
        b.until("StopTransaction").1["reason"].clone()
    });
    assert_eq!(clean, "EVDisconnected");
    assert_eq!(bad, "Local");
}

#[test]
fn offline_queue_lost_on_reboot() {
    let (clean, bad) = both(OcppDefect::OfflineQueueLostOnReboot, |d| {
        let mut b = online(d);
        b.config("MeterValueSampleInterval", "10");
        b.start_session("T1");
        b.disconnect();
        b.advance(35);
        let before = b.cp.queued_messages();
        b.reboot();
        (before, b.cp.queued_messages())
    });
    assert_eq!(clean.0, 3, "3 MeterValues queued offline");
    // The clean charger keeps them and adds the StopTransaction of the interrupted session.
    assert_eq!(clean.1, 4, "clean charger's queue after the reboot");
    assert_eq!(bad.0, 3);
    assert_eq!(bad.1, 0, "defective charger's queue after the reboot");
}

#[test]
fn meter_values_newest_first() {
    fn stamp(p: &Value) -> DateTime<Utc> {
        serde_json::from_value(p["meterValue"][0]["timestamp"].clone()).unwrap()
    }
    let (clean, bad) = both(OcppDefect::MeterValuesNewestFirst, |d| {
        let mut b = online(d);
        b.config("MeterValueSampleInterval", "10");
        b.start_session("T1");
        b.disconnect();
        b.advance(45);
        b.connect();
        let mut stamps = Vec::new();
        for _ in 0..4 {
            let (id, p) = b.until("MeterValues");
            stamps.push(stamp(&p));
            b.reply(&id, json!({}));
        }
        stamps.windows(2).all(|w| w[0] < w[1])
    });
    assert!(clean, "clean charger sends oldest first");
    assert!(!bad, "defective charger sent them in order");
}

#[test]
fn heartbeat_interval_ignored() {
    let (clean, bad) = both(OcppDefect::HeartbeatIntervalIgnored, |d| {
        let mut b = fresh(d);
        b.connect();
        let (id, _) = b.until("BootNotification");
        b.reply(
            &id,
            json!({"status": "Accepted", "currentTime": b.now, "interval": 7}),
        );
        b.cp.config_value("HeartbeatInterval").to_string()
    });
    assert_eq!(clean, "7");
    assert_ne!(bad, "7");
}

#[test]
fn unknown_config_key_accepted() {
    let (clean, bad) = both(OcppDefect::UnknownConfigKeyAccepted, |d| {
        let mut b = online(d);
        b.status_of(
            "ChangeConfiguration",
            json!({"key": "NoSuchKey", "value": "1"}),
        )
    });
    assert_eq!(clean, "NotSupported");
    assert_eq!(bad, "Accepted");
}

#[test]
fn boot_retried_early() {
    let (clean, bad) = both(OcppDefect::BootRetriedEarly, |d| {
        let mut b = fresh(d);
        b.connect();
        let (id, _) = b.until("BootNotification");
        let first = b.now;
        b.reply(
            &id,
            json!({"status": "Pending", "currentTime": b.now, "interval": 30}),
        );
        // Step the clock until the next BootNotification goes out.
        for _ in 0..60 {
            b.advance(1);
            if b.frames.iter().any(|f| f[2] == "BootNotification") {
                break;
            }
        }
        (b.now - first).num_seconds()
    });
    assert_eq!(clean, 30);
    assert!(bad < 30, "retried after {bad} s");
}

#[test]
fn local_list_version_not_updated() {
    let (clean, bad) = both(OcppDefect::LocalListVersionNotUpdated, |d| {
        let mut b = online(d);
        let list = json!({"listVersion": 4, "updateType": "Full",
            "localAuthorizationList": [{"idTag": "A", "idTagInfo": {"status": "Accepted"}}]});
        assert_eq!(b.status_of("SendLocalList", list), "Accepted");
        b.csms("GetLocalListVersion", json!({}))[2]["listVersion"].clone()
    });
    assert_eq!(clean, 4);
    assert_ne!(bad, 4);
}

#[test]
fn reservation_never_expires() {
    let (clean, bad) = both(OcppDefect::ReservationNeverExpires, |d| {
        let mut b = online(d);
        let req = json!({"connectorId": 1, "expiryDate": b.now + Duration::seconds(20),
            "idTag": "OWNER", "reservationId": 3});
        assert_eq!(b.status_of("ReserveNow", req), "Accepted");
        b.settle();
        b.advance(30);
        b.settle();
        b.last_status(1).map(str::to_string)
    });
    assert_eq!(clean.as_deref(), Some("Available"));
    assert_eq!(bad.as_deref(), Some("Reserved"));
}

#[test]
fn tx_profile_ignored() {
    let (clean, bad) = both(OcppDefect::TxProfileIgnored, |d| {
        let mut b = online(d);
        let tx = b.start_session("T1");
        let profile = json!({"connectorId": 1, "csChargingProfiles": {
            "chargingProfileId": 2, "transactionId": tx, "stackLevel": 0,
            "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
            "chargingSchedule": {"chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}}});
        assert_eq!(b.status_of("SetChargingProfile", profile), "Accepted");
        b.has_event(&Output::SetCurrentLimit {
            connector: 1,
            amps: Some(8.0),
        })
    });
    assert!(clean, "clean charger limits the pilot to 8 A");
    assert!(!bad, "defective charger limited the pilot to 8 A");
}

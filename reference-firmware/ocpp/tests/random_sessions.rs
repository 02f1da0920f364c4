//! Property test: random sequences of well-formed CSMS requests, charging-core
//! events, connection changes and clock jumps never panic, every CSMS CALL is
//! answered at once (tethered charger), and the charge point's CALL ids are
//! unique and at most 36 characters.

mod common;

use common::{reading, Bench};
use ocpp_charge_point::CoreEvent;
use proptest::prelude::*;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
enum Step {
    Csms(String, Value),
    Core(CoreEvent),
    AnswerAll,
    Disconnect,
    Connect,
    Advance(i64),
}

fn arb_request() -> impl Strategy<Value = (String, Value)> {
    let connector = 0u32..3;
    let tag = prop::sample::select(vec!["A", "B", "PARENT", "x"]);
    let limit = (0u32..40).prop_map(|l| l as f64 / 2.0);
    let periods = prop::collection::vec((0i32..600, limit), 1..4).prop_map(|mut v| {
        v.sort_by_key(|p| p.0);
        v.dedup_by_key(|p| p.0);
        v[0].0 = 0;
        v.into_iter()
            .map(|(s, l)| json!({"startPeriod": s, "limit": l}))
            .collect::<Vec<_>>()
    });
    prop_oneof![
        (connector.clone(), tag.clone()).prop_map(|(c, t)| (
            "RemoteStartTransaction".into(),
            json!({"connectorId": c, "idTag": t})
        )),
        (0i32..200).prop_map(|id| ("RemoteStopTransaction".into(), json!({"transactionId": id}))),
        (connector.clone(), any::<bool>()).prop_map(|(c, op)| (
            "ChangeAvailability".into(),
            json!({"connectorId": c, "type": if op { "Operative" } else { "Inoperative" }})
        )),
        (connector.clone(), 1i32..5, tag.clone(), 1i64..600).prop_map(|(c, id, t, secs)| (
            "ReserveNow".into(),
            json!({"connectorId": c, "reservationId": id, "idTag": t, "parentIdTag": "PARENT",
                   "expiryDate": common::t0() + chrono::Duration::seconds(secs)})
        )),
        (1i32..5).prop_map(|id| ("CancelReservation".into(), json!({"reservationId": id}))),
        prop::sample::select(vec!["Soft", "Hard"]).prop_map(|k| ("Reset".into(), json!({"type": k}))),
        (connector.clone(), 0u32..3, prop::sample::select(vec!["TxDefaultProfile", "TxProfile", "ChargePointMaxProfile"]),
         prop::sample::select(vec!["Absolute", "Relative"]), periods, prop::sample::select(vec!["A", "W"]))
            .prop_map(|(c, level, purpose, kind, periods, unit)| (
                "SetChargingProfile".into(),
                json!({"connectorId": c, "csChargingProfiles": {
                    "chargingProfileId": level + 1, "stackLevel": level,
                    "chargingProfilePurpose": purpose, "chargingProfileKind": kind,
                    "chargingSchedule": {"chargingRateUnit": unit, "chargingSchedulePeriod": periods}}})
            )),
        (connector.clone(), 1i32..900).prop_map(|(c, d)| (
            "GetCompositeSchedule".into(),
            json!({"connectorId": c, "duration": d})
        )),
        Just(("ClearChargingProfile".to_string(), json!({}))),
        prop::sample::select(vec!["Heartbeat", "StatusNotification", "MeterValues", "BootNotification",
                                  "FirmwareStatusNotification", "DiagnosticsStatusNotification"])
            .prop_map(|m| ("TriggerMessage".into(), json!({"requestedMessage": m}))),
        (prop::sample::select(vec!["MeterValueSampleInterval", "ClockAlignedDataInterval",
                                   "MinimumStatusDuration", "StopTransactionOnInvalidId",
                                   "AllowOfflineTxForUnknownId", "LocalPreAuthorize",
                                   "StopTxnSampledData", "AuthorizeRemoteTxRequests"]),
         prop::sample::select(vec!["0", "5", "true", "false", "Energy.Active.Import.Register", "-3"]))
            .prop_map(|(k, v)| ("ChangeConfiguration".into(), json!({"key": k, "value": v}))),
        (1i32..4, tag.clone()).prop_map(|(v, t)| (
            "SendLocalList".into(),
            json!({"listVersion": v, "updateType": "Differential",
                   "localAuthorizationList": [{"idTag": t, "idTagInfo": {"status": "Accepted"}}]})
        )),
        Just(("ClearCache".to_string(), json!({}))),
        Just(("GetConfiguration".to_string(), json!({}))),
        Just(("UpdateFirmware".to_string(), json!({"location": "http://x", "retrieveDate": common::t0()}))),
        Just(("GetDiagnostics".to_string(), json!({"location": "http://x"}))),
        (0u32..3).prop_map(|c| ("UnlockConnector".into(), json!({"connectorId": c}))),
    ]
}

fn arb_core() -> impl Strategy<Value = CoreEvent> {
    let c = 0u32..3;
    prop_oneof![
        c.clone()
            .prop_map(|connector| CoreEvent::CablePlugged { connector }),
        c.clone()
            .prop_map(|connector| CoreEvent::CableUnplugged { connector }),
        (c.clone(), any::<bool>())
            .prop_map(|(connector, ready)| CoreEvent::EvReady { connector, ready }),
        (c.clone(), any::<bool>())
            .prop_map(|(connector, offered)| CoreEvent::EnergyOffered { connector, offered }),
        c.clone().prop_map(|connector| CoreEvent::Faulted {
            connector,
            error_code: ocpp_charge_point::ocpp::types::ChargePointErrorCode::GroundFailure,
            info: Some("x".repeat(80)),
            vendor_error_code: None,
        }),
        c.clone()
            .prop_map(|connector| CoreEvent::FaultCleared { connector }),
        prop::sample::select(vec!["A", "B", "PARENT", ""]).prop_map(|t| {
            CoreEvent::IdTagPresented {
                connector: None,
                id_tag: t.to_string(),
            }
        }),
        (c.clone(), 0u32..100_000).prop_map(|(connector, wh)| CoreEvent::Meter {
            connector,
            reading: reading(wh as f64),
        }),
        any::<bool>().prop_map(|ok| CoreEvent::FirmwareDownloaded { ok }),
        any::<bool>().prop_map(|ok| CoreEvent::FirmwareInstalled { ok }),
        any::<bool>().prop_map(|ok| CoreEvent::DiagnosticsUploaded { ok }),
    ]
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => arb_request().prop_map(|(a, p)| Step::Csms(a, p)),
        4 => arb_core().prop_map(Step::Core),
        3 => Just(Step::AnswerAll),
        1 => Just(Step::Disconnect),
        1 => Just(Step::Connect),
        2 => (1i64..400).prop_map(Step::Advance),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
    ))]

    #[test]
    fn random_sessions_never_panic_and_always_answer(steps in prop::collection::vec(arb_step(), 1..60)) {
        let mut b = Bench::online();
        let mut connected = true;
        for step in steps {
            match step {
                Step::Csms(action, payload) => {
                    if connected {
                        let answer = b.csms(&action, payload);
                        prop_assert!(answer[0] == 3 || answer[0] == 4, "{action}: {answer}");
                    }
                }
                Step::Core(event) => b.core(event),
                Step::AnswerAll => if connected { b.settle() },
                Step::Disconnect => { b.disconnect(); connected = false; }
                Step::Connect => {
                    if !connected {
                        b.connect();
                        connected = true;
                    }
                }
                Step::Advance(s) => b.advance(s),
            }
        }
        let mut ids = b.call_ids.clone();
        prop_assert!(ids.iter().all(|id| !id.is_empty() && id.len() <= 36));
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), b.call_ids.len(), "CALL ids repeated");
    }
}

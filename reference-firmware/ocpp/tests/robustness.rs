//! Malformed and unexpected frames from the CSMS: the right CallError or a
//! silent drop, never a panic. Includes a property test over arbitrary text.

mod common;

use common::Bench;
use proptest::prelude::*;
use serde_json::{json, Value};

fn error_code(b: &mut Bench, text: &str, id: &str) -> String {
    b.cp.on_text_frame(b.now, text);
    b.pump();
    let answer = b
        .answer_to(id)
        .unwrap_or_else(|| panic!("no answer to {text}"));
    assert_eq!(answer[0], 4, "expected CALLERROR for {text}, got {answer}");
    assert_eq!(answer[4], json!({}));
    answer[2].as_str().unwrap().to_string()
}

#[test]
fn call_errors_for_bad_calls() {
    let mut b = Bench::online();
    assert_eq!(
        error_code(&mut b, r#"[2,"a","FlyToTheMoon",{}]"#, "a"),
        "NotImplemented"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"b","Reset",{}]"#, "b"),
        "OccurenceConstraintViolation"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"c","Reset",{"type":5}]"#, "c"),
        "TypeConstraintViolation"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"d","Reset",{"type":"Medium"}]"#, "d"),
        "PropertyConstraintViolation"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"e","Reset"]"#, "e"),
        "FormationViolation"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"f","Reset",[1]]"#, "f"),
        "FormationViolation"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"g","InstallCertificate",{}]"#, "g"),
        "NotSupported"
    );
    assert_eq!(
        error_code(&mut b, r#"[2,"h","BootNotification",{}]"#, "h"),
        "NotImplemented"
    );
    let long = "x".repeat(37);
    assert_eq!(
        error_code(&mut b, &format!(r#"[2,"{long}","Heartbeat",{{}}]"#), &long),
        "FormationViolation"
    );
    // Unknown message type, garbage, a stray CALLRESULT: dropped silently.
    for text in [
        r#"[7,"z",{}]"#,
        "not json",
        r#"[3,"nobody",{}]"#,
        "{}",
        "[]",
    ] {
        b.cp.on_text_frame(b.now, text);
        b.pump();
        assert!(b.frames.is_empty(), "{text} produced {:?}", b.frames);
    }
}

#[test]
fn bad_answer_to_our_call_does_not_stall() {
    let mut b = Bench::online();
    b.plug();
    b.swipe("T1");
    let (id, _) = b.until("Authorize");
    b.reply(&id, json!({"idTagInfo": "nonsense"}));
    b.settle();
    assert!(b.cp.transaction(1).is_none());
    b.swipe("T1");
    b.until("Authorize");
}

/// A charge point reply must be a CALLRESULT or CALLERROR with an echoed id, or
/// a CALL of its own (a triggered message).
fn check_frame(f: &Value) {
    let arr = f.as_array().expect("frame is an array");
    match arr[0].as_i64() {
        Some(2) => assert_eq!(arr.len(), 4),
        Some(3) => assert_eq!(arr.len(), 3),
        Some(4) => {
            assert_eq!(arr.len(), 5);
            assert!(arr[2].is_string() && arr[3].is_string() && arr[4].is_object());
        }
        other => panic!("bad message type {other:?}"),
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9 ._-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const ACTIONS: &[&str] = &[
    "CancelReservation",
    "ChangeAvailability",
    "ChangeConfiguration",
    "ClearCache",
    "ClearChargingProfile",
    "DataTransfer",
    "GetCompositeSchedule",
    "GetConfiguration",
    "GetDiagnostics",
    "GetLocalListVersion",
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "ReserveNow",
    "Reset",
    "SendLocalList",
    "SetChargingProfile",
    "TriggerMessage",
    "UnlockConnector",
    "UpdateFirmware",
    "Bogus",
];

proptest! {
    // PROPTEST_CASES=<n> runs a longer fuzz session.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let mut b = Bench::online();
        b.cp.on_text_frame(b.now, &text);
        b.pump();
        for f in b.frames.iter() { check_frame(f); }
    }

    #[test]
    fn arbitrary_payloads_get_a_valid_answer(action in prop::sample::select(ACTIONS), payload in arb_json()) {
        let mut b = Bench::online();
        let text = json!([2, "p1", action, payload]).to_string();
        b.cp.on_text_frame(b.now, &text);
        b.pump();
        for f in b.frames.iter() { check_frame(f); }
        // UnlockConnector on a socket could defer; this is a tethered charger, so
        // every CALL is answered at once.
        prop_assert!(b.answer_to("p1").is_some(), "no answer to {}", text);
        b.advance(3600);
    }

    #[test]
    fn arbitrary_frame_shapes(frame in prop::collection::vec(arb_json(), 0..6)) {
        let mut b = Bench::online();
        b.cp.on_text_frame(b.now, &Value::from(frame).to_string());
        b.pump();
        for f in b.frames.iter() { check_frame(f); }
    }
}

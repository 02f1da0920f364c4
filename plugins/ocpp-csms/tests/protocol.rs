//! Frame validation over a real connection: every malformed CALL from the test client is
//! recorded as a violation and answered with the right 1.6 CallError.

mod common;

use common::{boot, csms, exchange, next_json, runtime, Dial, STEP};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const T: &str = "2026-11-28T16:00:00Z";

/// (frame sent, expected CallError code, expected rule, text the description must contain)
fn malformed_calls() -> Vec<(String, &'static str, &'static str, &'static str)> {
    vec![
        (
            r#"[2,"f1","Heartbeat"]"#.into(),
            "FormationViolation",
            "framing.structure",
            "CALL must have 4 elements",
        ),
        (
            r#"[2,"f2","Heartbeat",null]"#.into(),
            "FormationViolation",
            "framing.structure",
            "must be a JSON object",
        ),
        (
            r#"[2,"f3","FlyToTheMoon",{}]"#.into(),
            "NotImplemented",
            "framing.unknown_action",
            "not an OCPP 1.6 action",
        ),
        (
            r#"[2,"f4","Reset",{"type":"Hard"}]"#.into(),
            "NotImplemented",
            "framing.unknown_action",
            "sent by the Central System",
        ),
        (
            r#"[2,"f5","Authorize",{}]"#.into(),
            "OccurenceConstraintViolation",
            "schema.required",
            "idTag",
        ),
        (
            r#"[2,"f6","Authorize",{"idTag":42}]"#.into(),
            "TypeConstraintViolation",
            "schema.type",
            "expected a string",
        ),
        (
            format!(
                r#"[2,"f7","StartTransaction",{{"connectorId":1,"idTag":"A","meterStart":1.5,"timestamp":"{T}"}}]"#
            ),
            "TypeConstraintViolation",
            "schema.type",
            "meterStart: expected an integer",
        ),
        (
            r#"[2,"f8","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}]"#.into(),
            "PropertyConstraintViolation",
            "schema.enum",
            "\"Sleeping\" is not one of",
        ),
        (
            r#"[2,"f9","Authorize",{"idTag":"ABCDEFGHIJKLMNOPQRSTU"}]"#.into(),
            "PropertyConstraintViolation",
            "schema.max_length",
            "21 characters exceeds the limit of 20",
        ),
        (
            r#"[2,"f10","StartTransaction",{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"2026-11-28 16:00:00"}]"#.into(),
            "PropertyConstraintViolation",
            "schema.date_time",
            "timestamp",
        ),
        (
            r#"[2,"f11","Heartbeat",{"uptime":5}]"#.into(),
            "FormationViolation",
            "schema.additional_property",
            "\"uptime\" is not defined",
        ),
        (
            r#"[2,"0123456789-0123456789-0123456789-xxxx","Heartbeat",{}]"#.into(),
            "ProtocolError",
            "framing.unique_id",
            "exceeds the limit of 36",
        ),
    ]
}

#[test]
fn every_rule_kind_is_answered_with_its_call_error() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let mark = c.mark();
    let cases = malformed_calls();
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        for (frame, code, _, text) in &cases {
            let answer = exchange(&mut ws, frame).await;
            let sent: Value = serde_json::from_str(frame).unwrap();
            assert_eq!(answer[0], json!(4), "{frame} → {answer}");
            assert_eq!(answer[1], sent[1], "the CallError echoes the id");
            assert_eq!(answer[2], json!(code), "{frame} → {answer}");
            assert!(
                answer[3].as_str().unwrap().contains(text),
                "{frame} → {answer}"
            );
            assert_eq!(answer[4], json!({}));
        }
    });
    let v = c.violations(mark);
    for (frame, _, rule, _) in &cases {
        assert!(
            v.iter().any(|v| v.rule == *rule && v.raw == *frame),
            "no {rule} violation recorded for {frame}: {v:?}"
        );
    }
    // The CSMS's own answers passed its checks: every violation is the charge point's.
    assert!(v
        .iter()
        .all(|v| v.direction == plugin_api::kinds::csms::Direction::FromChargePoint));
}

#[test]
fn malformed_json_duplicate_ids_and_stray_answers_are_recorded() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        // Not JSON: no id to answer, so only recorded. A valid call afterwards still works.
        ws.send(Message::Text("[2, \"x\", ".into())).await.unwrap();
        ws.send(Message::Binary(vec![1u8, 2, 3].into()))
            .await
            .unwrap();
        // Duplicate id ("boot-1" was the BootNotification).
        let dup = exchange(&mut ws, r#"[2,"boot-1","Heartbeat",{}]"#).await;
        assert_eq!(dup[2], json!("ProtocolError"), "{dup}");
        // An answer to nothing.
        ws.send(Message::Text(r#"[3,"nobody-asked",{}]"#.into()))
            .await
            .unwrap();
        let hb = exchange(&mut ws, r#"[2,"hb-1","Heartbeat",{}]"#).await;
        assert_eq!(hb[0], json!(3), "{hb}");
    });
    let rules: Vec<String> = c.violations(0).into_iter().map(|v| v.rule).collect();
    for r in ["framing.json", "framing.encoding", "framing.unique_id"] {
        assert!(rules.iter().any(|x| x == r), "{r} missing from {rules:?}");
    }
    assert_eq!(
        rules.iter().filter(|r| *r == "framing.unique_id").count(),
        2,
        "duplicate id and unmatched answer: {rules:?}"
    );
}

#[test]
fn semantic_rules_are_recorded_but_answered_normally() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        let r = exchange(
            &mut ws,
            r#"[2,"s1","StatusNotification",{"connectorId":0,"errorCode":"NoError","status":"Charging"}]"#,
        )
        .await;
        assert_eq!(r, json!([3, "s1", {}]));
    });
    let v = c.violations(0);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule, "semantics.value");
    assert!(v[0].message.contains("connector 0"), "{v:?}");
}

#[test]
fn calls_before_boot_get_security_error() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let (mut ws, _) = common::connect(&format!("{url}/CP1"), &Dial::ocpp())
            .await
            .unwrap();
        let r = exchange(&mut ws, r#"[2,"1","Heartbeat",{}]"#).await;
        assert_eq!(r[2], json!("SecurityError"), "{r}");
    });
    assert_eq!(c.violations(0)[0].rule, "boot.sequence");
}

#[test]
fn frames_are_recorded_in_both_directions_and_drained() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        exchange(&mut ws, r#"[2,"2","Heartbeat",{}]"#).await;
    });
    let rec = c.drain_record();
    let frames: Vec<&Value> = rec
        .iter()
        .filter(|o| o.kind == "ocpp_frame")
        .map(|o| &o.data)
        .collect();
    assert_eq!(frames.len(), 4, "{rec:?}");
    assert_eq!(frames[0]["direction"], json!("from_charge_point"));
    assert_eq!(frames[1]["direction"], json!("to_charge_point"));
    assert_eq!(frames[1]["action"], json!("BootNotification"));
    assert_eq!(frames[3]["message_type"], json!("call_result"));
    assert!(frames[1]["mono_us"].as_u64() >= frames[0]["mono_us"].as_u64());
    assert!(rec.iter().any(|o| o.kind == "ws_connected"));
    // A second drain hands out only what is new.
    assert!(c.drain_record().iter().all(|o| o.kind != "ocpp_frame"));
}

#[test]
fn unparseable_frames_get_no_answer() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        ws.send(Message::Text("{not json".into())).await.unwrap();
        ws.send(Message::Text(r#"[2,"hb",  "Heartbeat",{}]"#.into()))
            .await
            .unwrap();
        // The first thing that comes back is the Heartbeat answer.
        let r = next_json(&mut ws).await;
        assert_eq!(r[1], json!("hb"), "{r}");
        let _ = tokio::time::timeout(STEP, ws.close(None)).await;
        let _ = ws.next().await;
    });
}

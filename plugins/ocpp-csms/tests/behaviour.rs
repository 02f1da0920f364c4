//! Scripted behaviour, CSMS-initiated calls, waiting/matching, going offline and the file server.

mod common;

use std::time::{Duration, Instant};

use common::{boot, connect, csms, exchange, next_json, refused, runtime, Dial, STEP};
use futures_util::{SinkExt, StreamExt};
use plugin_api::kinds::csms::{
    AuthorizationStatus, CallOutcome, DelayAction, ExpectNone, FailAction, FrameMatcher,
    RegistrationStatus, SendCall, SetAuthorization, WaitForFrames,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const T: &str = "2026-11-28T16:00:00Z";

fn start_tx(id: &str, tag: &str) -> String {
    format!(
        r#"[2,"{id}","StartTransaction",{{"connectorId":1,"idTag":"{tag}","meterStart":0,"timestamp":"{T}"}}]"#
    )
}

#[test]
fn boot_pending_and_rejected_answers() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    c.set_boot_response(RegistrationStatus::Pending, 7);
    runtime().block_on(async {
        let (mut ws, _) = connect(&format!("{url}/CP1"), &Dial::ocpp()).await.unwrap();
        let boot = r#"[2,"b1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]"#;
        let r = exchange(&mut ws, boot).await;
        assert_eq!((r[2]["status"].clone(), r[2]["interval"].clone()), (json!("Pending"), json!(7)));
        // Pending: an untriggered request is refused.
        let r = exchange(&mut ws, r#"[2,"s1","StatusNotification",{"connectorId":0,"errorCode":"NoError","status":"Available"}]"#).await;
        assert_eq!(r[2], json!("SecurityError"), "{r}");
        c.set_boot_response(RegistrationStatus::Rejected, 60);
        let r = exchange(&mut ws, &boot.replace("b1", "b2")).await;
        assert_eq!(r[2]["status"], json!("Rejected"));
        // Rejected: even a BootNotification before the interval is a violation.
        let r = exchange(&mut ws, &boot.replace("b1", "b3")).await;
        assert_eq!(r[2], json!("SecurityError"), "{r}");
    });
    let rules: Vec<String> = c.violations(0).into_iter().map(|v| v.message).collect();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(rules[0].contains("Pending"), "{rules:?}");
    assert!(rules[1].contains("Rejected interval"), "{rules:?}");
}

#[test]
fn authorization_table_and_transaction_ids() {
    let c = csms(json!({"first_transaction_id": 41}));
    let url = c.endpoint().url;
    c.set_authorization(SetAuthorization {
        id_tag: "04A2B3C4".into(),
        status: AuthorizationStatus::Accepted,
        parent_id_tag: Some("FLEET-01".into()),
        expiry_date: Some("2030-01-01T00:00:00Z".into()),
    })
    .unwrap();
    c.set_authorization(SetAuthorization {
        id_tag: "BLOCKED1".into(),
        status: AuthorizationStatus::Blocked,
        parent_id_tag: None,
        expiry_date: None,
    })
    .unwrap();
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        // idTags are case-insensitive.
        let r = exchange(&mut ws, r#"[2,"a1","Authorize",{"idTag":"04a2b3c4"}]"#).await;
        assert_eq!(
            r[2]["idTagInfo"],
            json!({"status": "Accepted", "parentIdTag": "FLEET-01", "expiryDate": "2030-01-01T00:00:00Z"})
        );
        let r = exchange(&mut ws, r#"[2,"a2","Authorize",{"idTag":"BLOCKED1"}]"#).await;
        assert_eq!(r[2]["idTagInfo"]["status"], json!("Blocked"));
        let r = exchange(&mut ws, r#"[2,"a3","Authorize",{"idTag":"STRANGER"}]"#).await;
        assert_eq!(r[2]["idTagInfo"]["status"], json!("Invalid"));
        let r = exchange(&mut ws, &start_tx("t1", "04A2B3C4")).await;
        assert_eq!(r[2]["transactionId"], json!(41));
        let r = exchange(&mut ws, &start_tx("t2", "04A2B3C4")).await;
        assert_eq!(r[2]["transactionId"], json!(42));
    });
    assert!(c.violations(0).is_empty(), "{:?}", c.violations(0));
}

#[test]
fn forced_errors_delays_and_silence() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    c.fail_action(FailAction {
        action: "StartTransaction".into(),
        times: 2,
        error_code: "InternalError".into(),
    })
    .unwrap();
    assert!(c
        .fail_action(FailAction {
            action: "StartTransaction".into(),
            times: 1,
            error_code: "FormatViolation".into()
        })
        .is_err());
    runtime().block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        for id in ["t1", "t2"] {
            let r = exchange(&mut ws, &start_tx(id, "A")).await;
            assert_eq!(r[2], json!("InternalError"), "{r}");
        }
        let r = exchange(&mut ws, &start_tx("t3", "A")).await;
        assert_eq!(r[0], json!(3), "{r}");

        c.delay_action(DelayAction {
            action: "Heartbeat".into(),
            delay_ms: Some(300),
        })
        .unwrap();
        let t0 = Instant::now();
        exchange(&mut ws, r#"[2,"h1","Heartbeat",{}]"#).await;
        assert!(t0.elapsed() >= Duration::from_millis(300));

        c.delay_action(DelayAction {
            action: "Heartbeat".into(),
            delay_ms: None,
        })
        .unwrap();
        ws.send(Message::Text(r#"[2,"h2","Heartbeat",{}]"#.into()))
            .await
            .unwrap();
        let nothing = tokio::time::timeout(Duration::from_millis(300), ws.next()).await;
        assert!(nothing.is_err(), "an unanswered CALL got {nothing:?}");
        // After giving up on h2 the client may move on without a synchronicity violation.
        let r = exchange(&mut ws, r#"[2,"m1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-11-28T16:00:00Z","sampledValue":[{"value":"1"}]}]}]"#).await;
        assert_eq!(r, json!([3, "m1", {}]));
    });
    assert!(c.violations(0).is_empty(), "{:?}", c.violations(0));
    // reset_script forgets the scripted errors and delays.
    c.fail_action(FailAction {
        action: "Heartbeat".into(),
        times: 5,
        error_code: "InternalError".into(),
    })
    .unwrap();
    c.reset_script();
    let url = c.endpoint().url;
    runtime().block_on(async {
        let (mut ws, _) = connect(&format!("{url}/CP1"), &Dial::ocpp()).await.unwrap();
        let r = exchange(&mut ws, r#"[2,"h9","Heartbeat",{}]"#).await;
        assert_eq!(r[0], json!(3), "{r}");
    });
}

#[test]
fn csms_initiated_calls_result_error_timeout_and_refusal() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    let (tx, rx) = std::sync::mpsc::channel::<&'static str>();
    let client = rt.spawn(async move {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        tx.send("booted").unwrap();
        // Answer Reset, refuse ChangeAvailability with a CallError, ignore ClearCache.
        for _ in 0..3 {
            let call = next_json(&mut ws).await;
            let id = call[1].clone();
            let reply = match call[2].as_str().unwrap() {
                "Reset" => json!([3, id, {"status": "Accepted"}]),
                "ChangeAvailability" => json!([4, id, "NotSupported", "no", {}]),
                _ => continue,
            };
            ws.send(Message::Text(reply.to_string().into()))
                .await
                .unwrap();
        }
        ws
    });
    rx.recv_timeout(STEP).unwrap();
    let call = |action: &str, payload: Value, timeout_ms: u64| {
        c.send_call(SendCall {
            charge_point: None,
            action: action.into(),
            payload,
            timeout_ms,
            unchecked: false,
        })
    };
    assert_eq!(
        call("Reset", json!({"type": "Hard"}), 2000).unwrap(),
        CallOutcome::Result {
            payload: json!({"status": "Accepted"})
        }
    );
    match call(
        "ChangeAvailability",
        json!({"connectorId": 0, "type": "Inoperative"}),
        2000,
    ) {
        Ok(CallOutcome::Error { code, .. }) => assert_eq!(code, "NotSupported"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        call("ClearCache", json!({}), 200).unwrap(),
        CallOutcome::Timeout
    );
    // Invalid payloads and charge point actions are refused before sending.
    let e = call("Reset", json!({"type": "Warm"}), 100).unwrap_err();
    assert!(
        e.message().contains("schema.enum") || e.message().contains("Warm"),
        "{e}"
    );
    assert!(call("Heartbeat", json!({}), 100).is_err());
    assert!(c
        .send_call(SendCall {
            charge_point: Some("NOBODY".into()),
            action: "ClearCache".into(),
            payload: json!({}),
            timeout_ms: 100,
            unchecked: false
        })
        .is_err());
    let _ws = rt.block_on(client).unwrap();
    assert!(c.violations(0).is_empty(), "{:?}", c.violations(0));
}

#[test]
fn the_charge_points_answer_is_validated() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let client = rt.spawn(async move {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        tx.send(()).unwrap();
        let call = next_json(&mut ws).await;
        let reply = json!([3, call[1], {"status": "Maybe"}]);
        ws.send(Message::Text(reply.to_string().into()))
            .await
            .unwrap();
        ws
    });
    rx.recv_timeout(STEP).unwrap();
    let mark = c.mark();
    let out = c
        .send_call(SendCall {
            charge_point: Some("CP1".into()),
            action: "UnlockConnector".into(),
            payload: json!({"connectorId": 1}),
            timeout_ms: 3000,
            unchecked: false,
        })
        .unwrap();
    assert!(matches!(out, CallOutcome::Result { .. }));
    let v = c.violations(mark);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].rule, "schema.enum");
    assert!(v[0].message.starts_with("status:"), "{v:?}");
    drop(rt.block_on(client));
}

#[test]
fn order_tolerant_pairs_and_expect_none() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    let mark = c.mark();
    let ws = rt.block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        // StartTransaction before StatusNotification(Charging): either order is fine.
        exchange(&mut ws, &start_tx("t1", "A")).await;
        exchange(
            &mut ws,
            r#"[2,"s1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging"}]"#,
        )
        .await;
        ws
    });
    let frames = c
        .wait_for(WaitForFrames {
            charge_point: None,
            matchers: vec![
                FrameMatcher {
                    action: "StatusNotification".into(),
                    payload_subset: json!({"status": "Charging"}),
                    direction: None,
                },
                FrameMatcher {
                    action: "StartTransaction".into(),
                    payload_subset: json!({"connectorId": 1}),
                    direction: None,
                },
            ],
            after: mark,
            timeout_ms: 1000,
        })
        .unwrap();
    assert_eq!(frames[0].action.as_deref(), Some("StatusNotification"));
    assert_eq!(frames[1].action.as_deref(), Some("StartTransaction"));
    assert!(frames[1].seq < frames[0].seq);
    // A matcher that never matches times out with a message naming what was seen.
    let e = c
        .wait_for(WaitForFrames {
            charge_point: None,
            matchers: vec![FrameMatcher {
                action: "StatusNotification".into(),
                payload_subset: json!({"status": "Finishing"}),
                direction: None,
            }],
            after: mark,
            timeout_ms: 100,
        })
        .unwrap_err();
    assert!(e.message().contains("Charging"), "{e}");
    let later = c.mark();
    let none = c.expect_none(ExpectNone {
        charge_point: None,
        action: "MeterValues".into(),
        after: later,
        during_ms: 150,
    });
    assert!(none.is_empty());
    drop(ws);
}

#[test]
fn offline_cuts_and_refuses_then_comes_back() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    rt.block_on(async {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        c.go_offline(Some(400));
        let end = tokio::time::timeout(STEP, ws.next()).await.unwrap();
        assert!(!matches!(end, Some(Ok(Message::Text(_)))), "{end:?}");
        refused(&format!("{url}/CP1"), &Dial::ocpp()).await;
        tokio::time::sleep(Duration::from_millis(450)).await;
        // Reconnecting needs no new BootNotification: the CSMS remembers the registration.
        let (mut ws, _) = connect(&format!("{url}/CP1"), &Dial::ocpp()).await.unwrap();
        let r = exchange(&mut ws, r#"[2,"h","Heartbeat",{}]"#).await;
        assert_eq!(r[0], json!(3), "{r}");
        c.go_offline(None);
        tokio::time::sleep(Duration::from_millis(100)).await;
        refused(&format!("{url}/CP1"), &Dial::ocpp()).await;
        c.go_online();
        connect(&format!("{url}/CP1"), &Dial::ocpp()).await.unwrap();
    });
    let kinds: Vec<String> = c.drain_record().into_iter().map(|o| o.kind).collect();
    assert!(kinds.iter().any(|k| k == "ws_refused_offline"), "{kinds:?}");
    assert!(c.violations(0).is_empty(), "{:?}", c.violations(0));
}

async fn http(port: u16, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(STEP, s.read_to_end(&mut out))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn file_server_serves_images_and_takes_uploads() {
    let c = csms(json!({}));
    let base = c.endpoint().file_server_url.unwrap();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    runtime().block_on(async {
        let good = http(port, b"GET /firmware/good.bin HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(good.starts_with("HTTP/1.1 200"), "{}", &good[..40]);
        let missing = http(port, b"GET /firmware/missing.bin HTTP/1.1\r\n\r\n").await;
        assert!(missing.starts_with("HTTP/1.1 404"));
        let up = http(
            port,
            b"PUT /diagnostics/diag.log HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        )
        .await;
        assert!(up.starts_with("HTTP/1.1 201"), "{up}");
        let chunked = http(
            port,
            b"POST /diagnostics/d2.zip HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
        )
        .await;
        assert!(chunked.starts_with("HTTP/1.1 201"), "{chunked}");
    });
    let t = c.file_transfers();
    assert_eq!(t.len(), 4);
    assert_eq!((t[3].method.as_str(), t[3].bytes), ("POST", 4));
    assert_eq!(
        (t[0].status, t[0].bytes as usize),
        (200, ocpp_csms::fileserver::good_image().len())
    );
    assert_eq!(
        (t[1].status, t[1].path.as_str()),
        (404, "/firmware/missing.bin")
    );
    assert_eq!(
        (t[2].method.as_str(), t[2].bytes, t[2].status),
        ("PUT", 5, 201)
    );
}

#[test]
fn unchecked_calls_are_sent_as_given_and_not_held_against_the_charge_point() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let client = rt.spawn(async move {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        tx.send(()).unwrap();
        let call = next_json(&mut ws).await;
        assert_eq!(call[3], json!({"type": "Warm"}));
        let reply = json!([4, call[1], "PropertyConstraintViolation", "type", {}]);
        ws.send(Message::Text(reply.to_string().into()))
            .await
            .unwrap();
        ws
    });
    rx.recv_timeout(STEP).unwrap();
    let out = c
        .send_call(SendCall {
            charge_point: Some("CP1".into()),
            action: "Reset".into(),
            payload: json!({"type": "Warm"}),
            timeout_ms: 3000,
            unchecked: true,
        })
        .unwrap();
    assert!(
        matches!(&out, CallOutcome::Error { code, .. } if code == "PropertyConstraintViolation"),
        "{out:?}"
    );
    assert!(c.violations(0).is_empty(), "{:?}", c.violations(0));
    drop(rt.block_on(client));
}

#[test]
fn closing_inside_an_async_context_does_not_panic() {
    runtime().block_on(async {
        let c = csms(json!({}));
        let mut c = std::sync::Arc::try_unwrap(c).ok().unwrap();
        c.close();
    });
}

#[test]
fn several_charge_points_on_one_instance() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let clients: Vec<_> = ["CP-A", "CP-B"]
        .into_iter()
        .map(|id| {
            let url = url.clone();
            let tx = tx.clone();
            rt.spawn(async move {
                let mut ws = boot(&url, id, &Dial::ocpp()).await;
                tx.send(()).unwrap();
                let call = next_json(&mut ws).await;
                let reply = json!([3, call[1], {"listVersion": if id == "CP-A" { 1 } else { 2 }}]);
                ws.send(Message::Text(reply.to_string().into()))
                    .await
                    .unwrap();
                ws
            })
        })
        .collect();
    rx.recv_timeout(STEP).unwrap();
    rx.recv_timeout(STEP).unwrap();
    let ask = |cp: Option<&str>| {
        c.send_call(SendCall {
            charge_point: cp.map(str::to_string),
            action: "GetLocalListVersion".into(),
            payload: json!({}),
            timeout_ms: 3000,
            unchecked: false,
        })
    };
    let e = ask(None).unwrap_err();
    assert!(e.message().contains("CP-A, CP-B"), "{e}");
    assert_eq!(
        ask(Some("CP-B")).unwrap(),
        CallOutcome::Result {
            payload: json!({"listVersion": 2})
        }
    );
    assert_eq!(
        ask(Some("CP-A")).unwrap(),
        CallOutcome::Result {
            payload: json!({"listVersion": 1})
        }
    );
    assert_eq!(c.connections().len(), 2);
    for client in clients {
        drop(rt.block_on(client));
    }
}

#[test]
fn a_call_fails_when_the_charge_point_drops_before_answering() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    let rt = runtime();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let client = rt.spawn(async move {
        let mut ws = boot(&url, "CP1", &Dial::ocpp()).await;
        tx.send(()).unwrap();
        let _call = next_json(&mut ws).await;
        drop(ws); // a power cut instead of an answer
    });
    rx.recv_timeout(STEP).unwrap();
    let e = c
        .send_call(SendCall {
            charge_point: Some("CP1".into()),
            action: "ClearCache".into(),
            payload: json!({}),
            timeout_ms: 5000,
            unchecked: false,
        })
        .unwrap_err();
    assert!(e.message().contains("closed before it answered"), "{e}");
    rt.block_on(client).unwrap();
    assert!(
        c.violations(0).is_empty(),
        "a dropped connection is no violation"
    );
}

//! The state machine behind a real WebSocket on loopback: a minimal shell in
//! the test drives `ChargePoint` against a scripted CSMS server (also in the
//! test), with the wall clock as time source.

use std::time::Duration;

use chrono::Utc;
use futures_util::{SinkExt, StreamExt};
use ocpp_charge_point::transport::connection_url;
use ocpp_charge_point::{ChargePoint, Output, Settings, StoredState};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type ServerWs = WebSocketStream<TcpStream>;

/// The minimal shell: WebSocket in, frames out, timers from poll_timeout.
async fn run_charge_point(url: String) -> Result<(), String> {
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "ocpp1.6".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut cp = ChargePoint::new(
        Settings::wallbox("WS-1", "1.0"),
        &StoredState::default(),
        Utc::now(),
    );
    cp.on_connected(Utc::now());
    loop {
        while let Some(out) = cp.poll_output() {
            if let Output::SendFrame(text) = out {
                ws.send(Message::Text(text.into()))
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        let wait = cp
            .poll_timeout()
            .and_then(|t| (t - Utc::now()).to_std().ok())
            .unwrap_or(Duration::from_millis(10))
            .min(Duration::from_secs(1));
        tokio::select! {
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(text))) => cp.on_text_frame(Utc::now(), text.as_str()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    cp.on_disconnected(Utc::now());
                    return Ok(());
                }
                Some(Ok(_)) => {}
            },
            _ = tokio::time::sleep(wait) => cp.on_timeout(Utc::now()),
        }
    }
}

async fn recv(ws: &mut ServerWs) -> Value {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                return serde_json::from_str(t.as_str()).expect("charge point sent JSON")
            }
            Some(Ok(_)) => continue,
            other => panic!("connection ended: {other:?}"),
        }
    }
}

async fn send(ws: &mut ServerWs, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Handshake check: path with the percent-encoded identity, subprotocol echoed.
// The error type is fixed by tungstenite's callback signature.
#[allow(clippy::result_large_err)]
fn handshake(req: &Request, mut resp: Response) -> Result<Response, ErrorResponse> {
    assert_eq!(req.uri().path(), "/ocpp/WS%201");
    let offered = req
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(offered.contains("ocpp1.6"));
    resp.headers_mut()
        .insert("Sec-WebSocket-Protocol", "ocpp1.6".parse().unwrap());
    Ok(resp)
}

async fn csms_script(listener: TcpListener) {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_hdr_async(tcp, handshake)
        .await
        .unwrap();

    let boot = recv(&mut ws).await;
    assert_eq!(boot[2], "BootNotification");
    assert_eq!(boot[3]["chargePointSerialNumber"], "WS-1");
    send(
        &mut ws,
        json!([3, boot[1], {"status": "Accepted", "currentTime": Utc::now(), "interval": 300}]),
    )
    .await;
    for connector in [0, 1] {
        let status = recv(&mut ws).await;
        assert_eq!(status[2], "StatusNotification");
        assert_eq!(status[3]["connectorId"], connector);
        assert_eq!(status[3]["status"], "Available");
        send(&mut ws, json!([3, status[1], {}])).await;
    }
    send(
        &mut ws,
        json!([2, "s1", "GetConfiguration", {"key": ["NumberOfConnectors"]}]),
    )
    .await;
    let answer = recv(&mut ws).await;
    assert_eq!((&answer[0], &answer[1]), (&json!(3), &json!("s1")));
    assert_eq!(answer[2]["configurationKey"][0]["value"], "1");
    send(&mut ws, json!([2, "s2", "Reset", {}])).await;
    let answer = recv(&mut ws).await;
    assert_eq!(
        answer,
        json!([4, "s2", "OccurenceConstraintViolation", answer[3], {}])
    );
    ws.send(Message::Close(None)).await.unwrap();
}

#[tokio::test]
async fn boots_and_answers_over_a_real_websocket() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(csms_script(listener));
    // The identity "WS 1" is percent-encoded in the URL.
    let client = run_charge_point(connection_url(
        &format!("ws://127.0.0.1:{port}/ocpp"),
        "WS 1",
    ));
    let result = tokio::time::timeout(Duration::from_secs(10), async {
        let (c, s) = tokio::join!(client, server);
        (c, s)
    })
    .await
    .expect("exchange did not finish within 10 s");
    result.1.expect("CSMS script failed");
    result.0.expect("charge point shell failed");
}

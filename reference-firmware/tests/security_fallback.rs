//! A security profile upgrade that cannot connect falls back (security whitepaper): the CSMS
//! written here speaks only plain ws; it raises the charger to profile 2 with
//! ChangeConfiguration; the charger's wss attempts fail, it goes back to profile 1, boots again
//! over ws and reports SecurityProfile 1.

mod common;

use common::firmware_thread::FirmwareThread;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reference_firmware::core::{ChargerConfig, Stored, Variant};
use reference_firmware::shell::ocpp_link::OcppLinkConfig;
use reference_firmware::shell::runtime::{RunConfig, Services};
use reference_firmware::shell::storage::StateDir;
use reference_firmware::shell::unit_config::{ConnectionSettings, UnitConfig};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// Any well-formed certificate: the charger needs a CA to try wss at all.
const SOME_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIBcjCCARcCAhAAMAoGCCqGSM49BAMCMEQxHDAaBgNVBAoME0NvbmZvcm1hbmNl\nIEhhcm5lc3MxJDAiBgNVBAMMG0V4cGlyZWQgQ2VudHJhbCBTeXN0ZW0gUm9vdDAe\nFw0yMDAxMDEwMDAwMDBaFw0yMTAxMDEwMDAwMDBaMEQxHDAaBgNVBAoME0NvbmZv\ncm1hbmNlIEhhcm5lc3MxJDAiBgNVBAMMG0V4cGlyZWQgQ2VudHJhbCBTeXN0ZW0g\nUm9vdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE1ECmpjgdL1NrVPrZ0wpAID\nQBRXYUrWf3Xfub7zaT01382fVgszKUdeVts3vn9dOKYp9q/AqbTGYPjaCrDpSgUw\nCgYIKoZIzj0EAwIDSQAwRgIhAJb9wtBAggjDncHk5QbhY6TrzSdt+TigcClaWGXR\nRF2DAiEAxhtAJ79ccjajmQ2fb/Zc83DxJTIxLvHBLKwceg8GmSM=\n-----END CERTIFICATE-----\n";

#[derive(Debug)]
enum Seen {
    /// A WebSocket connection was accepted (plain ws).
    Connected,
    /// A connection that was not a WebSocket handshake (a TLS attempt).
    Refused,
    Call(String),
    /// The charger's answer to a CALL of the CSMS.
    Result(Value),
}

// The handshake callback's error type is tungstenite's (large) HTTP response.
#[allow(clippy::result_large_err)]
/// A ws-only CSMS: answers Boot (Accepted) and everything else with `{}`; after the first
/// boot it sends ChangeConfiguration SecurityProfile=2, after any later boot GetConfiguration.
async fn csms() -> (String, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ocpp", listener.local_addr().unwrap());
    let (seen_tx, seen_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut boots = 0;
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let callback = |_: &Request, mut resp: Response| {
                resp.headers_mut().insert(
                    "Sec-WebSocket-Protocol",
                    HeaderValue::from_static("ocpp1.6"),
                );
                Ok(resp)
            };
            let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
                let _ = seen_tx.send(Seen::Refused);
                continue;
            };
            let _ = seen_tx.send(Seen::Connected);
            while let Some(Ok(Message::Text(text))) = ws.next().await {
                let frame: Value = serde_json::from_str(&text).unwrap();
                if frame[0] == 3 {
                    let _ = seen_tx.send(Seen::Result(frame[2].clone()));
                    continue;
                }
                if frame[0] != 2 {
                    continue;
                }
                let action = frame[2].as_str().unwrap().to_string();
                let _ = seen_tx.send(Seen::Call(action.clone()));
                let answer = match action.as_str() {
                    "BootNotification" => json!({"status": "Accepted",
                        "currentTime": chrono::Utc::now().to_rfc3339(), "interval": 300}),
                    _ => json!({}),
                };
                let reply = json!([3, frame[1], answer]).to_string();
                if ws.send(Message::Text(reply.into())).await.is_err() {
                    break;
                }
                if action == "BootNotification" {
                    boots += 1;
                    let call = if boots == 1 {
                        json!([2, "up", "ChangeConfiguration",
                            {"key": "SecurityProfile", "value": "2"}])
                    } else {
                        json!([2, "get", "GetConfiguration", {"key": ["SecurityProfile"]}])
                    };
                    if ws
                        .send(Message::Text(call.to_string().into()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    (url, seen_rx)
}

async fn next(seen: &mut mpsc::UnboundedReceiver<Seen>, what: &str) -> Seen {
    tokio::time::timeout(Duration::from_secs(20), seen.recv())
        .await
        .unwrap_or_else(|_| panic!("waiting for {what}: nothing within 20 s"))
        .expect("CSMS ended")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrade_that_cannot_connect_falls_back_to_the_previous_profile() {
    let (url, mut seen) = csms().await;
    let rig = rig_sim::Rig::start(rig_sim::RigConfig {
        serial: "T9".into(),
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let variant = Variant::from_product_number(130577).unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let key = "FallbackKey-0123456";
    UnitConfig::new(dir.path())
        .save_connection(&ConnectionSettings {
            csms_url: Some(url.clone()),
            charge_point_id: Some("CP9".into()),
            authorization_key: Some(key.into()),
            security_profile: 1,
        })
        .unwrap();
    let mut link = OcppLinkConfig::new(&url, "CP9", &variant, "T9", dir.path());
    link.reconnect_min = Duration::from_millis(100);
    link.authorization_key = Some(key.into());
    link.security_profile = 1;
    link.ca_pem = Some(SOME_CA.as_bytes().to_vec());
    let services = Services {
        ocpp: Some(link),
        ui: None,
    };
    let cfg = RunConfig {
        charger: ChargerConfig::new(variant),
        stored: Stored::default(),
        state,
        csms: None,
        print_ready: false,
    };
    let firmware = FirmwareThread::start(cfg, services, &rig.paths().board.to_string_lossy());

    // First connection, boot, the upgrade is accepted.
    let mut refused = 0;
    let mut connections = 0;
    let mut boots = 0;
    let mut upgrade_answer = None;
    let mut profile_read = None;
    while profile_read.is_none() {
        match next(&mut seen, "the fallback").await {
            Seen::Connected => connections += 1,
            Seen::Refused => refused += 1,
            Seen::Call(a) if a == "BootNotification" => boots += 1,
            Seen::Call(_) => {}
            Seen::Result(r) if r.get("status").is_some() => upgrade_answer = Some(r),
            Seen::Result(r) => profile_read = Some(r),
        }
    }
    assert_eq!(upgrade_answer.unwrap()["status"], "Accepted");
    assert!(refused >= 3, "wss attempts before the fallback: {refused}");
    assert_eq!(
        connections, 2,
        "the first connection and the one after the fallback"
    );
    assert_eq!(boots, 2, "the reconnection boots again");
    let keys = profile_read.unwrap()["configurationKey"].clone();
    assert_eq!(keys[0]["key"], "SecurityProfile");
    assert_eq!(keys[0]["value"], "1", "{keys}");
    // The fallback is stored: the next start uses profile 1 over ws again.
    let stored = UnitConfig::new(dir.path()).connection().unwrap();
    assert_eq!(stored.security_profile, 1);
    assert_eq!(stored.csms_url.as_deref(), Some(url.as_str()));

    firmware.stop().unwrap();
    drop(rig);
}

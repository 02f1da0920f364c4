//! The firmware's OCPP link end to end, against a CSMS written here (not the harness's plugin):
//! the real runtime, the charging core, the OCPP charge point and the transport, with the
//! emulated bench (rig-sim, in-process) as power board, vehicle and RFID card. Boot, heartbeat,
//! a plug-in + RFID session with StartTransaction/StopTransaction, a reconnection after the
//! CSMS drops the connection, and the local interface's backend through `ui::Client`.

mod common;

use common::firmware_thread::FirmwareThread;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use reference_firmware::core::{ChargerConfig, Stored, Variant};
use reference_firmware::shell::ocpp_link::OcppLinkConfig;
use reference_firmware::shell::runtime::{RunConfig, RunEnd, Services};
use reference_firmware::shell::storage::StateDir;
use reference_firmware::shell::ui_backend::UiService;
use reference_firmware::shell::unit_config::{ConnectionSettings, UnitConfig};
use reference_firmware::ui;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

const PIN: &str = "424242";

/// What the test CSMS saw.
#[derive(Debug)]
enum Seen {
    Connected { path: String },
    Call { action: String, payload: Value },
}

// The handshake callback's error type is tungstenite's (large) HTTP response.
#[allow(clippy::result_large_err)]
/// A CSMS that accepts everything: Boot Accepted with a 1 s heartbeat, Authorize Accepted,
/// transaction id 42. A message on `drop_rx` closes the current connection.
async fn csms() -> (
    String,
    mpsc::UnboundedReceiver<Seen>,
    mpsc::UnboundedSender<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ocpp", listener.local_addr().unwrap());
    let (seen_tx, seen_rx) = mpsc::unbounded_channel();
    let (drop_tx, mut drop_rx) = mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let seen = seen_tx.clone();
            let callback = |req: &Request, mut resp: Response| {
                let _ = seen.send(Seen::Connected {
                    path: req.uri().path().to_string(),
                });
                resp.headers_mut().insert(
                    "Sec-WebSocket-Protocol",
                    HeaderValue::from_static("ocpp1.6"),
                );
                Ok(resp)
            };
            let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
                continue;
            };
            loop {
                tokio::select! {
                    m = ws.next() => {
                        let Some(Ok(Message::Text(text))) = m else { break };
                        let frame: Value = serde_json::from_str(&text).unwrap();
                        if frame[0] != 2 {
                            continue;
                        }
                        let action = frame[2].as_str().unwrap().to_string();
                        let now = chrono::Utc::now().to_rfc3339();
                        let answer = match action.as_str() {
                            "BootNotification" => json!({"status": "Accepted",
                                "currentTime": now, "interval": 1}),
                            "Heartbeat" => json!({"currentTime": now}),
                            "Authorize" => json!({"idTagInfo": {"status": "Accepted"}}),
                            "StartTransaction" => json!({"transactionId": 42,
                                "idTagInfo": {"status": "Accepted"}}),
                            _ => json!({}),
                        };
                        let _ = seen.send(Seen::Call { action, payload: frame[3].clone() });
                        let reply = json!([3, frame[1], answer]).to_string();
                        if ws.send(Message::Text(reply.into())).await.is_err() {
                            break;
                        }
                    }
                    _ = drop_rx.recv() => {
                        let _ = ws.close(None).await;
                        break;
                    }
                }
            }
        }
    });
    (url, seen_rx, drop_tx)
}

/// Waits for a call of `action` matching `pred`, skipping others.
async fn expect_call(
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    action: &str,
    within: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    let mut skipped = Vec::new();
    loop {
        let item = tokio::time::timeout_at(deadline, seen.recv())
            .await
            .unwrap_or_else(|_| panic!("no matching {action} within {within:?}; saw {skipped:?}"))
            .expect("CSMS ended");
        match item {
            Seen::Call { action: a, payload } if a == action && pred(&payload) => return payload,
            other => skipped.push(other),
        }
    }
}

async fn expect_connection(seen: &mut mpsc::UnboundedReceiver<Seen>, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let item = tokio::time::timeout_at(deadline, seen.recv())
            .await
            .expect("no connection in time")
            .expect("CSMS ended");
        if let Seen::Connected { path } = item {
            return path;
        }
    }
}

/// One line command to a rig-sim instrument terminal; the reply line.
fn instrument(path: &std::path::Path, command: &str) -> String {
    let mut port = serialport::new(path.to_string_lossy(), 115_200)
        .timeout(Duration::from_secs(2))
        .open_native()
        .unwrap();
    port.write_all(format!("{command}\r\n").as_bytes()).unwrap();
    let mut reader = BufReader::new(port);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim().to_string()
}

fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_over_the_ocpp_link_with_reconnection_and_the_local_interface() {
    let (url, mut seen, drop_connection) = csms().await;
    let rig = rig_sim::Rig::start(rig_sim::RigConfig {
        serial: "T1".into(),
        ..Default::default()
    })
    .unwrap();
    let paths = rig.paths().clone();
    let dir = tempfile::tempdir().unwrap();
    let variant = Variant::from_product_number(130577).unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    UnitConfig::new(dir.path())
        .save_connection(&ConnectionSettings {
            csms_url: Some(url.clone()),
            charge_point_id: Some("CP 1".into()),
            ..Default::default()
        })
        .unwrap();
    let mut link = OcppLinkConfig::new(&url, "CP 1", &variant, "T1", dir.path());
    link.reconnect_min = Duration::from_millis(100);
    let ui_addr = free_port();
    let services = Services {
        ocpp: Some(link),
        ui: Some(UiService {
            listen: ui_addr,
            serial: "T1".into(),
            pin: Some(PIN.into()),
            ap_window: Duration::from_secs(600),
            options: None,
        }),
    };
    let cfg = RunConfig {
        charger: ChargerConfig::new(variant),
        stored: Stored::default(),
        state,
        csms: None,
        print_ready: false,
    };
    let firmware = FirmwareThread::start(cfg, services, &paths.board.to_string_lossy());

    // Boot and heartbeat; the identity is percent-encoded in the URL.
    assert_eq!(
        expect_connection(&mut seen, Duration::from_secs(10)).await,
        "/ocpp/CP%201"
    );
    let boot = expect_call(
        &mut seen,
        "BootNotification",
        Duration::from_secs(10),
        |_| true,
    )
    .await;
    assert_eq!(boot["chargePointSerialNumber"], "T1");
    expect_call(
        &mut seen,
        "StatusNotification",
        Duration::from_secs(10),
        |p| p["connectorId"] == 1 && p["status"] == "Available",
    )
    .await;
    expect_call(&mut seen, "Heartbeat", Duration::from_secs(5), |_| true).await;

    // The vehicle plugs in, the driver presents a card: Authorize, StartTransaction, Charging.
    assert_eq!(instrument(&paths.ev, "PLUG TETHERED"), "OK");
    expect_call(
        &mut seen,
        "StatusNotification",
        Duration::from_secs(10),
        |p| p["status"] == "Preparing",
    )
    .await;
    assert!(instrument(&paths.rfid, "CONFIG=MF_CLASSIC_1K").starts_with("100"));
    assert!(instrument(&paths.rfid, "UID=DEADBEEF").starts_with("100"));
    expect_call(&mut seen, "Authorize", Duration::from_secs(5), |p| {
        p["idTag"] == "DEADBEEF"
    })
    .await;
    let start = expect_call(
        &mut seen,
        "StartTransaction",
        Duration::from_secs(5),
        |_| true,
    )
    .await;
    assert_eq!(start["idTag"], "DEADBEEF");
    assert_eq!(start["connectorId"], 1);
    assert_eq!(instrument(&paths.ev, "STATE C"), "OK");
    expect_call(
        &mut seen,
        "StatusNotification",
        Duration::from_secs(15),
        |p| p["status"] == "Charging",
    )
    .await;

    // The local interface: logged in, it shows the connection; a new maximum current is taken.
    let mut client = ui::Client::new(ui_addr, Duration::from_secs(5));
    assert_eq!(client.login(PIN).await.unwrap().status, 200);
    let status = client.request("GET", "/api/status", None).await.unwrap();
    assert_eq!(
        status.body["ocpp"]["connection"], "connected",
        "{:?}",
        status.body
    );
    assert_eq!(status.body["serial"], "T1");
    let put = client
        .request(
            "PUT",
            "/api/installation",
            Some(
                &json!({"max_current_a": 10, "fuse_rating_a": 16, "phases": 3,
                         "earthing": "TN"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(put.status, 200, "{:?}", put.body);
    let refused = client
        .request(
            "PUT",
            "/api/installation",
            Some(
                &json!({"max_current_a": 40, "fuse_rating_a": 16, "phases": 3,
                         "earthing": "TN"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 422);
    assert!(
        refused.error().contains("max_current_a 40"),
        "{}",
        refused.error()
    );
    let inst = client
        .request("GET", "/api/installation", None)
        .await
        .unwrap();
    assert_eq!(inst.body["max_current_a"], 10);
    let cards = client.request("GET", "/api/rfid", None).await.unwrap();
    assert_eq!(cards.body["csms_configured"], true);
    // The duty cycle follows the new maximum (10 A → 16.7 %) at the vehicle.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let meas = instrument(&paths.ev, "MEAS?");
        let duty: f64 = meas.split_whitespace().nth(4).unwrap().parse().unwrap();
        if (duty - 16.7).abs() < 0.3 {
            break;
        }
        assert!(Instant::now() < deadline, "duty still {duty} %: {meas}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The CSMS drops the connection: the firmware comes back by itself.
    drop_connection.send(()).unwrap();
    expect_connection(&mut seen, Duration::from_secs(10)).await;
    expect_call(&mut seen, "Heartbeat", Duration::from_secs(10), |_| true).await;

    // Unplugging ends the transaction.
    assert_eq!(instrument(&paths.ev, "UNPLUG"), "OK");
    let stop = expect_call(
        &mut seen,
        "StopTransaction",
        Duration::from_secs(10),
        |_| true,
    )
    .await;
    assert_eq!(stop["transactionId"], 42);
    assert_eq!(stop["reason"], "EVDisconnected");

    let end = firmware.stop().unwrap();
    assert_eq!(end, RunEnd::Shutdown);
    // What the charge point stored is in the state directory.
    assert!(dir.path().join("ocpp").join("config.json").exists());
    drop(rig);
}

//! The local interface's backend in the running firmware, through `ui::Client`: offline cards
//! reach the charging core (a listed card starts a session without a CSMS), new OCPP settings
//! are stored and restart the unit within 10 s, and a factory reset wipes configuration, cards
//! and credentials but keeps the energy register and the provisioning.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reference_firmware::core::{ChargerConfig, Event, Variant};
use reference_firmware::shell::board::BoardPort;
use reference_firmware::shell::runtime::{run_with, CoreHandle, RunConfig, RunEnd, Services};
use reference_firmware::shell::storage::StateDir;
use reference_firmware::shell::ui_backend::UiService;
use reference_firmware::shell::unit_config::{Provisioning, UnitConfig};
use reference_firmware::ui;
use serde_json::json;

const PIN: &str = "135790";

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn instrument(path: &std::path::Path, command: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut port = serialport::new(path.to_string_lossy(), 115_200)
        .timeout(Duration::from_secs(2))
        .open_native()
        .unwrap();
    port.write_all(format!("{command}\r\n").as_bytes()).unwrap();
    let mut line = String::new();
    BufReader::new(port).read_line(&mut line).unwrap();
    line.trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_ocpp_settings_and_factory_reset_through_the_json_api() {
    let rig = rig_sim::Rig::start(rig_sim::RigConfig {
        serial: "2207001234567".into(),
        ..Default::default()
    })
    .unwrap();
    let paths = rig.paths().clone();
    let dir = tempfile::tempdir().unwrap();
    let unit = UnitConfig::new(dir.path());
    unit.save_provisioning(&Provisioning {
        serial: "2207001234567".into(),
        pin: Some(PIN.into()),
    })
    .unwrap();
    std::fs::write(dir.path().join("energy.json"), b"{\"energy_mwh\": 5000}").unwrap();
    let addr = free_port();
    let services = Services {
        ocpp: None,
        ui: Some(UiService {
            listen: addr,
            serial: "2207001234567".into(),
            pin: Some(PIN.into()),
            ap_window: Duration::from_secs(600),
            options: None,
        }),
    };
    let state = StateDir::open(dir.path()).unwrap();
    let cfg = RunConfig {
        charger: ChargerConfig::new(Variant::from_product_number(130577).unwrap()),
        stored: state.load_stored().unwrap(),
        state,
        csms: None,
        print_ready: false,
    };
    let port = BoardPort::open(&paths.board.to_string_lossy()).unwrap();
    let (handle, input_rx) = CoreHandle::new();
    let mut events = handle.events.subscribe();
    let firmware = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(run_with(
            cfg,
            services,
            port,
            (handle, input_rx),
            std::future::pending::<()>(),
        ))
    });
    let mut client = ui::Client::new(addr, Duration::from_secs(5));
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.login(PIN).await.is_err() {
        assert!(Instant::now() < deadline, "the interface did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = client.request("GET", "/api/status", None).await.unwrap();
    assert_eq!(
        status.body["network"]["access_point"]["ssid"],
        "HALO_234567M"
    );
    assert_eq!(status.body["ocpp"]["connection"], "not_configured");

    // An offline card: added, listed, and it starts a session at the charger.
    let added = client
        .request("POST", "/api/rfid", Some(&json!({"uid": "04:a2:2b:1a"})))
        .await
        .unwrap();
    assert_eq!(added.status, 201, "{:?}", added.body);
    let again = client
        .request("POST", "/api/rfid", Some(&json!({"uid": "04A22B1A"})))
        .await
        .unwrap();
    assert_eq!(again.status, 422);
    let cards = client.request("GET", "/api/rfid", None).await.unwrap();
    assert_eq!(cards.body["cards"], json!(["04A22B1A"]));
    assert_eq!(cards.body["csms_configured"], false);
    assert_eq!(instrument(&paths.ev, "PLUG TETHERED"), "OK");
    assert!(instrument(&paths.rfid, "CONFIG=MF_CLASSIC_1K").starts_with("100"));
    assert!(instrument(&paths.rfid, "UID=04A22B1A").starts_with("100"));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match events.try_recv() {
            Ok(Event::SessionStarted { id_tag, .. }) => {
                assert_eq!(id_tag, "04A22B1A");
                break;
            }
            Ok(_) => {}
            Err(_) => {
                assert!(Instant::now() < deadline, "no session for the offline card");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    assert!(dir.path().join("offline-cards.json").exists());

    // OCPP settings: stored at once, then the unit restarts.
    let saved = client
        .request(
            "PUT",
            "/api/ocpp",
            Some(
                &json!({"csms_url": "ws://127.0.0.1:9/ocpp", "charge_point_id": "HALO-1",
                         "authorization_key": "0123456789abcdef"}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(saved.status, 202, "{:?}", saved.body);
    let conn = unit.connection().unwrap();
    assert_eq!(conn.csms_url.as_deref(), Some("ws://127.0.0.1:9/ocpp"));
    assert_eq!(conn.authorization_key.as_deref(), Some("0123456789abcdef"));
    let ocpp = client.request("GET", "/api/ocpp", None).await.unwrap();
    assert_eq!(ocpp.body["authorization_key_set"], true);
    assert!(ocpp.body.get("authorization_key").is_none());
    let started = Instant::now();
    let end = tokio::task::spawn_blocking(move || firmware.join().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(end, RunEnd::Restart { .. }), "{end:?}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // Factory reset (what the backend does, checked on the state directory).
    unit.factory_wipe().unwrap();
    assert!(unit.connection().unwrap().csms_url.is_none());
    assert!(!dir.path().join("offline-cards.json").exists());
    assert!(dir.path().join("energy.json").exists());
    assert_eq!(
        unit.provisioning().unwrap().unwrap().pin.as_deref(),
        Some(PIN)
    );
    drop(rig);
}

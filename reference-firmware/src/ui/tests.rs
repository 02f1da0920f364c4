//! Integration-style tests: the real server on 127.0.0.1:0, a fake backend, raw HTTP requests.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

const PIN: &str = "4711-0815";
const SERIAL: &str = "2207001234567";

#[derive(Debug, Clone, PartialEq)]
struct FakeState {
    wifi: Option<WifiJoin>,
    installation: Installation,
    cards: Vec<String>,
    csms_url: Option<String>,
    charge_point_id: String,
    authorization_key: Option<String>,
    energy_wh: u64,
    factory_resets: u32,
    ocpp_restarts: u32,
    lan_link_up: bool,
}

/// Stands in for the firmware: validates like a 16 A three-phase variant with LAN.
struct FakeBackend {
    pin: Option<String>,
    ap: AccessPointHandle,
    delay: Duration,
    state: Mutex<FakeState>,
}

impl FakeBackend {
    fn new(pin: Option<&str>, clock: Clock, ap_window: Duration) -> FakeBackend {
        FakeBackend {
            pin: pin.map(str::to_string),
            ap: AccessPointHandle::power_on(clock, SERIAL, pin, ap_window),
            delay: Duration::ZERO,
            state: Mutex::new(FakeState {
                wifi: None,
                installation: Installation {
                    max_current_a: 16,
                    fuse_rating_a: 16,
                    phases: 3,
                    earthing: Earthing::TN,
                },
                cards: vec!["04A22B1A".into()],
                csms_url: None,
                charge_point_id: "HALO-234567".into(),
                authorization_key: None,
                energy_wh: 123_456,
                factory_resets: 0,
                ocpp_restarts: 0,
                lan_link_up: false,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap()
    }

    fn snapshot(&self) -> FakeState {
        self.state().clone()
    }
}

impl Backend for FakeBackend {
    fn pin(&self) -> Option<String> {
        std::thread::sleep(self.delay);
        self.pin.clone()
    }

    fn status(&self) -> Status {
        let s = self.state();
        Status {
            serial: SERIAL.into(),
            product_number: 130577,
            firmware_version: "1.2.3".into(),
            network: NetworkStatus {
                access_point: self.ap.status(),
                ethernet: Some(EthernetStatus {
                    link_up: s.lan_link_up,
                    ip: s.lan_link_up.then(|| "10.1.2.3".parse().unwrap()),
                }),
                wifi: WifiStatus {
                    ssid: s.wifi.as_ref().map(|w| w.ssid.clone()),
                    security: s.wifi.as_ref().map(|w| w.security),
                    connected: false,
                    ip: None,
                },
            },
            ocpp: OcppStatus {
                csms_url: s.csms_url.clone(),
                connection: if s.csms_url.is_some() {
                    OcppConnection::Connecting
                } else {
                    OcppConnection::NotConfigured
                },
            },
            energy_wh: s.energy_wh,
        }
    }

    fn join_wifi(&self, request: &WifiJoin) -> Result<(), String> {
        self.state().wifi = Some(request.clone());
        Ok(())
    }

    fn installation(&self) -> Installation {
        self.state().installation
    }

    fn set_installation(&self, new: &Installation) -> Result<(), String> {
        if !(6..=16).contains(&new.max_current_a) {
            return Err(format!(
                "max_current_a {} is outside 6..=16 A (the rating of product 130577)",
                new.max_current_a
            ));
        }
        if new.phases != 1 && new.phases != 3 {
            return Err(format!("phases {} must be 1 or 3", new.phases));
        }
        if new.max_current_a > new.fuse_rating_a {
            return Err(format!(
                "max_current_a {} exceeds the fuse rating {} A",
                new.max_current_a, new.fuse_rating_a
            ));
        }
        self.state().installation = *new;
        Ok(())
    }

    fn rfid_cards(&self) -> RfidCards {
        let s = self.state();
        RfidCards {
            cards: s.cards.clone(),
            csms_configured: s.csms_url.is_some(),
        }
    }

    fn add_rfid_card(&self, uid: &str) -> Result<(), String> {
        let mut s = self.state();
        if s.cards.iter().any(|c| c == uid) {
            return Err(format!("card {uid} is already in the list"));
        }
        s.cards.push(uid.to_string());
        Ok(())
    }

    fn remove_rfid_card(&self, uid: &str) -> Result<(), String> {
        let mut s = self.state();
        let before = s.cards.len();
        s.cards.retain(|c| c != uid);
        if s.cards.len() == before {
            return Err(format!("no card {uid}"));
        }
        Ok(())
    }

    fn ocpp_settings(&self) -> OcppSettings {
        let s = self.state();
        OcppSettings {
            csms_url: s.csms_url.clone(),
            charge_point_id: s.charge_point_id.clone(),
            authorization_key_set: s.authorization_key.is_some(),
        }
    }

    fn set_ocpp_settings(&self, new: &OcppSettingsUpdate) -> Result<(), String> {
        let mut s = self.state();
        s.csms_url = Some(new.csms_url.clone());
        s.charge_point_id = new.charge_point_id.clone();
        match &new.authorization_key {
            KeyChange::Keep => {}
            KeyChange::Set(k) => s.authorization_key = Some(k.clone()),
            KeyChange::Clear => s.authorization_key = None,
        }
        s.ocpp_restarts += 1;
        Ok(())
    }

    fn factory_reset(&self) -> Result<(), String> {
        let mut s = self.state();
        s.wifi = None;
        s.cards.clear();
        s.csms_url = None;
        s.authorization_key = None;
        s.installation = Installation {
            max_current_a: 16,
            fuse_rating_a: 16,
            phases: 3,
            earthing: Earthing::TN,
        };
        s.factory_resets += 1;
        Ok(())
    }
}

struct Server {
    addr: SocketAddr,
    backend: Arc<FakeBackend>,
    clock: Clock,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_with(
    pin: Option<&str>,
    configure: impl FnOnce(&mut UiOptions),
    backend_delay: Duration,
) -> Server {
    let clock = Clock::manual();
    let mut backend = FakeBackend::new(pin, clock.clone(), DEFAULT_WINDOW);
    backend.delay = backend_delay;
    let backend = Arc::new(backend);
    let mut options = UiOptions {
        clock: clock.clone(),
        ..UiOptions::default()
    };
    configure(&mut options);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = serve(listener, backend.clone(), options);
    Server {
        addr,
        backend,
        clock,
        task,
    }
}

async fn start() -> Server {
    start_with(Some(PIN), |_| {}, Duration::ZERO).await
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

async fn send_raw(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    read_reply(&mut stream).await
}

async fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .expect("reply within 10 s")
        .expect("readable reply");
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_string(), v.to_string())
        })
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A request with optional session cookie, CSRF header and content type.
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    session: Option<&Session>,
    content_type: Option<&str>,
    body: &str,
) -> Reply {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    if let Some(s) = session {
        raw.push_str(&format!("Cookie: {SESSION_COOKIE}={}\r\n", s.cookie));
        if let Some(csrf) = &s.csrf {
            raw.push_str(&format!("X-CSRF-Token: {csrf}\r\n"));
        }
    }
    if let Some(ct) = content_type {
        raw.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    send_raw(addr, raw.as_bytes()).await
}

#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: Option<String>,
}

impl Session {
    fn without_csrf(&self) -> Session {
        Session {
            cookie: self.cookie.clone(),
            csrf: None,
        }
    }

    fn with_csrf(&self, csrf: &str) -> Session {
        Session {
            cookie: self.cookie.clone(),
            csrf: Some(csrf.to_string()),
        }
    }

    fn token(&self) -> &str {
        self.csrf.as_deref().unwrap()
    }
}

async fn api(
    addr: SocketAddr,
    method: &str,
    path: &str,
    s: Option<&Session>,
    body: Value,
) -> Reply {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    call(addr, method, path, s, Some("application/json"), &body).await
}

async fn form(addr: SocketAddr, path: &str, s: Option<&Session>, fields: &[(&str, &str)]) -> Reply {
    let body: Vec<String> = fields
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect();
    let session = s.map(Session::without_csrf);
    call(
        addr,
        "POST",
        path,
        session.as_ref(),
        Some("application/x-www-form-urlencoded"),
        &body.join("&"),
    )
    .await
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn cookie_of(reply: &Reply) -> String {
    let set = reply.header("Set-Cookie").expect("Set-Cookie");
    set.split(';')
        .next()
        .unwrap()
        .strip_prefix(&format!("{SESSION_COOKIE}="))
        .unwrap()
        .to_string()
}

async fn login(addr: SocketAddr) -> Session {
    let reply = api(addr, "POST", "/api/login", None, json!({ "pin": PIN })).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    Session {
        cookie: cookie_of(&reply),
        csrf: Some(reply.json()["csrf_token"].as_str().unwrap().to_string()),
    }
}

/// The token embedded in an HTML page's hidden field.
fn page_token(html: &str) -> String {
    let marker = format!("name=\"{CSRF_FIELD}\" value=\"");
    let start = html.find(&marker).expect("a csrf field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// Login, lock-out, sessions

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_the_session_works() {
    let server = start().await;
    let reply = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(reply.status, 200);
    let cookie = reply.header("Set-Cookie").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Max-Age=900"), "{cookie}");
    assert_eq!(reply.json()["expires_in_s"], 900);
    let session = Session {
        cookie: cookie_of(&reply),
        csrf: None,
    };
    let status = api(
        server.addr,
        "GET",
        "/api/status",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(status.status, 200);
    let status = status.json();
    assert_eq!(status["serial"], SERIAL);
    assert_eq!(status["energy_wh"], 123_456);
    assert_eq!(status["network"]["access_point"]["ssid"], "HALO_234567M");
    assert_eq!(status["network"]["access_point"]["active"], true);
    assert_eq!(
        status["network"]["access_point"]["address"],
        "192.168.250.1"
    );
}

#[tokio::test]
async fn reads_without_a_session_are_refused() {
    let server = start().await;
    for path in [
        "/api/status",
        "/api/installation",
        "/api/rfid",
        "/api/ocpp",
        "/api/wifi",
    ] {
        let reply = api(server.addr, "GET", path, None, Value::Null).await;
        assert_eq!(reply.status, 401, "{path}");
        assert!(reply.error().contains("not logged in"), "{path}");
    }
    let forged = Session {
        cookie: "made-up".into(),
        csrf: None,
    };
    let reply = api(
        server.addr,
        "GET",
        "/api/status",
        Some(&forged),
        Value::Null,
    )
    .await;
    assert_eq!(reply.status, 401);
    let page = call(server.addr, "GET", "/installation", None, None, "").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("Location"), Some("/login"));
}

#[tokio::test]
async fn wrong_pin_is_refused_with_the_attempts_left() {
    let server = start().await;
    let reply = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": "0000" }),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert!(reply.header("Set-Cookie").is_none());
    assert!(
        reply.error().contains("wrong PIN; 4 more"),
        "{}",
        reply.error()
    );
    let page = form(server.addr, "/login", None, &[("pin", "1111")]).await;
    assert_eq!(page.status, 401);
    assert!(page.header("Set-Cookie").is_none());
    assert!(page.body.contains("wrong PIN; 3 more"), "{}", page.body);
}

#[tokio::test]
async fn five_wrong_pins_lock_out_for_five_minutes_then_it_expires() {
    let server = start().await;
    for _ in 0..4 {
        let reply = api(
            server.addr,
            "POST",
            "/api/login",
            None,
            json!({ "pin": "0000" }),
        )
        .await;
        assert_eq!(reply.status, 401);
    }
    let fifth = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": "0000" }),
    )
    .await;
    assert_eq!(fifth.status, 429);
    assert_eq!(fifth.header("Retry-After"), Some("300"));
    let right = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(right.status, 429, "the right PIN is refused while locked");
    assert!(right.error().contains("locked"), "{}", right.error());
    assert!(right.header("Set-Cookie").is_none());
    let page = form(server.addr, "/login", None, &[("pin", PIN)]).await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("too many wrong PINs"));

    server.clock.advance(Duration::from_secs(4 * 60));
    let still = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(still.status, 429);
    server.clock.advance(Duration::from_secs(60));
    let after = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(after.status, 200, "{}", after.body);
}

#[tokio::test]
async fn lockout_is_configurable() {
    let server = start_with(
        Some(PIN),
        |o| {
            o.security.max_failed_pins = 2;
            o.security.lockout = Duration::from_secs(30);
        },
        Duration::ZERO,
    )
    .await;
    api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": "0" }),
    )
    .await;
    let second = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": "0" }),
    )
    .await;
    assert_eq!(second.status, 429);
    assert_eq!(second.header("Retry-After"), Some("30"));
    server.clock.advance(Duration::from_secs(30));
    assert_eq!(
        api(
            server.addr,
            "POST",
            "/api/login",
            None,
            json!({ "pin": PIN })
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn a_unit_without_a_pin_refuses_every_login_and_offers_no_access_point() {
    let server = start_with(None, |_| {}, Duration::ZERO).await;
    for pin in ["", "0000", PIN] {
        let reply = api(
            server.addr,
            "POST",
            "/api/login",
            None,
            json!({ "pin": pin }),
        )
        .await;
        assert_eq!(reply.status, 403);
        assert!(
            reply.error().contains("no PIN provisioned"),
            "{}",
            reply.error()
        );
    }
    let page = form(server.addr, "/login", None, &[("pin", "")]).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("no PIN provisioned"));
    assert_eq!(
        server.backend.ap.status().off_reason,
        Some(ApOffReason::NoPin)
    );
}

#[tokio::test]
async fn an_expired_session_is_refused_and_changes_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    server.clock.advance(Duration::from_secs(14 * 60));
    let read = api(
        server.addr,
        "GET",
        "/api/session",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(read.status, 200, "used within 15 minutes");
    server.clock.advance(Duration::from_secs(15 * 60));
    let before = server.backend.snapshot();
    let change = api(
        server.addr,
        "PUT",
        "/api/installation",
        Some(&session),
        json!({ "max_current_a": 10, "fuse_rating_a": 16, "phases": 3, "earthing": "TN" }),
    )
    .await;
    assert_eq!(change.status, 401);
    assert!(change.error().contains("expired"), "{}", change.error());
    assert_eq!(server.backend.snapshot(), before);
    let page = call(server.addr, "GET", "/status", Some(&session), None, "").await;
    assert_eq!(page.status, 303);
    let posted = form(
        server.addr,
        "/installation",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("max_current_a", "10"),
            ("fuse_rating_a", "16"),
            ("phases", "3"),
            ("earthing", "TN"),
        ],
    )
    .await;
    assert_eq!(posted.status, 401);
    assert!(posted.body.contains("session expired"));
    assert_eq!(server.backend.snapshot(), before);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let server = start().await;
    let session = login(server.addr).await;
    let out = api(
        server.addr,
        "POST",
        "/api/logout",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(out.status, 204);
    assert!(out.header("Set-Cookie").unwrap().contains("Max-Age=0"));
    let read = api(
        server.addr,
        "GET",
        "/api/status",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(read.status, 401);
}

// ---------------------------------------------------------------------------------------------
// Anti-forgery

#[tokio::test]
async fn missing_or_forged_csrf_token_changes_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    let other = login(server.addr).await;
    let before = server.backend.snapshot();
    let body = json!({ "max_current_a": 10, "fuse_rating_a": 16, "phases": 3, "earthing": "TN" });
    let missing = api(
        server.addr,
        "PUT",
        "/api/installation",
        Some(&session.without_csrf()),
        body.clone(),
    )
    .await;
    assert_eq!(missing.status, 403);
    assert!(
        missing.error().contains("token missing"),
        "{}",
        missing.error()
    );
    for forged in ["forged", other.token()] {
        let reply = api(
            server.addr,
            "PUT",
            "/api/installation",
            Some(&session.with_csrf(forged)),
            body.clone(),
        )
        .await;
        assert_eq!(reply.status, 403);
        assert!(
            reply.error().contains("does not match"),
            "{}",
            reply.error()
        );
    }
    let card = api(
        server.addr,
        "DELETE",
        "/api/rfid/04A22B1A",
        Some(&session.without_csrf()),
        Value::Null,
    )
    .await;
    assert_eq!(card.status, 403);
    let reset = api(
        server.addr,
        "POST",
        "/api/factory-reset",
        Some(&session.with_csrf("forged")),
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(reset.status, 403);
    // HTML forms: the hidden field missing or forged.
    let fields = [
        ("max_current_a", "10"),
        ("fuse_rating_a", "16"),
        ("phases", "3"),
        ("earthing", "TN"),
    ];
    let no_field = form(server.addr, "/installation", Some(&session), &fields).await;
    assert_eq!(no_field.status, 403);
    let mut forged_fields = fields.to_vec();
    forged_fields.push((CSRF_FIELD, "forged"));
    let forged = form(server.addr, "/installation", Some(&session), &forged_fields).await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("does not match"));
    assert_eq!(server.backend.snapshot(), before);
}

#[tokio::test]
async fn cross_site_origin_is_refused_even_with_the_token() {
    let server = start().await;
    let session = login(server.addr).await;
    let body = r#"{"uid":"04A22B1A2B3C4D"}"#;
    let raw = format!(
        "POST /api/rfid HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\n\
         Cookie: {SESSION_COOKIE}={}\r\nX-CSRF-Token: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        session.cookie,
        session.token(),
        body.len(),
        addr = server.addr
    );
    let reply = send_raw(server.addr, raw.as_bytes()).await;
    assert_eq!(reply.status, 403);
    assert!(reply.error().contains("cross-site"));
    let same = raw.replace("http://evil.example", &format!("http://{}", server.addr));
    assert_eq!(send_raw(server.addr, same.as_bytes()).await.status, 201);
}

#[tokio::test]
async fn html_flow_logs_in_and_saves_with_the_page_token() {
    let server = start().await;
    let login = form(server.addr, "/login", None, &[("pin", PIN)]).await;
    assert_eq!(login.status, 303);
    assert_eq!(login.header("Location"), Some("/status"));
    let session = Session {
        cookie: cookie_of(&login),
        csrf: None,
    };
    for (path, label) in html::TABS {
        let page = call(server.addr, "GET", path, Some(&session), None, "").await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains(&format!("<h1>{label}</h1>")), "{path}");
    }
    let status = call(server.addr, "GET", "/status", Some(&session), None, "").await;
    assert!(status.body.contains("HALO_234567M at 192.168.250.1"));
    assert!(status.body.contains("123.456 kWh"));
    let page = call(
        server.addr,
        "GET",
        "/installation",
        Some(&session),
        None,
        "",
    )
    .await;
    let token = page_token(&page.body);
    let saved = form(
        server.addr,
        "/installation",
        Some(&session),
        &[
            (CSRF_FIELD, &token),
            ("max_current_a", "10"),
            ("fuse_rating_a", "16"),
            ("phases", "3"),
            ("earthing", "TT"),
        ],
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("id=\"saved\""));
    assert!(saved.body.contains("value=\"10\""));
    let installation = server.backend.snapshot().installation;
    assert_eq!(installation.max_current_a, 10);
    assert_eq!(installation.earthing, Earthing::TT);
}

// ---------------------------------------------------------------------------------------------
// Request limits and paths

#[tokio::test]
async fn oversized_body_is_refused_with_413_and_changes_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    let before = server.backend.snapshot();
    let big = format!(
        r#"{{"uid":"04A22B1A2B3C4D","pad":"{}"}}"#,
        "x".repeat(20_000)
    );
    let reply = api(
        server.addr,
        "POST",
        "/api/rfid",
        Some(&session),
        serde_json::from_str(&big).unwrap(),
    )
    .await;
    assert_eq!(reply.status, 413);
    assert!(reply.error().contains("exceeds the limit of 16384 bytes"));
    assert_eq!(server.backend.snapshot(), before);
    // Announced but not sent: refused on the header alone.
    let raw = b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
        Content-Length: 1000000000\r\n\r\n";
    assert_eq!(send_raw(server.addr, raw).await.status, 413);
}

#[tokio::test]
async fn oversized_headers_and_unsupported_framing_are_refused() {
    let server = start().await;
    let raw = format!(
        "GET /status HTTP/1.1\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(10_000)
    );
    assert_eq!(send_raw(server.addr, raw.as_bytes()).await.status, 431);
    let chunked = b"POST /api/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(send_raw(server.addr, chunked).await.status, 501);
}

#[tokio::test]
async fn a_request_that_never_arrives_times_out_with_408() {
    let server = start_with(
        Some(PIN),
        |o| o.limits.request_timeout = Duration::from_millis(200),
        Duration::ZERO,
    )
    .await;
    let reply = send_raw(server.addr, b"GET /status HTTP/1.1\r\nHost: x\r\n").await;
    assert_eq!(reply.status, 408);
}

#[tokio::test]
async fn path_traversal_is_refused() {
    let server = start().await;
    let session = login(server.addr).await;
    for path in [
        "/../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/shadow",
        "/api/../api/status",
        "/api/%2e%2e/status",
        "/status/..",
        "/..%2fetc%2fpasswd",
        "/api/rfid/..%5c..%5cx",
    ] {
        let reply = call(server.addr, "GET", path, Some(&session), None, "").await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert!(
            reply.error().contains("traversal") || reply.error().contains("separator"),
            "{path}: {}",
            reply.error()
        );
    }
    let before = server.backend.snapshot();
    let delete = api(
        server.addr,
        "DELETE",
        "/api/rfid/%2e%2e",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(delete.status, 400);
    assert_eq!(server.backend.snapshot(), before);
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let server = start().await;
    let session = login(server.addr).await;
    let reply = api(
        server.addr,
        "GET",
        "/api/nothing",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(reply.status, 404);
    let reply = api(
        server.addr,
        "DELETE",
        "/api/status",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("Allow"), Some("GET"));
    let reply = call(server.addr, "GET", "/etc/passwd", Some(&session), None, "").await;
    assert_eq!(reply.status, 404);
    let reply = call(
        server.addr,
        "POST",
        "/api/rfid",
        Some(&session),
        Some("text/plain"),
        r#"{"uid":"04A22B1A2B3C4D"}"#,
    )
    .await;
    assert_eq!(reply.status, 415);
}

// ---------------------------------------------------------------------------------------------
// Wi-Fi

#[tokio::test]
async fn wpa3_is_refused_with_a_clear_message() {
    let server = start().await;
    let session = login(server.addr).await;
    let reply = api(
        server.addr,
        "POST",
        "/api/wifi",
        Some(&session),
        json!({ "ssid": "Site", "security": "wpa3", "passphrase": "correct horse" }),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.error().contains("WPA3 is not supported"),
        "{}",
        reply.error()
    );
    let page = form(
        server.addr,
        "/wifi",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("ssid", "Site"),
            ("security", "wpa3"),
            ("passphrase", "correct horse"),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Not saved, nothing changed"));
    assert!(page.body.contains("WPA3 is not supported"));
    assert_eq!(server.backend.snapshot().wifi, None);
}

#[tokio::test]
async fn wpa_tkip_is_stored_with_a_warning_and_wpa2_without() {
    let server = start().await;
    let session = login(server.addr).await;
    let reply = api(
        server.addr,
        "POST",
        "/api/wifi",
        Some(&session),
        json!({ "ssid": "Old router", "security": "wpa-tkip", "passphrase": "password123" }),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["warning"]
        .as_str()
        .unwrap()
        .contains("not recommended"));
    let stored = server.backend.snapshot().wifi.unwrap();
    assert_eq!(stored.security, WifiSecurity::WpaTkip);
    assert_eq!(stored.ssid, "Old router");

    let page = form(
        server.addr,
        "/wifi",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("ssid", "Old router"),
            ("security", "wpa-tkip"),
            ("passphrase", "password123"),
        ],
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"warning\""));
    assert!(page
        .body
        .contains("WPA-TKIP is accepted but not recommended"));

    let wpa2 = api(
        server.addr,
        "POST",
        "/api/wifi",
        Some(&session),
        json!({ "ssid": "Site", "security": "wpa2-aes", "passphrase": "password123" }),
    )
    .await;
    assert_eq!(wpa2.status, 200);
    assert_eq!(wpa2.json()["warning"], Value::Null);
    let wifi = api(server.addr, "GET", "/api/wifi", Some(&session), Value::Null).await;
    assert_eq!(wifi.json()["ssid"], "Site");
    assert_eq!(wifi.json()["security"], "wpa2-aes");
    assert!(
        !wifi.body.contains("password123"),
        "the passphrase is never read back"
    );
}

#[tokio::test]
async fn invalid_wifi_values_change_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    for (body, reason) in [
        (
            json!({ "ssid": "", "security": "wpa2-aes", "passphrase": "password123" }),
            "ssid",
        ),
        (
            json!({ "ssid": "Site", "security": "wpa2-aes", "passphrase": "short" }),
            "passphrase",
        ),
        (
            json!({ "ssid": "Site", "security": "wep", "passphrase": "password123" }),
            "wep",
        ),
    ] {
        let reply = api(server.addr, "POST", "/api/wifi", Some(&session), body).await;
        assert_eq!(reply.status, 422);
        assert!(reply.error().contains(reason), "{}", reply.error());
    }
    let missing = api(
        server.addr,
        "POST",
        "/api/wifi",
        Some(&session),
        json!({ "ssid": "x" }),
    )
    .await;
    assert_eq!(missing.status, 400);
    assert!(missing.error().contains("invalid JSON body"));
    assert_eq!(server.backend.snapshot().wifi, None);
}

// ---------------------------------------------------------------------------------------------
// Installation

#[tokio::test]
async fn installation_is_set_and_invalid_values_change_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    let ok = api(
        server.addr,
        "PUT",
        "/api/installation",
        Some(&session),
        json!({ "max_current_a": 10, "fuse_rating_a": 16, "phases": 1, "earthing": "IT" }),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["max_current_a"], 10);
    assert_eq!(ok.json()["earthing"], "IT");
    let before = server.backend.snapshot();
    for (body, status, reason) in [
        (
            json!({ "max_current_a": 40, "fuse_rating_a": 16, "phases": 3, "earthing": "TN" }),
            422,
            "outside 6..=16 A",
        ),
        (
            json!({ "max_current_a": 10, "fuse_rating_a": 16, "phases": 2, "earthing": "TN" }),
            422,
            "must be 1 or 3",
        ),
        (
            json!({ "max_current_a": 10, "fuse_rating_a": 16, "phases": 3, "earthing": "XX" }),
            422,
            "TN, TT or IT",
        ),
        (
            json!({ "max_current_a": -1, "fuse_rating_a": 16, "phases": 3, "earthing": "TN" }),
            400,
            "invalid JSON body",
        ),
    ] {
        let reply = api(
            server.addr,
            "PUT",
            "/api/installation",
            Some(&session),
            body,
        )
        .await;
        assert_eq!(reply.status, status, "{}", reply.body);
        assert!(reply.error().contains(reason), "{}", reply.error());
    }
    let page = form(
        server.addr,
        "/installation",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("max_current_a", "40"),
            ("fuse_rating_a", "16"),
            ("phases", "3"),
            ("earthing", "TN"),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Not saved, nothing changed"));
    assert!(page.body.contains("outside 6..=16 A"));
    assert!(
        page.body.contains("value=\"10\""),
        "the unchanged value is shown"
    );
    let text = form(
        server.addr,
        "/installation",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("max_current_a", "ten"),
            ("fuse_rating_a", "16"),
            ("phases", "3"),
            ("earthing", "TN"),
        ],
    )
    .await;
    assert_eq!(text.status, 422);
    assert!(text.body.contains("is not a whole number"));
    assert_eq!(server.backend.snapshot(), before);
}

// ---------------------------------------------------------------------------------------------
// RFID

#[tokio::test]
async fn offline_cards_are_added_and_removed_and_invalid_ones_change_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    let added = api(
        server.addr,
        "POST",
        "/api/rfid",
        Some(&session),
        json!({ "uid": "04:a2:2b:1a:2b:3c:4d" }),
    )
    .await;
    assert_eq!(added.status, 201);
    assert_eq!(added.json()["uid"], "04A22B1A2B3C4D");
    let list = api(server.addr, "GET", "/api/rfid", Some(&session), Value::Null).await;
    assert_eq!(list.json()["cards"], json!(["04A22B1A", "04A22B1A2B3C4D"]));
    assert_eq!(list.json()["ignored"], false);

    let before = server.backend.snapshot();
    for (uid, reason) in [("xyz", "hex"), ("04A22B1A", "already in the list")] {
        let reply = api(
            server.addr,
            "POST",
            "/api/rfid",
            Some(&session),
            json!({ "uid": uid }),
        )
        .await;
        assert_eq!(reply.status, 422);
        assert!(reply.error().contains(reason), "{}", reply.error());
    }
    let unknown = api(
        server.addr,
        "DELETE",
        "/api/rfid/AABBCCDD",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(unknown.status, 404);
    let page = form(
        server.addr,
        "/rfid/add",
        Some(&session),
        &[(CSRF_FIELD, session.token()), ("uid", "<script>")],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("must be 4, 7 or 10 bytes"));
    assert!(!page.body.contains("<script>"), "input is escaped");
    assert_eq!(server.backend.snapshot(), before);

    let removed = api(
        server.addr,
        "DELETE",
        "/api/rfid/04A22B1A",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(removed.status, 204);
    let page = form(
        server.addr,
        "/rfid/remove",
        Some(&session),
        &[(CSRF_FIELD, session.token()), ("uid", "04A22B1A2B3C4D")],
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No offline cards."));
    assert!(server.backend.snapshot().cards.is_empty());
}

#[tokio::test]
async fn rfid_tab_says_cards_are_ignored_while_a_csms_is_configured() {
    let server = start().await;
    let session = login(server.addr).await;
    let page = call(server.addr, "GET", "/rfid", Some(&session), None, "").await;
    assert!(!page.body.contains("cards-ignored"));
    server.backend.state().csms_url = Some("ws://csms.local/ocpp".into());
    let page = call(server.addr, "GET", "/rfid", Some(&session), None, "").await;
    assert!(page.body.contains("id=\"cards-ignored\""));
    assert!(page.body.contains("offline cards below are ignored"));
    let list = api(server.addr, "GET", "/api/rfid", Some(&session), Value::Null).await;
    assert_eq!(list.json()["ignored"], true);
    assert!(list.json()["note"].as_str().unwrap().contains("ignored"));
}

// ---------------------------------------------------------------------------------------------
// OCPP

#[tokio::test]
async fn ocpp_settings_are_saved_the_key_is_write_only_and_the_unit_restarts() {
    let server = start().await;
    let session = login(server.addr).await;
    let reply = api(
        server.addr,
        "PUT",
        "/api/ocpp",
        Some(&session),
        json!({ "csms_url": "wss://csms.example/ocpp", "charge_point_id": "HALO-1",
                "authorization_key": "0123456789abcdef0123" }),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.json()["restart_within_s"], 10);
    let state = server.backend.snapshot();
    assert_eq!(state.csms_url.as_deref(), Some("wss://csms.example/ocpp"));
    assert_eq!(
        state.authorization_key.as_deref(),
        Some("0123456789abcdef0123")
    );
    assert_eq!(state.ocpp_restarts, 1);
    let read = api(server.addr, "GET", "/api/ocpp", Some(&session), Value::Null).await;
    assert_eq!(read.json()["authorization_key_set"], true);
    assert!(!read.body.contains("0123456789abcdef0123"));
    let page = call(server.addr, "GET", "/ocpp", Some(&session), None, "").await;
    assert!(!page.body.contains("0123456789abcdef0123"));
    // HTML: an empty key field keeps the key.
    let saved = form(
        server.addr,
        "/ocpp",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("csms_url", "ws://10.0.0.2:9000/ocpp"),
            ("charge_point_id", "HALO-2"),
            ("authorization_key", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, 200);
    assert!(saved.body.contains("restarts within 10 seconds"));
    let state = server.backend.snapshot();
    assert_eq!(state.csms_url.as_deref(), Some("ws://10.0.0.2:9000/ocpp"));
    assert_eq!(
        state.authorization_key.as_deref(),
        Some("0123456789abcdef0123")
    );
    let cleared = api(
        server.addr,
        "PUT",
        "/api/ocpp",
        Some(&session),
        json!({ "csms_url": "ws://10.0.0.2:9000/ocpp", "charge_point_id": "HALO-2",
                "clear_authorization_key": true }),
    )
    .await;
    assert_eq!(cleared.status, 202);
    assert_eq!(server.backend.snapshot().authorization_key, None);
}

#[tokio::test]
async fn csms_url_with_another_scheme_and_other_invalid_ocpp_values_change_nothing() {
    let server = start().await;
    let session = login(server.addr).await;
    let before = server.backend.snapshot();
    for (url, id, key, reason) in [
        (
            "http://csms.example/ocpp",
            "HALO-1",
            None,
            "scheme \"http\" is not allowed",
        ),
        (
            "https://csms.example/ocpp",
            "HALO-1",
            None,
            "scheme \"https\" is not allowed",
        ),
        ("ftp://csms.example/", "HALO-1", None, "use ws:// or wss://"),
        (
            "csms.example/ocpp",
            "HALO-1",
            None,
            "must start with ws:// or wss://",
        ),
        (
            "ws://csms.example/ocpp",
            "bad/id",
            None,
            "charge point identity",
        ),
        (
            "ws://csms.example/ocpp",
            "HALO-1",
            Some("short"),
            "authorization key",
        ),
    ] {
        let mut body = json!({ "csms_url": url, "charge_point_id": id });
        if let Some(key) = key {
            body["authorization_key"] = json!(key);
        }
        let reply = api(server.addr, "PUT", "/api/ocpp", Some(&session), body).await;
        assert_eq!(reply.status, 422, "{url}");
        assert!(reply.error().contains(reason), "{}", reply.error());
    }
    let page = form(
        server.addr,
        "/ocpp",
        Some(&session),
        &[
            (CSRF_FIELD, session.token()),
            ("csms_url", "http://csms.example/ocpp"),
            ("charge_point_id", "HALO-1"),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Not saved, nothing changed"));
    assert!(page.body.contains("use ws:// or wss://"));
    assert_eq!(server.backend.snapshot(), before);
}

// ---------------------------------------------------------------------------------------------
// Factory reset

#[tokio::test]
async fn factory_reset_needs_the_pin_again() {
    let server = start().await;
    let session = login(server.addr).await;
    server.backend.state().csms_url = Some("ws://csms.local/ocpp".into());
    let before = server.backend.snapshot();
    let missing = api(
        server.addr,
        "POST",
        "/api/factory-reset",
        Some(&session),
        json!({}),
    )
    .await;
    assert_eq!(missing.status, 400, "the PIN field is required");
    let wrong = api(
        server.addr,
        "POST",
        "/api/factory-reset",
        Some(&session),
        json!({ "pin": "0000" }),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.error().contains("wrong PIN"));
    let page = form(
        server.addr,
        "/factory-reset",
        Some(&session),
        &[(CSRF_FIELD, session.token()), ("pin", "")],
    )
    .await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("Not saved, nothing changed: wrong PIN"));
    assert_eq!(server.backend.snapshot(), before);

    let done = api(
        server.addr,
        "POST",
        "/api/factory-reset",
        Some(&session),
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(done.status, 202);
    let state = server.backend.snapshot();
    assert_eq!(state.factory_resets, 1);
    assert_eq!(state.csms_url, None);
    assert!(state.cards.is_empty());
    assert_eq!(state.energy_wh, 123_456, "the energy register stays");
    let after = api(
        server.addr,
        "GET",
        "/api/status",
        Some(&session),
        Value::Null,
    )
    .await;
    assert_eq!(after.status, 401, "every session ends with the reset");
    // `login` asserts 200: the PIN survives the reset.
    let again = login(server.addr).await;
    assert!(!again.cookie.is_empty());
}

#[tokio::test]
async fn wrong_pins_at_factory_reset_count_toward_the_lockout() {
    let server = start().await;
    let session = login(server.addr).await;
    let mut last = 0;
    for _ in 0..5 {
        last = api(
            server.addr,
            "POST",
            "/api/factory-reset",
            Some(&session),
            json!({ "pin": "0000" }),
        )
        .await
        .status;
    }
    assert_eq!(last, 429);
    let right = api(
        server.addr,
        "POST",
        "/api/factory-reset",
        Some(&session),
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(right.status, 429);
    assert_eq!(server.backend.snapshot().factory_resets, 0);
}

// ---------------------------------------------------------------------------------------------
// Access point, robustness

#[tokio::test]
async fn status_shows_the_access_point_going_off() {
    let server = start().await;
    let session = login(server.addr).await;
    server.clock.advance(Duration::from_secs(10 * 60));
    let status = api(
        server.addr,
        "GET",
        "/api/status",
        Some(&session),
        Value::Null,
    )
    .await;
    let ap = &status.json()["network"]["access_point"];
    assert_eq!(ap["active"], false);
    assert_eq!(ap["off_reason"], "window_elapsed");
    assert_eq!(ap["address"], Value::Null);
    let page = call(server.addr, "GET", "/status", Some(&session), None, "").await;
    assert!(page
        .body
        .contains("off (the window after power-on elapsed)"));
}

#[tokio::test]
async fn ethernet_link_switches_the_access_point_off_in_the_status() {
    let server = start().await;
    let session = login(server.addr).await;
    server.backend.state().lan_link_up = true;
    server.backend.ap.set_ethernet_link(true);
    let status = api(
        server.addr,
        "GET",
        "/api/status",
        Some(&session),
        Value::Null,
    )
    .await;
    let network = &status.json()["network"];
    assert_eq!(network["access_point"]["off_reason"], "ethernet_link");
    assert_eq!(network["ethernet"]["ip"], "10.1.2.3");
}

#[tokio::test]
async fn backend_strings_are_escaped_in_pages() {
    let server = start().await;
    let session = login(server.addr).await;
    server.backend.state().wifi = Some(WifiJoin {
        ssid: "<img src=x onerror=alert(1)>".into(),
        security: WifiSecurity::Wpa2Aes,
        passphrase: "password123".into(),
    });
    let page = call(server.addr, "GET", "/wifi", Some(&session), None, "").await;
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!page.body.contains("<img"));
    assert!(page
        .header("Content-Security-Policy")
        .unwrap()
        .contains("default-src 'none'"));
}

#[tokio::test]
async fn a_slow_backend_is_answered_with_503() {
    let server = start_with(
        Some(PIN),
        |o| o.backend_timeout = BackendTimeout(Duration::from_millis(100)),
        Duration::from_millis(500),
    )
    .await;
    let reply = api(
        server.addr,
        "POST",
        "/api/login",
        None,
        json!({ "pin": PIN }),
    )
    .await;
    assert_eq!(reply.status, 503);
    assert!(reply.error().contains("did not answer in time"));
}

#[tokio::test]
async fn html_factory_reset_with_the_pin_logs_out() {
    let server = start().await;
    let session = login(server.addr).await;
    let page = form(
        server.addr,
        "/factory-reset",
        Some(&session),
        &[(CSRF_FIELD, session.token()), ("pin", PIN)],
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Factory reset done"));
    assert!(page.header("Set-Cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(server.backend.snapshot().factory_resets, 1);
    let tab = call(server.addr, "GET", "/status", Some(&session), None, "").await;
    assert_eq!(tab.status, 303, "the old session is gone");
}

#[tokio::test]
async fn requests_for_other_host_names_are_refused() {
    let server = start_with(
        Some(PIN),
        |o| o.extra_hosts = vec!["halo.local".into()],
        Duration::ZERO,
    )
    .await;
    let body = format!(r#"{{"pin":"{PIN}"}}"#);
    let request = |host: &str| {
        format!(
            "POST /api/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let rebound = send_raw(server.addr, request("evil.example:8080").as_bytes()).await;
    assert_eq!(rebound.status, 400);
    assert!(rebound.error().contains("\"evil.example\" is not served"));
    assert!(rebound.header("Set-Cookie").is_none());
    for host in [
        "192.168.250.1",
        "127.0.0.1:8080",
        "[::1]:8080",
        "localhost",
        "HALO.local",
    ] {
        let reply = send_raw(server.addr, request(host).as_bytes()).await;
        assert_eq!(reply.status, 200, "{host}: {}", reply.body);
    }
}

#[tokio::test]
async fn the_client_logs_in_and_changes_the_installation() {
    let server = start().await;
    let mut client = Client::new(server.addr, Duration::from_secs(5));
    let refused = client.login("0000").await.unwrap();
    assert_eq!(refused.status, 401);
    assert_eq!(
        client
            .request("GET", "/api/status", None)
            .await
            .unwrap()
            .status,
        401,
        "no session after a refused login"
    );
    assert_eq!(client.login(PIN).await.unwrap().status, 200);
    let set = client
        .request(
            "PUT",
            "/api/installation",
            Some(
                &json!({ "max_current_a": 10, "fuse_rating_a": 16, "phases": 3, "earthing": "TN" }),
            ),
        )
        .await
        .unwrap();
    assert_eq!(set.status, 200, "{}", set.error());
    assert_eq!(server.backend.snapshot().installation.max_current_a, 10);
    let bad = client
        .request(
            "PUT",
            "/api/ocpp",
            Some(&json!({ "csms_url": "http://x/", "charge_point_id": "a" })),
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 422);
    assert!(bad.error().contains("use ws:// or wss://"));
    let closed = Client::new("127.0.0.1:1".parse().unwrap(), Duration::from_secs(5));
    let err = closed
        .request("GET", "/api/status", None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("127.0.0.1:1"), "{err:#}");
}

//! A test WebSocket client (not the reference firmware) and helpers to start the mock CSMS.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

use ocpp_csms::config::CsmsConfig;
use ocpp_csms::MockCsms;

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub type Ws = WebSocketStream<Box<dyn Io>>;

pub const STEP: Duration = Duration::from_secs(5);

pub fn csms(config: Value) -> Arc<MockCsms> {
    let mut config = config;
    if config.get("file_server_listen").is_none() {
        config["file_server_listen"] = json!("127.0.0.1:0");
    }
    Arc::new(MockCsms::open(CsmsConfig::from_json(config).unwrap()).unwrap())
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// How the test client connects.
#[derive(Default, Clone)]
pub struct Dial {
    pub protocols: Option<String>,
    pub basic: Option<(String, String)>,
    /// CA certificate PEM file to trust (wss).
    pub ca: Option<String>,
}

impl Dial {
    pub fn ocpp() -> Dial {
        Dial {
            protocols: Some("ocpp1.6".into()),
            ..Default::default()
        }
    }
}

pub async fn connect(
    url: &str,
    dial: &Dial,
) -> Result<(Ws, tungstenite::handshake::client::Response), tungstenite::Error> {
    let mut req = url.into_client_request()?;
    if let Some(p) = &dial.protocols {
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
    }
    if let Some((u, p)) = &dial.basic {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        req.headers_mut().insert(
            "Authorization",
            HeaderValue::from_str(&format!("Basic {token}")).unwrap(),
        );
    }
    let host = req.uri().host().unwrap().to_string();
    let port = req.uri().port_u16().unwrap();
    let tcp = TcpStream::connect((host.as_str(), port)).await?;
    let io: Box<dyn Io> = match &dial.ca {
        None => Box::new(tcp),
        Some(ca) => {
            use rustls::pki_types::pem::PemObject;
            let mut roots = rustls::RootCertStore::empty();
            for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
                roots.add(c.unwrap()).unwrap();
            }
            let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name = rustls::pki_types::ServerName::try_from(host.clone()).unwrap();
            let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg))
                .connect(name, tcp)
                .await?;
            Box::new(tls)
        }
    };
    tokio_tungstenite::client_async(req, io).await
}

/// Sends a text frame and returns the next text frame received.
pub async fn exchange(ws: &mut Ws, text: &str) -> Value {
    ws.send(Message::Text(text.into())).await.unwrap();
    next_json(ws).await
}

pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("no frame from the CSMS within 5 s")
            .expect("connection ended")
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// Connects `identity` and gets it Accepted.
pub async fn boot(url: &str, identity: &str, dial: &Dial) -> Ws {
    let (mut ws, _) = connect(&format!("{url}/{identity}"), dial).await.unwrap();
    let r = exchange(
        &mut ws,
        r#"[2,"boot-1","BootNotification",{"chargePointVendor":"Test","chargePointModel":"T1"}]"#,
    )
    .await;
    assert_eq!(r[0], json!(3), "{r}");
    assert_eq!(r[2]["status"], json!("Accepted"), "{r}");
    ws
}

/// Connects and expects the handshake to fail.
pub async fn refused(url: &str, dial: &Dial) -> tungstenite::Error {
    match connect(url, dial).await {
        Ok(_) => panic!("{url}: the handshake was unexpectedly accepted"),
        Err(e) => e,
    }
}

//! The charge point's OCPP-J transport: one WebSocket connection to the CSMS, kept up.
//!
//! This is the only place in the firmware that touches the network for OCPP. It carries text
//! frames both ways and reports connection changes; everything OCPP means lives in the sans-IO
//! charge point (crate `ocpp-charge-point`). Rules it follows (OCPP-J 1.6 and the security
//! whitepaper):
//! - the URL is the CSMS endpoint, `/`, and the charge point identity percent-encoded;
//! - the subprotocol `ocpp1.6` is requested, and a server that does not echo it is refused;
//! - security profile 1 and 2 send HTTP Basic authentication (user = identity, password =
//!   AuthorizationKey); `wss://` is verified against the CSMS root certificate given;
//! - a lost connection is re-established after a randomized, growing back-off;
//! - with a WebSocket ping interval, a connection that stays silent for two intervals is dead.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// The subprotocol of OCPP 1.6J.
pub const SUBPROTOCOL: &str = "ocpp1.6";

/// How to reach the CSMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    /// `ws://host:port/path` or `wss://host:port/path`, without the identity.
    pub csms_url: String,
    pub charge_point_id: String,
    /// The AuthorizationKey (security profiles 1 and 2); `None` sends no credentials.
    pub authorization_key: Option<String>,
    /// PEM of the CSMS root certificate(s), required for `wss://`.
    pub ca_certificates_pem: Option<Vec<u8>>,
    /// WebSocket ping interval; `None` or zero: no pings.
    pub ping_interval: Option<Duration>,
    /// First reconnection delay; it doubles up to `reconnect_max`, each with ±25 % jitter.
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// Gives up a connection attempt (TCP, TLS and upgrade) after this long.
    pub connect_timeout: Duration,
}

impl TransportConfig {
    pub fn new(csms_url: impl Into<String>, charge_point_id: impl Into<String>) -> Self {
        TransportConfig {
            csms_url: csms_url.into(),
            charge_point_id: charge_point_id.into(),
            authorization_key: None,
            ca_certificates_pem: None,
            ping_interval: None,
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// The full connection URL: endpoint, `/`, percent-encoded identity.
    pub fn connection_url(&self) -> String {
        let base = self.csms_url.trim_end_matches('/');
        format!("{base}/{}", percent_encode_segment(&self.charge_point_id))
    }
}

/// What the transport reports to the charge point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportEvent {
    Connected,
    /// The connection ended or an attempt failed; the transport retries by itself.
    Disconnected {
        reason: String,
    },
    /// A text frame from the CSMS.
    Frame(String),
    /// Something worth logging that did not change the connection (a dropped frame).
    Warning(String),
}

/// What the charge point asks of the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportCommand {
    /// Send a text frame; dropped (and reported) when not connected.
    Send(String),
    /// Close the connection and reconnect with new settings (a new CSMS, a raised security
    /// profile, a new key).
    Reconfigure(TransportConfig),
    /// Close the connection and reconnect at once (after the back-off minimum).
    Reconnect,
    /// Close and stay closed until `Reconfigure` or `Reconnect`.
    Disconnect,
}

/// Starts the transport on the current tokio runtime.
pub fn spawn(
    config: TransportConfig,
) -> (
    mpsc::UnboundedSender<TransportCommand>,
    mpsc::UnboundedReceiver<TransportEvent>,
) {
    let (command_tx, command_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    tokio::spawn(run(config, command_rx, event_tx));
    (command_tx, event_rx)
}

/// Why a connected session ended.
enum SessionEnd {
    Lost(String),
    Reconfigured(TransportConfig),
    ReconnectAsked,
    DisconnectAsked,
    ChargePointGone,
}

async fn run(
    mut config: TransportConfig,
    mut commands: mpsc::UnboundedReceiver<TransportCommand>,
    events: mpsc::UnboundedSender<TransportEvent>,
) {
    let mut backoff = config.reconnect_min;
    let mut paused = false;
    loop {
        if paused {
            match commands.recv().await {
                None => return,
                Some(TransportCommand::Reconfigure(c)) => {
                    config = c;
                    paused = false;
                }
                Some(TransportCommand::Reconnect) => paused = false,
                Some(TransportCommand::Send(_)) => {
                    let _ = events.send(TransportEvent::Warning(
                        "frame dropped: not connected".into(),
                    ));
                }
                Some(TransportCommand::Disconnect) => {}
            }
            continue;
        }
        let attempt = tokio::time::timeout(config.connect_timeout, connect(&config)).await;
        let outcome = match attempt {
            Ok(Ok(ws)) => {
                backoff = config.reconnect_min;
                let _ = events.send(TransportEvent::Connected);
                session(ws, &config, &mut commands, &events).await
            }
            Ok(Err(e)) => SessionEnd::Lost(e),
            Err(_) => SessionEnd::Lost(format!(
                "connection attempt timed out after {} ms",
                config.connect_timeout.as_millis()
            )),
        };
        match outcome {
            SessionEnd::ChargePointGone => return,
            SessionEnd::Reconfigured(c) => {
                let _ = events.send(TransportEvent::Disconnected {
                    reason: "reconfigured".into(),
                });
                config = c;
                backoff = config.reconnect_min;
                continue;
            }
            SessionEnd::ReconnectAsked => {
                let _ = events.send(TransportEvent::Disconnected {
                    reason: "reconnect requested".into(),
                });
                backoff = config.reconnect_min;
            }
            SessionEnd::DisconnectAsked => {
                let _ = events.send(TransportEvent::Disconnected {
                    reason: "disconnect requested".into(),
                });
                paused = true;
                continue;
            }
            SessionEnd::Lost(reason) => {
                let _ = events.send(TransportEvent::Disconnected { reason });
            }
        }
        // Wait out the back-off, still obeying commands (a reconfiguration retries at once).
        let delay = jitter(backoff);
        backoff = (backoff * 2).min(config.reconnect_max);
        let deadline = Instant::now() + delay;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(TransportCommand::Reconfigure(c)) => {
                        config = c;
                        backoff = config.reconnect_min;
                        break;
                    }
                    Some(TransportCommand::Disconnect) => {
                        paused = true;
                        break;
                    }
                    Some(TransportCommand::Reconnect) => {}
                    Some(TransportCommand::Send(_)) => {
                        let _ = events.send(TransportEvent::Warning(
                            "frame dropped: not connected".into(),
                        ));
                    }
                },
            }
        }
    }
}

/// ±25 % so that many chargers losing one CSMS do not all come back in the same instant.
fn jitter(base: Duration) -> Duration {
    let factor = rand::thread_rng().gen_range(0.75..1.25);
    base.mul_f64(factor)
}

async fn session<S>(
    ws: WebSocketStream<S>,
    config: &TransportConfig,
    commands: &mut mpsc::UnboundedReceiver<TransportCommand>,
    events: &mpsc::UnboundedSender<TransportEvent>,
) -> SessionEnd
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = ws.split();
    let ping_every = config.ping_interval.filter(|d| !d.is_zero());
    let mut last_heard = Instant::now();
    let mut next_ping = ping_every.map(|p| Instant::now() + p);
    loop {
        let ping_at = next_ping.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            incoming = stream.next() => match incoming {
                None => return SessionEnd::Lost("connection closed by the CSMS".into()),
                Some(Err(e)) => return SessionEnd::Lost(format!("connection error: {e}")),
                Some(Ok(message)) => {
                    last_heard = Instant::now();
                    match message {
                        Message::Text(text) => {
                            let _ = events.send(TransportEvent::Frame(text.to_string()));
                        }
                        Message::Binary(_) => {
                            // OCPP-J is text only; a binary frame is a protocol error of the CSMS.
                            let _ = events.send(TransportEvent::Warning(
                                "ignored a binary frame from the CSMS".into(),
                            ));
                        }
                        Message::Close(frame) => {
                            let why = frame
                                .map(|f| format!("closed by the CSMS: {} {}", f.code, f.reason))
                                .unwrap_or_else(|| "closed by the CSMS".into());
                            return SessionEnd::Lost(why);
                        }
                        // tungstenite answers pings by itself; pongs only prove liveness.
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    }
                }
            },
            cmd = commands.recv() => match cmd {
                None => {
                    let _ = sink.send(Message::Close(None)).await;
                    return SessionEnd::ChargePointGone;
                }
                Some(TransportCommand::Send(frame)) => {
                    if let Err(e) = sink.send(Message::Text(frame.into())).await {
                        return SessionEnd::Lost(format!("send failed: {e}"));
                    }
                }
                Some(TransportCommand::Reconfigure(c)) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return SessionEnd::Reconfigured(c);
                }
                Some(TransportCommand::Reconnect) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return SessionEnd::ReconnectAsked;
                }
                Some(TransportCommand::Disconnect) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return SessionEnd::DisconnectAsked;
                }
            },
            _ = tokio::time::sleep_until(ping_at), if next_ping.is_some() => {
                let interval = ping_every.expect("ping timer only armed with an interval");
                if last_heard.elapsed() > interval * 2 {
                    return SessionEnd::Lost(format!(
                        "no answer to WebSocket pings for {} s",
                        last_heard.elapsed().as_secs()
                    ));
                }
                if let Err(e) = sink.send(Message::Ping(Vec::new().into())).await {
                    return SessionEnd::Lost(format!("ping failed: {e}"));
                }
                next_ping = Some(Instant::now() + interval);
            }
        }
    }
}

/// Either a plain or a TLS stream, so one session loop serves ws and wss.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Parsed pieces of a `ws://` or `wss://` URL that the TCP and TLS layers need.
#[derive(Debug, PartialEq, Eq)]
struct Endpoint {
    tls: bool,
    host: String,
    port: u16,
}

fn endpoint_of(url: &str) -> Result<Endpoint, String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("wss://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("ws://") {
        (false, r)
    } else {
        return Err(format!("CSMS URL `{url}` must start with ws:// or wss://"));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() {
        return Err(format!("CSMS URL `{url}` has no host"));
    }
    let default_port = if tls { 443 } else { 80 };
    // An IPv6 literal is bracketed: [::1]:9000.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("CSMS URL `{url}` has an unclosed IPv6 bracket"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p
                .parse()
                .map_err(|_| format!("CSMS URL `{url}` has a bad port"))?,
            None => default_port,
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse()
                    .map_err(|_| format!("CSMS URL `{url}` has a bad port"))?,
            ),
            None => (authority.to_string(), default_port),
        }
    };
    Ok(Endpoint { tls, host, port })
}

async fn connect(config: &TransportConfig) -> Result<WebSocketStream<Stream>, String> {
    let url = config.connection_url();
    let endpoint = endpoint_of(&config.csms_url)?;
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("bad CSMS URL `{url}`: {e}"))?;
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    if let Some(key) = &config.authorization_key {
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{key}", config.charge_point_id));
        let value = HeaderValue::from_str(&format!("Basic {credentials}"))
            .map_err(|e| format!("authorization key cannot be sent: {e}"))?;
        headers.insert("Authorization", value);
    }
    let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(|e| format!("cannot reach {}:{}: {e}", endpoint.host, endpoint.port))?;
    let _ = tcp.set_nodelay(true);
    let stream = if endpoint.tls {
        let pem = config
            .ca_certificates_pem
            .as_deref()
            .ok_or("wss:// needs the CSMS root certificate, and none is installed")?;
        let connector = tls_connector(pem)?;
        let name = rustls::pki_types::ServerName::try_from(endpoint.host.clone())
            .map_err(|e| format!("bad TLS server name `{}`: {e}", endpoint.host))?;
        let tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS handshake with {} failed: {e}", endpoint.host))?;
        Stream::Tls(Box::new(tls))
    } else {
        Stream::Plain(tcp)
    };
    let (ws, response) = tokio_tungstenite::client_async(request, stream)
        .await
        .map_err(|e| format!("WebSocket upgrade at {url} failed: {e}"))?;
    // tungstenite refuses a response without our subprotocol; check the value too, so a
    // server that picks another protocol is never talked to as if it spoke OCPP 1.6.
    match response.headers().get("Sec-WebSocket-Protocol") {
        Some(v) if v.as_bytes() == SUBPROTOCOL.as_bytes() => Ok(ws),
        other => Err(format!(
            "CSMS at {url} did not agree to {SUBPROTOCOL} (answered {other:?})"
        )),
    }
}

fn tls_connector(ca_pem: &[u8]) -> Result<tokio_rustls::TlsConnector, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        let cert = cert.map_err(|e| format!("CSMS root certificate is not valid PEM: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("CSMS root certificate refused: {e}"))?;
    }
    if roots.is_empty() {
        return Err("the CSMS root certificate file holds no certificate".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // TLS 1.2 and 1.3 only: the security whitepaper forbids anything older.
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters.
pub fn percent_encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_percent_encoded() {
        let c = TransportConfig::new("ws://127.0.0.1:9000/ocppj/", "RDAM 123");
        assert_eq!(c.connection_url(), "ws://127.0.0.1:9000/ocppj/RDAM%20123");
        assert_eq!(percent_encode_segment("HALO-000123"), "HALO-000123");
        assert_eq!(percent_encode_segment("a/b?c"), "a%2Fb%3Fc");
    }

    #[test]
    fn endpoints_are_parsed() {
        assert_eq!(
            endpoint_of("ws://127.0.0.1:9000/ocpp").unwrap(),
            Endpoint {
                tls: false,
                host: "127.0.0.1".into(),
                port: 9000
            }
        );
        assert_eq!(endpoint_of("wss://csms.example/ocpp").unwrap().port, 443);
        assert_eq!(endpoint_of("ws://[::1]:81/x").unwrap().host, "::1");
        assert!(endpoint_of("http://x/ocpp").unwrap_err().contains("ws://"));
        assert!(endpoint_of("ws://h:port/")
            .unwrap_err()
            .contains("bad port"));
    }

    #[test]
    fn jitter_stays_within_a_quarter() {
        for _ in 0..100 {
            let d = jitter(Duration::from_millis(1000));
            assert!(d >= Duration::from_millis(750) && d <= Duration::from_millis(1250));
        }
    }

    /// A CSMS written here, not the harness's plugin: echoes `ocpp1.6` only when `echo` is set,
    /// records the Authorization header, echoes text frames, and closes after the first one
    /// when `close_after_first` is set.
    // The handshake callback's error type is tungstenite's (large) HTTP response.
    #[allow(clippy::result_large_err)]
    async fn test_server(
        echo: bool,
        close_after_first: bool,
    ) -> (String, mpsc::UnboundedReceiver<Option<String>>) {
        use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/ocpp", listener.local_addr().unwrap());
        let (auth_tx, auth_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                let auth_tx = auth_tx.clone();
                tokio::spawn(async move {
                    let callback = |req: &Request, mut resp: Response| {
                        let auth = req
                            .headers()
                            .get("Authorization")
                            .map(|v| v.to_str().unwrap().to_string());
                        let _ = auth_tx.send(auth);
                        if echo {
                            resp.headers_mut().insert(
                                "Sec-WebSocket-Protocol",
                                HeaderValue::from_static("ocpp1.6"),
                            );
                        }
                        Ok(resp)
                    };
                    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await
                    else {
                        return;
                    };
                    while let Some(Ok(m)) = ws.next().await {
                        if let Message::Text(t) = m {
                            let _ = ws.send(Message::Text(t)).await;
                            if close_after_first {
                                let _ = ws.close(None).await;
                                return;
                            }
                        }
                    }
                });
            }
        });
        (url, auth_rx)
    }

    async fn next_event(rx: &mut mpsc::UnboundedReceiver<TransportEvent>) -> TransportEvent {
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("no transport event within 5 s")
            .expect("transport ended")
    }

    #[tokio::test]
    async fn frames_flow_with_basic_auth_and_the_link_comes_back() {
        let (url, mut auths) = test_server(true, true).await;
        let mut config = TransportConfig::new(url, "CP 1");
        config.authorization_key = Some("0123456789abcdef".into());
        config.reconnect_min = Duration::from_millis(50);
        let (tx, mut rx) = spawn(config);
        assert_eq!(next_event(&mut rx).await, TransportEvent::Connected);
        let expected = base64::engine::general_purpose::STANDARD.encode("CP 1:0123456789abcdef");
        assert_eq!(
            auths.recv().await.unwrap(),
            Some(format!("Basic {expected}"))
        );
        tx.send(TransportCommand::Send("[2,\"1\",\"Heartbeat\",{}]".into()))
            .unwrap();
        assert_eq!(
            next_event(&mut rx).await,
            TransportEvent::Frame("[2,\"1\",\"Heartbeat\",{}]".into())
        );
        // The server closes after the first frame: the transport reports it and reconnects.
        assert!(matches!(
            next_event(&mut rx).await,
            TransportEvent::Disconnected { .. }
        ));
        assert_eq!(next_event(&mut rx).await, TransportEvent::Connected);
    }

    #[tokio::test]
    async fn a_server_without_the_subprotocol_is_refused() {
        let (url, _auths) = test_server(false, false).await;
        let mut config = TransportConfig::new(url, "CP1");
        config.reconnect_min = Duration::from_secs(60);
        let (_tx, mut rx) = spawn(config);
        match next_event(&mut rx).await {
            TransportEvent::Disconnected { reason } => {
                assert!(reason.to_lowercase().contains("protocol"), "{reason}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

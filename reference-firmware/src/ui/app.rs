//! The server: accepts connections, reads one request each, authorizes it and routes it to the
//! JSON API ([`super::api`]) or the HTML pages ([`super::pages`]).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use super::backend::Backend;
use super::clock::Clock;
use super::http::{read_request, HttpError, HttpLimits, Request, Response};
use super::session::{AuthError, PinError, SecurityConfig, SessionCore, SessionTokens};
use super::url::path_segments;
use super::{api, pages};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "halo_session";
/// Header that carries the anti-forgery token on JSON API changes.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Hidden form field that carries it on HTML forms.
pub const CSRF_FIELD: &str = "csrf_token";

/// Everything configurable about the server; `UiOptions::default()` is the product.
#[derive(Debug, Clone, Default)]
pub struct UiOptions {
    pub security: SecurityConfig,
    pub limits: HttpLimits,
    /// Longest wait for one backend call (503 after).
    pub backend_timeout: BackendTimeout,
    /// Where the server reads the time (tests use `Clock::manual()`).
    pub clock: Clock,
    /// Host names served besides IP addresses and `localhost` (e.g. an mDNS name). Requests
    /// naming any other host are refused, which defeats DNS rebinding.
    pub extra_hosts: Vec<String>,
}

/// Longest wait for one backend call; default 5 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendTimeout(pub Duration);

impl Default for BackendTimeout {
    fn default() -> BackendTimeout {
        BackendTimeout(Duration::from_secs(5))
    }
}

/// Serves the local interface on `listener` until the returned task is aborted.
pub fn serve(
    listener: TcpListener,
    backend: Arc<dyn Backend>,
    options: UiOptions,
) -> JoinHandle<()> {
    let app = Arc::new(App::new(backend, options));
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("local interface listening on http://{addr}/");
    }
    tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(app.options.limits.max_connections.max(1)));
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return; // the semaphore is never closed
            };
            match listener.accept().await {
                Ok((stream, peer)) => {
                    tokio::spawn(serve_connection(app.clone(), stream, peer, permit));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("local interface: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    })
}

async fn serve_connection(
    app: Arc<App>,
    mut stream: TcpStream,
    peer: SocketAddr,
    _permit: OwnedSemaphorePermit,
) {
    let limits = app.options.limits.clone();
    let (response, refused_early) = match tokio::time::timeout(
        limits.request_timeout,
        read_request(&mut stream, &limits),
    )
    .await
    {
        Ok(Ok(request)) => (app.handle(&request).await, false),
        Ok(Err(HttpError { status, message })) => {
            tracing::debug!("local interface: {peer}: {status} {message}");
            (Response::json_error(status, &message), true)
        }
        Err(_) => (
            Response::json_error(408, "the request did not arrive in time"),
            true,
        ),
    };
    let write = async {
        stream.write_all(&response.to_bytes()).await?;
        stream.shutdown().await
    };
    if tokio::time::timeout(limits.request_timeout, write)
        .await
        .is_err()
    {
        return;
    }
    if refused_early {
        // The client may still be sending (an oversized body): read a bounded amount so closing
        // does not reset the connection before it has read our answer.
        let mut sink = [0u8; 4096];
        let mut drained = 0usize;
        while drained < 1 << 20 {
            match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut sink)).await {
                Ok(Ok(n)) if n > 0 => drained += n,
                _ => break,
            }
        }
    }
}

/// Why an operation was refused: the HTTP status and a one-line reason for the installer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

impl From<AuthError> for Refusal {
    fn from(e: AuthError) -> Refusal {
        let status = match e {
            AuthError::NotLoggedIn => 401,
            AuthError::CsrfMissing | AuthError::CsrfMismatch => 403,
        };
        Refusal::new(status, e.to_string())
    }
}

impl From<PinError> for Refusal {
    fn from(e: PinError) -> Refusal {
        let status = match e {
            PinError::NoPinProvisioned => 403,
            PinError::WrongPin { .. } => 401,
            PinError::LockedOut { .. } => 429,
        };
        Refusal::new(status, e.to_string())
    }
}

/// Shared state of the server.
pub struct App {
    backend: Arc<dyn Backend>,
    sessions: Mutex<SessionCore>,
    pub options: UiOptions,
}

impl App {
    pub fn new(backend: Arc<dyn Backend>, options: UiOptions) -> App {
        App {
            backend,
            sessions: Mutex::new(SessionCore::new(options.security.clone())),
            options,
        }
    }

    pub fn sessions(&self) -> MutexGuard<'_, SessionCore> {
        // Never held across an await; a panic elsewhere leaves a usable state.
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the blocking pool with the backend timeout.
    pub async fn call<T, F>(&self, f: F) -> Result<T, Refusal>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Backend) -> T + Send + 'static,
    {
        let backend = self.backend.clone();
        let task = tokio::task::spawn_blocking(move || f(&*backend));
        match tokio::time::timeout(self.options.backend_timeout.0, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(Refusal::new(
                500,
                "the firmware failed while handling this request; nothing was confirmed",
            )),
            Err(_) => Err(Refusal::new(
                503,
                "the firmware did not answer in time; check the status and try again",
            )),
        }
    }

    /// Authorizes a request: a read needs a live session; a change (`csrf` is `Some`) also
    /// needs the session's anti-forgery token and, if the browser sent `Origin`, our own origin.
    pub fn authorize(
        &self,
        request: &Request,
        csrf: Option<Option<&str>>,
    ) -> Result<SessionTokens, Refusal> {
        if csrf.is_some() {
            check_origin(request)?;
        }
        let now = self.options.clock.now();
        Ok(self
            .sessions()
            .authorize(now, request.cookie(SESSION_COOKIE), csrf)?)
    }

    pub async fn handle(&self, request: &Request) -> Response {
        if let Err(r) = check_host(request, &self.options.extra_hosts) {
            tracing::warn!("local interface: {}", r.message);
            return Response::json_error(r.status, &r.message);
        }
        let segments = match path_segments(&request.path) {
            Ok(s) => s,
            Err(message) => {
                tracing::warn!(
                    "local interface: refused path {:?}: {message}",
                    request.path
                );
                return Response::json_error(400, &message);
            }
        };
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match segments.split_first() {
            Some((&"api", rest)) => api::handle(self, request, rest).await,
            _ => pages::handle(self, request, &segments).await,
        }
    }
}

/// Serves only requests addressed to an IP address, `localhost` or one of `extra_hosts`: a page
/// on some web site whose name an attacker re-points at the unit (DNS rebinding) sends its own
/// name in `Host` and is refused. A request without `Host` (HTTP/1.0 tools) is served.
pub fn check_host(request: &Request, extra_hosts: &[String]) -> Result<(), Refusal> {
    let Some(host) = request.header("host") else {
        return Ok(());
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    let served = name.parse::<std::net::IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || extra_hosts.iter().any(|h| h.eq_ignore_ascii_case(name));
    if served {
        Ok(())
    } else {
        Err(Refusal::new(
            400,
            format!("host name {name:?} is not served here: use the unit's IP address"),
        ))
    }
}

/// Refuses a change whose `Origin` (sent by browsers on cross-site form posts and fetches) is
/// not this unit: a second line of defence next to SameSite=Strict and the token.
pub fn check_origin(request: &Request) -> Result<(), Refusal> {
    let Some(origin) = request.header("origin") else {
        return Ok(());
    };
    let host = request.header("host").unwrap_or("");
    let same = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|o| !host.is_empty() && o.eq_ignore_ascii_case(host));
    if same {
        Ok(())
    } else {
        Err(Refusal::new(
            403,
            format!("cross-site request from origin {origin:?} refused"),
        ))
    }
}

/// `Set-Cookie` value for a session.
pub fn session_cookie(tokens: &SessionTokens) -> String {
    format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        tokens.session_id,
        tokens.expires_in.as_secs()
    )
}

/// `Set-Cookie` value that deletes the session cookie.
pub fn cleared_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

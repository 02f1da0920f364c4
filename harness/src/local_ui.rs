//! An HTTP client of a charger's local management interface, as the installer steps use it: the
//! JSON API under `/api/` with the session cookie and the anti-forgery token kept after login.
//! It is the harness's own (the charger under test may be any firmware speaking the documented
//! API), and it can also send what a browser never would (no token, a forged one, an oversized
//! body, a traversal path) for the security scenarios. One request per connection, every
//! exchange bounded by a timeout.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "halo_session";
/// The anti-forgery header of the JSON API.
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// The largest answer read (pages are a few KiB).
const MAX_ANSWER: usize = 1 << 20;

/// What a request presents as anti-forgery token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// The session's own (if logged in).
    Session,
    /// None at all.
    Missing,
    /// Another value.
    Forged(String),
}

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
    /// `None`: no `Content-Type` header.
    pub content_type: Option<String>,
    pub token: Token,
    /// Whether the session cookie is sent.
    pub cookie: bool,
    /// More headers (`Origin`, …).
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// A request with the session's cookie and token, and a JSON body if given.
    pub fn json(method: &str, path: &str, body: Option<&Value>) -> Request {
        Request {
            method: method.to_string(),
            path: path.to_string(),
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
            content_type: Some("application/json".into()),
            token: Token::Session,
            cookie: true,
            headers: Vec::new(),
        }
    }
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The refusal's reason (`{"error": …}`), or the body as text.
    pub fn reason(&self) -> String {
        match self.json()["error"].as_str() {
            Some(e) => e.to_string(),
            None => self.body.chars().take(200).collect(),
        }
    }

    /// `HTTP 422: <reason>`, for messages.
    pub fn describe(&self) -> String {
        format!("HTTP {}: {}", self.status, self.reason())
    }
}

/// A client of one unit's interface, with the session of its latest successful login.
#[derive(Debug, Clone)]
pub struct UiClient {
    addr: SocketAddr,
    timeout: Duration,
    cookie: Option<String>,
    csrf: Option<String>,
}

impl UiClient {
    pub fn new(addr: SocketAddr, timeout: Duration) -> UiClient {
        UiClient {
            addr,
            timeout,
            cookie: None,
            csrf: None,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn logged_in(&self) -> bool {
        self.cookie.is_some()
    }

    /// Forgets the session (as a browser whose cookie was cleared).
    pub fn forget_session(&mut self) {
        self.cookie = None;
        self.csrf = None;
    }

    /// `POST /api/login`; on 200 the session cookie and token are kept.
    pub async fn login(&mut self, pin: &str) -> Result<Reply, String> {
        let reply = self
            .send(&Request::json(
                "POST",
                "/api/login",
                Some(&serde_json::json!({ "pin": pin })),
            ))
            .await?;
        if reply.status == 200 {
            let cookie = reply
                .header("set-cookie")
                .and_then(|c| c.split(';').next())
                .and_then(|c| c.trim().strip_prefix(&format!("{SESSION_COOKIE}=")))
                .ok_or_else(|| {
                    format!(
                        "login at {} answered 200 without a {SESSION_COOKIE} cookie",
                        self.addr
                    )
                })?;
            self.cookie = Some(cookie.to_string());
            self.csrf = reply.json()["csrf_token"].as_str().map(str::to_string);
        }
        Ok(reply)
    }

    /// A JSON request with the session.
    pub async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        self.send(&Request::json(method, path, body)).await
    }

    /// Sends `request` as it says; a `Set-Cookie` clearing the session (logout, factory reset)
    /// is followed.
    pub async fn send(&mut self, request: &Request) -> Result<Reply, String> {
        let mut raw = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            request.method,
            request.path,
            self.addr,
            request.body.len()
        );
        if let Some(ct) = &request.content_type {
            raw.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        if let (true, Some(cookie)) = (request.cookie, &self.cookie) {
            raw.push_str(&format!("Cookie: {SESSION_COOKIE}={cookie}\r\n"));
        }
        match (&request.token, &self.csrf) {
            (Token::Session, Some(token)) => {
                raw.push_str(&format!("{CSRF_HEADER}: {token}\r\n"));
            }
            (Token::Forged(token), _) => raw.push_str(&format!("{CSRF_HEADER}: {token}\r\n")),
            _ => {}
        }
        for (name, value) in &request.headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("\r\n");
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(&request.body);
        let what = format!("{} {} at {}", request.method, request.path, self.addr);
        let answer = tokio::time::timeout(self.timeout, exchange(self.addr, &bytes))
            .await
            .map_err(|_| format!("{what}: no answer within {:?}", self.timeout))?
            .map_err(|e| format!("{what}: {e}"))?;
        let reply = parse(&answer).map_err(|e| format!("{what}: {e}"))?;
        if reply
            .header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0"))
        {
            self.forget_session();
        }
        Ok(reply)
    }
}

async fn exchange(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    // A server may answer (413, 431) and close before it read a large request whole: a failed
    // write is then not the end, the answer is what counts.
    let written = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let read = (&mut stream)
        .take(MAX_ANSWER as u64)
        .read_to_end(&mut answer)
        .await;
    match (written, read) {
        (_, Ok(_)) if !answer.is_empty() => Ok(answer),
        (Err(e), _) | (_, Err(e)) => Err(e),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the connection closed without an answer",
        )),
    }
}

fn parse(answer: &[u8]) -> Result<Reply, String> {
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the answer has no complete header block")?;
    let head = String::from_utf8_lossy(&answer[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("malformed status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&answer[end + 4..]).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_with_their_reason() {
        let reply = parse(
            b"HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/json\r\n\r\n{\"error\":\"max_current_a 40 is outside 6..=16 A\"}",
        )
        .unwrap();
        assert_eq!(reply.status, 422);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.reason(), "max_current_a 40 is outside 6..=16 A");
        assert_eq!(
            reply.describe(),
            "HTTP 422: max_current_a 40 is outside 6..=16 A"
        );
    }

    #[test]
    fn a_truncated_answer_is_an_error() {
        assert!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: 3")
            .unwrap_err()
            .contains("header block"));
        assert!(parse(b"garbage\r\n\r\n")
            .unwrap_err()
            .contains("status line"));
    }
}

//! A small JSON API client for tools, harness steps and tests: keeps the session cookie and the
//! anti-forgery token after [`Client::login`] and sends them with every request.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::app::{CSRF_HEADER, SESSION_COOKIE};

/// One answer of the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientReply {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The JSON body (`Null` when empty).
    pub body: Value,
}

impl ClientReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `error` text of a refusal (empty if none).
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
}

/// A client of one unit's local interface.
#[derive(Debug, Clone)]
pub struct Client {
    addr: SocketAddr,
    timeout: Duration,
    cookie: Option<String>,
    csrf: Option<String>,
}

impl Client {
    /// `timeout` bounds each request (connect, send, answer).
    pub fn new(addr: SocketAddr, timeout: Duration) -> Client {
        Client {
            addr,
            timeout,
            cookie: None,
            csrf: None,
        }
    }

    /// Logs in; on 200 the session is kept for the following requests.
    pub async fn login(&mut self, pin: &str) -> anyhow::Result<ClientReply> {
        let reply = self
            .request(
                "POST",
                "/api/login",
                Some(&serde_json::json!({ "pin": pin })),
            )
            .await?;
        if reply.status == 200 {
            let cookie = reply
                .header("set-cookie")
                .and_then(|c| c.split(';').next())
                .and_then(|c| c.strip_prefix(&format!("{SESSION_COOKIE}=")))
                .ok_or_else(|| {
                    anyhow!(
                        "login at {} answered 200 without a session cookie",
                        self.addr
                    )
                })?;
            self.cookie = Some(cookie.to_string());
            self.csrf = reply.body["csrf_token"].as_str().map(str::to_string);
        }
        Ok(reply)
    }

    /// Sends `method path` with the session (if any) and `body` as JSON.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<ClientReply> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut raw = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(cookie) = &self.cookie {
            raw.push_str(&format!("Cookie: {SESSION_COOKIE}={cookie}\r\n"));
        }
        if let Some(csrf) = &self.csrf {
            raw.push_str(&format!("{CSRF_HEADER}: {csrf}\r\n"));
        }
        raw.push_str("\r\n");
        raw.push_str(&body);
        let exchange = async {
            let mut stream = TcpStream::connect(self.addr).await?;
            stream.write_all(raw.as_bytes()).await?;
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(answer)
        };
        let answer = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                anyhow!(
                    "{method} {path} at {}: no answer within {:?}",
                    self.addr,
                    self.timeout
                )
            })?
            .with_context(|| format!("{method} {path} at {}", self.addr))?;
        parse_reply(&answer).with_context(|| format!("{method} {path} at {}", self.addr))
    }
}

fn parse_reply(answer: &[u8]) -> anyhow::Result<ClientReply> {
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("answer without a complete header block"))?;
    let head = std::str::from_utf8(&answer[..end])?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("malformed status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = &answer[end + 4..];
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).context("answer body is not JSON")?
    };
    Ok(ClientReply {
        status,
        headers,
        body,
    })
}

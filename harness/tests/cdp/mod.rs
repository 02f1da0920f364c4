//! A small client of the Chrome DevTools protocol for the browser test: starts headless Chromium
//! with a throw-away profile, connects to its WebSocket, opens one page and drives it (navigate,
//! evaluate JavaScript, capture a PNG). JSON messages `{id, method, params, sessionId}`; events
//! are skipped; every call has a timeout. Chromium is ended when the `Browser` is dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long Chromium may take to say where its DevTools listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound of one protocol call.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    socket: Socket,
    next_id: u64,
    session: Option<String>,
}

/// The Chromium executable: `$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
pub fn find_chromium() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(
        "the browser test needs headless Chromium and found none: install Debian's `chromium` \
         package (.ci/run does) or set CHROMIUM to its path"
            .into(),
    )
}

impl Browser {
    /// Starts Chromium headless and opens one blank page.
    pub async fn launch() -> Result<Browser, String> {
        let exe = find_chromium()?;
        let profile = tempfile::tempdir().map_err(|e| format!("profile folder: {e}"))?;
        let mut child = Command::new(&exe)
            .args([
                "--headless",
                // The test runs in containers as root, where Chromium's sandbox cannot start;
                // the page it loads is the unit's own interface on the loopback address.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--window-size=1024,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        let url = match devtools_url(&mut child) {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let (socket, _) =
            tokio::time::timeout(CALL_TIMEOUT, tokio_tungstenite::connect_async(&url))
                .await
                .map_err(|_| format!("no WebSocket connection to {url} within {CALL_TIMEOUT:?}"))?
                .map_err(|e| format!("cannot connect to Chromium's DevTools at {url}: {e}"))?;
        let mut browser = Browser {
            child,
            _profile: profile,
            socket,
            next_id: 1,
            session: None,
        };
        let target = browser
            .call("Target.createTarget", json!({ "url": "about:blank" }))
            .await?;
        let attached = browser
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await?;
        browser.session = attached["sessionId"].as_str().map(str::to_string);
        browser.call("Page.enable", json!({})).await?;
        Ok(browser)
    }

    /// One protocol call on the page's session (or the browser before a page is attached).
    pub async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .map_err(|e| format!("{method}: cannot send: {e}"))?;
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(left, self.socket.next())
                .await
                .map_err(|_| format!("{method}: no answer within {CALL_TIMEOUT:?}"))?;
            let text = match next {
                Some(Ok(Message::Text(t))) => t.to_string(),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("{method}: {e}")),
                None => return Err(format!("{method}: Chromium closed the connection")),
            };
            let value: Value = serde_json::from_str(&text).map_err(|e| format!("{method}: {e}"))?;
            if value["id"] != json!(id) {
                continue; // an event
            }
            if let Some(error) = value.get("error") {
                return Err(format!("{method}: {error}"));
            }
            return Ok(value["result"].clone());
        }
    }

    /// Evaluates `expression` in the page; its value (`null` if it has none).
    pub async fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await?;
        if let Some(e) = result.get("exceptionDetails") {
            return Err(format!("`{expression}` threw: {e}"));
        }
        Ok(result["result"]["value"].clone())
    }

    /// Waits until `condition` (JavaScript) is true in a fully loaded page; the page may be
    /// navigating meanwhile (evaluation errors then are retried).
    pub async fn wait_for(&mut self, condition: &str, timeout: Duration) -> Result<(), String> {
        let expression = format!("document.readyState === 'complete' && !!({condition})");
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.eval(&expression).await {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(v) => v,
                Err(e) => json!(e),
            };
            if Instant::now() >= deadline {
                let at = self.eval("location.href").await.unwrap_or_default();
                return Err(format!(
                    "`{condition}` did not become true within {timeout:?} (at {at}, last {last})"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens `url` and waits until it is loaded.
    pub async fn navigate(&mut self, url: &str) -> Result<(), String> {
        let result = self.call("Page.navigate", json!({ "url": url })).await?;
        if let Some(error) = result["errorText"].as_str() {
            return Err(format!("cannot open {url}: {error}"));
        }
        self.wait_for(&format!("location.href === {}", json!(url)), CALL_TIMEOUT)
            .await
    }

    /// Saves a PNG of the page's viewport.
    pub async fn screenshot(&mut self, path: &Path) -> Result<(), String> {
        let shot = self
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await?;
        let data = shot["data"]
            .as_str()
            .ok_or("Page.captureScreenshot gave no data")?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("screenshot: {e}"))?;
        if !png.starts_with(b"\x89PNG") {
            return Err("the screenshot is not a PNG".into());
        }
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads Chromium's stderr until `DevTools listening on ws://…`; a thread keeps draining it
/// afterwards so Chromium never blocks on a full pipe.
fn devtools_url(child: &mut Child) -> Result<String, String> {
    let stderr = child
        .stderr
        .take()
        .ok_or("Chromium's stderr was not captured")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent {
                if let Some(at) = line.find("ws://") {
                    sent = tx.send(line[at..].trim().to_string()).is_ok();
                }
            }
        }
    });
    rx.recv_timeout(START_TIMEOUT).map_err(|_| {
        format!(
            "Chromium did not print its DevTools address within {} s",
            START_TIMEOUT.as_secs()
        )
    })
}

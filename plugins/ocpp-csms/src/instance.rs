//! One mock CSMS instance: its own tokio runtime, the WebSocket server, the file server and the
//! blocking operations the plugin methods map to.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;

use plugin_api::kinds::csms::{
    self as api, CallOutcome, ConnectionInfo, EndpointInfo, RecordedFrame, RegistrationStatus,
};
use plugin_api::{Observation, PluginError};

use crate::config::CsmsConfig;
use crate::matching::{assign, frame_matches};
use crate::script::Script;
use crate::server::{self, tls, ServerCtx};
use crate::state::{Offline, Shared};
use crate::validate::{self, messages, CallErrorCode};

pub struct MockCsms {
    runtime: Option<tokio::runtime::Runtime>,
    shared: Arc<Shared>,
    port: u16,
    url: String,
    security_profile: u8,
    ca_cert_path: Option<PathBuf>,
    file_server_url: Option<String>,
    next_call_id: AtomicU64,
    /// The configured behaviour `reset_script` returns to.
    defaults: Defaults,
    ctx: Arc<ServerCtx>,
    temp_ca: Option<PathBuf>,
}

struct Defaults {
    boot_status: RegistrationStatus,
    interval_s: u32,
    unknown_status: api::AuthorizationStatus,
    accepted_id_tags: Vec<String>,
}

fn err(msg: impl Into<String>) -> PluginError {
    PluginError::new(msg)
}

impl MockCsms {
    /// Starts the servers described by `config`.
    pub fn open(config: CsmsConfig) -> Result<MockCsms, PluginError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.worker_threads)
            .thread_name("ocpp-csms")
            .enable_all()
            .build()
            .map_err(|e| err(format!("csms: cannot start its runtime: {e}")))?;
        let boot_status = match config.boot_status.as_str() {
            "Pending" => RegistrationStatus::Pending,
            "Rejected" => RegistrationStatus::Rejected,
            _ => RegistrationStatus::Accepted,
        };
        let mut script = Script::new(
            boot_status,
            config.heartbeat_interval_s,
            config.unknown_id_tag_status,
            config.first_transaction_id,
            config.require_boot,
        );
        for tag in &config.accepted_id_tags {
            script.set_authorization(tag, api::AuthorizationStatus::Accepted, None, None);
        }
        let shared = Shared::new(script, config.log_limit);
        let defaults = Defaults {
            boot_status,
            interval_s: config.heartbeat_interval_s,
            unknown_status: config.unknown_id_tag_status,
            accepted_id_tags: config.accepted_id_tags.clone(),
        };

        let listen = config.listen_addr().map_err(|e| err(e.to_string()))?;
        let listener = bind(&runtime, listen)
            .map_err(|e| err(format!("csms: cannot listen on {listen}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| err(format!("csms: {e}")))?;
        let port = addr.port();

        // Profile 2 needs TLS; profile 1 offers it on the same port too, so a charge point
        // raised to profile 2 over OCPP (SecurityProfile) can reconnect with wss.
        let tls_setup = if config.security_profile >= 1 {
            Some(match (&config.tls_cert, &config.tls_key) {
                (Some(c), Some(k)) => tls::from_files(c, k)?,
                _ => {
                    let out = config.ca_cert_out.clone().unwrap_or_else(|| {
                        std::env::temp_dir()
                            .join(format!("ocpp-csms-{}-{port}-ca.pem", std::process::id()))
                    });
                    tls::generated(&config.tls_hostnames, &out)?
                }
            })
        } else {
            None
        };
        let ca_cert_path = tls_setup.as_ref().and_then(|t| t.ca_cert_path.clone());
        // A CA file this instance chose the place of is its own to delete on close.
        let temp_ca = ca_cert_path
            .clone()
            .filter(|_| config.ca_cert_out.is_none());
        let acceptor = tls_setup.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
        let scheme = if config.security_profile >= 2 {
            "wss"
        } else {
            "ws"
        };
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let url = format!(
            "{scheme}://{host}:{port}{}",
            config.path.trim_end_matches('/')
        );

        let file_server_url = if config.file_server_listen == "off" {
            None
        } else {
            let fs_addr: std::net::SocketAddr = config
                .file_server_listen
                .parse()
                .map_err(|e| err(format!("csms file_server_listen: {e}")))?;
            let fs = bind(&runtime, fs_addr)
                .map_err(|e| err(format!("csms: file server cannot listen on {fs_addr}: {e}")))?;
            let fs_port = fs.local_addr().map_err(|e| err(e.to_string()))?.port();
            runtime.spawn(crate::fileserver::serve(
                fs,
                Arc::clone(&shared),
                config.file_root.clone(),
            ));
            Some(format!("http://{host}:{fs_port}"))
        };

        let security_profile = config.security_profile;
        let ctx = Arc::new(ServerCtx::new(Arc::clone(&shared), config, acceptor));
        runtime.spawn(server::serve(listener, Arc::clone(&ctx)));
        Ok(MockCsms {
            runtime: Some(runtime),
            shared,
            port,
            url,
            security_profile,
            ca_cert_path,
            file_server_url,
            next_call_id: AtomicU64::new(1),
            defaults,
            ctx,
            temp_ca,
        })
    }

    pub fn endpoint(&self) -> EndpointInfo {
        EndpointInfo {
            url: self.url.clone(),
            port: self.port,
            security_profile: self.security_profile,
            ca_cert_path: self.ca_cert_path.as_ref().map(|p| p.display().to_string()),
            file_server_url: self.file_server_url.clone(),
        }
    }

    pub fn set_boot_response(&self, status: RegistrationStatus, interval_s: u32) {
        let mut s = self.shared.lock();
        s.script.boot_status = status;
        s.script.interval_s = interval_s;
    }

    pub fn set_authorization(&self, a: api::SetAuthorization) -> Result<(), PluginError> {
        if a.id_tag.chars().count() > 20 {
            return Err(err(format!(
                "set_authorization: idTag {:?} is longer than 20 characters",
                a.id_tag
            )));
        }
        if let Some(d) = &a.expiry_date {
            validate::datetime::check_rfc3339(d)
                .map_err(|e| err(format!("set_authorization expiry_date: {e}")))?;
        }
        self.shared.lock().script.set_authorization(
            &a.id_tag,
            a.status,
            a.parent_id_tag,
            a.expiry_date,
        );
        Ok(())
    }

    /// Expect a new AuthorizationKey (the scenario changed it on the charger).
    pub fn set_authorization_key(&self, a: api::SetAuthorizationKey) -> Result<(), PluginError> {
        if a.authorization_key.is_empty() {
            return Err(err("set_authorization_key: the key is empty"));
        }
        self.ctx
            .set_key(a.charge_point.as_deref(), a.authorization_key);
        Ok(())
    }

    /// Restores the configured behaviour and goes online; registrations and connections stay.
    pub fn reset_script(&self) {
        let d = &self.defaults;
        let mut state = self.shared.lock();
        state
            .script
            .reset(d.boot_status, d.interval_s, d.unknown_status);
        for tag in &d.accepted_id_tags {
            state
                .script
                .set_authorization(tag, api::AuthorizationStatus::Accepted, None, None);
        }
        state.offline = Offline::Online;
    }

    pub fn set_unknown_authorization(&self, status: api::AuthorizationStatus) {
        self.shared.lock().script.unknown_status = status;
    }

    pub fn fail_action(&self, a: api::FailAction) -> Result<(), PluginError> {
        let code = CallErrorCode::parse(&a.error_code).ok_or_else(|| {
            err(format!(
                "fail_action: {:?} is not an OCPP 1.6 CallError code (e.g. InternalError)",
                a.error_code
            ))
        })?;
        charge_point_action(&a.action, "fail_action")?;
        self.shared
            .lock()
            .script
            .fail_action(&a.action, a.times, code);
        Ok(())
    }

    pub fn delay_action(&self, a: api::DelayAction) -> Result<(), PluginError> {
        charge_point_action(&a.action, "delay_action")?;
        self.shared
            .lock()
            .script
            .delay_action(&a.action, a.delay_ms.map(Duration::from_millis));
        Ok(())
    }

    /// Cuts every connection and refuses new ones (for `for_ms`, or until `go_online`).
    pub fn go_offline(&self, for_ms: Option<u64>) {
        let mut state = self.shared.lock();
        state.offline = Offline::Until(for_ms.map(|ms| Instant::now() + Duration::from_millis(ms)));
        let conns: Vec<_> = state
            .connections
            .values()
            .filter_map(|e| e.conn.clone())
            .collect();
        state.record_event("csms_offline", serde_json::json!({"for_ms": for_ms}));
        drop(state);
        for c in conns {
            c.cut();
        }
    }

    pub fn go_online(&self) {
        let mut state = self.shared.lock();
        state.offline = Offline::Online;
        state.record_event("csms_online", serde_json::json!({}));
    }

    /// The identity a call is about: the named one, or the only one known.
    fn resolve(&self, charge_point: Option<&str>) -> Result<String, PluginError> {
        let state = self.shared.lock();
        match charge_point {
            Some(cp) => Ok(cp.to_string()),
            None => {
                let connected: Vec<&String> = state
                    .connections
                    .iter()
                    .filter(|(_, e)| e.info.connected)
                    .map(|(k, _)| k)
                    .collect();
                match connected.as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err(err(format!(
                        "no charge point is connected to {} (name one with charge_point)",
                        self.url
                    ))),
                    many => Err(err(format!(
                        "several charge points are connected ({}); name one with charge_point",
                        many.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))),
                }
            }
        }
    }

    pub fn send_call(&self, c: api::SendCall) -> Result<CallOutcome, PluginError> {
        let schema = messages::lookup(&c.action).ok_or_else(|| {
            err(format!(
                "send_call: {:?} is not an OCPP 1.6 action",
                c.action
            ))
        })?;
        if !schema.sent_by_central_system() && !c.unchecked {
            return Err(err(format!(
                "send_call: {} is sent by a Charge Point, not by the Central System",
                c.action
            )));
        }
        if !c.unchecked {
            if let Err(vs) = validate::check_payload(&c.action, false, &c.payload) {
                let list: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
                return Err(err(format!(
                    "send_call {}: payload breaks the 1.6 schema: {}",
                    c.action,
                    list.join("; ")
                )));
            }
        }
        let identity = self.resolve(c.charge_point.as_deref())?;
        let conn = {
            let state = self.shared.lock();
            state
                .connections
                .get(&identity)
                .and_then(|e| e.conn.clone())
                .ok_or_else(|| {
                    err(format!(
                        "send_call: charge point {identity:?} is not connected"
                    ))
                })?
        };
        if !c.unchecked {
            let state = self.shared.lock();
            if let Some(why) = state
                .script
                .forbids_csms_call(&identity, &c.action, Instant::now())
            {
                return Err(err(format!(
                    "send_call: {why} (set unchecked to send it anyway)"
                )));
            }
        }
        let id = format!("csms-{}", self.next_call_id.fetch_add(1, Ordering::Relaxed));
        if self.runtime.is_none() {
            return Err(err("csms: the instance is closed"));
        }
        let rx = conn.start_call(id.clone(), &c.action, c.payload, !c.unchecked);
        match rx.recv_timeout(Duration::from_millis(c.timeout_ms)) {
            Ok(o) => Ok(o),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(err(format!(
                "send_call {}: the connection to {identity:?} closed before it answered",
                c.action
            ))),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                conn.give_up_call(&id);
                Ok(CallOutcome::Timeout)
            }
        }
    }

    pub fn mark(&self) -> u64 {
        self.shared.lock().last_seq()
    }

    /// Waits until every matcher has its own matching frame after `after`.
    pub fn wait_for(&self, w: api::WaitForFrames) -> Result<Vec<RecordedFrame>, PluginError> {
        if w.matchers.is_empty() {
            return Ok(Vec::new());
        }
        let deadline = Instant::now() + Duration::from_millis(w.timeout_ms);
        let mut state = self.shared.lock();
        loop {
            let frames: Vec<&RecordedFrame> = state.frames_after(w.after).collect();
            let candidates: Vec<Vec<usize>> = w
                .matchers
                .iter()
                .map(|m| {
                    (0..frames.len())
                        .filter(|&i| frame_matches(frames[i], m, w.charge_point.as_deref()))
                        .collect()
                })
                .collect();
            let chosen = assign(&candidates);
            if chosen.iter().all(Option::is_some) {
                return Ok(chosen
                    .into_iter()
                    .map(|i| frames[i.unwrap_or_default()].clone())
                    .collect());
            }
            let now = Instant::now();
            if now >= deadline {
                let missing: Vec<String> = w
                    .matchers
                    .iter()
                    .zip(&chosen)
                    .filter(|(_, c)| c.is_none())
                    .map(|(m, _)| {
                        let seen: Vec<String> = frames
                            .iter()
                            .filter(|f| f.action.as_deref() == Some(m.action.as_str()))
                            .map(|f| f.payload.to_string())
                            .take(3)
                            .collect();
                        format!(
                            "{} containing {} (seen of that action: {})",
                            m.action,
                            m.payload_subset,
                            if seen.is_empty() {
                                "none".into()
                            } else {
                                seen.join(", ")
                            }
                        )
                    })
                    .collect();
                return Err(err(format!(
                    "csms: no frame within {} ms for: {}",
                    w.timeout_ms,
                    missing.join("; ")
                )));
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// The CALLs of `action` after `after` that arrive within `during_ms` (returns at the first).
    pub fn expect_none(&self, e: api::ExpectNone) -> Vec<RecordedFrame> {
        let deadline = Instant::now() + Duration::from_millis(e.during_ms);
        let matcher = api::FrameMatcher {
            action: e.action.clone(),
            payload_subset: Value::Null,
            direction: None,
        };
        let mut state = self.shared.lock();
        loop {
            let found: Vec<RecordedFrame> = state
                .frames_after(e.after)
                .filter(|f| frame_matches(f, &matcher, e.charge_point.as_deref()))
                .cloned()
                .collect();
            let now = Instant::now();
            if !found.is_empty() || now >= deadline {
                return found;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    pub fn violations(&self, after: u64) -> Vec<api::Violation> {
        self.shared
            .lock()
            .violations
            .iter()
            .filter(|v| v.seq > after)
            .cloned()
            .collect()
    }

    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.shared
            .lock()
            .connections
            .values()
            .map(|e| e.info.clone())
            .collect()
    }

    pub fn wait_connected(
        &self,
        charge_point: Option<&str>,
        timeout_ms: u64,
    ) -> Result<ConnectionInfo, PluginError> {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        let mut state = self.shared.lock();
        loop {
            let hit = state.connections.values().find(|e| {
                e.info.connected && charge_point.is_none_or(|cp| e.info.charge_point == cp)
            });
            if let Some(e) = hit {
                return Ok(e.info.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                let who = match charge_point {
                    Some(cp) => format!("charge point {cp:?} did not connect"),
                    None => "no charge point connected".to_string(),
                };
                return Err(err(format!(
                    "csms: {who} to {} within {timeout_ms} ms",
                    self.url
                )));
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    pub fn file_transfers(&self) -> Vec<api::FileTransfer> {
        self.shared.lock().transfers.clone()
    }

    pub fn drain_record(&self) -> Vec<Observation> {
        self.shared.lock().drain()
    }

    /// Closes every connection and stops the runtime (and with it the listeners).
    pub fn close(&mut self) {
        let conns: Vec<_> = self
            .shared
            .lock()
            .connections
            .values()
            .filter_map(|e| e.conn.clone())
            .collect();
        for c in conns {
            c.cut();
        }
        if let Some(ca) = self.temp_ca.take() {
            let _ = std::fs::remove_file(ca);
        }
        if let Some(rt) = self.runtime.take() {
            // Waiting for the runtime's threads is not allowed inside another runtime's
            // context (a host calling from async code); let them wind down in the background.
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(Duration::from_secs(2));
            }
        }
    }
}

impl Drop for MockCsms {
    fn drop(&mut self) {
        self.close();
    }
}

/// Binds without `block_on`, so that `open` also works when the host calls it from async code.
fn bind(
    runtime: &tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
) -> std::io::Result<TcpListener> {
    let std_listener = std::net::TcpListener::bind(addr)?;
    std_listener.set_nonblocking(true)?;
    let _context = runtime.enter();
    TcpListener::from_std(std_listener)
}

/// Scripting only makes sense for actions a charge point sends.
fn charge_point_action(action: &str, method: &str) -> Result<(), PluginError> {
    match messages::lookup(action) {
        Some(s) if s.sent_by_charge_point() => Ok(()),
        Some(_) => Err(err(format!(
            "{method}: {action} is sent by the Central System; only charge point actions can be scripted"
        ))),
        None => Err(err(format!("{method}: {action:?} is not an OCPP 1.6 action"))),
    }
}

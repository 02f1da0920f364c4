//! The OCPP 1.6J link task: owns the sans-IO [`ChargePoint`], the WebSocket transport
//! ([`crate::ocpp_transport`]), the charge point's timer and its storage, and connects it to the
//! charging core through the [`CoreHandle`] (mapping in [`super::core_bridge`]).
//!
//! Performed here: frames to the transport, `Store` outputs written crash-safe in order (before
//! any later output such as `Reset` is acted on), the wall clock offset from `SetClock`,
//! security-profile changes (stored, then a reconnection), HTTP file transfers, and restarts
//! (`Reset`) through the runtime's restart channel.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ocpp_charge_point::security_log::LogType;
use ocpp_charge_point::{Cable, ChargePoint, CoreEvent, Output, ResetKind, Settings};
use tokio::sync::{broadcast, mpsc, watch};

use super::core_bridge::{CoreBridge, ToCore, CONNECTOR};
use super::ocpp_store::OcppStore;
use super::runtime::{CoreHandle, RunEnd};
use super::security_upgrade::{PreviousSettings, UpgradeWatch};
use super::unit_config::UnitConfig;
use super::{file_transfer, firmware_image};
use crate::core::{Event, Input, Snapshot, StopReason, Variant};
use crate::ocpp_transport::{self, TransportCommand, TransportConfig, TransportEvent};

/// Pause between closing the connection and reconnecting with new security settings.
const SECURITY_RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// How often the core's latest meter reading is handed to the charge point.
const METER_REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// Everything the link needs to start.
#[derive(Debug, Clone)]
pub struct OcppLinkConfig {
    pub csms_url: String,
    pub charge_point_id: String,
    pub authorization_key: Option<String>,
    /// 0 plain, 1 Basic auth, 2 TLS + Basic auth.
    pub security_profile: u8,
    pub ca_pem: Option<Vec<u8>>,
    pub settings: Settings,
    pub state_dir: PathBuf,
    /// First reconnection delay of the transport (it doubles up to 30 s).
    pub reconnect_min: Duration,
    /// Test hooks of the emulated bench (`--test-hooks`): the storage fault hook.
    pub test_hooks: bool,
}

impl OcppLinkConfig {
    /// The link for the one-connector wallbox of `variant`: plain `ws://`/`wss://` without
    /// credentials (set `authorization_key`, `security_profile`, `ca_pem` afterwards).
    pub fn new(
        csms_url: &str,
        charge_point_id: &str,
        variant: &Variant,
        serial: &str,
        state_dir: &Path,
    ) -> OcppLinkConfig {
        let mut settings = Settings::wallbox(serial, env!("CARGO_PKG_VERSION"));
        settings.vendor = "Halo Reference".into();
        settings.model = format!("Halo {}", variant.product_number);
        settings.phases = variant.phases;
        settings.rated_current_a = f64::from(variant.rated_current_a);
        settings.cable = if variant.has_socket() {
            Cable::Socket
        } else {
            Cable::Tethered
        };
        OcppLinkConfig {
            csms_url: csms_url.to_string(),
            charge_point_id: charge_point_id.to_string(),
            authorization_key: None,
            security_profile: 0,
            ca_pem: None,
            settings,
            state_dir: state_dir.to_path_buf(),
            reconnect_min: Duration::from_millis(500),
            test_hooks: false,
        }
    }
}

/// The link's connection state, for the local interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    Connecting,
    Connected,
    Disconnected,
}

/// The wall clock the charge point runs on: the system clock plus the offset the CSMS set.
#[derive(Debug, Clone, Default)]
pub struct WallClock {
    offset: Arc<Mutex<chrono::Duration>>,
}

impl WallClock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adopts `utc` as the current time.
    pub fn set(&self, utc: DateTime<Utc>) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) = utc - Utc::now();
    }
}

/// How long UnlockConnector waits for the lock to open: a running session first ends with a
/// soft stop (the contactor opens once the vehicle stops drawing, 6 s at the latest), then the
/// actuator travels. The charge point gives up at 10 s.
const UNLOCK_WAIT: Duration = Duration::from_secs(8);

/// Starts the link on the current runtime. `restart` receives a request when the CSMS asks for
/// a Reset (everything is stored by then).
pub fn spawn(
    cfg: OcppLinkConfig,
    core: CoreHandle,
    restart: mpsc::UnboundedSender<RunEnd>,
) -> Result<watch::Receiver<LinkStatus>, String> {
    let mut store = OcppStore::open(&cfg.state_dir)?;
    if cfg.test_hooks {
        store = store.with_fault_hook(&cfg.state_dir);
    }
    let stored = store.load()?;
    let clock = WallClock::default();
    let mut cp = ChargePoint::new(cfg.settings.clone(), &stored, clock.now());
    cp.set_connection_security_profile(cfg.security_profile);
    let (status_tx, status_rx) = watch::channel(LinkStatus::Connecting);
    // Subscribe before the task starts so no core event is missed.
    let events = core.events.subscribe();
    let snapshot = core.snapshot.subscribe();
    let link = Link {
        transport: transport_config(&cfg, None),
        cfg,
        cp,
        store,
        clock,
        bridge: CoreBridge::new(3),
        core,
        snapshot,
        restart,
        status: status_tx,
        local: mpsc::unbounded_channel(),
        commands: None,
        connected: false,
        security_change: None,
        upgrade: UpgradeWatch::default(),
        hooked: Default::default(),
    };
    tokio::spawn(link.run(events));
    Ok(status_rx)
}

fn transport_config(cfg: &OcppLinkConfig, ping_s: Option<u32>) -> TransportConfig {
    let mut t = TransportConfig::new(cfg.csms_url.clone(), cfg.charge_point_id.clone());
    // A configured key is always sent (a CSMS at profile 0 ignores it; one that sets a key
    // expects it on the next connection).
    t.authorization_key = cfg.authorization_key.clone();
    t.ca_certificates_pem = cfg.ca_pem.clone();
    t.ping_interval = ping_s
        .filter(|s| *s > 0)
        .map(|s| Duration::from_secs(u64::from(s)));
    t.reconnect_min = cfg.reconnect_min;
    t
}

struct Link {
    cfg: OcppLinkConfig,
    cp: ChargePoint,
    store: OcppStore,
    clock: WallClock,
    bridge: CoreBridge,
    core: CoreHandle,
    snapshot: watch::Receiver<Option<Snapshot>>,
    restart: mpsc::UnboundedSender<RunEnd>,
    status: watch::Sender<LinkStatus>,
    /// Answers of background work (file transfers, unlocking) as charge point events.
    local: (
        mpsc::UnboundedSender<CoreEvent>,
        mpsc::UnboundedReceiver<CoreEvent>,
    ),
    transport: TransportConfig,
    /// `None` until the first outputs (ping interval) are known.
    commands: Option<mpsc::UnboundedSender<TransportCommand>>,
    connected: bool,
    /// Security settings to apply once the current batch of outputs is performed.
    security_change: Option<(u8, Option<String>)>,
    /// The first connection after new security settings: falls back when it keeps failing.
    upgrade: UpgradeWatch,
    /// Storage keys the test hook made fail, as last told to the charge point.
    hooked: std::collections::BTreeSet<String>,
}

impl Link {
    async fn run(mut self, mut events: broadcast::Receiver<Event>) {
        let phases = self.cfg.settings.phases;
        self.bridge = CoreBridge::new(phases);
        let _ = self.core.inputs.send(CoreBridge::auth_mode()).await;
        // The outputs of construction (stores, ping interval) before the first connection.
        self.drain().await;
        let (commands, mut transport_events) = ocpp_transport::spawn(self.transport.clone());
        self.commands = Some(commands);
        tracing::info!(
            url = %self.transport.connection_url(),
            profile = self.cfg.security_profile,
            "OCPP link started"
        );
        let mut meter_tick = tokio::time::interval(METER_REPORT_INTERVAL);
        meter_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wake = self
                .cp
                .poll_timeout()
                .map_or(Duration::from_secs(3600), |at| {
                    (at - self.clock.now())
                        .to_std()
                        .unwrap_or(Duration::ZERO)
                        .min(Duration::from_secs(3600))
                });
            tokio::select! {
                ev = transport_events.recv() => match ev {
                    None => {
                        tracing::error!("the OCPP transport ended");
                        return;
                    }
                    Some(ev) => self.on_transport(ev),
                },
                ev = events.recv() => match ev {
                    Ok(ev) => {
                        let snap = self.snapshot.borrow().clone();
                        let tx_tag = self.cp.transaction(CONNECTOR).map(|t| t.id_tag.clone());
                        for ce in self.bridge.from_core(&ev, snap.as_ref(), tx_tag.as_deref()) {
                            self.cp.handle(self.clock.now(), ce);
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "OCPP link missed core events");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                Some(ev) = self.local.1.recv() => self.cp.handle(self.clock.now(), ev),
                _ = meter_tick.tick() => {
                    let snap = self.snapshot.borrow().clone();
                    if let Some(snap) = snap.filter(|s| s.board_link_up) {
                        let ev = self.bridge.meter_of(&snap);
                        self.cp.handle(self.clock.now(), ev);
                        if let Some(ev) = self.bridge.lock_of(&snap) {
                            self.cp.handle(self.clock.now(), ev);
                        }
                    }
                }
                _ = tokio::time::sleep(wake) => self.cp.on_timeout(self.clock.now()),
            }
            self.drain().await;
        }
    }

    fn on_transport(&mut self, ev: TransportEvent) {
        let now = self.clock.now();
        match ev {
            TransportEvent::Connected => {
                tracing::info!("connected to the CSMS");
                self.upgrade.connected();
                self.connected = true;
                self.status.send_replace(LinkStatus::Connected);
                self.cp.on_connected(now);
            }
            TransportEvent::Disconnected { reason } => {
                tracing::warn!(%reason, "CSMS connection down");
                self.status.send_replace(LinkStatus::Disconnected);
                if self.connected {
                    self.connected = false;
                    self.cp.on_disconnected(now);
                } else if let Some(previous) = self.upgrade.attempt_failed() {
                    self.fall_back(previous);
                }
            }
            TransportEvent::Warning(w) => tracing::warn!(warning = %w, "OCPP transport"),
            TransportEvent::Frame(text) => {
                tracing::debug!(frame = %text, "from CSMS");
                self.sync_hooked_storage_faults();
                self.cp.on_text_frame(now, &text);
            }
        }
    }

    /// Test hook: the keys listed in the storage fault file fail from the next CSMS message on
    /// (read before each one, so a scenario needs no wait).
    fn sync_hooked_storage_faults(&mut self) {
        if !self.cfg.test_hooks {
            return;
        }
        let now_failing = self.store.hooked_faults();
        for key in self.hooked.symmetric_difference(&now_failing) {
            self.cp.set_storage_fault(key, now_failing.contains(key));
        }
        self.hooked = now_failing;
    }

    /// Performs every pending output, in order.
    async fn drain(&mut self) {
        while let Some(out) = self.cp.poll_output() {
            self.perform(out).await;
        }
        // New security settings reconnect only after every frame of this batch was queued
        // (the ChangeConfiguration.conf that asked for them goes out on the old connection).
        if let Some((profile, key)) = self.security_change.take() {
            self.on_security_settings(profile, key);
        }
    }

    async fn perform(&mut self, out: Output) {
        let tx_tag = self.cp.transaction(CONNECTOR).map(|t| t.id_tag.clone());
        let out = match self.bridge.to_core(out, tx_tag) {
            ToCore::Core { inputs, back } => {
                for input in inputs {
                    tracing::debug!(?input, "OCPP → core");
                    if self.core.inputs.send(input).await.is_err() {
                        tracing::error!("the charging core stopped");
                    }
                }
                if let Some(ev) = back {
                    self.cp.handle(self.clock.now(), ev);
                }
                return;
            }
            ToCore::NotCore(out) => out,
        };
        match out {
            Output::SendFrame(text) => {
                tracing::debug!(frame = %text, "to CSMS");
                self.send(TransportCommand::Send(text));
            }
            // The transport reconnects by itself with its own randomized back-off.
            Output::Reconnect { after } => {
                tracing::debug!(after_ms = after.as_millis() as u64, "reconnect advised")
            }
            Output::SetPingInterval { seconds } => {
                let wanted = transport_config(&self.cfg, Some(seconds));
                if wanted != self.transport {
                    self.transport = wanted.clone();
                    self.send(TransportCommand::Reconfigure(wanted));
                }
            }
            Output::SecuritySettings {
                profile,
                authorization_key,
            } => {
                let key = match self.security_change.take() {
                    Some((_, earlier)) => authorization_key.or(earlier),
                    None => authorization_key,
                };
                self.security_change = Some((profile, key));
            }
            Output::SetClock { utc } => self.clock.set(utc),
            Output::Store { key, bytes } => {
                let saved = self.store.save(key, &bytes);
                if let Err(e) = &saved {
                    tracing::error!(error = %e, "OCPP store failed");
                }
                // Later updates of this key are refused while it cannot be stored.
                self.cp.set_storage_fault(key, saved.is_err());
            }
            Output::Reset { kind } => {
                tracing::warn!(?kind, "reset requested by the CSMS: restarting");
                let _ = self.restart.send(RunEnd::Restart {
                    reason: format!("OCPP {kind:?} reset"),
                    hard: kind == ResetKind::Hard,
                });
            }
            Output::UnlockConnector { connector } => self.unlock(connector),
            Output::DownloadFirmware { url } => self.download_firmware(url),
            Output::InstallFirmware => {
                // Only an intact image (see firmware_image.rs) is installed.
                let checked = std::fs::read(self.firmware_path())
                    .map_err(|e| format!("cannot read the downloaded image: {e}"))
                    .and_then(|image| firmware_image::verify(&image).map(|p| p.len()));
                let ok = match checked {
                    Ok(bytes) => {
                        tracing::info!(bytes, "firmware image verified and installed");
                        true
                    }
                    Err(why) => {
                        tracing::warn!(reason = %why, "firmware image refused, nothing installed");
                        false
                    }
                };
                let _ = self.local.0.send(CoreEvent::FirmwareInstalled { ok });
            }
            Output::UploadDiagnostics { url, file_name } => self.upload_diagnostics(url, file_name),
            Output::UploadLog {
                url,
                file_name,
                log_type,
                security_lines,
            } => {
                let body = match log_type {
                    LogType::SecurityLog if security_lines.is_empty() => {
                        "no security events recorded\n".to_string()
                    }
                    LogType::SecurityLog => security_lines.join("\n") + "\n",
                    LogType::DiagnosticsLog => self.diagnostics_text(),
                };
                self.upload(url, file_name, body, |ok| CoreEvent::LogUploaded { ok });
            }
            Output::Warning(w) => tracing::warn!(warning = %w, "OCPP"),
            // Handled by the bridge.
            other @ (Output::AuthorizeResult { .. }
            | Output::StartCharging { .. }
            | Output::StopCharging { .. }
            | Output::SetCurrentLimit { .. }
            | Output::SetAvailability { .. }) => tracing::debug!(?other, "not performed"),
        }
    }

    fn send(&self, cmd: TransportCommand) {
        if let Some(c) = &self.commands {
            let _ = c.send(cmd);
        }
    }

    /// A raised security profile or a new key: store it, then reconnect with it (profile 2:
    /// the same CSMS address over `wss://`). A profile the unit cannot connect with (TLS
    /// without the CSMS's CA, Basic auth without a key) is refused at once and reported as a
    /// failed upgrade.
    fn on_security_settings(&mut self, profile: u8, key: Option<String>) {
        let previous = self.cfg.security_profile;
        let key_now = key.clone().or_else(|| self.cfg.authorization_key.clone());
        let url = url_for_profile(&self.cfg.csms_url, profile);
        let tls_ok = url.starts_with("wss://") && self.cfg.ca_pem.is_some();
        let usable = match profile {
            0 => true,
            1 => key_now.is_some(),
            2 => key_now.is_some() && tls_ok,
            _ => false,
        };
        if !usable {
            tracing::warn!(
                profile,
                "security profile cannot be used: staying at {previous}"
            );
            let _ = self
                .local
                .0
                .send(CoreEvent::SecurityProfileFailed { previous });
            return;
        }
        let unit = UnitConfig::new(&self.cfg.state_dir);
        let saved = unit.connection().and_then(|mut c| {
            c.security_profile = profile;
            c.csms_url = Some(url.clone());
            if key.is_some() {
                c.authorization_key = key.clone();
            }
            unit.save_connection(&c)
        });
        if let Err(e) = saved {
            tracing::error!(error = %e, "cannot store the security settings");
        }
        self.upgrade.started(PreviousSettings {
            profile: previous,
            csms_url: self.cfg.csms_url.clone(),
            authorization_key: self.cfg.authorization_key.clone(),
        });
        self.cfg.security_profile = profile;
        self.cfg.csms_url = url;
        self.cfg.authorization_key = key_now;
        let ping = self.transport.ping_interval.map(|d| d.as_secs() as u32);
        self.transport = transport_config(&self.cfg, ping);
        // Close now, reconnect with the new settings after a pause, as the unit's network
        // stack would (the CSMS sees the old connection end before the new one starts).
        self.send(TransportCommand::Disconnect);
        if let Some(commands) = self.commands.clone() {
            let config = self.transport.clone();
            tokio::spawn(async move {
                tokio::time::sleep(SECURITY_RECONNECT_PAUSE).await;
                let _ = commands.send(TransportCommand::Reconfigure(config));
            });
        }
    }

    /// The new security settings never connected: store and use the previous ones again and
    /// tell the charge point (its SecurityProfile goes back too).
    fn fall_back(&mut self, previous: PreviousSettings) {
        tracing::warn!(
            failed = self.cfg.security_profile,
            back_to = previous.profile,
            "cannot connect with the new security settings: falling back"
        );
        let unit = UnitConfig::new(&self.cfg.state_dir);
        let saved = unit.connection().and_then(|mut c| {
            c.security_profile = previous.profile;
            c.csms_url = Some(previous.csms_url.clone());
            c.authorization_key = previous.authorization_key.clone();
            unit.save_connection(&c)
        });
        if let Err(e) = saved {
            tracing::error!(error = %e, "cannot store the previous security settings");
        }
        self.cfg.security_profile = previous.profile;
        self.cfg.csms_url = previous.csms_url;
        self.cfg.authorization_key = previous.authorization_key;
        let ping = self.transport.ping_interval.map(|d| d.as_secs() as u32);
        self.transport = transport_config(&self.cfg, ping);
        self.send(TransportCommand::Reconfigure(self.transport.clone()));
        let _ = self.local.0.send(CoreEvent::SecurityProfileFailed {
            previous: previous.profile,
        });
    }

    /// Socket variants: end the session so the core releases the lock, then report whether the
    /// lock's feedback shows it open within `UNLOCK_WAIT` (a stuck actuator: UnlockFailed).
    fn unlock(&self, connector: u32) {
        let inputs = self.core.inputs.clone();
        let mut snapshot = self.snapshot.clone();
        let answer = self.local.0.clone();
        tokio::spawn(async move {
            let _ = inputs
                .send(Input::StopSession {
                    reason: StopReason::Remote,
                })
                .await;
            let released = tokio::time::timeout(UNLOCK_WAIT, async {
                loop {
                    if snapshot
                        .borrow_and_update()
                        .as_ref()
                        .is_some_and(|s| !s.lock_locked && !s.lock_engaged)
                    {
                        return;
                    }
                    if snapshot.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
            })
            .await
            .is_ok();
            let _ = answer.send(CoreEvent::UnlockResult {
                connector,
                unlocked: released,
            });
        });
    }

    fn firmware_path(&self) -> PathBuf {
        self.cfg.state_dir.join("firmware-download.bin")
    }

    fn download_firmware(&self, url: String) {
        let path = self.firmware_path();
        let answer = self.local.0.clone();
        tokio::spawn(async move {
            let ok = match file_transfer::get(&url).await {
                Ok(bytes) if !bytes.is_empty() => {
                    match super::storage::write_atomic(&path, &bytes) {
                        Ok(()) => {
                            tracing::info!(%url, bytes = bytes.len(), "firmware downloaded");
                            true
                        }
                        Err(e) => {
                            tracing::error!(path = %path.display(), error = %e, "cannot store the firmware");
                            false
                        }
                    }
                }
                Ok(_) => {
                    tracing::warn!(%url, "firmware download was empty");
                    false
                }
                Err(e) => {
                    tracing::warn!(%url, error = %e, "firmware download failed");
                    false
                }
            };
            let _ = answer.send(CoreEvent::FirmwareDownloaded { ok });
        });
    }

    /// What a diagnostics file (GetDiagnostics, GetLog DiagnosticsLog) contains.
    fn diagnostics_text(&self) -> String {
        format!(
            "serial: {}\nfirmware: {}\ncharge point id: {}\ncore: {:#?}\n",
            self.cfg.settings.serial_number,
            self.cfg.settings.firmware_version,
            self.cfg.charge_point_id,
            self.snapshot.borrow().as_ref()
        )
    }

    fn upload_diagnostics(&self, url: String, file_name: String) {
        let body = self.diagnostics_text();
        self.upload(url, file_name, body, |ok| CoreEvent::DiagnosticsUploaded {
            ok,
        });
    }

    /// PUTs `body` to `url/file_name` in the background and answers with `done(ok)`.
    fn upload(&self, url: String, file_name: String, body: String, done: fn(bool) -> CoreEvent) {
        let target = format!("{}/{}", url.trim_end_matches('/'), file_name);
        let answer = self.local.0.clone();
        tokio::spawn(async move {
            let ok = match file_transfer::put(&target, body.into_bytes()).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(url = %target, error = %e, "upload failed");
                    false
                }
            };
            let _ = answer.send(done(ok));
        });
    }
}

/// The CSMS URL to use with a security profile: profile 2 and up is TLS, so a `ws://` address
/// becomes `wss://` on the same host, port and path (the CSMS serves both there while it
/// accepts the upgrade); lower profiles keep the URL as it is.
pub fn url_for_profile(url: &str, profile: u8) -> String {
    match url.get(..5) {
        Some(scheme) if profile >= 2 && scheme.eq_ignore_ascii_case("ws://") => {
            format!("wss://{}", &url[5..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::url_for_profile;

    #[test]
    fn profile_2_turns_ws_into_wss_and_leaves_the_rest() {
        assert_eq!(
            url_for_profile("ws://127.0.0.1:9000/ocpp", 2),
            "wss://127.0.0.1:9000/ocpp"
        );
        assert_eq!(url_for_profile("WS://h/x", 2), "wss://h/x");
        assert_eq!(url_for_profile("wss://h/x", 2), "wss://h/x");
        assert_eq!(url_for_profile("ws://h/x", 1), "ws://h/x");
        assert_eq!(url_for_profile("ws:/", 2), "ws:/");
    }
}

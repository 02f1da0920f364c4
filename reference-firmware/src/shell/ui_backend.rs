//! The firmware's implementation of the local interface's [`ui::Backend`]: installation
//! parameters through the charging core (validated by its installation module; the duty cycle
//! follows at once), offline cards, Wi-Fi and OCPP settings in the state directory (a change of
//! the OCPP settings, or a factory reset, restarts the unit within 10 s), status from the core,
//! the OCPP link and the access point.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, mpsc, watch};

use super::ocpp_link::LinkStatus;
use super::runtime::{CoreHandle, RunEnd};
use super::storage::StateDir;
use super::unit_config::{UnitConfig, WifiSettings};
use crate::core::{self, Event, Input, Stored, Variant};
use crate::ui;

/// How long a change waits for the core's answer.
const CORE_ANSWER: Duration = Duration::from_secs(3);
/// Delay between an accepted OCPP change (or factory reset) and the restart. It only has to
/// outlast the answer: the interface writes the short 202 reply and closes the connection as
/// soon as the change returns (milliseconds), and the restart ends the interface's tasks. Half
/// a second leaves room for a loaded machine or a slow Wi-Fi client and is well within the
/// promised 10 s; every second here is a second of each unit's end-of-line cycle.
const RESTART_DELAY: Duration = Duration::from_millis(500);
/// Offline card list size.
const MAX_CARDS: usize = 100;

/// What `--ui-listen` and the provisioning give.
#[derive(Debug, Clone)]
pub struct UiService {
    pub listen: SocketAddr,
    pub serial: String,
    /// `None`: nobody can log in, no access point.
    pub pin: Option<String>,
    pub ap_window: Duration,
    /// Extra options (tests shorten time-outs).
    pub options: Option<ui::UiOptions>,
}

/// What the backend reads and drives (built by the runtime).
pub struct Deps {
    pub core: CoreHandle,
    pub variant: Variant,
    pub firmware_version: String,
    pub state: StateDir,
    pub stored: Stored,
    pub link_status: Option<watch::Receiver<LinkStatus>>,
    pub ethernet: watch::Receiver<bool>,
    pub restart: mpsc::UnboundedSender<RunEnd>,
}

/// Binds the listener and serves until the process ends.
pub async fn start(service: UiService, deps: Deps) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(service.listen)
        .await
        .map_err(|e| format!("--ui-listen {}: cannot listen: {e}", service.listen))?;
    tracing::info!(addr = %service.listen, "local management interface listening");
    let ap = ui::AccessPointHandle::power_on(
        ui::Clock::system(),
        &service.serial,
        service.pin.as_deref(),
        service.ap_window,
    );
    let mut ethernet = deps.ethernet.clone();
    let ap_link = ap.clone();
    tokio::spawn(async move {
        loop {
            let up = *ethernet.borrow_and_update();
            ap_link.set_ethernet_link(up);
            if ethernet.changed().await.is_err() {
                return;
            }
        }
    });
    let backend = FirmwareBackend::new(service.clone(), deps, ap);
    let options = service.options.unwrap_or_default();
    // The server task ends with the runtime.
    drop(ui::serve(listener, Arc::new(backend), options));
    Ok(())
}

/// The firmware side of the local interface.
pub struct FirmwareBackend {
    service: UiService,
    core: CoreHandle,
    snapshot: watch::Receiver<Option<core::Snapshot>>,
    variant: Variant,
    firmware_version: String,
    unit: UnitConfig,
    link_status: Option<watch::Receiver<LinkStatus>>,
    ethernet: watch::Receiver<bool>,
    restart: mpsc::UnboundedSender<RunEnd>,
    ap: ui::AccessPointHandle,
    /// The installation in force and the offline cards, as last accepted by the core.
    installation: Mutex<core::Installation>,
    cards: Mutex<Vec<String>>,
    /// One change at a time.
    changing: Mutex<()>,
}

impl FirmwareBackend {
    pub fn new(service: UiService, deps: Deps, ap: ui::AccessPointHandle) -> FirmwareBackend {
        let installation = deps
            .stored
            .installation
            .unwrap_or_else(|| core::Installation::default_for(&deps.variant));
        FirmwareBackend {
            service,
            snapshot: deps.core.snapshot.subscribe(),
            core: deps.core,
            variant: deps.variant,
            firmware_version: deps.firmware_version,
            unit: UnitConfig::new(deps.state.path()),
            link_status: deps.link_status,
            ethernet: deps.ethernet,
            restart: deps.restart,
            ap,
            installation: Mutex::new(installation),
            cards: Mutex::new(deps.stored.offline_cards.clone()),
            changing: Mutex::new(()),
        }
    }

    fn restart_soon(&self, reason: &str) {
        let tx = self.restart.clone();
        let reason = reason.to_string();
        std::thread::spawn(move || {
            std::thread::sleep(RESTART_DELAY);
            let _ = tx.send(RunEnd::Restart {
                reason,
                hard: false,
            });
        });
    }

    /// Sends `input` and waits for the core's event that `answer` recognises.
    fn ask_core<T>(&self, input: Input, answer: impl Fn(&Event) -> Option<T>) -> Result<T, String> {
        let mut events = self.core.events.subscribe();
        self.core
            .inputs
            .blocking_send(input)
            .map_err(|_| "the charging core is not running".to_string())?;
        let deadline = Instant::now() + CORE_ANSWER;
        loop {
            match events.try_recv() {
                Ok(ev) => {
                    if let Some(t) = answer(&ev) {
                        return Ok(t);
                    }
                }
                Err(broadcast::error::TryRecvError::Empty) => {
                    if Instant::now() >= deadline {
                        return Err("the charging core did not answer in time".into());
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                Err(broadcast::error::TryRecvError::Closed) => {
                    return Err("the charging core is not running".into())
                }
            }
        }
    }

    fn set_cards(&self, cards: Vec<String>) -> Result<(), String> {
        self.core
            .inputs
            .blocking_send(Input::SetOfflineCards(cards.clone()))
            .map_err(|_| "the charging core is not running".to_string())?;
        *lock(&self.cards) = cards;
        Ok(())
    }

    fn csms_configured(&self) -> bool {
        self.unit.connection().is_ok_and(|c| c.csms_url.is_some())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn to_ui(i: core::Installation) -> ui::Installation {
    ui::Installation {
        max_current_a: i.max_current_a,
        fuse_rating_a: i.fuse_rating_a,
        phases: i.phases,
        earthing: match i.earthing {
            core::Earthing::TN => ui::Earthing::TN,
            core::Earthing::TT => ui::Earthing::TT,
            core::Earthing::IT => ui::Earthing::IT,
        },
    }
}

fn from_ui(i: &ui::Installation) -> core::Installation {
    core::Installation {
        max_current_a: i.max_current_a,
        fuse_rating_a: i.fuse_rating_a,
        phases: i.phases,
        earthing: match i.earthing {
            ui::Earthing::TN => core::Earthing::TN,
            ui::Earthing::TT => core::Earthing::TT,
            ui::Earthing::IT => core::Earthing::IT,
        },
    }
}

impl ui::Backend for FirmwareBackend {
    fn pin(&self) -> Option<String> {
        self.service.pin.clone()
    }

    fn status(&self) -> ui::Status {
        let connection = self.unit.connection().unwrap_or_default();
        let ocpp = match (&connection.csms_url, &self.link_status) {
            (None, _) | (_, None) => ui::OcppConnection::NotConfigured,
            (Some(_), Some(rx)) => match *rx.borrow() {
                LinkStatus::Connecting => ui::OcppConnection::Connecting,
                LinkStatus::Connected => ui::OcppConnection::Connected,
                LinkStatus::Disconnected => ui::OcppConnection::Disconnected,
            },
        };
        let wifi = self.unit.wifi().ok().flatten();
        let energy_wh = self
            .snapshot
            .borrow()
            .as_ref()
            .map_or(0, |s| s.meter.energy_wh);
        ui::Status {
            serial: self.service.serial.clone(),
            product_number: self.variant.product_number,
            firmware_version: self.firmware_version.clone(),
            network: ui::NetworkStatus {
                access_point: self.ap.status(),
                ethernet: self.variant.lan.then(|| ui::EthernetStatus {
                    link_up: *self.ethernet.borrow(),
                    ip: None,
                }),
                wifi: ui::WifiStatus {
                    ssid: wifi.as_ref().map(|w| w.ssid.clone()),
                    security: wifi.as_ref().and_then(|w| match w.security.as_str() {
                        "wpa-tkip" => Some(ui::WifiSecurity::WpaTkip),
                        "wpa2-aes" => Some(ui::WifiSecurity::Wpa2Aes),
                        _ => None,
                    }),
                    // No radio in this build: a stored network is never joined.
                    connected: false,
                    ip: None,
                },
            },
            ocpp: ui::OcppStatus {
                csms_url: connection.csms_url,
                connection: ocpp,
            },
            energy_wh,
        }
    }

    fn join_wifi(&self, request: &ui::WifiJoin) -> Result<(), String> {
        let security = match request.security {
            ui::WifiSecurity::WpaTkip => "wpa-tkip",
            ui::WifiSecurity::Wpa2Aes => "wpa2-aes",
        };
        self.unit.save_wifi(&WifiSettings {
            ssid: request.ssid.clone(),
            security: security.into(),
            passphrase: request.passphrase.clone(),
        })
    }

    fn installation(&self) -> ui::Installation {
        to_ui(*lock(&self.installation))
    }

    fn set_installation(&self, new: &ui::Installation) -> Result<(), String> {
        let _one = lock(&self.changing);
        let inst = from_ui(new);
        inst.validate(&self.variant)?;
        let result = self.ask_core(Input::SetInstallation(inst), |ev| match ev {
            Event::InstallationChanged(i) if *i == inst => Some(Ok(())),
            Event::InstallationRejected { reason } => Some(Err(reason.clone())),
            _ => None,
        })?;
        if result.is_ok() {
            *lock(&self.installation) = inst;
        }
        result
    }

    fn rfid_cards(&self) -> ui::RfidCards {
        ui::RfidCards {
            cards: lock(&self.cards).clone(),
            csms_configured: self.csms_configured(),
        }
    }

    fn add_rfid_card(&self, uid: &str) -> Result<(), String> {
        let _one = lock(&self.changing);
        let mut cards = lock(&self.cards).clone();
        if cards.iter().any(|c| c == uid) {
            return Err(format!("card {uid} is already in the list"));
        }
        if cards.len() >= MAX_CARDS {
            return Err(format!(
                "the list is full ({MAX_CARDS} cards): remove one first"
            ));
        }
        cards.push(uid.to_string());
        self.set_cards(cards)
    }

    fn remove_rfid_card(&self, uid: &str) -> Result<(), String> {
        let _one = lock(&self.changing);
        let mut cards = lock(&self.cards).clone();
        let before = cards.len();
        cards.retain(|c| c != uid);
        if cards.len() == before {
            return Err(format!("no offline card {uid}"));
        }
        self.set_cards(cards)
    }

    fn ocpp_settings(&self) -> ui::OcppSettings {
        let c = self.unit.connection().unwrap_or_default();
        ui::OcppSettings {
            csms_url: c.csms_url,
            charge_point_id: c
                .charge_point_id
                .unwrap_or_else(|| self.service.serial.clone()),
            authorization_key_set: c.authorization_key.is_some(),
        }
    }

    fn set_ocpp_settings(&self, new: &ui::OcppSettingsUpdate) -> Result<(), String> {
        let _one = lock(&self.changing);
        let mut c = self.unit.connection()?;
        c.csms_url = Some(new.csms_url.clone());
        c.charge_point_id = Some(new.charge_point_id.clone());
        match &new.authorization_key {
            ui::KeyChange::Keep => {}
            ui::KeyChange::Set(k) => c.authorization_key = Some(k.clone()),
            ui::KeyChange::Clear => c.authorization_key = None,
        }
        if c.authorization_key.is_none() && c.security_profile >= 1 {
            return Err(format!(
                "security profile {} needs an authorization key: keep or set one",
                c.security_profile
            ));
        }
        self.unit.save_connection(&c)?;
        tracing::info!(csms_url = %new.csms_url, "OCPP settings changed: restarting");
        self.restart_soon("OCPP settings changed");
        Ok(())
    }

    fn factory_reset(&self) -> Result<(), String> {
        let _one = lock(&self.changing);
        self.unit.factory_wipe()?;
        tracing::warn!("factory reset: configuration, credentials and cards wiped; restarting");
        self.restart_soon("factory reset");
        Ok(())
    }
}

//! The event loop: feeds the core with board frames, external inputs and timeouts, and
//! performs its outputs (board writes, crash-safe stores, events).

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;

use super::board::{BoardPort, FromBoard};
use super::ocpp_link::{self, LinkStatus, OcppLinkConfig};
use super::storage::StateDir;
use super::ui_backend::{self, UiService};
use crate::core::{
    Charger, ChargerConfig, Event, Input, Millis, Output, PilotOutput, Snapshot, Stored,
};
use board_link::{BoardMessage, ControllerMessage};

/// How other parts of the firmware (the OCPP link, the local interface) talk to the core:
/// send [`Input`]s, subscribe to [`Event`]s, read the latest [`Snapshot`].
#[derive(Clone)]
pub struct CoreHandle {
    pub inputs: mpsc::Sender<Input>,
    pub events: broadcast::Sender<Event>,
    /// Updated after every input and timeout (`None` until the core started).
    pub snapshot: watch::Sender<Option<Snapshot>>,
}

/// Everything [`run`] needs.
pub struct RunConfig {
    pub charger: ChargerConfig,
    pub stored: Stored,
    pub state: StateDir,
    /// Where the OCPP link would connect (`--csms-url`), with the charge point id.
    pub csms: Option<(String, String)>,
    /// Print `READY` on stdout once the charger is idle after its start-up self-test.
    pub print_ready: bool,
}

impl CoreHandle {
    /// A handle and the receiving end of its inputs (give both to [`run`]).
    pub fn new() -> (CoreHandle, mpsc::Receiver<Input>) {
        let (inputs, rx) = mpsc::channel::<Input>(64);
        let (events, _) = broadcast::channel::<Event>(1024);
        let (snapshot, _) = watch::channel(None);
        (
            CoreHandle {
                inputs,
                events,
                snapshot,
            },
            rx,
        )
    }
}

/// Why [`run_with`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// `shutdown` resolved (SIGTERM/SIGINT).
    Shutdown,
    /// The unit must restart (OCPP Reset, new OCPP settings, factory reset); everything to keep
    /// is stored. The binary re-executes itself.
    Restart { reason: String, hard: bool },
}

/// The optional parts around the core: the OCPP link and the local interface.
#[derive(Default)]
pub struct Services {
    pub ocpp: Option<OcppLinkConfig>,
    pub ui: Option<UiService>,
}

/// Runs the firmware against an open board port until `shutdown` resolves; then leaves the
/// board in its safe state (contactor open, pilot F). With `cfg.csms` the OCPP link runs with
/// default settings (no authorization key, no CA); [`run_with`] takes the full set.
pub async fn run(
    cfg: RunConfig,
    board: (BoardPort, mpsc::Receiver<FromBoard>),
    core: (CoreHandle, mpsc::Receiver<Input>),
    shutdown: impl Future<Output = ()>,
) -> Result<(), String> {
    let ocpp = cfg
        .csms
        .as_ref()
        .map(|(url, id)| OcppLinkConfig::new(url, id, &cfg.charger.variant, id, cfg.state.path()));
    let services = Services { ocpp, ui: None };
    run_with(cfg, services, board, core, shutdown)
        .await
        .map(|_| ())
}

/// [`run`] with the OCPP link and the local interface as given (not `cfg.csms`); returns why
/// it ended.
pub async fn run_with(
    cfg: RunConfig,
    services: Services,
    (mut board, mut from_board): (BoardPort, mpsc::Receiver<FromBoard>),
    (handle, mut input_rx): (CoreHandle, mpsc::Receiver<Input>),
    shutdown: impl Future<Output = ()>,
) -> Result<RunEnd, String> {
    let start = Instant::now();
    let now = move || Millis(start.elapsed().as_millis() as u64);
    let event_tx = handle.events.clone();
    let snapshot_tx = handle.snapshot.clone();
    let (restart_tx, mut restart_rx) = mpsc::unbounded_channel::<RunEnd>();
    let (ethernet_tx, ethernet_rx) = watch::channel(false);
    let link_status = spawn_ocpp_link(services.ocpp, &handle, &restart_tx)?;
    if let Some(ui) = services.ui {
        let deps = ui_backend::Deps {
            core: handle.clone(),
            variant: cfg.charger.variant,
            firmware_version: cfg.charger.firmware_version.clone(),
            state: cfg.state.clone(),
            stored: cfg.stored.clone(),
            link_status,
            ethernet: ethernet_rx,
            restart: restart_tx.clone(),
        };
        ui_backend::start(ui, deps).await?;
    }

    let mut charger = Charger::new(now(), cfg.charger, cfg.stored);
    tokio::pin!(shutdown);
    let end = loop {
        while let Some(out) = charger.poll_output() {
            perform(out, &mut board, &cfg.state, &event_tx, cfg.print_ready);
        }
        if snapshot_tx.receiver_count() > 0 {
            snapshot_tx.send_replace(Some(charger.snapshot()));
        }
        let wake = charger
            .poll_timeout()
            .map_or(start + Duration::from_secs(3600), |m| {
                start + Duration::from_millis(m.0)
            });
        tokio::select! {
            item = from_board.recv() => match item {
                Some(FromBoard::Frame(msg)) => {
                    if let BoardMessage::Status(s) = &msg {
                        // The local interface's access point goes off when the LAN is up.
                        ethernet_tx.send_if_modified(|up| {
                            std::mem::replace(up, s.ethernet_link_up) != s.ethernet_link_up
                        });
                    }
                    charger.handle_input(now(), Input::Board(msg))
                }
                Some(FromBoard::Error(e)) => charger.handle_input(now(), Input::BoardFrameError(e)),
                None => return Err("the board reader stopped".into()),
            },
            Some(input) = input_rx.recv() => charger.handle_input(now(), input),
            _ = tokio::time::sleep_until(wake) => charger.handle_timeout(now()),
            Some(end) = restart_rx.recv() => break end,
            _ = &mut shutdown => break RunEnd::Shutdown,
        }
    };
    tracing::info!("shutting down: contactor open, pilot F");
    board.send(&ControllerMessage::SetContactor { closed: false });
    board.send(&ControllerMessage::SetPilot(PilotOutput::DcMinus12V));
    // No tcdrain here: on a pty whose other end stopped reading it would block forever; a
    // real UART driver drains its queue on close.
    Ok(end)
}

/// Spawns the OCPP 1.6J link task (see [`ocpp_link`]) when a CSMS is configured. It switches
/// the core to `AuthMode::External` (the offline card list is then ignored) and translates
/// between `handle.events` / `handle.inputs` and OCPP messages.
fn spawn_ocpp_link(
    cfg: Option<OcppLinkConfig>,
    handle: &CoreHandle,
    restart: &mpsc::UnboundedSender<RunEnd>,
) -> Result<Option<watch::Receiver<LinkStatus>>, String> {
    match cfg {
        None => Ok(None),
        Some(cfg) => ocpp_link::spawn(cfg, handle.clone(), restart.clone()).map(Some),
    }
}

fn perform(
    out: Output,
    board: &mut BoardPort,
    state: &StateDir,
    events: &broadcast::Sender<Event>,
    print_ready: bool,
) {
    match out {
        Output::Board(msg) => board.send(&msg),
        Output::Store(req) => {
            if let Err(e) = state.store(&req) {
                tracing::error!(error = %e, "store failed");
            }
        }
        Output::Event(ev) => {
            match &ev {
                Event::Ready => {
                    tracing::info!("ready");
                    if print_ready {
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "READY");
                        let _ = out.flush();
                    }
                }
                Event::Meter(_) => tracing::debug!(event = ?ev),
                Event::BoardFrameRejected { error, total } => {
                    tracing::warn!(%error, total, "bad frame from the power board dropped")
                }
                _ => tracing::info!(event = ?ev),
            }
            // Nobody listening is fine.
            let _ = events.send(ev);
        }
    }
}

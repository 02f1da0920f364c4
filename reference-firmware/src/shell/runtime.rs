//! The event loop: feeds the core with board frames, external inputs and timeouts, and
//! performs its outputs (board writes, crash-safe stores, events).

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;

use super::board::{BoardPort, FromBoard};
use super::storage::StateDir;
use crate::core::{
    Charger, ChargerConfig, Event, Input, Millis, Output, PilotOutput, Snapshot, Stored,
};
use board_link::ControllerMessage;

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

/// Runs the firmware against an open board port until `shutdown` resolves; then leaves the
/// board in its safe state (contactor open, pilot F).
pub async fn run(
    cfg: RunConfig,
    (mut board, mut from_board): (BoardPort, mpsc::Receiver<FromBoard>),
    (handle, mut input_rx): (CoreHandle, mpsc::Receiver<Input>),
    shutdown: impl Future<Output = ()>,
) -> Result<(), String> {
    let start = Instant::now();
    let now = move || Millis(start.elapsed().as_millis() as u64);
    let event_tx = handle.events.clone();
    let snapshot_tx = handle.snapshot.clone();
    spawn_ocpp_link(&cfg, handle);

    let mut charger = Charger::new(now(), cfg.charger, cfg.stored);
    tokio::pin!(shutdown);
    loop {
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
                Some(FromBoard::Frame(msg)) => charger.handle_input(now(), Input::Board(msg)),
                Some(FromBoard::Error(e)) => charger.handle_input(now(), Input::BoardFrameError(e)),
                None => return Err("the board reader stopped".into()),
            },
            Some(input) = input_rx.recv() => charger.handle_input(now(), input),
            _ = tokio::time::sleep_until(wake) => charger.handle_timeout(now()),
            _ = &mut shutdown => break,
        }
    }
    tracing::info!("shutting down: contactor open, pilot F");
    board.send(&ControllerMessage::SetContactor { closed: false });
    board.send(&ControllerMessage::SetPilot(PilotOutput::DcMinus12V));
    // No tcdrain here: on a pty whose other end stopped reading it would block forever; a
    // real UART driver drains its queue on close.
    Ok(())
}

/// THE place where the OCPP 1.6J link task is spawned: it would own the WebSocket to
/// `--csms-url`, switch the core to `AuthMode::External` while connected, and translate
/// between `handle.events` / `handle.inputs` and OCPP messages. The sans-IO OCPP charge point
/// (crate `ocpp-charge-point`) is being written separately and is not wired in yet.
fn spawn_ocpp_link(cfg: &RunConfig, _handle: CoreHandle) {
    if let Some((url, id)) = &cfg.csms {
        tracing::warn!(
            csms_url = %url,
            charge_point_id = %id,
            "the OCPP link is not part of this build yet; running with the offline card list"
        );
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

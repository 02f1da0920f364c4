//! The command line: `reference-firmware --board <tty|sim> --state-dir DIR
//! --product-number N --serial S [--csms-url URL] [--charge-point-id ID] [--ui-listen ADDR]
//! [--seed-defect NAME]...`.
//!
//! Prints exactly one line `READY` on stdout once the start-up self-test passed and the
//! charger is idle; logs go to stderr (`RUST_LOG` filters, default `info`). Exit status 2 with
//! a one-line message for bad arguments, a missing board or an unusable state directory.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::core::{ChargerConfig, Defects, Protocol, SeededDefect, Variant};
use crate::shell::board::BoardPort;
use crate::shell::runtime::{run, CoreHandle, RunConfig};
use crate::shell::storage::StateDir;

#[derive(Debug, Parser)]
#[command(
    name = "reference-firmware",
    version,
    about = "Reference firmware of an AC wallbox"
)]
struct Args {
    /// Serial port of the power board (e.g. /dev/ttyUSB0 or a pty path), or `sim`.
    #[arg(long)]
    board: String,
    /// Directory for configuration, the energy register and authorization data.
    #[arg(long)]
    state_dir: PathBuf,
    /// Product number; selects the variant (see README.md).
    #[arg(long)]
    product_number: u32,
    /// Serial number of the unit.
    #[arg(long)]
    serial: String,
    /// CSMS WebSocket URL (ws:// or wss://).
    #[arg(long)]
    csms_url: Option<String>,
    /// OCPP charge point id (default: the serial number).
    #[arg(long)]
    charge_point_id: Option<String>,
    /// Address of the local management interface.
    #[arg(long)]
    ui_listen: Option<SocketAddr>,
    /// Enable a seeded defect (only in builds with the `seeded-defects` feature).
    #[arg(long = "seed-defect", value_name = "NAME")]
    seed_defects: Vec<String>,
}

/// Runs the firmware with `args` (without the program name).
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    let argv = std::iter::once(OsString::from("reference-firmware")).chain(args);
    let args = match Args::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap's message spans several lines; keep the part before the usage, on one line.
            let text = e.to_string();
            let message: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let message = message.join(" ");
            eprintln!(
                "reference-firmware: {}",
                message.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    init_tracing();
    match prepare(args) {
        Ok(start) => start(),
        Err(msg) => {
            eprintln!("reference-firmware: {msg}");
            ExitCode::from(2)
        }
    }
}

type Start = Box<dyn FnOnce() -> ExitCode>;

/// Validates everything that can be wrong before the firmware starts.
fn prepare(args: Args) -> Result<Start, String> {
    let variant = Variant::from_product_number(args.product_number).ok_or_else(|| {
        let known: Vec<_> = Variant::PRODUCT_NUMBERS
            .iter()
            .map(u32::to_string)
            .collect();
        format!(
            "--product-number {}: unknown product; known: {}",
            args.product_number,
            known.join(", ")
        )
    })?;
    if args.serial.trim().is_empty() {
        return Err("--serial: must not be empty".into());
    }
    let defects: Vec<SeededDefect> = args
        .seed_defects
        .iter()
        .map(|s| s.parse())
        .collect::<Result<_, String>>()
        .map_err(|e| format!("--seed-defect: {e}"))?;
    let defects = Defects::new(&defects)?;
    if let Some(url) = &args.csms_url {
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(format!("--csms-url {url}: must start with ws:// or wss://"));
        }
    }
    if args.board == "sim" {
        return Err(
            "--board sim: the in-process simulator is not wired into this build; run \
                    `harness __rig-sim --out FILE` and pass its \"board\" pty path to --board"
                .into(),
        );
    }
    let state = StateDir::open(&args.state_dir)?;
    let settings = state.load_settings()?;
    let stored = state.load_stored()?;
    if let Some(inst) = &stored.installation {
        inst.validate(&variant)
            .map_err(|e| format!("{}/installation.json: {e}", state.path().display()))?;
    }
    let port = BoardPort::open(&args.board)?;

    if variant.protocol == Protocol::Capi {
        tracing::warn!(
            product = variant.product_number,
            "product {} is a CAPI variant: the CAPI cloud protocol is not available in this \
             firmware (no public specification); it charges with the offline card list only",
            variant.product_number
        );
    }
    let csms = match (&args.csms_url, variant.protocol) {
        (Some(_), Protocol::Capi) => {
            tracing::warn!("--csms-url ignored: a CAPI product does not speak OCPP");
            None
        }
        (Some(url), Protocol::Ocpp16) => {
            let id = args
                .charge_point_id
                .clone()
                .unwrap_or_else(|| args.serial.clone());
            Some((url.clone(), id))
        }
        (None, _) => None,
    };
    if let Some(addr) = args.ui_listen {
        tracing::warn!(%addr, "the local management interface is not part of this build");
    }
    tracing::info!(
        product = variant.product_number,
        serial = %args.serial,
        rated_a = variant.rated_current_a,
        phases = variant.phases,
        board = %args.board,
        state_dir = %args.state_dir.display(),
        "starting"
    );
    let mut charger = ChargerConfig::new(variant);
    charger.settings = settings;
    charger.defects = defects;
    let cfg = RunConfig {
        charger,
        stored,
        state,
        csms,
        print_ready: true,
    };
    Ok(Box::new(move || {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("reference-firmware: cannot start the runtime: {e}");
                return ExitCode::from(1);
            }
        };
        match rt.block_on(run(cfg, port, CoreHandle::new(), shutdown_signal())) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("reference-firmware: {e}");
                ExitCode::from(1)
            }
        }
    }))
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers, run until killed.
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

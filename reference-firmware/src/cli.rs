//! The command line: `reference-firmware --board <tty|sim> --state-dir DIR
//! --product-number N --serial S [--csms-url URL] [--charge-point-id ID]
//! [--authorization-key KEY] [--csms-ca FILE] [--ui-listen ADDR] [--pin PIN | --provisioning
//! FILE] [--ap-window-s N] [--ui-session-idle-s N] [--seed-defect NAME]...`.
//!
//! Connection settings given on the command line are stored in the state directory
//! (`ocpp-connection.json`, `csms-ca.pem`); without them the stored ones are used. The PIN and
//! serial written at the factory are stored in `provisioning.json` (there is no default PIN).
//!
//! Prints exactly one line `READY` on stdout once the start-up self-test passed and the
//! charger is idle (it does not wait for the CSMS); logs go to stderr (`RUST_LOG` filters,
//! default `info`). Exit status 2 with a one-line message for bad arguments, a missing board or
//! an unusable state directory. A restart (OCPP Reset, new OCPP settings, factory reset)
//! re-executes the same program with the same arguments minus the stored connection settings.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::core::{ChargerConfig, Defects, Protocol, SeededDefect, Variant};
use crate::shell::board::BoardPort;
use crate::shell::ocpp_link::OcppLinkConfig;
use crate::shell::runtime::{run_with, CoreHandle, RunConfig, RunEnd, Services};
use crate::shell::storage::StateDir;
use crate::shell::ui_backend::UiService;
use crate::shell::unit_config::{check_pin, ConnectionSettings, Provisioning, UnitConfig};

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
    /// OCPP AuthorizationKey (HTTP Basic auth, security profile 1, or 2 with wss://); stored.
    #[arg(long, value_name = "KEY")]
    authorization_key: Option<String>,
    /// PEM file of the CSMS root certificate (for wss://); copied into the state directory.
    #[arg(long, value_name = "FILE")]
    csms_ca: Option<PathBuf>,
    /// Address of the local management interface (e.g. 127.0.0.1:8080).
    #[arg(long)]
    ui_listen: Option<SocketAddr>,
    /// The unit's PIN as written at the factory (4 to 12 digits); stored.
    #[arg(long, conflicts_with = "provisioning")]
    pin: Option<String>,
    /// Factory provisioning file: JSON `{"serial": "...", "pin": "..."}`; stored.
    #[arg(long, value_name = "FILE")]
    provisioning: Option<PathBuf>,
    /// How long the commissioning access point stays on after power-on, seconds.
    #[arg(long, value_name = "N", default_value_t = 600)]
    ap_window_s: u64,
    /// How long an idle session of the local interface lasts, seconds (the product's 900;
    /// shorter for test scenarios of the expiry).
    #[arg(long, value_name = "N", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    ui_session_idle_s: u64,
    /// Test hooks of the emulated bench: keys listed in `<state dir>/test-hooks/storage-faults`
    /// cannot be stored (the harness's storage fault step writes it).
    #[arg(long)]
    test_hooks: bool,
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
    if let Some(key) = &args.authorization_key {
        if !(16..=40).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "--authorization-key: must be 16 to 40 printable ASCII characters without spaces"
                    .into(),
            );
        }
    }
    if let Some(pin) = &args.pin {
        check_pin(pin).map_err(|e| format!("--pin: {e}"))?;
    }
    let provisioning = match &args.provisioning {
        Some(path) => {
            let p = Provisioning::from_file(path)?;
            if p.serial != args.serial {
                return Err(format!(
                    "--provisioning {}: serial {} does not match --serial {}",
                    path.display(),
                    p.serial,
                    args.serial
                ));
            }
            Some(p)
        }
        None => args.pin.as_ref().map(|pin| Provisioning {
            serial: args.serial.clone(),
            pin: Some(pin.clone()),
        }),
    };
    let ca_pem = match &args.csms_ca {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("--csms-ca {}: cannot read: {e}", path.display()))?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(format!(
                    "--csms-ca {}: no PEM certificate in the file",
                    path.display()
                ));
            }
            Some(pem)
        }
        None => None,
    };
    let state = StateDir::open(&args.state_dir)?;
    let settings = state.load_settings()?;
    let stored = state.load_stored()?;
    if let Some(inst) = &stored.installation {
        inst.validate(&variant)
            .map_err(|e| format!("{}/installation.json: {e}", state.path().display()))?;
    }
    let unit = UnitConfig::new(state.path());
    let connection = store_connection(&unit, &args, ca_pem.as_deref())?;
    if let Some(p) = &provisioning {
        unit.save_provisioning(p)?;
    }
    let pin = match provisioning {
        Some(p) => p.pin,
        None => unit.provisioning()?.and_then(|p| p.pin),
    };

    let mut sim_rig = None;
    let port = if args.board == "sim" {
        let (rig, tty) = start_sim(&args.serial, variant.phases)?;
        sim_rig = Some(rig);
        BoardPort::open(&tty)?
    } else {
        BoardPort::open(&args.board)?
    };

    if variant.protocol == Protocol::Capi {
        tracing::warn!(
            product = variant.product_number,
            "product {} is a CAPI variant: the CAPI cloud protocol is not available in this \
             firmware (no public specification); it charges with the offline card list only",
            variant.product_number
        );
    }
    let ocpp = match (&connection.csms_url, variant.protocol) {
        (Some(_), Protocol::Capi) => {
            tracing::warn!("CSMS URL ignored: a CAPI product does not speak OCPP");
            None
        }
        (Some(url), Protocol::Ocpp16) => {
            let id = connection
                .charge_point_id
                .clone()
                .unwrap_or_else(|| args.serial.clone());
            let mut link = OcppLinkConfig::new(url, &id, &variant, &args.serial, state.path());
            link.settings.defects = defects.ocpp();
            link.authorization_key = connection.authorization_key.clone();
            link.security_profile = connection.security_profile;
            link.ca_pem = unit.csms_ca()?;
            link.test_hooks = args.test_hooks;
            Some(link)
        }
        (None, _) => None,
    };
    let ui = args.ui_listen.map(|listen| UiService {
        listen,
        serial: args.serial.clone(),
        pin: pin.clone(),
        ap_window: std::time::Duration::from_secs(args.ap_window_s),
        options: {
            let mut options = crate::ui::UiOptions::default();
            options.security.session_idle = std::time::Duration::from_secs(args.ui_session_idle_s);
            // Seeded defect `pin-lockout-never` (only in builds with the feature).
            options.security.seeded_lockout_never = defects.has(SeededDefect::PinLockoutNever);
            (options.security != crate::ui::SecurityConfig::default()).then_some(options)
        },
    });
    tracing::info!(
        product = variant.product_number,
        serial = %args.serial,
        rated_a = variant.rated_current_a,
        phases = variant.phases,
        board = %args.board,
        state_dir = %args.state_dir.display(),
        csms = ?connection.csms_url,
        seeded_defects = ?defects.names(),
        "starting"
    );
    let mut charger = ChargerConfig::new(variant);
    charger.settings = settings;
    charger.defects = defects;
    let csms = ocpp
        .as_ref()
        .map(|l| (l.csms_url.clone(), l.charge_point_id.clone()));
    let cfg = RunConfig {
        charger,
        stored,
        state,
        csms,
        print_ready: true,
    };
    let services = Services { ocpp, ui };
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
        let result = rt.block_on(run_with(
            cfg,
            services,
            port,
            CoreHandle::new(),
            shutdown_signal(),
        ));
        // Close sockets and the board port before a restart re-executes the program.
        rt.shutdown_timeout(std::time::Duration::from_secs(1));
        drop(sim_rig);
        match result {
            Ok(RunEnd::Shutdown) => ExitCode::SUCCESS,
            Ok(RunEnd::Restart { reason, .. }) => {
                tracing::warn!(%reason, "restarting");
                // The unit is away for as long as a reboot takes (the CSMS sees the connection
                // drop, the board its controller go silent briefly).
                std::thread::sleep(REBOOT_TIME);
                let err = restart_self();
                eprintln!("reference-firmware: restart failed: {err}");
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("reference-firmware: {e}");
                ExitCode::from(1)
            }
        }
    }))
}

/// Connection settings: the command line's replace the stored ones (and are stored); the
/// security profile follows the credentials given and is never lowered.
fn store_connection(
    unit: &UnitConfig,
    args: &Args,
    ca_pem: Option<&[u8]>,
) -> Result<ConnectionSettings, String> {
    let stored = unit.connection()?;
    let mut c = stored.clone();
    if let Some(url) = &args.csms_url {
        c.csms_url = Some(url.clone());
    }
    if let Some(id) = &args.charge_point_id {
        c.charge_point_id = Some(id.clone());
    }
    if let Some(key) = &args.authorization_key {
        c.authorization_key = Some(key.clone());
        let tls = c
            .csms_url
            .as_deref()
            .is_some_and(|u| u.starts_with("wss://"));
        c.security_profile = c.security_profile.max(if tls { 2 } else { 1 });
    }
    // A unit raised to TLS over OCPP keeps it when started with the old ws:// address.
    c.csms_url = c
        .csms_url
        .map(|u| crate::shell::ocpp_link::url_for_profile(&u, c.security_profile));
    if let Some(pem) = ca_pem {
        unit.save_csms_ca(pem)?;
    }
    if c != stored {
        unit.save_connection(&c)?;
    }
    Ok(c)
}

/// How long a restart keeps the unit away.
const REBOOT_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// Options whose values were stored at the first start; a restart must not override what the
/// local interface or the CSMS changed since.
const STORED_OPTIONS: &[&str] = &[
    "--csms-url",
    "--charge-point-id",
    "--authorization-key",
    "--csms-ca",
];

/// The arguments of a restart: `args` without [`STORED_OPTIONS`] (both `--opt value` and
/// `--opt=value`).
pub fn restart_args(args: &[OsString]) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut skip_value = false;
    for a in args {
        if skip_value {
            skip_value = false;
            continue;
        }
        let text = a.to_string_lossy();
        if STORED_OPTIONS.contains(&text.as_ref()) {
            skip_value = true;
            continue;
        }
        if STORED_OPTIONS
            .iter()
            .any(|o| text.starts_with(&format!("{o}=")))
        {
            continue;
        }
        out.push(a.clone());
    }
    out
}

/// Re-executes this program (same process id, same stdout) with [`restart_args`]; returns only
/// on failure.
fn restart_self() -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return e,
    };
    let argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    std::process::Command::new(exe)
        .args(restart_args(&argv))
        .exec()
}

/// `--board sim`: the emulated bench in this process; prints where its instrument terminals
/// are (one JSON line on stderr) and gives the board's terminal.
fn start_sim(serial: &str, phases: u8) -> Result<(rig_sim::RunningRig, String), String> {
    let mut config = rig_sim::RigConfig {
        serial: serial.to_string(),
        ..Default::default()
    };
    if phases == 1 {
        config.sim.mains.phase_v = [230.0, 0.0, 0.0];
    }
    let rig = rig_sim::Rig::start(config)
        .map_err(|e| format!("--board sim: cannot start the simulator: {e}"))?;
    let json = rig_sim::cli::paths_json(rig.paths(), std::process::id());
    eprintln!("reference-firmware: simulated rig terminals: {json}");
    tracing::info!(terminals = %json, "--board sim: simulated rig started");
    let board = rig.paths().board.display().to_string();
    Ok((rig, board))
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

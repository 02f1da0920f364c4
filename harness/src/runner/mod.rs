//! The run: command line → rig → features → plugin check → cucumber over the rig pool → exit
//! status (0 all passed, 1 a scenario failed, 2 bad usage or configuration).

pub mod context;
mod hooks;
pub mod report;
mod report_events;
pub mod world;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cucumber::gherkin::Feature;
use cucumber::writer::Stats as _;
use cucumber::WriterExt as _;
use futures::FutureExt as _;

use crate::cli::{self, CliOpts, HarnessArgs, Parsed};
use crate::features;
use crate::plugin_host::{PluginLibraries, SearchPath};
use crate::rig::pool::RigPool;
use crate::rig::{self, Rig};
use crate::{multicall, steps};
pub use world::HarnessWorld;

/// Exit status: every scenario passed (or was skipped with a reason).
pub const EXIT_PASSED: u8 = 0;
/// Exit status: a scenario failed (including an undefined or ambiguous step).
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage or configuration; nothing ran.
pub const EXIT_CONFIG: u8 = 2;
/// Exit status after Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Set by the Ctrl-C handler, so the run ends with `EXIT_INTERRUPTED` whatever finishes first.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The whole program: `args` includes the program name.
pub fn main_entry(args: Vec<OsString>) -> ExitCode {
    if let Some(code) = multicall::dispatch(&args) {
        return code;
    }
    let opts = match cli::parse(args) {
        Parsed::Run(opts) => opts,
        Parsed::Info(text) => {
            print!("{text}");
            return ExitCode::from(EXIT_PASSED);
        }
        Parsed::Usage(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if opts.custom.list_steps {
        print!("{}", steps::list());
        return ExitCode::from(EXIT_PASSED);
    }
    if let Some(file) = &opts.custom.eol.export_csv {
        return ExitCode::from(export_eol_csv(&opts.custom, file));
    }
    let filtered = opts.re_filter.is_some() || opts.tags_filter.is_some();
    let prepared = match prepare(&opts.custom, filtered) {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    ExitCode::from(run(opts, prepared))
}

/// Everything checked before the first scenario starts.
struct Prepared {
    rig: Arc<Rig>,
    libraries: Arc<PluginLibraries>,
    features: Vec<Feature>,
    report: Arc<report::RunReport>,
    /// The end-of-line run of one unit (`--unit-serial`).
    eol: Option<Arc<eol_station::Station>>,
}

/// `--export-csv`: the end-of-line records of a run or a date range; no feature runs.
fn export_eol_csv(args: &HarnessArgs, file: &std::path::Path) -> u8 {
    let exported = args.eol.mode(None).and_then(|mode| match mode {
        eol_station::cli::EolMode::Export { selection, .. } => {
            let config = eol_station::EolConfig::load(&args.rig)?;
            eol_station::cli::export_csv(&config, file, &selection)
        }
        _ => Err(eol_station::EolError::Config(
            "--export-csv needs --run ID, or both --from DATE and --to DATE".into(),
        )),
    });
    match exported {
        Ok(summary) => {
            println!("{summary}");
            EXIT_PASSED
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_CONFIG
        }
    }
}

/// `filtered`: `--name` or `--tags` select scenarios, so their number is not known in advance.
fn prepare(args: &HarnessArgs, filtered: bool) -> Result<Prepared, String> {
    let mut rig = rig::load(&args.rig).map_err(|e| e.to_string())?;
    let eol_request = match args
        .eol
        .mode(rig.dut.product_number.as_deref())
        .map_err(|e| e.to_string())?
    {
        eol_station::cli::EolMode::Test(request) => Some(request),
        _ => None,
    };
    let eol_config = match &eol_request {
        Some(_) => Some(eol_station::EolConfig::load(&args.rig).map_err(|e| e.to_string())?),
        None => None,
    };
    rig.dut.seeded_defects = seeded_defects(&rig, &args.seed_defect)?;
    if let Some(request) = &eol_request {
        // The unit under test is the one on the label: an emulated DUT takes its identity.
        rig.dut.serial = Some(request.serial.clone());
        rig.dut.set_product_number(&request.product_number);
        // The station's load points and limits are for one product line: a unit rated
        // otherwise would be judged against the wrong rated current.
        if let (Ok(rated), Some(config)) = (rig.dut.rated_current_a(), &eol_config) {
            if f64::from(rated) != config.rated_current_a {
                return Err(format!(
                    "product {} is rated {rated} A, but this station ({}) is set up for {} A ([eol] rated_current_a): use the station of that product line",
                    request.product_number,
                    args.rig.display(),
                    config.rated_current_a
                ));
            }
        }
    }
    let rig = Arc::new(rig);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("features")]
    } else {
        args.paths.clone()
    };
    let loaded = features::load(&paths).map_err(|e| e.to_string())?;
    if loaded.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!("no .feature files in {}", shown.join(" ")));
    }
    // Load and check every plugin library now, so an unusable one stops the run before it starts.
    let libraries = Arc::new(PluginLibraries::new(SearchPath::from_process(
        &args.plugin_path,
    )));
    for (instrument, section) in &rig.instruments {
        libraries
            .get(&section.plugin, instrument.kind())
            .map_err(|e| {
                format!(
                    "{e} (rig file {}, section [{}])",
                    rig.path.display(),
                    instrument.section()
                )
            })?;
    }
    std::fs::create_dir_all(&args.report_dir).map_err(|e| {
        format!(
            "report folder {}: cannot create: {e}",
            args.report_dir.display()
        )
    })?;
    let features = features::gate_by_capabilities(&rig, loaded);
    let total = (!filtered).then(|| features.iter().map(scenario_count).sum());
    let report = report::RunReport::create(&args.report_dir, &rig, total)?;
    // Last, once everything else is known to be usable: the unit's run is opened only for a
    // run that will start (a locked or damaged database, or a unit that already passed, stops
    // here with nothing run).
    let eol = match (eol_config, eol_request) {
        (Some(config), Some(request)) => {
            use std::io::IsTerminal as _;
            let station = eol_station::Station::start(
                config,
                request,
                report.run_dir().to_path_buf(),
                Box::new(std::io::stdout()),
                std::io::stdout().is_terminal(),
            )
            .map_err(|e| e.to_string())?;
            station.set_stage_count(features.iter().map(scenario_count).sum());
            Some(Arc::new(station))
        }
        _ => None,
    };
    Ok(Prepared {
        rig,
        libraries,
        features,
        report,
        eol,
    })
}

/// `--seed-defect`: only for the bundled firmware of an emulated rig (a real or custom
/// firmware cannot be told to misbehave), and only names the firmware knows.
fn seeded_defects(rig: &Rig, names: &[String]) -> Result<Vec<String>, String> {
    let Some(first) = names.first() else {
        return Ok(Vec::new());
    };
    if rig.dut.kind != rig::DutKind::Emulated {
        return Err(format!(
            "--seed-defect {first}: rig file {} has a [dut] kind that is not \"emulated\"; \
             defects can only be seeded into the bundled emulated firmware",
            rig.path.display()
        ));
    }
    if rig.dut.command.is_some() {
        return Err(format!(
            "--seed-defect {first}: rig file {} sets [dut] command; defects can only be seeded \
             into the bundled emulated firmware",
            rig.path.display()
        ));
    }
    for name in names {
        name.parse::<reference_firmware::core::SeededDefect>()
            .map_err(|e| format!("--seed-defect: {e}"))?;
    }
    Ok(names.to_vec())
}

fn scenario_count(feature: &Feature) -> usize {
    feature.scenarios.len()
        + feature
            .rules
            .iter()
            .map(|r| r.scenarios.len())
            .sum::<usize>()
}

/// Feeds already parsed features to cucumber (parsing happened in `prepare`, where errors exit 2).
struct PreParsed;

impl cucumber::Parser<Vec<Feature>> for PreParsed {
    type Cli = cucumber::cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<Feature>>>;

    fn parse(self, input: Vec<Feature>, _: cucumber::cli::Empty) -> Self::Output {
        futures::stream::iter(input.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

fn run(opts: Box<CliOpts>, prepared: Prepared) -> u8 {
    let exe = match rig::emulated::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_CONFIG;
        }
    };
    let pool = RigPool::new(Arc::clone(&prepared.rig), prepared.libraries, exe);
    let context = Arc::new(context::RunContext {
        rig: Arc::clone(&prepared.rig),
        pool: Arc::clone(&pool),
        report: Arc::clone(&prepared.report),
        eol: prepared.eol.clone(),
    });
    if let Err(e) = context::install(context) {
        eprintln!("error: {e}");
        return EXIT_CONFIG;
    }
    steps::quiet_step_panics();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return EXIT_CONFIG;
        }
    };
    let seeded = prepared.rig.dut.seeded_defects.join(", ");
    let rig = prepared.rig;
    let features = prepared.features;
    let interrupt_pool = Arc::clone(&pool);
    let report = prepared.report;
    let run_report = Arc::clone(&report);
    let interrupt_report = Arc::clone(&report);
    let interrupt_eol = prepared.eol.clone();
    let failed = runtime.block_on(async move {
        install_interrupt_handler(interrupt_pool, interrupt_report, interrupt_eol);
        run_cucumber(*opts, rig, features, run_report).await
    });
    pool.teardown_all();
    let mut only_known_failures = false;
    match report.finish() {
        Ok(_) if pool.config_error().is_some() => {}
        Ok(summary) => {
            eprintln!(
                "report: {} ({} passed, {} failed, {} not run)",
                report.run_dir().display(),
                summary.passed,
                summary.failed,
                summary.skipped
            );
            if summary.known_failures > 0 {
                eprintln!(
                    "{} of the failures are known failures of this DUT ([dut] known_failures)",
                    summary.known_failures
                );
            }
            if !seeded.is_empty() {
                eprintln!(
                    "seeded defects: {seeded} (the emulated firmware was broken on purpose: \
                     not a clean run)"
                );
            }
            only_known_failures = summary.failed > 0 && summary.failed == summary.known_failures;
        }
        Err(e) => eprintln!("warning: the report was not completed: {e}"),
    }
    if let Some(eol) = &prepared.eol {
        let done = if INTERRUPTED.load(Ordering::SeqCst) {
            eol.abort("Ctrl-C: the operator stopped the run")
        } else if let Some(error) = pool.config_error() {
            eol.abort(&format!("the station's rig did not start: {error}"))
        } else {
            if failed {
                // Safety net: whatever failed, a unit with a failed scenario never passes.
                eol.note_failure("a scenario failed (see the report)");
            }
            eol.finish()
        };
        return done.verdict.exit_status();
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The run may end on its own while the Ctrl-C handler is still tearing down.
        EXIT_INTERRUPTED
    } else if let Some(error) = pool.config_error() {
        eprintln!("error: {error}");
        EXIT_CONFIG
    } else if failed && !only_known_failures {
        EXIT_FAILED
    } else {
        EXIT_PASSED
    }
}

/// Ctrl-C or SIGTERM: instruments to their safe state, rig processes ended, exit 130. Registered
/// before the first scenario starts, so no signal can take the default action (dying without
/// tearing the rig down). Must be called inside the runtime.
fn install_interrupt_handler(
    pool: Arc<RigPool>,
    report: Arc<report::RunReport>,
    eol: Option<Arc<eol_station::Station>>,
) {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut interrupt, mut terminate) = match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(interrupt), Ok(terminate)) => (interrupt, terminate),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("warning: cannot handle Ctrl-C ({e}); an interrupted run will not tear its rig down");
            return;
        }
    };
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        INTERRUPTED.store(true, Ordering::SeqCst);
        eprintln!(
            "interrupted: putting the instruments in their safe state and ending the rig processes"
        );
        pool.close();
        let _ = tokio::task::spawn_blocking(move || pool.teardown_all()).await;
        // The instruments are safe now: the unit's run is recorded as aborted, with what was
        // measured so far.
        if let Some(eol) = &eol {
            eol.abort("Ctrl-C: the operator stopped the run");
        }
        // report.json and junit.xml are already current; the page is rebuilt for what finished.
        if let Some(page) = report.write_html_now() {
            eprintln!("report: {}", page.display());
        }
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    });
}

/// Runs the features; true if anything failed.
async fn run_cucumber(
    opts: CliOpts,
    rig: Arc<Rig>,
    features: Vec<Feature>,
    report: Arc<report::RunReport>,
) -> bool {
    let gate_rig = Arc::clone(&rig);
    let cucumber = cucumber::Cucumber::<HarnessWorld, _, _, _, _, cucumber::cli::Empty>::custom(
        PreParsed,
        cucumber::runner::Basic::default(),
        report_events::Reporting::new(cucumber::writer::Basic::stdout().summarized(), report),
    );
    let writer = cucumber
        .steps(steps::collection())
        .max_concurrent_scenarios(rig.parallel)
        .before(|feature, rule, scenario, world| {
            hooks::before(feature, rule, scenario, world).boxed_local()
        })
        .after(|feature, _rule, scenario, finished, world| {
            hooks::after(feature, scenario, finished, world).boxed_local()
        })
        // Undefined steps fail; only the stand-in step of a scenario the rig cannot run may be
        // skipped.
        .fail_on_skipped_with(move |feature, rule, scenario| {
            features::missing_requirement(&gate_rig, feature, rule, scenario).is_none()
        })
        .with_cli(opts)
        .run(features)
        .await;
    writer.execution_has_failed()
}

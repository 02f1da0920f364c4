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
}

/// `filtered`: `--name` or `--tags` select scenarios, so their number is not known in advance.
fn prepare(args: &HarnessArgs, filtered: bool) -> Result<Prepared, String> {
    let rig = Arc::new(rig::load(&args.rig).map_err(|e| e.to_string())?);
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
    Ok(Prepared {
        rig,
        libraries,
        features,
        report,
    })
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
    let rig = prepared.rig;
    let features = prepared.features;
    let interrupt_pool = Arc::clone(&pool);
    let report = prepared.report;
    let run_report = Arc::clone(&report);
    let interrupt_report = Arc::clone(&report);
    let failed = runtime.block_on(async move {
        install_interrupt_handler(interrupt_pool, interrupt_report);
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
            only_known_failures = summary.failed > 0 && summary.failed == summary.known_failures;
        }
        Err(e) => eprintln!("warning: the report was not completed: {e}"),
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
fn install_interrupt_handler(pool: Arc<RigPool>, report: Arc<report::RunReport>) {
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

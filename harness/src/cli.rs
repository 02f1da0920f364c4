//! The command line: cucumber's own options (`--name`, `--tags`, `--concurrency`, `--fail-fast`,
//! `--retry`, `-v`, `--color`) plus the harness's (`PATH...`, `--rig`, `--report-dir`,
//! `--plugin-path`, `--seed-defect`, `--list-steps`).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};
use cucumber::cli::{Empty, Opts};

/// The harness's own options, merged into cucumber's.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct HarnessArgs {
    /// Feature files or folders to run (folders are searched for *.feature). Default: features/
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The rig file describing the charger and the instruments.
    #[arg(long, value_name = "FILE", default_value = "rigs/emulated.toml")]
    pub rig: PathBuf,

    /// Where reports and per-scenario observation records are written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,

    /// A folder to search for plugin libraries before $HARNESS_PLUGIN_PATH and the executable's
    /// folder (repeatable).
    #[arg(long = "plugin-path", value_name = "DIR")]
    pub plugin_path: Vec<PathBuf>,

    /// Seed a defect into the emulated firmware (repeatable; emulated rigs with the bundled
    /// firmware only). The report records it. See features/SEEDED_DEFECTS.md.
    #[arg(long = "seed-defect", value_name = "NAME")]
    pub seed_defect: Vec<String>,

    /// Print every step pattern with an example and exit.
    #[arg(long)]
    pub list_steps: bool,

    /// Factory end-of-line options (`--unit-serial`, `--retest`, `--export-csv`, ...).
    #[command(flatten)]
    pub eol: eol_station::cli::EolArgs,
}

/// All options: cucumber's runner and writer options plus [`HarnessArgs`].
pub type CliOpts =
    Opts<Empty, cucumber::runner::basic::Cli, cucumber::writer::basic::Cli, HarnessArgs>;

/// The outcome of parsing the command line.
pub enum Parsed {
    Run(Box<CliOpts>),
    /// `--help` or `--version`: print this text and exit 0.
    Info(String),
    /// Bad usage: print this (one line) and exit 2.
    Usage(String),
}

/// Parses `args` (program name first).
pub fn parse(args: Vec<OsString>) -> Parsed {
    let command = CliOpts::command()
        .name("harness")
        .bin_name("harness")
        .about("Runs Gherkin conformance features against an AC charger on a rig")
        .long_about(None);
    match command.try_get_matches_from(args) {
        Ok(matches) => match CliOpts::from_arg_matches(&matches) {
            Ok(opts) => Parsed::Run(Box::new(opts)),
            Err(e) => Parsed::Usage(first_line(&e.to_string())),
        },
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                Parsed::Info(e.to_string())
            }
            _ => Parsed::Usage(first_line(&e.to_string())),
        },
    }
}

/// clap's messages have a usage block after the first line; the first line says what is wrong.
fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad usage")
        .trim();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("harness")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn harness_and_cucumber_options_parse_together() {
        let Parsed::Run(opts) = parse(args(&[
            "features/",
            "--rig",
            "rigs/bench.toml",
            "--plugin-path",
            "/a",
            "--plugin-path",
            "/b",
            "--tags",
            "@eol",
            "--fail-fast",
            "--concurrency",
            "2",
        ])) else {
            panic!("should parse");
        };
        assert_eq!(opts.custom.paths, vec![PathBuf::from("features/")]);
        assert_eq!(opts.custom.rig, PathBuf::from("rigs/bench.toml"));
        assert_eq!(opts.custom.plugin_path.len(), 2);
        assert_eq!(opts.custom.report_dir, PathBuf::from("reports"));
        assert!(opts.runner.fail_fast);
        assert_eq!(opts.runner.concurrency, Some(2));
        assert!(opts.tags_filter.is_some());
    }

    #[test]
    fn unknown_option_is_one_line_usage_error() {
        let Parsed::Usage(msg) = parse(args(&["--rigg", "x"])) else {
            panic!("should fail")
        };
        assert!(msg.contains("--rigg"), "{msg}");
        assert!(!msg.contains('\n'));
    }
}

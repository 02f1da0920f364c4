//! Factory end-of-line test: the records and the operator's view of one unit's run.
//!
//! - [`db`]: the per-unit SQLite database (units, runs, measurements, schema migrations), the
//!   retest rule and the CSV export;
//! - [`station::Station`]: one run of one unit, shared by the harness's steps and hooks: every
//!   check stored and printed as it happens, progress, the PASS/FAIL banner, the certificate,
//!   ABORTED on Ctrl-C;
//! - [`operator`]: check lines, progress bar, banner; [`certificate`]: the one-page HTML;
//! - [`cli::EolArgs`]: the command-line options the harness flattens into its own;
//! - [`config::EolConfig`]: the rig file's `[eol]` section;
//! - [`checks`]: the logic of the end-of-line steps (pilot levels, load points, ready light,
//!   welded contacts, provisioning read-back, shipping state).
//!
//! How the harness wires it in is described in `harness/EOL.md`.

pub mod certificate;
pub mod checks;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod measurement;
pub mod meter_class;
pub mod operator;
pub mod station;
pub mod verdict;

pub use config::EolConfig;
pub use error::EolError;
pub use measurement::Measurement;
pub use station::{Finished, Station, TestRequest};
pub use verdict::{CheckVerdict, RunVerdict};

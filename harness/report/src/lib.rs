//! The conformance harness's reports.
//!
//! A run writes, into `reports/<run-id>/` (with `reports/latest` pointing at the newest run):
//! `report.json` (our format, the types in [`model`]), `junit.xml` (for CI servers),
//! `cucumber.json` (the Cucumber JSON format), `report.html` (one self-contained page with the
//! conformance matrix and plots), `traces/<scenario>.jsonl` (OCPP frames) and
//! `observations/<scenario>.json` (the plot series).
//! `harness/REPORT_FORMAT.md` documents every file.
//!
//! The crate knows nothing of cucumber or the plugins: the harness turns what it ran into
//! [`Scenario`] values and feeds them to a [`ReportWriter`] one at a time.

mod cucumber_json;
mod error;
mod escape;
mod fsutil;
mod html;
mod ids;
mod junit;
pub mod matrix;
pub mod model;
mod octt;
mod progress;
mod records;
mod writer;

pub use error::ReportError;
pub use ids::{file_safe, scenario_id};
pub use junit::failure_message;
pub use matrix::{ConformanceMatrix, MatrixRow, MatrixStatus};
pub use model::*;
pub use octt::{is_octt_tag, octt_cases, OcttCase};
pub use progress::Progress;
pub use records::{observations_from_records, offered_current_a};
pub use writer::{load_report, rebuild_html, run_id_for, ReportWriter, LATEST_LINK};

/// Renders `report.html` for a report (what [`ReportWriter`] writes; public for tools that
/// rebuild the page from a `report.json`).
pub fn render_html(report: &Report) -> String {
    html::render(report)
}

/// Renders `junit.xml` for a run.
pub fn render_junit(meta: &RunMeta, scenarios: &[Scenario]) -> String {
    junit::render(meta, scenarios)
}

/// Renders `cucumber.json` for a run.
pub fn render_cucumber_json(scenarios: &[Scenario]) -> serde_json::Value {
    cucumber_json::render(scenarios)
}

/// A measurement's limits as text: `[5, 7] A`, `≥ 5 A`, `≤ 100 ms` or `no limits`.
pub fn limits_text(m: &Measurement) -> String {
    match (m.low, m.high) {
        (Some(low), Some(high)) => format!("[{low}, {high}] {}", m.unit),
        (Some(low), None) => format!("\u{2265} {low} {}", m.unit),
        (None, Some(high)) => format!("\u{2264} {high} {}", m.unit),
        (None, None) => "no limits".to_string(),
    }
}

//! [`ReportWriter`]: keeps a run's report folder up to date, scenario by scenario, so that a run
//! killed at any point leaves valid `report.json` and `junit.xml` for what had finished.

use crate::fsutil::{replace_symlink, write_atomic};
use crate::model::{Report, RunMeta, Scenario, Summary, REPORT_FORMAT};
use crate::{cucumber_json, html, ids, junit, ReportError};
use std::path::{Path, PathBuf};

/// The name of the link to the newest run, next to the run folders.
pub const LATEST_LINK: &str = "latest";

/// Writes the reports of one run into `<reports dir>/<run id>/`.
///
/// ```no_run
/// # use conformance_report::*;
/// # fn demo(meta: RunMeta, scenario: Scenario) -> Result<(), ReportError> {
/// let mut writer = ReportWriter::create("reports", meta)?;
/// let trace = writer.write_trace(&scenario.id, &[serde_json::json!({"dir": "rx"})])?;
/// writer.scenario_finished(Scenario { trace: Some(trace), ..scenario })?;
/// let summary = writer.finish()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReportWriter {
    run_dir: PathBuf,
    meta: RunMeta,
    scenarios: Vec<Scenario>,
}

impl ReportWriter {
    /// Creates `<reports_dir>/<meta.run_id>/` (with `-2`, `-3`, ... appended to the run id if
    /// that folder exists already), points `<reports_dir>/latest` at it and writes an empty
    /// `report.json` and `junit.xml` at once, so even a run killed before its first scenario
    /// leaves valid files.
    pub fn create(
        reports_dir: impl AsRef<Path>,
        mut meta: RunMeta,
    ) -> Result<ReportWriter, ReportError> {
        let reports_dir = reports_dir.as_ref();
        check_run_id(&meta.run_id).map_err(|what| ReportError::new(reports_dir, what))?;
        std::fs::create_dir_all(reports_dir).map_err(|e| ReportError::new(reports_dir, e))?;
        let base = meta.run_id.clone();
        let mut attempt = 1;
        let run_dir = loop {
            let candidate = reports_dir.join(&meta.run_id);
            match std::fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                    attempt += 1;
                    meta.run_id = format!("{base}-{attempt}");
                }
                Err(e) => return Err(ReportError::new(&candidate, e)),
            }
        };
        replace_symlink(Path::new(&meta.run_id), &reports_dir.join(LATEST_LINK))?;
        let writer = ReportWriter {
            run_dir,
            meta,
            scenarios: Vec::new(),
        };
        writer.write_progressive(false)?;
        Ok(writer)
    }

    /// The run's folder, `<reports dir>/<run id>`.
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// The run's identity (its `run_id` may carry a `-N` suffix added by [`ReportWriter::create`]).
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// Updates the identity once it is known (e.g. the firmware version from BootNotification).
    /// Written with the next scenario.
    pub fn meta_mut(&mut self) -> &mut RunMeta {
        &mut self.meta
    }

    /// The scenarios written so far, in finishing order.
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }

    /// Counts over the scenarios written so far.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.scenarios)
    }

    /// Adds a finished scenario and rewrites `report.json` and `junit.xml` (atomically).
    /// Its observations, if any, are written once to `observations/<id>.json`.
    pub fn scenario_finished(&mut self, mut scenario: Scenario) -> Result<(), ReportError> {
        if !scenario.observations.is_empty() {
            let folder = self.run_dir.join("observations");
            std::fs::create_dir_all(&folder).map_err(|e| ReportError::new(&folder, e))?;
            let relative = format!("observations/{}.json", ids::file_safe(&scenario.id));
            let path = self.run_dir.join(&relative);
            let json = serde_json::to_string(&scenario.observations)
                .map_err(|e| ReportError::new(&path, e))?;
            write_atomic(&path, json.as_bytes())?;
            scenario.observations_file = Some(relative);
        }
        self.scenarios.push(scenario);
        self.write_progressive(false)
    }

    /// Writes `frames` (one JSON value per line) to `traces/<scenario_id>.jsonl` and returns
    /// that path relative to the run folder, for [`Scenario::trace`]. The id is made file-safe.
    pub fn write_trace(
        &self,
        scenario_id: &str,
        frames: &[serde_json::Value],
    ) -> Result<String, ReportError> {
        let traces = self.run_dir.join("traces");
        std::fs::create_dir_all(&traces).map_err(|e| ReportError::new(&traces, e))?;
        let relative = format!("traces/{}.jsonl", ids::file_safe(scenario_id));
        let mut text = String::new();
        for frame in frames {
            text.push_str(&frame.to_string());
            text.push('\n');
        }
        write_atomic(&self.run_dir.join(&relative), text.as_bytes())?;
        Ok(relative)
    }

    /// Writes `report.html` for what has finished so far (the harness calls this on Ctrl-C).
    /// Returns the page's path.
    pub fn write_html_now(&self) -> Result<PathBuf, ReportError> {
        self.write_html(&self.report(false))
    }

    /// Ends the run: sets the end time (if not set), then writes `cucumber.json`, the final
    /// `report.json` (with `complete: true`), `junit.xml` and `report.html`.
    pub fn finish(mut self) -> Result<Summary, ReportError> {
        if self.meta.ended.is_none() {
            self.meta.ended = Some(chrono::Utc::now());
        }
        let cucumber = cucumber_json::render(&self.scenarios);
        let text = serde_json::to_string_pretty(&cucumber)
            .map_err(|e| ReportError::new(&self.run_dir, e))?;
        write_atomic(&self.run_dir.join("cucumber.json"), text.as_bytes())?;
        self.write_progressive(true)?;
        self.write_html(&self.report(true))?;
        Ok(self.summary())
    }

    /// The report as it stands.
    pub fn report(&self, complete: bool) -> Report {
        Report {
            format: REPORT_FORMAT.to_string(),
            complete,
            meta: self.meta.clone(),
            summary: self.summary(),
            scenarios: self.scenarios.clone(),
        }
    }

    fn write_progressive(&self, complete: bool) -> Result<(), ReportError> {
        let report = self.report(complete);
        let path = self.run_dir.join("report.json");
        let json = serde_json::to_string_pretty(&report).map_err(|e| ReportError::new(&path, e))?;
        write_atomic(&path, json.as_bytes())?;
        write_atomic(
            &self.run_dir.join("junit.xml"),
            junit::render(&self.meta, &self.scenarios).as_bytes(),
        )
    }

    fn write_html(&self, report: &Report) -> Result<PathBuf, ReportError> {
        let path = self.run_dir.join("report.html");
        write_atomic(&path, html::render(report).as_bytes())?;
        Ok(path)
    }
}

/// Reads a run folder's `report.json` with every scenario's observations file.
pub fn load_report(run_dir: &Path) -> Result<Report, ReportError> {
    let json_path = run_dir.join("report.json");
    let text = std::fs::read_to_string(&json_path).map_err(|e| ReportError::new(&json_path, e))?;
    let mut report: Report =
        serde_json::from_str(&text).map_err(|e| ReportError::new(&json_path, e))?;
    for scenario in &mut report.scenarios {
        if let Some(file) = &scenario.observations_file {
            let path = run_dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| ReportError::new(&path, e))?;
            scenario.observations =
                serde_json::from_str(&text).map_err(|e| ReportError::new(&path, e))?;
        }
    }
    Ok(report)
}

/// Rebuilds `report.html` of a run folder from its `report.json`, e.g. after a run was killed
/// before it could write the page. Returns the page's path.
pub fn rebuild_html(run_dir: &Path) -> Result<PathBuf, ReportError> {
    let report = load_report(run_dir)?;
    let path = run_dir.join("report.html");
    write_atomic(&path, html::render(&report).as_bytes())?;
    Ok(path)
}

/// A run id becomes a folder name: refuse what would escape or clash with the `latest` link.
fn check_run_id(run_id: &str) -> Result<(), String> {
    let ok = !run_id.is_empty()
        && run_id != LATEST_LINK
        && !run_id.starts_with('.')
        && run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "run id {run_id:?} is not usable as a folder name (use letters, digits, - _ . +; not \"latest\")"
        ))
    }
}

/// A run id from the start time: `20261128-161300Z`.
pub fn run_id_for(started: chrono::DateTime<chrono::Utc>) -> String {
    started.format("%Y%m%d-%H%M%SZ").to_string()
}

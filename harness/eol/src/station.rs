//! One end-of-line run of one unit: opens the database (refusing a locked or damaged one, or a
//! unit that already passed), records every check as the steps measure it while printing its
//! line, prints the progress after each stage, and at the end stores the verdict, prints the
//! banner and writes the certificate. Ctrl-C or a dead instrument ends it as ABORTED with what
//! was measured so far.
//!
//! The harness shares one `Station` between its steps and hooks (it is `Sync`); every method
//! takes `&self`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use chrono::Utc;

use crate::certificate::Certificate;
use crate::config::EolConfig;
use crate::db::{Database, NewRun, RunId};
use crate::error::EolError;
use crate::measurement::Measurement;
use crate::operator::banner::{banner, BannerInfo};
use crate::operator::line::{check_line, stage_failure_line};
use crate::operator::progress::progress_bar;
use crate::verdict::{CheckVerdict, RunVerdict};

/// The unit an operator asked to test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRequest {
    pub serial: String,
    pub product_number: String,
    pub retest: bool,
    pub operator: Option<String>,
}

/// Unit used for a stage's own pass/fail row (a check that measures no number).
pub const STAGE_UNIT: &str = "ok";

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub verdict: RunVerdict,
    pub run_id: RunId,
    /// The first failing check (or the abort reason).
    pub failure: Option<String>,
    pub certificate: Option<PathBuf>,
    /// The banner as printed (plain text, no colours).
    pub banner: String,
}

pub struct Station {
    config: EolConfig,
    request: TestRequest,
    report_dir: PathBuf,
    color: bool,
    run_id: RunId,
    started: Instant,
    inner: Mutex<Inner>,
}

struct Inner {
    db: Database,
    out: Box<dyn Write + Send>,
    measurements: Vec<Measurement>,
    first_failure: Option<String>,
    stages_total: usize,
    stages_done: usize,
    storage_errors: Vec<String>,
    finished: Option<Finished>,
    /// The PIN provisioned in this run: kept in memory only (for the read-back login and the
    /// factory reset), never stored nor printed.
    pin: Option<String>,
}

impl std::fmt::Debug for Station {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Station")
            .field("station", &self.config.station)
            .field("unit", &self.request.serial)
            .field("run", &self.run_id)
            .finish()
    }
}

impl Station {
    /// Opens the database and the run. Nothing is measured if this fails; the error is one
    /// line for the operator (locked, damaged, already passed, wrong product).
    ///
    /// `out` receives the operator output (the harness passes stdout); `color` is on only when
    /// it is a terminal.
    pub fn start(
        config: EolConfig,
        request: TestRequest,
        report_dir: PathBuf,
        out: Box<dyn Write + Send>,
        color: bool,
    ) -> Result<Station, EolError> {
        if request.serial.trim().is_empty() {
            return Err(EolError::Config("--unit-serial: must not be empty".into()));
        }
        let mut db = Database::open(&config.database, config.busy_timeout)?;
        let now = Utc::now();
        db.close_stale_runs(&config.station, now)?;
        let run_id = db.begin_run(
            &NewRun {
                serial: request.serial.clone(),
                product_number: request.product_number.clone(),
                station: config.station.clone(),
                operator: request.operator.clone(),
                retest: request.retest,
            },
            now,
        )?;
        let station = Station {
            config,
            request,
            report_dir,
            color,
            run_id,
            started: Instant::now(),
            inner: Mutex::new(Inner {
                db,
                out,
                measurements: Vec::new(),
                first_failure: None,
                stages_total: 0,
                stages_done: 0,
                storage_errors: Vec::new(),
                finished: None,
                pin: None,
            }),
        };
        station.say(&format!(
            "END-OF-LINE TEST  unit {}  product {}  station {}  run {}{}",
            station.request.serial,
            station.request.product_number,
            station.config.station,
            run_id,
            if station.request.retest {
                "  (RETEST)"
            } else {
                ""
            }
        ));
        Ok(station)
    }

    pub fn config(&self) -> &EolConfig {
        &self.config
    }

    pub fn request(&self) -> &TestRequest {
        &self.request
    }

    pub fn run_id(&self) -> RunId {
        self.run_id
    }

    /// The value of a `${unit.…}` placeholder in a feature: `unit.serial`,
    /// `unit.product_number`; `None` for other names.
    pub fn placeholder(&self, name: &str) -> Option<String> {
        match name {
            "unit.serial" => Some(self.request.serial.clone()),
            "unit.product_number" => Some(self.request.product_number.clone()),
            _ => None,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn say(&self, text: &str) {
        let mut inner = self.lock();
        let _ = writeln!(inner.out, "{text}");
        let _ = inner.out.flush();
    }

    /// How many stages (scenarios) the run has, for the progress bar.
    pub fn set_stage_count(&self, total: usize) {
        self.lock().stages_total = total;
    }

    /// Records one measured check: stored at once, printed at once. Returns its verdict.
    pub fn check(
        &self,
        name: &str,
        value: f64,
        unit: &str,
        low: Option<f64>,
        high: Option<f64>,
    ) -> CheckVerdict {
        self.record(Measurement::judged(name, value, unit, low, high))
    }

    /// Records a measurement made elsewhere.
    pub fn record(&self, m: Measurement) -> CheckVerdict {
        let line = check_line(&m, self.color);
        let verdict = m.verdict;
        let mut inner = self.lock();
        if inner.finished.is_some() {
            // A step still running after Ctrl-C: the run is closed, its records final.
            return verdict;
        }
        if let Err(e) = inner.db.record_measurement(self.run_id, &m) {
            inner.storage_errors.push(e.to_string());
        }
        if verdict == CheckVerdict::Fail && inner.first_failure.is_none() {
            inner.first_failure = Some(format!(
                "{} = {} (limits {})",
                m.name,
                m.value_text(),
                m.limits_text()
            ));
        }
        inner.measurements.push(m);
        let _ = writeln!(inner.out, "{line}");
        let _ = inner.out.flush();
        verdict
    }

    /// Remembers the PIN provisioned in this run (memory only).
    pub fn remember_pin(&self, pin: String) {
        self.lock().pin = Some(pin);
    }

    /// The PIN provisioned in this run, if any.
    pub fn pin(&self) -> Option<String> {
        self.lock().pin.clone()
    }

    /// What provisioning read back from the unit.
    pub fn unit_info(&self, firmware_version: Option<&str>, pin_provisioned: Option<bool>) {
        let mut inner = self.lock();
        if let Err(e) =
            inner
                .db
                .update_unit(&self.request.serial, firmware_version, pin_provisioned)
        {
            inner.storage_errors.push(e.to_string());
        }
    }

    /// A stage (scenario) ended. A failed stage is also stored as a check of its own, so a
    /// failure that measured nothing (no Authorize from a dead reader) is on the certificate and
    /// in the banner.
    pub fn stage_finished(&self, stage: &str, failure: Option<&str>) {
        let passed = failure.is_none();
        let m = Measurement::judged(
            stage,
            if passed { 1.0 } else { 0.0 },
            STAGE_UNIT,
            Some(1.0),
            None,
        );
        let mut inner = self.lock();
        if inner.finished.is_some() {
            return;
        }
        if let Err(e) = inner.db.record_measurement(self.run_id, &m) {
            inner.storage_errors.push(e.to_string());
        }
        inner.measurements.push(m);
        if let Some(reason) = failure {
            let reason = one_line(reason);
            if inner.first_failure.is_none() {
                inner.first_failure = Some(format!("{stage}: {reason}"));
            }
            let line = stage_failure_line(stage, &reason, self.color);
            let _ = writeln!(inner.out, "{line}");
        }
        inner.stages_done += 1;
        let bar = progress_bar(
            inner.stages_done,
            inner.stages_total,
            self.started.elapsed().as_secs_f64(),
            stage,
        );
        let _ = writeln!(inner.out, "{bar}");
        let _ = inner.out.flush();
    }

    /// A failure the station did not see as a check or a stage (the runner's own verdict says a
    /// scenario failed): the run cannot pass. Ignored when a failure is already known.
    pub fn note_failure(&self, what: &str) {
        let mut inner = self.lock();
        if inner.first_failure.is_none() && inner.finished.is_none() {
            inner.first_failure = Some(one_line(what));
        }
    }

    /// The end of a complete run: PASS when every check and stage passed, FAIL otherwise.
    pub fn finish(&self) -> Finished {
        let verdict = if self.lock().first_failure.is_some() {
            RunVerdict::Fail
        } else {
            RunVerdict::Pass
        };
        self.close(verdict, None)
    }

    /// The run stopped early (Ctrl-C, a dead instrument): recorded as ABORTED with what was
    /// measured so far. Call it after the instruments were put in their safe state.
    pub fn abort(&self, reason: &str) -> Finished {
        self.close(RunVerdict::Aborted, Some(one_line(reason)))
    }

    /// Whether the run has been closed (finished or aborted).
    pub fn finished(&self) -> Option<Finished> {
        self.lock().finished.clone()
    }

    fn close(&self, verdict: RunVerdict, abort_reason: Option<String>) -> Finished {
        let mut inner = self.lock();
        if let Some(done) = &inner.finished {
            return done.clone();
        }
        let failure = abort_reason.or_else(|| {
            (verdict == RunVerdict::Fail)
                .then(|| inner.first_failure.clone())
                .flatten()
        });
        if let Err(e) = inner
            .db
            .finish_run(self.run_id, verdict, failure.as_deref(), Utc::now())
        {
            inner.storage_errors.push(e.to_string());
        }
        let certificate = self.write_certificate(&inner, verdict);
        let certificate = match certificate {
            Ok(p) => Some(p),
            Err(e) => {
                inner.storage_errors.push(e.to_string());
                None
            }
        };
        let info = BannerInfo {
            verdict,
            serial: self.request.serial.clone(),
            product_number: self.request.product_number.clone(),
            run_id: self.run_id,
            failure: failure.clone(),
            duration_s: self.started.elapsed().as_secs_f64(),
            certificate: certificate.as_ref().map(|p| p.display().to_string()),
            storage_warning: inner.storage_errors.first().cloned(),
        };
        let shown = banner(&info, self.color);
        let _ = write!(inner.out, "\n{shown}");
        let _ = inner.out.flush();
        let done = Finished {
            verdict,
            run_id: self.run_id,
            failure,
            certificate,
            banner: banner(&info, false),
        };
        inner.finished = Some(done.clone());
        done
    }

    fn write_certificate(&self, inner: &Inner, verdict: RunVerdict) -> Result<PathBuf, EolError> {
        let unit = inner.db.unit(&self.request.serial)?.ok_or_else(|| {
            EolError::Storage(format!(
                "unit {} vanished from the database",
                self.request.serial
            ))
        })?;
        let run = inner.db.run(self.run_id)?.ok_or_else(|| {
            EolError::Storage(format!("run {} vanished from the database", self.run_id))
        })?;
        let meter = &self.config.meter;
        let notes = vec![
            format!(
                "Meter class: {} (±{} % from {} × rated current, ±{} % below; voltage ±{} %)",
                meter.class,
                meter.error_percent,
                meter.low_current_fraction,
                meter.low_current_error_percent,
                meter.voltage_error_percent
            ),
            format!(
                "Rated current {} A, {} phase(s)",
                self.config.rated_current_a, self.config.phases
            ),
        ];
        Certificate {
            unit: &unit,
            run: &run,
            verdict,
            measurements: &inner.measurements,
            notes,
        }
        .write(&self.report_dir)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

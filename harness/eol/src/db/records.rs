//! Units, runs and measurements: the writes a run makes and the reads the certificate, the
//! export and the retest rule need.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{parse_timestamp, timestamp, Database};
use crate::error::EolError;
use crate::measurement::Measurement;
use crate::verdict::{CheckVerdict, RunVerdict};

/// A run's row id.
pub type RunId = i64;

/// What is known when a run starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    pub serial: String,
    pub product_number: String,
    pub station: String,
    pub operator: Option<String>,
    /// The operator asked to test a unit that already passed.
    pub retest: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    pub serial: String,
    pub product_number: String,
    pub pin_provisioned: bool,
    pub firmware_version: Option<String>,
    pub first_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: RunId,
    pub serial: String,
    pub station: String,
    pub operator: Option<String>,
    pub started: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    /// `None` while the run is in progress.
    pub verdict: Option<RunVerdict>,
    pub retest: bool,
    /// The first failing check as the banner showed it, or why the run was aborted.
    pub failure: Option<String>,
}

fn time_at(row: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = row.get(i)?;
    parse_timestamp(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("`{s}` is not an RFC 3339 time").into(),
        )
    })
}

fn run_from_row(row: &Row) -> rusqlite::Result<RunRecord> {
    let ended: Option<String> = row.get(5)?;
    let verdict: Option<String> = row.get(6)?;
    Ok(RunRecord {
        id: row.get(0)?,
        serial: row.get(1)?,
        station: row.get(2)?,
        operator: row.get(3)?,
        started: time_at(row, 4)?,
        ended: ended.as_deref().and_then(parse_timestamp),
        verdict: verdict.as_deref().and_then(RunVerdict::parse),
        retest: row.get(7)?,
        failure: row.get(8)?,
    })
}

const RUN_COLUMNS: &str = "id, serial, station, operator, started, ended, verdict, retest, failure";

impl Database {
    /// Registers the unit (first time) and opens a run for it. Refused when the unit already
    /// passed and `retest` is not set, or when the serial is registered with another product.
    pub fn begin_run(&mut self, run: &NewRun, now: DateTime<Utc>) -> Result<RunId, EolError> {
        let path = self.path.clone();
        let err = |doing: &str, e| super::classify(&path, doing, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| err("cannot start a run", e))?;
        let known: Option<String> = tx
            .query_row(
                "SELECT product_number FROM units WHERE serial = ?1",
                [&run.serial],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| err("cannot read the unit", e))?;
        match known {
            Some(product) if product != run.product_number => {
                return Err(EolError::Refused(format!(
                    "unit {} is registered as product {product}, not {}; check the label and \
                     --product-number",
                    run.serial, run.product_number
                )))
            }
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO units (serial, product_number, first_seen) VALUES (?1, ?2, ?3)",
                    params![run.serial, run.product_number, timestamp(now)],
                )
                .map_err(|e| err("cannot register the unit", e))?;
            }
        }
        let passed: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, ended, station FROM runs WHERE serial = ?1 AND verdict = 'PASS'
                 ORDER BY id DESC LIMIT 1",
                [&run.serial],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| err("cannot read the unit's runs", e))?;
        if let (Some((id, ended, station)), false) = (&passed, run.retest) {
            return Err(EolError::Refused(format!(
                "unit {} already passed (run {id}, {ended}, station {station}); it is not \
                 tested again unless the operator asks for --retest",
                run.serial
            )));
        }
        tx.execute(
            "INSERT INTO runs (serial, station, operator, started, retest)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                run.serial,
                run.station,
                run.operator,
                timestamp(now),
                run.retest
            ],
        )
        .map_err(|e| err("cannot open the run", e))?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(|e| err("cannot open the run", e))?;
        Ok(id)
    }

    /// Stores one measurement of a run (committed at once).
    pub fn record_measurement(&self, run: RunId, m: &Measurement) -> Result<(), EolError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO measurements (run_id, name, value, unit, low, high, verdict, measured_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| self.error("cannot store a measurement", e))?;
        let value = (!m.value.is_nan()).then_some(m.value);
        stmt.execute(params![
            run,
            m.name,
            value,
            m.unit,
            m.low,
            m.high,
            m.verdict.as_str(),
            timestamp(m.at)
        ])
        .map_err(|e| self.error("cannot store a measurement", e))?;
        Ok(())
    }

    /// What provisioning found out about the unit; `None` leaves a field as it is.
    pub fn update_unit(
        &self,
        serial: &str,
        firmware_version: Option<&str>,
        pin_provisioned: Option<bool>,
    ) -> Result<(), EolError> {
        self.conn
            .execute(
                "UPDATE units SET firmware_version = coalesce(?2, firmware_version),
                                  pin_provisioned = coalesce(?3, pin_provisioned)
                 WHERE serial = ?1",
                params![serial, firmware_version, pin_provisioned],
            )
            .map_err(|e| self.error("cannot update the unit", e))?;
        Ok(())
    }

    /// Closes a run with its verdict and, for FAIL and ABORTED, what went wrong.
    pub fn finish_run(
        &self,
        run: RunId,
        verdict: RunVerdict,
        failure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), EolError> {
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET ended = ?2, verdict = ?3, failure = ?4
                 WHERE id = ?1 AND verdict IS NULL",
                params![run, timestamp(now), verdict.as_str(), failure],
            )
            .map_err(|e| self.error("cannot close the run", e))?;
        if changed == 1 {
            Ok(())
        } else {
            Err(EolError::Storage(format!(
                "database {}: run {run} does not exist or is already closed",
                self.path.display()
            )))
        }
    }

    /// Runs a station left open (the station lost power, the process was killed) are recorded
    /// as ABORTED, so they never count as passed and never stay "in progress". Returns how many.
    pub fn close_stale_runs(&self, station: &str, now: DateTime<Utc>) -> Result<usize, EolError> {
        self.conn
            .execute(
                "UPDATE runs SET ended = ?2, verdict = 'ABORTED',
                        failure = 'the station stopped during the run'
                 WHERE station = ?1 AND verdict IS NULL",
                params![station, timestamp(now)],
            )
            .map_err(|e| self.error("cannot close stale runs", e))
    }

    pub fn unit(&self, serial: &str) -> Result<Option<UnitRecord>, EolError> {
        self.conn
            .query_row(
                "SELECT serial, product_number, pin_provisioned, firmware_version, first_seen
                 FROM units WHERE serial = ?1",
                [serial],
                |r| {
                    Ok(UnitRecord {
                        serial: r.get(0)?,
                        product_number: r.get(1)?,
                        pin_provisioned: r.get(2)?,
                        firmware_version: r.get(3)?,
                        first_seen: time_at(r, 4)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error("cannot read the unit", e))
    }

    pub fn run(&self, id: RunId) -> Result<Option<RunRecord>, EolError> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [id],
                run_from_row,
            )
            .optional()
            .map_err(|e| self.error("cannot read the run", e))
    }

    /// Every run of a unit, oldest first.
    pub fn runs_of(&self, serial: &str) -> Result<Vec<RunRecord>, EolError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE serial = ?1 ORDER BY id"
            ))
            .map_err(|e| self.error("cannot read runs", e))?;
        let rows = stmt
            .query_map([serial], run_from_row)
            .map_err(|e| self.error("cannot read runs", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.error("cannot read runs", e))
    }

    /// Runs started in `[from, to)`, oldest first.
    pub fn runs_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RunRecord>, EolError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE started >= ?1 AND started < ?2 ORDER BY id"
            ))
            .map_err(|e| self.error("cannot read runs", e))?;
        let rows = stmt
            .query_map(params![timestamp(from), timestamp(to)], run_from_row)
            .map_err(|e| self.error("cannot read runs", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.error("cannot read runs", e))
    }

    /// A run's measurements in the order they were made.
    pub fn measurements(&self, run: RunId) -> Result<Vec<Measurement>, EolError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT name, value, unit, low, high, verdict, measured_at
                 FROM measurements WHERE run_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.error("cannot read measurements", e))?;
        let rows = stmt
            .query_map([run], |r| {
                let value: Option<f64> = r.get(1)?;
                let verdict: String = r.get(5)?;
                Ok(Measurement {
                    name: r.get(0)?,
                    value: value.unwrap_or(f64::NAN),
                    unit: r.get(2)?,
                    low: r.get(3)?,
                    high: r.get(4)?,
                    verdict: CheckVerdict::parse(&verdict).unwrap_or(CheckVerdict::Fail),
                    at: time_at(r, 6)?,
                })
            })
            .map_err(|e| self.error("cannot read measurements", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| self.error("cannot read measurements", e))
    }
}

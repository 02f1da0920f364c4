//! The station's per-unit records in one SQLite file: units, runs and every measurement.
//!
//! Opening checks everything that would make a run's records unreliable before the run starts:
//! another program holding a lock (waited for `busy_timeout`, then refused), a damaged file
//! (SQLite's quick check), a file that is not a station database, a schema newer than this code.
//! Every write is its own committed transaction, so a run stopped at any point keeps what was
//! measured up to then.

pub mod export;
mod records;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::EolError;
pub use records::{NewRun, RunId, RunRecord, UnitRecord};

/// An open, checked, up-to-date station database.
#[derive(Debug)]
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

impl Database {
    /// Opens (or creates) the database at `path` and brings its schema to [`schema::LATEST`].
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Database, EolError> {
        Database::open_at(path, busy_timeout, schema::LATEST)
    }

    /// Opens and migrates up to `version` only. For tests and tools that need an older schema
    /// (an upgrade test starts from a version 1 file); a run always uses [`Database::open`].
    pub fn open_at(
        path: &Path,
        busy_timeout: Duration,
        version: u32,
    ) -> Result<Database, EolError> {
        if version > schema::LATEST {
            return Err(EolError::Config(format!(
                "schema version {version} is unknown to this station (latest {})",
                schema::LATEST
            )));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                EolError::Storage(format!(
                    "database {}: cannot create its folder: {e}",
                    path.display()
                ))
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, "cannot open", e))?;
        let db = Database {
            conn,
            path: path.to_path_buf(),
        };
        db.conn
            .busy_timeout(busy_timeout)
            .map_err(|e| classify(path, "cannot set the busy timeout", e))?;
        db.prepare(version)?;
        Ok(db)
    }

    fn prepare(&self, version: u32) -> Result<(), EolError> {
        let path = &self.path;
        // WAL: the quality department can read while a run writes; FULL: a committed
        // measurement survives a power cut of the station.
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| classify(path, "cannot open", e))?;
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| classify(path, "cannot open", e))?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| classify(path, "cannot open", e))?;
        // IMMEDIATE takes the write lock now: a database another program holds is refused here,
        // before the run starts, not at the first measurement.
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| classify(path, "cannot lock", e))?;
        let outcome = self.check_and_migrate(version);
        match outcome {
            Ok(()) => self
                .conn
                .execute_batch("COMMIT")
                .map_err(|e| classify(path, "cannot commit the schema", e)),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn check_and_migrate(&self, version: u32) -> Result<(), EolError> {
        let path = &self.path;
        let check: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| classify(path, "cannot check", e))?;
        if check != "ok" {
            return Err(EolError::Corrupt(format!(
                "database {} is damaged ({check}); restore it from the backup or move it \
                 aside, then start again",
                path.display()
            )));
        }
        let found = schema::inspect(&self.conn).map_err(|e| classify(path, "cannot read", e))?;
        let current = match found {
            schema::Found::Empty => 0,
            schema::Found::Version(v) => v,
            schema::Found::Foreign => {
                return Err(EolError::Corrupt(format!(
                    "database {} is an SQLite file but not an end-of-line station database; \
                     check `[eol] database` in the rig file",
                    path.display()
                )))
            }
        };
        if current > schema::LATEST {
            return Err(EolError::Refused(format!(
                "database {} has schema version {current}, newer than this station knows \
                 ({}); update the harness",
                path.display(),
                schema::LATEST
            )));
        }
        if current < version {
            schema::migrate(&self.conn, current, version, &timestamp(Utc::now()))
                .map_err(|e| classify(path, "cannot migrate the schema", e))?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, EolError> {
        match schema::inspect(&self.conn).map_err(|e| self.error("cannot read", e))? {
            schema::Found::Version(v) => Ok(v),
            _ => Ok(0),
        }
    }

    /// The connection, for tests and tools that inspect the file directly.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn error(&self, doing: &str, e: rusqlite::Error) -> EolError {
        classify(&self.path, doing, e)
    }
}

/// Turns an SQLite error into a one-line message an operator can act on.
pub fn classify(path: &Path, doing: &str, e: rusqlite::Error) -> EolError {
    let code = e.sqlite_error_code();
    match code {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            EolError::Locked(format!(
                "database {} is locked by another program (another station or a tool that has \
                 it open); close it and start again",
                path.display()
            ))
        }
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            EolError::Corrupt(format!(
                "database {} is damaged or not a database ({e}); restore it from the backup or \
                 move it aside, then start again",
                path.display()
            ))
        }
        Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::ReadOnly)
        | Some(ErrorCode::PermissionDenied) => {
            EolError::Storage(format!("database {}: {doing}: {e}", path.display()))
        }
        _ => EolError::Storage(format!("database {}: {doing}: {e}", path.display())),
    }
}

/// Stored times: RFC 3339 UTC with milliseconds, so text order is time order.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads back a stored time.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

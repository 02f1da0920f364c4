//! The schema and its migrations. Version N is reached by applying migrations 1..=N in order,
//! each once, inside the transaction that opens the database; `schema_migrations` records which
//! were applied and when. A database newer than this code is refused rather than written to.

use rusqlite::{Connection, OptionalExtension};

/// The version this code writes.
pub const LATEST: u32 = 2;

/// Migration `i` (0-based) brings the schema from version `i` to `i + 1`.
const MIGRATIONS: [&str; LATEST as usize] = [
    // 1: units, runs and measurements.
    "CREATE TABLE units (
         serial TEXT PRIMARY KEY,
         product_number TEXT NOT NULL,
         first_seen TEXT NOT NULL
     );
     CREATE TABLE runs (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         serial TEXT NOT NULL REFERENCES units(serial),
         station TEXT NOT NULL,
         started TEXT NOT NULL,
         ended TEXT,
         verdict TEXT CHECK (verdict IN ('PASS', 'FAIL', 'ABORTED'))
     );
     CREATE INDEX runs_serial ON runs(serial);
     CREATE TABLE measurements (
         id INTEGER PRIMARY KEY,
         run_id INTEGER NOT NULL REFERENCES runs(id),
         name TEXT NOT NULL,
         value REAL,
         unit TEXT NOT NULL,
         low REAL,
         high REAL,
         verdict TEXT NOT NULL CHECK (verdict IN ('PASS', 'FAIL')),
         measured_at TEXT NOT NULL
     );
     CREATE INDEX measurements_run ON measurements(run_id);",
    // 2: provisioning facts per unit; retest flag, operator and first failure per run; runs by
    // date for the quality department's exports.
    "ALTER TABLE units ADD COLUMN pin_provisioned INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE units ADD COLUMN firmware_version TEXT;
     ALTER TABLE runs ADD COLUMN retest INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE runs ADD COLUMN operator TEXT;
     ALTER TABLE runs ADD COLUMN failure TEXT;
     CREATE INDEX runs_started ON runs(started);",
];

const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
)";

/// What the file holds before migrating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// No tables at all: a new file.
    Empty,
    /// A station database at this version.
    Version(u32),
    /// Tables, but not ours.
    Foreign,
}

pub fn inspect(conn: &Connection) -> rusqlite::Result<Found> {
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    if tables == 0 {
        return Ok(Found::Empty);
    }
    let has_versions: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if has_versions.is_none() {
        return Ok(Found::Foreign);
    }
    let version: Option<u32> =
        conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })?;
    Ok(Found::Version(version.unwrap_or(0)))
}

/// Applies the migrations after `from` up to `to` (inclusive). The caller holds the transaction.
pub fn migrate(conn: &Connection, from: u32, to: u32, now: &str) -> rusqlite::Result<()> {
    conn.execute_batch(VERSION_TABLE)?;
    for version in (from + 1)..=to {
        conn.execute_batch(MIGRATIONS[(version - 1) as usize])?;
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![version, now],
        )?;
    }
    Ok(())
}

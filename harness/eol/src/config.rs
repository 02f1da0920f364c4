//! The `[eol]` section of a rig file: where the station keeps its records and the limits that
//! belong to the product line rather than to the feature text (rated current, meter class).
//!
//! The harness's own rig parser only has to let the section through; this module reads it from
//! the same file, so the station's keys are checked here with file, line and key in the message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::EolError;
use crate::meter_class::MeterClass;

/// The station's settings, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct EolConfig {
    /// The SQLite file with every unit, run and measurement. Relative paths are taken from the
    /// folder the harness runs in (the workspace root), not from the rig file's folder, so CI
    /// and the station write where the operator expects.
    pub database: PathBuf,
    /// The station's name as stored with every run and printed on the certificate.
    pub station: String,
    /// How long to wait for another program's lock before saying the database is locked.
    pub busy_timeout: Duration,
    /// The rated current of the product line, A (load points are fractions of it).
    pub rated_current_a: f64,
    /// Phases the product is wired for (1 or 3).
    pub phases: u8,
    /// Meter accuracy class limits.
    pub meter: MeterClass,
    /// Fractions of the rated current at which the meter is checked (0.1, 0.5, 1.0).
    pub load_points: Vec<f64>,
    /// Contactor mechanical limits, ms.
    pub contactor_close_ms: f64,
    pub contactor_open_ms: f64,
    /// Tolerance on the control pilot's positive level, V (IEC 61851-1 commonly ±1 V).
    pub cp_level_tolerance_v: f64,
    /// The DC residual current that must trip, mA, and the longest trip time allowed, ms.
    pub rcd_trip_ma: f64,
    pub rcd_trip_ms: f64,
    /// The released firmware of the product line; provisioning fails a unit reporting another.
    pub firmware_version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EolSection {
    database: PathBuf,
    #[serde(default = "default_station")]
    station: String,
    #[serde(default = "default_busy_timeout_ms")]
    busy_timeout_ms: u64,
    rated_current_a: f64,
    #[serde(default = "default_phases")]
    phases: u8,
    #[serde(default)]
    meter: MeterClass,
    #[serde(default = "default_load_points")]
    load_points: Vec<f64>,
    #[serde(default = "default_close_ms")]
    contactor_close_ms: f64,
    #[serde(default = "default_open_ms")]
    contactor_open_ms: f64,
    #[serde(default = "default_cp_tolerance")]
    cp_level_tolerance_v: f64,
    #[serde(default = "default_rcd_ma")]
    rcd_trip_ma: f64,
    #[serde(default = "default_rcd_ms")]
    rcd_trip_ms: f64,
    #[serde(default)]
    firmware_version: Option<String>,
}

fn default_station() -> String {
    "eol-station".into()
}
fn default_busy_timeout_ms() -> u64 {
    200
}
fn default_phases() -> u8 {
    3
}
fn default_load_points() -> Vec<f64> {
    vec![0.1, 0.5, 1.0]
}
fn default_close_ms() -> f64 {
    3000.0
}
fn default_open_ms() -> f64 {
    100.0
}
fn default_cp_tolerance() -> f64 {
    1.0
}
fn default_rcd_ma() -> f64 {
    6.0
}
fn default_rcd_ms() -> f64 {
    10_000.0
}

/// Only the `[eol]` table matters here; every other section belongs to the harness and is
/// ignored by this reader (the harness checks those).
#[derive(Debug, Deserialize)]
struct RigWithEol {
    eol: Option<EolSection>,
}

impl EolConfig {
    /// Reads `[eol]` from the rig file at `path`.
    pub fn load(path: &Path) -> Result<EolConfig, EolError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            EolError::Config(format!("rig file {}: cannot read: {e}", path.display()))
        })?;
        EolConfig::parse(path, &text)
    }

    /// Parses rig file text; `path` only names the file in messages.
    pub fn parse(path: &Path, text: &str) -> Result<EolConfig, EolError> {
        let rig: RigWithEol = toml::from_str(text).map_err(|e| {
            let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    EolError::Config(format!("rig file {}:{line}: {message}", path.display()))
                }
                None => EolError::Config(format!("rig file {}: {message}", path.display())),
            }
        })?;
        let Some(section) = rig.eol else {
            return Err(EolError::Config(format!(
                "rig file {}: no [eol] section: an end-of-line run needs at least \
                 `database` and `rated_current_a`",
                path.display()
            )));
        };
        section.validate(path)
    }
}

impl EolSection {
    fn validate(self, path: &Path) -> Result<EolConfig, EolError> {
        let bad = |key: &str, what: String| {
            EolError::Config(format!(
                "rig file {}: key `eol.{key}`: {what}",
                path.display()
            ))
        };
        if self.database.as_os_str().is_empty() {
            return Err(bad("database", "must name a file".into()));
        }
        if self.station.trim().is_empty() {
            return Err(bad("station", "must not be empty".into()));
        }
        if !(self.rated_current_a >= 6.0 && self.rated_current_a <= 80.0) {
            return Err(bad(
                "rated_current_a",
                format!("{} A is outside 6..=80 A", self.rated_current_a),
            ));
        }
        if self.phases != 1 && self.phases != 3 {
            return Err(bad("phases", format!("{} is not 1 or 3", self.phases)));
        }
        if self.load_points.is_empty() || self.load_points.iter().any(|f| !(*f > 0.0 && *f <= 1.0))
        {
            return Err(bad(
                "load_points",
                "needs fractions of the rated current in (0, 1], e.g. [0.1, 0.5, 1.0]".into(),
            ));
        }
        self.meter.validate().map_err(|e| bad("meter", e))?;
        for (key, v) in [
            ("contactor_close_ms", self.contactor_close_ms),
            ("contactor_open_ms", self.contactor_open_ms),
            ("cp_level_tolerance_v", self.cp_level_tolerance_v),
            ("rcd_trip_ma", self.rcd_trip_ma),
            ("rcd_trip_ms", self.rcd_trip_ms),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(key, format!("{v} must be a positive number")));
            }
        }
        Ok(EolConfig {
            database: self.database,
            station: self.station,
            busy_timeout: Duration::from_millis(self.busy_timeout_ms),
            rated_current_a: self.rated_current_a,
            phases: self.phases,
            meter: self.meter,
            load_points: self.load_points,
            contactor_close_ms: self.contactor_close_ms,
            contactor_open_ms: self.contactor_open_ms,
            cp_level_tolerance_v: self.cp_level_tolerance_v,
            rcd_trip_ma: self.rcd_trip_ma,
            rcd_trip_ms: self.rcd_trip_ms,
            firmware_version: self.firmware_version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_section_takes_defaults() {
        let c = EolConfig::parse(
            Path::new("rigs/x.toml"),
            "[rig]\nname = \"x\"\n[eol]\ndatabase = \"eol.sqlite\"\nrated_current_a = 32\n",
        )
        .unwrap();
        assert_eq!(c.database, PathBuf::from("eol.sqlite"));
        assert_eq!(c.busy_timeout, Duration::from_millis(200));
        assert_eq!(c.load_points, vec![0.1, 0.5, 1.0]);
        assert_eq!(c.meter, MeterClass::default());
        assert_eq!(c.firmware_version, None);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = EolConfig::parse(
            Path::new("rigs/x.toml"),
            "[rig]\nname = \"x\"\n[eol]\ndatabase = \"a\"\nrated_current_a = 16\ncolour = 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("rig file rigs/x.toml:"), "{e}");
        assert!(e.contains("colour"), "{e}");
        let e = EolConfig::parse(
            Path::new("rigs/x.toml"),
            "[eol]\ndatabase = \"a\"\nrated_current_a = 100\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("key `eol.rated_current_a`"), "{e}");
        let e = EolConfig::parse(Path::new("rigs/x.toml"), "[rig]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no [eol] section"), "{e}");
        let e = EolConfig::parse(
            Path::new("rigs/x.toml"),
            "[eol]\ndatabase = \"a\"\nrated_current_a = 16\n[eol.meter]\nerror_percent = 0\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("eol.meter") && e.contains("error_percent"),
            "{e}"
        );
    }
}

//! The end-of-line options of the harness's command line, as a `clap::Args` the harness
//! flattens into its own: `--unit-serial`, `--product-number`, `--retest`, `--operator`, and the
//! quality department's `--export-csv FILE` with `--run ID` or `--from DATE --to DATE`.

use std::path::PathBuf;

use clap::Args;

use crate::config::EolConfig;
use crate::db::export::{self, Selection};
use crate::db::Database;
use crate::error::EolError;
use crate::station::TestRequest;

#[derive(Debug, Clone, Default, Args)]
#[group(skip)]
pub struct EolArgs {
    /// End-of-line test of this unit (serial number on its label); needs a rig with [eol].
    #[arg(long, value_name = "SERIAL")]
    pub unit_serial: Option<String>,

    /// The unit's product number (default: the rig's [dut] product_number).
    #[arg(long, value_name = "N", requires = "unit_serial")]
    pub product_number: Option<String>,

    /// Test a unit that already passed (the run is stored as a retest).
    #[arg(long, requires = "unit_serial")]
    pub retest: bool,

    /// Who runs the station (stored with the run and printed on the certificate).
    #[arg(long, value_name = "NAME", requires = "unit_serial")]
    pub operator: Option<String>,

    /// Write the end-of-line records of a run (--run) or of a date range (--from/--to) as CSV
    /// and exit; runs no feature.
    #[arg(long, value_name = "FILE", conflicts_with = "unit_serial")]
    pub export_csv: Option<PathBuf>,

    /// The run to export.
    #[arg(long = "run", value_name = "ID", requires = "export_csv", conflicts_with_all = ["from", "to"])]
    pub run_id: Option<i64>,

    /// First day (2026-11-28, UTC) or time (RFC 3339) of the runs to export.
    #[arg(long, value_name = "DATE", requires = "export_csv")]
    pub from: Option<String>,

    /// Last day (inclusive) or time of the runs to export.
    #[arg(long, value_name = "DATE", requires = "export_csv")]
    pub to: Option<String>,
}

/// What the options ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EolMode {
    /// Not an end-of-line run: the harness runs features as usual.
    Off,
    /// Test one unit.
    Test(TestRequest),
    /// Export CSV and exit.
    Export { file: PathBuf, selection: Selection },
}

impl EolArgs {
    /// Checks the combination of options. `rig_product_number` is the rig's
    /// `[dut] product_number`, used when `--product-number` is absent.
    pub fn mode(&self, rig_product_number: Option<&str>) -> Result<EolMode, EolError> {
        if let Some(file) = &self.export_csv {
            let selection = match (self.run_id, &self.from, &self.to) {
                (Some(id), None, None) => Selection::Run(id),
                (None, Some(from), Some(to)) => {
                    let from = export::parse_bound(from, false, "--from")?;
                    let to = export::parse_bound(to, true, "--to")?;
                    if to <= from {
                        return Err(EolError::Config(
                            "--to is before --from: nothing to export".into(),
                        ));
                    }
                    Selection::Between { from, to }
                }
                _ => {
                    return Err(EolError::Config(
                        "--export-csv needs --run ID, or both --from DATE and --to DATE".into(),
                    ))
                }
            };
            return Ok(EolMode::Export {
                file: file.clone(),
                selection,
            });
        }
        let Some(serial) = &self.unit_serial else {
            return Ok(EolMode::Off);
        };
        let serial = serial.trim();
        if serial.is_empty() || serial.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(EolError::Config(format!(
                "--unit-serial {serial:?}: must be the label's serial number, without spaces"
            )));
        }
        let product_number = self
            .product_number
            .as_deref()
            .or(rig_product_number)
            .ok_or_else(|| {
                EolError::Config(
                    "--product-number is needed (the rig's [dut] has no product_number)".into(),
                )
            })?;
        Ok(EolMode::Test(TestRequest {
            serial: serial.to_string(),
            product_number: product_number.to_string(),
            retest: self.retest,
            operator: self.operator.clone(),
        }))
    }
}

/// Runs an export: opens the database from the rig's `[eol]`, writes `file`; returns a one-line
/// summary for the operator.
pub fn export_csv(
    config: &EolConfig,
    file: &std::path::Path,
    selection: &Selection,
) -> Result<String, EolError> {
    let db = Database::open(&config.database, config.busy_timeout)?;
    // Written next to the target and renamed: a failed export never leaves half a file.
    let tmp = file.with_extension("csv.partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(|e| {
        EolError::Storage(format!(
            "--export-csv {}: cannot create: {e}",
            file.display()
        ))
    })?);
    let written = export::write_csv(&db, selection, &mut out);
    drop(out);
    let (runs, rows) = match written {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, file).map_err(|e| {
        EolError::Storage(format!(
            "--export-csv {}: cannot write: {e}",
            file.display()
        ))
    })?;
    Ok(format!(
        "exported {runs} run(s), {rows} measurement(s) to {}",
        file.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        eol: EolArgs,
    }

    fn parse(args: &[&str]) -> Result<EolArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("harness").chain(args.iter().copied())).map(|c| c.eol)
    }

    #[test]
    fn test_mode_takes_the_rig_product_by_default() {
        let a = parse(&["--unit-serial", "130577-000123", "--retest"]).unwrap();
        let EolMode::Test(r) = a.mode(Some("130577")).unwrap() else {
            panic!()
        };
        assert_eq!(r.serial, "130577-000123");
        assert_eq!(r.product_number, "130577");
        assert!(r.retest);
        let a = parse(&["--unit-serial", "X1", "--product-number", "130578"]).unwrap();
        let EolMode::Test(r) = a.mode(Some("130577")).unwrap() else {
            panic!()
        };
        assert_eq!(r.product_number, "130578");
    }

    #[test]
    fn export_needs_a_run_or_a_range() {
        let a = parse(&["--export-csv", "out.csv", "--run", "4"]).unwrap();
        assert!(matches!(
            a.mode(None).unwrap(),
            EolMode::Export {
                selection: Selection::Run(4),
                ..
            }
        ));
        let a = parse(&[
            "--export-csv",
            "out.csv",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ])
        .unwrap();
        assert!(matches!(a.mode(None).unwrap(), EolMode::Export { .. }));
        let a = parse(&["--export-csv", "out.csv"]).unwrap();
        assert!(a.mode(None).unwrap_err().to_string().contains("--run ID"));
        assert!(parse(&["--retest"]).is_err(), "--retest without a unit");
        assert!(parse(&["--export-csv", "x", "--unit-serial", "S"]).is_err());
        assert_eq!(parse(&[]).unwrap().mode(None).unwrap(), EolMode::Off);
    }

    #[test]
    fn bad_serial_and_missing_product_are_one_line_errors() {
        let a = parse(&["--unit-serial", "a b"]).unwrap();
        assert!(a
            .mode(Some("1"))
            .unwrap_err()
            .to_string()
            .contains("--unit-serial"));
        let a = parse(&["--unit-serial", "S1"]).unwrap();
        assert!(a
            .mode(None)
            .unwrap_err()
            .to_string()
            .contains("--product-number"));
    }
}

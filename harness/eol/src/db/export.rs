//! CSV for the quality department: one row per measurement, with the unit and run it belongs
//! to, for one run or for every run started in a date range. RFC 4180 quoting, UTF-8, CRLF.

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};

use super::{timestamp, Database, RunId, RunRecord};
use crate::error::EolError;

/// Which runs to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Run(RunId),
    /// Runs started in `[from, to)`.
    Between {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

pub const HEADER: [&str; 17] = [
    "run_id",
    "serial",
    "product_number",
    "firmware_version",
    "pin_provisioned",
    "station",
    "operator",
    "run_started",
    "run_ended",
    "run_verdict",
    "retest",
    "check",
    "value",
    "unit",
    "low",
    "high",
    "verdict",
];

/// Writes the selection as CSV; returns (runs, measurement rows) written.
pub fn write_csv(
    db: &Database,
    selection: &Selection,
    out: &mut dyn Write,
) -> Result<(usize, usize), EolError> {
    let runs: Vec<RunRecord> = match selection {
        Selection::Run(id) => match db.run(*id)? {
            Some(run) => vec![run],
            None => {
                return Err(EolError::Config(format!(
                    "--run {id}: no such run in database {}",
                    db.path().display()
                )))
            }
        },
        Selection::Between { from, to } => db.runs_between(*from, *to)?,
    };
    let io = |e: std::io::Error| EolError::Storage(format!("cannot write the CSV: {e}"));
    write_row(out, HEADER.iter().map(|s| s.to_string())).map_err(io)?;
    let mut rows = 0;
    for run in &runs {
        let unit = db.unit(&run.serial)?;
        let (product, firmware, pin) = match &unit {
            Some(u) => (
                u.product_number.clone(),
                u.firmware_version.clone().unwrap_or_default(),
                if u.pin_provisioned { "yes" } else { "no" }.to_string(),
            ),
            None => Default::default(),
        };
        let run_cells = [
            run.id.to_string(),
            run.serial.clone(),
            product,
            firmware,
            pin,
            run.station.clone(),
            run.operator.clone().unwrap_or_default(),
            timestamp(run.started),
            run.ended.map(timestamp).unwrap_or_default(),
            run.verdict
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            if run.retest { "yes" } else { "no" }.to_string(),
        ];
        for m in db.measurements(run.id)? {
            let opt = |v: Option<f64>| v.map(full).unwrap_or_default();
            let cells = run_cells.iter().cloned().chain([
                m.name.clone(),
                if m.value.is_nan() {
                    String::new()
                } else {
                    full(m.value)
                },
                m.unit.clone(),
                opt(m.low),
                opt(m.high),
                m.verdict.as_str().to_string(),
            ]);
            write_row(out, cells).map_err(io)?;
            rows += 1;
        }
    }
    out.flush().map_err(io)?;
    Ok((runs.len(), rows))
}

/// Exported numbers keep their full precision (the certificate rounds, the CSV does not).
fn full(v: f64) -> String {
    format!("{v}")
}

fn write_row(out: &mut dyn Write, cells: impl Iterator<Item = String>) -> std::io::Result<()> {
    let quoted: Vec<String> = cells.map(|c| quote(&c)).collect();
    out.write_all(quoted.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

/// RFC 4180: a field with a comma, quote, CR or LF is quoted and its quotes doubled. A field
/// starting with `=`, `+`, `-` or `@` that is not a number is prefixed with `'` so a
/// spreadsheet does not run it as a formula.
pub fn quote(field: &str) -> String {
    let risky = field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err();
    let field = if risky {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

/// `--from` / `--to`: a date (`2026-11-28`, the whole day in UTC) or an RFC 3339 time. `--from`
/// is the start of its day, `--to` the end of its day (inclusive), so `--from D --to D` is day D.
pub fn parse_bound(text: &str, end_of_day: bool, option: &str) -> Result<DateTime<Utc>, EolError> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if end_of_day {
            date.succ_opt().unwrap_or(date)
        } else {
            date
        };
        return Ok(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            EolError::Config(format!(
                "{option} {text}: expected a date like 2026-11-28 or a time like \
                 2026-11-28T14:00:00Z"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("=cmd()"), "'=cmd()");
        assert_eq!(quote("-12.5"), "-12.5");
    }

    #[test]
    fn bounds() {
        let from = parse_bound("2026-11-28", false, "--from").unwrap();
        let to = parse_bound("2026-11-28", true, "--to").unwrap();
        assert_eq!(timestamp(from), "2026-11-28T00:00:00.000Z");
        assert_eq!(timestamp(to), "2026-11-29T00:00:00.000Z");
        let t = parse_bound("2026-11-28T14:00:00+01:00", false, "--from").unwrap();
        assert_eq!(timestamp(t), "2026-11-28T13:00:00.000Z");
        let e = parse_bound("28.11.2026", false, "--from").unwrap_err();
        assert!(e.to_string().contains("--from 28.11.2026"), "{e}");
    }
}

//! The one-page certificate of a unit: serial, product, firmware, every measurement with its
//! limits and verdict, date, station, verdict. Self-contained HTML (no scripts, no external
//! files), laid out for one printed A4 page; every value is HTML-escaped.

use std::path::{Path, PathBuf};

use crate::db::{timestamp, RunRecord, UnitRecord};
use crate::error::EolError;
use crate::measurement::Measurement;
use crate::verdict::RunVerdict;

pub struct Certificate<'a> {
    pub unit: &'a UnitRecord,
    pub run: &'a RunRecord,
    pub verdict: RunVerdict,
    pub measurements: &'a [Measurement],
    /// Printed under the table (e.g. "Meter class: IEC 62053-21 class 1").
    pub notes: Vec<String>,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The certificate's file name: `eol-certificate-<serial>-run<id>.html` (serial made safe for a
/// file name).
pub fn file_name(serial: &str, run: i64) -> String {
    let safe: String = serial
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("eol-certificate-{safe}-run{run}.html")
}

impl Certificate<'_> {
    pub fn render(&self) -> String {
        let mut rows = String::new();
        for (i, m) in self.measurements.iter().enumerate() {
            let class = if m.passed() { "pass" } else { "fail" };
            rows.push_str(&format!(
                "<tr class=\"{class}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"verdict\">{}</td></tr>\n",
                i + 1,
                escape(&m.name),
                escape(&m.value_text()),
                escape(&m.limits_text()),
                m.verdict.as_str()
            ));
        }
        if self.measurements.is_empty() {
            rows.push_str("<tr><td colspan=\"5\">no measurement was made</td></tr>\n");
        }
        let verdict_class = match self.verdict {
            RunVerdict::Pass => "pass",
            RunVerdict::Fail => "fail",
            RunVerdict::Aborted => "aborted",
        };
        let failure = match &self.run.failure {
            Some(f) if self.verdict != RunVerdict::Pass => {
                format!("<p class=\"failure\">{}</p>\n", escape(f))
            }
            _ => String::new(),
        };
        let notes: String = self
            .notes
            .iter()
            .map(|n| format!("<li>{}</li>", escape(n)))
            .collect();
        let ended = self.run.ended.map(timestamp).unwrap_or_default();
        format!(
            r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>End-of-line certificate {serial}</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ font: 9pt sans-serif; margin: 0 auto; max-width: 190mm; }}
h1 {{ font-size: 14pt; margin: 0 0 2mm; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 0.5mm 1.5mm; text-align: left; }}
/* About 60 checks must fit one printed page: 4 mm a row. */
table.measurements {{ font-size: 7.5pt; line-height: 1.15; }}
td.num {{ text-align: right; white-space: nowrap; }}
tr.fail td {{ background: #fdd; font-weight: bold; }}
.ident td:first-child {{ width: 40mm; font-weight: bold; }}
.verdict-box {{ font-size: 20pt; font-weight: bold; padding: 1mm 6mm; display: inline-block; margin: 2mm 0; }}
.verdict-box.pass {{ background: #1a7f37; color: #fff; }}
.verdict-box.fail {{ background: #c62828; color: #fff; }}
.verdict-box.aborted {{ background: #f2c200; color: #000; }}
.failure {{ font-weight: bold; color: #c62828; }}
</style></head>
<body>
<h1>End-of-line test certificate</h1>
<table class="ident">
<tr><td>Serial number</td><td id="serial">{serial}</td></tr>
<tr><td>Product number</td><td id="product">{product}</td></tr>
<tr><td>Firmware version</td><td id="firmware">{firmware}</td></tr>
<tr><td>PIN provisioned</td><td>{pin}</td></tr>
<tr><td>Station</td><td id="station">{station}</td></tr>
<tr><td>Operator</td><td>{operator}</td></tr>
<tr><td>Run</td><td>{run}{retest}</td></tr>
<tr><td>Date</td><td id="date">{started} &ndash; {ended}</td></tr>
</table>
<div class="verdict-box {verdict_class}" id="verdict">{verdict}</div>
{failure}<table class="measurements">
<thead><tr><th>#</th><th>Check</th><th>Value</th><th>Limits</th><th>Verdict</th></tr></thead>
<tbody>
{rows}</tbody></table>
<ul class="notes">{notes}</ul>
</body></html>
"#,
            serial = escape(&self.unit.serial),
            product = escape(&self.unit.product_number),
            firmware = escape(self.unit.firmware_version.as_deref().unwrap_or("not read")),
            pin = if self.unit.pin_provisioned {
                "yes"
            } else {
                "no"
            },
            station = escape(&self.run.station),
            operator = escape(self.run.operator.as_deref().unwrap_or("")),
            run = self.run.id,
            retest = if self.run.retest { " (retest)" } else { "" },
            started = escape(&timestamp(self.run.started)),
            ended = escape(&ended),
            verdict = self.verdict.as_str(),
        )
    }

    /// Writes the certificate into `dir` (created if needed); returns its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, EolError> {
        let path = dir.join(file_name(&self.unit.serial, self.run.id));
        std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(&path, self.render()))
            .map_err(|e| {
                EolError::Storage(format!("certificate {}: cannot write: {e}", path.display()))
            })?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_file_names() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            file_name("130577/000123", 7),
            "eol-certificate-130577_000123-run7.html"
        );
    }
}

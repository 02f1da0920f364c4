//! The end-of-run banner: the verdict in letters five lines high, the unit, and for a failure
//! the failing check with its value and limits. Framed so it stands out in plain text too.

use super::{paint, Style};
use crate::verdict::RunVerdict;

/// What the banner says.
#[derive(Debug, Clone, PartialEq)]
pub struct BannerInfo {
    pub verdict: RunVerdict,
    pub serial: String,
    pub product_number: String,
    pub run_id: i64,
    /// The first failing check, e.g. "contactor opening after C→B = 250 ms (limits ≤ 100 ms)",
    /// or why the run was aborted.
    pub failure: Option<String>,
    pub duration_s: f64,
    /// Where the certificate was written, if it was.
    pub certificate: Option<String>,
    /// Records that could not be stored (the operator must call someone).
    pub storage_warning: Option<String>,
}

const ROWS: usize = 5;

/// Five-row glyphs for the letters of PASS, FAIL and ABORTED.
fn glyph(c: char) -> [&'static str; ROWS] {
    match c {
        'P' => ["#### ", "#   #", "#### ", "#    ", "#    "],
        'A' => [" ### ", "#   #", "#####", "#   #", "#   #"],
        'S' => [" ####", "#    ", " ### ", "    #", "#### "],
        'F' => ["#####", "#    ", "#### ", "#    ", "#    "],
        'I' => ["#####", "  #  ", "  #  ", "  #  ", "#####"],
        'L' => ["#    ", "#    ", "#    ", "#    ", "#####"],
        'B' => ["#### ", "#   #", "#### ", "#   #", "#### "],
        'O' => [" ### ", "#   #", "#   #", "#   #", " ### "],
        'R' => ["#### ", "#   #", "#### ", "#  # ", "#   #"],
        'T' => ["#####", "  #  ", "  #  ", "  #  ", "  #  "],
        'E' => ["#####", "#    ", "#### ", "#    ", "#####"],
        'D' => ["#### ", "#   #", "#   #", "#   #", "#### "],
        _ => ["     "; ROWS],
    }
}

/// The word in big letters; each pixel two characters wide so the letters look square.
pub fn big_letters(word: &str) -> Vec<String> {
    (0..ROWS)
        .map(|row| {
            word.chars()
                .map(|c| {
                    glyph(c)[row]
                        .chars()
                        .map(|p| if p == '#' { "##" } else { "  " })
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect()
}

pub fn banner(info: &BannerInfo, color: bool) -> String {
    let style = match info.verdict {
        RunVerdict::Pass => Style::Pass,
        RunVerdict::Fail => Style::Fail,
        RunVerdict::Aborted => Style::Aborted,
    };
    let letters = big_letters(info.verdict.as_str());
    let width = letters[0].chars().count() + 8;
    let frame = "=".repeat(width);
    let mut lines = Vec::new();
    lines.push(frame.clone());
    lines.push(String::new());
    for l in &letters {
        lines.push(format!("    {l}    "));
    }
    lines.push(String::new());
    lines.push(frame.clone());
    let mut out: Vec<String> = lines
        .into_iter()
        .map(|l| {
            // Every row the same width so the coloured block is a clean rectangle.
            let padded = super::fit(&l, width, ' ');
            paint(&padded, style, color)
        })
        .collect();
    out.push(format!(
        "UNIT {}  product {}  run {}  {}  ({:.1} s)",
        info.serial,
        info.product_number,
        info.run_id,
        info.verdict.as_str(),
        info.duration_s
    ));
    match (info.verdict, &info.failure) {
        (RunVerdict::Fail, Some(f)) => out.push(format!("FAILED CHECK: {f}")),
        (RunVerdict::Aborted, Some(f)) => out.push(format!("ABORTED: {f}")),
        _ => {}
    }
    match info.verdict {
        RunVerdict::Pass => out.push("Put the unit on the PASS rack.".to_string()),
        RunVerdict::Fail => out.push("Put the unit on the FAIL rack with this printout.".into()),
        RunVerdict::Aborted => out.push(
            "The run did not finish: the unit is neither passed nor failed; test it again.".into(),
        ),
    }
    if let Some(c) = &info.certificate {
        out.push(format!("Certificate: {c}"));
    }
    if let Some(w) = &info.storage_warning {
        out.push(format!("WARNING: records not stored: {w}"));
    }
    out.push(frame);
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_five_rows_of_equal_width() {
        let rows = big_letters("ABORTED");
        assert_eq!(rows.len(), 5);
        let w = rows[0].chars().count();
        assert!(rows.iter().all(|r| r.chars().count() == w));
        assert!(rows[0].starts_with("  ######"), "{}", rows[0]);
    }
}

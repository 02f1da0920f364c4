//! Stable, file-name-safe scenario ids.

/// The longest id we produce; keeps trace file names well under the 255-byte limit.
const MAX_ID_LEN: usize = 120;

/// The id of a scenario: `<feature file stem>-L<line>-<scenario name>`, reduced to
/// `[a-z0-9_-]`. The line makes the rows of a scenario outline distinct. The harness uses the
/// same id for [`crate::ReportWriter::write_trace`] and [`crate::Scenario::id`].
pub fn scenario_id(feature_path: &str, scenario_name: &str, line: u32) -> String {
    let stem = std::path::Path::new(feature_path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let raw = format!("{stem}-L{line}-{scenario_name}");
    file_safe(&raw)
}

/// Lower-cases `raw`, keeps ASCII letters, digits, `_` and `-`, turns every other run of
/// characters into one `-`, and cuts to [`MAX_ID_LEN`].
pub fn file_safe(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    let mut id: String = trimmed.chars().take(MAX_ID_LEN).collect();
    while id.ends_with('-') {
        id.pop();
    }
    if id.is_empty() {
        id.push_str("scenario");
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_file_safe_and_keeps_outline_rows_apart() {
        let a = scenario_id(
            "features/ocpp16/core/boot.feature",
            "Cold boot / Rejected",
            12,
        );
        let b = scenario_id(
            "features/ocpp16/core/boot.feature",
            "Cold boot / Rejected",
            13,
        );
        assert_eq!(a, "boot-l12-cold-boot-rejected");
        assert_ne!(a, b);
    }

    #[test]
    fn id_is_never_empty_nor_too_long() {
        assert_eq!(file_safe("///"), "scenario");
        assert!(scenario_id("x.feature", &"é".repeat(500), 1).len() <= MAX_ID_LEN);
        assert!(scenario_id("x.feature", &"a".repeat(500), 1).len() <= MAX_ID_LEN);
    }
}

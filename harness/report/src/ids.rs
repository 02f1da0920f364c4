//! Stable, file-name-safe scenario ids.

/// The longest id we produce; keeps trace file names well under the 255-byte limit.
const MAX_ID_LEN: usize = 120;

/// The id of a scenario: `<feature path>-L<line>-<scenario name>`, where the feature path loses
/// a leading `./` and `features/` and its `.feature`, all reduced to `[a-z0-9_-]` (see
/// [`file_safe`]). The path keeps features of the same name in different folders apart; the line
/// keeps the rows of a scenario outline apart. The harness uses the same id for
/// [`crate::ReportWriter::write_trace`] and [`crate::Scenario::id`].
pub fn scenario_id(feature_path: &str, scenario_name: &str, line: u32) -> String {
    let path = feature_path.trim_start_matches("./");
    let path = path.strip_prefix("features/").unwrap_or(path);
    let path = path.strip_suffix(".feature").unwrap_or(path);
    file_safe(&format!("{path}-L{line}-{scenario_name}"))
}

/// Lower-cases `raw`, keeps ASCII letters, digits, `_` and `-`, turns every other run of
/// characters into one `-`. Longer than [`MAX_ID_LEN`], it is cut and ends in a hash of the
/// whole text, so two long names that share a beginning still get different ids.
pub fn file_safe(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut id = out.trim_matches('-').to_string();
    if id.len() > MAX_ID_LEN {
        id.truncate(MAX_ID_LEN - 9);
        while id.ends_with('-') {
            id.pop();
        }
        id.push_str(&format!("-{:08x}", fnv1a(raw.as_bytes())));
    }
    if id.is_empty() {
        id.push_str("scenario");
    }
    id
}

/// 32-bit FNV-1a: tiny, stable across releases and platforms (unlike std's hasher).
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_file_safe_and_keeps_outline_rows_and_folders_apart() {
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
        let c = scenario_id(
            "./features/ocpp16/security/boot.feature",
            "Cold boot / Rejected",
            12,
        );
        assert_eq!(a, "ocpp16-core-boot-l12-cold-boot-rejected");
        assert_eq!(c, "ocpp16-security-boot-l12-cold-boot-rejected");
        assert_ne!(a, b);
    }

    #[test]
    fn id_is_never_empty_nor_too_long_and_long_ids_stay_distinct() {
        assert_eq!(file_safe("///"), "scenario");
        assert!(scenario_id("x.feature", &"é".repeat(500), 1).len() <= MAX_ID_LEN);
        let long_a = scenario_id("x.feature", &format!("{} a", "word ".repeat(50)), 1);
        let long_b = scenario_id("x.feature", &format!("{} b", "word ".repeat(50)), 1);
        assert!(long_a.len() <= MAX_ID_LEN, "{long_a}");
        assert_ne!(long_a, long_b);
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
    }
}

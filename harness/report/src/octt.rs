//! The OCTT charge point test list for OCPP 1.6, embedded so a report always names every case.

/// One OCTT charge point test case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcttCase {
    /// e.g. `TC_003_CS`; a scenario claims it with the tag `@TC_003_CS`.
    pub id: &'static str,
    /// OCPP feature profile: Core, LocalAuthList, FirmwareMgmt, Reservation, ...
    pub profile: &'static str,
    /// What the bench must be able to do for it (`-` when nothing special).
    pub stimuli: &'static str,
    pub name: &'static str,
}

const OCTT_TSV: &str = include_str!("../data/octt-1.6-cs.tsv");

/// Every OCTT 1.6 charge point test case, in the order of the test case document.
pub fn octt_cases() -> Vec<OcttCase> {
    OCTT_TSV
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut cols = line.split('\t');
            let mut next = || cols.next().unwrap_or("").trim();
            OcttCase {
                id: next(),
                profile: next(),
                stimuli: next(),
                name: next(),
            }
        })
        .collect()
}

/// True when `tag` (with or without `@`) has the shape of an OCTT charge point id: `TC_<n>[_<n>]_CS`.
pub fn is_octt_tag(tag: &str) -> bool {
    let tag = tag.strip_prefix('@').unwrap_or(tag);
    let Some(middle) = tag.strip_prefix("TC_").and_then(|t| t.strip_suffix("_CS")) else {
        return false;
    };
    !middle.is_empty()
        && middle
            .split('_')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_all_102_cases_with_unique_well_formed_ids() {
        let cases = octt_cases();
        assert_eq!(cases.len(), 102);
        let mut ids: Vec<_> = cases.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 102);
        for case in &cases {
            assert!(is_octt_tag(case.id), "{}", case.id);
            assert!(
                !case.profile.is_empty() && !case.name.is_empty(),
                "{case:?}"
            );
        }
        assert!(cases.iter().any(|c| c.id == "TC_087_CS"));
    }

    #[test]
    fn octt_tag_shape() {
        assert!(is_octt_tag("@TC_004_1_CS"));
        assert!(!is_octt_tag("@TC__CS"));
        assert!(!is_octt_tag("@IEC61851-1"));
        assert!(!is_octt_tag("@TC_004_CSMS"));
    }
}

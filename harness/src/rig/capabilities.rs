//! The capabilities a rig can declare in `[rig] capabilities`, and which a scenario can demand with a
//! `@requires.<capability>` tag. Keeping one closed list makes a typo in either place an error
//! instead of a scenario that is silently skipped forever.

/// Every capability name the harness knows, with what it means for the rig.
pub const KNOWN: &[(&str, &str)] = &[
    ("power-cycle", "the rig can switch the charger's mains supply off and on"),
    ("backup-power", "the charger keeps running on a backup supply when mains fails"),
    ("net-cut", "the rig can cut and restore the charger's network connection"),
    ("fault-injection", "the rig can inject vehicle-side faults (diode short, CP-PE short, PE open, DC residual current)"),
    ("sim-faults", "the rig can inject power-board faults only a simulator can (contactor weld, over-temperature, link loss)"),
    ("lock-failure", "the rig can make the socket lock fail"),
    ("local-interface", "the charger's local management interface (HTTP) is reachable from the harness"),
    ("rfid", "an RFID card emulator sits in front of the charger's reader"),
    ("power-analyser", "a power analyser measures the charger's output"),
    ("three-phase", "the charger is wired to a three-phase supply"),
    ("tethered-cable", "the charger has a tethered cable"),
    ("socket", "the charger has a socket outlet (type 2) instead of a tethered cable"),
];

/// The tag prefix that marks a scenario as needing a capability.
pub const TAG_PREFIX: &str = "requires.";

/// Whether `name` is a capability the harness knows.
pub fn is_known(name: &str) -> bool {
    KNOWN.iter().any(|(known, _)| *known == name)
}

/// The known names, comma separated, for error messages.
pub fn known_list() -> String {
    KNOWN
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The capabilities a set of tags (feature, rule and scenario tags together) demands.
pub fn required_by<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    tags.into_iter()
        .filter_map(|tag| tag.strip_prefix(TAG_PREFIX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_tags_name_capabilities() {
        let tags = vec!["TC_003_CS".to_string(), "requires.power-cycle".to_string()];
        assert_eq!(required_by(&tags), vec!["power-cycle"]);
        assert!(is_known("net-cut"));
        assert!(!is_known("powercycle"));
    }
}

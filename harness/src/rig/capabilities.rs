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
    ("file-server", "the CSMS side runs a file server the charger can download from and upload to"),
    ("eol-station", "a factory end-of-line station: an [eol] section with the unit database and the class limits"),
    ("tls", "the charger can connect to the CSMS over TLS (wss://, security profile 2) and trusts its certificate"),
    ("security-profile-upgrade", "the CSMS serves the charger at security profile 1 (ws://) and also over TLS (wss://, profile 2), so the charger can be moved from 1 to 2"),
];

/// Every feature a DUT can declare in `[dut] features`, which a scenario can demand with a
/// `@requires.dut.<feature>` tag. A closed list for the same reason as [`KNOWN`].
pub const DUT_FEATURES: &[(&str, &str)] = &[
    ("security-profile-3", "OCPP security profile 3: TLS with a client certificate"),
    ("certificate-management", "OCPP 1.6 security whitepaper certificate management (InstallCertificate, GetInstalledCertificateIds, ...)"),
    ("signed-firmware", "signed firmware updates (SignedUpdateFirmware)"),
    ("rated-32a", "the charger is rated for 32 A per phase"),
    ("storage-fault-injection", "the charger has a test hook that makes its persistent storage fail"),
    ("lacks-reservation", "the charger does NOT implement the Reservation profile (the OCTT cases for such chargers)"),
];

/// The tag prefix that marks a scenario as needing a capability.
pub const TAG_PREFIX: &str = "requires.";

/// The tag prefix that marks a scenario as needing a feature the DUT must declare.
pub const DUT_TAG_PREFIX: &str = "requires.dut.";

/// One `@requires…` tag: a capability of the rig or a feature the DUT declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement<'a> {
    Rig(&'a str),
    Dut(&'a str),
}

impl Requirement<'_> {
    /// Whether the harness knows the name (a typo in a tag is a configuration error).
    pub fn is_known(self) -> bool {
        match self {
            Requirement::Rig(name) => is_known(name),
            Requirement::Dut(name) => is_known_dut_feature(name),
        }
    }

    /// The tag as written, without the `@`.
    pub fn tag(self) -> String {
        match self {
            Requirement::Rig(name) => format!("{TAG_PREFIX}{name}"),
            Requirement::Dut(name) => format!("{DUT_TAG_PREFIX}{name}"),
        }
    }
}

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

/// Whether `name` is a DUT feature the harness knows.
pub fn is_known_dut_feature(name: &str) -> bool {
    DUT_FEATURES.iter().any(|(known, _)| *known == name)
}

/// The known DUT feature names, comma separated, for error messages.
pub fn known_dut_feature_list() -> String {
    DUT_FEATURES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a set of tags (feature, rule and scenario tags together) demands.
pub fn required_by<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<Requirement<'a>> {
    tags.into_iter()
        .filter_map(|tag| {
            if let Some(feature) = tag.strip_prefix(DUT_TAG_PREFIX) {
                Some(Requirement::Dut(feature))
            } else {
                tag.strip_prefix(TAG_PREFIX).map(Requirement::Rig)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_tags_name_capabilities() {
        let tags = vec![
            "TC_003_CS".to_string(),
            "requires.power-cycle".to_string(),
            "requires.dut.signed-firmware".to_string(),
        ];
        assert_eq!(
            required_by(&tags),
            vec![
                Requirement::Rig("power-cycle"),
                Requirement::Dut("signed-firmware")
            ]
        );
        assert!(is_known("net-cut"));
        assert!(is_known("tls") && is_known("file-server"));
        assert!(!is_known("powercycle"));
        assert!(Requirement::Dut("rated-32a").is_known());
        assert!(!Requirement::Dut("rated-33a").is_known());
        assert_eq!(
            Requirement::Dut("rated-32a").tag(),
            "requires.dut.rated-32a"
        );
    }
}

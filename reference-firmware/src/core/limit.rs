//! The current the charger may offer: the minimum of every limit that applies.

/// Which limit is the binding one (for logs and the local interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    VariantRating,
    InstallationMaximum,
    Fuse,
    Cable,
    Temperature,
    /// Smart charging (OCPP charging profiles) or load balancing.
    External,
}

/// All limits in 0.1 A; `None` where a limit does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitInputs {
    pub variant_deciamps: u32,
    pub installation_deciamps: u32,
    pub fuse_deciamps: u32,
    /// `Some(0)` when no cable is present (socket variants).
    pub cable_deciamps: Option<u32>,
    pub temperature_deciamps: Option<u32>,
    pub external_deciamps: Option<u32>,
}

/// The effective limit and what sets it. Below 60 (6 A) no PWM may be offered.
pub fn effective_limit(l: &LimitInputs) -> (u32, LimitSource) {
    let candidates = [
        (Some(l.variant_deciamps), LimitSource::VariantRating),
        (
            Some(l.installation_deciamps),
            LimitSource::InstallationMaximum,
        ),
        (Some(l.fuse_deciamps), LimitSource::Fuse),
        (l.cable_deciamps, LimitSource::Cable),
        (l.temperature_deciamps, LimitSource::Temperature),
        (l.external_deciamps, LimitSource::External),
    ];
    candidates
        .into_iter()
        .filter_map(|(v, s)| v.map(|v| (v, s)))
        .min_by_key(|&(v, _)| v)
        .expect("the variant rating always applies")
}

//! Seeded defects: deliberate bugs selectable at start-up (only with the `seeded-defects`
//! feature) so the conformance suite can prove it catches them.
//!
//! This is the firmware's one registry of defect names: the charging core's own defects, the
//! local interface's, and the OCPP charge point's ([`OcppDefect`], which lives in its crate so
//! that each protocol bug sits where the real bug would). `--seed-defect NAME` and its "unknown
//! seeded defect; known: ..." message list them all.

use std::fmt;
use std::str::FromStr;

use ocpp_charge_point::{OcppDefect, OcppDefects};

/// One seeded defect of the firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeededDefect {
    /// The contactor opens 250 ms late after C→B (limit: 100 ms).
    SlowContactorOpen,
    /// The PWM duty cycle is 2 percentage points too high.
    DutyTwoPointsHigh,
    /// A 13 A cable coding (1.5 kΩ) is read as 20 A.
    Pp13ReadAs20,
    /// The 6 mA residual-current threshold acts only at 12 mA.
    RcmTripsAt12Ma,
    /// The energy register counts 3 % fast.
    EnergyThreePercentFast,
    /// The L2 current channel reads 3 % high (a wrong calibration gain).
    L2CurrentGain3PercentHigh,
    /// A 0 V pilot (CP shorted to PE) is taken for a glitch: the last state holds and
    /// charging goes on.
    CpPeShortIgnored,
    /// The RFID reader's cards never reach the core: the unit never sees a card.
    RfidReaderDead,
    /// 7- and 10-byte card UIDs are cut to their first 4 bytes.
    UidTruncatedTo4Bytes,
    /// The installation's maximum current is not applied (the variant's rating is used).
    InstallationMaxIgnored,
    /// A plugged cable's current rating (read right from PP) is left out of the charge limit.
    CableLimitIgnored,
    /// The local interface never locks out after repeated wrong PINs.
    PinLockoutNever,
    /// A defect of the OCPP charge point.
    Ocpp(OcppDefect),
}

/// The defects of the core and the local interface, in the order they are listed.
const FIRMWARE_DEFECTS: [SeededDefect; 12] = [
    SeededDefect::SlowContactorOpen,
    SeededDefect::DutyTwoPointsHigh,
    SeededDefect::Pp13ReadAs20,
    SeededDefect::RcmTripsAt12Ma,
    SeededDefect::EnergyThreePercentFast,
    SeededDefect::L2CurrentGain3PercentHigh,
    SeededDefect::CpPeShortIgnored,
    SeededDefect::RfidReaderDead,
    SeededDefect::UidTruncatedTo4Bytes,
    SeededDefect::InstallationMaxIgnored,
    SeededDefect::CableLimitIgnored,
    SeededDefect::PinLockoutNever,
];

impl SeededDefect {
    /// Every defect, the firmware's first, then the OCPP charge point's.
    pub fn all() -> Vec<SeededDefect> {
        FIRMWARE_DEFECTS
            .into_iter()
            .chain(OcppDefect::ALL.into_iter().map(SeededDefect::Ocpp))
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            SeededDefect::SlowContactorOpen => "slow-contactor-open",
            SeededDefect::DutyTwoPointsHigh => "duty-two-points-high",
            SeededDefect::Pp13ReadAs20 => "pp-13a-read-as-20a",
            SeededDefect::RcmTripsAt12Ma => "rcm-trips-at-12ma",
            SeededDefect::EnergyThreePercentFast => "energy-3-percent-fast",
            SeededDefect::L2CurrentGain3PercentHigh => "l2-current-3-percent-high",
            SeededDefect::CpPeShortIgnored => "cp-pe-short-ignored",
            SeededDefect::RfidReaderDead => "rfid-reader-dead",
            SeededDefect::UidTruncatedTo4Bytes => "uid-truncated-to-4-bytes",
            SeededDefect::InstallationMaxIgnored => "installation-max-ignored",
            SeededDefect::CableLimitIgnored => "cable-limit-ignored",
            SeededDefect::PinLockoutNever => "pin-lockout-never",
            SeededDefect::Ocpp(d) => d.name(),
        }
    }
}

impl fmt::Display for SeededDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SeededDefect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SeededDefect::all()
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = SeededDefect::all().iter().map(|d| d.name()).collect();
                format!("unknown seeded defect {s:?}; known: {}", names.join(", "))
            })
    }
}

/// The set of active defects. Without the `seeded-defects` feature it is always empty, and
/// every check compiles to `false`.
#[derive(Debug, Clone, Default)]
pub struct Defects {
    #[cfg(feature = "seeded-defects")]
    active: Vec<SeededDefect>,
}

impl Defects {
    /// Builds the set; refused when the firmware was built without the feature.
    pub fn new(list: &[SeededDefect]) -> Result<Defects, String> {
        #[cfg(feature = "seeded-defects")]
        {
            Ok(Defects {
                active: list.to_vec(),
            })
        }
        #[cfg(not(feature = "seeded-defects"))]
        {
            match list.first() {
                None => Ok(Defects {}),
                Some(d) => Err(format!(
                    "--seed-defect {d}: this firmware was built without the `seeded-defects` \
                     feature (cargo build --features reference-firmware/seeded-defects)"
                )),
            }
        }
    }

    #[inline]
    pub fn has(&self, _d: SeededDefect) -> bool {
        #[cfg(feature = "seeded-defects")]
        {
            self.active.contains(&_d)
        }
        #[cfg(not(feature = "seeded-defects"))]
        {
            false
        }
    }

    /// The OCPP charge point's share of the set, for its settings.
    pub fn ocpp(&self) -> OcppDefects {
        #[cfg(feature = "seeded-defects")]
        {
            let list: Vec<OcppDefect> = self
                .active
                .iter()
                .filter_map(|d| match d {
                    SeededDefect::Ocpp(o) => Some(*o),
                    _ => None,
                })
                .collect();
            // The feature enables the charge point's feature too, so this cannot be refused.
            OcppDefects::new(&list).unwrap_or_default()
        }
        #[cfg(not(feature = "seeded-defects"))]
        {
            OcppDefects::default()
        }
    }

    /// The names of the active defects, e.g. for the start-up log.
    pub fn names(&self) -> Vec<&'static str> {
        #[cfg(feature = "seeded-defects")]
        {
            self.active.iter().map(|d| d.name()).collect()
        }
        #[cfg(not(feature = "seeded-defects"))]
        {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let all = SeededDefect::all();
        assert!(all.len() >= 18, "{} defects", all.len());
        for d in &all {
            assert_eq!(d.name().parse::<SeededDefect>(), Ok(*d));
            assert_eq!(all.iter().filter(|o| o.name() == d.name()).count(), 1);
        }
    }

    #[test]
    fn unknown_name_lists_every_known_one() {
        let err = "no-such".parse::<SeededDefect>().unwrap_err();
        assert!(err.contains("slow-contactor-open"), "{err}");
        assert!(err.contains("stop-reason-always-local"), "{err}");
        assert!(err.contains("pin-lockout-never"), "{err}");
    }
}

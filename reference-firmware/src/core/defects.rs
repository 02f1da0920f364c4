//! Seeded defects: deliberate bugs selectable at start-up (only with the `seeded-defects`
//! feature) so the conformance suite can prove it catches them.

use std::fmt;
use std::str::FromStr;

/// One seeded defect of the charging core.
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
}

impl SeededDefect {
    pub const ALL: [SeededDefect; 5] = [
        SeededDefect::SlowContactorOpen,
        SeededDefect::DutyTwoPointsHigh,
        SeededDefect::Pp13ReadAs20,
        SeededDefect::RcmTripsAt12Ma,
        SeededDefect::EnergyThreePercentFast,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SeededDefect::SlowContactorOpen => "slow-contactor-open",
            SeededDefect::DutyTwoPointsHigh => "duty-two-points-high",
            SeededDefect::Pp13ReadAs20 => "pp-13a-read-as-20a",
            SeededDefect::RcmTripsAt12Ma => "rcm-trips-at-12ma",
            SeededDefect::EnergyThreePercentFast => "energy-3-percent-fast",
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
        SeededDefect::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = SeededDefect::ALL.iter().map(|d| d.name()).collect();
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
}

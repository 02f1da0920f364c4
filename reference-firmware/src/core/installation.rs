//! Installation parameters set by the installer, validated against the variant.

use serde::{Deserialize, Serialize};

use super::variant::Variant;

/// The earthing system of the supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Earthing {
    TN,
    TT,
    IT,
}

/// What the installer enters on the Installation tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    /// Highest current the charger may offer, A.
    pub max_current_a: u32,
    /// Rating of the upstream breaker, A.
    pub fuse_rating_a: u32,
    /// Phases wired to the charger (1 or 3).
    pub phases: u8,
    pub earthing: Earthing,
}

impl Installation {
    /// Factory defaults: everything the variant allows, TN earthing.
    pub fn default_for(v: &Variant) -> Installation {
        Installation {
            max_current_a: v.rated_current_a,
            fuse_rating_a: v.rated_current_a,
            phases: v.phases,
            earthing: Earthing::TN,
        }
    }

    /// Checks the parameters against the variant; the error names the parameter and the range.
    pub fn validate(&self, v: &Variant) -> Result<(), String> {
        if self.max_current_a < 6 || self.max_current_a > v.rated_current_a {
            return Err(format!(
                "max_current_a {} is outside 6..={} A (the rating of product {})",
                self.max_current_a, v.rated_current_a, v.product_number
            ));
        }
        if !(6..=80).contains(&self.fuse_rating_a) {
            return Err(format!(
                "fuse_rating_a {} is outside 6..=80 A",
                self.fuse_rating_a
            ));
        }
        if self.phases != 1 && self.phases != 3 {
            return Err(format!("phases {} must be 1 or 3", self.phases));
        }
        if self.phases > v.phases {
            return Err(format!(
                "phases {} exceeds the {} phase(s) of product {}",
                self.phases, v.phases, v.product_number
            ));
        }
        Ok(())
    }
}

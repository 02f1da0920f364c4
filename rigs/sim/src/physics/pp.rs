//! The proximity pilot: the coding resistor between PP and PE in a Type 2 plug.

/// How the vehicle connection codes the cable's rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CableCoding {
    /// A tethered cable: the rating is a property of the charger, the socket has no PP to read.
    Tethered,
    /// A coding resistor between PP and PE, in ohms.
    Resistor(f64),
}

impl CableCoding {
    /// The standard resistor (IEC 61851-1 table for Type 2) for a cable rating in amperes.
    pub fn for_rating(amps: u32) -> Option<CableCoding> {
        let ohms = match amps {
            13 => 1500.0,
            20 => 680.0,
            32 => 220.0,
            63 => 100.0,
            _ => return None,
        };
        Some(CableCoding::Resistor(ohms))
    }

    /// What the charger's PP input sees: `None` is an open circuit (no plug, or a tethered unit).
    pub fn pp_ohms(self) -> Option<f64> {
        match self {
            CableCoding::Tethered => None,
            CableCoding::Resistor(ohms) => Some(ohms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_ratings_map_to_their_resistors() {
        assert_eq!(CableCoding::for_rating(13).unwrap().pp_ohms(), Some(1500.0));
        assert_eq!(CableCoding::for_rating(20).unwrap().pp_ohms(), Some(680.0));
        assert_eq!(CableCoding::for_rating(32).unwrap().pp_ohms(), Some(220.0));
        assert_eq!(CableCoding::for_rating(63).unwrap().pp_ohms(), Some(100.0));
        assert_eq!(CableCoding::for_rating(16), None);
        assert_eq!(CableCoding::Tethered.pp_ohms(), None);
    }
}

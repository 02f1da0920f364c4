//! Proximity pilot (Type 2 socket outlets): cable current rating from the PP–PE resistor.

use serde::{Deserialize, Serialize};

/// Which edition's acceptance ranges to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PpTable {
    /// 1000–2200 / 330–1000 / 150–330 / 75–150 Ω (one edition of IEC 61851-1).
    #[default]
    Iec,
    /// 936–2460 / 308–936 / 140–308 / 80–140 Ω (the ranges EVerest uses).
    Everest,
}

/// What the PP resistor says about the cable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CableReading {
    /// A cable rated for this many amps (63 A for the 100 Ω coding).
    Rated { amps: u32 },
    /// Resistance below the lowest range: a fault.
    BelowRange,
    /// No resistor or above the highest range: no cable, no charging.
    NoCable,
}

/// (low Ω, high Ω, amps) per table, from the highest resistance to the lowest.
fn ranges(table: PpTable) -> [(u32, u32, u32); 4] {
    match table {
        PpTable::Iec => [
            (1000, 2200, 13),
            (330, 1000, 20),
            (150, 330, 32),
            (75, 150, 63),
        ],
        PpTable::Everest => [
            (936, 2460, 13),
            (308, 936, 20),
            (140, 308, 32),
            (80, 140, 63),
        ],
    }
}

/// Classifies a PP resistance (`None` = open circuit). A value on a shared boundary belongs to
/// the range of the *lower* current, the safe side.
pub fn read_cable(table: PpTable, ohms: Option<u32>) -> CableReading {
    let Some(ohms) = ohms else {
        return CableReading::NoCable;
    };
    let table = ranges(table);
    if let Some(&(_, _, amps)) = table.iter().find(|&&(lo, hi, _)| (lo..=hi).contains(&ohms)) {
        return CableReading::Rated { amps };
    }
    if ohms < table[3].0 {
        CableReading::BelowRange
    } else {
        CableReading::NoCable
    }
}

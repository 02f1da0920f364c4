//! IEC 61851-1 duty cycle ↔ maximum current (Annex A), in both directions.
//!
//! Duty cycles are in 0.1 % units ("permille") as the board link carries them; currents in
//! 0.1 A units ("deciamps") so 13 A is exact.

/// The current the EV may draw for a PWM duty cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyMeaning {
    /// Maximum current in 0.1 A.
    Current { deciamps: u32 },
    /// 3–7 %: digital communication (ISO 15118) required; 5 % nominal.
    DigitalCommunication,
    /// Any other duty cycle: charging not allowed.
    NoCharging,
}

/// Lowest current a PWM may offer (6 A).
pub const MIN_CURRENT_DECIAMPS: u32 = 60;
/// Highest current the formula can express (80 A at 96.x %).
pub const MAX_CURRENT_DECIAMPS: u32 = 800;

/// Duty cycle (0.1 %) that offers `deciamps`, rounded to the nearest 0.1 %.
/// Returns `None` below 6 A (no PWM may be offered: charging pauses). Above 80 A it offers 80 A.
///
/// 6 A..=51 A: D = I / 0.6 (rounded to nearest); above 51 A: D = I / 2.5 + 64 (rounded down,
/// never above the limit). The formulas leave a gap between 51 A (85 %) and 52.75 A (85.1 %);
/// a limit inside it offers 51 A.
pub fn duty_for_current(deciamps: u32) -> Option<u16> {
    if deciamps < MIN_CURRENT_DECIAMPS {
        return None;
    }
    let i = deciamps.min(MAX_CURRENT_DECIAMPS);
    // permille = 10 * percent; percent = I[A] / 0.6 = deciamps / 6.
    let permille = if i <= 510 {
        // percent = I / 0.6, so permille = deciamps * 10 / 6, rounded to nearest.
        (i * 10 + 3) / 6
    } else {
        // percent = I / 2.5 + 64, so permille = deciamps * 2 / 5 + 640, rounded down so the
        // offer never exceeds the limit; inside the gap this gives 85 % (51 A).
        (i * 2 / 5 + 640).max(850)
    };
    Some(permille as u16)
}

/// What an EV must make of a duty cycle (the EV side of the table, used by tests, the
/// simulator's checks and to report the offered current).
pub fn current_for_duty(permille: u16) -> DutyMeaning {
    let d = u32::from(permille);
    match d {
        30..=70 => DutyMeaning::DigitalCommunication,
        80..=99 => DutyMeaning::Current { deciamps: 60 },
        100..=850 => DutyMeaning::Current {
            deciamps: d * 6 / 10,
        },
        851..=960 => DutyMeaning::Current {
            deciamps: (d - 640) * 5 / 2,
        },
        961..=970 => DutyMeaning::Current { deciamps: 800 },
        _ => DutyMeaning::NoCharging,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_matches_the_domain_table() {
        // (current A, duty %) from the IEC table as cited in the domain notes.
        for (amps, percent_x100) in [
            (6, 1000),
            (10, 1667),
            (13, 2167),
            (16, 2667),
            (20, 3333),
            (32, 5333),
        ] {
            let permille = duty_for_current(amps * 10).unwrap();
            assert_eq!(u32::from(permille), (percent_x100 + 5) / 10, "{amps} A");
        }
        assert_eq!(duty_for_current(59), None);
        assert_eq!(duty_for_current(630), Some(892)); // 63 A: 25.2 + 64 = 89.2 %
        assert_eq!(duty_for_current(2000), Some(960));
    }

    #[test]
    fn ev_side_reading() {
        assert_eq!(
            current_for_duty(267),
            DutyMeaning::Current { deciamps: 160 }
        );
        assert_eq!(
            current_for_duty(850),
            DutyMeaning::Current { deciamps: 510 }
        );
        assert_eq!(
            current_for_duty(900),
            DutyMeaning::Current { deciamps: 650 }
        );
        assert_eq!(
            current_for_duty(965),
            DutyMeaning::Current { deciamps: 800 }
        );
        assert_eq!(current_for_duty(90), DutyMeaning::Current { deciamps: 60 });
        assert_eq!(current_for_duty(50), DutyMeaning::DigitalCommunication);
        assert_eq!(current_for_duty(20), DutyMeaning::NoCharging);
        assert_eq!(current_for_duty(975), DutyMeaning::NoCharging);
    }

    #[test]
    fn round_trip_within_a_tenth_of_an_amp() {
        for deciamps in 60..=800u32 {
            let d = duty_for_current(deciamps).unwrap();
            match current_for_duty(d) {
                DutyMeaning::Current { deciamps: back } if (511..528).contains(&deciamps) => {
                    assert_eq!(back, 510)
                }
                DutyMeaning::Current { deciamps: back } if deciamps > 510 => {
                    assert!(
                        back <= deciamps && deciamps - back <= 3,
                        "{deciamps} -> {d} -> {back}"
                    )
                }
                DutyMeaning::Current { deciamps: back } => {
                    assert!(back.abs_diff(deciamps) <= 3, "{deciamps} -> {d} -> {back}")
                }
                other => panic!("{deciamps} -> {d} -> {other:?}"),
            }
        }
    }
}

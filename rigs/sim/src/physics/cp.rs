//! The control pilot circuit of IEC 61851-1: the charger's ±12 V source behind 1 kΩ, and the
//! vehicle's diode and resistor network to PE. Pure functions of the drive and the load.

/// Source amplitude of the charger's pilot oscillator, in volts.
pub const SOURCE_V: f64 = 12.0;
/// The charger's series source resistor, in ohms.
pub const SOURCE_OHMS: f64 = 1000.0;
/// The vehicle's permanent resistor (state B), in ohms.
pub const EV_R_B_OHMS: f64 = 2740.0;
/// The vehicle's resistor switched in parallel for state C, in ohms.
pub const EV_R_C_OHMS: f64 = 1300.0;
/// The vehicle's resistor switched in parallel for state D (ventilation), in ohms.
pub const EV_R_D_OHMS: f64 = 270.0;
/// Forward drop of the vehicle's series diode, in volts. With 0.7 V the positive levels land on
/// the nominal 9 / 6 / 3 V of the standard's table (8.98 / 6.00 / 2.93 V).
pub const DIODE_DROP_V: f64 = 0.7;

/// What the charger's pilot generator is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CpDrive {
    /// The generator is off: the pilot floats at 0 V.
    Off,
    /// Constant +12 V (states A, B1, C1).
    DcPositive,
    /// Constant −12 V (state F, charger not available).
    DcNegative,
    /// ±12 V square wave.
    Pwm { freq_hz: f64, duty_percent: f64 },
}

/// The resistance the vehicle switches between the diode and PE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvNetwork {
    /// Only the 2.74 kΩ resistor: connected, not ready.
    B,
    /// 2.74 kΩ ‖ 1.3 kΩ: ready to charge.
    C,
    /// 2.74 kΩ ‖ 270 Ω: ready, ventilation required.
    D,
}

impl EvNetwork {
    pub fn ohms(self) -> f64 {
        match self {
            EvNetwork::B => EV_R_B_OHMS,
            EvNetwork::C => parallel(EV_R_B_OHMS, EV_R_C_OHMS),
            EvNetwork::D => parallel(EV_R_B_OHMS, EV_R_D_OHMS),
        }
    }
}

fn parallel(a: f64, b: f64) -> f64 {
    a * b / (a + b)
}

/// Faults a real EV tester can put on the pilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PilotFault {
    #[default]
    None,
    /// The vehicle's diode conducts both ways: the negative half-wave is loaded too.
    DiodeShort,
    /// CP tied to PE: 0 V whatever the charger drives (state E).
    CpPeShort,
    /// The protective earth is broken: the vehicle's network has no return path.
    PeOpen,
}

/// The vehicle side of the pilot at one instant: `None` when no vehicle is connected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PilotLoad {
    pub network: Option<EvNetwork>,
    pub fault: PilotFault,
}

/// What an oscilloscope on CP–PE would report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpMeasurement {
    /// Most positive level over a period, in volts.
    pub high_v: f64,
    /// Most negative level over a period, in volts (equal to `high_v` for a DC pilot).
    pub low_v: f64,
    /// 0 when there is no square wave on the line.
    pub freq_hz: f64,
    /// Positive part of the period in percent; 100 for a positive DC level, 0 otherwise.
    pub duty_percent: f64,
}

/// The voltage on CP when the source sits at `source_v`.
pub fn level(source_v: f64, load: PilotLoad) -> f64 {
    match (load.fault, load.network) {
        (PilotFault::CpPeShort, _) => 0.0,
        (PilotFault::PeOpen, _) | (_, None) => source_v,
        (PilotFault::DiodeShort, Some(net)) => divider(source_v, net.ohms()),
        (PilotFault::None, Some(net)) => {
            if source_v > DIODE_DROP_V {
                DIODE_DROP_V + divider(source_v - DIODE_DROP_V, net.ohms())
            } else {
                // The diode blocks: no current, CP follows the source.
                source_v
            }
        }
    }
}

fn divider(v: f64, load_ohms: f64) -> f64 {
    v * load_ohms / (load_ohms + SOURCE_OHMS)
}

/// The pilot as measured on the line for a given drive and load.
pub fn measure(drive: CpDrive, load: PilotLoad) -> CpMeasurement {
    let dc = |v: f64| CpMeasurement {
        high_v: v,
        low_v: v,
        freq_hz: 0.0,
        duty_percent: if v > 0.0 { 100.0 } else { 0.0 },
    };
    match drive {
        CpDrive::Off => dc(level(0.0, load)),
        CpDrive::DcPositive => dc(level(SOURCE_V, load)),
        CpDrive::DcNegative => dc(level(-SOURCE_V, load)),
        CpDrive::Pwm {
            freq_hz,
            duty_percent,
        } => {
            if duty_percent >= 100.0 || freq_hz <= 0.0 {
                return dc(level(SOURCE_V, load));
            }
            if duty_percent <= 0.0 {
                return dc(level(-SOURCE_V, load));
            }
            let high = level(SOURCE_V, load);
            let low = level(-SOURCE_V, load);
            if (high - low).abs() < 1e-9 {
                // A shorted line carries no edges to count.
                return dc(high);
            }
            CpMeasurement {
                high_v: high,
                low_v: low,
                freq_hz,
                duty_percent,
            }
        }
    }
}

/// The maximum current (A) a duty cycle offers, per IEC 61851-1 Annex A; `None` means "no
/// charging" (including 5 %, which asks for digital communication).
pub fn duty_to_current(duty_percent: f64) -> Option<f64> {
    let d = duty_percent;
    if (8.0..10.0).contains(&d) {
        Some(6.0)
    } else if (10.0..=85.0).contains(&d) {
        Some(0.6 * d)
    } else if d > 85.0 && d <= 96.0 {
        Some((d - 64.0) * 2.5)
    } else if d > 96.0 && d <= 97.0 {
        Some(80.0)
    } else {
        None
    }
}

/// The pilot state letter the levels mean, by the ±1 V detection bands (ground truth for the
/// simulator's own reports; the firmware does its own classification).
pub fn classify(m: &CpMeasurement) -> char {
    let near = |v: f64, nominal: f64| (v - nominal).abs() <= 1.0;
    if near(m.high_v, 12.0) {
        'A'
    } else if near(m.high_v, 9.0) {
        'B'
    } else if near(m.high_v, 6.0) {
        'C'
    } else if near(m.high_v, 3.0) {
        'D'
    } else if near(m.high_v, 0.0) {
        'E'
    } else if m.high_v < -1.0 {
        // Only the charger's generator drives CP negative; a shorted diode loads that level.
        'F'
    } else {
        '?'
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(network: Option<EvNetwork>, fault: PilotFault) -> PilotLoad {
        PilotLoad { network, fault }
    }

    fn pwm(duty: f64) -> CpDrive {
        CpDrive::Pwm {
            freq_hz: 1000.0,
            duty_percent: duty,
        }
    }

    #[test]
    fn levels_per_state_are_within_0_3_v_of_nominal() {
        let cases = [
            (None, 12.0),
            (Some(EvNetwork::B), 9.0),
            (Some(EvNetwork::C), 6.0),
            (Some(EvNetwork::D), 3.0),
        ];
        for (network, nominal) in cases {
            let m = measure(pwm(26.67), load(network, PilotFault::None));
            assert!(
                (m.high_v - nominal).abs() <= 0.3,
                "{network:?}: high {} vs {nominal}",
                m.high_v
            );
            assert!(
                (m.low_v + 12.0).abs() <= 0.3,
                "{network:?}: low {}",
                m.low_v
            );
            assert_eq!(m.freq_hz, 1000.0);
            assert_eq!(m.duty_percent, 26.67);
        }
    }

    #[test]
    fn dc_levels_report_no_frequency() {
        let b1 = measure(
            CpDrive::DcPositive,
            load(Some(EvNetwork::B), PilotFault::None),
        );
        assert!((b1.high_v - 9.0).abs() <= 0.3);
        assert_eq!(b1.low_v, b1.high_v);
        assert_eq!((b1.freq_hz, b1.duty_percent), (0.0, 100.0));
        let f = measure(
            CpDrive::DcNegative,
            load(Some(EvNetwork::B), PilotFault::None),
        );
        assert_eq!((f.high_v, f.low_v, f.duty_percent), (-12.0, -12.0, 0.0));
        assert_eq!(classify(&f), 'F');
    }

    #[test]
    fn diode_short_loads_the_negative_half_wave() {
        let m = measure(pwm(50.0), load(Some(EvNetwork::B), PilotFault::DiodeShort));
        assert!(
            m.low_v > -11.0,
            "low {} should no longer reach -12 V",
            m.low_v
        );
        assert!(
            (m.low_v + m.high_v).abs() < 1e-9,
            "symmetric without the diode"
        );
    }

    #[test]
    fn cp_pe_short_is_state_e_without_edges() {
        let m = measure(pwm(50.0), load(Some(EvNetwork::C), PilotFault::CpPeShort));
        assert_eq!((m.high_v, m.low_v, m.freq_hz), (0.0, 0.0, 0.0));
        assert_eq!(classify(&m), 'E');
    }

    #[test]
    fn pe_open_looks_like_no_vehicle() {
        let m = measure(pwm(50.0), load(Some(EvNetwork::C), PilotFault::PeOpen));
        assert_eq!((m.high_v, m.low_v), (12.0, -12.0));
        assert_eq!(classify(&m), 'A');
    }

    #[test]
    fn duty_cycle_maps_to_current_per_annex_a() {
        let near = |d: f64, a: f64| (duty_to_current(d).unwrap() - a).abs() < 0.01;
        assert!(near(10.0, 6.0));
        assert!(near(26.67, 16.0));
        assert!(near(53.33, 32.0));
        assert!(near(9.0, 6.0));
        assert!(near(90.0, 65.0));
        assert!(near(96.5, 80.0));
        assert_eq!(duty_to_current(5.0), None);
        assert_eq!(duty_to_current(98.0), None);
    }
}

//! Kind `ev-emulator`: the vehicle side of the control pilot and proximity pilot, the vehicle's
//! load, and the faults a real EV tester can inject; also the instrument that measures the pilot.

use serde::{Deserialize, Serialize};

pub use super::CommandAck;

crate::method_set! {
    kind = "ev-emulator";
    /// What an EV emulator plugin does.
    trait EvEmulator {
        /// Connects the vehicle (state B) with the given cable coding.
        fn plug(Plug) -> CommandAck;
        /// Disconnects the vehicle (state A) and switches the load off.
        fn unplug(Unplug) -> CommandAck;
        /// The state the vehicle asks for while connected.
        fn set_state(SetState) -> CommandAck;
        /// The on-board charger's limits.
        fn set_load(SetLoad) -> CommandAck;
        /// Injects (or clears, with `none`) a pilot fault.
        fn inject_fault(InjectFault) -> CommandAck;
        /// Injects a DC residual current.
        fn set_residual_current(SetResidualCurrent) -> CommandAck;
        /// Makes the vehicle keep drawing when the offer falls or the PWM stops (a faulty
        /// vehicle, for the charger's switch-off under load), or follow the pilot again.
        fn set_ignore_pilot(SetIgnorePilot) -> CommandAck;
        /// How long the vehicle takes to follow a new offer (0 to 5 s): a test station's
        /// electronic load follows at once, a car takes up to the standard's 5 s.
        fn set_reaction(SetReaction) -> CommandAck;
        /// One measurement now.
        fn measure(Measure) -> PilotMeasurement;
        /// Waits, inside the plugin where the samples are taken, until a condition holds.
        fn wait_for(WaitFor) -> WaitOutcome;
    }
}

/// How the cable tells the charger its rating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CableCoding {
    /// A tethered cable: the charger knows its rating, there is no PP resistor to read.
    Tethered,
    /// A standard coding resistor for this rating (13, 20, 32 or 63 A).
    Rated { amps: u32 },
    /// Any resistance, for out-of-range tests.
    Resistance { ohms: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plug {
    pub cable: CableCoding,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unplug {}

/// The states a vehicle can ask for (A is `unplug`, E and F are faults or the charger's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VehicleState {
    B,
    C,
    D,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetState {
    pub state: VehicleState,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetLoad {
    /// The most the on-board charger draws per phase.
    pub max_current_a: f64,
    /// 1 or 3.
    pub phases: u8,
    pub power_factor: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PilotFault {
    None,
    DiodeShort,
    CpPeShort,
    PeOpen,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectFault {
    pub fault: PilotFault,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetResidualCurrent {
    pub dc_ma: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetIgnorePilot {
    pub ignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetReaction {
    pub seconds: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {}

/// The IEC 61851-1 pilot states as seen from the levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CpState {
    A,
    B,
    C,
    D,
    E,
    F,
}

/// What the emulator measured at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PilotMeasurement {
    /// When the sample was taken, µs since the Unix epoch (plugin clock).
    pub t_us: i64,
    pub cp_high_v: f64,
    pub cp_low_v: f64,
    /// 0 when the pilot is DC.
    pub pwm_frequency_hz: f64,
    /// The positive part of the period in percent; 100 or 0 when the pilot is DC.
    pub duty_percent: f64,
    /// The state the levels mean.
    pub state: CpState,
    /// Supply voltage at the vehicle inlet per phase (0 when the contactor is open).
    pub supply_v: [f64; 3],
    /// Current the vehicle draws per phase.
    pub current_a: [f64; 3],
}

/// A condition on the pilot or the supply, evaluated on every sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PilotCondition {
    State {
        state: CpState,
    },
    DutyCycle {
        percent: f64,
        tolerance: f64,
    },
    PwmOn,
    PwmOff,
    CpHigh {
        volts: f64,
        tolerance: f64,
    },
    /// Every phase above 100 V.
    SupplyOn,
    /// Every phase below 50 V.
    SupplyOff,
    CurrentAtMost {
        amps: f64,
    },
    CurrentAtLeast {
        amps: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitFor {
    pub condition: PilotCondition,
    pub timeout_ms: u64,
}

/// The result of a wait: not an error when unmet, so the step can say what was seen instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WaitOutcome {
    pub met: bool,
    /// The first sample at which the condition held (or the last sample when it never did).
    pub sample: PilotMeasurement,
    /// From the acknowledgement of the last command sent to the emulator to `sample`, in ms;
    /// this is how reaction times (contactor opening after C→B) are measured.
    pub since_last_command_ms: f64,
    /// How long the wait took, in ms.
    pub waited_ms: f64,
}

impl PilotCondition {
    /// Whether a measurement satisfies the condition.
    pub fn holds(&self, m: &PilotMeasurement) -> bool {
        let pwm_on = m.pwm_frequency_hz > 0.0;
        match *self {
            PilotCondition::State { state } => m.state == state,
            PilotCondition::DutyCycle { percent, tolerance } => {
                pwm_on && (m.duty_percent - percent).abs() <= tolerance
            }
            PilotCondition::PwmOn => pwm_on,
            PilotCondition::PwmOff => !pwm_on,
            PilotCondition::CpHigh { volts, tolerance } => (m.cp_high_v - volts).abs() <= tolerance,
            PilotCondition::SupplyOn => m.supply_v.iter().all(|v| *v > 100.0),
            PilotCondition::SupplyOff => m.supply_v.iter().all(|v| *v < 50.0),
            PilotCondition::CurrentAtMost { amps } => m.current_a.iter().all(|a| *a <= amps),
            PilotCondition::CurrentAtLeast { amps } => m.current_a.iter().any(|a| *a >= amps),
        }
    }
}

/// Classifies a pilot's positive level by the ±1 V bands of IEC 61851-1 (DC or PWM high side).
/// `low_v` tells E (0 V) from a shorted diode and F (−12 V, no positive level) apart.
///
/// F is any pilot whose most positive level is below the E band: only the charger's generator
/// can put a negative voltage on CP, so a pilot that never goes positive is the charger holding
/// its −12 V level. A vehicle with a shorted diode loads that level like the positive one
/// (−12 V × 882 Ω / 1882 Ω ≈ −5.6 V in state C), so F is not required to be near −12 V.
pub fn classify_cp(high_v: f64, low_v: f64) -> Option<CpState> {
    let near = |v: f64, nominal: f64| (v - nominal).abs() <= 1.0;
    if near(high_v, 12.0) {
        Some(CpState::A)
    } else if near(high_v, 9.0) {
        Some(CpState::B)
    } else if near(high_v, 6.0) {
        Some(CpState::C)
    } else if near(high_v, 3.0) {
        Some(CpState::D)
    } else if near(high_v, 0.0) && low_v > -1.0 {
        Some(CpState::E)
    } else if high_v < -1.0 {
        Some(CpState::F)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands() {
        assert_eq!(classify_cp(12.0, 12.0), Some(CpState::A));
        assert_eq!(classify_cp(8.6, -12.0), Some(CpState::B));
        assert_eq!(classify_cp(6.3, -12.0), Some(CpState::C));
        assert_eq!(classify_cp(3.0, -12.0), Some(CpState::D));
        assert_eq!(classify_cp(0.0, 0.0), Some(CpState::E));
        assert_eq!(classify_cp(-12.0, -12.0), Some(CpState::F));
        assert_eq!(classify_cp(7.5, -12.0), None);
    }

    #[test]
    fn a_negative_pilot_loaded_by_a_shorted_diode_is_still_state_f() {
        // −12 V behind 1 kΩ into the state C network (882 Ω) with the diode bridged.
        assert_eq!(classify_cp(-5.62, -5.62), Some(CpState::F));
        assert_eq!(classify_cp(-8.9, -8.9), Some(CpState::F));
        assert_eq!(classify_cp(-0.5, -0.5), Some(CpState::E));
    }

    #[test]
    fn wire_form_of_a_condition() {
        let w = WaitFor {
            condition: PilotCondition::DutyCycle {
                percent: 26.7,
                tolerance: 0.5,
            },
            timeout_ms: 5000,
        };
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(
            json,
            r#"{"condition":{"duty_cycle":{"percent":26.7,"tolerance":0.5}},"timeout_ms":5000}"#
        );
    }
}

//! Kind `power-analyser`: a reference power analyser on the supply side of the charger.

use serde::{Deserialize, Serialize};

pub use super::CommandAck;

crate::method_set! {
    kind = "power-analyser";
    /// What a power analyser plugin does.
    trait PowerAnalyser {
        /// The instrument's identification string (`*IDN?`).
        fn identify(Identify) -> Identity;
        /// U, I, P, S, Q, PF and frequency of the given elements (1-based) now.
        fn measure(MeasureElements) -> AnalyserReading;
        fn integration_start(IntegrationStart) -> CommandAck;
        fn integration_stop(IntegrationStop) -> CommandAck;
        fn integration_reset(IntegrationReset) -> CommandAck;
        /// The integrated energy so far.
        fn integration_read(IntegrationRead) -> IntegrationReading;
        /// Samples the given elements periodically into the observation record (for plots).
        fn start_sampling(StartSampling) -> CommandAck;
        fn stop_sampling(StopSampling) -> CommandAck;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identify {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub idn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureElements {
    /// 1-based input elements, one per phase.
    pub elements: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ElementReading {
    pub element: u8,
    pub voltage_v: f64,
    pub current_a: f64,
    pub power_w: f64,
    pub apparent_va: f64,
    pub reactive_var: f64,
    pub power_factor: f64,
    pub frequency_hz: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyserReading {
    pub t_us: i64,
    pub elements: Vec<ElementReading>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationStart {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationStop {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationReset {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationRead {
    pub elements: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationReading {
    pub t_us: i64,
    /// Active energy per requested element, Wh.
    pub elements_wh: Vec<f64>,
    pub total_wh: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSampling {
    pub elements: Vec<u8>,
    pub interval_ms: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopSampling {}

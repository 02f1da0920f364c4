//! What the step library remembers within one scenario: the CSMS frames already matched, the
//! charger's answer to the latest CSMS call, the transaction the CSMS opened, the energy reading
//! at the start of an integration, and the open connection to the simulator's control channel.
//! It lives in the World (`HarnessWorld::memory`) and starts empty for every scenario.

use std::collections::{BTreeMap, BTreeSet};

use plugin_api::kinds::csms::{CallOutcome, RecordedFrame};

use super::sim_control::ControlLink;

/// The charger's answer to the latest CSMS-initiated call.
#[derive(Debug, Clone)]
pub struct LastCall {
    pub action: String,
    pub outcome: CallOutcome,
}

/// The two readings an energy comparison needs at its start.
#[derive(Debug, Clone, Copy)]
pub struct EnergyStart {
    /// The charger's Energy.Active.Import.Register, Wh.
    pub register_wh: f64,
    /// The register's resolution, Wh (from the digits the charger sent).
    pub resolution_wh: f64,
}

#[derive(Debug, Default)]
pub struct ScenarioMemory {
    /// Sequence numbers of CSMS frames a receive step has matched; no frame matches twice.
    pub consumed: BTreeSet<u64>,
    /// The latest frame each receive step matched, by action (for "the next … after the
    /// previous one" and "… before …").
    pub last_matched: BTreeMap<String, RecordedFrame>,
    pub last_call: Option<LastCall>,
    /// The transactionId of the latest StartTransaction the CSMS answered.
    pub transaction_id: Option<i64>,
    /// The reservationId of the latest ReserveNow the CSMS sent.
    pub reservation_id: Option<i64>,
    pub energy_start: Option<EnergyStart>,
    /// Whether the RFID emulator holds a card in the field (so the next one takes it away first).
    pub card_in_field: bool,
    /// Opened on first use, closed with the World.
    pub control: Option<ControlLink>,
    /// The phases the vehicle draws on (set by "the EV draws up to …"); 3 until then.
    pub ev_phases: Option<u8>,
    /// When the EV emulator acknowledged its latest command, µs since the Unix epoch.
    pub last_ev_ack_us: Option<i64>,
    /// A stimulus set the CSMS mark and no expectation has looked at frames since: the next
    /// stimulus keeps that mark, so frames its predecessor caused are not skipped.
    pub unobserved_stimulus: bool,
    /// The AuthorizationKey the CSMS last set with ChangeConfiguration (the rig's until then).
    pub authorization_key: Option<String>,
    /// The analyser reading a meter comparison last found steady (see `metering::readings`).
    pub steady_load: Option<plugin_api::kinds::power_analyser::AnalyserReading>,
    /// End-of-line: the vehicle's load on the pilot the latest step presented.
    pub eol_pilot_load: Option<eol_station::checks::pilot_levels::PilotLoad>,
    /// End-of-line: the meter load point, percent of the rated current.
    pub eol_load_percent: Option<f64>,
    /// The installer at the local interface: session, latest answer, settings before it.
    pub installer: super::installer::InstallerMemory,
    /// Measurements the steps made, with their limits, for the scenario's report.
    pub measurements: Vec<conformance_report::Measurement>,
}

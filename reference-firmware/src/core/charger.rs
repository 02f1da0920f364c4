//! The composition of the core's state machines and the contactor rules.
//!
//! Every input and timeout ends in [`Charger::update`], which recomputes the desired outputs
//! from the whole state and emits only what changed. The contactor rules, in one place:
//!
//! - *close* only when the board link is up, no fault is active, the start-up and the
//!   session's residual-current self-tests passed, the pilot (debounced) is C (or D when
//!   allowed), a session is authorized and not stopping, the limit is at least 6 A and PWM is
//!   already on;
//! - *open at once* (in the same update that sees the cause) on a fault, link loss, or the
//!   pilot leaving C/D (C→B, C→A, E, F);
//! - *soft stop*: when PWM must be withdrawn for another reason (session stop, limit below 6 A,
//!   temperature, missing cable) the pilot goes to +12 V DC (x1); the EV then goes to B and the
//!   contactor opens, or after `stop_under_load_ms` (6 s) it opens under load.

use std::collections::{BTreeSet, VecDeque};

use board_link::{
    BoardFaultCode, BoardMessage, ControllerMessage, LightSetting, Liveness, LivenessEvent,
    MeterSample, PilotOutput, SequenceTracker, Status,
};

use super::auth::{id_tag_of_uid, normalise_id_tag, AuthMode};
use super::defects::SeededDefect;
use super::duty::duty_for_current;
use super::installation::Installation;
use super::lights::{lights_for, LightState};
use super::limit::{effective_limit, LimitInputs, LimitSource};
use super::metering::{phases_of, EnergyRegister, MeterReading};
use super::pilot::{classify_high, negative_half_wave_present, PilotDebouncer, PilotState};
use super::proximity::{read_cable, CableReading};
use super::residual::{
    ResidualMonitor, SelfTest, SELF_TEST_ATTEMPTS, SELF_TEST_REPLY_MS, SELF_TEST_RETRY_MS,
};
use super::temperature::{Derating, ThermalLevel};
use super::time::{earliest, Millis};
use super::variant::{Connector, Variant};
use super::{
    ChargerConfig, ConnectorStatus, Event, Fault, Input, Output, StopReason, StoreRequest, Stored,
};

/// Below this current on every phase the vehicle is taken to draw nothing.
const NO_LOAD_CURRENT_A: f64 = 0.5;

/// Residual readings are ignored this long after a self-test result (test current decays).
const RCM_SETTLE_MS: u64 = 200;
/// The energy register is stored at most this often while it grows.
const ENERGY_STORE_INTERVAL_MS: u64 = 5000;
/// Commands are repeated and a keep-alive sent this often.
const REFRESH_INTERVAL_MS: u64 = board_link::KEEP_ALIVE_INTERVAL_MS;
/// The seeded slow-contactor defect's delay.
const SLOW_CONTACTOR_MS: u64 = 250;

#[derive(Debug, Clone)]
struct Session {
    id_tag: String,
    stopping: Option<StopReason>,
    /// Stopped and reported; the vehicle is still plugged in.
    finished: bool,
}

/// A read-only view of the core for the local interface, the harness and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub board_link_up: bool,
    pub ready: bool,
    pub pilot_state: PilotState,
    pub pilot_output: PilotOutput,
    pub contactor_closed: bool,
    /// The lock as commanded (socket variants).
    pub lock_locked: bool,
    /// The lock as its feedback switch reports it (board status): what UnlockConnector checks.
    pub lock_engaged: bool,
    pub status: ConnectorStatus,
    pub fault: Option<Fault>,
    pub limit_deciamps: u32,
    pub limit_source: LimitSource,
    pub session_id_tag: Option<String>,
    pub meter: MeterReading,
    pub residual_ma: f64,
    pub temperature_c: f64,
    pub board_frame_errors: u64,
    pub board_frames_missed: u64,
}

/// The charging core. See the module documentation of [`crate::core`].
#[derive(Debug)]
pub struct Charger {
    cfg: ChargerConfig,
    installation: Installation,

    // Board link.
    liveness: Liveness,
    board_up: bool,
    next_refresh: Millis,
    seq: SequenceTracker,
    frame_errors: u64,
    frames_missed: u64,
    status: Status,

    // Pilot.
    pilot: PilotDebouncer,
    pilot_changed_at: Millis,
    previous_pilot: PilotState,
    diode_bad_since: Option<Millis>,
    /// Since when PWM samples have shown the −12 V half-wave (the diode is proven).
    diode_ok_since: Option<Millis>,

    // Faults.
    latched: Option<Fault>,
    board_faults: BTreeSet<u8>,
    fault_since: Option<Millis>,
    lock_failure_deadline: Option<Millis>,

    // Residual current.
    self_test: SelfTest,
    startup_test_ok: bool,
    session_test_ok: bool,
    rcm: ResidualMonitor,
    rcm_ignore_until: Millis,

    thermal: Derating,
    energy: EnergyRegister,
    stored_mwh: u64,
    last_energy_store: Millis,
    meter: MeterReading,
    /// When the latest metering sample arrived: a sample newer than the PWM withdrawal that
    /// shows no current lets the contactor open without waiting out the 6 s.
    meter_at: Option<Millis>,

    // Authorization and session.
    auth_mode: AuthMode,
    offline_cards: BTreeSet<String>,
    pending_auth: Option<String>,
    pre_auth: Option<(String, Millis)>,
    session: Option<Session>,
    external_limit: Option<u32>,
    available: bool,

    // Outputs as last commanded (None = must be (re)sent).
    pilot_out: PilotOutput,
    sent_pilot: Option<PilotOutput>,
    duty_changed_at: Millis,
    pwm_withdrawn_at: Option<Millis>,
    contactor: bool,
    sent_contactor: Option<bool>,
    lock: bool,
    sent_lock: Option<bool>,
    sent_lights: Option<(LightSetting, LightSetting)>,
    reported_status: Option<(ConnectorStatus, Option<Fault>)>,
    reported_offer: Option<u32>,
    ready: bool,

    last_update: Millis,
    outputs: VecDeque<Output>,
}

impl Charger {
    /// A charger that starts talking to its board at `now`.
    pub fn new(now: Millis, cfg: ChargerConfig, stored: Stored) -> Charger {
        let installation = stored
            .installation
            .unwrap_or_else(|| Installation::default_for(&cfg.variant));
        let mut energy = EnergyRegister::new(stored.energy_mwh);
        if cfg.defects.has(SeededDefect::EnergyThreePercentFast) {
            energy.set_scale_ppm(1_030_000);
        }
        let mut curve = cfg.settings.residual_trip_curve.clone();
        if cfg.defects.has(SeededDefect::RcmTripsAt12Ma) {
            curve.iter_mut().for_each(|p| p.threshold_ma *= 2.0);
        }
        let mut charger = Charger {
            installation,
            liveness: Liveness::new(now.0),
            board_up: false,
            next_refresh: now,
            seq: SequenceTracker::default(),
            frame_errors: 0,
            frames_missed: 0,
            status: Status::default(),
            pilot: PilotDebouncer::new(PilotState::A, cfg.settings.pilot_debounce_ms),
            pilot_changed_at: now,
            previous_pilot: PilotState::A,
            diode_bad_since: None,
            diode_ok_since: None,
            latched: None,
            board_faults: BTreeSet::new(),
            fault_since: None,
            lock_failure_deadline: None,
            self_test: SelfTest::NotRun,
            startup_test_ok: false,
            session_test_ok: false,
            rcm: ResidualMonitor::new(curve),
            rcm_ignore_until: now,
            thermal: Derating::new(cfg.settings.temperature),
            stored_mwh: stored.energy_mwh,
            last_energy_store: now,
            meter: MeterReading {
                energy_wh: energy.total_wh(),
                energy_mwh: energy.total_mwh(),
                ..MeterReading::default()
            },
            meter_at: None,
            energy,
            auth_mode: AuthMode::OfflineList,
            offline_cards: stored
                .offline_cards
                .iter()
                .map(|c| normalise_id_tag(c))
                .collect(),
            pending_auth: None,
            pre_auth: None,
            session: None,
            external_limit: None,
            available: true,
            pilot_out: PilotOutput::DcMinus12V,
            sent_pilot: None,
            duty_changed_at: now,
            pwm_withdrawn_at: None,
            contactor: false,
            sent_contactor: None,
            lock: false,
            sent_lock: None,
            sent_lights: None,
            reported_status: None,
            reported_offer: None,
            ready: false,
            last_update: now,
            outputs: VecDeque::new(),
            cfg,
        };
        charger.update(now);
        charger
    }

    /// The next output to perform, in order.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`Charger::handle_timeout`] must be called at the latest (if no input comes first).
    pub fn poll_timeout(&self) -> Option<Millis> {
        let s = &self.cfg.settings;
        let test_deadline = match self.self_test {
            SelfTest::Running { deadline, .. } => Some(deadline),
            SelfTest::Failed { retry_at } => Some(retry_at),
            _ => None,
        };
        let link = (!self.liveness.is_lost()).then(|| Millis(self.liveness.next_deadline_ms()));
        let f_hold = self.fault_since.map(|t| t + s.fault_f_hold_ms);
        let under_load = self.pwm_withdrawn_at.filter(|_| self.contactor);
        let duty = match (self.pilot_out, self.wanted_duty()) {
            (PilotOutput::Pwm { duty_permille }, Some(w)) if w != duty_permille => {
                Some(self.duty_changed_at + s.duty_change_interval_ms)
            }
            _ => None,
        };
        let energy_store = (self.energy.total_mwh() >= self.stored_mwh + 1000)
            .then_some(self.last_energy_store + ENERGY_STORE_INTERVAL_MS);
        let slow_contactor = (self.contactor
            && self.cfg.defects.has(SeededDefect::SlowContactorOpen))
        .then_some(self.pilot_changed_at + SLOW_CONTACTOR_MS);
        // Anything due at or before the last evaluation has been acted on.
        let pending = |t: Option<Millis>| t.filter(|&t| t > self.last_update);
        earliest(
            [
                Some(self.next_refresh),
                link,
                test_deadline,
                self.pilot.deadline(),
                self.rcm.deadline(),
                f_hold,
                under_load.map(|t| t + s.stop_under_load_ms),
                duty,
                self.pre_auth.as_ref().map(|(_, t)| *t),
                self.lock_failure_deadline,
                energy_store,
                slow_contactor,
                self.diode_ok_since.map(|t| t + s.pilot_debounce_ms),
            ]
            .map(pending),
        )
    }

    /// Time passed; act on expired timers.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.update(now);
    }

    /// Something happened outside.
    pub fn handle_input(&mut self, now: Millis, input: Input) {
        match input {
            Input::Board(msg) => self.on_board_message(now, msg),
            Input::BoardFrameError(e) => {
                self.frame_errors += 1;
                self.emit(Event::BoardFrameRejected {
                    error: e,
                    total: self.frame_errors,
                });
            }
            Input::CardPresented { uid } => match self.id_tag_of_card(&uid) {
                Ok(tag) => self.on_id_tag(now, tag),
                Err(e) => self.emit(Event::AuthorizationRejected {
                    id_tag: None,
                    reason: e.to_string(),
                }),
            },
            Input::AuthorizationDecision { id_tag, accepted } => {
                let tag = normalise_id_tag(&id_tag);
                if self.pending_auth.as_deref() == Some(tag.as_str()) {
                    self.pending_auth = None;
                    if accepted {
                        self.authorize(now, tag);
                    } else {
                        self.emit(Event::AuthorizationRejected {
                            id_tag: Some(tag),
                            reason: "refused by the authorizer".into(),
                        });
                    }
                }
            }
            Input::RemoteStart { id_tag } => {
                let tag = normalise_id_tag(&id_tag);
                // A finished session (vehicle still plugged in) makes way, as for a card.
                if self.session.as_ref().is_some_and(|s| !s.finished) {
                    self.emit(Event::AuthorizationRejected {
                        id_tag: Some(tag),
                        reason: "a session is already running".into(),
                    });
                } else {
                    self.authorize(now, tag);
                }
            }
            Input::StopSession { reason } => {
                self.pre_auth = None;
                self.stop_session(reason);
            }
            Input::ExternalLimit { deciamps } => self.external_limit = deciamps,
            Input::SetAvailability { available } => self.available = available,
            Input::SetAuthMode(mode) => {
                self.auth_mode = mode;
                self.pending_auth = None;
            }
            Input::SetInstallation(inst) => {
                let ev = match self.set_installation(now, inst) {
                    Ok(()) => Event::InstallationChanged(inst),
                    Err(reason) => Event::InstallationRejected { reason },
                };
                self.emit(ev);
            }
            Input::SetOfflineCards(cards) => self.set_offline_cards(cards),
        }
        self.update(now);
    }

    /// Changes the installation parameters; refused (nothing changes) when invalid for the
    /// variant.
    pub fn set_installation(&mut self, now: Millis, inst: Installation) -> Result<(), String> {
        inst.validate(&self.cfg.variant)?;
        self.installation = inst;
        self.outputs
            .push_back(Output::Store(StoreRequest::Installation(inst)));
        self.update(now);
        Ok(())
    }

    /// Replaces the offline card list (id tags or hex UIDs).
    pub fn set_offline_cards(&mut self, cards: Vec<String>) {
        self.offline_cards = cards.iter().map(|c| normalise_id_tag(c)).collect();
        let list = self.offline_cards.iter().cloned().collect();
        self.outputs
            .push_back(Output::Store(StoreRequest::OfflineCards(list)));
    }

    pub fn variant(&self) -> &Variant {
        &self.cfg.variant
    }

    pub fn installation(&self) -> Installation {
        self.installation
    }

    /// A read-only view of the state.
    pub fn snapshot(&self) -> Snapshot {
        let (limit, source) = self.limit();
        let (status, fault) = self.connector_status();
        Snapshot {
            board_link_up: self.board_up,
            ready: self.ready,
            pilot_state: self.pilot.stable(),
            pilot_output: self.pilot_out,
            contactor_closed: self.contactor,
            lock_locked: self.lock,
            lock_engaged: self.status.lock_engaged,
            status,
            fault,
            limit_deciamps: limit,
            limit_source: source,
            session_id_tag: self.session.as_ref().map(|s| s.id_tag.clone()),
            meter: self.meter,
            residual_ma: self.rcm.last_ma(),
            temperature_c: self.thermal.last_c(),
            board_frame_errors: self.frame_errors,
            board_frames_missed: self.frames_missed,
        }
    }

    // ----- inputs -------------------------------------------------------------------------

    fn on_board_message(&mut self, now: Millis, msg: BoardMessage) {
        self.liveness.frame_received(now.0);
        match msg {
            BoardMessage::Hello {
                board_id,
                board_firmware,
            } => {
                tracing::info!(%board_id, %board_firmware, "power board connected");
                self.seq.reset();
                if !self.board_up {
                    self.board_up = true;
                    // A fresh link: the board's outputs are in its safe state and its
                    // residual-current sensor must be proven again.
                    self.startup_test_ok = false;
                    self.session_test_ok = false;
                    self.self_test = SelfTest::NotRun;
                    self.board_faults.remove(&1);
                }
                self.energy.rebase();
                self.sent_pilot = None;
                self.sent_contactor = None;
                self.sent_lock = None;
                self.sent_lights = None;
                self.emit(Event::BoardConnected {
                    board_id,
                    board_firmware,
                });
            }
            _ if !self.board_up => {}
            BoardMessage::Status(s) => self.on_status(now, s),
            BoardMessage::MeterSample(m) => {
                self.meter_at = Some(now);
                self.on_meter(m)
            }
            // Seeded defect: the reader's reports are lost on the way to the core.
            BoardMessage::RfidCard { .. } if self.cfg.defects.has(SeededDefect::RfidReaderDead) => {
            }
            BoardMessage::RfidCard { uid } => match self.id_tag_of_card(&uid) {
                Ok(tag) => self.on_id_tag(now, tag),
                Err(e) => self.emit(Event::AuthorizationRejected {
                    id_tag: None,
                    reason: e.to_string(),
                }),
            },
            BoardMessage::RcmSelfTestResult {
                passed,
                measured_tenth_ma,
            } => {
                if let SelfTest::Running { .. } = self.self_test {
                    self.rcm.clear();
                    self.rcm_ignore_until = now + RCM_SETTLE_MS;
                    if passed {
                        tracing::info!(measured_tenth_ma, "residual-current self-test passed");
                        self.self_test = SelfTest::Passed;
                        self.startup_test_ok = true;
                        if self.vehicle_connected() {
                            self.session_test_ok = true;
                        }
                    } else {
                        tracing::error!(measured_tenth_ma, "residual-current self-test failed");
                        self.self_test = SelfTest::Failed {
                            retry_at: now + SELF_TEST_RETRY_MS,
                        };
                    }
                }
            }
            BoardMessage::Fault {
                code,
                active,
                contactor_opened,
            } => {
                tracing::warn!(?code, active, contactor_opened, "power board fault report");
                if active && code == BoardFaultCode::LinkTimeout {
                    // The board stopped hearing us and now waits for a Hello: handshake again.
                    self.link_down(now);
                } else if active {
                    self.board_faults.insert(code.code());
                    if code == BoardFaultCode::LockFailure && self.lock {
                        // The lock did not engage: latched like the core's own lock check
                        // (until unplug), not cleared when the ended session stops asking.
                        self.latch(Fault::LockFailure);
                    }
                    if contactor_opened {
                        self.contactor = false;
                        self.sent_contactor = None;
                    }
                } else {
                    self.board_faults.remove(&code.code());
                }
            }
        }
    }

    fn on_status(&mut self, now: Millis, s: Status) {
        self.status = s;
        // Pilot: while the EVSE drives −12 V itself the level says nothing about the vehicle.
        if self.pilot_out == PilotOutput::DcMinus12V {
            self.pilot.forget_candidate();
            self.diode_bad_since = None;
            self.diode_ok_since = None;
        } else {
            let mut seen = classify_high(i32::from(s.cp_high_mv)).filter(|&p| {
                // Seeded defect: 0 V (E) is dropped like a between-bands glitch, so the last
                // state holds.
                p != PilotState::F
                    && !(p == PilotState::E && self.cfg.defects.has(SeededDefect::CpPeShortIgnored))
            });
            // A socket without a PP resistor in range holds no cable: whatever the pilot shows,
            // no vehicle is connected through it (no session, no charging).
            let vehicle_level = matches!(seen, Some(PilotState::B | PilotState::C | PilotState::D));
            if vehicle_level && self.cable() == CableReading::NoCable {
                seen = Some(PilotState::A);
            }
            if let Some(state) = self.pilot.sample(now, seen) {
                self.on_pilot_changed(now, state);
            }
            let pwm = matches!(self.pilot_out, PilotOutput::Pwm { .. });
            let vehicle_level = matches!(seen, Some(PilotState::B | PilotState::C | PilotState::D));
            let half_wave = negative_half_wave_present(i32::from(s.cp_low_mv));
            if pwm && vehicle_level && !half_wave {
                self.diode_ok_since = None;
                let since = *self.diode_bad_since.get_or_insert(now);
                if now.since(since) >= self.cfg.settings.pilot_debounce_ms {
                    self.latch(Fault::DiodeShorted);
                }
            } else if pwm && vehicle_level {
                self.diode_bad_since = None;
                self.diode_ok_since.get_or_insert(now);
            } else {
                self.diode_bad_since = None;
                self.diode_ok_since = None;
            }
        }
        // Residual current, except while the self-test's test current flows.
        let residual_ma = f64::from(s.residual_dc_tenth_ma) / 10.0;
        if matches!(self.self_test, SelfTest::Running { .. }) || now < self.rcm_ignore_until {
            self.rcm.clear();
        } else if self.rcm.sample(now, residual_ma) {
            self.latch(Fault::ResidualCurrentTrip);
        }
        if let Some(level) = self.thermal.sample(f64::from(s.temperature_tenth_c) / 10.0) {
            tracing::warn!(
                ?level,
                temperature_c = self.thermal.last_c(),
                "thermal level changed"
            );
        }
    }

    fn on_meter(&mut self, m: MeterSample) {
        self.energy.update(m.import_energy_mwh);
        let mut phases = phases_of(&m);
        if self
            .cfg
            .defects
            .has(SeededDefect::L2CurrentGain3PercentHigh)
        {
            // Seeded defect: the L2 current channel's calibration gain is 3 % high.
            phases[1].current_a *= 1.03;
        }
        self.meter = MeterReading {
            phases,
            power_w: phases.iter().map(|p| p.power_w).sum(),
            energy_wh: self.energy.total_wh(),
            energy_mwh: self.energy.total_mwh(),
        };
        self.emit(Event::Meter(self.meter));
    }

    fn on_pilot_changed(&mut self, now: Millis, state: PilotState) {
        tracing::info!(from = ?self.previous_pilot, to = ?state, "pilot state changed");
        let was_connected = is_vehicle_state(self.previous_pilot);
        self.previous_pilot = state;
        self.pilot_changed_at = now;
        self.emit(Event::PilotChanged { state });
        match state {
            PilotState::A => {
                if let Some(f) = self.latched.take() {
                    tracing::info!(fault = ?f, "vehicle unplugged: latched fault cleared");
                }
                self.lock_failure_deadline = None;
                self.session_test_ok = false;
                self.stop_session(StopReason::EvDisconnected);
            }
            PilotState::E => self.latch(Fault::PilotShortedToPe),
            _ if !was_connected => {
                // A vehicle arrived: prove the residual-current sensor before this session.
                self.session_test_ok = false;
                if matches!(self.self_test, SelfTest::Passed | SelfTest::NotRun) {
                    self.self_test = SelfTest::NotRun;
                }
                if let Some((tag, _)) = self.pre_auth.take() {
                    self.start_session(tag);
                }
            }
            _ => {}
        }
    }

    fn on_id_tag(&mut self, now: Millis, tag: String) {
        // A finished session (vehicle still plugged in) makes way for a new one.
        if self.session.as_ref().is_some_and(|s| s.finished) {
            self.session = None;
        }
        if let Some(s) = &self.session {
            if s.id_tag == tag && s.stopping.is_none() {
                self.stop_session(StopReason::Local);
            } else {
                self.emit(Event::AuthorizationRejected {
                    id_tag: Some(tag),
                    reason: "a session of another card is running".into(),
                });
            }
            return;
        }
        if self.current_fault().is_some() || !self.available {
            self.emit(Event::AuthorizationRejected {
                id_tag: Some(tag),
                reason: "charger faulted or unavailable".into(),
            });
            return;
        }
        match self.auth_mode {
            AuthMode::OfflineList if self.offline_cards.contains(&tag) => self.authorize(now, tag),
            AuthMode::OfflineList => self.emit(Event::AuthorizationRejected {
                id_tag: Some(tag),
                reason: "not in the offline card list".into(),
            }),
            AuthMode::External => {
                self.pending_auth = Some(tag.clone());
                self.emit(Event::AuthorizationRequested { id_tag: tag });
            }
        }
    }

    fn authorize(&mut self, now: Millis, tag: String) {
        if self.session.as_ref().is_some_and(|s| s.finished) {
            self.session = None;
        }
        if self.vehicle_connected() && self.session.is_none() {
            self.start_session(tag);
        } else if self.session.is_none() {
            let until = now + self.cfg.settings.pre_authorization_timeout_ms;
            self.pre_auth = Some((tag, until));
        }
    }

    fn start_session(&mut self, id_tag: String) {
        let meter_start_wh = self.energy.total_wh();
        tracing::info!(%id_tag, meter_start_wh, "session started");
        self.emit(Event::SessionStarted {
            id_tag: id_tag.clone(),
            meter_start_wh,
        });
        self.session = Some(Session {
            id_tag,
            stopping: None,
            finished: false,
        });
    }

    fn stop_session(&mut self, reason: StopReason) {
        match &mut self.session {
            Some(s) if s.stopping.is_none() => s.stopping = Some(reason),
            Some(s) if s.finished && reason == StopReason::EvDisconnected => self.session = None,
            _ => {}
        }
    }

    /// The id tag of a card's UID.
    fn id_tag_of_card(&self, uid: &[u8]) -> Result<String, super::auth::BadUid> {
        if self.cfg.defects.has(SeededDefect::UidTruncatedTo4Bytes) && uid.len() > 4 {
            // Seeded defect: a reader driver that only knows single-size (4-byte) UIDs.
            return id_tag_of_uid(&uid[..4]);
        }
        id_tag_of_uid(uid)
    }

    fn latch(&mut self, fault: Fault) {
        if self.latched.is_none() {
            tracing::error!(?fault, "fault latched until the vehicle is unplugged");
            self.latched = Some(fault);
        }
    }

    // ----- derived state -----------------------------------------------------------------

    fn diode_proven(&self, now: Millis) -> bool {
        self.diode_ok_since
            .is_some_and(|t| now.since(t) >= self.cfg.settings.pilot_debounce_ms)
    }

    fn vehicle_connected(&self) -> bool {
        is_vehicle_state(self.pilot.stable())
    }

    fn charging_state(&self) -> bool {
        match self.pilot.stable() {
            PilotState::C => true,
            PilotState::D => self.cfg.settings.allow_state_d,
            _ => false,
        }
    }

    /// The fault that forbids charging now, if any (most fundamental first).
    fn current_fault(&self) -> Option<Fault> {
        // Lost for 5 s, or down after having worked (the board reported its own timeout).
        if !self.board_up && (self.liveness.is_lost() || self.ready) {
            return Some(Fault::BoardLinkLost);
        }
        if let Some(&code) = self.board_faults.iter().next() {
            return Some(Fault::Board(BoardFaultCode::from_code(code)));
        }
        if matches!(self.self_test, SelfTest::Failed { .. }) {
            return Some(Fault::SelfTestFailed);
        }
        if let Some(f) = self.latched {
            return Some(f);
        }
        if self.cable() == CableReading::BelowRange {
            return Some(Fault::CableCodingBelowRange);
        }
        None
    }

    fn cable(&self) -> CableReading {
        match self.cfg.variant.connector {
            Connector::Tethered { cable_rating_a } => CableReading::Rated {
                amps: cable_rating_a,
            },
            Connector::SocketWithLock => {
                let reading = read_cable(self.cfg.settings.pp_table, self.status.pp_ohms);
                if self.cfg.defects.has(SeededDefect::Pp13ReadAs20)
                    && reading == (CableReading::Rated { amps: 13 })
                {
                    return CableReading::Rated { amps: 20 };
                }
                reading
            }
        }
    }

    fn limit(&self) -> (u32, LimitSource) {
        let v = &self.cfg.variant;
        let cable = match self.cable() {
            CableReading::Rated { amps } => amps * 10,
            _ => 0,
        };
        effective_limit(&LimitInputs {
            variant_deciamps: v.rated_current_a * 10,
            // Seeded defect: the installation's maximum is read from the variant's rating.
            installation_deciamps: if self.cfg.defects.has(SeededDefect::InstallationMaxIgnored) {
                v.rated_current_a * 10
            } else {
                self.installation.max_current_a * 10
            },
            fuse_deciamps: self.installation.fuse_rating_a * 10,
            // Seeded defect: a plugged cable's rating is left out of the minimum.
            cable_deciamps: if cable > 0 && self.cfg.defects.has(SeededDefect::CableLimitIgnored) {
                None
            } else {
                Some(cable)
            },
            temperature_deciamps: self.thermal.limit_deciamps(v.rated_current_a * 10),
            external_deciamps: self.external_limit,
        })
    }

    /// The duty cycle the limit asks for, `None` below 6 A.
    fn wanted_duty(&self) -> Option<u16> {
        let duty = duty_for_current(self.limit().0)?;
        if self.cfg.defects.has(SeededDefect::DutyTwoPointsHigh) {
            return Some((duty + 20).min(1000));
        }
        Some(duty)
    }

    /// May PWM be offered to a connected vehicle now (everything but the pilot level itself)?
    fn may_offer_pwm(&self) -> bool {
        let session_ok = self.session.as_ref().is_some_and(|s| s.stopping.is_none());
        let lock_ok = !self.cfg.variant.has_socket() || self.status.lock_engaged;
        let d_refused = self.pilot.stable() == PilotState::D && !self.cfg.settings.allow_state_d;
        self.vehicle_connected()
            && session_ok
            && self.startup_test_ok
            && self.session_test_ok
            && lock_ok
            && !d_refused
            && self.thermal.level() != ThermalLevel::Stopped
            && self.wanted_duty().is_some()
    }

    /// Conditions whose loss opens the contactor at once.
    fn hard_conditions_hold(&self) -> bool {
        // Never closed while the EVSE drives state F (the vehicle state is unknown then).
        self.pilot_out != PilotOutput::DcMinus12V
            && self.board_up
            && self.current_fault().is_none()
            && self.startup_test_ok
            && self.session_test_ok
            && self.charging_state()
    }

    fn connector_status(&self) -> (ConnectorStatus, Option<Fault>) {
        if let Some(f) = self.current_fault() {
            return (ConnectorStatus::Faulted, Some(f));
        }
        if !self.available && self.session.is_none() {
            return (ConnectorStatus::Unavailable, None);
        }
        let status = match &self.session {
            _ if !self.ready => ConnectorStatus::Unavailable,
            None if self.vehicle_connected() || self.pre_auth.is_some() => {
                ConnectorStatus::Preparing
            }
            None => ConnectorStatus::Available,
            Some(s) if s.finished || s.stopping.is_some() => ConnectorStatus::Finishing,
            Some(_) if self.contactor => ConnectorStatus::Charging,
            Some(_) if matches!(self.pilot_out, PilotOutput::Pwm { .. }) => {
                ConnectorStatus::SuspendedEv
            }
            Some(_) => ConnectorStatus::SuspendedEvse,
        };
        (status, None)
    }

    fn light_state(&self) -> LightState {
        let (status, _) = self.connector_status();
        if !self.ready && status != ConnectorStatus::Faulted {
            return LightState::Booting;
        }
        match status {
            ConnectorStatus::Available => LightState::Ready,
            ConnectorStatus::Preparing | ConnectorStatus::Finishing => LightState::VehicleConnected,
            ConnectorStatus::Charging => LightState::Charging,
            ConnectorStatus::SuspendedEv | ConnectorStatus::SuspendedEvse => LightState::Paused,
            ConnectorStatus::Faulted => LightState::Fault,
            ConnectorStatus::Unavailable => LightState::Unavailable,
        }
    }

    // ----- the evaluation ------------------------------------------------------------------

    fn update(&mut self, now: Millis) {
        let s = self.cfg.settings.clone();
        self.last_update = self.last_update.max(now);

        // Link supervision.
        if self.liveness.poll(now.0) == Some(LivenessEvent::Lost) {
            tracing::error!("power board link lost: no valid frame for 5 s");
            self.link_down(now);
            self.emit(Event::BoardLinkLost);
        }

        // Timers of the sub-machines.
        if let Some(state) = self.pilot.confirm(now) {
            self.on_pilot_changed(now, state);
        }
        if self.rcm.tripped(now) {
            self.latch(Fault::ResidualCurrentTrip);
        }
        // A fault latched with no vehicle connected clears once +12 V DC shows state A again.
        if self.latched.is_some()
            && self.pilot.stable() == PilotState::A
            && self.pilot_out == PilotOutput::DcPlus12V
            && classify_high(i32::from(self.status.cp_high_mv)) == Some(PilotState::A)
        {
            tracing::info!(fault = ?self.latched, "no vehicle connected: latched fault cleared");
            self.latched = None;
        }
        if self
            .pre_auth
            .as_ref()
            .is_some_and(|(_, until)| now >= *until)
        {
            self.pre_auth = None;
        }
        self.run_self_test(now);

        // Faults: start of an episode, and the session ends.
        let fault = self.current_fault();
        match (fault, self.fault_since) {
            (Some(f), None) => {
                tracing::error!(fault = ?f, "fault: contactor open, state F");
                self.fault_since = Some(now);
                let reason = if f == Fault::ResidualCurrentTrip {
                    StopReason::EmergencyStop
                } else {
                    StopReason::Other
                };
                if !f.suspends_session() {
                    self.stop_session(reason);
                }
            }
            (None, Some(_)) => self.fault_since = None,
            _ => {}
        }

        // Cable lock (socket variants): locked while a session holds the cable.
        if self.cfg.variant.has_socket() {
            let want_lock = self.contactor
                || (self.vehicle_connected()
                    && self
                        .session
                        .as_ref()
                        .is_some_and(|s| !s.finished && s.stopping.is_none()));
            if want_lock != self.lock {
                self.lock = want_lock;
                self.lock_failure_deadline = want_lock.then_some(now + s.lock_timeout_ms);
            }
            if self.status.lock_engaged || !self.lock {
                self.lock_failure_deadline = None;
            } else if self.lock_failure_deadline.is_some_and(|d| now >= d) {
                self.lock_failure_deadline = None;
                self.latch(Fault::LockFailure);
            }
        }

        // Pilot output.
        let fault = self.current_fault();
        let offer = self.may_offer_pwm() && fault.is_none();
        // Unavailable takes effect once no session runs (OCPP "Scheduled").
        let unavailable = !self.available && self.session.is_none();
        let target = if !self.board_up || !self.startup_test_ok || unavailable {
            PilotOutput::DcMinus12V
        } else if let Some(f) = fault {
            let in_hold = self
                .fault_since
                .is_some_and(|t| now.since(t) < s.fault_f_hold_ms);
            if f.latched_until_unplug() && !in_hold {
                // Back to +12 V DC so the unplug (state A) that clears the fault can be seen.
                PilotOutput::DcPlus12V
            } else {
                PilotOutput::DcMinus12V
            }
        } else if offer {
            let wanted = self.wanted_duty().expect("offer implies a duty");
            match self.pilot_out {
                PilotOutput::Pwm { duty_permille }
                    if duty_permille != wanted
                        && now.since(self.duty_changed_at) < s.duty_change_interval_ms =>
                {
                    PilotOutput::Pwm { duty_permille }
                }
                _ => PilotOutput::Pwm {
                    duty_permille: wanted,
                },
            }
        } else {
            PilotOutput::DcPlus12V
        };
        let was_pwm = matches!(self.pilot_out, PilotOutput::Pwm { .. });
        let is_pwm = matches!(target, PilotOutput::Pwm { .. });
        if target != self.pilot_out {
            if is_pwm {
                self.duty_changed_at = now;
            }
            if was_pwm && !is_pwm && self.contactor {
                self.pwm_withdrawn_at = Some(now);
            }
            if is_pwm {
                self.pwm_withdrawn_at = None;
            }
            self.pilot_out = target;
        }

        // Contactor.
        let hard_ok = self.hard_conditions_hold();
        if self.contactor {
            let under_load_expired = self
                .pwm_withdrawn_at
                .is_some_and(|t| now.since(t) >= s.stop_under_load_ms);
            // Once the EV has stopped drawing after the PWM went away there is no load to
            // break, so the contactor need not wait out the 6 s.
            let load_gone = self.pwm_withdrawn_at.is_some_and(|t| {
                self.meter_at.is_some_and(|m| m > t)
                    && self
                        .meter
                        .phases
                        .iter()
                        .all(|p| p.current_a < NO_LOAD_CURRENT_A)
            });
            let mut open = !hard_ok || (!is_pwm && (under_load_expired || load_gone));
            if open
                && hard_ok_except_pilot(self)
                && self.pilot.stable() == PilotState::B
                && self.cfg.defects.has(SeededDefect::SlowContactorOpen)
                && now.since(self.pilot_changed_at) < SLOW_CONTACTOR_MS
            {
                open = false;
            }
            if open {
                self.contactor = false;
                self.pwm_withdrawn_at = None;
            }
        } else if hard_ok
            && offer
            && is_pwm
            && self.sent_pilot == Some(self.pilot_out)
            && self.diode_proven(now)
        {
            // PWM is on the wire and its −12 V half-wave was seen for the debounce time: the
            // EV's diode is proven before any power flows.
            self.contactor = true;
        }

        // Board commands: opening first, closing last.
        if self.board_up {
            if !self.contactor && self.sent_contactor != Some(false) {
                self.send(ControllerMessage::SetContactor { closed: false });
                self.sent_contactor = Some(false);
            }
            if self.sent_pilot != Some(self.pilot_out) {
                self.send(ControllerMessage::SetPilot(self.pilot_out));
                self.sent_pilot = Some(self.pilot_out);
            }
            if self.contactor && self.sent_contactor != Some(true) {
                self.send(ControllerMessage::SetContactor { closed: true });
                self.sent_contactor = Some(true);
            }
            if self.cfg.variant.has_socket() && self.sent_lock != Some(self.lock) {
                self.send(ControllerMessage::SetLock { locked: self.lock });
                self.sent_lock = Some(self.lock);
            }
        }

        // Offered current.
        let offered = match self.pilot_out {
            PilotOutput::Pwm { .. } => self.limit().0,
            _ => 0,
        };
        if self.reported_offer != Some(offered) {
            self.reported_offer = Some(offered);
            self.emit(Event::OfferedCurrent { deciamps: offered });
        }

        // A stopping session ends once the contactor is open.
        if let Some(sess) = &mut self.session {
            if let (Some(reason), false, false) = (sess.stopping, sess.finished, self.contactor) {
                sess.finished = true;
                let ev = Event::SessionStopped {
                    id_tag: sess.id_tag.clone(),
                    meter_stop_wh: self.energy.total_wh(),
                    reason,
                };
                tracing::info!(?reason, "session stopped");
                self.store_energy(now);
                self.emit(ev);
                if !self.vehicle_connected() {
                    self.session = None;
                }
            }
        }

        if !self.ready && self.board_up && self.startup_test_ok {
            self.ready = true;
            self.emit(Event::Ready);
        }

        let status = self.connector_status();
        if self.reported_status != Some(status) {
            self.reported_status = Some(status);
            self.emit(Event::StatusChanged {
                status: status.0,
                fault: status.1,
            });
        }

        let lights = lights_for(self.light_state());
        if self.board_up && self.sent_lights != Some(lights) {
            self.send(ControllerMessage::SetLights {
                central: lights.0,
                ring: lights.1,
            });
            self.sent_lights = Some(lights);
        }

        if self.energy.total_mwh() >= self.stored_mwh + 1000
            && now.since(self.last_energy_store) >= ENERGY_STORE_INTERVAL_MS
        {
            self.store_energy(now);
        }

        // Keep-alive and repeated commands (or Hello while the link is down).
        if now >= self.next_refresh {
            self.next_refresh = now + REFRESH_INTERVAL_MS;
            if self.board_up {
                self.send(ControllerMessage::KeepAlive);
                self.send(ControllerMessage::SetContactor {
                    closed: self.contactor,
                });
                self.send(ControllerMessage::SetPilot(self.pilot_out));
                if self.cfg.variant.has_socket() {
                    self.send(ControllerMessage::SetLock { locked: self.lock });
                }
            } else {
                self.send(ControllerMessage::Hello {
                    firmware_version: self.cfg.firmware_version.clone(),
                });
            }
        }
    }

    /// The link is down (timeout, or the board's own timeout): safe outputs, Hello every
    /// second from now on, and a new self-test once the board answers.
    fn link_down(&mut self, now: Millis) {
        // In case the board still listens.
        self.send(ControllerMessage::SetContactor { closed: false });
        self.send(ControllerMessage::SetPilot(PilotOutput::DcMinus12V));
        self.contactor = false;
        self.pilot_out = PilotOutput::DcMinus12V;
        self.board_up = false;
        self.startup_test_ok = false;
        self.session_test_ok = false;
        self.self_test = SelfTest::NotRun;
        self.energy.rebase();
        self.next_refresh = now;
    }

    fn run_self_test(&mut self, now: Millis) {
        if !self.board_up {
            return;
        }
        let needed = !self.startup_test_ok || (self.vehicle_connected() && !self.session_test_ok);
        match self.self_test {
            SelfTest::NotRun if needed => self.start_self_test(now, 1),
            SelfTest::Passed if needed => self.start_self_test(now, 1),
            SelfTest::Running { attempt, deadline } if now >= deadline => {
                if attempt < SELF_TEST_ATTEMPTS {
                    self.start_self_test(now, attempt + 1);
                } else {
                    tracing::error!("residual-current self-test: no result from the board");
                    self.self_test = SelfTest::Failed {
                        retry_at: now + SELF_TEST_RETRY_MS,
                    };
                }
            }
            SelfTest::Failed { retry_at } if now >= retry_at => self.start_self_test(now, 1),
            _ => {}
        }
    }

    fn start_self_test(&mut self, now: Millis, attempt: u8) {
        self.self_test = SelfTest::Running {
            attempt,
            deadline: now + SELF_TEST_REPLY_MS,
        };
        self.rcm.clear();
        self.send(ControllerMessage::StartRcmSelfTest);
    }

    fn store_energy(&mut self, now: Millis) {
        let mwh = self.energy.total_mwh();
        if mwh != self.stored_mwh {
            self.stored_mwh = mwh;
            self.last_energy_store = now;
            self.outputs
                .push_back(Output::Store(StoreRequest::EnergyRegister { mwh }));
        }
    }

    fn send(&mut self, msg: ControllerMessage) {
        self.outputs.push_back(Output::Board(msg));
    }

    fn emit(&mut self, ev: Event) {
        self.outputs.push_back(Output::Event(ev));
    }
}

/// Everything of the hard conditions but the pilot state (for the seeded slow-contactor
/// defect, which delays only openings caused by the pilot).
fn hard_ok_except_pilot(c: &Charger) -> bool {
    c.board_up && c.current_fault().is_none() && c.startup_test_ok && c.session_test_ok
}

fn is_vehicle_state(s: PilotState) -> bool {
    matches!(s, PilotState::B | PilotState::C | PilotState::D)
}

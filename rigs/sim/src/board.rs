//! The power board's side of the board link (reference-firmware/BOARD_LINK.md): it obeys the
//! controller's pilot, contactor and lock commands, reports the hardware every 10 ms, sends
//! metering samples, runs the residual-current self-test, and protects by itself (link loss,
//! over-temperature, residual-current hardware trip). Sans-IO: bytes in, bytes out, time given.

use crate::physics::cp::CpDrive;
use crate::sim::Sim;
use crate::SimTime;
use board_link::{
    cobs, BoardFaultCode, BoardMessage, ControllerMessage, Decoder, Encoder, FrameError,
    LightPattern, LightSetting, Liveness, LivenessEvent, MeterSample, PhaseSample, PilotOutput,
    SequenceTracker, Status,
};
use std::time::Duration;

pub const STATUS_INTERVAL: Duration = Duration::from_millis(10);
pub const METER_INTERVAL_CLOSED: Duration = Duration::from_secs(1);
pub const METER_INTERVAL_OPEN: Duration = Duration::from_secs(10);
/// A card must stay in the reader's field with the same UID this long before it is read (the
/// reader's anticollision and select; it also hides the card emulator's configuration steps,
/// which change the UID in two commands).
pub const CARD_READ_TIME: Duration = Duration::from_millis(150);
/// A card read is reported again only after it left the field for this long.
pub const CARD_GONE_TIME: Duration = Duration::from_millis(200);
/// The contacts may take this long to open before the auxiliary contact means "welded".
pub const WELD_DETECTION: Duration = Duration::from_millis(200);
/// The lock must reach its commanded position within this time.
pub const LOCK_DEADLINE: Duration = Duration::from_secs(1);
/// The board's hardware over-temperature cut-out, and the temperature it re-arms below (°C).
pub const OVER_TEMPERATURE_C: f64 = 85.0;
pub const OVER_TEMPERATURE_CLEAR_C: f64 = 75.0;
/// The residual-current sensor's hardware trip (a last resort: the controller is expected to
/// act at 6 mA itself), and its re-arm level, in mA DC.
pub const RCM_HARDWARE_TRIP_MA: f64 = 60.0;
pub const RCM_REARM_MA: f64 = 2.5;
/// Current the self-test injects through the test winding, mA.
pub const RCM_TEST_CURRENT_MA: f64 = 10.0;

/// Whether the controller has introduced itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// At power-up and after a link loss: only a controller `Hello` is accepted.
    AwaitingHello,
    Up,
}

/// Protections the board raises by itself (those with a `Fault` code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveFaults {
    pub link_timeout: bool,
    pub welded: bool,
    pub lock_failure: bool,
    pub over_temperature: bool,
    pub rcm_trip: bool,
}

/// Counters for the ground-truth query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkCounters {
    pub frames_received: u64,
    pub bad_frames: u64,
    pub missed_frames: u64,
    pub frames_sent: u64,
}

#[derive(Debug)]
pub struct PowerBoard {
    board_id: String,
    /// When the board (re)started: its uptime counts from here.
    started_at: SimTime,
    encoder: Encoder,
    decoder: Decoder<ControllerMessage>,
    /// The encoded bytes of the frame being received, to answer a `Hello` of another version.
    partial: Vec<u8>,
    sequence: SequenceTracker,
    liveness: Liveness,
    link: LinkState,
    hello_sent: bool,
    next_status: SimTime,
    next_meter: SimTime,
    last_flags: Option<(bool, bool, bool)>,
    contactor_command: (bool, SimTime),
    lock_command: (bool, SimTime),
    unlock_when_open: bool,
    faults: ActiveFaults,
    lights: (LightSetting, LightSetting),
    counters: LinkCounters,
    reader: CardReader,
}

/// The RFID reader on the front board: reports each card once per presentation.
#[derive(Debug, Default)]
struct CardReader {
    /// The UID in the field and since when it has been there unchanged.
    seen: Option<(Vec<u8>, SimTime)>,
    /// The UID last reported, and since when the field has been empty (if it is).
    reported: Option<Vec<u8>>,
    empty_since: Option<SimTime>,
}

impl CardReader {
    /// The UID to report now, if a card has just been read.
    fn poll(&mut self, field: Option<&[u8]>, now: SimTime) -> Option<Vec<u8>> {
        match field {
            None => {
                self.seen = None;
                let since = *self.empty_since.get_or_insert(now);
                if now.saturating_sub(since) >= CARD_GONE_TIME {
                    self.reported = None;
                }
                None
            }
            Some(uid) => {
                self.empty_since = None;
                if self.seen.as_ref().is_none_or(|(u, _)| u.as_slice() != uid) {
                    self.seen = Some((uid.to_vec(), now));
                }
                let (_, since) = self.seen.as_ref().expect("set above");
                let stable = now.saturating_sub(*since) >= CARD_READ_TIME;
                if stable && self.reported.as_deref() != Some(uid) {
                    self.reported = Some(uid.to_vec());
                    return Some(uid.to_vec());
                }
                None
            }
        }
    }

    /// When [`CardReader::poll`] must run again to report or forget a card in time.
    fn next_deadline(&self) -> Option<SimTime> {
        match (&self.seen, &self.reported, self.empty_since) {
            (Some((uid, since)), reported, _) if reported.as_ref() != Some(uid) => {
                Some(*since + CARD_READ_TIME)
            }
            (None, Some(_), Some(since)) => Some(since + CARD_GONE_TIME),
            _ => None,
        }
    }
}

impl PowerBoard {
    pub fn new(serial: &str) -> Self {
        PowerBoard::started(format!("RIG-SIM-{serial}"), SimTime::ZERO)
    }

    fn started(board_id: String, now: SimTime) -> Self {
        PowerBoard {
            board_id,
            started_at: now,
            encoder: Encoder::new(),
            decoder: Decoder::new(),
            partial: Vec::new(),
            sequence: SequenceTracker::default(),
            liveness: Liveness::new(now.as_millis() as u64),
            link: LinkState::AwaitingHello,
            hello_sent: false,
            next_status: now,
            next_meter: now,
            last_flags: None,
            contactor_command: (false, now),
            lock_command: (false, now),
            unlock_when_open: false,
            faults: ActiveFaults::default(),
            lights: (LightSetting::default(), LightSetting::default()),
            counters: LinkCounters::default(),
            reader: CardReader::default(),
        }
    }

    /// A power cycle of the board alone: its microcontroller restarts (uptime and energy
    /// accumulator from zero, Hello again, waiting for the controller's Hello), the contactor
    /// coil drops and the pilot goes to −12 V. The lock motor keeps its position.
    pub fn restart(&mut self, sim: &mut Sim, now: SimTime) {
        *self = PowerBoard::started(std::mem::take(&mut self.board_id), now);
        sim.command_contactor(false);
        sim.set_cp_drive(CpDrive::DcNegative);
        sim.meter.restart();
        let locked = sim.lock.commanded_locked();
        self.lock_command = (locked, now);
    }

    /// Forgets a partially received frame (the controller closed or reopened the port).
    pub fn reset_input(&mut self) {
        self.decoder.reset();
        self.partial.clear();
    }

    pub fn link_state(&self) -> LinkState {
        self.link
    }

    pub fn faults(&self) -> ActiveFaults {
        self.faults
    }

    pub fn counters(&self) -> LinkCounters {
        self.counters
    }

    /// Central and ring light as last commanded (or as the board set them itself).
    pub fn lights(&self) -> (LightSetting, LightSetting) {
        self.lights
    }

    /// Bytes received from the controller at `now`; returns the bytes to send back. While the
    /// simulator cuts the link, input is lost.
    pub fn receive(&mut self, bytes: &[u8], sim: &mut Sim, now: SimTime) -> Vec<u8> {
        let mut out = Vec::new();
        if !sim.board_link_up {
            return out;
        }
        for &b in bytes {
            if b != 0 && self.partial.len() < board_link::MAX_ENCODED_LEN {
                self.partial.push(b);
            }
            let Some(result) = self.decoder.push(b) else {
                if b == 0 {
                    self.partial.clear();
                }
                continue;
            };
            let encoded = std::mem::take(&mut self.partial);
            match result {
                Ok(frame) => {
                    self.counters.frames_received += 1;
                    self.counters.missed_frames += u64::from(self.sequence.observe(frame.seq));
                    self.handle(frame.message, sim, now, &mut out);
                }
                Err(e) => {
                    self.counters.bad_frames += 1;
                    if matches!(e, FrameError::UnknownVersion { .. }) && is_hello(&encoded) {
                        // Tell the controller which version this board speaks; the link stays down.
                        self.send(self.hello(), &mut out);
                    }
                }
            }
        }
        self.finish(out, sim)
    }

    fn hello(&self) -> BoardMessage {
        BoardMessage::Hello {
            board_id: self.board_id.clone(),
            board_firmware: format!("rig-sim {}", env!("CARGO_PKG_VERSION")),
        }
    }

    fn send(&mut self, message: BoardMessage, out: &mut Vec<u8>) {
        self.counters.frames_sent += 1;
        out.extend(self.encoder.encode(&message));
    }

    /// Output is lost while the link is cut.
    fn finish(&self, out: Vec<u8>, sim: &Sim) -> Vec<u8> {
        if sim.board_link_up {
            out
        } else {
            Vec::new()
        }
    }

    fn handle(
        &mut self,
        message: ControllerMessage,
        sim: &mut Sim,
        now: SimTime,
        out: &mut Vec<u8>,
    ) {
        let now_ms = now.as_millis() as u64;
        if let ControllerMessage::Hello { .. } = message {
            self.liveness.frame_received(now_ms);
            self.sequence.reset();
            let hello = self.hello();
            self.send(hello, out);
            if self.faults.link_timeout {
                self.faults.link_timeout = false;
                self.send(fault(BoardFaultCode::LinkTimeout, false, false), out);
            }
            self.link = LinkState::Up;
            return;
        }
        if self.link != LinkState::Up {
            return;
        }
        self.liveness.frame_received(now_ms);
        match message {
            ControllerMessage::Hello { .. } | ControllerMessage::KeepAlive => {}
            ControllerMessage::SetPilot(p) => sim.set_cp_drive(match p {
                PilotOutput::DcPlus12V => CpDrive::DcPositive,
                PilotOutput::DcMinus12V => CpDrive::DcNegative,
                PilotOutput::Pwm { duty_permille } => CpDrive::Pwm {
                    freq_hz: 1000.0,
                    duty_percent: f64::from(duty_permille) / 10.0,
                },
            }),
            ControllerMessage::SetContactor { closed } => {
                // The board's own protections override a close command.
                let blocked = self.faults.over_temperature || self.faults.rcm_trip;
                self.drive_contactor(closed && !blocked, sim, now);
            }
            ControllerMessage::SetLock { locked } => {
                self.unlock_when_open = false;
                self.drive_lock(locked, sim, now);
            }
            ControllerMessage::StartRcmSelfTest => sim.rcm.start_self_test(now),
            ControllerMessage::SetLights { central, ring } => self.lights = (central, ring),
        }
    }

    fn drive_contactor(&mut self, closed: bool, sim: &mut Sim, now: SimTime) {
        if self.contactor_command.0 != closed {
            self.contactor_command = (closed, now);
        }
        sim.command_contactor(closed);
    }

    fn drive_lock(&mut self, locked: bool, sim: &mut Sim, now: SimTime) {
        if self.lock_command.0 != locked {
            self.lock_command = (locked, now);
        }
        sim.command_lock(locked);
    }

    /// Runs the board's timers and protections at `now` (after `sim.step(now)`); returns the
    /// bytes to send.
    pub fn poll(&mut self, sim: &mut Sim, now: SimTime) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.hello_sent {
            self.hello_sent = true;
            // A lone delimiter first makes the controller drop any partial frame.
            out.push(0);
            let hello = self.hello();
            self.send(hello, &mut out);
        }
        let now_ms = now.as_millis() as u64;
        if self.link == LinkState::Up && self.liveness.poll(now_ms) == Some(LivenessEvent::Lost) {
            self.enter_safe_state(sim, now);
            self.link = LinkState::AwaitingHello;
            self.faults.link_timeout = true;
            self.send(fault(BoardFaultCode::LinkTimeout, true, true), &mut out);
        }
        if self.unlock_when_open && !sim.contactor.is_closed() {
            self.unlock_when_open = false;
            self.drive_lock(false, sim, now);
        }
        self.protect(sim, now, &mut out);
        if let Some(result) = sim.rcm.take_self_test_result(now) {
            let measured = if result { RCM_TEST_CURRENT_MA } else { 0.0 };
            self.send(
                BoardMessage::RcmSelfTestResult {
                    passed: result,
                    measured_tenth_ma: tenths(measured),
                },
                &mut out,
            );
        }
        // The reader works whether or not the controller listens; a read is sent on a live link.
        if let Some(uid) = self.reader.poll(sim.rfid_card.as_deref(), now) {
            if self.link == LinkState::Up {
                self.send(BoardMessage::RfidCard { uid }, &mut out);
            }
        }
        let status = self.status(sim, now);
        let flags = (
            status.contactor_closed,
            status.lock_engaged,
            status.ethernet_link_up,
        );
        if now >= self.next_status || self.last_flags != Some(flags) {
            self.last_flags = Some(flags);
            self.next_status = now + STATUS_INTERVAL;
            self.send(BoardMessage::Status(status), &mut out);
        }
        if now >= self.next_meter {
            let interval = if sim.contactor.is_closed() {
                METER_INTERVAL_CLOSED
            } else {
                METER_INTERVAL_OPEN
            };
            self.next_meter = now + interval;
            self.send(BoardMessage::MeterSample(meter_sample(sim)), &mut out);
        } else if sim.contactor.is_closed() {
            // Closing the contactor shortens the wait to the 1 s cadence.
            self.next_meter = self.next_meter.min(now + METER_INTERVAL_CLOSED);
        }
        self.finish(out, sim)
    }

    /// The latest instant the next `poll` should happen.
    pub fn next_deadline(&self) -> SimTime {
        let next = self.next_status.min(self.next_meter);
        self.reader.next_deadline().map_or(next, |t| next.min(t))
    }

    fn enter_safe_state(&mut self, sim: &mut Sim, now: SimTime) {
        self.drive_contactor(false, sim, now);
        sim.set_cp_drive(CpDrive::DcNegative);
        self.unlock_when_open = true;
        let red = LightSetting {
            pattern: LightPattern::FastBlink,
            red: 255,
            green: 0,
            blue: 0,
        };
        self.lights = (red, red);
    }

    fn protect(&mut self, sim: &mut Sim, now: SimTime, out: &mut Vec<u8>) {
        // Welded: the auxiliary contact stays closed although the coil was released long ago.
        let (coil, since) = self.contactor_command;
        let welded = !coil && sim.contactor.is_closed() && now >= since + WELD_DETECTION;
        if welded != self.faults.welded {
            self.faults.welded = welded;
            self.send(fault(BoardFaultCode::ContactorWelded, welded, false), out);
        }
        let (locked, since) = self.lock_command;
        let lock_failed = sim.lock.is_locked() != locked && now >= since + LOCK_DEADLINE;
        if lock_failed != self.faults.lock_failure {
            self.faults.lock_failure = lock_failed;
            self.send(fault(BoardFaultCode::LockFailure, lock_failed, false), out);
        }
        let hot = if self.faults.over_temperature {
            sim.temperature_c >= OVER_TEMPERATURE_CLEAR_C
        } else {
            sim.temperature_c >= OVER_TEMPERATURE_C
        };
        if hot != self.faults.over_temperature {
            self.faults.over_temperature = hot;
            let opened = hot && self.contactor_command.0;
            if hot {
                self.drive_contactor(false, sim, now);
            }
            self.send(fault(BoardFaultCode::OverTemperature, hot, opened), out);
        }
        let leak = sim.residual_current_ma();
        let tripped = if self.faults.rcm_trip {
            leak >= RCM_REARM_MA
        } else {
            leak >= RCM_HARDWARE_TRIP_MA
        };
        if tripped != self.faults.rcm_trip {
            self.faults.rcm_trip = tripped;
            let opened = tripped && self.contactor_command.0;
            if tripped {
                self.drive_contactor(false, sim, now);
            }
            self.send(
                fault(BoardFaultCode::ResidualCurrentTrip, tripped, opened),
                out,
            );
        }
    }

    fn status(&self, sim: &Sim, now: SimTime) -> Status {
        let cp = sim.cp_measurement();
        let test_current = if sim.rcm.next_event().is_some() && !sim.rcm.self_test_broken() {
            RCM_TEST_CURRENT_MA
        } else {
            0.0
        };
        Status {
            cp_high_mv: millivolts(cp.high_v),
            cp_low_mv: millivolts(cp.low_v),
            pp_ohms: sim
                .pp_ohms()
                .map(|r| r.round().clamp(0.0, f64::from(u32::MAX - 1)) as u32),
            contactor_closed: sim.contactor.is_closed(),
            lock_engaged: sim.lock.is_locked(),
            ethernet_link_up: sim.ethernet_up,
            residual_dc_tenth_ma: tenths(sim.residual_current_ma() + test_current),
            temperature_tenth_c: (sim.temperature_c * 10.0)
                .round()
                .clamp(f64::from(i16::MIN), f64::from(i16::MAX))
                as i16,
            board_uptime_ms: now.saturating_sub(self.started_at).as_millis() as u32,
        }
    }
}

fn is_hello(encoded: &[u8]) -> bool {
    cobs::decode(encoded).is_ok_and(|raw| raw.get(2) == Some(&0x01))
}

fn fault(code: BoardFaultCode, active: bool, contactor_opened: bool) -> BoardMessage {
    BoardMessage::Fault {
        code,
        active,
        contactor_opened,
    }
}

fn millivolts(v: f64) -> i16 {
    (v * 1000.0)
        .round()
        .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
}

fn tenths(ma: f64) -> u16 {
    (ma * 10.0).round().clamp(0.0, f64::from(u16::MAX)) as u16
}

fn meter_sample(sim: &Sim) -> MeterSample {
    let read = sim.meter.read(&sim.meter_truth());
    let phases = read.map(|q| {
        if q.u <= 0.0 && q.i <= 0.0 {
            return PhaseSample::default();
        }
        PhaseSample {
            voltage_tenth_v: (q.u * 10.0).round().clamp(0.0, f64::from(u16::MAX)) as u16,
            current_ma: (q.i * 1000.0).round().max(0.0) as u32,
            active_power_tenth_w: (q.p * 10.0).round() as i32,
            power_factor_milli: (q.lambda * 1000.0).round().clamp(-1000.0, 1000.0) as i16,
        }
    });
    MeterSample {
        phases,
        import_energy_mwh: (sim.meter.total_energy_wh() * 1000.0).max(0.0) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::cp::EvNetwork;
    use crate::physics::pp::CableCoding;
    use crate::sim::SimConfig;

    /// A controller-side view of the board, stepping the time in 1 ms ticks.
    struct Bench {
        sim: Sim,
        board: PowerBoard,
        now: SimTime,
        to_board: Encoder,
        from_board: Decoder<BoardMessage>,
        received: Vec<BoardMessage>,
    }

    impl Bench {
        fn new() -> Self {
            Bench {
                sim: Sim::new(SimConfig::default()),
                board: PowerBoard::new("T"),
                now: SimTime::ZERO,
                to_board: Encoder::new(),
                from_board: Decoder::new(),
                received: Vec::new(),
            }
        }

        fn collect(&mut self, bytes: &[u8]) {
            for r in self.from_board.push_slice(bytes) {
                self.received.push(r.expect("board frames decode").message);
            }
        }

        fn send(&mut self, m: ControllerMessage) {
            let wire = self.to_board.encode(&m);
            let out = self.board.receive(&wire, &mut self.sim, self.now);
            self.collect(&out);
        }

        fn run_for(&mut self, ms: u64) {
            for _ in 0..ms {
                self.now += Duration::from_millis(1);
                self.sim.step(self.now);
                let out = self.board.poll(&mut self.sim, self.now);
                self.collect(&out);
            }
        }

        fn take(&mut self) -> Vec<BoardMessage> {
            std::mem::take(&mut self.received)
        }

        fn last_status(&self) -> Status {
            self.received
                .iter()
                .rev()
                .find_map(|m| match m {
                    BoardMessage::Status(s) => Some(*s),
                    _ => None,
                })
                .expect("a status was sent")
        }

        fn faults(&self) -> Vec<(BoardFaultCode, bool, bool)> {
            self.received
                .iter()
                .filter_map(|m| match m {
                    BoardMessage::Fault {
                        code,
                        active,
                        contactor_opened,
                    } => Some((*code, *active, *contactor_opened)),
                    _ => None,
                })
                .collect()
        }

        fn connected() -> Self {
            let mut b = Bench::new();
            b.run_for(1);
            b.send(ControllerMessage::Hello {
                firmware_version: "test".into(),
            });
            b
        }
    }

    #[test]
    fn says_hello_at_power_up_and_answers_hello() {
        let mut b = Bench::new();
        b.run_for(1);
        assert!(matches!(b.take()[0], BoardMessage::Hello { .. }));
        b.send(ControllerMessage::Hello {
            firmware_version: "fw".into(),
        });
        assert!(matches!(b.take().as_slice(), [BoardMessage::Hello { .. }]));
        assert_eq!(b.board.link_state(), LinkState::Up);
    }

    #[test]
    fn ignores_commands_before_hello() {
        let mut b = Bench::new();
        b.send(ControllerMessage::SetContactor { closed: true });
        b.run_for(100);
        assert!(!b.sim.contactor.is_closed());
    }

    fn cards(b: &Bench) -> Vec<Vec<u8>> {
        b.received
            .iter()
            .filter_map(|m| match m {
                BoardMessage::RfidCard { uid } => Some(uid.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_card_is_reported_once_per_presentation_after_its_uid_settled() {
        let mut b = Bench::connected();
        // The card emulator sets the configuration (a default UID) first, then the UID.
        b.sim.rfid_card = Some(vec![0x04, 0x11, 0x22, 0x33]);
        b.run_for(20);
        b.sim.rfid_card = Some(vec![0xDE, 0xAD, 0xBE, 0xEF]);
        b.run_for(149);
        assert!(cards(&b).is_empty(), "read before the UID settled");
        b.run_for(2);
        assert_eq!(cards(&b), vec![vec![0xDE, 0xAD, 0xBE, 0xEF]]);
        // Held in the field: not again. Taken away briefly: not again.
        b.run_for(1000);
        b.sim.rfid_card = None;
        b.run_for(100);
        b.sim.rfid_card = Some(vec![0xDE, 0xAD, 0xBE, 0xEF]);
        b.run_for(500);
        assert_eq!(cards(&b).len(), 1);
        // Away for longer than the gap: read again.
        b.sim.rfid_card = None;
        b.run_for(300);
        b.sim.rfid_card = Some(vec![0xDE, 0xAD, 0xBE, 0xEF]);
        b.run_for(200);
        assert_eq!(cards(&b).len(), 2);
        // Another card replacing it at once is a new read.
        b.sim.rfid_card = Some(vec![1, 2, 3, 4, 5, 6, 7]);
        b.run_for(200);
        assert_eq!(cards(&b).last(), Some(&vec![1, 2, 3, 4, 5, 6, 7]));
    }

    #[test]
    fn reports_pilot_levels_and_contactor_every_10_ms() {
        let mut b = Bench::connected();
        b.sim.plug(CableCoding::for_rating(32).unwrap());
        b.sim.request_state(EvNetwork::C).unwrap();
        b.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
            duty_permille: 267,
        }));
        b.send(ControllerMessage::SetContactor { closed: true });
        b.take();
        b.run_for(100);
        let statuses = b
            .received
            .iter()
            .filter(|m| matches!(m, BoardMessage::Status(_)))
            .count();
        assert!(
            (10..=12).contains(&statuses),
            "{statuses} statuses in 100 ms"
        );
        let s = b.last_status();
        assert!((s.cp_high_mv - 6000).abs() <= 300, "{s:?}");
        assert!((s.cp_low_mv + 12000).abs() <= 300);
        assert_eq!(s.pp_ohms, Some(220));
        assert!(s.contactor_closed);
        assert_eq!(
            b.sim.contactor.last_transition(),
            Some(Duration::from_millis(26))
        );
    }

    #[test]
    fn meter_samples_come_every_second_while_closed() {
        let mut b = Bench::connected();
        b.sim.plug(CableCoding::Tethered);
        b.sim.request_state(EvNetwork::C).unwrap();
        b.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
            duty_permille: 267,
        }));
        b.send(ControllerMessage::SetContactor { closed: true });
        b.take();
        b.run_for(4000);
        let samples: Vec<MeterSample> = b
            .received
            .iter()
            .filter_map(|m| match m {
                BoardMessage::MeterSample(s) => Some(*s),
                _ => None,
            })
            .collect();
        assert!(
            (3..=4).contains(&samples.len()),
            "{} samples",
            samples.len()
        );
        let last = samples.last().unwrap();
        assert_eq!(last.phases[0].voltage_tenth_v, 2300);
        assert!((last.phases[2].current_ma as i64 - 16_020).abs() <= 10);
        assert!(last.import_energy_mwh > 0);
    }

    #[test]
    fn opens_the_contactor_after_five_silent_seconds_and_recovers_on_hello() {
        let mut b = Bench::connected();
        b.send(ControllerMessage::SetContactor { closed: true });
        b.send(ControllerMessage::SetLock { locked: true });
        b.run_for(4_990);
        assert!(b.sim.contactor.is_closed());
        assert!(b.faults().is_empty());
        b.run_for(100);
        assert!(!b.sim.contactor.is_closed());
        assert_eq!(b.faults(), vec![(BoardFaultCode::LinkTimeout, true, true)]);
        assert_eq!(b.sim.cp_drive(), CpDrive::DcNegative);
        b.run_for(400);
        assert!(
            !b.sim.lock.is_locked(),
            "unlocked once the contactor is open"
        );
        b.take();
        b.send(ControllerMessage::SetContactor { closed: true });
        b.run_for(100);
        assert!(!b.sim.contactor.is_closed(), "commands ignored until Hello");
        b.send(ControllerMessage::Hello {
            firmware_version: "fw".into(),
        });
        assert_eq!(
            b.faults(),
            vec![(BoardFaultCode::LinkTimeout, false, false)]
        );
    }

    #[test]
    fn a_cut_link_looks_silent_to_both_sides() {
        let mut b = Bench::connected();
        b.send(ControllerMessage::SetContactor { closed: true });
        b.sim.board_link_up = false;
        b.take();
        for _ in 0..6 {
            b.send(ControllerMessage::KeepAlive);
            b.run_for(1000);
        }
        assert!(b.take().is_empty(), "nothing gets out");
        assert!(!b.sim.contactor.is_closed(), "keep-alives did not get in");
    }

    #[test]
    fn rcm_self_test_passes_or_fails() {
        let mut b = Bench::connected();
        b.send(ControllerMessage::StartRcmSelfTest);
        b.run_for(20);
        assert_eq!(
            b.last_status().residual_dc_tenth_ma,
            100,
            "test current visible"
        );
        b.run_for(100);
        assert!(b.received.contains(&BoardMessage::RcmSelfTestResult {
            passed: true,
            measured_tenth_ma: 100
        }));
        b.sim.rcm.set_self_test_broken(true);
        b.take();
        b.send(ControllerMessage::StartRcmSelfTest);
        b.run_for(100);
        assert!(b.received.contains(&BoardMessage::RcmSelfTestResult {
            passed: false,
            measured_tenth_ma: 0
        }));
    }

    #[test]
    fn weld_lock_failure_and_over_temperature_are_reported() {
        let mut b = Bench::connected();
        b.send(ControllerMessage::SetContactor { closed: true });
        b.run_for(50);
        b.sim.set_contactor_welded(true);
        b.send(ControllerMessage::SetContactor { closed: false });
        b.run_for(300);
        assert!(b
            .faults()
            .contains(&(BoardFaultCode::ContactorWelded, true, false)));
        b.sim.set_lock_failed(true);
        b.send(ControllerMessage::SetLock { locked: true });
        b.run_for(1100);
        assert!(b
            .faults()
            .contains(&(BoardFaultCode::LockFailure, true, false)));
        b.sim.set_contactor_welded(false);
        b.run_for(100);
        b.send(ControllerMessage::SetContactor { closed: true });
        b.run_for(100);
        b.take();
        b.sim.temperature_c = 90.0;
        b.run_for(100);
        assert_eq!(
            b.faults(),
            vec![(BoardFaultCode::OverTemperature, true, true)]
        );
        assert!(!b.sim.contactor.is_closed());
        b.send(ControllerMessage::SetContactor { closed: true });
        b.run_for(100);
        assert!(
            !b.sim.contactor.is_closed(),
            "the cut-out overrides the controller"
        );
        assert_eq!(b.last_status().temperature_tenth_c, 900);
    }

    #[test]
    fn a_restarted_board_starts_over() {
        let mut b = Bench::connected();
        b.sim.plug(CableCoding::Tethered);
        b.sim.request_state(EvNetwork::C).unwrap();
        b.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
            duty_permille: 267,
        }));
        b.send(ControllerMessage::SetContactor { closed: true });
        b.run_for(5000);
        assert!(b.sim.meter.total_energy_wh() > 0.0);
        b.board.restart(&mut b.sim, b.now);
        b.take();
        b.run_for(50);
        assert!(matches!(b.received[0], BoardMessage::Hello { .. }));
        assert!(b.last_status().board_uptime_ms <= 50);
        assert!(!b.sim.contactor.is_closed());
        assert_eq!(b.board.link_state(), LinkState::AwaitingHello);
        let sample = b.received.iter().find_map(|m| match m {
            BoardMessage::MeterSample(s) => Some(*s),
            _ => None,
        });
        assert!(
            sample.unwrap().import_energy_mwh < 10,
            "accumulator restarted"
        );
    }

    #[test]
    fn a_hello_of_another_version_gets_this_boards_hello() {
        let mut b = Bench::new();
        let wire = board_link::encode_frame_raw(2, 0, 0x01, &[0]);
        let out = b.board.receive(&wire, &mut b.sim, b.now);
        b.collect(&out);
        assert!(matches!(b.take().as_slice(), [BoardMessage::Hello { .. }]));
        assert_eq!(b.board.link_state(), LinkState::AwaitingHello);
        assert_eq!(b.board.counters().bad_frames, 1);
    }
}

//! A fake power board and a fake clock around the core, for the table and property tests.
#![allow(dead_code)]

pub mod firmware_thread;
pub mod pty_board;

use board_link::{BoardMessage, ControllerMessage, MeterSample, PhaseSample, PilotOutput, Status};
use reference_firmware::core::*;

/// What the simulated vehicle does to the pilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vehicle {
    A,
    B,
    C,
    D,
    /// CP shorted to PE (state E).
    ShortToPe,
    /// State C with a shorted diode: no −12 V half-wave under PWM.
    DiodeShortC,
    /// An arbitrary positive plateau (mV), for the band tests.
    Level(i16),
}

impl Vehicle {
    fn level_mv(self) -> i16 {
        match self {
            Vehicle::A => 12_000,
            Vehicle::B => 9_000,
            Vehicle::C | Vehicle::DiodeShortC => 6_000,
            Vehicle::D => 3_000,
            Vehicle::ShortToPe => 0,
            Vehicle::Level(mv) => mv,
        }
    }
}

/// How the fake board answers the residual-current self-test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTestAnswer {
    Pass,
    Fail,
    Silent,
}

pub struct Rig {
    pub charger: Charger,
    pub now: Millis,
    pub vehicle: Vehicle,
    pub pp_ohms: Option<u32>,
    pub residual_tenth_ma: u16,
    pub temperature_tenth_c: i16,
    pub self_test_answer: SelfTestAnswer,
    /// The board stops sending (link loss).
    pub board_silent: bool,
    /// Outputs of the board as last commanded.
    pub pilot: PilotOutput,
    pub contactor: bool,
    pub lock: bool,
    /// (time, closed) for every contactor command that changed the board's contactor.
    pub contactor_log: Vec<(Millis, bool)>,
    /// (time, pilot) for every pilot change.
    pub pilot_log: Vec<(Millis, PilotOutput)>,
    pub events: Vec<(Millis, Event)>,
    pub stores: Vec<StoreRequest>,
    pub lights: Option<(board_link::LightSetting, board_link::LightSetting)>,
    /// The lock motor is jammed: the lock never reports engaged.
    pub lock_jammed: bool,
    pub self_tests_requested: u32,
    /// When the board last reported a passed self-test.
    pub last_self_test_pass: Option<Millis>,
    pub meter_mwh: u64,
    pending_self_test: Option<Millis>,
}

pub const STEP_MS: u64 = 10;

impl Rig {
    /// A charger of `product` with settings, booted until idle (or until 3 s passed).
    pub fn with(product: u32, settings: Settings, stored: Stored) -> Rig {
        let variant = Variant::from_product_number(product).expect("known product");
        let mut cfg = ChargerConfig::new(variant);
        cfg.settings = settings;
        Rig::with_config(cfg, stored)
    }

    /// A charger with a complete configuration (e.g. seeded defects), board connected.
    pub fn with_config(cfg: ChargerConfig, stored: Stored) -> Rig {
        let charger = Charger::new(Millis(0), cfg, stored);
        let mut rig = Rig {
            charger,
            now: Millis(0),
            vehicle: Vehicle::A,
            pp_ohms: None,
            residual_tenth_ma: 0,
            temperature_tenth_c: 250,
            self_test_answer: SelfTestAnswer::Pass,
            board_silent: false,
            pilot: PilotOutput::DcMinus12V,
            contactor: false,
            lock: false,
            contactor_log: Vec::new(),
            pilot_log: Vec::new(),
            events: Vec::new(),
            stores: Vec::new(),
            lights: None,
            lock_jammed: false,
            self_tests_requested: 0,
            last_self_test_pass: None,
            meter_mwh: 0,
            pending_self_test: None,
        };
        rig.drain();
        rig.board_says(BoardMessage::Hello {
            board_id: "FAKE-1".into(),
            board_firmware: "1.0".into(),
        });
        rig
    }

    pub fn new(product: u32) -> Rig {
        let mut rig = Rig::with(product, Settings::default(), Stored::default());
        rig.advance(100);
        assert!(
            rig.charger.snapshot().ready,
            "did not boot: {:?}",
            rig.charger.snapshot()
        );
        rig
    }

    /// A booted tethered 16 A three-phase Halo with one known card ("01020304").
    pub fn halo() -> Rig {
        let mut rig = Rig::new(130577);
        rig.charger.set_offline_cards(vec!["01020304".into()]);
        rig.drain();
        rig
    }

    pub fn board_says(&mut self, msg: BoardMessage) {
        self.charger.handle_input(self.now, Input::Board(msg));
        self.drain();
    }

    pub fn input(&mut self, input: Input) {
        self.charger.handle_input(self.now, input);
        self.drain();
    }

    pub fn card(&mut self, uid: &[u8]) {
        self.input(Input::CardPresented { uid: uid.to_vec() });
    }

    pub fn status(&self) -> Status {
        let level = self.vehicle.level_mv();
        let (high, low) = match self.pilot {
            PilotOutput::DcMinus12V => (-12_000, -12_000),
            PilotOutput::DcPlus12V => (level, level),
            PilotOutput::Pwm { .. } => match self.vehicle {
                Vehicle::DiodeShortC => (level, -level),
                Vehicle::ShortToPe => (0, 0),
                _ => (level, -12_000),
            },
        };
        Status {
            cp_high_mv: high,
            cp_low_mv: low,
            pp_ohms: self.pp_ohms,
            contactor_closed: self.contactor,
            lock_engaged: self.lock && !self.lock_jammed,
            ethernet_link_up: false,
            residual_dc_tenth_ma: self.residual_tenth_ma,
            temperature_tenth_c: self.temperature_tenth_c,
            board_uptime_ms: self.now.0 as u32,
        }
    }

    /// Advances the clock by `ms` in 10 ms steps; the board reports its status each step,
    /// and timeouts are handled exactly when due.
    pub fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        while self.now < end {
            let step_end = (self.now + STEP_MS).min(end);
            // Timeouts inside the step, in order.
            while let Some(t) = self.charger.poll_timeout() {
                if t >= step_end {
                    break;
                }
                self.now = self.now.max(t);
                self.charger.handle_timeout(self.now);
                self.drain();
            }
            self.now = step_end;
            if let Some(at) = self.pending_self_test {
                if self.now >= at {
                    self.pending_self_test = None;
                    let passed = self.self_test_answer == SelfTestAnswer::Pass;
                    if passed {
                        self.last_self_test_pass = Some(self.now);
                    }
                    self.board_says(BoardMessage::RcmSelfTestResult {
                        passed,
                        measured_tenth_ma: if passed { 100 } else { 0 },
                    });
                }
            }
            if !self.board_silent {
                let s = self.status();
                self.board_says(BoardMessage::Status(s));
                if self.contactor && self.now.0.is_multiple_of(1000) {
                    // 11 kW on three phases: 3.05 Wh per second.
                    self.meter_mwh += 3056;
                    self.board_says(BoardMessage::MeterSample(self.meter_sample()));
                }
            }
            self.charger.handle_timeout(self.now);
            self.drain();
        }
    }

    pub fn meter_sample(&self) -> MeterSample {
        let phase = PhaseSample {
            voltage_tenth_v: 2300,
            current_ma: if self.contactor { 16_000 } else { 0 },
            active_power_tenth_w: if self.contactor { 36_800 } else { 0 },
            power_factor_milli: 1000,
        };
        MeterSample {
            phases: [phase; 3],
            import_energy_mwh: self.meter_mwh,
        }
    }

    /// Performs the core's outputs on the fake board.
    pub fn drain(&mut self) {
        while let Some(out) = self.charger.poll_output() {
            match out {
                Output::Board(ControllerMessage::SetContactor { closed }) => {
                    if closed != self.contactor {
                        self.contactor = closed;
                        self.contactor_log.push((self.now, closed));
                    }
                }
                Output::Board(ControllerMessage::SetPilot(p)) => {
                    if p != self.pilot {
                        self.pilot = p;
                        self.pilot_log.push((self.now, p));
                    }
                }
                Output::Board(ControllerMessage::SetLock { locked }) => self.lock = locked,
                Output::Board(ControllerMessage::StartRcmSelfTest) => {
                    self.self_tests_requested += 1;
                    if self.self_test_answer != SelfTestAnswer::Silent {
                        self.pending_self_test = Some(self.now + 100);
                    }
                }
                Output::Board(ControllerMessage::SetLights { central, ring }) => {
                    self.lights = Some((central, ring))
                }
                Output::Board(_) => {}
                Output::Store(s) => self.stores.push(s),
                Output::Event(e) => self.events.push((self.now, e)),
            }
        }
    }

    /// Plugs in, presents the known card, waits for PWM, goes to C and waits for the contactor.
    pub fn start_charging(&mut self) {
        self.vehicle = Vehicle::B;
        self.advance(300);
        self.card(&[1, 2, 3, 4]);
        self.advance(300);
        assert!(
            matches!(self.pilot, PilotOutput::Pwm { .. }),
            "no PWM: {:?}",
            self.charger.snapshot()
        );
        self.vehicle = Vehicle::C;
        self.advance(200);
        assert!(
            self.contactor,
            "contactor did not close: {:?}",
            self.charger.snapshot()
        );
    }

    /// The time of the last contactor change to `closed`.
    pub fn last_contactor_change(&self, closed: bool) -> Option<Millis> {
        self.contactor_log
            .iter()
            .rev()
            .find(|(_, c)| *c == closed)
            .map(|(t, _)| *t)
    }

    pub fn duty(&self) -> Option<u16> {
        match self.pilot {
            PilotOutput::Pwm { duty_permille } => Some(duty_permille),
            _ => None,
        }
    }

    pub fn connector_status(&self) -> ConnectorStatus {
        self.charger.snapshot().status
    }

    pub fn fault(&self) -> Option<Fault> {
        self.charger.snapshot().fault
    }

    pub fn has_event(&self, pred: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(|(_, e)| pred(e))
    }
}

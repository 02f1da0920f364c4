//! A controller on the board terminal (speaking BOARD_LINK.md through the board-link codec)
//! while the EV emulator, analyser and control channel observe and inject faults.

mod common;

use board_link::{BoardMessage, ControllerMessage, Decoder, Encoder, PilotOutput, Status};
use common::{meas, truth, LineClient};
use rig_sim::{Rig, RigConfig};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

struct Controller {
    client: LineClient,
    encoder: Encoder,
    decoder: Decoder<BoardMessage>,
    received: Vec<BoardMessage>,
}

impl Controller {
    fn connect(rig: &rig_sim::RunningRig) -> Controller {
        let mut c = Controller {
            client: LineClient::open(&rig.paths().board),
            encoder: Encoder::new(),
            decoder: Decoder::new(),
            received: Vec::new(),
        };
        c.send(ControllerMessage::Hello {
            firmware_version: "test".into(),
        });
        c.wait_for(|m| matches!(m, BoardMessage::Hello { .. }), "board Hello");
        c
    }

    fn send(&mut self, m: ControllerMessage) {
        let wire = self.encoder.encode(&m);
        self.client.port().write_all(&wire).unwrap();
    }

    /// Reads frames until one satisfies `pred` (2 s at most).
    fn wait_for(&mut self, pred: impl Fn(&BoardMessage) -> bool, what: &str) -> BoardMessage {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            if let Some(at) = self.received.iter().position(&pred) {
                let m = self.received.remove(at);
                self.received.drain(..at);
                return m;
            }
            assert!(Instant::now() < deadline, "no {what} within 2 s");
            let mut buf = [0u8; 512];
            if let Ok(n) = self.client.port().read(&mut buf) {
                for r in self.decoder.push_slice(&buf[..n]) {
                    self.received.push(r.expect("valid board frame").message);
                }
            }
        }
    }

    /// A status sent after this call (older ones may still sit in the terminal).
    fn status(&mut self) -> Status {
        let asked = Instant::now();
        loop {
            self.received.clear();
            let m = self.wait_for(|m| matches!(m, BoardMessage::Status(_)), "Status");
            if let (BoardMessage::Status(s), true) =
                (m, asked.elapsed() > Duration::from_millis(30))
            {
                return s;
            }
        }
    }
}

#[test]
fn charging_session_levels_currents_and_contactor_timing() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut ev = LineClient::open(&rig.paths().ev);
    let mut control = LineClient::open(&rig.paths().control);
    let mut analyser = LineClient::open(&rig.paths().analyser);
    let mut fw = Controller::connect(&rig);

    fw.send(ControllerMessage::SetPilot(PilotOutput::DcPlus12V));
    std::thread::sleep(Duration::from_millis(30));
    let a = meas(&ev.ask("MEAS?"));
    assert!(
        (a[0] - 12.0).abs() <= 0.3 && a[2] == 0.0 && a[3] == 100.0,
        "{a:?}"
    );

    assert_eq!(ev.ask("PLUG A=32"), "OK");
    let s = fw.status();
    assert!((f64::from(s.cp_high_mv) - 9000.0).abs() <= 300.0, "{s:?}");
    assert_eq!(s.pp_ohms, Some(220));

    fw.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
        duty_permille: 267,
    }));
    assert_eq!(ev.ask("STATE C"), "OK");
    let c = meas(&ev.ask("MEAS?"));
    assert!(
        (c[0] - 6.0).abs() <= 0.3 && (c[1] + 12.0).abs() <= 0.3,
        "{c:?}"
    );
    assert_eq!((c[2], c[3]), (1000.0, 26.7));

    fw.send(ControllerMessage::SetContactor { closed: true });
    let closed = fw.wait_for(
        |m| matches!(m, BoardMessage::Status(s) if s.contactor_closed),
        "contactor closed",
    );
    assert!(matches!(closed, BoardMessage::Status(_)));
    // The vehicle ramps to 16.02 A within its 2 s reaction time.
    std::thread::sleep(Duration::from_millis(2100));
    let m = meas(&ev.ask("MEAS?"));
    assert_eq!(&m[4..7], &[230.0; 3]);
    assert!((m[7] - 16.02).abs() < 0.01, "{m:?}");
    analyser.send(":NUM:NORM:NUM 3;ITEM1 U,1;ITEM2 I,3;ITEM3 P,SIGMA\n");
    let values: Vec<f64> = analyser
        .ask(":NUM:NORM:VAL?")
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(values[0], 230.0);
    assert!((values[1] - 16.02).abs() < 0.01);
    assert!(
        (values[2] - 3.0 * 230.0 * 16.02 * 0.99).abs() < 1.0,
        "{values:?}"
    );

    // A lower offer: the vehicle is at the new current one reaction time later.
    fw.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
        duty_permille: 167,
    }));
    std::thread::sleep(Duration::from_millis(1000));
    let halfway = meas(&ev.ask("MEAS?"))[7];
    assert!(halfway < 16.0 && halfway > 10.0, "ramping: {halfway}");
    std::thread::sleep(Duration::from_millis(1100));
    assert!((meas(&ev.ask("MEAS?"))[7] - 10.02).abs() < 0.01);

    // C -> B: the vehicle stops at once; the controller opens; the rig stamps the instant.
    assert_eq!(ev.ask("STATE B"), "OK");
    assert_eq!(meas(&ev.ask("MEAS?"))[7], 0.0);
    let before = truth(&control.ask("STATE?"), "t_us")
        .parse::<i64>()
        .unwrap();
    fw.send(ControllerMessage::SetContactor { closed: false });
    fw.wait_for(
        |m| matches!(m, BoardMessage::Status(s) if !s.contactor_closed),
        "contactor open",
    );
    let state = control.ask("STATE?");
    assert_eq!(truth(&state, "contactor"), "open");
    let opened = truth(&state, "contactor_changed_us")
        .parse::<i64>()
        .unwrap();
    assert!(opened > before, "transition stamped after the command");
    assert_eq!(&meas(&ev.ask("MEAS?"))[4..7], &[0.0; 3]);
    rig.stop().unwrap();
}

#[test]
fn injected_faults_are_observable() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut ev = LineClient::open(&rig.paths().ev);
    let mut control = LineClient::open(&rig.paths().control);
    let mut fw = Controller::connect(&rig);
    fw.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
        duty_permille: 500,
    }));
    assert_eq!(ev.ask("PLUG TETHERED"), "OK");

    assert_eq!(ev.ask("FAULT DIODE_SHORT"), "OK");
    let m = meas(&ev.ask("MEAS?"));
    assert!(m[1] > -11.0 && (m[0] + m[1]).abs() < 0.01, "{m:?}");
    let s = fw.status();
    assert!(s.cp_low_mv > -11000, "{s:?}");
    assert_eq!(ev.ask("FAULT CP_PE_SHORT"), "OK");
    assert_eq!(&meas(&ev.ask("MEAS?"))[..3], &[0.0, 0.0, 0.0]);
    assert_eq!(ev.ask("FAULT PE_OPEN"), "OK");
    assert_eq!(&meas(&ev.ask("MEAS?"))[..2], &[12.0, -12.0]);
    assert_eq!(ev.ask("FAULT NONE"), "OK");

    // DC leakage shows on the board's sensor while the vehicle is supplied.
    assert_eq!(ev.ask("STATE C"), "OK");
    assert_eq!(ev.ask("RCD 6"), "OK");
    fw.send(ControllerMessage::SetContactor { closed: true });
    fw.wait_for(
        |m| matches!(m, BoardMessage::Status(s) if s.contactor_closed && s.residual_dc_tenth_ma == 60),
        "6 mA residual current",
    );

    // A welded contactor stays closed: the vehicle inlet keeps its voltage.
    assert_eq!(control.ask("WELD ON"), "OK");
    fw.send(ControllerMessage::SetContactor { closed: false });
    fw.wait_for(
        |m| {
            matches!(
                m,
                BoardMessage::Fault {
                    code: board_link::BoardFaultCode::ContactorWelded,
                    active: true,
                    ..
                }
            )
        },
        "welded fault",
    );
    assert_eq!(&meas(&ev.ask("MEAS?"))[4..7], &[230.0; 3]);
    assert_eq!(truth(&control.ask("STATE?"), "board_faults"), "welded");
    assert_eq!(control.ask("WELD OFF"), "OK");

    // Mains loss: no voltage, the metering chip reports zeros.
    assert_eq!(control.ask("MAINS OFF"), "OK");
    let sample = fw.wait_for(
        |m| matches!(m, BoardMessage::MeterSample(_)),
        "meter sample",
    );
    if let BoardMessage::MeterSample(s) = sample {
        assert_eq!(s.phases[0].voltage_tenth_v, 0);
    }
    // Over-temperature: the board reports the temperature.
    assert_eq!(control.ask("TEMP 70.5"), "OK");
    assert_eq!(fw.status().temperature_tenth_c, 705);
    rig.stop().unwrap();
}

#[test]
fn lock_failure_and_board_link_loss() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut ev = LineClient::open(&rig.paths().ev);
    let mut control = LineClient::open(&rig.paths().control);
    let mut fw = Controller::connect(&rig);
    assert_eq!(ev.ask("PLUG A=32"), "OK");
    assert_eq!(ev.ask("STATE C"), "OK");
    fw.send(ControllerMessage::SetPilot(PilotOutput::Pwm {
        duty_permille: 267,
    }));

    assert_eq!(control.ask("LOCKFAIL ON"), "OK");
    fw.send(ControllerMessage::SetLock { locked: true });
    fw.wait_for(
        |m| {
            matches!(
                m,
                BoardMessage::Fault {
                    code: board_link::BoardFaultCode::LockFailure,
                    active: true,
                    ..
                }
            )
        },
        "lock failure",
    );
    assert!(!fw.status().lock_engaged);
    assert_eq!(control.ask("LOCKFAIL OFF"), "OK");
    fw.wait_for(
        |m| matches!(m, BoardMessage::Status(s) if s.lock_engaged),
        "lock engaged",
    );

    fw.send(ControllerMessage::SetContactor { closed: true });
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(&meas(&ev.ask("MEAS?"))[4..7], &[230.0; 3]);
    // Cut the link: after 5 s of silence the board opens and drives the pilot to -12 V.
    assert_eq!(control.ask("LINK DOWN"), "OK");
    let cut = Instant::now();
    std::thread::sleep(Duration::from_millis(4800));
    assert_eq!(truth(&control.ask("STATE?"), "contactor"), "closed");
    while truth(&control.ask("STATE?"), "contactor") == "closed" {
        assert!(
            cut.elapsed() < Duration::from_millis(5500),
            "board kept the contactor closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let m = meas(&ev.ask("MEAS?"));
    assert_eq!(&m[..2], &[-12.0, -12.0]);
    assert_eq!(&m[4..7], &[0.0; 3]);
    let state = control.ask("STATE?");
    assert_eq!(truth(&state, "board"), "awaiting_hello");
    assert_eq!(truth(&state, "board_faults"), "link_timeout");
    rig.stop().unwrap();
}

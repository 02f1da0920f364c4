//! Arbitrary input never panics a protocol handler, and garbage on the board link is only
//! counted. Inputs come from a fixed-seed generator mixing protocol words, numbers and noise.

use rig_sim::board::PowerBoard;
use rig_sim::control::{Clock, ControlChannel};
use rig_sim::instruments::analyser::PowerAnalyser;
use rig_sim::instruments::ev::EvEmulator;
use rig_sim::instruments::ev_can::{reply_to_frames, request_to_line, CanFrame, REQUEST_ID};
use rig_sim::instruments::rfid::RfidEmulator;
use rig_sim::sim::{Sim, SimConfig};
use std::time::Duration;

/// xorshift64*: deterministic, no dependency.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn line(&mut self) -> String {
        const WORDS: &[&str] = &[
            "PLUG",
            "UNPLUG",
            "STATE",
            "LOAD",
            "FAULT",
            "RCD",
            "MEAS?",
            "*IDN?",
            "A=32",
            "R=",
            "TETHERED",
            "C",
            "B",
            "D",
            "DIODE_SHORT",
            ":NUM",
            ":NORM",
            ":ITEM",
            "ITEM1",
            "?",
            ";",
            ",",
            ":",
            "*RST",
            "*CLS",
            ":INTEG:STAR",
            ":SYST:ERR?",
            "U,1",
            "WH,SIGMA",
            "CONFIG=",
            "UID=",
            "UID?",
            "MF_CLASSIC_1K",
            "WELD",
            "ON",
            "TEMP",
            "STATE?",
            "LINK",
            "DOWN",
            "BATTERY",
            "-1",
            "0",
            "1e400",
            "NaN",
            "inf",
            "999999999999",
            "0.5",
            "3",
            "=",
            "\u{e9}\u{fc}",
            "\u{0}",
            "  ",
            "\t",
        ];
        let n = self.next() % 8;
        let mut s = String::new();
        for _ in 0..n {
            if self.next().is_multiple_of(5) {
                s.push(char::from((self.next() % 128) as u8));
            } else {
                s.push_str(self.pick(WORDS));
            }
            if self.next().is_multiple_of(2) {
                s.push(' ');
            }
        }
        s
    }
}

#[test]
fn text_handlers_survive_arbitrary_lines() {
    let mut sim = Sim::new(SimConfig::default());
    let mut board = PowerBoard::new("F");
    let ev = EvEmulator::new("F");
    let mut analyser = PowerAnalyser::new("F");
    let mut rfid = RfidEmulator::default();
    let control = ControlChannel::new(
        "F",
        Clock {
            epoch_at_zero_us: 0,
        },
    );
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    for k in 0..20_000u64 {
        let line = noise.line();
        sim.step(Duration::from_millis(k));
        if let Some(reply) = ev.handle(&line, &mut sim) {
            assert!(reply == "OK" || reply.starts_with("OK ") || reply.starts_with("ERR 10"));
        }
        analyser.handle(&line, &mut sim);
        for reply in rfid.handle(&line, &mut sim) {
            assert!(!reply.contains('\n'));
        }
        if let Some(reply) = control.handle(&line, &mut sim, &mut board) {
            assert!(
                reply.starts_with("OK") || reply.starts_with("ERR 10"),
                "{line:?}: {reply}"
            );
        }
    }
    // The model is still sane afterwards.
    let m = sim.cp_measurement();
    assert!(m.high_v.is_finite() && m.low_v.is_finite());
    assert!(sim.currents().iter().all(|i| i.is_finite() && *i >= 0.0));
}

#[test]
fn board_link_garbage_is_counted_not_obeyed() {
    let mut sim = Sim::new(SimConfig::default());
    let mut board = PowerBoard::new("F");
    let mut noise = Noise(42);
    let mut bytes = Vec::new();
    for _ in 0..50_000 {
        bytes.push((noise.next() % 256) as u8);
    }
    for (k, chunk) in bytes.chunks(97).enumerate() {
        let now = Duration::from_millis(k as u64);
        sim.step(now);
        board.receive(chunk, &mut sim, now);
        board.poll(&mut sim, now);
    }
    assert!(board.counters().bad_frames > 0);
    assert_eq!(board.counters().frames_received, 0);
    assert!(!sim.contactor.coil_on(), "noise never closes the contactor");
}

#[test]
fn can_requests_survive_arbitrary_frames() {
    let mut sim = Sim::new(SimConfig::default());
    let ev = EvEmulator::new("F");
    let mut noise = Noise(7);
    for _ in 0..20_000 {
        let data = noise.next().to_le_bytes();
        let frame = CanFrame {
            id: REQUEST_ID,
            data,
        };
        match request_to_line(&frame) {
            Ok(line) => {
                let reply = ev.handle(&line, &mut sim).expect("a command line");
                let frames = reply_to_frames(data[0], &reply);
                assert_eq!(frames[0].data[0], data[0]);
            }
            Err((op, code)) => assert!(op == data[0] && (code == 100 || code == 101)),
        }
    }
}

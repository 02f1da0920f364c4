//! The board side of a pseudo-terminal pair, speaking board-link like a real power board.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use board_link::{BoardMessage, ControllerMessage, Decoder, Encoder, Status};
use serialport::{SerialPort, TTYPort};

pub struct PtyBoard {
    pub port: TTYPort,
    dec: Decoder<ControllerMessage>,
    enc: Encoder,
    /// Every frame the controller sent, with its arrival time.
    pub received: Vec<(Instant, ControllerMessage)>,
    /// Send a Status every 100 ms while pumping.
    pub status_on: bool,
    /// Answer Hello and StartRcmSelfTest automatically.
    pub auto_answer: bool,
    pub status: Status,
    last_status: Instant,
}

impl PtyBoard {
    pub fn new(mut port: TTYPort) -> PtyBoard {
        port.set_timeout(Duration::from_millis(20)).unwrap();
        PtyBoard {
            port,
            dec: Decoder::new(),
            enc: Encoder::new(),
            received: Vec::new(),
            status_on: false,
            auto_answer: true,
            status: Status {
                cp_high_mv: 12_000,
                cp_low_mv: 12_000,
                temperature_tenth_c: 250,
                ..Status::default()
            },
            last_status: Instant::now(),
        }
    }

    pub fn send(&mut self, msg: &BoardMessage) {
        let frame = self.enc.encode(msg);
        self.port.write_all(&frame).unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).unwrap();
    }

    /// Reads and answers for `dur`.
    pub fn pump(&mut self, dur: Duration) {
        let end = Instant::now() + dur;
        while Instant::now() < end {
            self.pump_once();
        }
    }

    /// Pumps until a frame matching `pred` arrives (returns it) or `timeout` passes.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&ControllerMessage) -> bool,
    ) -> Option<(Instant, ControllerMessage)> {
        let start_len = self.received.len();
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            self.pump_once();
            if let Some(hit) = self.received[start_len..].iter().find(|(_, m)| pred(m)) {
                return Some(hit.clone());
            }
        }
        None
    }

    fn pump_once(&mut self) {
        let mut buf = [0u8; 256];
        match self.port.read(&mut buf) {
            Ok(n) if n > 0 => {
                for r in self.dec.push_slice(&buf[..n]) {
                    let msg = r.expect("the firmware sends valid frames").message;
                    self.answer(&msg);
                    self.received.push((Instant::now(), msg));
                }
            }
            _ => {}
        }
        if self.status_on && self.last_status.elapsed() >= Duration::from_millis(100) {
            self.last_status = Instant::now();
            let s = self.status;
            self.send(&BoardMessage::Status(s));
        }
    }

    fn answer(&mut self, msg: &ControllerMessage) {
        if !self.auto_answer {
            return;
        }
        match msg {
            ControllerMessage::Hello { .. } => self.send(&BoardMessage::Hello {
                board_id: "PTY-BOARD".into(),
                board_firmware: "test".into(),
            }),
            ControllerMessage::StartRcmSelfTest => self.send(&BoardMessage::RcmSelfTestResult {
                passed: true,
                measured_tenth_ma: 100,
            }),
            _ => {}
        }
    }
}

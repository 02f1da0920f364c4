//! A fake CSMS and a fake clock around the charge point state machine.
#![allow(dead_code)]

use std::collections::VecDeque;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ocpp_charge_point::{
    ChargePoint, CoreEvent, MeterReading, Output, PhaseValues, Settings, StoredState,
};
use serde_json::{json, Value};

pub struct Bench {
    pub cp: ChargePoint,
    pub now: DateTime<Utc>,
    pub settings: Settings,
    pub stored: StoredState,
    /// Frames from the charge point not yet looked at.
    pub frames: VecDeque<Value>,
    /// Every non-frame, non-store output, in order.
    pub events: Vec<Output>,
    /// (connector, status) of every StatusNotification seen.
    pub statuses: Vec<(u64, String)>,
    /// Every CALL the charge point sent: (action, payload).
    pub calls: Vec<(String, Value)>,
    /// Message ids of those CALLs.
    pub call_ids: Vec<String>,
    next_csms_id: u64,
    pub next_transaction_id: i64,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap()
}

pub fn reading(energy_wh: f64) -> MeterReading {
    MeterReading {
        energy_wh,
        power_w: PhaseValues::three(3680.0, 3680.0, 3680.0),
        current_a: PhaseValues::three(16.0, 16.0, 16.0),
        voltage_v: PhaseValues::three(230.0, 230.0, 230.0),
        current_offered_a: Some(16.0),
        frequency_hz: None,
        temperature_c: None,
    }
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(has_null),
        Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}

impl Bench {
    /// A fresh charger, not yet connected.
    pub fn new() -> Bench {
        Bench::with(
            Settings::wallbox("SN-0001", "1.0.0"),
            StoredState::default(),
            t0(),
        )
    }

    pub fn with(settings: Settings, stored: StoredState, now: DateTime<Utc>) -> Bench {
        let cp = ChargePoint::new(settings.clone(), &stored, now);
        let mut b = Bench {
            cp,
            now,
            settings,
            stored,
            frames: VecDeque::new(),
            events: Vec::new(),
            statuses: Vec::new(),
            calls: Vec::new(),
            call_ids: Vec::new(),
            next_csms_id: 1,
            next_transaction_id: 100,
        };
        b.pump();
        b
    }

    /// Connected, BootNotification accepted, initial statuses answered.
    pub fn online() -> Bench {
        let mut b = Bench::new();
        b.connect();
        b.accept_boot();
        b.settle();
        b
    }

    /// Restarts the charger from what it stored (power cycle).
    pub fn reboot(&mut self) {
        let stored = self.stored.clone();
        *self = Bench::with(self.settings.clone(), stored, self.now);
    }

    pub fn pump(&mut self) {
        while let Some(out) = self.cp.poll_output() {
            match out {
                Output::SendFrame(text) => {
                    let v: Value =
                        serde_json::from_str(&text).expect("charge point sent invalid JSON");
                    // The 1.6 schemas allow no null anywhere: absent fields are omitted.
                    assert!(!has_null(&v), "null in frame {text}");
                    if v[0] == 2 {
                        self.calls
                            .push((v[2].as_str().unwrap().to_string(), v[3].clone()));
                    }
                    self.frames.push_back(v);
                }
                Output::Store { key, bytes } => self.stored.apply(key, bytes),
                other => self.events.push(other),
            }
        }
    }

    pub fn connect(&mut self) {
        self.cp.on_connected(self.now);
        self.pump();
    }

    pub fn disconnect(&mut self) {
        self.cp.on_disconnected(self.now);
        self.frames.clear();
        self.pump();
    }

    pub fn core(&mut self, event: CoreEvent) {
        self.cp.handle(self.now, event);
        self.pump();
    }

    pub fn plug(&mut self) {
        self.core(CoreEvent::CablePlugged { connector: 1 });
    }

    pub fn unplug(&mut self) {
        self.core(CoreEvent::CableUnplugged { connector: 1 });
    }

    /// The EV charges: energy offered and requested.
    pub fn charging(&mut self) {
        self.core(CoreEvent::EnergyOffered {
            connector: 1,
            offered: true,
        });
        self.core(CoreEvent::EvReady {
            connector: 1,
            ready: true,
        });
    }

    pub fn swipe(&mut self, tag: &str) {
        self.core(CoreEvent::IdTagPresented {
            connector: None,
            id_tag: tag.into(),
        });
    }

    pub fn meter(&mut self, wh: f64) {
        self.core(CoreEvent::Meter {
            connector: 1,
            reading: reading(wh),
        });
    }

    /// Moves the clock forward, firing every timer on the way.
    pub fn advance(&mut self, secs: i64) {
        let target = self.now + Duration::seconds(secs);
        while let Some(t) = self.cp.poll_timeout() {
            if t > target {
                break;
            }
            self.now = t.max(self.now);
            self.cp.on_timeout(self.now);
            self.pump();
        }
        self.now = target;
        self.cp.on_timeout(self.now);
        self.pump();
    }

    /// Answers the CALL with id `id`.
    pub fn reply(&mut self, id: &str, payload: Value) {
        let text = json!([3, id, payload]).to_string();
        self.cp.on_text_frame(self.now, &text);
        self.pump();
    }

    pub fn reply_error(&mut self, id: &str, code: &str) {
        let text = json!([4, id, code, "test", {}]).to_string();
        self.cp.on_text_frame(self.now, &text);
        self.pump();
    }

    /// A default, positive answer to a charge point CALL.
    pub fn default_answer(&mut self, action: &str) -> Value {
        match action {
            "BootNotification" => {
                json!({"status": "Accepted", "currentTime": self.now, "interval": 300})
            }
            "Heartbeat" => json!({"currentTime": self.now}),
            "Authorize" => json!({"idTagInfo": {"status": "Accepted"}}),
            "StartTransaction" => {
                self.next_transaction_id += 1;
                json!({"transactionId": self.next_transaction_id, "idTagInfo": {"status": "Accepted"}})
            }
            _ => json!({}),
        }
    }

    fn note_status(&mut self, payload: &Value) {
        self.statuses.push((
            payload["connectorId"].as_u64().unwrap(),
            payload["status"].as_str().unwrap().to_string(),
        ));
    }

    /// Takes the next frame, which must be a CALL; returns (id, action, payload).
    pub fn take_call(&mut self) -> Option<(String, String, Value)> {
        let f = self.frames.pop_front()?;
        assert_eq!(f[0], 2, "expected a CALL, got {f}");
        let action = f[2].as_str().unwrap().to_string();
        if action == "StatusNotification" {
            self.note_status(&f[3]);
        }
        Some((f[1].as_str().unwrap().to_string(), action, f[3].clone()))
    }

    /// Answers routine CALLs with defaults until `action` comes; returns (id, payload)
    /// without answering it.
    pub fn until(&mut self, action: &str) -> (String, Value) {
        for _ in 0..50 {
            let Some((id, a, payload)) = self.take_call() else {
                panic!(
                    "charge point sent no {action}; calls so far: {:?}",
                    self.calls
                )
            };
            if a == action {
                return (id, payload);
            }
            let answer = self.default_answer(&a);
            self.reply(&id, answer);
        }
        panic!("no {action} after 50 calls");
    }

    /// Like [`until`](Self::until), then answers that CALL with the default; returns its payload.
    pub fn answered(&mut self, action: &str) -> Value {
        let (id, payload) = self.until(action);
        let answer = self.default_answer(action);
        self.reply(&id, answer);
        payload
    }

    /// Answers everything with defaults until the charge point is quiet.
    pub fn settle(&mut self) {
        // Generous: a long offline period may have queued many MeterValues.
        for _ in 0..100_000 {
            let Some((id, a, _)) = self.take_call() else {
                return;
            };
            let answer = self.default_answer(&a);
            self.reply(&id, answer);
        }
        panic!("charge point never went quiet");
    }

    pub fn accept_boot(&mut self) {
        let (id, _) = self.until("BootNotification");
        let answer = self.default_answer("BootNotification");
        self.reply(&id, answer);
    }

    /// Sends a CSMS CALL and returns the charge point's answer frame.
    pub fn csms(&mut self, action: &str, payload: Value) -> Value {
        let id = format!("csms-{}", self.next_csms_id);
        self.next_csms_id += 1;
        let text = json!([2, id, action, payload]).to_string();
        self.cp.on_text_frame(self.now, &text);
        self.pump();
        self.answer_to(&id)
            .unwrap_or_else(|| panic!("no answer to {action}; frames: {:?}", self.frames))
    }

    /// Removes and returns the CALLRESULT/CALLERROR with this id.
    pub fn answer_to(&mut self, id: &str) -> Option<Value> {
        let pos = self
            .frames
            .iter()
            .position(|f| (f[0] == 3 || f[0] == 4) && f[1] == id)?;
        self.frames.remove(pos)
    }

    /// Status of a CSMS answer payload.
    pub fn status_of(&mut self, action: &str, payload: Value) -> String {
        let answer = self.csms(action, payload);
        assert_eq!(answer[0], 3, "{action} got {answer}");
        answer[2]["status"].as_str().unwrap_or_default().to_string()
    }

    pub fn last_status(&self, connector: u64) -> Option<&str> {
        self.statuses
            .iter()
            .rev()
            .find(|(c, _)| *c == connector)
            .map(|(_, s)| s.as_str())
    }

    pub fn has_event(&self, wanted: &Output) -> bool {
        self.events.iter().any(|e| e == wanted)
    }

    /// Actions of all CALLs sent, in order.
    pub fn actions(&self) -> Vec<&str> {
        self.calls.iter().map(|(a, _)| a.as_str()).collect()
    }

    /// Plug, swipe, start: a running, confirmed transaction. Returns its id.
    pub fn start_session(&mut self, tag: &str) -> i64 {
        self.plug();
        self.meter(1000.0);
        self.swipe(tag);
        let (id, _) = self.until("Authorize");
        self.reply(&id, json!({"idTagInfo": {"status": "Accepted"}}));
        if self.settings.cable == ocpp_charge_point::Cable::Socket {
            // The core locks the cable once the session starts; then the transaction begins.
            self.core(CoreEvent::CableLocked {
                connector: 1,
                locked: true,
            });
        }
        let (id, payload) = self.until("StartTransaction");
        assert_eq!(payload["idTag"], tag);
        self.next_transaction_id += 1;
        let tx = self.next_transaction_id;
        self.reply(
            &id,
            json!({"transactionId": tx, "idTagInfo": {"status": "Accepted"}}),
        );
        self.charging();
        self.settle();
        tx
    }

    pub fn config(&mut self, key: &str, value: &str) {
        let status = self.status_of("ChangeConfiguration", json!({"key": key, "value": value}));
        assert_eq!(status, "Accepted", "ChangeConfiguration {key}={value}");
    }
}

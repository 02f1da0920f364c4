//! The state shared between the plugin's runtime (connections, file server) and the blocking
//! plugin calls: the script, the frame log, connections and observations.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{json, Value};

use plugin_api::kinds::csms::{
    ConnectionInfo, Direction, FileTransfer, MessageType, RecordedFrame, Violation as ApiViolation,
};
use plugin_api::{now_us, Observation};

use crate::script::Script;
use crate::server::connection::Conn;
use crate::validate::{frame, Inspection, RuleKind, Violation};

/// The rule names reported to the harness (`family.rule`).
pub fn rule_name(rule: RuleKind) -> &'static str {
    match rule {
        RuleKind::Encoding => "framing.encoding",
        RuleKind::Json => "framing.json",
        RuleKind::Framing => "framing.structure",
        RuleKind::MessageId => "framing.unique_id",
        RuleKind::Synchronicity => "framing.synchronicity",
        RuleKind::UnknownAction => "framing.unknown_action",
        RuleKind::Required => "schema.required",
        RuleKind::Type => "schema.type",
        RuleKind::Enum => "schema.enum",
        RuleKind::Length => "schema.max_length",
        RuleKind::DateTime => "schema.date_time",
        RuleKind::AdditionalProperty => "schema.additional_property",
        RuleKind::Constraint => "schema.constraint",
        RuleKind::BootSequence => "boot.sequence",
        RuleKind::Semantic => "semantics.value",
    }
}

/// Whether new connections are refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Offline {
    Online,
    /// Refusing until the instant, or until `go_online` when `None`.
    Until(Option<Instant>),
}

pub struct ConnEntry {
    pub info: ConnectionInfo,
    pub conn: Option<Arc<Conn>>,
}

pub struct State {
    pub script: Script,
    frames: VecDeque<RecordedFrame>,
    next_seq: u64,
    log_limit: usize,
    /// First sequence number not yet handed out by `drain_record`.
    undrained_seq: u64,
    dropped_frames: u64,
    pub violations: Vec<ApiViolation>,
    events: Vec<Observation>,
    pub connections: BTreeMap<String, ConnEntry>,
    pub offline: Offline,
    pub transfers: Vec<FileTransfer>,
}

/// The shared state and the condition variable signalled on every change.
pub struct Shared {
    state: Mutex<State>,
    pub changed: Condvar,
    /// The zero of the monotonic timestamps.
    pub epoch: Instant,
}

impl Shared {
    pub fn new(script: Script, log_limit: usize) -> Arc<Shared> {
        Arc::new(Shared {
            state: Mutex::new(State {
                script,
                frames: VecDeque::new(),
                next_seq: 1,
                log_limit: log_limit.max(1),
                undrained_seq: 1,
                dropped_frames: 0,
                violations: Vec::new(),
                events: Vec::new(),
                connections: BTreeMap::new(),
                offline: Offline::Online,
                transfers: Vec::new(),
            }),
            changed: Condvar::new(),
            epoch: Instant::now(),
        })
    }

    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data, which stays
    /// consistent because every update is a single push or assignment.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn mono_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
}

impl State {
    /// Records one frame with its validation result; returns its sequence number.
    pub fn record_frame(
        &mut self,
        mono_us: u64,
        charge_point: &str,
        direction: Direction,
        ins: Inspection,
        raw: String,
    ) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let t_us = now_us();
        let message_type = match (ins.frame.as_ref(), ins.message_type) {
            (Some(_), Some(frame::CALL)) => MessageType::Call,
            (Some(_), Some(frame::CALLRESULT)) => MessageType::CallResult,
            (Some(_), Some(frame::CALLERROR)) => MessageType::CallError,
            _ => MessageType::Malformed,
        };
        let payload = match ins.frame {
            Some(frame::Frame::CallError { details, .. }) => details,
            Some(frame::Frame::Call { payload, .. } | frame::Frame::CallResult { payload, .. }) => {
                payload
            }
            None => Value::Null,
        };
        for v in &ins.violations {
            self.violations
                .push(api_violation(seq, t_us, charge_point, direction, v, &raw));
        }
        self.frames.push_back(RecordedFrame {
            seq,
            t_us,
            mono_us,
            charge_point: charge_point.to_string(),
            direction,
            message_type,
            unique_id: ins.id,
            action: ins.action,
            payload,
            raw,
            violations: ins.violations.iter().map(describe).collect(),
        });
        while self.frames.len() > self.log_limit {
            if let Some(f) = self.frames.pop_front() {
                if f.seq >= self.undrained_seq {
                    self.dropped_frames += 1;
                }
            }
        }
        seq
    }

    /// Records a violation that belongs to no frame (the handshake).
    pub fn record_violation(&mut self, charge_point: &str, rule: &str, message: String) {
        let t_us = now_us();
        // It takes a sequence number of its own so that `violations(after: mark)` sees it.
        let seq = self.next_seq;
        self.next_seq += 1;
        self.violations.push(ApiViolation {
            seq,
            t_us,
            charge_point: charge_point.to_string(),
            direction: Direction::FromChargePoint,
            rule: rule.to_string(),
            message,
            raw: String::new(),
        });
    }

    /// Records a connection-level event for the trace.
    pub fn record_event(&mut self, kind: &str, data: Value) {
        self.events.push(Observation::new(kind, data));
    }

    /// The sequence number of the latest frame (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// The frames with a sequence number above `after`, oldest first (the log is sorted by
    /// sequence number, so this starts with a binary search).
    pub fn frames_after(&self, after: u64) -> impl Iterator<Item = &RecordedFrame> {
        let start = self.frames.partition_point(|f| f.seq <= after);
        self.frames.range(start..)
    }

    /// Everything recorded since the last drain: frames (kind `ocpp_frame`, data = the frame)
    /// and events, in time order. Frames stay available for matching.
    pub fn drain(&mut self) -> Vec<Observation> {
        let mut out: Vec<Observation> = self
            .frames
            .iter()
            .filter(|f| f.seq >= self.undrained_seq)
            .map(|f| Observation {
                t_us: f.t_us,
                kind: "ocpp_frame".into(),
                data: serde_json::to_value(f).unwrap_or(Value::Null),
            })
            .collect();
        self.undrained_seq = self.next_seq;
        if self.dropped_frames > 0 {
            out.push(Observation::new(
                "ocpp_frames_dropped",
                json!({"count": self.dropped_frames, "log_limit": self.log_limit}),
            ));
            self.dropped_frames = 0;
        }
        out.append(&mut self.events);
        out.sort_by_key(|o| o.t_us);
        out
    }
}

fn describe(v: &Violation) -> String {
    if v.path.is_empty() {
        format!("{}: {}", rule_name(v.rule), v.message)
    } else {
        format!("{} at {}: {}", rule_name(v.rule), v.path, v.message)
    }
}

fn api_violation(
    seq: u64,
    t_us: i64,
    charge_point: &str,
    direction: Direction,
    v: &Violation,
    raw: &str,
) -> ApiViolation {
    ApiViolation {
        seq,
        t_us,
        charge_point: charge_point.to_string(),
        direction,
        rule: rule_name(v.rule).to_string(),
        message: if v.path.is_empty() {
            v.message.clone()
        } else {
            format!("{}: {}", v.path, v.message)
        },
        raw: raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{inspect, Sender, Session};
    use plugin_api::kinds::csms::{AuthorizationStatus, RegistrationStatus};

    fn state(limit: usize) -> State {
        let script = Script::new(
            RegistrationStatus::Accepted,
            60,
            AuthorizationStatus::Invalid,
            1,
            true,
        );
        let shared = Shared::new(script, limit);
        let s = std::sync::Arc::try_unwrap(shared).ok().unwrap();
        s.state.into_inner().unwrap()
    }

    fn record(st: &mut State, text: &str) -> u64 {
        let ins = inspect(&mut Session::default(), Sender::ChargePoint, text);
        st.record_frame(0, "CP", Direction::FromChargePoint, ins, text.to_string())
    }

    #[test]
    fn log_limit_drops_the_oldest_and_drain_reports_it() {
        let mut st = state(2);
        for i in 0..3 {
            record(&mut st, &format!(r#"[2,"{i}","Heartbeat",{{}}]"#));
        }
        assert_eq!(st.last_seq(), 3);
        let seqs: Vec<u64> = st.frames_after(0).map(|f| f.seq).collect();
        assert_eq!(seqs, [2, 3]);
        assert_eq!(st.frames_after(2).count(), 1);
        let drained = st.drain();
        assert_eq!(drained.iter().filter(|o| o.kind == "ocpp_frame").count(), 2);
        assert!(drained.iter().any(|o| o.kind == "ocpp_frames_dropped"));
        assert!(st.drain().is_empty());
        // Frames stay available for matching after a drain.
        assert_eq!(st.frames_after(0).count(), 2);
    }

    #[test]
    fn violations_keep_the_frame_and_rule_name() {
        let mut st = state(10);
        let seq = record(&mut st, r#"[2,"1","Authorize",{}]"#);
        assert_eq!(st.violations.len(), 1);
        let v = &st.violations[0];
        assert_eq!((v.seq, v.rule.as_str()), (seq, "schema.required"));
        assert!(v.message.starts_with("idTag: "), "{}", v.message);
        let f = st.frames_after(0).next().unwrap();
        assert_eq!(f.violations.len(), 1);
        assert_eq!(f.message_type, MessageType::Call);
    }
}

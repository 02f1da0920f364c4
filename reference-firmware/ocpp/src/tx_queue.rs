//! The persisted, ordered queue of messages with guaranteed delivery:
//! StartTransaction, StopTransaction, transaction MeterValues and security events.
//!
//! Messages leave strictly in order. A CALLERROR ("failure to process") counts
//! as a failed attempt: the n-th resend waits `retry_interval × n`, and after
//! `attempts` failures the message is dropped. A timeout is not an attempt
//! (the CSMS may simply be unreachable): the message waits one retry interval.
//! Stop and MeterValues refer to their transaction by a local number; the CSMS
//! transaction id is filled in when the message is sent, or -1 when the
//! StartTransaction was never confirmed.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One queued message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    /// Local transaction number the message belongs to, if any.
    pub local_tx: Option<u64>,
    pub action: String,
    /// The payload; for Stop/MeterValues the `transactionId` is set at send time.
    pub payload: Value,
}

/// What the owner should learn from a delivered message.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    StartTransaction {
        local_tx: u64,
        response: Value,
    },
    Other {
        action: String,
        /// The payload that was sent.
        request: Value,
        response: Value,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TxQueue {
    entries: VecDeque<Queued>,
    /// CSMS transaction ids by local transaction number (-1 = never confirmed).
    tx_ids: BTreeMap<u64, i32>,
    /// Failed transmissions of the head message.
    head_failures: u32,
    /// The head may not be (re)sent before this time.
    head_not_before: Option<DateTime<Utc>>,
}

impl TxQueue {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn push(&mut self, message: Queued) {
        self.entries.push_back(message);
    }

    /// Only for the seeded defect `meter-values-newest-first`: puts the message in front of
    /// the MeterValues waiting at the tail (but behind the head, which may be in flight), so
    /// meter values queued while offline leave newest first.
    pub fn push_before_queued_meter_values(&mut self, message: Queued) {
        let mut at = self.entries.len();
        while at > 1 && self.entries[at - 1].action == "MeterValues" {
            at -= 1;
        }
        self.entries.insert(at, message);
    }

    /// Highest local transaction number referenced by the queue (0 if none).
    pub fn max_local_tx(&self) -> u64 {
        self.entries
            .iter()
            .filter_map(|q| q.local_tx)
            .chain(self.tx_ids.keys().copied())
            .max()
            .unwrap_or(0)
    }

    /// The CSMS transaction id of a local transaction, when known.
    pub fn transaction_id(&self, local_tx: u64) -> Option<i32> {
        self.tx_ids.get(&local_tx).copied()
    }

    /// Earliest time the head may be sent, `None` if the queue is empty.
    pub fn ready_at(&self) -> Option<DateTime<Utc>> {
        self.entries
            .front()
            .map(|_| self.head_not_before.unwrap_or(DateTime::<Utc>::MIN_UTC))
    }

    /// The head message ready to send now, with its transaction id resolved.
    pub fn next_to_send(&self, now: DateTime<Utc>) -> Option<(String, Value)> {
        let head = self.entries.front()?;
        if self.head_not_before.is_some_and(|t| t > now) {
            return None;
        }
        let mut payload = head.payload.clone();
        if head.action != "StartTransaction" {
            if let (Some(local), Some(obj)) = (head.local_tx, payload.as_object_mut()) {
                let id = self.tx_ids.get(&local).copied().unwrap_or(-1);
                obj.insert("transactionId".into(), Value::from(id));
            }
        }
        Some((head.action.clone(), payload))
    }

    /// The head was answered with a CALLRESULT: it leaves the queue.
    pub fn on_result(&mut self, response: Value) -> Option<Delivered> {
        let head = self.entries.pop_front()?;
        self.head_failures = 0;
        self.head_not_before = None;
        let delivered = match (head.action.as_str(), head.local_tx) {
            ("StartTransaction", Some(local_tx)) => {
                let id = response
                    .get("transactionId")
                    .and_then(Value::as_i64)
                    .and_then(|v| i32::try_from(v).ok())
                    .unwrap_or(-1);
                self.tx_ids.insert(local_tx, id);
                Delivered::StartTransaction { local_tx, response }
            }
            _ => Delivered::Other {
                action: head.action,
                request: head.payload,
                response,
            },
        };
        Some(delivered)
    }

    /// The head was answered with a CALLERROR. Returns the dropped message when
    /// this was its last allowed attempt.
    pub fn on_failure(
        &mut self,
        now: DateTime<Utc>,
        max_attempts: u32,
        retry_interval: Duration,
    ) -> Option<Queued> {
        self.entries.front()?;
        self.head_failures += 1;
        if self.head_failures >= max_attempts.max(1) {
            let dropped = self.entries.pop_front();
            self.head_failures = 0;
            self.head_not_before = None;
            if let Some(Queued {
                local_tx: Some(local),
                action,
                ..
            }) = &dropped
            {
                if action == "StartTransaction" {
                    self.tx_ids.insert(*local, -1);
                }
            }
            return dropped;
        }
        self.head_not_before = Some(now + retry_interval * self.head_failures as i32);
        None
    }

    /// The head got no answer in time (or the connection dropped while waiting).
    pub fn on_timeout(&mut self, now: DateTime<Utc>, retry_interval: Duration) {
        if !self.entries.is_empty() {
            self.head_not_before = Some(now + retry_interval);
        }
    }

    /// After a reconnect the head may go out at once.
    pub fn on_reconnect(&mut self) {
        if self.head_failures == 0 {
            self.head_not_before = None;
        }
    }

    /// Drops id mappings no queued message refers to any more, keeping the
    /// ones of transactions that may still produce messages (`live`).
    pub fn retain_ids(&mut self, live: &[u64]) {
        let queued: Vec<u64> = self.entries.iter().filter_map(|q| q.local_tx).collect();
        self.tx_ids
            .retain(|k, _| live.contains(k) || queued.contains(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn msg(local: u64, action: &str) -> Queued {
        Queued {
            local_tx: Some(local),
            action: action.into(),
            payload: json!({"connectorId": 1}),
        }
    }

    #[test]
    fn delivers_in_order_and_fills_transaction_id() {
        let mut q = TxQueue::default();
        q.push(msg(1, "StartTransaction"));
        q.push(msg(1, "MeterValues"));
        q.push(msg(1, "StopTransaction"));
        let (a, p) = q.next_to_send(t(0)).unwrap();
        assert_eq!(a, "StartTransaction");
        assert!(p.get("transactionId").is_none());
        q.on_result(json!({"transactionId": 77, "idTagInfo": {"status": "Accepted"}}));
        let (a, p) = q.next_to_send(t(0)).unwrap();
        assert_eq!(
            (a.as_str(), p["transactionId"].as_i64()),
            ("MeterValues", Some(77))
        );
        q.on_result(json!({}));
        let (a, p) = q.next_to_send(t(0)).unwrap();
        assert_eq!(
            (a.as_str(), p["transactionId"].as_i64()),
            ("StopTransaction", Some(77))
        );
    }

    #[test]
    fn retry_timing_grows_and_message_is_dropped_after_attempts() {
        let mut q = TxQueue::default();
        q.push(msg(1, "StartTransaction"));
        q.push(msg(1, "StopTransaction"));
        let interval = Duration::seconds(60);
        assert!(q.on_failure(t(0), 3, interval).is_none());
        assert!(q.next_to_send(t(59)).is_none());
        assert!(q.next_to_send(t(60)).is_some());
        assert!(q.on_failure(t(60), 3, interval).is_none());
        assert!(q.next_to_send(t(179)).is_none());
        assert!(q.next_to_send(t(180)).is_some());
        let dropped = q.on_failure(t(180), 3, interval).unwrap();
        assert_eq!(dropped.action, "StartTransaction");
        // The stop of an unconfirmed transaction goes out with id -1, at once.
        let (a, p) = q.next_to_send(t(180)).unwrap();
        assert_eq!(
            (a.as_str(), p["transactionId"].as_i64()),
            ("StopTransaction", Some(-1))
        );
    }

    #[test]
    fn timeout_is_not_an_attempt() {
        let mut q = TxQueue::default();
        q.push(msg(1, "StartTransaction"));
        for i in 0..10 {
            q.on_timeout(t(i * 30), Duration::seconds(30));
        }
        assert_eq!(q.len(), 1);
        assert!(q.next_to_send(t(299)).is_none());
        assert!(q.next_to_send(t(300)).is_some());
    }

    #[test]
    fn survives_serialisation() {
        let mut q = TxQueue::default();
        q.push(msg(3, "StartTransaction"));
        q.on_failure(t(0), 3, Duration::seconds(10));
        let bytes = serde_json::to_vec(&q).unwrap();
        let back: TxQueue = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back.len(), 1);
        assert!(back.next_to_send(t(9)).is_none());
        assert!(back.next_to_send(t(10)).is_some());
    }
}

//! The OCPP 1.6J charge point: one deterministic state machine, fed with the
//! current time, transport events, CSMS frames and charging-core events, that
//! returns [`Output`]s and the next time it wants to be woken up.

mod connector;
mod incoming;
mod logs;
mod outgoing;
mod remote;
mod session;
mod smart;

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthCache, LocalList};
use crate::config::{keys, Config};
use crate::firmware::FileTransfers;
use crate::frame::{Frame, FrameError};
use crate::io::{store_keys, CoreEvent, Output, ResetKind, Settings, StoredState};
use crate::reservation::Reservations;
use crate::security_log::{LogUploads, SecurityLog};
use crate::smart_charging::ProfileStore;
use crate::tx_queue::TxQueue;

use connector::Connector;
use outgoing::{Outstanding, PendingCall};
pub use session::Transaction;

/// Registration state from the last BootNotification.conf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// No BootNotification answered yet in this power cycle.
    Unknown,
    Pending,
    Accepted,
    Rejected,
}

/// Availability of the charge point (index 0) and each connector, persisted.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredAvailability {
    operative: Vec<bool>,
}

/// Marker stored before a reset so the next start knows why it happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredReset {
    kind: ResetKind,
}

pub struct ChargePoint {
    settings: Settings,
    config: Config,
    out: VecDeque<Output>,
    /// Time of the latest input; poll_timeout only reports later deadlines.
    last_now: DateTime<Utc>,

    // connection and registration
    connected: bool,
    reconnect_attempt: u32,
    jitter_state: u64,
    registration: Registration,
    /// Earliest time of the next BootNotification.
    boot_due: DateTime<Utc>,
    /// Time of the last CALL sent (heartbeat is due after an idle interval).
    last_call_at: DateTime<Utc>,
    next_message_id: u64,
    outstanding: Option<Outstanding>,
    pending: VecDeque<PendingCall>,

    // charging
    connectors: Vec<Connector>,
    queue: TxQueue,
    /// SecurityEventNotifications, sent when the transaction queue is empty.
    security_queue: TxQueue,
    next_local_tx: u64,
    next_aligned_at: Option<DateTime<Utc>>,
    cache: AuthCache,
    local_list: LocalList,
    reservations: Reservations,
    profiles: ProfileStore,
    transfers: FileTransfers,
    security_log: SecurityLog,
    log_uploads: LogUploads,
    /// Storage keys the shell cannot write (a failed save, or its test hook).
    storage_faults: std::collections::BTreeSet<String>,

    // remote operations in progress
    pending_reset: Option<(ResetKind, DateTime<Utc>)>,
    pending_unlocks: Vec<remote::PendingUnlock>,
}

impl ChargePoint {
    /// Builds the charge point from its settings and what was stored before
    /// (an empty [`StoredState`] on first start). Transactions that were
    /// running when the charger went down are ended with reason PowerLoss (or
    /// the reset reason) and their StopTransaction is queued.
    pub fn new(settings: Settings, stored: &StoredState, now: DateTime<Utc>) -> ChargePoint {
        let n = settings.connectors.max(1);
        let stored_config: BTreeMap<String, String> =
            stored.decode(store_keys::CONFIG).unwrap_or_default();
        let config = Config::new(n, &stored_config);
        let availability: Option<StoredAvailability> = stored.decode(store_keys::AVAILABILITY);
        let connectors = (0..=n)
            .map(|i| {
                let operative = availability
                    .as_ref()
                    .and_then(|a| a.operative.get(i as usize).copied())
                    .unwrap_or(true);
                Connector::new(operative)
            })
            .collect();
        let jitter_state = settings.jitter_seed | 1;
        // Seeded defect: the transaction journal (queue and open transactions) is not read
        // back, so whatever a reboot interrupted is lost.
        let journal_lost = settings
            .defects
            .has(crate::defects::OcppDefect::OfflineQueueLostOnReboot);
        let queue = if journal_lost {
            TxQueue::default()
        } else {
            stored.decode(store_keys::TX_QUEUE).unwrap_or_default()
        };
        let mut cp = ChargePoint {
            settings,
            config,
            out: VecDeque::new(),
            last_now: now,
            connected: false,
            reconnect_attempt: 0,
            jitter_state,
            registration: Registration::Unknown,
            boot_due: now,
            last_call_at: now,
            next_message_id: 1,
            outstanding: None,
            pending: VecDeque::new(),
            connectors,
            queue,
            security_queue: stored
                .decode(store_keys::SECURITY_QUEUE)
                .unwrap_or_default(),
            next_local_tx: 1,
            next_aligned_at: None,
            cache: stored.decode(store_keys::AUTH_CACHE).unwrap_or_default(),
            local_list: stored.decode(store_keys::LOCAL_LIST).unwrap_or_default(),
            reservations: stored.decode(store_keys::RESERVATIONS).unwrap_or_default(),
            profiles: stored.decode(store_keys::PROFILES).unwrap_or_default(),
            transfers: stored.decode(store_keys::FIRMWARE).unwrap_or_default(),
            security_log: stored.decode(store_keys::SECURITY_LOG).unwrap_or_default(),
            log_uploads: stored.decode(store_keys::LOG_UPLOAD).unwrap_or_default(),
            storage_faults: Default::default(),
            pending_reset: None,
            pending_unlocks: Vec::new(),
        };
        let reset: Option<StoredReset> = stored.decode(store_keys::RESET);
        let leftover: Vec<Transaction> = if journal_lost {
            Vec::new()
        } else {
            stored.decode(store_keys::TRANSACTIONS).unwrap_or_default()
        };
        cp.next_local_tx = leftover
            .iter()
            .map(|t| t.local_id + 1)
            .chain(std::iter::once(cp.queue.max_local_tx() + 1))
            .max()
            .unwrap_or(1);
        cp.recover_transactions(now, leftover, reset.map(|r| r.kind));
        cp.store(store_keys::RESET, &Option::<StoredReset>::None);
        cp.transfers.on_boot();
        cp.persist_transfers();
        cp.log_uploads.on_boot();
        cp.persist_log_uploads();
        cp.queue_security_event(now, "StartupOfTheDevice");
        let ping = cp.config.int(keys::WEB_SOCKET_PING_INTERVAL);
        cp.out.push_back(Output::SetPingInterval {
            seconds: ping as u32,
        });
        cp.reschedule_aligned(now);
        cp.update_limits(now);
        cp.refresh_statuses(now);
        cp
    }

    // ---------------------------------------------------------------- transport

    /// The WebSocket is open.
    pub fn on_connected(&mut self, now: DateTime<Utc>) {
        self.connected = true;
        self.reconnect_attempt = 0;
        self.queue.on_reconnect();
        if self.registration != Registration::Accepted && self.boot_due < now {
            self.boot_due = now;
        }
        self.tick(now);
    }

    /// The WebSocket closed or failed to open. The state machine answers with
    /// [`Output::Reconnect`].
    pub fn on_disconnected(&mut self, now: DateTime<Utc>) {
        let was_connected = self.connected;
        self.connected = false;
        if let Some(call) = self.outstanding.take() {
            self.on_call_failed(now, call, None);
        }
        if self.registration == Registration::Unknown {
            // The BootNotification got no answer: send it again on reconnect.
            self.boot_due = now;
        }
        self.drop_volatile_pending(now);
        let after = self.next_backoff();
        self.out.push_back(Output::Reconnect { after });
        if was_connected {
            self.warn("connection to the CSMS lost".to_string());
        }
        self.tick(now);
    }

    /// A text frame arrived from the CSMS.
    pub fn on_text_frame(&mut self, now: DateTime<Utc>, text: &str) {
        match Frame::parse(text) {
            Ok(Frame::Call {
                id,
                action,
                payload,
            }) => self.on_call(now, id, &action, payload),
            Ok(Frame::CallResult { id, payload }) => self.on_call_result(now, &id, payload),
            Ok(Frame::CallError {
                id,
                code,
                description,
                ..
            }) => self.on_call_error(now, &id, &code, &description),
            Err(FrameError::Reply {
                id,
                code,
                description,
            }) => {
                if self.registration != Registration::Rejected {
                    self.send_frame(Frame::error(id, code, description));
                }
            }
            Err(FrameError::Ignore(why)) => self.warn(format!("dropped frame from CSMS: {why}")),
        }
        self.tick(now);
    }

    // ---------------------------------------------------------------- core

    /// An event from the charging core.
    pub fn handle(&mut self, now: DateTime<Utc>, event: CoreEvent) {
        self.on_core_event(now, event);
        self.tick(now);
    }

    /// Timers: call at (or after) the time [`poll_timeout`](Self::poll_timeout) gave.
    pub fn on_timeout(&mut self, now: DateTime<Utc>) {
        self.tick(now);
    }

    /// Next output for the shell, in order.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When the state machine wants [`on_timeout`](Self::on_timeout) called.
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        let mut due: Vec<DateTime<Utc>> = Vec::new();
        if let Some(call) = &self.outstanding {
            due.push(call.deadline);
        }
        if self.connected && self.outstanding.is_none() {
            match self.registration {
                Registration::Accepted => {
                    due.extend(self.heartbeat_due());
                    due.extend(self.queue.ready_at());
                    due.extend(self.security_queue.ready_at());
                    due.extend(self.status_report_due());
                }
                _ => due.push(self.boot_due),
            }
        }
        for c in &self.connectors {
            due.extend(c.deadlines());
        }
        due.extend(self.next_aligned_at);
        due.extend(self.reservations.next_expiry());
        due.extend(self.pending_reset.map(|(_, at)| at));
        due.extend(self.pending_unlocks.iter().map(|u| u.deadline));
        due.extend(self.transfers.next_due());
        due.extend(self.log_uploads.next_due());
        due.extend(self.next_limit_change(self.last_now));
        due.into_iter().filter(|t| *t > self.last_now).min()
    }

    // ---------------------------------------------------------------- views

    pub fn registration(&self) -> Registration {
        self.registration
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Transaction messages waiting for guaranteed delivery.
    pub fn queued_messages(&self) -> usize {
        self.queue.len()
    }

    /// Security events waiting for delivery.
    pub fn queued_security_events(&self) -> usize {
        self.security_queue.len()
    }

    /// Tells the state machine which security profile the shell connects with
    /// (e.g. from the command line), so `SecurityProfile` reports it and only
    /// higher values are accepted.
    pub fn set_connection_security_profile(&mut self, profile: u8) {
        self.config
            .set_internal(keys::SECURITY_PROFILE, profile.to_string());
        self.persist_config();
    }

    /// Tells the state machine that the shell cannot (or again can) store `key`
    /// (one of `io::store_keys`). Updates that must be kept are then refused
    /// (SendLocalList answers Failed) instead of being accepted and lost.
    pub fn set_storage_fault(&mut self, key: &str, failing: bool) {
        if failing {
            self.storage_faults.insert(key.to_string());
        } else {
            self.storage_faults.remove(key);
        }
    }

    /// The running transaction of a connector.
    pub fn transaction(&self, connector: u32) -> Option<&Transaction> {
        self.connectors.get(connector as usize)?.tx.as_ref()
    }

    /// The OCPP status a connector is in now (0 = the charge point), e.g. for
    /// the local interface.
    pub fn connector_status(
        &self,
        connector: u32,
    ) -> Option<crate::ocpp::types::ChargePointStatus> {
        ((connector as usize) < self.connectors.len()).then(|| self.derive_status(connector).status)
    }

    /// Current value of a configuration key ("" when unknown).
    pub fn config_value(&self, key: &str) -> &str {
        self.config.get(key)
    }

    /// The CSMS transaction id of a running transaction, once confirmed.
    pub fn transaction_id(&self, connector: u32) -> Option<i32> {
        let tx = self.transaction(connector)?;
        self.queue.transaction_id(tx.local_id)
    }

    // ---------------------------------------------------------------- internals

    /// Runs every timer due at `now` and sends what may be sent.
    fn tick(&mut self, now: DateTime<Utc>) {
        if now > self.last_now {
            self.last_now = now;
        }
        self.check_call_timeout(now);
        self.expire_authorizations(now);
        self.expire_reservations(now);
        self.sample_meters(now);
        self.run_transfers(now);
        self.run_log_uploads(now);
        self.check_pending_unlocks(now);
        self.update_limits(now);
        self.refresh_statuses(now);
        self.check_pending_reset(now);
        self.pump(now);
    }

    fn warn(&mut self, message: String) {
        self.out.push_back(Output::Warning(message));
    }

    fn store<T: Serialize>(&mut self, key: &'static str, value: &T) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.out.push_back(Output::Store { key, bytes }),
            Err(e) => self.warn(format!("cannot encode {key} for storage: {e}")),
        }
    }

    fn persist_config(&mut self) {
        let values = self.config.writable_values();
        self.store(store_keys::CONFIG, &values);
    }

    fn persist_queue(&mut self) {
        let live: Vec<u64> = self
            .connectors
            .iter()
            .filter_map(|c| c.tx.as_ref().map(|t| t.local_id))
            .collect();
        self.queue.retain_ids(&live);
        let queue = self.queue.clone();
        self.store(store_keys::TX_QUEUE, &queue);
    }

    fn persist_security_queue(&mut self) {
        let queue = self.security_queue.clone();
        self.store(store_keys::SECURITY_QUEUE, &queue);
    }

    fn persist_transactions(&mut self) {
        let txs: Vec<Transaction> = self
            .connectors
            .iter()
            .filter_map(|c| c.tx.clone())
            .collect();
        self.store(store_keys::TRANSACTIONS, &txs);
    }

    fn persist_availability(&mut self) {
        let a = StoredAvailability {
            operative: self.connectors.iter().map(|c| c.operative).collect(),
        };
        self.store(store_keys::AVAILABILITY, &a);
    }

    fn persist_transfers(&mut self) {
        let t = self.transfers.clone();
        self.store(store_keys::FIRMWARE, &t);
    }

    /// Exponential back-off 2, 4, ... 64 s with ±25 % jitter.
    fn next_backoff(&mut self) -> std::time::Duration {
        let base_ms = 2_000u64 << self.reconnect_attempt.min(5);
        self.reconnect_attempt = self.reconnect_attempt.saturating_add(1);
        // xorshift64: deterministic jitter from the seed.
        let mut x = self.jitter_state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter_state = x;
        let spread = base_ms / 2;
        let jittered = base_ms - base_ms / 4 + x % (spread + 1);
        std::time::Duration::from_millis(jittered)
    }

    fn connector_ids(&self) -> std::ops::RangeInclusive<u32> {
        1..=self.settings.connectors.max(1)
    }

    fn valid_connector(&self, id: u32) -> bool {
        id >= 1 && id <= self.settings.connectors.max(1)
    }

    /// Whether a seeded defect is active (always `false` without the `seeded-defects` feature).
    fn defect(&self, d: crate::defects::OcppDefect) -> bool {
        self.settings.defects.has(d)
    }

    fn seconds(&self, key: &str) -> Duration {
        Duration::seconds(self.config.int(key).max(0))
    }
}

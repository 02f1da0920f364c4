//! Charging sessions: identification, authorization (online, local list,
//! cache, offline rules), Start/StopTransaction, meter values, and the
//! charging-core events that drive them.

use chrono::{DateTime, Duration, Utc};
use rust_ocpp::v1_6::messages::authorize::AuthorizeRequest;
use rust_ocpp::v1_6::messages::meter_values::MeterValuesRequest;
use rust_ocpp::v1_6::messages::start_transaction::{
    StartTransactionRequest, StartTransactionResponse,
};
use rust_ocpp::v1_6::messages::stop_transaction::{
    StopTransactionRequest, StopTransactionResponse,
};
use rust_ocpp::v1_6::types::{
    AuthorizationStatus, ChargingProfile, IdTagInfo, MeterValue, ReadingContext, Reason,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::connector::{Authorization, Fault, FINISHING_AFTER_EV_UNPLUG_S};
use super::outgoing::{clip, PendingCall, Purpose};
use super::{ChargePoint, Registration, StoredReset};
use crate::config::keys;
use crate::io::{store_keys, Cable, CoreEvent, Output, ResetKind};
use crate::metering::{meter_value, next_aligned};
use crate::tx_queue::Queued;

/// What an authorization is for.
#[derive(Debug, Clone)]
pub(crate) enum AuthIntent {
    /// Start a transaction (local identification).
    Start,
    /// Stop the running transaction if the parent idTag matches.
    Stop,
    /// RemoteStartTransaction with AuthorizeRemoteTxRequests = true.
    RemoteStart { profile: Option<ChargingProfile> },
}

/// A running transaction; persisted so it can be closed after a power loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// Local number; the CSMS id is known once StartTransaction is confirmed.
    pub local_id: u64,
    pub connector: u32,
    pub id_tag: String,
    pub parent_id_tag: Option<String>,
    pub started: DateTime<Utc>,
    pub meter_start_wh: f64,
    pub reservation_id: Option<i32>,
    /// Samples for the StopTransaction transactionData.
    pub stop_data: Vec<MeterValue>,
    /// The CSMS did not accept the idTag and energy was stopped (or will be,
    /// after MaxEnergyOnInvalidId).
    pub energy_suspended: bool,
    /// Energy register when the idTag was invalidated, if charging continues
    /// up to MaxEnergyOnInvalidId.
    pub invalidated_at_wh: Option<f64>,
    pub next_sample_at: Option<DateTime<Utc>>,
    /// Latest energy register seen at a sample, for a StopTransaction after power loss.
    pub last_energy_wh: f64,
    /// Socket variants: the session waits for the cable lock; StartTransaction
    /// is not sent yet, and no transaction message is if the lock never engages.
    #[serde(default)]
    pub awaiting_lock: bool,
}

fn accepted(info: &IdTagInfo) -> bool {
    info.status == AuthorizationStatus::Accepted
}

impl ChargePoint {
    fn online(&self) -> bool {
        self.connected && self.registration == Registration::Accepted
    }

    // ------------------------------------------------------------ core events

    pub(super) fn on_core_event(&mut self, now: DateTime<Utc>, event: CoreEvent) {
        let valid = |c: u32| c >= 1 && c <= self.settings.connectors.max(1);
        match event {
            CoreEvent::CablePlugged { connector } if valid(connector) => {
                let c = &mut self.connectors[connector as usize];
                c.plugged = true;
                c.end_finishing();
                if c.authorized.is_some() && c.tx.is_none() {
                    self.start_transaction(now, connector);
                }
            }
            CoreEvent::CableUnplugged { connector } if valid(connector) => {
                let c = &mut self.connectors[connector as usize];
                c.plugged = false;
                c.ev_ready = false;
                c.end_finishing();
                let has_tx = c.tx.is_some();
                if has_tx
                    && self
                        .config
                        .bool(keys::STOP_TRANSACTION_ON_EV_SIDE_DISCONNECT)
                {
                    self.stop_transaction(now, connector, Reason::EVDisconnected, None);
                    // The driver still has to put the cable away: Finishing
                    // for a moment, then Available.
                    let c = &mut self.connectors[connector as usize];
                    c.finishing = true;
                    c.finishing_until = Some(now + Duration::seconds(FINISHING_AFTER_EV_UNPLUG_S));
                }
                if self.settings.cable == Cable::Socket
                    && self
                        .config
                        .bool(keys::UNLOCK_CONNECTOR_ON_EV_SIDE_DISCONNECT)
                {
                    self.out.push_back(Output::UnlockConnector { connector });
                }
            }
            CoreEvent::CableLocked { connector, locked } if valid(connector) => {
                self.connectors[connector as usize].locked = locked;
                if locked {
                    self.confirm_locked_start(connector);
                }
            }
            CoreEvent::EvReady { connector, ready } if valid(connector) => {
                self.connectors[connector as usize].ev_ready = ready;
            }
            CoreEvent::EnergyOffered { connector, offered } if valid(connector) => {
                self.connectors[connector as usize].energy_offered = offered;
            }
            CoreEvent::Faulted {
                connector,
                error_code,
                info,
                vendor_error_code,
            } if (connector as usize) < self.connectors.len() => {
                self.connectors[connector as usize].fault = Some(Fault {
                    error_code,
                    info: info.map(|i| clip(&i, 50)),
                    vendor_error_code: vendor_error_code.map(|v| clip(&v, 50)),
                });
            }
            CoreEvent::FaultCleared { connector }
                if (connector as usize) < self.connectors.len() =>
            {
                self.connectors[connector as usize].fault = None;
            }
            CoreEvent::IdTagPresented { connector, id_tag } => {
                self.on_id_tag(now, connector, id_tag)
            }
            CoreEvent::Meter { connector, reading } if valid(connector) => {
                let c = &mut self.connectors[connector as usize];
                c.meter = Some(reading);
                if let Some(tx) = c.tx.as_mut() {
                    // Persisted with the next sample; used after a power loss.
                    tx.last_energy_wh = reading.energy_wh;
                }
                self.check_invalid_id_energy(connector);
            }
            CoreEvent::StopRequested { connector, reason } if valid(connector) => {
                if self.connectors[connector as usize].tx.is_some() {
                    self.stop_transaction(now, connector, reason, None);
                }
            }
            CoreEvent::UnlockResult {
                connector,
                unlocked,
            } => self.on_unlock_result(connector, unlocked),
            CoreEvent::FirmwareDownloaded { ok } => self.on_firmware_downloaded(now, ok),
            CoreEvent::FirmwareInstalled { ok } => self.on_firmware_installed(now, ok),
            CoreEvent::DiagnosticsUploaded { ok } => self.on_diagnostics_uploaded(now, ok),
            CoreEvent::LogUploaded { ok } => self.on_log_uploaded(now, ok),
            CoreEvent::SecurityProfileFailed { previous } => {
                self.config
                    .set_internal(keys::SECURITY_PROFILE, previous.to_string());
                self.persist_config();
            }
            other => self.warn(format!(
                "core event for an unknown connector ignored: {other:?}"
            )),
        }
    }

    // ------------------------------------------------------------ identification

    fn on_id_tag(&mut self, now: DateTime<Utc>, connector: Option<u32>, id_tag: String) {
        if id_tag.is_empty() || id_tag.chars().count() > 20 {
            self.out.push_back(Output::AuthorizeResult {
                connector: connector.unwrap_or(0),
                id_tag,
                accepted: false,
            });
            return;
        }
        // A presented card first tries to end a running transaction.
        let with_tx = self.connector_ids().find(|&i| {
            connector.is_none_or(|c| c == i) && self.connectors[i as usize].tx.is_some()
        });
        if let Some(c) = with_tx {
            return self.id_tag_at_running_tx(now, c, id_tag);
        }
        let target = match connector {
            Some(c) if self.valid_connector(c) => Some(c),
            Some(_) => None,
            None => self.pick_connector(),
        };
        match target {
            Some(c) if self.can_start(c) => self.authorize(now, c, &id_tag, AuthIntent::Start),
            _ => self.out.push_back(Output::AuthorizeResult {
                connector: connector.unwrap_or(0),
                id_tag,
                accepted: false,
            }),
        }
    }

    fn id_tag_at_running_tx(&mut self, now: DateTime<Utc>, c: u32, id_tag: String) {
        let Some(tx) = self.connectors[c as usize].tx.clone() else {
            return;
        };
        if tx.id_tag.eq_ignore_ascii_case(&id_tag) {
            self.out.push_back(Output::AuthorizeResult {
                connector: c,
                id_tag: id_tag.clone(),
                accepted: true,
            });
            return self.stop_transaction(now, c, Reason::Local, Some(id_tag));
        }
        if tx.parent_id_tag.is_some() {
            // Only the CSMS (or local data) knows this card's parent.
            return self.authorize(now, c, &id_tag, AuthIntent::Stop);
        }
        self.out.push_back(Output::AuthorizeResult {
            connector: c,
            id_tag,
            accepted: false,
        });
    }

    /// The connector a card without connector choice applies to: one with a
    /// plugged cable waiting, else the first that can start.
    fn pick_connector(&self) -> Option<u32> {
        let ids: Vec<u32> = self.connector_ids().collect();
        ids.iter()
            .copied()
            .find(|&i| {
                let c = &self.connectors[i as usize];
                c.plugged && c.tx.is_none() && !c.finishing && self.can_start(i)
            })
            .or_else(|| ids.iter().copied().find(|&i| self.can_start(i)))
    }

    /// Whether a transaction may begin on connector `c`.
    pub(super) fn can_start(&self, c: u32) -> bool {
        let cp = &self.connectors[0];
        let con = &self.connectors[c as usize];
        // Charging is denied while the charge point was never accepted.
        let registered = self.registration == Registration::Accepted || !self.connected;
        registered
            && cp.fault.is_none()
            && cp.operative
            && con.fault.is_none()
            && con.operative
            && con.tx.is_none()
            && self.pending_reset.is_none()
    }

    /// Local authorization data: the local list (if enabled) has priority over the cache.
    fn local_info(&self, id_tag: &str, now: DateTime<Utc>) -> Option<IdTagInfo> {
        if self.config.bool(keys::LOCAL_AUTH_LIST_ENABLED) {
            if let Some(info) = self.local_list.lookup(id_tag, now) {
                return Some(info);
            }
        }
        if self.config.bool(keys::AUTHORIZATION_CACHE_ENABLED) {
            return self.cache.lookup(id_tag, now);
        }
        None
    }

    pub(super) fn authorize(
        &mut self,
        now: DateTime<Utc>,
        c: u32,
        id_tag: &str,
        intent: AuthIntent,
    ) {
        let local = self.local_info(id_tag, now);
        if self.online() {
            if self.config.bool(keys::LOCAL_PRE_AUTHORIZE) {
                if let Some(info) = local.filter(accepted) {
                    return self.decide(now, c, id_tag, intent, info);
                }
            }
            let req = AuthorizeRequest {
                id_tag: id_tag.to_string(),
            };
            let call = PendingCall::new(
                "Authorize",
                &req,
                Purpose::Authorize {
                    connector: c,
                    id_tag: id_tag.to_string(),
                    intent,
                },
            );
            self.pending.push_back(call);
        } else {
            self.authorize_offline(now, c, id_tag, intent);
        }
    }

    /// Offline rules: LocalAuthorizeOffline and AllowOfflineTxForUnknownId.
    pub(super) fn authorize_offline(
        &mut self,
        now: DateTime<Utc>,
        c: u32,
        id_tag: &str,
        intent: AuthIntent,
    ) {
        let invalid = IdTagInfo {
            status: AuthorizationStatus::Invalid,
            ..Default::default()
        };
        let info = match self.local_info(id_tag, now) {
            // Known locally: usable offline only when LocalAuthorizeOffline.
            Some(info) if accepted(&info) && !self.config.bool(keys::LOCAL_AUTHORIZE_OFFLINE) => {
                invalid
            }
            Some(info) => info,
            None if self.config.bool(keys::ALLOW_OFFLINE_TX_FOR_UNKNOWN_ID)
                && !matches!(intent, AuthIntent::Stop) =>
            {
                IdTagInfo {
                    status: AuthorizationStatus::Accepted,
                    ..Default::default()
                }
            }
            None => invalid,
        };
        self.decide(now, c, id_tag, intent, info);
    }

    pub(super) fn on_authorize_conf(
        &mut self,
        now: DateTime<Utc>,
        c: u32,
        id_tag: &str,
        intent: AuthIntent,
        info: IdTagInfo,
    ) {
        self.learn(id_tag, &info);
        self.decide(now, c, id_tag, intent, info);
    }

    /// Remembers a CSMS answer in the cache (never for local-list cards).
    pub(super) fn learn(&mut self, id_tag: &str, info: &IdTagInfo) {
        if self.config.bool(keys::AUTHORIZATION_CACHE_ENABLED) && !self.local_list.contains(id_tag)
        {
            self.cache.store(id_tag, info);
            let cache = self.cache.clone();
            self.store(store_keys::AUTH_CACHE, &cache);
        }
    }

    pub(super) fn decide(
        &mut self,
        now: DateTime<Utc>,
        c: u32,
        id_tag: &str,
        intent: AuthIntent,
        info: IdTagInfo,
    ) {
        let mut ok = accepted(&info);
        match intent {
            AuthIntent::Stop => {
                let tx_parent = self.connectors[c as usize]
                    .tx
                    .as_ref()
                    .and_then(|t| t.parent_id_tag.clone());
                ok = ok
                    && matches!((&tx_parent, &info.parent_id_tag),
                        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
                self.out.push_back(Output::AuthorizeResult {
                    connector: c,
                    id_tag: id_tag.to_string(),
                    accepted: ok,
                });
                if ok {
                    self.stop_transaction(now, c, Reason::Local, Some(id_tag.to_string()));
                }
            }
            AuthIntent::Start | AuthIntent::RemoteStart { .. } => {
                let reservation = self.usable_reservation(c, id_tag, info.parent_id_tag.as_deref());
                ok = ok && self.can_start(c) && reservation.is_ok();
                self.out.push_back(Output::AuthorizeResult {
                    connector: c,
                    id_tag: id_tag.to_string(),
                    accepted: ok,
                });
                if !ok {
                    return;
                }
                let profile = match intent {
                    AuthIntent::RemoteStart { profile } => profile,
                    _ => None,
                };
                let timeout = self.seconds(keys::CONNECTION_TIME_OUT);
                self.connectors[c as usize].end_finishing();
                self.connectors[c as usize].authorized = Some(Authorization {
                    id_tag: id_tag.to_string(),
                    parent_id_tag: info.parent_id_tag.clone(),
                    expires: now + timeout,
                    reservation_id: reservation.ok().flatten(),
                    charging_profile: profile,
                });
                if self.connectors[c as usize].plugged {
                    self.start_transaction(now, c);
                }
            }
        }
    }

    /// `Ok(Some(id))` when the user holds a reservation for `c` (or connector 0),
    /// `Ok(None)` when no reservation is in the way, `Err` when it is reserved
    /// for someone else.
    pub(super) fn usable_reservation(
        &self,
        c: u32,
        id_tag: &str,
        parent: Option<&str>,
    ) -> Result<Option<i32>, ()> {
        if let Some(r) = self.reservations.for_connector(c) {
            return if r.admits(id_tag, parent) {
                Ok(Some(r.id))
            } else {
                Err(())
            };
        }
        if let Some(r) = self
            .reservations
            .whole_charge_point()
            .find(|r| r.admits(id_tag, parent))
        {
            return Ok(Some(r.id));
        }
        if self.is_reserved(c) {
            return Err(());
        }
        Ok(None)
    }

    pub(super) fn expire_authorizations(&mut self, now: DateTime<Utc>) {
        for c in &mut self.connectors {
            if !c.plugged && c.authorized.as_ref().is_some_and(|a| a.expires <= now) {
                c.authorized = None;
            }
            if c.finishing_until.is_some_and(|t| t <= now) {
                c.end_finishing();
            }
        }
    }

    // ------------------------------------------------------------ transactions

    fn energy_wh(&self, c: u32) -> Option<f64> {
        self.connectors[c as usize].meter.map(|m| m.energy_wh)
    }

    pub(super) fn start_transaction(&mut self, now: DateTime<Utc>, c: u32) {
        let Some(auth) = self.connectors[c as usize].authorized.take() else {
            return;
        };
        if let Some(id) = auth.reservation_id {
            self.reservations.cancel(id);
            self.persist_reservations();
        }
        let meter_start = self.energy_wh(c).unwrap_or(0.0);
        let local_id = self.next_local_tx;
        self.next_local_tx += 1;
        let interval = self.config.int(keys::METER_VALUE_SAMPLE_INTERVAL);
        let mut tx = Transaction {
            local_id,
            connector: c,
            id_tag: auth.id_tag.clone(),
            parent_id_tag: auth.parent_id_tag.clone(),
            started: now,
            meter_start_wh: meter_start,
            reservation_id: auth.reservation_id,
            stop_data: Vec::new(),
            energy_suspended: false,
            invalidated_at_wh: None,
            next_sample_at: (interval > 0).then(|| now + Duration::seconds(interval)),
            last_energy_wh: meter_start,
            awaiting_lock: self.settings.cable == Cable::Socket
                && !self.connectors[c as usize].locked,
        };
        if let Some(reading) = self.connectors[c as usize].meter {
            let stop_sampled = self.config.list(keys::STOP_TXN_SAMPLED_DATA);
            tx.stop_data.extend(meter_value(
                now,
                &reading,
                &stop_sampled,
                ReadingContext::TransactionBegin,
            ));
        }
        if !tx.awaiting_lock {
            self.queue_start_transaction(&tx);
        }
        let con = &mut self.connectors[c as usize];
        con.tx = Some(tx);
        con.end_finishing();
        // StartCharging makes the core offer energy; assume it does until it
        // says otherwise, so the status goes straight to Charging/SuspendedEV.
        con.energy_offered = true;
        if let Some(profile) = auth.charging_profile {
            self.profiles.install_tx_profile(c, profile);
            self.persist_profiles();
        }
        self.persist_transactions();
        self.out.push_back(Output::StartCharging { connector: c });
        self.update_limits(now);
    }

    fn queue_start_transaction(&mut self, tx: &Transaction) {
        let req = StartTransactionRequest {
            connector_id: tx.connector,
            id_tag: tx.id_tag.clone(),
            meter_start: tx.meter_start_wh.round() as i32,
            reservation_id: tx.reservation_id,
            timestamp: tx.started,
        };
        self.push_queued(Some(tx.local_id), "StartTransaction", &req);
    }

    /// The socket's lock engaged: a session waiting for it becomes a transaction.
    fn confirm_locked_start(&mut self, c: u32) {
        let Some(tx) = self.connectors[c as usize]
            .tx
            .as_mut()
            .filter(|t| t.awaiting_lock)
        else {
            return;
        };
        tx.awaiting_lock = false;
        let tx = tx.clone();
        self.queue_start_transaction(&tx);
        self.persist_transactions();
    }

    pub(super) fn push_queued<T: Serialize>(
        &mut self,
        local_tx: Option<u64>,
        action: &str,
        payload: &T,
    ) {
        match serde_json::to_value(payload) {
            Ok(payload) => {
                let message = Queued {
                    local_tx,
                    action: action.to_string(),
                    payload,
                };
                // Seeded defect: queued meter values kept as a stack (newest sent first).
                if action == "MeterValues"
                    && self.defect(crate::defects::OcppDefect::MeterValuesNewestFirst)
                {
                    self.queue.push_before_queued_meter_values(message);
                } else {
                    self.queue.push(message);
                }
                self.persist_queue();
            }
            Err(e) => self.warn(format!("cannot encode {action}: {e}")),
        }
    }

    /// Ends the transaction of connector `c` and queues its StopTransaction.
    pub(super) fn stop_transaction(
        &mut self,
        now: DateTime<Utc>,
        c: u32,
        reason: Reason,
        id_tag: Option<String>,
    ) {
        let Some(mut tx) = self.connectors[c as usize].tx.take() else {
            return;
        };
        if tx.awaiting_lock {
            // The cable was never locked: no transaction began, none is reported.
            self.warn(format!(
                "session on connector {c} ended before the cable lock engaged ({reason:?}): no transaction"
            ));
            let con = &mut self.connectors[c as usize];
            con.finishing = con.plugged;
            self.out.push_back(Output::StopCharging { connector: c });
            if self.profiles.clear_tx_profiles(c) {
                self.persist_profiles();
            }
            self.persist_transactions();
            self.update_limits(now);
            return;
        }
        let reading = self.connectors[c as usize].meter;
        let meter_stop = reading.map(|m| m.energy_wh).unwrap_or(tx.meter_start_wh);
        if let Some(reading) = reading {
            let stop_sampled = self.config.list(keys::STOP_TXN_SAMPLED_DATA);
            tx.stop_data.extend(meter_value(
                now,
                &reading,
                &stop_sampled,
                ReadingContext::TransactionEnd,
            ));
        }
        // Seeded defect: the reason is hard-wired to the local stop button's.
        let reason = if self.defect(crate::defects::OcppDefect::StopReasonAlwaysLocal) {
            Reason::Local
        } else {
            reason
        };
        let req = StopTransactionRequest {
            id_tag,
            meter_stop: meter_stop.round() as i32,
            timestamp: now,
            // Filled in from the queue's id map when sent.
            transaction_id: -1,
            reason: Some(reason),
            transaction_data: (!tx.stop_data.is_empty()).then(|| tx.stop_data.clone()),
        };
        self.push_queued(Some(tx.local_id), "StopTransaction", &req);
        let con = &mut self.connectors[c as usize];
        con.finishing = con.plugged;
        self.out.push_back(Output::StopCharging { connector: c });
        if self.profiles.clear_tx_profiles(c) {
            self.persist_profiles();
        }
        self.persist_transactions();
        self.apply_scheduled_availability(c);
        self.update_limits(now);
    }

    /// Closes transactions found in storage at start-up.
    pub(super) fn recover_transactions(
        &mut self,
        now: DateTime<Utc>,
        txs: Vec<Transaction>,
        reset: Option<ResetKind>,
    ) {
        let reason = match reset {
            Some(ResetKind::Hard) => Reason::HardReset,
            Some(ResetKind::Soft) => Reason::SoftReset,
            None => Reason::PowerLoss,
        };
        for tx in txs {
            let c = tx.connector;
            // A session that never got its lock never was a transaction.
            if !self.valid_connector(c) || tx.awaiting_lock {
                continue;
            }
            let meter_stop = tx.last_energy_wh.max(tx.meter_start_wh);
            let req = StopTransactionRequest {
                id_tag: None,
                meter_stop: meter_stop.round() as i32,
                timestamp: now,
                transaction_id: -1,
                reason: Some(reason.clone()),
                transaction_data: (!tx.stop_data.is_empty()).then(|| tx.stop_data.clone()),
            };
            self.push_queued(Some(tx.local_id), "StopTransaction", &req);
        }
        self.persist_transactions();
    }

    pub(super) fn on_start_transaction_conf(
        &mut self,
        now: DateTime<Utc>,
        local_tx: u64,
        response: Value,
    ) {
        let Ok(conf) = serde_json::from_value::<StartTransactionResponse>(response) else {
            self.warn("bad StartTransaction.conf".into());
            return;
        };
        let Some(c) = self.connector_ids().find(|&i| {
            self.connectors[i as usize]
                .tx
                .as_ref()
                .is_some_and(|t| t.local_id == local_tx)
        }) else {
            return;
        };
        let id_tag = self.connectors[c as usize]
            .tx
            .as_ref()
            .map(|t| t.id_tag.clone())
            .unwrap_or_default();
        self.learn(&id_tag, &conf.id_tag_info);
        if accepted(&conf.id_tag_info) {
            // The CSMS's word on the parent (e.g. after a RemoteStart without
            // Authorize) decides which other cards may stop this transaction.
            if let Some(parent) = conf.id_tag_info.parent_id_tag {
                if let Some(tx) = self.connectors[c as usize].tx.as_mut() {
                    if tx.parent_id_tag.as_ref() != Some(&parent) {
                        tx.parent_id_tag = Some(parent);
                        self.persist_transactions();
                    }
                }
            }
            return;
        }
        // The CSMS refused the idTag of a running transaction.
        if self.config.bool(keys::STOP_TRANSACTION_ON_INVALID_ID) {
            self.stop_transaction(now, c, Reason::DeAuthorized, None);
            return;
        }
        let max_energy = self.config.int(keys::MAX_ENERGY_ON_INVALID_ID);
        let energy = self.energy_wh(c);
        if let Some(tx) = self.connectors[c as usize].tx.as_mut() {
            if max_energy > 0 {
                tx.invalidated_at_wh = Some(energy.unwrap_or(tx.meter_start_wh));
            } else {
                tx.energy_suspended = true;
            }
        }
        if max_energy <= 0 {
            self.out.push_back(Output::StopCharging { connector: c });
        }
        self.persist_transactions();
        self.check_invalid_id_energy(c);
    }

    /// Suspends energy once MaxEnergyOnInvalidId is used up.
    fn check_invalid_id_energy(&mut self, c: u32) {
        let max_energy = self.config.int(keys::MAX_ENERGY_ON_INVALID_ID) as f64;
        let energy = self.energy_wh(c);
        let con = &mut self.connectors[c as usize];
        let Some(tx) = con.tx.as_mut() else { return };
        if let (Some(from), Some(now_wh)) = (tx.invalidated_at_wh, energy) {
            if !tx.energy_suspended && now_wh - from >= max_energy {
                tx.energy_suspended = true;
                self.out.push_back(Output::StopCharging { connector: c });
            }
        }
    }

    /// A StopTransaction.conf may refresh the cache entry of the idTag that stopped.
    pub(super) fn on_stop_transaction_conf(&mut self, request: &Value, response: Value) {
        let Ok(conf) = serde_json::from_value::<StopTransactionResponse>(response) else {
            self.warn("bad StopTransaction.conf".into());
            return;
        };
        if let (Some(id_tag), Some(info)) = (
            request.get("idTag").and_then(Value::as_str),
            conf.id_tag_info,
        ) {
            self.learn(id_tag, &info);
        }
    }

    // ------------------------------------------------------------ meter values

    pub(super) fn reschedule_aligned(&mut self, now: DateTime<Utc>) {
        self.next_aligned_at =
            next_aligned(now, self.config.int(keys::CLOCK_ALIGNED_DATA_INTERVAL));
    }

    pub(super) fn sample_meters(&mut self, now: DateTime<Utc>) {
        let interval = self.config.int(keys::METER_VALUE_SAMPLE_INTERVAL);
        for c in self.connector_ids() {
            let due = self.connectors[c as usize]
                .tx
                .as_ref()
                .and_then(|t| t.next_sample_at);
            let Some(due) = due.filter(|d| *d <= now) else {
                continue;
            };
            let next = (interval > 0).then(|| {
                let mut t = due + Duration::seconds(interval);
                while t <= now {
                    t += Duration::seconds(interval);
                }
                t
            });
            if let Some(tx) = self.connectors[c as usize].tx.as_mut() {
                tx.next_sample_at = next;
            }
            self.record_sample(c, due, ReadingContext::SamplePeriodic);
        }
        if let Some(due) = self.next_aligned_at.filter(|d| *d <= now) {
            self.next_aligned_at =
                next_aligned(now, self.config.int(keys::CLOCK_ALIGNED_DATA_INTERVAL));
            for c in self.connector_ids() {
                self.record_sample(c, due, ReadingContext::SampleClock);
            }
        }
    }

    /// A periodic or clock-aligned sample: MeterValues (queued when it belongs
    /// to a transaction) and the StopTxn data.
    fn record_sample(&mut self, c: u32, at: DateTime<Utc>, context: ReadingContext) {
        let Some(reading) = self.connectors[c as usize].meter else {
            return;
        };
        if self.connectors[c as usize]
            .tx
            .as_ref()
            .is_some_and(|t| t.awaiting_lock)
        {
            return;
        }
        let (list_key, stop_key) = match context {
            ReadingContext::SampleClock => {
                (keys::METER_VALUES_ALIGNED_DATA, keys::STOP_TXN_ALIGNED_DATA)
            }
            _ => (keys::METER_VALUES_SAMPLED_DATA, keys::STOP_TXN_SAMPLED_DATA),
        };
        let measurands = self.config.list(list_key);
        let stop_measurands = self.config.list(stop_key);
        let mv = meter_value(at, &reading, &measurands, context.clone());
        let local_tx = self.connectors[c as usize].tx.as_ref().map(|t| t.local_id);
        if let Some(tx) = self.connectors[c as usize].tx.as_mut() {
            tx.last_energy_wh = reading.energy_wh;
            if let Some(stop_mv) = meter_value(at, &reading, &stop_measurands, context) {
                tx.stop_data.push(stop_mv);
            }
        }
        let Some(mv) = mv else { return };
        let req = MeterValuesRequest {
            connector_id: c,
            transaction_id: None,
            meter_value: vec![mv],
        };
        match local_tx {
            Some(local) => {
                self.push_queued(Some(local), "MeterValues", &req);
                self.persist_transactions();
            }
            None if self.online() => {
                // Outside a transaction only the newest reading matters: a slow
                // CSMS must not make these pile up.
                let call = PendingCall::new("MeterValues", &req, Purpose::Plain);
                let waiting = self.pending.iter_mut().find(|p| {
                    p.action == "MeterValues" && !p.triggered && p.payload["connectorId"] == c
                });
                match waiting {
                    Some(old) => *old = call,
                    None => self.pending.push_back(call),
                }
            }
            None => {}
        }
    }

    /// MeterValues for a TriggerMessage (context Trigger, not queued).
    pub(super) fn triggered_meter_values(&self, c: u32, now: DateTime<Utc>) -> Option<PendingCall> {
        let reading = self.connectors[c as usize].meter?;
        let measurands = self.config.list(keys::METER_VALUES_SAMPLED_DATA);
        let mv = meter_value(now, &reading, &measurands, ReadingContext::Trigger)?;
        let transaction_id = self.transaction_id(c);
        let req = MeterValuesRequest {
            connector_id: c,
            transaction_id,
            meter_value: vec![mv],
        };
        Some(PendingCall::new("MeterValues", &req, Purpose::Plain))
    }

    /// Stores the reset marker so a hard reset's leftovers get the right reason.
    pub(super) fn store_reset_marker(&mut self, kind: ResetKind) {
        self.store(store_keys::RESET, &Some(StoredReset { kind }));
    }
}

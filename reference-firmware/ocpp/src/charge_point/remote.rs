//! CSMS-initiated operations on the charger: availability, reset, unlock,
//! remote start/stop, reservations, trigger messages, file transfers.

use chrono::{DateTime, Duration, Utc};
use rust_ocpp::v1_6::messages::cancel_reservation::{
    CancelReservationRequest, CancelReservationResponse,
};
use rust_ocpp::v1_6::messages::change_availability::{
    ChangeAvailabilityRequest, ChangeAvailabilityResponse,
};
use rust_ocpp::v1_6::messages::diagnostics_status_notification::DiagnosticsStatusNotificationRequest;
use rust_ocpp::v1_6::messages::firmware_status_notification::FirmwareStatusNotificationRequest;
use rust_ocpp::v1_6::messages::remote_start_transaction::{
    RemoteStartTransactionRequest, RemoteStartTransactionResponse,
};
use rust_ocpp::v1_6::messages::remote_stop_transaction::{
    RemoteStopTransactionRequest, RemoteStopTransactionResponse,
};
use rust_ocpp::v1_6::messages::reserve_now::{ReserveNowRequest, ReserveNowResponse};
use rust_ocpp::v1_6::messages::reset::{ResetRequest, ResetResponse};
use rust_ocpp::v1_6::messages::trigger_message::{TriggerMessageRequest, TriggerMessageResponse};
use rust_ocpp::v1_6::messages::unlock_connector::UnlockConnectorResponse;
use rust_ocpp::v1_6::types::{
    AuthorizationStatus, AvailabilityStatus, AvailabilityType, CancelReservationStatus,
    ChargingProfilePurposeType, IdTagInfo, MessageTrigger, Reason, RemoteStartStopStatus,
    ReservationStatus, ResetRequestStatus, ResetResponseStatus, TriggerMessageStatus, UnlockStatus,
};
use serde_json::json;

use super::outgoing::{PendingCall, Purpose};
use super::session::AuthIntent;
use super::{ChargePoint, Registration};
use crate::config::keys;
use crate::firmware::TransferAction;
use crate::frame::Frame;
use crate::io::{store_keys, Cable, Output, ResetKind};
use crate::reservation::Reservation;

/// An UnlockConnector waiting for the core's answer.
#[derive(Debug, Clone)]
pub(super) struct PendingUnlock {
    pub call_id: String,
    pub connector: u32,
    pub deadline: DateTime<Utc>,
}

/// How long the lock actuator may take before UnlockFailed is reported.
const UNLOCK_TIMEOUT_S: i64 = 10;

impl ChargePoint {
    // ------------------------------------------------------------ availability

    pub(super) fn change_availability(
        &mut self,
        req: ChangeAvailabilityRequest,
    ) -> ChangeAvailabilityResponse {
        let c = req.connector_id;
        let status = if c > self.settings.connectors.max(1) {
            AvailabilityStatus::Rejected
        } else {
            let operative = req.kind == AvailabilityType::Operative;
            let busy = if c == 0 {
                self.connectors.iter().any(|x| x.tx.is_some())
            } else {
                self.connectors[c as usize].tx.is_some()
            };
            if busy && self.connectors[c as usize].operative != operative {
                self.connectors[c as usize].scheduled_operative = Some(operative);
                AvailabilityStatus::Scheduled
            } else {
                self.connectors[c as usize].scheduled_operative = None;
                self.set_operative(c, operative);
                AvailabilityStatus::Accepted
            }
        };
        ChangeAvailabilityResponse { status }
    }

    fn set_operative(&mut self, c: u32, operative: bool) {
        self.connectors[c as usize].operative = operative;
        self.persist_availability();
        self.out.push_back(Output::SetAvailability {
            connector: c,
            operative,
        });
    }

    /// Applies availability changes that waited for the transaction on `c`.
    pub(super) fn apply_scheduled_availability(&mut self, c: u32) {
        if let Some(op) = self.connectors[c as usize].scheduled_operative.take() {
            self.set_operative(c, op);
        }
        let idle = self.connectors.iter().all(|x| x.tx.is_none());
        if idle {
            if let Some(op) = self.connectors[0].scheduled_operative.take() {
                self.set_operative(0, op);
            }
        }
    }

    // ------------------------------------------------------------ reset

    pub(super) fn reset(&mut self, now: DateTime<Utc>, req: ResetRequest) -> ResetResponse {
        let (kind, reason) = match req.kind {
            ResetRequestStatus::Hard => (ResetKind::Hard, Reason::HardReset),
            ResetRequestStatus::Soft => (ResetKind::Soft, Reason::SoftReset),
        };
        for c in self.connector_ids() {
            if self.connectors[c as usize].tx.is_some() {
                self.stop_transaction(now, c, reason.clone(), None);
            }
        }
        self.queue_security_event(now, "ResetOrReboot");
        self.store_reset_marker(kind);
        let grace = Duration::seconds(self.settings.reset_grace_s.max(0));
        self.pending_reset = Some((kind, now + grace));
        ResetResponse {
            status: ResetResponseStatus::Accepted,
        }
    }

    /// Restarts once the StopTransactions are delivered or the grace time is over
    /// (undelivered messages stay in the persisted queue).
    pub(super) fn check_pending_reset(&mut self, now: DateTime<Utc>) {
        let Some((kind, deadline)) = self.pending_reset else {
            return;
        };
        let stops_pending =
            (!self.queue.is_empty() || !self.security_queue.is_empty()) && self.connected;
        let replying = self.outstanding.is_some();
        if (!stops_pending && !replying) || now >= deadline {
            self.pending_reset = None;
            self.out.push_back(Output::Reset { kind });
        }
    }

    // ------------------------------------------------------------ unlock

    pub(super) fn unlock_connector(
        &mut self,
        now: DateTime<Utc>,
        call_id: &str,
        connector: u32,
    ) -> Option<UnlockConnectorResponse> {
        let reply = |status| Some(UnlockConnectorResponse { status });
        if !self.valid_connector(connector) || self.settings.cable == Cable::Tethered {
            return reply(UnlockStatus::NotSupported);
        }
        if self.connectors[connector as usize].tx.is_some() {
            self.stop_transaction(now, connector, Reason::UnlockCommand, None);
        }
        self.out.push_back(Output::UnlockConnector { connector });
        self.pending_unlocks.push(PendingUnlock {
            call_id: call_id.to_string(),
            connector,
            deadline: now + Duration::seconds(UNLOCK_TIMEOUT_S),
        });
        None
    }

    fn answer_unlock(&mut self, call_id: String, status: UnlockStatus) {
        let payload =
            serde_json::to_value(UnlockConnectorResponse { status }).unwrap_or_else(|_| json!({}));
        self.send_frame(Frame::CallResult {
            id: call_id,
            payload,
        });
    }

    pub(super) fn on_unlock_result(&mut self, connector: u32, unlocked: bool) {
        let pos = self
            .pending_unlocks
            .iter()
            .position(|u| u.connector == connector);
        if let Some(i) = pos {
            let u = self.pending_unlocks.remove(i);
            let status = if unlocked {
                UnlockStatus::Unlocked
            } else {
                UnlockStatus::UnlockFailed
            };
            self.answer_unlock(u.call_id, status);
        }
    }

    pub(super) fn check_pending_unlocks(&mut self, now: DateTime<Utc>) {
        let (late, waiting): (Vec<_>, Vec<_>) = self
            .pending_unlocks
            .drain(..)
            .partition(|u| u.deadline <= now);
        self.pending_unlocks = waiting;
        for u in late {
            self.answer_unlock(u.call_id, UnlockStatus::UnlockFailed);
        }
    }

    // ------------------------------------------------------------ remote start/stop

    pub(super) fn remote_start(
        &mut self,
        now: DateTime<Utc>,
        req: RemoteStartTransactionRequest,
    ) -> RemoteStartTransactionResponse {
        let reject = RemoteStartTransactionResponse {
            status: RemoteStartStopStatus::Rejected,
        };
        if self.registration != Registration::Accepted
            || req.id_tag.is_empty()
            || req.id_tag.chars().count() > 20
        {
            return reject;
        }
        if let Some(p) = &req.charging_profile {
            if p.charging_profile_purpose != ChargingProfilePurposeType::TxProfile {
                return reject;
            }
        }
        let c = match req.connector_id {
            Some(0) => return reject,
            Some(c) if !self.valid_connector(c) => return reject,
            Some(c) => c,
            None => match self
                .connector_ids()
                .find(|&i| self.can_start(i) && self.connectors[i as usize].authorized.is_none())
            {
                Some(c) => c,
                None => return reject,
            },
        };
        if !self.can_start(c) || self.connectors[c as usize].authorized.is_some() {
            return reject;
        }
        let intent = AuthIntent::RemoteStart {
            profile: req.charging_profile.clone(),
        };
        if self.config.bool(keys::AUTHORIZE_REMOTE_TX_REQUESTS) {
            self.authorize(now, c, &req.id_tag, intent);
        } else {
            // Reservation rules still apply to a remote start.
            let parent = self
                .local_list
                .lookup(&req.id_tag, now)
                .and_then(|i| i.parent_id_tag);
            if self
                .usable_reservation(c, &req.id_tag, parent.as_deref())
                .is_err()
            {
                return reject;
            }
            let info = IdTagInfo {
                status: AuthorizationStatus::Accepted,
                parent_id_tag: parent,
                expiry_date: None,
            };
            self.decide(now, c, &req.id_tag, intent, info);
        }
        RemoteStartTransactionResponse {
            status: RemoteStartStopStatus::Accepted,
        }
    }

    pub(super) fn remote_stop(
        &mut self,
        now: DateTime<Utc>,
        req: RemoteStopTransactionRequest,
    ) -> RemoteStopTransactionResponse {
        let found = self.connector_ids().find(|&c| {
            self.connectors[c as usize]
                .tx
                .as_ref()
                .and_then(|t| self.queue.transaction_id(t.local_id))
                == Some(req.transaction_id)
        });
        let status = match found {
            Some(c) => {
                self.stop_transaction(now, c, Reason::Remote, None);
                RemoteStartStopStatus::Accepted
            }
            None => RemoteStartStopStatus::Rejected,
        };
        RemoteStopTransactionResponse { status }
    }

    // ------------------------------------------------------------ reservations

    pub(super) fn reserve_now(
        &mut self,
        req: ReserveNowRequest,
        now: DateTime<Utc>,
    ) -> ReserveNowResponse {
        let c = req.connector_id;
        let status = self.reservation_status(c, req.reservation_id, now, &req);
        if status == ReservationStatus::Accepted {
            self.reservations.put(Reservation {
                id: req.reservation_id,
                connector: c,
                id_tag: req.id_tag,
                parent_id_tag: req.parent_id_tag,
                expiry: req.expiry_date,
            });
            self.persist_reservations();
        }
        ReserveNowResponse { status }
    }

    fn reservation_status(
        &self,
        c: u32,
        id: i32,
        now: DateTime<Utc>,
        req: &ReserveNowRequest,
    ) -> ReservationStatus {
        if req.expiry_date <= now || req.id_tag.is_empty() || req.id_tag.chars().count() > 20 {
            return ReservationStatus::Rejected;
        }
        let cp = &self.connectors[0];
        if c == 0 {
            if !self.config.bool(keys::RESERVE_CONNECTOR_ZERO_SUPPORTED) {
                return ReservationStatus::Rejected;
            }
            if cp.fault.is_some() {
                return ReservationStatus::Faulted;
            }
            if !cp.operative {
                return ReservationStatus::Unavailable;
            }
            // A connector-0 reservation needs one connector that could serve
            // it; otherwise the answer says why none can (all faulted, all out
            // of service, or in use).
            let ids: Vec<u32> = self.connector_ids().collect();
            let faulted = |i: u32| self.connectors[i as usize].fault.is_some();
            let inoperative = |i: u32| !self.connectors[i as usize].operative;
            let usable = |i: u32| !faulted(i) && !inoperative(i);
            return if ids
                .iter()
                .any(|&i| usable(i) && self.connector_free_for(i, id))
            {
                ReservationStatus::Accepted
            } else if ids.iter().all(|&i| faulted(i)) {
                ReservationStatus::Faulted
            } else if ids.iter().all(|&i| !usable(i)) {
                ReservationStatus::Unavailable
            } else {
                ReservationStatus::Occupied
            };
        }
        if !self.valid_connector(c) {
            return ReservationStatus::Rejected;
        }
        let con = &self.connectors[c as usize];
        if con.fault.is_some() || cp.fault.is_some() {
            return ReservationStatus::Faulted;
        }
        if !con.operative || !cp.operative {
            return ReservationStatus::Unavailable;
        }
        if self.connector_free_for(c, id) {
            ReservationStatus::Accepted
        } else {
            ReservationStatus::Occupied
        }
    }

    /// No session, cable, or other reservation on the connector (a reservation
    /// with the same id may be replaced).
    fn connector_free_for(&self, c: u32, reservation_id: i32) -> bool {
        let con = &self.connectors[c as usize];
        let other = self
            .reservations
            .for_connector(c)
            .is_some_and(|r| r.id != reservation_id);
        con.tx.is_none() && !con.plugged && !con.finishing && con.authorized.is_none() && !other
    }

    pub(super) fn cancel_reservation(
        &mut self,
        req: CancelReservationRequest,
    ) -> CancelReservationResponse {
        let status = if self.reservations.cancel(req.reservation_id) {
            self.persist_reservations();
            CancelReservationStatus::Accepted
        } else {
            CancelReservationStatus::Rejected
        };
        CancelReservationResponse { status }
    }

    pub(super) fn expire_reservations(&mut self, now: DateTime<Utc>) {
        // Seeded defect: the expiry date is stored but never acted on.
        if self.defect(crate::defects::OcppDefect::ReservationNeverExpires) {
            return;
        }
        if !self.reservations.expire(now).is_empty() {
            self.persist_reservations();
        }
    }

    pub(super) fn persist_reservations(&mut self) {
        let r = self.reservations.clone();
        self.store(store_keys::RESERVATIONS, &r);
    }

    // ------------------------------------------------------------ trigger message

    pub(super) fn trigger_message(
        &mut self,
        now: DateTime<Utc>,
        req: TriggerMessageRequest,
    ) -> TriggerMessageResponse {
        let reply = |status| TriggerMessageResponse { status };
        if let Some(c) = req.connector_id {
            if c > self.settings.connectors.max(1) {
                return reply(TriggerMessageStatus::Rejected);
            }
        }
        let connectors: Vec<u32> = match req.connector_id {
            Some(c) => vec![c],
            None => (0..=self.settings.connectors.max(1)).collect(),
        };
        let mut calls = Vec::new();
        match req.requested_message {
            MessageTrigger::BootNotification => {
                // After acceptance a new BootNotification is not expected.
                if self.registration == Registration::Accepted {
                    return reply(TriggerMessageStatus::Rejected);
                }
                self.boot_due = now;
            }
            MessageTrigger::Heartbeat => {
                calls.push(PendingCall::new(
                    "Heartbeat",
                    &json!({}),
                    Purpose::Heartbeat,
                ));
            }
            MessageTrigger::StatusNotification => {
                for c in connectors {
                    calls.push(self.triggered_status(c, now));
                }
            }
            MessageTrigger::MeterValues => {
                for c in connectors.into_iter().filter(|&c| c >= 1) {
                    calls.extend(self.triggered_meter_values(c, now));
                }
            }
            MessageTrigger::FirmwareStatusNotification => {
                let req = FirmwareStatusNotificationRequest {
                    status: self.transfers.firmware_status(),
                };
                calls.push(PendingCall::new(
                    "FirmwareStatusNotification",
                    &req,
                    Purpose::Plain,
                ));
            }
            MessageTrigger::DiagnosticsStatusNotification => {
                let req = DiagnosticsStatusNotificationRequest {
                    status: self.transfers.diagnostics_status(),
                };
                calls.push(PendingCall::new(
                    "DiagnosticsStatusNotification",
                    &req,
                    Purpose::Plain,
                ));
            }
        }
        for mut call in calls {
            call.triggered = true;
            self.pending.push_back(call);
        }
        reply(TriggerMessageStatus::Accepted)
    }

    // ------------------------------------------------------------ file transfers

    fn apply_transfer_actions(&mut self, now: DateTime<Utc>, actions: Vec<TransferAction>) {
        for action in actions {
            match action {
                TransferAction::Download { url } => {
                    self.out.push_back(Output::DownloadFirmware { url })
                }
                TransferAction::Install => self.out.push_back(Output::InstallFirmware),
                TransferAction::Upload { url, file_name } => self
                    .out
                    .push_back(Output::UploadDiagnostics { url, file_name }),
                TransferAction::Reboot => {
                    self.queue_security_event(now, "FirmwareUpdated");
                    for c in self.connector_ids() {
                        if self.connectors[c as usize].tx.is_some() {
                            self.stop_transaction(now, c, Reason::Reboot, None);
                        }
                    }
                    let grace = Duration::seconds(self.settings.reset_grace_s.max(0));
                    self.pending_reset = Some((ResetKind::Hard, now + grace));
                }
                TransferAction::FirmwareStatus(status) => {
                    let req = FirmwareStatusNotificationRequest { status };
                    self.pending.push_back(PendingCall::new(
                        "FirmwareStatusNotification",
                        &req,
                        Purpose::Plain,
                    ));
                }
                TransferAction::DiagnosticsStatus(status) => {
                    let req = DiagnosticsStatusNotificationRequest { status };
                    self.pending.push_back(PendingCall::new(
                        "DiagnosticsStatusNotification",
                        &req,
                        Purpose::Plain,
                    ));
                }
            }
        }
        self.persist_transfers();
    }

    pub(super) fn run_transfers(&mut self, now: DateTime<Utc>) {
        if self.transfers.next_due().is_none_or(|t| t > now) && !self.transfers_waiting_for_idle() {
            return;
        }
        let running = self.connectors.iter().any(|c| c.tx.is_some());
        let actions = self.transfers.poll(now, running);
        if !actions.is_empty() {
            self.apply_transfer_actions(now, actions);
        }
    }

    fn transfers_waiting_for_idle(&self) -> bool {
        self.transfers.firmware_status() == rust_ocpp::v1_6::types::FirmwareStatus::Downloaded
    }

    pub(super) fn on_firmware_downloaded(&mut self, now: DateTime<Utc>, ok: bool) {
        let actions = self.transfers.downloaded(now, ok);
        self.apply_transfer_actions(now, actions);
        self.run_transfers(now);
    }

    pub(super) fn on_firmware_installed(&mut self, now: DateTime<Utc>, ok: bool) {
        let actions = self.transfers.installed(ok);
        self.apply_transfer_actions(now, actions);
    }

    pub(super) fn on_diagnostics_uploaded(&mut self, now: DateTime<Utc>, ok: bool) {
        let actions = self.transfers.uploaded(now, ok);
        self.apply_transfer_actions(now, actions);
    }

    /// After BootNotification is accepted: statuses owed from before a reboot.
    pub(super) fn queue_transfer_status_after_boot(&mut self) {
        let actions = self.transfers.on_accepted();
        if !actions.is_empty() {
            let now = self.last_now;
            self.apply_transfer_actions(now, actions);
        }
    }
}

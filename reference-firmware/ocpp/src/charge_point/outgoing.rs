//! CALLs from the charge point: choosing what goes next (one at a time),
//! matching answers, timeouts, BootNotification and Heartbeat.

use chrono::{DateTime, Duration, Utc};
use rust_ocpp::v1_6::messages::authorize::AuthorizeResponse;
use rust_ocpp::v1_6::messages::boot_notification::{
    BootNotificationRequest, BootNotificationResponse,
};
use rust_ocpp::v1_6::messages::heart_beat::HeartbeatResponse;
use rust_ocpp::v1_6::types::RegistrationStatus;
use serde::Serialize;
use serde_json::{json, Value};

use super::connector::Reported;
use super::session::AuthIntent;
use super::{ChargePoint, Registration};
use crate::config::keys;
use crate::frame::Frame;
use crate::io::Output;
use crate::tx_queue::{Delivered, Queued};

/// Why a CALL was sent: decides what its answer means.
#[derive(Debug, Clone)]
pub(super) enum Purpose {
    Boot,
    Heartbeat,
    Status {
        connector: u32,
        status: Reported,
    },
    Authorize {
        connector: u32,
        id_tag: String,
        intent: AuthIntent,
    },
    /// The head of the guaranteed-delivery queue.
    Queued,
    /// The head of the security event queue.
    SecurityEvent,
    /// Answer carries nothing we need (triggered MeterValues, file-transfer statuses).
    Plain,
}

#[derive(Debug, Clone)]
pub(super) struct PendingCall {
    pub action: &'static str,
    pub payload: Value,
    pub purpose: Purpose,
    /// Sent on request of a TriggerMessage: allowed while Pending.
    pub triggered: bool,
}

/// `text` cut to at most `max` characters.
pub(super) fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl PendingCall {
    pub fn new<T: Serialize>(action: &'static str, payload: &T, purpose: Purpose) -> PendingCall {
        PendingCall {
            action,
            payload: serde_json::to_value(payload).unwrap_or_else(|_| json!({})),
            purpose,
            triggered: false,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Outstanding {
    pub id: String,
    pub action: String,
    pub purpose: Purpose,
    pub deadline: DateTime<Utc>,
}

impl ChargePoint {
    pub(super) fn send_frame(&mut self, frame: Frame) {
        self.out.push_back(Output::SendFrame(frame.to_text()));
    }

    /// Sends the next CALL if the line is free.
    pub(super) fn pump(&mut self, now: DateTime<Utc>) {
        if !self.connected || self.outstanding.is_some() {
            return;
        }
        let next = match self.registration {
            Registration::Accepted => self.next_accepted_call(now),
            Registration::Rejected | Registration::Unknown | Registration::Pending => {
                if self.boot_due <= now {
                    Some(self.boot_call())
                } else if self.registration == Registration::Pending {
                    let pos = self.pending.iter().position(|p| p.triggered);
                    pos.and_then(|i| self.pending.remove(i))
                } else {
                    None
                }
            }
        };
        if let Some(call) = next {
            self.send_call(now, call);
        }
    }

    fn next_accepted_call(&mut self, now: DateTime<Utc>) -> Option<PendingCall> {
        if let Some(call) = self.pending.pop_front() {
            return Some(call);
        }
        if let Some(call) = self.next_status_report(now) {
            return Some(call);
        }
        if let Some((action, payload)) = self.queue.next_to_send(now) {
            let action: &'static str = match action.as_str() {
                "StartTransaction" => "StartTransaction",
                "StopTransaction" => "StopTransaction",
                _ => "MeterValues",
            };
            return Some(PendingCall {
                action,
                payload,
                purpose: Purpose::Queued,
                triggered: false,
            });
        }
        // Security events never hold up transaction messages.
        if self.queue.is_empty() {
            if let Some((_, payload)) = self.security_queue.next_to_send(now) {
                return Some(PendingCall {
                    action: "SecurityEventNotification",
                    payload,
                    purpose: Purpose::SecurityEvent,
                    triggered: false,
                });
            }
        }
        if self.heartbeat_due().is_some_and(|t| t <= now) {
            return Some(PendingCall::new(
                "Heartbeat",
                &json!({}),
                Purpose::Heartbeat,
            ));
        }
        None
    }

    fn send_call(&mut self, now: DateTime<Utc>, call: PendingCall) {
        let id = self.next_message_id.to_string();
        self.next_message_id += 1;
        self.send_frame(Frame::call(id.clone(), call.action, call.payload));
        self.last_call_at = now;
        self.outstanding = Some(Outstanding {
            id,
            action: call.action.to_string(),
            purpose: call.purpose,
            deadline: now + Duration::seconds(self.settings.call_timeout_s.max(1)),
        });
    }

    pub(super) fn boot_call(&self) -> PendingCall {
        let s = &self.settings;
        // Field lengths are bounded by the 1.6 schema.
        let req = BootNotificationRequest {
            charge_box_serial_number: None,
            charge_point_model: clip(&s.model, 20),
            charge_point_serial_number: Some(clip(&s.serial_number, 25)),
            charge_point_vendor: clip(&s.vendor, 20),
            firmware_version: Some(clip(&s.firmware_version, 50)),
            iccid: None,
            imsi: None,
            meter_serial_number: None,
            meter_type: None,
        };
        PendingCall::new("BootNotification", &req, Purpose::Boot)
    }

    pub(super) fn heartbeat_due(&self) -> Option<DateTime<Utc>> {
        let interval = self.config.int(keys::HEARTBEAT_INTERVAL);
        (interval > 0 && self.registration == Registration::Accepted)
            .then(|| self.last_call_at + Duration::seconds(interval))
    }

    pub(super) fn check_call_timeout(&mut self, now: DateTime<Utc>) {
        if self.outstanding.as_ref().is_some_and(|c| c.deadline <= now) {
            if let Some(call) = self.outstanding.take() {
                self.warn(format!(
                    "CSMS did not answer {} (id {}) in time",
                    call.action, call.id
                ));
                self.on_call_failed(now, call, None);
            }
        }
    }

    /// A CALL failed: CALLERROR (`error` = Some) or no answer (timeout, disconnect).
    pub(super) fn on_call_failed(
        &mut self,
        now: DateTime<Utc>,
        call: Outstanding,
        error: Option<String>,
    ) {
        match call.purpose {
            Purpose::Boot => {
                // Try again after a pause; the CSMS gave no interval.
                self.boot_due = now + Duration::seconds(30);
            }
            Purpose::Status { connector, status } => {
                // A CALLERROR is final (resending would loop); a timeout retries.
                if error.is_some() {
                    self.connectors[connector as usize].reported = Some(status);
                }
            }
            Purpose::Authorize {
                connector,
                id_tag,
                intent,
            } => self.authorize_offline(now, connector, &id_tag, intent),
            Purpose::Queued => {
                let retry = self.seconds(keys::TRANSACTION_MESSAGE_RETRY_INTERVAL);
                match error {
                    Some(_) => {
                        let attempts = self.config.int(keys::TRANSACTION_MESSAGE_ATTEMPTS) as u32;
                        if let Some(dropped) = self.queue.on_failure(now, attempts, retry) {
                            self.on_queued_dropped(dropped);
                        }
                    }
                    None => self.queue.on_timeout(now, retry),
                }
                self.persist_queue();
            }
            Purpose::SecurityEvent => {
                let retry = self.seconds(keys::TRANSACTION_MESSAGE_RETRY_INTERVAL);
                match error.as_deref() {
                    // A CSMS without the security extension: the event cannot be delivered.
                    Some("NotImplemented" | "NotSupported") => {
                        self.security_queue.on_failure(now, 1, retry);
                    }
                    Some(_) => {
                        let attempts = self.config.int(keys::TRANSACTION_MESSAGE_ATTEMPTS) as u32;
                        self.security_queue.on_failure(now, attempts, retry);
                    }
                    None => self.security_queue.on_timeout(now, retry),
                }
                self.persist_security_queue();
            }
            Purpose::Heartbeat | Purpose::Plain => {}
        }
    }

    fn on_queued_dropped(&mut self, dropped: Queued) {
        self.warn(format!(
            "{} discarded after TransactionMessageAttempts failures",
            dropped.action
        ));
    }

    fn take_outstanding(&mut self, id: &str) -> Option<Outstanding> {
        match &self.outstanding {
            Some(c) if c.id == id => self.outstanding.take(),
            _ => {
                self.warn(format!("answer with unknown message id {id:?} dropped"));
                None
            }
        }
    }

    pub(super) fn on_call_error(
        &mut self,
        now: DateTime<Utc>,
        id: &str,
        code: &str,
        description: &str,
    ) {
        if let Some(call) = self.take_outstanding(id) {
            self.warn(format!(
                "CSMS answered {} with {code}: {description}",
                call.action
            ));
            self.on_call_failed(now, call, Some(code.to_string()));
        }
    }

    pub(super) fn on_call_result(&mut self, now: DateTime<Utc>, id: &str, payload: Value) {
        let Some(call) = self.take_outstanding(id) else {
            return;
        };
        match call.purpose.clone() {
            Purpose::Boot => match serde_json::from_value::<BootNotificationResponse>(payload) {
                Ok(conf) => self.on_boot_conf(now, conf),
                Err(e) => {
                    self.warn(format!("bad BootNotification.conf: {e}"));
                    self.on_call_failed(now, call, Some("bad payload".into()));
                }
            },
            Purpose::Heartbeat => {
                if let Ok(conf) = serde_json::from_value::<HeartbeatResponse>(payload) {
                    self.out.push_back(Output::SetClock {
                        utc: conf.current_time,
                    });
                }
            }
            Purpose::Status { connector, status } => {
                self.connectors[connector as usize].reported = Some(status);
            }
            Purpose::Authorize {
                connector,
                id_tag,
                intent,
            } => match serde_json::from_value::<AuthorizeResponse>(payload) {
                Ok(conf) => {
                    self.on_authorize_conf(now, connector, &id_tag, intent, conf.id_tag_info)
                }
                Err(e) => {
                    self.warn(format!("bad Authorize.conf: {e}"));
                    self.authorize_offline(now, connector, &id_tag, intent);
                }
            },
            Purpose::Queued => {
                if let Some(delivered) = self.queue.on_result(payload) {
                    self.on_delivered(now, delivered);
                }
                self.persist_queue();
            }
            Purpose::SecurityEvent => {
                self.security_queue.on_result(payload);
                self.persist_security_queue();
            }
            Purpose::Plain => {}
        }
    }

    fn on_delivered(&mut self, now: DateTime<Utc>, delivered: Delivered) {
        match delivered {
            Delivered::StartTransaction { local_tx, response } => {
                self.on_start_transaction_conf(now, local_tx, response)
            }
            Delivered::Other {
                action,
                request,
                response,
            } => {
                if action == "StopTransaction" {
                    self.on_stop_transaction_conf(&request, response);
                }
            }
        }
    }

    fn on_boot_conf(&mut self, now: DateTime<Utc>, conf: BootNotificationResponse) {
        self.out.push_back(Output::SetClock {
            utc: conf.current_time,
        });
        let wait = if self.defect(crate::defects::OcppDefect::BootRetriedEarly) {
            // Seeded defect: a fixed short retry instead of the CSMS's interval.
            Duration::seconds(1)
        } else if conf.interval > 0 {
            Duration::seconds(conf.interval as i64)
        } else {
            Duration::seconds(60)
        };
        match conf.status {
            RegistrationStatus::Accepted => {
                self.registration = Registration::Accepted;
                // Seeded defect: the CSMS's interval is not taken over.
                if conf.interval > 0
                    && !self.defect(crate::defects::OcppDefect::HeartbeatIntervalIgnored)
                {
                    self.config
                        .set_internal(keys::HEARTBEAT_INTERVAL, conf.interval.to_string());
                    self.persist_config();
                }
                self.forget_reported_statuses();
                self.queue_transfer_status_after_boot();
            }
            RegistrationStatus::Pending => {
                self.registration = Registration::Pending;
                self.boot_due = now + wait;
            }
            RegistrationStatus::Rejected => {
                self.registration = Registration::Rejected;
                self.boot_due = now + wait;
                // Triggered messages must not go out while Rejected.
                self.pending.retain(|p| !p.triggered);
            }
        }
    }

    /// On disconnect: drop what only makes sense online.
    pub(super) fn drop_volatile_pending(&mut self, now: DateTime<Utc>) {
        let pending: Vec<PendingCall> = self.pending.drain(..).collect();
        for call in pending {
            match call.purpose {
                Purpose::Heartbeat | Purpose::Status { .. } | Purpose::Boot => {}
                Purpose::Authorize {
                    connector,
                    id_tag,
                    intent,
                } => self.authorize_offline(now, connector, &id_tag, intent),
                Purpose::Plain | Purpose::Queued | Purpose::SecurityEvent => {
                    self.pending.push_back(call)
                }
            }
        }
    }

    /// Queues a security event with guaranteed delivery (whitepaper A04.FR.02).
    /// Only with a security profile of 1 or more: a charge point at profile 0
    /// does not use the security extension, and its CSMS may not know the message.
    pub(super) fn queue_security_event(&mut self, now: DateTime<Utc>, kind: &str) {
        // The security log (GetLog) keeps every event, whatever the profile.
        self.record_security_event(now, kind);
        if self.config.int(keys::SECURITY_PROFILE) < 1 {
            return;
        }
        self.security_queue.push(Queued {
            local_tx: None,
            action: "SecurityEventNotification".into(),
            payload: json!({ "type": kind, "timestamp": now }),
        });
        self.persist_security_queue();
    }
}

//! GetLog (security whitepaper): the request, the upload job's outputs and
//! LogStatusNotifications, and the security log the events are recorded in.

use chrono::{DateTime, Utc};

use super::outgoing::{PendingCall, Purpose};
use super::ChargePoint;
use crate::io::{store_keys, Output};
use crate::security_log::{
    GetLogRequest, GetLogResponse, LogAction, LogStatusNotificationRequest, LogType,
};

impl ChargePoint {
    pub(super) fn get_log(&mut self, now: DateTime<Utc>, req: GetLogRequest) -> GetLogResponse {
        let serial = self.settings.serial_number.clone();
        let conf = self.log_uploads.get_log(req, now, &serial);
        self.persist_log_uploads();
        conf
    }

    pub(super) fn run_log_uploads(&mut self, now: DateTime<Utc>) {
        if self.log_uploads.next_due().is_none_or(|t| t > now) {
            return;
        }
        let actions = self.log_uploads.poll(now);
        self.apply_log_actions(actions);
    }

    pub(super) fn on_log_uploaded(&mut self, now: DateTime<Utc>, ok: bool) {
        let actions = self.log_uploads.uploaded(now, ok);
        self.apply_log_actions(actions);
    }

    fn apply_log_actions(&mut self, actions: Vec<LogAction>) {
        if actions.is_empty() {
            return;
        }
        for action in actions {
            match action {
                LogAction::Upload(job) => {
                    let security_lines = match job.log_type {
                        LogType::SecurityLog => self.security_log.lines(job.oldest, job.latest),
                        LogType::DiagnosticsLog => Vec::new(),
                    };
                    self.out.push_back(Output::UploadLog {
                        url: job.location,
                        file_name: job.file_name,
                        log_type: job.log_type,
                        security_lines,
                    });
                }
                LogAction::Status { status, request_id } => {
                    let req = LogStatusNotificationRequest {
                        status,
                        request_id: Some(request_id),
                    };
                    self.pending.push_back(PendingCall::new(
                        "LogStatusNotification",
                        &req,
                        Purpose::Plain,
                    ));
                }
            }
        }
        self.persist_log_uploads();
    }

    pub(super) fn record_security_event(&mut self, now: DateTime<Utc>, kind: &str) {
        self.security_log.record(now, kind);
        let log = self.security_log.clone();
        self.store(store_keys::SECURITY_LOG, &log);
    }

    pub(super) fn persist_log_uploads(&mut self) {
        let u = self.log_uploads.clone();
        self.store(store_keys::LOG_UPLOAD, &u);
    }
}

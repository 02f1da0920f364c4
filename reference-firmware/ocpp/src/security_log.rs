//! GetLog of the OCPP 1.6 security whitepaper: the messages (rust_ocpp has
//! only the 1.6 core set), the security log the charge point keeps, and the
//! upload job with its LogStatusNotifications.
//!
//! The upload itself is the shell's (HTTP PUT, like GetDiagnostics); this
//! module decides when, retries, and which statuses to report.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Entries the security log keeps; older ones are dropped.
pub const SECURITY_LOG_CAPACITY: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogType {
    DiagnosticsLog,
    SecurityLog,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogParameters {
    pub remote_location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_timestamp: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_timestamp: Option<DateTime<Utc>>,
}

/// GetLog.req.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetLogRequest {
    pub log_type: LogType,
    pub request_id: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    pub log: LogParameters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogStatus {
    Accepted,
    Rejected,
    /// Accepted, and an upload still in progress was canceled for it.
    AcceptedCanceled,
}

/// GetLog.conf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogResponse {
    pub status: LogStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadLogStatus {
    BadMessage,
    Idle,
    NotSupportedOperation,
    PermissionDenied,
    Uploaded,
    UploadFailure,
    Uploading,
}

/// LogStatusNotification.req.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogStatusNotificationRequest {
    pub status: UploadLogStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

/// One security event as the log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityLogEntry {
    pub at: DateTime<Utc>,
    pub kind: String,
}

/// The charge point's security log (persisted, bounded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityLog {
    entries: VecDeque<SecurityLogEntry>,
}

impl SecurityLog {
    pub fn record(&mut self, at: DateTime<Utc>, kind: &str) {
        if self.entries.len() == SECURITY_LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(SecurityLogEntry {
            at,
            kind: kind.to_string(),
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries within `[oldest, latest]` as text lines, oldest first.
    pub fn lines(
        &self,
        oldest: Option<DateTime<Utc>>,
        latest: Option<DateTime<Utc>>,
    ) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| oldest.is_none_or(|o| e.at >= o) && latest.is_none_or(|l| e.at <= l))
            .map(|e| format!("{} {}", e.at.to_rfc3339(), e.kind))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Phase {
    Waiting,
    Uploading,
}

/// A GetLog being carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogJob {
    pub request_id: i32,
    pub log_type: LogType,
    pub location: String,
    pub file_name: String,
    pub oldest: Option<DateTime<Utc>>,
    pub latest: Option<DateTime<Utc>>,
    retries_left: u32,
    retry_interval_s: i64,
    phase: Phase,
    next_at: DateTime<Utc>,
}

/// What the charge point must do next for the log upload.
#[derive(Debug, Clone, PartialEq)]
pub enum LogAction {
    /// Upload this job's file (the shell answers `CoreEvent::LogUploaded`).
    Upload(LogJob),
    Status {
        status: UploadLogStatus,
        request_id: i32,
    },
}

/// The GetLog state machine (persisted with the charge point's state).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogUploads {
    job: Option<LogJob>,
}

impl LogUploads {
    /// GetLog.req: replaces a job in progress (AcceptedCanceled).
    pub fn get_log(
        &mut self,
        req: GetLogRequest,
        now: DateTime<Utc>,
        serial: &str,
    ) -> GetLogResponse {
        let location = req.log.remote_location.trim().to_string();
        if location.is_empty() || location.chars().count() > 512 {
            return GetLogResponse {
                status: LogStatus::Rejected,
                filename: None,
            };
        }
        let kind = match req.log_type {
            LogType::DiagnosticsLog => "diagnostics",
            LogType::SecurityLog => "security",
        };
        let file_name = format!("{kind}-log-{serial}-{}.log", now.format("%Y%m%dT%H%M%SZ"));
        let canceled = self.job.is_some();
        self.job = Some(LogJob {
            request_id: req.request_id,
            log_type: req.log_type,
            location,
            file_name: file_name.clone(),
            oldest: req.log.oldest_timestamp,
            latest: req.log.latest_timestamp,
            retries_left: req.retries.unwrap_or(0).max(0) as u32,
            retry_interval_s: req.retry_interval.unwrap_or(60).max(1) as i64,
            phase: Phase::Waiting,
            next_at: now,
        });
        GetLogResponse {
            status: if canceled {
                LogStatus::AcceptedCanceled
            } else {
                LogStatus::Accepted
            },
            filename: Some(file_name),
        }
    }

    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.job
            .as_ref()
            .filter(|j| j.phase == Phase::Waiting)
            .map(|j| j.next_at)
    }

    /// Starts the upload when due: Uploading, then the upload itself.
    pub fn poll(&mut self, now: DateTime<Utc>) -> Vec<LogAction> {
        let Some(job) = self.job.as_mut() else {
            return Vec::new();
        };
        if job.phase != Phase::Waiting || job.next_at > now {
            return Vec::new();
        }
        job.phase = Phase::Uploading;
        vec![
            LogAction::Status {
                status: UploadLogStatus::Uploading,
                request_id: job.request_id,
            },
            LogAction::Upload(job.clone()),
        ]
    }

    /// The shell's answer to an upload: Uploaded, a retry, or UploadFailure.
    pub fn uploaded(&mut self, now: DateTime<Utc>, ok: bool) -> Vec<LogAction> {
        let Some(job) = self.job.as_mut() else {
            return Vec::new();
        };
        if job.phase != Phase::Uploading {
            return Vec::new();
        }
        let request_id = job.request_id;
        if !ok && job.retries_left > 0 {
            job.retries_left -= 1;
            job.phase = Phase::Waiting;
            job.next_at = now + Duration::seconds(job.retry_interval_s);
            return Vec::new();
        }
        self.job = None;
        vec![LogAction::Status {
            status: if ok {
                UploadLogStatus::Uploaded
            } else {
                UploadLogStatus::UploadFailure
            },
            request_id,
        }]
    }

    /// At start-up an interrupted upload starts again.
    pub fn on_boot(&mut self) {
        if let Some(job) = self.job.as_mut() {
            job.phase = Phase::Waiting;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    fn request(id: i32, retries: Option<i32>) -> GetLogRequest {
        let mut v = json!({"logType": "SecurityLog", "requestId": id,
            "log": {"remoteLocation": "http://files/upload/"}});
        if let Some(r) = retries {
            v["retries"] = json!(r);
            v["retryInterval"] = json!(30);
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn upload_reports_uploading_then_uploaded() {
        let mut u = LogUploads::default();
        let conf = u.get_log(request(7, None), t(0), "SN1");
        assert_eq!(conf.status, LogStatus::Accepted);
        assert!(conf.filename.unwrap().starts_with("security-log-SN1-"));
        assert_eq!(u.next_due(), Some(t(0)));
        let a = u.poll(t(0));
        assert_eq!(
            a[0],
            LogAction::Status {
                status: UploadLogStatus::Uploading,
                request_id: 7
            }
        );
        assert!(matches!(&a[1], LogAction::Upload(j) if j.location == "http://files/upload/"));
        assert!(u.poll(t(1)).is_empty(), "one upload at a time");
        assert_eq!(
            u.uploaded(t(2), true),
            vec![LogAction::Status {
                status: UploadLogStatus::Uploaded,
                request_id: 7
            }]
        );
        assert_eq!(u.next_due(), None);
    }

    #[test]
    fn failed_upload_retries_then_reports_failure() {
        let mut u = LogUploads::default();
        u.get_log(request(3, Some(1)), t(0), "SN1");
        u.poll(t(0));
        assert!(u.uploaded(t(1), false).is_empty());
        assert_eq!(u.next_due(), Some(t(31)));
        assert_eq!(u.poll(t(31)).len(), 2);
        assert_eq!(
            u.uploaded(t(32), false),
            vec![LogAction::Status {
                status: UploadLogStatus::UploadFailure,
                request_id: 3
            }]
        );
    }

    #[test]
    fn a_new_request_cancels_the_running_one_and_bad_ones_are_rejected() {
        let mut u = LogUploads::default();
        u.get_log(request(1, None), t(0), "SN1");
        u.poll(t(0));
        let conf = u.get_log(request(2, None), t(1), "SN1");
        assert_eq!(conf.status, LogStatus::AcceptedCanceled);
        // The canceled upload's late answer does not finish the new job, which has not started.
        assert!(u.uploaded(t(2), true).is_empty());
        let mut bad = request(4, None);
        bad.log.remote_location = " ".into();
        assert_eq!(u.get_log(bad, t(3), "SN1").status, LogStatus::Rejected);
        let wire = serde_json::to_value(GetLogResponse {
            status: LogStatus::AcceptedCanceled,
            filename: None,
        })
        .unwrap();
        assert_eq!(wire, json!({"status": "AcceptedCanceled"}));
    }

    #[test]
    fn security_log_is_bounded_and_filtered_by_time() {
        let mut log = SecurityLog::default();
        for i in 0..(SECURITY_LOG_CAPACITY as i64 + 10) {
            log.record(t(i), "SettingSystemTime");
        }
        assert_eq!(log.len(), SECURITY_LOG_CAPACITY);
        let lines = log.lines(Some(t(100)), Some(t(102)));
        assert_eq!(lines.len(), 3);
        assert!(lines[0].ends_with(" SettingSystemTime"), "{}", lines[0]);
        assert!(lines[0].starts_with(&t(100).to_rfc3339()));
    }
}

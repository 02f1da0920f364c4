//! Firmware Management: the UpdateFirmware and GetDiagnostics state machines.
//! The shell performs the HTTP transfers and the installation; this module
//! decides when, retries, and which status notifications to send.

use chrono::{DateTime, Duration, Utc};
use rust_ocpp::v1_6::types::{DiagnosticsStatus, FirmwareStatus};
use serde::{Deserialize, Serialize};

/// What the charge point must do next for a transfer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferAction {
    Download {
        url: String,
    },
    Install,
    /// Restart into the installed firmware.
    Reboot,
    Upload {
        url: String,
        file_name: String,
    },
    FirmwareStatus(FirmwareStatus),
    DiagnosticsStatus(DiagnosticsStatus),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum FirmwarePhase {
    /// Waiting for retrieveDate or a retry.
    Waiting,
    Downloading,
    /// Downloaded; installs once no transaction runs.
    Downloaded,
    Installing,
    /// Install finished, reboot requested; "Installed" is reported after the next boot.
    Rebooting,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FirmwareJob {
    location: String,
    retries_left: u32,
    retry_interval_s: i64,
    phase: FirmwarePhase,
    next_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum DiagnosticsPhase {
    Waiting,
    Uploading,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DiagnosticsJob {
    location: String,
    file_name: String,
    retries_left: u32,
    retry_interval_s: i64,
    phase: DiagnosticsPhase,
    next_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
enum LastFirmware {
    #[default]
    Idle,
    Downloading,
    Downloaded,
    DownloadFailed,
    Installing,
    Installed,
    InstallationFailed,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileTransfers {
    firmware: Option<FirmwareJob>,
    diagnostics: Option<DiagnosticsJob>,
    last_firmware: LastFirmware,
    /// Set at boot after a firmware reboot: report Installed once accepted.
    report_installed: bool,
}

fn firmware_status(s: LastFirmware) -> FirmwareStatus {
    match s {
        LastFirmware::Idle => FirmwareStatus::Idle,
        LastFirmware::Downloading => FirmwareStatus::Downloading,
        LastFirmware::Downloaded => FirmwareStatus::Downloaded,
        LastFirmware::DownloadFailed => FirmwareStatus::DownloadFailed,
        LastFirmware::Installing => FirmwareStatus::Installing,
        LastFirmware::Installed => FirmwareStatus::Installed,
        LastFirmware::InstallationFailed => FirmwareStatus::InstallationFailed,
    }
}

impl FileTransfers {
    /// UpdateFirmware.req.
    pub fn update_firmware(
        &mut self,
        location: String,
        retrieve_at: DateTime<Utc>,
        retries: Option<i32>,
        retry_interval_s: Option<i32>,
    ) {
        self.firmware = Some(FirmwareJob {
            location,
            retries_left: retries.unwrap_or(0).max(0) as u32,
            retry_interval_s: retry_interval_s.unwrap_or(60).max(1) as i64,
            phase: FirmwarePhase::Waiting,
            next_at: retrieve_at,
        });
    }

    /// GetDiagnostics.req; returns the file name to report.
    pub fn get_diagnostics(
        &mut self,
        location: String,
        retries: Option<i32>,
        retry_interval_s: Option<i32>,
        now: DateTime<Utc>,
        serial: &str,
    ) -> String {
        let file_name = format!("diagnostics-{serial}-{}.log", now.format("%Y%m%dT%H%M%SZ"));
        self.diagnostics = Some(DiagnosticsJob {
            location,
            file_name: file_name.clone(),
            retries_left: retries.unwrap_or(0).max(0) as u32,
            retry_interval_s: retry_interval_s.unwrap_or(60).max(1) as i64,
            phase: DiagnosticsPhase::Waiting,
            next_at: now,
        });
        file_name
    }

    /// For TriggerMessage(FirmwareStatusNotification).
    pub fn firmware_status(&self) -> FirmwareStatus {
        match &self.firmware {
            Some(j) => match j.phase {
                FirmwarePhase::Downloading => FirmwareStatus::Downloading,
                FirmwarePhase::Downloaded => FirmwareStatus::Downloaded,
                FirmwarePhase::Installing | FirmwarePhase::Rebooting => FirmwareStatus::Installing,
                FirmwarePhase::Waiting => firmware_status(self.last_firmware),
            },
            None => FirmwareStatus::Idle,
        }
    }

    /// For TriggerMessage(DiagnosticsStatusNotification).
    pub fn diagnostics_status(&self) -> DiagnosticsStatus {
        match &self.diagnostics {
            Some(j) if j.phase == DiagnosticsPhase::Uploading => DiagnosticsStatus::Uploading,
            _ => DiagnosticsStatus::Idle,
        }
    }

    /// At start-up: a job that was interrupted by the firmware reboot is done.
    pub fn on_boot(&mut self) {
        if let Some(job) = &self.firmware {
            if job.phase == FirmwarePhase::Rebooting {
                self.report_installed = true;
                self.firmware = None;
            } else if job.phase != FirmwarePhase::Waiting {
                // Interrupted by a power loss: start over.
                let mut job = job.clone();
                job.phase = FirmwarePhase::Waiting;
                self.firmware = Some(job);
            }
        }
        if let Some(job) = self.diagnostics.as_mut() {
            job.phase = DiagnosticsPhase::Waiting;
        }
    }

    /// BootNotification accepted: statuses owed from before the reboot.
    pub fn on_accepted(&mut self) -> Vec<TransferAction> {
        if std::mem::take(&mut self.report_installed) {
            self.last_firmware = LastFirmware::Installed;
            return vec![TransferAction::FirmwareStatus(FirmwareStatus::Installed)];
        }
        Vec::new()
    }

    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let fw = self
            .firmware
            .as_ref()
            .filter(|j| j.phase == FirmwarePhase::Waiting)
            .map(|j| j.next_at);
        let diag = self
            .diagnostics
            .as_ref()
            .filter(|j| j.phase == DiagnosticsPhase::Waiting)
            .map(|j| j.next_at);
        fw.into_iter().chain(diag).min()
    }

    /// Starts transfers that are due; installs once no transaction is running.
    pub fn poll(&mut self, now: DateTime<Utc>, transaction_running: bool) -> Vec<TransferAction> {
        let mut actions = Vec::new();
        if let Some(job) = self.firmware.as_mut() {
            if job.phase == FirmwarePhase::Waiting && job.next_at <= now {
                job.phase = FirmwarePhase::Downloading;
                self.last_firmware = LastFirmware::Downloading;
                actions.push(TransferAction::FirmwareStatus(FirmwareStatus::Downloading));
                actions.push(TransferAction::Download {
                    url: job.location.clone(),
                });
            } else if job.phase == FirmwarePhase::Downloaded && !transaction_running {
                job.phase = FirmwarePhase::Installing;
                self.last_firmware = LastFirmware::Installing;
                actions.push(TransferAction::FirmwareStatus(FirmwareStatus::Installing));
                actions.push(TransferAction::Install);
            }
        }
        if let Some(job) = self.diagnostics.as_mut() {
            if job.phase == DiagnosticsPhase::Waiting && job.next_at <= now {
                job.phase = DiagnosticsPhase::Uploading;
                actions.push(TransferAction::DiagnosticsStatus(
                    DiagnosticsStatus::Uploading,
                ));
                actions.push(TransferAction::Upload {
                    url: job.location.clone(),
                    file_name: job.file_name.clone(),
                });
            }
        }
        actions
    }

    pub fn downloaded(&mut self, now: DateTime<Utc>, ok: bool) -> Vec<TransferAction> {
        let Some(job) = self.firmware.as_mut() else {
            return Vec::new();
        };
        if job.phase != FirmwarePhase::Downloading {
            return Vec::new();
        }
        if ok {
            job.phase = FirmwarePhase::Downloaded;
            self.last_firmware = LastFirmware::Downloaded;
            return vec![TransferAction::FirmwareStatus(FirmwareStatus::Downloaded)];
        }
        if job.retries_left > 0 {
            job.retries_left -= 1;
            job.phase = FirmwarePhase::Waiting;
            job.next_at = now + Duration::seconds(job.retry_interval_s);
            return Vec::new();
        }
        self.firmware = None;
        self.last_firmware = LastFirmware::DownloadFailed;
        vec![TransferAction::FirmwareStatus(
            FirmwareStatus::DownloadFailed,
        )]
    }

    pub fn installed(&mut self, ok: bool) -> Vec<TransferAction> {
        let Some(job) = self.firmware.as_mut() else {
            return Vec::new();
        };
        if job.phase != FirmwarePhase::Installing {
            return Vec::new();
        }
        if ok {
            job.phase = FirmwarePhase::Rebooting;
            return vec![TransferAction::Reboot];
        }
        self.firmware = None;
        self.last_firmware = LastFirmware::InstallationFailed;
        vec![TransferAction::FirmwareStatus(
            FirmwareStatus::InstallationFailed,
        )]
    }

    pub fn uploaded(&mut self, now: DateTime<Utc>, ok: bool) -> Vec<TransferAction> {
        let Some(job) = self.diagnostics.as_mut() else {
            return Vec::new();
        };
        if job.phase != DiagnosticsPhase::Uploading {
            return Vec::new();
        }
        if ok {
            self.diagnostics = None;
            return vec![TransferAction::DiagnosticsStatus(
                DiagnosticsStatus::Uploaded,
            )];
        }
        if job.retries_left > 0 {
            job.retries_left -= 1;
            job.phase = DiagnosticsPhase::Waiting;
            job.next_at = now + Duration::seconds(job.retry_interval_s);
            return Vec::new();
        }
        self.diagnostics = None;
        vec![TransferAction::DiagnosticsStatus(
            DiagnosticsStatus::UploadFailed,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn download_install_reboot_installed() {
        let mut f = FileTransfers::default();
        f.update_firmware("http://x/fw.bin".into(), t(10), Some(0), None);
        assert!(f.poll(t(9), false).is_empty());
        assert_eq!(f.next_due(), Some(t(10)));
        let a = f.poll(t(10), false);
        assert_eq!(
            a[0],
            TransferAction::FirmwareStatus(FirmwareStatus::Downloading)
        );
        assert_eq!(
            f.downloaded(t(11), true),
            vec![TransferAction::FirmwareStatus(FirmwareStatus::Downloaded)]
        );
        // Waits for the transaction to end before installing.
        assert!(f.poll(t(12), true).is_empty());
        assert_eq!(f.poll(t(13), false)[1], TransferAction::Install);
        assert_eq!(f.installed(true), vec![TransferAction::Reboot]);
        let mut after: FileTransfers =
            serde_json::from_slice(&serde_json::to_vec(&f).unwrap()).unwrap();
        after.on_boot();
        assert_eq!(
            after.on_accepted(),
            vec![TransferAction::FirmwareStatus(FirmwareStatus::Installed)]
        );
        assert_eq!(after.firmware_status(), FirmwareStatus::Idle);
    }

    #[test]
    fn download_retries_then_fails() {
        let mut f = FileTransfers::default();
        f.update_firmware("http://x".into(), t(0), Some(1), Some(30));
        f.poll(t(0), false);
        assert!(f.downloaded(t(1), false).is_empty());
        assert_eq!(f.next_due(), Some(t(31)));
        assert_eq!(f.poll(t(31), false).len(), 2);
        assert_eq!(
            f.downloaded(t(32), false),
            vec![TransferAction::FirmwareStatus(
                FirmwareStatus::DownloadFailed
            )]
        );
    }

    #[test]
    fn diagnostics_upload_and_failure() {
        let mut f = FileTransfers::default();
        let name = f.get_diagnostics("http://up".into(), None, None, t(0), "SN1");
        assert!(name.starts_with("diagnostics-SN1-"));
        let a = f.poll(t(0), false);
        assert_eq!(
            a[0],
            TransferAction::DiagnosticsStatus(DiagnosticsStatus::Uploading)
        );
        assert_eq!(f.diagnostics_status(), DiagnosticsStatus::Uploading);
        assert_eq!(
            f.uploaded(t(1), false),
            vec![TransferAction::DiagnosticsStatus(
                DiagnosticsStatus::UploadFailed
            )]
        );
        assert_eq!(f.diagnostics_status(), DiagnosticsStatus::Idle);
    }
}

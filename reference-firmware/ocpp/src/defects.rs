//! Seeded defects of the OCPP charge point: deliberate protocol bugs that exist only in builds
//! with the `seeded-defects` feature, so the conformance suite can prove it catches them.
//!
//! The names are part of the firmware's single registry of defects (the reference firmware's
//! `--seed-defect NAME` lists these next to the charging core's own). Each defect is checked at
//! the one place where the real bug would live; without the feature [`OcppDefects::has`] is
//! always `false` and the checks compile away.

use std::fmt;

/// One seeded defect of the OCPP charge point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OcppDefect {
    /// StatusNotification Preparing is never sent (the connector goes from Available straight
    /// to Charging in the CSMS's view).
    StatusPreparingNeverSent,
    /// Every StopTransaction carries reason Local, whatever ended the transaction.
    StopReasonAlwaysLocal,
    /// The transaction journal (the message queue and the open transactions) is not read back
    /// at start-up: what was queued offline, and the StopTransaction of a session a reboot
    /// cut short, are lost.
    OfflineQueueLostOnReboot,
    /// Queued MeterValues are kept as a stack: after a connection loss the newest is sent first.
    MeterValuesNewestFirst,
    /// The heartbeat interval from BootNotification.conf is not taken over.
    HeartbeatIntervalIgnored,
    /// ChangeConfiguration of an unknown key answers Accepted instead of NotSupported.
    UnknownConfigKeyAccepted,
    /// After a Pending or Rejected BootNotification.conf the next one goes out after 1 s,
    /// not after the interval the CSMS asked for.
    BootRetriedEarly,
    /// SendLocalList applies the entries but does not store the list's new version.
    LocalListVersionNotUpdated,
    /// A reservation never expires at its expiryDate.
    ReservationNeverExpires,
    /// A TxProfile sent during a transaction is stored but does not limit the charge.
    TxProfileIgnored,
}

impl OcppDefect {
    pub const ALL: [OcppDefect; 10] = [
        OcppDefect::StatusPreparingNeverSent,
        OcppDefect::StopReasonAlwaysLocal,
        OcppDefect::OfflineQueueLostOnReboot,
        OcppDefect::MeterValuesNewestFirst,
        OcppDefect::HeartbeatIntervalIgnored,
        OcppDefect::UnknownConfigKeyAccepted,
        OcppDefect::BootRetriedEarly,
        OcppDefect::LocalListVersionNotUpdated,
        OcppDefect::ReservationNeverExpires,
        OcppDefect::TxProfileIgnored,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OcppDefect::StatusPreparingNeverSent => "status-preparing-never-sent",
            OcppDefect::StopReasonAlwaysLocal => "stop-reason-always-local",
            OcppDefect::OfflineQueueLostOnReboot => "offline-queue-lost-on-reboot",
            OcppDefect::MeterValuesNewestFirst => "meter-values-newest-first",
            OcppDefect::HeartbeatIntervalIgnored => "heartbeat-interval-ignored",
            OcppDefect::UnknownConfigKeyAccepted => "unknown-config-key-accepted",
            OcppDefect::BootRetriedEarly => "boot-retried-early",
            OcppDefect::LocalListVersionNotUpdated => "local-list-version-not-updated",
            OcppDefect::ReservationNeverExpires => "reservation-never-expires",
            OcppDefect::TxProfileIgnored => "tx-profile-ignored",
        }
    }

    /// The defect with this name, if it is one of the charge point's.
    pub fn from_name(name: &str) -> Option<OcppDefect> {
        OcppDefect::ALL.into_iter().find(|d| d.name() == name)
    }
}

impl fmt::Display for OcppDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The active set, given to the charge point in its [`Settings`](crate::Settings). Without the
/// `seeded-defects` feature it is always empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcppDefects {
    #[cfg(feature = "seeded-defects")]
    active: Vec<OcppDefect>,
}

impl OcppDefects {
    /// Builds the set; refused when the crate was built without the feature.
    pub fn new(list: &[OcppDefect]) -> Result<OcppDefects, String> {
        #[cfg(feature = "seeded-defects")]
        {
            Ok(OcppDefects {
                active: list.to_vec(),
            })
        }
        #[cfg(not(feature = "seeded-defects"))]
        {
            match list.first() {
                None => Ok(OcppDefects {}),
                Some(d) => Err(format!(
                    "seeded defect {d}: ocpp-charge-point was built without the \
                     `seeded-defects` feature"
                )),
            }
        }
    }

    #[inline]
    pub fn has(&self, _d: OcppDefect) -> bool {
        #[cfg(feature = "seeded-defects")]
        {
            self.active.contains(&_d)
        }
        #[cfg(not(feature = "seeded-defects"))]
        {
            false
        }
    }
}

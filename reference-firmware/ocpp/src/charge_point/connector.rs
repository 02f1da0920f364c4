//! Per-connector state and the OCPP status derived from it, reported with
//! StatusNotification once stable for `MinimumStatusDuration`.

use chrono::{DateTime, Duration, Utc};
use rust_ocpp::v1_6::messages::status_notification::StatusNotificationRequest;
use rust_ocpp::v1_6::types::{ChargePointErrorCode, ChargePointStatus, ChargingProfile};

use super::outgoing::{clip, PendingCall, Purpose};
use super::session::Transaction;
use super::ChargePoint;
use crate::config::keys;
use crate::io::MeterReading;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fault {
    pub error_code: ChargePointErrorCode,
    pub info: Option<String>,
    pub vendor_error_code: Option<String>,
}

/// An idTag accepted for a connector that has no transaction yet.
#[derive(Debug, Clone)]
pub(super) struct Authorization {
    pub id_tag: String,
    pub parent_id_tag: Option<String>,
    /// ConnectionTimeOut: given up when the cable is not plugged by then.
    pub expires: DateTime<Utc>,
    pub reservation_id: Option<i32>,
    /// TxProfile that came with a RemoteStartTransaction.
    pub charging_profile: Option<ChargingProfile>,
}

/// A status as reported (or to be reported) to the CSMS.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reported {
    pub status: ChargePointStatus,
    pub error_code: ChargePointErrorCode,
    pub info: Option<String>,
    pub vendor_error_code: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    pub status: Reported,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct Connector {
    pub plugged: bool,
    pub ev_ready: bool,
    pub energy_offered: bool,
    pub fault: Option<Fault>,
    pub operative: bool,
    /// Availability change waiting for the transaction to end.
    pub scheduled_operative: Option<bool>,
    pub authorized: Option<Authorization>,
    pub tx: Option<Transaction>,
    /// A transaction ended and the connector is not free for the next user
    /// yet: the cable stays plugged, or the EV was just unplugged.
    pub finishing: bool,
    /// End of the Finishing shown after an EV-side disconnect stopped the
    /// transaction (nothing senses when the driver has put the cable away).
    pub finishing_until: Option<DateTime<Utc>>,
    pub meter: Option<MeterReading>,
    /// Socket variants: the cable lock is engaged (its feedback).
    pub locked: bool,
    pub observed: Option<Observed>,
    pub reported: Option<Reported>,
    /// Limit last sent to the core (outer None = never sent).
    pub limit_sent: Option<Option<f64>>,
}

impl Connector {
    pub fn new(operative: bool) -> Connector {
        Connector {
            plugged: false,
            ev_ready: false,
            energy_offered: false,
            fault: None,
            operative,
            scheduled_operative: None,
            authorized: None,
            tx: None,
            finishing: false,
            finishing_until: None,
            meter: None,
            locked: false,
            observed: None,
            reported: None,
            limit_sent: None,
        }
    }

    pub fn deadlines(&self) -> Vec<DateTime<Utc>> {
        let mut d = Vec::new();
        if let Some(a) = &self.authorized {
            if !self.plugged {
                d.push(a.expires);
            }
        }
        if let Some(t) = self.tx.as_ref().and_then(|t| t.next_sample_at) {
            d.push(t);
        }
        d.extend(self.finishing_until);
        d
    }
}

/// How long a connector shows Finishing after the EV was unplugged and that
/// stopped the transaction, before it is Available again. OCPP 1.6 has the
/// connector Finishing until the next user can use it; the OCTT cases
/// TC_005_1/2 expect Finishing after an EV-side disconnect.
pub(super) const FINISHING_AFTER_EV_UNPLUG_S: i64 = 3;

impl Connector {
    /// Leaves Finishing (a new cable, card or transaction came).
    pub fn end_finishing(&mut self) {
        self.finishing = false;
        self.finishing_until = None;
    }
}

fn plain(status: ChargePointStatus) -> Reported {
    Reported {
        status,
        error_code: ChargePointErrorCode::NoError,
        info: None,
        vendor_error_code: None,
    }
}

impl ChargePoint {
    /// The status connector `id` is in now (0 = the charge point).
    pub(super) fn derive_status(&self, id: u32) -> Reported {
        let cp = &self.connectors[0];
        let fault_of = |f: &super::connector::Fault| Reported {
            status: ChargePointStatus::Faulted,
            error_code: f.error_code.clone(),
            info: f.info.clone(),
            vendor_error_code: f.vendor_error_code.clone(),
        };
        if id == 0 {
            return match &cp.fault {
                Some(f) => fault_of(f),
                None if !cp.operative => plain(ChargePointStatus::Unavailable),
                None => plain(ChargePointStatus::Available),
            };
        }
        let c = &self.connectors[id as usize];
        if let Some(f) = c.fault.as_ref().or(cp.fault.as_ref()) {
            return fault_of(f);
        }
        if let Some(tx) = c.tx.as_ref().filter(|t| !t.awaiting_lock) {
            let status = if tx.energy_suspended || !c.energy_offered {
                ChargePointStatus::SuspendedEVSE
            } else if !c.plugged || !c.ev_ready {
                ChargePointStatus::SuspendedEV
            } else {
                ChargePointStatus::Charging
            };
            let mut r = plain(status);
            if !c.plugged {
                r.info = Some("EV side disconnected".into());
            }
            return r;
        }
        if !c.operative || !cp.operative {
            return plain(ChargePointStatus::Unavailable);
        }
        if c.finishing {
            return plain(ChargePointStatus::Finishing);
        }
        // Seeded defect: Preparing forgotten, the connector stays Available until charging.
        if (c.plugged || c.authorized.is_some())
            && !self.defect(crate::defects::OcppDefect::StatusPreparingNeverSent)
        {
            return plain(ChargePointStatus::Preparing);
        }
        if self.is_reserved(id) {
            return plain(ChargePointStatus::Reserved);
        }
        plain(ChargePointStatus::Available)
    }

    /// Whether connector `id` shows as Reserved: its own reservation, or as
    /// many connector-0 reservations as there are free connectors left.
    pub(super) fn is_reserved(&self, id: u32) -> bool {
        if self.reservations.for_connector(id).is_some() {
            return true;
        }
        let whole = self.reservations.whole_charge_point().count();
        if whole == 0 {
            return false;
        }
        let free = self
            .connector_ids()
            .filter(|&i| {
                let c = &self.connectors[i as usize];
                c.tx.is_none()
                    && !c.plugged
                    && c.authorized.is_none()
                    && c.fault.is_none()
                    && c.operative
                    && self.reservations.for_connector(i).is_none()
            })
            .count();
        free <= whole
    }

    /// Records status changes (their start time matters for MinimumStatusDuration).
    pub(super) fn refresh_statuses(&mut self, now: DateTime<Utc>) {
        for id in 0..self.connectors.len() {
            let status = self.derive_status(id as u32);
            let c = &mut self.connectors[id];
            let changed = c.observed.as_ref().is_none_or(|o| o.status != status);
            if changed {
                c.observed = Some(Observed { status, since: now });
            }
        }
    }

    fn min_status_duration(&self) -> Duration {
        self.seconds(keys::MINIMUM_STATUS_DURATION)
    }

    /// Earliest time a pending status change becomes reportable.
    pub(super) fn status_report_due(&self) -> Option<DateTime<Utc>> {
        let min = self.min_status_duration();
        self.connectors
            .iter()
            .filter_map(|c| {
                let o = c.observed.as_ref()?;
                (c.reported.as_ref() != Some(&o.status)).then_some(o.since + min)
            })
            .min()
    }

    /// The next StatusNotification to send, if a stable change is unreported.
    pub(super) fn next_status_report(&self, now: DateTime<Utc>) -> Option<PendingCall> {
        let min = self.min_status_duration();
        self.connectors.iter().enumerate().find_map(|(id, c)| {
            let o = c.observed.as_ref()?;
            if c.reported.as_ref() == Some(&o.status) || o.since + min > now {
                return None;
            }
            Some(status_call(
                id as u32,
                &o.status,
                o.since,
                &self.settings.vendor,
            ))
        })
    }

    /// Forgets what was reported so every status is sent again (after boot).
    pub(super) fn forget_reported_statuses(&mut self) {
        for c in &mut self.connectors {
            c.reported = None;
        }
    }

    /// A StatusNotification for a TriggerMessage: sent now, whatever the duration.
    pub(super) fn triggered_status(&self, id: u32, now: DateTime<Utc>) -> PendingCall {
        let status = self.derive_status(id);
        let since = self.connectors[id as usize]
            .observed
            .as_ref()
            .map(|o| o.since)
            .unwrap_or(now);
        status_call(id, &status, since, &self.settings.vendor)
    }
}

fn status_call(
    connector: u32,
    status: &Reported,
    since: DateTime<Utc>,
    vendor: &str,
) -> PendingCall {
    let req = StatusNotificationRequest {
        connector_id: connector,
        error_code: status.error_code.clone(),
        info: status.info.clone(),
        status: status.status.clone(),
        timestamp: Some(since),
        vendor_id: status.vendor_error_code.as_ref().map(|_| clip(vendor, 255)),
        vendor_error_code: status.vendor_error_code.clone(),
    };
    PendingCall::new(
        "StatusNotification",
        &req,
        Purpose::Status {
            connector,
            status: status.clone(),
        },
    )
}

//! The scripted behaviour of the central system: what it answers to each charge point CALL.
//!
//! A deterministic state machine: time comes in as arguments, so tests can drive it directly.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use plugin_api::kinds::csms::{AuthorizationStatus, RegistrationStatus};

use crate::validate::{CallErrorCode, RuleKind, Violation};

/// How the CSMS reacts to one CALL.
#[derive(Debug, Clone, PartialEq)]
pub enum Reaction {
    /// Answer with this CALLRESULT payload after `delay` (zero: at once).
    Result { payload: Value, delay: Duration },
    /// Answer with a CallError.
    Error {
        code: CallErrorCode,
        description: String,
        delay: Duration,
    },
    /// Never answer.
    Silence,
}

#[derive(Debug, Clone)]
struct AuthEntry {
    status: AuthorizationStatus,
    parent_id_tag: Option<String>,
    expiry_date: Option<String>,
}

/// The registration state of one charge point, as this CSMS decided it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Registration {
    Accepted,
    Pending,
    /// Rejected: the charge point must stay silent until this instant.
    Rejected {
        until: Instant,
    },
}

/// Everything a scenario can script.
#[derive(Debug)]
pub struct Script {
    pub boot_status: RegistrationStatus,
    pub interval_s: u32,
    pub unknown_status: AuthorizationStatus,
    pub require_boot: bool,
    auth: HashMap<String, AuthEntry>,
    next_transaction_id: i32,
    failures: HashMap<String, (u32, CallErrorCode)>,
    delays: HashMap<String, Option<Duration>>,
    registration: HashMap<String, Registration>,
    /// Requests a Pending charge point may send because the CSMS triggered them.
    triggered: HashMap<String, HashSet<String>>,
}

impl Script {
    pub fn new(
        boot_status: RegistrationStatus,
        interval_s: u32,
        unknown_status: AuthorizationStatus,
        first_transaction_id: i32,
        require_boot: bool,
    ) -> Self {
        Script {
            boot_status,
            interval_s,
            unknown_status,
            require_boot,
            auth: HashMap::new(),
            next_transaction_id: first_transaction_id,
            failures: HashMap::new(),
            delays: HashMap::new(),
            registration: HashMap::new(),
            triggered: HashMap::new(),
        }
    }

    /// Forgets what scenarios scripted (authorization table, forced errors, delays, pending
    /// triggers) and restores the given answers; registrations stay.
    pub fn reset(
        &mut self,
        boot_status: RegistrationStatus,
        interval_s: u32,
        unknown_status: AuthorizationStatus,
    ) {
        self.boot_status = boot_status;
        self.interval_s = interval_s;
        self.unknown_status = unknown_status;
        self.auth.clear();
        self.failures.clear();
        self.delays.clear();
        self.triggered.clear();
    }

    pub fn set_authorization(
        &mut self,
        id_tag: &str,
        status: AuthorizationStatus,
        parent_id_tag: Option<String>,
        expiry_date: Option<String>,
    ) {
        self.auth.insert(
            id_tag.to_ascii_uppercase(),
            AuthEntry {
                status,
                parent_id_tag,
                expiry_date,
            },
        );
    }

    pub fn fail_action(&mut self, action: &str, times: u32, code: CallErrorCode) {
        if times == 0 {
            self.failures.remove(action);
        } else {
            self.failures.insert(action.to_string(), (times, code));
        }
    }

    /// `None` = never answer; `Some(0)` removes the delay.
    pub fn delay_action(&mut self, action: &str, delay: Option<Duration>) {
        if delay == Some(Duration::ZERO) {
            self.delays.remove(action);
        } else {
            self.delays.insert(action.to_string(), delay);
        }
    }

    /// The CSMS sent `TriggerMessage(requested)` to `identity`: while Pending it may now send it.
    pub fn note_trigger(&mut self, identity: &str, requested: &str) {
        self.triggered
            .entry(identity.to_string())
            .or_default()
            .insert(requested.to_string());
    }

    /// Why the CSMS must not send `action` to `identity` now, if it must not (OCPP 1.6 §4.2:
    /// nothing while Rejected, no RemoteStart/RemoteStopTransaction while Pending).
    pub fn forbids_csms_call(&self, identity: &str, action: &str, now: Instant) -> Option<String> {
        match self.registration.get(identity) {
            Some(Registration::Rejected { until }) if now < *until => Some(format!(
                "{identity} is Rejected: the Central System should not send it {action}"
            )),
            Some(Registration::Pending)
                if matches!(action, "RemoteStartTransaction" | "RemoteStopTransaction") =>
            {
                Some(format!(
                    "{identity} is Pending: {action} is not allowed until it is Accepted"
                ))
            }
            _ => None,
        }
    }

    /// A charge point that answers a CSMS CALL while Rejected breaks OCPP 1.6 §4.2.
    pub fn check_answer_allowed(&self, identity: &str, now: Instant) -> Option<Violation> {
        match self.registration.get(identity) {
            Some(Registration::Rejected { until }) if now < *until => Some(Violation::new(
                RuleKind::BootSequence,
                "",
                "answered a Central System CALL while Rejected (it must not respond until the \
                 interval expired)",
            )),
            _ => None,
        }
    }

    /// Whether the registration state allows `identity` to send this CALL now; the violation
    /// says why not (OCPP 1.6 §4.2: nothing but BootNotification before Accepted/Pending, nothing
    /// at all while Rejected until the interval expired, only triggered requests while Pending).
    pub fn check_registration(
        &self,
        identity: &str,
        action: &str,
        now: Instant,
    ) -> Option<Violation> {
        let state = self.registration.get(identity).copied();
        let v = |msg: String| Some(Violation::new(RuleKind::BootSequence, "", msg));
        match state {
            Some(Registration::Rejected { until }) if now < until => v(format!(
                "{action} sent {:.1} s before the Rejected interval expired",
                (until - now).as_secs_f64()
            )),
            _ if action == "BootNotification" => None,
            Some(Registration::Accepted) => None,
            Some(Registration::Pending) => {
                // A trigger may legitimately yield several messages (StatusNotification for
                // every connector), so it stays valid until the next BootNotification answer.
                let triggered = self
                    .triggered
                    .get(identity)
                    .is_some_and(|t| t.contains(action));
                if triggered {
                    None
                } else {
                    v(format!(
                        "{action} sent while Pending without a TriggerMessage"
                    ))
                }
            }
            Some(Registration::Rejected { .. }) => v(format!(
                "{action} sent after a Rejected boot without a new BootNotification"
            )),
            None if self.require_boot => v(format!(
                "{action} sent before any BootNotification was accepted"
            )),
            None => None,
        }
    }

    /// The reaction to a valid CALL `action` with `payload` from `identity`.
    pub fn react(
        &mut self,
        identity: &str,
        action: &str,
        payload: &Value,
        now: Instant,
        utc: DateTime<Utc>,
    ) -> Reaction {
        let delay = match self.delays.get(action) {
            Some(None) => return Reaction::Silence,
            Some(Some(d)) => *d,
            None => Duration::ZERO,
        };
        if let Some((left, code)) = self.failures.get_mut(action) {
            let code = *code;
            *left -= 1;
            if *left == 0 {
                self.failures.remove(action);
            }
            return Reaction::Error {
                code,
                description: format!("{action} failed on purpose (scripted)"),
                delay,
            };
        }
        let payload = self.answer(identity, action, payload, now, utc);
        Reaction::Result { payload, delay }
    }

    /// The default, schema-valid answer of every charge-point-initiated action.
    fn answer(
        &mut self,
        identity: &str,
        action: &str,
        payload: &Value,
        now: Instant,
        utc: DateTime<Utc>,
    ) -> Value {
        let time = utc.to_rfc3339_opts(SecondsFormat::Millis, true);
        let id_tag = payload.get("idTag").and_then(Value::as_str);
        match action {
            "BootNotification" => {
                let status = match self.boot_status {
                    RegistrationStatus::Accepted => Registration::Accepted,
                    RegistrationStatus::Pending => Registration::Pending,
                    RegistrationStatus::Rejected => Registration::Rejected {
                        until: now + Duration::from_secs(u64::from(self.interval_s)),
                    },
                };
                self.registration.insert(identity.to_string(), status);
                self.triggered.remove(identity);
                json!({"status": format!("{:?}", self.boot_status), "currentTime": time,
                    "interval": self.interval_s})
            }
            "Heartbeat" => json!({"currentTime": time}),
            "Authorize" => json!({"idTagInfo": self.id_tag_info(id_tag.unwrap_or_default())}),
            "StartTransaction" => {
                let id = self.next_transaction_id;
                self.next_transaction_id = self.next_transaction_id.wrapping_add(1).max(1);
                json!({"idTagInfo": self.id_tag_info(id_tag.unwrap_or_default()),
                    "transactionId": id})
            }
            "StopTransaction" => match id_tag {
                Some(tag) => json!({"idTagInfo": self.id_tag_info(tag)}),
                None => json!({}),
            },
            // A mock CSMS knows no vendor extensions.
            "DataTransfer" => json!({"status": "UnknownVendorId"}),
            // Accepted for processing; the scenario sends CertificateSigned itself.
            "SignCertificate" => json!({"status": "Accepted"}),
            _ => json!({}),
        }
    }

    fn id_tag_info(&self, id_tag: &str) -> Value {
        // IdToken is case-insensitive (CiString20).
        match self.auth.get(&id_tag.to_ascii_uppercase()) {
            Some(e) => {
                let mut info = json!({"status": format!("{:?}", e.status)});
                if let Some(p) = &e.parent_id_tag {
                    info["parentIdTag"] = json!(p);
                }
                if let Some(x) = &e.expiry_date {
                    info["expiryDate"] = json!(x);
                }
                info
            }
            None => json!({"status": format!("{:?}", self.unknown_status)}),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::check_payload;

    fn script() -> Script {
        Script::new(
            RegistrationStatus::Accepted,
            60,
            AuthorizationStatus::Invalid,
            100,
            true,
        )
    }

    fn result(r: Reaction) -> Value {
        match r {
            Reaction::Result { payload, .. } => payload,
            other => panic!("expected a result, got {other:?}"),
        }
    }

    #[test]
    fn default_answers_are_schema_valid() {
        let mut s = script();
        let now = Instant::now();
        let utc = Utc::now();
        s.set_authorization("abc", AuthorizationStatus::Accepted, Some("P".into()), None);
        for (action, payload) in [
            ("BootNotification", json!({})),
            ("Heartbeat", json!({})),
            ("Authorize", json!({"idTag": "ABC"})),
            ("StartTransaction", json!({"idTag": "nobody"})),
            ("StopTransaction", json!({"idTag": "ABC"})),
            ("StopTransaction", json!({})),
            ("DataTransfer", json!({})),
            ("MeterValues", json!({})),
            ("StatusNotification", json!({})),
            ("FirmwareStatusNotification", json!({})),
            ("DiagnosticsStatusNotification", json!({})),
            ("SecurityEventNotification", json!({})),
            ("SignCertificate", json!({})),
            ("LogStatusNotification", json!({})),
            ("SignedFirmwareStatusNotification", json!({})),
        ] {
            let p = result(s.react("CP1", action, &payload, now, utc));
            assert_eq!(check_payload(action, true, &p), Ok(()), "{action}: {p}");
        }
        let p = result(s.react("CP1", "Authorize", &json!({"idTag": "abc"}), now, utc));
        assert_eq!(
            p["idTagInfo"],
            json!({"status": "Accepted", "parentIdTag": "P"})
        );
        let p = result(s.react("CP1", "StartTransaction", &json!({"idTag": "x"}), now, utc));
        assert_eq!(p["transactionId"], json!(101));
        assert_eq!(p["idTagInfo"]["status"], json!("Invalid"));
    }

    #[test]
    fn failures_count_down_and_delays_apply() {
        let mut s = script();
        let (now, utc) = (Instant::now(), Utc::now());
        s.fail_action("StartTransaction", 2, CallErrorCode::InternalError);
        for _ in 0..2 {
            assert!(matches!(
                s.react("CP", "StartTransaction", &json!({}), now, utc),
                Reaction::Error {
                    code: CallErrorCode::InternalError,
                    ..
                }
            ));
        }
        assert!(matches!(
            s.react("CP", "StartTransaction", &json!({}), now, utc),
            Reaction::Result { .. }
        ));
        s.delay_action("Heartbeat", Some(Duration::from_millis(50)));
        assert!(matches!(
            s.react("CP", "Heartbeat", &json!({}), now, utc),
            Reaction::Result { delay, .. } if delay == Duration::from_millis(50)
        ));
        s.delay_action("Heartbeat", None);
        assert_eq!(
            s.react("CP", "Heartbeat", &json!({}), now, utc),
            Reaction::Silence
        );
    }

    #[test]
    fn registration_rules() {
        let mut s = script();
        let t0 = Instant::now();
        let utc = Utc::now();
        assert!(s.check_registration("CP", "Heartbeat", t0).is_some());
        assert!(s.check_registration("CP", "BootNotification", t0).is_none());
        s.boot_status = RegistrationStatus::Rejected;
        s.react("CP", "BootNotification", &json!({}), t0, utc);
        let early = t0 + Duration::from_secs(59);
        assert!(s
            .check_registration("CP", "BootNotification", early)
            .is_some());
        let later = t0 + Duration::from_secs(61);
        assert!(s.check_registration("CP", "Heartbeat", later).is_some());
        assert!(s
            .check_registration("CP", "BootNotification", later)
            .is_none());
        s.boot_status = RegistrationStatus::Pending;
        s.react("CP", "BootNotification", &json!({}), later, utc);
        assert!(s
            .check_registration("CP", "StatusNotification", later)
            .is_some());
        s.note_trigger("CP", "StatusNotification");
        assert!(s
            .check_registration("CP", "StatusNotification", later)
            .is_none());
        assert!(s
            .forbids_csms_call("CP", "RemoteStartTransaction", later)
            .is_some());
        assert!(s
            .forbids_csms_call("CP", "GetConfiguration", later)
            .is_none());
        s.boot_status = RegistrationStatus::Accepted;
        s.react("CP", "BootNotification", &json!({}), later, utc);
        assert!(s.check_registration("CP", "MeterValues", later).is_none());
        assert!(s
            .forbids_csms_call("CP", "RemoteStartTransaction", later)
            .is_none());
        s.boot_status = RegistrationStatus::Rejected;
        s.react("CP", "BootNotification", &json!({}), later, utc);
        assert!(s
            .forbids_csms_call("CP", "GetConfiguration", later)
            .is_some());
        assert!(s.check_answer_allowed("CP", later).is_some());
    }
}

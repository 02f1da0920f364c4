//! Strict OCPP-J 1.6 validation of every frame, in both directions.
//!
//! `inspect` is the single entry point: framing (`frame`), message ids (`session`), the action
//! table and payload schemas (`messages`, `schema`), each problem a typed `Violation`.

pub mod datetime;
pub mod frame;
pub mod messages;
pub mod schema;
pub mod semantics;
pub mod session;
pub mod violation;

pub use frame::Frame;
pub use session::{Sender, Session};
pub use violation::{answer_for, CallErrorCode, RuleKind, Violation};

use session::AnswerMatch;

/// Everything learnt from one frame.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    pub frame: Option<Frame>,
    pub message_type: Option<u64>,
    pub id: Option<String>,
    /// The CALL's action, or for an answer the action of the CALL it answers.
    pub action: Option<String>,
    /// An answer to a CALL that had already been given up.
    pub late: bool,
    pub violations: Vec<Violation>,
}

impl Inspection {
    /// For a CALL that must be refused: the CallError code and the violation behind it.
    pub fn call_error(&self) -> Option<(CallErrorCode, &Violation)> {
        if self.message_type == Some(frame::CALL) && self.id.is_some() {
            answer_for(&self.violations)
        } else {
            None
        }
    }

    /// The payload object of a CALL or CALLRESULT.
    pub fn payload(&self) -> Option<&serde_json::Value> {
        match &self.frame {
            Some(Frame::Call { payload, .. }) | Some(Frame::CallResult { payload, .. }) => {
                Some(payload)
            }
            _ => None,
        }
    }
}

/// Validates one text frame sent by `sender` and updates the connection's id bookkeeping.
pub fn inspect(session: &mut Session, sender: Sender, text: &str) -> Inspection {
    let framed = frame::parse(text);
    let mut ins = Inspection {
        frame: framed.frame,
        message_type: framed.message_type,
        id: framed.id,
        action: framed.action,
        late: false,
        violations: framed.violations,
    };
    check_exchange(&mut ins, session, sender);
    ins
}

/// Like `inspect` for a frame that is already structured (the CSMS's own frames): the same id,
/// action and schema checks without parsing the text again.
pub fn inspect_frame(session: &mut Session, sender: Sender, f: Frame) -> Inspection {
    let (message_type, action) = match &f {
        Frame::Call { action, .. } => (frame::CALL, Some(action.clone())),
        Frame::CallResult { .. } => (frame::CALLRESULT, None),
        Frame::CallError { .. } => (frame::CALLERROR, None),
    };
    let id = f.id().to_string();
    let mut violations = Vec::new();
    if id.chars().count() > frame::MAX_MESSAGE_ID_LEN {
        violations.push(Violation::new(
            RuleKind::MessageId,
            "[1]",
            format!(
                "message id exceeds the limit of {} characters",
                frame::MAX_MESSAGE_ID_LEN
            ),
        ));
    }
    if let Frame::CallError { code, .. } = &f {
        if CallErrorCode::parse(code).is_none() {
            violations.push(Violation::new(
                RuleKind::Constraint,
                "[2]",
                format!("{code:?} is not an OCPP-J 1.6 CallError code"),
            ));
        }
    }
    let mut ins = Inspection {
        frame: Some(f),
        message_type: Some(message_type),
        id: Some(id),
        action,
        late: false,
        violations,
    };
    check_exchange(&mut ins, session, sender);
    ins
}

/// The checks that need the connection: message ids, the action, and the payload schema.
fn check_exchange(ins: &mut Inspection, session: &mut Session, sender: Sender) {
    match (ins.message_type, ins.id.clone()) {
        (Some(frame::CALL), Some(id)) => {
            let action = ins.action.clone().unwrap_or_default();
            let id_violations = session.on_call(sender, &id, &action);
            ins.violations.extend(id_violations);
            check_call_action(ins, sender);
        }
        (Some(frame::CALLRESULT | frame::CALLERROR), Some(id)) => {
            match session.on_answer(sender, &id) {
                AnswerMatch::Matched { action } => ins.action = Some(action),
                AnswerMatch::Late { action } => {
                    ins.action = Some(action);
                    ins.late = true;
                }
                AnswerMatch::Unmatched(v) => ins.violations.push(v),
            }
            if let (Some(Frame::CallResult { payload, .. }), Some(action)) =
                (&ins.frame, &ins.action)
            {
                if let Some(schema) = messages::lookup(action) {
                    schema::check(payload, &schema.response, "", &mut ins.violations);
                }
            }
        }
        _ => {}
    }
}

fn check_call_action(ins: &mut Inspection, sender: Sender) {
    let Some(action) = ins.action.clone() else {
        return;
    };
    let schema = match messages::lookup(&action) {
        None => {
            ins.violations.push(Violation::new(
                RuleKind::UnknownAction,
                "[2]",
                format!("{action:?} is not an OCPP 1.6 action"),
            ));
            return;
        }
        Some(s) => s,
    };
    let allowed = match sender {
        Sender::ChargePoint => schema.sent_by_charge_point(),
        Sender::CentralSystem => schema.sent_by_central_system(),
    };
    if !allowed {
        let by = match sender {
            Sender::ChargePoint => "the Central System, not by a Charge Point",
            Sender::CentralSystem => "a Charge Point, not by the Central System",
        };
        ins.violations.push(Violation::new(
            RuleKind::UnknownAction,
            "[2]",
            format!("{action} is sent by {by}"),
        ));
        return;
    }
    if let Some(Frame::Call { payload, .. }) = &ins.frame {
        let before = ins.violations.len();
        schema::check(payload, &schema.request, "", &mut ins.violations);
        if ins.violations.len() == before {
            semantics::check_request(&action, sender, payload, &mut ins.violations);
        }
    }
}

/// Checks a payload against the request (or response) schema of `action`, for frames the CSMS
/// is about to send.
pub fn check_payload(
    action: &str,
    response: bool,
    payload: &serde_json::Value,
) -> Result<(), Vec<Violation>> {
    let schema = messages::lookup(action).ok_or_else(|| {
        vec![Violation::new(
            RuleKind::UnknownAction,
            "",
            format!("{action:?} is not an OCPP 1.6 action"),
        )]
    })?;
    let mut out = Vec::new();
    let ty = if response {
        &schema.response
    } else {
        &schema.request
    };
    schema::check(payload, ty, "", &mut out);
    if out.is_empty() && !response {
        semantics::check_request(action, Sender::CentralSystem, payload, &mut out);
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(session: &mut Session, text: &str) -> Inspection {
        inspect(session, Sender::ChargePoint, text)
    }

    fn code(ins: &Inspection) -> Option<CallErrorCode> {
        ins.call_error().map(|(c, _)| c)
    }

    #[test]
    fn each_rule_gets_its_call_error() {
        let cases: &[(&str, CallErrorCode)] = &[
            (r#"[2,"1","Heartbeat"]"#, CallErrorCode::FormationViolation),
            (
                r#"[2,"1","Heartbeat",{"x":1}]"#,
                CallErrorCode::FormationViolation,
            ),
            (
                r#"[2,"1","Authorize",{}]"#,
                CallErrorCode::OccurenceConstraintViolation,
            ),
            (
                r#"[2,"1","Authorize",{"idTag":5}]"#,
                CallErrorCode::TypeConstraintViolation,
            ),
            (
                r#"[2,"1","Authorize",{"idTag":"123456789012345678901"}]"#,
                CallErrorCode::PropertyConstraintViolation,
            ),
            (
                r#"[2,"1","FirmwareStatusNotification",{"status":"Done"}]"#,
                CallErrorCode::PropertyConstraintViolation,
            ),
            (
                r#"[2,"1","StartTransaction",{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"now"}]"#,
                CallErrorCode::PropertyConstraintViolation,
            ),
            (
                r#"[2,"1","StartTransaction",{"connectorId":1,"idTag":"A","meterStart":0.5,"timestamp":"2026-01-01T00:00:00Z"}]"#,
                CallErrorCode::TypeConstraintViolation,
            ),
            (r#"[2,"1","FlyToMoon",{}]"#, CallErrorCode::NotImplemented),
            (
                r#"[2,"1","Reset",{"type":"Hard"}]"#,
                CallErrorCode::NotImplemented,
            ),
            (
                r#"[2,"0123456789012345678901234567890123456","Heartbeat",{}]"#,
                CallErrorCode::ProtocolError,
            ),
        ];
        for (text, expected) in cases {
            let ins = cp(&mut Session::default(), text);
            assert_eq!(code(&ins), Some(*expected), "{text}: {:?}", ins.violations);
        }
    }

    #[test]
    fn valid_call_and_answers() {
        let mut s = Session::default();
        let ins = cp(&mut s, r#"[2,"1","Heartbeat",{}]"#);
        assert!(ins.violations.is_empty());
        let ans = inspect(
            &mut s,
            Sender::CentralSystem,
            r#"[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]"#,
        );
        assert!(ans.violations.is_empty(), "{:?}", ans.violations);
        assert_eq!(ans.action.as_deref(), Some("Heartbeat"));
        // The CSMS's own CALL and a bad answer from the charge point.
        let call = inspect(
            &mut s,
            Sender::CentralSystem,
            r#"[2,"c1","Reset",{"type":"Soft"}]"#,
        );
        assert!(call.violations.is_empty());
        let bad = cp(&mut s, r#"[3,"c1",{"status":"Maybe"}]"#);
        assert_eq!(bad.violations.len(), 1);
        assert_eq!(bad.violations[0].rule, RuleKind::Enum);
        assert!(bad.call_error().is_none(), "answers are never answered");
    }

    #[test]
    fn duplicate_id_and_unmatched_answer() {
        let mut s = Session::default();
        cp(&mut s, r#"[2,"1","Heartbeat",{}]"#);
        inspect(
            &mut s,
            Sender::CentralSystem,
            r#"[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]"#,
        );
        let dup = cp(&mut s, r#"[2,"1","Heartbeat",{}]"#);
        assert_eq!(code(&dup), Some(CallErrorCode::ProtocolError));
        let stray = cp(&mut s, r#"[3,"zz",{}]"#);
        assert_eq!(stray.violations[0].rule, RuleKind::MessageId);
    }

    #[test]
    fn unparseable_frames_cannot_be_answered() {
        let ins = cp(&mut Session::default(), "not json");
        assert_eq!(ins.violations[0].rule, RuleKind::Json);
        assert!(ins.call_error().is_none());
    }

    #[test]
    fn structured_frames_get_the_same_checks_as_text() {
        let mut a = Session::default();
        let mut b = Session::default();
        let call = Frame::Call {
            id: "c1".into(),
            action: "Reset".into(),
            payload: serde_json::json!({"type": "Warm"}),
        };
        let from_text = inspect(&mut a, Sender::CentralSystem, &call.to_text());
        let from_frame = inspect_frame(&mut b, Sender::CentralSystem, call.clone());
        assert_eq!(from_text.violations, from_frame.violations);
        assert_eq!(from_frame.violations[0].rule, RuleKind::Enum);
        let answer = Frame::CallResult {
            id: "c1".into(),
            payload: serde_json::json!({"status": "Accepted"}),
        };
        let ins = inspect_frame(&mut b, Sender::ChargePoint, answer);
        assert!(ins.violations.is_empty());
        assert_eq!(ins.action.as_deref(), Some("Reset"));
    }

    #[test]
    fn outgoing_payload_check() {
        assert!(check_payload("Reset", false, &serde_json::json!({"type": "Hard"})).is_ok());
        assert!(check_payload("Reset", false, &serde_json::json!({"type": "Warm"})).is_err());
        assert!(check_payload("Nope", false, &serde_json::json!({})).is_err());
        let list = serde_json::json!({"listVersion": 0, "updateType": "Full"});
        assert_eq!(
            check_payload("SendLocalList", false, &list).unwrap_err()[0].rule,
            RuleKind::Semantic
        );
    }
}

//! OCPP-J framing: turning one WebSocket text message into a CALL, CALLRESULT or CALLERROR.

use serde_json::Value;

use super::schema::describe;
use super::violation::{CallErrorCode, RuleKind, Violation};

/// OCPP-J message type ids (J §4.1.3).
pub const CALL: u64 = 2;
pub const CALLRESULT: u64 = 3;
pub const CALLERROR: u64 = 4;

/// The longest message id OCPP-J allows (J §4.1.4).
pub const MAX_MESSAGE_ID_LEN: usize = 36;

/// A well-framed OCPP-J message.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Call {
        id: String,
        action: String,
        payload: Value,
    },
    CallResult {
        id: String,
        payload: Value,
    },
    CallError {
        id: String,
        code: String,
        description: String,
        details: Value,
    },
}

impl Frame {
    pub fn id(&self) -> &str {
        match self {
            Frame::Call { id, .. } | Frame::CallResult { id, .. } | Frame::CallError { id, .. } => {
                id
            }
        }
    }

    /// The JSON text of this frame (tuples serialize as JSON arrays, without building a Value).
    pub fn to_text(&self) -> String {
        let text = match self {
            Frame::Call {
                id,
                action,
                payload,
            } => serde_json::to_string(&(CALL, id, action, payload)),
            Frame::CallResult { id, payload } => serde_json::to_string(&(CALLRESULT, id, payload)),
            Frame::CallError {
                id,
                code,
                description,
                details,
            } => serde_json::to_string(&(CALLERROR, id, code, description, details)),
        };
        // Serializing strings and JSON values cannot fail.
        text.unwrap_or_default()
    }

    pub fn call_error(id: &str, code: CallErrorCode, description: impl Into<String>) -> Frame {
        Frame::CallError {
            id: id.to_string(),
            code: code.as_str().to_string(),
            description: description.into(),
            details: Value::Object(Default::default()),
        }
    }
}

/// The result of framing one message: the frame if it is well formed, the message id if it could
/// be read (so a CallError can still be addressed), the message type id, and what was wrong.
#[derive(Debug, Clone, Default)]
pub struct Framed {
    pub frame: Option<Frame>,
    pub message_type: Option<u64>,
    pub id: Option<String>,
    /// The action element of a CALL, when it is a string (even if the rest is broken).
    pub action: Option<String>,
    pub violations: Vec<Violation>,
}

/// Parses and frames one text message; never fails, every problem is a violation.
pub fn parse(text: &str) -> Framed {
    let mut out = Framed::default();
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.violations.push(Violation::new(
                RuleKind::Json,
                "",
                format!("frame is not valid JSON: {e}"),
            ));
            return out;
        }
    };
    let Value::Array(items) = value else {
        out.violations.push(Violation::new(
            RuleKind::Framing,
            "",
            format!("frame must be a JSON array, got {}", describe(&value)),
        ));
        return out;
    };
    let framing = |out: &mut Framed, path: &str, msg: String| {
        out.violations
            .push(Violation::new(RuleKind::Framing, path, msg));
    };
    let message_type = items.first().and_then(Value::as_u64);
    match message_type {
        Some(t @ (CALL | CALLRESULT | CALLERROR)) => out.message_type = Some(t),
        _ => {
            let got = items
                .first()
                .map(describe)
                .unwrap_or_else(|| "nothing".into());
            framing(
                &mut out,
                "[0]",
                format!("message type id must be 2, 3 or 4, got {got}"),
            );
            return out;
        }
    }
    match items.get(1) {
        Some(Value::String(id)) => {
            out.id = Some(id.clone());
            if id.chars().count() > MAX_MESSAGE_ID_LEN {
                out.violations.push(Violation::new(
                    RuleKind::MessageId,
                    "[1]",
                    format!(
                        "message id of {} characters exceeds the limit of {MAX_MESSAGE_ID_LEN}",
                        id.chars().count()
                    ),
                ));
            }
        }
        other => {
            let got = other.map(describe).unwrap_or_else(|| "nothing".into());
            framing(
                &mut out,
                "[1]",
                format!("message id must be a string, got {got}"),
            );
            return out;
        }
    }
    let id = out.id.clone().unwrap_or_default();
    let (name, expected) = match message_type {
        Some(CALL) => ("CALL", 4),
        Some(CALLRESULT) => ("CALLRESULT", 3),
        _ => ("CALLERROR", 5),
    };
    if message_type == Some(CALL) {
        if let Some(Value::String(a)) = items.get(2) {
            out.action = Some(a.clone());
        }
    }
    if items.len() != expected {
        framing(
            &mut out,
            "",
            format!("{name} must have {expected} elements, got {}", items.len()),
        );
        return out;
    }
    let object_at = |out: &mut Framed, i: usize, what: &str| -> Option<Value> {
        match &items[i] {
            v @ Value::Object(_) => Some(v.clone()),
            v => {
                out.violations.push(Violation::new(
                    RuleKind::Framing,
                    format!("[{i}]"),
                    format!(
                        "{what} must be a JSON object ({{}} when empty), got {}",
                        describe(v)
                    ),
                ));
                None
            }
        }
    };
    out.frame = match message_type {
        Some(CALL) => {
            let action = out.action.clone();
            if action.is_none() {
                framing(
                    &mut out,
                    "[2]",
                    format!("action must be a string, got {}", describe(&items[2])),
                );
            }
            let payload = object_at(&mut out, 3, "CALL payload");
            match (action, payload) {
                (Some(action), Some(payload)) => Some(Frame::Call {
                    id,
                    action,
                    payload,
                }),
                _ => None,
            }
        }
        Some(CALLRESULT) => object_at(&mut out, 2, "CALLRESULT payload")
            .map(|payload| Frame::CallResult { id, payload }),
        _ => {
            let code = items[2].as_str().map(str::to_string);
            let description = items[3].as_str().map(str::to_string);
            if code.is_none() {
                framing(
                    &mut out,
                    "[2]",
                    format!("errorCode must be a string, got {}", describe(&items[2])),
                );
            }
            if description.is_none() {
                framing(
                    &mut out,
                    "[3]",
                    format!(
                        "errorDescription must be a string, got {}",
                        describe(&items[3])
                    ),
                );
            }
            let details = object_at(&mut out, 4, "CALLERROR errorDetails");
            match (code, description, details) {
                (Some(code), Some(description), Some(details)) => {
                    if CallErrorCode::parse(&code).is_none() {
                        out.violations.push(Violation::new(
                            RuleKind::Constraint,
                            "[2]",
                            format!("{code:?} is not an OCPP-J 1.6 CallError code"),
                        ));
                    }
                    Some(Frame::CallError {
                        id,
                        code,
                        description,
                        details,
                    })
                }
                _ => None,
            }
        }
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(RuleKind, String)> {
        parse(text)
            .violations
            .into_iter()
            .map(|v| (v.rule, v.path))
            .collect()
    }

    #[test]
    fn well_formed_frames() {
        let f = parse(r#"[2,"a1","Heartbeat",{}]"#);
        assert!(f.violations.is_empty());
        assert_eq!(f.frame.unwrap().id(), "a1");
        assert!(parse(r#"[3,"a1",{"currentTime":"x"}]"#)
            .violations
            .is_empty());
        assert!(parse(r#"[4,"a1","NotSupported","",{}]"#)
            .violations
            .is_empty());
    }

    #[test]
    fn framing_errors_keep_the_id_when_readable() {
        let f = parse(r#"[2,"a1","Heartbeat"]"#);
        assert_eq!(f.id.as_deref(), Some("a1"));
        assert!(f.frame.is_none());
        assert_eq!(f.violations[0].rule, RuleKind::Framing);
        assert_eq!(
            rules(r#"[2,"a1","Heartbeat",null]"#),
            [(RuleKind::Framing, "[3]".into())]
        );
        assert_eq!(
            rules(r#"[2,7,"Heartbeat",{}]"#),
            [(RuleKind::Framing, "[1]".into())]
        );
        assert_eq!(
            rules(r#"[5,"a","Heartbeat",{}]"#),
            [(RuleKind::Framing, "[0]".into())]
        );
        assert_eq!(rules(r#"{"a":1}"#), [(RuleKind::Framing, "".into())]);
        assert_eq!(
            rules(r#"[2,"a",3,{}]"#),
            [(RuleKind::Framing, "[2]".into())]
        );
        assert_eq!(
            rules(r#"[4,"a","Nope","",{}]"#),
            [(RuleKind::Constraint, "[2]".into())]
        );
        assert_eq!(rules(r#"[4,"a","FormatViolation","",{}]"#).len(), 1);
    }

    #[test]
    fn json_and_id_length() {
        assert_eq!(rules(r#"[2,"a","Heartbeat",{}"#)[0].0, RuleKind::Json);
        let long = "x".repeat(37);
        let f = parse(&format!(r#"[2,"{long}","Heartbeat",{{}}]"#));
        assert_eq!(f.violations[0].rule, RuleKind::MessageId);
        assert!(f.frame.is_some());
        let ok = "x".repeat(36);
        assert!(parse(&format!(r#"[2,"{ok}","Heartbeat",{{}}]"#))
            .violations
            .is_empty());
    }

    #[test]
    fn to_text_round_trips() {
        let f = Frame::call_error("id", CallErrorCode::FormationViolation, "bad");
        assert_eq!(f.to_text(), r#"[4,"id","FormationViolation","bad",{}]"#);
        assert_eq!(parse(&f.to_text()).frame, Some(f));
    }
}

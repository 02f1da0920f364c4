//! OCPP-J 1.6 RPC framing: CALL, CALLRESULT and CALLERROR arrays.
//!
//! Parsing never panics. A frame that cannot be tied to a CALL id is dropped
//! (the caller logs it); a CALL whose envelope is broken gets a CALLERROR.

use serde_json::{json, Value};

/// Longest message id OCPP-J 1.6 allows.
pub const MAX_ID_LEN: usize = 36;

/// One OCPP-J message.
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

/// CallError codes with the exact OCPP 1.6 spellings (including the typos the
/// standard keeps: FormationViolation, OccurenceConstraintViolation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    NotImplemented,
    NotSupported,
    InternalError,
    ProtocolError,
    SecurityError,
    FormationViolation,
    PropertyConstraintViolation,
    OccurenceConstraintViolation,
    TypeConstraintViolation,
    GenericError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotImplemented => "NotImplemented",
            ErrorCode::NotSupported => "NotSupported",
            ErrorCode::InternalError => "InternalError",
            ErrorCode::ProtocolError => "ProtocolError",
            ErrorCode::SecurityError => "SecurityError",
            ErrorCode::FormationViolation => "FormationViolation",
            ErrorCode::PropertyConstraintViolation => "PropertyConstraintViolation",
            ErrorCode::OccurenceConstraintViolation => "OccurenceConstraintViolation",
            ErrorCode::TypeConstraintViolation => "TypeConstraintViolation",
            ErrorCode::GenericError => "GenericError",
        }
    }

    /// Maps a payload decoding error to the CallError code that names it best.
    pub fn for_decode_error(err: &serde_json::Error) -> ErrorCode {
        let text = err.to_string();
        if text.starts_with("missing field") {
            ErrorCode::OccurenceConstraintViolation
        } else if text.starts_with("invalid type") {
            ErrorCode::TypeConstraintViolation
        } else if text.starts_with("unknown variant")
            || text.starts_with("invalid value")
            || text.starts_with("invalid length")
            || text.starts_with("unknown field")
        {
            ErrorCode::PropertyConstraintViolation
        } else {
            ErrorCode::FormationViolation
        }
    }
}

/// Why an incoming text frame was not accepted as a [`Frame`].
#[derive(Debug, Clone, PartialEq)]
pub enum FrameError {
    /// No usable CALL id (not JSON, not an array, unknown message type, or a
    /// broken CALLRESULT/CALLERROR): the frame is dropped.
    Ignore(String),
    /// A CALL with a broken envelope: answer with this CALLERROR.
    Reply {
        id: String,
        code: ErrorCode,
        description: String,
    },
}

/// A CALLERROR reply to send back for a CALL we could not process.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFailure {
    pub code: ErrorCode,
    pub description: String,
}

impl CallFailure {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        CallFailure {
            code,
            description: description.into(),
        }
    }
}

impl Frame {
    pub fn call(id: impl Into<String>, action: impl Into<String>, payload: Value) -> Frame {
        Frame::Call {
            id: id.into(),
            action: action.into(),
            payload,
        }
    }

    pub fn error(id: impl Into<String>, code: ErrorCode, description: impl Into<String>) -> Frame {
        Frame::CallError {
            id: id.into(),
            code: code.as_str().to_string(),
            description: description.into(),
            details: json!({}),
        }
    }

    /// The JSON text of this frame.
    pub fn to_text(&self) -> String {
        let value = match self {
            Frame::Call {
                id,
                action,
                payload,
            } => json!([2, id, action, payload]),
            Frame::CallResult { id, payload } => json!([3, id, payload]),
            Frame::CallError {
                id,
                code,
                description,
                details,
            } => json!([4, id, code, description, details]),
        };
        value.to_string()
    }

    /// Parses one WebSocket text frame.
    pub fn parse(text: &str) -> Result<Frame, FrameError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| FrameError::Ignore(format!("frame is not JSON: {e}")))?;
        let items = match value {
            Value::Array(items) => items,
            _ => return Err(FrameError::Ignore("frame is not a JSON array".into())),
        };
        let type_id = items
            .first()
            .and_then(Value::as_i64)
            .ok_or_else(|| FrameError::Ignore("frame has no numeric message type".into()))?;
        match type_id {
            2 => parse_call(items),
            3 => parse_call_result(items),
            4 => parse_call_error(items),
            other => Err(FrameError::Ignore(format!("unknown message type {other}"))),
        }
    }
}

fn parse_call(mut items: Vec<Value>) -> Result<Frame, FrameError> {
    let id = match items.get(1) {
        Some(Value::String(id)) => id.clone(),
        _ => return Err(FrameError::Ignore("CALL without a string id".into())),
    };
    let reply = |code, description: &str| FrameError::Reply {
        id: id.clone(),
        code,
        description: description.to_string(),
    };
    if id.is_empty() || id.chars().count() > MAX_ID_LEN {
        return Err(reply(
            ErrorCode::FormationViolation,
            "message id must be 1 to 36 characters",
        ));
    }
    if items.len() != 4 {
        return Err(reply(
            ErrorCode::FormationViolation,
            "CALL must have exactly 4 elements",
        ));
    }
    let payload = match items.pop() {
        Some(Value::Null) => json!({}),
        Some(obj @ Value::Object(_)) => obj,
        _ => {
            return Err(reply(
                ErrorCode::FormationViolation,
                "CALL payload must be a JSON object",
            ))
        }
    };
    let action = match items.pop() {
        Some(Value::String(action)) if !action.is_empty() => action,
        _ => {
            return Err(reply(
                ErrorCode::FormationViolation,
                "CALL action must be a non-empty string",
            ))
        }
    };
    Ok(Frame::Call {
        id,
        action,
        payload,
    })
}

fn parse_call_result(mut items: Vec<Value>) -> Result<Frame, FrameError> {
    if items.len() != 3 {
        return Err(FrameError::Ignore(
            "CALLRESULT must have exactly 3 elements".into(),
        ));
    }
    let payload = match items.pop() {
        Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v,
        _ => {
            return Err(FrameError::Ignore(
                "CALLRESULT payload is not an object".into(),
            ))
        }
    };
    match items.pop() {
        Some(Value::String(id)) => Ok(Frame::CallResult { id, payload }),
        _ => Err(FrameError::Ignore("CALLRESULT without a string id".into())),
    }
}

fn parse_call_error(items: Vec<Value>) -> Result<Frame, FrameError> {
    if items.len() != 5 && items.len() != 4 {
        return Err(FrameError::Ignore(
            "CALLERROR must have exactly 5 elements".into(),
        ));
    }
    let text = |i: usize| items.get(i).and_then(Value::as_str).map(str::to_string);
    match (text(1), text(2)) {
        (Some(id), Some(code)) => Ok(Frame::CallError {
            id,
            code,
            description: text(3).unwrap_or_default(),
            details: items.get(4).cloned().unwrap_or_else(|| json!({})),
        }),
        _ => Err(FrameError::Ignore(
            "CALLERROR without a string id and code".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_all_three_kinds() {
        for f in [
            Frame::call("1", "Heartbeat", json!({})),
            Frame::CallResult {
                id: "2".into(),
                payload: json!({"status": "Accepted"}),
            },
            Frame::error("3", ErrorCode::NotImplemented, "no"),
        ] {
            assert_eq!(Frame::parse(&f.to_text()), Ok(f));
        }
    }

    #[test]
    fn call_error_has_empty_details_object() {
        let text = Frame::error("9", ErrorCode::FormationViolation, "").to_text();
        assert_eq!(text, r#"[4,"9","FormationViolation","",{}]"#);
    }

    #[test]
    fn long_id_gets_formation_violation() {
        let id = "x".repeat(37);
        let text = format!(r#"[2,"{id}","Heartbeat",{{}}]"#);
        match Frame::parse(&text) {
            Err(FrameError::Reply { code, .. }) => assert_eq!(code, ErrorCode::FormationViolation),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn wrong_arity_call_gets_formation_violation() {
        match Frame::parse(r#"[2,"a","Reset"]"#) {
            Err(FrameError::Reply { id, code, .. }) => {
                assert_eq!(id, "a");
                assert_eq!(code, ErrorCode::FormationViolation);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_type_and_garbage_are_ignored() {
        assert!(matches!(
            Frame::parse(r#"[5,"a",{}]"#),
            Err(FrameError::Ignore(_))
        ));
        assert!(matches!(Frame::parse("{"), Err(FrameError::Ignore(_))));
        assert!(matches!(Frame::parse("{}"), Err(FrameError::Ignore(_))));
        assert!(matches!(Frame::parse("[]"), Err(FrameError::Ignore(_))));
    }

    #[test]
    fn decode_errors_map_to_codes() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            a: u32,
        }
        let missing = serde_json::from_value::<P>(json!({})).unwrap_err();
        assert_eq!(
            ErrorCode::for_decode_error(&missing),
            ErrorCode::OccurenceConstraintViolation
        );
        let wrong = serde_json::from_value::<P>(json!({"a": "x"})).unwrap_err();
        assert_eq!(
            ErrorCode::for_decode_error(&wrong),
            ErrorCode::TypeConstraintViolation
        );
    }
}

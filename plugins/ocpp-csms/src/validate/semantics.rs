//! Rules between fields that the JSON schemas cannot express but the 1.6 specification states.
//! They are recorded as violations; the CALL is still answered normally, because the message is
//! well-formed and a CSMS would process it.

use serde_json::Value;

use super::session::Sender;
use super::violation::{RuleKind, Violation};

/// Checks a schema-valid request payload of `action` sent by `sender`.
pub fn check_request(action: &str, sender: Sender, payload: &Value, out: &mut Vec<Violation>) {
    let int = |key: &str| payload.get(key).and_then(Value::as_i64);
    let text = |key: &str| payload.get(key).and_then(Value::as_str);
    let mut flag = |path: &str, msg: String| {
        out.push(Violation::new(RuleKind::Semantic, path, msg));
    };
    match (sender, action) {
        (Sender::ChargePoint, "StatusNotification") => {
            // Spec §4.9 / errata 3.19: connector 0 reports only the whole Charge Point's state.
            if int("connectorId") == Some(0) {
                if let Some(s) = text("status") {
                    if !matches!(s, "Available" | "Unavailable" | "Faulted") {
                        flag(
                            "status",
                            format!("connector 0 may only be Available, Unavailable or Faulted, not {s}"),
                        );
                    }
                }
            }
            if int("connectorId").is_some_and(|c| c < 0) {
                flag("connectorId", "a connector id is never negative".into());
            }
        }
        // A transaction happens on a physical connector (connectorId > 0, spec §6.46).
        (Sender::ChargePoint, "StartTransaction") if int("connectorId").is_some_and(|c| c <= 0) => {
            flag(
                "connectorId",
                format!(
                    "a transaction needs a connector id above 0, got {}",
                    int("connectorId").unwrap_or_default()
                ),
            );
        }
        (Sender::ChargePoint, "MeterValues") if int("connectorId").is_some_and(|c| c < 0) => {
            flag("connectorId", "a connector id is never negative".into());
        }
        (Sender::CentralSystem, "SendLocalList") => {
            // Errata 3.52: 0 and -1 have special meanings in GetLocalListVersion.
            if let Some(v @ (0 | -1)) = int("listVersion") {
                flag(
                    "listVersion",
                    format!("listVersion {v} is reserved (0 = empty list, -1 = not supported)"),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(action: &str, sender: Sender, payload: Value) -> Vec<Violation> {
        let mut out = Vec::new();
        check_request(action, sender, &payload, &mut out);
        out
    }

    #[test]
    fn connector_zero_statuses() {
        let sn = |c: i64, s: &str| {
            run(
                "StatusNotification",
                Sender::ChargePoint,
                json!({"connectorId": c, "errorCode": "NoError", "status": s}),
            )
        };
        assert!(sn(0, "Available").is_empty());
        assert!(sn(0, "Faulted").is_empty());
        assert_eq!(sn(0, "Charging")[0].path, "status");
        assert!(sn(1, "Charging").is_empty());
    }

    #[test]
    fn transactions_and_list_versions() {
        let st = run(
            "StartTransaction",
            Sender::ChargePoint,
            json!({"connectorId": 0}),
        );
        assert_eq!(st[0].rule, RuleKind::Semantic);
        assert!(run(
            "StartTransaction",
            Sender::ChargePoint,
            json!({"connectorId": 1})
        )
        .is_empty());
        assert_eq!(
            run(
                "SendLocalList",
                Sender::CentralSystem,
                json!({"listVersion": -1})
            )
            .len(),
            1
        );
        assert!(run(
            "SendLocalList",
            Sender::CentralSystem,
            json!({"listVersion": 3})
        )
        .is_empty());
    }
}

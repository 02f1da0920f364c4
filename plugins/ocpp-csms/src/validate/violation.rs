//! What a validation finding is: the rule that was broken, where, and which CallError answers it.

use serde::{Deserialize, Serialize};

/// The family of rule a frame broke. Each family maps to one OCPP-J 1.6 CallError code so that a
/// malformed CALL from the charge point gets the answer the specification asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// The WebSocket message was binary or not valid UTF-8.
    Encoding,
    /// The text is not a JSON document.
    Json,
    /// Not a CALL/CALLRESULT/CALLERROR array of the right length and element types.
    Framing,
    /// Message id too long, reused, or not matching an outstanding CALL.
    MessageId,
    /// A second CALL sent by the same side while its previous CALL is unanswered.
    Synchronicity,
    /// The action is not an OCPP 1.6 action known to this side.
    UnknownAction,
    /// A required property is missing (or a required array is empty).
    Required,
    /// A value has the wrong JSON type (including a decimal where an integer is required).
    Type,
    /// A string is not one of the values of its enumeration.
    Enum,
    /// A string is longer than its CiString limit.
    Length,
    /// A string that must be an RFC 3339 date-time is not one.
    DateTime,
    /// A property the schema does not define (`additionalProperties: false`).
    AdditionalProperty,
    /// Another value constraint (URI format, multiple of 0.1, CallError code).
    Constraint,
    /// A message sent when the registration state forbids it (before Accepted, while Rejected).
    BootSequence,
    /// A rule between fields the schema cannot express (connector 0 statuses, …).
    Semantic,
}

impl RuleKind {
    /// The CallError code a CSMS answers a charge point CALL with when the CALL breaks this rule.
    /// `None` for rules that are recorded but still answered normally.
    pub fn call_error(self) -> Option<CallErrorCode> {
        use CallErrorCode as C;
        Some(match self {
            RuleKind::Encoding | RuleKind::Json | RuleKind::Framing => C::FormationViolation,
            RuleKind::AdditionalProperty => C::FormationViolation,
            RuleKind::MessageId => C::ProtocolError,
            RuleKind::UnknownAction => C::NotImplemented,
            RuleKind::Required => C::OccurenceConstraintViolation,
            RuleKind::Type => C::TypeConstraintViolation,
            RuleKind::Enum | RuleKind::Length | RuleKind::DateTime | RuleKind::Constraint => {
                C::PropertyConstraintViolation
            }
            RuleKind::BootSequence => C::SecurityError,
            RuleKind::Synchronicity | RuleKind::Semantic => return None,
        })
    }

    /// Which violation wins when a CALL breaks several rules: structure before types before values.
    fn precedence(self) -> u8 {
        match self {
            RuleKind::Encoding | RuleKind::Json | RuleKind::Framing => 0,
            RuleKind::MessageId => 1,
            RuleKind::UnknownAction => 2,
            RuleKind::BootSequence => 3,
            RuleKind::AdditionalProperty => 4,
            RuleKind::Type => 5,
            RuleKind::Required => 6,
            RuleKind::Enum | RuleKind::Length | RuleKind::DateTime | RuleKind::Constraint => 7,
            RuleKind::Synchronicity | RuleKind::Semantic => 8,
        }
    }
}

/// The OCPP-J 1.6 CallError codes, spelled exactly as 1.6 spells them (including the two typos
/// `FormationViolation` and `OccurenceConstraintViolation`, which 1.6 keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CallErrorCode {
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

impl CallErrorCode {
    pub const ALL: [CallErrorCode; 10] = [
        CallErrorCode::NotImplemented,
        CallErrorCode::NotSupported,
        CallErrorCode::InternalError,
        CallErrorCode::ProtocolError,
        CallErrorCode::SecurityError,
        CallErrorCode::FormationViolation,
        CallErrorCode::PropertyConstraintViolation,
        CallErrorCode::OccurenceConstraintViolation,
        CallErrorCode::TypeConstraintViolation,
        CallErrorCode::GenericError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallErrorCode::NotImplemented => "NotImplemented",
            CallErrorCode::NotSupported => "NotSupported",
            CallErrorCode::InternalError => "InternalError",
            CallErrorCode::ProtocolError => "ProtocolError",
            CallErrorCode::SecurityError => "SecurityError",
            CallErrorCode::FormationViolation => "FormationViolation",
            CallErrorCode::PropertyConstraintViolation => "PropertyConstraintViolation",
            CallErrorCode::OccurenceConstraintViolation => "OccurenceConstraintViolation",
            CallErrorCode::TypeConstraintViolation => "TypeConstraintViolation",
            CallErrorCode::GenericError => "GenericError",
        }
    }

    /// Parses an exact 1.6 spelling; the 2.0.1 spellings (`FormatViolation`,
    /// `OccurrenceConstraintViolation`) are not 1.6 codes and return `None`.
    pub fn parse(s: &str) -> Option<CallErrorCode> {
        CallErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One broken rule in one frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: RuleKind,
    /// JSON path inside the payload (`meterValue[0].sampledValue[1].unit`), or the frame element
    /// (`[1]` for the message id); empty when the whole frame is concerned.
    pub path: String,
    pub message: String,
}

impl Violation {
    pub fn new(rule: RuleKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            rule,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{:?}: {}", self.rule, self.message)
        } else {
            write!(f, "{:?} at {}: {}", self.rule, self.path, self.message)
        }
    }
}

/// The violation that decides the CallError answer, and that answer.
pub fn answer_for(violations: &[Violation]) -> Option<(CallErrorCode, &Violation)> {
    violations
        .iter()
        .filter_map(|v| v.rule.call_error().map(|c| (c, v)))
        .min_by_key(|(_, v)| v.rule.precedence())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_with_1_6_spellings() {
        for c in CallErrorCode::ALL {
            assert_eq!(CallErrorCode::parse(c.as_str()), Some(c));
        }
        assert_eq!(CallErrorCode::parse("FormatViolation"), None);
        assert_eq!(CallErrorCode::parse("OccurrenceConstraintViolation"), None);
    }

    #[test]
    fn structure_wins_over_values() {
        let vs = vec![
            Violation::new(RuleKind::Length, "a", "too long"),
            Violation::new(RuleKind::AdditionalProperty, "b", "unknown"),
        ];
        let (code, v) = answer_for(&vs).unwrap();
        assert_eq!(code, CallErrorCode::FormationViolation);
        assert_eq!(v.path, "b");
        let only_sync = vec![Violation::new(RuleKind::Synchronicity, "", "x")];
        assert!(answer_for(&only_sync).is_none());
    }
}

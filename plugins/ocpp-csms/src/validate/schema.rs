//! A small description language for the OCPP 1.6 JSON schemas and the checker that applies it.
//!
//! The 1.6 schemas only use a handful of JSON Schema draft-04 features (object properties with
//! `required` and `additionalProperties: false`, arrays, enumerations, `maxLength`, `integer` vs
//! `number`, `format: date-time | uri`, one `multipleOf: 0.1`), so they are described here as
//! static data, which keeps every field path and limit visible in `messages.rs`.

use serde_json::Value;

use super::datetime::check_rfc3339;
use super::violation::{RuleKind, Violation};

/// The type of one value in a payload.
#[derive(Debug)]
pub enum Ty {
    /// A string with an optional maximum length in characters (the CiStringNN types).
    Str(Option<usize>),
    /// A string with `format: uri` and an optional maximum length.
    Uri(Option<usize>),
    /// A JSON integer (a number written with a fraction or exponent is a type violation).
    Int,
    /// A JSON number; `tenths` adds the schema's `multipleOf: 0.1`.
    Dec {
        tenths: bool,
    },
    Bool,
    /// A string with `format: date-time` (RFC 3339).
    DateTime,
    /// A string from a closed list.
    Enum(&'static [&'static str]),
    /// An object whose properties are exactly `fields` (no additional properties).
    Obj(&'static [Field]),
    /// An array of `item`, with a minimum number of items.
    Arr {
        item: &'static Ty,
        min_items: usize,
    },
}

/// One property of an object type.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

/// A required property.
pub const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

/// An optional property.
pub const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

/// Checks `value` against `ty`, appending every violation found (not only the first).
pub fn check(value: &Value, ty: &Ty, path: &str, out: &mut Vec<Violation>) {
    match ty {
        Ty::Str(max) => {
            if let Some(s) = expect_str(value, path, "string", out) {
                if let Some(max) = max {
                    let n = s.chars().count();
                    if n > *max {
                        out.push(Violation::new(
                            RuleKind::Length,
                            path,
                            format!("string of {n} characters exceeds the limit of {max}"),
                        ));
                    }
                }
            }
        }
        Ty::Uri(max) => {
            if let Some(s) = expect_str(value, path, "URI string", out) {
                let n = s.chars().count();
                if max.is_some_and(|m| n > m) {
                    out.push(Violation::new(
                        RuleKind::Length,
                        path,
                        format!(
                            "URI of {n} characters exceeds the limit of {}",
                            max.unwrap_or_default()
                        ),
                    ));
                }
                if !looks_like_uri(s) {
                    out.push(Violation::new(
                        RuleKind::Constraint,
                        path,
                        format!("{s:?} is not an absolute URI (scheme:rest)"),
                    ));
                }
            }
        }
        Ty::DateTime => {
            if let Some(s) = expect_str(value, path, "date-time string", out) {
                if let Err(e) = check_rfc3339(s) {
                    out.push(Violation::new(RuleKind::DateTime, path, e));
                }
            }
        }
        Ty::Enum(values) => {
            if let Some(s) = expect_str(value, path, "enumeration string", out) {
                if !values.contains(&s) {
                    out.push(Violation::new(
                        RuleKind::Enum,
                        path,
                        format!("{s:?} is not one of {}", values.join(", ")),
                    ));
                }
            }
        }
        Ty::Int => {
            let is_int = match value {
                // serde_json parses `5` as an integer and `5.0` or `5e0` as f64: the schema's
                // `integer` (draft-04) means a number without fraction or exponent.
                Value::Number(n) => n.is_i64() || n.is_u64(),
                _ => false,
            };
            if !is_int {
                out.push(Violation::new(
                    RuleKind::Type,
                    path,
                    format!("expected an integer, got {}", describe(value)),
                ));
            }
        }
        Ty::Dec { tenths } => match value.as_f64() {
            Some(x) if value.is_number() => {
                if *tenths && ((x * 10.0).round() - x * 10.0).abs() > 1e-6 {
                    out.push(Violation::new(
                        RuleKind::Constraint,
                        path,
                        format!("{x} is not a multiple of 0.1"),
                    ));
                }
            }
            _ => out.push(Violation::new(
                RuleKind::Type,
                path,
                format!("expected a number, got {}", describe(value)),
            )),
        },
        Ty::Bool => {
            if !value.is_boolean() {
                out.push(Violation::new(
                    RuleKind::Type,
                    path,
                    format!("expected a boolean, got {}", describe(value)),
                ));
            }
        }
        Ty::Obj(fields) => {
            let Some(map) = value.as_object() else {
                out.push(Violation::new(
                    RuleKind::Type,
                    path,
                    format!("expected an object, got {}", describe(value)),
                ));
                return;
            };
            for key in map.keys() {
                if !fields.iter().any(|f| f.name == key) {
                    out.push(Violation::new(
                        RuleKind::AdditionalProperty,
                        join(path, key),
                        format!("property {key:?} is not defined by the schema"),
                    ));
                }
            }
            for f in fields.iter() {
                match map.get(f.name) {
                    Some(v) => check(v, &f.ty, &join(path, f.name), out),
                    None if f.required => out.push(Violation::new(
                        RuleKind::Required,
                        join(path, f.name),
                        format!("required property {:?} is missing", f.name),
                    )),
                    None => {}
                }
            }
        }
        Ty::Arr { item, min_items } => {
            let Some(items) = value.as_array() else {
                out.push(Violation::new(
                    RuleKind::Type,
                    path,
                    format!("expected an array, got {}", describe(value)),
                ));
                return;
            };
            if items.len() < *min_items {
                out.push(Violation::new(
                    RuleKind::Required,
                    path,
                    format!(
                        "array has {} items, at least {min_items} required",
                        items.len()
                    ),
                ));
            }
            for (i, v) in items.iter().enumerate() {
                check(v, item, &format!("{path}[{i}]"), out);
            }
        }
    }
}

fn expect_str<'a>(
    value: &'a Value,
    path: &str,
    what: &str,
    out: &mut Vec<Violation>,
) -> Option<&'a str> {
    match value.as_str() {
        Some(s) => Some(s),
        None => {
            out.push(Violation::new(
                RuleKind::Type,
                path,
                format!("expected a {what}, got {}", describe(value)),
            ));
            None
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// RFC 3986 absolute URI: a scheme (letter, then letters, digits, `+-.`), a colon, and no spaces.
fn looks_like_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A short description of a JSON value for messages: its type and, for scalars, the value.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("string {:?}…", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("string {s:?}"),
        Value::Array(a) => format!("array of {} items", a.len()),
        Value::Object(_) => "object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INNER: Ty = Ty::Obj(&[req("n", Ty::Int), opt("s", Ty::Str(Some(3)))]);
    const OUTER: Ty = Ty::Obj(&[
        req(
            "list",
            Ty::Arr {
                item: &INNER,
                min_items: 1,
            },
        ),
        opt("when", Ty::DateTime),
        opt("kind", Ty::Enum(&["A", "B"])),
        opt("limit", Ty::Dec { tenths: true }),
        opt("url", Ty::Uri(None)),
        opt("flag", Ty::Bool),
    ]);

    fn run(v: Value) -> Vec<Violation> {
        let mut out = Vec::new();
        check(&v, &OUTER, "", &mut out);
        out
    }

    #[test]
    fn a_valid_value_has_no_violation() {
        let v = json!({"list": [{"n": 1, "s": "abc"}], "when": "2026-01-01T00:00:00Z",
            "kind": "B", "limit": 16.1, "url": "ftp://host/f", "flag": true});
        assert!(run(v).is_empty());
    }

    #[test]
    fn each_rule_kind_is_reported_with_its_path() {
        let cases = [
            (json!({"list": [{"n": 1.0}]}), RuleKind::Type, "list[0].n"),
            (
                json!({"list": [{"n": 1, "s": "abcd"}]}),
                RuleKind::Length,
                "list[0].s",
            ),
            (json!({"list": [{}]}), RuleKind::Required, "list[0].n"),
            (json!({"list": []}), RuleKind::Required, "list"),
            (
                json!({"list": [{"n": 1}], "x": 1}),
                RuleKind::AdditionalProperty,
                "x",
            ),
            (
                json!({"list": [{"n": 1}], "kind": "C"}),
                RuleKind::Enum,
                "kind",
            ),
            (
                json!({"list": [{"n": 1}], "when": "yesterday"}),
                RuleKind::DateTime,
                "when",
            ),
            (
                json!({"list": [{"n": 1}], "limit": 16.05}),
                RuleKind::Constraint,
                "limit",
            ),
            (
                json!({"list": [{"n": 1}], "url": "no uri"}),
                RuleKind::Constraint,
                "url",
            ),
            (
                json!({"list": [{"n": 1}], "flag": "true"}),
                RuleKind::Type,
                "flag",
            ),
            (json!({"list": [{"n": "1"}]}), RuleKind::Type, "list[0].n"),
        ];
        for (v, rule, path) in cases {
            let got = run(v.clone());
            assert_eq!(got.len(), 1, "{v}: {got:?}");
            assert_eq!((got[0].rule, got[0].path.as_str()), (rule, path), "{v}");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut out = Vec::new();
        check(&json!("äöü"), &Ty::Str(Some(3)), "s", &mut out);
        assert!(out.is_empty());
    }
}

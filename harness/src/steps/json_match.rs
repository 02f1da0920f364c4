//! The JSON a feature writes in docstrings: placeholders replaced by what the scenario knows, and
//! the subset rule a received payload must satisfy. Pure functions, so they are unit-tested here.
//!
//! Subset rule: objects match key by key (extra keys allowed), arrays element by element with the
//! same length, numbers by value (16 == 16.0), strings exactly; `null` means "absent (or null)";
//! a string `"≈200 ± 5"` matches any number from 195 to 205.

use serde_json::Value;

/// The first place where `value` does not contain `subset`, described for a failure message;
/// `None` when it does.
pub fn mismatch(value: &Value, subset: &Value) -> Option<String> {
    mismatch_at(Some(value), subset, "")
}

fn mismatch_at(value: Option<&Value>, subset: &Value, path: &str) -> Option<String> {
    let here = if path.is_empty() { "the payload" } else { path };
    match (value, subset) {
        (None | Some(Value::Null), Value::Null) => None,
        (Some(v), Value::Null) => Some(format!("{here} should be absent, is {v}")),
        (None, s) => Some(format!("{here} is missing (expected {s})")),
        (Some(Value::Object(v)), Value::Object(s)) => s.iter().find_map(|(k, sv)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            mismatch_at(v.get(k), sv, &child)
        }),
        (Some(Value::Array(v)), Value::Array(s)) => {
            if v.len() != s.len() {
                return Some(format!(
                    "{here} has {} element(s), expected {}",
                    v.len(),
                    s.len()
                ));
            }
            v.iter()
                .zip(s)
                .enumerate()
                .find_map(|(i, (a, b))| mismatch_at(Some(a), b, &format!("{path}[{i}]")))
        }
        (Some(Value::Number(a)), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            (a != b).then(|| format!("{here} is {a}, expected {b}"))
        }
        (Some(v), Value::String(s)) => match approximately(s) {
            Some((centre, tolerance)) => match v.as_f64() {
                Some(x) if (x - centre).abs() <= tolerance => None,
                _ => Some(format!("{here} is {v}, expected {centre} ± {tolerance}")),
            },
            None => (v != subset).then(|| format!("{here} is {v}, expected {subset}")),
        },
        (Some(v), s) => (v != s).then(|| format!("{here} is {v}, expected {s}")),
    }
}

/// `"≈200 ± 5"` → (200, 5).
fn approximately(text: &str) -> Option<(f64, f64)> {
    let rest = text.trim().strip_prefix('≈')?;
    let (centre, tolerance) = rest.split_once('±')?;
    Some((centre.trim().parse().ok()?, tolerance.trim().parse().ok()?))
}

/// What placeholders stand for in one scenario.
pub trait Placeholders {
    /// The value of `name` (the text between `${` and `}`), as JSON text to splice in; an error
    /// says why it has none.
    fn resolve(&self, name: &str) -> Result<String, String>;
}

/// Replaces every `${name}` in `text`.
pub fn substitute(text: &str, values: &dyn Placeholders) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed placeholder in `{text}`"))?;
        out.push_str(&values.resolve(&after[..end])?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `now`, `now+90s`, `now-10s` → the offset in seconds.
pub fn now_offset_s(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("now")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    digits
        .strip_suffix('s')?
        .parse::<i64>()
        .ok()
        .map(|n| sign * n)
}

/// Looks a dotted path with `[i]` indexes up in a JSON value: `certificateHashData[0].serialNumber`.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut here = value;
    for part in path.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            here = here.get(key)?;
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            here = here.get(index.strip_suffix(']')?.parse::<usize>().ok()?)?;
        }
    }
    Some(here)
}

/// Parses a docstring as JSON, naming the step's line on failure.
pub fn parse_docstring(text: &str, line: usize) -> Result<Value, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("the docstring of the step at line {line} is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_match_by_subset_and_say_where_they_differ() {
        let v = json!({"status": "Accepted", "idTagInfo": {"status": "Accepted"}, "n": 16.0});
        assert_eq!(mismatch(&v, &json!({"n": 16})), None);
        assert_eq!(
            mismatch(&v, &json!({"idTagInfo": {"status": "Accepted"}})),
            None
        );
        assert_eq!(
            mismatch(&v, &json!({"idTagInfo": {"status": "Invalid"}})).unwrap(),
            "idTagInfo.status is \"Accepted\", expected \"Invalid\""
        );
        assert_eq!(
            mismatch(&v, &json!({"reason": "Local"})).unwrap(),
            "reason is missing (expected \"Local\")"
        );
    }

    #[test]
    fn null_means_absent() {
        let v = json!({"idTag": "A", "reservationId": 3});
        assert_eq!(mismatch(&v, &json!({"parentIdTag": null})), None);
        assert!(mismatch(&v, &json!({"reservationId": null}))
            .unwrap()
            .contains("should be absent"));
    }

    #[test]
    fn arrays_match_element_by_element_with_the_same_length() {
        let v = json!({"p": [{"startPeriod": 0, "limit": 7}, {"startPeriod": 98, "limit": 9}]});
        let ok = json!({"p": [{"startPeriod": 0}, {"startPeriod": "≈100 ± 5", "limit": 9}]});
        assert_eq!(mismatch(&v, &ok), None);
        let short = json!({"p": [{"startPeriod": 0}]});
        assert_eq!(
            mismatch(&v, &short).unwrap(),
            "p has 2 element(s), expected 1"
        );
        let far = json!({"p": [{"startPeriod": 0}, {"startPeriod": "≈200 ± 5"}]});
        assert_eq!(
            mismatch(&v, &far).unwrap(),
            "p[1].startPeriod is 98, expected 200 ± 5"
        );
    }

    struct Fixed;
    impl Placeholders for Fixed {
        fn resolve(&self, name: &str) -> Result<String, String> {
            match name {
                "transactionId" => Ok("42".into()),
                other => Err(format!("no value for ${{{other}}}")),
            }
        }
    }

    #[test]
    fn placeholders_are_replaced_and_unknown_ones_refused() {
        assert_eq!(
            substitute(r#"{"transactionId": ${transactionId}}"#, &Fixed).unwrap(),
            r#"{"transactionId": 42}"#
        );
        assert_eq!(
            substitute("${nope}", &Fixed).unwrap_err(),
            "no value for ${nope}"
        );
        assert!(substitute("${transactionId", &Fixed).is_err());
    }

    #[test]
    fn now_offsets_and_paths() {
        assert_eq!(now_offset_s("now"), Some(0));
        assert_eq!(now_offset_s("now+300s"), Some(300));
        assert_eq!(now_offset_s("now-10s"), Some(-10));
        assert_eq!(now_offset_s("now+5"), None);
        let v = json!({"certificateHashData": [{"serialNumber": "ab"}]});
        assert_eq!(
            lookup(&v, "certificateHashData[0].serialNumber"),
            Some(&json!("ab"))
        );
        assert_eq!(lookup(&v, "certificateHashData[1]"), None);
    }
}

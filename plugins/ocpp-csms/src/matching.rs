//! Matching recorded frames against what a step waits for.

use serde_json::Value;

use plugin_api::kinds::csms::{Direction, FrameMatcher, MessageType, RecordedFrame};

/// `subset` is contained in `value`: objects match key by key recursively, arrays element by
/// element (same length), `null` as the whole subset matches anything, other values are equal.
pub fn contains(value: &Value, subset: &Value) -> bool {
    match (value, subset) {
        (_, Value::Null) => true,
        (Value::Object(v), Value::Object(s)) => s
            .iter()
            .all(|(k, sv)| v.get(k).is_some_and(|vv| contains_strict(vv, sv))),
        (Value::Array(v), Value::Array(s)) => {
            v.len() == s.len() && v.iter().zip(s).all(|(a, b)| contains_strict(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => value == subset,
    }
}

/// Below the top level a `null` in the subset means the value must be `null`.
fn contains_strict(value: &Value, subset: &Value) -> bool {
    match subset {
        Value::Null => value.is_null(),
        _ => contains(value, subset),
    }
}

/// Whether `frame` is a CALL satisfying `m` (direction default: from the charge point).
pub fn frame_matches(frame: &RecordedFrame, m: &FrameMatcher, charge_point: Option<&str>) -> bool {
    let direction = m.direction.unwrap_or(Direction::FromChargePoint);
    charge_point.is_none_or(|cp| frame.charge_point == cp)
        && frame.direction == direction
        && frame.message_type == MessageType::Call
        && frame.action.as_deref() == Some(m.action.as_str())
        && contains(&frame.payload, &m.payload_subset)
}

/// Assigns each matcher a distinct frame (any order), maximising the matched count; returns for
/// each matcher the index of its frame. Augmenting paths, so that `[A or B, A]` against frames
/// `[A, B]` is found even when the greedy choice would take `A` for the first matcher.
pub fn assign(candidates: &[Vec<usize>]) -> Vec<Option<usize>> {
    let mut owner: std::collections::HashMap<usize, usize> = Default::default();
    let mut chosen: Vec<Option<usize>> = vec![None; candidates.len()];
    for m in 0..candidates.len() {
        let mut visited = std::collections::HashSet::new();
        augment(m, candidates, &mut owner, &mut chosen, &mut visited);
    }
    chosen
}

fn augment(
    m: usize,
    candidates: &[Vec<usize>],
    owner: &mut std::collections::HashMap<usize, usize>,
    chosen: &mut Vec<Option<usize>>,
    visited: &mut std::collections::HashSet<usize>,
) -> bool {
    for &f in &candidates[m] {
        if !visited.insert(f) {
            continue;
        }
        let free = match owner.get(&f).copied() {
            None => true,
            Some(other) => augment(other, candidates, owner, chosen, visited),
        };
        if free {
            owner.insert(f, m);
            chosen[m] = Some(f);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_semantics() {
        let v = json!({"connectorId": 1, "status": "Charging", "meterValue": [{"x": 1}]});
        assert!(contains(&v, &json!({"status": "Charging"})));
        assert!(contains(&v, &json!(null)));
        assert!(contains(&v, &json!({})));
        assert!(contains(&v, &json!({"connectorId": 1.0})));
        assert!(!contains(&v, &json!({"status": "Available"})));
        assert!(!contains(&v, &json!({"missing": null})));
        assert!(contains(&v, &json!({"meterValue": [{}]})));
        assert!(!contains(&v, &json!({"meterValue": []})));
    }

    #[test]
    fn assignment_finds_a_perfect_matching_when_greedy_would_not() {
        // Matcher 0 accepts frames 0 or 1, matcher 1 only frame 0.
        assert_eq!(assign(&[vec![0, 1], vec![0]]), vec![Some(1), Some(0)]);
        assert_eq!(assign(&[vec![0], vec![0]]), vec![Some(0), None]);
    }
}

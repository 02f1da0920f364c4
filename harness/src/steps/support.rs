//! Helpers every area's steps share: reading captures, docstrings and tables, taking the CSMS
//! mark before an action, resolving placeholders, recording measurements.

use std::collections::BTreeMap;

use cucumber::step::Context;
use plugin_api::kinds::csms;
use serde_json::Value;

use super::json_match::{self, Placeholders};
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

/// Declares a step function whose body returns `Result<(), String>`.
macro_rules! step_fn {
    ($name:ident, |$world:ident, $ctx:ident| $body:block) => {
        fn $name(
            $world: &mut $crate::runner::HarnessWorld,
            $ctx: cucumber::step::Context,
        ) -> cucumber::codegen::LocalBoxFuture<'_, ()> {
            let _ = (&$world, &$ctx);
            super::step(async move { $body })
        }
    };
}
pub(crate) use step_fn;

/// Whether the rig has an instrument for this role.
pub fn has(world: &HarnessWorld, instrument: Instrument) -> bool {
    world.run.rig.instruments.contains_key(&instrument)
}

/// Every stimulus step calls this first: frames the CSMS records from now on are the ones the
/// following `Then` steps look at. Stimuli in a row without an expectation between them share
/// the first one's mark: the charger may answer the first before the second happens (a
/// RemoteStartTransaction with the cable in starts the transaction before the EV asks for C).
pub async fn mark(world: &mut HarnessWorld) -> Result<(), String> {
    if has(world, Instrument::Csms) && !world.memory.unobserved_stimulus {
        world.csms_mark = world.call(Instrument::Csms, csms::MarkNow {}).await?.seq;
        world.memory.unobserved_stimulus = true;
    }
    Ok(())
}

/// Every step that looks at the CSMS's frames after the mark calls this: the next stimulus takes
/// a new mark.
pub fn observed(world: &mut HarnessWorld) {
    world.memory.unobserved_stimulus = false;
}

/// Capture `n` as text.
pub fn text(ctx: &Context, n: usize) -> Result<String, String> {
    super::capture(ctx, n).map(str::to_string)
}

/// Capture `n` as a number.
pub fn number(ctx: &Context, n: usize) -> Result<f64, String> {
    let t = super::capture(ctx, n)?;
    t.parse()
        .map_err(|_| format!("`{t}` in `{}` is not a number", ctx.step.value))
}

/// Optional capture `n` (an unmatched optional group).
pub fn optional(ctx: &Context, n: usize) -> Option<String> {
    ctx.matches
        .get(n)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// The step's line in its feature file, for messages.
pub fn line(ctx: &Context) -> usize {
    ctx.step.position.line
}

/// The rows of the step's table below its header row, as header → cell maps.
pub fn table_rows(ctx: &Context) -> Result<Vec<BTreeMap<String, String>>, String> {
    let table = ctx
        .step
        .table
        .as_ref()
        .ok_or_else(|| format!("the step at line {} needs a table", line(ctx)))?;
    let mut rows = table.rows.iter();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| format!("the table at line {} is empty", line(ctx)))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    Ok(rows
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().map(|c| c.trim().to_string()))
                .collect()
        })
        .collect())
}

/// What `${…}` stands for at this point of the scenario.
pub struct ScenarioValues {
    transaction_id: Option<i64>,
    reservation_id: Option<i64>,
    response: Option<Value>,
    charge_point_id: Option<String>,
    file_server: Option<String>,
    test_data: BTreeMap<String, String>,
}

impl Placeholders for ScenarioValues {
    fn resolve(&self, name: &str) -> Result<String, String> {
        let missing = |what: &str| format!("`${{{name}}}` has no value: {what}");
        if let Some(offset) = json_match::now_offset_s(name) {
            let at = chrono::Utc::now() + chrono::Duration::seconds(offset);
            return Ok(at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
        if let Some(key) = name.strip_prefix("test_data.") {
            return self
                .test_data
                .get(key)
                .cloned()
                .ok_or_else(|| missing(&format!("the rig file has no [test_data] {key}")));
        }
        if let Some(path) = name.strip_prefix("response.") {
            let response = self
                .response
                .as_ref()
                .ok_or_else(|| missing("the charger has not answered a CSMS call yet"))?;
            return json_match::lookup(response, path)
                .map(|v| v.to_string())
                .ok_or_else(|| missing(&format!("the last answer has no {path}: {response}")));
        }
        match name {
            "transactionId" => self
                .transaction_id
                .map(|t| t.to_string())
                .ok_or_else(|| missing("no StartTransaction was answered in this scenario")),
            "reservationId" => self
                .reservation_id
                .map(|t| t.to_string())
                .ok_or_else(|| missing("no ReserveNow was sent in this scenario")),
            "chargePointId" => self
                .charge_point_id
                .clone()
                .ok_or_else(|| missing("no charge point is connected")),
            "fileServer" => self
                .file_server
                .clone()
                .ok_or_else(|| missing("the CSMS plugin runs no file server")),
            _ => Err(missing("unknown placeholder (see features/STEPS.md)")),
        }
    }
}

/// Collects the values placeholders in `text` need (asks the CSMS only when it must).
pub async fn values_for(world: &HarnessWorld, text: &str) -> Result<ScenarioValues, String> {
    let mut values = ScenarioValues {
        transaction_id: world.memory.transaction_id,
        reservation_id: world.memory.reservation_id,
        response: world
            .memory
            .last_call
            .as_ref()
            .and_then(|c| match &c.outcome {
                csms::CallOutcome::Result { payload } => Some(payload.clone()),
                _ => None,
            }),
        charge_point_id: None,
        file_server: None,
        test_data: world.run.rig.test_data.clone(),
    };
    if text.contains("${fileServer}") {
        let endpoint = world.call(Instrument::Csms, csms::Endpoint {}).await?;
        values.file_server = endpoint
            .file_server_url
            .map(|u| u.trim_end_matches('/').to_string());
    }
    if text.contains("${chargePointId}") {
        let connections = world.call(Instrument::Csms, csms::Connections {}).await?;
        values.charge_point_id = connections.into_iter().next().map(|c| c.charge_point);
    }
    Ok(values)
}

/// Replaces placeholders in a quoted step value (an idTag may be `${test_data.valid_id_tag}`).
pub async fn resolve_text(world: &HarnessWorld, text: &str) -> Result<String, String> {
    if !text.contains("${") {
        return Ok(text.to_string());
    }
    let values = values_for(world, text).await?;
    json_match::substitute(text, &values)
}

/// The step's docstring as JSON with placeholders replaced; `None` without a docstring.
pub async fn docstring_json(world: &HarnessWorld, ctx: &Context) -> Result<Option<Value>, String> {
    let Some(doc) = ctx.step.docstring.as_ref() else {
        return Ok(None);
    };
    let values = values_for(world, doc).await?;
    let text = json_match::substitute(doc, &values)?;
    json_match::parse_docstring(&text, line(ctx)).map(Some)
}

/// Records a measurement with its limits in the scenario's report; returns whether it passed.
pub fn measure(
    world: &mut HarnessWorld,
    name: impl Into<String>,
    value: f64,
    unit: &str,
    low: Option<f64>,
    high: Option<f64>,
) -> bool {
    let m = conformance_report::Measurement::judged(name, value, unit, low, high);
    // The end-of-line station stores and shows every check the moment it is made.
    if let Some(eol) = &world.run.eol {
        eol.check(&m.name, value, unit, low, high);
    }
    let passed = m.verdict == conformance_report::MeasurementVerdict::Passed;
    world.memory.measurements.push(m);
    passed
}

/// Capture `n` as a borrowed string.
pub fn capture_str(ctx: &Context, n: usize) -> Result<&str, String> {
    super::capture(ctx, n)
}

/// Fails when one of the emulated rig's processes (simulator, firmware) has ended.
pub fn check_alive(world: &HarnessWorld) -> Result<(), String> {
    world.lease()?.with(|instance| instance.check_children())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values() -> ScenarioValues {
        ScenarioValues {
            transaction_id: Some(5),
            reservation_id: None,
            response: Some(json!({"certificateHashData": [{"serialNumber": "ab"}]})),
            charge_point_id: Some("HALO-000123".into()),
            file_server: None,
            test_data: [("valid_id_tag".to_string(), "04A2B3C4D5E6F7".to_string())].into(),
        }
    }

    #[test]
    fn placeholders_resolve_from_the_scenario() {
        let v = values();
        let text = r#"{"transactionId": ${transactionId}, "idTag": "${test_data.valid_id_tag}", "h": ${response.certificateHashData[0]}}"#;
        assert_eq!(
            json_match::substitute(text, &v).unwrap(),
            r#"{"transactionId": 5, "idTag": "04A2B3C4D5E6F7", "h": {"serialNumber":"ab"}}"#
        );
        let at = v.resolve("now+300s").unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(&at).unwrap();
        let ahead = parsed.timestamp() - chrono::Utc::now().timestamp();
        assert!((298..=300).contains(&ahead), "{at} is {ahead} s ahead");
    }

    #[test]
    fn missing_values_are_named() {
        let v = values();
        assert!(v
            .resolve("reservationId")
            .unwrap_err()
            .contains("no ReserveNow"));
        assert!(v.resolve("fileServer").unwrap_err().contains("file server"));
        assert!(v
            .resolve("test_data.nope")
            .unwrap_err()
            .contains("[test_data] nope"));
        assert!(v
            .resolve("bogus")
            .unwrap_err()
            .contains("unknown placeholder"));
    }
}

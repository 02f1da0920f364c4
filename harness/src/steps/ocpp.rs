//! OCPP steps on the CSMS side: the idle precondition, configuration through ChangeConfiguration,
//! how the mock CSMS answers, the calls it sends and what the charger answers to them.

use std::time::Duration;

use cucumber::gherkin::StepType;
use plugin_api::kinds::csms::{self, CallOutcome};
use serde_json::{json, Value};

use super::memory::LastCall;
use super::ocpp_receive::{receive_pair, status_matcher};
use super::support::{self, mark, step_fn, text};
use super::{pilot, StepDef};
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

/// How long the charger may take to answer a CSMS call.
pub const ANSWER_TIMEOUT_MS: u64 = 10_000;
/// How long a fresh charger may take to connect, boot and report Available.
const IDLE_TIMEOUT_MS: u64 = 30_000;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::Given,
        pattern: "the charger is idle",
        example: "Given the charger is idle",
        run: charger_is_idle,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the charger is configured with (\S+) (.+)",
        example: "Given the charger is configured with HeartbeatInterval 2 s",
        run: configured_with_one,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: "the charger is configured with:",
        example: "Given the charger is configured with:",
        run: configured_with_table,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r#"the charger's configuration key (\w+) is "([^"]*)""#,
        example: r#"Given the charger's configuration key AuthorizeRemoteTxRequests is "false""#,
        run: precondition_key_value,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the charger's configuration key (\w+) is writable",
        example: "Given the charger's configuration key StopTransactionOnEVSideDisconnect is writable",
        run: precondition_key_writable,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: "the charger's local authorization list storage fails",
        example: "Given the charger's local authorization list storage fails",
        run: local_list_storage_fails,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the CSMS answers BootNotification with (Accepted|Pending|Rejected) and interval (\d+) s",
        example: "Given the CSMS answers BootNotification with Rejected and interval 3 s",
        run: boot_answer,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the CSMS answers BootNotification with (Accepted|Pending|Rejected) and interval (\d+) s",
        example: "When the CSMS answers BootNotification with Accepted and interval 2 s",
        run: boot_answer,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r#"the CSMS answers Authorize for "([^"]+)" with (\w+)(?: and parent "([^"]+)")?"#,
        example: r#"Given the CSMS answers Authorize for "04A2B3C4" with Accepted"#,
        run: authorize_answer,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r#"the CSMS answers Authorize for "([^"]+)" with (\w+)(?: and parent "([^"]+)")?"#,
        example: r#"When the CSMS answers Authorize for "04A2B3C4" with Invalid"#,
        run: authorize_answer,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the CSMS answers Authorize for unknown idTags with (\w+)",
        example: "Given the CSMS answers Authorize for unknown idTags with Invalid",
        run: unknown_authorize_answer,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the CSMS answers the next (\d+) (\w+) with CallError (\w+)",
        example: "Given the CSMS answers the next 2 StartTransaction with CallError InternalError",
        run: fail_next,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the CSMS does not answer (\w+)",
        example: "Given the CSMS does not answer StopTransaction",
        run: never_answer,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r"the CSMS answers (\w+) after (\d+) ms",
        example: "Given the CSMS answers Heartbeat after 500 ms",
        run: delayed_answer,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: r#"a charging session is running for "([^"]+)""#,
        example: r#"Given a charging session is running for "04A2B3C4""#,
        run: session_running,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"the CSMS sends (\w+):?",
        example: "When the CSMS sends ClearCache",
        run: csms_sends,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger responds with ([a-z]\w*) (.+)",
        example: "Then the charger responds with status Rejected or CallError PropertyConstraintViolation",
        run: responds_with_field,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger responds with CallError (\w+)",
        example: "Then the charger responds with CallError NotSupported",
        run: responds_with_call_error,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the charger responds with:",
        example: "Then the charger responds with:",
        run: responds_with_subset,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the reported configuration has the keys:",
        example: "Then the reported configuration has the keys:",
        run: configuration_has_keys,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the reported configuration has no unknown keys",
        example: "Then the reported configuration has no unknown keys",
        run: configuration_no_unknown,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r#"the charger's (\w+) is (not )?"([^"]*)""#,
        example: r#"Then the charger's MeterValueSampleInterval is "7""#,
        run: key_reads,
    },
];

/// Sends a CSMS-initiated call and remembers the answer for the `responds` steps.
pub async fn send_call(
    world: &mut HarnessWorld,
    action: &str,
    payload: Value,
) -> Result<CallOutcome, String> {
    if action == "ReserveNow" {
        world.memory.reservation_id = payload.get("reservationId").and_then(Value::as_i64);
    }
    // A CSMS that sets a new AuthorizationKey expects it from then on: the charger may reconnect
    // with it right after answering, before any later step could tell the CSMS.
    let new_key = (action == "ChangeConfiguration"
        && payload.get("key").and_then(Value::as_str) == Some("AuthorizationKey"))
    .then(|| {
        payload
            .get("value")
            .and_then(Value::as_str)
            .map(str::to_string)
    })
    .flatten();
    if let Some(key) = &new_key {
        expect_authorization_key(world, key).await?;
    }
    let outcome = world
        .call(
            Instrument::Csms,
            csms::SendCall {
                charge_point: None,
                action: action.to_string(),
                payload,
                timeout_ms: ANSWER_TIMEOUT_MS,
                unchecked: false,
            },
        )
        .await?;
    if let Some(key) = new_key {
        let refused = matches!(&outcome, CallOutcome::Result { payload }
            if !matches!(payload.get("status").and_then(Value::as_str), Some("Accepted" | "RebootRequired")));
        let previous = world
            .memory
            .authorization_key
            .clone()
            .or_else(|| world.run.rig.authorization_key().map(str::to_string));
        match previous {
            // The charger kept its old key.
            Some(old) if refused => expect_authorization_key(world, &old).await?,
            _ => world.memory.authorization_key = Some(key),
        }
    }
    world.memory.last_call = Some(LastCall {
        action: action.to_string(),
        outcome: outcome.clone(),
    });
    Ok(outcome)
}

/// Tells the mock CSMS which AuthorizationKey the charger presents from now on.
async fn expect_authorization_key(world: &HarnessWorld, key: &str) -> Result<(), String> {
    world
        .call(
            Instrument::Csms,
            csms::SetAuthorizationKey {
                charge_point: None,
                authorization_key: key.to_string(),
            },
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("the CSMS cannot be told to expect the AuthorizationKey {key:?}: {e}"))
}

/// A one-line account of an answer, for failure messages.
pub fn describe(outcome: &CallOutcome) -> String {
    match outcome {
        CallOutcome::Result { payload } => format!("CALLRESULT {payload}"),
        CallOutcome::Error {
            code, description, ..
        } => format!("CallError {code} ({description:?})"),
        CallOutcome::Timeout => format!("no answer within {} s", ANSWER_TIMEOUT_MS / 1000),
    }
}

/// The payload of the last answer, or an error saying what came instead.
fn last_result(world: &HarnessWorld) -> Result<(&str, &Value), String> {
    let call = world
        .memory
        .last_call
        .as_ref()
        .ok_or("the CSMS has sent no call in this scenario, so there is no answer to check")?;
    match &call.outcome {
        CallOutcome::Result { payload } => Ok((call.action.as_str(), payload)),
        other => Err(format!(
            "expected a CALLRESULT to {}, got {}",
            call.action,
            describe(other)
        )),
    }
}

/// ChangeConfiguration that must be Accepted.
async fn change_configuration(
    world: &mut HarnessWorld,
    key: &str,
    value: &str,
) -> Result<(), String> {
    let outcome = send_call(
        world,
        "ChangeConfiguration",
        json!({"key": key, "value": value}),
    )
    .await?;
    match &outcome {
        CallOutcome::Result { payload } if payload["status"] == "Accepted" => Ok(()),
        other => Err(format!(
            "expected ChangeConfiguration {key}={value:?} to be Accepted, got {}",
            describe(other)
        )),
    }
}

/// `2 s` → `2`, `"true"` → `true`: the value as OCPP carries it.
fn config_value(written: &str) -> String {
    let v = written.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    for unit in [" s", " Wh"] {
        if let Some(number) = v.strip_suffix(unit) {
            if number.trim().parse::<f64>().is_ok() {
                return number.trim().to_string();
            }
        }
    }
    v.to_string()
}

/// GetConfiguration of one key: (readonly, value).
async fn read_key(world: &mut HarnessWorld, key: &str) -> Result<(bool, Option<String>), String> {
    let outcome = send_call(world, "GetConfiguration", json!({"key": [key]})).await?;
    let CallOutcome::Result { payload } = &outcome else {
        return Err(format!("GetConfiguration {key}: {}", describe(&outcome)));
    };
    let entry = payload["configurationKey"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["key"] == key))
        .ok_or_else(|| {
            format!("the charger does not report the configuration key {key}: {payload}")
        })?;
    Ok((
        entry["readonly"].as_bool().unwrap_or(false),
        entry["value"].as_str().map(str::to_string),
    ))
}

/// How long to wait for the Available a booting charger reports on its own before asking for it.
const OWN_STATUS_TIMEOUT_MS: u64 = 10_000;

step_fn!(charger_is_idle, |world, ctx| {
    support::check_alive(world)?;
    world
        .call(
            Instrument::Csms,
            csms::WaitConnected {
                charge_point: None,
                timeout_ms: IDLE_TIMEOUT_MS,
            },
        )
        .await
        .map_err(|e| format!("the charger is not idle: {e}"))?;
    // A CSMS kept between scenarios (a bench) forgets the previous scenario's script.
    world.call(Instrument::Csms, csms::ResetScript {}).await?;
    let available = csms::FrameMatcher {
        action: "StatusNotification".into(),
        payload_subset: json!({"connectorId": 1, "status": "Available"}),
        direction: Some(csms::Direction::FromChargePoint),
    };
    let reported = world
        .call(
            Instrument::Csms,
            csms::WaitForFrames {
                charge_point: None,
                matchers: vec![available],
                after: 0,
                timeout_ms: OWN_STATUS_TIMEOUT_MS,
            },
        )
        .await;
    if reported.is_err() {
        // A charger that reconnected without booting reports nothing by itself: ask it.
        mark(world).await?;
        let outcome = send_call(
            world,
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 1}),
        )
        .await?;
        if !matches!(&outcome, CallOutcome::Result { payload } if payload["status"] == "Accepted") {
            return Err(format!(
                "the charger is not idle: it reported no status and TriggerMessage StatusNotification got {}",
                describe(&outcome)
            ));
        }
        let subset = json!({"connectorId": 1});
        let statuses = ["Available".to_string()];
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        super::ocpp_receive::receive_matching(
            world,
            "StatusNotification",
            Some(&subset),
            &statuses,
            deadline,
        )
        .await
        .map_err(|e| format!("the charger is not idle (connector 1 not Available): {e}"))?;
        world.memory.last_call = None;
    }
    mark(world).await
});

step_fn!(configured_with_one, |world, ctx| {
    mark(world).await?;
    let key = text(&ctx, 1)?;
    let value = config_value(&text(&ctx, 2)?);
    change_configuration(world, &key, &value).await
});

step_fn!(configured_with_table, |world, ctx| {
    mark(world).await?;
    for row in support::table_rows(&ctx)? {
        let (Some(key), Some(value)) = (row.get("key"), row.get("value")) else {
            return Err(format!(
                "the table at line {} needs the columns key and value",
                support::line(&ctx)
            ));
        };
        change_configuration(world, key, &config_value(value)).await?;
    }
    Ok(())
});

step_fn!(precondition_key_value, |world, ctx| {
    let key = text(&ctx, 1)?;
    let expected = text(&ctx, 2)?;
    let (_, value) = read_key(world, &key).await?;
    if value.as_deref() == Some(expected.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "precondition: expected the configuration key {key} to be {expected:?}, it is {value:?}"
        ))
    }
});

step_fn!(precondition_key_writable, |world, ctx| {
    let key = text(&ctx, 1)?;
    let (readonly, _) = read_key(world, &key).await?;
    if readonly {
        Err(format!(
            "precondition: the configuration key {key} is read-only; this case needs it writable"
        ))
    } else {
        Ok(())
    }
});

// The DUT's own test hook (`@requires.dut.storage-fault-injection`): the emulated firmware's
// storage of the list fails from the next CSMS message on; a rig cannot break a flash chip.
step_fn!(local_list_storage_fails, |world, ctx| {
    world
        .lease()?
        .with(|i| i.set_storage_faults(&["local_list"]))??;
    Ok(())
});

step_fn!(boot_answer, |world, ctx| {
    let status = match support::capture_str(&ctx, 1)? {
        "Accepted" => csms::RegistrationStatus::Accepted,
        "Pending" => csms::RegistrationStatus::Pending,
        _ => csms::RegistrationStatus::Rejected,
    };
    let interval_s = support::number(&ctx, 2)? as u32;
    world
        .call(
            Instrument::Csms,
            csms::SetBootResponse { status, interval_s },
        )
        .await?;
    Ok(())
});

fn authorization_status(word: &str) -> Result<csms::AuthorizationStatus, String> {
    serde_json::from_value(Value::String(word.to_string())).map_err(|_| {
        format!("`{word}` is not an OCPP 1.6 authorization status (Accepted, Blocked, Expired, Invalid, ConcurrentTx)")
    })
}

step_fn!(authorize_answer, |world, ctx| {
    let id_tag = support::resolve_text(world, &text(&ctx, 1)?).await?;
    let status = authorization_status(support::capture_str(&ctx, 2)?)?;
    let parent_id_tag = support::optional(&ctx, 3);
    world
        .call(
            Instrument::Csms,
            csms::SetAuthorization {
                id_tag,
                status,
                parent_id_tag,
                expiry_date: None,
            },
        )
        .await?;
    Ok(())
});

step_fn!(unknown_authorize_answer, |world, ctx| {
    let status = authorization_status(support::capture_str(&ctx, 1)?)?;
    world
        .call(Instrument::Csms, csms::SetUnknownAuthorization { status })
        .await?;
    Ok(())
});

step_fn!(fail_next, |world, ctx| {
    let times = support::number(&ctx, 1)? as u32;
    world
        .call(
            Instrument::Csms,
            csms::FailAction {
                action: text(&ctx, 2)?,
                times,
                error_code: text(&ctx, 3)?,
            },
        )
        .await?;
    Ok(())
});

step_fn!(never_answer, |world, ctx| {
    world
        .call(
            Instrument::Csms,
            csms::DelayAction {
                action: text(&ctx, 1)?,
                delay_ms: None,
            },
        )
        .await?;
    Ok(())
});

step_fn!(delayed_answer, |world, ctx| {
    world
        .call(
            Instrument::Csms,
            csms::DelayAction {
                action: text(&ctx, 1)?,
                delay_ms: Some(support::number(&ctx, 2)? as u64),
            },
        )
        .await?;
    Ok(())
});

// The OCTT reusable state Charging (TC_010): plug in, remote start, vehicle ready, StartTransaction
// and Charging, contactor closed.
step_fn!(session_running, |world, ctx| {
    let id_tag = support::resolve_text(world, &text(&ctx, 1)?).await?;
    mark(world).await?;
    pilot::plug_default(world).await?;
    let outcome = send_call(
        world,
        "RemoteStartTransaction",
        json!({"connectorId": 1, "idTag": id_tag}),
    )
    .await?;
    if !matches!(&outcome, CallOutcome::Result { payload } if payload["status"] == "Accepted") {
        return Err(format!(
            "starting a session for {id_tag}: expected RemoteStartTransaction Accepted, got {}",
            describe(&outcome)
        ));
    }
    pilot::set_state(world, plugin_api::kinds::ev_emulator::VehicleState::C).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    receive_pair(
        world,
        (
            "StartTransaction",
            Some(json!({"connectorId": 1, "idTag": id_tag})),
        ),
        status_matcher(1, &["Charging"], None),
        deadline,
    )
    .await
    .map_err(|e| format!("starting a session for {id_tag}: {e}"))?;
    pilot::wait_supply(world, true, 3_000)
        .await
        .map_err(|e| format!("starting a session for {id_tag}: {e}"))?;
    mark(world).await
});

step_fn!(csms_sends, |world, ctx| {
    let action = text(&ctx, 1)?;
    let payload = support::docstring_json(world, &ctx)
        .await?
        .unwrap_or(json!({}));
    mark(world).await?;
    send_call(world, &action, payload).await?;
    Ok(())
});

/// `Accepted or CallError PropertyConstraintViolation` → the alternatives.
enum Alternative {
    Value(String),
    AnyCallError,
    CallError(String),
}

fn alternatives(text: &str) -> Vec<Alternative> {
    text.split(" or ")
        .map(|a| {
            let a = a.trim();
            match a.strip_prefix("CallError") {
                Some("") => Alternative::AnyCallError,
                Some(code) if code.starts_with(' ') => {
                    Alternative::CallError(code.trim().to_string())
                }
                _ => Alternative::Value(a.to_string()),
            }
        })
        .collect()
}

/// Whether a JSON value reads as the text written in a feature (`Accepted`, `0`, `-1`, `true`).
fn reads_as(value: &Value, written: &str) -> bool {
    match value {
        Value::String(s) => s == written,
        Value::Number(n) => written.parse::<f64>().ok() == n.as_f64(),
        Value::Bool(b) => written.parse::<bool>().ok() == Some(*b),
        _ => false,
    }
}

step_fn!(responds_with_field, |world, ctx| {
    let field = text(&ctx, 1)?;
    let wanted = text(&ctx, 2)?;
    let call = world
        .memory
        .last_call
        .as_ref()
        .ok_or("the CSMS has sent no call in this scenario, so there is no answer to check")?;
    let ok = alternatives(&wanted)
        .iter()
        .any(|alt| match (alt, &call.outcome) {
            (Alternative::Value(v), CallOutcome::Result { payload }) => {
                reads_as(&payload[&field], v)
            }
            (Alternative::AnyCallError, CallOutcome::Error { .. }) => true,
            (Alternative::CallError(c), CallOutcome::Error { code, .. }) => c == code,
            _ => false,
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected the answer to {} with {field} {wanted}; got {}",
            call.action,
            describe(&call.outcome)
        ))
    }
});

step_fn!(responds_with_call_error, |world, ctx| {
    let wanted = text(&ctx, 1)?;
    let call = world
        .memory
        .last_call
        .as_ref()
        .ok_or("the CSMS has sent no call in this scenario, so there is no answer to check")?;
    match &call.outcome {
        CallOutcome::Error { code, .. } if *code == wanted => Ok(()),
        other => Err(format!(
            "expected CallError {wanted} to {}; got {}",
            call.action,
            describe(other)
        )),
    }
});

step_fn!(responds_with_subset, |world, ctx| {
    let subset = support::docstring_json(world, &ctx).await?.ok_or_else(|| {
        format!(
            "the step at line {} needs a JSON docstring",
            support::line(&ctx)
        )
    })?;
    let (action, payload) = last_result(world)?;
    match super::json_match::mismatch(payload, &subset) {
        None => Ok(()),
        Some(why) => Err(format!(
            "expected the answer to {action} to contain {subset}; {why} (answer: {payload})"
        )),
    }
});

/// The `configurationKey` list of the last GetConfiguration answer.
fn reported_keys(world: &HarnessWorld) -> Result<(&Vec<Value>, &Value), String> {
    let (action, payload) = last_result(world)?;
    if action != "GetConfiguration" {
        return Err(format!(
            "the last CSMS call was {action}, not GetConfiguration"
        ));
    }
    static EMPTY: Vec<Value> = Vec::new();
    Ok((
        payload["configurationKey"].as_array().unwrap_or(&EMPTY),
        payload,
    ))
}

step_fn!(configuration_has_keys, |world, ctx| {
    let rows = support::table_rows(&ctx)?;
    let (keys, _) = reported_keys(world)?;
    let mut problems = Vec::new();
    for row in &rows {
        let Some(key) = row.get("key") else {
            return Err(format!(
                "the table at line {} needs a key column",
                support::line(&ctx)
            ));
        };
        let Some(entry) = keys.iter().find(|k| k["key"] == key.as_str()) else {
            problems.push(format!("{key} is missing"));
            continue;
        };
        let readonly = entry["readonly"].as_bool().unwrap_or(false);
        let access = if readonly { "R" } else { "RW" };
        match row.get("access").map(String::as_str) {
            None | Some("") | Some("R or RW") => {}
            Some(wanted) if wanted == access => {}
            Some(wanted) => problems.push(format!("{key} is {access}, expected {wanted}")),
        }
        if let Some(wanted) = row.get("value").filter(|v| !v.is_empty()) {
            let value = entry["value"].as_str().unwrap_or("");
            if value != wanted {
                problems.push(format!("{key} is {value:?}, expected {wanted:?}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the reported configuration does not match ({} of {} keys): {}",
            problems.len(),
            rows.len(),
            problems.join("; ")
        ))
    }
});

step_fn!(configuration_no_unknown, |world, ctx| {
    let (_, payload) = reported_keys(world)?;
    match payload.get("unknownKey").and_then(Value::as_array) {
        Some(unknown) if !unknown.is_empty() => Err(format!(
            "expected no unknown keys in the GetConfiguration answer, got {}",
            Value::Array(unknown.clone())
        )),
        _ => Ok(()),
    }
});

step_fn!(key_reads, |world, ctx| {
    let key = text(&ctx, 1)?;
    let negated = support::optional(&ctx, 2).is_some();
    let wanted = text(&ctx, 3)?;
    // A check, not a stimulus: no mark, so later receive steps still see the earlier frames.
    let (_, value) = read_key(world, &key).await?;
    let equal = value.as_deref() == Some(wanted.as_str());
    if equal != negated {
        Ok(())
    } else if negated {
        Err(format!("expected {key} not to be {wanted:?}, and it is"))
    } else {
        Err(format!("expected {key} to be {wanted:?}, it is {value:?}"))
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_values_drop_units_and_quotes() {
        assert_eq!(config_value("2 s"), "2");
        assert_eq!(config_value("\"true\""), "true");
        assert_eq!(config_value("500 Wh"), "500");
        assert_eq!(
            config_value("\"Energy.Active.Import.Register,Voltage\""),
            "Energy.Active.Import.Register,Voltage"
        );
        assert_eq!(config_value("Current s"), "Current s");
    }

    #[test]
    fn answer_alternatives() {
        let alts = alternatives("Rejected or CallError PropertyConstraintViolation or CallError");
        assert!(matches!(&alts[0], Alternative::Value(v) if v == "Rejected"));
        assert!(
            matches!(&alts[1], Alternative::CallError(c) if c == "PropertyConstraintViolation")
        );
        assert!(matches!(&alts[2], Alternative::AnyCallError));
        assert!(reads_as(&json!(-1), "-1"));
        assert!(reads_as(&json!("Unlocked"), "Unlocked"));
        assert!(!reads_as(&json!(null), "Unlocked"));
    }
}

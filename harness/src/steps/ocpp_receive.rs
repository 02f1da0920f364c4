//! What the CSMS receives. Every receive step looks at the frames after the mark of the latest
//! stimulus step and takes the first one of its action that matches its subset and that no earlier
//! receive step took; so steps after one stimulus may match in any order (the OCTT pairs), and no
//! frame is counted twice.

use std::time::{Duration, Instant};

use cucumber::gherkin::StepType;
use plugin_api::kinds::csms::{self, RecordedFrame};
use serde_json::{json, Value};

use super::json_match::mismatch;
use super::support::{self, step_fn, text};
use super::StepDef;
use crate::rig::Instrument;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::Then,
        pattern: r"the CSMS receives (\w+) within (\d+) s:?",
        example: "Then the CSMS receives BootNotification within 60 s",
        run: receives,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"(?:the charger|connector (\d+)) reports (\w+(?: or \w+)*?)(?: with error code (\w+))? within (\d+) s",
        example: "Then the charger reports Faulted with error code ConnectorLockFailure within 5 s",
        run: reports_status,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger starts a transaction and reports Charging within (\d+) s:?",
        example: "Then the charger starts a transaction and reports Charging within 10 s",
        run: starts_transaction,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger stops the transaction(?: with reason (\w+))? and reports (\w+(?: or \w+)*) within (\d+) s:?",
        example: "Then the charger stops the transaction with reason Remote and reports Finishing within 5 s",
        run: stops_transaction,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"no (\w+) arrives during (\d+) s:?",
        example: "Then no StartTransaction arrives during 5 s",
        run: none_arrives,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the next (\w+) arrives between (\d+(?:\.\d+)?) s and (\d+(?:\.\d+)?) s after the previous one",
        example: "Then the next BootNotification arrives between 3 s and 6 s after the previous one",
        run: next_arrives_between,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the CSMS receives (\d+) (\w+) within (\d+) s, (\d+(?:\.\d+)?) s apart \(± (\d+(?:\.\d+)?) s\)",
        example: "Then the CSMS receives 3 Heartbeat within 10 s, 2 s apart (± 0.5 s)",
        run: receives_periodic,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the CSMS receives (\d+) MeterValues within (\d+) s, timestamps in order and (\d+) s apart:?",
        example: "Then the CSMS receives 4 MeterValues within 20 s, timestamps in order and 2 s apart",
        run: meter_values_in_order,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the CSMS receives (\d+) MeterValues within (\d+) s, timestamps on (\d+) s boundaries:?",
        example: "Then the CSMS receives 2 MeterValues within 12 s, timestamps on 5 s boundaries",
        run: meter_values_aligned,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the CSMS received (\w+) before (\w+)",
        example: "Then the CSMS received StartTransaction before StopTransaction",
        run: received_before,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger reconnects within (\d+) s",
        example: "Then the charger reconnects within 30 s",
        run: reconnects,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger connects with security profile (\d) within (\d+) s",
        example: "Then the charger connects with security profile 2 within 60 s",
        run: connects_with_profile,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the charger connects with the rig's security profile within (\d+) s",
        example: "Then the charger connects with the rig's security profile within 5 s",
        run: connects_with_rig_profile,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r#"the charger connects with the authorization key "([^"]+)" within (\d+) s"#,
        example: r#"Then the charger connects with the authorization key "HarnessBasicKey-0001" within 60 s"#,
        run: connects_with_key,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the file server receives an upload within (\d+) s",
        example: "Then the file server receives an upload within 60 s",
        run: upload_received,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "no OCPP violation was recorded",
        example: "Then no OCPP violation was recorded",
        run: no_violation,
    },
];

/// What a receive step looks for: an action and a subset of its payload.
pub type Wanted = (&'static str, Option<Value>);

/// A StatusNotification of `connector` whose status is one of `statuses`.
pub fn status_matcher(connector: i64, statuses: &[&str], error_code: Option<&str>) -> Wanted {
    let mut subset = json!({"connectorId": connector});
    if statuses.len() == 1 {
        subset["status"] = json!(statuses[0]);
    }
    if let Some(code) = error_code {
        subset["errorCode"] = json!(code);
    }
    ("StatusNotification", Some(subset))
}

/// Whether `frame` satisfies `wanted`, with the extra rule of several allowed statuses.
fn fits(frame: &RecordedFrame, subset: Option<&Value>, statuses: &[String]) -> Result<(), String> {
    if let Some(subset) = subset {
        if let Some(why) = mismatch(&frame.payload, subset) {
            return Err(why);
        }
    }
    if !statuses.is_empty() {
        let status = frame.payload["status"].as_str().unwrap_or("");
        if !statuses.iter().any(|s| s == status) {
            return Err(format!(
                "status is {status:?}, expected {}",
                statuses.join(" or ")
            ));
        }
    }
    Ok(())
}

/// Waits for the first unconsumed frame of `action` after the mark that fits; consumes it.
pub async fn receive_matching(
    world: &mut HarnessWorld,
    action: &str,
    subset: Option<&Value>,
    statuses: &[String],
    deadline: Instant,
) -> Result<RecordedFrame, String> {
    support::observed(world);
    let mut after = world.csms_mark;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let frames = world
            .call(
                Instrument::Csms,
                csms::ExpectNone {
                    charge_point: None,
                    action: action.to_string(),
                    after,
                    during_ms: remaining.as_millis() as u64,
                },
            )
            .await?;
        if frames.is_empty() {
            let wanted = match subset {
                Some(s) => format!("{action} containing {s}"),
                None => action.to_string(),
            };
            let statuses = if statuses.is_empty() {
                String::new()
            } else {
                format!(" with status {}", statuses.join(" or "))
            };
            return Err(format!(
                "expected {wanted}{statuses}; {}",
                if seen.is_empty() {
                    format!("no {action} arrived")
                } else {
                    format!("saw only: {}", seen.join("; "))
                }
            ));
        }
        for frame in frames {
            after = after.max(frame.seq);
            if world.memory.consumed.contains(&frame.seq) {
                continue;
            }
            match fits(&frame, subset, statuses) {
                Ok(()) => {
                    world.memory.consumed.insert(frame.seq);
                    world
                        .memory
                        .last_matched
                        .insert(action.to_string(), frame.clone());
                    return Ok(frame);
                }
                Err(why) => seen.push(format!("{} ({why})", frame.payload)),
            }
        }
    }
}

/// [`receive_matching`] with a timeout in ms from now.
pub async fn receive(
    world: &mut HarnessWorld,
    action: &str,
    subset: Option<&Value>,
    timeout_ms: u64,
) -> Result<RecordedFrame, String> {
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    receive_matching(world, action, subset, &[], deadline).await
}

/// StartTransaction (or any first part) and a StatusNotification, in either order. Remembers the
/// transaction's id when the first part is a StartTransaction.
pub async fn receive_pair(
    world: &mut HarnessWorld,
    first: Wanted,
    second: Wanted,
    deadline: Instant,
) -> Result<(RecordedFrame, RecordedFrame), String> {
    let a = receive_matching(world, first.0, first.1.as_ref(), &[], deadline).await?;
    if first.0 == "StartTransaction" {
        world.memory.transaction_id = Some(transaction_id_of(world, &a).await?);
    }
    let b = receive_matching(world, second.0, second.1.as_ref(), &[], deadline).await?;
    Ok((a, b))
}

/// The transactionId the mock CSMS gave `start`: it numbers StartTransactions from the rig's
/// `first_transaction_id` (default 1) in the order it answers them.
async fn transaction_id_of(world: &HarnessWorld, start: &RecordedFrame) -> Result<i64, String> {
    let earlier = world
        .call(
            Instrument::Csms,
            csms::ExpectNone {
                charge_point: None,
                action: "StartTransaction".into(),
                after: 0,
                during_ms: 0,
            },
        )
        .await?
        .iter()
        .filter(|f| f.seq < start.seq)
        .count() as i64;
    let first = world
        .run
        .rig
        .instruments
        .get(&Instrument::Csms)
        .and_then(|s| s.config.get("first_transaction_id"))
        .and_then(|v| v.as_integer())
        .unwrap_or(1);
    Ok(first + earlier)
}

step_fn!(receives, |world, ctx| {
    let action = text(&ctx, 1)?;
    let timeout_ms = support::number(&ctx, 2)? as u64 * 1000;
    let subset = support::docstring_json(world, &ctx).await?;
    let frame = receive(world, &action, subset.as_ref(), timeout_ms)
        .await
        .map_err(|e| format!("within {} s: {e}", timeout_ms / 1000))?;
    if action == "StartTransaction" {
        world.memory.transaction_id = Some(transaction_id_of(world, &frame).await?);
    }
    Ok(())
});

step_fn!(reports_status, |world, ctx| {
    let connector: i64 = support::optional(&ctx, 1)
        .map(|c| c.parse().unwrap_or(1))
        .unwrap_or(1);
    let statuses: Vec<String> = text(&ctx, 2)?.split(" or ").map(str::to_string).collect();
    let error_code = support::optional(&ctx, 3);
    let timeout_ms = support::number(&ctx, 4)? as u64 * 1000;
    let mut subset = json!({"connectorId": connector});
    if let Some(code) = &error_code {
        subset["errorCode"] = json!(code);
    }
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    receive_matching(
        world,
        "StatusNotification",
        Some(&subset),
        &statuses,
        deadline,
    )
    .await
    .map(|_| ())
    .map_err(|e| format!("connector {connector}, within {} s: {e}", timeout_ms / 1000))
});

step_fn!(starts_transaction, |world, ctx| {
    let timeout_ms = support::number(&ctx, 1)? as u64 * 1000;
    let subset = support::docstring_json(world, &ctx).await?;
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    receive_pair(
        world,
        ("StartTransaction", subset),
        status_matcher(1, &["Charging"], None),
        deadline,
    )
    .await
    .map(|_| ())
    .map_err(|e| format!("within {} s: {e}", timeout_ms / 1000))
});

step_fn!(stops_transaction, |world, ctx| {
    let reason = support::optional(&ctx, 1);
    let statuses: Vec<String> = text(&ctx, 2)?.split(" or ").map(str::to_string).collect();
    let timeout_ms = support::number(&ctx, 3)? as u64 * 1000;
    let mut subset = support::docstring_json(world, &ctx)
        .await?
        .unwrap_or(json!({}));
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    // An omitted reason means Local (OCPP 1.6 errata), so Local accepts both.
    let stop = match reason.as_deref() {
        Some("Local") => {
            let frame =
                receive_matching(world, "StopTransaction", Some(&subset), &[], deadline).await;
            let frame = frame.map_err(|e| format!("within {} s: {e}", timeout_ms / 1000))?;
            let seen = frame
                .payload
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("Local");
            if seen != "Local" {
                return Err(format!(
                    "expected StopTransaction with reason Local (or none), got {seen}: {}",
                    frame.payload
                ));
            }
            frame
        }
        Some(r) => {
            subset["reason"] = json!(r);
            receive_matching(world, "StopTransaction", Some(&subset), &[], deadline)
                .await
                .map_err(|e| format!("within {} s: {e}", timeout_ms / 1000))?
        }
        None => receive_matching(world, "StopTransaction", Some(&subset), &[], deadline)
            .await
            .map_err(|e| format!("within {} s: {e}", timeout_ms / 1000))?,
    };
    let _ = stop;
    receive_matching(
        world,
        "StatusNotification",
        Some(&json!({"connectorId": 1})),
        &statuses,
        deadline,
    )
    .await
    .map(|_| ())
    .map_err(|e| format!("after StopTransaction, within {} s: {e}", timeout_ms / 1000))
});

step_fn!(none_arrives, |world, ctx| {
    let action = text(&ctx, 1)?;
    let during_ms = support::number(&ctx, 2)? as u64 * 1000;
    let subset = support::docstring_json(world, &ctx).await?;
    let deadline = Instant::now() + Duration::from_millis(during_ms);
    support::observed(world);
    let mut after = world.csms_mark;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let frames = world
            .call(
                Instrument::Csms,
                csms::ExpectNone {
                    charge_point: None,
                    action: action.clone(),
                    after,
                    during_ms: remaining.as_millis() as u64,
                },
            )
            .await?;
        if frames.is_empty() {
            return Ok(());
        }
        for frame in frames {
            after = after.max(frame.seq);
            // A frame an earlier step expected is not an unwanted one.
            if world.memory.consumed.contains(&frame.seq) {
                continue;
            }
            let unwanted = match &subset {
                Some(s) => mismatch(&frame.payload, s).is_none(),
                None => true,
            };
            if unwanted {
                return Err(format!(
                    "expected no {action}{} during {} s; one arrived: {}",
                    subset
                        .as_ref()
                        .map(|s| format!(" containing {s}"))
                        .unwrap_or_default(),
                    during_ms / 1000,
                    frame.payload
                ));
            }
        }
        if Instant::now() >= deadline {
            return Ok(());
        }
    }
});

step_fn!(next_arrives_between, |world, ctx| {
    let action = text(&ctx, 1)?;
    let low_s = support::number(&ctx, 2)?;
    let high_s = support::number(&ctx, 3)?;
    let previous = world
        .memory
        .last_matched
        .get(&action)
        .cloned()
        .ok_or_else(|| {
            format!("no earlier {action} was matched in this scenario to measure from")
        })?;
    // Frames before the previous one are not "next".
    let saved_mark = world.csms_mark;
    world.csms_mark = world.csms_mark.max(previous.seq);
    let deadline_s = (high_s - elapsed_s(&previous)).max(0.0) + 0.5;
    let next = receive(world, &action, None, (deadline_s * 1000.0) as u64).await;
    world.csms_mark = saved_mark;
    let next = next.map_err(|e| {
        format!("expected the next {action} {low_s}–{high_s} s after the previous one: {e}")
    })?;
    let gap_s = (next.mono_us.saturating_sub(previous.mono_us)) as f64 / 1e6;
    if support::measure(
        world,
        format!("gap between two {action}"),
        gap_s,
        "s",
        Some(low_s),
        Some(high_s),
    ) {
        Ok(())
    } else {
        Err(format!(
            "expected the next {action} between {low_s} s and {high_s} s after the previous one; it came after {gap_s:.2} s"
        ))
    }
});

/// Seconds since a frame was recorded (plugin wall clock).
fn elapsed_s(frame: &RecordedFrame) -> f64 {
    (plugin_api::now_us() - frame.t_us) as f64 / 1e6
}

step_fn!(receives_periodic, |world, ctx| {
    let count = support::number(&ctx, 1)? as usize;
    let action = text(&ctx, 2)?;
    let timeout_ms = support::number(&ctx, 3)? as u64 * 1000;
    let period_s = support::number(&ctx, 4)?;
    let tolerance_s = support::number(&ctx, 5)?;
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    let mut frames = Vec::new();
    for i in 0..count {
        let f = receive_matching(world, &action, None, &[], deadline)
            .await
            .map_err(|e| {
                format!(
                    "{action} {} of {count} within {} s: {e}",
                    i + 1,
                    timeout_ms / 1000
                )
            })?;
        frames.push(f);
    }
    frames.sort_by_key(|f| f.seq);
    for pair in frames.windows(2) {
        let gap = (pair[1].mono_us.saturating_sub(pair[0].mono_us)) as f64 / 1e6;
        let ok = support::measure(
            world,
            format!("interval between {action}"),
            gap,
            "s",
            Some(period_s - tolerance_s),
            Some(period_s + tolerance_s),
        );
        if !ok {
            return Err(format!(
                "expected {action} every {period_s} s (± {tolerance_s} s); two came {gap:.2} s apart"
            ));
        }
    }
    Ok(())
});

/// The timestamps (Unix seconds) of the meterValue entries of MeterValues frames, in frame order.
fn meter_timestamps(frames: &[RecordedFrame]) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for f in frames {
        for mv in f.payload["meterValue"].as_array().into_iter().flatten() {
            let ts = mv["timestamp"].as_str().unwrap_or("");
            let t = chrono::DateTime::parse_from_rfc3339(ts)
                .map_err(|e| format!("MeterValues timestamp {ts:?} is not RFC 3339: {e}"))?;
            out.push(t.timestamp_millis() as f64 / 1000.0);
        }
    }
    Ok(out)
}

async fn collect_meter_values(
    world: &mut HarnessWorld,
    ctx: &cucumber::step::Context,
) -> Result<(Vec<RecordedFrame>, u64), String> {
    let count = support::number(ctx, 1)? as usize;
    let timeout_ms = support::number(ctx, 2)? as u64 * 1000;
    let subset = support::docstring_json(world, ctx).await?;
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    let mut frames = Vec::new();
    for i in 0..count {
        let f = receive_matching(world, "MeterValues", subset.as_ref(), &[], deadline)
            .await
            .map_err(|e| {
                format!(
                    "MeterValues {} of {count} within {} s: {e}",
                    i + 1,
                    timeout_ms / 1000
                )
            })?;
        frames.push(f);
    }
    frames.sort_by_key(|f| f.seq);
    Ok((frames, support::number(ctx, 3)? as u64))
}

step_fn!(meter_values_in_order, |world, ctx| {
    let (frames, interval_s) = collect_meter_values(world, &ctx).await?;
    let stamps = meter_timestamps(&frames)?;
    for pair in stamps.windows(2) {
        let gap = pair[1] - pair[0];
        if gap <= 0.0 {
            return Err(format!(
                "expected MeterValues in chronological order; a timestamp {gap:.1} s after its predecessor (timestamps {stamps:?})"
            ));
        }
        let ok = support::measure(
            world,
            "spacing of MeterValues timestamps",
            gap,
            "s",
            Some(interval_s as f64 - 1.0),
            Some(interval_s as f64 + 1.0),
        );
        if !ok {
            return Err(format!(
                "expected MeterValues timestamps {interval_s} s apart (± 1 s); two are {gap:.1} s apart (timestamps {stamps:?})"
            ));
        }
    }
    Ok(())
});

step_fn!(meter_values_aligned, |world, ctx| {
    let (frames, interval_s) = collect_meter_values(world, &ctx).await?;
    for t in meter_timestamps(&frames)? {
        let offset = t.rem_euclid(interval_s as f64);
        let off = offset.min(interval_s as f64 - offset);
        if !support::measure(
            world,
            "clock-aligned MeterValues offset from boundary",
            off,
            "s",
            None,
            Some(1.0),
        ) {
            return Err(format!(
                "expected MeterValues on {interval_s} s boundaries (± 1 s); one is stamped {off:.1} s off"
            ));
        }
    }
    Ok(())
});

step_fn!(received_before, |world, ctx| {
    let first = text(&ctx, 1)?;
    let second = text(&ctx, 2)?;
    let a = world.memory.last_matched.get(&first);
    let b = world.memory.last_matched.get(&second);
    match (a, b) {
        (Some(a), Some(b)) if a.seq < b.seq => Ok(()),
        (Some(a), Some(b)) => Err(format!(
            "expected {first} (frame {}) before {second} (frame {}); it came after",
            a.seq, b.seq
        )),
        _ => Err(format!(
            "both {first} and {second} must be matched by earlier steps to compare their order"
        )),
    }
});

/// Waits until the charger's connection has dropped and is up again. Polled every 20 ms, which
/// sees a network cut; a charger that restarts (re-executes) can be back within a few ms, so a
/// BootNotification on a connection that is up, sent after the stimulus, also counts: a charger
/// sends one only after it started again.
async fn wait_reconnected(world: &mut HarnessWorld, timeout_ms: u64) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    let mut seen_down = false;
    loop {
        let connections = world.call(Instrument::Csms, csms::Connections {}).await?;
        let up = connections.iter().any(|c| c.connected);
        if !up {
            seen_down = true;
        } else if seen_down || booted_since_mark(world).await? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(if seen_down {
                "the connection dropped and did not come back".to_string()
            } else {
                "the connection never dropped, so there was no reconnection".to_string()
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether the charger sent a BootNotification after the latest stimulus (not consumed: a later
/// step may still expect it).
async fn booted_since_mark(world: &HarnessWorld) -> Result<bool, String> {
    let boots = world
        .call(
            Instrument::Csms,
            csms::ExpectNone {
                charge_point: None,
                action: "BootNotification".to_string(),
                after: world.csms_mark,
                during_ms: 0,
            },
        )
        .await?;
    Ok(boots.iter().any(|f| {
        f.direction == csms::Direction::FromChargePoint && f.message_type == csms::MessageType::Call
    }))
}

step_fn!(reconnects, |world, ctx| {
    let timeout_ms = support::number(&ctx, 1)? as u64 * 1000;
    wait_reconnected(world, timeout_ms).await.map_err(|e| {
        format!(
            "expected the charger to reconnect within {} s: {e}",
            timeout_ms / 1000
        )
    })
});

step_fn!(connects_with_profile, |world, ctx| {
    let profile = support::number(&ctx, 1)? as u8;
    let timeout_ms = support::number(&ctx, 2)? as u64 * 1000;
    expect_profile(world, profile, timeout_ms).await
});

step_fn!(connects_with_rig_profile, |world, ctx| {
    let profile = rig_security_profile(world)?;
    let timeout_ms = support::number(&ctx, 1)? as u64 * 1000;
    expect_profile(world, profile, timeout_ms).await
});

/// The security profile the rig's CSMS serves (`[csms] security_profile`, 0 when unset, as the
/// CSMS plugin defaults): the profile the charger runs at when a scenario starts.
fn rig_security_profile(world: &HarnessWorld) -> Result<u8, String> {
    let csms = world
        .run
        .rig
        .instruments
        .get(&Instrument::Csms)
        .ok_or("the rig has no [csms] section, so it has no security profile")?;
    match csms.config.get("security_profile") {
        None => Ok(0),
        Some(v) => v
            .as_integer()
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| format!("[csms] security_profile = {v} is not a profile number")),
    }
}

/// Waits until the charger is connected at `profile`.
async fn expect_profile(
    world: &mut HarnessWorld,
    profile: u8,
    timeout_ms: u64,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    loop {
        let connections = world.call(Instrument::Csms, csms::Connections {}).await?;
        if let Some(c) = connections
            .iter()
            .find(|c| c.connected && c.security_profile == profile)
        {
            let _ = c;
            return Ok(());
        }
        if Instant::now() >= deadline {
            let seen: Vec<String> = connections
                .iter()
                .map(|c| {
                    format!(
                        "{} {} with profile {}",
                        c.charge_point,
                        if c.connected {
                            "connected"
                        } else {
                            "disconnected"
                        },
                        c.security_profile
                    )
                })
                .collect();
            return Err(format!(
                "expected the charger connected with security profile {profile} within {} s; saw {}",
                timeout_ms / 1000,
                if seen.is_empty() { "no connection".to_string() } else { seen.join(", ") }
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

step_fn!(connects_with_key, |world, ctx| {
    let key = support::resolve_text(world, &text(&ctx, 1)?).await?;
    let timeout_ms = support::number(&ctx, 2)? as u64 * 1000;
    // The CSMS must expect the new password before the charger reconnects with it.
    let plugin = world.plugin(Instrument::Csms)?;
    let args = json!({"authorization_key": key}).to_string();
    tokio::task::spawn_blocking(move || plugin.call_json_blocking("set_authorization_key", &args))
        .await
        .map_err(|e| format!("set_authorization_key: {e}"))?
        .map_err(|e| format!("the CSMS cannot be told to expect the new AuthorizationKey: {e}"))?;
    wait_reconnected(world, timeout_ms).await.map_err(|e| {
        format!(
            "expected the charger to connect with the AuthorizationKey {key:?} within {} s: {e}",
            timeout_ms / 1000
        )
    })
});

step_fn!(upload_received, |world, ctx| {
    let timeout_ms = support::number(&ctx, 1)? as u64 * 1000;
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    loop {
        let transfers = world.call(Instrument::Csms, csms::FileTransfers {}).await?;
        if transfers
            .iter()
            .any(|t| t.method != "GET" && (200..300).contains(&t.status))
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let seen: Vec<String> = transfers
                .iter()
                .map(|t| format!("{} {} → {}", t.method, t.path, t.status))
                .collect();
            return Err(format!(
                "expected a successful upload at the file server within {} s; saw {}",
                timeout_ms / 1000,
                if seen.is_empty() {
                    "no transfer".to_string()
                } else {
                    seen.join(", ")
                }
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
});

step_fn!(no_violation, |world, ctx| {
    let violations = world
        .call(Instrument::Csms, csms::Violations { after: 0 })
        .await?;
    match violations.first() {
        None => Ok(()),
        Some(v) => Err(format!(
            "expected every OCPP frame to pass the 1.6 rules; {} violation(s), the first in frame {}: {} ({}) in {}",
            violations.len(),
            v.seq,
            v.rule,
            v.message,
            v.raw
        )),
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(payload: Value) -> RecordedFrame {
        RecordedFrame {
            seq: 7,
            t_us: 0,
            mono_us: 0,
            charge_point: "HALO-000123".into(),
            direction: csms::Direction::FromChargePoint,
            message_type: csms::MessageType::Call,
            unique_id: Some("1".into()),
            action: Some("StatusNotification".into()),
            payload,
            raw: String::new(),
            violations: Vec::new(),
        }
    }

    #[test]
    fn a_status_frame_fits_one_of_several_statuses() {
        let f = frame(json!({"connectorId": 1, "status": "SuspendedEVSE", "errorCode": "NoError"}));
        let subset = json!({"connectorId": 1});
        let statuses = vec!["SuspendedEV".to_string(), "SuspendedEVSE".to_string()];
        assert_eq!(fits(&f, Some(&subset), &statuses), Ok(()));
        let only_charging = vec!["Charging".to_string()];
        assert_eq!(
            fits(&f, Some(&subset), &only_charging).unwrap_err(),
            "status is \"SuspendedEVSE\", expected Charging"
        );
        let other_connector = json!({"connectorId": 0});
        assert!(fits(&f, Some(&other_connector), &statuses).is_err());
    }

    #[test]
    fn status_matchers_name_connector_status_and_error_code() {
        let (action, subset) = status_matcher(1, &["Faulted"], Some("ConnectorLockFailure"));
        assert_eq!(action, "StatusNotification");
        assert_eq!(
            subset.unwrap(),
            json!({"connectorId": 1, "status": "Faulted", "errorCode": "ConnectorLockFailure"})
        );
        let (_, subset) = status_matcher(0, &["Available", "Unavailable"], None);
        assert_eq!(subset.unwrap(), json!({"connectorId": 0}));
    }
}

//! What the installer sees at the charger's local interface: the answer to the latest attempt
//! ("the interface refuses with …", "nothing was changed") and what each tab shows (Status,
//! Wi-Fi, Installation, RFID, OCPP, the shipping state after a factory reset). The actions are
//! in `installer`.

use std::time::{Duration, Instant};

use cucumber::gherkin::StepType;
use serde_json::{json, Value};

use super::installer::{memory, read, snapshot, POLL};
use super::support::{self, step_fn, text};
use super::StepDef;
use crate::local_ui::Reply;
use crate::runner::HarnessWorld;

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::Then,
        pattern: r#"the interface refuses with (\d+)(?: "([^"]*)")?"#,
        example: "Then the interface refuses with 422 \"outside 6..=16 A\"",
        run: refuses,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r#"the interface accepts(?: with the warning "([^"]*)")?"#,
        example: "Then the interface accepts with the warning \"not recommended\"",
        run: accepts,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "nothing was changed",
        example: "Then nothing was changed",
        run: nothing_changed,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the Installation tab shows a (maximum current|fuse rating) of (\d+) A",
        example: "Then the Installation tab shows a maximum current of 10 A",
        run: shows_current,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the Installation tab shows (\d) phases? and earthing (TN|TT|IT)",
        example: "Then the Installation tab shows 3 phases and earthing TN",
        run: shows_phases_earthing,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the Status tab shows the unit's serial number, product number and firmware version",
        example: "Then the Status tab shows the unit's serial number, product number and firmware version",
        run: shows_identity,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the Status tab shows the OCPP connection (connected|connecting|disconnected|not_configured)(?: or (connected|connecting|disconnected|not_configured))? within (\d+) s",
        example: "Then the Status tab shows the OCPP connection connected within 15 s",
        run: shows_connection,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the Status tab shows the access point (on|off)(?: because (window_elapsed|ethernet_link|no_pin))?(?: within (\d+) s)?",
        example: "Then the Status tab shows the access point off because window_elapsed within 6 s",
        run: shows_access_point,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the access point is named after the serial number and has the unit's address",
        example: "Then the access point is named after the serial number and has the unit's address",
        run: access_point_name,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r#"the Wi-Fi tab shows the network "([^"]*)" with (WPA2-AES|WPA-TKIP)"#,
        example: "Then the Wi-Fi tab shows the network \"Site\" with WPA2-AES",
        run: shows_wifi,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r#"the RFID tab (lists|does not list) the card "([^"]*)""#,
        example: "Then the RFID tab lists the card \"04A22B1A\"",
        run: lists_card,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the RFID tab says the offline cards are (ignored|used)",
        example: "Then the RFID tab says the offline cards are ignored",
        run: cards_ignored,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: r"the OCPP tab shows the rig's CSMS",
        example: "Then the OCPP tab shows the rig's CSMS",
        run: shows_rig_csms,
    },
    StepDef {
        keyword: StepType::Then,
        pattern: "the unit has no CSMS, no Wi-Fi network, no offline cards and the default installation",
        example: "Then the unit has no CSMS, no Wi-Fi network, no offline cards and the default installation",
        run: shipping_state,
    },
];

fn last(world: &mut HarnessWorld) -> Result<Reply, String> {
    memory(world)
        .last
        .clone()
        .ok_or_else(|| "the installer has not tried anything at the interface yet".to_string())
}

step_fn!(refuses, |world, ctx| {
    let status: u16 = text(&ctx, 1)?.parse().map_err(|e| format!("{e}"))?;
    let reason = support::optional(&ctx, 2);
    let reply = last(world)?;
    let reason_ok = reason
        .as_deref()
        .is_none_or(|r| reply.reason().to_lowercase().contains(&r.to_lowercase()));
    if reply.status == status && reason_ok {
        Ok(())
    } else {
        Err(format!(
            "expected the interface to refuse with {status}{}; it answered {}",
            reason
                .map(|r| format!(" saying \"{r}\""))
                .unwrap_or_default(),
            reply.describe()
        ))
    }
});

step_fn!(accepts, |world, ctx| {
    let warning = support::optional(&ctx, 1);
    let reply = last(world)?;
    if !(200..300).contains(&reply.status) {
        return Err(format!(
            "expected the interface to accept; it answered {}",
            reply.describe()
        ));
    }
    if let Some(w) = warning {
        let shown = reply.json()["warning"].as_str().unwrap_or("").to_string();
        if !shown.to_lowercase().contains(&w.to_lowercase()) {
            return Err(format!(
                "expected the warning \"{w}\"; the interface showed \"{shown}\""
            ));
        }
    }
    Ok(())
});

step_fn!(nothing_changed, |world, ctx| {
    let before = memory(world).before.clone().ok_or(
        "what the unit had before the attempt could not be read (was the installer logged in?)",
    )?;
    let now = snapshot(world)
        .await
        .ok_or("the unit's settings cannot be read now")?;
    if before == now {
        return Ok(());
    }
    let changed: Vec<String> = before
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| now.get(k.as_str()) != Some(v))
        .map(|(k, v)| format!("{k}: before {v}, now {}", now[k.as_str()]))
        .collect();
    Err(format!("expected nothing changed; {}", changed.join("; ")))
});

step_fn!(shows_current, |world, ctx| {
    let (field, label) = match text(&ctx, 1)?.as_str() {
        "maximum current" => ("max_current_a", "maximum current"),
        _ => ("fuse_rating_a", "fuse rating"),
    };
    let expected = support::number(&ctx, 2)?;
    let installation = read(world, "/api/installation").await?;
    if installation[field].as_f64() == Some(expected) {
        Ok(())
    } else {
        Err(format!(
            "expected the Installation tab to show a {label} of {expected} A; it shows {}",
            installation[field]
        ))
    }
});

step_fn!(shows_phases_earthing, |world, ctx| {
    let phases = support::number(&ctx, 1)?;
    let earthing = text(&ctx, 2)?;
    let i = read(world, "/api/installation").await?;
    if i["phases"].as_f64() == Some(phases) && i["earthing"] == earthing.as_str() {
        Ok(())
    } else {
        Err(format!(
            "expected the Installation tab to show {phases} phases and earthing {earthing}; it shows {} phases and earthing {}",
            i["phases"], i["earthing"]
        ))
    }
});

/// Whether the status's `product_number` (a JSON number) is `product`.
pub(super) fn is_product(status: &Value, product: &str) -> bool {
    status["product_number"]
        .as_u64()
        .is_some_and(|n| n.to_string() == product)
}

/// The serial the unit must report: the rig's (per EOL run, the unit under test's).
fn expected_serial(world: &HarnessWorld) -> Result<String, String> {
    world
        .lease()?
        .with(|i| {
            i.firmware_serial()
                .or_else(|| world.run.rig.dut.serial.clone())
        })?
        .ok_or_else(|| "the rig states no serial number for the unit ([dut] serial)".to_string())
}

step_fn!(shows_identity, |world, ctx| {
    let status = read(world, "/api/status").await?;
    let serial = expected_serial(world)?;
    let product = world.run.rig.dut.product_number.clone().unwrap_or_default();
    let mut wrong = Vec::new();
    if status["serial"] != serial.as_str() {
        wrong.push(format!("serial {} (expected {serial})", status["serial"]));
    }
    if !is_product(&status, &product) {
        wrong.push(format!(
            "product number {} (expected {product})",
            status["product_number"]
        ));
    }
    let version = status["firmware_version"].as_str().unwrap_or("");
    if version.split('.').count() < 2 {
        wrong.push(format!(
            "firmware version {} (expected a version like 1.2.3)",
            status["firmware_version"]
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("the Status tab shows {}", wrong.join(", ")))
    }
});

step_fn!(shows_connection, |world, ctx| {
    let wanted: Vec<String> = [text(&ctx, 1).ok(), support::optional(&ctx, 2)]
        .into_iter()
        .flatten()
        .collect();
    let timeout = Duration::from_secs(support::number(&ctx, 3)? as u64);
    let deadline = Instant::now() + timeout;
    loop {
        let seen = read(world, "/api/status")
            .await
            .map(|s| s["ocpp"]["connection"].as_str().unwrap_or("?").to_string());
        if let Ok(seen) = &seen {
            if wanted.iter().any(|w| w == seen) {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "expected the Status tab to show the OCPP connection {} within {} s; it shows {}",
                wanted.join(" or "),
                timeout.as_secs(),
                seen.unwrap_or_else(|e| e)
            ));
        }
        tokio::time::sleep(POLL).await;
    }
});

step_fn!(shows_access_point, |world, ctx| {
    let on = text(&ctx, 1)? == "on";
    let reason = support::optional(&ctx, 2);
    let timeout = support::optional(&ctx, 3)
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(timeout);
    loop {
        let ap = read(world, "/api/status").await?["network"]["access_point"].clone();
        let active = ap["active"].as_bool();
        let reason_ok = reason.as_deref().is_none_or(|r| ap["off_reason"] == r);
        if active == Some(on) && reason_ok {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "expected the Status tab to show the access point {}{}{}; it shows {ap}",
                if on { "on" } else { "off" },
                reason.map(|r| format!(" because {r}")).unwrap_or_default(),
                if timeout > 0 {
                    format!(" within {timeout} s")
                } else {
                    String::new()
                }
            ));
        }
        tokio::time::sleep(POLL).await;
    }
});

step_fn!(access_point_name, |world, ctx| {
    let serial = expected_serial(world)?;
    let digits: String = serial.chars().filter(char::is_ascii_digit).collect();
    let last6 = format!("{:0>6}", &digits[digits.len().saturating_sub(6)..]);
    let expected = format!("HALO_{last6}M");
    let ap = read(world, "/api/status").await?["network"]["access_point"].clone();
    if ap["ssid"] == expected.as_str() && ap["address"].as_str().is_some_and(|a| !a.is_empty()) {
        Ok(())
    } else {
        Err(format!(
            "expected the access point named {expected} with an address; the Status tab shows {ap}"
        ))
    }
});

step_fn!(shows_wifi, |world, ctx| {
    let ssid = text(&ctx, 1)?;
    let security = text(&ctx, 2)?.to_ascii_lowercase();
    let wifi = read(world, "/api/wifi").await?;
    if wifi["ssid"] == ssid.as_str() && wifi["security"] == security.as_str() {
        Ok(())
    } else {
        Err(format!(
            "expected the Wi-Fi tab to show the network {ssid} with {security}; it shows {wifi}"
        ))
    }
});

step_fn!(lists_card, |world, ctx| {
    let listed = text(&ctx, 1)? == "lists";
    let uid = text(&ctx, 2)?;
    let rfid = read(world, "/api/rfid").await?;
    let has = rfid["cards"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c == uid.as_str()));
    if has == listed {
        Ok(())
    } else {
        Err(format!(
            "expected the RFID tab {} the card {uid}; it lists {}",
            if listed { "to list" } else { "not to list" },
            rfid["cards"]
        ))
    }
});

step_fn!(cards_ignored, |world, ctx| {
    let ignored = text(&ctx, 1)? == "ignored";
    let rfid = read(world, "/api/rfid").await?;
    let note_ok = !ignored || rfid["note"].as_str().is_some_and(|n| n.contains("ignored"));
    if rfid["ignored"].as_bool() == Some(ignored) && note_ok {
        Ok(())
    } else {
        Err(format!(
            "expected the RFID tab to say the offline cards are {}; it shows ignored = {}, note {}",
            if ignored { "ignored" } else { "used" },
            rfid["ignored"],
            rfid["note"]
        ))
    }
});

step_fn!(shows_rig_csms, |world, ctx| {
    let url = world
        .lease()?
        .with(|i| i.csms_url.clone())?
        .ok_or("the rig has no CSMS URL")?;
    let ocpp = read(world, "/api/ocpp").await?;
    if ocpp["csms_url"] == url.as_str() {
        Ok(())
    } else {
        Err(format!(
            "expected the OCPP tab to show the rig's CSMS {url}; it shows {}",
            ocpp["csms_url"]
        ))
    }
});

/// What a unit in its shipping state shows: no CSMS, no Wi-Fi, no cards, the product's default
/// installation (rated current, its phases, TN). Each difference is listed.
pub async fn shipping_state_differences(
    world: &mut HarnessWorld,
    rated_current_a: u32,
    phases: u8,
) -> Result<Vec<String>, String> {
    let mut wrong = Vec::new();
    let status = read(world, "/api/status").await?;
    if !status["ocpp"]["csms_url"].is_null() {
        wrong.push(format!("a CSMS {}", status["ocpp"]["csms_url"]));
    }
    if !status["network"]["wifi"]["ssid"].is_null() {
        wrong.push(format!(
            "a Wi-Fi network {}",
            status["network"]["wifi"]["ssid"]
        ));
    }
    let rfid = read(world, "/api/rfid").await?;
    if rfid["cards"].as_array().is_none_or(|c| !c.is_empty()) {
        wrong.push(format!("offline cards {}", rfid["cards"]));
    }
    let ocpp = read(world, "/api/ocpp").await?;
    if ocpp["authorization_key_set"] != false {
        wrong.push("an authorization key".into());
    }
    let i = read(world, "/api/installation").await?;
    let default = json!({ "max_current_a": rated_current_a, "fuse_rating_a": rated_current_a,
                          "phases": phases, "earthing": "TN" });
    if i != default {
        wrong.push(format!("installation {i} (default {default})"));
    }
    Ok(wrong)
}

step_fn!(shipping_state, |world, ctx| {
    let (rated, phases) = rated_of(world)?;
    let wrong = shipping_state_differences(world, rated, phases).await?;
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "expected the shipping state; the unit still has {}",
            wrong.join(", ")
        ))
    }
});

/// The product's rated current and phases, from the rig's product number.
fn rated_of(world: &HarnessWorld) -> Result<(u32, u8), String> {
    let product = world
        .run
        .rig
        .dut
        .product_number
        .as_deref()
        .ok_or("the rig states no product number ([dut] product_number)")?;
    let number: u32 = product
        .parse()
        .map_err(|_| format!("product number `{product}` is not a number"))?;
    let variant = reference_firmware::core::Variant::from_product_number(number)
        .ok_or_else(|| format!("product {product} is not a known Halo product"))?;
    Ok((variant.rated_current_a, variant.phases))
}

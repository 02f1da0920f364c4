//! The installer at the charger's local management interface: logging in with the PIN, the
//! changes on the tabs (Wi-Fi, Installation, RFID, OCPP, factory reset) through the JSON API,
//! and the requests a browser would never send (no anti-forgery token, a forged one, an
//! oversized body, a traversal path) for the security rules. "sets …" must be accepted; "tries
//! to set …" records the answer and what the unit had before, for the checks in
//! `installer_checks` ("the interface refuses …", "nothing was changed", what each tab shows).
//! What the charger then does is checked by the other areas' steps (the pilot's duty cycle, the
//! CSMS receiving a BootNotification).

use std::time::{Duration, Instant};

use cucumber::gherkin::StepType;
use serde_json::{json, Value};

use super::support::{self, mark, step_fn, text};
use super::StepDef;
use crate::local_ui::{Reply, Request, Token, UiClient};
use crate::rig::instance::PowerLoss;
use crate::rig::ui_access::UiEndpoint;
use crate::runner::HarnessWorld;

/// What the installer steps remember within a scenario.
#[derive(Debug, Default)]
pub struct InstallerMemory {
    /// The installer's browser: its session after a successful login.
    client: Option<UiClient>,
    /// A second session that only reads, for "nothing was changed".
    observer: Option<UiClient>,
    /// The interface's answer to the latest attempt.
    pub(super) last: Option<Reply>,
    /// What the unit had before the latest attempt (`None`: could not be read).
    pub(super) before: Option<Value>,
}

/// Each request's bound.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
pub(super) const POLL: Duration = Duration::from_millis(200);
/// The Wi-Fi passphrase the installer types (8 to 63 characters).
const PASSPHRASE: &str = "correct-horse-battery";

const LOGIN: &str = r"the installer (logs|tries to log) in with the PIN(?: within (\d+) s)?";
const WRONG_PIN: &str = r"the installer logs in with a wrong PIN(?: (\d+) times)?";
const CURRENT: &str =
    r"the installer (sets|tries to set) the (maximum current|fuse rating) to (-?\d+) A";
const PHASES: &str = r"the installer (sets|tries to set) the number of phases to (\d+)";
const EARTHING: &str = r#"the installer (sets|tries to set) the earthing system to "([^"]*)""#;
const CSMS_RIG: &str = r"the installer (sets|tries to set) the CSMS URL to the rig's CSMS";
const CSMS_URL: &str = r#"the installer (sets|tries to set) the CSMS URL to "([^"]*)""#;
const IDENTITY: &str =
    r#"the installer (sets|tries to set) the charge point identity to "([^"]*)""#;
const KEY: &str = r#"the installer (sets|tries to set) the authorization key to "([^"]*)""#;
const CARD_ADD: &str = r#"the installer (adds|tries to add) the offline card "([^"]*)""#;
const CARD_REMOVE: &str = r#"the installer (removes|tries to remove) the offline card "([^"]*)""#;
const WIFI: &str = r#"the installer (joins|tries to join) the Wi-Fi network "([^"]*)" with (\S+)(?: and the passphrase "([^"]*)")?"#;
const RESET: &str =
    r"the installer (resets|tries to reset) the unit to factory settings(?: with a wrong PIN)?";
const AP_WINDOW: &str = r"the unit's access point window is (\d+) s";
const ETHERNET: &str = r"the unit's Ethernet cable is (unplugged|plugged in)";
const SESSION_IDLE: &str = r"the unit's sessions expire after (\d+) s idle";

pub const STEPS: &[StepDef] = &[
    StepDef {
        keyword: StepType::Given,
        pattern: LOGIN,
        example: "Given the installer logs in with the PIN",
        run: login,
    },
    StepDef {
        keyword: StepType::When,
        pattern: LOGIN,
        example: "When the installer tries to log in with the PIN",
        run: login,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: WRONG_PIN,
        example: "Given the installer logs in with a wrong PIN 4 times",
        run: wrong_pin_login,
    },
    StepDef {
        keyword: StepType::When,
        pattern: WRONG_PIN,
        example: "When the installer logs in with a wrong PIN",
        run: wrong_pin_login,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: CURRENT,
        example: "Given the installer sets the maximum current to 10 A",
        run: set_current,
    },
    StepDef {
        keyword: StepType::When,
        pattern: CURRENT,
        example: "When the installer tries to set the fuse rating to 40 A",
        run: set_current,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: PHASES,
        example: "Given the installer sets the number of phases to 1",
        run: set_phases,
    },
    StepDef {
        keyword: StepType::When,
        pattern: PHASES,
        example: "When the installer tries to set the number of phases to 2",
        run: set_phases,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: EARTHING,
        example: "Given the installer sets the earthing system to \"TT\"",
        run: set_earthing,
    },
    StepDef {
        keyword: StepType::When,
        pattern: EARTHING,
        example: "When the installer tries to set the earthing system to \"XY\"",
        run: set_earthing,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: CSMS_RIG,
        example: "Given the installer sets the CSMS URL to the rig's CSMS",
        run: set_csms_rig,
    },
    StepDef {
        keyword: StepType::When,
        pattern: CSMS_RIG,
        example: "When the installer sets the CSMS URL to the rig's CSMS",
        run: set_csms_rig,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: CSMS_URL,
        example: "Given the installer sets the CSMS URL to \"ws://127.0.0.1:9/ocpp\"",
        run: set_csms_url,
    },
    StepDef {
        keyword: StepType::When,
        pattern: CSMS_URL,
        example: "When the installer tries to set the CSMS URL to \"http://csms.example/ocpp\"",
        run: set_csms_url,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: CARD_ADD,
        example: "Given the installer adds the offline card \"04:A2:2B:1A\"",
        run: add_card,
    },
    StepDef {
        keyword: StepType::When,
        pattern: CARD_ADD,
        example: "When the installer tries to add the offline card \"XYZ\"",
        run: add_card,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: CARD_REMOVE,
        example: "Given the installer removes the offline card \"04A22B1A\"",
        run: remove_card,
    },
    StepDef {
        keyword: StepType::When,
        pattern: CARD_REMOVE,
        example: "When the installer tries to remove the offline card \"01020304\"",
        run: remove_card,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: WIFI,
        example: "Given the installer joins the Wi-Fi network \"Site\" with WPA2-AES",
        run: join_wifi,
    },
    StepDef {
        keyword: StepType::When,
        pattern: WIFI,
        example: "When the installer tries to join the Wi-Fi network \"Site\" with WPA3-SAE",
        run: join_wifi,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: RESET,
        example: "Given the installer resets the unit to factory settings",
        run: factory_reset,
    },
    StepDef {
        keyword: StepType::When,
        pattern: RESET,
        example: "When the installer tries to reset the unit to factory settings with a wrong PIN",
        run: factory_reset,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: IDENTITY,
        example: "Given the installer sets the charge point identity to \"HALO-GARAGE\"",
        run: set_identity,
    },
    StepDef {
        keyword: StepType::When,
        pattern: IDENTITY,
        example: "When the installer tries to set the charge point identity to \"bad id\"",
        run: set_identity,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: KEY,
        example: "Given the installer sets the authorization key to \"0123456789abcdef\"",
        run: set_key,
    },
    StepDef {
        keyword: StepType::When,
        pattern: KEY,
        example: "When the installer tries to set the authorization key to \"short\"",
        run: set_key,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r"a request to set the maximum current to (\d+) A arrives (without the anti-forgery token|with a forged anti-forgery token|without the session cookie|from another site|as a form|with a body of (\d+) KiB)",
        example: "When a request to set the maximum current to 10 A arrives without the anti-forgery token",
        run: raw_change,
    },
    StepDef {
        keyword: StepType::When,
        pattern: r#"a request for "([^"]+)" arrives"#,
        example: "When a request for \"/api/%2e%2e/etc/passwd\" arrives",
        run: raw_get,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: AP_WINDOW,
        example: "Given the unit's access point window is 3 s",
        run: ap_window,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: ETHERNET,
        example: "Given the unit's Ethernet cable is unplugged",
        run: ethernet,
    },
    StepDef {
        keyword: StepType::When,
        pattern: ETHERNET,
        example: "When the unit's Ethernet cable is plugged in",
        run: ethernet,
    },
    StepDef {
        keyword: StepType::Given,
        pattern: SESSION_IDLE,
        example: "Given the unit's sessions expire after 2 s idle",
        run: session_idle,
    },
];

/// The unit's interface address and PIN, from the rig instance.
pub(super) fn endpoint(world: &HarnessWorld) -> Result<UiEndpoint, String> {
    world.lease()?.with(|i| i.ui.clone())?.ok_or_else(|| {
        format!(
            "rig \"{}\" gives the harness no way to the charger's local interface (set [dut] ui_url and [dut] pin for a real charger)",
            world.run.rig.name
        )
    })
}

fn pin_of(endpoint: &UiEndpoint) -> Result<String, String> {
    endpoint
        .pin
        .clone()
        .ok_or_else(|| "the unit has no PIN yet (it was not provisioned)".to_string())
}

/// A PIN that is surely not the unit's: its last digit changed.
fn wrong_pin(right: &str) -> String {
    let mut digits: Vec<u8> = right.bytes().collect();
    if let Some(last) = digits.last_mut() {
        *last = b'0' + (*last - b'0' + 1) % 10;
    }
    String::from_utf8(digits).unwrap_or_else(|_| "0000".into())
}

pub(super) fn memory(world: &mut HarnessWorld) -> &mut InstallerMemory {
    &mut world.memory.installer
}

/// The installer's client, logged in with the PIN if it has no session yet (so a "Given the
/// installer sets …" needs no separate login step).
async fn session(world: &mut HarnessWorld) -> Result<UiClient, String> {
    if let Some(client) = &memory(world).client {
        if client.logged_in() {
            return Ok(client.clone());
        }
    }
    let ep = endpoint(world)?;
    let mut client = UiClient::new(ep.addr, REQUEST_TIMEOUT);
    let reply = client.login(&pin_of(&ep)?).await?;
    if reply.status != 200 {
        return Err(format!(
            "expected the interface at {} to accept the PIN; {}",
            ep.addr,
            reply.describe()
        ));
    }
    memory(world).client = Some(client.clone());
    Ok(client)
}

/// Reads the four tabs' settings with the observer's session (its own login), for
/// "nothing was changed". `None` if the unit refuses (locked, restarting).
pub(super) async fn snapshot(world: &mut HarnessWorld) -> Option<Value> {
    let ep = endpoint(world).ok()?;
    let mut observer = match memory(world).observer.take() {
        Some(o) if o.logged_in() => o,
        _ => UiClient::new(ep.addr, REQUEST_TIMEOUT),
    };
    let mut out = serde_json::Map::new();
    for path in ["/api/installation", "/api/ocpp", "/api/rfid", "/api/wifi"] {
        let mut reply = observer.call("GET", path, None).await.ok()?;
        if reply.status == 401 {
            let login = observer.login(ep.pin.as_deref()?).await.ok()?;
            if login.status != 200 {
                return None;
            }
            reply = observer.call("GET", path, None).await.ok()?;
        }
        if reply.status != 200 {
            return None;
        }
        out.insert(path.into(), reply.json());
    }
    memory(world).observer = Some(observer);
    Some(Value::Object(out))
}

/// Sends a change with the installer's session: "sets" (`must`) needs 2xx, "tries" records the
/// answer and what the unit had before it.
pub(super) async fn change(
    world: &mut HarnessWorld,
    must: bool,
    what: &str,
    request: Request,
) -> Result<Reply, String> {
    mark(world).await?;
    let mut client = session(world).await?;
    if !must {
        let before = snapshot(world).await;
        memory(world).before = before;
    }
    let reply = client.send(&request).await?;
    memory(world).client = Some(client);
    memory(world).last = Some(reply.clone());
    if must && !(200..300).contains(&reply.status) {
        return Err(format!(
            "expected the interface to accept {what}; {}",
            reply.describe()
        ));
    }
    Ok(reply)
}

fn must(ctx: &cucumber::step::Context) -> Result<bool, String> {
    let verb = text(ctx, 1)?;
    Ok(!verb.starts_with("tries"))
}

/// GET with the installer's session; the JSON body of a 200.
pub(super) async fn read(world: &mut HarnessWorld, path: &str) -> Result<Value, String> {
    let mut client = session(world).await?;
    let mut reply = client.call("GET", path, None).await?;
    if reply.status == 401 {
        // The session ended (restart, factory reset): log in again, as an installer would.
        memory(world).client = None;
        client = session(world).await?;
        reply = client.call("GET", path, None).await?;
    }
    memory(world).client = Some(client);
    if reply.status == 200 {
        Ok(reply.json())
    } else {
        Err(format!("GET {path}: {}", reply.describe()))
    }
}

/// What a tab holds now, as the base of a change. "tries to …" reads it through the observer, so
/// the installer's own session is used only by the attempt itself (an expired session must
/// stay expired).
async fn current(world: &mut HarnessWorld, must: bool, path: &str) -> Result<Value, String> {
    if must {
        return read(world, path).await;
    }
    let snap = snapshot(world)
        .await
        .ok_or_else(|| format!("GET {path}: the unit's settings cannot be read"))?;
    Ok(snap[path].clone())
}

/// Logs the installer in with the unit's PIN; `within` retries while the unit restarts
/// (connection refused, 503). On 200 the session is kept. The answer either way.
pub(super) async fn log_in(world: &mut HarnessWorld, within: Duration) -> Result<Reply, String> {
    let ep = endpoint(world)?;
    let pin = pin_of(&ep)?;
    let mut client = UiClient::new(ep.addr, REQUEST_TIMEOUT);
    let deadline = Instant::now() + within;
    let reply = loop {
        match client.login(&pin).await {
            Ok(reply) if reply.status != 503 || Instant::now() >= deadline => break reply,
            Ok(_) => {}
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => {}
        }
        tokio::time::sleep(POLL).await;
    };
    memory(world).last = Some(reply.clone());
    if reply.status == 200 {
        memory(world).client = Some(client);
    }
    Ok(reply)
}

step_fn!(login, |world, ctx| {
    let must = text(&ctx, 1)? == "logs";
    let within = support::optional(&ctx, 2)
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or_default();
    let reply = log_in(world, within).await?;
    if must && reply.status != 200 {
        return Err(format!(
            "expected the interface to accept the unit's PIN; {}",
            reply.describe()
        ));
    }
    Ok(())
});

step_fn!(wrong_pin_login, |world, ctx| {
    let times = support::optional(&ctx, 1)
        .map(|n| {
            n.parse::<u32>()
                .map_err(|_| format!("`{n}` is not a count"))
        })
        .transpose()?
        .unwrap_or(1);
    let ep = endpoint(world)?;
    let wrong = wrong_pin(&pin_of(&ep)?);
    let mut client = UiClient::new(ep.addr, REQUEST_TIMEOUT);
    for attempt in 1..=times {
        let reply = client.login(&wrong).await?;
        memory(world).last = Some(reply.clone());
        if reply.status == 200 {
            return Err(format!(
                "expected the interface to refuse a wrong PIN (attempt {attempt}); it logged in"
            ));
        }
    }
    Ok(())
});

/// PUT /api/installation with one field changed from what the unit has.
async fn put_installation(
    world: &mut HarnessWorld,
    must: bool,
    field: &str,
    value: Value,
) -> Result<(), String> {
    let mut installation = current(world, must, "/api/installation").await?;
    installation[field] = value.clone();
    let what = format!("{field} = {value}");
    change(
        world,
        must,
        &what,
        Request::json("PUT", "/api/installation", Some(&installation)),
    )
    .await
    .map(drop)
}

step_fn!(set_current, |world, ctx| {
    let field = match text(&ctx, 2)?.as_str() {
        "maximum current" => "max_current_a",
        _ => "fuse_rating_a",
    };
    let amps: i64 = text(&ctx, 3)?.parse().map_err(|e| format!("{e}"))?;
    put_installation(world, must(&ctx)?, field, json!(amps)).await
});

step_fn!(set_phases, |world, ctx| {
    let phases: i64 = text(&ctx, 2)?.parse().map_err(|e| format!("{e}"))?;
    put_installation(world, must(&ctx)?, "phases", json!(phases)).await
});

step_fn!(set_earthing, |world, ctx| {
    put_installation(world, must(&ctx)?, "earthing", json!(text(&ctx, 2)?)).await
});

async fn put_ocpp(world: &mut HarnessWorld, must: bool, url: String) -> Result<(), String> {
    let ocpp = current(world, must, "/api/ocpp").await?;
    let body = json!({ "csms_url": url, "charge_point_id": ocpp["charge_point_id"] });
    change(
        world,
        must,
        &format!("the CSMS URL {url}"),
        Request::json("PUT", "/api/ocpp", Some(&body)),
    )
    .await
    .map(drop)
}

/// `PUT /api/ocpp` keeping the CSMS URL the unit has, with `field` set to `value`.
async fn put_ocpp_field(
    world: &mut HarnessWorld,
    must: bool,
    field: &str,
    value: String,
) -> Result<(), String> {
    let ocpp = current(world, must, "/api/ocpp").await?;
    let mut body =
        json!({ "csms_url": ocpp["csms_url"], "charge_point_id": ocpp["charge_point_id"] });
    body[field] = json!(value);
    change(
        world,
        must,
        &format!("{field} = {value:?}"),
        Request::json("PUT", "/api/ocpp", Some(&body)),
    )
    .await
    .map(drop)
}

step_fn!(set_identity, |world, ctx| {
    put_ocpp_field(world, must(&ctx)?, "charge_point_id", text(&ctx, 2)?).await
});

step_fn!(set_key, |world, ctx| {
    put_ocpp_field(world, must(&ctx)?, "authorization_key", text(&ctx, 2)?).await
});

step_fn!(set_csms_rig, |world, ctx| {
    let url = world
        .lease()?
        .with(|i| i.csms_url.clone())?
        .ok_or("the rig has no CSMS URL")?;
    put_ocpp(world, must(&ctx)?, url).await
});

step_fn!(set_csms_url, |world, ctx| {
    put_ocpp(world, must(&ctx)?, text(&ctx, 2)?).await
});

step_fn!(add_card, |world, ctx| {
    let uid = text(&ctx, 2)?;
    change(
        world,
        must(&ctx)?,
        &format!("the card {uid}"),
        Request::json("POST", "/api/rfid", Some(&json!({ "uid": uid }))),
    )
    .await
    .map(drop)
});

step_fn!(remove_card, |world, ctx| {
    let uid = text(&ctx, 2)?;
    let mut request = Request::json("DELETE", &format!("/api/rfid/{uid}"), None);
    request.content_type = None;
    change(
        world,
        must(&ctx)?,
        &format!("removing the card {uid}"),
        request,
    )
    .await
    .map(drop)
});

step_fn!(join_wifi, |world, ctx| {
    let ssid = text(&ctx, 2)?;
    let security = text(&ctx, 3)?.to_ascii_lowercase();
    let passphrase = support::optional(&ctx, 4).unwrap_or_else(|| PASSPHRASE.to_string());
    let body = json!({ "ssid": ssid, "security": security, "passphrase": passphrase });
    change(
        world,
        must(&ctx)?,
        &format!("the network {ssid} with {security}"),
        Request::json("POST", "/api/wifi", Some(&body)),
    )
    .await
    .map(drop)
});

step_fn!(factory_reset, |world, ctx| {
    let ep = endpoint(world)?;
    let right = pin_of(&ep)?;
    let pin = if ctx.step.value.ends_with("with a wrong PIN") {
        wrong_pin(&right)
    } else {
        right
    };
    let reply = change(
        world,
        must(&ctx)?,
        "the factory reset",
        Request::json("POST", "/api/factory-reset", Some(&json!({ "pin": pin }))),
    )
    .await?;
    if reply.status == 202 {
        // The unit restarts with the wiped configuration: what it shows before that is the old
        // running state. A real installer waits for the restart too.
        memory(world).client = None;
        memory(world).observer = None;
        wait_for_restart(ep.addr, RESTART_WITHIN).await?;
    }
    Ok(())
});

/// The unit promises to restart within 10 s of a factory reset or new OCPP settings.
pub(super) const RESTART_WITHIN: Duration = Duration::from_secs(10);

/// Waits until the interface stops answering (the unit restarts).
pub async fn wait_for_restart(addr: std::net::SocketAddr, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let connect = tokio::time::timeout(POLL, tokio::net::TcpStream::connect(addr)).await;
        if !matches!(connect, Ok(Ok(_))) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "expected the unit to restart within {} s; its interface at {addr} kept answering",
                within.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

step_fn!(raw_change, |world, ctx| {
    let amps: u32 = text(&ctx, 1)?.parse().map_err(|e| format!("{e}"))?;
    let how = text(&ctx, 2)?;
    mark(world).await?;
    let mut client = session(world).await?;
    let mut installation = current(world, false, "/api/installation").await?;
    installation["max_current_a"] = json!(amps);
    let before = snapshot(world).await;
    memory(world).before = before;
    let mut request = Request::json("PUT", "/api/installation", Some(&installation));
    match how.as_str() {
        "without the anti-forgery token" => request.token = Token::Missing,
        "with a forged anti-forgery token" => {
            request.token = Token::Forged("00112233445566778899aabbccddeeff".into())
        }
        "without the session cookie" => request.cookie = false,
        "from another site" => request
            .headers
            .push(("Origin".into(), "http://evil.example".into())),
        "as a form" => {
            request.content_type = Some("application/x-www-form-urlencoded".into());
            request.body = format!(
                "max_current_a={amps}&fuse_rating_a={}&phases={}&earthing={}",
                installation["fuse_rating_a"],
                installation["phases"],
                installation["earthing"].as_str().unwrap_or("TN")
            )
            .into_bytes();
        }
        _ => {
            // An oversized body: the JSON padded with spaces to the size asked for.
            let kib = support::number(&ctx, 3)? as usize;
            let mut body = request.body.clone();
            body.resize(kib * 1024, b' ');
            request.body = body;
        }
    }
    let reply = client.send(&request).await?;
    memory(world).client = Some(client);
    memory(world).last = Some(reply);
    Ok(())
});

step_fn!(raw_get, |world, ctx| {
    let path = text(&ctx, 1)?;
    let mut client = session(world).await?;
    let reply = client.send(&Request::json("GET", &path, None)).await?;
    memory(world).client = Some(client);
    memory(world).last = Some(reply);
    Ok(())
});

/// Starts the emulated unit again with `--option value` (a power cycle, as after a firmware
/// update with that setting); the installer's sessions end with it.
async fn restart_with(world: &mut HarnessWorld, option: &str, value: String) -> Result<(), String> {
    let option = option.to_string();
    let ready = world
        .lease()?
        .with_blocking(move |i| {
            i.set_firmware_option(&option, &value)?;
            i.power_off(PowerLoss::Orderly)?;
            i.power_on()
        })
        .await??;
    if !ready {
        return Err("the unit did not say READY after its restart".into());
    }
    memory(world).client = None;
    memory(world).observer = None;
    Ok(())
}

step_fn!(ap_window, |world, ctx| {
    restart_with(world, "--ap-window-s", text(&ctx, 1)?).await
});

step_fn!(ethernet, |world, ctx| {
    let up = text(&ctx, 1)? == "plugged in";
    mark(world).await?;
    let command = format!("ETH {}", if up { "UP" } else { "DOWN" });
    super::power::control(world, &command).await.map(drop)
});

step_fn!(session_idle, |world, ctx| {
    restart_with(world, "--ui-session-idle-s", text(&ctx, 1)?).await
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_pin_differs_in_its_last_digit() {
        assert_eq!(wrong_pin("1234"), "1235");
        assert_eq!(wrong_pin("000009"), "000000");
    }
}

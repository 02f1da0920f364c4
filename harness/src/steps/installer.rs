//! The installer at the charger's local management interface: logging in with the PIN, the
//! tabs (Status, Wi-Fi, Installation, RFID, OCPP, factory reset) through the JSON API, and the
//! requests a browser would never send (no anti-forgery token, a forged one, an oversized body,
//! a traversal path) for the security rules. "sets …" must be accepted; "tries to set …"
//! records the answer and what the unit had before, for "the interface refuses …" and "nothing
//! was changed". What the charger then does is checked by the other areas' steps (the pilot's
//! duty cycle, the CSMS receiving a BootNotification).

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
    last: Option<Reply>,
    /// What the unit had before the latest attempt (`None`: could not be read).
    before: Option<Value>,
}

/// Each request's bound.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(200);
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

fn memory(world: &mut HarnessWorld) -> &mut InstallerMemory {
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
async fn snapshot(world: &mut HarnessWorld) -> Option<Value> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_pin_differs_in_its_last_digit() {
        assert_eq!(wrong_pin("1234"), "1235");
        assert_eq!(wrong_pin("000009"), "000000");
    }
}

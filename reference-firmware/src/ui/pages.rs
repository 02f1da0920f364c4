//! The server-rendered HTML interface: a login page and six tabs, each change a plain form
//! post carrying the hidden anti-forgery field. A refused change shows the tab again with the
//! reason and the unchanged values.

use super::app::{cleared_cookie, session_cookie, App, Refusal, CSRF_FIELD};
use super::backend::{KeyChange, Status};
use super::html::{
    csrf_field, escape, login_page, notice, notice_with_id, page, row, Notice, TABS,
};
use super::http::{Request, Response};
use super::session::{AuthError, SessionTokens};
use super::url::{field, parse_form};
use super::{ops, validate};

const FORM: &str = "application/x-www-form-urlencoded";

pub async fn handle(app: &App, request: &Request, path: &[&str]) -> Response {
    let method = request.method.as_str();
    match (path, method) {
        ([], "GET") => match app.authorize(request, None) {
            Ok(_) => Response::redirect("/status"),
            Err(_) => Response::redirect("/login"),
        },
        (["login"], "GET") => match app.authorize(request, None) {
            Ok(_) => Response::redirect("/status"),
            Err(_) => Response::html(200, login_page(None)),
        },
        (["login"], "POST") => login(app, request).await,
        ([tab], "GET") if is_tab(tab) => match app.authorize(request, None) {
            Ok(tokens) => render_tab(app, tab, &tokens, Vec::new(), 200).await,
            Err(_) => Response::redirect("/login"),
        },
        (["logout" | "wifi" | "installation" | "ocpp" | "factory-reset"], "POST")
        | (["rfid", "add" | "remove"], "POST") => form_change(app, request, path).await,
        (["login" | "logout"] | [_], _) if is_known(path) => {
            simple_page(405, "This address does not take that method.")
        }
        _ => simple_page(404, "No such page. Start at /status."),
    }
}

fn is_tab(name: &str) -> bool {
    TABS.iter().any(|(path, _)| &path[1..] == name)
}

fn is_known(path: &[&str]) -> bool {
    matches!(path, [p] if is_tab(p) || *p == "login" || *p == "logout")
}

fn simple_page(status: u16, text: &str) -> Response {
    Response::html(
        status,
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title>\
             </head><body><p id=\"error\">{}</p><p><a href=\"/status\">Back</a></p></body></html>",
            escape(text)
        ),
    )
}

async fn login(app: &App, request: &Request) -> Response {
    if let Err(r) = super::app::check_origin(request) {
        return Response::html(r.status, login_page(Some((Notice::Error, &r.message))));
    }
    let form = match read_form(request) {
        Ok(form) => form,
        Err(r) => return Response::html(r.status, login_page(Some((Notice::Error, &r.message)))),
    };
    match ops::login(app, field(&form, "pin").unwrap_or("")).await {
        Ok(tokens) => Response::redirect("/status").header("Set-Cookie", session_cookie(&tokens)),
        Err(r) => Response::html(r.status, login_page(Some((Notice::Error, &r.message)))),
    }
}

fn read_form(request: &Request) -> Result<Vec<(String, String)>, Refusal> {
    if request.content_type() != FORM {
        return Err(Refusal::new(
            415,
            format!(
                "forms must be sent as {FORM}, got {:?}",
                request.content_type()
            ),
        ));
    }
    let body = std::str::from_utf8(&request.body)
        .map_err(|_| Refusal::new(400, "the form is not UTF-8"))?;
    parse_form(body).map_err(|e| Refusal::new(400, e))
}

async fn form_change(app: &App, request: &Request, path: &[&str]) -> Response {
    let form = match read_form(request) {
        Ok(form) => form,
        Err(r) => return simple_page(r.status, &r.message),
    };
    let tokens = match app.authorize(request, Some(field(&form, CSRF_FIELD))) {
        Ok(tokens) => tokens,
        Err(r) if r.status == 401 => {
            return Response::html(
                401,
                login_page(Some((Notice::Error, &AuthError::NotLoggedIn.to_string()))),
            )
        }
        Err(r) => return simple_page(r.status, &r.message),
    };
    let get = |name: &str| field(&form, name).unwrap_or("").to_string();
    let (tab, outcome) = match path {
        ["logout"] => {
            app.sessions().logout(&tokens.session_id);
            return Response::redirect("/login").header("Set-Cookie", cleared_cookie());
        }
        ["wifi"] => (
            "wifi",
            ops::join_wifi(app, &get("ssid"), &get("security"), &get("passphrase"))
                .await
                .map(|warning| {
                    let mut n = vec![notice(Notice::Ok, "Saved: the unit joins this network.")];
                    n.extend(warning.map(|w| notice(Notice::Warning, w)));
                    n
                }),
        ),
        ["installation"] => {
            let parsed = validate::installation_form(
                &get("max_current_a"),
                &get("fuse_rating_a"),
                &get("phases"),
                &get("earthing"),
            )
            .map_err(|e| Refusal::new(422, e));
            let outcome = match parsed {
                Ok(new) => ops::set_installation(app, new)
                    .await
                    .map(|_| vec![notice(Notice::Ok, "Saved: the new limits apply at once.")]),
                Err(r) => Err(r),
            };
            ("installation", outcome)
        }
        ["rfid", "add"] => (
            "rfid",
            ops::add_card(app, &get("uid"))
                .await
                .map(|uid| vec![notice(Notice::Ok, &format!("Card {uid} added."))]),
        ),
        ["rfid", "remove"] => (
            "rfid",
            ops::remove_card(app, &get("uid"))
                .await
                .map(|uid| vec![notice(Notice::Ok, &format!("Card {uid} removed."))]),
        ),
        ["ocpp"] => {
            let key = match (
                get("authorization_key"),
                field(&form, "clear_authorization_key"),
            ) {
                (k, None) if k.is_empty() => KeyChange::Keep,
                (k, None) => KeyChange::Set(k),
                (_, Some(_)) => KeyChange::Clear,
            };
            (
                "ocpp",
                ops::set_ocpp(app, &get("csms_url"), &get("charge_point_id"), key)
                    .await
                    .map(|()| {
                        vec![notice(
                            Notice::Ok,
                            "Saved. The settings are stored and the unit restarts within \
                             10 seconds, then connects to the new CSMS.",
                        )]
                    }),
            )
        }
        ["factory-reset"] => match ops::factory_reset(app, &get("pin")).await {
            Ok(()) => {
                let done = "Factory reset done: configuration, cards and credentials are \
                            wiped. Log in again with the PIN.";
                return Response::html(200, login_page(Some((Notice::Ok, done))))
                    .header("Set-Cookie", cleared_cookie());
            }
            Err(r) => ("factory-reset", Err(r)),
        },
        _ => return simple_page(404, "No such form."),
    };
    match outcome {
        Ok(notices) => render_tab(app, tab, &tokens, notices, 200).await,
        Err(r) => {
            let text = format!("Not saved, nothing changed: {}", r.message);
            render_tab(
                app,
                tab,
                &tokens,
                vec![notice(Notice::Error, &text)],
                r.status,
            )
            .await
        }
    }
}

async fn render_tab(
    app: &App,
    tab: &str,
    tokens: &SessionTokens,
    notices: Vec<String>,
    status: u16,
) -> Response {
    let csrf = &tokens.csrf_token;
    let body = match tab {
        "status" => app.call(|b| b.status()).await.map(|s| status_tab(&s)),
        "wifi" => app.call(|b| b.status()).await.map(|s| wifi_tab(&s, csrf)),
        "installation" => app
            .call(|b| b.installation())
            .await
            .map(|i| installation_tab(&i, csrf)),
        "rfid" => app
            .call(|b| b.rfid_cards())
            .await
            .map(|c| rfid_tab(&c, csrf)),
        "ocpp" => app
            .call(|b| b.ocpp_settings())
            .await
            .map(|o| ocpp_tab(&o, csrf)),
        _ => Ok(factory_reset_tab(csrf)),
    };
    match body {
        Ok(body) => Response::html(
            status,
            page(
                &format!("/{tab}"),
                csrf,
                &format!("{}{body}", notices.concat()),
            ),
        ),
        Err(r) => simple_page(r.status, &r.message),
    }
}

fn opt(value: Option<impl ToString>, none: &str) -> String {
    value.map_or_else(|| none.to_string(), |v| v.to_string())
}

fn status_tab(s: &Status) -> String {
    let ap = &s.network.access_point;
    let ap_text = if ap.active {
        format!(
            "on: {} at {}, {} s left",
            ap.ssid,
            opt(ap.address, "-"),
            opt(ap.remaining_s, "?")
        )
    } else {
        let reason = match ap.off_reason {
            Some(super::ApOffReason::EthernetLink) => "the Ethernet link is up",
            Some(super::ApOffReason::NoPin) => "no PIN is provisioned",
            _ => "the window after power-on elapsed",
        };
        format!(
            "off ({reason}); {} offered {} s after power-on",
            ap.ssid, ap.window_s
        )
    };
    let ethernet = match &s.network.ethernet {
        None => "not on this variant".to_string(),
        Some(e) if e.link_up => format!("link up, address {}", opt(e.ip, "pending")),
        Some(_) => "link down".to_string(),
    };
    let w = &s.network.wifi;
    let wifi = match &w.ssid {
        None => "no network configured".to_string(),
        Some(ssid) => format!(
            "{ssid}: {}{}",
            if w.connected {
                "connected"
            } else {
                "not connected"
            },
            w.ip.map_or(String::new(), |ip| format!(", address {ip}"))
        ),
    };
    let connection = serde_json::to_value(s.ocpp.connection)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default();
    [
        "<table id=\"status\">".to_string(),
        row("Serial number", &s.serial),
        row("Product number", &s.product_number.to_string()),
        row("Firmware version", &s.firmware_version),
        row("Wi-Fi access point", &ap_text),
        row("Ethernet", &ethernet),
        row("Wi-Fi", &wifi),
        row("CSMS URL", &opt(s.ocpp.csms_url.as_ref(), "not configured")),
        row("OCPP connection", &connection),
        row(
            "Energy register",
            &format!(
                "{:.3} kWh ({} Wh)",
                s.energy_wh as f64 / 1000.0,
                s.energy_wh
            ),
        ),
        "</table>".to_string(),
    ]
    .concat()
}

fn wifi_tab(s: &Status, csrf: &str) -> String {
    let current = match (&s.network.wifi.ssid, s.network.wifi.security) {
        (Some(ssid), security) => format!(
            "<p>Configured network: <b>{}</b> ({})</p>",
            escape(ssid),
            match security {
                Some(super::WifiSecurity::WpaTkip) => "WPA-TKIP",
                _ => "WPA2-AES",
            }
        ),
        (None, _) => "<p>No network configured.</p>".to_string(),
    };
    format!(
        "{current}<form method=\"post\" action=\"/wifi\">{}\
         <label for=\"ssid\">Network name (SSID)</label><input id=\"ssid\" name=\"ssid\" required>\
         <label for=\"security\">Security</label><select id=\"security\" name=\"security\">\
         <option value=\"wpa2-aes\" selected>WPA2-AES (recommended)</option>\
         <option value=\"wpa-tkip\">WPA-TKIP (not recommended)</option>\
         <option value=\"wpa3\">WPA3 (not supported)</option></select>\
         <label for=\"passphrase\">Password</label>\
         <input id=\"passphrase\" name=\"passphrase\" type=\"password\" autocomplete=\"off\">\
         <br><button type=\"submit\">Join</button></form>",
        csrf_field(csrf)
    )
}

fn installation_tab(i: &super::Installation, csrf: &str) -> String {
    let select = |name: &str, options: &[&str], current: &str| {
        let options: String = options
            .iter()
            .map(|o| {
                let sel = if *o == current { " selected" } else { "" };
                format!("<option value=\"{o}\"{sel}>{o}</option>")
            })
            .collect();
        format!("<select id=\"{name}\" name=\"{name}\">{options}</select>")
    };
    let earthing = format!("{:?}", i.earthing);
    format!(
        "<form method=\"post\" action=\"/installation\">{}\
         <label for=\"max_current_a\">Maximum charging current (A)</label>\
         <input id=\"max_current_a\" name=\"max_current_a\" value=\"{}\" inputmode=\"numeric\">\
         <label for=\"fuse_rating_a\">Fuse rating (A)</label>\
         <input id=\"fuse_rating_a\" name=\"fuse_rating_a\" value=\"{}\" inputmode=\"numeric\">\
         <label for=\"phases\">Phases</label>{}\
         <label for=\"earthing\">Earthing system</label>{}\
         <br><button type=\"submit\">Save</button></form>",
        csrf_field(csrf),
        i.max_current_a,
        i.fuse_rating_a,
        select("phases", &["1", "3"], &i.phases.to_string()),
        select("earthing", &["TN", "TT", "IT"], &earthing),
    )
}

fn rfid_tab(c: &super::RfidCards, csrf: &str) -> String {
    let ignored = if c.csms_configured {
        notice_with_id(
            Notice::Warning,
            "cards-ignored",
            "A CSMS is configured: the offline cards below are ignored; the CSMS manages cards.",
        )
    } else {
        String::new()
    };
    let rows: String = c
        .cards
        .iter()
        .map(|uid| {
            format!(
                "<tr><td>{uid}</td><td><form class=\"inline\" method=\"post\" \
                 action=\"/rfid/remove\">{}<input type=\"hidden\" name=\"uid\" value=\"{uid}\">\
                 <button type=\"submit\">Remove</button></form></td></tr>",
                csrf_field(csrf),
                uid = escape(uid)
            )
        })
        .collect();
    let list = if c.cards.is_empty() {
        "<p>No offline cards.</p>".to_string()
    } else {
        format!("<table id=\"cards\"><tr><th>Card UID</th><th></th></tr>{rows}</table>")
    };
    format!(
        "{ignored}<p>Cards allowed to charge while no CSMS is configured.</p>{list}\
         <form method=\"post\" action=\"/rfid/add\">{}\
         <label for=\"uid\">Card UID (hex, 4, 7 or 10 bytes)</label><input id=\"uid\" name=\"uid\" \
         required><br><button type=\"submit\">Add card</button></form>",
        csrf_field(csrf)
    )
}

fn ocpp_tab(o: &super::OcppSettings, csrf: &str) -> String {
    let key_state = if o.authorization_key_set {
        "A key is set (it is never shown). Leave empty to keep it."
    } else {
        "No key set."
    };
    format!(
        "<form method=\"post\" action=\"/ocpp\">{}\
         <label for=\"csms_url\">CSMS URL (ws:// or wss://)</label>\
         <input id=\"csms_url\" name=\"csms_url\" value=\"{}\" required>\
         <label for=\"charge_point_id\">Charge point identity</label>\
         <input id=\"charge_point_id\" name=\"charge_point_id\" value=\"{}\" required>\
         <label for=\"authorization_key\">Authorization key (16 to 40 characters)</label>\
         <input id=\"authorization_key\" name=\"authorization_key\" type=\"password\" \
         autocomplete=\"off\"><p>{key_state}</p>\
         <label><input type=\"checkbox\" name=\"clear_authorization_key\" value=\"1\"> \
         Remove the key</label>\
         <p>After saving, wait 10 seconds: the unit stores the settings and restarts.</p>\
         <button type=\"submit\">Save</button></form>",
        csrf_field(csrf),
        escape(o.csms_url.as_deref().unwrap_or("")),
        escape(&o.charge_point_id),
    )
}

fn factory_reset_tab(csrf: &str) -> String {
    format!(
        "<p>Resets the unit to factory settings: wipes the configuration, Wi-Fi and OCPP \
         credentials and the offline cards. The energy register, serial number and PIN stay. \
         Do this before dismantling the unit, while it is still powered.</p>\
         <form method=\"post\" action=\"/factory-reset\">{}\
         <label for=\"reset-pin\">Enter the PIN again to confirm</label>\
         <input id=\"reset-pin\" name=\"pin\" type=\"password\" autocomplete=\"off\" required>\
         <br><button type=\"submit\">Reset to factory settings</button></form>",
        csrf_field(csrf)
    )
}

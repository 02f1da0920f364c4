//! The JSON API under `/api/` (documented endpoint by endpoint in `reference-firmware/UI.md`).
//! Changes need the session cookie, `Content-Type: application/json` and the `X-CSRF-Token`
//! header; every refusal is `{"error": "<one line>"}` with a 4xx/5xx status.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::app::{cleared_cookie, session_cookie, App, Refusal, CSRF_HEADER};
use super::backend::KeyChange;
use super::http::{Request, Response};
use super::session::{ceil_secs, SessionTokens};
use super::{ops, validate};

/// Seconds within which the unit restarts after new OCPP settings.
pub const OCPP_RESTART_WITHIN_S: u64 = 10;

pub async fn handle(app: &App, request: &Request, path: &[&str]) -> Response {
    match route(app, request, path).await {
        Ok(response) => response,
        Err(refusal) if refusal.status == 405 => refusal_response(app, &refusal)
            .header("Allow", allowed_methods(path).unwrap_or_default()),
        Err(refusal) => refusal_response(app, &refusal),
    }
}

fn refusal_response(app: &App, refusal: &Refusal) -> Response {
    let response = Response::json_error(refusal.status, &refusal.message);
    if refusal.status == 429 {
        let now = app.options.clock.now();
        if let Some(left) = app.sessions().lockout_remaining(now) {
            return response.header("Retry-After", ceil_secs(left).to_string());
        }
    }
    response
}

async fn route(app: &App, request: &Request, path: &[&str]) -> Result<Response, Refusal> {
    let method = request.method.as_str();
    match (path, method) {
        (["login"], "POST") => login(app, request).await,
        (["logout"], "POST") => {
            let tokens = change(app, request)?;
            app.sessions().logout(&tokens.session_id);
            Ok(Response::new(204).header("Set-Cookie", cleared_cookie()))
        }
        (["session"], "GET") => {
            let tokens = app.authorize(request, None)?;
            Ok(Response::json(200, &session_json(&tokens)))
        }
        (["status"], "GET") => {
            app.authorize(request, None)?;
            Ok(Response::json(200, &app.call(|b| b.status()).await?))
        }
        (["wifi"], "GET") => {
            app.authorize(request, None)?;
            let status = app.call(|b| b.status()).await?;
            Ok(Response::json(200, &status.network.wifi))
        }
        (["wifi"], "POST") => {
            change(app, request)?;
            let body: WifiBody = json_body(request)?;
            let warning = ops::join_wifi(app, &body.ssid, &body.security, &body.passphrase).await?;
            Ok(Response::json(
                200,
                &json!({ "saved": true, "warning": warning }),
            ))
        }
        (["installation"], "GET") => {
            app.authorize(request, None)?;
            Ok(Response::json(200, &app.call(|b| b.installation()).await?))
        }
        (["installation"], "PUT") => {
            change(app, request)?;
            let body: InstallationBody = json_body(request)?;
            let new = super::backend::Installation {
                max_current_a: body.max_current_a,
                fuse_rating_a: body.fuse_rating_a,
                phases: body.phases,
                earthing: validate::earthing(&body.earthing).map_err(|e| Refusal::new(422, e))?,
            };
            Ok(Response::json(200, &ops::set_installation(app, new).await?))
        }
        (["rfid"], "GET") => {
            app.authorize(request, None)?;
            let cards = app.call(|b| b.rfid_cards()).await?;
            let note = cards.csms_configured.then_some(
                "a CSMS is configured: offline cards are ignored; the CSMS manages cards",
            );
            Ok(Response::json(
                200,
                &json!({ "cards": cards.cards, "csms_configured": cards.csms_configured,
                         "ignored": cards.csms_configured, "note": note }),
            ))
        }
        (["rfid"], "POST") => {
            change(app, request)?;
            let body: CardBody = json_body(request)?;
            let uid = ops::add_card(app, &body.uid).await?;
            Ok(Response::json(201, &json!({ "uid": uid })))
        }
        (["rfid", uid], "DELETE") => {
            change(app, request)?;
            ops::remove_card(app, uid).await?;
            Ok(Response::new(204))
        }
        (["ocpp"], "GET") => {
            app.authorize(request, None)?;
            Ok(Response::json(200, &app.call(|b| b.ocpp_settings()).await?))
        }
        (["ocpp"], "PUT") => {
            change(app, request)?;
            let body: OcppBody = json_body(request)?;
            let key = match (body.authorization_key, body.clear_authorization_key) {
                (Some(_), true) => {
                    return Err(Refusal::new(
                        422,
                        "give either authorization_key or clear_authorization_key, not both",
                    ))
                }
                (Some(k), false) => KeyChange::Set(k),
                (None, true) => KeyChange::Clear,
                (None, false) => KeyChange::Keep,
            };
            ops::set_ocpp(app, &body.csms_url, &body.charge_point_id, key).await?;
            Ok(Response::json(
                202,
                &json!({ "saved": true, "restart_within_s": OCPP_RESTART_WITHIN_S }),
            ))
        }
        (["factory-reset"], "POST") => {
            change(app, request)?;
            let body: PinBody = json_body(request)?;
            ops::factory_reset(app, &body.pin).await?;
            Ok(Response::json(202, &json!({ "reset": true }))
                .header("Set-Cookie", cleared_cookie()))
        }
        _ => Err(not_found_or_method(path, method)),
    }
}

async fn login(app: &App, request: &Request) -> Result<Response, Refusal> {
    super::app::check_origin(request)?;
    require_json(request)?;
    let body: PinBody = json_body(request)?;
    let tokens = ops::login(app, &body.pin).await?;
    Ok(Response::json(200, &session_json(&tokens)).header("Set-Cookie", session_cookie(&tokens)))
}

fn session_json(tokens: &SessionTokens) -> serde_json::Value {
    json!({ "csrf_token": tokens.csrf_token, "expires_in_s": tokens.expires_in.as_secs() })
}

/// Authorizes a change: session, `X-CSRF-Token`, JSON body.
fn change(app: &App, request: &Request) -> Result<SessionTokens, Refusal> {
    let tokens = app.authorize(request, Some(request.header(CSRF_HEADER)))?;
    if !request.body.is_empty() || request.method != "DELETE" {
        require_json(request)?;
    }
    Ok(tokens)
}

fn require_json(request: &Request) -> Result<(), Refusal> {
    let ct = request.content_type();
    if ct == "application/json" {
        Ok(())
    } else {
        Err(Refusal::new(
            415,
            format!("Content-Type must be application/json, got {ct:?}"),
        ))
    }
}

fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, Refusal> {
    serde_json::from_slice(&request.body)
        .map_err(|e| Refusal::new(400, format!("invalid JSON body: {e}")))
}

/// The methods an endpoint takes (`None`: no such endpoint).
fn allowed_methods(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        ["login" | "logout" | "factory-reset"] => "POST",
        ["session" | "status"] => "GET",
        ["wifi" | "rfid"] => "GET, POST",
        ["installation" | "ocpp"] => "GET, PUT",
        ["rfid", _] => "DELETE",
        _ => return None,
    })
}

fn not_found_or_method(path: &[&str], method: &str) -> Refusal {
    match allowed_methods(path) {
        Some(allowed) => Refusal::new(
            405,
            format!("{method} not allowed here; allowed: {allowed}"),
        ),
        None => Refusal::new(404, format!("no API endpoint /api/{}", path.join("/"))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinBody {
    pin: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WifiBody {
    ssid: String,
    security: String,
    passphrase: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstallationBody {
    max_current_a: u32,
    fuse_rating_a: u32,
    phases: u8,
    earthing: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CardBody {
    uid: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OcppBody {
    csms_url: String,
    charge_point_id: String,
    #[serde(default)]
    authorization_key: Option<String>,
    #[serde(default)]
    clear_authorization_key: bool,
}

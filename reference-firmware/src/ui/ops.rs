//! The operations of the interface, shared by the JSON API and the HTML forms: syntax checks,
//! then the backend, with every refusal as a [`Refusal`] (status + one-line reason).

use super::app::{App, Refusal};
use super::backend::{Installation, KeyChange, OcppSettingsUpdate, WifiJoin, WifiSecurity};
use super::session::SessionTokens;
use super::validate;

/// Status for a value the installer must correct.
const INVALID: u16 = 422;

fn invalid(message: String) -> Refusal {
    Refusal::new(INVALID, message)
}

/// Checks the PIN and opens a session.
pub async fn login(app: &App, pin: &str) -> Result<SessionTokens, Refusal> {
    let provisioned = app.call(|b| b.pin()).await?;
    let now = app.options.clock.now();
    let result = app
        .sessions()
        .login(now, pin, provisioned.as_deref(), rand::random());
    if let Err(e) = &result {
        tracing::warn!("local interface: login refused: {e}");
    }
    Ok(result?)
}

/// Stores a Wi-Fi network to join; returns the warning to show, if any.
pub async fn join_wifi(
    app: &App,
    ssid: &str,
    security: &str,
    passphrase: &str,
) -> Result<Option<&'static str>, Refusal> {
    let security = validate::wifi_security(security).map_err(invalid)?;
    let request = WifiJoin {
        ssid: validate::ssid(ssid).map_err(invalid)?,
        security,
        passphrase: validate::wifi_passphrase(passphrase).map_err(invalid)?,
    };
    app.call(move |b| b.join_wifi(&request))
        .await?
        .map_err(invalid)?;
    tracing::info!("local interface: Wi-Fi network {ssid:?} stored ({security:?})");
    Ok((security == WifiSecurity::WpaTkip).then_some(validate::TKIP_WARNING))
}

pub async fn set_installation(app: &App, new: Installation) -> Result<Installation, Refusal> {
    app.call(move |b| b.set_installation(&new))
        .await?
        .map_err(invalid)?;
    tracing::info!("local interface: installation set to {new:?}");
    app.call(|b| b.installation()).await
}

pub async fn add_card(app: &App, uid: &str) -> Result<String, Refusal> {
    let uid = validate::card_uid(uid).map_err(invalid)?;
    let stored = uid.clone();
    app.call(move |b| b.add_rfid_card(&stored))
        .await?
        .map_err(invalid)?;
    tracing::info!("local interface: offline card {uid} added");
    Ok(uid)
}

pub async fn remove_card(app: &App, uid: &str) -> Result<String, Refusal> {
    let uid = validate::card_uid(uid).map_err(invalid)?;
    let cards = app.call(|b| b.rfid_cards()).await?;
    if !cards.cards.contains(&uid) {
        return Err(Refusal::new(404, format!("no offline card {uid}")));
    }
    let removed = uid.clone();
    app.call(move |b| b.remove_rfid_card(&removed))
        .await?
        .map_err(invalid)?;
    tracing::info!("local interface: offline card {uid} removed");
    Ok(uid)
}

pub async fn set_ocpp(
    app: &App,
    csms_url: &str,
    charge_point_id: &str,
    key: KeyChange,
) -> Result<(), Refusal> {
    let authorization_key = match key {
        KeyChange::Set(k) => KeyChange::Set(validate::authorization_key(&k).map_err(invalid)?),
        other => other,
    };
    let update = OcppSettingsUpdate {
        csms_url: validate::csms_url(csms_url).map_err(invalid)?,
        charge_point_id: validate::charge_point_id(charge_point_id).map_err(invalid)?,
        authorization_key,
    };
    let url = update.csms_url.clone();
    app.call(move |b| b.set_ocpp_settings(&update))
        .await?
        .map_err(invalid)?;
    tracing::info!("local interface: CSMS URL set to {url}; the unit restarts");
    Ok(())
}

/// Re-checks the PIN (counting toward the lock-out), resets, and ends every session.
pub async fn factory_reset(app: &App, pin: &str) -> Result<(), Refusal> {
    let provisioned = app.call(|b| b.pin()).await?;
    let now = app.options.clock.now();
    app.sessions().check_pin(now, pin, provisioned.as_deref())?;
    app.call(|b| b.factory_reset())
        .await?
        .map_err(|e| Refusal::new(500, format!("factory reset failed: {e}")))?;
    app.sessions().end_all_sessions();
    tracing::warn!("local interface: factory reset done");
    Ok(())
}

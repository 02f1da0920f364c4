//! After the factory reset the unit must be in its shipping state: no CSMS, no Wi-Fi network,
//! no offline cards, the installation at the product's defaults; while what the factory
//! provisioned (serial, product number, PIN) survives the reset.

use serde_json::Value;

/// What is not as shipped, one line each; empty means the unit is ready to ship.
///
/// `status` is `GET /api/status`, `rfid` is `GET /api/rfid`, `installation` is
/// `GET /api/installation`; `rated_current_a` the product's rating (the default maximum).
pub fn findings(
    status: &Value,
    rfid: &Value,
    installation: &Value,
    serial: &str,
    rated_current_a: f64,
) -> Vec<String> {
    let mut out = Vec::new();
    let at = |v: &Value, path: &[&str]| -> Value {
        path.iter()
            .try_fold(v, |v, k| v.get(*k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let csms = at(status, &["ocpp", "csms_url"]);
    if !csms.is_null() {
        out.push(format!("a CSMS URL is still configured: {csms}"));
    }
    let ssid = at(status, &["network", "wifi", "ssid"]);
    if !ssid.is_null() {
        out.push(format!("a Wi-Fi network is still stored: {ssid}"));
    }
    match at(rfid, &["cards"]) {
        Value::Array(cards) if cards.is_empty() => {}
        Value::Array(cards) => out.push(format!(
            "{} offline card(s) still stored: {}",
            cards.len(),
            Value::Array(cards.clone())
        )),
        other => out.push(format!("the card list could not be read: {other}")),
    }
    let max = at(installation, &["max_current_a"]).as_f64();
    if max != Some(rated_current_a) {
        out.push(format!(
            "the installation maximum is {} A, not the product default {rated_current_a} A",
            max.map_or("unknown".to_string(), |m| m.to_string())
        ));
    }
    let seen_serial = at(status, &["serial"]);
    if seen_serial.as_str() != Some(serial) {
        out.push(format!(
            "the serial number did not survive the reset: expected \"{serial}\", the unit reports {seen_serial}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reset_unit_is_ready_to_ship() {
        let status = json!({"serial": "S1", "ocpp": {"csms_url": null},
                            "network": {"wifi": {"ssid": null}}});
        let f = findings(
            &status,
            &json!({"cards": []}),
            &json!({"max_current_a": 16}),
            "S1",
            16.0,
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn leftovers_are_listed() {
        let status = json!({"serial": "S2", "ocpp": {"csms_url": "ws://factory:9000"},
                            "network": {"wifi": {"ssid": "FACTORY"}}});
        let f = findings(
            &status,
            &json!({"cards": ["04A2B3C4"]}),
            &json!({"max_current_a": 10}),
            "S1",
            16.0,
        );
        assert_eq!(f.len(), 5, "{f:?}");
        assert!(f[0].contains("ws://factory:9000"));
        assert!(f[2].contains("04A2B3C4"));
        assert!(f[3].contains("10 A"));
        assert!(f[4].contains("\"S1\""));
    }
}

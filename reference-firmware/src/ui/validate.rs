//! Syntax checks of what the installer enters, shared by the HTML forms and the JSON API.
//! Every error is one line naming the field, what was seen and what is accepted.

use super::backend::{Earthing, Installation, WifiSecurity};

/// The warning returned with a WPA-TKIP network.
pub const TKIP_WARNING: &str =
    "WPA-TKIP is accepted but not recommended: it is weak; switch the router to WPA2-AES";

/// Wi-Fi security as the installer names it. WPA3 gets its own message: the radio does not
/// support it, and a mixed WPA2/WPA3 router must offer WPA2-AES.
pub fn wifi_security(input: &str) -> Result<WifiSecurity, String> {
    let norm = input.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    match norm.as_str() {
        "wpa2-aes" | "wpa2" | "wpa2-psk" | "wpa2-ccmp" => Ok(WifiSecurity::Wpa2Aes),
        "wpa-tkip" | "wpa" | "wpa-psk" | "wpa1" => Ok(WifiSecurity::WpaTkip),
        s if s.starts_with("wpa3") => Err(format!(
            "security {input:?}: WPA3 is not supported by this unit; set the router to WPA2-AES \
             (recommended) or WPA2/WPA3 mixed mode"
        )),
        _ => Err(format!(
            "security {input:?} is not supported; use wpa2-aes (recommended) or wpa-tkip"
        )),
    }
}

/// An SSID: 1..=32 bytes of UTF-8 without control characters.
pub fn ssid(input: &str) -> Result<String, String> {
    if input.is_empty() || input.len() > 32 {
        return Err(format!(
            "ssid must be 1 to 32 bytes, got {} bytes",
            input.len()
        ));
    }
    if input.chars().any(char::is_control) {
        return Err("ssid contains control characters".to_string());
    }
    Ok(input.to_string())
}

/// A WPA passphrase: 8..=63 printable ASCII characters, or exactly 64 hex digits.
pub fn wifi_passphrase(input: &str) -> Result<String, String> {
    let ok = (8..=63).contains(&input.len()) && input.bytes().all(|b| (0x20..0x7f).contains(&b))
        || input.len() == 64 && input.bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(input.to_string())
    } else {
        Err(format!(
            "passphrase must be 8 to 63 printable ASCII characters or 64 hex digits, got {} characters",
            input.chars().count()
        ))
    }
}

/// A CSMS URL: `ws://` or `wss://`, a host, no spaces.
pub fn csms_url(input: &str) -> Result<String, String> {
    let url = input.trim();
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("wss://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("ws://") {
        rest
    } else {
        let scheme = url.split("://").next().filter(|_| url.contains("://"));
        return Err(match scheme {
            Some(s) => format!("CSMS URL scheme {s:?} is not allowed: use ws:// or wss://"),
            None => format!("CSMS URL {url:?} must start with ws:// or wss://"),
        });
    };
    if url.len() > 512 {
        return Err(format!("CSMS URL is {} characters; at most 512", url.len()));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("CSMS URL contains spaces or control characters".to_string());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("CSMS URL {url:?} has no host"));
    }
    Ok(url.to_string())
}

/// A charge point identity: 1..=48 characters from the URL-safe set (it is the last path
/// segment of the OCPP URL and the Basic-auth user name, which may not contain ':').
pub fn charge_point_id(input: &str) -> Result<String, String> {
    let id = input.trim();
    if id.is_empty() || id.len() > 48 {
        return Err(format!(
            "charge point identity must be 1 to 48 characters, got {}",
            id.len()
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.~".contains(*c)))
    {
        return Err(format!(
            "charge point identity contains {bad:?}; use letters, digits, '-', '_', '.', '~'"
        ));
    }
    Ok(id.to_string())
}

/// An OCPP authorization key (security profiles 1 and 2): 16..=40 printable ASCII characters.
pub fn authorization_key(input: &str) -> Result<String, String> {
    if !(16..=40).contains(&input.len()) || !input.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(format!(
            "authorization key must be 16 to 40 printable ASCII characters without spaces, got {} characters",
            input.chars().count()
        ));
    }
    Ok(input.to_string())
}

/// An RFID card UID: 4, 7 or 10 bytes in hex (ISO/IEC 14443 Type A), separators ':' '-' ' '
/// allowed; returned upper-case without separators.
pub fn card_uid(input: &str) -> Result<String, String> {
    let hex: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) || ![8, 14, 20].contains(&hex.len()) {
        return Err(format!(
            "card UID {input:?} must be 4, 7 or 10 bytes in hex (8, 14 or 20 hex digits)"
        ));
    }
    Ok(hex.to_ascii_uppercase())
}

pub fn earthing(input: &str) -> Result<Earthing, String> {
    match input.trim().to_ascii_uppercase().as_str() {
        "TN" | "TN-C" | "TN-S" | "TN-C-S" => Ok(Earthing::TN),
        "TT" => Ok(Earthing::TT),
        "IT" => Ok(Earthing::IT),
        _ => Err(format!("earthing {input:?} must be TN, TT or IT")),
    }
}

fn number<T: std::str::FromStr>(field: &str, input: &str) -> Result<T, String> {
    input
        .trim()
        .parse()
        .map_err(|_| format!("{field} {input:?} is not a whole number"))
}

/// The Installation form's four text fields.
pub fn installation_form(
    max_current_a: &str,
    fuse_rating_a: &str,
    phases: &str,
    earthing_system: &str,
) -> Result<Installation, String> {
    Ok(Installation {
        max_current_a: number("max_current_a", max_current_a)?,
        fuse_rating_a: number("fuse_rating_a", fuse_rating_a)?,
        phases: number("phases", phases)?,
        earthing: earthing(earthing_system)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wifi_security_names() {
        assert_eq!(wifi_security("WPA2-AES"), Ok(WifiSecurity::Wpa2Aes));
        assert_eq!(wifi_security("wpa_tkip"), Ok(WifiSecurity::WpaTkip));
        let wpa3 = wifi_security("wpa3-sae").unwrap_err();
        assert!(wpa3.contains("WPA3 is not supported"), "{wpa3}");
        assert!(wifi_security("wep").unwrap_err().contains("not supported"));
    }

    #[test]
    fn passphrase_and_ssid_limits() {
        assert!(wifi_passphrase("1234567").is_err());
        assert!(wifi_passphrase("12345678").is_ok());
        assert!(wifi_passphrase(&"a".repeat(63)).is_ok());
        assert!(wifi_passphrase(&"a".repeat(64)).is_ok(), "64 hex digits");
        assert!(wifi_passphrase(&"g".repeat(64)).is_err());
        assert!(wifi_passphrase("pass\u{7f}word").is_err());
        assert!(ssid("").is_err());
        assert!(ssid(&"x".repeat(33)).is_err());
        assert!(ssid("Site\nNet").is_err());
        assert_eq!(ssid("Garage Wi-Fi"), Ok("Garage Wi-Fi".into()));
    }

    #[test]
    fn csms_url_schemes() {
        assert_eq!(
            csms_url(" ws://10.0.0.1:9000/ocpp "),
            Ok("ws://10.0.0.1:9000/ocpp".into())
        );
        assert!(csms_url("WSS://csms.example/ocpp").is_ok());
        let http = csms_url("http://csms.example/ocpp").unwrap_err();
        assert!(http.contains("\"http\" is not allowed"), "{http}");
        assert!(csms_url("csms.example")
            .unwrap_err()
            .contains("must start with"));
        assert!(csms_url("ws://").unwrap_err().contains("no host"));
        assert!(csms_url("ws://a b").is_err());
    }

    #[test]
    fn identities_keys_and_cards() {
        assert_eq!(charge_point_id("HALO-123456"), Ok("HALO-123456".into()));
        assert!(charge_point_id("a/b").is_err());
        assert!(charge_point_id("a:b").is_err());
        assert!(charge_point_id(&"x".repeat(49)).is_err());
        assert!(authorization_key("short").is_err());
        assert!(authorization_key("0123456789abcdef").is_ok());
        assert!(authorization_key("0123456789 abcdef").is_err());
        assert_eq!(card_uid("04:a2:2b:1a"), Ok("04A22B1A".into()));
        assert_eq!(card_uid("04A22B1A2B3C4D"), Ok("04A22B1A2B3C4D".into()));
        assert!(card_uid("04A22B").is_err());
        assert!(card_uid("<script>").is_err());
    }

    #[test]
    fn installation_fields() {
        assert_eq!(
            installation_form("10", "16", "3", "tt"),
            Ok(Installation {
                max_current_a: 10,
                fuse_rating_a: 16,
                phases: 3,
                earthing: Earthing::TT
            })
        );
        assert!(installation_form("ten", "16", "3", "TN")
            .unwrap_err()
            .contains("max_current_a"));
        assert!(installation_form("10", "16", "3", "XX")
            .unwrap_err()
            .contains("TN, TT or IT"));
    }
}

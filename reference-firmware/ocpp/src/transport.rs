//! Pure helpers for the shell's WebSocket connection.

/// The connection URL: CSMS endpoint + `/` + the charge point identity,
/// percent-encoded (OCPP-J 1.6 §3.1.1: `.../ocppj/RDAM%20123`). A trailing
/// slash on the endpoint is not doubled.
pub fn connection_url(endpoint: &str, identity: &str) -> String {
    let mut url = endpoint.trim_end_matches('/').to_string();
    url.push('/');
    for b in identity.bytes() {
        // RFC 3986 unreserved characters stay as they are.
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// The WebSocket subprotocol to offer and to expect back.
pub const SUBPROTOCOL: &str = "ocpp1.6";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_percent_encoded() {
        assert_eq!(
            connection_url("ws://csms:8080/ocppj/", "RDAM 123"),
            "ws://csms:8080/ocppj/RDAM%20123"
        );
        assert_eq!(
            connection_url("wss://h/x", "a/b#é"),
            "wss://h/x/a%2Fb%23%C3%A9"
        );
        assert_eq!(connection_url("ws://h", "CP-1_a.b~"), "ws://h/CP-1_a.b~");
    }
}

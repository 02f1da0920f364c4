//! The WebSocket opening handshake rules of OCPP-J 1.6 (§3) and the security whitepaper profile 1:
//! the identity from the URL, the allow-list, HTTP Basic credentials and subprotocol choice.

use base64::Engine;

/// The only subprotocol this CSMS speaks.
pub const SUBPROTOCOL: &str = "ocpp1.6";

/// What the server needs to decide on a handshake.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Empty: every identity is known.
    pub allow_list: Vec<String>,
    /// Basic credentials are required when this returns a key for the identity.
    pub require_auth: bool,
    /// Every connection must be TLS (profile 2); otherwise plain ws is served, and TLS too
    /// when a certificate is set up (profile 1, for an upgrade to 2).
    pub tls_required: bool,
}

/// The outcome of the handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Upgrade; `subprotocol` is echoed in `Sec-WebSocket-Protocol`. With `None` the server
    /// completes the handshake without the header and then closes (J §3.2).
    Accept {
        identity: String,
        subprotocol: Option<&'static str>,
        offered: Vec<String>,
        /// Valid HTTP Basic credentials were presented.
        authenticated: bool,
    },
    /// Refuse with an HTTP status.
    Refuse {
        status: u16,
        identity: Option<String>,
        reason: String,
    },
}

/// Decides one handshake. `key_for` gives the AuthorizationKey of an identity.
pub fn decide(
    path: &str,
    protocols: Option<&str>,
    authorization: Option<&str>,
    rules: &Rules,
    key_for: impl Fn(&str) -> Option<String>,
) -> Decision {
    let path = path.split('?').next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let identity = match percent_decode(last) {
        Some(id) if !id.is_empty() => id,
        Some(_) => {
            return Decision::Refuse {
                status: 404,
                identity: None,
                reason: format!("no charge point identity in the path {path:?}"),
            }
        }
        None => {
            return Decision::Refuse {
                status: 400,
                identity: None,
                reason: format!("bad percent-encoding in the path {path:?}"),
            }
        }
    };
    if !rules.allow_list.is_empty() && !rules.allow_list.contains(&identity) {
        return Decision::Refuse {
            status: 404,
            reason: format!("unknown charge point identity {identity:?}"),
            identity: Some(identity),
        };
    }
    // Credentials are also checked when sent where they are not required but a key is known
    // (after `set_authorization_key`): a wrong key is refused rather than silently let in.
    let key = key_for(&identity);
    let authenticated = rules.require_auth || (authorization.is_some() && key.is_some());
    if authenticated {
        if let Err(reason) = check_basic(authorization, &identity, key) {
            return Decision::Refuse {
                status: 401,
                identity: Some(identity),
                reason,
            };
        }
    }
    let offered: Vec<String> = protocols
        .unwrap_or_default()
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let subprotocol = offered
        .iter()
        .any(|p| p == SUBPROTOCOL)
        .then_some(SUBPROTOCOL);
    Decision::Accept {
        identity,
        subprotocol,
        offered,
        authenticated,
    }
}

/// Checks `Authorization: Basic base64(identity:key)`.
fn check_basic(header: Option<&str>, identity: &str, key: Option<String>) -> Result<(), String> {
    let header = header.ok_or("no Authorization header (security profile requires HTTP Basic)")?;
    let encoded = header
        .strip_prefix("Basic ")
        .ok_or_else(|| format!("Authorization is not HTTP Basic: {header:?}"))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| format!("Basic credentials are not base64: {e}"))?;
    let text = String::from_utf8(decoded).map_err(|_| "Basic credentials are not UTF-8")?;
    let (user, password) = text
        .split_once(':')
        .ok_or("Basic credentials have no ':' between user and password")?;
    if user != identity {
        return Err(format!(
            "Basic user {user:?} is not the charge point identity {identity:?}"
        ));
    }
    match key {
        Some(k) if k == password => Ok(()),
        Some(_) => Err(format!("wrong AuthorizationKey for {identity:?}")),
        None => Err(format!("no AuthorizationKey configured for {identity:?}")),
    }
}

/// Decodes `%XX` escapes; `None` for a broken escape or non-UTF-8 result.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, pass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    }

    fn key(_: &str) -> Option<String> {
        Some("0123456789abcdef".into())
    }

    #[test]
    fn identity_is_the_percent_decoded_last_segment() {
        let d = decide(
            "/ocpp/RDAM%20123",
            Some("ocpp1.6"),
            None,
            &Rules::default(),
            key,
        );
        assert_eq!(
            d,
            Decision::Accept {
                identity: "RDAM 123".into(),
                subprotocol: Some(SUBPROTOCOL),
                offered: vec!["ocpp1.6".into()],
                authenticated: false,
            }
        );
        assert!(matches!(
            decide("/ocpp/", None, None, &Rules::default(), key),
            Decision::Refuse { status: 404, .. }
        ));
        assert!(matches!(
            decide("/ocpp/%zz", None, None, &Rules::default(), key),
            Decision::Refuse { status: 400, .. }
        ));
    }

    #[test]
    fn subprotocol_choice() {
        let r = Rules::default();
        let sub = |p: Option<&str>| match decide("/CP", p, None, &r, key) {
            Decision::Accept { subprotocol, .. } => subprotocol,
            other => panic!("{other:?}"),
        };
        assert_eq!(sub(Some("ocpp2.0.1, ocpp1.6")), Some(SUBPROTOCOL));
        assert_eq!(sub(Some("ocpp1.5")), None);
        assert_eq!(sub(None), None);
        assert_eq!(
            sub(Some("OCPP1.6")),
            None,
            "subprotocol names are case-sensitive"
        );
    }

    #[test]
    fn allow_list_and_basic_auth() {
        let rules = Rules {
            allow_list: vec!["CP1".into()],
            require_auth: true,
            tls_required: false,
        };
        let status =
            |path: &str, auth: Option<&str>| match decide(path, Some("ocpp1.6"), auth, &rules, key)
            {
                Decision::Refuse { status, .. } => status,
                Decision::Accept { .. } => 101,
            };
        assert_eq!(status("/CP2", None), 404);
        assert_eq!(status("/CP1", None), 401);
        assert_eq!(status("/CP1", Some(&basic("CP1", "wrong"))), 401);
        assert_eq!(status("/CP1", Some(&basic("CP9", "0123456789abcdef"))), 401);
        assert_eq!(status("/CP1", Some("Bearer x")), 401);
        assert_eq!(status("/CP1", Some(&basic("CP1", "0123456789abcdef"))), 101);
        // Without the requirement, credentials are still checked when sent.
        let open = Rules::default();
        let d = decide("/CP1", None, Some(&basic("CP1", "bad")), &open, key);
        assert!(matches!(d, Decision::Refuse { status: 401, .. }));
        let d = decide(
            "/CP1",
            None,
            Some(&basic("CP1", "0123456789abcdef")),
            &open,
            key,
        );
        assert!(matches!(
            d,
            Decision::Accept {
                authenticated: true,
                ..
            }
        ));
    }
}

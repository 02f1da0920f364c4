//! Opening handshake: subprotocols, identity, allow-list, HTTP Basic (profile 1), TLS (profile 2).

mod common;

use common::{boot, connect, csms, refused, runtime, Dial, STEP};
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::error::{Error, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::Message;

fn http_status(e: &Error) -> Option<u16> {
    match e {
        Error::Http(resp) => Some(resp.status().as_u16()),
        _ => None,
    }
}

#[test]
fn ocpp16_is_echoed_when_offered_among_several() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let dial = Dial {
            protocols: Some("ocpp2.0.1, ocpp1.6, ocpp1.5".into()),
            ..Default::default()
        };
        let (_ws, resp) = connect(&format!("{url}/CP%201"), &dial).await.unwrap();
        assert_eq!(
            resp.headers().get("sec-websocket-protocol").unwrap(),
            "ocpp1.6"
        );
        // The identity is the percent-decoded last path segment.
        let info = c.wait_connected(Some("CP 1"), 2000).unwrap();
        assert_eq!(info.subprotocol.as_deref(), Some("ocpp1.6"));
    });
}

#[test]
fn no_subprotocol_offered_completes_without_header_then_closes() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let (mut ws, resp) = connect(&format!("{url}/CP1"), &Dial::default())
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 101);
        assert!(resp.headers().get("sec-websocket-protocol").is_none());
        let next = tokio::time::timeout(STEP, ws.next()).await.unwrap();
        assert!(
            matches!(next, Some(Ok(Message::Close(_))) | None),
            "expected a close, got {next:?}"
        );
    });
    let record = c.drain_record();
    assert!(record.iter().any(|o| o.kind == "ws_no_subprotocol"));
    assert!(c.connections().is_empty());
}

#[test]
fn wrong_subprotocol_gets_no_header() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let dial = Dial {
            protocols: Some("ocpp1.5".into()),
            ..Default::default()
        };
        let e = refused(&format!("{url}/CP1"), &dial).await;
        // The client library refuses a 101 without the subprotocol it asked for: proof that the
        // server completed the handshake without the header.
        assert!(
            matches!(
                e,
                Error::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                    SubProtocolError::NoSubProtocol
                ))
            ),
            "{e:?}"
        );
    });
}

#[test]
fn unknown_identity_gets_404_with_an_allow_list() {
    let c = csms(json!({"charge_points": ["CP1"]}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let e = refused(&format!("{url}/CP2"), &Dial::ocpp()).await;
        assert_eq!(http_status(&e), Some(404));
        boot(&url, "CP1", &Dial::ocpp()).await;
    });
}

#[test]
fn basic_auth_right_and_wrong() {
    let key = "0123456789abcdef0123";
    let c = csms(json!({"security_profile": 1, "authorization_key": key}));
    let url = c.endpoint().url;
    assert!(url.starts_with("ws://"));
    runtime().block_on(async {
        let wrong = Dial {
            basic: Some(("CP1".into(), "not-the-key".into())),
            ..Dial::ocpp()
        };
        let e = refused(&format!("{url}/CP1"), &wrong).await;
        assert_eq!(http_status(&e), Some(401));
        let none = refused(&format!("{url}/CP1"), &Dial::ocpp()).await;
        assert_eq!(http_status(&none), Some(401));
        let right = Dial {
            basic: Some(("CP1".into(), key.into())),
            ..Dial::ocpp()
        };
        boot(&url, "CP1", &right).await;
    });
    let v = c.violations(0);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v.iter().all(|v| v.rule == "handshake.basic_auth"));
    assert!(v[0].message.contains("wrong AuthorizationKey"), "{v:?}");
}

#[test]
fn tls_profile_2_with_a_generated_ca() {
    let dir = std::env::temp_dir().join(format!("csms-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let key = "0123456789abcdef";
    let c = csms(json!({"security_profile": 2, "authorization_key": key,
        "ca_cert_out": ca, "tls_hostnames": ["localhost"], "listen": "127.0.0.1:0"}));
    let ep = c.endpoint();
    assert_eq!(ep.security_profile, 2);
    assert_eq!(ep.ca_cert_path.as_deref(), Some(ca.to_str().unwrap()));
    let url = ep.url.replace("127.0.0.1", "localhost");
    assert!(url.starts_with("wss://"), "{url}");
    runtime().block_on(async {
        let dial = Dial {
            basic: Some(("CP1".into(), key.into())),
            ca: Some(ca.to_str().unwrap().into()),
            ..Dial::ocpp()
        };
        boot(&url, "CP1", &dial).await;
        // A plain ws:// client cannot talk to the TLS port.
        let plain = url.replace("wss://", "ws://");
        assert!(connect(&format!("{plain}/CP1"), &Dial::ocpp())
            .await
            .is_err());
    });
    let _ = std::fs::remove_dir_all(&dir);
    // Without ca_cert_out the CA goes to a temporary file that close removes.
    let mut c = std::sync::Arc::try_unwrap(csms(
        json!({"security_profile": 2, "authorization_key": "0123456789abcdef"}),
    ))
    .ok()
    .unwrap();
    let ca = std::path::PathBuf::from(c.endpoint().ca_cert_path.unwrap());
    assert!(ca.exists());
    c.close();
    assert!(!ca.exists());
}

#[test]
fn a_new_authorization_key_raises_the_connection_to_profile_1() {
    let c = csms(json!({}));
    let url = c.endpoint().url;
    runtime().block_on(async {
        let (ws, _) = connect(&format!("{url}/CP1"), &Dial::ocpp()).await.unwrap();
        assert_eq!(
            c.wait_connected(Some("CP1"), 2000)
                .unwrap()
                .security_profile,
            0
        );
        drop(ws);
        c.set_authorization_key(plugin_api::kinds::csms::SetAuthorizationKey {
            charge_point: None,
            authorization_key: "HarnessBasicKey-0001".into(),
        })
        .unwrap();
        let wrong = Dial {
            basic: Some(("CP1".into(), "old-key".into())),
            ..Dial::ocpp()
        };
        assert_eq!(
            http_status(&refused(&format!("{url}/CP1"), &wrong).await),
            Some(401)
        );
        let right = Dial {
            basic: Some(("CP1".into(), "HarnessBasicKey-0001".into())),
            ..Dial::ocpp()
        };
        let _ws = connect(&format!("{url}/CP1"), &right).await.unwrap();
        let deadline = std::time::Instant::now() + STEP;
        loop {
            let conns = c.connections();
            if conns.iter().any(|i| i.connected && i.security_profile == 1) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{conns:?}");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
}

#[test]
fn tls_profile_2_with_certificate_files() {
    let dir = std::env::temp_dir().join(format!("csms-tls-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (cert_path, key_path) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let c = csms(
        json!({"security_profile": 2, "authorization_key": "0123456789abcdef",
        "tls_cert": cert_path, "tls_key": key_path}),
    );
    let ep = c.endpoint();
    assert_eq!(
        ep.ca_cert_path, None,
        "nothing is generated when files are given"
    );
    let url = ep.url.replace("127.0.0.1", "localhost");
    runtime().block_on(async {
        let dial = Dial {
            basic: Some(("CP1".into(), "0123456789abcdef".into())),
            // The self-signed server certificate is its own trust anchor.
            ca: Some(cert_path.to_str().unwrap().into()),
            ..Dial::ocpp()
        };
        let _ws = boot(&url, "CP1", &dial).await;
        assert_eq!(
            c.wait_connected(Some("CP1"), 2000)
                .unwrap()
                .security_profile,
            2
        );
    });
    let bad = ocpp_csms::config::CsmsConfig::from_json(json!({"security_profile": 2,
        "authorization_key": "k", "tls_cert": dir.join("missing.pem"),
        "tls_key": key_path}))
    .unwrap();
    let e = ocpp_csms::MockCsms::open(bad).err().unwrap();
    assert!(e.message().contains("missing.pem"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn profile_1_also_serves_wss_for_an_upgrade_to_profile_2() {
    let key = "0123456789abcdef";
    let c = csms(json!({"security_profile": 1, "authorization_key": key}));
    let ep = c.endpoint();
    assert!(ep.url.starts_with("ws://"), "{}", ep.url);
    let ca = ep.ca_cert_path.clone().expect("a CA for the upgrade");
    let dial = Dial {
        basic: Some(("CP1".into(), key.into())),
        ..Dial::ocpp()
    };
    runtime().block_on(async {
        let (plain, _) = connect(&format!("{}/CP1", ep.url), &dial).await.unwrap();
        assert_eq!(
            c.wait_connected(Some("CP1"), 2000)
                .unwrap()
                .security_profile,
            1
        );
        drop(plain);
        let secure = Dial {
            ca: Some(ca.clone()),
            ..dial.clone()
        };
        let url = ep
            .url
            .replace("ws://", "wss://")
            .replace("127.0.0.1", "localhost");
        let _tls = connect(&format!("{url}/CP1"), &secure).await.unwrap();
        let deadline = std::time::Instant::now() + STEP;
        loop {
            let conns = c.connections();
            if conns.iter().any(|i| i.connected && i.security_profile == 2) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{conns:?}");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
}

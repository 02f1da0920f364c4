//! The plugin host against the real test plugin (built by cargo as a dev-dependency into the
//! folder next to this test binary).

use std::sync::Arc;

use harness::plugin_host::{PluginLibraries, PluginLibrary, SearchPath};
use plugin_api::kinds::csms;

fn test_plugin() -> Arc<PluginLibrary> {
    let libraries = PluginLibraries::new(SearchPath::from_process(&[]));
    libraries
        .get("test-plugin", "csms")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn table_fields_are_read() {
    let lib = test_plugin();
    assert_eq!(lib.name(), "test-plugin");
    assert_eq!(lib.kind(), "csms");
    assert_eq!(lib.version(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn open_errors_and_panics_name_the_plugin() {
    let lib = test_plugin();
    let e = lib
        .open(&serde_json::json!({"fail_open": true}))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("plugin `test-plugin` ("), "{e}");
    assert!(
        e.ends_with("open failed: key `fail_open`: asked to fail"),
        "{e}"
    );
    let e = lib
        .open(&serde_json::json!({"panic_open": true}))
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("open failed: panicked in open: test-plugin was asked to panic in open"),
        "{e}"
    );
}

#[test]
fn a_panic_kills_the_instance_only() {
    let lib = test_plugin();
    let dead = lib.open(&serde_json::json!({})).unwrap();
    let e = dead
        .call_blocking(&csms::GoOffline { for_ms: None })
        .unwrap_err();
    assert!(e.dead);
    assert_eq!(e.to_string(), "plugin `test-plugin` died in method `go_offline`: panicked: test-plugin panics in go_offline on purpose");
    let e = dead.call_blocking(&csms::GoOnline {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "plugin `test-plugin` died in method `go_online`: the instance died in an earlier call"
    );
    // Another instance of the same library is unaffected.
    let alive = lib.open(&serde_json::json!({})).unwrap();
    alive.call_blocking(&csms::GoOnline {}).unwrap();
    dead.close();
    dead.close();
}

#[test]
fn an_error_reply_names_plugin_and_method() {
    let instance = test_plugin().open(&serde_json::json!({})).unwrap();
    let e = instance
        .call_blocking(&csms::FailAction {
            action: "Heartbeat".into(),
            times: 1,
            error_code: "InternalError".into(),
        })
        .unwrap_err();
    assert!(!e.dead);
    assert_eq!(
        e.to_string(),
        "plugin `test-plugin` method `fail_action` failed: asked to fail for action `Heartbeat`"
    );
}

#[test]
fn calls_on_one_instance_never_overlap() {
    let instance = Arc::new(test_plugin().open(&serde_json::json!({})).unwrap());
    instance.drain_record().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let instance = Arc::clone(&instance);
            std::thread::spawn(move || {
                instance
                    .call_blocking(&csms::DelayAction {
                        action: "x".into(),
                        delay_ms: Some(30),
                    })
                    .unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut spans: Vec<(i64, i64)> = instance
        .drain_record()
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == "delay")
        .map(|o| {
            (
                o.data["start_us"].as_i64().unwrap(),
                o.data["end_us"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans.len(), 4);
    spans.sort();
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "calls overlapped: {pair:?}");
    }
}

#[test]
fn typed_async_call_round_trips_a_payload() {
    let instance = Arc::new(test_plugin().open(&serde_json::json!({})).unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let payload = serde_json::json!({"vendorId": "x", "data": "é ✓"});
    let reply = runtime
        .block_on(instance.call(csms::SendCall {
            charge_point: None,
            action: "DataTransfer".into(),
            payload: payload.clone(),
            timeout_ms: 10,
            unchecked: false,
        }))
        .unwrap();
    assert_eq!(reply, csms::CallOutcome::Result { payload });
}

#[test]
fn a_closed_instance_refuses_calls() {
    let instance = test_plugin().open(&serde_json::json!({})).unwrap();
    instance.close();
    let e = instance.call_blocking(&csms::GoOnline {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "plugin `test-plugin` method `go_online` failed: the instance is closed"
    );
}

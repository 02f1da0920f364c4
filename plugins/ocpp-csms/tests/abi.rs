//! The plugin through its exported C table, as the harness loads it.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;

use plugin_api::abi::{PluginTableV1, STATUS_ERROR, STATUS_OK};
use serde_json::{json, Value};

fn table() -> &'static PluginTableV1 {
    // SAFETY: the entry point returns a pointer to a static table.
    unsafe { &*ocpp_csms::plugin::harness_plugin_v1() }
}

/// Calls `method` and returns (status, reply text), freeing the plugin's string.
fn call(t: &PluginTableV1, inst: *mut c_void, method: &str, args: &Value) -> (i32, String) {
    let m = CString::new(method).unwrap();
    let a = CString::new(args.to_string()).unwrap();
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: valid instance and NUL-terminated strings; `out` is freed with the table's function.
    unsafe {
        let status = (t.call)(inst, m.as_ptr(), a.as_ptr(), &mut out);
        let text = CStr::from_ptr(out).to_str().unwrap().to_string();
        (t.free_string)(out);
        (status, text)
    }
}

#[test]
fn open_call_close_through_the_c_table() {
    let t = table();
    assert_eq!(t.abi_version, 1);
    // SAFETY: static NUL-terminated strings.
    let kind = unsafe { CStr::from_ptr(t.kind) }.to_str().unwrap();
    assert_eq!(kind, "csms");

    let bad = CString::new(r#"{"security_profile": 7}"#).unwrap();
    let mut inst: *mut c_void = ptr::null_mut();
    let mut err: *mut c_char = ptr::null_mut();
    // SAFETY: valid pointers; the error string is freed below.
    let status = unsafe { (t.open)(bad.as_ptr(), &mut inst, &mut err) };
    assert_eq!(status, STATUS_ERROR);
    let msg = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_string();
    unsafe { (t.free_string)(err) };
    assert!(msg.contains("security_profile"), "{msg}");

    let cfg = CString::new(r#"{"listen": "127.0.0.1:0"}"#).unwrap();
    // SAFETY: as above.
    let status = unsafe { (t.open)(cfg.as_ptr(), &mut inst, &mut err) };
    assert_eq!(status, STATUS_OK);

    let (s, ep) = call(t, inst, "endpoint", &json!({}));
    assert_eq!(s, STATUS_OK, "{ep}");
    let ep: Value = serde_json::from_str(&ep).unwrap();
    assert!(ep["url"].as_str().unwrap().starts_with("ws://127.0.0.1:"));
    let (s, _) = call(
        t,
        inst,
        "set_boot_response",
        &json!({"status": "Pending", "interval_s": 30}),
    );
    assert_eq!(s, STATUS_OK);
    let (s, e) = call(
        t,
        inst,
        "fail_action",
        &json!({"action": "Reset", "times": 1, "error_code": "InternalError"}),
    );
    assert_eq!(s, STATUS_ERROR);
    assert!(e.contains("Central System"), "{e}");
    let (s, e) = call(t, inst, "wait_connected", &json!({"timeout_ms": 10}));
    assert_eq!(s, STATUS_ERROR);
    assert!(
        e.contains("no charge point connected to ws://127.0.0.1:"),
        "{e}"
    );
    let (s, m) = call(t, inst, "mark", &json!({}));
    assert_eq!((s, m.as_str()), (STATUS_OK, r#"{"seq":0}"#));
    let (s, r) = call(t, inst, "drain_record", &json!({}));
    assert_eq!(s, STATUS_OK, "{r}");
    // SAFETY: the instance came from `open` and is not used afterwards.
    unsafe { (t.close)(inst) };
}

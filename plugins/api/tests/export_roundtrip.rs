//! Drives a plugin exported with `export_plugin!` through its raw C table, as a host would.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;

use plugin_api::abi::{PluginTableV1, STATUS_DEAD, STATUS_ERROR, STATUS_OK};
use plugin_api::kinds::rfid_emulator::{
    CardState, CardStatus, CommandAck, PresentCard, RemoveCard, RfidEmulator,
};
use plugin_api::{Observation, Plugin, PluginError};

struct FakeReader {
    uid: Option<String>,
    record: Vec<Observation>,
}

impl Plugin for FakeReader {
    const NAME: &'static str = "fake-rfid";
    const VERSION: &'static str = "9.9.9";
    fn open(config: serde_json::Value) -> Result<Self, PluginError> {
        if config.get("refuse").is_some() {
            return Err(PluginError::new("config key `refuse`: refused on purpose"));
        }
        Ok(FakeReader {
            uid: None,
            record: Vec::new(),
        })
    }
    fn drain_record(&mut self) -> Vec<Observation> {
        std::mem::take(&mut self.record)
    }
    fn close(&mut self) {
        self.uid = None;
    }
}

impl RfidEmulator for FakeReader {
    fn present(&mut self, args: PresentCard) -> Result<CommandAck, PluginError> {
        if args.uid_hex == "PANIC" {
            panic!("asked to panic");
        }
        plugin_api::kinds::rfid_emulator::parse_uid(&args.uid_hex)?;
        self.record.push(Observation::new(
            "card",
            serde_json::json!({"uid": args.uid_hex}),
        ));
        self.uid = Some(args.uid_hex);
        Ok(CommandAck::now())
    }
    fn remove(&mut self, _: RemoveCard) -> Result<CommandAck, PluginError> {
        self.uid = None;
        Ok(CommandAck::now())
    }
    fn status(&mut self, _: CardStatus) -> Result<CardState, PluginError> {
        Ok(CardState {
            present: self.uid.is_some(),
            uid_hex: self.uid.clone(),
        })
    }
}

plugin_api::export_plugin!(rfid_emulator: FakeReader);

fn table() -> &'static PluginTableV1 {
    unsafe { &*harness_plugin_v1() }
}

fn c_str(p: *const c_char) -> String {
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()
}

fn take(t: &PluginTableV1, s: *mut c_char) -> String {
    let text = c_str(s);
    unsafe { (t.free_string)(s) };
    text
}

fn call(t: &PluginTableV1, inst: *mut c_void, method: &str, args: &str) -> (i32, String) {
    let m = CString::new(method).unwrap();
    let a = CString::new(args).unwrap();
    let mut out: *mut c_char = ptr::null_mut();
    let status = unsafe { (t.call)(inst, m.as_ptr(), a.as_ptr(), &mut out) };
    (status, take(t, out))
}

fn open(t: &PluginTableV1, config: &str) -> Result<*mut c_void, (i32, String)> {
    let c = CString::new(config).unwrap();
    let mut inst: *mut c_void = ptr::null_mut();
    let mut err: *mut c_char = ptr::null_mut();
    let status = unsafe { (t.open)(c.as_ptr(), &mut inst, &mut err) };
    if status == STATUS_OK {
        Ok(inst)
    } else {
        Err((status, take(t, err)))
    }
}

#[test]
fn the_table_describes_the_plugin() {
    let t = table();
    assert_eq!(t.abi_version, 1);
    assert_eq!(c_str(t.name), "fake-rfid");
    assert_eq!(c_str(t.version), "9.9.9");
    assert_eq!(c_str(t.kind), "rfid-emulator");
}

#[test]
fn typed_calls_round_trip_as_json() {
    let t = table();
    let inst = open(t, "{}").unwrap();
    let (s, out) = call(t, inst, "present", r#"{"uid_hex":"04A2B3C4D5E6F7"}"#);
    assert_eq!(s, STATUS_OK, "{out}");
    let _: CommandAck = serde_json::from_str(&out).unwrap();
    let (s, out) = call(t, inst, "status", "");
    assert_eq!(s, STATUS_OK);
    let state: CardState = serde_json::from_str(&out).unwrap();
    assert_eq!(state.uid_hex.as_deref(), Some("04A2B3C4D5E6F7"));
    let (s, out) = call(t, inst, "drain_record", "{}");
    assert_eq!(s, STATUS_OK);
    let record: Vec<Observation> = serde_json::from_str(&out).unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(record[0].kind, "card");
    unsafe { (t.close)(inst) };
}

#[test]
fn errors_are_one_line_messages() {
    let t = table();
    let inst = open(t, "{}").unwrap();
    let (s, out) = call(t, inst, "present", r#"{"uid_hex":"0102"}"#);
    assert_eq!(s, STATUS_ERROR);
    assert!(out.contains("2 bytes"), "{out}");
    let (s, out) = call(t, inst, "presnet", "{}");
    assert_eq!(s, STATUS_ERROR);
    assert!(out.contains("unknown method `presnet`"), "{out}");
    let (s, out) = call(t, inst, "present", r#"{"uid":"01020304"}"#);
    assert_eq!(s, STATUS_ERROR);
    assert!(out.contains("bad arguments for method `present`"), "{out}");
    unsafe { (t.close)(inst) };
}

#[test]
fn open_refusal_and_bad_config_are_reported() {
    let t = table();
    let (s, msg) = open(t, r#"{"refuse":true}"#).unwrap_err();
    assert_eq!(s, STATUS_ERROR);
    assert!(msg.contains("refuse"));
    let (s, msg) = open(t, "{not json").unwrap_err();
    assert_eq!(s, STATUS_ERROR);
    assert!(msg.contains("config is not JSON"), "{msg}");
}

#[test]
fn a_panic_is_caught_and_the_instance_is_dead_afterwards() {
    let t = table();
    let inst = open(t, "{}").unwrap();
    let (s, out) = call(t, inst, "present", r#"{"uid_hex":"PANIC"}"#);
    assert_eq!(s, STATUS_DEAD);
    assert!(out.contains("asked to panic"), "{out}");
    let (s, out) = call(t, inst, "status", "{}");
    assert_eq!(s, STATUS_DEAD);
    assert!(out.contains("dead"), "{out}");
    unsafe { (t.close)(inst) };
}

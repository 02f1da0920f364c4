//! A minimal host for tests: drives a plugin through its exported C table exactly as the
//! harness does (open, call, drain_record, close, free_string), without `dlopen`.
//! Shared by the three instrument plugins' tests through `#[path]`.

#![allow(dead_code)]

use std::ffi::{c_char, c_void, CStr, CString};

use plugin_api::abi::{EntryFn, PluginTableV1, STATUS_OK};
use plugin_api::Method;

/// One open plugin instance.
pub struct AbiInstance {
    table: &'static PluginTableV1,
    instance: *mut c_void,
}

// The harness moves instances between blocking threads too; calls stay serialized.
unsafe impl Send for AbiInstance {}

fn take_string(table: &PluginTableV1, s: *mut c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: the plugin returned a NUL-terminated string it owns until free_string.
    let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    unsafe { (table.free_string)(s) };
    text
}

/// The table's name, version and kind strings.
pub fn describe(entry: EntryFn) -> (u32, String, String, String) {
    // SAFETY: the entry point returns a pointer to a static table of static C strings.
    let table: &'static PluginTableV1 = unsafe { &*entry() };
    let text = |p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    (
        table.abi_version,
        text(table.name),
        text(table.version),
        text(table.kind),
    )
}

/// Opens an instance with `config`; the error is the plugin's one-line message.
pub fn open(entry: EntryFn, config: &serde_json::Value) -> Result<AbiInstance, String> {
    // SAFETY: the entry point returns a pointer to a static table.
    let table: &'static PluginTableV1 = unsafe { &*entry() };
    assert_eq!(table.abi_version, 1);
    let config = CString::new(config.to_string()).unwrap();
    let mut instance = std::ptr::null_mut();
    let mut error = std::ptr::null_mut();
    let status = unsafe { (table.open)(config.as_ptr(), &mut instance, &mut error) };
    if status == STATUS_OK {
        Ok(AbiInstance { table, instance })
    } else {
        Err(take_string(table, error))
    }
}

impl AbiInstance {
    /// Calls `method` with raw JSON; `Err((status, message))` when not OK.
    pub fn call_raw(&mut self, method: &str, args_json: &str) -> Result<String, (i32, String)> {
        let method = CString::new(method).unwrap();
        let args = CString::new(args_json).unwrap();
        let mut out = std::ptr::null_mut();
        let status =
            unsafe { (self.table.call)(self.instance, method.as_ptr(), args.as_ptr(), &mut out) };
        let text = take_string(self.table, out);
        if status == STATUS_OK {
            Ok(text)
        } else {
            Err((status, text))
        }
    }

    /// A typed call, as the harness makes it.
    pub fn call<M: Method>(&mut self, args: M) -> Result<M::Reply, String> {
        let json = serde_json::to_string(&args).unwrap();
        let reply = self.call_raw(M::NAME, &json).map_err(|(_, e)| e)?;
        Ok(serde_json::from_str(&reply).expect("reply matches its declared type"))
    }

    pub fn drain_record(&mut self) -> Vec<plugin_api::Observation> {
        let reply = self.call_raw("drain_record", "{}").expect("drain_record");
        serde_json::from_str(&reply).unwrap()
    }

    /// Closes the instance (safe state).
    pub fn close(self) {
        unsafe { (self.table.close)(self.instance) };
    }
}

//! The raw C ABI, version 1. See `include/harness_plugin.h` for the same contract in C.
//!
//! Ownership: strings passed into a plugin are borrowed for the duration of the call; strings a
//! plugin hands out (`out_error`, `out_result`) are owned by the host until it gives them back
//! through `free_string`. The table itself and its name/version/kind strings are static.

use std::ffi::{c_char, c_void};

/// The call succeeded; the out string is the reply as JSON.
pub const STATUS_OK: i32 = 0;
/// The call failed; the out string is a one-line UTF-8 message.
pub const STATUS_ERROR: i32 = 1;
/// The plugin panicked; the out string says where. Only `close` may follow.
pub const STATUS_DEAD: i32 = 2;

pub type OpenFn = unsafe extern "C" fn(
    config_json: *const c_char,
    out_instance: *mut *mut c_void,
    out_error: *mut *mut c_char,
) -> i32;
pub type CallFn = unsafe extern "C" fn(
    instance: *mut c_void,
    method: *const c_char,
    args_json: *const c_char,
    out_result: *mut *mut c_char,
) -> i32;
pub type CloseFn = unsafe extern "C" fn(instance: *mut c_void);
pub type FreeStringFn = unsafe extern "C" fn(s: *mut c_char);
/// The type of the exported `harness_plugin_v1` symbol.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginTableV1;

/// The table a plugin's entry symbol returns.
#[repr(C)]
pub struct PluginTableV1 {
    pub abi_version: u32,
    pub name: *const c_char,
    pub version: *const c_char,
    pub kind: *const c_char,
    pub open: OpenFn,
    pub call: CallFn,
    pub close: CloseFn,
    pub free_string: FreeStringFn,
}

/// A table that may live in a `static`: its pointers only ever point at leaked, immutable
/// strings and at functions.
#[repr(transparent)]
pub struct StaticTable(pub PluginTableV1);

// SAFETY: every pointer in the table refers to immutable data that lives for the whole life of
// the library (leaked C strings), so sharing it between threads is sound.
unsafe impl Sync for StaticTable {}
unsafe impl Send for StaticTable {}

impl StaticTable {
    pub fn as_ptr(&self) -> *const PluginTableV1 {
        &self.0
    }
}

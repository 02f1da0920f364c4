//! The glue behind [`export_plugin!`](crate::export_plugin): generic `extern "C"` functions
//! that turn the raw ABI into safe calls on a [`Plugin`], catching every panic.

use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::abi::{PluginTableV1, StaticTable, STATUS_DEAD, STATUS_ERROR, STATUS_OK};
use crate::{Plugin, PluginError, ABI_VERSION};

/// Implemented by `export_plugin!` for the plugin type: routes a method name to the kind trait.
pub trait Dispatch: Plugin {
    const KIND: &'static str;
    fn dispatch(&mut self, method: &str, args_json: &str) -> Result<String, PluginError>;
}

/// Method name every kind answers: hands over the observation record.
pub const DRAIN_RECORD: &str = "drain_record";

struct Instance<P> {
    plugin: P,
    /// Set once a call panicked: the plugin's state can no longer be trusted.
    dead: bool,
}

/// Builds the static table for `P`; called once by the generated entry symbol.
pub fn table<P: Dispatch>() -> StaticTable {
    StaticTable(PluginTableV1 {
        abi_version: ABI_VERSION,
        name: leak_c_string(P::NAME),
        version: leak_c_string(P::VERSION),
        kind: leak_c_string(P::KIND),
        open: open::<P>,
        call: call::<P>,
        close: close::<P>,
        free_string,
    })
}

fn leak_c_string(s: &str) -> *const c_char {
    CString::new(s.replace('\0', ""))
        .expect("NUL bytes were removed")
        .into_raw()
}

fn to_c_string(s: String) -> *mut c_char {
    // Interior NUL bytes cannot cross a C string; replace them rather than lose the message.
    CString::new(s.replace('\0', "\u{FFFD}"))
        .expect("NUL bytes were replaced")
        .into_raw()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// # Safety
/// `s` must be a string the host received from the C string pointer (not null checked here).
unsafe fn borrow_str<'a>(s: *const c_char, what: &str) -> Result<&'a str, PluginError> {
    if s.is_null() {
        return Err(PluginError::new(format!("{what} is a null pointer")));
    }
    CStr::from_ptr(s)
        .to_str()
        .map_err(|_| PluginError::new(format!("{what} is not valid UTF-8")))
}

unsafe extern "C" fn open<P: Dispatch>(
    config_json: *const c_char,
    out_instance: *mut *mut c_void,
    out_error: *mut *mut c_char,
) -> i32 {
    if out_instance.is_null() || out_error.is_null() {
        return STATUS_ERROR;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let text = borrow_str(config_json, "config")?;
        let config: serde_json::Value = if text.trim().is_empty() {
            serde_json::Value::Object(Default::default())
        } else {
            serde_json::from_str(text)
                .map_err(|e| PluginError::new(format!("config is not JSON: {e}")))?
        };
        P::open(config)
    }));
    match outcome {
        Ok(Ok(plugin)) => {
            let boxed = Box::new(Instance {
                plugin,
                dead: false,
            });
            *out_instance = Box::into_raw(boxed) as *mut c_void;
            STATUS_OK
        }
        Ok(Err(e)) => {
            *out_error = to_c_string(e.message().to_string());
            STATUS_ERROR
        }
        Err(payload) => {
            *out_error = to_c_string(format!("panicked in open: {}", panic_message(&*payload)));
            STATUS_DEAD
        }
    }
}

unsafe extern "C" fn call<P: Dispatch>(
    instance: *mut c_void,
    method: *const c_char,
    args_json: *const c_char,
    out_result: *mut *mut c_char,
) -> i32 {
    if instance.is_null() || out_result.is_null() {
        return STATUS_ERROR;
    }
    let instance = &mut *(instance as *mut Instance<P>);
    if instance.dead {
        *out_result = to_c_string("plugin is dead after an earlier panic".to_string());
        return STATUS_DEAD;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let method = borrow_str(method, "method name")?;
        let args = borrow_str(args_json, "arguments")?;
        if method == DRAIN_RECORD {
            let record = instance.plugin.drain_record();
            return crate::encode_reply(&record);
        }
        instance.plugin.dispatch(method, args)
    }));
    match outcome {
        Ok(Ok(json)) => {
            *out_result = to_c_string(json);
            STATUS_OK
        }
        Ok(Err(e)) => {
            *out_result = to_c_string(e.message().to_string());
            STATUS_ERROR
        }
        Err(payload) => {
            instance.dead = true;
            *out_result = to_c_string(format!("panicked: {}", panic_message(&*payload)));
            STATUS_DEAD
        }
    }
}

unsafe extern "C" fn close<P: Dispatch>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    let mut boxed = Box::from_raw(instance as *mut Instance<P>);
    // Even a dead instance gets the chance to make its instrument safe; a panic here is
    // swallowed because it must not cross the boundary.
    let _ = catch_unwind(AssertUnwindSafe(|| boxed.plugin.close()));
    let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
}

unsafe extern "C" fn free_string(s: *mut c_char) {
    if !s.is_null() {
        drop(CString::from_raw(s));
    }
}

/// Exports a Rust type as a harness plugin of the given kind.
///
/// ```text
/// plugin_api::export_plugin!(ev_emulator: MyEmulator);
/// ```
/// The kind is the module name under [`plugin_api::kinds`](crate::kinds); the type must
/// implement [`Plugin`](crate::Plugin) and that kind's trait.
#[macro_export]
macro_rules! export_plugin {
    ($kind:ident : $ty:ty) => {
        impl $crate::export::Dispatch for $ty {
            const KIND: &'static str = $crate::kinds::$kind::KIND;
            fn dispatch(
                &mut self,
                method: &str,
                args_json: &str,
            ) -> ::std::result::Result<::std::string::String, $crate::PluginError> {
                $crate::kinds::$kind::dispatch(self, method, args_json)
            }
        }

        /// The plugin's entry point, ABI version 1.
        #[no_mangle]
        pub extern "C" fn harness_plugin_v1() -> *const $crate::abi::PluginTableV1 {
            static TABLE: ::std::sync::OnceLock<$crate::abi::StaticTable> =
                ::std::sync::OnceLock::new();
            TABLE.get_or_init($crate::export::table::<$ty>).as_ptr()
        }
    };
}

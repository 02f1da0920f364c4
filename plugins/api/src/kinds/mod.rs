//! The typed method sets of the four instrument kinds, shared by host and plugins.
//!
//! Each kind module declares, through [`method_set!`], one trait with a function per method
//! (implemented by the plugin), an argument struct per method implementing
//! [`Method`](crate::Method) (used by the host), the kind's name and a `dispatch` function used
//! by [`export_plugin!`](crate::export_plugin). Every kind also answers `drain_record`.

pub mod csms;
pub mod ev_emulator;
pub mod power_analyser;
pub mod rfid_emulator;

use serde::{Deserialize, Serialize};

/// The reply of a command that only needs to say when the instrument accepted it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CommandAck {
    /// When the instrument confirmed the command, µs since the Unix epoch (plugin clock).
    pub at_us: i64,
}

impl CommandAck {
    pub fn now() -> Self {
        CommandAck {
            at_us: crate::now_us(),
        }
    }
}

/// The host-side marker of `drain_record`, which every kind answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainRecord {}

impl crate::Method for DrainRecord {
    const NAME: &'static str = crate::export::DRAIN_RECORD;
    type Reply = Vec<crate::Observation>;
}

/// Declares a kind's method set. See the kind modules for its use.
#[macro_export]
#[doc(hidden)]
macro_rules! method_set {
    (
        kind = $kind:literal;
        $(#[$tmeta:meta])*
        trait $Trait:ident {
            $( $(#[$mmeta:meta])* fn $fname:ident($Args:ident) -> $Reply:ty; )*
        }
    ) => {
        /// The kind's name in the ABI table and in rig files.
        pub const KIND: &str = $kind;

        /// Every method name of this kind, `drain_record` included.
        pub const METHODS: &[&str] = &[$(stringify!($fname),)* $crate::export::DRAIN_RECORD];

        $(#[$tmeta])*
        pub trait $Trait {
            $( $(#[$mmeta])* fn $fname(&mut self, args: $Args) -> ::std::result::Result<$Reply, $crate::PluginError>; )*
        }

        $(
            impl $crate::Method for $Args {
                const NAME: &'static str = stringify!($fname);
                type Reply = $Reply;
            }
        )*

        /// Routes one call to the kind trait; used by `export_plugin!`.
        pub fn dispatch<P: $Trait>(
            plugin: &mut P,
            method: &str,
            args_json: &str,
        ) -> ::std::result::Result<::std::string::String, $crate::PluginError> {
            match method {
                $(
                    stringify!($fname) => {
                        let args: $Args = $crate::decode_args(method, args_json)?;
                        let reply = plugin.$fname(args)?;
                        $crate::encode_reply(&reply)
                    }
                )*
                other => Err($crate::PluginError::new(format!(
                    "unknown method `{other}` for a {} plugin (known: {})",
                    KIND,
                    METHODS.join(", ")
                ))),
            }
        }
    };
}

//! The plugin contract of the conformance harness, ABI version 1.
//!
//! A plugin is a shared library exporting one symbol, `harness_plugin_v1`, that returns a pointer
//! to a [`abi::PluginTableV1`]. Everything crosses the boundary as UTF-8 JSON, so a plugin can be
//! written in any language that can export C functions (see `include/harness_plugin.h`).
//!
//! Rust plugin authors never touch the raw ABI. They implement [`Plugin`] plus the typed trait of
//! their instrument kind (for example [`kinds::ev_emulator::EvEmulator`]) and call
//! [`export_plugin!`]. The same method types are used by the host: each argument struct
//! implements [`Method`], which names the method and its reply type, so a misspelt method is a
//! compile error on both sides.

pub mod abi;
mod error;
#[doc(hidden)]
pub mod export;
pub mod kinds;
mod method;
mod observation;
pub mod transport;

pub use error::PluginError;
pub use method::{decode_args, decode_reply, encode_reply, Method};
pub use observation::{now_us, Observation};

/// The ABI version this crate implements; a host refuses any other.
pub const ABI_VERSION: u32 = 1;

/// The name of the one symbol every plugin exports.
pub const ENTRY_SYMBOL: &str = "harness_plugin_v1";

/// What every plugin is, whatever its kind.
///
/// The instance lives from `open` to `close`; the host serializes calls per instance, so
/// `&mut self` is all the synchronization a plugin needs for its own state.
pub trait Plugin: Sized + Send + 'static {
    /// Short name, shown in errors and reports (for example `ev-emulator`).
    const NAME: &'static str;
    /// The plugin's own version.
    const VERSION: &'static str;

    /// Opens an instance from the rig section's configuration (a JSON object). Errors should name
    /// the offending key.
    fn open(config: serde_json::Value) -> Result<Self, PluginError>;

    /// Hands over, and forgets, everything observed since the last drain. The host calls this
    /// after every scenario for traces and plots.
    fn drain_record(&mut self) -> Vec<Observation>;

    /// Puts the instrument in its safe state and releases it. Called exactly once.
    fn close(&mut self);
}

/// The instrument kinds a rig can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PluginKind {
    Csms,
    EvEmulator,
    PowerAnalyser,
    RfidEmulator,
}

impl PluginKind {
    pub const ALL: [PluginKind; 4] = [
        PluginKind::Csms,
        PluginKind::EvEmulator,
        PluginKind::PowerAnalyser,
        PluginKind::RfidEmulator,
    ];

    /// The spelling used in the ABI table and in rig files.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginKind::Csms => kinds::csms::KIND,
            PluginKind::EvEmulator => kinds::ev_emulator::KIND,
            PluginKind::PowerAnalyser => kinds::power_analyser::KIND,
            PluginKind::RfidEmulator => kinds::rfid_emulator::KIND,
        }
    }

    pub fn parse(s: &str) -> Option<PluginKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for PluginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

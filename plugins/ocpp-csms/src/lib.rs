//! Mock OCPP 1.6J Central System (CSMS) plugin: serves charge points over WebSocket, validates
//! every frame strictly, answers as the scenario scripts it, and records everything.
//!
//! Layers: `validate` (pure frame/schema checks), `script` (pure answer logic), `state` (shared
//! record), `server` (handshake, TLS, connections on the plugin's own tokio runtime),
//! `fileserver`, `instance` (blocking operations) and `plugin` (the `csms` method set).

pub mod config;
pub mod fileserver;
pub mod instance;
pub mod matching;
pub mod plugin;
pub mod script;
pub mod server;
pub mod state;
pub mod validate;

pub use instance::MockCsms;
pub use plugin::CsmsPlugin;

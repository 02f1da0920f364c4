//! The conformance harness: runs Gherkin features against a charger on a rig, through bench
//! instruments loaded as plugins.

pub mod plugin_host;
pub mod rig;

//! The conformance harness: runs Gherkin features against a charger on a rig, through bench
//! instruments loaded as plugins.
//!
//! `main.rs` only calls [`main_entry`]; everything lives in these modules so that tests and the
//! benchmark reach the same code.

pub mod cli;
pub mod features;
pub mod local_ui;
pub mod multicall;
pub mod plugin_host;
pub mod process;
pub mod rig;
pub mod runner;
pub mod steps;

pub use runner::main_entry;

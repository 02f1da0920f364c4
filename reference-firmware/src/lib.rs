//! Reference firmware of an AC wallbox of the Halo family.
//!
//! - [`core`]: the sans-IO charging core (pilot and contactor, proximity, current limit,
//!   residual current, temperature, metering, authorization, lights, variants). Deterministic;
//!   time is an input.
//! - [`shell`]: the Linux shell around it (tokio): the power-board link over a serial port,
//!   crash-safe storage in the state directory, the event loop.
//! - [`ocpp_transport`]: the OCPP-J WebSocket connection to the CSMS.
//! - [`ui`]: the local management interface (web pages and JSON API).
//! - [`cli`]: the command line (`reference-firmware --board <tty> --state-dir DIR ...`).

pub mod cli;
pub mod core;
pub mod ocpp_transport;
pub mod shell;
pub mod ui;

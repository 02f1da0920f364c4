//! Sans-IO OCPP 1.6J charge point of the reference firmware.
//!
//! [`ChargePoint`] is a deterministic state machine: the shell feeds it the
//! current time, WebSocket events, CSMS frames and charging-core events, then
//! drains [`Output`]s with [`ChargePoint::poll_output`] and sleeps until
//! [`ChargePoint::poll_timeout`]. No sockets, threads or clocks inside.
//! The interface and an example follow (from README.md).
#![doc = include_str!("../README.md")]

pub mod auth;
pub mod charge_point;
pub mod config;
pub mod defects;
pub mod firmware;
pub mod frame;
pub mod io;
pub mod metering;
pub mod reservation;
pub mod security_log;
pub mod smart_charging;
pub mod transport;
pub mod tx_queue;

pub use charge_point::{ChargePoint, Registration, Transaction};
pub use defects::{OcppDefect, OcppDefects};
pub use io::{
    Cable, CoreEvent, MeterReading, Output, PhaseValues, ResetKind, Settings, StoredState,
};
pub use rust_ocpp::v1_6 as ocpp;

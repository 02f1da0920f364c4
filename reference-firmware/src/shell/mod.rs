//! The Linux shell around the core: the power-board link over a serial port, crash-safe
//! storage, the tokio event loop, the OCPP link and the local interface's backend.

pub mod board;
pub mod core_bridge;
pub mod file_transfer;
pub mod firmware_image;
pub mod ocpp_link;
pub mod ocpp_store;
pub mod runtime;
pub mod security_upgrade;
pub mod storage;
pub mod ui_backend;
pub mod unit_config;

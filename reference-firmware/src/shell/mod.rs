//! The Linux shell around the core: the power-board link over a serial port, crash-safe
//! storage and the tokio event loop.

pub mod board;
pub mod runtime;
pub mod storage;

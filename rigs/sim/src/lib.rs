//! The emulated test bench: the charger's power board, the vehicle, the mains and the bench
//! instruments, in software.
//!
//! The core is [`sim::Sim`], a deterministic model stepped with the time as an input. Around it,
//! the protocol handlers in [`instruments`], [`control`] and [`board`] turn lines and frames
//! into calls on the model, and [`rig`] is the thin I/O shell that serves them on
//! pseudo-terminals from one thread.

pub mod board;
pub mod cli;
pub mod control;
pub mod instruments;
pub mod lines;
pub mod physics;
pub mod rig;
pub mod sim;

pub use rig::{Rig, RigConfig, RigPaths, RunningRig};

/// Simulation time: the time since the rig started. Every model takes it as an input.
pub type SimTime = std::time::Duration;

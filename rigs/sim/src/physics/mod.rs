//! Electrical and mechanical models with real values. Everything here is a pure function of its
//! inputs and of the time it is given.

pub mod contactor;
pub mod cp;
pub mod integrator;
pub mod lock;
pub mod mains;
pub mod meter;
pub mod power;
pub mod pp;
pub mod rcm;
pub mod vehicle;

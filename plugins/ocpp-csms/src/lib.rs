//! Mock OCPP 1.6J Central System (CSMS) plugin: serves charge points over WebSocket, validates
//! every frame strictly, answers as the scenario scripts it, and records everything.

pub mod validate;

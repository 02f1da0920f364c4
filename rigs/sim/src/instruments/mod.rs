//! The bench instruments, each speaking its real protocol over a line-oriented transport.

pub mod analyser;
pub mod ev;
pub mod ev_can;
pub mod rfid;
pub mod scpi;

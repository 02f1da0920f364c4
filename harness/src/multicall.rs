//! The harness binary is multi-call, so `cargo run -- features/` builds everything an emulated
//! rig needs: `harness __rig-sim ARGS` is the rig simulator and `harness __firmware ARGS` the
//! reference firmware. Both crates expose `cli::main_with_args(args without program name)`.

use std::ffi::OsString;
use std::process::ExitCode;

/// The hidden first argument that runs the rig simulator.
pub const RIG_SIM: &str = "__rig-sim";
/// The hidden first argument that runs the reference firmware.
pub const FIRMWARE: &str = "__firmware";

/// Runs the tool named by `args[1]` if it is one of the hidden multi-call names.
pub fn dispatch(args: &[OsString]) -> Option<ExitCode> {
    let which = args.get(1)?.to_str()?;
    let rest: Vec<OsString> = args[2..].to_vec();
    match which {
        RIG_SIM => Some(rig_sim::cli::main_with_args(rest)),
        FIRMWARE => Some(reference_firmware::cli::main_with_args(rest)),
        _ => None,
    }
}

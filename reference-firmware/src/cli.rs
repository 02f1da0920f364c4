//! x
pub fn main_with_args(_args: Vec<std::ffi::OsString>) -> std::process::ExitCode { std::process::ExitCode::SUCCESS }

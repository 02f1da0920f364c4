//! `harness`: see the library's `runner` module.

fn main() -> std::process::ExitCode {
    harness::main_entry(std::env::args_os().collect())
}

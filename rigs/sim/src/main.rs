fn main() -> std::process::ExitCode {
    rig_sim::cli::main_with_args(std::env::args_os().skip(1).collect())
}

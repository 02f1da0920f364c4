fn main() -> std::process::ExitCode {
    reference_firmware::cli::main_with_args(std::env::args_os().skip(1).collect())
}

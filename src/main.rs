use std::process::ExitCode;

fn main() -> ExitCode {
    anjoman::cli::main()
}

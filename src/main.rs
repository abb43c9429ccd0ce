use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    anjoman::cli::run(anjoman::cli::Cli::parse()).await
}

//! Temporary entry point of the driver branch: `perfreport run` and `perfreport target` only.

use clap::{Parser, Subcommand};
use perfreport::driver::{self, RunArgs};
use perfreport::target::{self, TargetArgs};

/// perfreport: Locust-compatible load driver and demo target.
#[derive(Parser)]
#[command(name = "perfreport", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a load test and write Locust's CSV files.
    Run(RunArgs),
    /// Serve the embedded demo target.
    Target(TargetArgs),
}

fn main() {
    let code = match Cli::parse().command {
        Command::Run(args) => match driver::run(&args) {
            Ok(outcome) => outcome.exit_code,
            Err(e) => {
                eprintln!("error: {e}");
                e.exit_code()
            }
        },
        Command::Target(args) => match target::serve(&args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                e.exit_code()
            }
        },
    };
    std::process::exit(code);
}

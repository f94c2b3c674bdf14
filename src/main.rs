//! perfreport's entry point: parse the command line, run the command, map the result to an
//! exit code (0 ok, 1 regression, 2 bad usage or input).

use std::error::Error;
use std::process::ExitCode;

use clap::Parser;

use perfreport::cli::{Cli, Command};
use perfreport::error::{exit_code, EXIT_BAD_INPUT};
use perfreport::{archive, commands};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Summary(args) => commands::summary(args),
        Command::Compare(args) => commands::compare_runs(args),
        Command::Archive(args) => archive::commands::archive(args),
        Command::List(args) => archive::commands::list(args),
        Command::History(args) => archive::commands::history_cmd(args),
        Command::Verify(args) => archive::commands::verify_cmd(args),
    };
    match result {
        Ok(outcome) => ExitCode::from(exit_code(outcome)),
        Err(err) => {
            let mut message = format!("perfreport: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

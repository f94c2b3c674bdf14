//! perfreport's entry point: parse the command line, run the command, map the result to an
//! exit code (0 ok, 1 regression or failed check, 2 bad usage or input; `run` exits as Locust
//! does).

use std::error::Error;
use std::process::ExitCode;

use clap::Parser;

use perfreport::cli::{Cli, Command};
use perfreport::error::{exit_code, EXIT_BAD_INPUT};
use perfreport::report::escape;
use perfreport::{archive, commands};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Summary(args) => commands::summary(args).map(exit_code),
        Command::Compare(args) => commands::compare_runs(args).map(exit_code),
        Command::Check(args) => commands::check(args).map(exit_code),
        Command::Run(args) => commands::run_load(args),
        Command::Target(args) => commands::serve_target(args).map(|()| 0),
        Command::Report(args) => commands::report(args).map(exit_code),
        Command::Signoff(args) => perfreport::signoff::command::signoff(args).map(exit_code),
        Command::Demo(args) => perfreport::signoff::command::demo(args).map(exit_code),
        Command::Capacity(args) => commands::capacity(args).map(exit_code),
        Command::Archive(args) => archive::commands::archive(args).map(exit_code),
        Command::List(args) => archive::commands::list(args).map(exit_code),
        Command::History(args) => archive::commands::history_cmd(args).map(exit_code),
        Command::Verify(args) => archive::commands::verify_cmd(args).map(exit_code),
        Command::Completions(args) => commands::completions(args).map(exit_code),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Messages quote paths, names and values from the input: escape each one.
            let mut message = format!("perfreport: {}", escape::terminal(&err.to_string()));
            // Each cause once: a message that already quotes its cause is not followed by it.
            let mut source = err.source();
            while let Some(cause) = source {
                let text = escape::terminal(&cause.to_string());
                if !message.contains(&text) {
                    message.push_str(&format!("\n  caused by: {text}"));
                }
                source = cause.source();
            }
            eprintln!("{message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

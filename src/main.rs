//! perfreport's entry point: parse the command line, run the command, map the result to an
//! exit code (0 ok, 1 regression or failed check, 2 bad usage or input; `run` exits as Locust
//! does).

use std::error::Error;
use std::process::ExitCode;

use clap::Parser;

use perfreport::cli::Cli;
use perfreport::cmd;
use perfreport::cmd::error::EXIT_BAD_INPUT;
use perfreport::report::escape;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cmd::dispatch(&cli.command) {
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

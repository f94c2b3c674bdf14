//! `perfreport completions SHELL` and `perfreport man [SUBCOMMAND]`: what the shell and
//! `man` need, generated from the one command-line definition.

use super::emit_to;
use crate::cli::{CompletionsArgs, ManArgs};
use crate::cmd::error::{AppError, Outcome};

/// `perfreport completions SHELL`: the shell's completion script on standard output.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome, AppError> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "perfreport", &mut script);
    emit_to(None, &String::from_utf8_lossy(&script))?;
    Ok(Outcome::Ok)
}

/// `perfreport man [SUBCOMMAND]`: a roff man page on standard output.
pub fn man(args: &ManArgs) -> Result<Outcome, AppError> {
    let command = <crate::cli::Cli as clap::CommandFactory>::command();
    let page = match &args.subcommand {
        None => command,
        Some(name) => {
            let sub = command.find_subcommand(name).cloned().ok_or_else(|| {
                let known: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                AppError::Usage(format!(
                    "no subcommand `{name}`; expected one of {}",
                    known.join(", ")
                ))
            })?;
            sub.name(format!("perfreport-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|source| AppError::Write {
            path: "<stdout>".into(),
            source,
        })?;
    emit_to(None, &String::from_utf8_lossy(&roff))?;
    Ok(Outcome::Ok)
}

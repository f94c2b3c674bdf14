//! `perfreport completions SHELL`.

use super::emit_to;
use crate::cli::CompletionsArgs;
use crate::error::{AppError, Outcome};

/// `perfreport completions SHELL`: the shell's completion script on standard output.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome, AppError> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "perfreport", &mut script);
    emit_to(None, &String::from_utf8_lossy(&script))?;
    Ok(Outcome::Ok)
}

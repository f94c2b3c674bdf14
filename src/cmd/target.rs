//! `perfreport target`: the embedded demo service.

use crate::cli::TargetArgs;
use crate::cmd::error::AppError;

/// `perfreport target`: serve until Ctrl-C or SIGTERM.
pub fn serve_target(args: &TargetArgs) -> Result<(), AppError> {
    crate::target::serve(&args.config()?)?;
    Ok(())
}

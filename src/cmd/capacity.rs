//! `perfreport capacity`: the stepped search for the knee, with the embedded driver.

use super::{color_wanted, emit_to, is_stdout};
use crate::cli::{CapacityArgs, ColorChoice};
use crate::cmd::error::{AppError, Outcome};
use crate::report::ReportError;

/// `perfreport capacity`: the stepped search, one line per stage on standard error, the
/// result in `--format` (and `--html`); exit 0 when it found a knee or ran every stage.
pub fn capacity(args: &CapacityArgs) -> Result<Outcome, AppError> {
    let config = args.config()?;
    // The search takes minutes: a file it could not write is refused before it starts.
    for path in args
        .output
        .iter()
        .chain(&args.html)
        .filter(|p| !is_stdout(p))
    {
        let dir = crate::output::parent_dir(path);
        if !dir.is_dir() {
            return Err(AppError::Usage(format!(
                "{}: directory {} does not exist",
                path.display(),
                dir.display()
            )));
        }
    }
    let report = crate::capacity::run(&config, &mut |s| {
        eprintln!("capacity: {}", crate::capacity::render::progress_line(s));
    })?;
    let color = color_wanted(args.output.as_deref(), ColorChoice::Auto);
    emit_to(
        args.output.as_deref(),
        &crate::capacity::render::render(&report, args.format, color)?,
    )?;
    if let Some(path) = &args.html {
        let page = crate::capacity::render::html(&report).map_err(ReportError::from)?;
        emit_to(Some(path), &page)?;
    }
    Ok(if report.stopped.is_success() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

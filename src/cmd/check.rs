//! `perfreport check`: one run against an SLA tier. Exit 1 when a check fails.

use super::{color_wanted, emit_to, single_run};
use crate::archive::RunResolver;
use crate::cli::CheckArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::report::render_check;
use crate::sla::Sla;

/// `perfreport check`: exit 1 when any check fails.
pub fn check(args: &CheckArgs) -> Result<Outcome, AppError> {
    let run = single_run(&args.run, &RunResolver::new(&args.results), "run")?;
    let sla = match &args.sla {
        Some(path) => Sla::from_file(path)?,
        None => Sla::builtin(),
    };
    let report = crate::stages::check::evaluate_stage_or_run(
        &run,
        &sla,
        args.tier.as_deref(),
        args.min_stage,
    )?;
    if report.checks.is_empty() {
        return Err(AppError::Usage(format!(
            "nothing to check: {} has no per-endpoint targets and {}; pass --tier NAME",
            report.sla,
            report.notes.join("; ")
        )));
    }
    let color = color_wanted(args.output.as_deref(), args.color);
    let text = render_check(&report, args.format, color)?;
    emit_to(args.output.as_deref(), &text)?;
    Ok(if report.passed {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

//! `perfreport summary`: the per-endpoint tables of each run, or of one pooled group.

use super::{emit, named_runs, use_color};
use crate::apdex::ApdexTargets;
use crate::archive::RunResolver;
use crate::cli::SummaryArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::group::pool;
use crate::report::render_summaries;
use crate::summary::RunSummary;

/// `perfreport summary`: every run named, in order, or one pooled group with `--pool`.
pub fn summary(args: &SummaryArgs) -> Result<Outcome, AppError> {
    let resolver = RunResolver::new(&args.results);
    let mut runs = Vec::new();
    for arg in &args.runs {
        runs.extend(named_runs(arg, &resolver)?);
    }
    let summaries = if args.pool {
        let name = format!("pool of {} runs", runs.len());
        let pooled =
            pool(&runs, &name).ok_or_else(|| AppError::Usage("no runs to pool".to_string()))?;
        vec![RunSummary::of_group(
            &runs,
            &pooled,
            args.skip_warmup,
            &ApdexTargets::uniform(args.apdex_t),
        )]
    } else {
        let mut summaries = Vec::new();
        for r in &runs {
            let apdex = ApdexTargets::uniform(args.apdex_t);
            let mut summary = RunSummary::of_with(r, args.skip_warmup, &apdex, args.min_stage);
            summary.stages = crate::stages::exact_where_recorded(r, summary.stages)?;
            summaries.push(summary);
        }
        summaries
    };
    let text = render_summaries(&summaries, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    Ok(Outcome::Ok)
}

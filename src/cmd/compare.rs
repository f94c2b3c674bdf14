//! `perfreport compare`: the gate. Exit 1 on a regression unless `--fail-on never`.

use super::{both_sides, emit, judge_options, use_color, SideArgs};
use crate::apdex::ApdexTargets;
use crate::archive::RunResolver;
use crate::cli::{CompareArgs, FailOn};
use crate::cmd::error::{AppError, Outcome};
use crate::compare::compare_and_pool;
use crate::report::render_comparison;

/// `perfreport compare`: exit 1 on a regression unless `--fail-on never`.
pub fn compare_runs(args: &CompareArgs) -> Result<Outcome, AppError> {
    let resolver = RunResolver::new(&args.results);
    let (baseline, latest) = both_sides(
        SideArgs {
            side: "baseline",
            positional: args.baseline.as_deref(),
            extra: &args.baseline_runs,
        },
        SideArgs {
            side: "latest",
            positional: args.latest.as_deref(),
            extra: &args.latest_runs,
        },
        &resolver,
    )?;
    let apdex = ApdexTargets::uniform(args.apdex_t.unwrap_or(crate::apdex::DEFAULT_T_MS));
    let options = judge_options(&args.judge, &resolver, apdex, args.apdex_t.is_some())?;
    let (comparison, _, _) = compare_and_pool(&baseline, &latest, &options, args.judge.skip_warmup)
        .ok_or_else(|| AppError::Usage("nothing to compare".to_string()))?;
    let text = render_comparison(&comparison, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    if comparison.regressed && args.fail_on == FailOn::Regression {
        Ok(Outcome::Failed)
    } else {
        Ok(Outcome::Ok)
    }
}

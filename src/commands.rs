//! The subcommands: load runs, compute, render, write. `main` only dispatches here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{ColorChoice, CompareArgs, FailOn, OutputArgs, SummaryArgs};
use crate::compare::compare_groups;
use crate::error::{AppError, Outcome};
use crate::group::pool;
use crate::locust::load_runs;
use crate::model::Run;
use crate::output::write_atomic;
use crate::report::{render_comparison, render_summaries};
use crate::summary::RunSummary;

/// `perfreport summary`: every run named, in order, or one pooled group with `--pool`.
pub fn summary(args: &SummaryArgs) -> Result<Outcome, AppError> {
    let mut runs = Vec::new();
    for arg in &args.runs {
        runs.extend(load_runs(arg)?);
    }
    let summaries = if args.pool {
        let name = format!("pool of {} runs", runs.len());
        let pooled =
            pool(&runs, &name).ok_or_else(|| AppError::Usage("no runs to pool".to_string()))?;
        vec![RunSummary::of_group(&runs, &pooled, args.skip_warmup)]
    } else {
        runs.iter()
            .map(|r| RunSummary::of(r, args.skip_warmup))
            .collect()
    };
    let text = render_summaries(&summaries, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    Ok(Outcome::Ok)
}

/// `perfreport compare`: exit 1 on a regression unless `--fail-on never`.
pub fn compare_runs(args: &CompareArgs) -> Result<Outcome, AppError> {
    let baseline = side_runs(args.baseline.as_deref(), &args.baseline_runs, "baseline")?;
    let latest = side_runs(args.latest.as_deref(), &args.latest_runs, "latest")?;
    let comparison = compare_groups(&baseline, &latest, &args.options(), args.skip_warmup)
        .ok_or_else(|| AppError::Usage("nothing to compare".to_string()))?;
    let text = render_comparison(&comparison, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    if comparison.regressed && args.fail_on == FailOn::Regression {
        Ok(Outcome::Failed)
    } else {
        Ok(Outcome::Ok)
    }
}

/// Every run one side names: the positional argument (a run or a directory of runs) and
/// each `--baseline`/`--latest` option.
fn side_runs(
    positional: Option<&Path>,
    extra: &[PathBuf],
    side: &str,
) -> Result<Vec<Run>, AppError> {
    let mut runs = Vec::new();
    for arg in positional
        .into_iter()
        .chain(extra.iter().map(PathBuf::as_path))
    {
        runs.extend(load_runs(arg)?);
    }
    if runs.is_empty() {
        return Err(AppError::Usage(format!(
            "no {side} run given; name one as an argument (`perfreport compare BASELINE LATEST`) \
             or with --{side} RUN"
        )));
    }
    Ok(runs)
}

fn use_color(output: &OutputArgs) -> bool {
    if output.output.is_some() || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    match output.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    }
}

/// Writes to the `-o` file atomically, or to standard output (a closed pipe is not an error).
fn emit(output: &OutputArgs, text: &str) -> Result<(), AppError> {
    if let Some(path) = &output.output {
        return write_atomic(path, text.as_bytes()).map_err(|source| AppError::Write {
            path: path.clone(),
            source,
        });
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::Write {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

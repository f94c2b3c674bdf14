//! The subcommands: load runs, compute, render, write. `main` only dispatches here.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::archive::resolve_run_arg;
use crate::cli::{ColorChoice, CompareArgs, FailOn, OutputArgs, SummaryArgs};
use crate::compare::compare;
use crate::error::{AppError, Outcome};
use crate::locust::load_runs;
use crate::model::Run;
use crate::output::write_atomic;
use crate::report::{render_comparison, render_summaries};
use crate::summary::RunSummary;

/// `perfreport summary`: every run named, in order.
pub fn summary(args: &SummaryArgs) -> Result<Outcome, AppError> {
    let mut summaries = Vec::new();
    for arg in &args.runs {
        for run in load_runs(&resolve_run_arg(arg, &args.results)?)? {
            summaries.push(RunSummary::of(&run));
        }
    }
    let text = render_summaries(&summaries, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    Ok(Outcome::Ok)
}

/// `perfreport compare`: exit 1 on a regression unless `--fail-on never`.
pub fn compare_runs(args: &CompareArgs) -> Result<Outcome, AppError> {
    let baseline = single_run(&resolve_run_arg(&args.baseline, &args.results)?, "baseline")?;
    let latest = single_run(&resolve_run_arg(&args.latest, &args.results)?, "latest")?;
    let comparison = compare(&baseline, &latest, &args.options());
    let text = render_comparison(&comparison, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    if comparison.regressed && args.fail_on == FailOn::Regression {
        Ok(Outcome::Failed)
    } else {
        Ok(Outcome::Ok)
    }
}

fn single_run(arg: &Path, side: &str) -> Result<Run, AppError> {
    let mut runs = load_runs(arg)?;
    if runs.len() == 1 {
        if let Some(run) = runs.pop() {
            return Ok(run);
        }
    }
    let names: Vec<String> = runs.iter().map(|r| r.files.name.clone()).collect();
    Err(AppError::Usage(format!(
        "{}: the {side} names {} runs ({}); name one run's _stats.csv or prefix",
        arg.display(),
        runs.len(),
        names.join(", ")
    )))
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

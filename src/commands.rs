//! The subcommands: load runs, compute, render, write. `main` only dispatches here.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::archive::RunResolver;
use crate::cli::{
    CheckArgs, ColorChoice, CompareArgs, CompletionsArgs, FailOn, JudgeArgs, OutputArgs,
    ReportArgs, RunArgs, SlaChoice, SummaryArgs, TargetArgs,
};
use crate::compare::reference::{ReferenceDrift, MIN_REFERENCE_RUNS};
use crate::compare::{compare_and_pool, compare_groups, CompareOptions};
use crate::error::{AppError, Outcome};
use crate::group::pool;
use crate::locust::load_runs;
use crate::model::Run;
use crate::output::write_atomic;
use crate::report::context::{ReportContext, SlaSection, TargetFacts};
use crate::report::{html, render_check, render_comparison, render_summaries, ReportError};
use crate::sla::{evaluate, Sla};
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
    let resolver = RunResolver::new(&args.results);
    let baseline = side_runs(
        args.baseline.as_deref(),
        &args.baseline_runs,
        &resolver,
        "baseline",
    )?;
    let latest = side_runs(
        args.latest.as_deref(),
        &args.latest_runs,
        &resolver,
        "latest",
    )?;
    let comparison = compare_groups(
        &baseline,
        &latest,
        &judge_options(&args.judge, &resolver)?,
        args.judge.skip_warmup,
    )
    .ok_or_else(|| AppError::Usage("nothing to compare".to_string()))?;
    let text = render_comparison(&comparison, args.output.format, use_color(&args.output))?;
    emit(&args.output, &text)?;
    if comparison.regressed && args.fail_on == FailOn::Regression {
        Ok(Outcome::Failed)
    } else {
        Ok(Outcome::Ok)
    }
}

/// `perfreport check`: exit 1 when any check fails.
pub fn check(args: &CheckArgs) -> Result<Outcome, AppError> {
    let run = single_run(&args.run, &RunResolver::new(&args.results), "run")?;
    let sla = match &args.sla {
        Some(path) => Sla::from_file(path)?,
        None => Sla::builtin(),
    };
    let report = evaluate(&run, &sla, args.tier.as_deref())?;
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

fn single_run(arg: &Path, resolver: &RunResolver, side: &str) -> Result<Run, AppError> {
    let mut runs = named_runs(arg, resolver)?;
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

/// `perfreport run`: the embedded driver; the exit code is Locust's (1, or
/// `--exit-code-on-error`, when any request failed).
/// With `--html FILE` the run's HTML report (as `perfreport report` renders it) is written when
/// the run ends, from the `--csv` files, or from files in a temporary folder without `--csv`.
pub fn run_load(args: &RunArgs) -> Result<u8, AppError> {
    let Some(html_path) = &args.html else {
        let outcome = crate::driver::run(args)?;
        return Ok(u8::try_from(outcome.exit_code).unwrap_or(1));
    };
    let html_dir = crate::output::parent_dir(html_path);
    if !html_dir.is_dir() {
        return Err(AppError::Usage(format!(
            "--html {}: directory {} does not exist",
            html_path.display(),
            html_dir.display()
        )));
    }
    let scratch;
    let mut args = args.clone();
    let prefix = match &args.csv {
        Some(prefix) => prefix.clone(),
        None => {
            scratch = tempfile::tempdir().map_err(|source| AppError::Write {
                path: std::env::temp_dir(),
                source,
            })?;
            let prefix = scratch.path().join("run");
            args.csv = Some(prefix.clone());
            prefix
        }
    };
    let outcome = crate::driver::run(&args)?;
    let runs = load_runs(&crate::locust::with_suffix(&prefix, "_stats.csv"))?;
    let context = ReportContext::of_runs(&runs, None);
    let page = html::render(&context).map_err(ReportError::from)?;
    emit_to(Some(html_path), &page)?;
    Ok(u8::try_from(outcome.exit_code).unwrap_or(1))
}

/// `perfreport target`: serve until Ctrl-C or SIGTERM.
pub fn serve_target(args: &TargetArgs) -> Result<(), AppError> {
    crate::target::serve(args)?;
    Ok(())
}

/// Every run one argument names: a file, a prefix, a directory of runs, or an archive selector
/// (which may name several). The one way commands turn a RUN argument into runs.
fn named_runs(arg: &Path, resolver: &RunResolver) -> Result<Vec<Run>, AppError> {
    let mut runs = Vec::new();
    for path in resolver.resolve(arg)? {
        runs.extend(load_runs(&path)?);
    }
    Ok(runs)
}

/// The options a comparison judges by, with the drift of `--drift-from` runs measured.
fn judge_options(judge: &JudgeArgs, resolver: &RunResolver) -> Result<CompareOptions, AppError> {
    let mut options = judge.options();
    if judge.drift_from.is_empty() {
        return Ok(options);
    }
    let mut runs = Vec::new();
    for arg in &judge.drift_from {
        runs.extend(named_runs(arg, resolver)?);
    }
    options.reference = Some(ReferenceDrift::from_runs(&runs).ok_or_else(|| {
        AppError::Usage(format!(
            "--drift-from names {} run(s); drift needs at least {MIN_REFERENCE_RUNS} runs of one \
             build (a folder of repeated runs, or several --drift-from)",
            runs.len()
        ))
    })?);
    Ok(options)
}

/// Every run one side names: the positional argument (a run or a directory of runs) and
/// each `--baseline`/`--latest` option.
fn side_runs(
    positional: Option<&Path>,
    extra: &[PathBuf],
    resolver: &RunResolver,
    side: &str,
) -> Result<Vec<Run>, AppError> {
    let mut runs = Vec::new();
    for arg in positional
        .into_iter()
        .chain(extra.iter().map(PathBuf::as_path))
    {
        runs.extend(named_runs(arg, resolver)?);
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
    color_wanted(output.output.as_deref(), output.color)
}

/// Whether to colour: `--color always` and `never` are obeyed (a flag beats the environment,
/// as no-color.org asks); `auto` colours a terminal only, never a file or with NO_COLOR set.
pub(crate) fn color_wanted(output: Option<&Path>, choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.is_none_or(is_stdout)
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// `-o -`: standard output, named explicitly.
fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes to the `-o` file atomically, or to standard output (a closed pipe is not an error).
fn emit(output: &OutputArgs, text: &str) -> Result<(), AppError> {
    emit_to(output.output.as_deref(), text)
}

/// Writes to `path` atomically and says so on standard error, or to standard output when there
/// is none (or it is `-`).
pub(crate) fn emit_to(path: Option<&Path>, text: &str) -> Result<(), AppError> {
    if let Some(path) = path.filter(|p| !is_stdout(p)) {
        write_atomic(path, text.as_bytes()).map_err(|source| AppError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        eprintln!(
            "perfreport: wrote {} ({})",
            crate::report::escape::terminal_path(path),
            size(text.len())
        );
        return Ok(());
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

/// A byte count as people read it: `812 B`, `14.2 KB`, `3.1 MB`.
fn size(bytes: usize) -> String {
    let b = bytes as f64;
    if b < 1000.0 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{:.1} MB", b / 1e6)
    }
}

/// `perfreport completions SHELL`: the shell's completion script on standard output.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome, AppError> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "perfreport", &mut script);
    emit_to(None, &String::from_utf8_lossy(&script))?;
    Ok(Outcome::Ok)
}

/// `perfreport report`: the HTML report of the runs, or of the latest run against a baseline,
/// with the SLA checklist of each run reported when `--sla` is given.
/// Always exit 0 when the report is written: `compare` and `check` are the gates, the report
/// is for reading.
pub fn report(args: &ReportArgs) -> Result<Outcome, AppError> {
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(AppError::Usage(
            "report writes a whole HTML page: name a file with -o FILE (or -o - for the terminal)"
                .to_string(),
        ));
    }
    let sla = args.sla.as_ref().map(SlaChoice::load).transpose()?;
    let mut checked = Vec::new();
    let resolver = RunResolver::new(&args.results);
    let mut context = match &args.baseline {
        Some(baseline_arg) => {
            let baseline = named_runs(baseline_arg, &resolver)?;
            let mut latest = Vec::new();
            for arg in &args.runs {
                latest.extend(named_runs(arg, &resolver)?);
            }
            // A group is shown by its pooled run (tables; no time series, which do not pool).
            let (comparison, base, last) = compare_and_pool(
                &baseline,
                &latest,
                &judge_options(&args.judge, &resolver)?,
                args.judge.skip_warmup,
            )
            .ok_or_else(|| AppError::Usage("nothing to compare".to_string()))?;
            if let Some(sla) = &sla {
                checked.push(evaluate(&last, sla, args.tier.as_deref())?);
            }
            // A group is titled by the folders or selectors named, not its runs' file names.
            let group_title = (baseline.len() > 1 || latest.len() > 1).then(|| {
                let named: Vec<String> =
                    args.runs.iter().map(|p| p.display().to_string()).collect();
                format!(
                    "Load test report: {} vs baseline {}",
                    named.join(", "),
                    baseline_arg.display()
                )
            });
            let title = args.title.clone().or(group_title);
            let mut context = ReportContext::compared(&base, &last, &comparison, title.as_deref());
            context.describe_group(&latest);
            context.focus_groups(&comparison, &baseline, &latest);
            context
        }
        None => {
            let mut runs = Vec::new();
            for arg in &args.runs {
                runs.extend(named_runs(arg, &resolver)?);
            }
            if let Some(sla) = &sla {
                for run in &runs {
                    checked.push(evaluate(run, sla, args.tier.as_deref())?);
                }
            }
            ReportContext::of_runs(&runs, args.title.as_deref())
        }
    };
    context.sla = checked.iter().map(SlaSection::of).collect();
    context.describe_target(&TargetFacts {
        host: args.host.clone(),
        locustfile: args.locustfile.clone(),
    });
    let page = html::render(&context).map_err(ReportError::from)?;
    emit_to(args.output.as_deref(), &page)?;
    Ok(Outcome::Ok)
}

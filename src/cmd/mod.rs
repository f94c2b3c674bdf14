//! The subcommands, one file each: turn the flags into typed settings, call the library,
//! write the result. The helpers here are the one way every subcommand names runs (a path, a
//! prefix, a directory or an archive selector) and writes output (`-o FILE` atomically with a
//! note on standard error, or standard output; colour rules).

mod archive;
mod capacity;
mod check;
mod compare;
mod completions;
mod demo;
pub mod error;
mod history;
mod list;
mod report;
mod run;
mod signoff;
mod summary;
mod target;
mod verify;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::apdex::ApdexTargets;
use crate::archive::RunResolver;
use crate::cli::{ColorChoice, Command, JudgeArgs, OutputArgs};
use crate::cmd::error::{exit_code, AppError};
use crate::compare::reference::{ReferenceDrift, MIN_REFERENCE_RUNS};
use crate::compare::CompareOptions;
use crate::locust::load_runs;
use crate::metric::Metric;
use crate::model::Run;
use crate::output::write_atomic;

/// Runs one subcommand; returns its exit code (0 ok, 1 a regression or failed check; `run`
/// exits as Locust does) or the error that makes it exit 2.
pub fn dispatch(command: &Command) -> Result<u8, AppError> {
    match command {
        Command::Summary(args) => summary::summary(args).map(exit_code),
        Command::Compare(args) => compare::compare_runs(args).map(exit_code),
        Command::Check(args) => check::check(args).map(exit_code),
        Command::Run(args) => run::run_load(args),
        Command::Target(args) => target::serve_target(args).map(|()| 0),
        Command::Report(args) => report::report(args).map(exit_code),
        Command::Signoff(args) => signoff::signoff(args).map(exit_code),
        Command::Demo(args) => demo::demo(args).map(exit_code),
        Command::Capacity(args) => capacity::capacity(args).map(exit_code),
        Command::Archive(args) => archive::archive(args).map(exit_code),
        Command::List(args) => list::list(args).map(exit_code),
        Command::History(args) => history::history(args).map(exit_code),
        Command::Verify(args) => verify::verify(args).map(exit_code),
        Command::Completions(args) => completions::completions(args).map(exit_code),
        Command::Man(args) => completions::man(args).map(exit_code),
    }
}

pub(crate) fn single_run(arg: &Path, resolver: &RunResolver, side: &str) -> Result<Run, AppError> {
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

/// Every run one argument names: a file, a prefix, a directory of runs, or an archive selector
/// (which may name several). The one way commands turn a RUN argument into runs.
pub(crate) fn named_runs(arg: &Path, resolver: &RunResolver) -> Result<Vec<Run>, AppError> {
    let mut runs = Vec::new();
    for path in resolver.resolve(arg)? {
        runs.extend(load_runs(&path)?);
    }
    Ok(runs)
}

/// The options a comparison judges by, with the drift of `--drift-from` runs measured and
/// APDEX at `apdex`: judged when its T was `chosen` (unless `--metrics` says which are).
pub(crate) fn judge_options(
    judge: &JudgeArgs,
    resolver: &RunResolver,
    apdex: ApdexTargets,
    chosen: bool,
) -> Result<CompareOptions, AppError> {
    let mut options = judge.options();
    options.apdex = apdex;
    if chosen && judge.metrics.is_none() {
        options.metrics.push(Metric::APDEX);
    }
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

/// One side of a comparison, as named on the command line: its positional argument and its
/// `--baseline`/`--latest` runs.
pub(crate) struct SideArgs<'a> {
    /// `baseline` or `latest`, for messages.
    pub side: &'static str,
    /// The positional argument, when given.
    pub positional: Option<&'a Path>,
    /// Runs added with `--baseline RUN` / `--latest RUN`.
    pub extra: &'a [PathBuf],
}

/// Both sides' runs. Names (and selectors) are resolved first, then both sides are read at
/// once, the baseline on a second thread: reading dominates a comparison's time. Errors are
/// the baseline's first, as when read one after the other.
pub(crate) fn both_sides(
    baseline: SideArgs,
    latest: SideArgs,
    resolver: &RunResolver,
) -> Result<(Vec<Run>, Vec<Run>), AppError> {
    let paths = |args: &SideArgs| -> Result<Vec<PathBuf>, AppError> {
        let mut out = Vec::new();
        for arg in args
            .positional
            .into_iter()
            .chain(args.extra.iter().map(PathBuf::as_path))
        {
            out.extend(resolver.resolve(arg)?);
        }
        Ok(out)
    };
    let (paths_b, paths_l) = (paths(&baseline)?, paths(&latest)?);
    let read = |paths: &[PathBuf], side: &str| -> Result<Vec<Run>, AppError> {
        let mut runs = Vec::new();
        for path in paths {
            runs.extend(load_runs(path)?);
        }
        if runs.is_empty() {
            return Err(AppError::Usage(format!(
                "no {side} run given; name one as an argument (`perfreport compare BASELINE \
                 LATEST`) or with --{side} RUN"
            )));
        }
        Ok(runs)
    };
    let (runs_b, runs_l) = std::thread::scope(|scope| {
        let b = scope.spawn(|| read(&paths_b, baseline.side));
        let l = read(&paths_l, latest.side);
        (b.join(), l)
    });
    let runs_b = runs_b.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    Ok((runs_b, runs_l?))
}

pub(crate) fn use_color(output: &OutputArgs) -> bool {
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
pub(crate) fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes to the `-o` file atomically, or to standard output (a closed pipe is not an error).
pub(crate) fn emit(output: &OutputArgs, text: &str) -> Result<(), AppError> {
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

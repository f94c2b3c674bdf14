//! The analysis subcommands' flags: `summary`, `compare`, `report` and `check`.

use std::path::PathBuf;

use clap::Args;

use super::common::{ColorChoice, FailOn, JudgeArgs, OutputArgs, DEFAULT_RESULTS};
use super::values::{parse_apdex_t, parse_seconds, parse_sla, SlaChoice};
use crate::report::CheckFormat;

/// `perfreport summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Runs: a `_stats.csv` file, a `--csv` prefix, a directory of runs, or `@latest`,
    /// `@previous`, `@label:NAME`, `@all:NAME` (archived runs).
    #[arg(required = true, value_name = "RUN")]
    pub runs: Vec<PathBuf>,
    /// Treat every run named as one group of repeated runs: one pooled table plus the
    /// run-to-run spread of each metric.
    #[arg(long)]
    pub pool: bool,
    /// Start the steady-state window this long after the first history row (`30s`) instead
    /// of where the ramp-up ends.
    #[arg(long, value_name = "TIME", value_parser = parse_seconds)]
    pub skip_warmup: Option<f64>,
    /// Shortest plateau of the user count that counts as a load stage (`10s`).
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = parse_seconds)]
    pub min_stage: f64,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Where run selectors (`@latest`, `@label:NAME`, `@all:NAME`…) look for archived runs.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    /// APDEX target time T (`500ms`, `1s`; a bare number is ms): satisfied ≤ T, tolerating ≤ 4T.
    #[arg(long, value_name = "TIME", default_value = "500ms", value_parser = parse_apdex_t)]
    pub apdex_t: f64,
}

/// `perfreport compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline: a `_stats.csv` file, a `--csv` prefix, a directory (of one run, or of
    /// several repeated runs, which are then a group), or `@latest`, `@previous`,
    /// `@label:NAME` (archived runs), `@all:NAME` (every archived run of a label: a group).
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// The run or runs to judge, named the same ways.
    #[arg(value_name = "LATEST")]
    pub latest: Option<PathBuf>,
    /// Add a run to the baseline group (repeatable).
    #[arg(long = "baseline", id = "baseline_runs", value_name = "RUN")]
    pub baseline_runs: Vec<PathBuf>,
    /// Add a run to the latest group (repeatable).
    #[arg(long = "latest", id = "latest_runs", value_name = "RUN")]
    pub latest_runs: Vec<PathBuf>,
    /// Where run selectors (`@latest`, `@label:NAME`, `@all:NAME`…) look for archived runs.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// When to exit with code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Regression)]
    pub fail_on: FailOn,
    /// APDEX target time T (`500ms`, `1s`; a bare number is ms); choosing it makes APDEX a
    /// judged metric (default: shown at 500 ms, not judged).
    #[arg(long, value_name = "TIME", value_parser = parse_apdex_t)]
    pub apdex_t: Option<f64>,
}

/// `perfreport report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Runs to report: a `_stats.csv` file, a `--csv` prefix, a directory of runs (one
    /// section each; with `--baseline`, the latest run, or several: a group of repeated runs),
    /// or `@latest`, `@previous`, `@label:NAME`, `@all:NAME` (archived runs).
    #[arg(required = true, value_name = "RUN")]
    pub runs: Vec<PathBuf>,
    /// Compare against this baseline: a run, or a directory of repeated runs (a group),
    /// judged as `compare` judges (same options and defaults); selectors too.
    #[arg(long, value_name = "RUN")]
    pub baseline: Option<PathBuf>,
    /// Where run selectors (`@latest`, `@label:NAME`…) look for archived runs.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    #[command(flatten)]
    pub judge: JudgeArgs,
    /// The report's title (default: names the runs).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Check each run (the latest, with `--baseline`) against an SLA and add its checklist:
    /// `builtin` for the seed plan's SLA, or an SLA file (TOML; `./builtin` for a file so named).
    #[arg(long, value_name = "FILE|builtin", value_parser = parse_sla)]
    pub sla: Option<SlaChoice>,
    /// The SLA tier to check (default: the tier whose users equal the run's peak user count).
    #[arg(long, value_name = "NAME", requires = "sla")]
    pub tier: Option<String>,
    /// APDEX target time T (`500ms`, `1s`); default the `--sla` file's `[apdex_t]`, else 500 ms.
    /// With `--baseline`, a chosen T (either way) makes APDEX a judged metric.
    #[arg(long, value_name = "TIME", value_parser = parse_apdex_t)]
    pub apdex_t: Option<f64>,
    /// The host the runs targeted, shown in each run's facts (Locust's CSV files omit it).
    #[arg(long, value_name = "URL")]
    pub host: Option<String>,
    /// The locustfile the runs used, shown in each run's facts.
    #[arg(long, value_name = "FILE")]
    pub locustfile: Option<String>,
}

/// `perfreport check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The run: a `_stats.csv` file, a `--csv` prefix, a directory holding one run, or
    /// `@latest`, `@previous`, `@label:NAME` (archived runs).
    #[arg(value_name = "RUN")]
    pub run: PathBuf,
    /// Where run selectors (`@latest`, `@label:NAME`…) look for archived runs.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    /// The SLA file (TOML; see examples/sla.toml). Default: the built-in SLA of the seed plan.
    #[arg(long, value_name = "FILE")]
    pub sla: Option<PathBuf>,
    /// The tier whose targets to check (light, medium, heavy, stress, or any tier the SLA
    /// file defines). Default: the tier whose users equal the run's peak user count, if any.
    /// In a stepped run, the stage whose users equal the tier's is checked.
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    /// Shortest plateau of the user count that counts as a load stage (`10s`).
    #[arg(long, value_name = "TIME", default_value = "10s", value_parser = parse_seconds)]
    pub min_stage: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in table output: auto uses it on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

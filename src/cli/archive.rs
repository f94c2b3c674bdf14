//! The archive subcommands' flags: `archive`, `list`, `history`, `verify`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::{ColorChoice, OutputArgs, DEFAULT_RESULTS};
use super::values::{parse_alpha, parse_history_metric};
use crate::metric::Metric;

/// `perfreport archive`.
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The run to archive: a `_stats.csv` file, a `--csv` prefix, a directory holding one run, or
    /// a selector (`@latest`, `@previous`, `@label:NAME`) to archive an archived run again.
    #[arg(value_name = "RUN", required_unless_present = "reindex")]
    pub run: Option<PathBuf>,
    /// The run's label (a release or build name): no `..`, `/`, `\`, `:`, control characters,
    /// leading or trailing spaces, or Windows device names such as `CON` or `com1.txt`.
    #[arg(long, required_unless_present = "reindex")]
    pub label: Option<String>,
    /// A note kept in the manifest.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The archive folder (and where selectors look).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    /// Rebuild `index.parquet` from the run folders instead of archiving a run.
    #[arg(long, conflicts_with_all = ["run", "label", "note"])]
    pub reindex: bool,
    /// Archive the run even if an archived run has exactly the same files (refused by
    /// default: a run archived twice counts twice in `history`).
    #[arg(long)]
    pub allow_duplicate: bool,
}

/// `perfreport list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The archive folder.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How `history` is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// Aligned text.
    Table,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// JSON, for machines.
    Json,
    /// A self-contained HTML page with the trend chart.
    Html,
}

/// `perfreport history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The archive folder.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    /// The endpoint: `METHOD name`, a name only one method uses, or `Aggregated`.
    #[arg(long, value_name = "NAME", default_value = "Aggregated")]
    pub endpoint: String,
    /// The metric to follow: p50 (median), p90, p95, p99, avg (mean), max, rps (throughput),
    /// failure_rate (error_rate, failure-rate) or requests.
    #[arg(long, default_value = "p95", value_parser = parse_history_metric, value_name = "METRIC")]
    pub metric: Metric,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in table output: auto uses it on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Significance level of a change point (two-sided, Bonferroni-adjusted for the splits
    /// tried).
    #[arg(long, default_value_t = 0.01, value_parser = parse_alpha)]
    pub alpha: f64,
    /// Fewest runs on each side of a change point (at least 2): a step is a level two runs
    /// confirm, a single run off the line is not one; the search needs twice this many runs.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_size: usize,
}

/// `perfreport verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The archive folder.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
    /// `table` prints one line per problem.
    #[command(flatten)]
    pub output: OutputArgs,
}

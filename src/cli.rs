//! The command line (clap derive) and the parsers for its value syntaxes (`10%`, `5ms`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::archive::args::{ArchiveArgs, HistoryArgs, ListArgs, VerifyArgs, DEFAULT_RESULTS};
use crate::compare::{CompareOptions, Correction, Metric};
pub use crate::driver::RunArgs;
use crate::report::{CheckFormat, Format};
pub use crate::signoff::args::{DemoArgs, SignoffArgs};
use crate::sla::{Sla, SlaError};
pub use crate::target::TargetArgs;

/// Analyse Locust load-test results: summarise runs, compare a run against a baseline.
#[derive(Debug, Parser)]
#[command(name = "perfreport", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Per-endpoint requests, failures, throughput and percentiles of one or more runs.
    Summary(SummaryArgs),
    /// Compare a latest run against a baseline; exit 1 when something regressed.
    Compare(CompareArgs),
    /// Check a run against an SLA (the seed plan's by default); exit 1 when a check fails.
    Check(CheckArgs),
    /// Run a load test with the embedded driver (Locust's flags) and write Locust's CSV files.
    Run(RunArgs),
    /// Serve the embedded demo target (the Resource Agent endpoints) until Ctrl-C.
    Target(TargetArgs),
    /// A self-contained HTML report with charts, optionally compared against a baseline.
    Report(ReportArgs),
    /// Release sign-off: run the plan's tiers (or take recorded runs), check the SLA, watch
    /// the target's resources, write the report; exit 1 unless everything passed.
    Signoff(SignoffArgs),
    /// The whole sign-off on the embedded demo target in about a minute: start here.
    Demo(DemoArgs),
    /// Copy a run into the archive (results/<UTC time>_<label>/) with checksums; update the index.
    Archive(ArchiveArgs),
    /// The archived runs, newest first.
    List(ListArgs),
    /// A metric across archived runs, with the change points where its level stepped.
    History(HistoryArgs),
    /// Recompute every archived file's checksum; exit 1 if anything is missing, changed or extra.
    Verify(VerifyArgs),
    /// Print a shell completion script (`perfreport completions bash > ~/.local/share/bash-completion/completions/perfreport`).
    Completions(CompletionsArgs),
}

/// `perfreport completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where output goes and how it looks.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in table output: auto uses it on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to colour table output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always (still never with NO_COLOR).
    Always,
    /// Never.
    Never,
}

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
    #[command(flatten)]
    pub output: OutputArgs,
    /// Where run selectors (`@latest`, `@label:NAME`, `@all:NAME`…) look for archived runs.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_RESULTS)]
    pub results: PathBuf,
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
    /// The host the runs targeted, shown in each run's facts (Locust's CSV files omit it).
    #[arg(long, value_name = "URL")]
    pub host: Option<String>,
    /// The locustfile the runs used, shown in each run's facts.
    #[arg(long, value_name = "FILE")]
    pub locustfile: Option<String>,
}

/// The SLA `report --sla` checks against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaChoice {
    /// The seed plan's SLA, [`Sla::builtin`].
    Builtin,
    /// An SLA file.
    File(PathBuf),
}

impl SlaChoice {
    /// Reads the SLA.
    pub fn load(&self) -> Result<Sla, SlaError> {
        match self {
            SlaChoice::Builtin => Ok(Sla::builtin()),
            SlaChoice::File(path) => Sla::from_file(path),
        }
    }
}

/// Parses `--sla`: `builtin`, or the path of an SLA file.
pub fn parse_sla(text: &str) -> Result<SlaChoice, String> {
    match text {
        "" => Err("expected `builtin` or the path of an SLA file".to_string()),
        "builtin" => Ok(SlaChoice::Builtin),
        path => Ok(SlaChoice::File(PathBuf::from(path))),
    }
}

/// When `compare` exits non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// When any endpoint (or Aggregated) regressed.
    Regression,
    /// Never: report only.
    Never,
}

/// How strictly a comparison judges: shared by `compare` and `report --baseline`, so that a
/// report's verdicts are the gate's verdicts.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// Start each run's steady-state window this long after its first history row (`30s`)
    /// instead of where the ramp-up ends.
    #[arg(long, value_name = "TIME", value_parser = parse_seconds)]
    pub skip_warmup: Option<f64>,
    /// A latency regresses only when worse by more than this (`10%` or `0.1`).
    #[arg(long, value_name = "PCT", default_value = "10%", value_parser = parse_fraction)]
    pub threshold: f64,
    /// …and by more than this (`5ms`, `0.5s`; a bare number is ms).
    #[arg(long, value_name = "TIME", default_value = "5ms", value_parser = parse_ms)]
    pub min_delta: f64,
    /// Failure rate regresses on a rise of more than this many percentage points (`1%`).
    #[arg(long, value_name = "PCT", default_value = "1%", value_parser = parse_fraction)]
    pub failure_rate_rise: f64,
    /// Throughput regresses on a drop of more than this (`10%`).
    #[arg(long, value_name = "PCT", default_value = "10%", value_parser = parse_fraction)]
    pub rps_drop: f64,
    /// Significance level for the whole family of tests.
    #[arg(long, default_value_t = 0.05, value_parser = parse_alpha)]
    pub alpha: f64,
    /// Multiple-testing correction across endpoints × metrics: bh (Benjamini–Hochberg), holm
    /// (strictest) or none.
    #[arg(long, default_value = "bh", value_parser = parse_correction, value_name = "METHOD")]
    pub correction: Correction,
    /// Same as `--correction none`.
    #[arg(long)]
    pub no_correction: bool,
    /// Reference runs of the baseline's build (repeatable; a folder of repeated runs, archived
    /// runs): run-to-run drift is measured on them endpoint by endpoint instead of assumed.
    /// At least 3 runs.
    #[arg(long, value_name = "RUNS")]
    pub drift_from: Vec<PathBuf>,
    /// Metrics that can regress: avg,p50,p95,p99,rps,failure_rate (others are shown only; max
    /// is always shown only).
    #[arg(long, value_delimiter = ',', value_parser = parse_metric, value_name = "LIST")]
    pub metrics: Option<Vec<Metric>>,
    /// Scale the run-to-run drift allowance (measured on perfreport's A/A battery) by this
    /// factor: `2` for a rig twice as noisy, `0.5` for a quieter one.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_drift)]
    pub drift: f64,
}

impl JudgeArgs {
    /// The comparison settings these arguments ask for.
    pub fn options(&self) -> CompareOptions {
        CompareOptions {
            threshold: self.threshold,
            min_delta_ms: self.min_delta,
            failure_rate_rise: self.failure_rate_rise,
            rps_drop: self.rps_drop,
            alpha: self.alpha,
            correction: if self.no_correction {
                Correction::None
            } else {
                self.correction
            },
            metrics: self.metrics.clone().unwrap_or_else(|| Metric::ALL.to_vec()),
            drift: crate::compare::DriftAllowance::default().scaled(self.drift),
            ..CompareOptions::default()
        }
    }
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
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
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

/// Parses `10%`, `10 %` or `0.1` into a fraction.
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    let value: f64 = number.parse().map_err(|_| {
        format!("expected a percentage like `10%` or a fraction like `0.1`, found `{text}`")
    })?;
    if scale == 1.0 && value > 1.0 && value.is_finite() {
        // `--threshold 10` meant 10 %, not 1,000 %: read as a fraction it would silently turn
        // the gate off.
        return Err(format!(
            "`{text}` is read as a fraction ({:.0} %); write `{text}%` for {text} percent, or a \
             fraction like `0.1`",
            value * 100.0
        ));
    }
    let value = value * scale;
    if !value.is_finite() || value < 0.0 {
        return Err(format!(
            "expected a non-negative percentage, found `{text}`"
        ));
    }
    Ok(value)
}

/// Parses `5ms`, `0.5s`, `1m` or a bare number of milliseconds.
pub fn parse_ms(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("expected a time like `5ms` or `0.5s`, found `{text}`"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("expected a non-negative time, found `{text}`"));
    }
    Ok(value * scale)
}

/// Parses a duration (`30s`, `2m`, `500ms`, a bare number of seconds) into seconds.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let has_unit = t.ends_with('s') || t.ends_with('m');
    parse_ms(t).map(|v| if has_unit { v / 1000.0 } else { v })
}

fn parse_alpha(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(a) if a > 0.0 && a < 1.0 => Ok(a),
        _ => Err(format!(
            "expected a level between 0 and 1 like `0.05`, found `{text}`"
        )),
    }
}

fn parse_drift(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f > 0.0 && f <= 100.0 => Ok(f),
        _ => Err(format!(
            "expected a factor above 0 like `1` (measured drift), `2` (twice as noisy), found `{text}`"
        )),
    }
}

fn parse_metric(text: &str) -> Result<Metric, String> {
    Metric::parse(text).ok_or_else(|| {
        format!(
            "unknown metric `{text}`; expected one of avg, p50, p95, p99, max, rps, failure_rate"
        )
    })
}

fn parse_correction(text: &str) -> Result<Correction, String> {
    Correction::parse(text)
        .ok_or_else(|| format!("unknown correction `{text}`; expected bh, holm or none"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_and_times_parse() {
        assert_eq!(parse_fraction("10%"), Ok(0.1));
        assert_eq!(parse_fraction("0.25"), Ok(0.25));
        assert!(parse_fraction("ten").is_err());
        assert!(parse_fraction("-5%").is_err());
        // A bare number above 1 is a percentage typed without its sign: refused, not 1,000 %.
        let typo = parse_fraction("10").unwrap_err();
        assert!(typo.contains("write `10%`"), "{typo}");
        assert_eq!(parse_fraction("1"), Ok(1.0));
        assert_eq!(parse_fraction("150%"), Ok(1.5));
        assert_eq!(parse_ms("5ms"), Ok(5.0));
        assert_eq!(parse_ms("0.5s"), Ok(500.0));
        assert_eq!(parse_ms("7"), Ok(7.0));
        assert!(parse_ms("fast").is_err());
        assert!(parse_alpha("1.5").is_err());
        assert_eq!(parse_metric("median"), Ok(Metric::P50));
        assert_eq!(parse_seconds("30s"), Ok(30.0));
        assert_eq!(parse_seconds("2m"), Ok(120.0));
        assert_eq!(parse_seconds("45"), Ok(45.0));
        assert!(parse_seconds("soon").is_err());
        assert_eq!(parse_sla("builtin"), Ok(SlaChoice::Builtin));
        assert_eq!(
            parse_sla("./builtin"),
            Ok(SlaChoice::File(PathBuf::from("./builtin")))
        );
        assert!(parse_sla("").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

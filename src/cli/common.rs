//! Flags several subcommands share: where output goes and how it looks, where archived runs
//! are, and how strictly a comparison judges (so that `report --baseline` judges as `compare`
//! gates).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::values::{
    parse_alpha, parse_apdex_drop, parse_correction, parse_drift, parse_fraction, parse_metric,
    parse_ms, parse_seconds,
};
use crate::compare::{CompareOptions, Correction};
use crate::metric::Metric;
use crate::report::Format;

/// Where run selectors (`@latest`, `@label:NAME`…) look, unless `--results` says otherwise.
pub const DEFAULT_RESULTS: &str = "results";

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
    /// APDEX regresses on a drop of more than this many points of score (`0.05`).
    #[arg(long, value_name = "SCORE", default_value_t = 0.05, value_parser = parse_apdex_drop)]
    pub apdex_drop: f64,
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
    /// Metrics that can regress: avg,p50,p95,p99,rps,failure_rate,apdex (others are shown
    /// only; max is always shown only). Default: all but apdex, which joins them when its T is
    /// chosen (`--apdex-t`).
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
            apdex_drop: self.apdex_drop,
            alpha: self.alpha,
            correction: if self.no_correction {
                Correction::None
            } else {
                self.correction
            },
            metrics: self
                .metrics
                .clone()
                .unwrap_or_else(|| Metric::DEFAULT_JUDGED.to_vec()),
            drift: crate::compare::DriftAllowance::default().scaled(self.drift),
            ..CompareOptions::default()
        }
    }
}

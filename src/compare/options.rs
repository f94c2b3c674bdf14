//! What `compare` judges and how strict it is: thresholds, noise floors and the significance level.

use serde::Serialize;

use crate::model::EndpointStats;

/// A metric `compare` reports for every endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Mean response time.
    Avg,
    /// Median response time (Locust's 50 % column).
    P50,
    /// 95th percentile response time.
    P95,
    /// 99th percentile response time.
    P99,
    /// Slowest request (the 100 % column, exact); shown, never judged: it is one request.
    Max,
    /// Requests per second over the whole run.
    Rps,
    /// Failed requests as a fraction of all requests.
    FailureRate,
}

impl Metric {
    /// Every metric, in the order tables show them.
    pub const ALL: [Metric; 7] = [
        Metric::Avg,
        Metric::P50,
        Metric::P95,
        Metric::P99,
        Metric::Max,
        Metric::Rps,
        Metric::FailureRate,
    ];

    /// The name used on the command line, in JSON and in table headers.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Avg => "avg",
            Metric::P50 => "p50",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::Max => "max",
            Metric::Rps => "rps",
            Metric::FailureRate => "failure_rate",
        }
    }

    /// Parses a name as written by [`Metric::name`] (also accepts `median`, `mean`, `errors`).
    pub fn parse(text: &str) -> Option<Metric> {
        let found = match text.trim().to_ascii_lowercase().as_str() {
            "avg" | "mean" | "average" => Metric::Avg,
            "p50" | "median" => Metric::P50,
            "p95" => Metric::P95,
            "p99" => Metric::P99,
            "max" | "p100" => Metric::Max,
            "rps" | "throughput" => Metric::Rps,
            "failure_rate" | "failures" | "errors" | "error_rate" => Metric::FailureRate,
            _ => return None,
        };
        Some(found)
    }

    /// The percentile level of a percentile metric (0.95 for p95), `None` for the others.
    pub fn level(self) -> Option<f64> {
        match self {
            Metric::P50 => Some(0.50),
            Metric::P95 => Some(0.95),
            Metric::P99 => Some(0.99),
            Metric::Max => Some(1.0),
            _ => None,
        }
    }

    /// The metric's value in one endpoint's row, when the row has one (no mean or failure
    /// rate without requests). The one reading of a row that `compare`, groups and spreads share.
    pub fn value(self, s: &EndpointStats) -> Option<f64> {
        match self {
            Metric::Avg => (s.requests > 0).then_some(s.avg_ms),
            Metric::P50 => s.percentile(0.5).or(s.median_ms),
            Metric::P95 => s.percentile(0.95),
            Metric::P99 => s.percentile(0.99),
            Metric::Max => s.max_ms.or_else(|| s.percentile(1.0)),
            Metric::Rps => Some(s.rps),
            Metric::FailureRate => (s.requests > 0).then(|| s.failure_ratio()),
        }
    }

    /// Whether the metric is a response time in milliseconds (higher is worse).
    pub fn is_latency(self) -> bool {
        !matches!(self, Metric::Rps | Metric::FailureRate)
    }
}

/// How strict `compare` is. The defaults are the documented ones (README, `--help`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareOptions {
    /// A latency must worsen by more than this fraction (0.10 = 10 %) to regress.
    pub threshold: f64,
    /// …and by more than this many milliseconds.
    pub min_delta_ms: f64,
    /// Failure rate regresses on a rise of more than this fraction (0.01 = 1 percentage point).
    pub failure_rate_rise: f64,
    /// Throughput regresses on a drop of more than this fraction (0.10 = 10 %).
    pub rps_drop: f64,
    /// Family-wise significance level.
    pub alpha: f64,
    /// The multiple-testing correction across endpoints × metrics.
    pub correction: Correction,
    /// A percentile is judged only when each run has at least this many requests beyond it.
    pub min_tail: f64,
    /// The metrics judged (the others are still shown).
    pub metrics: Vec<Metric>,
    /// How much runs of one build drift apart: the prior of the between-run noise model.
    pub drift: DriftAllowance,
    /// Drift measured endpoint by endpoint on reference runs of one build (`--drift-from`),
    /// joined to the allowance; `None` without them.
    pub reference: Option<super::reference::ReferenceDrift>,
}

/// How p-values are corrected for the many tests of one comparison (every endpoint × metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Benjamini–Hochberg: a comparison of builds that changed nothing flags anything with
    /// probability at most alpha, and among flagged metrics the expected share of false ones
    /// is at most alpha; correlated signals of one change (average, median, p95) add up.
    #[default]
    Bh,
    /// Holm–Bonferroni: the chance of any false flag stays below alpha whatever else changed
    /// (strictest, least power).
    Holm,
    /// None: every test at alpha on its own (about alpha × tests false flags per comparison).
    None,
}

impl Correction {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Correction::Bh => "bh",
            Correction::Holm => "holm",
            Correction::None => "none",
        }
    }

    /// How tables name it.
    pub fn describe(self) -> &'static str {
        match self {
            Correction::Bh => "Benjamini–Hochberg",
            Correction::Holm => "Holm",
            Correction::None => "no",
        }
    }

    /// Parses [`Correction::name`].
    pub fn parse(text: &str) -> Option<Correction> {
        match text.trim().to_ascii_lowercase().as_str() {
            "bh" | "fdr" | "benjamini-hochberg" => Some(Correction::Bh),
            "holm" => Some(Correction::Holm),
            "none" | "off" => Some(Correction::None),
            _ => None,
        }
    }

    /// The corrected p-values, in input order.
    pub fn adjust(self, raw: &[f64]) -> Vec<f64> {
        match self {
            Correction::Bh => crate::stats::bh_adjust(raw),
            Correction::Holm => crate::stats::holm_adjust(raw),
            Correction::None => raw.to_vec(),
        }
    }
}

/// The run-to-run drift expected between runs of one build, before any group shows its own:
/// the prior of [`crate::stats::shift_test`]'s moderated between-run variance.
///
/// A latency's between-run standard deviation is modelled on the log scale as
/// `sqrt(relative² + (absolute_ms / value)²)`, both per metric: load on the machine scales slow endpoints and adds
/// a few milliseconds of scheduling delay to every request, which matters most for fast ones.
/// The defaults were measured on perfreport's recorded A/A battery (`fixtures/calibration/`,
/// `cargo run --release --example calibrate`); `--drift` scales them for a noisier rig.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftAllowance {
    /// Relative between-run standard deviation of each latency metric and of throughput, in
    /// [`Metric::ALL`] order (max is never judged; its entry and failure rate's are unused).
    pub relative: [f64; 7],
    /// Absolute between-run standard deviation of each latency metric, in milliseconds, in
    /// [`Metric::ALL`] order.
    pub absolute_ms: [f64; 7],
    /// Between-run dispersion of failure counts (quasi-binomial `φ₀`; 1 = binomial).
    pub dispersion: f64,
    /// The prior's weight in degrees of freedom (`d₀`).
    pub prior_df: f64,
}

impl DriftAllowance {
    /// The allowance with every standard deviation multiplied by `factor` (`--drift 2` for a rig
    /// twice as noisy as the one the defaults were measured on).
    pub fn scaled(&self, factor: f64) -> Self {
        let mut out = self.clone();
        for r in &mut out.relative {
            *r *= factor;
        }
        for a in &mut out.absolute_ms {
            *a *= factor;
        }
        out.dispersion = 1.0 + (self.dispersion - 1.0) * factor * factor;
        out
    }

    /// The prior between-run variance of `ln(value)` for a metric whose typical value is
    /// `value` (ms for latencies, requests/s for throughput).
    pub fn log_var(&self, metric: Metric, value: f64) -> f64 {
        let i = Metric::ALL.iter().position(|&m| m == metric).unwrap_or(0);
        let relative = self.relative[i];
        let absolute = if metric.is_latency() && value > 0.0 {
            self.absolute_ms[i] / value
        } else {
            0.0
        };
        relative * relative + absolute * absolute
    }
}

impl Default for DriftAllowance {
    fn default() -> Self {
        Self {
            relative: [0.01, 0.04, 0.02, 0.10, 0.0, 0.025, 0.0],
            absolute_ms: [6.0, 3.0, 16.0, 30.0, 0.0, 0.0, 0.0],
            dispersion: 1.0,
            prior_df: 12.0,
        }
    }
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            threshold: 0.10,
            min_delta_ms: 5.0,
            failure_rate_rise: 0.01,
            rps_drop: 0.10,
            alpha: 0.05,
            correction: Correction::default(),
            min_tail: 10.0,
            metrics: Metric::ALL.to_vec(),
            drift: DriftAllowance::default(),
            reference: None,
        }
    }
}

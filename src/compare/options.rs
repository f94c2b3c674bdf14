//! What `compare` judges and how strict it is: thresholds, noise floors and the significance level.

use serde::Serialize;

use crate::apdex::ApdexTargets;
pub use crate::metric::Metric;

fn default_t<S: serde::Serializer>(t: &ApdexTargets, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(t.default_ms)
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
    /// APDEX regresses on a drop of more than this many points of score (0.05).
    pub apdex_drop: f64,
    /// The APDEX target time T of each endpoint (`--apdex-t`, an SLA's `[apdex_t]`); JSON
    /// gives the default T as `apdex_t_ms`.
    #[serde(rename = "apdex_t_ms", serialize_with = "default_t")]
    pub apdex: ApdexTargets,
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
    /// [`Metric::JUDGED`] order (max is never judged; its entry and failure rate's are unused;
    /// APDEX, last, has none: its drift follows from the latencies').
    pub relative: [f64; 7],
    /// Absolute between-run standard deviation of each latency metric, in milliseconds, in
    /// [`Metric::JUDGED`] order.
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
        let i = Metric::JUDGED
            .iter()
            .position(|&m| m == metric)
            .unwrap_or(0);
        let relative = self.relative.get(i).copied().unwrap_or(0.0);
        let absolute = if metric.is_latency() && value > 0.0 {
            self.absolute_ms.get(i).copied().unwrap_or(0.0) / value
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
            apdex_drop: 0.05,
            apdex: ApdexTargets::default(),
            alpha: 0.05,
            correction: Correction::default(),
            min_tail: 10.0,
            metrics: Metric::DEFAULT_JUDGED.to_vec(),
            drift: DriftAllowance::default(),
            reference: None,
        }
    }
}

//! One metric of one endpoint: values, change, uncertainty, p-value and verdict.

use serde::Serialize;

use super::options::{CompareOptions, Metric};
use crate::apdex::{endpoint_shares, shares_of};
use crate::model::{EndpointKey, EndpointStats, Histogram, Run};
use crate::stats::apdex::{Apdex, ApdexShares};
use crate::stats::{
    locust_rounding_step, quantile_judgeable, rate_difference, shift_test, Counts, DriftPrior,
    RateDifference, RebuiltDistribution, RunEstimate, ShiftTest,
};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The smallest response time taken before a logarithm: half of Locust's 1 ms rounding step
/// (Locust files anything under 0.5 ms as 0).
const LOG_FLOOR_MS: f64 = 0.5;

/// What a metric's change amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricVerdict {
    /// Worse, materially and significantly.
    Regressed,
    /// Better, materially and significantly.
    Improved,
    /// Anything else: no material change, not significant, or not judged.
    Unchanged,
}

/// Why a metric got the verdict it has — what tables show beside the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Material and significant: the verdict is regressed or improved.
    Significant,
    /// Material, but within the runs' sampling noise.
    NotSignificant,
    /// Within the threshold, the minimum delta or one rounding step.
    BelowThreshold,
    /// Too few requests beyond this percentile in at least one run to judge it.
    TooFewRequests,
    /// A value is missing on one side (new or removed endpoint, no requests, no duration).
    NotAvailable,
    /// Not among the metrics selected with `--metrics`.
    NotSelected,
    /// Shown, never judged: the maximum is a single request, not an estimate of anything.
    ShownOnly,
    /// Every request of one side failed: its response times are those of errors, not of the
    /// service, so its latency is shown but not judged (the failure rate is).
    AllFailed,
}

/// One metric's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricComparison {
    /// Which metric.
    #[serde(skip)]
    pub metric: Metric,
    /// Baseline value (ms for latencies, requests/s, or a fraction for failure rate).
    pub baseline: Option<f64>,
    /// Latest value, same unit.
    pub latest: Option<f64>,
    /// latest − baseline.
    pub delta: Option<f64>,
    /// Change relative to the baseline, in percent.
    pub delta_pct: Option<f64>,
    /// 95 % interval for `delta` from the deciding test (not adjusted for multiplicity): it
    /// excludes 0 exactly when `p_raw < 0.05`.
    pub ci_low: Option<f64>,
    /// Upper end of that interval.
    pub ci_high: Option<f64>,
    /// The interval for `delta` at `ci_adjusted_level`, the level that matches the
    /// multiple-testing correction: it excludes 0 exactly when `p_value < alpha`, so it agrees
    /// with the verdict.
    pub ci_adjusted_low: Option<f64>,
    /// Upper end of the adjusted interval.
    pub ci_adjusted_high: Option<f64>,
    /// Confidence level of the adjusted interval, `1 − alpha · p_raw / p_value`.
    pub ci_adjusted_level: Option<f64>,
    /// Degrees of freedom of the deciding test's reference distribution.
    pub df: Option<f64>,
    /// The between-run standard deviation the test allowed for: relative (log scale) for
    /// latencies and throughput; for failure rates the dispersion factor `φ`.
    pub between_run: Option<f64>,
    /// The test's p-value before the multiple-testing correction.
    pub p_raw: Option<f64>,
    /// The p-value after Holm–Bonferroni (equal to `p_raw` with the correction off); null where
    /// the metric was not judged.
    pub p_value: Option<f64>,
    /// The test used, when one was (the one that decided, with run groups).
    pub test: Option<&'static str>,
    /// Runs on the baseline side (1 for a single run).
    pub n_baseline: usize,
    /// Runs on the latest side.
    pub n_latest: usize,
    /// With run groups: the Mann–Whitney U test's p-value, shown beside the deciding test.
    pub p_mann_whitney: Option<f64>,
    /// Whether the values are pooled from several runs' percentile columns (approximate).
    pub approximate: bool,
    /// Whether the change is beyond the threshold, the minimum and the noise floor.
    pub material: bool,
    /// Why the verdict is what it is.
    pub judgement: Judgement,
    /// The metric's verdict.
    pub verdict: MetricVerdict,
    /// Direction of a material change: true when it is for the worse.
    #[serde(skip)]
    pub worse: bool,
    /// The deciding test, kept to draw the adjusted interval once the correction is known.
    #[serde(skip)]
    inference: Option<Inference>,
}

/// The test behind a metric's p-value and intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Inference {
    /// A shift of the mean log value (latencies, throughput); `base` turns the log-ratio
    /// interval into a change in the metric's unit.
    Shift { test: ShiftTest, base: f64 },
    /// A shift of a score on its own scale (APDEX): the interval is the change itself.
    Score(ShiftTest),
    /// A difference of failure proportions.
    Rate(RateDifference),
}

impl Inference {
    fn p_value(&self) -> f64 {
        match self {
            Inference::Shift { test, .. } | Inference::Score(test) => test.p_value,
            Inference::Rate(r) => r.p_value,
        }
    }

    /// The interval for the change in the metric's unit at `confidence`.
    fn interval(&self, confidence: f64) -> Option<(f64, f64)> {
        match self {
            Inference::Shift { test, base } => {
                let (lo, hi) = test.interval(confidence)?;
                Some((base * lo.exp_m1(), base * hi.exp_m1()))
            }
            Inference::Score(test) => test.interval(confidence),
            Inference::Rate(r) => r.interval(confidence),
        }
    }

    /// Whether the test's own estimate points the same way as the shown change (with groups
    /// the shown values are pooled, the test's estimate is a ratio of geometric means).
    fn agrees(&self, delta: f64) -> bool {
        let estimate = match self {
            Inference::Shift { test, .. } | Inference::Score(test) => test.estimate,
            Inference::Rate(r) => r.latest - r.baseline,
        };
        (estimate > 0.0) == (delta > 0.0)
    }
}

impl MetricComparison {
    pub(super) fn empty(metric: Metric, judgement: Judgement) -> Self {
        Self {
            metric,
            baseline: None,
            latest: None,
            delta: None,
            delta_pct: None,
            ci_low: None,
            ci_high: None,
            ci_adjusted_low: None,
            ci_adjusted_high: None,
            ci_adjusted_level: None,
            df: None,
            between_run: None,
            p_raw: None,
            p_value: None,
            test: None,
            n_baseline: 1,
            n_latest: 1,
            p_mann_whitney: None,
            approximate: false,
            material: false,
            judgement,
            verdict: MetricVerdict::Unchanged,
            worse: false,
            inference: None,
        }
    }

    /// Sets both values, the change, its direction and materiality; returns the two values
    /// when both sides have one.
    pub(super) fn set_values(
        &mut self,
        baseline: Option<f64>,
        latest: Option<f64>,
        options: &CompareOptions,
    ) -> Option<(f64, f64)> {
        self.baseline = baseline;
        self.latest = latest;
        let (b, l) = (baseline?, latest?);
        let delta = l - b;
        self.delta = Some(delta);
        self.delta_pct = (b != 0.0).then(|| delta / b * 100.0);
        self.worse = match self.metric {
            Metric::Rps | Metric::Apdex(_) => delta < 0.0,
            _ => delta > 0.0,
        };
        self.material = is_material(self.metric, b, l, options);
        Some((b, l))
    }

    /// Records the deciding test; the verdict waits for the multiple-testing correction.
    pub(super) fn set_test(&mut self, test: &'static str, inference: Inference) {
        self.test = Some(test);
        self.p_raw = Some(inference.p_value());
        if let Some((lo, hi)) = inference.interval(0.95) {
            self.ci_low = Some(lo);
            self.ci_high = Some(hi);
        }
        (self.df, self.between_run) = match inference {
            Inference::Shift { test, .. } | Inference::Score(test) => {
                (Some(test.df), Some(test.between_var.sqrt()))
            }
            Inference::Rate(r) => (Some(r.df), Some(r.dispersion)),
        };
        self.inference = Some(inference);
        self.judgement = if self.material {
            Judgement::NotSignificant
        } else {
            Judgement::BelowThreshold
        };
    }

    /// Settles the verdict once `p_value` holds the corrected p-value, and draws the interval
    /// at the level that matches it. `family` is the number of tests corrected for.
    pub(super) fn decide(&mut self, alpha: f64, family: usize) {
        if let (Some(raw), Some(adjusted), Some(inference)) =
            (self.p_raw, self.p_value, self.inference)
        {
            let level = if raw > 0.0 && adjusted > 0.0 {
                1.0 - alpha * (raw / adjusted).min(1.0)
            } else {
                1.0 - alpha / family.max(1) as f64
            };
            if let Some((lo, hi)) = inference.interval(level) {
                self.ci_adjusted_low = Some(lo);
                self.ci_adjusted_high = Some(hi);
                self.ci_adjusted_level = Some(level);
            }
        }
        if self.judgement != Judgement::BelowThreshold && self.material {
            let agrees = match (self.inference, self.delta) {
                (Some(i), Some(d)) => i.agrees(d),
                _ => false,
            };
            match self.p_value {
                Some(p) if p < alpha && agrees => {
                    self.judgement = Judgement::Significant;
                    self.verdict = if self.worse {
                        MetricVerdict::Regressed
                    } else {
                        MetricVerdict::Improved
                    };
                }
                Some(_) => self.judgement = Judgement::NotSignificant,
                None => {}
            }
        }
    }
}

/// One side's rows of an endpoint: the row shown (the run itself, or the group pooled) and each
/// run's own row, the samples of the between-run model.
pub(super) struct Side<'a> {
    pub(super) shown: &'a EndpointStats,
    /// The shown row's APDEX shares at the endpoint's T, and whether they are exact.
    pub(super) apdex: Option<(ApdexShares, bool)>,
    /// The shown row's full histogram, when its run has one: the distribution APDEX's drift is
    /// carried through.
    pub(super) histogram: Option<Histogram>,
    pub(super) runs: Vec<RunRow<'a>>,
}

pub(super) struct RunRow<'a> {
    pub(super) stats: &'a EndpointStats,
    dist: Option<RebuiltDistribution>,
    /// This run's APDEX shares at the endpoint's T.
    pub(super) apdex: Option<ApdexShares>,
}

impl<'a> Side<'a> {
    /// `shown` is what tables print, with the run it is a row of (for its histogram); `runs`
    /// the per-run rows (runs without the endpoint left out); `apdex_t_ms` the endpoint's
    /// APDEX target time.
    pub(super) fn new(
        shown: (&Run, &'a EndpointStats),
        runs: &[(&Run, &'a EndpointStats)],
        apdex_t_ms: f64,
    ) -> Self {
        let runs = runs
            .iter()
            .map(|&(run, stats)| RunRow {
                stats,
                dist: (stats.requests > 0)
                    .then(|| crate::group::distribution(stats))
                    .flatten(),
                apdex: endpoint_shares(run, stats, apdex_t_ms).map(|(s, _)| s),
            })
            .collect();
        let histogram = shown.0.histogram(&shown.1.key);
        Self {
            shown: shown.1,
            apdex: shares_of(histogram.as_ref(), shown.1, apdex_t_ms),
            histogram,
            runs,
        }
    }

    /// The shown row's APDEX at `t_ms`, the T its shares were counted at.
    pub(super) fn shown_apdex(&self, t_ms: f64) -> Option<Apdex> {
        self.apdex.map(|(shares, exact)| Apdex {
            t_ms,
            score: shares.score,
            exact,
        })
    }

    /// The metric's value in the shown row (APDEX from its shares).
    pub(super) fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Apdex(_) => self.apdex.map(|(s, _)| s.score),
            _ => metric.value(self.shown),
        }
    }

    /// Each run's value of the metric, for the Mann–Whitney test beside the deciding one.
    pub(super) fn samples(&self, metric: Metric) -> Vec<f64> {
        match metric {
            Metric::Apdex(_) => self
                .runs
                .iter()
                .filter_map(|r| r.apdex.map(|a| a.score))
                .collect(),
            _ => self
                .runs
                .iter()
                .filter_map(|r| metric.value(r.stats))
                .collect(),
        }
    }

    /// Whether every request of this side failed.
    pub(super) fn all_failed(&self) -> bool {
        self.shown.requests > 0 && self.shown.failures >= self.shown.requests
    }

    /// Whether every run has at least `min_tail` requests beyond the `level` percentile.
    fn supports(&self, level: f64, min_tail: f64) -> bool {
        !self.runs.is_empty()
            && self
                .runs
                .iter()
                .all(|r| quantile_judgeable(r.stats.requests, level, min_tail))
    }

    fn estimates(&self, metric: Metric) -> Vec<RunEstimate> {
        self.runs
            .iter()
            .filter_map(|r| estimate_of(metric, r))
            .collect()
    }

    fn counts(&self) -> Vec<Counts> {
        self.runs
            .iter()
            .map(|r| Counts {
                failures: r.stats.failures,
                requests: r.stats.requests,
            })
            .collect()
    }
}

/// One run's log value of a latency or throughput metric and its within-run sampling variance,
/// as the comparison sees it (for calibration: measuring drift on A/A runs).
pub fn run_estimate(metric: Metric, stats: &EndpointStats) -> Option<RunEstimate> {
    let dist = (stats.requests > 0)
        .then(|| crate::group::distribution(stats))
        .flatten();
    estimate_of(
        metric,
        &RunRow {
            stats,
            dist,
            apdex: None,
        },
    )
}

/// One run's log value of a latency or throughput metric and its within-run sampling variance.
///
/// - Mean: `Var(ln mean) ≈ sd² / (n mean²)` (delta method), the standard deviation from the
///   rebuilt distribution (Locust reports none); the mean itself is exact.
/// - Percentile `q`: Woodruff's interval ("Confidence intervals for medians and other position
///   measures", *JASA* 47, 1952): the rebuilt distribution's quantiles at `q ± 1.96 sqrt(q (1 −
///   q) / n)` span ±1.96 standard errors, so `se(ln Q) ≈ (ln Q_hi − ln Q_lo) / 3.92`; plus
///   Locust's rounding of the reported value to its bucket, uniform over one step, variance
///   `(step / Q)² / 12` on the log scale (Sheppard 1898).
/// - Throughput: `n` requests over a fixed duration is a Poisson count, `Var(ln rate) ≈ 1 / n`.
fn estimate_of(metric: Metric, row: &RunRow) -> Option<RunEstimate> {
    let s = row.stats;
    let n = s.requests as f64;
    if s.requests == 0 {
        return None;
    }
    let (value, within_var) = match metric {
        Metric::Avg => {
            let mean = s.avg_ms.max(LOG_FLOOR_MS);
            let sd = row.dist.as_ref()?.std_dev();
            (mean, (sd / mean).powi(2) / n)
        }
        Metric::P50 | Metric::P95 | Metric::P99 => {
            let q = metric.level()?;
            let value = metric.value(s)?.max(LOG_FLOOR_MS);
            let dist = row.dist.as_ref()?;
            let half = Z95 * (q * (1.0 - q) / n).sqrt();
            let lo = dist.quantile((q - half).max(0.0)).max(LOG_FLOOR_MS);
            let hi = dist.quantile((q + half).min(1.0)).max(lo);
            let se = (hi.ln() - lo.ln()) / (2.0 * Z95);
            let rounding = (locust_rounding_step(value) / value).powi(2) / 12.0;
            (value, se * se + rounding)
        }
        Metric::Rps => (s.rps, 1.0 / n),
        // Judged another way (failure rate) or not at all (max: one request; the metrics
        // `compare` does not judge).
        _ => return None,
    };
    (value > 0.0 && value.is_finite()).then(|| RunEstimate {
        log_value: value.ln(),
        within_var,
    })
}

/// Measures one metric across both sides: values, change, materiality, and the deciding test's
/// raw p-value and 95 % interval. The verdict waits for [`MetricComparison::decide`].
pub(super) fn measure(
    key: &EndpointKey,
    metric: Metric,
    baseline: Option<&Side>,
    latest: Option<&Side>,
    options: &CompareOptions,
) -> MetricComparison {
    if let Metric::Apdex(_) = metric {
        return super::apdex::measure(key, baseline, latest, options);
    }
    let mut m = MetricComparison::empty(metric, Judgement::NotAvailable);
    let values = m.set_values(
        baseline.and_then(|s| s.value(metric)),
        latest.and_then(|s| s.value(metric)),
        options,
    );
    let (Some(b), Some(l), Some((base, _))) = (baseline, latest, values) else {
        return m;
    };
    if !options.metrics.contains(&metric) {
        m.judgement = Judgement::NotSelected;
        return m;
    }
    if metric == Metric::Max {
        m.judgement = Judgement::ShownOnly;
        return m;
    }
    if metric.is_latency() && (b.all_failed() || l.all_failed()) {
        m.judgement = Judgement::AllFailed;
        return m;
    }
    if let Some(level) = metric.level() {
        if !(b.supports(level, options.min_tail) && l.supports(level, options.min_tail)) {
            m.judgement = Judgement::TooFewRequests;
            return m;
        }
    }
    let drift = &options.drift;
    let inference = match metric {
        // No failure on either side: no outcome could make this test significant, so it is
        // left out of the family rather than diluting the correction (Tarone, "A modified
        // Bonferroni method for discrete data", *Biometrics* 46, 1990).
        Metric::FailureRate if b.shown.failures == 0 && l.shown.failures == 0 => None,
        Metric::FailureRate => {
            let prior = DriftPrior {
                var: drift.dispersion,
                df: drift.prior_df,
            };
            rate_difference(&b.counts(), &l.counts(), prior).map(Inference::Rate)
        }
        _ => {
            let mut prior = DriftPrior {
                var: drift.log_var(metric, base),
                df: drift.prior_df,
            };
            if let Some(reference) = &options.reference {
                prior = reference.refine(key, metric, prior);
            }
            shift_test(&b.estimates(metric), &l.estimates(metric), prior)
                .map(|test| Inference::Shift { test, base })
        }
    };
    match inference {
        Some(i @ Inference::Rate(_)) => m.set_test("quasi_binomial", i),
        Some(i) => m.set_test("random_effects_t", i),
        None if !m.material => m.judgement = Judgement::BelowThreshold,
        None => {}
    }
    m
}

/// Whether a change from `b` to `l` is beyond the threshold, the minimum and the noise floor.
fn is_material(metric: Metric, b: f64, l: f64, options: &CompareOptions) -> bool {
    let delta = l - b;
    match metric {
        Metric::Rps => b > 0.0 && (delta / b).abs() > options.rps_drop,
        Metric::FailureRate => delta.abs() > options.failure_rate_rise,
        Metric::Apdex(_) => delta.abs() > options.apdex_drop,
        _ => {
            let relative = b > 0.0 && (delta / b).abs() > options.threshold;
            let absolute = delta.abs() > options.min_delta_ms;
            let rounding = metric.level().is_none() || delta.abs() > locust_rounding_step(b.max(l));
            relative && absolute && rounding
        }
    }
}

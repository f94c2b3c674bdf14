//! One metric of one endpoint: values, change, uncertainty, p-value and verdict.

use serde::Serialize;

use super::options::{CompareOptions, Metric};
use crate::model::EndpointStats;
use crate::stats::{
    locust_rounding_step, mean_test, proportion_test, quantile_ci, quantile_judgeable,
    quantile_test, rate_test, RebuiltDistribution,
};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

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
    /// Approximate 95 % interval for `delta`, from each side's own standard error.
    pub ci_low: Option<f64>,
    /// Upper end of that interval.
    pub ci_high: Option<f64>,
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
            Metric::Rps => delta < 0.0,
            _ => delta > 0.0,
        };
        self.material = is_material(self.metric, b, l, options);
        Some((b, l))
    }

    /// Records the test that was run; the verdict waits for the multiple-testing correction.
    pub(super) fn set_test(&mut self, test: &'static str, p_raw: f64) {
        self.test = Some(test);
        self.p_raw = Some(p_raw);
        self.judgement = if self.material {
            Judgement::NotSignificant
        } else {
            Judgement::BelowThreshold
        };
    }

    /// Settles the verdict once `p_value` holds the corrected p-value.
    pub(super) fn decide(&mut self, alpha: f64) {
        if self.judgement != Judgement::BelowThreshold && self.material {
            match self.p_value {
                Some(p) if p < alpha => {
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

/// One side's data for an endpoint.
pub(super) struct Side<'a> {
    pub(super) stats: &'a EndpointStats,
    dist: Option<RebuiltDistribution>,
    /// The seconds Locust divided by for `Requests/s` (requests ÷ rps), when known.
    duration_s: Option<f64>,
}

impl<'a> Side<'a> {
    pub(super) fn new(stats: &'a EndpointStats) -> Self {
        let dist = (stats.requests > 0)
            .then(|| crate::group::distribution(stats))
            .flatten();
        let duration_s =
            (stats.rps > 0.0 && stats.requests > 0).then(|| stats.requests as f64 / stats.rps);
        Self {
            stats,
            dist,
            duration_s,
        }
    }

    fn n(&self) -> u64 {
        self.stats.requests
    }

    /// The metric's value on this side.
    pub(super) fn value(&self, metric: Metric) -> Option<f64> {
        metric.value(self.stats)
    }

    /// The standard error of the metric's value on this side, when it can be estimated.
    fn std_error(&self, metric: Metric) -> Option<f64> {
        let n = self.n();
        match metric {
            Metric::Avg => {
                let d = self.dist.as_ref()?;
                (n > 1).then(|| d.std_dev() / (n as f64).sqrt())
            }
            Metric::P50 | Metric::P95 | Metric::P99 => {
                let (lo, hi) = quantile_ci(self.dist.as_ref()?, n, metric.level()?, 0.95)?;
                Some((hi - lo) / (2.0 * Z95))
            }
            Metric::Max => None,
            Metric::Rps => {
                let d = self.duration_s.filter(|d| *d > 0.0)?;
                Some((n as f64).sqrt() / d)
            }
            Metric::FailureRate => {
                let p = self.stats.failure_ratio();
                (n > 0).then(|| (p * (1.0 - p) / n as f64).sqrt())
            }
        }
    }
}

/// Measures one metric across both sides: values, change, interval, raw p-value, materiality.
pub(super) fn measure(
    metric: Metric,
    baseline: Option<&Side>,
    latest: Option<&Side>,
    options: &CompareOptions,
) -> MetricComparison {
    let mut m = MetricComparison::empty(metric, Judgement::NotAvailable);
    let values = m.set_values(
        baseline.and_then(|s| s.value(metric)),
        latest.and_then(|s| s.value(metric)),
        options,
    );
    let (Some(b_side), Some(l_side), Some((b, l))) = (baseline, latest, values) else {
        return m;
    };
    if let (Some(se_b), Some(se_l)) = (b_side.std_error(metric), l_side.std_error(metric)) {
        let half = Z95 * (se_b * se_b + se_l * se_l).sqrt();
        m.ci_low = Some(l - b - half);
        m.ci_high = Some(l - b + half);
    }

    if !options.metrics.contains(&metric) {
        m.judgement = Judgement::NotSelected;
        return m;
    }
    if let Some(level) = metric.level() {
        let supported = quantile_judgeable(b_side.n(), level, options.min_tail)
            && quantile_judgeable(l_side.n(), level, options.min_tail);
        if !supported {
            m.judgement = Judgement::TooFewRequests;
            return m;
        }
    }
    if let Some((test, p)) = test_change(metric, b_side, l_side) {
        m.set_test(test, p);
    }
    m
}

/// Whether a change from `b` to `l` is beyond the threshold, the minimum and the noise floor.
fn is_material(metric: Metric, b: f64, l: f64, options: &CompareOptions) -> bool {
    let delta = l - b;
    match metric {
        Metric::Rps => b > 0.0 && (delta / b).abs() > options.rps_drop,
        Metric::FailureRate => delta.abs() > options.failure_rate_rise,
        _ => {
            let relative = b > 0.0 && (delta / b).abs() > options.threshold;
            let absolute = delta.abs() > options.min_delta_ms;
            let rounding = metric.level().is_none() || delta.abs() > locust_rounding_step(b.max(l));
            relative && absolute && rounding
        }
    }
}

/// Runs the significance test that fits the metric; returns its name and raw p-value.
fn test_change(metric: Metric, b: &Side, l: &Side) -> Option<(&'static str, f64)> {
    match metric {
        Metric::Avg => {
            let (db, dl) = (b.dist.as_ref()?, l.dist.as_ref()?);
            let p = mean_test(
                b.stats.avg_ms,
                db.std_dev(),
                b.n(),
                l.stats.avg_ms,
                dl.std_dev(),
                l.n(),
            )?;
            Some(("welch", p))
        }
        Metric::P50 | Metric::P95 | Metric::P99 | Metric::Max => {
            let level = metric.level()?;
            let p = quantile_test((b.dist.as_ref()?, b.n()), (l.dist.as_ref()?, l.n()), level)?;
            Some(("quantile", p))
        }
        Metric::Rps => {
            let p = rate_test(b.n(), b.duration_s?, l.n(), l.duration_s?)?;
            Some(("poisson_rate", p))
        }
        Metric::FailureRate => {
            let p = proportion_test(b.stats.failures, b.n(), l.stats.failures, l.n())?;
            Some(("two_proportion", p))
        }
    }
}

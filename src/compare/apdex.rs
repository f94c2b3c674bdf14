//! APDEX judged like the other metrics: each run's score with its sampling variance, a
//! between-run drift on the score's own scale, the same moderated random-effects t-test.
//!
//! A score is a mean of per-request values 1, ½ and 0, so within a run its variance is
//! [`ApdexShares::sampling_var`]. Runs of one build drift apart in their response times
//! (the drift allowance measured on perfreport's A/A battery); a score moves with them as far
//! as requests sit near T and 4T, so its prior between-run variance is that drift carried
//! through both sides' distributions ([`crate::stats::apdex::drift_sd`]), using the latency
//! allowance of the percentile nearest to where T and 4T fall (p50, p95 or p99).
//! Groups of runs then learn their own spread as for every metric. Material means a drop (or
//! rise) of more than `--apdex-drop` points of score.

use super::metric::{Inference, Judgement, MetricComparison, Side};
use super::options::{CompareOptions, DriftAllowance, Metric};
use crate::model::EndpointKey;
use crate::stats::apdex::{drift_sd, ApdexShares, HistogramCdf, TOLERATING_FACTOR};
use crate::stats::{shift_test, DriftPrior, RunEstimate};

/// Measures the APDEX of one endpoint across both sides (see the module documentation).
pub(super) fn measure(
    key: &EndpointKey,
    baseline: Option<&Side>,
    latest: Option<&Side>,
    options: &CompareOptions,
) -> MetricComparison {
    let metric = Metric::APDEX;
    let mut m = MetricComparison::empty(metric, Judgement::NotAvailable);
    let values = m.set_values(
        baseline.and_then(|s| s.value(metric)),
        latest.and_then(|s| s.value(metric)),
        options,
    );
    let (Some(b), Some(l), Some(_)) = (baseline, latest, values) else {
        return m;
    };
    m.approximate = [b, l]
        .iter()
        .any(|s| s.apdex.is_some_and(|(_, exact)| !exact));
    if !options.metrics.contains(&metric) {
        m.judgement = Judgement::NotSelected;
        return m;
    }
    if b.all_failed() || l.all_failed() {
        m.judgement = Judgement::AllFailed;
        return m;
    }
    // Every request satisfied on both sides: no outcome of this test could be significant,
    // so it stays out of the family (as failure rates without failures do).
    let satisfied = |s: &Side| {
        s.runs
            .iter()
            .all(|r| r.apdex.is_some_and(|a| a.all_satisfied()))
    };
    let inference = if satisfied(b) && satisfied(l) {
        None
    } else {
        let t_ms = options.apdex.t_for(key);
        let prior = DriftPrior {
            var: drift_var(&options.drift, b, l, t_ms),
            df: options.drift.prior_df,
        };
        shift_test(&estimates(b), &estimates(l), prior).map(Inference::Score)
    };
    match inference {
        Some(i) => m.set_test("random_effects_t", i),
        None => m.judgement = Judgement::BelowThreshold,
    }
    m
}

/// Each run's score and its sampling variance.
fn estimates(side: &Side) -> Vec<RunEstimate> {
    side.runs
        .iter()
        .filter_map(|r| r.apdex)
        .map(|a: ApdexShares| RunEstimate {
            log_value: a.score,
            within_var: a.sampling_var(),
        })
        .collect()
}

/// The prior between-run variance of the score at `t_ms`: the latency drift allowance carried
/// through each side's distribution (its histogram when it has one, else the distribution
/// rebuilt from its percentile columns), the two variances averaged — under "nothing changed"
/// both sides estimate one distribution, and a side whose every request sits below T alone
/// would say the score cannot drift.
fn drift_var(drift: &DriftAllowance, baseline: &Side, latest: &Side, t_ms: f64) -> f64 {
    (side_drift_var(drift, baseline, t_ms) + side_drift_var(drift, latest, t_ms)) / 2.0
}

fn side_drift_var(drift: &DriftAllowance, side: &Side, t_ms: f64) -> f64 {
    let (counted, rebuilt);
    let cdf: &dyn Fn(f64) -> f64 = match side
        .histogram
        .as_ref()
        .and_then(|h| HistogramCdf::new(&h.buckets))
    {
        Some(h) => {
            counted = h;
            &|x| counted.cdf(x)
        }
        None => match crate::group::distribution(side.shown) {
            Some(d) => {
                rebuilt = d;
                &|x| rebuilt.cdf(x)
            }
            None => return 0.0,
        },
    };
    let sigma = |x: f64| drift.log_var(nearest_percentile(cdf(x)), x).sqrt();
    let sd = drift_sd(cdf, t_ms, sigma(t_ms), sigma(TOLERATING_FACTOR * t_ms));
    sd * sd
}

/// The judged percentile whose drift allowance applies at a point the distribution puts at
/// `level`: the nearest of p50, p95 and p99.
fn nearest_percentile(level: f64) -> Metric {
    match level {
        level if level < 0.725 => Metric::P50,
        level if level < 0.97 => Metric::P95,
        _ => Metric::P99,
    }
}

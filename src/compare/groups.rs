//! Comparing groups of repeated runs: the run, not the request, is the unit of replication.
//!
//! Each run contributes one value per endpoint and metric (its p95, its average, its
//! throughput…); those values are the samples. The deciding test is Welch's t-test on the log
//! of the values (response times and throughputs change multiplicatively; Welch 1947), with a
//! confidence interval for the ratio of geometric means; the Mann–Whitney U test (Mann &
//! Whitney 1947) is reported beside it but cannot decide with three runs a side, where its
//! smallest possible two-sided p is 0.1. When one side has a single run, it is judged against
//! the other side's run-to-run spread with a prediction-interval t-test. The values shown are
//! pooled over each group ([`crate::group::pool`]); materiality is judged on them as for single
//! runs, and p-values are Holm-corrected across endpoints × metrics.

use super::metric::{Judgement, MetricComparison, Side};
use super::options::{CompareOptions, Metric};
use super::{apply_correction, decide, failures, warnings, Comparison, EndpointComparison};
use super::{Mode, RunInfo, Verdict};
use std::borrow::Cow;

use crate::group::{pool, pools_exactly, spreads};
use crate::model::{EndpointKey, Run};
use crate::stats::{
    locust_rounding_step, mann_whitney_min_p, mann_whitney_u, prediction_t_test,
    ratio_ci_with_floor, welch_t_test_with_floor,
};

/// Compares two groups of runs. With one run on each side this is [`super::compare`] with a
/// note that run-to-run drift is not covered.
pub fn compare_groups(
    baseline: &[Run],
    latest: &[Run],
    options: &CompareOptions,
    skip_warmup_s: Option<f64>,
) -> Option<Comparison> {
    compare_and_pool(baseline, latest, options, skip_warmup_s).map(|(c, _, _)| c)
}

/// [`compare_groups`], also handing back what each side was judged as: the run itself when a
/// side has one run, else the pooled run (so a report shows the same numbers without pooling
/// again).
pub fn compare_and_pool<'a>(
    baseline: &'a [Run],
    latest: &'a [Run],
    options: &CompareOptions,
    skip_warmup_s: Option<f64>,
) -> Option<(Comparison, Cow<'a, Run>, Cow<'a, Run>)> {
    if let ([b], [l]) = (baseline, latest) {
        let mut c = super::compare(b, l, options);
        c.baseline.steady = crate::steady::steady_window(b, skip_warmup_s);
        c.latest.steady = crate::steady::steady_window(l, skip_warmup_s);
        c.notes.push(
            "one run per side (n = 1): verdicts weigh each run's own sampling noise; \
             run-to-run drift is not covered — repeat each side 3 or more times for that"
                .to_string(),
        );
        return Some((c, Cow::Borrowed(b), Cow::Borrowed(l)));
    }
    let pooled_b = pool(baseline, &group_name(baseline))?;
    let pooled_l = pool(latest, &group_name(latest))?;

    let mut endpoints: Vec<EndpointComparison> = Vec::new();
    for e in &pooled_b.endpoints {
        endpoints.push(endpoint(
            &e.key, &pooled_b, &pooled_l, baseline, latest, options,
        ));
    }
    for e in &pooled_l.endpoints {
        if pooled_b.endpoint(&e.key).is_none() {
            endpoints.push(endpoint(
                &e.key, &pooled_b, &pooled_l, baseline, latest, options,
            ));
        }
    }
    let agg = EndpointKey::aggregated();
    let mut aggregated = endpoint(&agg, &pooled_b, &pooled_l, baseline, latest, options);
    let tests_performed = apply_correction(&mut endpoints, &mut aggregated, options);
    for e in endpoints.iter_mut().chain(std::iter::once(&mut aggregated)) {
        decide(e, options);
    }
    let regressed = aggregated.verdict == Verdict::Regressed
        || endpoints.iter().any(|e| e.verdict == Verdict::Regressed);

    let mut notes = Vec::new();
    let (nb, nl) = (baseline.len(), latest.len());
    if nb >= 2 && nl >= 2 {
        let floor = mann_whitney_min_p(nb, nl);
        if floor >= options.alpha {
            notes.push(format!(
                "with {nb} vs {nl} runs the Mann–Whitney U test cannot go below p = {floor:.3} \
                 (two-sided), so it can never reach alpha = {}; verdicts rest on Welch's t-test \
                 on log values",
                options.alpha
            ));
        }
    } else {
        notes.push(format!(
            "{nb} vs {nl} runs: the single run is judged against the other side's run-to-run \
             spread (prediction-interval t-test)"
        ));
    }
    let exact = pools_exactly(baseline) && pools_exactly(latest);
    notes.push(if exact {
        "percentiles of a group come from the runs' summed histograms (exact, as Locust computes them)"
            .to_string()
    } else {
        "percentiles of a group are pooled from each run's percentile columns (approximate, ≈); \
         record Locust with --json-file PREFIX (or use perfreport run) for exact pooling"
            .to_string()
    });

    let (info_b, info_l) = (
        group_info(baseline, &pooled_b, skip_warmup_s),
        group_info(latest, &pooled_l, skip_warmup_s),
    );
    let setup = |info: &RunInfo| warnings::Setup {
        users: info.users,
        duration_s: info.duration_s,
    };
    let mut warnings =
        warnings::comparability_of(setup(&info_b), setup(&info_l), &pooled_b, &pooled_l);
    for (side, runs) in [("baseline", baseline), ("latest", latest)] {
        if let Some(first) = runs.first() {
            for w in runs
                .iter()
                .skip(1)
                .flat_map(|r| warnings::comparability(first, r))
            {
                warnings.push(format!("within the {side} group: {w}"));
            }
        }
    }
    let comparison = Comparison {
        perfreport_version: env!("CARGO_PKG_VERSION"),
        mode: Mode::Groups,
        regressed,
        baseline: info_b,
        latest: info_l,
        options: options.clone(),
        tests_performed,
        aggregated,
        endpoints,
        failures: failures::compare_failures(&pooled_b, &pooled_l, options.alpha),
        spreads_baseline: spreads(baseline, &pooled_b),
        spreads_latest: spreads(latest, &pooled_l),
        notes,
        warnings,
    };
    // A side of one run is shown as itself (with its time series, which do not pool).
    let shown = |runs: &'a [Run], pooled: Run| match runs {
        [one] => Cow::Borrowed(one),
        _ => Cow::Owned(pooled),
    };
    Some((
        comparison,
        shown(baseline, pooled_b),
        shown(latest, pooled_l),
    ))
}

fn group_name(runs: &[Run]) -> String {
    let names: Vec<&str> = runs.iter().map(|r| r.files.name.as_str()).collect();
    let noun = if runs.len() == 1 { "run" } else { "runs" };
    format!("{} {noun} ({})", runs.len(), names.join(", "))
}

fn group_info(runs: &[Run], pooled: &Run, skip_warmup_s: Option<f64>) -> RunInfo {
    let mut info = RunInfo::of(pooled);
    info.runs = runs.len();
    info.duration_s = mean(runs.iter().filter_map(Run::duration_s));
    info.users = runs.iter().filter_map(Run::peak_users).max();
    info.steady = None;
    info.run_steady = runs
        .iter()
        .map(|r| crate::steady::steady_window(r, skip_warmup_s))
        .collect();
    info
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn endpoint(
    key: &EndpointKey,
    pooled_b: &Run,
    pooled_l: &Run,
    baseline: &[Run],
    latest: &[Run],
    options: &CompareOptions,
) -> EndpointComparison {
    let (b, l) = (pooled_b.endpoint(key), pooled_l.endpoint(key));
    let verdict = match (b, l) {
        (Some(_), None) => Verdict::Removed,
        (None, Some(_)) => Verdict::New,
        _ => Verdict::Unchanged,
    };
    let exact = pools_exactly(baseline) && pools_exactly(latest);
    let samples = |runs: &[Run], metric: Metric| -> Vec<f64> {
        runs.iter()
            .filter_map(|r| metric.value(r.endpoint(key)?))
            .collect()
    };
    let (side_b, side_l) = (b.map(Side::new), l.map(Side::new));
    let metrics = Metric::ALL
        .iter()
        .map(|&m| {
            let mut found = measure(
                m,
                side_b.as_ref(),
                side_l.as_ref(),
                &samples(baseline, m),
                &samples(latest, m),
                options,
            );
            found.approximate &= !exact;
            found.n_baseline = baseline.len();
            found.n_latest = latest.len();
            found
        })
        .collect();
    EndpointComparison {
        method: key.method.clone(),
        name: key.name.clone(),
        verdict,
        requests_baseline: b.map(|s| s.requests),
        requests_latest: l.map(|s| s.requests),
        metrics,
    }
}

/// One metric over two groups: pooled values, and a test on the per-run values.
fn measure(
    metric: Metric,
    baseline: Option<&Side>,
    latest: Option<&Side>,
    samples_b: &[f64],
    samples_l: &[f64],
    options: &CompareOptions,
) -> MetricComparison {
    let mut m = MetricComparison::empty(metric, Judgement::NotAvailable);
    m.approximate = metric.level().is_some_and(|l| l < 1.0);
    let values = m.set_values(
        baseline.and_then(|s| s.value(metric)),
        latest.and_then(|s| s.value(metric)),
        options,
    );
    let Some((b, _)) = values else {
        return m;
    };
    let positive = samples_b.iter().chain(samples_l).all(|&x| x > 0.0);
    let rounded = metric.level().is_some();
    let floor = (
        rounding_floor(samples_b, rounded, positive),
        rounding_floor(samples_l, rounded, positive),
    );
    if positive && samples_b.len() >= 2 && samples_l.len() >= 2 {
        if let Some((lo, hi)) = ratio_ci_with_floor(samples_b, samples_l, 0.95, floor) {
            m.ci_low = Some(b * (lo - 1.0));
            m.ci_high = Some(b * (hi - 1.0));
        }
    }
    if !options.metrics.contains(&metric) {
        m.judgement = Judgement::NotSelected;
        return m;
    }
    m.p_mann_whitney = mann_whitney_u(samples_b, samples_l).map(|r| r.p_value);
    let Some((test, p)) = group_test(samples_b, samples_l, positive, floor) else {
        if !m.material {
            m.judgement = Judgement::BelowThreshold;
        }
        return m;
    };
    m.set_test(test, p);
    m
}

/// The least variance of a group's per-run values: Locust's rounding error (Sheppard's
/// `step² / 12`) for rounded percentiles, on the log scale when the test uses logs; 0 for
/// exact metrics (average, throughput, failure rate, max).
fn rounding_floor(values: &[f64], rounded: bool, log_scale: bool) -> f64 {
    if !rounded || values.is_empty() {
        return 0.0;
    }
    let typical = values.iter().sum::<f64>() / values.len() as f64;
    let step = locust_rounding_step(typical);
    if log_scale {
        (step / typical).powi(2) / 12.0
    } else {
        step * step / 12.0
    }
}

/// The deciding test on per-run values: Welch on logs (or on the values when one is 0), or
/// the prediction test when one side has a single run.
fn group_test(
    b: &[f64],
    l: &[f64],
    positive: bool,
    floor: (f64, f64),
) -> Option<(&'static str, f64)> {
    let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<f64>>();
    let (b_t, l_t) = if positive {
        (ln(b), ln(l))
    } else {
        (b.to_vec(), l.to_vec())
    };
    let named = |log: &'static str, raw: &'static str| if positive { log } else { raw };
    match (b_t.len(), l_t.len()) {
        (0, _) | (_, 0) => None,
        (1, _) => Some((
            named("prediction_t_log", "prediction_t"),
            prediction_t_test(b_t[0], &l_t, floor.1)?,
        )),
        (_, 1) => Some((
            named("prediction_t_log", "prediction_t"),
            prediction_t_test(l_t[0], &b_t, floor.0)?,
        )),
        _ => Some((
            named("welch_log", "welch"),
            welch_t_test_with_floor(&b_t, &l_t, floor)?.p_value,
        )),
    }
}

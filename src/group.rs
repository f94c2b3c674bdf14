//! Run groups: repeated runs of one build, pooled into one table, with their run-to-run spread.
//!
//! Percentiles are never averaged across runs (a p95 of 10 ms over 1,000 requests averaged with
//! 1,900 ms over 10 requests gives 955 ms; the pooled truth is about 10 ms). Each run's
//! response-time distribution is rebuilt from its min, percentile columns and max, the
//! distributions are mixed with the request counts as weights, and the mixture is inverted
//! ([`crate::stats::pooled_quantile`]). Such percentiles are approximate and labelled so.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metric::Metric;
use crate::model::{
    EndpointKey, EndpointStats, ExceptionRow, FailureRow, Histogram, Percentile, Run, RunFiles,
};
use crate::stats::{
    histogram_percentile, locust_rounding_step, merge_locust_buckets, modified_z_scores,
    pooled_quantile, spread, RebuiltDistribution, Spread,
};

/// A run whose modified z-score exceeds this stands out from its group (Iglewicz & Hoaglin).
pub const OUTLIER_Z: f64 = 3.5;

/// Outliers are flagged only in groups of at least this many runs: with three or four values
/// the median absolute deviation is too degenerate for the score to mean anything. A rounded
/// percentile is flagged only when it lies more than one Locust rounding step from the median.
pub const OUTLIER_MIN_RUNS: usize = 5;

/// Whether every run carries full histograms, so that pooled percentiles are exact (summed
/// histograms, Locust's own percentile rule) rather than approximate (mixed rebuilt CDFs).
pub fn pools_exactly(runs: &[Run]) -> bool {
    !runs.is_empty() && runs.iter().all(|r| !r.histograms.is_empty())
}

/// Pools several runs into one: summed counts, request-weighted averages, and percentiles
/// from summed histograms when every run has them ([`pools_exactly`]), else from mixed
/// distributions.
///
/// The pooled run has no history (a per-second series does not pool). Returns `None` for no runs.
pub fn pool(runs: &[Run], name: &str) -> Option<Run> {
    let first = runs.first()?;
    let levels: Vec<f64> = first
        .aggregated
        .percentiles
        .iter()
        .map(|p| p.level)
        .collect();
    let mut keys: Vec<EndpointKey> = Vec::new();
    for run in runs {
        for e in &run.endpoints {
            if !keys.contains(&e.key) {
                keys.push(e.key.clone());
            }
        }
    }
    let exact = pools_exactly(runs);
    let mut histograms = Vec::new();
    let mut pool_key = |key: &EndpointKey, parts: &[&EndpointStats]| {
        let merged = exact.then(|| merged_histogram(runs, key));
        let buckets = merged.as_ref().map(|h| h.buckets.as_slice());
        let stats = pool_endpoint(key, parts, runs.len(), &levels, buckets);
        histograms.extend(merged);
        stats
    };
    let endpoints = keys
        .iter()
        .map(|key| {
            let parts: Vec<&EndpointStats> = runs.iter().filter_map(|r| r.endpoint(key)).collect();
            pool_key(key, &parts)
        })
        .collect();
    let aggregated: Vec<&EndpointStats> = runs.iter().map(|r| &r.aggregated).collect();
    let aggregated = pool_key(&EndpointKey::aggregated(), &aggregated);
    Some(Run {
        files: RunFiles {
            name: name.to_string(),
            ..first.files.clone()
        },
        endpoints,
        aggregated,
        history: Default::default(),
        failures: pool_failures(runs),
        exceptions: pool_exceptions(runs),
        histograms,
    })
}

/// The sum of every run's histogram of one endpoint, on Locust's bucket keys.
fn merged_histogram(runs: &[Run], key: &EndpointKey) -> Histogram {
    let each: Vec<Histogram> = runs.iter().filter_map(|r| r.histogram(key)).collect();
    Histogram {
        key: key.clone(),
        buckets: merge_locust_buckets(each.iter().map(|h| h.buckets.as_slice())),
    }
}

/// One endpoint over the runs that have it; `runs` is the group size, so that throughput is
/// the mean over all runs (a run without the endpoint served it at 0 requests/s).
/// Percentiles come from the summed histogram `buckets` when given (Locust's own rule), else
/// from the mixture of the runs' rebuilt distributions.
fn pool_endpoint(
    key: &EndpointKey,
    parts: &[&EndpointStats],
    runs: usize,
    levels: &[f64],
    buckets: Option<&[(f64, u64)]>,
) -> EndpointStats {
    let requests: u64 = parts.iter().map(|p| p.requests).sum();
    let weighted = |f: fn(&EndpointStats) -> f64| {
        if requests == 0 {
            0.0
        } else {
            parts.iter().map(|p| f(p) * p.requests as f64).sum::<f64>() / requests as f64
        }
    };
    let dists: Vec<(RebuiltDistribution, u64)> = match buckets {
        Some(_) => Vec::new(),
        None => parts
            .iter()
            .filter(|p| p.requests > 0)
            .filter_map(|p| distribution(p).map(|d| (d, p.requests)))
            .collect(),
    };
    let refs: Vec<(&RebuiltDistribution, u64)> = dists.iter().map(|(d, n)| (d, *n)).collect();
    let quantile = |level: f64| match buckets {
        Some(b) => histogram_percentile(b, level),
        None => pooled_quantile(&refs, level),
    };
    let percentiles: Vec<Percentile> = levels
        .iter()
        .map(|&level| Percentile {
            level,
            value_ms: quantile(level),
        })
        .collect();
    let runs = runs.max(1) as f64;
    EndpointStats {
        key: key.clone(),
        requests,
        failures: parts.iter().map(|p| p.failures).sum(),
        median_ms: quantile(0.5),
        avg_ms: weighted(|p| p.avg_ms),
        min_ms: parts.iter().filter_map(|p| p.min_ms).reduce(f64::min),
        max_ms: parts.iter().filter_map(|p| p.max_ms).reduce(f64::max),
        avg_content_size: weighted(|p| p.avg_content_size),
        rps: parts.iter().map(|p| p.rps).sum::<f64>() / runs,
        failures_per_s: parts.iter().map(|p| p.failures_per_s).sum::<f64>() / runs,
        percentiles,
    }
}

/// The run's response-time distribution rebuilt from its summary columns.
pub fn distribution(stats: &EndpointStats) -> Option<RebuiltDistribution> {
    let points: Vec<(f64, f64)> = stats
        .percentiles
        .iter()
        .filter_map(|p| p.value_ms.map(|v| (p.level, v)))
        .collect();
    RebuiltDistribution::from_summary(stats.min_ms, &points, stats.max_ms)
}

fn pool_failures(runs: &[Run]) -> Vec<FailureRow> {
    let mut merged: BTreeMap<(EndpointKey, String), FailureRow> = BTreeMap::new();
    for row in runs.iter().flat_map(|r| &r.failures) {
        let entry = merged
            .entry((row.key.clone(), row.error.clone()))
            .or_insert_with(|| FailureRow {
                occurrences: 0,
                ..row.clone()
            });
        entry.occurrences = entry.occurrences.saturating_add(row.occurrences);
        // ISO 8601 UTC times compare as text.
        let first = entry
            .first_seen
            .take()
            .into_iter()
            .chain(row.first_seen.clone());
        entry.first_seen = first.min();
        let last = entry
            .last_seen
            .take()
            .into_iter()
            .chain(row.last_seen.clone());
        entry.last_seen = last.max();
    }
    merged.into_values().collect()
}

fn pool_exceptions(runs: &[Run]) -> Vec<ExceptionRow> {
    let mut merged: BTreeMap<(String, String), ExceptionRow> = BTreeMap::new();
    for row in runs.iter().flat_map(|r| &r.exceptions) {
        let entry = merged
            .entry((row.message.clone(), row.traceback.clone()))
            .or_insert_with(|| ExceptionRow {
                count: 0,
                ..row.clone()
            });
        entry.count = entry.count.saturating_add(row.count);
    }
    merged.into_values().collect()
}

/// How one metric of one endpoint varied from run to run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSpread {
    /// Endpoint type (empty for Aggregated).
    pub method: String,
    /// Endpoint name.
    pub name: String,
    /// Metric name (`p50`, `p95`, `avg`, `rps`, `failure_rate`).
    pub metric: &'static str,
    /// Mean, median, standard deviation, coefficient of variation, range over the runs.
    #[serde(flatten)]
    pub spread: SpreadFields,
    /// Runs whose modified z-score exceeds [`OUTLIER_Z`]: shown, never dropped.
    pub outliers: Vec<String>,
}

/// [`Spread`] in a serialisable form.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpreadFields {
    /// Runs with a value.
    pub n: usize,
    /// Mean over runs.
    pub mean: f64,
    /// Median over runs.
    pub median: f64,
    /// Sample standard deviation over runs.
    pub std_dev: f64,
    /// Coefficient of variation (std_dev / mean); null when the mean is 0.
    pub cv: Option<f64>,
    /// Smallest run value.
    pub min: f64,
    /// Largest run value.
    pub max: f64,
}

impl From<Spread> for SpreadFields {
    fn from(s: Spread) -> Self {
        Self {
            n: s.n,
            mean: s.mean,
            median: s.median,
            std_dev: s.std_dev,
            cv: s.cv.is_finite().then_some(s.cv),
            min: s.min,
            max: s.max,
        }
    }
}

/// The metrics whose spread a group summary shows.
pub const SPREAD_METRICS: [Metric; 5] = [
    Metric::P50,
    Metric::P95,
    Metric::Avg,
    Metric::Rps,
    Metric::FailureRate,
];

/// Run-to-run spread of every spread metric of every endpoint (and Aggregated), with outliers.
pub fn spreads(runs: &[Run], pooled: &Run) -> Vec<MetricSpread> {
    let mut out = Vec::new();
    for e in pooled.endpoints.iter().chain(Some(&pooled.aggregated)) {
        for metric in SPREAD_METRICS {
            let values: Vec<(String, f64)> = runs
                .iter()
                .filter_map(|r| {
                    let stats = r.endpoint(&e.key)?;
                    Some((r.files.name.clone(), metric.value(stats)?))
                })
                .collect();
            let numbers: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
            let Some(s) = spread(&numbers) else {
                continue;
            };
            let rounded = matches!(metric, Metric::P50 | Metric::P95);
            let beyond_rounding =
                |x: f64| !rounded || (x - s.median).abs() > locust_rounding_step(s.median);
            let outliers = modified_z_scores(&numbers)
                .iter()
                .zip(&values)
                .filter(|(z, (_, x))| {
                    values.len() >= OUTLIER_MIN_RUNS && z.abs() > OUTLIER_Z && beyond_rounding(*x)
                })
                .map(|(_, (name, _))| name.clone())
                .collect();
            out.push(MetricSpread {
                method: e.key.method.clone(),
                name: e.key.name.clone(),
                metric: metric.name(),
                spread: s.into(),
                outliers,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(n: u64, lo: f64, hi: f64, rps: f64) -> EndpointStats {
        let levels = [0.5, 0.95, 1.0];
        EndpointStats {
            key: EndpointKey::new("GET", "/a"),
            requests: n,
            failures: n / 10,
            median_ms: Some((lo + hi) / 2.0),
            avg_ms: (lo + hi) / 2.0,
            min_ms: Some(lo),
            max_ms: Some(hi),
            avg_content_size: 100.0,
            rps,
            failures_per_s: 0.0,
            percentiles: levels
                .iter()
                .map(|&level| Percentile {
                    level,
                    value_ms: Some(lo + (hi - lo) * level),
                })
                .collect(),
        }
    }

    fn run(name: &str, e: EndpointStats) -> Run {
        let mut aggregated = e.clone();
        aggregated.key = EndpointKey::aggregated();
        Run::of_rows(name, vec![e], aggregated)
    }

    #[test]
    fn pooling_weights_by_requests_instead_of_averaging_percentiles() {
        // 1,000 requests uniform on [5, 15] ms (p95 = 14.5) and 10 requests on [1,800, 2,000].
        let runs = [
            run("a", stats(1000, 5.0, 15.0, 10.0)),
            run("b", stats(10, 1800.0, 2000.0, 2.0)),
        ];
        let pooled = pool(&runs, "group").unwrap();
        let e = &pooled.endpoints[0];
        assert_eq!(e.requests, 1010);
        assert_eq!(e.failures, 101);
        // Weighted mean: (1000·10 + 10·1900) / 1010.
        assert!((e.avg_ms - 29_000.0 / 1010.0).abs() < 1e-9);
        // Averaging the p95s would give 964 ms; the mixture's p95 is inside run a's range:
        // F(x) = (1000·(x−5)/10) / 1010 = 0.95 → x = 14.595.
        let p95 = e.percentile(0.95).unwrap();
        assert!((p95 - 14.595).abs() < 1e-6, "{p95}");
        assert_eq!(e.rps, 6.0);
        assert_eq!((e.min_ms, e.max_ms), (Some(5.0), Some(2000.0)));
    }

    #[test]
    fn full_histograms_pool_exactly_by_locusts_rule() {
        let mut a = run("a", stats(4, 10.0, 30.0, 1.0));
        let mut b = run("b", stats(6, 10.0, 30.0, 1.0));
        a.histograms = vec![Histogram {
            key: EndpointKey::new("GET", "/a"),
            buckets: vec![(10.0, 3), (30.0, 1)],
        }];
        b.histograms = vec![Histogram {
            key: EndpointKey::new("GET", "/a"),
            buckets: vec![(20.4, 5), (118.0, 1)],
        }];
        assert!(pools_exactly(&[a.clone(), b.clone()]));
        let pooled = pool(&[a.clone(), b], "g").unwrap();
        let e = &pooled.endpoints[0];
        // Summed: 10×3, 20×5, 30×1, 120×1 (118 rounds to Locust's 120). n = 10.
        // p50: int(5) → from the top, 120 leaves 9 below, 30 leaves 8, 20 leaves 3 ≤ 5 → 20.
        assert_eq!(e.percentile(0.5), Some(20.0));
        // p95: int(9.5) = 9 → 120 leaves 9 below ≤ 9 → 120.
        assert_eq!(e.percentile(0.95), Some(120.0));
        assert_eq!(e.median_ms, Some(20.0));
        // The Aggregated histogram is the sum of the endpoints' when a file has no total.
        assert_eq!(pooled.aggregated.percentile(0.5), Some(20.0));
        assert_eq!(pooled.aggregated.percentile(0.95), Some(120.0));
        // The median comes from the histogram too, not from the summary columns (20 here).
        let mut c = run("c", stats(4, 10.0, 30.0, 1.0));
        c.histograms = vec![Histogram {
            key: EndpointKey::new("GET", "/a"),
            buckets: vec![(50.0, 4)],
        }];
        let alone = pool(&[c.clone(), c], "c").unwrap();
        assert_eq!(alone.endpoints[0].median_ms, Some(50.0));
        assert!(!pools_exactly(&[a, run("c", stats(1, 1.0, 2.0, 1.0))]));
    }

    #[test]
    fn spreads_flag_the_run_that_stands_out() {
        let runs: Vec<Run> = [100.0, 102.0, 98.0, 101.0, 400.0]
            .iter()
            .enumerate()
            .map(|(i, &hi)| run(&format!("r{i}"), stats(100, 10.0, hi, 5.0)))
            .collect();
        let pooled = pool(&runs, "g").unwrap();
        let all = spreads(&runs, &pooled);
        let p95 = all
            .iter()
            .find(|s| s.metric == "p95" && s.name == "/a")
            .unwrap();
        assert_eq!(p95.spread.n, 5);
        assert_eq!(p95.outliers, vec!["r4".to_string()]);
        let rps = all.iter().find(|s| s.metric == "rps").unwrap();
        assert_eq!(rps.spread.std_dev, 0.0);
        assert!(rps.outliers.is_empty());
    }
}

//! What `summary` shows for one run, computed once and rendered by every output format.

use serde::Serialize;

use crate::model::{EndpointStats, ExceptionRow, FailureRow, Run};

/// How many failure and exception rows a summary lists.
pub const TOP: usize = 10;

/// One row of the summary tables: an endpoint, or Aggregated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Request type (empty for Aggregated).
    pub method: String,
    /// Request name.
    pub name: String,
    /// Requests completed.
    pub requests: u64,
    /// Requests failed.
    pub failures: u64,
    /// Failed requests as a fraction of all.
    pub failure_rate: f64,
    /// Requests per second over the run.
    pub rps: f64,
    /// Mean response time, ms.
    pub avg_ms: Option<f64>,
    /// Fastest request, ms.
    pub min_ms: Option<f64>,
    /// Slowest request, ms.
    pub max_ms: Option<f64>,
    /// Median, ms.
    pub median_ms: Option<f64>,
    /// Percentile values in the order of [`RunSummary::percentile_levels`].
    pub percentiles: Vec<Option<f64>>,
}

impl SummaryRow {
    fn of(stats: &EndpointStats, levels: &[f64]) -> Self {
        let has_requests = stats.requests > 0;
        Self {
            method: stats.key.method.clone(),
            name: stats.key.name.clone(),
            requests: stats.requests,
            failures: stats.failures,
            failure_rate: stats.failure_ratio(),
            rps: stats.rps,
            avg_ms: has_requests.then_some(stats.avg_ms),
            min_ms: stats.min_ms,
            max_ms: stats.max_ms,
            median_ms: stats.median_ms,
            percentiles: levels.iter().map(|&l| stats.percentile(l)).collect(),
        }
    }
}

/// Everything `summary` reports about one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run's short name (its prefix).
    pub name: String,
    /// The `_stats.csv` it was read from.
    pub stats_path: String,
    /// Length in seconds, when known.
    pub duration_s: Option<f64>,
    /// Peak user count, when the history shows it.
    pub users: Option<u64>,
    /// Whether the history has per-endpoint rows.
    pub full_history: bool,
    /// The percentile columns the run's file has, as fractions.
    pub percentile_levels: Vec<f64>,
    /// One row per endpoint, in file order.
    pub endpoints: Vec<SummaryRow>,
    /// The Aggregated row.
    pub aggregated: SummaryRow,
    /// The most frequent failures, most frequent first.
    pub top_failures: Vec<FailureRow>,
    /// Distinct failure rows in all.
    pub failure_kinds: usize,
    /// The most frequent exceptions, most frequent first.
    pub exceptions: Vec<ExceptionRow>,
}

impl RunSummary {
    /// Summarises a run.
    pub fn of(run: &Run) -> Self {
        let levels: Vec<f64> = run.aggregated.percentiles.iter().map(|p| p.level).collect();
        let mut failures = run.failures.clone();
        failures.sort_by_key(|f| std::cmp::Reverse(f.occurrences));
        let failure_kinds = failures.len();
        failures.truncate(TOP);
        let mut exceptions = run.exceptions.clone();
        exceptions.sort_by_key(|e| std::cmp::Reverse(e.count));
        exceptions.truncate(TOP);
        Self {
            name: run.files.name.clone(),
            stats_path: run.files.stats.display().to_string(),
            duration_s: run.duration_s(),
            users: run.peak_users(),
            full_history: run.has_full_history(),
            endpoints: run
                .endpoints
                .iter()
                .map(|e| SummaryRow::of(e, &levels))
                .collect(),
            aggregated: SummaryRow::of(&run.aggregated, &levels),
            percentile_levels: levels,
            top_failures: failures,
            failure_kinds,
            exceptions,
        }
    }
}

//! What `summary` shows for one run, computed once and rendered by every output format.

use serde::Serialize;

use crate::apdex::{endpoint_apdex, ApdexTargets};
use crate::endurance::{endurance, Endurance};
use crate::group::{pools_exactly, spreads, MetricSpread};
use crate::model::{EndpointStats, ExceptionRow, FailureRow, Run};
use crate::stages::{self, Stage, DEFAULT_MIN_STAGE_S};
use crate::stats::apdex::Apdex;
use crate::steady::{steady_window, SteadyWindow};

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
    /// APDEX at the endpoint's target time; `null` without requests.
    pub apdex: Option<Apdex>,
}

impl SummaryRow {
    fn of(run: &Run, stats: &EndpointStats, levels: &[f64], apdex: &ApdexTargets) -> Self {
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
            apdex: endpoint_apdex(run, stats, apdex.t_for(&stats.key)),
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
    /// Runs summarised: 1, or the size of a pooled group.
    pub runs: usize,
    /// The runs' names (one, or every run of the group).
    pub run_names: Vec<String>,
    /// Whether percentiles are pooled from several runs (approximate).
    pub approximate: bool,
    /// The steady-state window of a single run, when its history shows one.
    pub steady: Option<SteadyWindow>,
    /// With a group: each run's steady-state window.
    pub run_steady: Vec<Option<SteadyWindow>>,
    /// With a group: run-to-run spread of each metric, with outlier runs.
    pub spreads: Vec<MetricSpread>,
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
    /// The load stages of a stepped run (plateaus of the user count); empty unless the run
    /// has two or more ([`crate::stages`]).
    pub stages: Vec<Stage>,
    /// Drift of latency and throughput over a long run's steady window
    /// ([`crate::endurance`]); absent for runs shorter than 5 minutes of steady load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endurance: Option<Endurance>,
}

impl RunSummary {
    /// Summarises a run; `skip_warmup_s` fixes the start of the steady window. APDEX at the
    /// default T (500 ms).
    pub fn of(run: &Run, skip_warmup_s: Option<f64>) -> Self {
        Self::of_with(
            run,
            skip_warmup_s,
            &ApdexTargets::default(),
            DEFAULT_MIN_STAGE_S,
        )
    }

    /// [`Self::of`] with APDEX at each endpoint's T from `apdex`, and load stages of at least
    /// `min_stage_s` (shown when there are two or more).
    pub fn of_with(
        run: &Run,
        skip_warmup_s: Option<f64>,
        apdex: &ApdexTargets,
        min_stage_s: f64,
    ) -> Self {
        let levels: Vec<f64> = run.aggregated.percentiles.iter().map(|p| p.level).collect();
        let mut failures = run.failures.clone();
        failures.sort_by_key(|f| std::cmp::Reverse(f.occurrences));
        let failure_kinds = failures.len();
        failures.truncate(TOP);
        let mut exceptions = run.exceptions.clone();
        exceptions.sort_by_key(|e| std::cmp::Reverse(e.count));
        exceptions.truncate(TOP);
        let steady = steady_window(run, skip_warmup_s);
        Self {
            endurance: endurance(run, steady.as_ref()),
            name: run.files.name.clone(),
            stats_path: run.files.stats.display().to_string(),
            duration_s: run.duration_s(),
            users: run.peak_users(),
            full_history: run.has_full_history(),
            runs: 1,
            run_names: vec![run.files.name.clone()],
            approximate: false,
            steady,
            run_steady: Vec::new(),
            spreads: Vec::new(),
            endpoints: run
                .endpoints
                .iter()
                .map(|e| SummaryRow::of(run, e, &levels, apdex))
                .collect(),
            aggregated: SummaryRow::of(run, &run.aggregated, &levels, apdex),
            percentile_levels: levels,
            top_failures: failures,
            failure_kinds,
            exceptions,
            stages: if stages::count(run, min_stage_s) >= 2 {
                stages::from_history(run, min_stage_s)
            } else {
                Vec::new()
            },
        }
    }

    /// Summarises a group of repeated runs from its pooled run ([`crate::group::pool`]).
    pub fn of_group(
        runs: &[Run],
        pooled: &Run,
        skip_warmup_s: Option<f64>,
        apdex: &ApdexTargets,
    ) -> Self {
        let mut summary = Self::of_with(pooled, skip_warmup_s, apdex, DEFAULT_MIN_STAGE_S);
        summary.runs = runs.len();
        summary.run_names = runs.iter().map(|r| r.files.name.clone()).collect();
        summary.approximate = runs.len() > 1 && !pools_exactly(runs);
        summary.duration_s = {
            let d: Vec<f64> = runs.iter().filter_map(Run::duration_s).collect();
            (!d.is_empty()).then(|| d.iter().sum::<f64>() / d.len() as f64)
        };
        summary.users = runs.iter().filter_map(Run::peak_users).max();
        summary.run_steady = runs
            .iter()
            .map(|r| steady_window(r, skip_warmup_s))
            .collect();
        summary.spreads = spreads(runs, pooled);
        // A pool mixes runs: its history is not one load's timeline.
        summary.stages = Vec::new();
        summary.endurance = None;
        summary
    }
}

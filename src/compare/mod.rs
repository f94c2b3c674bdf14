//! Baseline vs latest: per-endpoint, per-metric changes with verdicts a CI job can gate on.
//!
//! A metric regresses only when three things hold at once:
//! 1. the change is *material*: beyond the relative threshold, the absolute minimum and, for
//!    percentiles, one Locust rounding step (a one-step change is rounding, not evidence);
//! 2. the run can *support* the metric: enough requests beyond a percentile on both sides
//!    ([`crate::stats::quantile_judgeable`]);
//! 3. the change is *significant* against the noise of runs of one build — each run's own
//!    sampling noise plus run-to-run drift ([`crate::stats::shift_test`],
//!    [`crate::stats::rate_difference`]) — after Holm–Bonferroni correction across every
//!    endpoint × metric tested.
//!
//! A run that recorded no request never passes: `regressed` is then true whatever else holds.
//!
//! Pure computation: takes two [`Run`]s, returns a [`Comparison`]; rendering lives in
//! [`crate::report`].

mod apdex;
mod failures;
mod groups;
mod metric;
mod options;
pub mod reference;
mod warnings;

#[cfg(test)]
mod tests;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::group::MetricSpread;
use crate::model::{EndpointKey, Run};
use crate::steady::SteadyWindow;

pub use failures::{normalise_error, FailureChange, FailureStatus};
pub use groups::{compare_and_pool, compare_groups};
pub use metric::{run_estimate, Judgement, MetricComparison, MetricVerdict};
pub use options::{CompareOptions, Correction, DriftAllowance, Metric};

/// What happened to one endpoint between the two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// At least one judged metric got significantly and materially worse.
    Regressed,
    /// Nothing regressed and at least one judged metric got better.
    Improved,
    /// No material, significant change.
    Unchanged,
    /// Only in the latest run.
    New,
    /// Only in the baseline run.
    Removed,
}

impl Verdict {
    /// The word used in every output format.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::New => "new",
            Verdict::Removed => "removed",
        }
    }
}

/// Whether each side is one run or a group of repeated runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One run per side: verdicts weigh each run's own sampling noise.
    Single,
    /// Repeated runs: per-run values are the samples.
    Groups,
}

/// The facts of one side of the comparison, for headers and comparability checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The run's short name (its prefix).
    pub name: String,
    /// The `_stats.csv` it was read from.
    pub stats_path: String,
    /// All requests (Aggregated row).
    pub requests: u64,
    /// All failures (Aggregated row).
    pub failures: u64,
    /// Length in seconds, when known.
    pub duration_s: Option<f64>,
    /// Peak user count, when the history shows it.
    pub users: Option<u64>,
    /// Runs on this side (1 for a single run).
    pub runs: usize,
    /// The steady-state window of a single run, when its history shows one.
    pub steady: Option<SteadyWindow>,
    /// With a group: each run's steady-state window, in run order.
    pub run_steady: Vec<Option<SteadyWindow>>,
}

impl RunInfo {
    /// Collects the facts of a run.
    pub fn of(run: &Run) -> Self {
        Self {
            name: run.files.name.clone(),
            stats_path: run.files.stats.display().to_string(),
            requests: run.aggregated.requests,
            failures: run.aggregated.failures,
            duration_s: run.duration_s(),
            users: run.peak_users(),
            runs: 1,
            steady: crate::steady::steady_window(run, None),
            run_steady: Vec::new(),
        }
    }
}

/// One endpoint's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointComparison {
    /// Request type (empty for Aggregated).
    pub method: String,
    /// Request name.
    pub name: String,
    /// The endpoint's overall verdict.
    pub verdict: Verdict,
    /// Requests in the baseline (absent when the endpoint is new).
    pub requests_baseline: Option<u64>,
    /// Requests in the latest run (absent when the endpoint was removed).
    pub requests_latest: Option<u64>,
    /// Every metric, keyed by name in JSON, in [`Metric::JUDGED`] order.
    #[serde(serialize_with = "metrics_as_map")]
    pub metrics: Vec<MetricComparison>,
}

impl EndpointComparison {
    /// The endpoint's key.
    pub fn key(&self) -> EndpointKey {
        EndpointKey::new(self.method.clone(), self.name.clone())
    }

    /// The comparison of one metric, if the endpoint has it.
    pub fn metric(&self, metric: Metric) -> Option<&MetricComparison> {
        self.metrics.iter().find(|m| m.metric == metric)
    }
}

fn metrics_as_map<S: Serializer>(metrics: &[MetricComparison], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(metrics.len()))?;
    for m in metrics {
        map.serialize_entry(m.metric.name(), m)?;
    }
    map.end()
}

/// The whole comparison: what `compare` prints in every format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// perfreport's version, so a stored JSON says what produced it.
    pub perfreport_version: &'static str,
    /// One run per side, or groups.
    pub mode: Mode,
    /// True when any endpoint (or Aggregated) regressed: the CI gate.
    pub regressed: bool,
    /// The baseline run.
    pub baseline: RunInfo,
    /// The latest run.
    pub latest: RunInfo,
    /// The settings the verdicts were reached with.
    pub options: CompareOptions,
    /// How many hypothesis tests the Holm correction covered.
    pub tests_performed: usize,
    /// The Aggregated row's comparison.
    pub aggregated: EndpointComparison,
    /// Every endpoint in either run: baseline order, then endpoints new in latest.
    pub endpoints: Vec<EndpointComparison>,
    /// Error signatures that are new, gone or more frequent.
    pub failures: Vec<FailureChange>,
    /// With groups: the baseline's run-to-run spread per endpoint and metric.
    pub spreads_baseline: Vec<MetricSpread>,
    /// With groups: the latest side's run-to-run spread.
    pub spreads_latest: Vec<MetricSpread>,
    /// What the reader should know about the method (n = 1, tests that cannot reach alpha…).
    pub notes: Vec<String>,
    /// Reasons the runs may not be comparable (the comparison is still made).
    pub warnings: Vec<String>,
    /// Runs that recorded no request at all; any makes `regressed` true (the gate fails).
    pub empty_runs: Vec<String>,
    /// Each endpoint's APDEX on both sides, with its T and exactness (the verdict is each
    /// endpoint's `apdex` metric).
    pub apdex: Vec<crate::apdex::ApdexChange>,
}

impl Comparison {
    /// Endpoints with a given verdict, for summaries.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.endpoints
            .iter()
            .filter(|e| e.verdict == verdict)
            .count()
    }
}

/// Compares `latest` against `baseline`, one run a side.
pub fn compare(baseline: &Run, latest: &Run, options: &CompareOptions) -> Comparison {
    let (b, l) = (std::slice::from_ref(baseline), std::slice::from_ref(latest));
    match compare_and_pool(b, l, options, None) {
        Some((c, _, _)) => c,
        None => unreachable!("compare_and_pool compares any non-empty sides"),
    }
}

/// Fills every judged metric's `p_value` with its family-wise adjusted value; returns the
/// family size.
pub(super) fn apply_correction(
    endpoints: &mut [EndpointComparison],
    aggregated: &mut EndpointComparison,
    options: &CompareOptions,
) -> usize {
    let mut tested: Vec<&mut MetricComparison> = endpoints
        .iter_mut()
        .chain(std::iter::once(aggregated))
        .flat_map(|e| e.metrics.iter_mut())
        .filter(|m| m.p_raw.is_some())
        .collect();
    let raw: Vec<f64> = tested.iter().filter_map(|m| m.p_raw).collect();
    let adjusted = options.correction.adjust(&raw);
    for (m, p) in tested.iter_mut().zip(adjusted) {
        m.p_value = Some(p);
    }
    raw.len()
}

/// Sets each metric's verdict from its (adjusted) p-value, then the endpoint's from its metrics.
/// `family` is the number of tests the correction covered.
pub(super) fn decide(endpoint: &mut EndpointComparison, options: &CompareOptions, family: usize) {
    for m in &mut endpoint.metrics {
        m.decide(options.alpha, family);
    }
    if matches!(endpoint.verdict, Verdict::New | Verdict::Removed) {
        return;
    }
    let any = |v: MetricVerdict| endpoint.metrics.iter().any(|m| m.verdict == v);
    endpoint.verdict = if any(MetricVerdict::Regressed) {
        Verdict::Regressed
    } else if any(MetricVerdict::Improved) {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    };
}

#[cfg(test)]
mod apdex_tests;
#[cfg(test)]
mod groups_tests;

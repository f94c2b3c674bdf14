//! APDEX of a run's endpoints: which target time T applies to each (`--apdex-t`, default
//! 500 ms, and the SLA file's `[apdex_t]` table) and where the counts come from — the run's
//! full histogram when it has one (Locust's `--json-file`, the driver's `_histograms.csv`:
//! exact), else the distribution rebuilt from its percentile columns (approximate, shown ≈).
//! The arithmetic is [`crate::stats::apdex`].

use serde::Serialize;

use crate::group::distribution;
use crate::model::{EndpointKey, EndpointStats, Histogram, Run};
use crate::sla::EndpointTarget;
use crate::stats::apdex::{from_histogram, Apdex, ApdexShares};

/// T when nothing else is said: 500 ms, JMeter's default satisfied threshold.
pub const DEFAULT_T_MS: f64 = 500.0;

/// The target time of each endpoint: per-endpoint values (an SLA's `[apdex_t]`, `*` for
/// every endpoint without its own), else a default.
#[derive(Debug, Clone, PartialEq)]
pub struct ApdexTargets {
    /// T for endpoints without their own, ms.
    pub default_ms: f64,
    /// Per-endpoint T, ms, in file order; the first that matches applies.
    pub endpoints: Vec<(EndpointTarget, f64)>,
}

impl Default for ApdexTargets {
    fn default() -> Self {
        Self::uniform(DEFAULT_T_MS)
    }
}

impl ApdexTargets {
    /// One T for every endpoint.
    pub fn uniform(t_ms: f64) -> Self {
        Self {
            default_ms: t_ms,
            endpoints: Vec::new(),
        }
    }

    /// `--apdex-t` (or the default) under the per-endpoint values of an SLA's `[apdex_t]`;
    /// its `*` entry, when there is one, replaces the default unless `--apdex-t` was given.
    pub fn with_sla(cli_t_ms: Option<f64>, sla_t: &[(EndpointTarget, f64)]) -> Self {
        let star = sla_t
            .iter()
            .find(|(t, _)| t.method.is_none() && t.name == "*")
            .map(|(_, ms)| *ms);
        Self {
            default_ms: cli_t_ms.or(star).unwrap_or(DEFAULT_T_MS),
            endpoints: sla_t
                .iter()
                .filter(|(t, _)| !(t.method.is_none() && t.name == "*"))
                .cloned()
                .collect(),
        }
    }

    /// T for this endpoint, ms.
    pub fn t_for(&self, key: &EndpointKey) -> f64 {
        self.endpoints
            .iter()
            .find(|(t, _)| t.matches(key))
            .map_or(self.default_ms, |(_, ms)| *ms)
    }
}

/// The APDEX of one row of `run` at target `t_ms`: exact from the run's histogram of that
/// row, else approximate from its percentile columns; `None` without requests.
pub fn endpoint_apdex(run: &Run, stats: &EndpointStats, t_ms: f64) -> Option<Apdex> {
    endpoint_shares(run, stats, t_ms).map(|(shares, exact)| Apdex {
        t_ms,
        score: shares.score,
        exact,
    })
}

/// The satisfied and tolerating shares of one row of `run` at target `t_ms`, and whether they
/// are exact (counted from the run's histogram) rather than read off the distribution rebuilt
/// from the percentile columns; `None` without requests. What `compare` judges APDEX on.
pub fn endpoint_shares(run: &Run, stats: &EndpointStats, t_ms: f64) -> Option<(ApdexShares, bool)> {
    shares_of(run.histogram(&stats.key).as_ref(), stats, t_ms)
}

/// [`endpoint_shares`] with the row's histogram already at hand (`None`: the run has none).
pub fn shares_of(
    histogram: Option<&Histogram>,
    stats: &EndpointStats,
    t_ms: f64,
) -> Option<(ApdexShares, bool)> {
    if stats.requests == 0 {
        return None;
    }
    if let Some(h) = histogram {
        if let Some(shares) = from_histogram(&h.buckets, t_ms).and_then(ApdexShares::of_counts) {
            return Some((shares, true));
        }
    }
    let d = distribution(stats)?;
    ApdexShares::of_cdf(|x| d.cdf(x), t_ms, stats.requests).map(|s| (s, false))
}

/// A score as tables show it: two decimals, `≈` in front when approximate.
pub fn shown(apdex: Option<&Apdex>) -> String {
    match apdex {
        Some(a) if a.exact => format!("{:.2}", a.score),
        Some(a) => format!("≈{:.2}", a.score),
        None => "-".into(),
    }
}

/// One endpoint's APDEX on both sides of a comparison, as each side's run gives it (the verdict
/// is the endpoint's `apdex` metric).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApdexChange {
    /// Request type (empty for Aggregated).
    pub method: String,
    /// Request name.
    pub name: String,
    /// The baseline's APDEX (absent for a new endpoint).
    pub baseline: Option<Apdex>,
    /// The latest's APDEX (absent for a removed endpoint).
    pub latest: Option<Apdex>,
    /// Latest score − baseline score.
    pub change: Option<f64>,
}

impl ApdexChange {
    /// One endpoint's APDEX on each side (either may be absent) and the change.
    pub fn of(key: &EndpointKey, baseline: Option<Apdex>, latest: Option<Apdex>) -> Self {
        Self {
            method: key.method.clone(),
            name: key.name.clone(),
            change: baseline.zip(latest).map(|(b, l)| l.score - b.score),
            baseline,
            latest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rel: &str) -> Run {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        crate::locust::load_runs(&path).unwrap().remove(0)
    }

    #[test]
    fn histograms_make_it_exact_and_percentile_columns_approximate() {
        // The same recorded run with (run1.json beside it) and without a histogram.
        let with = run("fixtures/json-groups/baseline/run1_stats.csv");
        let metrics = EndpointKey::new("GET", "/system/metrics");
        let a = endpoint_apdex(&with, with.endpoint(&metrics).unwrap(), 300.0).unwrap();
        // Counted in Python from run1.json (see stats::apdex's tests): 193 + 22/2 of 215.
        assert!(a.exact);
        assert!((a.score - 0.9488372093023256).abs() < 1e-12);
        let agg = endpoint_apdex(&with, &with.aggregated, 500.0).unwrap();
        assert!((agg.score - 0.9513201320132013).abs() < 1e-12);
        let mut without = with.clone();
        without.histograms.clear();
        let b = endpoint_apdex(&without, without.endpoint(&metrics).unwrap(), 300.0).unwrap();
        assert!(!b.exact);
        assert_eq!(shown(Some(&b)).chars().next(), Some('≈'));
    }

    #[test]
    fn targets_come_from_the_sla_then_the_default() {
        let sla = vec![
            (EndpointTarget::from_key("GET /analysis/", vec![]), 2000.0),
            (EndpointTarget::from_key("*", vec![]), 300.0),
        ];
        let t = ApdexTargets::with_sla(None, &sla);
        assert_eq!(t.t_for(&EndpointKey::new("GET", "/analysis/")), 2000.0);
        assert_eq!(t.t_for(&EndpointKey::new("GET", "/health/")), 300.0);
        let t = ApdexTargets::with_sla(Some(100.0), &sla);
        assert_eq!(t.t_for(&EndpointKey::new("GET", "/health/")), 100.0);
        assert_eq!(
            ApdexTargets::default().t_for(&EndpointKey::aggregated()),
            500.0
        );
    }
}

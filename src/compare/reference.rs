//! Drift learned from reference runs: how far runs of one build differ, endpoint by endpoint.
//!
//! With one run a side a comparison cannot see run-to-run drift, and the drift allowance
//! ([`super::DriftAllowance`]) is a machine-wide guess. Runs of the baseline build repeated
//! earlier (`--drift-from`: a folder of repeats, archived runs) measure it: for every endpoint and
//! metric their per-run log values scatter by `s²` with a mean within-run sampling variance
//! `v̄`, so `τ̂² = max(0, s² − v̄)` on `k − 1` degrees of freedom is that endpoint's own between-run
//! variance (method of moments, as DerSimonian & Laird 1986). It joins the allowance the way
//! the groups' own estimate does in [`crate::stats::shift_test`] (Smyth 2004): the prior becomes
//! `(d₀ τ₀² + (k − 1) τ̂²) / (d₀ + k − 1)` on `d₀ + k − 1` degrees of freedom. An endpoint that
//! never drifts gets tighter verdicts, one that drifts a lot gets looser ones, and both get
//! the extra degrees of freedom.

use std::collections::HashMap;

use serde::Serialize;

use super::{run_estimate, Metric};
use crate::model::{EndpointKey, Run};
use crate::stats::{quantile_judgeable, DriftPrior};

/// The fewest reference runs that say anything about drift (two residual degrees of freedom).
pub const MIN_REFERENCE_RUNS: usize = 3;

/// The metrics whose drift is measured (max is never judged; failure rates have `φ`).
pub const DRIFT_METRICS: [Metric; 5] = [
    Metric::Avg,
    Metric::P50,
    Metric::P95,
    Metric::P99,
    Metric::Rps,
];

/// One endpoint × metric's drift over the A/A runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// Which endpoint.
    pub key: EndpointKey,
    /// Which metric.
    pub metric: Metric,
    /// Geometric mean of the runs' values.
    pub value: f64,
    /// Sample variance of the runs' log values.
    pub total_var: f64,
    /// Mean within-run sampling variance.
    pub within_var: f64,
    /// Runs used.
    pub runs: usize,
}

impl Observed {
    /// The between-run variance beyond sampling noise, `max(0, s² − v̄)`.
    pub fn between_var(&self) -> f64 {
        (self.total_var - self.within_var).max(0.0)
    }
}

/// Every endpoint × metric's drift over `runs` (endpoints with too few requests beyond a
/// percentile, or in fewer than 3 runs, are left out).
pub fn observe(runs: &[Run]) -> Vec<Observed> {
    let mut out = Vec::new();
    let Some(first) = runs.first() else {
        return out;
    };
    let keys = first
        .endpoints
        .iter()
        .map(|e| e.key.clone())
        .chain(std::iter::once(EndpointKey::aggregated()));
    for key in keys {
        for metric in DRIFT_METRICS {
            let rows: Vec<_> = runs.iter().filter_map(|r| r.endpoint(&key)).collect();
            let supported = metric
                .level()
                .is_none_or(|q| rows.iter().all(|s| quantile_judgeable(s.requests, q, 10.0)));
            let estimates: Vec<_> = rows
                .iter()
                .filter_map(|s| run_estimate(metric, s))
                .collect();
            if !supported || estimates.len() < 3 {
                continue;
            }
            let n = estimates.len() as f64;
            let mean = estimates.iter().map(|e| e.log_value).sum::<f64>() / n;
            let total_var = estimates
                .iter()
                .map(|e| (e.log_value - mean).powi(2))
                .sum::<f64>()
                / (n - 1.0);
            let within_var = estimates.iter().map(|e| e.within_var).sum::<f64>() / n;
            out.push(Observed {
                key: key.clone(),
                metric,
                value: mean.exp(),
                total_var,
                within_var,
                runs: estimates.len(),
            });
        }
    }
    out
}

/// Per-endpoint drift measured on reference runs of one build.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceDrift {
    /// How many reference runs were given.
    pub runs: usize,
    /// Their names, in order.
    pub names: Vec<String>,
    #[serde(skip)]
    observed: HashMap<EndpointKey, Vec<Observed>>,
}

impl ReferenceDrift {
    /// Measures drift on `runs`; `None` with fewer than [`MIN_REFERENCE_RUNS`].
    pub fn from_runs(runs: &[Run]) -> Option<Self> {
        if runs.len() < MIN_REFERENCE_RUNS {
            return None;
        }
        let mut observed: HashMap<EndpointKey, Vec<Observed>> = HashMap::new();
        for o in observe(runs) {
            observed.entry(o.key.clone()).or_default().push(o);
        }
        Some(Self {
            runs: runs.len(),
            names: runs.iter().map(|r| r.files.name.clone()).collect(),
            observed,
        })
    }

    /// The allowance `prior` for `key`'s `metric`, joined by what the reference runs measured
    /// (unchanged when they did not measure it: the endpoint is missing from them, or has too
    /// few requests beyond a percentile).
    pub fn refine(&self, key: &EndpointKey, metric: Metric, prior: DriftPrior) -> DriftPrior {
        let Some(o) = self.measured(key, metric) else {
            return prior;
        };
        let d = (o.runs - 1) as f64;
        if !prior.df.is_finite() {
            return prior;
        }
        DriftPrior {
            var: (prior.df * prior.var + d * o.between_var()) / (prior.df + d),
            df: prior.df + d,
        }
    }

    /// Whether the reference runs measured anything of `key`.
    pub fn covers(&self, key: &EndpointKey) -> bool {
        self.observed.contains_key(key)
    }

    /// What the reference runs measured of `key`'s `metric`.
    fn measured(&self, key: &EndpointKey, metric: Metric) -> Option<&Observed> {
        self.observed.get(key)?.iter().find(|o| o.metric == metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::simulate::locust_row;

    fn key() -> EndpointKey {
        EndpointKey {
            method: "GET".into(),
            name: "/a".into(),
        }
    }

    /// A run of 1,000 requests of 100 ms over `seconds`.
    fn run(name: &str, seconds: f64) -> Run {
        let row = locust_row(key(), &vec![(100.0, false); 1000], seconds);
        let mut aggregated = row.clone();
        aggregated.key = EndpointKey::aggregated();
        Run::of_rows(name, vec![row], aggregated)
    }

    #[test]
    fn throughput_drift_is_the_scatter_beyond_poisson_noise() {
        // rps 10, 20, 40: log values ln 10 + {0, ln 2, 2 ln 2}, sample variance (ln 2)²; each
        // run's Poisson variance of ln rate is 1 / 1000.
        let runs = [run("r1", 100.0), run("r2", 50.0), run("r3", 25.0)];
        let reference = ReferenceDrift::from_runs(&runs).unwrap();
        let o = reference.measured(&key(), Metric::Rps).unwrap();
        let ln2 = 2f64.ln();
        assert!((o.total_var - ln2 * ln2).abs() < 1e-12, "{o:?}");
        assert!((o.within_var - 1e-3).abs() < 1e-12);
        assert!((o.between_var() - (ln2 * ln2 - 1e-3)).abs() < 1e-12);
        assert_eq!(o.runs, 3);
        assert_eq!(reference.names, ["r1", "r2", "r3"]);
        // Identical response times: no latency drift beyond the within-run terms.
        assert_eq!(
            reference
                .measured(&key(), Metric::Avg)
                .unwrap()
                .between_var(),
            0.0
        );
    }

    #[test]
    fn refine_pools_the_prior_with_the_reference_degrees_of_freedom() {
        let runs = [run("r1", 100.0), run("r2", 50.0), run("r3", 25.0)];
        let reference = ReferenceDrift::from_runs(&runs).unwrap();
        let prior = DriftPrior {
            var: 0.0016,
            df: 12.0,
        };
        // (12 · 0.0016 + 2 · τ̂²) / 14 on 14 df.
        let tau2 = 2f64.ln().powi(2) - 1e-3;
        let got = reference.refine(&key(), Metric::Rps, prior);
        assert!((got.var - (12.0 * 0.0016 + 2.0 * tau2) / 14.0).abs() < 1e-12);
        assert_eq!(got.df, 14.0);
        // An endpoint the reference runs never saw keeps the allowance.
        let other = EndpointKey {
            method: "GET".into(),
            name: "/b".into(),
        };
        assert_eq!(reference.refine(&other, Metric::Rps, prior), prior);
        assert!(reference.covers(&key()) && !reference.covers(&other));
    }

    #[test]
    fn fewer_than_three_runs_measure_nothing() {
        assert!(ReferenceDrift::from_runs(&[run("r1", 10.0), run("r2", 20.0)]).is_none());
    }
}

//! Failure rates of two sides of repeated runs, tested as counts.
//!
//! A failure rate is a proportion of requests, so it is tested on the counts, not on per-run
//! percentages (a run of 0 failures has no logarithm, and a run of 50 requests weighs less than
//! one of 5,000). Runs of one build can differ by more than binomial noise (a flaky dependency
//! fails in bursts), which the quasi-binomial model allows for: `Var(x_i) = φ n_i p (1 − p)`
//! with a dispersion `φ ≥ 1` (Wedderburn, "Quasi-likelihood functions, generalized linear
//! models, and the Gauss–Newton method", *Biometrika* 61, 1974; McCullagh & Nelder,
//! *Generalized Linear Models*, 2nd ed., 1989, §4.5). `φ` is estimated by Pearson's statistic
//! over the runs of both sides, `φ̂ = Σ (x_i − n_i p̂_side)² / (n_i p̂_side (1 − p̂_side)) / d`,
//! and moderated towards a prior `φ₀` worth `d₀` degrees of freedom as in [`super::drift`];
//! it is never taken below 1 (binomial noise is the least there is).
//!
//! The interval for the difference of the two pooled proportions is Newcombe's hybrid score
//! interval ("Interval estimation for the difference between independent proportions:
//! comparison of eleven methods", *Statistics in Medicine* 17, 1998, method 10), built from
//! Wilson score intervals (Wilson, *JASA* 22, 1927) on effective counts `x / φ`, `n / φ`.
//! Unlike the Wald interval it does not collapse at 0 % or 100 %. The p-value is the test
//! *from* that interval: the largest two-sided level at which the interval still excludes
//! zero. So the interval at `1 − a` excludes 0 exactly when `p < a`.

use super::drift::{t_critical, t_two_sided, DriftPrior};

/// One run's failures and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Failed requests.
    pub failures: u64,
    /// All requests.
    pub requests: u64,
}

/// The outcome of [`rate_difference`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateDifference {
    /// Pooled baseline proportion.
    pub baseline: f64,
    /// Pooled latest proportion.
    pub latest: f64,
    /// The dispersion `φ̃ ≥ 1` used.
    pub dispersion: f64,
    /// Degrees of freedom of the reference distribution.
    pub df: f64,
    /// Two-sided p-value for equal proportions.
    pub p_value: f64,
    effective: [(f64, f64); 2],
}

impl RateDifference {
    /// The Newcombe interval for latest − baseline at `confidence`.
    pub fn interval(&self, confidence: f64) -> Option<(f64, f64)> {
        let z = t_critical(self.df, confidence)?;
        Some(newcombe(self.effective[0], self.effective[1], z))
    }
}

/// Compares the failure proportions of two sides of runs (see the module documentation).
/// `prior` holds the dispersion prior `φ₀` in its `var` field. `None` when a side has no
/// requests or a run has more failures than requests.
pub fn rate_difference(
    baseline: &[Counts],
    latest: &[Counts],
    prior: DriftPrior,
) -> Option<RateDifference> {
    let valid = |s: &[Counts]| s.iter().all(|c| c.failures <= c.requests);
    if !valid(baseline) || !valid(latest) {
        return None;
    }
    let total = |s: &[Counts]| {
        s.iter().fold((0.0, 0.0), |(x, n), c| {
            (x + c.failures as f64, n + c.requests as f64)
        })
    };
    let ((xb, nb), (xl, nl)) = (total(baseline), total(latest));
    if nb == 0.0 || nl == 0.0 {
        return None;
    }
    let (pb, pl) = (xb / nb, xl / nl);
    let (mut chi2, mut df) = (0.0, 0.0);
    for (side, p) in [(baseline, pb), (latest, pl)] {
        let runs: Vec<&Counts> = side.iter().filter(|c| c.requests > 0).collect();
        if p > 0.0 && p < 1.0 && runs.len() > 1 {
            for c in &runs {
                let n = c.requests as f64;
                let expected = n * p;
                chi2 += (c.failures as f64 - expected).powi(2) / (expected * (1.0 - p));
            }
            df += (runs.len() - 1) as f64;
        }
    }
    let (dispersion, ref_df) = if df > 0.0 && prior.df.is_finite() {
        let observed = chi2 / df;
        (
            (prior.df * prior.var + df * observed) / (prior.df + df),
            prior.df + df,
        )
    } else {
        (prior.var, prior.df)
    };
    let dispersion = dispersion.max(1.0);
    let effective = [
        (xb / dispersion, nb / dispersion),
        (xl / dispersion, nl / dispersion),
    ];
    let p_value = p_from_interval(effective[0], effective[1], ref_df);
    Some(RateDifference {
        baseline: pb,
        latest: pl,
        dispersion,
        df: ref_df,
        p_value,
        effective,
    })
}

/// Wilson's score interval for `x / n` with critical value `z`.
pub fn wilson(x: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = x / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Newcombe's hybrid score interval (method 10) for `p_l − p_b`.
fn newcombe(b: (f64, f64), l: (f64, f64), z: f64) -> (f64, f64) {
    let (pb, pl) = (b.0 / b.1, l.0 / l.1);
    let (lb, ub) = wilson(b.0, b.1, z);
    let (ll, ul) = wilson(l.0, l.1, z);
    let d = pl - pb;
    let lower = d - ((pl - ll).powi(2) + (ub - pb).powi(2)).sqrt();
    let upper = d + ((ul - pl).powi(2) + (pb - lb).powi(2)).sqrt();
    (lower, upper)
}

/// The two-sided p-value that goes with the Newcombe interval: the critical value `z*` at which
/// the interval's nearer end touches 0, turned into a probability with `df`.
fn p_from_interval(b: (f64, f64), l: (f64, f64), df: f64) -> f64 {
    let (pb, pl) = (b.0 / b.1, l.0 / l.1);
    if pb == pl {
        return 1.0;
    }
    let excludes = |z: f64| {
        let (lo, hi) = newcombe(b, l, z);
        lo > 0.0 || hi < 0.0
    };
    if !excludes(1e-9) {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while excludes(hi) && hi < 1e6 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if excludes(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    t_two_sided(0.5 * (lo + hi), df)
}

#[cfg(test)]
mod tests;

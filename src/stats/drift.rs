//! Comparing two sides of repeated runs when the run, not the request, is the unit of
//! replication: a random-effects model with a moderated between-run variance.
//!
//! Each run contributes one estimate `y` of a metric on the log scale (its p95, its mean, its
//! throughput) together with that estimate's within-run sampling variance `v` (from its own
//! request count and distribution). Runs of one build differ by more than `v`: machine load,
//! warm-up, garbage collection and neighbours shift whole runs. So each run is modelled as
//!
//! ```text
//! y_i = μ_side + b_i + e_i,   b_i ~ N(0, τ²) between runs,   e_i ~ N(0, v_i) within a run,
//! ```
//!
//! the random-effects model of meta-analysis (DerSimonian & Laird, "Meta-analysis in clinical
//! trials", *Controlled Clinical Trials* 7, 1986), with the two sides as two subgroups sharing
//! one `τ²`. The shift `D = ȳ_latest − ȳ_baseline` of the side means has variance
//! `τ² (1/n_b + 1/n_l) + Σ_b v_i / n_b² + Σ_l v_i / n_l²`.
//!
//! `τ²` cannot be estimated from one run a side, and only poorly from three. It is therefore
//! *moderated*: a prior drift allowance `τ₀²` worth `d₀` degrees of freedom, measured on a
//! battery of recorded A/A runs (`fixtures/calibration/`), is combined with the groups' own
//! method-of-moments estimate `τ̂² = max(0, s² − v̄)` on `d = n_b + n_l − 2` degrees of freedom,
//! as the moderated t-statistic of Smyth ("Linear models and empirical Bayes methods for
//! assessing differential expression in microarray experiments", *Statistical Applications in
//! Genetics and Molecular Biology* 3, 2004) combines a prior variance with each gene's own:
//!
//! ```text
//! τ̃² = (d₀ τ₀² + d τ̂²) / (d₀ + d),   t = D / se(D)  ~  Student's t with d₀ + d df.
//! ```
//!
//! With one run a side the verdict rests on the allowance alone (and says so); with more runs
//! the groups' own spread takes over. Identical rounded values cannot make the variance vanish
//! (the prior and the within-run terms stay), and one wildly drifting run widens `τ̃²`.
//!
//! The p-value and the interval come from the same `t` and `se`, so a two-sided interval at
//! level `1 − a` excludes zero exactly when `p < a`.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// One run's estimate of a metric on the log scale and its within-run sampling variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunEstimate {
    /// `ln` of the run's value.
    pub log_value: f64,
    /// Sampling variance of `log_value` within the run (request-level noise, rounding).
    pub within_var: f64,
}

/// A prior allowance for run-to-run drift: the between-run variance `τ₀²` on the log scale and
/// how many degrees of freedom of evidence it is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftPrior {
    /// `τ₀²`, the between-run variance of the log value expected for runs of one build.
    pub var: f64,
    /// `d₀`, the prior's weight in degrees of freedom (`f64::INFINITY` fixes `τ² = τ₀²`).
    pub df: f64,
}

/// The outcome of [`shift_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftTest {
    /// `D`, the shift of the mean log value, latest − baseline (`exp(D)` is the ratio of
    /// geometric means).
    pub estimate: f64,
    /// Standard error of `D`.
    pub se: f64,
    /// Degrees of freedom of the reference t distribution.
    pub df: f64,
    /// Two-sided p-value for no shift.
    pub p_value: f64,
    /// The moderated between-run variance `τ̃²` that went into `se`.
    pub between_var: f64,
    /// The groups' own estimate `τ̂²`, when they have residual degrees of freedom.
    pub observed_between_var: Option<f64>,
}

impl ShiftTest {
    /// The two-sided interval for `D` at `confidence` (on the log scale): excludes 0 exactly when
    /// `p_value < 1 − confidence`. `None` for a confidence outside (0, 1).
    pub fn interval(&self, confidence: f64) -> Option<(f64, f64)> {
        let half = t_critical(self.df, confidence)? * self.se;
        Some((self.estimate - half, self.estimate + half))
    }
}

/// Tests for a shift between two sides of runs under the moderated random-effects model (see the
/// module documentation). `None` when a side is empty, a value is not finite, or the variance is
/// zero (no noise at all to judge against).
pub fn shift_test(
    baseline: &[RunEstimate],
    latest: &[RunEstimate],
    prior: DriftPrior,
) -> Option<ShiftTest> {
    let usable = |e: &&RunEstimate| e.log_value.is_finite() && e.within_var.is_finite();
    let b: Vec<RunEstimate> = baseline.iter().filter(usable).copied().collect();
    let l: Vec<RunEstimate> = latest.iter().filter(usable).copied().collect();
    let prior_ok = prior.var >= 0.0 && prior.df > 0.0;
    if b.is_empty() || l.is_empty() || !prior_ok {
        return None;
    }
    let (nb, nl) = (b.len() as f64, l.len() as f64);
    let mean = |s: &[RunEstimate]| s.iter().map(|e| e.log_value).sum::<f64>() / s.len() as f64;
    let (mb, ml) = (mean(&b), mean(&l));
    let squares = |s: &[RunEstimate], m: f64| {
        s.iter()
            .map(|e| (e.log_value - m) * (e.log_value - m))
            .sum::<f64>()
    };
    let resid_df = nb + nl - 2.0;
    let observed = (resid_df > 0.0).then(|| {
        let s2 = (squares(&b, mb) + squares(&l, ml)) / resid_df;
        let within = b
            .iter()
            .chain(&l)
            .map(|e| e.within_var.max(0.0))
            .sum::<f64>()
            / (nb + nl);
        (s2 - within).max(0.0)
    });
    let (between_var, df) = match observed {
        Some(tau2) if prior.df.is_finite() => (
            (prior.df * prior.var + resid_df * tau2) / (prior.df + resid_df),
            prior.df + resid_df,
        ),
        _ => (prior.var, prior.df),
    };
    let within =
        |s: &[RunEstimate], n: f64| s.iter().map(|e| e.within_var.max(0.0)).sum::<f64>() / (n * n);
    let var = between_var * (1.0 / nb + 1.0 / nl) + within(&b, nb) + within(&l, nl);
    if var.is_nan() || var <= 0.0 || !var.is_finite() {
        return None;
    }
    let se = var.sqrt();
    let estimate = ml - mb;
    Some(ShiftTest {
        estimate,
        se,
        df,
        p_value: t_two_sided(estimate / se, df),
        between_var,
        observed_between_var: observed,
    })
}

/// The two-sided critical value of Student's t (normal for infinite df) at `confidence`.
pub fn t_critical(df: f64, confidence: f64) -> Option<f64> {
    if !(confidence > 0.0 && confidence < 1.0 && df > 0.0) {
        return None;
    }
    let q = 0.5 + confidence / 2.0;
    if df.is_infinite() || df > 1e6 {
        return Some(normal_quantile(q));
    }
    StudentsT::new(0.0, 1.0, df).ok().map(|t| t.inverse_cdf(q))
}

/// P(|T| >= |t|) for Student's t with `df` degrees of freedom (normal for infinite df).
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return 1.0;
    }
    if df.is_infinite() || df > 1e6 {
        return statrs::function::erf::erfc(t.abs() / std::f64::consts::SQRT_2).min(1.0);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => 1.0,
    }
}

/// The standard normal quantile function.
pub fn normal_quantile(q: f64) -> f64 {
    use statrs::distribution::Normal;
    Normal::standard().inverse_cdf(q)
}

#[cfg(test)]
mod tests;

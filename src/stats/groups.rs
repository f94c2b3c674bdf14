//! Statistics over repeated runs: each run contributes one value of a metric (its p50, its mean,
//! its throughput…), and the runs are the samples.
//!
//! Run-to-run variation (warm caches, noisy neighbours, GC) is usually larger than the
//! within-run sampling error that [`super::inference`] measures, so when several runs per side
//! exist, comparing them as groups is the sounder test. Group sizes are tiny (3–10), so the
//! functions are chosen for small samples: Welch's t test on log values (response times are
//! roughly log-normal and changes are multiplicative), a confidence interval for the ratio of
//! latest to baseline from it, the Mann–Whitney U test as a distribution-free check, and robust
//! outlier scores to spot one odd run.
//!
//! Every function ignores non-finite values (a run that lacks the metric) and returns `None` or
//! a documented value when too few remain.

use statrs::distribution::{ContinuousCDF, StudentsT};

pub use super::ranks::{mann_whitney_min_p, mann_whitney_u, MannWhitneyResult};

/// Location and spread of one metric over repeated runs, for the report's "how stable is this
/// metric" columns and for deciding whether a comparison can be trusted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Number of finite values used.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (mean of the two middle values for even `n`).
    pub median: f64,
    /// Sample standard deviation (divisor `n - 1`); 0 for a single value.
    pub std_dev: f64,
    /// Coefficient of variation `std_dev / |mean|`; `NaN` when the mean is 0.
    pub cv: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Summary of a metric over runs (mean, median, sample standard deviation, coefficient of
/// variation, range); `None` when no finite value is given.
pub fn spread(values: &[f64]) -> Option<Spread> {
    let mut v = finite(values);
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mean = mean(&v);
    let std_dev = if n > 1 {
        variance(&v, mean).sqrt()
    } else {
        0.0
    };
    Some(Spread {
        n,
        mean,
        median: median_sorted(&v),
        std_dev,
        cv: if mean == 0.0 {
            f64::NAN
        } else {
            std_dev / mean.abs()
        },
        min: v[0],
        max: v[n - 1],
    })
}

/// Modified z-scores (Iglewicz & Hoaglin, *How to Detect and Handle Outliers*, ASQC Basic
/// References in Quality Control 16, 1993): `0.6745 (x - median) / MAD`, with MAD the median
/// absolute deviation from the median. A run whose score exceeds 3.5 in absolute value is an
/// outlier worth a warning: unlike the plain z-score, one wild run cannot mask itself by
/// inflating the standard deviation.
///
/// Same length and order as the input; a non-finite input gets `NaN` and is left out of the
/// median and MAD. When more than half the values are equal the MAD is 0; then the mean absolute
/// deviation stands in, `(x - median) / (1.253314 MeanAD)` (the fallback IBM SPSS documents for
/// this score; 1.253314 = sqrt(pi/2) makes it consistent for normal data), and when that is 0
/// too all scores are 0.
pub fn modified_z_scores(values: &[f64]) -> Vec<f64> {
    let mut v = finite(values);
    if v.is_empty() {
        return vec![f64::NAN; values.len()];
    }
    v.sort_by(f64::total_cmp);
    let med = median_sorted(&v);
    let mut deviations: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
    let mean_ad = mean(&deviations);
    deviations.sort_by(f64::total_cmp);
    let mad = median_sorted(&deviations);
    let scale = if mad > 0.0 {
        mad / 0.6745
    } else {
        1.253314 * mean_ad
    };
    values
        .iter()
        .map(|&x| {
            if !x.is_finite() {
                f64::NAN
            } else if scale > 0.0 {
                (x - med) / scale
            } else {
                0.0
            }
        })
        .collect()
}

/// Result of [`welch_t_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchResult {
    /// Two-sided p-value.
    pub p_value: f64,
    /// `(mean(a) - mean(b)) / sqrt(var(a)/n_a + var(b)/n_b)` — SciPy's sign convention.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
}

/// Welch's two-sample t test for a difference in means without assuming equal variances
/// (Welch, *Biometrika* 34, 1947; Satterthwaite, *Biometrics Bulletin* 2, 1946), as
/// `scipy.stats.ttest_ind(a, b, equal_var=False)`. Apply it to `ln` of the per-run values to
/// compare ratios: it then tests the ratio of geometric means.
///
/// `None` when a side has fewer than 2 finite values or both sides have zero variance.
pub fn welch_t_test(a: &[f64], b: &[f64]) -> Option<WelchResult> {
    welch_t_test_with_floor(a, b, (0.0, 0.0))
}

/// [`welch_t_test`] with a floor under each side's sample variance: `floor = (a, b)`.
///
/// Locust stores percentiles rounded (to 1, 10, 100 ms…), so three runs can report the very
/// same p95 and show no spread at all. Each rounded value carries a uniform rounding error of
/// variance `step² / 12` (Sheppard 1898); using that as the least variance keeps identical
/// rounded values from looking infinitely precise.
pub fn welch_t_test_with_floor(a: &[f64], b: &[f64], floor: (f64, f64)) -> Option<WelchResult> {
    let (a, b) = (finite(a), finite(b));
    let w = welch_parts(&a, &b, floor)?;
    let t = w.diff / w.se;
    let p_value = match StudentsT::new(0.0, 1.0, w.df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => return None,
    };
    Some(WelchResult {
        p_value,
        t,
        df: w.df,
    })
}

/// Confidence interval for the ratio latest / baseline of a metric over repeated runs, so the
/// report can say "latest is 1.12× baseline (95 % CI 1.03–1.22×)".
///
/// Welch's interval on log values (Welch 1947), exponentiated: `exp(d ± t_{df, (1+c)/2} se)` with
/// `d = mean(ln latest) - mean(ln baseline)`. It estimates the ratio of geometric means, which
/// equals the ratio of means when per-run values are log-normal with equal log-variance (Zhou,
/// Gao & Hui, *Biometrics* 53, 1997). Deterministic; no bootstrap, because with 3–5 runs a
/// percentile bootstrap has only a handful of distinct resamples and covers too little (Efron &
/// Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13).
///
/// `None` when a value is not positive, a side has fewer than 2 finite values, both sides have
/// zero variance, or `confidence` is not strictly between 0 and 1.
pub fn ratio_ci(baseline: &[f64], latest: &[f64], confidence: f64) -> Option<(f64, f64)> {
    ratio_ci_with_floor(baseline, latest, confidence, (0.0, 0.0))
}

/// [`ratio_ci`] with a floor under each side's log-scale variance, `floor = (baseline,
/// latest)`, as in [`welch_t_test_with_floor`].
pub fn ratio_ci_with_floor(
    baseline: &[f64],
    latest: &[f64],
    confidence: f64,
    floor: (f64, f64),
) -> Option<(f64, f64)> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let (b, l) = (finite(baseline), finite(latest));
    if b.iter().chain(&l).any(|&x| x <= 0.0) {
        return None;
    }
    let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<f64>>();
    let w = welch_parts(&ln(&l), &ln(&b), (floor.1, floor.0))?;
    let t = StudentsT::new(0.0, 1.0, w.df)
        .ok()?
        .inverse_cdf(0.5 + confidence / 2.0);
    Some(((w.diff - t * w.se).exp(), (w.diff + t * w.se).exp()))
}

/// Difference of means, its standard error and the Welch–Satterthwaite degrees of freedom.
struct WelchParts {
    diff: f64,
    se: f64,
    df: f64,
}

fn welch_parts(a: &[f64], b: &[f64], floor: (f64, f64)) -> Option<WelchParts> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ma, mb) = (mean(a), mean(b));
    let va = variance(a, ma).max(floor.0) / a.len() as f64;
    let vb = variance(b, mb).max(floor.1) / b.len() as f64;
    let se2 = va + vb;
    if se2.is_nan() || se2 <= 0.0 {
        return None;
    }
    let df = se2 * se2 / (va * va / (a.len() - 1) as f64 + vb * vb / (b.len() - 1) as f64);
    Some(WelchParts {
        diff: ma - mb,
        se: se2.sqrt(),
        df,
    })
}

/// Whether one new value fits a group of earlier values: the prediction-interval t test
/// (e.g. Hahn & Meeker, *Statistical Intervals*, 1991, §4.7): `t = (x − mean) / (s·sqrt(1 + 1/n))`
/// with `n − 1` degrees of freedom, two-sided p. Used when one side of a comparison has a
/// single run and the other several: the single run is judged against the group's run-to-run
/// spread. `floor` is the least variance assumed for the group, as in
/// [`welch_t_test_with_floor`]. `None` with fewer than two group values or no spread at all.
pub fn prediction_t_test(single: f64, group: &[f64], floor: f64) -> Option<f64> {
    let g = finite(group);
    if g.len() < 2 || !single.is_finite() {
        return None;
    }
    let m = mean(&g);
    let s = variance(&g, m).max(floor).sqrt();
    if s <= 0.0 || s.is_nan() {
        return None;
    }
    let t = (single - m) / (s * (1.0 + 1.0 / g.len() as f64).sqrt());
    let dist = StudentsT::new(0.0, 1.0, (g.len() - 1) as f64).ok()?;
    Some((2.0 * dist.sf(t.abs())).min(1.0))
}

/// The finite values of a slice.
pub(crate) fn finite(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|x| x.is_finite()).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample variance (divisor `n - 1`), two-pass for accuracy.
fn variance(v: &[f64], mean: f64) -> f64 {
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (v.len() - 1) as f64
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests;

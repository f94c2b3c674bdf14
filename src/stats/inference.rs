//! Confidence intervals and two-sample tests for one endpoint of two runs, from Locust's
//! summary columns alone.
//!
//! Between two identical runs with ~50 requests an endpoint's p50 easily moves 10–20 % and its
//! p99 doubles, so a percent threshold alone raises false alarms. Every function here turns the
//! run's own request count into an uncertainty: distribution-free order-statistic intervals for
//! percentiles, a generalised median test for percentile shifts, Welch's test for means, and
//! exact or large-sample tests for failure proportions and request rates. Each returns `None`
//! rather than a misleading number when the data cannot support the question.

use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};
use statrs::function::erf::erfc;

use super::distribution::{pooled_quantile, RebuiltDistribution};
use super::exact::{binom_test_two_sided, fisher_exact_two_sided};
use super::rounding::locust_rounding_step;

/// Smallest expected count per cell of a 2x2 table for its large-sample test to be trusted
/// (Cochran, "Some methods for strengthening the common χ² tests", *Biometrics* 10, 1954).
pub const MIN_EXPECTED_CELL: f64 = 5.0;

/// Distribution-free confidence interval for the p-quantile of the response-time distribution
/// (Conover, *Practical Nonparametric Statistics*, 3rd ed., 1999, ch. 3, the quantile test;
/// Hahn & Meeker, *Statistical Intervals*, 1991, ch. 5), so a percentile's change can be
/// judged against its sampling uncertainty.
///
/// With `B ~ Binomial(n, p)` the number of requests at or below the true quantile, the ranks are
/// `l = min{k : P(B <= k) >= α/2}` and `u = min{k : P(B <= k) >= 1 - α/2} + 1`
/// (`scipy.stats.binom.ppf(α/2, n, p)` and `ppf(1 - α/2, n, p) + 1`), so that
/// `P(l <= B < u) >= confidence` and `[X_(l), X_(u)]` covers the quantile with at least that
/// probability. Order statistic `X_(r)` is read from the rebuilt distribution at level
/// `(r - 1) / n`, because Locust reports at level `q` exactly `X_(floor(n q) + 1)`; so the
/// interval's ends land on reported columns when they can. Values are Locust bucket keys:
/// widen by [`super::rounding::locust_rounding_step`] before calling a change real.
///
/// Returns `None` when `n = 0`, `p` is not strictly between 0 and 1, or `confidence` not
/// strictly between 0 and 1; and when `n` is too small for the confidence on either side: the
/// lower side fails (`l = 0`) when `(1 - p)^n > α/2`, typical for low quantiles, the upper side
/// (`u > n`) when `p^n > α/2`, typical for high ones — e.g. p99 at 95 % needs `n >= 368`,
/// p50 at 95 % needs `n >= 6`.
pub fn quantile_ci(
    dist: &RebuiltDistribution,
    n: u64,
    p: f64,
    confidence: f64,
) -> Option<(f64, f64)> {
    let (lower, upper) = quantile_ci_ranks(n, p, confidence)?;
    let level = |rank: u64| (rank - 1) as f64 / n as f64;
    Some((dist.quantile(level(lower)), dist.quantile(level(upper))))
}

/// The 1-based order-statistic ranks `(l, u)` behind [`quantile_ci`], for callers holding raw
/// samples or wanting to show them: `l = binom.ppf(α/2, n, p)`, `u = binom.ppf(1 - α/2, n, p) + 1`
/// (Conover 1999, ch. 3). `None` in the same cases as [`quantile_ci`].
pub fn quantile_ci_ranks(n: u64, p: f64, confidence: f64) -> Option<(u64, u64)> {
    if n == 0 || !(p > 0.0 && p < 1.0) || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let alpha = 1.0 - confidence;
    let b = Binomial::new(p, n).ok()?;
    let lower = binomial_ppf(&b, n, alpha / 2.0);
    let upper = binomial_ppf(&b, n, 1.0 - alpha / 2.0) + 1;
    (lower >= 1 && upper <= n).then_some((lower, upper))
}

/// Whether a run has enough requests to judge its p-quantile at all: at least `min_tail` (we use
/// 10) requests beyond it, `n (1 - p) >= min_tail`. With fewer, the "p99" of 50 requests is just
/// the maximum, and the maximum (`p = 1`) is never judgeable. `false` for `NaN` arguments.
pub fn quantile_judgeable(n: u64, p: f64, min_tail: f64) -> bool {
    (0.0..1.0).contains(&p) && min_tail.is_finite() && n as f64 * (1.0 - p) >= min_tail
}

/// Two-sided p-value that the p-quantile differs between a baseline and a latest run: Mood's
/// median test generalised to any quantile (Mood, *Introduction to the Theory of Statistics*,
/// 1950; Conover 1999, ch. 4, "the median test", which allows any pooled quantile), with
/// the variance widened for Locust's rounding.
///
/// Both rebuilt CDFs are pooled weighted by their request counts and `q` is the pooled
/// p-quantile. Per run, the share of requests at or below `q` is `F(q)` (so the 2x2 table of
/// counts `n F(q)` / `n (1 - F(q))` is fractional, which rules out Fisher's exact test). The
/// shares are compared with the pooled two-proportion z test with Yates's continuity correction
/// `0.5 (1/n_b + 1/n_l)`, capped at the observed difference as SciPy's `chi2_contingency` does
/// (without the next term this is exactly `chi2_contingency(table, correction=True)`).
///
/// Rounding term: a reported percentile is only known to within its Locust bucket, so each run's
/// `F(q)` is uncertain by the mass `g` of that run within half a rounding step of `q`; modelled
/// as uniform, it adds `g² / 12` per run to the variance (Sheppard's correction for grouping,
/// W. F. Sheppard, *Proc. London Math. Soc.* 29, 1898). Without it, two identical runs of
/// 1000–20000 requests whose percentiles straddle a bucket edge were flagged in 7–15 % of
/// seeded simulations at alpha 0.05; with it, 1–5.5 %, at nearly the same power (see the
/// calibration tests).
///
/// Returns `None` when not judgeable: zero counts, `p` not strictly between 0 and 1, or an
/// expected cell count below [`MIN_EXPECTED_CELL`] (Cochran 1954), i.e.
/// `min(n_b, n_l) * min(P, 1 - P) < 5` with `P` the pooled share at or below `q` — e.g. p95
/// needs about 100 requests per run, p99 about 500. Callers wanting the stricter per-run rule
/// can also require [`quantile_judgeable`].
pub fn quantile_test(
    base: (&RebuiltDistribution, u64),
    latest: (&RebuiltDistribution, u64),
    p: f64,
) -> Option<f64> {
    let (db, nb) = base;
    let (dl, nl) = latest;
    if nb == 0 || nl == 0 || !(p > 0.0 && p < 1.0) {
        return None;
    }
    let q = pooled_quantile(&[(db, nb), (dl, nl)], p)?;
    let (nb, nl) = (nb as f64, nl as f64);
    let (fb, fl) = (db.cdf(q), dl.cdf(q));
    let pooled = (nb * fb + nl * fl) / (nb + nl);
    let min_expected = nb.min(nl) * pooled.min(1.0 - pooled);
    if min_expected.is_nan() || min_expected < MIN_EXPECTED_CELL {
        return None;
    }
    let half_step = 0.5 * locust_rounding_step(q);
    let grouping = |d: &RebuiltDistribution| {
        let g = d.cdf(q + half_step) - d.cdf_left(q - half_step);
        g * g / 12.0
    };
    let inv_n = 1.0 / nb + 1.0 / nl;
    let variance = pooled * (1.0 - pooled) * inv_n + grouping(db) + grouping(dl);
    let diff = (fb - fl).abs();
    let corrected = diff - diff.min(0.5 * inv_n);
    Some(normal_two_sided(corrected / variance.sqrt()))
}

/// Two-sided p-value of Welch's test that two means differ, from summary statistics (Welch,
/// "The generalization of 'Student's' problem when several different population variances are
/// involved", *Biometrika* 34, 1947), for the mean response time, which Locust reports exactly.
///
/// `t = (mean_l - mean_b) / sqrt(sd_b²/n_b + sd_l²/n_l)` against Student's t with the
/// Welch–Satterthwaite degrees of freedom (Satterthwaite, *Biometrics Bulletin* 2, 1946); for
/// hundreds of requests this is the large-sample z test. Equals
/// `scipy.stats.ttest_ind_from_stats(..., equal_var=False)`. With a standard deviation from
/// [`RebuiltDistribution::std_dev`] the test inherits the rebuilt distribution's approximation.
///
/// Returns `None` for a count below 2, a non-finite input, a negative standard deviation, or
/// when both standard deviations are 0 (no variability to judge against).
pub fn mean_test(
    mean_b: f64,
    sd_b: f64,
    n_b: u64,
    mean_l: f64,
    sd_l: f64,
    n_l: u64,
) -> Option<f64> {
    let finite = [mean_b, sd_b, mean_l, sd_l].iter().all(|x| x.is_finite());
    if !finite || n_b < 2 || n_l < 2 || sd_b < 0.0 || sd_l < 0.0 {
        return None;
    }
    let vb = sd_b * sd_b / n_b as f64;
    let vl = sd_l * sd_l / n_l as f64;
    let se2 = vb + vl;
    if se2 <= 0.0 {
        return None;
    }
    let t = (mean_l - mean_b) / se2.sqrt();
    let df = se2 * se2 / (vb * vb / (n_b - 1) as f64 + vl * vl / (n_l - 1) as f64);
    Some(t_two_sided(t, df))
}

/// Two-sided p-value that the failure proportions `x_b / n_b` and `x_l / n_l` differ, so a rise
/// in failures is judged against its chance variation.
///
/// When every expected cell of the 2x2 table (failures, successes by run) is at least
/// [`MIN_EXPECTED_CELL`] (Cochran 1954) it is the pooled two-proportion z test without
/// continuity correction (Agresti, *Categorical Data Analysis*, 3rd ed., 2013, ch. 2;
/// `statsmodels.stats.proportion.proportions_ztest`); otherwise — the usual case of a handful of
/// failures — Fisher's exact test (`scipy.stats.fisher_exact`, see [`fisher_exact_two_sided`]).
///
/// Returns `None` when a count is 0 or failures exceed requests; `Some(1.0)` when both runs
/// have no failures (or only failures).
pub fn proportion_test(x_b: u64, n_b: u64, x_l: u64, n_l: u64) -> Option<f64> {
    if n_b == 0 || n_l == 0 || x_b > n_b || x_l > n_l {
        return None;
    }
    let (nb, nl) = (n_b as f64, n_l as f64);
    let total = nb + nl;
    let failures = (x_b + x_l) as f64;
    let min_expected = nb.min(nl) * failures.min(total - failures) / total;
    if min_expected < MIN_EXPECTED_CELL {
        return Some(fisher_exact_two_sided(x_b, n_b - x_b, x_l, n_l - x_l));
    }
    let pooled = failures / total;
    let se = (pooled * (1.0 - pooled) * (1.0 / nb + 1.0 / nl)).sqrt();
    let z = (x_l as f64 / nl - x_b as f64 / nb) / se;
    Some(normal_two_sided(z))
}

/// Two-sided p-value that two Poisson rates differ (e.g. requests or failures per second), from
/// `count` events over `secs` seconds in each run: the conditional binomial test of
/// Przyborowski & Wilenski ("Homogeneity of results in testing samples from Poisson series",
/// *Biometrika* 31, 1940). Given the total `k = count_b + count_l`, `count_l ~ Binomial(k,
/// secs_l / (secs_b + secs_l))` under equal rates; exact two-sided binomial test
/// (`scipy.stats.binomtest(count_l, k, secs_l / (secs_b + secs_l))`).
///
/// Returns `None` when a duration is not finite and positive; `Some(1.0)` when both counts are 0.
pub fn rate_test(count_b: u64, secs_b: f64, count_l: u64, secs_l: f64) -> Option<f64> {
    if !(secs_b.is_finite() && secs_l.is_finite() && secs_b > 0.0 && secs_l > 0.0) {
        return None;
    }
    let total = count_b.checked_add(count_l)?;
    binom_test_two_sided(count_l, total, secs_l / (secs_b + secs_l))
}

/// Smallest `k` in `0..=n` with `P(B <= k) >= target` (the binomial quantile function).
fn binomial_ppf(b: &Binomial, n: u64, target: f64) -> u64 {
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if b.cdf(mid) >= target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// P(|Z| >= |z|) for a standard normal Z.
fn normal_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// P(|T| >= |t|) for Student's t with `df` degrees of freedom.
fn t_two_sided(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => normal_two_sided(t),
    }
}

#[cfg(test)]
mod tests;

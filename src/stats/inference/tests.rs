//! Tests of [`super`] against hand-computed values and values computed once with SciPy 1.17.1 /
//! statsmodels 0.14 (snippets quoted beside each table).
//!
//! The quantile-test references come from an independent Python rebuild of the distribution
//! (own right-continuous CDF and left limit, pooled quantile by 200 bisection steps) and the
//! test's formula written out with `scipy.stats.norm`:
//!
//! ```python
//! LEVELS = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
//! def points(mn, vals, mx):
//!     pts = [(mn, 0.0)]; run = mn
//!     for p, v in zip(LEVELS, vals):
//!         if p >= 1: continue
//!         run = max(run, min(max(v, mn), mx)); pts.append((run, p))
//!     pts.append((mx, 1.0)); return pts
//! def cdf(pts, x):
//!     if x < pts[0][0]: return 0.0
//!     if x >= pts[-1][0]: return 1.0
//!     k = max(i for i, (v, _) in enumerate(pts) if v <= x)
//!     (v0, p0), (v1, p1) = pts[k], pts[k + 1]
//!     return p0 + (x - v0) / (v1 - v0) * (p1 - p0)
//! def cdf_left(pts, x):
//!     if x <= pts[0][0]: return 0.0
//!     if x > pts[-1][0]: return 1.0
//!     k = max(i for i, (v, _) in enumerate(pts) if v < x)
//!     (v0, p0), (v1, p1) = pts[k], pts[k + 1]
//!     return p0 + (x - v0) / (v1 - v0) * (p1 - p0)
//! def pooled_q(parts, p):   # bisection on the weighted CDF
//!     lo = min(pt[0][0] for pt, _ in parts); hi = max(pt[-1][0] for pt, _ in parts)
//!     W = sum(w for _, w in parts); F = lambda x: sum(w * cdf(pt, x) for pt, w in parts) / W
//!     if F(lo) >= p: return lo
//!     for _ in range(200):
//!         mid = (lo + hi) / 2
//!         if F(mid) >= p: hi = mid
//!         else: lo = mid
//!     return hi
//! def step(ms): return 1 if ms < 100 else 10 if ms < 1000 else 100 if ms < 10000 else 1000
//! def gtest(b, nb, l, nl, p):
//!     q = pooled_q([(b, nb), (l, nl)], p); fb, fl = cdf(b, q), cdf(l, q)
//!     P = (nb * fb + nl * fl) / (nb + nl)
//!     if min(nb, nl) * min(P, 1 - P) < 5: return None
//!     h = step(q) / 2
//!     gb = cdf(b, q + h) - cdf_left(b, q - h); gl = cdf(l, q + h) - cdf_left(l, q - h)
//!     var = P * (1 - P) * (1 / nb + 1 / nl) + (gb * gb + gl * gl) / 12
//!     d = abs(fb - fl); d -= min(d, 0.5 * (1 / nb + 1 / nl))
//!     return 2 * norm.sf(d / var ** 0.5)
//! ```

use super::*;
use crate::stats::multiple::holm_adjust;

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

const LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

fn locust(min: f64, values: [f64; 11], max: f64) -> RebuiltDistribution {
    let pct: Vec<(f64, f64)> = LEVELS.iter().copied().zip(values).collect();
    RebuiltDistribution::from_summary(Some(min), &pct, Some(max)).unwrap()
}

/// Baseline and latest `GET /system/metrics` from a real pair of runs.
fn metrics() -> (RebuiltDistribution, RebuiltDistribution) {
    (
        locust(
            83.39,
            [
                140., 150., 170., 180., 190., 190., 200., 200., 200., 200., 200.,
            ],
            202.74,
        ),
        locust(
            106.9,
            [
                180., 210., 220., 230., 260., 260., 260., 320., 320., 320., 320.,
            ],
            318.25,
        ),
    )
}

/// Baseline and latest `GET /health/` from the same pair of runs.
fn health() -> (RebuiltDistribution, RebuiltDistribution) {
    (
        locust(
            7.28,
            [14., 15., 16., 16., 17., 17., 21., 36., 39., 39., 39.],
            39.47,
        ),
        locust(
            7.39,
            [13., 15., 16., 16., 18., 19., 22., 27., 130., 130., 130.],
            128.5,
        ),
    )
}

#[test]
fn ci_ranks_match_scipy_binom() {
    // from scipy.stats import binom
    // l = int(binom.ppf((1-c)/2, n, p)); u = int(binom.ppf(1-(1-c)/2, n, p)) + 1
    // coverage binom.cdf(u-1, n, p) - binom.cdf(l-1, n, p) >= c in every row.
    let cases = [
        (100, 0.5, 0.95, 40, 61),
        (50, 0.5, 0.95, 18, 33),
        (100, 0.9, 0.95, 84, 96),
        (1000, 0.99, 0.95, 983, 997),
        (20, 0.5, 0.99, 4, 17),
        (200, 0.95, 0.9, 185, 196),
        (368, 0.99, 0.95, 360, 368),
    ];
    for (n, p, c, l, u) in cases {
        assert_eq!(
            quantile_ci_ranks(n, p, c),
            Some((l, u)),
            "n={n} p={p} c={c}"
        );
    }
    // n = 367: u = 368 > n, the upper side cannot reach 95 %.
    assert_eq!(quantile_ci_ranks(367, 0.99, 0.95), None);
    // Lower side: P(B = 0) = 0.5^5 = 0.03125 > 0.025 for the median of 5.
    assert_eq!(quantile_ci_ranks(5, 0.5, 0.95), None);
    assert!(quantile_ci_ranks(6, 0.5, 0.95).is_some());
    assert_eq!(quantile_ci_ranks(0, 0.5, 0.95), None);
    assert_eq!(quantile_ci_ranks(100, 1.0, 0.95), None);
    assert_eq!(quantile_ci_ranks(100, 0.5, 1.0), None);
    assert_eq!(quantile_ci_ranks(100, f64::NAN, 0.95), None);
}

#[test]
fn ci_maps_ranks_to_values() {
    // Uniform(0, 100) rebuilt from min/max; n = 100, p = 0.5: ranks 40 and 61 → levels 0.39
    // and 0.60 → values 39 and 60.
    let d = RebuiltDistribution::from_summary(Some(0.0), &[], Some(100.0)).unwrap();
    let (lo, hi) = quantile_ci(&d, 100, 0.5, 0.95).unwrap();
    assert!(
        close(lo, 39.0, 1e-12) && close(hi, 60.0, 1e-12),
        "{lo} {hi}"
    );
    // Real baseline metrics, n = 106: ranks binom.ppf(0.025,106,.5) = 43, ppf(.975)+1 = 64
    // → levels 42/106 and 63/106 → 83.39 + (140-83.39)*0.3962/0.5 = 128.25 and
    // 140 + 10*(0.5943-0.5)/0.16 = 145.90.
    let (b, _) = metrics();
    let (lo, hi) = quantile_ci(&b, 106, 0.5, 0.95).unwrap();
    assert!(
        close(lo, 83.39 + 56.61 * (42.0 / 106.0) / 0.5, 1e-12),
        "{lo}"
    );
    assert!(
        close(hi, 140.0 + 10.0 * (63.0 / 106.0 - 0.5) / 0.16, 1e-12),
        "{hi}"
    );
    assert!(lo < b.quantile(0.5) && b.quantile(0.5) < hi);
    assert_eq!(quantile_ci(&b, 106, 0.99, 0.95), None);
}

#[test]
fn judgeable_needs_a_tail() {
    assert!(quantile_judgeable(20, 0.5, 10.0));
    assert!(!quantile_judgeable(19, 0.5, 10.0));
    assert!(quantile_judgeable(1000, 0.99, 10.0));
    assert!(!quantile_judgeable(999, 0.99, 10.0));
    assert!(!quantile_judgeable(u64::MAX, 1.0, 10.0));
    assert!(!quantile_judgeable(100, f64::NAN, 10.0));
    assert!(!quantile_judgeable(100, 0.5, f64::NAN));
}

#[test]
fn quantile_test_identical_and_shifted() {
    // Synthetic baseline and the same shape shifted up by 30 % (n = 100 each).
    let s1 = locust(
        50.0,
        [
            100., 110., 115., 120., 130., 140., 150., 160., 170., 170., 170.,
        ],
        170.0,
    );
    let s2 = locust(
        65.0,
        [
            130., 143., 150., 156., 169., 182., 195., 208., 221., 221., 221.,
        ],
        221.0,
    );
    // gtest(s1,100,s1,100,0.5) = 1.0; gtest(s1,100,s1,100,0.9) = 1.0
    assert_eq!(quantile_test((&s1, 100), (&s1, 100), 0.5), Some(1.0));
    assert_eq!(quantile_test((&s1, 100), (&s1, 100), 0.9), Some(1.0));
    // gtest(s1,100,s2,100,0.5) = 0.0006810103609020418
    let p = quantile_test((&s1, 100), (&s2, 100), 0.5).unwrap();
    assert!(close(p, 0.0006810103609020418, 1e-6), "{p}");
    assert!(p < 0.001);
    // Not judgeable: tiny counts, p outside (0, 1), expected cells < 5.
    assert_eq!(quantile_test((&s1, 0), (&s2, 100), 0.5), None);
    assert_eq!(quantile_test((&s1, 100), (&s2, 100), 1.0), None);
    assert_eq!(quantile_test((&s1, 100), (&s2, 100), 0.99), None);
    assert_eq!(quantile_test((&s1, 100), (&s2, 100), f64::NAN), None);
}

#[test]
fn quantile_and_mean_tests_on_real_metrics_endpoint() {
    let (b, l) = metrics();
    // gtest(mb,106,ml,80,0.5) = 1.9580272366710666e-05
    let p50 = quantile_test((&b, 106), (&l, 80), 0.5).unwrap();
    assert!(close(p50, 1.9580272366710666e-05, 1e-6), "{p50}");
    assert!(p50 < 0.001);
    // gtest(mb,106,ml,80,0.9) = 2.791908357979185e-06
    let p90 = quantile_test((&b, 106), (&l, 80), 0.9).unwrap();
    assert!(close(p90, 2.791908357979185e-06, 1e-6), "{p90}");
    // Rebuilt standard deviations (Python sd(points) above: 33.63722795212015, 48.80892761682197)
    assert!(close(b.std_dev(), 33.63722795212015, 1e-12));
    assert!(close(l.std_dev(), 48.80892761682197, 1e-12));
    // ttest_ind_from_stats(139.16, 33.63722795212015, 106, 182.29, 48.80892761682197, 80,
    //                      equal_var=False).pvalue = 3.5482862633887157e-10
    let pm = mean_test(139.16, b.std_dev(), 106, 182.29, l.std_dev(), 80).unwrap();
    assert!(close(pm, 3.5482862633887157e-10, 1e-6), "{pm}");
    assert!(pm < 0.001);
}

#[test]
fn health_endpoint_noise_is_not_significant_after_holm() {
    let (b, l) = health();
    // gtest(hb,183,hl,192,0.5) = 0.23638667506630218; gtest(..., 0.95) = 0.42421330347713115
    // (gtest(..., 0.9) = 0.037802277039051965, gtest(..., 0.99) = None)
    let p50 = quantile_test((&b, 183), (&l, 192), 0.5).unwrap();
    let p95 = quantile_test((&b, 183), (&l, 192), 0.95).unwrap();
    assert!(close(p50, 0.23638667506630218, 1e-6), "{p50}");
    assert!(close(p95, 0.42421330347713115, 1e-6), "{p95}");
    let p90 = quantile_test((&b, 183), (&l, 192), 0.9).unwrap();
    assert!(close(p90, 0.037802277039051965, 1e-6), "{p90}");
    // ttest_ind_from_stats(13.75, 4.191461219425481, 183, 14.03, 8.412295976971256, 192,
    //                      equal_var=False).pvalue = 0.6815311336143547
    let pm = mean_test(13.75, b.std_dev(), 183, 14.03, l.std_dev(), 192).unwrap();
    assert!(close(pm, 0.6815311336143547, 1e-6), "{pm}");
    // In a report of 20 tests, even as the smallest of the rest these stay above 0.05.
    let mut family = vec![0.5; 18];
    family.extend([p50, p95]);
    let adjusted = holm_adjust(&family);
    assert!(adjusted[18] > 0.05 && adjusted[19] > 0.05, "{adjusted:?}");
    // p99 has fewer than 5 expected requests above it in each run: not judgeable.
    assert_eq!(quantile_test((&b, 183), (&l, 192), 0.99), None);
}

#[test]
fn mean_test_matches_scipy_welch() {
    // from scipy.stats import ttest_ind_from_stats
    // ttest_ind_from_stats(*args, equal_var=False).pvalue
    let cases = [
        ((100.0, 20.0, 5), (95.0, 20.0, 7), 0.6796991998444178),
        ((10.0, 2.0, 2), (10.5, 3.0, 3), 0.8376914965169384),
        (
            (250.0, 80.0, 1000),
            (262.0, 95.0, 900),
            0.0031105234014280206,
        ),
        ((5.0, 1.0, 30), (5.0, 4.0, 40), 1.0),
    ];
    for ((mb, sb, nb), (ml, sl, nl), want) in cases {
        let got = mean_test(mb, sb, nb, ml, sl, nl).unwrap();
        assert!(close(got, want, 1e-7), "{got} vs {want}");
    }
    assert_eq!(mean_test(1.0, 1.0, 1, 2.0, 1.0, 10), None);
    assert_eq!(mean_test(1.0, 0.0, 10, 2.0, 0.0, 10), None);
    assert_eq!(mean_test(f64::NAN, 1.0, 10, 2.0, 1.0, 10), None);
    assert_eq!(mean_test(1.0, -1.0, 10, 2.0, 1.0, 10), None);
}

#[test]
fn proportion_test_matches_statsmodels_and_fisher() {
    // Large counts: statsmodels proportions_ztest(np.array([x_b, x_l]), np.array([n_b, n_l]))[1]
    let z_cases = [
        (20, 1000, 35, 1000, 0.04026720018183343),
        (50, 5000, 80, 4000, 7.783793906272283e-05),
        (100, 2000, 100, 2000, 1.0),
    ];
    for (xb, nb, xl, nl, want) in z_cases {
        let got = proportion_test(xb, nb, xl, nl).unwrap();
        assert!(close(got, want, 1e-9), "{got} vs {want}");
    }
    // Few failures: scipy.stats.fisher_exact([[x_b, n_b - x_b], [x_l, n_l - x_l]]).pvalue
    let fisher_cases = [
        (0, 106, 3, 80, 0.07785906523634434),
        (1, 183, 0, 192, 0.488),
        (1, 50, 6, 50, 0.11174961771814726),
    ];
    for (xb, nb, xl, nl, want) in fisher_cases {
        let got = proportion_test(xb, nb, xl, nl).unwrap();
        assert!(close(got, want, 1e-9), "{got} vs {want}");
    }
    assert_eq!(proportion_test(0, 100, 0, 100), Some(1.0));
    assert_eq!(proportion_test(100, 100, 50, 50), Some(1.0));
    assert_eq!(proportion_test(0, 0, 0, 100), None);
    assert_eq!(proportion_test(5, 4, 0, 100), None);
}

#[test]
fn rate_test_matches_scipy_binomtest() {
    // binomtest(count_l, count_b + count_l, secs_l / (secs_b + secs_l)).pvalue
    let cases = [
        (106, 60.0, 80, 60.0, 0.06650043529883944),
        (1000, 300.0, 1100, 300.0, 0.03072070786424249),
        (12000, 600.0, 11000, 580.0, 5.746878178540772e-05),
        (3, 60.0, 10, 60.0, 0.09228515625),
        (0, 60.0, 4, 30.0, 0.012345679012345677),
    ];
    for (cb, sb, cl, sl, want) in cases {
        let got = rate_test(cb, sb, cl, sl).unwrap();
        assert!(close(got, want, 1e-7), "{got} vs {want}");
    }
    assert_eq!(rate_test(0, 60.0, 0, 60.0), Some(1.0));
    assert_eq!(rate_test(5, 0.0, 5, 60.0), None);
    assert_eq!(rate_test(5, f64::NAN, 5, 60.0), None);
    assert_eq!(rate_test(5, 60.0, 5, f64::INFINITY), None);
}

/// Seeded simulation of Locust runs (log-normal response times, Locust's rounding and percentile
/// rule, median drawn log-uniformly in 50..2000 ms so percentiles fall anywhere in the buckets):
/// how often the percentile and mean tests fire at alpha = 0.05.
fn firing_rate(n: usize, shift: f64, reps: u64) -> [f64; 4] {
    use crate::stats::testing::{locust_summary, SplitMix64};
    let mut fired = [0u32; 4];
    for seed in 0..reps {
        let mut rng = SplitMix64::new(seed.wrapping_mul(0x9E37_79B9) ^ n as u64);
        let median = 50.0 * (40f64.ln() * rng.uniform()).exp();
        let base: Vec<f64> = (0..n).map(|_| rng.lognormal(median, 0.45)).collect();
        let latest: Vec<f64> = (0..n)
            .map(|_| rng.lognormal(median * shift, 0.45))
            .collect();
        let (b, l) = (locust_summary(&base), locust_summary(&latest));
        let ps = [
            quantile_test((&b.dist, b.n), (&l.dist, l.n), 0.5),
            quantile_test((&b.dist, b.n), (&l.dist, l.n), 0.9),
            quantile_test((&b.dist, b.n), (&l.dist, l.n), 0.95),
            mean_test(b.mean, b.dist.std_dev(), b.n, l.mean, l.dist.std_dev(), l.n),
        ];
        for (count, p) in fired.iter_mut().zip(ps) {
            *count += u32::from(p.expect("judgeable at these sizes") < 0.05);
        }
    }
    fired.map(|c| f64::from(c) / reps as f64)
}

#[test]
fn identical_runs_rarely_fire() {
    // 200 seeds: the binomial standard error of a 5 % rate is 1.5 %, so 8 % is two of them.
    for n in [200, 2000] {
        let rates = firing_rate(n, 1.0, 200);
        assert!(rates.iter().all(|&r| r <= 0.08), "n = {n}: {rates:?}");
    }
}

#[test]
fn real_shifts_are_found() {
    // A 20 % slowdown with 300 requests per run: the median and the mean tests see it nearly
    // always, the tails (fewer requests beyond them) most of the time.
    let rates = firing_rate(300, 1.2, 100);
    assert!(rates[0] >= 0.8 && rates[3] >= 0.8, "{rates:?}");
    assert!(rates[1] >= 0.5 && rates[2] >= 0.3, "{rates:?}");
}

//! APDEX: the share of requests users are satisfied with, as one score in [0, 1].
//!
//! The Apdex Alliance's *Apdex Technical Specification* 1.1 (2007), as JMeter's dashboard
//! shows it: with a target time T, a request is *satisfied* when it took at most T,
//! *tolerating* when it took more than T and at most 4T, *frustrated* otherwise, and
//!
//! ```text
//! score = (satisfied + tolerating / 2) / requests
//! ```
//!
//! From a full histogram ([`from_histogram`]) the counts are exact — to the histogram's
//! buckets: Locust's `--json-file` keeps response times rounded as Locust rounds them (to
//! 1 ms below 100 ms, 10 ms below 1 s, 100 ms above), the driver's `_histograms.csv` to its
//! HDR buckets (3 significant digits). Without one, [`from_cdf`] reads the shares off a
//! distribution function — perfreport's rebuilt one from the percentile columns
//! ([`super::RebuiltDistribution`]) — and the score is approximate. Failed requests count by
//! their response time, as both sources record them (neither histogram separates failures).

use serde::Serialize;

/// A request's response time is satisfying at most T and tolerable at most this many T.
pub const TOLERATING_FACTOR: f64 = 4.0;

/// One endpoint's APDEX: the target time, the score and whether it is exact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Apdex {
    /// The target time T, ms.
    pub t_ms: f64,
    /// The score in [0, 1].
    pub score: f64,
    /// True when counted from a full histogram; false when read off the distribution rebuilt
    /// from the percentile columns (shown as ≈).
    pub exact: bool,
}

/// Satisfied and tolerating requests of a histogram, and its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApdexCounts {
    /// Requests that took at most T.
    pub satisfied: u64,
    /// Requests that took more than T and at most 4T.
    pub tolerating: u64,
    /// All requests.
    pub total: u64,
}

impl ApdexCounts {
    /// `(satisfied + tolerating / 2) / total`; `None` for no requests.
    pub fn score(&self) -> Option<f64> {
        (self.total > 0)
            .then(|| (self.satisfied as f64 + self.tolerating as f64 / 2.0) / self.total as f64)
    }
}

/// Counts a histogram of `(response time ms, requests)` against target `t_ms`. `None` for an
/// empty histogram or a target that is not a positive finite number.
pub fn from_histogram(buckets: &[(f64, u64)], t_ms: f64) -> Option<ApdexCounts> {
    if !(t_ms.is_finite() && t_ms > 0.0) {
        return None;
    }
    let mut counts = ApdexCounts {
        satisfied: 0,
        tolerating: 0,
        total: 0,
    };
    for &(ms, n) in buckets {
        counts.total = counts.total.saturating_add(n);
        if ms <= t_ms {
            counts.satisfied = counts.satisfied.saturating_add(n);
        } else if ms <= TOLERATING_FACTOR * t_ms {
            counts.tolerating = counts.tolerating.saturating_add(n);
        }
    }
    (counts.total > 0).then_some(counts)
}

/// The score of a distribution with CDF `cdf` (P(X ≤ x)): `(F(T) + F(4T)) / 2`, which is
/// `F(T) + (F(4T) − F(T)) / 2`. `None` for a bad target or a CDF value outside [0, 1].
pub fn from_cdf(cdf: impl Fn(f64) -> f64, t_ms: f64) -> Option<f64> {
    ApdexShares::of_cdf(cdf, t_ms, 1).map(|s| s.score)
}

/// The shares an APDEX score is made of, and how many requests they are shares of: what the
/// score's sampling noise follows from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApdexShares {
    /// Share of requests that took at most T.
    pub satisfied: f64,
    /// Share that took more than T and at most 4T.
    pub tolerating: f64,
    /// Requests the shares are of.
    pub requests: u64,
    /// `satisfied + tolerating / 2`, computed from the counts when there are counts (so it is
    /// exactly [`ApdexCounts::score`]).
    pub score: f64,
}

impl ApdexShares {
    /// The shares of a histogram's counts.
    pub fn of_counts(c: ApdexCounts) -> Option<Self> {
        Some(Self {
            satisfied: c.satisfied as f64 / c.total as f64,
            tolerating: c.tolerating as f64 / c.total as f64,
            requests: c.total,
            score: c.score()?,
        })
    }

    /// The shares of a distribution with CDF `cdf` at target `t_ms`, for `requests` requests.
    pub fn of_cdf(cdf: impl Fn(f64) -> f64, t_ms: f64, requests: u64) -> Option<Self> {
        if !(t_ms.is_finite() && t_ms > 0.0) || requests == 0 {
            return None;
        }
        let (at_t, at_4t) = (cdf(t_ms), cdf(TOLERATING_FACTOR * t_ms));
        let ok = |p: f64| (0.0..=1.0).contains(&p);
        (ok(at_t) && ok(at_4t)).then(|| Self {
            satisfied: at_t,
            tolerating: (at_4t - at_t).max(0.0),
            requests,
            score: ((at_t + at_4t.max(at_t)) / 2.0).clamp(0.0, 1.0),
        })
    }

    /// The sampling variance of the score over independent requests: each request scores 1,
    /// ½ or 0, so the score is a mean of `requests` such values and its variance is
    /// `(satisfied + tolerating / 4 − score²) / requests`.
    pub fn sampling_var(&self) -> f64 {
        let s = self.score;
        ((self.satisfied + self.tolerating / 4.0 - s * s).max(0.0)) / self.requests as f64
    }

    /// Whether every request was satisfied: the score cannot move down by sampling, and a
    /// comparison of two such sides has nothing to test.
    pub fn all_satisfied(&self) -> bool {
        self.satisfied >= 1.0
    }
}

/// The distribution function of a histogram of `(response time ms, requests)` in ascending
/// time order: the share of requests at or below `x` (a step function).
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramCdf {
    times: Vec<f64>,
    cumulative: Vec<u64>,
    total: u64,
}

impl HistogramCdf {
    /// `None` for an empty histogram.
    pub fn new(buckets: &[(f64, u64)]) -> Option<Self> {
        let mut sorted: Vec<(f64, u64)> = buckets.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut total = 0u64;
        let cumulative = sorted
            .iter()
            .map(|&(_, n)| {
                total = total.saturating_add(n);
                total
            })
            .collect();
        (total > 0).then(|| Self {
            times: sorted.into_iter().map(|(t, _)| t).collect(),
            cumulative,
            total,
        })
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        let at_or_below = self.times.partition_point(|&t| t <= x);
        match at_or_below {
            0 => 0.0,
            i => self.cumulative[i - 1] as f64 / self.total as f64,
        }
    }
}

/// The standard deviation of the score that a run-to-run drift of the response times brings:
/// when every response time is `e^δ` times longer, the score at T is the score at `T·e^−δ` of
/// the undrifted distribution. With the drift's standard deviation `sigma_t` around T and
/// `sigma_4t` around 4T (both on the log scale, as `compare`'s latency model gives them), the
/// result is half the score's change between `δ = −σ` and `δ = +σ` — to first order
/// `(T f(T) σ_T + 4T f(4T) σ_4T) / 2` for a density `f`, the delta method, without needing
/// `f` (the CDF may have steps).
pub fn drift_sd(cdf: impl Fn(f64) -> f64, t_ms: f64, sigma_t: f64, sigma_4t: f64) -> f64 {
    let four = TOLERATING_FACTOR * t_ms;
    let score = |a: f64, b: f64| (cdf(a) + cdf(b).max(cdf(a))) / 2.0;
    let faster = score(t_ms * sigma_t.exp(), four * sigma_4t.exp());
    let slower = score(t_ms * (-sigma_t).exp(), four * (-sigma_4t).exp());
    ((faster - slower) / 2.0).abs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EndpointKey;
    use crate::stats::RebuiltDistribution;
    use proptest::prelude::*;

    fn locust_histograms() -> Vec<crate::model::Histogram> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/json-groups/baseline/run1.json");
        crate::locust::read_histograms(&path).expect("the recorded --json-file")
    }

    /// Expected counts computed independently, in Python, from Locust's own JSON:
    ///
    /// ```text
    /// python3 -c "import json; d = json.load(open('fixtures/json-groups/baseline/run1.json'))
    /// for e in d:
    ///     rt = {float(k): v for k, v in e['response_times'].items()}; n = sum(rt.values())
    ///     for T in (500, 300, 100, 50):
    ///         s = sum(v for k, v in rt.items() if k <= T)
    ///         t = sum(v for k, v in rt.items() if T < k <= 4 * T)
    ///         print(e['method'], e['name'], T, n, s, t, (s + t / 2) / n)"
    /// ```
    #[test]
    fn scores_match_an_independent_count_of_a_locust_json_file() {
        let hists = locust_histograms();
        let cases = [
            ("GET", "/health/", 500.0, (454, 1, 455), 0.9989010989010989),
            ("GET", "/health/", 50.0, (270, 162, 455), 0.7714285714285715),
            (
                "POST",
                "/analysis/run",
                500.0,
                (105, 2, 111),
                0.954954954954955,
            ),
            (
                "GET",
                "/system/metrics",
                100.0,
                (10, 198, 215),
                0.5069767441860465,
            ),
            (
                "GET",
                "/system/metrics",
                300.0,
                (193, 22, 215),
                0.9488372093023256,
            ),
            (
                "GET",
                "/analysis/",
                500.0,
                (9, 103, 112),
                0.5401785714285714,
            ),
            ("GET", "/analysis/", 100.0, (0, 0, 112), 0.0),
        ];
        for (method, name, t, (s, tol, n), score) in cases {
            let key = EndpointKey::new(method, name);
            let h = hists
                .iter()
                .find(|h| h.key == key)
                .expect("endpoint in the file");
            let counts = from_histogram(&h.buckets, t).unwrap();
            assert_eq!(
                (counts.satisfied, counts.tolerating, counts.total),
                (s, tol, n),
                "{key} T={t}"
            );
            assert!(
                (counts.score().unwrap() - score).abs() < 1e-12,
                "{key} T={t}"
            );
        }
        // Aggregated: the endpoints' maps summed (the same Python over all entries):
        // T=500: 1098 satisfied, 110 tolerating of 1212 → 0.9513201320132013;
        // T=300: 1052, 156 of 1212 → 0.9323432343234324.
        let all: Vec<(f64, u64)> = hists.iter().flat_map(|h| h.buckets.clone()).collect();
        let agg = from_histogram(&all, 500.0).unwrap();
        assert_eq!(
            (agg.satisfied, agg.tolerating, agg.total),
            (1098, 110, 1212)
        );
        assert!((agg.score().unwrap() - 0.9513201320132013).abs() < 1e-12);
        let agg = from_histogram(&all, 300.0).unwrap();
        assert!((agg.score().unwrap() - 0.9323432343234324).abs() < 1e-12);
    }

    #[test]
    fn the_boundaries_are_inclusive() {
        let h = [(100.0, 1), (400.0, 1), (400.5, 1)];
        let c = from_histogram(&h, 100.0).unwrap();
        assert_eq!((c.satisfied, c.tolerating, c.total), (1, 1, 3));
        assert_eq!(c.score(), Some(0.5));
        assert_eq!(from_histogram(&[], 100.0), None);
        assert_eq!(from_histogram(&[(1.0, 0)], 100.0), None);
        assert_eq!(from_histogram(&h, 0.0), None);
        assert_eq!(from_histogram(&h, f64::NAN), None);
    }

    #[test]
    fn the_rebuilt_distribution_gives_the_uniform_shares() {
        // Uniform on [0, 1000] ms: F(T) = T/1000. T = 100: (0.1 + 0.4) / 2 = 0.25.
        let d =
            RebuiltDistribution::from_summary(Some(0.0), &[(0.5, 500.0)], Some(1000.0)).unwrap();
        let score = from_cdf(|x| d.cdf(x), 100.0).unwrap();
        assert!((score - 0.25).abs() < 1e-12, "{score}");
        assert_eq!(from_cdf(|x| d.cdf(x), 1000.0), Some(1.0));
        assert_eq!(from_cdf(|_| 2.0, 100.0), None);
        assert_eq!(from_cdf(|x| d.cdf(x), -1.0), None);
    }

    #[test]
    fn the_approximation_is_close_on_a_recorded_endpoint() {
        // GET /system/metrics of the same run, rebuilt from its _stats.csv percentile columns:
        // within 0.05 of the exact 0.9488 at T = 300 ms.
        let stats = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/json-groups/baseline/run1_stats.csv");
        let run = crate::locust::load_runs(&stats).unwrap().remove(0);
        let row = run
            .endpoint(&EndpointKey::new("GET", "/system/metrics"))
            .unwrap();
        let d = crate::group::distribution(row).unwrap();
        let approx = from_cdf(|x| d.cdf(x), 300.0).unwrap();
        assert!((approx - 0.9488372093023256).abs() < 0.05, "{approx}");
    }

    #[test]
    fn shares_give_the_score_and_its_sampling_variance() {
        // 6 satisfied, 2 tolerating, 2 frustrated: values 1,1,1,1,1,1,½,½,0,0.
        let c = from_histogram(&[(10.0, 6), (30.0, 2), (90.0, 2)], 10.0).unwrap();
        let s = ApdexShares::of_counts(c).unwrap();
        assert!((s.score - 0.7).abs() < 1e-12);
        // By hand: mean of squares (6 + 2/4) / 10 = 0.65, variance 0.65 − 0.49 = 0.16, / 10.
        assert!((s.sampling_var() - 0.016).abs() < 1e-12);
        let all = ApdexShares::of_counts(from_histogram(&[(1.0, 5)], 10.0).unwrap()).unwrap();
        assert!(all.all_satisfied());
        assert_eq!(all.sampling_var(), 0.0);
    }

    #[test]
    fn drift_follows_the_delta_method_on_a_log_normal() {
        // Log-normal, median 100 ms, log-sd 0.5; T = 100 ms. f(x) x = φ(z) / s with
        // z = ln(x / 100) / s: at T z = 0, at 4T z = ln 4 / 0.5 = 2.7726.
        let s = 0.5_f64;
        let phi = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = |x: f64| {
            let z = (x / 100.0).ln() / s;
            0.5 * (1.0 + statrs::function::erf::erf(z / std::f64::consts::SQRT_2))
        };
        let sigma = 0.01;
        let expected = (phi(0.0) / s * sigma + phi(4f64.ln() / s) / s * sigma) / 2.0;
        let got = drift_sd(cdf, 100.0, sigma, sigma);
        assert!(
            (got - expected).abs() / expected < 1e-3,
            "{got} vs {expected}"
        );
        // No drift, no spread; far from every request, no spread either.
        assert_eq!(drift_sd(cdf, 100.0, 0.0, 0.0), 0.0);
        assert!(drift_sd(cdf, 1e6, 0.1, 0.1) < 1e-12);
    }

    #[test]
    fn a_histograms_cdf_steps_at_its_buckets() {
        let h = HistogramCdf::new(&[(30.0, 2), (10.0, 6), (90.0, 2)]).unwrap();
        assert_eq!(h.cdf(9.9), 0.0);
        assert_eq!(h.cdf(10.0), 0.6);
        assert_eq!(h.cdf(50.0), 0.8);
        assert_eq!(h.cdf(1e9), 1.0);
        assert!(HistogramCdf::new(&[(1.0, 0)]).is_none());
    }

    proptest! {
        #[test]
        fn scores_are_shares_and_grow_with_t(
            buckets in proptest::collection::vec((0.0f64..5000.0, 0u64..1000), 1..40),
            t in 1.0f64..3000.0,
            more in 0.0f64..3000.0,
        ) {
            if let Some(c) = from_histogram(&buckets, t) {
                let s = c.score().unwrap();
                prop_assert!((0.0..=1.0).contains(&s));
                prop_assert!(c.satisfied + c.tolerating <= c.total);
                let wider = from_histogram(&buckets, t + more).unwrap().score().unwrap();
                prop_assert!(wider >= s - 1e-12, "T {t} → {s}, T {} → {wider}", t + more);
            }
        }

        #[test]
        fn rebuilt_scores_are_shares_and_grow_with_t(
            mut values in proptest::collection::vec(1.0f64..5000.0, 3..8),
            t in 1.0f64..3000.0,
            more in 0.0f64..3000.0,
        ) {
            values.sort_by(f64::total_cmp);
            let levels = [0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999];
            let pct: Vec<(f64, f64)> = levels.iter().copied().zip(values.iter().copied()).collect();
            let d = RebuiltDistribution::from_summary(Some(0.5), &pct, values.last().copied())
                .unwrap();
            let s = from_cdf(|x| d.cdf(x), t).unwrap();
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!(from_cdf(|x| d.cdf(x), t + more).unwrap() >= s - 1e-12);
        }
    }
}

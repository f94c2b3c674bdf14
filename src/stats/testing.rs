//! Test support: a seeded pseudo-random generator and a simulator of Locust's summary columns,
//! so calibration tests (false-alarm rate, power) are deterministic and need no dependency.
//!
//! The generator is SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014); normal deviates use the Box–Muller transform (Box & Muller, *Annals
//! of Mathematical Statistics* 29, 1958).

use super::distribution::RebuiltDistribution;
use super::rounding::locust_round;

/// Locust's percentile levels (`PERCENTILES_TO_REPORT` in `locust/stats.py`).
pub(crate) const LOCUST_LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// SplitMix64: tiny, fast, and good enough for simulations in tests.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    pub(crate) fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal response times: `median * exp(sigma * Z)`.
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

/// What Locust's `_stats.csv` shows for one endpoint of a run with these raw response times.
pub(crate) struct LocustSummary {
    pub(crate) n: u64,
    pub(crate) mean: f64,
    pub(crate) dist: RebuiltDistribution,
}

/// Simulate Locust's columns: exact min, max and mean; at each level `p` the rounded bucket key of
/// the `floor(n p) + 1`-th smallest request, as `calculate_response_time_percentile` does.
pub(crate) fn locust_summary(times: &[f64]) -> LocustSummary {
    let mut keys: Vec<f64> = times.iter().map(|&t| locust_round(t)).collect();
    keys.sort_by(f64::total_cmp);
    let n = times.len();
    let pct: Vec<(f64, f64)> = LOCUST_LEVELS
        .iter()
        .map(|&p| (p, keys[((n as f64 * p) as usize).min(n - 1)]))
        .collect();
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    let max = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    LocustSummary {
        n: n as u64,
        mean: times.iter().sum::<f64>() / n as f64,
        dist: RebuiltDistribution::from_summary(Some(min), &pct, Some(max))
            .expect("a non-empty sample always rebuilds"),
    }
}

#[test]
fn splitmix_matches_reference_sequence() {
    // Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c):
    // 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F
    let mut r = SplitMix64::new(0);
    assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
}

#[test]
fn simulated_summary_follows_locust() {
    let s = locust_summary(&[7.28, 14.4, 15.5, 140.0, 145.0, 99.6]);
    // keys sorted: 7, 14, 16, 100, 140, 140; n = 6; level 0.5 → index 3 → 100; 0.66 → 3 (3.96);
    // 0.75 → 4 (4.5) → 140; 1.0 → index 6 capped to 5 → 140, clamped to the exact max 145.
    let pts = s.dist.points();
    assert_eq!(pts[0], (7.28, 0.0));
    assert_eq!(pts[1], (100.0, 0.5));
    assert_eq!(pts[2], (100.0, 0.66));
    assert_eq!(pts[3], (140.0, 0.75));
    assert_eq!(pts[pts.len() - 1], (145.0, 1.0));
    assert_eq!(s.n, 6);
}

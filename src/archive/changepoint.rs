//! Change points: the runs where a metric's level stepped.
//!
//! Method: Apache Otava's (formerly Hunter; Fleming et al., "Hunter: Using Change Point
//! Detection to Hunt for Performance Regressions", ICPE 2023, doi:10.1145/3578244.3583719), as
//! in `otava/analysis.py` (`compute_change_points`, `split`, `merge`):
//!
//! 1. **Split.** Sliding windows of [`WINDOW`] runs, half a window apart. In each window,
//!    E-divisive means ([`super::edivisive`]) proposes the best candidate over the window's
//!    current segments; Student's two-sample t-test compares the two sides of the segment it
//!    splits, and the candidate is kept as a *weak* change point when its p-value is below a
//!    relaxed level (10 × `alpha` below 0.05, as Otava's `first_pass_pvalue`); the search stops
//!    at the first candidate that is not.
//! 2. **Merge.** Each weak change point is tested between its neighbouring change points (the
//!    segments on either side); the weakest is dropped while its p-value is not below `alpha`,
//!    and its neighbours are retested.
//!
//! Two departures from Otava, both to keep false alarms at `alpha`:
//! - the merge step's p-value is Bonferroni-adjusted by the number of splits the two segments
//!   together allow (`c − a − 2·min_size + 1` for segments `[a, b)` and `[b, c)`), because the
//!   split was the best of that many; measured false-alarm rate on flat noisy series in the
//!   tests below;
//! - the pooled variance is floored (a constant segment would otherwise make t infinite):
//!   at Locust's rounding error `step² / 12` (Sheppard's correction; Locust stores percentiles
//!   rounded to 1, 10, 100 or 1,000 ms) for rounded percentiles, and at all values' relative
//!   resolution `(1e-9 · max|x|)²` otherwise.
//!
//! Values are scaled by their largest magnitude first, so huge values (up to `f64::MAX`) give
//! finite distances and sums.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::edivisive::Distances;
use crate::stats::locust_rounding_step;

/// Runs per sliding window of the split step (Otava's default `window_len`).
pub const WINDOW: usize = 50;

/// Least variance, relative to the largest magnitude squared, of values that are not rounded.
const RELATIVE_RESOLUTION_SQ: f64 = 1e-18;

/// Settings of the search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePointOptions {
    /// Significance level of a change point, after the Bonferroni adjustment.
    pub alpha: f64,
    /// Fewest points on each side of a change point (at least 2).
    pub min_size: usize,
    /// The values are Locust-rounded percentiles: floor the variance at `step² / 12`.
    pub rounded: bool,
}

impl Default for ChangePointOptions {
    fn default() -> Self {
        Self {
            alpha: 0.01,
            min_size: 2,
            rounded: false,
        }
    }
}

impl ChangePointOptions {
    /// How many values a series needs before a change point can be found at all: `min_size`
    /// on each side.
    pub fn values_needed(&self) -> usize {
        2 * self.min_size.max(2)
    }
}

/// One change point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePoint {
    /// Index of the first value at the new level.
    pub index: usize,
    /// Mean of the segment before it (back to the previous change point).
    pub mean_before: f64,
    /// Mean of the segment from it on (up to the next change point).
    pub mean_after: f64,
    /// Bonferroni-adjusted two-sided p-value of the step.
    pub p_value: f64,
}

/// The series, scaled to `[-1, 1]` by its largest magnitude.
struct Scaled {
    y: Vec<f64>,
    scale: f64,
    /// Per value: the least variance it carries, in scaled units.
    floor: Vec<f64>,
}

impl Scaled {
    fn new(values: &[f64], rounded: bool) -> Self {
        let scale = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let y: Vec<f64> = values.iter().map(|v| v / scale).collect();
        let floor = values
            .iter()
            .map(|&v| {
                let sheppard = if rounded {
                    (locust_rounding_step(v) / scale).powi(2) / 12.0
                } else {
                    0.0
                };
                sheppard.max(RELATIVE_RESOLUTION_SQ)
            })
            .collect();
        Self { y, scale, floor }
    }

    /// Student's two-sample t-test of `[a, b)` against `[b, c)` (pooled, floored variance):
    /// (mean before, mean after, two-sided p), means in the original units.
    fn t_test(&self, a: usize, b: usize, c: usize) -> (f64, f64, f64) {
        let (left, right) = (&self.y[a..b], &self.y[b..c]);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let ss = |v: &[f64], m: f64| v.iter().map(|x| (x - m).powi(2)).sum::<f64>();
        let (ma, mb) = (mean(left), mean(right));
        let (na, nb) = (left.len() as f64, right.len() as f64);
        let df = na + nb - 2.0;
        let floor = self.floor[a..c].iter().sum::<f64>() / (na + nb);
        let pooled = ((ss(left, ma) + ss(right, mb)) / df).max(floor);
        let t = (mb - ma) / (pooled * (1.0 / na + 1.0 / nb)).sqrt();
        let p = match StudentsT::new(0.0, 1.0, df) {
            Ok(dist) if t.is_finite() => (2.0 * dist.sf(t.abs())).min(1.0),
            _ => 1.0,
        };
        (ma * self.scale, mb * self.scale, p)
    }
}

/// The change points of `values`, in order of index. Non-finite values are not allowed (the
/// caller leaves out runs without a value); with any, or with fewer than
/// [`ChangePointOptions::values_needed`] values, there are none.
pub fn change_points(values: &[f64], options: ChangePointOptions) -> Vec<ChangePoint> {
    let min_size = options.min_size.max(2);
    if values.len() < 2 * min_size || values.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let series = Scaled::new(values, options.rounded);
    let first_pass = if options.alpha < 0.05 {
        options.alpha * 10.0
    } else if options.alpha < 0.5 {
        options.alpha * 2.0
    } else {
        options.alpha
    };
    let weak = split(&series, min_size, first_pass);
    merge(&series, weak, min_size, options.alpha)
}

/// The split step: weak change points from E-divisive candidates in sliding windows.
fn split(series: &Scaled, min_size: usize, level: f64) -> Vec<usize> {
    let n = series.y.len();
    let mut found: Vec<usize> = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + WINDOW).min(n);
        let local = window(series, start, end, min_size, level);
        let last = local.last().copied().unwrap_or(0);
        found.extend(local);
        if end == n {
            break;
        }
        start = last.max(start + WINDOW / 2);
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// E-divisive with a t-test in `[start, end)`: global indices of the change points found.
fn window(series: &Scaled, start: usize, end: usize, min_size: usize, level: f64) -> Vec<usize> {
    let distances = Distances::new(&series.y[start..end]);
    let mut cuts = vec![0, end - start];
    loop {
        let best = cuts
            .windows(2)
            .filter_map(|w| distances.candidate(w[0], w[1], min_size).map(|c| (w, c)))
            .max_by(|(_, a), (_, b)| a.1.total_cmp(&b.1));
        let Some((segment, (tau, _))) = best else {
            break;
        };
        let (_, _, p) = series.t_test(start + segment[0], start + tau, start + segment[1]);
        if p > level {
            break;
        }
        let at = cuts.partition_point(|&c| c < tau);
        cuts.insert(at, tau);
    }
    cuts[1..cuts.len() - 1].iter().map(|c| start + c).collect()
}

/// The merge step: drops the weakest change point until every one left is significant.
fn merge(series: &Scaled, weak: Vec<usize>, min_size: usize, alpha: f64) -> Vec<ChangePoint> {
    let n = series.y.len();
    let test = |points: &[usize], i: usize| -> ChangePoint {
        let a = if i == 0 { 0 } else { points[i - 1] };
        let b = points[i];
        let c = points.get(i + 1).copied().unwrap_or(n);
        if b - a < min_size || c - b < min_size {
            // Weak points from overlapping windows can sit closer than min_size.
            return ChangePoint {
                index: b,
                mean_before: f64::NAN,
                mean_after: f64::NAN,
                p_value: f64::INFINITY,
            };
        }
        let (mean_before, mean_after, p) = series.t_test(a, b, c);
        let splits = (c - a + 1 - 2 * min_size) as f64;
        ChangePoint {
            index: b,
            mean_before,
            mean_after,
            p_value: (p * splits).min(1.0),
        }
    };
    let mut points = weak;
    let mut stats: Vec<ChangePoint> = (0..points.len()).map(|i| test(&points, i)).collect();
    while let Some((weakest, worst)) = stats
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.p_value.total_cmp(&b.1.p_value))
        .map(|(i, c)| (i, c.p_value))
    {
        if worst < alpha {
            break;
        }
        points.remove(weakest);
        stats.remove(weakest);
        for i in [weakest.wrapping_sub(1), weakest] {
            if i < points.len() {
                stats[i] = test(&points, i);
            }
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::locust_round;
    use crate::stats::testing::SplitMix64;

    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n).map(|_| rng.normal()).collect()
    }

    fn at(found: &[ChangePoint]) -> Vec<usize> {
        found.iter().map(|c| c.index).collect()
    }

    #[test]
    fn finds_the_step_up_and_the_step_down_of_the_issue() {
        let p95 = [200., 200., 200., 200., 790., 770., 780., 780., 190., 200.];
        for rounded in [false, true] {
            let options = ChangePointOptions {
                rounded,
                ..ChangePointOptions::default()
            };
            let found = change_points(&p95, options);
            assert_eq!(at(&found), [4, 8], "rounded {rounded}: {found:?}");
            assert_eq!((found[0].mean_before, found[0].mean_after), (200.0, 780.0));
            assert_eq!((found[1].mean_before, found[1].mean_after), (780.0, 195.0));
            assert!(found.iter().all(|c| c.p_value > 0.0 && c.p_value < 0.01));
        }
    }

    #[test]
    fn p_value_matches_a_hand_computation() {
        // One weak point at 4; the merge tests [0, 4) against [4, 8): means 2.5 and 11.5,
        // pooled variance 5/3, t = 9 / sqrt(5/3 · (1/4 + 1/4)) = 9.859006, Student's t with
        // 6 df, two-sided, from the closed form for even df
        // (1 − sin θ · (1 + cos²θ/2 + 3cos⁴θ/8), θ = atan(t/√6)) = 6.280126e-5; times the 5
        // splits [0, 8) allows with min_size 2 = 3.140063e-4.
        let values = [1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0, 13.0];
        let found = change_points(&values, ChangePointOptions::default());
        assert_eq!(at(&found), [4]);
        assert_eq!((found[0].mean_before, found[0].mean_after), (2.5, 11.5));
        let t = 9.0 / (5.0_f64 / 6.0).sqrt();
        let theta = (t / 6f64.sqrt()).atan();
        let c2 = theta.cos().powi(2);
        let p = 1.0 - theta.sin() * (1.0 + c2 / 2.0 + 3.0 * c2 * c2 / 8.0);
        assert!((p - 6.280_126e-5).abs() < 1e-10, "{p}");
        assert!(
            (found[0].p_value - 5.0 * p).abs() < 1e-9,
            "{}",
            found[0].p_value
        );
    }

    #[test]
    fn finds_steps_in_a_long_series_across_windows() {
        let values: Vec<f64> = noise(11, 300)
            .iter()
            .enumerate()
            .map(|(i, z)| match i {
                0..120 => 50.0,
                120..200 => 80.0,
                _ => 60.0,
            } + 2.0 * z)
            .collect();
        let found = change_points(&values, ChangePointOptions::default());
        assert_eq!(at(&found), [120, 200], "{found:?}");
    }

    /// Flat noisy series: the share with any change point stays within alpha plus three
    /// binomial standard deviations (200 series: alpha 0.01 gives 2 expected, at most 6).
    #[test]
    fn false_alarm_rate_on_flat_series_is_within_alpha() {
        for (alpha, rounded) in [(0.01, false), (0.05, false), (0.01, true)] {
            let options = ChangePointOptions {
                alpha,
                rounded,
                ..ChangePointOptions::default()
            };
            let series = 200;
            let alarms = (0..series)
                .filter(|&seed| {
                    let values: Vec<f64> = noise(1000 + seed, 20)
                        .iter()
                        .map(|z| {
                            let v = 400.0 + 40.0 * z;
                            if rounded {
                                locust_round(v)
                            } else {
                                v
                            }
                        })
                        .collect();
                    !change_points(&values, options).is_empty()
                })
                .count() as f64;
            let n = f64::from(series as u32);
            let limit = n * alpha + 3.0 * (n * alpha * (1.0 - alpha)).sqrt();
            assert!(
                alarms <= limit,
                "alpha {alpha}, rounded {rounded}: {alarms} > {limit}"
            );
        }
    }

    #[test]
    fn identical_values_give_finite_statistics() {
        assert!(change_points(&[200.0; 12], ChangePointOptions::default()).is_empty());
        let mut values = vec![200.0; 6];
        values.extend([300.0; 6]);
        for rounded in [false, true] {
            let options = ChangePointOptions {
                rounded,
                ..ChangePointOptions::default()
            };
            let found = change_points(&values, options);
            assert_eq!(at(&found), [6]);
            assert!(found[0].p_value.is_finite() && found[0].p_value < 0.01);
            assert_eq!((found[0].mean_before, found[0].mean_after), (200.0, 300.0));
        }
        // One rounding step between two constant halves, rounded: the floor 10²/12 makes
        // t = 10 / sqrt(100/12 · (1/6 + 1/6)) = 6, a finite p.
        let mut steps = vec![200.0; 6];
        steps.extend([210.0; 6]);
        let rounded = ChangePointOptions {
            rounded: true,
            ..ChangePointOptions::default()
        };
        for c in change_points(&steps, rounded) {
            assert!(c.p_value.is_finite() && c.p_value > 0.0, "{c:?}");
        }
    }

    #[test]
    fn huge_values_and_short_series() {
        let mut values = vec![1e308; 5];
        values.extend([f64::MAX; 5]);
        for c in change_points(&values, ChangePointOptions::default()) {
            assert!(
                c.mean_before.is_finite() && c.mean_after.is_finite(),
                "{c:?}"
            );
        }
        assert!(change_points(&[1.0, 9.0, 1.0], ChangePointOptions::default()).is_empty());
        assert!(change_points(&[], ChangePointOptions::default()).is_empty());
        assert!(
            change_points(&[1.0, f64::NAN, 1.0, 5.0], ChangePointOptions::default()).is_empty()
        );
        assert_eq!(ChangePointOptions::default().values_needed(), 4);
    }
}

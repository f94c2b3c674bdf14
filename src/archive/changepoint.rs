//! Change points: the runs where a metric's level stepped.
//!
//! Method: binary segmentation (Scott & Knott, "A cluster analysis method for grouping means in
//! the analysis of variance", *Biometrics* 30, 1974; Vostrikova, "Detecting 'disorder' in
//! multidimensional random processes", *Soviet Math. Doklady* 24, 1981) with Student's
//! two-sample t-test as the significance test at each split — the approach of Apache Otava
//! (formerly Hunter), which replaced E-divisive's permutation test with a Student's t-test
//! (Fleming et al., "Hunter: Using Change Point Detection to Hunt for Performance Regressions",
//! ICPE 2023).
//!
//! In a segment, every split leaving at least `min_size` points on each side is scored by the
//! pooled-variance t statistic of the two sides' means (pooled, because under "no change" both
//! sides share one variance, and a variance from the whole segment does not let a lucky,
//! nearly-constant short edge look significant); the best split is kept when its two-sided
//! p-value (Student's t with n − 2 degrees of freedom), multiplied by the number of splits tried
//! (Bonferroni, because the best of many splits was picked), is below `alpha`; then both sides
//! are searched the same way. Prefix sums make a segment's scan O(n), so 10,000 runs take
//! milliseconds.

use serde::Serialize;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Settings of the search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePointOptions {
    /// Significance level after the Bonferroni correction.
    pub alpha: f64,
    /// Fewest points on each side of a split (at least 2, for a variance).
    pub min_size: usize,
}

impl Default for ChangePointOptions {
    fn default() -> Self {
        Self {
            alpha: 0.01,
            min_size: 3,
        }
    }
}

/// One change point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePoint {
    /// Index of the first value at the new level.
    pub index: usize,
    /// Mean of the segment before it (within the segment it was found in).
    pub mean_before: f64,
    /// Mean of the segment from it on.
    pub mean_after: f64,
    /// Bonferroni-adjusted p-value (0 when both sides have no variability at all).
    pub p_value: f64,
}

/// Prefix sums of values and squares, centred on the series mean to limit cancellation.
struct Sums {
    centre: f64,
    s: Vec<f64>,
    s2: Vec<f64>,
    scale: f64,
}

impl Sums {
    fn new(values: &[f64]) -> Self {
        let centre = values.iter().sum::<f64>() / values.len().max(1) as f64;
        let mut s = vec![0.0; values.len() + 1];
        let mut s2 = vec![0.0; values.len() + 1];
        for (i, v) in values.iter().enumerate() {
            let c = v - centre;
            s[i + 1] = s[i] + c;
            s2[i + 1] = s2[i] + c * c;
        }
        let scale = values
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-300);
        Self {
            centre,
            s,
            s2,
            scale,
        }
    }

    /// (mean − centre, sample variance) of `lo..hi`; a variance lost in rounding is 0.
    fn mean_var(&self, lo: usize, hi: usize) -> (f64, f64) {
        let n = (hi - lo) as f64;
        let sum = self.s[hi] - self.s[lo];
        let mean = sum / n;
        let var = ((self.s2[hi] - self.s2[lo]) - sum * mean) / (n - 1.0);
        let tiny = 1e-12 * self.scale * self.scale;
        (mean, if var < tiny { 0.0 } else { var })
    }
}

/// The change points of `values` (in order of index). Non-finite values are not allowed: the
/// caller leaves out runs without a value.
pub fn change_points(values: &[f64], options: ChangePointOptions) -> Vec<ChangePoint> {
    let min_size = options.min_size.max(2);
    if values.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let sums = Sums::new(values);
    let mut found = Vec::new();
    let mut stack = vec![(0, values.len())];
    while let Some((lo, hi)) = stack.pop() {
        if hi - lo < 2 * min_size {
            continue;
        }
        let Some(best) = best_split(&sums, lo, hi, min_size) else {
            continue;
        };
        let candidates = (hi - lo - 2 * min_size + 1) as f64;
        let p = (best.p_value * candidates).min(1.0);
        if p < options.alpha {
            found.push(ChangePoint { p_value: p, ..best });
            stack.push((lo, best.index));
            stack.push((best.index, hi));
        }
    }
    found.sort_by_key(|c| c.index);
    found
}

/// The split of `lo..hi` with the largest |t|, with its unadjusted p-value.
fn best_split(sums: &Sums, lo: usize, hi: usize, min_size: usize) -> Option<ChangePoint> {
    let tiny_diff = 1e-9 * sums.scale;
    let n = (hi - lo) as f64;
    let mut best: Option<(f64, usize, f64, f64)> = None;
    for k in lo + min_size..=hi - min_size {
        let (na, nb) = ((k - lo) as f64, (hi - k) as f64);
        let (ma, va) = sums.mean_var(lo, k);
        let (mb, vb) = sums.mean_var(k, hi);
        let pooled = ((na - 1.0) * va + (nb - 1.0) * vb) / (n - 2.0);
        let diff = (mb - ma).abs();
        let t = if diff <= tiny_diff {
            0.0
        } else if pooled <= 0.0 {
            f64::INFINITY
        } else {
            diff / (pooled * (1.0 / na + 1.0 / nb)).sqrt()
        };
        if best.is_none_or(|(bt, ..)| t > bt) {
            best = Some((t, k, ma, mb));
        }
    }
    let (t, k, ma, mb) = best?;
    if t == 0.0 {
        return None;
    }
    let p_value = if t.is_infinite() {
        0.0
    } else {
        let dist = StudentsT::new(0.0, 1.0, n - 2.0).ok()?;
        (2.0 * dist.sf(t)).min(1.0)
    };
    Some(ChangePoint {
        index: k,
        mean_before: ma + sums.centre,
        mean_after: mb + sums.centre,
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic noise: mean of 12 uniforms from a 64-bit LCG (Knuth's MMIX constants),
    /// minus 6, is close to a standard normal (Irwin–Hall).
    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                let mut sum = 0.0;
                for _ in 0..12 {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    sum += (state >> 11) as f64 / (1u64 << 53) as f64;
                }
                sum - 6.0
            })
            .collect()
    }

    #[test]
    fn finds_a_known_step() {
        let values: Vec<f64> = noise(7, 40)
            .iter()
            .enumerate()
            .map(|(i, z)| if i < 25 { 100.0 } else { 130.0 } + 3.0 * z)
            .collect();
        let found = change_points(&values, ChangePointOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].index, 25);
        assert!((found[0].mean_before - 100.0).abs() < 3.0);
        assert!((found[0].mean_after - 130.0).abs() < 3.0);
        assert!(found[0].p_value < 0.01);
    }

    #[test]
    fn p_value_matches_a_hand_computation() {
        // Split after 4: pooled variance 5/3, t = 9 / sqrt(5/3 · (1/4 + 1/4)) = 9.859006;
        // Student's t with 6 df, two-sided, from the closed form for even df
        // (1 − sin θ · (1 + cos²θ/2 + 3cos⁴θ/8), θ = atan(t/√6)) = 6.280126e-5; times the 3
        // splits tried = 1.884038e-4.
        let values = [1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0, 13.0];
        let found = change_points(&values, ChangePointOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 4);
        assert_eq!((found[0].mean_before, found[0].mean_after), (2.5, 11.5));
        assert!(
            (found[0].p_value - 1.884_037_717_5e-4).abs() < 1e-12,
            "{}",
            found[0].p_value
        );
    }

    #[test]
    fn finds_two_steps() {
        let values: Vec<f64> = noise(11, 60)
            .iter()
            .enumerate()
            .map(|(i, z)| match i {
                0..20 => 50.0,
                20..40 => 80.0,
                _ => 60.0,
            } + 2.0 * z)
            .collect();
        let found = change_points(&values, ChangePointOptions::default());
        let at: Vec<usize> = found.iter().map(|c| c.index).collect();
        assert_eq!(at, vec![20, 40]);
    }

    #[test]
    fn flat_noisy_series_has_none() {
        for seed in 1..=200 {
            let values: Vec<f64> = noise(seed, 50).iter().map(|z| 200.0 + 10.0 * z).collect();
            let found = change_points(&values, ChangePointOptions::default());
            assert!(found.is_empty(), "seed {seed}: {found:?}");
        }
    }

    #[test]
    fn exact_step_without_noise_and_constant_series() {
        let mut values = vec![10.0; 6];
        values.extend([20.0; 6]);
        let found = change_points(&values, ChangePointOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 6);
        assert_eq!(found[0].p_value, 0.0);
        assert!(change_points(&[0.1; 30], ChangePointOptions::default()).is_empty());
        assert!(change_points(&[1.0, 2.0], ChangePointOptions::default()).is_empty());
        assert!(change_points(&[], ChangePointOptions::default()).is_empty());
    }
}

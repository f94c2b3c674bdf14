//! The E-divisive means candidate of a change point (Matteson & James, "A Nonparametric Approach
//! for Multiple Change Point Analysis of Multivariate Data", *JASA* 109, 2014), as Apache Otava
//! computes it (`otava/change_point_divisive/calculator.py`, `PairDistanceCalculator` with
//! power 1): in an interval `[s, e)`, the pair `(τ, κ)` maximising
//!
//! ```text
//! Q(τ, κ) = 2/(n+m) Σ|Xᵢ−Yⱼ| − 2m/((n+m)(n−1)) Σ_{i<k}|Xᵢ−Xₖ| − 2n/((n+m)(m−1)) Σ_{j<k}|Yⱼ−Yₖ|
//! ```
//!
//! with `X = x[s..τ]` (n values) and `Y = x[τ..κ]` (m values) proposes `τ` as the first value of
//! a new level. Because `κ` may stop short of `e`, a level that steps up and back down (a bump)
//! is still seen, where a single split of the whole interval would average it away. The
//! significance of a candidate is decided elsewhere ([`super::changepoint`]), by a t-test.
//!
//! All sums come from one table of partial column sums of the distance matrix, so one interval
//! of length L costs O(L²); callers keep L small with sliding windows, as Otava does.

/// The pairwise distances of one window, as partial column sums: `col[j][a]` is
/// `Σ_{i=a}^{j−1} |x_i − x_j|` for `a ≤ j`.
pub struct Distances {
    col: Vec<Vec<f64>>,
}

impl Distances {
    /// Precomputes the sums for `values` (finite, and small enough in magnitude that their
    /// differences are finite: the caller scales them to `[-1, 1]`).
    pub fn new(values: &[f64]) -> Self {
        let col = values
            .iter()
            .enumerate()
            .map(|(j, &xj)| {
                let mut sums = vec![0.0; j + 1];
                for a in (0..j).rev() {
                    sums[a] = sums[a + 1] + (values[a] - xj).abs();
                }
                sums
            })
            .collect();
        Self { col }
    }

    /// `Σ_{i=a}^{j−1} |x_i − x_j|`.
    fn upto(&self, j: usize, a: usize) -> f64 {
        self.col[j][a]
    }

    /// The best candidate in `[s, e)` with at least `min_size` values in `X`, in `Y` and after
    /// `τ`: `(τ, Q)`. `None` when no split is admissible or no split shows any difference
    /// (`Q ≤ 0`, as in a constant interval).
    pub fn candidate(&self, s: usize, e: usize, min_size: usize) -> Option<(usize, f64)> {
        let m = min_size.max(2);
        if e < s + 2 * m {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        // XX(s, τ) = Σ_{s≤i<k<τ} |x_i − x_k|, grown one τ at a time.
        let mut within_x: f64 = (s + 1..s + m).map(|j| self.upto(j, s)).sum();
        for tau in s + m..=e - m {
            let n = (tau - s) as f64;
            let mut within_y = 0.0;
            let mut between = 0.0;
            for kappa in tau + 1..=e {
                // Y grows by x[κ−1].
                let j = kappa - 1;
                within_y += self.upto(j, tau);
                between += self.upto(j, s) - self.upto(j, tau);
                let k = kappa - tau;
                if k < m {
                    continue;
                }
                let k = k as f64;
                let q = 2.0 / (n + k) * between
                    - 2.0 * k / ((n + k) * (n - 1.0)) * within_x
                    - 2.0 * n / ((n + k) * (k - 1.0)) * within_y;
                if best.is_none_or(|(_, bq)| q > bq) {
                    best = Some((tau, q));
                }
            }
            within_x += self.upto(tau, s);
        }
        best.filter(|&(_, q)| q > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Q by the definition, summing over pairs directly.
    fn q_direct(x: &[f64], y: &[f64]) -> f64 {
        let (n, m) = (x.len() as f64, y.len() as f64);
        let between: f64 = x
            .iter()
            .flat_map(|a| y.iter().map(move |b| (a - b).abs()))
            .sum();
        let pairs = |v: &[f64]| -> f64 {
            (0..v.len())
                .flat_map(|i| (i + 1..v.len()).map(move |k| (i, k)))
                .map(|(i, k)| (v[i] - v[k]).abs())
                .sum()
        };
        2.0 / (n + m) * between
            - 2.0 * m / ((n + m) * (n - 1.0)) * pairs(x)
            - 2.0 * n / ((n + m) * (m - 1.0)) * pairs(y)
    }

    #[test]
    fn matches_the_definition_on_every_split() {
        let values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let d = Distances::new(&values);
        let (s, e, m) = (1, 11, 2);
        let mut best = (0, f64::NEG_INFINITY);
        for tau in s + m..=e - m {
            for kappa in tau + m..=e {
                let q = q_direct(&values[s..tau], &values[tau..kappa]);
                if q > best.1 {
                    best = (tau, q);
                }
            }
        }
        let (tau, q) = d.candidate(s, e, m).unwrap();
        assert_eq!(tau, best.0);
        assert!((q - best.1).abs() < 1e-12, "{q} vs {}", best.1);
    }

    #[test]
    fn a_bump_is_proposed_at_its_start() {
        // The issue's series: Q(4, 8) = 2/8 · 9280 − 2·4/(8·3) · 60 = 2300, the largest.
        let values = [200., 200., 200., 200., 790., 770., 780., 780., 190., 200.];
        let d = Distances::new(&values);
        let (tau, q) = d.candidate(0, values.len(), 2).unwrap();
        assert_eq!(tau, 4);
        assert!((q - 2300.0).abs() < 1e-9, "{q}");
    }

    #[test]
    fn constant_or_short_intervals_have_no_candidate() {
        let d = Distances::new(&[5.0; 8]);
        assert_eq!(d.candidate(0, 8, 2), None);
        let d = Distances::new(&[1.0, 2.0, 3.0]);
        assert_eq!(d.candidate(0, 3, 2), None);
    }
}

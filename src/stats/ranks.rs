//! The Mann–Whitney U test, a rank test that needs no distributional assumption, for comparing
//! a metric over a few repeated runs per side when one odd run would sway a t test.
//!
//! Mann & Whitney, "On a test of whether one of two random variables is stochastically larger
//! than the other", *Annals of Mathematical Statistics* 18, 1947. Exact null distribution by the
//! recursion of that paper for small samples without ties; otherwise the normal approximation
//! with tie-corrected variance and continuity correction (Lehmann, *Nonparametrics: Statistical
//! Methods Based on Ranks*, 1975, ch. 1), as `scipy.stats.mannwhitneyu`. With 3 runs a side
//! the smallest two-sided p is 0.1, so the caller must check [`mann_whitney_min_p`] before
//! reading "not significant" as "no change".

use statrs::function::erf::erfc;

use super::groups::finite;

/// Largest group size for which the exact null distribution is used (when there are no ties).
pub const MANN_WHITNEY_EXACT_MAX: usize = 20;

/// Result of [`mann_whitney_u`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitneyResult {
    /// U statistic of the first sample: the number of pairs `(x in a, y in b)` with `x > y`,
    /// ties counting one half (SciPy's `statistic`).
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Whether the exact distribution was used (no ties, both sizes <= [`MANN_WHITNEY_EXACT_MAX`]).
    pub exact: bool,
}

/// Two-sided Mann–Whitney U test (Mann & Whitney 1947) that one sample tends to be larger.
///
/// Exact (`scipy.stats.mannwhitneyu(a, b, method="exact")`: `p = 2 P(U >= max(U_a, U_b))`,
/// capped at 1) when there are no ties and both sizes are at most [`MANN_WHITNEY_EXACT_MAX`];
/// otherwise the normal approximation with tie correction and continuity correction
/// (`method="asymptotic"`). Non-finite values are ignored; `None` when a side is then empty.
/// All values equal gives `p = 1`.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Option<MannWhitneyResult> {
    let (a, b) = (finite(a), finite(b));
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&y| (y, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    // Mid-ranks, the sum of the first sample's ranks, and the tie term sum(t^3 - t).
    let n = pooled.len();
    let (mut rank_sum_a, mut tie_term) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && pooled[j + 1].0 == pooled[i].0 {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        let ties = (j - i + 1) as f64;
        tie_term += ties * ties * ties - ties;
        rank_sum_a += mid_rank * pooled[i..=j].iter().filter(|e| e.1).count() as f64;
        i = j + 1;
    }
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u = rank_sum_a - f1 * (f1 + 1.0) / 2.0;
    let u_big = u.max(f1 * f2 - u);
    let exact = tie_term == 0.0 && n1 <= MANN_WHITNEY_EXACT_MAX && n2 <= MANN_WHITNEY_EXACT_MAX;
    let p_value = if exact {
        let counts = u_distribution(n1, n2);
        let total: f64 = counts.iter().sum();
        let upper: f64 = counts[u_big.round() as usize..].iter().sum();
        (2.0 * upper / total).min(1.0)
    } else {
        let nf = f1 + f2;
        let variance = f1 * f2 / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
        if variance <= 0.0 {
            1.0
        } else {
            let z = (u_big - f1 * f2 / 2.0 - 0.5) / variance.sqrt();
            erfc(z.max(0.0) / std::f64::consts::SQRT_2).min(1.0)
        }
    };
    Some(MannWhitneyResult { u, p_value, exact })
}

/// The smallest two-sided p-value the exact Mann–Whitney test can give for these group sizes,
/// `2 / C(n1 + n2, n1)` capped at 1 (complete separation): with 3 runs a side it is 0.1, with
/// 4 and 4 about 0.029, so alpha = 0.05 is out of reach below that and the caller should say so
/// rather than report "no change". 1 when a group is empty.
pub fn mann_whitney_min_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    let (n1, n2) = (n1.min(n2), n1.max(n2));
    // C(n1 + n2, n1) as a running product; it only grows, so stop once the result is ~0.
    let mut combinations = 1.0f64;
    for k in 1..=n1 {
        combinations = combinations * (n2 + k) as f64 / k as f64;
        if combinations > 1e300 {
            return 0.0;
        }
    }
    (2.0 / combinations).min(1.0)
}

/// Number of arrangements giving each value of U (0..=n1*n2) under the null hypothesis: the
/// recursion `c(m, n; u) = c(m - 1, n; u - n) + c(m, n - 1; u)` of Mann & Whitney (1947), built
/// up one first-sample element at a time. Counts stay below 2^53 for the sizes used here.
fn u_distribution(n1: usize, n2: usize) -> Vec<f64> {
    // table[j][u]: arrangements of i first-sample and j second-sample values with statistic u.
    let max_u = n1 * n2;
    let mut table: Vec<Vec<f64>> = (0..=n2)
        .map(|_| {
            let mut row = vec![0.0; max_u + 1];
            row[0] = 1.0;
            row
        })
        .collect();
    for _ in 1..=n1 {
        let mut next: Vec<Vec<f64>> = vec![vec![0.0; max_u + 1]; n2 + 1];
        next[0][0] = 1.0;
        for j in 1..=n2 {
            for u in 0..=max_u {
                // The largest value is a first-sample one (beats all j others) or a second one.
                let from_first = if u >= j { table[j][u - j] } else { 0.0 };
                next[j][u] = from_first + next[j - 1][u];
            }
        }
        table = next;
    }
    table.swap_remove(n2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn exact_distribution_small_case() {
        // n1 = 2, n2 = 2: C(4, 2) = 6 arrangements, U = 0,1,2,2,3,4.
        assert_eq!(u_distribution(2, 2), vec![1.0, 1.0, 2.0, 1.0, 1.0]);
        assert_eq!(u_distribution(1, 3), vec![1.0, 1.0, 1.0, 1.0]);
        let total: f64 = u_distribution(10, 12).iter().sum();
        assert_eq!(total, 646_646.0); // C(22, 10)
    }

    #[test]
    fn min_p() {
        assert!(close(mann_whitney_min_p(3, 3), 0.1, 1e-12));
        assert!(close(mann_whitney_min_p(4, 4), 2.0 / 70.0, 1e-12));
        assert!(close(mann_whitney_min_p(5, 5), 2.0 / 252.0, 1e-12));
        assert!(close(mann_whitney_min_p(2, 7), 2.0 / 36.0, 1e-12));
        assert_eq!(mann_whitney_min_p(1, 1), 1.0);
        assert_eq!(mann_whitney_min_p(0, 5), 1.0);
        assert_eq!(mann_whitney_min_p(2000, 2000), 0.0);
    }
}

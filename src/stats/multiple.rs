//! Multiple-comparison correction.
//!
//! A comparison runs one test per endpoint and metric — easily 20 or more per report — so at
//! alpha = 0.05 one false alarm per report is expected by chance alone. Holm's step-down method
//! (S. Holm, "A simple sequentially rejective multiple test procedure", *Scandinavian Journal of
//! Statistics* 6(2), 1979, pp. 65–70) controls the family-wise error rate at alpha under any
//! dependence between the tests and is uniformly more powerful than plain Bonferroni.
//!
//! Benjamini–Hochberg's step-up method (Y. Benjamini and Y. Hochberg, "Controlling the false
//! discovery rate", *JRSS B* 57(1), 1995, pp. 289–300) controls the expected share of false
//! flags among the flagged at alpha, for independent or positively dependent tests (Benjamini
//! and Yekutieli, *Ann. Statist.* 29, 2001). When nothing changed at all it flags anything with
//! probability at most alpha — it is then Simes' global test (R. J. Simes, *Biometrika* 73, 1986)
//! — so a gate built on it fails a build that changed nothing no more often than Holm's does,
//! while several correlated signals of one real change (an endpoint's average, median and p95)
//! strengthen each other instead of each paying for the whole family.

/// Holm–Bonferroni adjusted p-values (Holm 1979), in the same order as the input: reject test `i`
/// at family-wise level alpha when `adjusted[i] <= alpha`.
///
/// With the p-values sorted ascending, `p_(1) <= … <= p_(m)`, the adjusted value is
/// `max_{j <= i} min(1, (m - j + 1) p_(j))`: monotone in the sort order and capped at 1 (as
/// `statsmodels.stats.multitest.multipletests(method="holm")`). A `NaN` or out-of-range input
/// is treated as 1 (no evidence) and still counts in `m`, the conservative choice; negative
/// values are treated as 0. An empty input gives an empty output.
pub fn holm_adjust(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let clean: Vec<f64> = p_values.iter().map(|&p| clean_p(p)).collect();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| clean[a].total_cmp(&clean[b]));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let scaled = ((m - rank) as f64 * clean[i]).min(1.0);
        running = running.max(scaled);
        adjusted[i] = running;
    }
    adjusted
}

/// Benjamini–Hochberg adjusted p-values (1995), in the same order as the input: flag test `i`
/// at false-discovery rate alpha when `adjusted[i] <= alpha`.
///
/// With the p-values sorted ascending, the adjusted value is `min_{j >= i} min(1, m p_(j) / j)`
/// (as `multipletests(method="fdr_bh")`). Odd inputs are cleaned as in [`holm_adjust`].
pub fn bh_adjust(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let clean: Vec<f64> = p_values.iter().map(|&p| clean_p(p)).collect();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| clean[a].total_cmp(&clean[b]));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 1.0;
    for (rank, &i) in order.iter().enumerate().rev() {
        let scaled = (m as f64 * clean[i] / (rank + 1) as f64).min(1.0);
        running = running.min(scaled);
        adjusted[i] = running;
    }
    adjusted
}

/// A p-value fit for a correction: `NaN` or above 1 counts as 1, below 0 as 0.
fn clean_p(p: f64) -> f64 {
    if p.is_nan() || p > 1.0 {
        1.0
    } else {
        p.max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_statsmodels() {
        // from statsmodels.stats.multitest import multipletests
        // multipletests([0.01, 0.04, 0.03, 0.005, 0.5, 0.02], method="holm")[1]
        // → [0.05, 0.09, 0.09, 0.03, 0.5, 0.08]
        let p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.02];
        let want = [0.05, 0.09, 0.09, 0.03, 0.5, 0.08];
        let got = holm_adjust(&p);
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
        // Capping at 1: multipletests([0.3, 0.6, 0.9], method="holm")[1] → [0.9, 1.0, 1.0]
        let got = holm_adjust(&[0.3, 0.6, 0.9]);
        assert!((got[0] - 0.9).abs() < 1e-12 && got[1] == 1.0 && got[2] == 1.0);
    }

    #[test]
    fn odd_input() {
        assert!(holm_adjust(&[]).is_empty());
        assert_eq!(holm_adjust(&[0.02]), vec![0.02]);
        // NaN counts as 1 (and in m): [0.01, NaN] → [0.02, 1.0].
        assert_eq!(holm_adjust(&[0.01, f64::NAN]), vec![0.02, 1.0]);
        assert_eq!(holm_adjust(&[-0.5, 2.0]), vec![0.0, 1.0]);
        // Ties keep monotonicity.
        assert_eq!(holm_adjust(&[0.01, 0.01, 0.01]), vec![0.03, 0.03, 0.03]);
    }

    #[test]
    fn bh_matches_statsmodels() {
        // multipletests([...], method="fdr_bh")[1]
        let cases: [(&[f64], &[f64]); 3] = [
            (
                &[0.01, 0.04, 0.03, 0.005, 0.5, 0.02],
                &[0.03, 0.048, 0.045, 0.03, 0.5, 0.04],
            ),
            (&[0.3, 0.6, 0.9], &[0.9, 0.9, 0.9]),
            (
                &[0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205],
                &[
                    0.008,
                    0.032,
                    0.0672,
                    0.0672,
                    0.0672,
                    0.08,
                    0.084_571_428_571_428_56,
                    0.205,
                ],
            ),
        ];
        for (p, want) in cases {
            let got = bh_adjust(p);
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-12, "{got:?}");
            }
        }
        assert!(bh_adjust(&[]).is_empty());
        assert_eq!(bh_adjust(&[0.01, f64::NAN]), vec![0.02, 1.0]);
    }

    #[test]
    fn bh_never_above_holm() {
        let p = [0.001, 0.2, 0.004, 0.03, 0.9, 0.0001, 0.05];
        for (b, h) in bh_adjust(&p).iter().zip(holm_adjust(&p)) {
            assert!(*b <= h + 1e-15);
        }
    }
}

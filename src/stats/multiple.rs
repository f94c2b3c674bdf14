//! Multiple-comparison correction.
//!
//! A comparison runs one test per endpoint and metric — easily 20 or more per report — so at
//! alpha = 0.05 one false alarm per report is expected by chance alone. Holm's step-down method
//! (S. Holm, "A simple sequentially rejective multiple test procedure", *Scandinavian Journal of
//! Statistics* 6(2), 1979, pp. 65–70) controls the family-wise error rate at alpha under any
//! dependence between the tests and is uniformly more powerful than plain Bonferroni.

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
    let clean: Vec<f64> = p_values
        .iter()
        .map(|&p| {
            if p.is_nan() || p > 1.0 {
                1.0
            } else {
                p.max(0.0)
            }
        })
        .collect();
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
}

use super::*;
use proptest::prelude::*;

fn est(value: f64, within_var: f64) -> RunEstimate {
    RunEstimate {
        log_value: value.ln(),
        within_var,
    }
}

const PRIOR: DriftPrior = DriftPrior {
    var: 0.0025,
    df: 8.0,
};

#[test]
fn one_run_a_side_rests_on_the_prior() {
    // numpy/scipy: var = 2 * 0.0025 + 0.0004 + 0.0009; t = ln(1.3) / sqrt(var)
    // 2 * scipy.stats.t.sf(t, 8) → 0.010770523503795393; t.ppf(0.975, 8) → 2.306004135204166
    let t = shift_test(&[est(100.0, 0.0004)], &[est(130.0, 0.0009)], PRIOR).unwrap();
    assert!((t.estimate - 0.262_364_264_467_490_4).abs() < 1e-12);
    assert!((t.se - 0.079_372_539_331_937_72).abs() < 1e-12);
    assert!(
        (t.p_value - 0.010_770_523_503_795_393).abs() < 1e-9,
        "{}",
        t.p_value
    );
    assert_eq!(t.df, 8.0);
    assert_eq!(t.observed_between_var, None);
    let (lo, hi) = t.interval(0.95).unwrap();
    assert!((lo - (t.estimate - 2.306_004_135_204_166 * t.se)).abs() < 1e-9);
    assert!((hi - (t.estimate + 2.306_004_135_204_166 * t.se)).abs() < 1e-9);
}

#[test]
fn groups_moderate_their_own_spread() {
    // numpy/scipy, as in the module docs: s² pooled over both sides (4 df), τ̂² = s² − mean(v),
    // τ̃² = (8·0.0025 + 4·τ̂²)/12, var = τ̃²·(2/3) + Σv_b/9 + Σv_l/9, t with 12 df
    // → D 0.18398718024999283, se 0.03886052594255064, τ̂² 0.00044563214439243096,
    //   τ̃² 0.001815210714797477, p 0.0004847522388162594, lower 95 % 0.09931736775874733
    let b = [est(100.0, 0.0004), est(104.0, 0.0005), est(98.0, 0.0003)];
    let l = [est(120.0, 0.0006), est(118.0, 0.0004), est(125.0, 0.0005)];
    let t = shift_test(&b, &l, PRIOR).unwrap();
    assert!((t.estimate - 0.183_987_180_249_992_83).abs() < 1e-12);
    assert!((t.se - 0.038_860_525_942_550_64).abs() < 1e-12);
    assert!((t.observed_between_var.unwrap() - 0.000_445_632_144_392_430_96).abs() < 1e-12);
    assert!((t.between_var - 0.001_815_210_714_797_477).abs() < 1e-12);
    assert!((t.p_value - 0.000_484_752_238_816_259_4).abs() < 1e-9);
    assert_eq!(t.df, 12.0);
    let (lo, _) = t.interval(0.95).unwrap();
    assert!((lo - 0.099_317_367_758_750_94).abs() < 1e-9);
}

#[test]
fn tied_runs_cannot_make_the_variance_vanish() {
    // 2 v 2 with identical rounded values and no within-run noise: the prior keeps se > 0.
    let b = [est(150.0, 0.0), est(150.0, 0.0)];
    let l = [est(2000.0, 0.0), est(2000.0, 0.0)];
    let t = shift_test(&b, &l, PRIOR).unwrap();
    // τ̃² = 8·0.0025/10 = 0.002; var = 0.002 · (1/2 + 1/2)
    assert!((t.se - 0.002_f64.sqrt()).abs() < 1e-12);
    assert_eq!(t.df, 10.0);
}

#[test]
fn odd_input_is_refused() {
    assert!(shift_test(&[], &[est(1.0, 0.1)], PRIOR).is_none());
    let zero = DriftPrior { var: 0.0, df: 8.0 };
    assert!(shift_test(&[est(5.0, 0.0)], &[est(5.0, 0.0)], zero).is_none());
    let nan = RunEstimate {
        log_value: f64::NAN,
        within_var: 0.1,
    };
    assert!(shift_test(&[nan], &[est(1.0, 0.1)], PRIOR).is_none());
    assert!(t_critical(8.0, 1.0).is_none());
    assert!((t_critical(f64::INFINITY, 0.95).unwrap() - 1.959_963_984_540_054).abs() < 1e-9);
}

proptest! {
    /// The interval at 1 − a excludes 0 exactly when p < a: one test, one answer.
    #[test]
    fn interval_and_p_value_agree(
        b in prop::collection::vec((1.0f64..1000.0, 0.0f64..0.05), 1..6),
        l in prop::collection::vec((1.0f64..1000.0, 0.0f64..0.05), 1..6),
        prior_var in 0.0001f64..0.1,
        prior_df in 1.0f64..50.0,
        a in 0.001f64..0.5,
    ) {
        let side = |v: &[(f64, f64)]| v.iter().map(|&(x, w)| est(x, w)).collect::<Vec<_>>();
        let t = shift_test(&side(&b), &side(&l), DriftPrior { var: prior_var, df: prior_df }).unwrap();
        let (lo, hi) = t.interval(1.0 - a).unwrap();
        let excludes = lo > 0.0 || hi < 0.0;
        // Skip the knife edge where rounding decides.
        prop_assume!((t.p_value - a).abs() > 1e-9);
        prop_assert_eq!(excludes, t.p_value < a);
        prop_assert!(t.se > 0.0 && t.p_value >= 0.0 && t.p_value <= 1.0);
    }

    /// Swapping the sides flips the estimate and keeps the p-value.
    #[test]
    fn symmetric(
        b in prop::collection::vec((1.0f64..1000.0, 0.0f64..0.05), 1..5),
        l in prop::collection::vec((1.0f64..1000.0, 0.0f64..0.05), 1..5),
    ) {
        let side = |v: &[(f64, f64)]| v.iter().map(|&(x, w)| est(x, w)).collect::<Vec<_>>();
        let fwd = shift_test(&side(&b), &side(&l), PRIOR).unwrap();
        let back = shift_test(&side(&l), &side(&b), PRIOR).unwrap();
        prop_assert!((fwd.estimate + back.estimate).abs() < 1e-9);
        prop_assert!((fwd.p_value - back.p_value).abs() < 1e-9);
    }
}

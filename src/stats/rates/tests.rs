use super::*;
use proptest::prelude::*;

fn runs(v: &[(u64, u64)]) -> Vec<Counts> {
    v.iter()
        .map(|&(failures, requests)| Counts { failures, requests })
        .collect()
}

const BINOMIAL: DriftPrior = DriftPrior {
    var: 1.0,
    df: f64::INFINITY,
};

#[test]
fn wilson_matches_statsmodels() {
    // statsmodels.stats.proportion.proportion_confint(12, 400, method="wilson")
    // → (0.017243020965143047, 0.051698535709095675); (0, 1056) → (0.0, 0.0036245598704626935)
    let z = 1.959_963_984_540_054;
    let (lo, hi) = wilson(12.0, 400.0, z);
    assert!((lo - 0.017_243_020_965_143_047).abs() < 1e-12);
    assert!((hi - 0.051_698_535_709_095_675).abs() < 1e-12);
    let (lo, hi) = wilson(0.0, 1056.0, z);
    assert_eq!(lo, 0.0);
    assert!((hi - 0.003_624_559_870_462_693_6).abs() < 1e-12);
}

#[test]
fn newcombe_matches_statsmodels() {
    // statsmodels confint_proportions_2indep(29, 990, 0, 1056, method="newcomb", compare="diff")
    // → (0.019756282944817023, 0.04175275113969244)
    let r = rate_difference(&runs(&[(0, 1056)]), &runs(&[(29, 990)]), BINOMIAL).unwrap();
    let (lo, hi) = r.interval(0.95).unwrap();
    assert!((lo - 0.019_756_282_944_817_023).abs() < 1e-12, "{lo}");
    assert!((hi - 0.041_752_751_139_692_44).abs() < 1e-12, "{hi}");
    assert!(
        r.p_value < 1e-6,
        "0/1056 vs 29/990 is no accident: {}",
        r.p_value
    );
    // (12, 400) vs (5, 410) → (-0.0026826700844394882, 0.040596964387435826)
    let r = rate_difference(&runs(&[(5, 410)]), &runs(&[(12, 400)]), BINOMIAL).unwrap();
    let (lo, hi) = r.interval(0.95).unwrap();
    assert!((lo + 0.002_682_670_084_439_488_2).abs() < 1e-12);
    assert!((hi - 0.040_596_964_387_435_826).abs() < 1e-12);
    assert!(r.p_value > 0.05);
}

#[test]
fn three_clean_runs_against_three_failing_ones() {
    // The case: 0 % in every baseline run, 2.6–3.3 % in every latest run.
    let prior = DriftPrior { var: 1.0, df: 8.0 };
    let b = runs(&[(0, 352), (0, 350), (0, 354)]);
    let l = runs(&[(9, 330), (11, 333), (9, 327)]);
    let r = rate_difference(&b, &l, prior).unwrap();
    // φ̂ = 0.247 / 2 < 1, so φ̃ = 1; the Newcombe lower bound touches 0 at z* = 5.0486
    // (scipy brentq over statsmodels' newcomb interval), and 2 · scipy.stats.t.sf(z*, 10)
    // → 0.0005002840227557096 (10 df: 8 of the prior, 2 from the latest runs).
    assert_eq!(r.dispersion, 1.0);
    assert_eq!(r.df, 10.0);
    assert!(
        (r.p_value - 0.000_500_284_022_755_709_6).abs() < 1e-9,
        "{}",
        r.p_value
    );
    assert!(r.interval(0.95).unwrap().0 > 0.0);
}

#[test]
fn overdispersion_widens_the_interval() {
    // Latest runs that disagree far beyond binomial noise (1 % vs 9 %) get φ̂ > 1.
    let prior = DriftPrior { var: 1.0, df: 4.0 };
    let b = runs(&[(10, 1000), (12, 1000), (11, 1000)]);
    let l = runs(&[(10, 1000), (90, 1000), (40, 1000)]);
    let r = rate_difference(&b, &l, prior).unwrap();
    // Pearson χ²/df for latest: p̂ = 0.0467, n p̂ (1 − p̂) = 44.49; Σ (x − 46.67)² = 3266.7
    // → χ² = 73.43 over 2 df; baseline χ² = 0.18 over 2 df; φ̂ = 73.61 / 4 = 18.40;
    // φ̃ = (4·1 + 4·18.40) / 8 = 9.70.
    assert!((r.dispersion - 9.70).abs() < 0.02, "{}", r.dispersion);
    assert!(r.p_value > 0.01, "{}", r.p_value);
    let plain = rate_difference(&b, &l, BINOMIAL).unwrap();
    assert!(plain.p_value < 1e-10);
}

#[test]
fn odd_input() {
    assert!(rate_difference(&runs(&[(5, 4)]), &runs(&[(0, 10)]), BINOMIAL).is_none());
    assert!(rate_difference(&runs(&[(0, 0)]), &runs(&[(0, 10)]), BINOMIAL).is_none());
    let r = rate_difference(&runs(&[(0, 10)]), &runs(&[(0, 20)]), BINOMIAL).unwrap();
    assert_eq!(r.p_value, 1.0);
    let (lo, hi) = r.interval(0.95).unwrap();
    assert!(
        lo < 0.0 && hi > 0.0,
        "no failures on either side: the interval straddles 0"
    );
}

proptest! {
    #[test]
    fn interval_and_p_value_agree(
        xb in 0u64..60, nb in 60u64..2000, xl in 0u64..60, nl in 60u64..2000,
        a in 0.001f64..0.5, df in prop::sample::select(vec![4.0, 12.0, f64::INFINITY]),
    ) {
        let prior = DriftPrior { var: 1.0, df };
        let r = rate_difference(&runs(&[(xb, nb)]), &runs(&[(xl, nl)]), prior).unwrap();
        prop_assume!((r.p_value - a).abs() > 1e-6);
        let (lo, hi) = r.interval(1.0 - a).unwrap();
        prop_assert_eq!(lo > 0.0 || hi < 0.0, r.p_value < a);
    }
}

//! Tests of [`super`] and of the Mann–Whitney test against values computed once with SciPy 1.17.1
//! / NumPy 2.4 (snippets beside each), plus seeded simulations of repeated Locust runs.

use super::*;
use crate::stats::testing::{locust_summary, SplitMix64};

/// First sample, second sample, expected t, p and df.
type WelchCase = (Vec<f64>, Vec<f64>, f64, f64, f64);
/// First sample, second sample, expected U and p.
type MannWhitneyCase = (Vec<f64>, Vec<f64>, f64, f64);

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

const BASE: [f64; 5] = [102.0, 98.5, 110.2, 95.1, 104.3];
const LATEST: [f64; 5] = [121.0, 118.2, 130.5, 115.9, 125.1];

#[test]
fn spread_matches_numpy() {
    // x = np.array(BASE); x.mean(), np.median(x), x.std(ddof=1), x.std(ddof=1) / x.mean()
    // → 102.02, 102.0, 5.752999217799358, 0.056390896077233466
    let s = spread(&BASE).unwrap();
    assert_eq!(s.n, 5);
    assert!(close(s.mean, 102.02, 1e-12));
    assert_eq!(s.median, 102.0);
    assert!(close(s.std_dev, 5.752999217799358, 1e-12));
    assert!(close(s.cv, 0.056390896077233466, 1e-12));
    assert_eq!((s.min, s.max), (95.1, 110.2));
    // Even count, non-finite ignored, single value, nothing usable, zero mean.
    let s = spread(&[4.0, f64::NAN, 1.0, 3.0, 2.0]).unwrap();
    assert_eq!((s.n, s.median), (4, 2.5));
    let s = spread(&[7.0]).unwrap();
    assert_eq!((s.std_dev, s.cv), (0.0, 0.0));
    assert_eq!(spread(&[]), None);
    assert_eq!(spread(&[f64::NAN, f64::INFINITY]), None);
    assert!(spread(&[-1.0, 1.0]).unwrap().cv.is_nan());
}

#[test]
fn modified_z_scores_by_hand() {
    // median 11.5, |deviations| 1.5, .5, .5, 0, 18.5 → MAD 0.5:
    // 0.6745 * (x - 11.5) / 0.5 → -2.0235, -0.6745, 0.6745, 0, 24.9565
    let z = modified_z_scores(&[10.0, 11.0, 12.0, 11.5, 30.0]);
    let want = [-2.0235, -0.6745, 0.6745, 0.0, 24.9565];
    for (g, w) in z.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{z:?}");
    }
    assert!(z[4].abs() > 3.5 && z[..4].iter().all(|s| s.abs() <= 3.5));
    // MAD = 0: mean absolute deviation 0.8 stands in, (9 - 5) / (1.253314 * 0.8) = 3.989423…
    let z = modified_z_scores(&[5.0, 5.0, 5.0, 5.0, 9.0]);
    assert_eq!(&z[..4], &[0.0; 4]);
    assert!(close(z[4], 3.989423241103187, 1e-12));
    assert_eq!(modified_z_scores(&[3.0, 3.0]), vec![0.0, 0.0]);
    let z = modified_z_scores(&[1.0, f64::NAN, 2.0, 3.0]);
    assert!(z[1].is_nan() && close(z[0], -0.6745, 1e-12) && close(z[3], 0.6745, 1e-12));
    assert!(modified_z_scores(&[]).is_empty());
    assert!(modified_z_scores(&[f64::NAN])[0].is_nan());
}

#[test]
fn welch_matches_scipy() {
    // r = scipy.stats.ttest_ind(a, b, equal_var=False); r.statistic, r.pvalue, r.df
    let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
    let cases: [WelchCase; 3] = [
        (
            BASE.to_vec(),
            LATEST.to_vec(),
            -5.508711922625544,
            0.0005679947350172009,
            7.999539622214371,
        ),
        (
            ln(&BASE), // np.log
            ln(&LATEST),
            -5.50620975055348,
            0.0006313748057284752,
            7.765410817525,
        ),
        (
            vec![1.0, 2.0, 3.0],
            vec![1.5, 2.5, 10.0, 12.0],
            -1.6664761795905927,
            0.18630672468960888,
            3.283008754690012,
        ),
    ];
    for (a, b, t, p, df) in cases {
        let r = welch_t_test(&a, &b).unwrap();
        assert!(close(r.t, t, 1e-10) && close(r.df, df, 1e-10), "{r:?}");
        assert!(close(r.p_value, p, 1e-7), "{r:?} vs {p}");
    }
    assert_eq!(welch_t_test(&[1.0], &[1.0, 2.0]), None);
    assert_eq!(welch_t_test(&[1.0, 1.0], &[2.0, 2.0]), None);
    assert_eq!(welch_t_test(&[1.0, f64::NAN], &[1.0, 2.0]), None);
}

#[test]
fn ratio_ci_matches_scipy() {
    // lb, ll = np.log(base), np.log(lat); va, vb = ll.var(ddof=1)/len(ll), lb.var(ddof=1)/len(lb)
    // se = sqrt(va + vb); df = (va+vb)**2 / (va**2/(len(ll)-1) + vb**2/(len(lb)-1))
    // d = ll.mean() - lb.mean(); q = scipy.stats.t.ppf(0.5 + conf/2, df); exp(d -+ q*se)
    let (lo, hi) = ratio_ci(&BASE, &LATEST, 0.95).unwrap();
    assert!(close(lo, 1.1100805887976322, 1e-9) && close(hi, 1.2921531906614874, 1e-9));
    let (lo, hi) = ratio_ci(&[1.0, 2.0, 3.0], &[1.5, 2.5, 10.0, 12.0], 0.9).unwrap();
    assert!(close(lo, 0.737965585658132, 1e-9) && close(hi, 8.705678953032946, 1e-9));
    assert_eq!(ratio_ci(&[0.0, 1.0], &[1.0, 2.0], 0.95), None);
    assert_eq!(ratio_ci(&BASE, &LATEST, 1.0), None);
    assert_eq!(ratio_ci(&BASE, &[1.0], 0.95), None);
}

#[test]
fn mann_whitney_matches_scipy() {
    // r = scipy.stats.mannwhitneyu(a, b, method="exact"); r.statistic, r.pvalue
    let exact: [MannWhitneyCase; 5] = [
        (vec![1., 2., 3.], vec![4., 5., 6.], 0.0, 0.1),
        (vec![4., 5., 6.], vec![1., 2., 3.], 9.0, 0.1),
        (
            vec![1., 3., 5., 7.],
            vec![2., 4., 6., 8., 10.],
            6.0,
            0.4126984126984127,
        ),
        (BASE.to_vec(), LATEST.to_vec(), 0.0, 0.007936507936507936),
        (
            vec![1.1, 2.2, 3.3, 4.4, 5.5, 6.6],
            vec![2.5, 3.5, 4.5, 7.5, 8.5, 9.5, 10.5],
            9.0,
            0.10139860139860139,
        ),
    ];
    for (a, b, u, p) in exact {
        let r = mann_whitney_u(&a, &b).unwrap();
        assert!(r.exact && r.u == u && close(r.p_value, p, 1e-12), "{r:?}");
    }
    // Ties or large samples: method="asymptotic" (tie correction, continuity correction).
    let asymptotic: [MannWhitneyCase; 3] = [
        (
            vec![1., 2., 2., 3., 4.],
            vec![2., 3., 3., 5., 6., 7.],
            6.0,
            0.11390314458853068,
        ),
        (vec![5.; 3], vec![5.; 3], 4.5, 1.0),
        (
            (0..25).map(f64::from).collect(),
            (0..22).map(|i| f64::from(i) + 3.5).collect(),
            231.0,
            0.35370689320933835,
        ),
    ];
    for (a, b, u, p) in asymptotic {
        let r = mann_whitney_u(&a, &b).unwrap();
        assert!(!r.exact && r.u == u && close(r.p_value, p, 1e-9), "{r:?}");
    }
    assert_eq!(mann_whitney_u(&[], &[1.0]), None);
    assert_eq!(mann_whitney_u(&[f64::NAN], &[1.0]), None);
}

/// Per-run p50 of `runs` simulated Locust runs of `requests` requests each: log-normal times
/// (sigma 0.45) around `median`, each run shifted by its own run effect (log-sd 0.05), Locust's
/// rounding and percentile rule. With 50 requests two such runs' p50s differ by 10 % in the
/// median pair, by over 15 % in one pair of four, over 22 % in one of ten (2000 seeded pairs).
fn run_p50s(rng: &mut SplitMix64, runs: usize, requests: usize, median: f64) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let run_median = median * (0.05 * rng.normal()).exp();
            let times: Vec<f64> = (0..requests)
                .map(|_| rng.lognormal(run_median, 0.45))
                .collect();
            locust_summary(&times).dist.quantile(0.5)
        })
        .collect()
}

/// Fraction of seeds in which Welch on logs, Mann–Whitney, and the ratio CI (excluding 1) fire
/// at alpha = 0.05 for 5 vs 5 runs.
fn group_firing_rate(shift: f64, seeds: u64) -> [f64; 3] {
    let mut fired = [0u32; 3];
    for seed in 0..seeds {
        let mut rng = SplitMix64::new(seed ^ 0x5EED_0000);
        let median = 40.0 + 400.0 * rng.uniform();
        let base = run_p50s(&mut rng, 5, 50, median);
        let latest = run_p50s(&mut rng, 5, 50, median * shift);
        let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
        let welch = welch_t_test(&ln(&base), &ln(&latest)).unwrap();
        let mw = mann_whitney_u(&base, &latest).unwrap();
        let (lo, hi) = ratio_ci(&base, &latest, 0.95).unwrap();
        fired[0] += u32::from(welch.p_value < 0.05);
        fired[1] += u32::from(mw.p_value < 0.05);
        fired[2] += u32::from(lo > 1.0 || hi < 1.0);
        // The CI and the test are the same computation seen two ways.
        assert_eq!(welch.p_value < 0.05, lo > 1.0 || hi < 1.0, "seed {seed}");
    }
    fired.map(|c| f64::from(c) / seeds as f64)
}

#[test]
fn five_vs_five_runs_find_a_20_percent_shift() {
    let rates = group_firing_rate(1.2, 200);
    assert!(rates[0] >= 0.7 && rates[2] >= 0.7, "{rates:?}");
    assert!(rates[1] >= 0.6, "{rates:?}");
}

#[test]
fn five_vs_five_identical_runs_rarely_fire() {
    // 400 seeds: the standard error of a 5 % rate is 1.1 %; allow alpha + 2.5 points.
    let rates = group_firing_rate(1.0, 400);
    assert!(rates.iter().all(|&r| r <= 0.075), "{rates:?}");
}

#[test]
fn prediction_test_matches_the_closed_form_for_two_degrees_of_freedom() {
    // Group [1, 2, 3]: mean 2, s = 1; x = 5 → t = 3 / sqrt(4/3) = 2.598076; with 2 degrees of
    // freedom the t CDF is 1/2 + t / (2 sqrt(t² + 2)), so p = 1 − t / sqrt(t² + 2).
    let t = 3.0 / (4.0f64 / 3.0).sqrt();
    let expected = 1.0 - t / (t * t + 2.0).sqrt();
    let p = prediction_t_test(5.0, &[1.0, 2.0, 3.0], 0.0).unwrap();
    assert!((p - expected).abs() < 1e-9, "{p} vs {expected}");
    assert!((p - 0.121_6).abs() < 1e-3);
    assert_eq!(prediction_t_test(5.0, &[1.0], 0.0), None);
    assert_eq!(prediction_t_test(5.0, &[2.0, 2.0], 0.0), None);
    assert!(prediction_t_test(5.0, &[2.0, 2.0], 1.0).is_some());
}

#[test]
fn a_variance_floor_makes_identical_rounded_values_testable() {
    // Three runs each at 200 ms vs three at 260 ms: no sample variance at all.
    let (b, l) = ([200f64.ln(); 3], [260f64.ln(); 3]);
    assert!(welch_t_test(&b, &l).is_none());
    // Rounding step 10 ms: log-scale variance floor (10/200)²/12 and (10/260)²/12.
    let floor = (
        (10.0f64 / 200.0).powi(2) / 12.0,
        (10.0f64 / 260.0).powi(2) / 12.0,
    );
    let r = welch_t_test_with_floor(&b, &l, floor).unwrap();
    // Hand check: se = sqrt(f0/3 + f1/3); t = (ln 200 − ln 260) / se.
    let se = (floor.0 / 3.0 + floor.1 / 3.0).sqrt();
    assert!((r.t - (200f64.ln() - 260f64.ln()) / se).abs() < 1e-9);
    assert!(r.p_value < 0.001);
    let (lo, hi) = ratio_ci_with_floor(&[200.0; 3], &[260.0; 3], 0.95, floor).unwrap();
    assert!(lo < 1.3 && 1.3 < hi && lo > 1.2);
}

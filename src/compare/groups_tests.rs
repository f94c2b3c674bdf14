//! Calibration of group comparisons by simulation with known truth: the shift is found, and
//! without a shift false alarms stay at or below alpha.

use super::*;
use crate::model::EndpointStats;
use crate::stats::testing::SplitMix64;

/// What Locust would write for these response times (none failed).
fn locust_row(key: EndpointKey, times: &[f64], seconds: f64) -> EndpointStats {
    let requests: Vec<(f64, bool)> = times.iter().map(|&t| (t, false)).collect();
    crate::calibrate::simulate::locust_row(key, &requests, seconds)
}

/// One simulated run: three endpoints with log-normal times, each run drifting by a few percent
/// (4 % log-normal drift per run, about what the recorded fixture groups show; run-to-run
/// noise larger than within-run noise, as in real load tests).
fn simulated_run(rng: &mut SplitMix64, name: &str, slowdown: f64) -> Run {
    let medians = [(20.0, "/fast"), (150.0, "/medium"), (600.0, "/slow")];
    let mut all = Vec::new();
    let mut endpoints = Vec::new();
    for (i, (median, path)) in medians.iter().enumerate() {
        let drift = (0.04 * rng.normal()).exp();
        let factor = if i == 1 { slowdown } else { 1.0 };
        let times: Vec<f64> = (0..300)
            .map(|_| rng.lognormal(median * drift * factor, 0.35))
            .collect();
        all.extend_from_slice(&times);
        endpoints.push(locust_row(EndpointKey::new("GET", *path), &times, 60.0));
    }
    Run::of_rows(
        name,
        endpoints,
        locust_row(EndpointKey::aggregated(), &all, 60.0),
    )
}

fn group(rng: &mut SplitMix64, n: usize, slowdown: f64) -> Vec<Run> {
    (0..n)
        .map(|i| simulated_run(rng, &format!("run{i}"), slowdown))
        .collect()
}

#[test]
fn a_twenty_percent_shift_is_found_with_five_runs_a_side() {
    let options = CompareOptions::default();
    let seeds = 60;
    let (mut found, mut elsewhere) = (0, 0);
    for seed in 0..seeds {
        let mut rng = SplitMix64::new(1000 + seed);
        let base = group(&mut rng, 5, 1.0);
        let latest = group(&mut rng, 5, 1.2);
        let c = compare_groups(&base, &latest, &options, None).unwrap();
        assert_eq!(c.mode, Mode::Groups);
        let medium = c.endpoints.iter().find(|e| e.name == "/medium").unwrap();
        if medium.verdict == Verdict::Regressed {
            found += 1;
        }
        if c.endpoints
            .iter()
            .any(|e| e.name != "/medium" && e.verdict == Verdict::Regressed)
        {
            elsewhere += 1;
        }
    }
    assert!(found * 10 >= seeds * 9, "found in {found} of {seeds}");
    assert!(
        elsewhere * 10 <= seeds,
        "{elsewhere} of {seeds} flagged an unchanged endpoint"
    );
}

#[test]
fn without_a_shift_false_alarms_stay_at_or_below_alpha() {
    let options = CompareOptions::default();
    let seeds = 150;
    let mut alarms = 0;
    for seed in 0..seeds {
        let mut rng = SplitMix64::new(5000 + seed);
        let base = group(&mut rng, 5, 1.0);
        let latest = group(&mut rng, 5, 1.0);
        if compare_groups(&base, &latest, &options, None)
            .unwrap()
            .regressed
        {
            alarms += 1;
        }
    }
    // alpha = 0.05 family-wise; allow two binomial standard errors over 150 seeds (≈ 3.6 %).
    assert!(
        alarms * 100 <= seeds * 9,
        "{alarms} false alarms in {seeds}"
    );
}

#[test]
fn three_against_three_reports_why_mann_whitney_cannot_decide() {
    let mut rng = SplitMix64::new(7);
    let base = group(&mut rng, 3, 1.0);
    let latest = group(&mut rng, 3, 1.3);
    let c = compare_groups(&base, &latest, &CompareOptions::default(), None).unwrap();
    assert!(c.notes.iter().any(|n| n.contains("cannot go below 0.100")));
    let medium = c.endpoints.iter().find(|e| e.name == "/medium").unwrap();
    assert_eq!(medium.verdict, Verdict::Regressed);
    let p50 = medium.metric(Metric::P50).unwrap();
    assert_eq!((p50.n_baseline, p50.n_latest), (3, 3));
    assert_eq!(p50.test, Some("random_effects_t"));
    assert_eq!(
        p50.df,
        Some(16.0),
        "12 prior + 4 residual degrees of freedom"
    );
    assert!(p50.p_mann_whitney.is_some());
    assert!(p50.approximate);
    let (lo, hi) = (p50.ci_low.unwrap(), p50.ci_high.unwrap());
    assert!(
        lo > 0.0 && lo < hi,
        "the interval of a clear slowdown excludes 0"
    );
}

#[test]
fn one_run_against_a_group_uses_the_groups_spread() {
    let mut rng = SplitMix64::new(11);
    let base = group(&mut rng, 4, 1.0);
    let latest = group(&mut rng, 1, 1.0);
    let c = compare_groups(&base, &latest, &CompareOptions::default(), None).unwrap();
    let avg = c.endpoints[0].metric(Metric::Avg).unwrap();
    assert_eq!(avg.test, Some("random_effects_t"));
    assert_eq!(
        avg.df,
        Some(15.0),
        "12 prior + 3 residual degrees of freedom"
    );
    assert!(c.notes.iter().any(|n| n.contains("4 vs 1 runs")));
}

#[test]
fn one_run_a_side_falls_back_to_within_run_rules_and_says_so() {
    let mut rng = SplitMix64::new(3);
    let base = group(&mut rng, 1, 1.0);
    let latest = group(&mut rng, 1, 1.0);
    let c = compare_groups(&base, &latest, &CompareOptions::default(), None).unwrap();
    assert_eq!(c.mode, Mode::Single);
    assert!(c.notes.iter().any(|n| n.contains("n = 1")));
}

/// Groups of different sizes whose runs all last 60 s are not "very different durations":
/// the warning compares the runs' mean duration, not the pooled run's (a sum over its runs).
#[test]
fn unequal_groups_of_equal_runs_raise_no_duration_warning() {
    let mut rng = SplitMix64::new(7);
    let (four, one) = (group(&mut rng, 4, 1.0), group(&mut rng, 1, 1.0));
    let c = compare_groups(&four, &one, &CompareOptions::default(), None).unwrap();
    assert_eq!(c.baseline.duration_s, Some(60.0));
    assert!(
        !c.warnings.iter().any(|w| w.contains("durations")),
        "{:?}",
        c.warnings
    );
}

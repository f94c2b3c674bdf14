//! APDEX judged by `compare`, checked against values computed independently (scipy) from
//! Locust's own `--json-file` histograms of recorded runs.

use super::*;
use crate::apdex::ApdexTargets;

fn run(rel: &str) -> Run {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    crate::locust::load_runs(&path).unwrap().remove(0)
}

fn apdex_of<'c>(c: &'c Comparison, name: &str) -> &'c MetricComparison {
    c.endpoints
        .iter()
        .find(|e| e.name == name)
        .and_then(|e| e.metric(Metric::APDEX))
        .expect("the endpoint's apdex")
}

/// Only APDEX judged at `t_ms`, no drift allowance, no correction: the test is then the
/// scores' difference over their sampling errors alone.
fn without_drift(t_ms: f64) -> CompareOptions {
    CompareOptions {
        metrics: vec![Metric::APDEX],
        apdex: ApdexTargets::uniform(t_ms),
        apdex_drop: 0.01,
        correction: Correction::None,
        drift: DriftAllowance {
            relative: [0.0; 7],
            absolute_ms: [0.0; 7],
            ..DriftAllowance::default()
        },
        ..CompareOptions::default()
    }
}

/// Independently, from the runs' JSON (counts as in `stats::apdex`'s tests):
///
/// ```text
/// def sh(s, t, n): S, U = s / n, t / n; sc = S + U / 2; return sc, (S + U / 4 - sc * sc) / n
/// b, l = sh(10, 198, 215), sh(0, 214, 226)          # GET /system/metrics, T = 100 ms
/// d = l[0] - b[0]; se = (b[1] + l[1]) ** 0.5
/// 2 * scipy.stats.t.sf(abs(d / se), 12)             # the prior's 12 degrees of freedom
/// → d = -0.03352541675241821, se = 0.012138058757943349, p = 0.01721498594757525
/// ```
#[test]
fn a_score_drop_is_tested_on_the_scores_own_scale() {
    let b = run("fixtures/json-groups/baseline/run1_stats.csv");
    let l = run("fixtures/json-groups/latest/run1_stats.csv");
    let c = compare(&b, &l, &without_drift(100.0));
    let m = apdex_of(&c, "/system/metrics");
    assert!((m.delta.unwrap() - -0.03352541675241821).abs() < 1e-12);
    assert!(
        (m.p_raw.unwrap() - 0.01721498594757525).abs() < 1e-9,
        "{m:?}"
    );
    assert_eq!(m.df, Some(12.0));
    assert!(!m.approximate);
    assert_eq!(m.verdict, MetricVerdict::Regressed);
    let (lo, hi) = (m.ci_low.unwrap(), m.ci_high.unwrap());
    assert!(lo < m.delta.unwrap() && m.delta.unwrap() < hi && hi < 0.0);
    // The same drop at T = 300 ms: −0.0241, p 0.1526 (same formula): not significant.
    let c = compare(&b, &l, &without_drift(300.0));
    let m = apdex_of(&c, "/system/metrics");
    assert!((m.p_raw.unwrap() - 0.1526480289517844).abs() < 1e-9);
    assert_eq!(m.judgement, Judgement::NotSignificant);
}

#[test]
fn drift_and_the_default_drop_make_it_harder_to_call() {
    let b = run("fixtures/json-groups/baseline/run1_stats.csv");
    let l = run("fixtures/json-groups/latest/run1_stats.csv");
    let bare = compare(&b, &l, &without_drift(100.0));
    let drifting = CompareOptions {
        drift: DriftAllowance::default(),
        ..without_drift(100.0)
    };
    let with_drift = compare(&b, &l, &drifting);
    let (p0, p1) = (
        apdex_of(&bare, "/system/metrics").p_raw.unwrap(),
        apdex_of(&with_drift, "/system/metrics").p_raw.unwrap(),
    );
    assert!(p1 > p0, "drift widens the test: {p0} → {p1}");
    assert!(
        apdex_of(&with_drift, "/system/metrics")
            .between_run
            .unwrap()
            > 0.0
    );
    // By default a drop must exceed 0.05 points: −0.034 is below the threshold.
    let selected = CompareOptions {
        apdex: ApdexTargets::uniform(100.0),
        metrics: Metric::JUDGED.to_vec(),
        ..CompareOptions::default()
    };
    let c = compare(&b, &l, &selected);
    assert_eq!(
        apdex_of(&c, "/system/metrics").judgement,
        Judgement::BelowThreshold
    );
    // Not selected unless asked for: shown with its values, outside the family.
    let c = compare(&b, &l, &CompareOptions::default());
    let m = apdex_of(&c, "/system/metrics");
    assert_eq!(m.judgement, Judgement::NotSelected);
    assert!(m.baseline.is_some() && m.p_raw.is_none());
}

#[test]
fn a_run_against_itself_and_all_satisfied_sides_are_not_flagged() {
    let b = run("fixtures/json-groups/baseline/run1_stats.csv");
    let c = compare(&b, &b, &without_drift(100.0));
    assert!(!c.regressed);
    assert!(c
        .endpoints
        .iter()
        .all(|e| e.metric(Metric::APDEX).unwrap().verdict == MetricVerdict::Unchanged));
    // T = 60 s: every request satisfied on both sides, nothing to test.
    let l = run("fixtures/json-groups/latest/run1_stats.csv");
    let c = compare(&b, &l, &without_drift(60_000.0));
    assert_eq!(c.tests_performed, 0);
    assert_eq!(
        apdex_of(&c, "/system/metrics").judgement,
        Judgement::BelowThreshold
    );
}

#[test]
fn groups_judge_each_runs_score() {
    let side = |dir: &str| -> Vec<Run> {
        (1..=3)
            .map(|i| run(&format!("fixtures/json-groups/{dir}/run{i}_stats.csv")))
            .collect()
    };
    let c = compare_groups(
        &side("baseline"),
        &side("latest"),
        &without_drift(100.0),
        None,
    )
    .unwrap();
    let m = apdex_of(&c, "/system/metrics");
    assert_eq!((m.n_baseline, m.n_latest), (3, 3));
    // The groups' own spread (one baseline run at 0.575) is in the test: 4 residual degrees
    // of freedom beside the prior's 12, and a Mann–Whitney p of the six run scores beside it.
    assert_eq!(m.df, Some(16.0));
    assert!(m.p_mann_whitney.is_some());
    assert!(m.test.is_some());
}

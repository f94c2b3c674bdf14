//! Tests of [`super::evaluate`] on runs built in code, with hand-computed expectations.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::{EndpointKey, HistoryRow, Percentile, RunFiles};

const LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// A row whose percentiles are all `p95` (enough for these tests), with the given totals.
fn row(
    method: &str,
    name: &str,
    requests: u64,
    failures: u64,
    avg: f64,
    p95: f64,
) -> EndpointStats {
    EndpointStats {
        key: EndpointKey::new(method, name),
        requests,
        failures,
        median_ms: Some(p95),
        avg_ms: avg,
        min_ms: Some(1.0),
        max_ms: Some(p95),
        avg_content_size: 10.0,
        rps: requests as f64 / 60.0,
        failures_per_s: failures as f64 / 60.0,
        percentiles: LEVELS
            .iter()
            .map(|&level| Percentile {
                level,
                value_ms: Some(p95),
            })
            .collect(),
    }
}

fn run(endpoints: Vec<EndpointStats>, aggregated: EndpointStats, users: Option<u64>) -> Run {
    let history = users
        .map(|u| {
            vec![HistoryRow {
                timestamp: 1,
                user_count: u,
                key: EndpointKey::aggregated(),
                rps: 0.0,
                failures_per_s: 0.0,
                percentiles: Vec::new(),
                total_requests: 0,
                total_failures: 0,
                total_median_ms: None,
                total_avg_ms: 0.0,
                total_min_ms: None,
                total_max_ms: None,
                total_avg_content_size: 0.0,
            }]
        })
        .unwrap_or_default()
        .into();
    Run {
        files: RunFiles {
            name: "t".into(),
            stats: PathBuf::from("t_stats.csv"),
            history: None,
            failures: None,
            exceptions: None,
            histograms: None,
        },
        endpoints,
        aggregated,
        history,
        failures: Vec::new(),
        exceptions: Vec::new(),
        histograms: Vec::new(),
    }
}

/// A run that meets the built-in SLA at the light tier.
fn healthy(users: Option<u64>) -> Run {
    let mut total = row("", "Aggregated", 1200, 0, 150.0, 400.0);
    total.rps = 20.0;
    run(
        vec![
            row("GET", "/health/", 600, 0, 12.0, 35.0),
            row("GET", "/system/metrics", 300, 0, 150.0, 350.0),
            row("GET", "/analysis/", 150, 0, 800.0, 1600.0),
            row("GET", "/lmcache/status", 150, 0, 60.0, 100.0),
        ],
        total,
        users,
    )
}

fn sla(text: &str) -> Sla {
    Sla::from_toml(text, Path::new("t.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn check<'a>(report: &'a CheckReport, name: &str) -> &'a Check {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name} in {:?}", report.checks))
}

#[test]
fn a_healthy_light_run_passes_the_builtin_sla_with_its_tier_inferred() {
    let report = evaluate(&healthy(Some(10)), &Sla::builtin(), None).unwrap();
    assert!(report.passed, "{report:?}");
    assert_eq!(report.tier.as_deref(), Some("light"));
    assert_eq!(report.tier_source, TierSource::Inferred);
    assert_eq!((report.total, report.failed), (8, 0));
    let health = check(&report, "GET /health/: p95");
    assert_eq!((health.actual, health.threshold), (Some(35.0), 50.0));
    assert_eq!(health.target, "< 50ms");
    assert_eq!(health.actual_text, "35ms");
    let rps = check(&report, "tier light: rps");
    assert_eq!(rps.subject, "Aggregated");
    assert_eq!(rps.scope, Scope::Tier);
    assert_eq!(rps.actual_text, "20");
    let errors = check(&report, "tier light: failure_rate");
    assert_eq!(errors.actual_text, "0% (0 of 1200)");
}

#[test]
fn without_a_matching_tier_only_endpoints_are_checked_and_the_report_says_so() {
    let report = evaluate(&healthy(Some(20)), &Sla::builtin(), None).unwrap();
    assert_eq!(report.tier, None);
    assert_eq!(report.tier_source, TierSource::None);
    assert_eq!(report.total, 4);
    assert!(report.passed);
    assert!(report.notes[0].contains("peaked at 20 users and no tier has users = 20"));
    let report = evaluate(&healthy(None), &Sla::builtin(), None).unwrap();
    assert!(report.notes[0].contains("no history file"));
}

#[test]
fn failures_no_target_covers_are_noted() {
    let mut r = healthy(None);
    r.aggregated.failures = 12;
    let report = evaluate(&r, &Sla::builtin(), None).unwrap();
    assert!(report.passed);
    assert_eq!(
        report.notes[1],
        "12 of 1200 requests failed (1.00%) and no run-wide error-rate target was checked"
    );
    let report = evaluate(&r, &Sla::builtin(), Some("light")).unwrap();
    assert_eq!(report.notes.len(), 0);
}

#[test]
fn a_given_tier_is_checked_and_a_user_mismatch_is_noted() {
    let report = evaluate(&healthy(Some(20)), &Sla::builtin(), Some("medium")).unwrap();
    assert_eq!(report.tier_source, TierSource::Given);
    assert_eq!(report.total, 8);
    assert!(!check(&report, "tier medium: rps").passed, "20 req/s < 40");
    assert!(report
        .notes
        .iter()
        .any(|n| n == "the run peaked at 20 users; tier medium is defined for 50"));
    let err = evaluate(&healthy(None), &Sla::builtin(), Some("huge")).unwrap_err();
    assert!(err
        .to_string()
        .contains("defines the tiers light, medium, heavy, stress"));
}

#[test]
fn an_endpoint_missing_from_the_run_fails() {
    let mut r = healthy(Some(10));
    r.endpoints.retain(|e| e.key.name != "/lmcache/status");
    let report = evaluate(&r, &Sla::builtin(), None).unwrap();
    assert!(!report.passed);
    assert_eq!(report.failed, 1);
    let c = check(&report, "/lmcache/status: p95");
    assert_eq!((c.actual, c.requests, c.passed), (None, None, false));
    assert!(c
        .reason
        .as_deref()
        .unwrap()
        .starts_with("no requests recorded"));
}

#[test]
fn an_endpoint_with_no_requests_fails() {
    let mut r = healthy(Some(10));
    r.endpoints[0] = row("GET", "/health/", 0, 0, 0.0, 0.0);
    let report = evaluate(&r, &Sla::builtin(), None).unwrap();
    let c = check(&report, "GET /health/: p95");
    assert!(!c.passed);
    assert_eq!(c.reason.as_deref(), Some("no requests recorded"));
}

#[test]
fn an_endpoint_whose_every_request_failed_fails_its_latency_checks() {
    let mut r = healthy(None);
    r.endpoints[3] = row("GET", "/lmcache/status", 147, 147, 63.0, 100.0);
    let report = evaluate(&r, &Sla::builtin(), None).unwrap();
    let c = check(&report, "GET /lmcache/status: p95");
    assert_eq!(c.actual, Some(100.0), "the value is still shown");
    assert!(!c.passed);
    assert_eq!(
        c.reason.as_deref(),
        Some("every request failed (147 of 147): these are response times of errors")
    );
}

#[test]
fn a_name_without_a_method_checks_every_request_type() {
    let r = run(
        vec![
            row("GET", "/a/", 10, 0, 5.0, 5.0),
            row("POST", "/a/", 10, 0, 50.0, 50.0),
        ],
        row("", "Aggregated", 20, 0, 27.5, 50.0),
        None,
    );
    let report = evaluate(&r, &sla("[endpoints]\n\"/a/\" = \"p95 < 10ms\"\n"), None).unwrap();
    let names: Vec<(&str, bool)> = report
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.passed))
        .collect();
    assert_eq!(names, [("GET /a/: p95", true), ("POST /a/: p95", false)]);
    let report = evaluate(
        &r,
        &sla("[endpoints]\n\"POST /a/\" = \"p95 < 100\"\n"),
        None,
    )
    .unwrap();
    assert_eq!(report.total, 1);
    let report = evaluate(
        &r,
        &sla("[endpoints]\nAggregated = \"avg <= 27.5\"\n"),
        None,
    )
    .unwrap();
    assert!(check(&report, "Aggregated: avg").passed);
}

#[test]
fn every_comparison_is_exact_at_the_boundary() {
    // avg 200, p95 500, 1 failure in 200 requests, rps 10, 200 requests.
    let mut total = row("", "Aggregated", 200, 1, 200.0, 500.0);
    total.rps = 10.0;
    let r = run(Vec::new(), total, None);
    let cases = [
        ("avg < 200ms", false),
        ("avg <= 200ms", true),
        ("avg > 200", false),
        ("avg >= 0.2s", true),
        ("p95 < 500ms", false),
        ("p95 <= 0.5s", true),
        ("p(95) < 501", true),
        ("p95 > 499", true),
        ("rps >= 10", true),
        ("rps > 10", false),
        ("rps < 10.000001", true),
        ("error_rate < 0.5%", false),
        ("error_rate <= 0.5%", true),
        ("error_rate <= 0.005", true),
        ("error_rate > 0.49%", true),
        ("error_rate < 0.51%", true),
        ("requests >= 200", true),
        ("requests > 200", false),
    ];
    for (expr, passes) in cases {
        let text = format!("[endpoints]\nAggregated = \"{expr}\"\n");
        let report = evaluate(&r, &sla(&text), None).unwrap();
        assert_eq!(
            report.checks[0].passed, passes,
            "{expr}: {:?}",
            report.checks[0]
        );
    }
}

#[test]
fn error_rate_thresholds_do_not_suffer_float_rounding() {
    // 3 of 1000 is 0.3 %; 0.1 + 0.2 style errors would put 0.3% off by one ulp.
    let r = run(Vec::new(), row("", "Aggregated", 1000, 3, 1.0, 1.0), None);
    let report = evaluate(
        &r,
        &sla("[endpoints]\nAggregated = \"error_rate <= 0.3%\"\n"),
        None,
    );
    assert!(report.unwrap().checks[0].passed);
    let report = evaluate(
        &r,
        &sla("[endpoints]\nAggregated = \"error_rate < 0.3%\"\n"),
        None,
    );
    assert!(!report.unwrap().checks[0].passed);
}

#[test]
fn error_rates_compare_as_fractions_not_floats() {
    // 1 failure in 3 requests is above 0.3333333333333333, although in f64 1.0 / 3.0 equals
    // that literal: only an exact comparison fails this check.
    let r = run(Vec::new(), row("", "Aggregated", 3, 1, 1.0, 1.0), None);
    assert_eq!(1.0 / 3.0, 0.3333333333333333_f64);
    let report = evaluate(
        &r,
        &sla("[endpoints]\nAggregated = \"error_rate <= 0.3333333333333333\"\n"),
        None,
    );
    assert!(!report.unwrap().checks[0].passed);
}

#[test]
fn shown_values_never_seem_to_cross_the_threshold() {
    let under = run(Vec::new(), row("", "Aggregated", 10, 0, 199.999, 1.0), None);
    let report = evaluate(
        &under,
        &sla("[endpoints]\nAggregated = \"avg < 200\"\n"),
        None,
    )
    .unwrap();
    assert_eq!(report.checks[0].actual_text, "199.999ms");
    assert!(report.checks[0].passed);
    let on = run(Vec::new(), row("", "Aggregated", 10, 0, 200.0, 1.0), None);
    let report = evaluate(&on, &sla("[endpoints]\nAggregated = \"avg < 200\"\n"), None).unwrap();
    assert_eq!(report.checks[0].actual_text, "200ms");
    let rate = run(Vec::new(), row("", "Aggregated", 1001, 1, 1.0, 1.0), None);
    let report = evaluate(
        &rate,
        &sla("[endpoints]\nAggregated = \"error_rate < 0.1%\"\n"),
        None,
    )
    .unwrap();
    assert_eq!(report.checks[0].actual_text, "0.0999% (1 of 1001)");
    let report = evaluate(
        &rate,
        &sla("[endpoints]\nAggregated = \"error_rate < 0.001\"\n"),
        None,
    )
    .unwrap();
    assert_eq!(report.checks[0].actual_text, "0.000999 (1 of 1001)");
}

#[test]
fn the_json_contract_has_passed_and_checks_with_name_target_actual_passed() {
    let report = evaluate(&healthy(Some(10)), &Sla::builtin(), None).unwrap();
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["passed"], true);
    let first = &v["checks"][0];
    assert_eq!(first["name"], "GET /health/: p95");
    assert_eq!(first["target"], "< 50ms");
    assert_eq!(first["actual"], 35.0);
    assert_eq!(first["passed"], true);
    assert_eq!(first["metric"], "p95");
    assert_eq!(first["op"], "<");
    assert_eq!(first["scope"], "endpoint");
}

#[test]
fn no_checks_is_not_a_pass() {
    let only_tiers = sla("[tiers.x]\nusers = 5\nchecks = \"rps >= 1\"\n");
    let report = evaluate(&healthy(Some(10)), &only_tiers, None).unwrap();
    assert_eq!(report.total, 0);
    assert!(!report.passed);
}

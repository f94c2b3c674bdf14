//! Unit tests of the comparison rules on hand-made runs.

use super::*;
use crate::model::{EndpointStats, FailureRow, Percentile};

const LEVELS: [f64; 11] = [
    0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
];

/// An endpoint whose response times are uniform on [lo, hi] ms, with `n` requests.
fn uniform(method: &str, name: &str, n: u64, lo: f64, hi: f64, failures: u64) -> EndpointStats {
    let at = |p: f64| (lo + (hi - lo) * p).round();
    EndpointStats {
        key: EndpointKey::new(method, name),
        requests: n,
        failures,
        median_ms: Some(at(0.5)),
        avg_ms: (lo + hi) / 2.0,
        min_ms: Some(lo),
        max_ms: Some(hi),
        avg_content_size: 10.0,
        rps: n as f64 / 100.0,
        failures_per_s: failures as f64 / 100.0,
        percentiles: LEVELS
            .iter()
            .map(|&level| Percentile {
                level,
                value_ms: Some(at(level)),
            })
            .collect(),
    }
}

fn run(endpoints: Vec<EndpointStats>) -> Run {
    let requests = endpoints.iter().map(|e| e.requests).sum();
    let failures = endpoints.iter().map(|e| e.failures).sum();
    let mut aggregated = uniform("", "Aggregated", requests, 10.0, 200.0, failures);
    aggregated.key = EndpointKey::aggregated();
    Run::of_rows("r", endpoints, aggregated)
}

fn verdict_of(c: &Comparison, name: &str) -> Verdict {
    c.endpoints
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.verdict)
        .expect("endpoint present")
}

#[test]
fn identical_runs_change_nothing() {
    let a = run(vec![
        uniform("GET", "/a", 2000, 10.0, 50.0, 0),
        uniform("GET", "/b", 2000, 100.0, 300.0, 0),
    ]);
    let c = compare(&a, &a, &CompareOptions::default());
    assert!(!c.regressed);
    assert!(c.endpoints.iter().all(|e| e.verdict == Verdict::Unchanged));
}

#[test]
fn a_clear_slowdown_regresses_that_endpoint_only() {
    let base = run(vec![
        uniform("GET", "/a", 2000, 10.0, 50.0, 0),
        uniform("GET", "/b", 2000, 100.0, 300.0, 0),
    ]);
    let latest = run(vec![
        uniform("GET", "/a", 2000, 10.0, 50.0, 0),
        uniform("GET", "/b", 2000, 130.0, 390.0, 0),
    ]);
    let c = compare(&base, &latest, &CompareOptions::default());
    assert!(c.regressed);
    assert_eq!(verdict_of(&c, "/a"), Verdict::Unchanged);
    assert_eq!(verdict_of(&c, "/b"), Verdict::Regressed);
    let b = &c.endpoints[1];
    let p50 = b.metric(Metric::P50).unwrap();
    assert_eq!(p50.verdict, MetricVerdict::Regressed);
    assert_eq!((p50.baseline, p50.latest), (Some(200.0), Some(260.0)));
    assert!((p50.delta_pct.unwrap() - 30.0).abs() < 1e-9);
    assert!(p50.p_value.unwrap() < 0.05);
    assert!(p50.ci_low.unwrap() > 0.0, "interval excludes zero");

    let reversed = compare(&latest, &base, &CompareOptions::default());
    assert!(!reversed.regressed);
    assert_eq!(verdict_of(&reversed, "/b"), Verdict::Improved);
}

#[test]
fn small_changes_are_below_threshold_even_with_many_requests() {
    let base = run(vec![uniform("GET", "/a", 100_000, 100.0, 300.0, 0)]);
    let latest = run(vec![uniform("GET", "/a", 100_000, 105.0, 315.0, 0)]);
    let c = compare(&base, &latest, &CompareOptions::default());
    let m = c.endpoints[0].metric(Metric::P50).unwrap();
    assert_eq!(m.judgement, Judgement::BelowThreshold, "+5 % < 10 %");
    assert_eq!(c.endpoints[0].verdict, Verdict::Unchanged);
}

#[test]
fn one_rounding_step_is_not_evidence() {
    // 95 → 105 ms is +10.5 % and +10 ms, but Locust rounds to 10 ms above 100 ms.
    let base = run(vec![uniform("GET", "/a", 100_000, 95.0, 95.0, 0)]);
    let latest = run(vec![uniform("GET", "/a", 100_000, 105.0, 105.0, 0)]);
    let c = compare(&base, &latest, &CompareOptions::default());
    assert!(!c.endpoints[0].metric(Metric::P50).unwrap().material);
}

#[test]
fn percentiles_without_enough_tail_are_not_judged() {
    // 50 requests: 2.5 beyond p95, 0.5 beyond p99: too few to judge either.
    let base = run(vec![uniform("GET", "/a", 50, 10.0, 50.0, 0)]);
    let latest = run(vec![uniform("GET", "/a", 50, 10.0, 500.0, 0)]);
    let c = compare(&base, &latest, &CompareOptions::default());
    let e = &c.endpoints[0];
    assert_eq!(
        e.metric(Metric::Max).unwrap().judgement,
        Judgement::ShownOnly
    );
    for m in [Metric::P95, Metric::P99] {
        let found = e.metric(m).unwrap();
        assert_eq!(found.judgement, Judgement::TooFewRequests, "{m:?}");
        assert_eq!(found.p_value, None);
        assert_eq!(found.verdict, MetricVerdict::Unchanged);
    }
}

#[test]
fn failure_rate_rise_regresses() {
    let base = run(vec![uniform("GET", "/a", 1000, 10.0, 50.0, 0)]);
    let latest = run(vec![uniform("GET", "/a", 1000, 10.0, 50.0, 50)]);
    let c = compare(&base, &latest, &CompareOptions::default());
    let m = c.endpoints[0].metric(Metric::FailureRate).unwrap();
    assert_eq!(m.verdict, MetricVerdict::Regressed);
    assert_eq!(m.latest, Some(0.05));
    assert_eq!(m.test, Some("quasi_binomial"));
}

#[test]
fn new_and_removed_endpoints() {
    let base = run(vec![uniform("GET", "/old", 100, 10.0, 50.0, 0)]);
    let latest = run(vec![uniform("GET", "/new", 100, 10.0, 50.0, 0)]);
    let c = compare(&base, &latest, &CompareOptions::default());
    assert_eq!(verdict_of(&c, "/old"), Verdict::Removed);
    assert_eq!(verdict_of(&c, "/new"), Verdict::New);
    assert!(!c.regressed, "a new endpoint is not a regression");
}

#[test]
fn corrections_raise_p_values() {
    let base = run(vec![
        uniform("GET", "/a", 300, 100.0, 300.0, 0),
        uniform("GET", "/b", 300, 100.0, 300.0, 0),
    ]);
    let latest = run(vec![
        uniform("GET", "/a", 300, 100.0, 345.0, 0),
        uniform("GET", "/b", 300, 100.0, 300.0, 0),
    ]);
    let with = |correction| CompareOptions {
        correction,
        ..CompareOptions::default()
    };
    let corrected = compare(&base, &latest, &with(Correction::Holm));
    let plain = compare(&base, &latest, &with(Correction::None));
    let p = |c: &Comparison| c.endpoints[0].metric(Metric::Avg).unwrap().p_value.unwrap();
    assert!(
        p(&corrected) > p(&plain),
        "Holm raises the p-value of a family member"
    );
    assert_eq!(
        plain.endpoints[0].metric(Metric::Avg).unwrap().p_value,
        plain.endpoints[0].metric(Metric::Avg).unwrap().p_raw
    );
    assert!(corrected.tests_performed > 10);
}

#[test]
fn unselected_metrics_are_shown_but_never_regress() {
    let base = run(vec![uniform("GET", "/b", 2000, 100.0, 300.0, 0)]);
    let latest = run(vec![uniform("GET", "/b", 2000, 130.0, 390.0, 0)]);
    let options = CompareOptions {
        metrics: vec![Metric::FailureRate],
        ..CompareOptions::default()
    };
    let c = compare(&base, &latest, &options);
    assert!(!c.regressed);
    let m = c.endpoints[0].metric(Metric::P50).unwrap();
    assert_eq!(m.judgement, Judgement::NotSelected);
    assert_eq!(m.latest, Some(260.0));
}

#[test]
fn error_messages_normalise_to_one_signature() {
    let a = "ReadTimeout(ReadTimeoutError(\"HTTPConnectionPool(host='127.0.0.1', port=18081): Read timed out. (read timeout=2.0)\"))";
    let b = "ReadTimeout(ReadTimeoutError(\"HTTPConnectionPool(host='127.0.0.1', port=18082): Read timed out. (read timeout=2.0)\"))";
    assert_eq!(normalise_error(a), normalise_error(b));
    assert_eq!(
        normalise_error("HTTPError('500 Server Error: Internal Server Error for url: http://127.0.0.1:8089/analysis/run')"),
        "HTTPError('500 Server Error: Internal Server Error for url: <url>')"
    );
    assert_ne!(
        normalise_error("HTTPError('500 Server Error: x')"),
        normalise_error("HTTPError('503 Server Error: x')")
    );
    assert_eq!(normalise_error("id 0xdeadBEEF in utf8"), "id <hex> in utf8");
}

#[test]
fn failure_signatures_new_gone_and_more_frequent() {
    let mut base = run(vec![uniform("POST", "/x", 1000, 10.0, 50.0, 12)]);
    let mut latest = run(vec![uniform("POST", "/x", 1000, 10.0, 50.0, 80)]);
    let row = |error: &str, n: u64| FailureRow {
        key: EndpointKey::new("POST", "/x"),
        error: error.into(),
        occurrences: n,
        first_seen: None,
        last_seen: None,
    };
    base.failures = vec![
        row("timeout after 2 s", 2),
        row("HTTPError('500 Server Error: a')", 10),
    ];
    latest.failures = vec![
        row("HTTPError('500 Server Error: a')", 70),
        row("ConnectionResetError(104)", 10),
    ];
    let changes = compare(&base, &latest, &CompareOptions::default()).failures;
    let status = |sig: &str| {
        changes
            .iter()
            .find(|f| f.example.starts_with(sig))
            .map(|f| f.status)
    };
    assert_eq!(status("ConnectionReset"), Some(FailureStatus::New));
    assert_eq!(status("timeout"), Some(FailureStatus::Gone));
    assert_eq!(status("HTTPError"), Some(FailureStatus::MoreFrequent));
    let more = changes
        .iter()
        .find(|f| f.example.starts_with("HTTPError"))
        .unwrap();
    assert_eq!(more.baseline_per_1000, Some(10.0));
    assert_eq!(more.latest_per_1000, Some(70.0));
}

#[test]
fn mix_distance_is_total_variation() {
    // Shares (0.5, 0.5) vs (0.8, 0.2): TV distance = (0.3 + 0.3) / 2 = 0.3.
    let a = run(vec![
        uniform("GET", "/a", 500, 10.0, 50.0, 0),
        uniform("GET", "/b", 500, 10.0, 50.0, 0),
    ]);
    let b = run(vec![
        uniform("GET", "/a", 800, 10.0, 50.0, 0),
        uniform("GET", "/b", 200, 10.0, 50.0, 0),
    ]);
    assert!((warnings::mix_distance(&a, &b) - 0.3).abs() < 1e-12);
    let c = compare(&a, &b, &CompareOptions::default());
    assert!(c.warnings.iter().any(|w| w.contains("request mixes")));
}

#[test]
fn json_contract_has_the_documented_fields() {
    let base = run(vec![uniform("GET", "/b", 2000, 100.0, 300.0, 0)]);
    let latest = run(vec![uniform("GET", "/b", 2000, 130.0, 390.0, 0)]);
    let c = compare(&base, &latest, &CompareOptions::default());
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["regressed"], true);
    let e = &v["endpoints"][0];
    assert_eq!(e["method"], "GET");
    assert_eq!(e["name"], "/b");
    assert_eq!(e["verdict"], "regressed");
    for m in ["p50", "p95", "p99", "avg", "max", "rps", "failure_rate"] {
        let metric = &e["metrics"][m];
        for field in ["baseline", "latest", "delta_pct", "p_value", "verdict"] {
            assert!(metric.get(field).is_some(), "{m}.{field}");
        }
    }
    assert_eq!(e["metrics"]["max"]["p_value"], serde_json::Value::Null);
    assert_eq!(v["aggregated"]["name"], "Aggregated");
}

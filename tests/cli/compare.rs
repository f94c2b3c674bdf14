//! `perfreport compare`.

use super::{fixture, perfreport, portable};

fn shared(side: &str) -> std::path::PathBuf {
    fixture(&format!("shared-2.47/{side}/{side}"))
}

fn verdicts(json: &serde_json::Value) -> Vec<(String, String)> {
    json["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!(
                    "{} {}",
                    e["method"].as_str().unwrap(),
                    e["name"].as_str().unwrap()
                ),
                e["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn flagged(json: &serde_json::Value, verdict: &str) -> Vec<String> {
    verdicts(json)
        .into_iter()
        .filter(|(_, v)| v == verdict)
        .map(|(k, _)| k)
        .collect()
}

fn compare_json(
    baseline: &std::path::Path,
    latest: &std::path::Path,
    code: i32,
) -> serde_json::Value {
    let out = perfreport()
        .args(["compare", "--format", "json"])
        .arg(baseline)
        .arg(latest)
        .assert()
        .code(code);
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn shared_pair_flags_the_slowed_endpoint_only() {
    let v = compare_json(&shared("baseline-1"), &shared("latest-1"), 1);
    assert_eq!(v["regressed"], true);
    assert_eq!(flagged(&v, "regressed"), vec!["GET /system/metrics"]);
    assert!(flagged(&v, "improved").is_empty());
    let metrics = &v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap()["metrics"];
    assert_eq!(metrics["p50"]["baseline"], 140.0);
    assert_eq!(metrics["p50"]["latest"], 180.0);
    assert_eq!(metrics["p50"]["verdict"], "regressed");
    assert!(metrics["p50"]["p_value"].as_f64().unwrap() < 0.05);
}

#[test]
fn reversed_pair_is_an_improvement_and_exits_zero() {
    let v = compare_json(&shared("latest-1"), &shared("baseline-1"), 0);
    assert_eq!(v["regressed"], false);
    assert_eq!(flagged(&v, "improved"), vec!["GET /system/metrics"]);
    assert!(flagged(&v, "regressed").is_empty());
}

#[test]
fn a_run_against_itself_is_unchanged() {
    let v = compare_json(&shared("baseline-1"), &shared("baseline-1"), 0);
    assert!(verdicts(&v)
        .iter()
        .all(|(_, verdict)| verdict == "unchanged"));
}

#[test]
fn table_output() {
    let out = perfreport()
        .arg("compare")
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .assert()
        .code(1);
    insta::assert_snapshot!("compare_table", portable(&out.get_output().stdout));
}

#[test]
fn markdown_output_for_a_pr_comment() {
    let out = perfreport()
        .args(["compare", "--format", "markdown"])
        .arg(fixture("shared-2.47/baseline-1/baseline-1_stats.csv"))
        .arg(fixture("shared-2.47/latest-1/latest-1_stats.csv"))
        .assert()
        .code(1);
    insta::assert_snapshot!("compare_markdown", portable(&out.get_output().stdout));
}

#[test]
fn fail_on_never_reports_but_exits_zero() {
    let out = perfreport()
        .args(["compare", "--fail-on", "never"])
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("REGRESSED: GET /system/metrics"),
        "{stdout}"
    );
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pr-comment.md");
    perfreport()
        .args(["compare", "--format", "markdown", "-o"])
        .arg(&path)
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("## perfreport: Performance regression"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_options_are_usage_errors() {
    perfreport()
        .args(["compare", "--threshold", "lots"])
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("expected a percentage"));
    perfreport().args(["compare"]).assert().code(2);
}

#[test]
fn selecting_metrics_limits_what_can_regress() {
    let out = perfreport()
        .args(["compare", "--format", "json", "--metrics", "p95,p99"])
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["regressed"], false);
    let metrics = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap()["metrics"]
        .clone();
    // p50 moved +40 ms and is still shown, but only p95 and p99 may decide.
    assert_eq!(metrics["p50"]["delta"], 40.0);
    assert_eq!(metrics["p50"]["judgement"], "not_selected");
    assert_ne!(metrics["p95"]["judgement"], "not_selected");
}

#[test]
fn recorded_pair_with_injected_slowdown_flags_only_that_endpoint() {
    let base = fixture("v2-pair/baseline");
    let latest = fixture("v2-pair/latest");
    let v = compare_json(&base, &latest, 1);
    assert_eq!(flagged(&v, "regressed"), vec!["GET /system/metrics"]);
    assert!(flagged(&v, "improved").is_empty());
    assert_eq!(v["aggregated"]["verdict"], "unchanged");

    let reversed = compare_json(&latest, &base, 0);
    assert_eq!(flagged(&reversed, "improved"), vec!["GET /system/metrics"]);
    assert!(flagged(&reversed, "regressed").is_empty());
}

#[test]
fn an_endpoint_that_never_succeeds_regresses_on_failure_rate() {
    let v = compare_json(&fixture("v2-pair/baseline"), &fixture("never-succeeds"), 1);
    let lmcache = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/lmcache/status")
        .unwrap();
    assert_eq!(lmcache["verdict"], "regressed");
    assert_eq!(lmcache["metrics"]["failure_rate"]["verdict"], "regressed");
    assert_eq!(lmcache["metrics"]["failure_rate"]["latest"], 1.0);
    let new_errors: Vec<&serde_json::Value> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "new")
        .collect();
    assert!(new_errors.iter().any(|f| f["name"] == "/lmcache/status"));
}

#[test]
fn a_group_against_a_single_run_is_judged_by_prediction() {
    let out = perfreport()
        .args(["compare", "--fail-on", "never"])
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest/run1"))
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("prediction-interval"), "{text}");
    assert!(text.contains("prediction_t_log (n 3 vs 1"), "{text}");
}

#[test]
fn an_all_failed_endpoint_has_its_latency_shown_not_judged() {
    let v = compare_json(&fixture("v2-pair/baseline"), &fixture("never-succeeds"), 1);
    let lmcache = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/lmcache/status")
        .unwrap();
    for metric in ["avg", "p50", "p95"] {
        let m = &lmcache["metrics"][metric];
        assert_eq!(m["judgement"], "all_failed", "{metric}: {m}");
        assert_eq!(m["verdict"], "unchanged", "{metric}");
        assert!(m["latest"].is_number(), "still shown");
    }
}

/// A run that recorded nothing (the driver against a server that never answers) fails the gate.
#[test]
fn a_latest_run_with_no_requests_never_passes() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty_stats.csv");
    std::fs::write(
        &empty,
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
         Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,\
         50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n\
         ,Aggregated,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n",
    )
    .unwrap();
    let v = compare_json(&shared("baseline-1"), &empty, 1);
    assert_eq!(v["regressed"], true);
    let empty_runs = v["empty_runs"].as_array().unwrap();
    assert_eq!(empty_runs.len(), 1);
    assert!(empty_runs[0].as_str().unwrap().contains("recorded no requests"));
    let out = perfreport()
        .arg("compare")
        .arg(shared("baseline-1"))
        .arg(&empty)
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("recorded no requests"), "{text}");
}

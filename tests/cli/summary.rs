//! `perfreport summary`.

use super::{fixture, perfreport, portable};

#[test]
fn table_matches_locust_columns() {
    let out = perfreport()
        .arg("summary")
        .arg(fixture("shared-2.47/baseline-1/baseline-1"))
        .assert()
        .success();
    insta::assert_snapshot!("summary_table", portable(&out.get_output().stdout));
}

#[test]
fn markdown_output() {
    let out = perfreport()
        .args(["summary", "--format", "markdown"])
        .arg(fixture("shared-2.47/latest-1"))
        .assert()
        .success();
    insta::assert_snapshot!("summary_markdown", portable(&out.get_output().stdout));
}

#[test]
fn json_carries_exact_values() {
    let out = perfreport()
        .args(["summary", "--format", "json"])
        .arg(fixture("shared-2.47/baseline-1/baseline-1_stats.csv"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let run = &v[0];
    assert_eq!(run["aggregated"]["requests"], 491);
    assert_eq!(run["aggregated"]["failures"], 4);
    assert_eq!(run["users"], 10);
    let health = run["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/health/")
        .unwrap();
    assert_eq!(health["avg_ms"], 13.754178420764465);
    assert_eq!(health["percentiles"][5], 17.0, "the 95% column");
    let names: Vec<&str> = run["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"/items/{id}, \"detail\""));
    assert!(names.contains(&"/rapport/résumé ✓"));
}

#[test]
fn a_missing_run_is_a_usage_error() {
    perfreport()
        .args(["summary", "no/such/run"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no/such/run"));
}

#[test]
fn a_directory_of_runs_summarises_each() {
    let dir = tempfile::tempdir().unwrap();
    for side in ["baseline-1", "latest-1"] {
        let src = fixture(&format!("shared-2.47/{side}/{side}_stats.csv"));
        std::fs::copy(src, dir.path().join(format!("{side}_stats.csv"))).unwrap();
    }
    let out = perfreport()
        .args(["summary", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["name"], "baseline-1");
    assert_eq!(v[1]["aggregated"]["requests"], 486);
}

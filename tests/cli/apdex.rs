//! APDEX in `summary`, `check` and `compare`, against scores counted independently in Python
//! from the recorded Locust `--json-file` (see `src/stats/apdex.rs`).

use super::{fixture, perfreport};

fn json(args: &[&str]) -> serde_json::Value {
    let out = perfreport().args(args).output().unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn summary_json_has_exact_apdex_from_the_json_file() {
    let run = fixture("json-groups/baseline/run1_stats.csv");
    let v = json(&["summary", run.to_str().unwrap(), "--format", "json"]);
    let agg = &v[0]["aggregated"]["apdex"];
    assert_eq!(agg["t_ms"], 500.0);
    assert_eq!(agg["exact"], true);
    // 1098 satisfied + 110 tolerating / 2 of 1212 requests in run1.json.
    assert!((agg["score"].as_f64().unwrap() - 0.9513201320132013).abs() < 1e-12);
    let v = json(&[
        "summary",
        run.to_str().unwrap(),
        "--format",
        "json",
        "--apdex-t",
        "300ms",
    ]);
    let metrics = v[0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap();
    // 193 + 22 / 2 of 215.
    assert!((metrics["apdex"]["score"].as_f64().unwrap() - 0.9488372093023256).abs() < 1e-12);
    // Without a histogram: approximate, marked.
    let plain = fixture("shared-2.47/baseline-1/baseline-1_stats.csv");
    let v = json(&["summary", plain.to_str().unwrap(), "--format", "json"]);
    assert_eq!(v[0]["aggregated"]["apdex"]["exact"], false);
    perfreport()
        .args(["summary", plain.to_str().unwrap(), "--apdex-t", "0"])
        .assert()
        .code(2);
}

#[test]
fn check_judges_apdex_thresholds_with_the_sla_files_t() {
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"GET /system/metrics\" = [\"apdex >= 0.95\", \"apdex(300ms) >= 0.9\"]\n\
         [apdex_t]\n\"/system/metrics\" = \"100ms\"\n",
    )
    .unwrap();
    let run = fixture("json-groups/baseline/run1_stats.csv");
    let out = perfreport()
        .args(["check", run.to_str().unwrap(), "--format", "json", "--sla"])
        .arg(&sla)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    // T = 100 ms from [apdex_t]: 10 + 198 / 2 of 215 = 0.5070 < 0.95.
    assert_eq!(checks[0]["expression"], "apdex >= 0.95");
    assert!((checks[0]["actual"].as_f64().unwrap() - 0.5069767441860465).abs() < 1e-12);
    assert_eq!(checks[0]["passed"], false);
    // T = 300 ms written in the threshold: 0.9488 >= 0.9.
    assert_eq!(checks[1]["passed"], true, "{v:#}");
}

#[test]
fn compare_shows_apdex_of_both_sides_without_judging_it() {
    let b = fixture("json-groups/baseline");
    let l = fixture("json-groups/latest");
    let v = json(&[
        "compare",
        b.to_str().unwrap(),
        l.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let agg = v["apdex"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Aggregated")
        .unwrap();
    assert_eq!(agg["baseline"]["exact"], true);
    let change = agg["change"].as_f64().unwrap();
    let diff =
        agg["latest"]["score"].as_f64().unwrap() - agg["baseline"]["score"].as_f64().unwrap();
    assert!((change - diff).abs() < 1e-12);
}

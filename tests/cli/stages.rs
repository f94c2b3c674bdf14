//! Load stages of a stepped run (`fixtures/stepped/`, real Locust 2.47.0 with a
//! `LoadTestShape` of 5, 10, 20 and 40 users): `summary`'s stages table and JSON, `check --tier`
//! on a stage, `signoff --run-stepped`.

use super::{fixture, perfreport, portable};

/// Stage boundaries and counts computed independently of perfreport, once, with pandas 2.x
/// from `fixtures/stepped/stepped_stats_history.csv` (Aggregated rows grouped into runs of
/// equal `User Count`, kept when 0 < users and last − first timestamp ≥ 10 s; requests and
/// failures as differences of the `Total …` columns between a run's first and last row; the
/// average from `Total Average Response Time × Total Request Count`; per endpoint the same
/// difference of that endpoint's rows):
/// `python3 -c "import pandas as pd; h = pd.read_csv('fixtures/stepped/stepped_stats_history.csv'); …"`
/// (the script is in docs/stages.md). Columns: users, start_s, end_s, requests, rps, avg_ms,
/// `GET /health/` requests, `GET /analysis/` requests.
/// One stage as pandas counted it.
type Counted = (u64, f64, f64, u64, f64, f64, u64, u64);

const EXPECTED: [Counted; 4] = [
    (5, 1.0, 18.0, 112, 6.588235, 138.603045, 56, 12),
    (10, 19.0, 36.0, 222, 13.058824, 131.098970, 114, 22),
    (20, 37.0, 55.0, 422, 23.444444, 160.149274, 201, 62),
    (40, 56.0, 73.0, 836, 49.176471, 166.025811, 421, 119),
];

fn summary_json(args: &[&str]) -> serde_json::Value {
    let out = perfreport()
        .args(["summary", "--format", "json"])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn json_stages_match_the_history_counted_independently() {
    let v = summary_json(&[fixture("stepped/stepped").to_str().unwrap()]);
    let stages = v[0]["stages"].as_array().expect("a stages array");
    assert_eq!(stages.len(), 4);
    for (s, e) in stages.iter().zip(EXPECTED) {
        assert_eq!(s["users"], e.0);
        assert_eq!(s["start_s"].as_f64(), Some(e.1));
        assert_eq!(s["end_s"].as_f64(), Some(e.2));
        assert_eq!(s["duration_s"].as_f64(), Some(e.2 - e.1));
        assert_eq!(s["requests"], e.3);
        assert!((s["rps"].as_f64().unwrap() - e.4).abs() < 1e-6, "{s}");
        assert!((s["avg_ms"].as_f64().unwrap() - e.5).abs() < 1e-6, "{s}");
        assert_eq!(s["failure_rate"].as_f64(), Some(0.0));
        assert_eq!(s["percentiles_exact"], false);
        for key in ["p50_ms", "p95_ms", "p99_ms"] {
            assert!(s[key].as_f64().is_some_and(|p| p > 0.0), "{key}: {s}");
        }
        let endpoint = |name: &str| {
            s["endpoints"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == name)
                .map(|x| x["requests"].clone())
        };
        assert_eq!(endpoint("/health/"), Some(e.6.into()));
        assert_eq!(endpoint("/analysis/"), Some(e.7.into()));
    }
    // Throughput grows with the users: the plateaus are what the shape asked for.
    let rps: Vec<f64> = stages.iter().map(|s| s["rps"].as_f64().unwrap()).collect();
    assert!(rps.windows(2).all(|w| w[1] > w[0]), "{rps:?}");
}

#[test]
fn single_stage_runs_have_an_empty_stages_array() {
    let v = summary_json(&[fixture("shared-2.47/baseline-1/baseline-1")
        .to_str()
        .unwrap()]);
    assert_eq!(v[0]["stages"], serde_json::json!([]));
}

#[test]
fn min_stage_longer_than_every_plateau_leaves_no_stages() {
    let v = summary_json(&[
        fixture("stepped/stepped").to_str().unwrap(),
        "--min-stage",
        "30s",
    ]);
    assert_eq!(v[0]["stages"], serde_json::json!([]));
}

#[test]
fn table_shows_the_stages() {
    let out = perfreport()
        .arg("summary")
        .arg(fixture("stepped/stepped"))
        .assert()
        .success();
    insta::assert_snapshot!("stages_table", portable(&out.get_output().stdout));
}

#[test]
fn check_tier_judges_the_stage_with_its_users() {
    let out = perfreport()
        .args(["check", "--format", "json", "--tier", "ten", "--sla"])
        .arg(fixture("stepped/sla.toml"))
        .arg(fixture("stepped/stepped"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["peak_users"], 10);
    let rps = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tier ten: rps")
        .unwrap();
    // The stage's throughput, not the whole run's (23.45 req/s).
    assert!((rps["actual"].as_f64().unwrap() - 13.058824).abs() < 1e-6);
    let notes = v["notes"].to_string();
    assert!(notes.contains("stage at 10 users, 19–36 s"), "{notes}");
}

#[test]
fn check_tier_without_a_stage_at_its_users_checks_the_whole_run() {
    let out = perfreport()
        .args(["check", "--tier", "medium"])
        .arg(fixture("stepped/stepped"))
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("4 stages (5, 10, 20, 40 users) and none at 50 users"),
        "{text}"
    );
}

#[test]
fn signoff_run_stepped_signs_off_every_tier_from_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("so");
    perfreport()
        .args(["signoff", "--no-archive", "--run-stepped"])
        .arg(fixture("stepped/stepped"))
        .arg("--sla")
        .arg(fixture("stepped/sla.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("signoff.json")).unwrap()).unwrap();
    let tiers = v["tiers"].as_array().unwrap();
    let got: Vec<(String, u64, u64)> = tiers
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["users"].as_u64().unwrap(),
                t["measured"]["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64)> = ["five", "ten", "twenty", "forty"]
        .iter()
        .zip(EXPECTED)
        .map(|(n, e)| (n.to_string(), e.0, e.3))
        .collect();
    assert_eq!(got, want);
    assert!(tiers.iter().all(|t| t["status"] == "passed"), "{v}");
}

#[test]
fn signoff_run_stepped_refuses_a_run_without_stages() {
    let dir = tempfile::tempdir().unwrap();
    let out = perfreport()
        .args(["signoff", "--no-archive", "--run-stepped"])
        .arg(fixture("shared-2.47/baseline-1/baseline-1"))
        .arg("--out")
        .arg(dir.path().join("so"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("stage"), "{err}");
}

#[test]
fn signoff_run_stepped_and_run_exclude_each_other() {
    perfreport()
        .args(["signoff", "--run", "light=x", "--run-stepped", "y"])
        .assert()
        .code(2);
}

#[test]
fn report_charts_the_stages() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    perfreport()
        .arg("report")
        .arg(fixture("stepped/stepped"))
        .arg("-o")
        .arg(&page)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<h3>Load stages</h3>"));
    assert!(html.contains("aria-label=\"Throughput per load stage\""));
    assert!(html.contains("aria-label=\"Response-time percentiles per load stage"));
}

/// Locust 1.x writes cumulative percentiles in its history, even with full history, so a stage
/// has no percentiles of its own there: `null`, with a note, never the whole run's numbers.
/// The run is `fixtures/v1` (Locust 1.6.0) with its first 15 s of rows relabelled from 20 to
/// 10 users, so that it has two stages; everything else is Locust 1.x's own output.
#[test]
fn locust_1_histories_give_null_stage_percentiles_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    for suffix in ["stats", "failures", "exceptions", "stats_history"] {
        let from = fixture(&format!("v1/v1run_{suffix}.csv"));
        let mut text = std::fs::read_to_string(&from).unwrap();
        if suffix == "stats_history" {
            let first_t: i64 = 1795861797;
            text = text
                .split_inclusive('\n')
                .map(|line| match line.split_once(',') {
                    Some((t, rest)) if t.parse::<i64>().is_ok_and(|t| t <= first_t + 15) => {
                        let rest = rest
                            .strip_prefix("20,")
                            .map_or(rest.to_string(), |r| format!("10,{r}"));
                        format!("{t},{rest}")
                    }
                    _ => line.to_string(),
                })
                .collect();
        }
        std::fs::write(dir.path().join(format!("v1run_{suffix}.csv")), text).unwrap();
    }
    let run = dir.path().join("v1run");
    let v = summary_json(&[run.to_str().unwrap()]);
    let stages = v[0]["stages"].as_array().expect("a stages array");
    let users: Vec<u64> = stages
        .iter()
        .map(|s| s["users"].as_u64().unwrap())
        .collect();
    assert_eq!(users, vec![10, 20]);
    for s in stages {
        assert!(s["requests"].as_u64().is_some_and(|n| n > 0), "{s}");
        assert!(s["avg_ms"].as_f64().is_some(), "{s}");
        for key in ["p50_ms", "p95_ms", "p99_ms"] {
            assert!(s[key].is_null(), "{key}: {s}");
        }
        let note = s["percentiles_note"].as_str().expect("a note");
        assert!(
            note.contains("Locust 1.x") && note.contains("cumulative"),
            "{note}"
        );
        for e in s["endpoints"].as_array().expect("endpoints") {
            assert!(e["p95_ms"].is_null(), "{e}");
        }
    }
    let out = perfreport().arg("summary").arg(&run).assert().success();
    let text = portable(&out.get_output().stdout);
    assert!(text.contains("no stage percentiles: Locust 1.x"), "{text}");
    // The report draws the stages' throughput and leaves out the percentile chart it cannot
    // draw, instead of failing.
    let page = dir.path().join("v1.html");
    perfreport()
        .args(["report", "-o"])
        .arg(&page)
        .arg(&run)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Throughput per load stage"));
    assert!(!html.contains("Response-time percentiles per load stage"));
}

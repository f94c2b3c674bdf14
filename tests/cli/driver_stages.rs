//! A stepped load recorded by the embedded driver (`perfreport run --stages`) against the real
//! `perfreport target` on 127.0.0.1: the stages `summary` finds, and the driver's
//! `_stage_histograms.csv` checked against the history it wrote beside it, counted here from
//! the raw CSV files.

use std::collections::BTreeMap;
use std::path::Path;

use super::driver::Target;
use super::perfreport;

/// A CSV file as rows of fields keyed by header name (the driver's files quote nothing here:
/// the default scenario's names have no commas).
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> i64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

/// The plateaus of the history counted here: maximal runs of Aggregated rows with one user
/// count above 0 spanning at least a second, as (users, first t, last t, requests between).
fn plateaus(history: &[BTreeMap<String, String>]) -> Vec<(i64, i64, i64, i64)> {
    let agg: Vec<&BTreeMap<String, String>> = history
        .iter()
        .filter(|r| r["Name"] == "Aggregated")
        .collect();
    let mut out = Vec::new();
    let mut first = 0;
    for i in 0..agg.len() {
        let users = num(agg[i], "User Count");
        if i + 1 < agg.len() && num(agg[i + 1], "User Count") == users {
            continue;
        }
        let (t0, t1) = (num(agg[first], "Timestamp"), num(agg[i], "Timestamp"));
        if users > 0 && t1 > t0 {
            let n = num(agg[i], "Total Request Count") - num(agg[first], "Total Request Count");
            out.push((users, t0, t1, n));
        }
        first = i + 1;
    }
    out
}

/// `run --stages 2:3s,4:3s` against a target answering every request 20 ms late: two stages,
/// at 2 and 4 users; each stage's histogram holds exactly the requests the history counts
/// between the stage's rows (Aggregated and per endpoint), and `summary` reports exact stage
/// percentiles whose median is the one its buckets give.
#[test]
fn stepped_run_writes_stage_histograms_matching_its_history() {
    let target = Target::start(&["--delay-ms", "20"]);
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("stepped");
    perfreport()
        .args([
            "run",
            "--stages",
            "2:3s,4:3s",
            "-r",
            "20",
            "-H",
            &target.host(),
        ])
        .args(["--csv-full-history", "-L", "WARNING", "--csv"])
        .arg(&prefix)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .success();
    let history = rows(&dir.path().join("stepped_stats_history.csv"));
    let recorded = rows(&dir.path().join("stepped_stage_histograms.csv"));
    let counted = plateaus(&history);
    let users: Vec<i64> = counted.iter().map(|p| p.0).collect();
    assert_eq!(users, vec![2, 4], "{counted:?}");

    for &(users, t0, t1, n) in &counted {
        let of_stage = |name: &str| -> i64 {
            recorded
                .iter()
                .filter(|r| {
                    (num(r, "Users"), num(r, "Start"), num(r, "End")) == (users, t0, t1)
                        && r["Name"] == name
                })
                .map(|r| num(r, "Count"))
                .sum()
        };
        assert!(n > 0, "stage at {users} users recorded nothing");
        assert_eq!(of_stage("Aggregated"), n, "stage at {users} users");
        // Every endpoint's share: the difference of its own history rows.
        for name in [
            "/health/",
            "/system/metrics",
            "/analysis/",
            "/lmcache/status",
        ] {
            let at = |t: i64| {
                history
                    .iter()
                    .find(|r| r["Name"] == name && num(r, "Timestamp") == t)
                    .map_or(0, |r| num(r, "Total Request Count"))
            };
            assert_eq!(of_stage(name), at(t1) - at(t0), "{name} at {users} users");
        }
    }

    let out = perfreport()
        .args(["summary", "--min-stage", "1s", "--format", "json"])
        .arg(&prefix)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let stages = v[0]["stages"].as_array().expect("a stages array");
    assert_eq!(stages.len(), 2, "{stages:?}");
    for (s, &(users, t0, t1, n)) in stages.iter().zip(&counted) {
        assert_eq!(s["users"], users);
        assert_eq!(s["requests"], n);
        assert_eq!(s["percentiles_exact"], true);
        // The median counted here from the stage's Aggregated buckets (highest value of each,
        // in µs): the first bucket whose running count reaches half the requests.
        let mut buckets: Vec<(i64, i64)> = recorded
            .iter()
            .filter(|r| {
                (num(r, "Users"), num(r, "Start"), num(r, "End")) == (users, t0, t1)
                    && r["Name"] == "Aggregated"
            })
            .map(|r| (num(r, "Value"), num(r, "Count")))
            .collect();
        buckets.sort_unstable();
        let mut seen = 0;
        let median_us = buckets
            .iter()
            .find(|(_, count)| {
                seen += count;
                2 * seen >= n
            })
            .map(|b| b.0)
            .expect("a median bucket");
        let p50 = s["p50_ms"].as_f64().expect("a p50");
        // Every request waited the target's 20 ms; Locust keys the median to whole
        // milliseconds (and coarser above 100 ms), so within 1 ms below 100 ms, 10 % above.
        let expected = median_us as f64 / 1000.0;
        assert!(p50 >= 20.0, "p50 {p50} below the target's 20 ms delay");
        assert!(
            (p50 - expected).abs() <= 1.0_f64.max(0.1 * expected),
            "p50 {p50} ms at {users} users, the stage's buckets say {expected} ms"
        );
    }
}

/// `--stages` sets the run time: with `-t` it is refused before any load is sent.
#[test]
fn stages_with_run_time_are_refused() {
    let out = perfreport()
        .args([
            "run",
            "--stages",
            "2:3s",
            "-t",
            "5s",
            "-H",
            "http://127.0.0.1:9",
        ])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--run-time"), "{err}");
    let bad = perfreport()
        .args(["run", "--stages", "2-3s"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&bad.get_output().stderr).into_owned();
    assert!(err.contains("USERS:DURATION"), "{err}");
}

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

fn groups(side: &str) -> std::path::PathBuf {
    fixture(&format!("groups/{side}"))
}

/// 3 runs a side of ~830 requests on the slowed endpoint: the +30 % is found, nothing else.
#[test]
fn groups_flag_the_slowed_endpoint_only() {
    let v = compare_json(&groups("baseline"), &groups("latest"), 1);
    assert_eq!(v["regressed"], true);
    assert_eq!(flagged(&v, "regressed"), vec!["GET /system/metrics"]);
    assert!(flagged(&v, "improved").is_empty());
    let metrics = &v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap()["metrics"];
    assert_eq!(metrics["avg"]["verdict"], "regressed");
    assert!(metrics["avg"]["p_value"].as_f64().unwrap() < 0.05);
    // The interval shown with the verdict agrees with it.
    assert!(metrics["avg"]["ci_adjusted_low"].as_f64().unwrap() > 0.0);
}

#[test]
fn reversed_groups_are_an_improvement_and_exit_zero() {
    let v = compare_json(&groups("latest"), &groups("baseline"), 0);
    assert_eq!(v["regressed"], false);
    assert_eq!(flagged(&v, "improved"), vec!["GET /system/metrics"]);
    assert!(flagged(&v, "regressed").is_empty());
}

/// One run a side of ~90 requests: +31 % on the average is evidence (raw p < 0.05), but not
/// beyond what run-to-run drift plus 33 tests could produce, and the note says why.
#[test]
fn one_small_pair_cannot_call_a_30_percent_slowdown_and_says_so() {
    let v = compare_json(&shared("baseline-1"), &shared("latest-1"), 0);
    assert_eq!(v["regressed"], false);
    let metrics = &v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap()["metrics"];
    assert_eq!(metrics["p50"]["baseline"], 140.0);
    assert_eq!(metrics["p50"]["latest"], 180.0);
    let avg = &metrics["avg"];
    assert_eq!(avg["judgement"], "not_significant");
    assert!(avg["material"].as_bool().unwrap());
    assert!(avg["p_raw"].as_f64().unwrap() < 0.05);
    assert!(
        avg["ci_low"].as_f64().unwrap() > 0.0,
        "raw 95 % interval excludes 0"
    );
    assert!(
        avg["ci_adjusted_low"].as_f64().unwrap() < 0.0,
        "adjusted one does not"
    );
    let notes = v["notes"].as_array().unwrap();
    assert!(notes
        .iter()
        .any(|n| n.as_str().unwrap().contains("n = 1") && n.as_str().unwrap().contains("drift")));
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
        .arg(groups("baseline"))
        .arg(groups("latest"))
        .assert()
        .code(1);
    insta::assert_snapshot!("compare_table", portable(&out.get_output().stdout));
}

#[test]
fn markdown_output_for_a_pr_comment() {
    let out = perfreport()
        .args(["compare", "--format", "markdown"])
        .arg(groups("baseline"))
        .arg(groups("latest"))
        .assert()
        .code(1);
    insta::assert_snapshot!("compare_markdown", portable(&out.get_output().stdout));
}

#[test]
fn fail_on_never_reports_but_exits_zero() {
    let out = perfreport()
        .args(["compare", "--fail-on", "never"])
        .arg(groups("baseline"))
        .arg(groups("latest"))
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
        .arg(groups("baseline"))
        .arg(groups("latest"))
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
    // `--threshold 10` would be 1,000 % and silently turn the gate off: refused, with the fix.
    for option in ["--threshold", "--failure-rate-rise", "--rps-drop"] {
        perfreport()
            .args(["compare", option, "10"])
            .arg(shared("baseline-1"))
            .arg(shared("latest-1"))
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "`10` is read as a fraction (1000 %); write `10%` for 10 percent",
            ));
    }
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

/// The recorded v2 pair (~290 requests on the slowed endpoint, one run a side): the slowdown is
/// material and shows as evidence, never as an improvement, and nothing else moves.
#[test]
fn recorded_pair_with_injected_slowdown_flags_nothing_else() {
    let base = fixture("v2-pair/baseline");
    let latest = fixture("v2-pair/latest");
    let v = compare_json(&base, &latest, 0);
    assert!(flagged(&v, "regressed").is_empty());
    assert!(flagged(&v, "improved").is_empty());
    assert_eq!(v["aggregated"]["verdict"], "unchanged");
    let metrics = &v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap()["metrics"];
    for m in ["avg", "p50"] {
        assert!(metrics[m]["material"].as_bool().unwrap(), "{m}");
        assert!(metrics[m]["p_raw"].as_f64().unwrap() < 0.05, "{m}");
        assert!(metrics[m]["delta"].as_f64().unwrap() > 0.0, "{m}");
    }
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
fn a_group_against_a_single_run_uses_the_groups_spread() {
    let out = perfreport()
        .args(["compare", "--fail-on", "never"])
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest/run1"))
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("3 vs 1 runs"), "{text}");
    assert!(text.contains("random_effects_t (n 3 vs 1"), "{text}");
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
    assert!(empty_runs[0]
        .as_str()
        .unwrap()
        .contains("recorded no requests"));
    let out = perfreport()
        .arg("compare")
        .arg(shared("baseline-1"))
        .arg(&empty)
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("recorded no requests"), "{text}");
}

#[test]
fn an_unwritable_output_names_the_folder_once() {
    let out = perfreport()
        .arg("compare")
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .args(["-o", "/nonexistent-perfreport/out.md"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stderr,
        "perfreport: could not write /nonexistent-perfreport/out.md: cannot create a file in \
         /nonexistent-perfreport: No such file or directory (os error 2)\n"
    );
}

#[test]
fn color_always_beats_no_color_and_o_notes_what_it_wrote() {
    // The harness sets NO_COLOR=1: `--color always` is an explicit request and wins.
    let coloured = perfreport()
        .args(["compare", "--color", "always", "--fail-on", "never"])
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest"))
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&coloured.get_output().stdout).contains("\u{1b}["));
    let plain = perfreport()
        .args(["compare", "--fail-on", "never"])
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest"))
        .assert()
        .success();
    assert!(!String::from_utf8_lossy(&plain.get_output().stdout).contains('\u{1b}'));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.md");
    let out = perfreport()
        .args([
            "compare",
            "--format",
            "markdown",
            "--fail-on",
            "never",
            "-o",
        ])
        .arg(&path)
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest"))
        .assert()
        .success();
    let bytes = std::fs::metadata(&path).unwrap().len();
    assert!(out.get_output().stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stderr),
        format!(
            "perfreport: wrote {} ({:.1} KB)\n",
            path.display(),
            bytes as f64 / 1e3
        )
    );
    // `-o -` is standard output.
    let out = perfreport()
        .args([
            "compare",
            "--format",
            "markdown",
            "--fail-on",
            "never",
            "-o",
            "-",
        ])
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest"))
        .assert()
        .success();
    assert_eq!(out.get_output().stdout.len() as u64, bytes);
}

#[test]
fn the_same_run_on_both_sides_is_warned_about() {
    let out = perfreport()
        .args(["compare", "--format", "json"])
        .arg(fixture("v2-pair/baseline"))
        .arg(fixture("v2-pair/baseline"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("the same run is on both sides ("));
    // A copy under another name: identical numbers.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy_stats.csv");
    std::fs::copy(fixture("v2-pair/baseline/baseline_stats.csv"), &copy).unwrap();
    let out = perfreport()
        .arg("compare")
        .arg(fixture("v2-pair/baseline"))
        .arg(&copy)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout)
        .contains("have identical numbers (a copy of one run?)"));
}

//! Every recorded fixture reads; every malformed one is refused with exit code 2 and a message
//! that names the file, line and column.

use super::{fixture, perfreport};

#[test]
fn every_recorded_run_summarises() {
    for run in [
        "shared-2.47/baseline-1",
        "shared-2.47/latest-1",
        "v2-pair/baseline",
        "v2-pair/latest",
        "v1",
        "many-failures",
        "never-succeeds",
        "groups/baseline",
        "groups/flaky-a",
    ] {
        for format in ["table", "markdown", "json"] {
            perfreport()
                .args(["summary", "--format", format])
                .arg(fixture(run))
                .assert()
                .success();
        }
    }
}

#[test]
fn locust_1x_run_reads_with_float_medians() {
    let out = perfreport()
        .args(["summary", "--format", "json"])
        .arg(fixture("v1/v1run"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let analysis = &v[0]["endpoints"][0];
    assert_eq!(analysis["name"], "/analysis/");
    assert_eq!(analysis["median_ms"], 700.0);
    assert_eq!(v[0]["users"], 20);
    assert!(v[0]["top_failures"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["first_seen"].is_null()));
}

#[test]
fn malformed_files_name_file_line_and_column() {
    let cases = [
        (
            "negative-count",
            "negative-count_stats.csv:2:3:",
            "Request Count",
        ),
        (
            "overflow-count",
            "overflow-count_stats.csv:",
            "Request Count",
        ),
        ("text-in-number", "text-in-number_stats.csv:", "expected"),
        ("missing-column", "missing-column_stats.csv", "column"),
        ("duplicate-column", "duplicate-column_stats.csv:1:", "again"),
        ("truncated-row", "truncated-row_stats.csv:3", "truncated"),
        ("semicolon", "semicolon_stats.csv:1", "comma-separated"),
        ("empty", "empty_stats.csv", "empty"),
        ("binary", "binary_stats.csv:1:1", "binary"),
        ("no-aggregated", "no-aggregated_stats.csv", "Aggregated"),
        (
            "more-failures-than-requests",
            "more-failures-than-requests_stats.csv:2:4:",
            "no larger than the request count",
        ),
        ("min-above-max", "min-above-max_stats.csv:2:7:", "maximum"),
        (
            "decreasing-percentiles",
            "decreasing-percentiles_stats.csv:2:18:",
            "do not decrease",
        ),
        (
            "backwards-time",
            "backwards-time_stats_history.csv:7:1:",
            "back in time",
        ),
    ];
    for (run, location, words) in cases {
        perfreport()
            .arg("summary")
            .arg(fixture(&format!("malformed/{run}")))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(location))
            .stderr(predicates::str::contains(words))
            .stderr(predicates::str::contains("panicked").not());
    }
}

/// Issue 12: a row with more failures than requests was shown by `compare` as `-` and
/// "unchanged" (exit 0), by `check` as 500 % and by `summary` as 233.33 %; every command now
/// refuses it as bad input.
#[test]
fn a_row_with_more_failures_than_requests_is_bad_input_everywhere() {
    let bad = fixture("malformed/more-failures-than-requests");
    let good = fixture("malformed/lf-endings");
    let location = "more-failures-than-requests_stats.csv:2:4: expected a failure count";
    for args in [
        vec!["summary".into(), bad.clone()],
        vec!["compare".into(), good.clone(), bad.clone()],
        vec!["compare".into(), bad.clone(), good.clone()],
        vec!["check".into(), bad.clone()],
        vec!["report".into(), bad.clone()],
    ] {
        perfreport()
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(location));
    }
}

/// Issue 12: a run whose file name is not UTF-8 was skipped without a word (`summary DIR`
/// printed `[]`; a group of 3 became n = 2). It is read, and its name shown lossily.
#[cfg(unix)]
#[test]
fn a_run_whose_file_name_is_not_utf8_is_read() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let dir = tempfile::tempdir().unwrap();
    let source = fixture("groups/baseline");
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().as_bytes();
        let target = match name.strip_prefix(b"run3") {
            Some(rest) => [b"caf\xE9".as_slice(), rest].concat(),
            None => name.to_vec(),
        };
        std::fs::copy(&path, dir.path().join(OsStr::from_bytes(&target))).unwrap();
    }

    let out = perfreport()
        .args(["summary", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["caf\u{fffd}", "run1", "run2"]);

    let out = perfreport()
        .args(["compare", "--format", "json"])
        .arg(dir.path())
        .arg(fixture("groups/latest"))
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["aggregated"]["metrics"]["p95"]["n_baseline"], 3);
}

#[test]
fn a_bom_and_lf_endings_are_accepted() {
    for run in ["bom", "lf-endings", "extra-column", "v1-median-float"] {
        perfreport()
            .arg("summary")
            .arg(fixture(&format!("malformed/{run}")))
            .assert()
            .success();
    }
}

use predicates::prelude::PredicateBooleanExt;

//! `perfreport history` (change points, the too-few-runs message, the HTML page, rebuilding a
//! deleted index) and the label rules of `archive`.

use std::path::{Path, PathBuf};

use super::archive::{archive, shared, stderr, stdout, v2};
use super::{fixture, perfreport};

#[test]
fn history_marks_the_step_and_reindex_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    for i in 0..3 {
        archive(&results, &shared("baseline-1"), &format!("v1.{i}"));
    }
    for i in 3..6 {
        archive(&results, &shared("latest-1"), &format!("v1.{i}"));
    }
    let history_of = |metric: &str, extra: &[&str]| {
        let out = perfreport()
            .args([
                "history",
                "--format",
                "json",
                "--metric",
                metric,
                "--results",
            ])
            .arg(&results)
            .args(extra)
            .assert()
            .success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    let history = |extra: &[&str]| history_of("p50", extra);
    // The names `compare` and the SLA use are understood too.
    for (alias, canonical) in [("median", "p50"), ("error_rate", "failure-rate")] {
        assert_eq!(
            history_of(alias, &[])["points"],
            history_of(canonical, &[])["points"],
            "{alias}"
        );
    }
    let json = history(&["--endpoint", "GET /system/metrics"]);
    let points = json["points"].as_array().unwrap();
    let labels: Vec<&str> = points
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["v1.0", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5"]);
    let changed: Vec<&str> = points
        .iter()
        .filter(|p| !p["change"].is_null())
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["v1.3"]);
    let (base, _) =
        perfreport::locust::read_stats(&fixture("shared-2.47/baseline-1/baseline-1_stats.csv"))
            .unwrap();
    let metrics = base
        .iter()
        .find(|e| e.key.name == "/system/metrics")
        .unwrap();
    assert_eq!(points[0]["value"].as_f64(), metrics.median_ms);
    assert_eq!(
        points[3]["change"]["mean_before"].as_f64(),
        metrics.median_ms
    );

    let table = perfreport()
        .args([
            "history",
            "--endpoint",
            "GET /system/metrics",
            "--metric",
            "p50",
            "--results",
        ])
        .arg(&results)
        .assert()
        .success();
    insta::with_settings!({filters => vec![
        (r"\d{8}T\d{6}Z(-\d+)?", "[STAMP]"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[DATE]"),
    ]}, {
        insta::assert_snapshot!("history_table", stdout(&table));
    });

    // A name only one method uses is enough.
    assert_eq!(
        history(&["--endpoint", "/system/metrics"])["endpoint"],
        "GET /system/metrics"
    );

    let out = perfreport()
        .args(["history", "--endpoint", "/nope", "--results"])
        .arg(&results)
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("no archived run has this endpoint"),
        "{}",
        stderr(&out)
    );

    let page = dir.path().join("history.html");
    perfreport()
        .args([
            "history",
            "--endpoint",
            "GET /system/metrics",
            "--metric",
            "p50",
            "--format",
            "html",
            "-o",
        ])
        .arg(&page)
        .arg("--results")
        .arg(&results)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "inline chart");
    assert!(
        html.contains("<tr class=\"cp\"><td>4</td>"),
        "change point row"
    );

    // A deleted index is rebuilt by the next command that needs it, with a warning.
    std::fs::remove_file(results.join("index.parquet")).unwrap();
    let out = perfreport()
        .args(["history", "--results"])
        .arg(&results)
        .assert()
        .success();
    assert!(
        stderr(&out).contains("index.parquet: missing; rebuilt from the run folders"),
        "{}",
        stderr(&out)
    );
    assert!(results.join("index.parquet").is_file());
    assert_eq!(history(&["--endpoint", "GET /system/metrics"]), json);
    let out = perfreport()
        .args(["archive", "--reindex", "--results"])
        .arg(&results)
        .assert()
        .success();
    assert!(
        stdout(&out).contains("(6 runs; 0 left out)"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(history(&["--endpoint", "GET /system/metrics"]), json);
}

/// Labels refused for Windows and for selectors say why.
#[test]
fn blank_trailing_space_and_device_labels_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    for (label, why) in [
        ("   ", "only spaces"),
        ("v1.5 ", "ends with a space"),
        ("con.txt", "device name Windows reserves"),
        ("LPT1", "device name Windows reserves"),
    ] {
        let out = perfreport()
            .arg("archive")
            .arg(v2("baseline"))
            .arg(format!("--label={label}"))
            .arg("--results")
            .arg(&results)
            .assert()
            .code(2);
        assert!(stderr(&out).contains(why), "{label:?}: {}", stderr(&out));
    }
    assert!(!results.exists());
}

const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

/// A one-endpoint run of 1,000 requests whose p95 (and everything above the median) is `p95`.
fn run_with_p95(dir: &Path, name: &str, p95: u32) -> PathBuf {
    let half = p95 / 2;
    let row = |kind: &str, label: &str| {
        format!(
            "{kind},{label},1000,0,{half},{half},1,{p95},10,10.0,0.0,{half},{half},{half},{half},{half},{p95},{p95},{p95},{p95},{p95},{p95}"
        )
    };
    let text = format!(
        "{STATS_HEADER}\n{}\n{}\n",
        row("GET", "/x"),
        row("", "Aggregated")
    );
    let prefix = dir.join(name);
    std::fs::write(dir.join(format!("{name}_stats.csv")), text).unwrap();
    prefix
}

fn history_json(results: &Path, extra: &[&str]) -> serde_json::Value {
    let out = perfreport()
        .args(["history", "--format", "json", "--results"])
        .arg(results)
        .args(extra)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Issue 11: p95 of 200, 200, 200, 200, 790, 770, 780, 780, 190, 200 ms steps up at the fifth
/// run and back down at the ninth.
#[test]
fn history_finds_the_step_up_and_the_step_down() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let series = [200, 200, 200, 200, 790, 770, 780, 780, 190, 200];
    for (i, p95) in series.iter().enumerate() {
        let run = run_with_p95(dir.path(), &format!("run{i}"), *p95);
        archive(&results, &run, &format!("r{i:02}"));
    }
    for extra in [&[][..], &["--min-size", "2"][..]] {
        let json = history_json(&results, extra);
        let values: Vec<f64> = json["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_f64().unwrap())
            .collect();
        assert_eq!(values, series.map(f64::from));
        let cps = json["change_points"].as_array().unwrap();
        let at: Vec<u64> = cps.iter().map(|c| c["index"].as_u64().unwrap()).collect();
        assert_eq!(at, [4, 8], "{json}");
        let ids: Vec<&str> = cps.iter().map(|c| c["run_id"].as_str().unwrap()).collect();
        assert!(
            ids[0].ends_with("_r04") && ids[1].ends_with("_r08"),
            "{ids:?}"
        );
        assert_eq!(cps[0]["mean_before"], 200.0);
        assert_eq!(cps[0]["mean_after"], 780.0);
        assert_eq!(cps[1]["mean_before"], 780.0);
        assert_eq!(cps[1]["mean_after"], 195.0);
        assert!(cps.iter().all(|c| c["p_value"].as_f64().unwrap() < 0.01));
        assert_eq!(json["change_point_search"]["runs_needed"], 4);
        assert!(json["change_point_search"]["note"].is_null());
    }
    let out = perfreport()
        .args(["history", "--results"])
        .arg(&results)
        .assert()
        .success();
    assert!(
        stdout(&out).contains("across 10 archived runs; 2 change point(s)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn history_of_two_runs_says_how_many_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    for (i, p95) in [200, 790].iter().enumerate() {
        let run = run_with_p95(dir.path(), &format!("run{i}"), *p95);
        archive(&results, &run, &format!("r{i}"));
    }
    let out = perfreport()
        .args(["history", "--results"])
        .arg(&results)
        .assert()
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("change points need at least 4 runs with a value (2 on each side of a step, --min-size 2); this history has 2"),
        "{text}"
    );
    assert!(!text.contains("0 change point"), "{text}");
    let json = history_json(&results, &["--min-size", "3"]);
    assert_eq!(json["change_points"], serde_json::json!([]));
    assert_eq!(json["change_point_search"]["runs_needed"], 6);
    assert_eq!(json["change_point_search"]["runs_with_value"], 2);
    assert!(
        json["change_point_search"]["note"]
            .as_str()
            .unwrap()
            .contains("at least 6 runs"),
        "{json}"
    );
}

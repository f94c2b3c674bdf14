//! `perfreport history` (change points, the HTML page, rebuilding a deleted index) and the
//! label rules of `archive`.

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
    let history = |extra: &[&str]| {
        let out = perfreport()
            .args([
                "history",
                "--format",
                "json",
                "--metric",
                "p50",
                "--results",
            ])
            .arg(&results)
            .args(extra)
            .assert()
            .success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
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

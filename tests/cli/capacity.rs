//! `perfreport capacity` end to end: stepping the real `perfreport target` with a known knee
//! (`--max-concurrency 20 --delay-ms 100`: at most 200 req/s) on 127.0.0.1, a few seconds a
//! stage, the target killed at the end.

use std::time::{Duration, Instant};

use super::driver::Target;
use super::perfreport;

#[test]
fn capacity_finds_the_known_knee_of_200_requests_per_second() {
    let mut target = Target::start(&["--max-concurrency", "20", "--delay-ms", "100"]);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("capacity.html");
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"Aggregated\" = [\"p95 < 2s\", \"error_rate < 1%\"]\n",
    )
    .unwrap();
    let started = Instant::now();
    let out = perfreport()
        .args(["capacity", "-H", &target.host(), "--format", "json"])
        .args([
            "--start-users",
            "5",
            "--step-users",
            "5",
            "--max-users",
            "60",
        ])
        .args(["--stage-time", "3s", "--sla"])
        .arg(&sla)
        .arg("--html")
        .arg(&html)
        .arg("--csv")
        .arg(dir.path().join("cap"))
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    target.kill();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    super::schema::assert_valid("capacity", &v, "a capacity search to the knee");
    let stages = v["stages"].as_array().unwrap();
    let saturation = &v["saturation"];
    let rps = saturation["rps"]
        .as_f64()
        .unwrap_or_else(|| panic!("{v:#}"));
    eprintln!(
        "capacity: saturation {} users, {rps:.1} req/s (known knee 200 req/s) after {} stages in {:.1} s",
        saturation["users"],
        stages.len(),
        elapsed.as_secs_f64()
    );
    assert!((rps - 200.0).abs() <= 0.15 * 200.0, "{v:#}");
    assert_eq!(v["stopped"], "saturated", "{v:#}");
    for key in [
        "users",
        "rps",
        "p50_ms",
        "p95_ms",
        "failure_rate",
        "sla_passed",
    ] {
        assert!(stages[0].get(key).is_some(), "{key} missing: {v:#}");
    }
    assert_eq!(stages[0]["users"], 5);
    // Queueing stretches the latencies past the knee, but far from 2 s: every stage passed,
    // the last one is the most sustained.
    assert!(stages.iter().all(|s| s["sla_passed"] == true), "{v:#}");
    assert_eq!(
        v["max_sustainable"]["users"],
        stages.last().unwrap()["users"]
    );
    assert!(dir.path().join("cap-u5_stats.csv").is_file());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Throughput against users"), "charts missing");
    assert!(page.contains("Response time against throughput"));
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}

#[test]
fn capacity_refuses_bad_usage_with_exit_2() {
    for (args, expect) in [
        (vec!["-H", "http://10.0.0.1:8003"], "loopback"),
        (
            vec!["--start-users", "20", "--max-users", "10"],
            "--max-users",
        ),
        (vec!["--step-users", "0"], "at least 1"),
        (vec!["--stage-time", "0s"], "--stage-time"),
        (vec!["--sla", "builtin", "--tier", "nope"], "unknown tier"),
        (vec!["--tier", "light"], "--sla"),
    ] {
        let out = perfreport()
            .arg("capacity")
            .args(&args)
            .timeout(Duration::from_secs(10))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
}

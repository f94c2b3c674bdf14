//! `perfreport check`: SLA checks on hand-made boundary runs and real recorded runs, every
//! output format, JUnit read back with a real JUnit parser, and the exit codes.

use std::path::Path;

use serde_json::Value;

use super::{fixture, perfreport, portable};

/// Runs `check` with JSON output and returns the exit code and the parsed report.
fn check_json(args: &[&str]) -> (i32, Value) {
    let out = perfreport()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("perfreport runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().expect("exit code"), report)
}

fn path(rel: &str) -> String {
    fixture(rel).display().to_string()
}

/// `(name, passed)` for every check.
fn verdicts(report: &Value) -> Vec<(String, bool)> {
    report["checks"]
        .as_array()
        .expect("checks array")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_string(),
                c["passed"].as_bool().expect("passed"),
            )
        })
        .collect()
}

#[test]
fn boundary_runs_pass_and_fail_exactly_at_each_threshold() {
    for tier in ["light", "medium", "heavy", "stress"] {
        for side in ["on", "above", "below"] {
            let run = path(&format!("sla/{tier}-{side}_stats.csv"));
            let (code, report) = check_json(&[&run, "--tier", tier]);
            // `<` targets pass only just below; `rps >=` passes on and above.
            let below = side == "below";
            let mut expected: Vec<(String, bool)> = [
                "GET /health/",
                "GET /system/metrics",
                "GET /analysis/",
                "GET /lmcache/status",
            ]
            .iter()
            .map(|e| (format!("{e}: p95"), below))
            .collect();
            expected.push((format!("tier {tier}: rps"), !below));
            for metric in ["avg", "p95", "failure_rate"] {
                expected.push((format!("tier {tier}: {metric}"), below));
            }
            assert_eq!(verdicts(&report), expected, "{tier}-{side}");
            assert_eq!(
                report["passed"], false,
                "{tier}-{side}: something fails on every side"
            );
            assert_eq!(code, 1, "{tier}-{side}");
        }
    }
}

#[test]
fn boundary_values_are_reported_exactly() {
    let (_, report) = check_json(&[&path("sla/medium-on_stats.csv"), "--tier", "medium"]);
    let checks = report["checks"].as_array().unwrap();
    let by_name = |n: &str| checks.iter().find(|c| c["name"] == n).unwrap().clone();
    let rate = by_name("tier medium: failure_rate");
    assert_eq!(rate["actual"], 0.005, "5 failures in 1000 requests");
    assert_eq!(rate["threshold"], 0.005);
    assert_eq!(rate["target"], "< 0.5%");
    assert_eq!(rate["actual_text"], "0.5% (5 of 1000)");
    let avg = by_name("tier medium: avg");
    assert_eq!(
        (avg["actual"].as_f64(), avg["threshold"].as_f64()),
        (Some(500.0), Some(500.0))
    );
    let (_, report) = check_json(&[&path("sla/medium-above_stats.csv"), "--tier", "medium"]);
    let rate = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tier medium: failure_rate")
        .unwrap()
        .clone();
    assert_eq!(rate["actual_text"], "0.5005% (5 of 999)");
}

#[test]
fn a_run_where_one_endpoint_always_fails_fails_its_checks() {
    let run = path("never-succeeds");
    let (code, report) = check_json(&[&run]);
    assert_eq!(code, 1);
    assert_eq!(report["passed"], false);
    assert_eq!(report["tier"], Value::Null, "20 users match no tier");
    let failed: Vec<String> = verdicts(&report)
        .into_iter()
        .filter(|(_, passed)| !passed)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(failed, ["GET /lmcache/status: p95"]);
    let lmcache = &report["checks"][3];
    assert_eq!(lmcache["actual"], 100.0, "its p95 alone would pass");
    assert_eq!(
        lmcache["reason"],
        "every request failed (147 of 147): these are response times of errors"
    );
    // With a tier, the run-wide error rate (147 of 1567) fails too.
    let (code, report) = check_json(&[&run, "--tier", "heavy"]);
    assert_eq!(code, 1);
    let failed: Vec<String> = verdicts(&report)
        .into_iter()
        .filter(|(_, passed)| !passed)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        failed,
        [
            "GET /lmcache/status: p95",
            "tier heavy: rps",
            "tier heavy: failure_rate"
        ]
    );
    // An error-rate target on the endpoint itself fails on its 100 %.
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"GET /lmcache/status\" = \"error_rate < 1%\"\n",
    )
    .unwrap();
    let (code, report) = check_json(&[&run, "--sla", sla.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(report["checks"][0]["actual"], 1.0);
    assert_eq!(report["checks"][0]["actual_text"], "100% (147 of 147)");
}

#[test]
fn the_tier_is_inferred_from_the_peak_user_count() {
    let (code, report) = check_json(&[&path("shared-2.47/baseline-1")]);
    assert_eq!(report["tier"], "light");
    assert_eq!(report["tier_source"], "inferred");
    assert_eq!(report["peak_users"], 10);
    assert_eq!(report["total"], 8);
    // 4 failures in 491 requests is over light's 0.1 %, and the aggregated p95 is 620 ms.
    assert_eq!(code, 1);
    let failed: Vec<String> = verdicts(&report)
        .into_iter()
        .filter(|(_, passed)| !passed)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(failed, ["tier light: p95", "tier light: failure_rate"]);
}

#[test]
fn a_passing_run_exits_zero() {
    let (code, report) = check_json(&[&path("v2-pair/baseline")]);
    assert_eq!((code, report["passed"].as_bool()), (0, Some(true)));
    assert_eq!(report["total"], 4);
    let (code, _) = check_json(&[&path("sla/light-below_stats.csv")]);
    assert_eq!(
        code, 0,
        "no history: only the endpoint targets, all just under"
    );
}

#[test]
fn the_example_file_gives_the_same_verdicts_as_the_builtin_sla() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sla.toml");
    for run in [
        "shared-2.47/baseline-1",
        "never-succeeds",
        "sla/stress-on_stats.csv",
    ] {
        let (code_a, mut a) = check_json(&[&path(run), "--tier", "stress"]);
        let (code_b, mut b) = check_json(&[
            &path(run),
            "--tier",
            "stress",
            "--sla",
            example.to_str().unwrap(),
        ]);
        assert_eq!(code_a, code_b, "{run}");
        a["sla"] = Value::Null;
        b["sla"] = Value::Null;
        assert_eq!(a, b, "{run}");
    }
}

#[test]
fn junit_output_reads_back_with_a_junit_parser() {
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        r#"[endpoints]
"/items/{id}, \"detail\"" = "p95 < 1s"
"/rapport/résumé ✓" = ["p95 < 10ms", "avg < 1s"]
"<script>&'\"" = "p95 < 1ms"

[tiers.light]
users = 10
checks = ["rps >= 10", "error_rate < 0.1%"]
"#,
    )
    .unwrap();
    let xml = dir.path().join("report.xml");
    perfreport()
        .arg("check")
        .arg(fixture("shared-2.47/baseline-1"))
        .arg("--sla")
        .arg(&sla)
        .args(["--format", "junit", "-o"])
        .arg(&xml)
        .assert()
        .code(1)
        .stdout("");
    let file = std::fs::File::open(&xml).unwrap();
    let suites = junit_parser::from_reader(std::io::BufReader::new(file)).unwrap();
    assert_eq!((suites.tests, suites.failures, suites.errors), (6, 3, 0));
    assert_eq!(suites.suites.len(), 1);
    let suite = &suites.suites[0];
    assert_eq!(suite.name, "SLA check of run baseline-1");
    assert_eq!((suite.tests, suite.failures), (6, 3));
    let cases: Vec<(&str, &str, bool)> = suite
        .cases
        .iter()
        .map(|c| {
            (
                c.original_name.as_str(),
                c.classname.as_deref().unwrap_or(""),
                c.status.is_success(),
            )
        })
        .collect();
    assert_eq!(
        cases,
        [
            (
                "GET /items/{id}, \"detail\": p95 < 1s",
                "sla.endpoints",
                true
            ),
            ("GET /rapport/résumé ✓: p95 < 10ms", "sla.endpoints", false),
            ("GET /rapport/résumé ✓: avg < 1s", "sla.endpoints", true),
            ("<script>&'\": p95 < 1ms", "sla.endpoints", false),
            ("tier light: rps >= 10", "sla.tier.light", true),
            ("tier light: failure_rate < 0.1%", "sla.tier.light", false),
        ]
    );
    let failure = suite.cases[1].status.failure_as_ref();
    assert_eq!(failure.failure_type, "sla");
    assert_eq!(failure.message, "p95 is 52ms, target < 10ms");
    let missing = suite.cases[3].status.failure_as_ref();
    assert_eq!(
        missing.message,
        "no requests recorded: the run has no such endpoint (target < 1ms)"
    );
    assert_eq!(
        suite.properties.hashmap.get("tier").map(String::as_str),
        Some("light")
    );
}

#[test]
fn table_output() {
    let out = perfreport()
        .arg("check")
        .arg(fixture("never-succeeds"))
        .assert()
        .code(1);
    insta::assert_snapshot!("check_table", portable(&out.get_output().stdout));
}

#[test]
fn markdown_output() {
    let out = perfreport()
        .args(["check", "--format", "markdown", "--tier", "light"])
        .arg(fixture("shared-2.47/baseline-1"))
        .assert()
        .code(1);
    insta::assert_snapshot!("check_markdown", portable(&out.get_output().stdout));
}

#[test]
fn a_bad_sla_file_names_the_file_line_and_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("bad.toml");
    std::fs::write(&sla, "[endpoints]\n\"/health/\" = \"p95 < 50 msec\"\n").unwrap();
    let out = perfreport()
        .arg("check")
        .arg(fixture("never-succeeds"))
        .arg("--sla")
        .arg(&sla)
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    let expected = format!(
        "perfreport: {}:2:24: bad threshold \"p95 < 50 msec\" for endpoint \"/health/\": \
         unknown unit `msec` in `50 msec`: a time is in `ms` (the default) or `s`\n",
        sla.display()
    );
    assert_eq!(stderr, expected);
}

#[test]
fn usage_errors_exit_two() {
    let never = fixture("never-succeeds");
    let out = perfreport()
        .arg("check")
        .arg(&never)
        .args(["--tier", "huge"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("unknown tier `huge`"), "{stderr}");
    let out = perfreport()
        .args(["check", "--sla", "no/such/sla.toml"])
        .arg(&never)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("could not read SLA file no/such/sla.toml"),
        "{stderr}"
    );
    perfreport().args(["check", "no/such/run"]).assert().code(2);
    perfreport()
        .arg("check")
        .arg(fixture("groups/baseline"))
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("tiers-only.toml");
    std::fs::write(&sla, "[tiers.x]\nusers = 3\nchecks = \"rps >= 1\"\n").unwrap();
    let out = perfreport()
        .arg("check")
        .arg(&never)
        .arg("--sla")
        .arg(&sla)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("nothing to check"), "{stderr}");
}

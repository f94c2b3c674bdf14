//! `perfreport signoff` and `perfreport demo`: short sign-offs against the embedded target (a
//! few seconds per tier, 127.0.0.1 only), recorded Locust runs, and the usage errors.

use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::{fixture, perfreport};

/// An SLA whose only tier is a light one any healthy target meets.
const LENIENT_SLA: &str = r#"
[endpoints]
"/health/" = "p95 < 5s"

[tiers.light]
users = 10
checks = ["rps >= 1", "p95 < 5s", "error_rate < 50%"]
"#;

/// Runs `perfreport ARGS`, returns the exit code, stdout and the JSON report in `out`.
fn signoff(args: &[&str], out: &Path) -> (i32, String, Value) {
    let results = out.parent().expect("out has a parent").join("results");
    let run = perfreport()
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--results")
        .arg(&results)
        .output()
        .expect("perfreport runs");
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    let json = std::fs::read_to_string(out.join("signoff.json"))
        .unwrap_or_else(|e| panic!("no signoff.json ({e}); stderr: {stderr}"));
    let report = serde_json::from_str(&json).expect("the JSON report parses");
    (run.status.code().expect("exit code"), stdout, report)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn tier<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tier {name}"))
}

/// `(text, status)` of every item of the checklist with this title.
fn items(report: &Value, title: &str) -> Vec<(String, String)> {
    report["checklists"]
        .as_array()
        .expect("checklists")
        .iter()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("no checklist {title}"))["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["text"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_healthy_embedded_target_is_ready_for_production() {
    let dir = tempfile::tempdir().unwrap();
    let sla = write(dir.path(), "sla.toml", LENIENT_SLA);
    let out = dir.path().join("signoff");
    let (code, stdout, report) =
        signoff(&["signoff", "--sla", &sla, "--duration-scale", "0.1"], &out);
    assert_eq!(report["verdict"]["status"], "ready", "{stdout}");
    assert_eq!(code, 0);
    assert!(stdout.contains("READY FOR PRODUCTION"), "{stdout}");
    assert!(stdout.contains("signoff.md"), "{stdout}");
    assert_eq!(report["schema"], "perfreport-signoff/1");
    assert_eq!(report["target"]["kind"], "embedded");

    let light = tier(&report, "light");
    assert_eq!(light["status"], "passed");
    assert_eq!(light["plan"]["users"], 10);
    assert_eq!(light["plan"]["run_time_s"], 6.0);
    assert_eq!(light["plan"]["spawn_rate"], 20.0);
    assert_eq!(light["measured"]["peak_users"], 10);
    assert!(light["measured"]["requests"].as_u64().unwrap() > 0);
    let resources: Vec<(&str, bool)> = light["resources"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["passed"] == true))
        .collect();
    assert_eq!(
        resources,
        [
            ("process", true),
            ("cpu", true),
            ("memory", true),
            ("fds", true)
        ]
    );
    assert_eq!(report["health"]["status"], 200);
    assert_eq!(report["health"]["after_tier"], "light");

    let completion = items(&report, "Completion Checklist");
    let statuses: Vec<&str> = completion.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses,
        ["done", "done", "done", "done", "manual", "done", "done"],
        "{completion:?}"
    );
    for file in [
        "signoff.md",
        "signoff.html",
        "scenario.toml",
        "light/light_stats.csv",
        "light/light_stats_history.csv",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let md = std::fs::read_to_string(out.join("signoff.md")).unwrap();
    assert!(md.contains("## Verdict: ✅ READY FOR PRODUCTION"), "{md}");
    assert!(md.contains("### Actual Results"), "{md}");
    assert!(md.contains("- [x] Ready for production"), "{md}");

    // The tier run is archived, with its manifest, and listed by `perfreport list`.
    let results = dir.path().join("results");
    let archived: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_signoff-light"))
        .collect();
    assert_eq!(archived.len(), 1, "{archived:?}");
    assert!(results.join(&archived[0]).join("manifest.json").is_file());
    assert!(md.contains("in the archive as"), "{md}");
    let list = perfreport()
        .args(["list", "--format", "json", "--results"])
        .arg(&results)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("signoff-light"));
}

#[test]
fn a_slow_endpoint_fails_the_default_sla_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signoff");
    // /health/ at 10 × 5-15 ms: its p95 is far over the 50 ms target.
    let (code, stdout, report) = signoff(
        &[
            "signoff",
            "--tiers",
            "light",
            "--duration-scale",
            "0.05",
            "--slow",
            "/health/=10",
        ],
        &out,
    );
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(report["verdict"]["status"], "not_ready");
    assert_eq!(report["verdict"]["passed"], false);
    let failures: Vec<&str> = report["verdict"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("light: GET /health/: p95 is ") && f.ends_with("target < 50ms")),
        "{failures:?}"
    );
    assert!(stdout.contains("NOT READY FOR PRODUCTION"), "{stdout}");
    assert!(stdout.contains("light: GET /health/: p95"), "{stdout}");
    assert_eq!(tier(&report, "light")["status"], "failed");
    for name in ["medium", "heavy", "stress"] {
        assert_eq!(tier(&report, name)["status"], "not_run", "{name}");
    }
    let gaps = report["verdict"]["gaps"].to_string();
    assert!(gaps.contains("tier medium not run"), "{gaps}");
    let performance = items(&report, "Performance Validation");
    assert_eq!(
        performance[0],
        ("Light load test passed (10 users)".into(), "failed".into())
    );
    assert_eq!(
        performance[3].1, "not_checked",
        "stress not run: {performance:?}"
    );
}

#[test]
fn a_recorded_locust_run_is_signed_off_and_copied() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signoff");
    let run = fixture("shared-2.47/baseline-1");
    let arg = format!("light={}", run.display());
    let (code, stdout, report) = signoff(&["signoff", "--run", &arg], &out);
    // A real Locust run of the seed's mix: /analysis/ at 400-1000 ms puts the Aggregated p95
    // at 620 ms, and 4 of 491 requests failed.
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(report["target"]["kind"], "recorded");
    let light = tier(&report, "light");
    assert_eq!(light["source"], "recorded");
    assert_eq!(light["measured"]["requests"], 491);
    assert_eq!(light["measured"]["failures"], 4);
    assert!(light["resources"].is_null());
    let failures = report["verdict"]["failures"].to_string();
    assert!(
        failures.contains("light: tier light: p95 is 620ms, target < 500ms"),
        "{failures}"
    );
    assert!(
        failures.contains("light: tier light: failure_rate is 0.81% (4 of 491)"),
        "{failures}"
    );
    for file in [
        "light_stats.csv",
        "light_stats_history.csv",
        "light_failures.csv",
        "light_exceptions.csv",
    ] {
        let copied = std::fs::read(out.join("light").join(file)).unwrap();
        let original = std::fs::read(run.join(file.replace("light", "baseline-1"))).unwrap();
        assert_eq!(copied, original, "{file} copied byte for byte");
    }
    let resources = items(&report, "Resource Usage Validation");
    assert!(
        resources.iter().all(|(_, s)| s == "not_checked"),
        "{resources:?}"
    );
}

#[test]
fn a_passing_recorded_run_is_not_a_full_sign_off() {
    let dir = tempfile::tempdir().unwrap();
    let sla = write(dir.path(), "sla.toml", LENIENT_SLA);
    let out = dir.path().join("signoff");
    let arg = format!("light={}", fixture("shared-2.47/baseline-1").display());
    let (code, stdout, report) = signoff(&["signoff", "--sla", &sla, "--run", &arg], &out);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(report["verdict"]["status"], "incomplete");
    assert_eq!(report["verdict"]["ready_for_production"], false);
    let gaps = report["verdict"]["gaps"].to_string();
    assert!(
        gaps.contains("resources not measured: the runs were recorded elsewhere"),
        "{gaps}"
    );
    assert!(gaps.contains("health check not asked"), "{gaps}");
    assert!(stdout.contains("NOT A FULL SIGN-OFF"), "{stdout}");
}

#[test]
fn the_demo_runs_every_tier_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let (code, stdout, report) = signoff(&["demo", "--duration-scale", "0.04"], &out);
    let names: Vec<&str> = report["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["light", "medium", "heavy", "stress"]);
    for name in names {
        assert!(
            tier(&report, name)["measured"]["requests"]
                .as_u64()
                .unwrap()
                > 0,
            "{name}"
        );
        assert!(out.join(name).join(format!("{name}_stats.csv")).is_file());
    }
    assert_eq!(report["health"]["after_tier"], "stress");
    assert_eq!(report["sla"], "built-in SLA (seed plan)");
    // Exit code and verdict agree, whatever a busy machine did to the latencies.
    assert_eq!(code == 0, report["verdict"]["passed"] == true, "{stdout}");
    assert!(
        stdout.contains(&format!("Report:   {}", out.join("signoff.html").display())),
        "{stdout}"
    );
    let page = Html::parse_document(&std::fs::read_to_string(out.join("signoff.html")).unwrap());
    let results = grid_rows(&page, "actual-results");
    assert_eq!(results[0][0], "Users");
    assert_eq!(results.len(), 5, "users, RPS, avg, P95, error rate");
    assert_eq!(grid_rows(&page, "tier-runs").len(), 4);
    let chart: Vec<String> = page
        .select(&sel("figure svg"))
        .filter_map(|s| s.value().attr("aria-label").map(str::to_string))
        .collect();
    assert_eq!(chart, ["P95 response time per tier (all requests)"]);
}

#[test]
fn bad_usage_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = format!("light={}", fixture("shared-2.47/baseline-1").display());
    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("keep.md"), "mine").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--run".into(),
                run.clone(),
                "--tiers".into(),
                "light".into(),
            ],
            "--tiers applies to tiers perfreport runs itself",
        ),
        (
            vec![
                "--run".into(),
                format!("huge={}", fixture("shared-2.47/baseline-1").display()),
            ],
            "unknown tier `huge`",
        ),
        (
            vec!["--run".into(), "light=/no/such/run".into()],
            "--run light=/no/such/run",
        ),
        (vec!["--tiers".into(), "huge".into()], "unknown tier `huge`"),
        (
            vec!["--duration-scale".into(), "0".into()],
            "--duration-scale 0",
        ),
        (
            vec!["--host".into(), "http://10.0.0.1:8003".into()],
            "loopback",
        ),
        (
            vec!["--target-pid".into(), "1".into()],
            "--target-pid names the process behind --host",
        ),
        (
            vec![
                "--host".into(),
                "http://127.0.0.1:9".into(),
                "--slow".into(),
                "/health/=2".into(),
            ],
            "--slow and --fail-rate",
        ),
        (vec!["--slow".into(), "/nope=2".into()], "unknown endpoint"),
        (
            vec!["--scenario".into(), "/no/such/scenario.toml".into()],
            "--scenario /no/such/scenario.toml: cannot read",
        ),
        (
            vec!["--health-path".into(), "health".into()],
            "must start with /",
        ),
    ];
    for (i, (args, expected)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        let result = perfreport()
            .arg("signoff")
            .args(args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    let result = perfreport()
        .args(["signoff", "--run", &run, "--out"])
        .arg(&taken)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("never overwrites"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(taken.join("keep.md")).unwrap(),
        "mine"
    );
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>()
}

/// Rows of the table with this class, each cell's text.
fn grid_rows(page: &Html, class: &str) -> Vec<Vec<String>> {
    page.select(&sel(&format!("table.{class} tbody tr")))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect()
}

#[test]
fn the_html_report_shows_hostile_names_as_text() {
    let dir = tempfile::tempdir().unwrap();
    // An SLA naming the hostile fixture's endpoints, with a tier whose name is markup too.
    let sla = write(
        dir.path(),
        "sla.toml",
        r#"
[endpoints]
"<script>alert(1)</script>" = "p95 < 1ms"
"\"><img src=x onerror=alert(1)>" = "p95 < 10s"

[tiers."<script>alert(5)</script>"]
users = 10
checks = ["rps >= 1", "p95 < 5s", "error_rate < 50%"]
"#,
    );
    let out = dir.path().join("signoff");
    let arg = format!("<script>alert(5)</script>={}", fixture("hostile").display());
    let (code, stdout, report) = signoff(&["signoff", "--sla", &sla, "--run", &arg], &out);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(report["verdict"]["status"], "not_ready");
    let raw = std::fs::read_to_string(out.join("signoff.html")).unwrap();
    assert!(!raw.contains("<script") && !raw.contains("<img"), "{raw}");
    let page = Html::parse_document(&raw);
    assert_eq!(page.select(&sel("script, img, [src], link")).count(), 0);

    let banner: String = page
        .select(&sel("#verdict .banner.bad"))
        .map(text)
        .collect();
    assert_eq!(banner, "✗ Not ready for production");
    let failed: Vec<String> = page
        .select(&sel("#verdict ul.failures li"))
        .map(text)
        .collect();
    assert_eq!(
        failed,
        ["<script>alert(5)</script>: GET <script>alert(1)</script>: p95 is 35ms, target < 1ms"]
    );
    let tiers = grid_rows(&page, "tier-runs");
    assert_eq!(tiers[0][0], "<script>alert(5)</script>");
    assert_eq!(tiers[0][4], "470");
    assert_eq!(tiers[0][6], "failed ✗");
    let headers: Vec<String> = page
        .select(&sel("table.actual-results th"))
        .map(text)
        .collect();
    assert_eq!(headers, ["Metric", "<script>alert(5)</script>"]);
    // Per-endpoint P95 validation: one row per endpoint target, the failing one marked.
    let p95 = grid_rows(&page, "response-times");
    assert_eq!(p95.len(), 2);
    assert_eq!(p95[0][0], "GET <script>alert(1)</script>");
    assert_eq!(p95[0][2], "35ms ✗");
    assert_eq!(p95[1][0], "POST \"><img src=x onerror=alert(1)>");
    assert!(p95[1][3].starts_with("pass"), "{:?}", p95[1]);
    // Throughput and error-rate validation, and the completion checklist with this file.
    let items: Vec<(String, String)> = page
        .select(&sel("ul.checklist li"))
        .map(|li| (li.value().attr("class").unwrap().to_string(), text(li)))
        .collect();
    assert!(items.iter().any(|(c, t)| c == "done"
        && t.contains("Error rate within target for all tests (<script>alert(5)</script> < 50%)")));
    assert!(items.iter().any(
        |(c, t)| c == "done" && t.contains("<script>alert(5)</script> load: RPS >= 1 achieved")
    ));
    assert!(items.iter().any(|(c, t)| c == "done"
        && t.contains("Reports generated")
        && t.contains("signoff.html")));
    // The chart's label is SVG text, escaped by plotters.
    let svg_text: Vec<String> = page.select(&sel("figure svg text")).map(text).collect();
    assert!(
        svg_text
            .iter()
            .any(|t| t.trim() == "<script>alert(5)</script>"),
        "{svg_text:?}"
    );
    // Every check, as `perfreport check` prints them.
    assert_eq!(grid_rows(&page, "checks").len(), 5);
}

#[test]
fn a_recorded_run_can_be_named_by_an_archive_selector() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    perfreport()
        .arg("archive")
        .arg(fixture("shared-2.47/baseline-1"))
        .args(["--label", "v1.5-light", "--results"])
        .arg(&results)
        .assert()
        .success();
    let out = dir.path().join("signoff");
    let (code, stdout, report) = signoff(&["signoff", "--run", "light=@label:v1.5-light"], &out);
    // The same verdict as from the run's own folder (a_recorded_locust_run_is_signed_off…).
    assert_eq!(code, 1, "{stdout}");
    let light = tier(&report, "light");
    assert_eq!(light["measured"]["requests"], 491);
    assert_eq!(light["measured"]["failures"], 4);
    let out = perfreport()
        .args([
            "signoff",
            "--run",
            "light=@label:nope",
            "--no-archive",
            "--results",
        ])
        .arg(&results)
        .arg("--out")
        .arg(dir.path().join("other"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    // Looked up in --results even with --no-archive. One run: the first sign-off found its light
    // tier archived already (the same files) and named it instead of archiving it twice.
    assert!(
        err.contains("--run light=@label:nope: @label:nope: no such run among the 1 archived"),
        "{err}"
    );
}

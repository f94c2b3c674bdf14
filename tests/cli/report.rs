//! `perfreport report`: the HTML is parsed (never compared byte for byte); the template
//! context is snapshotted with the plotted series reduced to their lengths.

use std::path::Path;

use scraper::{ElementRef, Html, Selector};

use perfreport::compare::{compare, CompareOptions};
use perfreport::locust::load_runs;
use perfreport::report::context::ReportContext;

use super::{fixture, perfreport, portable};

fn shared(side: &str) -> std::path::PathBuf {
    fixture(&format!("shared-2.47/{side}"))
}

/// Runs `perfreport report ARGS -o FILE` and returns the parsed page and its raw text.
fn report(args: &[&Path]) -> (Html, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    perfreport()
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    (Html::parse_document(&text), text)
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>()
}

/// The colours data is drawn in (axes, grid and background use others): the Okabe–Ito
/// endpoint colours, ink (all requests), grey (the baseline), the bars' slate and the verdicts.
const SERIES_COLOURS: [&str; 11] = [
    "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#282828", "#969696",
    "#5A6E82", "#B43C00", "#00785A",
];

/// Every chart is an inline `<svg>` that draws data: a line of at least two points or a bar
/// in a series colour (a legend sample, a 14 × 12 px square or a bar at most 4 px high, does
/// not count).
fn assert_charts_drawn(page: &Html) -> usize {
    let svgs: Vec<_> = page.select(&sel("figure svg")).collect();
    assert!(!svgs.is_empty());
    let series = |colour: Option<&str>| colour.is_some_and(|c| SERIES_COLOURS.contains(&c));
    for svg in &svgs {
        let label = svg.value().attr("aria-label").unwrap_or_default();
        let (polyline, rect) = (sel("polyline"), sel("rect"));
        let lines = svg.select(&polyline).filter(|l| {
            let points = l.value().attr("points").unwrap_or_default();
            series(l.value().attr("stroke")) && points.split_whitespace().count() >= 2
        });
        let bars = svg.select(&rect).filter(|r| {
            let v = r.value();
            let height: f64 = v.attr("height").and_then(|h| h.parse().ok()).unwrap_or(0.0);
            let square = v.attr("width") == Some("14") && v.attr("height") == Some("12");
            let swatch = square || height <= 4.0;
            series(v.attr("fill")) && !swatch
        });
        assert!(
            lines.count() + bars.count() > 0,
            "chart `{label}` draws no data"
        );
        assert!(!label.is_empty(), "chart without an accessible label");
    }
    svgs.len()
}

/// Rows of the table with this class.
fn rows(page: &Html, class: &str) -> Vec<Vec<String>> {
    page.select(&sel(&format!("table.{class} tbody tr")))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect()
}

fn chart_titles(page: &Html) -> Vec<String> {
    page.select(&sel("figure svg"))
        .filter_map(|s| s.value().attr("aria-label").map(str::to_string))
        .collect()
}

#[test]
fn single_run_has_every_chart_and_table() {
    let (page, raw) = report(&[&shared("latest-1")]);
    assert!(!raw.contains("<script"), "the report needs no JavaScript");
    // Self-contained: nothing is fetched (no src/href to another file, no CSS url()).
    assert_eq!(page.select(&sel("[src], link")).count(), 0);
    assert!(!raw.contains("url(") && !raw.contains("@import"));
    assert_eq!(assert_charts_drawn(&page), 13);
    let titles = chart_titles(&page);
    for expected in [
        "Throughput over time",
        "Failures over time",
        "Users over time",
        "Response-time percentiles over time, all requests",
        "GET /system/metrics",
        "95th percentile response time per endpoint (whole run)",
        "Response-time distribution (from the percentile columns)",
    ] {
        assert!(
            titles.iter().any(|t| t == expected),
            "no chart `{expected}`"
        );
    }
    let requests = rows(&page, "requests");
    assert_eq!(requests.len(), 8, "7 endpoints and Aggregated");
    assert_eq!(requests[7][1], "Aggregated");
    assert_eq!(requests[7][2], "486");
    assert_eq!(rows(&page, "percentiles").len(), 8);
    assert_eq!(rows(&page, "failures").len(), 2);
    let exceptions: Vec<_> = page.select(&sel("details.exception")).collect();
    assert_eq!(exceptions.len(), 1);
    assert!(text(exceptions[0]).contains("Traceback") || text(exceptions[0]).contains("File"));
    let headline: Vec<String> = page.select(&sel(".num-card .value")).map(text).collect();
    assert_eq!(headline[0], "486");
    assert_eq!(headline[1], "4 (0.82%)");
    assert!(page.select(&sel("table.overview")).next().is_none());
}

/// `report --baseline` takes `compare`'s options: with a 50 % threshold the +28.6 % p50 and
/// every other change of the shared pair stay within tolerance, as they do for `compare`.
#[test]
fn report_judges_with_compares_options() {
    let args = [
        shared("latest-1"),
        "--baseline".into(),
        shared("baseline-1"),
        "--threshold".into(),
        "50%".into(),
        "--min-delta".into(),
        "100ms".into(),
    ];
    let refs: Vec<&Path> = args.iter().map(|p| p.as_path()).collect();
    let (page, _) = report(&refs);
    assert!(page.select(&sel(".badges .badge.bad")).next().is_none());
    let metrics = rows(&page, "overview")
        .into_iter()
        .find(|r| r[0] == "GET /system/metrics")
        .unwrap();
    assert_ne!(metrics.last().unwrap(), "regressed");
    perfreport()
        .arg("compare")
        .arg(shared("baseline-1"))
        .arg(shared("latest-1"))
        .args(["--threshold", "50%", "--min-delta", "100ms"])
        .assert()
        .code(0);
}

#[test]
fn baseline_adds_verdicts_bars_and_overlays() {
    // One run a side where the change is beyond any drift: an endpoint that starts failing.
    let (page, _) = report(&[
        &fixture("never-succeeds"),
        Path::new("--baseline"),
        &fixture("v2-pair/baseline"),
    ]);
    // One verdict at the top, linking to the comparison; no banner anywhere else.
    assert_eq!(page.select(&sel(".banner")).count(), 0);
    let verdict: Vec<String> = page.select(&sel("#verdict a")).map(text).collect();
    assert_eq!(verdict, ["Comparison: Performance regression"]);
    let headline: String = page
        .select(&sel("#verdict.bad .verdict-headline"))
        .map(text)
        .collect();
    assert_eq!(headline, "FAILED: performance regressed");
    let status = page
        .select(&sel("#comparison .status.bad"))
        .map(text)
        .collect::<String>();
    assert_eq!(status, "Performance regression");
    // The regressed endpoint drawn baseline against latest: over time and its distribution.
    // The regressed first, then the improved.
    let focus: Vec<String> = page.select(&sel(".focus h4")).map(text).collect();
    assert_eq!(
        focus,
        [
            "regressed GET /lmcache/status",
            "improved POST /analysis/run"
        ]
    );
    assert_eq!(page.select(&sel(".focus figure svg")).count(), 4);
    let badges: Vec<String> = page.select(&sel(".badges .badge.bad")).map(text).collect();
    assert_eq!(
        badges,
        vec!["GET /lmcache/status regressed", "Aggregated regressed"]
    );
    let overview = rows(&page, "overview");
    assert_eq!(overview.len(), 8);
    let metrics = overview
        .iter()
        .find(|r| r[0] == "GET /lmcache/status")
        .unwrap();
    assert_eq!(metrics.last().unwrap(), "regressed");
    assert_eq!(
        metrics[2], "✗",
        "latency of an all-failed side is not judged"
    );
    let details = rows(&page, "details");
    let rate = details
        .iter()
        .find(|r| r[0] == "GET /lmcache/status" && r[1] == "failure_rate")
        .unwrap();
    assert_eq!(
        &rate[2..],
        [
            "0.00%",
            "100.00%",
            "+100.00 pp",
            // Newcombe's hybrid score interval at level 1 − 0.05/29 (Benjamini–Hochberg, rank 1 of
            // 29 tests) with t on 12 df, for 0/142 against 147/147: by scipy,
            // z = t.ppf(1 − 0.025/29, 12); 1 − sqrt((1 − 147/(147+z²))² + (z²/(142+z²))²) = 0.8582.
            "[+85.82, +100.00] pp",
            "<0.001",
            "quasi_binomial",
            "regressed"
        ]
    );
    assert!(!rows(&page, "all-metrics").is_empty());
    let titles = chart_titles(&page);
    for expected in [
        "p95 response time, baseline vs latest",
        "Median response time, baseline vs latest",
        "Response-time percentiles over time, all requests, baseline vs latest",
    ] {
        assert!(
            titles.iter().any(|t| t == expected),
            "no chart `{expected}`"
        );
    }
    // 13 of the run, 6 of the comparison, 2 per changed endpoint.
    assert_eq!(assert_charts_drawn(&page), 13 + 6 + 4);
}

#[test]
fn hostile_names_errors_and_tracebacks_stay_text() {
    let (page, raw) = report(&[&fixture("hostile")]);
    assert_eq!(page.select(&sel("script")).count(), 0);
    assert_eq!(page.select(&sel("img")).count(), 0);
    assert_eq!(page.select(&sel("b")).count(), 0);
    assert!(!raw.contains("<script>") && !raw.contains("<img") && !raw.contains("<i>"));
    let names: Vec<String> = rows(&page, "requests")
        .into_iter()
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(names[0], "<script>alert(1)</script>");
    assert_eq!(names[1], "\"><img src=x onerror=alert(1)>");
    assert_eq!(names[2], "/search?q=a&b=<i>&amp;");
    // Inside the SVG charts too, as text of <text> elements (shortened with an ellipsis).
    let svg_text: Vec<String> = page.select(&sel("svg text")).map(text).collect();
    assert!(svg_text
        .iter()
        .any(|t| t.trim() == "GET <script>alert(1)</script>"));
    assert!(svg_text.iter().any(|t| t.contains("\"><img src=x")));
    assert!(svg_text
        .iter()
        .any(|t| t.contains("/api/v1/organis") && t.contains('…')));
    let failures = rows(&page, "failures");
    assert!(failures[0][3].contains("<b>boom</b><script>alert(2)</script>"));
    let traceback = page
        .select(&sel("details.exception pre"))
        .map(text)
        .collect::<String>();
    assert!(traceback.contains("raise ValueError(\"<img src=x onerror=alert(4)>\")"));
    let summary = page
        .select(&sel("details.exception summary"))
        .map(text)
        .collect::<String>();
    assert!(summary.contains("ValueError('<script>alert(3)</script>')"));
    assert_charts_drawn(&page);
}

#[test]
fn title_is_escaped_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    perfreport()
        .args(["report", "--title", "<b>Release 2.3</b>", "-o"])
        .arg(&out)
        .arg(shared("baseline-1"))
        .assert()
        .success();
    let page = Html::parse_document(&std::fs::read_to_string(&out).unwrap());
    let h1: String = page.select(&sel("h1")).map(text).collect();
    assert_eq!(h1, "<b>Release 2.3</b>");
}

#[test]
fn several_runs_get_a_section_each() {
    let (page, _) = report(&[&fixture("groups/baseline")]);
    let sections: Vec<String> = page
        .select(&sel("section.run h2 .name"))
        .map(text)
        .collect();
    assert_eq!(sections, vec!["run1", "run2", "run3"]);
}

#[test]
fn unwritable_output_is_reported() {
    perfreport()
        .arg("report")
        .arg(shared("latest-1"))
        .args(["-o", "/nonexistent-dir/report.html"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "could not write /nonexistent-dir/report.html",
        ));
}

/// Replaces every plotted series (an array of `[x, y]` pairs) with its length.
fn squash_series(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Array(items) => {
            let is_series = !items.is_empty()
                && items.iter().all(|p| {
                    p.as_array()
                        .is_some_and(|p| p.len() == 2 && p[0].is_number())
                });
            if is_series {
                *v = serde_json::Value::String(format!("{} points", items.len()));
            } else {
                items.iter_mut().for_each(squash_series);
            }
        }
        serde_json::Value::Object(map) => map.values_mut().for_each(squash_series),
        _ => {}
    }
}

#[test]
fn context_of_a_comparison() {
    let baseline = load_runs(&shared("baseline-1")).unwrap().remove(0);
    let latest = load_runs(&shared("latest-1")).unwrap().remove(0);
    let comparison = compare(&baseline, &latest, &CompareOptions::default());
    let ctx = ReportContext::compared(&baseline, &latest, &comparison, None);
    // One snapshot per section of the page, so that a change shows where it is.
    let mut v = serde_json::to_value(&ctx).unwrap();
    squash_series(&mut v);
    let mut page = serde_json::Map::new();
    for (key, value) in v.as_object().unwrap() {
        match (key.as_str(), value) {
            ("comparison", serde_json::Value::Object(parts)) => {
                for (part, value) in parts {
                    insta::assert_snapshot!(
                        format!("report_context_compared_{part}"),
                        pretty(value)
                    );
                }
            }
            ("runs", serde_json::Value::Array(runs)) => {
                assert_eq!(runs.len(), 1, "the latest run's section");
                for (part, value) in runs[0].as_object().unwrap() {
                    insta::assert_snapshot!(
                        format!("report_context_compared_run_{part}"),
                        pretty(value)
                    );
                }
            }
            _ => {
                page.insert(key.clone(), value.clone());
            }
        }
    }
    insta::assert_snapshot!("report_context_compared_page", pretty(&page.into()));
}

fn pretty(v: &serde_json::Value) -> String {
    portable(serde_json::to_string_pretty(v).unwrap().as_bytes())
}

#[test]
fn context_of_a_v1_run_without_full_history_rows_is_still_complete() {
    let run = load_runs(&fixture("v1")).unwrap().remove(0);
    let ctx = ReportContext::of_runs(&[run], Some("v1"));
    let section = &ctx.runs[0];
    assert!(section.timeline.is_some());
    assert_eq!(section.requests.rows.len(), section.percentiles.rows.len());
    assert!(section.timeline_note.contains("1.x the whole run so far"));
}

#[test]
fn sla_checklist_has_a_row_per_check_and_shows_failures() {
    let never = fixture("never-succeeds");
    let (page, _) = report(&[&never, Path::new("--sla"), Path::new("builtin")]);
    let nav: Vec<String> = page.select(&sel("nav a[href='#sla']")).map(text).collect();
    assert_eq!(nav, vec!["SLA checklist"]);
    let status: String = page.select(&sel("#sla .status.bad")).map(text).collect();
    assert_eq!(status, "FAILED: 1 of 4 checks failed");
    let verdict: Vec<String> = page
        .select(&sel("#verdict a[href='#sla']"))
        .map(text)
        .collect();
    assert_eq!(verdict, ["SLA: FAILED: 1 of 4 checks failed"]);
    // No tier has 20 users: the seed plan's four per-endpoint P95 targets only.
    let checks = rows(&page, "sla-checks");
    let summary: Vec<(&str, &str, &str, &str)> = checks
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("GET /health/: p95", "< 50ms", "18ms", "pass"),
            ("GET /system/metrics: p95", "< 500ms", "200ms", "pass"),
            ("GET /analysis/: p95", "< 2000ms", "960ms", "pass"),
            ("GET /lmcache/status: p95", "< 200ms", "100ms", "FAIL"),
        ]
    );
    assert!(checks[3][4].starts_with("every request failed (147 of 147)"));
    let failed: Vec<String> = page
        .select(&sel("table.sla-checks td.bad"))
        .map(text)
        .collect();
    assert_eq!(failed, vec!["FAIL"]);

    let (page, _) = report(&[
        &never,
        Path::new("--sla"),
        Path::new("builtin"),
        Path::new("--tier"),
        Path::new("light"),
    ]);
    let checks = rows(&page, "sla-checks");
    assert_eq!(checks.len(), 8, "4 endpoint and 4 tier checks");
    let fails: Vec<&str> = checks
        .iter()
        .filter(|r| r[3] == "FAIL")
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(
        fails,
        [
            "GET /lmcache/status: p95",
            "tier light: p95",
            "tier light: failure_rate"
        ]
    );
    let status: String = page.select(&sel("#sla .status")).map(text).collect();
    assert_eq!(status, "FAILED: 3 of 8 checks failed");
}

#[test]
fn sla_checklist_of_the_latest_run_and_of_an_sla_file() {
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"<script>alert(1)</script>\" = \"p95 < 10s\"\n\"/health/\" = \"p95 < 10s\"\n",
    )
    .unwrap();
    let (page, raw) = report(&[&fixture("hostile"), Path::new("--sla"), &sla]);
    assert_eq!(page.select(&sel("script")).count(), 0);
    assert!(!raw.contains("<script>"));
    let checks = rows(&page, "sla-checks");
    assert_eq!(checks[0][0], "GET <script>alert(1)</script>: p95");
    assert_eq!(checks[0][3], "pass");
    assert_eq!(checks[1][3], "FAIL", "the run has no /health/");

    let (page, _) = report(&[
        &shared("latest-1"),
        Path::new("--baseline"),
        &shared("baseline-1"),
        Path::new("--sla"),
        &sla,
    ]);
    let context: String = page.select(&sel("#sla .runs")).map(text).collect();
    assert!(context.starts_with("Run latest-1 · SLA: "), "{context}");
    assert_eq!(rows(&page, "sla-checks").len(), 2);
}

#[test]
fn sla_usage_errors_exit_2() {
    let run = fixture("never-succeeds");
    perfreport()
        .arg("report")
        .arg(&run)
        .args(["--tier", "light"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--sla"));
    perfreport()
        .arg("report")
        .arg(&run)
        .args(["--sla", "builtin", "--tier", "huge"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown tier `huge`"));
    perfreport()
        .arg("report")
        .arg(&run)
        .args(["--sla", "/no/such/sla.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "could not read SLA file /no/such/sla.toml",
        ));
}

#[test]
fn groups_of_runs_are_compared_as_groups() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("groups.html");
    perfreport()
        .args(["report", "--baseline"])
        .arg(fixture("groups/baseline"))
        .arg(fixture("groups/latest"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let page = Html::parse_document(&std::fs::read_to_string(&out).unwrap());
    let all: String = page.root_element().text().collect();
    assert!(
        all.contains("REGRESSED: GET /system/metrics"),
        "verdict sentence"
    );
    assert!(
        all.contains("random_effects_t (n 3 vs 3"),
        "the deciding test and n"
    );
    assert!(
        all.contains("≈140 ms"),
        "pooled percentiles are marked approximate"
    );
    let notes: Vec<String> = page.select(&sel(".group-note")).map(text).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Mann–Whitney U") && n.contains("cannot go below 0.100")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("approximate")), "{notes:?}");
}

#[test]
fn a_groups_report_describes_its_runs_not_a_pooled_one() {
    let (page, _) = report(&[
        &fixture("groups/latest"),
        Path::new("--baseline"),
        &fixture("groups/baseline"),
    ]);
    // Titled by the folders named, not by the runs' file names.
    let title = page.select(&sel("title")).map(text).collect::<String>();
    assert_eq!(
        title,
        format!(
            "Load test report: {} vs baseline {}",
            fixture("groups/latest").display(),
            fixture("groups/baseline").display()
        )
    );
    let facts: Vec<(String, String)> = page
        .select(&sel("dl.facts > div"))
        .map(|d| {
            let dt = d.select(&sel("dt")).map(text).collect::<String>();
            let dd = d.select(&sel("dd")).map(text).collect::<String>();
            (dt, dd)
        })
        .collect();
    let fact = |label: &str| {
        facts
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {label} in {facts:?}"))
    };
    assert_eq!(fact("Runs"), "3 (run1, run2, run3)");
    // Each run's own duration, not the sum of three.
    let durations = fact("Duration of each run");
    assert_eq!(durations.split(", ").count(), 3, "{durations}");
    assert!(!durations.contains("3m"), "{durations}");
    assert!(fact("History").starts_with("every run: "), "{facts:?}");
    assert!(!facts.iter().any(|(l, _)| l == "Duration"), "{facts:?}");
}

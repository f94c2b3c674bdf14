//! What issue 15 added to the pages: Locust's per-endpoint size and failure rate, the host and
//! locustfile, the changed endpoints of groups drawn per run, one colour per endpoint, and a
//! history page in the report's style.

use scraper::{Html, Selector};

use super::{fixture, perfreport};

fn page(args: &[&str], paths: &[std::path::PathBuf]) -> Html {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.html");
    perfreport()
        .args(args)
        .args(paths)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    Html::parse_document(&std::fs::read_to_string(&out).unwrap())
}

fn texts(page: &Html, css: &str) -> Vec<String> {
    page.select(&Selector::parse(css).unwrap())
        .map(|e| e.text().collect::<String>())
        .collect()
}

#[test]
fn requests_show_average_size_and_failures_per_second_and_the_given_host() {
    let page = page(
        &[
            "report",
            "--host",
            "http://127.0.0.1:8089",
            "--locustfile",
            "locustfile.py",
        ],
        &[fixture("shared-2.47/latest-1")],
    );
    // Read with Python's csv module from latest-1_stats.csv: round(Average Content Size) and
    // Failures/s, in the file's row order (Aggregated last).
    let rows: Vec<Vec<String>> = page
        .select(&Selector::parse("table.requests tbody tr").unwrap())
        .map(|tr| {
            tr.select(&Selector::parse("td").unwrap())
                .map(|td| td.text().collect())
                .collect()
        })
        .collect();
    let headers: Vec<String> = page
        .select(&Selector::parse("table.requests thead th").unwrap())
        .map(|th| th.text().collect::<String>().trim().to_string())
        .collect();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {headers:?}"))
    };
    let (size, fails) = (column("Avg size (bytes)"), column("fails/s"));
    let size_and_fails: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[size].as_str(), r[fails].as_str()))
        .collect();
    assert_eq!(
        size_and_fails,
        [
            ("/analysis/", "244", "0.00"),
            ("/analysis/run", "31", "0.10"),
            ("/health/", "16", "0.00"),
            ("/items/{id}, \"detail\"", "29", "0.00"),
            ("/lmcache/status", "49", "0.00"),
            ("/rapport/résumé ✓", "33", "0.00"),
            ("/system/metrics", "100", "0.00"),
            ("Aggregated", "56", "0.10"),
        ]
    );
    let facts = texts(&page, ".facts div");
    assert!(
        facts.contains(&"Hosthttp://127.0.0.1:8089".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"Locustfilelocustfile.py".to_string()),
        "{facts:?}"
    );
    assert!(!facts.iter().any(|f| f.contains("not recorded")));
}

#[test]
fn groups_draw_each_changed_endpoint_per_run_and_keep_its_colour() {
    let page = page(
        &["report", "--baseline"],
        &[fixture("groups/baseline"), fixture("groups/latest")],
    );
    assert_eq!(texts(&page, ".focus h4"), ["regressed GET /system/metrics"]);
    let titles: Vec<String> = page
        .select(&Selector::parse(".focus svg").unwrap())
        .filter_map(|s| s.value().attr("aria-label").map(str::to_string))
        .collect();
    assert_eq!(
        titles,
        [
            "GET /system/metrics: p95 over time, per run",
            "GET /system/metrics: distribution"
        ]
    );
    // Three baseline lines in grey and three latest lines in the endpoint's colour.
    let lines = |colour: &str| {
        page.select(&Selector::parse(".focus svg polyline").unwrap())
            .filter(|l| l.value().attr("stroke") == Some(colour))
            .count()
    };
    assert_eq!(lines("#969696"), 3 + 1);
    let others: usize = [
        "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7",
    ]
    .iter()
    .map(|c| lines(c))
    .sum();
    assert_eq!(others, 3 + 1);
}

#[test]
fn the_history_page_uses_the_report_stylesheet_and_chart_style() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    for (side, label) in [("baseline", "v1"), ("latest", "v2")] {
        for run in ["run1", "run2"] {
            perfreport()
                .args(["archive", "--label", label, "--results"])
                .arg(&results)
                .arg(fixture(&format!("groups/{side}/{run}_stats.csv")))
                .assert()
                .success();
        }
    }
    let out = dir.path().join("history.html");
    perfreport()
        .args([
            "history",
            "--endpoint",
            "GET /system/metrics",
            "--format",
            "html",
        ])
        .arg("--results")
        .arg(&results)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains(perfreport::report::html::STYLE),
        "the report's CSS"
    );
    let page = Html::parse_document(&html);
    let svg = page
        .select(&Selector::parse("figure svg").unwrap())
        .next()
        .expect("a chart");
    assert_eq!(svg.value().attr("width"), Some("1090"));
    let axis = texts(&page, "svg text");
    assert!(
        axis.iter().any(|t| t.trim() == "p95 response time (ms)"),
        "{axis:?}"
    );
    assert_eq!(texts(&page, "table.history tbody tr").len(), 4);
}

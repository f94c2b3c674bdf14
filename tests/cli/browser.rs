//! Every kind of HTML page (run, comparison, groups, hostile names, sign-off, history) laid out
//! by real headless Chromium at a 1,400-px window: a chart narrower than its card, a chart
//! text or page text under 12 px, or chart text sticking out of its chart fails the test.
//!
//! No screenshots: `browser/measure.js` is injected into a copy of each page, measures the
//! layout in the browser and writes its findings into the DOM, which `chromium --dump-dom`
//! prints. Without Chromium the test says so and passes, unless `PERFREPORT_REQUIRE_CHROMIUM=1`
//! (set by `.ci/run`, which installs Debian's `chromium`), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{fixture, perfreport};

/// The measuring script.
const MEASURE: &str = include_str!("browser/measure.js");
/// The window a release reviewer reads the report in.
const WINDOW: u32 = 1400;
/// A4 landscape with 10 mm margins (the report's `@page`), in CSS pixels: the printed width.
const PRINTED: u32 = 1047;
/// How long one page may take in the browser.
const TIMEOUT: Duration = Duration::from_secs(90);

/// Chromium, from `PERFREPORT_CHROMIUM` or the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PERFREPORT_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Decodes `encodeURIComponent` output.
fn uri_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 from encodeURIComponent")
}

/// Lays `page` out in Chromium at `width` px and returns what `measure.js` found.
fn measure(browser: &Path, page: &Path, width: u32) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    let at = html.rfind("</body>").expect("a </body>");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("measured.html");
    let injected = format!("{}<script>{MEASURE}</script>{}", &html[..at], &html[at..]);
    std::fs::write(&copy, injected).unwrap();
    let profile = dir.path().join("profile");
    // To a file: a pipe nobody reads while waiting fills up and stalls the browser.
    let dump = dir.path().join("dom.html");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--dump-dom",
        ])
        .arg(format!("--window-size={width},1000"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", copy.display()))
        .stdout(std::fs::File::create(&dump).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > TIMEOUT {
            child.kill().unwrap();
            panic!("chromium took over {TIMEOUT:?} on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = std::fs::read_to_string(&dump).unwrap();
    let start = dom
        .rfind("<pre id=\"perfreport-layout\">")
        .unwrap_or_else(|| panic!("no measurement in the DOM of {}", page.display()));
    let body = &dom[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
    let json = uri_decode(body);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Runs `perfreport ARGS` and returns the page it wrote to `out`.
fn write_page(args: &[&str], paths: &[&Path], out: &Path) -> PathBuf {
    perfreport()
        .args(args)
        .args(paths)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
    out.to_path_buf()
}

/// One page of each kind, written into `dir`.
fn pages(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let g = |p: &str| fixture(&format!("groups/{p}"));
    let mut pages = vec![
        (
            "run",
            write_page(
                &["report"],
                &[&fixture("shared-2.47/latest-1")],
                &dir.join("run.html"),
            ),
        ),
        (
            "comparison",
            write_page(
                &["report", "--sla", "builtin", "--baseline"],
                &[&g("baseline/run2_stats.csv"), &g("latest/run2_stats.csv")],
                &dir.join("comparison.html"),
            ),
        ),
        (
            "groups",
            write_page(
                &["report", "--baseline"],
                &[&g("baseline"), &g("latest")],
                &dir.join("groups.html"),
            ),
        ),
        (
            "hostile",
            write_page(
                &["report"],
                &[&fixture("hostile")],
                &dir.join("hostile.html"),
            ),
        ),
    ];
    let signoff = dir.join("signoff");
    let run = format!("light={}", fixture("shared-2.47/baseline-1").display());
    perfreport()
        .args(["signoff", "--run", &run, "--out"])
        .arg(&signoff)
        .arg("--results")
        .arg(dir.join("signoff-results"))
        .assert()
        .code(1);
    pages.push(("sign-off", signoff.join("signoff.html")));
    let results = dir.join("results");
    for (side, label) in [("baseline", "v1"), ("latest", "v2")] {
        for run in ["run1", "run2", "run3"] {
            perfreport()
                .args(["archive", "--label", label, "--results"])
                .arg(&results)
                .arg(g(&format!("{side}/{run}_stats.csv")))
                .assert()
                .success();
        }
    }
    let history = dir.join("history.html");
    perfreport()
        .args([
            "history",
            "--endpoint",
            "GET /system/metrics",
            "--metric",
            "p50",
        ])
        .args(["--format", "html", "--results"])
        .arg(&results)
        .arg("-o")
        .arg(&history)
        .assert()
        .success();
    pages.push(("history", history));
    pages
}

#[test]
fn every_page_kind_is_legible_in_chromium_at_1400_px_and_printed_width() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("PERFREPORT_REQUIRE_CHROMIUM").is_none_or(|v| v != "1"),
            "PERFREPORT_REQUIRE_CHROMIUM=1 but no chromium on the PATH (apt-get install chromium)"
        );
        eprintln!(
            "browser layout test SKIPPED: chromium not found (apt-get install -y chromium, or \
             set PERFREPORT_CHROMIUM); set PERFREPORT_REQUIRE_CHROMIUM=1 to fail instead"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (kind, page) in pages(dir.path()) {
        let widths: &[u32] = if kind == "comparison" {
            &[WINDOW, PRINTED]
        } else {
            &[WINDOW]
        };
        for &width in widths {
            let m = measure(&browser, &page, width);
            assert_eq!(m["window"], width, "{kind}: the window is {width} px wide");
            let charts = m["charts"].as_u64().unwrap();
            assert!(charts > 0, "{kind}: no chart measured");
            assert!(
                m["chart_texts"].as_u64().unwrap() > 5 * charts,
                "{kind}: {m}"
            );
            for p in m["problems"].as_array().unwrap() {
                failures.push(format!("{kind} at {width} px: {}", p.as_str().unwrap()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

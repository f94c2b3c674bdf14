//! Issue 12 and 16: hostile text — an endpoint name, an error, a file name or a path holding
//! an ANSI escape, a bidi override, an @mention and a URL — is shown escaped by every command
//! and format: visible on a terminal, inert in Markdown on GitHub, well-formed in JUnit.

use std::path::{Path, PathBuf};

use super::{fixture, perfreport};

/// The endpoint name: recolours a terminal, reverses text, pings a GitHub user, links out.
const HOSTILE: &str = "/\u{1b}[31mred\u{202e}txt.exe @octocat https://evil.example";

/// How a terminal shows [`HOSTILE`].
const HOSTILE_SHOWN: &str = "/\\u{1b}[31mred\\u{202e}txt.exe @octocat https://evil.example";

/// Whether text holds a character that acts on a terminal or reorders text.
fn has_raw_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c))
}

/// A run in `dir` named `prefix` whose one endpoint and one error are hostile; built from the
/// real 2.47 sample row of `GET /health/` (and its Aggregated row).
fn hostile_run(dir: &Path, prefix: &str) -> PathBuf {
    let sample = std::fs::read_to_string(fixture("malformed/lf-endings_stats.csv")).unwrap();
    let stats = sample.replace("GET,/health/,", &format!("GET,\"{HOSTILE}\","));
    assert_ne!(stats, sample, "the sample has the row to rename");
    std::fs::write(dir.join(format!("{prefix}_stats.csv")), stats).unwrap();
    std::fs::write(
        dir.join(format!("{prefix}_failures.csv")),
        format!(
            "Method,Name,Error,Occurrences\nGET,\"{HOSTILE}\",\"boom \u{1b}]0;title\u{7} @dev\",1\n"
        ),
    )
    .unwrap();
    dir.join(prefix)
}

#[test]
fn summary_table_shows_control_and_bidi_characters() {
    let dir = tempfile::tempdir().unwrap();
    let run = hostile_run(dir.path(), "r\u{1b}[2J");
    let out = perfreport().arg("summary").arg(&run).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!has_raw_control(&text), "{text:?}");
    assert!(text.contains(HOSTILE_SHOWN), "{text}");
    assert!(text.contains("Run r\\u{1b}[2J — "), "{text}");
    assert!(text.contains("boom \\u{1b}]0;title\\u{7} @dev"), "{text}");
}

#[test]
fn compare_markdown_is_inert_on_github() {
    let dir = tempfile::tempdir().unwrap();
    let base = hostile_run(dir.path(), "base");
    let latest = hostile_run(dir.path(), "latest");
    let out = perfreport()
        .args(["compare", "--format", "markdown"])
        .arg(&base)
        .arg(&latest)
        .assert()
        .success();
    let md = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!has_raw_control(&md), "{md:?}");
    let shown =
        "GET /\\\\u{1b}\\[31mred\\\\u{202e}txt.exe @&#8203;octocat https:&#8203;//evil.example";
    assert!(md.contains(shown), "{md}");
    assert!(!md.contains("@octocat") && !md.contains("://"), "{md}");
    // Read as GitHub does (comrak is the Rust port of cmark-gfm): no link anywhere.
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.table = true;
    let html = comrak::markdown_to_html(&md, &options);
    assert!(!html.contains("<a "), "{html}");
}

#[test]
fn check_junit_is_well_formed_xml_with_the_names_shown() {
    let dir = tempfile::tempdir().unwrap();
    let run = hostile_run(dir.path(), "r\u{1b}[2J\u{202e}");
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"GET /\\u001B[31mred\\u202Etxt.exe @octocat https://evil.example\" = \"p95 < 1ms\"\n",
    )
    .unwrap();
    let out = perfreport()
        .arg("check")
        .arg(&run)
        .arg("--sla")
        .arg(&sla)
        .args(["--format", "junit"])
        .assert()
        .code(1);
    let xml = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!has_raw_control(&xml), "{xml:?}");
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).unwrap();
    let suite = &suites.suites[0];
    assert_eq!(suite.name, "SLA check of run r\\u{1b}[2J\\u{202e}");
    assert_eq!(
        suite.cases[0].original_name,
        format!("GET {HOSTILE_SHOWN}: p95 < 1ms")
    );
}

#[test]
fn error_messages_show_the_escapes_in_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("x\u{1b}[31m\u{202e}").join("perf");
    let out = perfreport()
        .arg("summary")
        .arg(&missing)
        .assert()
        .code(2)
        .stdout("");
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(!has_raw_control(err.trim_end()), "{err:?}");
    assert!(
        err.contains("x\\u{1b}[31m\\u{202e}/perf_stats.csv"),
        "{err}"
    );

    // A malformed file whose name holds an escape: the file:line:column message too.
    let bad = dir.path().join("b\u{1b}[2J_stats.csv");
    std::fs::copy(fixture("malformed/negative-count_stats.csv"), &bad).unwrap();
    let out = perfreport().arg("summary").arg(&bad).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("b\\u{1b}[2J_stats.csv:2:3: expected a count"),
        "{err}"
    );
    assert!(!has_raw_control(err.trim_end()), "{err:?}");
}

#[test]
fn archive_warnings_show_the_escapes_in_a_folder_name() {
    let dir = tempfile::tempdir().unwrap();
    // A run folder whose manifest is broken is warned about, its name escaped.
    let evil = dir.path().join("evil\u{1b}[2J\u{202e}");
    std::fs::create_dir(&evil).unwrap();
    std::fs::write(evil.join("manifest.json"), "{ oops").unwrap();
    let out = perfreport()
        .arg("list")
        .arg("--results")
        .arg(dir.path())
        .assert()
        .success();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("evil\\u{1b}[2J\\u{202e}"), "{err}");
    assert!(!has_raw_control(err.trim_end()), "{err:?}");
}

#[test]
fn archive_list_and_history_show_the_escapes_in_names_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    std::fs::create_dir(&results).unwrap();
    // (A run whose file name holds a control character is archived but then skipped by
    // `list` as "not a plain file name": the archive's rule, not an escaping matter.)
    let run = hostile_run(dir.path(), "r");
    let out = perfreport()
        .arg("archive")
        .arg(&run)
        .args(["--label", "v1\u{202e}1.v"])
        .arg("--results")
        .arg(&results)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("archived r ("), "{text}");
    assert!(!has_raw_control(&text), "{text:?}");

    let out = perfreport()
        .arg("list")
        .arg("--results")
        .arg(&results)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("v1\\u{202e}1.v"), "{text}");
    assert!(!has_raw_control(&text), "{text:?}");

    let out = perfreport()
        .arg("history")
        .arg("--results")
        .arg(&results)
        .arg("--endpoint")
        .arg(format!("GET {HOSTILE}"))
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains(&format!("p95 of GET {HOSTILE_SHOWN} across 1")),
        "{text}"
    );
    assert!(!has_raw_control(&text), "{text:?}");

    // An unknown endpoint: the error lists the known ones, escaped.
    let out = perfreport()
        .arg("history")
        .arg("--results")
        .arg(&results)
        .args(["--endpoint", "nope"])
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains(HOSTILE_SHOWN), "{err}");
    assert!(!has_raw_control(err.trim_end()), "{err:?}");
}

#[test]
fn report_charts_show_control_and_bidi_characters_in_labels() {
    let dir = tempfile::tempdir().unwrap();
    let run = hostile_run(dir.path(), "r");
    let out = perfreport().arg("report").arg(&run).assert().success();
    let page = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let svgs: Vec<&str> = page
        .split("<svg ")
        .skip(1)
        .map(|rest| rest.split("</svg>").next().unwrap_or(""))
        .collect();
    assert!(!svgs.is_empty());
    assert!(svgs.iter().all(|svg| !has_raw_control(svg)));
    assert!(svgs
        .iter()
        .any(|svg| svg.contains("\\u{1b}[31mred\\u{202e}")));
}

//! Tests of the Locust readers: the real 2.47 samples, one hand-made file per trap in
//! `fixtures/malformed/`, and run discovery in temporary directories.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::EndpointKey;

mod blocks;
mod consistency;
mod discover;
mod fuzz;
mod recorded;
mod stream;

/// A path under the crate's `fixtures/` directory.
pub(super) fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// The error a malformed fixture gives when read as a stats file, as its message.
fn stats_error(name: &str) -> (LocustError, String) {
    let path = fixture(&format!("malformed/{name}"));
    match read_stats(&path) {
        Ok(_) => panic!("{name} should not read"),
        Err(e) => {
            let message = e.to_string();
            (e, message)
        }
    }
}

/// The name `fixtures/malformed/NAME` prints as in messages.
fn shown(name: &str) -> String {
    fixture(&format!("malformed/{name}")).display().to_string()
}

#[test]
fn baseline_stats_values() {
    let (endpoints, aggregated) =
        read_stats(&fixture("shared-2.47/baseline-1/baseline-1_stats.csv")).unwrap();
    assert_eq!(endpoints.len(), 7);
    let health = endpoints
        .iter()
        .find(|e| e.key == EndpointKey::new("GET", "/health/"))
        .unwrap();
    assert_eq!(health.requests, 183);
    assert_eq!(health.failures, 0);
    assert_eq!(health.median_ms, Some(14.0));
    assert_eq!(health.avg_ms, 13.754178420764465);
    assert_eq!(health.min_ms, Some(7.276034999961212));
    assert_eq!(health.max_ms, Some(39.468386000010014));
    assert_eq!(health.avg_content_size, 16.0);
    assert_eq!(health.rps, 4.803880197307176);
    assert_eq!(health.percentile(0.95), Some(17.0));
    assert_eq!(health.percentile(0.999), Some(39.0));
    let levels: Vec<f64> = health.percentiles.iter().map(|p| p.level).collect();
    assert_eq!(
        levels,
        [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
    );

    assert!(aggregated.key.is_aggregated());
    assert_eq!(aggregated.requests, 491);
    assert_eq!(aggregated.failures, 4);
    assert!(endpoints.iter().all(|e| !e.key.is_aggregated()));

    let run = endpoints
        .iter()
        .find(|e| e.key == EndpointKey::new("POST", "/analysis/run"))
        .unwrap();
    assert_eq!(run.failures, 4);
    assert_eq!(run.failures_per_s, 0.10500284584277982);
}

#[test]
fn names_with_commas_quotes_and_non_ascii_come_back_exactly() {
    let (endpoints, _) = read_stats(&fixture("shared-2.47/latest-1/latest-1_stats.csv")).unwrap();
    let names: Vec<&str> = endpoints.iter().map(|e| e.key.name.as_str()).collect();
    assert!(names.contains(&"/items/{id}, \"detail\""), "{names:?}");
    assert!(names.contains(&"/rapport/résumé ✓"), "{names:?}");
    let metrics = endpoints
        .iter()
        .find(|e| e.key.name == "/system/metrics")
        .unwrap();
    assert_eq!(metrics.median_ms, Some(180.0));
    assert_eq!(metrics.percentile(0.95), Some(260.0));
}

#[test]
fn baseline_failures_have_first_and_last_seen() {
    let failures =
        read_failures(&fixture("shared-2.47/baseline-1/baseline-1_failures.csv")).unwrap();
    assert_eq!(failures.len(), 2);
    let first = &failures[0];
    assert_eq!(first.key, EndpointKey::new("POST", "/analysis/run"));
    assert_eq!(first.occurrences, 3);
    assert_eq!(first.first_seen.as_deref(), Some("2026-11-28T09:48:26Z"));
    assert_eq!(first.last_seen.as_deref(), Some("2026-11-28T09:48:58Z"));
    assert!(failures[1]
        .error
        .starts_with("ReadTimeout(ReadTimeoutError(\"HTTPConnectionPool"));
}

#[test]
fn exceptions_header_only_and_multi_line_traceback() {
    let none =
        read_exceptions(&fixture("shared-2.47/baseline-1/baseline-1_exceptions.csv")).unwrap();
    assert!(none.is_empty());
    let some = read_exceptions(&fixture("shared-2.47/latest-1/latest-1_exceptions.csv")).unwrap();
    assert_eq!(some.len(), 1);
    let exception = &some[0];
    assert_eq!(exception.count, 1);
    assert_eq!(
        exception.message,
        "Expecting value: line 1 column 1 (char 0)"
    );
    assert!(exception.traceback.lines().count() > 5);
    assert!(exception.traceback.contains("job = resp.json()[\"job\"]"));
    assert_eq!(exception.nodes, "local");
}

#[test]
fn history_full_rows_and_first_aggregated_row() {
    let history = read_history(&fixture(
        "shared-2.47/baseline-1/baseline-1_stats_history.csv",
    ))
    .unwrap();
    assert_eq!(history.len(), 303);
    let first = &history[0];
    assert!(first.key.is_aggregated());
    assert_eq!(first.timestamp, 1795859305);
    assert_eq!(first.user_count, 0);
    assert!(first.percentiles.iter().all(|p| p.value_ms.is_none()));
    assert_eq!(first.percentiles.len(), 11);
    assert_eq!(first.total_requests, 0);
    assert_eq!(first.total_median_ms, None);
    assert_eq!(first.total_min_ms, None);
    assert_eq!(first.rps, 0.0);
    assert!(history.iter().any(|r| !r.key.is_aggregated()));
    let health = history.iter().find(|r| r.key.name == "/health/").unwrap();
    assert_eq!(health.timestamp, 1795859306);
    assert_eq!(health.total_requests, 3);
    assert_eq!(health.total_median_ms, Some(36.0));
    assert_eq!(health.total_avg_ms, 28.09293366666073);
}

#[test]
fn read_run_and_load_runs_on_the_samples() {
    let runs = load_runs(&fixture("shared-2.47/latest-1")).unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.files.name, "latest-1");
    assert_eq!(run.aggregated.requests, 486);
    assert_eq!(run.failures.len(), 2);
    assert_eq!(run.exceptions.len(), 1);
    assert!(run.has_full_history());
    assert_eq!(run.peak_users(), Some(10));
}

#[test]
fn bom_and_lf_endings_read_like_the_original() {
    let (bom, bom_total) = read_stats(&fixture("malformed/bom_stats.csv")).unwrap();
    let (lf, lf_total) = read_stats(&fixture("malformed/lf-endings_stats.csv")).unwrap();
    assert_eq!(bom, lf);
    assert_eq!(bom_total, lf_total);
    assert_eq!(bom[0].key, EndpointKey::new("GET", "/health/"));
    assert_eq!(bom[0].requests, 183);
}

#[test]
fn extra_unknown_column_is_ignored() {
    let (endpoints, aggregated) = read_stats(&fixture("malformed/extra-column_stats.csv")).unwrap();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(aggregated.requests, 183);
}

#[test]
fn v1_float_median_and_rows_without_requests() {
    let (endpoints, _) = read_stats(&fixture("malformed/v1-median-float_stats.csv")).unwrap();
    assert_eq!(endpoints[0].median_ms, Some(150.0));
    assert_eq!(endpoints[0].avg_content_size, 512.0);
    let never = &endpoints[1];
    assert_eq!(never.requests, 0);
    assert_eq!(never.median_ms, None);
    assert_eq!(never.min_ms, None);
    assert_eq!(never.max_ms, None);
    assert_eq!(never.avg_ms, 0.0);
    assert!(never.percentiles.iter().all(|p| p.value_ms.is_none()));
}

#[test]
fn v1_0_history_with_quoted_numbers_and_99_999_column() {
    let history = read_history(&fixture("malformed/v1-0-quoted_stats_history.csv")).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].timestamp, 1590000001);
    assert_eq!(history[1].percentiles.len(), 12);
    assert!((history[1].percentiles[10].level - 0.99999).abs() < 1e-12);
    assert_eq!(history[1].total_avg_ms, 147.0);
    assert_eq!(history[0].percentiles[0].value_ms, None);
}

#[test]
fn v1_failures_without_first_and_last_seen() {
    let failures = read_failures(&fixture("malformed/v1-no-seen_failures.csv")).unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].occurrences, 7);
    assert_eq!(failures[0].first_seen, None);
    assert_eq!(failures[0].last_seen, None);
}

#[test]
fn semicolon_delimiter() {
    let (e, message) = stats_error("semicolon_stats.csv");
    assert!(matches!(e, LocustError::WrongDelimiter { line: 1, .. }));
    assert_eq!(
        message,
        format!(
            "{}:1: expected comma-separated values, found a header that is one field containing ';'; save the file with commas as Locust writes it",
            shown("semicolon_stats.csv")
        )
    );
}

#[test]
fn tab_delimiter() {
    let (_, message) = stats_error("tab-delimited_stats.csv");
    assert!(
        message.contains(":1: expected comma-separated values"),
        "{message}"
    );
    assert!(message.contains("tabs"), "{message}");
}

#[test]
fn missing_column_is_named() {
    let (e, message) = stats_error("missing-column_stats.csv");
    assert!(matches!(e, LocustError::MissingColumn { .. }));
    assert_eq!(
        message,
        format!(
            "{}:1: expected a column named \"Request Count\" in the _stats.csv header, found none; is this a Locust _stats.csv file?",
            shown("missing-column_stats.csv")
        )
    );
}

#[test]
fn duplicate_column_is_named_with_both_positions() {
    let (e, message) = stats_error("duplicate-column_stats.csv");
    assert!(matches!(
        e,
        LocustError::DuplicateColumn {
            column: 23,
            first: 3,
            ..
        }
    ));
    assert_eq!(
        message,
        format!(
            "{}:1:23: expected each column once, found \"Request Count\" again (first at column 3)",
            shown("duplicate-column_stats.csv")
        )
    );
}

#[test]
fn truncated_row_gives_its_line() {
    let (e, message) = stats_error("truncated-row_stats.csv");
    assert!(matches!(
        e,
        LocustError::TruncatedRow {
            line: 3,
            expected: 22,
            found: 6,
            ..
        }
    ));
    assert!(message.starts_with(&format!(
        "{}:3: expected 22 fields",
        shown("truncated-row_stats.csv")
    )));
    assert!(message.contains("truncated"), "{message}");
}

#[test]
fn unquoted_comma_gives_extra_fields() {
    let (e, message) = stats_error("extra-fields_stats.csv");
    assert!(matches!(e, LocustError::ExtraFields { line: 2, .. }));
    assert!(
        message.contains(":2: expected 22 fields as in the header, found 23"),
        "{message}"
    );
}

#[test]
fn negative_count() {
    let (e, message) = stats_error("negative-count_stats.csv");
    assert_eq!(e.line(), Some(2));
    assert_eq!(
        message,
        format!(
            "{}:2:3: expected a count (a whole number ≥ 0), found \"-3\" (column \"Request Count\")",
            shown("negative-count_stats.csv")
        )
    );
}

#[test]
fn overflowing_count() {
    let (_, message) = stats_error("overflow-count_stats.csv");
    assert!(message.contains(":2:3: expected a count no larger than 18446744073709551615, found \"18446744073709551616\" (column \"Request Count\")"), "{message}");
}

#[test]
fn fractional_count() {
    let (_, message) = stats_error("fractional-count_stats.csv");
    assert!(
        message.contains(":2:3: expected a count (a whole number ≥ 0), found \"18.5\""),
        "{message}"
    );
}

#[test]
fn text_in_a_number_column() {
    let (_, message) = stats_error("text-in-number_stats.csv");
    assert_eq!(
        message,
        format!(
            "{}:2:6: expected a number ≥ 0, found \"fast\" (column \"Average Response Time\")",
            shown("text-in-number_stats.csv")
        )
    );
}

#[test]
fn non_finite_number() {
    let (_, message) = stats_error("nan-value_stats.csv");
    assert!(
        message
            .contains(":2:10: expected a finite number ≥ 0, found \"NaN\" (column \"Requests/s\")"),
        "{message}"
    );
}

#[test]
fn empty_file() {
    let (e, message) = stats_error("empty_stats.csv");
    assert!(matches!(e, LocustError::Empty { .. }));
    assert_eq!(
        message,
        format!(
            "{}: empty file; expected a Locust _stats.csv header line (did the run stop before Locust wrote it?)",
            shown("empty_stats.csv")
        )
    );
    let history = read_history(&fixture("malformed/empty_stats.csv")).unwrap_err();
    assert!(history.to_string().contains("_stats_history.csv header"));
}

#[test]
fn binary_garbage() {
    let (e, message) = stats_error("binary_stats.csv");
    assert!(matches!(e, LocustError::NotText { .. }));
    assert!(
        message.contains(":1:1: expected UTF-8 text, found byte 0x89"),
        "{message}"
    );
}

#[test]
fn nul_byte_in_utf8_text() {
    let e = read_stats_from_bytes(b"Type,Name\r\nGET,/a\0b\r\n", Path::new("nul.csv")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "nul.csv:2:7: expected UTF-8 text, found a NUL byte; is this a binary file?"
    );
    let utf16 = read_failures_from_bytes(b"\xFF\xFEM\0e\0", Path::new("u.csv")).unwrap_err();
    assert_eq!(
        utf16.to_string(),
        "u.csv:1:1: expected UTF-8 text, found a UTF-16 byte-order mark; save the file as UTF-8 (Locust writes UTF-8)"
    );
}

#[test]
fn no_aggregated_row() {
    let (e, message) = stats_error("no-aggregated_stats.csv");
    assert!(matches!(e, LocustError::NoAggregated { .. }));
    assert!(message.contains("expected an Aggregated row"), "{message}");
}

#[test]
fn duplicate_endpoint_row() {
    let text = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s\n\
GET,/a,1,0,1,1,1,1,1,1,0\nGET,/a,1,0,1,1,1,1,1,1,0\n,Aggregated,2,0,1,1,1,1,1,1,0\n";
    let e = read_stats_from_bytes(text.as_bytes(), Path::new("dup.csv")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dup.csv:3: expected one row per endpoint, found a second row for \"GET /a\" (first at line 2)"
    );
}

#[test]
fn header_only_failures_and_custom_percentiles() {
    let failures =
        read_failures_from_bytes(b"Method,Name,Error,Occurrences\r\n", Path::new("f.csv")).unwrap();
    assert!(failures.is_empty());
    let text = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,25%,99.95%,x%,150%\n\
,Aggregated,2,0,1,1.5,1,2,0,1,0,1,2,junk,junk\n";
    let (_, total) = read_stats_from_bytes(text.as_bytes(), Path::new("p.csv")).unwrap();
    let levels: Vec<f64> = total.percentiles.iter().map(|p| p.level).collect();
    assert_eq!(levels, [0.25, 0.9995]);
    assert_eq!(total.percentile(0.9995), Some(2.0));
}

#[test]
fn percentile_column_names() {
    use super::fields::percentile_level;
    assert_eq!(percentile_level("50%"), Some(0.5));
    assert_eq!(percentile_level("99.9%"), Some(0.999));
    assert_eq!(percentile_level("99.999%"), Some(0.99999));
    assert_eq!(percentile_level("100%"), Some(1.0));
    for bad in [
        "%", ".5%", "95.%", "0%", "101%", "95", "-5%", "9 5%", "1e2%",
    ] {
        assert_eq!(percentile_level(bad), None, "{bad}");
    }
}

#[test]
fn line_numbers_count_multi_line_fields_and_blank_lines() {
    let text = "\r\nCount,Message,Traceback,Nodes\r\n1,boom,\"line a\nline b\nline c\",local\r\n\r\nx,boom,tb,local\r\n";
    let e = read_exceptions_from_bytes(text.as_bytes(), Path::new("e.csv")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "e.csv:7:1: expected a count (a whole number ≥ 0), found \"x\" (column \"Count\")"
    );
    let header = "Count,Message\r\n";
    let e = read_exceptions_from_bytes(format!("\n\n{header}").as_bytes(), Path::new("h.csv"))
        .unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert!(e.to_string().contains("\"Traceback\""), "{e}");
}

#[test]
fn history_bad_timestamp_names_its_column() {
    let path = fixture("malformed/v1-0-quoted_stats_history.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"1590000001\"", "\"yesterday\"");
    let e = read_history_from_bytes(text.as_bytes(), &path).unwrap_err();
    assert!(
        e.to_string().ends_with(
            ":3:1: expected a Unix time in whole seconds, found \"yesterday\" (column \"Timestamp\")"
        ),
        "{e}"
    );
}

#[test]
fn read_run_reports_the_failing_sibling() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("malformed/lf-endings_stats.csv"),
        dir.path().join("r_stats.csv"),
    )
    .unwrap();
    std::fs::write(dir.path().join("r_failures.csv"), "Method,Name,Error\n").unwrap();
    let e = load_runs(dir.path()).unwrap_err();
    assert!(matches!(e, LocustError::MissingColumn { .. }));
    assert_eq!(e.path(), dir.path().join("r_failures.csv"));
}

#[test]
fn malformed_fixtures_are_runs_the_cli_can_name() {
    let e = load_runs(&fixture("malformed/negative-count")).unwrap_err();
    assert!(matches!(
        e,
        LocustError::BadValue {
            line: 2,
            column: 3,
            ..
        }
    ));
    let runs = load_runs(&fixture("malformed/bom")).unwrap();
    assert_eq!(runs[0].files.name, "bom");
}

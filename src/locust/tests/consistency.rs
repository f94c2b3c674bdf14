//! Tests of the rules that tie fields and rows together ([`super::super::checks`]): one
//! hand-made fixture per rule in `fixtures/malformed/`, and the edge cases that must still read.

use std::path::Path;

use super::super::{load_runs, read_history, read_history_from_bytes, read_stats_from_bytes};
use super::{fixture, shown, stats_error};
use crate::locust::LocustError;

/// The stats header of the fixtures, without percentile columns.
const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,\
Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s";

/// The history header, with two percentile columns.
const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,\
Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,\
Total Min Response Time,Total Max Response Time,Total Average Content Size";

#[test]
fn more_failures_than_requests() {
    let (e, message) = stats_error("more-failures-than-requests_stats.csv");
    assert!(matches!(
        e,
        LocustError::Inconsistent {
            line: 2,
            column: 4,
            ..
        }
    ));
    assert_eq!(
        message,
        format!(
            "{}:2:4: expected a failure count no larger than the request count (1000 in column \"Request Count\"), found \"5000\" (column \"Failure Count\"); Locust never writes this: was the file edited, merged or damaged?",
            shown("more-failures-than-requests_stats.csv")
        )
    );
}

#[test]
fn min_above_max() {
    let (_, message) = stats_error("min-above-max_stats.csv");
    assert!(
        message.contains(":2:7: expected a minimum response time no larger than the maximum (39.468386000010014 in column \"Max Response Time\"), found \"45.1\" (column \"Min Response Time\")"),
        "{message}"
    );
}

#[test]
fn decreasing_percentiles() {
    let (_, message) = stats_error("decreasing-percentiles_stats.csv");
    assert!(
        message.contains(":2:18: expected percentiles that do not decrease as the level rises: at least 17 (column \"95%\"), found \"12\" (column \"98%\")"),
        "{message}"
    );
}

#[test]
fn history_that_goes_back_in_time() {
    let path = fixture("malformed/backwards-time_stats_history.csv");
    let e = read_history(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:7:1: expected timestamps that do not go back in time within the rows of \"GET /health/\": at least 1795859307, that of line 5, found \"1795859302\" (column \"Timestamp\"); was the file put together from several runs, or did the clock go back during the run?",
            shown("backwards-time_stats_history.csv")
        )
    );
    // The run the fixture belongs to is refused as a whole, naming the history file.
    let e = load_runs(&fixture("malformed/backwards-time")).unwrap_err();
    assert_eq!(e.path(), path);
}

#[test]
fn equal_timestamps_and_other_endpoints_earlier_rows_read() {
    let row = |t: i64, name: &str| format!("{t},1,GET,{name},1,0,10,20,5,0,10,12,8,30,2\n");
    let text = format!(
        "{HISTORY_HEADER}\n{}{}{}{}",
        row(100, "/a"),
        row(100, "/a"),
        row(90, "/b"),
        row(101, "/a")
    );
    let rows = read_history_from_bytes(text.as_bytes(), Path::new("h.csv")).unwrap();
    assert_eq!(rows.len(), 4);
    let back = format!("{text}{}", row(95, "/b").replace(",GET,/b,", ",GET,/a,"));
    let e = read_history_from_bytes(back.as_bytes(), Path::new("h.csv")).unwrap_err();
    assert!(
        e.to_string().starts_with("h.csv:6:1: expected timestamps"),
        "{e}"
    );
    assert!(
        e.to_string().contains("at least 101, that of line 5"),
        "{e}"
    );
}

#[test]
fn history_totals_and_min_max_are_checked_too() {
    let failures = format!("{HISTORY_HEADER}\n100,1,GET,/a,1,0,10,20,5,6,10,12,8,30,2\n");
    let e = read_history_from_bytes(failures.as_bytes(), Path::new("h.csv")).unwrap_err();
    assert!(
        e.to_string().starts_with("h.csv:2:10: expected a failure count no larger than the request count (5 in column \"Total Request Count\"), found \"6\""),
        "{e}"
    );
    let min_max = format!("{HISTORY_HEADER}\n100,1,GET,/a,1,0,10,20,5,0,10,12,31,30,2\n");
    let e = read_history_from_bytes(min_max.as_bytes(), Path::new("h.csv")).unwrap_err();
    assert!(
        e.to_string().starts_with("h.csv:2:13: expected a minimum"),
        "{e}"
    );
    // The history's current percentiles are not checked: each is taken at its own moment.
    let falling = format!("{HISTORY_HEADER}\n100,1,GET,/a,1,0,20,10,5,0,10,12,8,30,2\n");
    assert!(read_history_from_bytes(falling.as_bytes(), Path::new("h.csv")).is_ok());
}

#[test]
fn equal_failures_and_requests_rows_without_requests_and_na_percentiles_read() {
    let text = format!(
        "{STATS_HEADER},50%,95%,99%\n\
GET,/all-fail,4,4,10,10,9,11,0,1,1,10,11,11\n\
GET,/never,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A\n\
GET,/flat,3,0,10,10,10,10,0,1,0,10,10,10\n\
,Aggregated,7,4,10,10,9,11,0,2,1,10,11,11\n"
    );
    let (endpoints, total) = read_stats_from_bytes(text.as_bytes(), Path::new("s.csv")).unwrap();
    assert_eq!(endpoints.len(), 3);
    assert_eq!(total.failures, 4);
    // A row without requests has no min or max (both are stored as None): what is written
    // there is not compared.
    let v1 =
        format!("{STATS_HEADER}\nGET,/never,0,0,0,0,12,0,0,0,0\n,Aggregated,0,0,0,0,12,0,0,0,0\n");
    assert!(read_stats_from_bytes(v1.as_bytes(), Path::new("s.csv")).is_ok());
    // Failures without any request are refused: 1 of 0.
    let orphan = format!("{STATS_HEADER}\n,Aggregated,0,1,0,0,0,0,0,0,0\n");
    let e = read_stats_from_bytes(orphan.as_bytes(), Path::new("s.csv")).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "s.csv:2:4: expected a failure count no larger than the request count (0 in column"
        ),
        "{e}"
    );
}

#[test]
fn a_bad_value_is_reported_before_an_inconsistency() {
    let text = format!("{STATS_HEADER}\nGET,/a,1,5,x,0,0,0,0,0,0\n");
    let e = read_stats_from_bytes(text.as_bytes(), Path::new("s.csv")).unwrap_err();
    assert!(matches!(e, LocustError::BadValue { column: 5, .. }), "{e}");
}

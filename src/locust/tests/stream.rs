//! The streaming reader gives what a reader of the whole file gives, wherever the chunks end.
//!
//! Every reader is run with the text check reading 1, 2, 3, 5 or 64 bytes at a time and must
//! return exactly what it returns with its usual 64 KiB chunks (every value, every message);
//! and problems that a check of the whole file finds first (a byte that is not UTF-8, a NUL)
//! are reported before any problem met earlier in the file, with their line and column.

use std::fmt::Debug;
use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;

use super::super::error::{FileKind, LocustError};
use super::super::fields::{stream, Table};
use super::super::text::TextCheck;
use super::super::{exceptions, failures, histograms, history, stats};
use super::fuzz::{mutate, mutation, SAMPLES};

/// Reads `bytes` with `read`, `chunk` bytes at a time, into text to compare.
fn read_in_chunks<T: Debug>(
    bytes: &[u8],
    chunk: usize,
    kind: FileKind,
    read: fn(&mut Table<'_>) -> Result<T, LocustError>,
) -> String {
    let text = TextCheck::with_chunk(Box::new(bytes), chunk);
    format!("{:?}", stream(text, Path::new("s.csv"), kind, read))
}

/// Every reader's outcome on `bytes` read `chunk` bytes at a time.
fn every_reader(bytes: &[u8], chunk: usize) -> [String; 5] {
    [
        read_in_chunks(bytes, chunk, FileKind::Stats, stats::stats_from_table),
        read_in_chunks(bytes, chunk, FileKind::History, history::history_from_table),
        read_in_chunks(
            bytes,
            chunk,
            FileKind::Failures,
            failures::failures_from_table,
        ),
        read_in_chunks(
            bytes,
            chunk,
            FileKind::Exceptions,
            exceptions::exceptions_from_table,
        ),
        read_in_chunks(
            bytes,
            chunk,
            FileKind::Histograms,
            histograms::from_driver_csv,
        ),
    ]
}

/// Asserts that small chunks change nothing.
fn same_in_every_chunk_size(bytes: &[u8]) {
    let whole = every_reader(bytes, 64 * 1024);
    for chunk in [1, 2, 3, 5, 64] {
        assert_eq!(every_reader(bytes, chunk), whole, "chunks of {chunk} bytes");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_samples_read_alike_in_any_chunks(
        sample in 0..SAMPLES.len(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        same_in_every_chunk_size(&mutate(SAMPLES[sample], &mutations));
    }
}

#[test]
fn unmutated_samples_read_alike_in_any_chunks() {
    for sample in SAMPLES {
        same_in_every_chunk_size(sample);
    }
}

#[test]
fn utf8_split_across_chunks_and_line_ends_split_from_their_record() {
    let text = "\u{feff}Type,Name,Value,Count\r\n\r\nGET,/é€𝄞,1500,3\r\n,Aggregated,1500,x\r\n";
    same_in_every_chunk_size(text.as_bytes());
    let e =
        histograms::read_histograms_from_bytes(text.as_bytes(), Path::new("h.csv")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "h.csv:4:4: expected a count (a whole number ≥ 0), found \"x\" (column \"Count\")"
    );
}

/// A history of `seconds` × 3 rows (2 endpoints and Aggregated), over 64 KiB from 400 s on.
fn history(seconds: u64) -> String {
    let mut out = String::from(
        "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,100%,Total Request Count,\
         Total Failure Count,Total Median Response Time,Total Average Response Time,\
         Total Min Response Time,Total Max Response Time,Total Average Content Size\r\n",
    );
    for s in 0..seconds {
        for (kind, name) in [("GET", "/a"), ("POST", "/b"), ("", "Aggregated")] {
            let _ = write!(
                out,
                "{},10,{kind},{name},9.500000,0.000000,12,40,{},0,12,13.25,3,40,128\r\n",
                1_795_859_305 + s,
                s * 10
            );
        }
    }
    out
}

#[test]
fn a_history_of_many_chunks_reads_every_row() {
    let text = history(1000);
    assert!(text.len() > 3 * 64 * 1024);
    let rows = history::read_history_from_bytes(text.as_bytes(), Path::new("h.csv")).unwrap();
    assert_eq!(rows.len(), 3000);
    assert_eq!(rows[2999].timestamp, 1_795_859_305 + 999);
    assert_eq!(rows[2999].total_requests, 9990);
    assert!(rows[2999].key.is_aggregated());
    assert_eq!(rows[2998].key.to_string(), "POST /b");
    assert_eq!(rows[2998].percentiles[1].value_ms, Some(40.0));
    assert_eq!(
        read_in_chunks(
            text.as_bytes(),
            7,
            FileKind::History,
            history::history_from_table
        ),
        format!("{:?}", Ok::<_, LocustError>(rows))
    );
}

#[test]
fn an_error_late_in_a_long_file_names_its_line() {
    let mut text = history(1000);
    text.push_str("1795860305,10,GET,/a,9.5\r\n");
    let e = history::read_history_from_bytes(text.as_bytes(), Path::new("h.csv")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "h.csv:3002: expected 15 fields as in the header, found 5; the row is truncated (was the \
         file cut off while Locust wrote it?)"
    );
}

#[test]
fn text_problems_anywhere_come_before_other_problems() {
    let path = Path::new("h.csv");
    // A truncated row on line 2 and a NUL byte on line 2999, column 4: the NUL is reported.
    let mut lines: Vec<String> = history(1000).lines().map(str::to_owned).collect();
    lines[1].truncate(20);
    lines[2998].replace_range(3..4, "\0");
    let text = lines.join("\n");
    let e = history::read_history_from_bytes(text.as_bytes(), path).unwrap_err();
    assert_eq!(
        e.to_string(),
        "h.csv:2999:4: expected UTF-8 text, found a NUL byte; is this a binary file?"
    );
    // A byte that is not UTF-8 after the NUL is reported instead of it.
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"\n12,\xC3(\n");
    let e = history::read_history_from_bytes(&bytes, path).unwrap_err();
    assert_eq!(
        e.to_string(),
        "h.csv:3002:4: expected UTF-8 text, found byte 0xC3; is this a binary file?"
    );
    // A UTF-8 sequence cut off by the end of the file.
    let e = stats::read_stats_from_bytes(b"\xEF\xBB\xBFType,Name\n,\xE2\x82", path).unwrap_err();
    assert_eq!(
        e.to_string(),
        "h.csv:2:2: expected UTF-8 text, found byte 0xE2; is this a binary file?"
    );
}

#[test]
fn a_file_on_disk_streams_like_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run_stats_history.csv");
    let mut text = history(600);
    text.push_str("1795860305,10,GET,/a,9.5,0,12,40,7,8,12,13.25,3,40,128\r\n");
    std::fs::write(&path, &text).unwrap();
    let from_disk = history::read_history(&path).unwrap_err().to_string();
    let from_bytes = history::read_history_from_bytes(text.as_bytes(), &path)
        .unwrap_err()
        .to_string();
    assert_eq!(from_disk, from_bytes);
    assert!(
        from_disk.ends_with(":1802:10: expected a failure count no larger than the request count (7 in column \"Total Request Count\"), found \"8\" (column \"Total Failure Count\"); Locust never writes this: was the file edited, merged or damaged?"),
        "{from_disk}"
    );
}

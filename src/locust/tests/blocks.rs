//! Reading a history in blocks on several threads gives what the one-thread reader gives, or
//! declines; it never gives anything else.
//!
//! Blocks of a few bytes put a cut at every line, so that every way a record can meet a cut
//! is met: quoted names holding line ends, `\r\n` line ends, a byte-order mark, rows the
//! reader refuses, timestamps that go back.

use std::path::Path;

use proptest::prelude::*;

use super::super::error::FileKind;
use super::super::fields::read_file;
use super::super::history::{self, blocks};
use super::fuzz::{mutate, mutation, SAMPLES};
use crate::timeseries::History;

/// The Locust 2.47 histories among the fuzz samples.
const HISTORIES: [usize; 2] = [1, 5];

/// The one-thread reader's outcome on the file at `path`.
fn one_thread(path: &Path) -> Option<History> {
    read_file(path, FileKind::History, history::compact_from_table).ok()
}

/// Writes `bytes` to a file and reads it in blocks of `block` bytes on `threads` threads;
/// gives that and the one-thread reading, as text (a history's `N/A` is a NaN, which `==`
/// would call unequal to itself).
fn in_blocks(bytes: &[u8], block: usize, threads: usize) -> (Option<String>, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h_stats_history.csv");
    std::fs::write(&path, bytes).unwrap();
    let plan = blocks::Plan {
        block,
        threads,
        from_bytes: 0,
    };
    let text = |history: Option<History>| history.map(|h| format!("{h:?}"));
    (text(blocks::load(&path, &plan)), text(one_thread(&path)))
}

/// A history of `rows` rows of three endpoints, one named with a comma, a quote and a line
/// end (`\r\n` after each line when `crlf`).
fn quoted_history(rows: usize, crlf: bool) -> Vec<u8> {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut text = format!(
        "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,Total Request Count,\
         Total Failure Count,Total Median Response Time,Total Average Response Time,\
         Total Min Response Time,Total Max Response Time,Total Average Content Size{end}"
    );
    let names = ["/a", "\"/b,\"\"x\"\"\ny\"", "/c"];
    for i in 0..rows {
        let name = names[i % names.len()];
        let t = 1_700_000_000 + i / names.len();
        text += &format!(
            "{t},5,GET,{name},2.5,0,{},20,{i},0,10,11.5,3,40,100{end}",
            10 + i % 7
        );
    }
    text.into_bytes()
}

#[test]
fn every_cut_of_a_history_with_quoted_line_ends() {
    for crlf in [false, true] {
        let bytes = quoted_history(40, crlf);
        for block in [1, 2, 3, 7, 50, 64, 200, 10_000] {
            let (blocks, one) = in_blocks(&bytes, block, 2);
            assert!(one.is_some());
            if let Some(history) = &blocks {
                assert_eq!(Some(history), one.as_ref(), "block {block}, crlf {crlf}");
            }
        }
        // A block longer than the file ends where a record ends.
        let (blocks, one) = in_blocks(&bytes, 10_000, 3);
        assert!(blocks.is_some());
        assert_eq!(blocks, one);
    }
}

#[test]
fn a_cut_inside_a_quoted_name_is_caught() {
    // The cut after the first line of a name that holds a line end: the block before it
    // ends inside the quotes, so the blocks decline.
    let bytes = quoted_history(6, false);
    let cut = memchr::memmem::find(&bytes, b"\ny\"").unwrap() + 1;
    let (blocks, one) = in_blocks(&bytes, cut, 2);
    assert!(one.is_some());
    assert_eq!(blocks, None);
}

#[test]
fn recorded_histories_in_blocks_are_the_one_thread_reading() {
    for sample in HISTORIES {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SAMPLES[sample]);
        for bytes in [SAMPLES[sample], &bom] {
            for (block, threads) in [(1, 2), (100, 2), (4096, 3), (1 << 20, 2)] {
                let (blocks, one) = in_blocks(bytes, block, threads);
                assert!(one.is_some());
                assert_eq!(blocks, one, "sample {sample}, block {block}");
            }
        }
    }
}

/// [`quoted_history`] with the name that holds a line end written `/b`: every line ends a
/// record.
fn single_line_history(rows: usize, crlf: bool) -> String {
    let text = String::from_utf8(quoted_history(rows, crlf)).unwrap();
    text.replace("\"/b,\"\"x\"\"\ny\"", "/b")
}

#[test]
fn every_cut_of_a_history_of_single_lines_is_kept() {
    for crlf in [false, true] {
        let text = single_line_history(40, crlf);
        for block in [1, 2, 3, 7, 50, 64, 200, 10_000] {
            let (blocks, one) = in_blocks(text.as_bytes(), block, 2);
            assert!(blocks.is_some(), "block {block}, crlf {crlf}");
            assert_eq!(blocks, one);
        }
    }
}

#[test]
fn a_history_without_percentile_columns() {
    let text = single_line_history(30, false);
    let text = text.replace(",50%,95%", "").replace(",2.5,0,", ",2.5,0;");
    // Drop the two percentile fields of each row: `10..16,20` after the rates.
    let text: String = text
        .lines()
        .map(|line| match line.split_once(";") {
            Some((head, tail)) => {
                let tail = tail.splitn(3, ',').nth(2).unwrap();
                format!("{head},{tail}\n")
            }
            None => format!("{line}\n"),
        })
        .collect();
    let (blocks, one) = in_blocks(text.as_bytes(), 100, 2);
    assert!(one.as_deref().is_some_and(|h| h.contains("levels: []")));
    assert_eq!(blocks, one);
}

#[test]
fn a_line_longer_than_the_longest_is_left_to_the_one_thread_reader() {
    // Lines ending in `\r` alone: no `\n` within the longest line a block may grow to.
    let text = single_line_history(25_000, false).replace('\n', "\r");
    assert!(text.len() > (1 << 20) + 64);
    let (blocks, one) = in_blocks(text.as_bytes(), 64, 2);
    assert!(one.is_some());
    assert_eq!(blocks, None);
}

#[test]
fn one_thread_or_a_short_file_is_left_to_the_one_thread_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h_stats_history.csv");
    std::fs::write(&path, SAMPLES[1]).unwrap();
    let plan = |threads, from_bytes| blocks::Plan {
        block: 64,
        threads,
        from_bytes,
    };
    assert_eq!(blocks::load(&path, &plan(1, 0)), None);
    assert_eq!(blocks::load(&path, &plan(2, 1 << 30)), None);
    assert!(blocks::load(&path, &plan(2, 0)).is_some());
}

#[test]
fn rewound_and_refused_rows_are_left_to_the_one_thread_reader() {
    let text = String::from_utf8(quoted_history(30, false)).unwrap();
    let rewound = text.replacen("1700000009,", "1600000000,", 1);
    let refused = text.replacen(",11.5,", ",eleven,", 1);
    let not_text = text.replacen("/c", "/\u{0}", 1);
    for bad in [rewound, refused, not_text] {
        let (blocks, one) = in_blocks(bad.as_bytes(), 64, 2);
        assert_eq!(one, None);
        assert_eq!(blocks, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_histories_in_blocks_are_the_one_thread_reading_or_declined(
        sample in 0..HISTORIES.len(),
        mutations in prop::collection::vec(mutation(), 1..5),
        block in 1usize..400,
    ) {
        let bytes = mutate(SAMPLES[HISTORIES[sample]], &mutations);
        let (blocks, one) = in_blocks(&bytes, block, 2);
        if blocks.is_some() {
            prop_assert_eq!(blocks, one);
        }
    }
}

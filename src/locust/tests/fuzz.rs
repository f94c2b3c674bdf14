//! Property tests: no input makes a reader panic.
//!
//! Every reader gets (a) random bytes and (b) the real 2.47 sample files mutated by byte
//! flips, insertions, truncation and line deletion or duplication; each must return `Ok` or
//! `Err`. The case counts keep the whole test to a few seconds on a shared 2-core machine.

use std::path::Path;

use proptest::prelude::*;

use super::super::{
    read_exceptions_from_bytes, read_failures_from_bytes, read_histograms_from_bytes,
    read_history_from_bytes, read_stats_from_bytes,
};

/// The sample files, embedded so the test needs no I/O.
pub(super) const SAMPLES: [&[u8]; 8] = [
    include_bytes!("../../../fixtures/shared-2.47/baseline-1/baseline-1_stats.csv"),
    include_bytes!("../../../fixtures/shared-2.47/baseline-1/baseline-1_stats_history.csv"),
    include_bytes!("../../../fixtures/shared-2.47/baseline-1/baseline-1_failures.csv"),
    include_bytes!("../../../fixtures/shared-2.47/baseline-1/baseline-1_exceptions.csv"),
    include_bytes!("../../../fixtures/shared-2.47/latest-1/latest-1_stats.csv"),
    include_bytes!("../../../fixtures/shared-2.47/latest-1/latest-1_stats_history.csv"),
    include_bytes!("../../../fixtures/shared-2.47/latest-1/latest-1_failures.csv"),
    include_bytes!("../../../fixtures/shared-2.47/latest-1/latest-1_exceptions.csv"),
];

/// One edit to a sample; positions are taken modulo the current length.
#[derive(Debug, Clone)]
pub(super) enum Mutation {
    /// Replace the byte at a position.
    Set(usize, u8),
    /// Insert a byte (often a CSV special: quote, comma, newline).
    Insert(usize, u8),
    /// Cut the file at a position.
    Truncate(usize),
    /// Remove one line.
    DeleteLine(usize),
    /// Repeat one line.
    DuplicateLine(usize),
}

/// Bytes that matter to a CSV parser, weighted above random ones.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b'"'),
        Just(b','),
        Just(b'\n'),
        Just(b'\r'),
        Just(b'-'),
        Just(b'.'),
        Just(b'9'),
        Just(0u8),
        Just(0xC3u8),
        any::<u8>(),
    ]
}

pub(super) fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), interesting_byte()).prop_map(|(p, b)| Mutation::Set(p, b)),
        (any::<usize>(), interesting_byte()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
    ]
}

/// Applies the edits in order.
pub(super) fn mutate(sample: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = sample.to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Set(p, b) => {
                if let Some(slot) = bytes.get_mut(p % len) {
                    *slot = b;
                }
            }
            Mutation::Insert(p, b) => bytes.insert(p % (bytes.len() + 1), b),
            Mutation::Truncate(p) => bytes.truncate(p % len),
            Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
                let mut lines: Vec<Vec<u8>> = bytes
                    .split_inclusive(|&b| b == b'\n')
                    .map(<[u8]>::to_vec)
                    .collect();
                if !lines.is_empty() {
                    let i = i % lines.len();
                    if matches!(m, Mutation::DeleteLine(_)) {
                        lines.remove(i);
                    } else {
                        let line = lines[i].clone();
                        lines.insert(i, line);
                    }
                }
                bytes = lines.concat();
            }
        }
    }
    bytes
}

/// Feeds the bytes to every reader; reaching the end means none panicked.
fn read_with_every_reader(bytes: &[u8]) {
    let path = Path::new("fuzz.csv");
    let _ = read_stats_from_bytes(bytes, path);
    let _ = read_history_from_bytes(bytes, path);
    let _ = read_failures_from_bytes(bytes, path);
    let _ = read_exceptions_from_bytes(bytes, path);
    let _ = read_histograms_from_bytes(bytes, Path::new("fuzz_histograms.csv"));
    let _ = read_histograms_from_bytes(bytes, Path::new("fuzz.json"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        read_with_every_reader(&bytes);
    }

    #[test]
    fn random_csv_like_bytes_never_panic(bytes in prop::collection::vec(interesting_byte(), 0..300)) {
        read_with_every_reader(&bytes);
    }

    #[test]
    fn mutated_samples_never_panic(
        sample in 0..SAMPLES.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        read_with_every_reader(&mutate(SAMPLES[sample], &mutations));
    }
}

#[test]
fn unmutated_samples_read() {
    let path = Path::new("sample.csv");
    assert!(read_stats_from_bytes(SAMPLES[0], path).is_ok());
    assert!(read_history_from_bytes(SAMPLES[1], path).is_ok());
    assert!(read_failures_from_bytes(SAMPLES[2], path).is_ok());
    assert!(read_exceptions_from_bytes(SAMPLES[7], path).is_ok());
}

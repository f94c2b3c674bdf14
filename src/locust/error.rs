//! The one error type of the Locust readers.
//!
//! Every message is a single line in ripgrep's style — `PATH:LINE:COLUMN: what was expected,
//! what was found (column name)` — followed, where it helps, by what to do about it. Line and
//! column numbers are 1-based; the column is the CSV field number, not a character offset.

use std::io;
use std::path::{Path, PathBuf};

/// Why Locust output could not be found or read.
///
/// Each variant carries the path it is about, so the caller can print the message as is and
/// map every variant to the "bad input" exit code.
#[derive(Debug, thiserror::Error)]
pub enum LocustError {
    /// The file or directory exists but could not be read.
    #[error("{}: could not read: {source}", .path.display())]
    Io {
        /// The file or directory being read.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// Nothing matched the argument: `looked_for` is the file that was expected.
    #[error(
        "no {}; expected a _stats.csv file, a prefix or a directory",
        .looked_for.display()
    )]
    NotFound {
        /// The file that would have had to exist (`results/perf_stats.csv` for `results/perf`).
        looked_for: PathBuf,
    },

    /// A directory was given but holds no `*_stats.csv` file.
    #[error(
        "{}: no *_stats.csv file in this directory or its subfolders; expected Locust output written with --csv PREFIX",
        .dir.display()
    )]
    NoRunsInDir {
        /// The directory that was searched (and its subfolders, two levels down).
        dir: PathBuf,
    },

    /// A file was given whose name does not end in `_stats.csv` (nor in a sibling's suffix).
    #[error(
        "{}: not a Locust _stats.csv file; expected a _stats.csv file, a prefix or a directory",
        .path.display()
    )]
    NotStatsFile {
        /// The file that was given.
        path: PathBuf,
    },

    /// The file has no bytes (or only blank lines): not even a header.
    #[error(
        "{}: empty file; expected a Locust {kind} header line (did the run stop before Locust wrote it?)",
        .path.display()
    )]
    Empty {
        /// The empty file.
        path: PathBuf,
        /// Which Locust file it should have been (`_stats.csv`, …).
        kind: &'static str,
    },

    /// The file is not UTF-8 text (binary garbage, another encoding, a NUL byte).
    #[error(
        "{}:{line}:{column}: expected UTF-8 text, found {found}; {hint}",
        .path.display()
    )]
    NotText {
        /// The file.
        path: PathBuf,
        /// Line of the first offending byte.
        line: u64,
        /// Byte offset of that byte within its line, 1-based.
        column: u64,
        /// What was found, e.g. `byte 0xFF` or `a NUL byte`.
        found: String,
        /// What to check or do, e.g. `is this a binary file?`.
        hint: &'static str,
    },

    /// The header is a single field that contains another separator: not comma-separated.
    #[error(
        "{}:{line}: expected comma-separated values, found a header that is one field containing {delimiter}; save the file with commas as Locust writes it",
        .path.display()
    )]
    WrongDelimiter {
        /// The file.
        path: PathBuf,
        /// The header's line.
        line: u64,
        /// The separator seen, described (`';'`, `tabs`, `'|'`).
        delimiter: &'static str,
    },

    /// A column the reader needs is not in the header.
    #[error(
        "{}:{line}: expected a column named \"{column}\" in the {kind} header, found none; is this a Locust {kind} file?",
        .path.display()
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The header's line.
        line: u64,
        /// The column that is missing.
        column: String,
        /// Which Locust file it should be (`_stats.csv`, …).
        kind: &'static str,
    },

    /// The same column (or the same percentile level) appears twice in the header.
    #[error(
        "{}:{line}:{column}: expected each column once, found \"{name}\" again (first at column {first})",
        .path.display()
    )]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The header's line.
        line: u64,
        /// 1-based position of the second occurrence.
        column: u64,
        /// 1-based position of the first occurrence.
        first: u64,
        /// The column's name as written.
        name: String,
    },

    /// A field does not hold what its column needs.
    #[error(
        "{}:{line}:{column}: expected {expected}, found {found:?} (column \"{header}\")",
        .path.display()
    )]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The line the record starts on.
        line: u64,
        /// 1-based field number.
        column: u64,
        /// The column's name in the header.
        header: String,
        /// The text found (shortened when very long).
        found: String,
        /// What the column needs, e.g. `a count (a whole number ≥ 0)`.
        expected: &'static str,
    },

    /// A record has fewer fields than the header.
    #[error(
        "{}:{line}: expected {expected} fields as in the header, found {found}; the row is truncated (was the file cut off while Locust wrote it?)",
        .path.display()
    )]
    TruncatedRow {
        /// The file.
        path: PathBuf,
        /// The line the record starts on.
        line: u64,
        /// Fields in the header.
        expected: u64,
        /// Fields in the record.
        found: u64,
    },

    /// A record has more fields than the header.
    #[error(
        "{}:{line}: expected {expected} fields as in the header, found {found}; does a name with a comma lack its quotes?",
        .path.display()
    )]
    ExtraFields {
        /// The file.
        path: PathBuf,
        /// The line the record starts on.
        line: u64,
        /// Fields in the header.
        expected: u64,
        /// Fields in the record.
        found: u64,
    },

    /// A `_stats.csv` without Locust's total row.
    #[error(
        "{}: expected an Aggregated row (empty Type, Name \"Aggregated\"), found none; is the file complete?",
        .path.display()
    )]
    NoAggregated {
        /// The file.
        path: PathBuf,
    },

    /// Two `_stats.csv` rows for the same endpoint (or two Aggregated rows).
    #[error(
        "{}:{line}: expected one row per endpoint, found a second row for \"{key}\" (first at line {first})",
        .path.display()
    )]
    DuplicateRow {
        /// The file.
        path: PathBuf,
        /// The line of the second row.
        line: u64,
        /// The line of the first row.
        first: u64,
        /// The endpoint, as `METHOD name`.
        key: String,
    },

    /// A row whose fields contradict each other or an earlier row: more failures than
    /// requests, a minimum above the maximum, percentiles that decrease, a history that goes
    /// back in time. The numbers of such a file mean nothing, so it is refused.
    #[error(
        "{}:{line}:{column}: expected {expected}, found {found} (column \"{header}\"); {hint}",
        .path.display()
    )]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// The line the record starts on.
        line: u64,
        /// 1-based field number of the value that breaks the rule.
        column: u64,
        /// That column's name in the header.
        header: String,
        /// The rule, with the value it is measured against and where that value is.
        expected: String,
        /// The offending value, as written (quoted, shortened when very long).
        found: String,
        /// What may have happened to the file.
        hint: SuspectedCause,
    },

    /// A Locust `--json-file` output that is not the JSON Locust writes.
    #[error("{}:{line}:{column}: expected Locust's --json-file output (a list of entries with name, method and response_times): {message}", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the problem.
        line: u64,
        /// The 1-based column of the problem.
        column: u64,
        /// The parser's message.
        message: String,
    },
}

impl LocustError {
    /// The file or directory the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Io { path, .. }
            | Self::NotStatsFile { path }
            | Self::Empty { path, .. }
            | Self::NotText { path, .. }
            | Self::WrongDelimiter { path, .. }
            | Self::MissingColumn { path, .. }
            | Self::DuplicateColumn { path, .. }
            | Self::BadValue { path, .. }
            | Self::TruncatedRow { path, .. }
            | Self::ExtraFields { path, .. }
            | Self::NoAggregated { path }
            | Self::DuplicateRow { path, .. }
            | Self::Inconsistent { path, .. }
            | Self::Json { path, .. } => path,
            Self::NotFound { looked_for } => looked_for,
            Self::NoRunsInDir { dir } => dir,
        }
    }

    /// The 1-based line the error points at, when it points at one.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::NotText { line, .. }
            | Self::WrongDelimiter { line, .. }
            | Self::MissingColumn { line, .. }
            | Self::DuplicateColumn { line, .. }
            | Self::BadValue { line, .. }
            | Self::TruncatedRow { line, .. }
            | Self::ExtraFields { line, .. }
            | Self::DuplicateRow { line, .. }
            | Self::Inconsistent { line, .. }
            | Self::Json { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// What a file that breaks a consistency rule suggests happened to it; shown after the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuspectedCause {
    /// A row contradicts itself, which Locust never writes.
    Edited,
    /// A history goes back in time: the clock, or rows from several runs.
    Rewound,
}

impl std::fmt::Display for SuspectedCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Edited => "Locust never writes this: was the file edited, merged or damaged?",
            Self::Rewound => {
                "was the file put together from several runs, or did the clock go back during the run?"
            }
        })
    }
}

/// Shortens untrusted text for an error message: at most `MAX_FOUND` characters.
pub(crate) fn shorten(text: &str) -> String {
    const MAX_FOUND: usize = 60;
    if text.chars().count() <= MAX_FOUND {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX_FOUND).collect();
        short.push('…');
        short
    }
}

/// Describes a separator character for [`LocustError::WrongDelimiter`].
pub(crate) fn describe_delimiter(c: char) -> &'static str {
    match c {
        ';' => "';'",
        '\t' => "tabs",
        '|' => "'|'",
        _ => "another separator",
    }
}

/// Which of Locust's CSV files a reader expects; used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `PREFIX_stats.csv`.
    Stats,
    /// `PREFIX_stats_history.csv`.
    History,
    /// `PREFIX_failures.csv`.
    Failures,
    /// `PREFIX_exceptions.csv`.
    Exceptions,
    /// `PREFIX_histograms.csv` (the embedded driver's).
    Histograms,
}

impl FileKind {
    /// The file-name suffix Locust gives this kind of file.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Self::Stats => "_stats.csv",
            Self::History => "_stats_history.csv",
            Self::Failures => "_failures.csv",
            Self::Exceptions => "_exceptions.csv",
            Self::Histograms => "_histograms.csv",
        }
    }
}

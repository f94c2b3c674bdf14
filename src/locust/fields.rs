//! The CSV layer shared by every reader: text checks, the header, and typed fields.
//!
//! Locust's files are read whole (they are small), checked to be UTF-8 text, split into
//! records by the `csv` crate in flexible mode, and every record is checked against the
//! header's field count here, so that the readers only look columns up by name and convert
//! fields, each conversion reporting its line, column and column name on failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::error::{describe_delimiter, shorten, FileKind, LocustError, SuspectedCause};
use crate::model::{EndpointKey, Percentile};

/// The text Locust writes where a value does not exist (a row without requests).
const NOT_AVAILABLE: &str = "N/A";

/// Column names older Locust versions (0.x) used, mapped to today's names.
const ALIASES: &[(&str, &str)] = &[
    ("# requests", "Request Count"),
    ("# failures", "Failure Count"),
    ("Median response time", "Median Response Time"),
    ("Average response time", "Average Response Time"),
    ("Min response time", "Min Response Time"),
    ("Max response time", "Max Response Time"),
    ("Requests Failed/s", "Failures/s"),
];

/// A parsed file: its header and its records, each with the line it starts on.
pub(crate) struct Table {
    /// The file, for messages.
    pub(crate) path: PathBuf,
    /// The header row.
    pub(crate) header: Header,
    /// The data records in file order.
    pub(crate) rows: Vec<(u64, StringRecord)>,
}

/// The header row: column names and where each one is.
pub(crate) struct Header {
    /// The names as written (trimmed), in file order.
    names: Vec<String>,
    /// Canonical name → 0-based index.
    index: HashMap<String, usize>,
    /// The percentile columns: (0-based index, level), in file order.
    percentiles: Vec<(usize, f64)>,
    /// The header's line.
    line: u64,
    /// Which Locust file this is, for messages.
    kind: FileKind,
}

impl Header {
    /// The 0-based index of a column the reader cannot do without.
    pub(crate) fn require(&self, path: &Path, name: &str) -> Result<usize, LocustError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| LocustError::MissingColumn {
                path: path.to_owned(),
                line: self.line,
                column: name.to_owned(),
                kind: self.kind.suffix(),
            })
    }

    /// The 0-based index of a column only some Locust versions write.
    pub(crate) fn optional(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The percentile columns as (0-based index, level), in file order.
    pub(crate) fn percentiles(&self) -> &[(usize, f64)] {
        &self.percentiles
    }

    /// Number of columns.
    fn len(&self) -> usize {
        self.names.len()
    }

    /// The name of the column at a 0-based index (empty if out of range).
    fn name(&self, index: usize) -> &str {
        self.names.get(index).map(String::as_str).unwrap_or("")
    }
}

/// Reads a whole file as one of Locust's CSV files.
pub(crate) fn read_file(path: &Path, kind: FileKind) -> Result<Table, LocustError> {
    let bytes = std::fs::read(path).map_err(|source| LocustError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_table(&bytes, path, kind)
}

/// Checks the text, splits it into records and checks every record's field count.
pub(crate) fn parse_table(bytes: &[u8], path: &Path, kind: FileKind) -> Result<Table, LocustError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_text(bytes, path)?;

    let lines = LineIndex::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let mut header_record = None;
    for result in records.by_ref() {
        let record = result.map_err(|e| csv_error(path, &lines, &e))?;
        if !is_blank(&record) {
            header_record = Some(record);
            break;
        }
    }
    let Some(header_record) = header_record else {
        return Err(LocustError::Empty {
            path: path.to_owned(),
            kind: kind.suffix(),
        });
    };
    let header = parse_header(&header_record, lines.line_of(&header_record), path, kind)?;

    let mut rows = Vec::new();
    for result in records {
        let record = result.map_err(|e| csv_error(path, &lines, &e))?;
        if is_blank(&record) {
            continue;
        }
        let line = lines.line_of(&record);
        let (expected, found) = (header.len() as u64, record.len() as u64);
        if found < expected {
            return Err(LocustError::TruncatedRow {
                path: path.to_owned(),
                line,
                expected,
                found,
            });
        }
        if found > expected {
            return Err(LocustError::ExtraFields {
                path: path.to_owned(),
                line,
                expected,
                found,
            });
        }
        rows.push((line, record));
    }
    Ok(Table {
        path: path.to_owned(),
        header,
        rows,
    })
}

/// Refuses bytes that are not UTF-8 text or that hold a NUL byte (binary data).
fn check_text(bytes: &[u8], path: &Path) -> Result<(), LocustError> {
    const BINARY: &str = "is this a binary file?";
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(LocustError::NotText {
            path: path.to_owned(),
            line: 1,
            column: 1,
            found: "a UTF-16 byte-order mark".to_owned(),
            hint: "save the file as UTF-8 (Locust writes UTF-8)",
        });
    }
    let (offset, found) = match std::str::from_utf8(bytes) {
        Ok(text) => match text.find('\0') {
            Some(offset) => (offset, "a NUL byte".to_owned()),
            None => return Ok(()),
        },
        Err(e) => {
            let offset = e.valid_up_to();
            let byte = bytes.get(offset).copied().unwrap_or(0);
            (offset, format!("byte 0x{byte:02X}"))
        }
    };
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    Err(LocustError::NotText {
        path: path.to_owned(),
        line,
        column: offset.saturating_sub(line_start) as u64 + 1,
        found,
        hint: BINARY,
    })
}

/// Builds the header: column positions, percentile levels, duplicate and delimiter checks.
fn parse_header(
    record: &StringRecord,
    line: u64,
    path: &Path,
    kind: FileKind,
) -> Result<Header, LocustError> {
    if record.len() == 1 {
        let only = record.get(0).unwrap_or("");
        if let Some(c) = [';', '\t', '|'].into_iter().find(|&c| only.contains(c)) {
            return Err(LocustError::WrongDelimiter {
                path: path.to_owned(),
                line,
                delimiter: describe_delimiter(c),
            });
        }
    }

    let names: Vec<String> = record.iter().map(|n| n.trim().to_owned()).collect();
    let mut index = HashMap::new();
    let mut levels: Vec<(usize, f64)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        let canonical = ALIASES
            .iter()
            .find(|(old, _)| old == name)
            .map_or(name.as_str(), |(_, new)| new);
        let duplicate_of = match percentile_level(name) {
            Some(level) => {
                let first = levels.iter().find(|(_, l)| (l - level).abs() < 1e-12);
                let first = first.map(|&(j, _)| j);
                if first.is_none() {
                    levels.push((i, level));
                }
                first
            }
            None => {
                let first = index.get(canonical).copied();
                if first.is_none() {
                    index.insert(canonical.to_owned(), i);
                }
                first
            }
        };
        if let Some(first) = duplicate_of {
            return Err(LocustError::DuplicateColumn {
                path: path.to_owned(),
                line,
                column: i as u64 + 1,
                first: first as u64 + 1,
                name: name.clone(),
            });
        }
    }
    Ok(Header {
        names,
        index,
        percentiles: levels,
        line,
        kind,
    })
}

/// The level of a percentile column (`95%` → 0.95, `99.9%` → 0.999), if the name is one.
///
/// Locust names these columns from its configurable `PERCENTILES_TO_REPORT`: the integer
/// percent when it is whole, else the percent rounded to 6 decimals, then `%`.
pub(crate) fn percentile_level(name: &str) -> Option<f64> {
    let number = name.strip_suffix('%')?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    if number.ends_with('.') {
        return None;
    }
    let percent: f64 = number.parse().ok()?;
    let level = ((percent / 100.0) * 1e12).round() / 1e12;
    (level > 0.0 && level <= 1.0).then_some(level)
}

/// Whether a record is a blank line (one empty field).
fn is_blank(record: &StringRecord) -> bool {
    record.is_empty() || (record.len() == 1 && record.get(0).is_some_and(str::is_empty))
}

/// Maps byte offsets to 1-based line numbers.
///
/// The `csv` crate's own line count lags by one after a CRLF line end, and its byte position
/// may point at the line end before a record; so lines are counted here from the bytes.
struct LineIndex<'a> {
    /// The text.
    bytes: &'a [u8],
    /// Offsets of every `\n`, ascending.
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line ends of `bytes`.
    fn new(bytes: &'a [u8]) -> Self {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Self { bytes, newlines }
    }

    /// The line of the first byte at or after `offset` that is not a line end.
    fn line_at(&self, offset: u64) -> u64 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let start = self
            .bytes
            .get(offset..)
            .and_then(|rest| rest.iter().position(|&b| b != b'\r' && b != b'\n'))
            .map_or(offset, |skip| offset.saturating_add(skip));
        self.newlines.partition_point(|&n| n < start) as u64 + 1
    }

    /// The line a record starts on.
    fn line_of(&self, record: &StringRecord) -> u64 {
        record.position().map_or(0, |p| self.line_at(p.byte()))
    }
}

/// Turns a `csv` error into ours.
fn csv_error(path: &Path, lines: &LineIndex<'_>, error: &csv::Error) -> LocustError {
    LocustError::Csv {
        path: path.to_owned(),
        line: error.position().map_or(0, |p| lines.line_at(p.byte())),
        message: error.to_string(),
    }
}

/// One data record with the context its conversions need for messages.
pub(crate) struct Row<'a> {
    /// The file.
    path: &'a Path,
    /// The header, for column names.
    header: &'a Header,
    /// The line the record starts on.
    line: u64,
    /// The fields.
    record: &'a StringRecord,
}

impl Table {
    /// The data records, each wrapped with what its conversions need.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, record)| Row {
            path: &self.path,
            header: &self.header,
            line: *line,
            record,
        })
    }

    /// A required column's index.
    pub(crate) fn require(&self, name: &str) -> Result<usize, LocustError> {
        self.header.require(&self.path, name)
    }
}

impl Row<'_> {
    /// The line the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The text of a field, as written.
    pub(crate) fn text(&self, index: usize) -> &str {
        self.record.get(index).unwrap_or("")
    }

    /// The endpoint key from the Type (or Method) and Name columns.
    pub(crate) fn key(&self, method: usize, name: usize) -> EndpointKey {
        EndpointKey::new(self.text(method), self.text(name))
    }

    /// A count: a whole number ≥ 0 that fits in 64 bits.
    pub(crate) fn count(&self, index: usize) -> Result<u64, LocustError> {
        let text = self.text(index).trim();
        if let Ok(n) = text.parse::<u64>() {
            return Ok(n);
        }
        let all_digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        let expected = if all_digits {
            "a count no larger than 18446744073709551615"
        } else {
            "a count (a whole number ≥ 0)"
        };
        Err(self.bad(index, expected))
    }

    /// A Unix time in whole seconds.
    pub(crate) fn timestamp(&self, index: usize) -> Result<i64, LocustError> {
        self.text(index)
            .trim()
            .parse::<i64>()
            .map_err(|_| self.bad(index, "a Unix time in whole seconds"))
    }

    /// A finite number ≥ 0 (times, sizes, rates).
    pub(crate) fn number(&self, index: usize) -> Result<f64, LocustError> {
        match self.text(index).trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
            Ok(x) if !x.is_finite() => Err(self.bad(index, "a finite number ≥ 0")),
            _ => Err(self.bad(index, "a number ≥ 0")),
        }
    }

    /// A finite number ≥ 0, or `N/A` (→ `None`).
    pub(crate) fn number_or_na(&self, index: usize) -> Result<Option<f64>, LocustError> {
        if self.text(index).trim() == NOT_AVAILABLE {
            return Ok(None);
        }
        self.number(index)
            .map(Some)
            .map_err(|_| self.bad(index, "a number ≥ 0 or N/A"))
    }

    /// Every percentile column of the row, in file order.
    pub(crate) fn percentiles(&self) -> Result<Vec<Percentile>, LocustError> {
        self.header
            .percentiles()
            .iter()
            .map(|&(index, level)| {
                Ok(Percentile {
                    level,
                    value_ms: self.number_or_na(index)?,
                })
            })
            .collect()
    }

    /// The name of a column in the header, for messages.
    pub(crate) fn column_name(&self, index: usize) -> &str {
        self.header.name(index)
    }

    /// The percentile columns as (0-based index, level), in file order.
    pub(crate) fn percentile_columns(&self) -> &[(usize, f64)] {
        self.header.percentiles()
    }

    /// The error for a field that breaks a rule tying it to another field or row; `hint` says
    /// what may have happened to the file.
    pub(crate) fn inconsistent(
        &self,
        index: usize,
        expected: String,
        hint: SuspectedCause,
    ) -> LocustError {
        LocustError::Inconsistent {
            path: self.path.to_owned(),
            line: self.line,
            column: index as u64 + 1,
            header: self.header.name(index).to_owned(),
            expected,
            found: format!("{:?}", shorten(self.text(index))),
            hint,
        }
    }

    /// The error for a field that does not hold what its column needs.
    fn bad(&self, index: usize, expected: &'static str) -> LocustError {
        LocustError::BadValue {
            path: self.path.to_owned(),
            line: self.line,
            column: index as u64 + 1,
            header: self.header.name(index).to_owned(),
            found: shorten(self.text(index)),
            expected,
        }
    }
}

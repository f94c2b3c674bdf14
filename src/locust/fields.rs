//! The CSV layer shared by every reader: the header, records as they are read, typed fields.
//!
//! A file is streamed, never held: its bytes pass through the text check
//! ([`super::text::TextCheck`]) into [`Records`], which splits them into records as the `csv`
//! crate does (most lines in place, without copying); every record is checked against the
//! header's field count here and handed to the reader before the next one is read. Readers look columns up by name once, from the
//! header, and convert fields from their bytes (numbers without building a string), each
//! conversion reporting its line, column and column name on failure.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use super::error::{describe_delimiter, shorten, FileKind, LocustError, SuspectedCause};
use super::numbers;
use super::records::{Fields, Records};
use super::text::TextCheck;
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

/// A file being read: its header, then its records one at a time ([`Table::next_row`]);
/// `S` is where the records' text comes from: the file through the text check, or a block of
/// its lines already checked and in memory ([`block_table`]).
pub(crate) struct Table<'a, S = TextCheck<'a>> {
    /// The file, for messages.
    pub(crate) path: &'a Path,
    /// The header row.
    pub(crate) header: Header,
    /// The records.
    records: Records<S>,
    /// Whether [`Table::next_row`] has failed: the records after it are not checked.
    broken: bool,
}

/// The header row: column names and where each one is.
#[derive(Clone)]
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

/// Reads a file as one of Locust's CSV files: `read` gets the table once its header is read
/// and takes the records from it.
///
/// Errors are those a check of the whole file before parsing would give: text that is not
/// UTF-8 (or holds a NUL byte) anywhere in the file is reported before any other problem.
pub(crate) fn read_file<T>(
    path: &Path,
    kind: FileKind,
    read: impl FnOnce(&mut Table<'_>) -> Result<T, LocustError>,
) -> Result<T, LocustError> {
    let file = std::fs::File::open(path).map_err(|source| LocustError::Io {
        path: path.to_owned(),
        source,
    })?;
    stream(TextCheck::new(Box::new(file)), path, kind, read)
}

/// Like [`read_file`], from bytes already in memory; `path` names them in messages.
pub(crate) fn parse_table<T>(
    bytes: &[u8],
    path: &Path,
    kind: FileKind,
    read: impl FnOnce(&mut Table<'_>) -> Result<T, LocustError>,
) -> Result<T, LocustError> {
    stream(TextCheck::new(Box::new(bytes)), path, kind, read)
}

/// Reads the header, lets `read` take the records, then gives precedence over `read`'s outcome
/// to what a check of the whole file before conversion would have found: a record without
/// the header's field count after the one `read` stopped at, then the text check's verdict.
pub(crate) fn stream<'a, T>(
    text: TextCheck<'a>,
    path: &'a Path,
    kind: FileKind,
    read: impl FnOnce(&mut Table<'a>) -> Result<T, LocustError>,
) -> Result<T, LocustError> {
    let mut records = Records::new(text);
    let result = match read_header(&mut records, path, kind) {
        Ok(header) => {
            let mut table = Table {
                path,
                header,
                records,
                broken: false,
            };
            let mut result = read(&mut table);
            if !table.broken {
                // Every record's field count is checked before any record's values.
                if let Err(e) = table.skip_rest() {
                    result = Err(e);
                }
            }
            records = table.records;
            result
        }
        Err(e) => Err(e),
    };
    match records.source_mut().finish(path) {
        Some(not_text) => Err(not_text),
        None => result,
    }
}

/// A table of the lines in `block`, which starts with the file's header: the header read,
/// the records after it still to come. `None` when the block holds no header: the file is
/// then read whole to say why ([`read_file`]).
pub(crate) fn block_with_header(
    block: Vec<u8>,
    path: &Path,
    kind: FileKind,
) -> Option<Table<'_, io::Empty>> {
    let mut records = Records::in_memory(block);
    let header = read_header(&mut records, path, kind).ok()?;
    Some(Table {
        path,
        header,
        records,
        broken: false,
    })
}

/// A table of the lines in `block`, a run of whole lines from the file that `header` heads.
/// Its lines are numbered from 1 at the block's start, so its messages are not the file's:
/// a reader that meets an error here reads the file whole to report it.
pub(crate) fn block_table(block: Vec<u8>, path: &Path, header: Header) -> Table<'_, io::Empty> {
    Table {
        path,
        header,
        records: Records::in_memory(block),
        broken: false,
    }
}

impl Table<'_, io::Empty> {
    /// Whether the block ended inside a quoted field, so that its end was not a record's
    /// end and its records are not the file's ([`Records::ended_inside_quotes`]).
    pub(crate) fn ended_inside_quotes(&self) -> bool {
        self.records.ended_inside_quotes()
    }

    /// The block's buffer, to be filled again.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.records.into_buffer()
    }
}

/// Reads up to the first record that is not blank and builds the header from it.
fn read_header<S: io::Read>(
    records: &mut Records<S>,
    path: &Path,
    kind: FileKind,
) -> Result<Header, LocustError> {
    loop {
        let Some(line) = records.next_record().map_err(|e| io_error(path, e))? else {
            return Err(LocustError::Empty {
                path: path.to_owned(),
                kind: kind.suffix(),
            });
        };
        if !is_blank(records.fields()) {
            return parse_header(records.fields(), line, path, kind);
        }
    }
}

impl<S: io::Read> Table<'_, S> {
    /// The next data record (blank lines skipped), checked to have the header's field count;
    /// `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>, LocustError> {
        let line = match self.advance() {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.broken = true;
                return Err(e);
            }
        };
        Ok(Some(Row {
            path: self.path,
            header: &self.header,
            line,
            record: self.records.fields(),
        }))
    }

    /// Reads the records left, checking only their field counts.
    fn skip_rest(&mut self) -> Result<(), LocustError> {
        while self.next_row()?.is_some() {}
        Ok(())
    }

    /// Reads the next record that is not blank and checks its field count; returns its line,
    /// or `None` at the end of the file.
    fn advance(&mut self) -> Result<Option<u64>, LocustError> {
        let line = loop {
            let next = self.records.next_record();
            let Some(line) = next.map_err(|e| io_error(self.path, e))? else {
                return Ok(None);
            };
            if !is_blank(self.records.fields()) {
                break line;
            }
        };
        let found = self.records.fields().len() as u64;
        let expected = self.header.len() as u64;
        if found < expected {
            return Err(LocustError::TruncatedRow {
                path: self.path.to_owned(),
                line,
                expected,
                found,
            });
        }
        if found > expected {
            return Err(LocustError::ExtraFields {
                path: self.path.to_owned(),
                line,
                expected,
                found,
            });
        }
        Ok(Some(line))
    }

    /// A required column's index.
    pub(crate) fn require(&self, name: &str) -> Result<usize, LocustError> {
        self.header.require(self.path, name)
    }
}

/// Builds the header: column positions, percentile levels, duplicate and delimiter checks.
fn parse_header(
    record: Fields<'_>,
    line: u64,
    path: &Path,
    kind: FileKind,
) -> Result<Header, LocustError> {
    if record.len() == 1 {
        let only = utf8(record.get(0).unwrap_or(b""));
        if let Some(c) = [';', '\t', '|'].into_iter().find(|&c| only.contains(c)) {
            return Err(LocustError::WrongDelimiter {
                path: path.to_owned(),
                line,
                delimiter: describe_delimiter(c),
            });
        }
    }

    let names: Vec<String> = record.iter().map(|n| utf8(n).trim().to_owned()).collect();
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
fn is_blank(record: Fields<'_>) -> bool {
    record.len() == 0 || (record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty))
}

/// A failed read of the text: an I/O error on the file (or the text check's refusal, which
/// [`TextCheck::finish`] then reports in its place).
fn io_error(path: &Path, source: std::io::Error) -> LocustError {
    LocustError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A field's text. The text check hands the parser valid UTF-8 only, and the parser splits
/// it at ASCII bytes, so every field is valid UTF-8.
fn utf8(field: &[u8]) -> &str {
    std::str::from_utf8(field).unwrap_or_default()
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
    record: Fields<'a>,
}

impl Row<'_> {
    /// The line the record starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The text of a field, as written.
    pub(crate) fn text(&self, index: usize) -> &str {
        utf8(self.field(index))
    }

    /// The bytes of a field, as written.
    pub(crate) fn field(&self, index: usize) -> &[u8] {
        self.record.get(index).unwrap_or_default()
    }

    /// The endpoint key from the Type (or Method) and Name columns.
    pub(crate) fn key(&self, method: usize, name: usize) -> EndpointKey {
        EndpointKey::new(self.text(method), self.text(name))
    }

    /// A count: a whole number ≥ 0 that fits in 64 bits.
    pub(crate) fn count(&self, index: usize) -> Result<u64, LocustError> {
        if let Some(n) = numbers::trim(self.field(index)).and_then(numbers::whole) {
            return Ok(n);
        }
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
        let fast = numbers::trim(self.field(index)).and_then(numbers::whole);
        if let Some(t) = fast.and_then(|n| i64::try_from(n).ok()) {
            return Ok(t);
        }
        self.text(index)
            .trim()
            .parse::<i64>()
            .map_err(|_| self.bad(index, "a Unix time in whole seconds"))
    }

    /// A finite number ≥ 0 (times, sizes, rates).
    pub(crate) fn number(&self, index: usize) -> Result<f64, LocustError> {
        if let Some(x) = self.plain_decimal(index) {
            return Ok(x);
        }
        if let Some(x) = numbers::trim(self.field(index)).and_then(numbers::decimal) {
            return Ok(x);
        }
        match self.text(index).trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
            Ok(x) if !x.is_finite() => Err(self.bad(index, "a finite number ≥ 0")),
            _ => Err(self.bad(index, "a number ≥ 0")),
        }
    }

    /// A finite number ≥ 0, or `N/A` (→ `None`).
    pub(crate) fn number_or_na(&self, index: usize) -> Result<Option<f64>, LocustError> {
        if let Some(x) = self.plain_decimal(index) {
            return Ok(Some(x));
        }
        let not_available = match numbers::trim(self.field(index)) {
            Some(trimmed) if trimmed == NOT_AVAILABLE.as_bytes() => true,
            Some(trimmed) => match numbers::decimal(trimmed) {
                Some(x) => return Ok(Some(x)),
                None => false,
            },
            None => self.text(index).trim() == NOT_AVAILABLE,
        };
        if not_available {
            return Ok(None);
        }
        self.number(index)
            .map(Some)
            .map_err(|_| self.bad(index, "a number ≥ 0 or N/A"))
    }

    /// The field as a decimal written without sign, exponent or surrounding space: Locust's
    /// numbers, converted the fastest way ([`numbers::decimal_in`]); what [`Self::number`]
    /// gives for such a field, `None` for any other.
    #[inline]
    pub(crate) fn plain_decimal(&self, index: usize) -> Option<f64> {
        let (window, len) = self.record.window(index)?;
        numbers::decimal_in(window, len)
    }

    /// Like [`Self::plain_decimal`], `Some(None)` for a field that is exactly `N/A`: what
    /// [`Self::number_or_na`] gives for such fields.
    #[inline]
    pub(crate) fn plain_decimal_or_na(&self, index: usize) -> Option<Option<f64>> {
        match self.plain_decimal(index) {
            Some(x) => Some(Some(x)),
            None => (self.field(index) == NOT_AVAILABLE.as_bytes()).then_some(None),
        }
    }

    /// The field as 1 to 19 digits without surrounding space: what [`Self::count`] gives for
    /// such a field, `None` for any other.
    #[inline]
    pub(crate) fn plain_count(&self, index: usize) -> Option<u64> {
        numbers::whole(self.field(index))
    }

    /// Every percentile column of the row, in file order.
    pub(crate) fn percentiles(&self) -> Result<Vec<Percentile>, LocustError> {
        let columns = self.header.percentiles();
        let mut percentiles = Vec::with_capacity(columns.len());
        for &(index, level) in columns {
            percentiles.push(Percentile {
                level,
                value_ms: self.number_or_na(index)?,
            });
        }
        Ok(percentiles)
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

//! Reads `PREFIX_stats_history.csv`: the snapshots Locust appends about once a second.
//!
//! Header (Locust 1.0 and later, unchanged in 2.x): `Timestamp, User Count, Type, Name,
//! Requests/s, Failures/s`, one `NN%` column per configured percentile, then `Total Request
//! Count, Total Failure Count, Total Median Response Time, Total Average Response Time, Total
//! Min Response Time, Total Max Response Time, Total Average Content Size`. Without
//! `--csv-full-history` only Aggregated rows are written. Rates are written as `0.000000`;
//! 1.0 quoted the timestamp and wrote whole numbers for the averages. Percentiles of a row with
//! no requests are `N/A`; its total median, min and max are written as `0` and stored as `None`.
//! A row that contradicts itself, or that is earlier than the endpoint's row before it, is
//! refused: see [`super::checks`].

use std::collections::HashMap;
use std::path::Path;

pub(super) mod blocks;

use super::checks::{self, Timeline};
use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Row, Table};
use crate::model::{EndpointKey, HistoryRow, Percentile};
use crate::timeseries::{History, RowValues};

/// Reads a `_stats_history.csv` file: every row in file order.
///
/// The file is streamed: each record is converted as it is read, so memory holds the rows,
/// not the file. [`load_history`] keeps a compact, bounded form instead.
pub fn read_history(path: &Path) -> Result<Vec<HistoryRow>, LocustError> {
    read_file(path, FileKind::History, history_from_table)
}

/// Like [`read_history`], from bytes already in memory; `path_for_messages` names them in errors.
pub fn read_history_from_bytes(
    bytes: &[u8],
    path_for_messages: &Path,
) -> Result<Vec<HistoryRow>, LocustError> {
    parse_table(
        bytes,
        path_for_messages,
        FileKind::History,
        history_from_table,
    )
}

/// Reads a `_stats_history.csv` file into the run model's compact [`History`]: per endpoint,
/// the columns the analyses use, folded past [`crate::timeseries::FULL_RESOLUTION`] points so
/// that memory does not grow with the run's length. Refuses what [`read_history`] refuses.
///
/// A long history is read on every core, a block of lines on each ([`blocks`]); the result is
/// the same.
pub fn load_history(path: &Path) -> Result<History, LocustError> {
    if let Some(history) = blocks::load(path, &blocks::Plan::default()) {
        return Ok(history);
    }
    read_file(path, FileKind::History, compact_from_table)
}

/// Like [`load_history`], from bytes already in memory; `path_for_messages` names them in
/// errors.
pub fn load_history_from_bytes(
    bytes: &[u8],
    path_for_messages: &Path,
) -> Result<History, LocustError> {
    parse_table(
        bytes,
        path_for_messages,
        FileKind::History,
        compact_from_table,
    )
}

/// Column positions of a `_stats_history.csv` header.
struct Columns {
    timestamp: usize,
    users: usize,
    method: usize,
    name: usize,
    rps: usize,
    failures_per_s: usize,
    requests: usize,
    failures: usize,
    median: usize,
    avg: usize,
    min: usize,
    max: usize,
    content: usize,
}

/// One record's values, converted into space reused from record to record.
#[derive(Default)]
struct Record {
    /// What the compact history keeps but the percentiles.
    kept: Kept,
    percentiles: Vec<Option<f64>>,
    total_median_ms: Option<f64>,
    total_min_ms: Option<f64>,
    total_max_ms: Option<f64>,
    total_avg_content_size: f64,
}

/// The values of a record the compact history keeps, but its percentiles: small enough to
/// copy, so that a block read on another thread ([`blocks`]) keeps them as they are.
#[derive(Default, Clone, Copy)]
struct Kept {
    timestamp: i64,
    user_count: u64,
    rps: f64,
    failures_per_s: f64,
    total_requests: u64,
    total_failures: u64,
    total_avg_ms: f64,
}

impl Kept {
    /// The values the compact history takes, with the record's percentiles.
    fn with(self, percentiles: &[Option<f64>]) -> RowValues<'_> {
        RowValues {
            timestamp: self.timestamp,
            user_count: self.user_count,
            rps: self.rps,
            failures_per_s: self.failures_per_s,
            total_requests: self.total_requests,
            total_failures: self.total_failures,
            total_avg_ms: self.total_avg_ms,
            percentiles,
        }
    }
}

impl Record {
    /// The values the compact history keeps.
    fn values(&self) -> RowValues<'_> {
        self.kept.with(&self.percentiles)
    }

    /// The record as a model row.
    fn to_row(&self, key: EndpointKey, levels: &[f64]) -> HistoryRow {
        let kept = self.kept;
        HistoryRow {
            timestamp: kept.timestamp,
            user_count: kept.user_count,
            key,
            rps: kept.rps,
            failures_per_s: kept.failures_per_s,
            percentiles: levels
                .iter()
                .zip(&self.percentiles)
                .map(|(&level, &value_ms)| Percentile { level, value_ms })
                .collect(),
            total_requests: kept.total_requests,
            total_failures: kept.total_failures,
            total_median_ms: self.total_median_ms,
            total_avg_ms: kept.total_avg_ms,
            total_min_ms: self.total_min_ms,
            total_max_ms: self.total_max_ms,
            total_avg_content_size: self.total_avg_content_size,
        }
    }
}

impl Columns {
    /// Finds every required column, or names the first missing one.
    fn find<S: std::io::Read>(table: &Table<'_, S>) -> Result<Self, LocustError> {
        Ok(Self {
            timestamp: table.require("Timestamp")?,
            users: table.require("User Count")?,
            method: table.require("Type")?,
            name: table.require("Name")?,
            rps: table.require("Requests/s")?,
            failures_per_s: table.require("Failures/s")?,
            requests: table.require("Total Request Count")?,
            failures: table.require("Total Failure Count")?,
            median: table.require("Total Median Response Time")?,
            avg: table.require("Total Average Response Time")?,
            min: table.require("Total Min Response Time")?,
            max: table.require("Total Max Response Time")?,
            content: table.require("Total Average Content Size")?,
        })
    }

    /// Converts one record into `out`, refusing one whose fields contradict each other
    /// ([`checks`]).
    fn convert(&self, row: &Row<'_>, out: &mut Record) -> Result<(), LocustError> {
        if self.convert_with::<Plain>(row, out).is_err() {
            self.convert_with::<Checked>(row, out)?;
        }
        checks::failures_within_requests(
            row,
            (self.requests, out.kept.total_requests),
            (self.failures, out.kept.total_failures),
        )?;
        checks::min_within_max(
            row,
            (self.min, out.total_min_ms),
            (self.max, out.total_max_ms),
        )
    }

    /// Converts any record into `out` reading its fields as `F` reads them: [`Plain`] takes
    /// only numbers written the plain way Locust writes them, without error paths (the fast
    /// path), [`Checked`] any number a file may hold, or says which field is not what its
    /// column needs.
    fn convert_with<F: FieldReader>(
        &self,
        row: &Row<'_>,
        out: &mut Record,
    ) -> Result<(), F::Error> {
        let total_requests = F::count(row, self.requests)?;
        let total_failures = F::count(row, self.failures)?;
        let has_requests = total_requests > 0;
        let median = F::number_or_na(row, self.median)?;
        let min = F::number_or_na(row, self.min)?;
        let max = F::number_or_na(row, self.max)?;
        out.kept.timestamp = F::timestamp(row, self.timestamp)?;
        out.kept.user_count = F::count(row, self.users)?;
        out.kept.rps = F::number(row, self.rps)?;
        out.kept.failures_per_s = F::number(row, self.failures_per_s)?;
        out.percentiles.clear();
        for &(index, _) in row.percentile_columns() {
            out.percentiles.push(F::number_or_na(row, index)?);
        }
        out.kept.total_requests = total_requests;
        out.kept.total_failures = total_failures;
        out.total_median_ms = median.filter(|_| has_requests);
        out.kept.total_avg_ms = F::number(row, self.avg)?;
        out.total_min_ms = min.filter(|_| has_requests);
        out.total_max_ms = max.filter(|_| has_requests);
        out.total_avg_content_size = F::number(row, self.content)?;
        Ok(())
    }
}

/// Converts every record in turn, refusing a row earlier than the one before it for the same
/// endpoint; `visit` gets the endpoint's number and key and the record.
fn each_record(
    table: &mut Table<'_>,
    mut visit: impl FnMut(usize, &EndpointKey, &Record),
) -> Result<(), LocustError> {
    let columns = Columns::find(table)?;
    let mut endpoints = Endpoints::default();
    let mut timeline = Timeline::default();
    let mut record = Record::default();
    while let Some(row) = table.next_row()? {
        let (endpoint, key) = endpoints.find(&row, columns.method, columns.name);
        columns.convert(&row, &mut record)?;
        timeline.step(
            &row,
            endpoint,
            key,
            (columns.timestamp, record.kept.timestamp),
        )?;
        visit(endpoint, key, &record);
    }
    Ok(())
}

/// Converts every record into a model row.
pub(crate) fn history_from_table(table: &mut Table<'_>) -> Result<Vec<HistoryRow>, LocustError> {
    let levels: Vec<f64> = table.header.percentiles().iter().map(|p| p.1).collect();
    let mut rows = Vec::new();
    each_record(table, |_, key, record| {
        rows.push(record.to_row(key.clone(), &levels))
    })?;
    Ok(rows)
}

/// Converts every record into the compact history.
pub(super) fn compact_from_table(table: &mut Table<'_>) -> Result<History, LocustError> {
    let levels: Vec<f64> = table.header.percentiles().iter().map(|p| p.1).collect();
    let mut history = History::new(levels);
    each_record(table, |endpoint, key, record| {
        history.push(endpoint, || key.clone(), record.values())
    })?;
    Ok(history)
}

/// The endpoints a history has named so far, each with a number, so that a row's key is found
/// from its bytes rather than built anew.
///
/// Locust writes the endpoints in the same order every second, so the endpoint after the
/// previous row's is tried before the map.
#[derive(Default)]
struct Endpoints {
    /// The keys, by number.
    keys: Vec<EndpointKey>,
    /// Type and Name bytes, joined by a byte UTF-8 never uses, → number.
    numbers: HashMap<Vec<u8>, usize>,
    /// The previous row's endpoint.
    previous: usize,
    /// Scratch space for a joined key.
    joined: Vec<u8>,
}

impl Endpoints {
    /// The number and key of the row's endpoint, adding it when it is new.
    fn find(&mut self, row: &Row<'_>, method: usize, name: usize) -> (usize, &EndpointKey) {
        let (m, n) = (row.field(method), row.field(name));
        let guess = if self.keys.is_empty() {
            0
        } else {
            (self.previous + 1) % self.keys.len()
        };
        let same = |key: &EndpointKey| key.method.as_bytes() == m && key.name.as_bytes() == n;
        let number = if self.keys.get(guess).is_some_and(same) {
            guess
        } else {
            self.joined.clear();
            self.joined.extend_from_slice(m);
            self.joined.push(0xFF);
            self.joined.extend_from_slice(n);
            match self.numbers.get(self.joined.as_slice()) {
                Some(&number) => number,
                None => {
                    let number = self.keys.len();
                    self.numbers.insert(self.joined.clone(), number);
                    self.keys.push(row.key(method, name));
                    number
                }
            }
        };
        self.previous = number;
        (number, &self.keys[number])
    }
}

/// How [`Columns::convert_with`] reads a record's fields.
trait FieldReader {
    /// What a field that cannot be read gives.
    type Error;
    fn count(row: &Row<'_>, index: usize) -> Result<u64, Self::Error>;
    fn timestamp(row: &Row<'_>, index: usize) -> Result<i64, Self::Error>;
    fn number(row: &Row<'_>, index: usize) -> Result<f64, Self::Error>;
    fn number_or_na(row: &Row<'_>, index: usize) -> Result<Option<f64>, Self::Error>;
}

/// Numbers written the plain way only (digits and a point, or `N/A`): what [`Checked`] gives
/// for such fields, `Err(())` for any other, which [`Checked`] then reads or refuses.
struct Plain;

impl FieldReader for Plain {
    type Error = ();
    #[inline]
    fn count(row: &Row<'_>, index: usize) -> Result<u64, ()> {
        row.plain_count(index).ok_or(())
    }
    #[inline]
    fn timestamp(row: &Row<'_>, index: usize) -> Result<i64, ()> {
        row.plain_count(index)
            .and_then(|n| i64::try_from(n).ok())
            .ok_or(())
    }
    #[inline]
    fn number(row: &Row<'_>, index: usize) -> Result<f64, ()> {
        row.plain_decimal(index).ok_or(())
    }
    #[inline]
    fn number_or_na(row: &Row<'_>, index: usize) -> Result<Option<f64>, ()> {
        row.plain_decimal_or_na(index).ok_or(())
    }
}

/// Any number a file may hold, with a message naming the field that is not one.
struct Checked;

impl FieldReader for Checked {
    type Error = LocustError;
    fn count(row: &Row<'_>, index: usize) -> Result<u64, LocustError> {
        row.count(index)
    }
    fn timestamp(row: &Row<'_>, index: usize) -> Result<i64, LocustError> {
        row.timestamp(index)
    }
    fn number(row: &Row<'_>, index: usize) -> Result<f64, LocustError> {
        row.number(index)
    }
    fn number_or_na(row: &Row<'_>, index: usize) -> Result<Option<f64>, LocustError> {
        row.number_or_na(index)
    }
}

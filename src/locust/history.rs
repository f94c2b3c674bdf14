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

use super::checks::{self, Timeline};
use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Row, Table};
use crate::model::{EndpointKey, HistoryRow};

/// Reads a `_stats_history.csv` file: every row in file order.
///
/// The file is streamed: each record is converted as it is read, so memory holds the rows,
/// not the file.
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

impl Columns {
    /// Finds every required column, or names the first missing one.
    fn find(table: &Table<'_>) -> Result<Self, LocustError> {
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

    /// Converts one record, refusing one whose fields contradict each other ([`checks`]).
    fn row(&self, row: &Row<'_>, key: EndpointKey) -> Result<HistoryRow, LocustError> {
        let total_requests = row.count(self.requests)?;
        let total_failures = row.count(self.failures)?;
        let has_requests = total_requests > 0;
        let median = row.number_or_na(self.median)?;
        let min = row.number_or_na(self.min)?;
        let max = row.number_or_na(self.max)?;
        let history = HistoryRow {
            timestamp: row.timestamp(self.timestamp)?,
            user_count: row.count(self.users)?,
            key,
            rps: row.number(self.rps)?,
            failures_per_s: row.number(self.failures_per_s)?,
            percentiles: row.percentiles()?,
            total_requests,
            total_failures,
            total_median_ms: median.filter(|_| has_requests),
            total_avg_ms: row.number(self.avg)?,
            total_min_ms: min.filter(|_| has_requests),
            total_max_ms: max.filter(|_| has_requests),
            total_avg_content_size: row.number(self.content)?,
        };
        checks::failures_within_requests(
            row,
            (self.requests, total_requests),
            (self.failures, total_failures),
        )?;
        checks::min_within_max(
            row,
            (self.min, history.total_min_ms),
            (self.max, history.total_max_ms),
        )?;
        Ok(history)
    }
}

/// Converts every record, refusing a row earlier than the one before it for the same endpoint.
pub(crate) fn history_from_table(table: &mut Table<'_>) -> Result<Vec<HistoryRow>, LocustError> {
    let columns = Columns::find(table)?;
    let mut endpoints = Endpoints::default();
    let mut timeline = Timeline::default();
    let mut rows = Vec::new();
    while let Some(row) = table.next_row()? {
        let (endpoint, key) = endpoints.find(&row, columns.method, columns.name);
        let history = columns.row(&row, key.clone())?;
        timeline.step(
            &row,
            endpoint,
            &history.key,
            (columns.timestamp, history.timestamp),
        )?;
        rows.push(history);
    }
    Ok(rows)
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

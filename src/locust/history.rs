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

use std::path::Path;

use super::checks::{self, Timeline};
use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Row, Table};
use crate::model::HistoryRow;

/// Reads a `_stats_history.csv` file: every row in file order.
pub fn read_history(path: &Path) -> Result<Vec<HistoryRow>, LocustError> {
    history_from_table(&read_file(path, FileKind::History)?)
}

/// Like [`read_history`], from bytes already in memory; `path_for_messages` names them in errors.
pub fn read_history_from_bytes(
    bytes: &[u8],
    path_for_messages: &Path,
) -> Result<Vec<HistoryRow>, LocustError> {
    history_from_table(&parse_table(bytes, path_for_messages, FileKind::History)?)
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
    fn find(table: &Table) -> Result<Self, LocustError> {
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
    fn row(&self, row: &Row<'_>) -> Result<HistoryRow, LocustError> {
        let total_requests = row.count(self.requests)?;
        let total_failures = row.count(self.failures)?;
        let has_requests = total_requests > 0;
        let median = row.number_or_na(self.median)?;
        let min = row.number_or_na(self.min)?;
        let max = row.number_or_na(self.max)?;
        let history = HistoryRow {
            timestamp: row.timestamp(self.timestamp)?,
            user_count: row.count(self.users)?,
            key: row.key(self.method, self.name),
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
fn history_from_table(table: &Table) -> Result<Vec<HistoryRow>, LocustError> {
    let columns = Columns::find(table)?;
    let mut timeline = Timeline::default();
    table
        .rows()
        .map(|row| {
            let history = columns.row(&row)?;
            timeline.step(&row, &history.key, (columns.timestamp, history.timestamp))?;
            Ok(history)
        })
        .collect()
}

//! Reads `PREFIX_stats.csv`: the whole-run totals per endpoint and the Aggregated row.
//!
//! Header (Locust 1.1 and later, 2.x unchanged): `Type, Name, Request Count, Failure Count,
//! Median Response Time, Average Response Time, Min Response Time, Max Response Time,
//! Average Content Size, Requests/s, Failures/s`, then one `NN%` column per configured
//! percentile. Locust 0.x/1.0 spelt some of these differently (`# requests`, …); those
//! spellings are accepted too. Rows without requests have `N/A` percentiles and `0` for median,
//! min and max; the model stores `None` for all of those. A row that contradicts itself (more
//! failures than requests, …) is refused: see [`super::checks`].

use std::collections::HashMap;
use std::path::Path;

use super::checks;
use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Row, Table};
use crate::model::EndpointStats;

/// Reads a `_stats.csv` file into (endpoints in file order, the Aggregated row).
pub fn read_stats(path: &Path) -> Result<(Vec<EndpointStats>, EndpointStats), LocustError> {
    read_file(path, FileKind::Stats, stats_from_table)
}

/// Like [`read_stats`], from bytes already in memory; `path_for_messages` names them in errors.
pub fn read_stats_from_bytes(
    bytes: &[u8],
    path_for_messages: &Path,
) -> Result<(Vec<EndpointStats>, EndpointStats), LocustError> {
    parse_table(bytes, path_for_messages, FileKind::Stats, stats_from_table)
}

/// Column positions of a `_stats.csv` header.
struct Columns {
    method: usize,
    name: usize,
    requests: usize,
    failures: usize,
    median: usize,
    avg: usize,
    min: usize,
    max: usize,
    content: usize,
    rps: usize,
    failures_per_s: usize,
}

impl Columns {
    /// Finds every required column, or names the first missing one.
    fn find(table: &Table<'_>) -> Result<Self, LocustError> {
        Ok(Self {
            method: table.require("Type")?,
            name: table.require("Name")?,
            requests: table.require("Request Count")?,
            failures: table.require("Failure Count")?,
            median: table.require("Median Response Time")?,
            avg: table.require("Average Response Time")?,
            min: table.require("Min Response Time")?,
            max: table.require("Max Response Time")?,
            content: table.require("Average Content Size")?,
            rps: table.require("Requests/s")?,
            failures_per_s: table.require("Failures/s")?,
        })
    }

    /// Converts one record, refusing one whose fields contradict each other ([`checks`]).
    fn endpoint(&self, row: &Row<'_>) -> Result<EndpointStats, LocustError> {
        let requests = row.count(self.requests)?;
        let failures = row.count(self.failures)?;
        let median = row.number_or_na(self.median)?;
        let min = row.number_or_na(self.min)?;
        let max = row.number_or_na(self.max)?;
        let has_requests = requests > 0;
        let stats = EndpointStats {
            key: row.key(self.method, self.name),
            requests,
            failures,
            median_ms: median.filter(|_| has_requests),
            avg_ms: row.number(self.avg)?,
            min_ms: min.filter(|_| has_requests),
            max_ms: max.filter(|_| has_requests),
            avg_content_size: row.number(self.content)?,
            rps: row.number(self.rps)?,
            failures_per_s: row.number(self.failures_per_s)?,
            percentiles: row.percentiles()?,
        };
        checks::failures_within_requests(
            row,
            (self.requests, requests),
            (self.failures, failures),
        )?;
        checks::min_within_max(row, (self.min, stats.min_ms), (self.max, stats.max_ms))?;
        let values: Vec<Option<f64>> = stats.percentiles.iter().map(|p| p.value_ms).collect();
        checks::percentiles_increase(row, &values)?;
        Ok(stats)
    }
}

/// Converts every record, splitting off the Aggregated row.
pub(crate) fn stats_from_table(
    table: &mut Table<'_>,
) -> Result<(Vec<EndpointStats>, EndpointStats), LocustError> {
    let columns = Columns::find(table)?;
    let path = table.path;
    let mut endpoints = Vec::new();
    let mut aggregated = None;
    let mut first_line = HashMap::new();
    while let Some(row) = table.next_row()? {
        let stats = columns.endpoint(&row)?;
        if let Some(&first) = first_line.get(&stats.key) {
            return Err(LocustError::DuplicateRow {
                path: path.to_owned(),
                line: row.line(),
                first,
                key: stats.key.to_string(),
            });
        }
        first_line.insert(stats.key.clone(), row.line());
        if stats.key.is_aggregated() {
            aggregated = Some(stats);
        } else {
            endpoints.push(stats);
        }
    }
    let aggregated = aggregated.ok_or_else(|| LocustError::NoAggregated {
        path: path.to_owned(),
    })?;
    Ok((endpoints, aggregated))
}

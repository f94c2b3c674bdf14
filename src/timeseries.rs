//! A run's history, compact and bounded: per endpoint, a columnar time series of only the
//! columns the analyses use, folded while it is read so that memory does not grow with the
//! run's length.
//!
//! Locust writes a `_stats_history.csv` row per endpoint per second; a 5-hour run of 50
//! endpoints has 918,000 of them. Every analysis (steady window, stages, endurance, charts)
//! looks at one endpoint's series at a time, so the history is kept as one [`Series`] per
//! endpoint (names interned once), each a set of columns.
//!
//! Up to [`FULL_RESOLUTION`] points per series every row is kept as written. Beyond it the
//! series is *folded*: adjacent points are merged pairwise (the first point always stays on
//! its own) and later rows are merged into the last point until it stands for as many rows as
//! the others, so a series holds between half of and [`FULL_RESOLUTION`] points. A merged
//! point is the snapshot of its **last** row for every value that is a snapshot — timestamp,
//! user count, the cumulative `Total …` counters and average — so those stay exact at every
//! point; its rates (`Requests/s`, `Failures/s`) are the mean over its rows; its windowed
//! percentiles are the request-weighted mean of its rows' percentiles at each level (weights:
//! each row's `Requests/s`, proportional to the requests its window held; rows whose window
//! held no request weigh nothing). That rule is associative, so a point's value does not
//! depend on the order of the folds: it is the weighted mean over the rows it stands for. See
//! docs/guide.md "Long runs" for what becomes approximate.

use serde::Serialize;

use crate::model::{EndpointKey, HistoryRow, Percentile};

/// Points per series kept at full resolution: one hour of Locust's once-a-second rows.
pub const FULL_RESOLUTION: usize = 3_600;

/// A run's history: one [`Series`] per endpoint (and Aggregated), in order of first
/// appearance in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// The percentile levels of the file's columns, in file order.
    levels: Vec<f64>,
    /// One series per endpoint.
    series: Vec<Series>,
    /// Rows read.
    rows: usize,
    /// Timestamps of the file's first and last rows.
    span: Option<(i64, i64)>,
    /// The highest user count of any row.
    peak_users: Option<u64>,
    /// Points per series kept at full resolution.
    #[serde(skip)]
    bound: usize,
}

/// One endpoint's (or Aggregated's) points, column by column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Method and name.
    key: EndpointKey,
    /// Unix seconds of each point's last row.
    t: Vec<i64>,
    /// Users at each point's last row.
    users: Vec<u64>,
    /// Mean `Requests/s` of the point's rows.
    rps: Vec<f64>,
    /// Mean `Failures/s` of the point's rows.
    failures_per_s: Vec<f64>,
    /// `Total Request Count` at the last row.
    requests: Vec<u64>,
    /// `Total Failure Count` at the last row.
    failures: Vec<u64>,
    /// `Total Average Response Time` at the last row.
    avg_ms: Vec<f64>,
    /// Percentile values, point after point, one per level (`NaN` where Locust wrote `N/A`).
    percentiles: Vec<f64>,
    /// Weight of each point's percentiles: the sum of its rows' `Requests/s` where the window
    /// held requests.
    weight: Vec<f64>,
    /// Rows each point stands for.
    rows: Vec<u32>,
    /// Rows a full point stands for (1 until the series is folded).
    per_point: u32,
}

/// One point of a series: a history row, or several adjacent rows folded into one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point<'a> {
    /// Method and name.
    pub key: &'a EndpointKey,
    /// Unix time of the (last) row, seconds.
    pub timestamp: i64,
    /// Users running at that row.
    pub user_count: u64,
    /// Requests per second of the recent window (mean over the rows folded).
    pub rps: f64,
    /// Failures per second of the recent window (mean over the rows folded).
    pub failures_per_s: f64,
    /// Cumulative requests at that row.
    pub total_requests: u64,
    /// Cumulative failures at that row.
    pub total_failures: u64,
    /// Cumulative average response time at that row, ms.
    pub total_avg_ms: f64,
    /// History rows this point stands for (1 unless folded).
    pub rows: u32,
    /// The file's percentile levels.
    levels: &'a [f64],
    /// The values at `levels` (`NaN` for `N/A`).
    values: &'a [f64],
}

impl Point<'_> {
    /// The windowed percentile at `level` (e.g. 0.95), if the file has that column and it is
    /// not `N/A`.
    pub fn percentile(&self, level: f64) -> Option<f64> {
        let i = self.levels.iter().position(|l| (l - level).abs() < 1e-9)?;
        let v = self.values[i];
        (!v.is_nan()).then_some(v)
    }

    /// Every percentile column, in file order.
    pub fn percentiles(&self) -> impl Iterator<Item = Percentile> + '_ {
        self.levels
            .iter()
            .zip(self.values)
            .map(|(&level, &v)| Percentile {
                level,
                value_ms: (!v.is_nan()).then_some(v),
            })
    }
}

/// The values of one history row the series keeps, borrowed while a file is read.
#[derive(Debug, Clone, Copy)]
pub struct RowValues<'a> {
    /// Unix seconds.
    pub timestamp: i64,
    /// Users.
    pub user_count: u64,
    /// `Requests/s`.
    pub rps: f64,
    /// `Failures/s`.
    pub failures_per_s: f64,
    /// `Total Request Count`.
    pub total_requests: u64,
    /// `Total Failure Count`.
    pub total_failures: u64,
    /// `Total Average Response Time`.
    pub total_avg_ms: f64,
    /// Percentile values at the history's levels (`None` for `N/A`).
    pub percentiles: &'a [Option<f64>],
}

impl History {
    /// An empty history whose rows have percentile columns at `levels`, folding series past
    /// [`FULL_RESOLUTION`] points.
    pub fn new(levels: Vec<f64>) -> Self {
        Self::with_bound(levels, FULL_RESOLUTION)
    }

    /// Like [`Self::new`], folding past `bound` points (at least 3) per series; tests use
    /// small bounds.
    pub fn with_bound(levels: Vec<f64>, bound: usize) -> Self {
        Self {
            levels,
            bound: bound.max(3),
            ..Self::default()
        }
    }

    /// Adds a row of endpoint number `endpoint`: numbers are given in order of first
    /// appearance, a new one with its `key` (which is only read then).
    pub fn push(&mut self, endpoint: usize, key: impl FnOnce() -> EndpointKey, row: RowValues) {
        if endpoint == self.series.len() {
            self.series.push(Series::new(key()));
        }
        self.rows += 1;
        self.span = Some(match self.span {
            Some((first, _)) => (first, row.timestamp),
            None => (row.timestamp, row.timestamp),
        });
        self.peak_users = Some(
            self.peak_users
                .map_or(row.user_count, |u| u.max(row.user_count)),
        );
        let bound = self.bound;
        self.series[endpoint].push(&row, self.levels.len(), bound);
    }

    /// Adds a row already in the model's form (tests and simulations build rows).
    pub fn push_row(&mut self, row: &HistoryRow) {
        if self.series.is_empty() && self.levels.is_empty() {
            self.levels = row.percentiles.iter().map(|p| p.level).collect();
        }
        let values: Vec<Option<f64>> = self
            .levels
            .iter()
            .map(|&l| {
                row.percentiles
                    .iter()
                    .find(|p| (p.level - l).abs() < 1e-12)
                    .and_then(|p| p.value_ms)
            })
            .collect();
        let endpoint = self
            .series
            .iter()
            .position(|s| s.key == row.key)
            .unwrap_or(self.series.len());
        let values = RowValues {
            timestamp: row.timestamp,
            user_count: row.user_count,
            rps: row.rps,
            failures_per_s: row.failures_per_s,
            total_requests: row.total_requests,
            total_failures: row.total_failures,
            total_avg_ms: row.total_avg_ms,
            percentiles: &values,
        };
        self.push(endpoint, || row.key.clone(), values);
    }

    /// Whether no row was read.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Rows read (not points kept).
    pub fn rows_read(&self) -> usize {
        self.rows
    }

    /// Whether some series was folded (its points stand for several rows).
    pub fn is_folded(&self) -> bool {
        self.series.iter().any(|s| s.per_point > 1)
    }

    /// The file's percentile levels.
    pub fn levels(&self) -> &[f64] {
        &self.levels
    }

    /// Every series, in order of first appearance.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// The points of one endpoint (Aggregated with [`EndpointKey::aggregated`]), oldest first;
    /// none when the history has no row for it.
    pub fn points<'a>(&'a self, key: &EndpointKey) -> impl Iterator<Item = Point<'a>> + 'a {
        let series = self.series.iter().find(|s| &s.key == key);
        series.into_iter().flat_map(|s| s.points(&self.levels))
    }

    /// Unix seconds of the file's first row.
    pub fn first_timestamp(&self) -> Option<i64> {
        self.span.map(|s| s.0)
    }

    /// Unix seconds of the file's last row.
    pub fn last_timestamp(&self) -> Option<i64> {
        self.span.map(|s| s.1)
    }

    /// The earliest and latest timestamp of any row.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let first = self.series.iter().filter_map(|s| s.t.first()).min()?;
        let last = self.series.iter().filter_map(|s| s.t.last()).max()?;
        Some((*first, *last))
    }

    /// The highest user count of any row.
    pub fn peak_users(&self) -> Option<u64> {
        self.peak_users
    }

    /// The points with timestamps in `[start, end]`, as a history of its own.
    pub fn between(&self, start: i64, end: i64) -> History {
        let series: Vec<Series> = self
            .series
            .iter()
            .map(|s| s.between(start, end, self.levels.len()))
            .filter(|s| !s.t.is_empty())
            .collect();
        let rows = series
            .iter()
            .map(|s| s.rows.iter().map(|&r| r as usize).sum::<usize>())
            .sum();
        let mut out = History {
            levels: self.levels.clone(),
            series,
            rows,
            span: None,
            peak_users: None,
            bound: self.bound,
        };
        out.span = out.time_range();
        out.peak_users = out
            .series
            .iter()
            .flat_map(|s| s.users.iter())
            .max()
            .copied();
        out
    }
}

impl Default for History {
    fn default() -> Self {
        Self {
            levels: Vec::new(),
            series: Vec::new(),
            rows: 0,
            span: None,
            peak_users: None,
            bound: FULL_RESOLUTION,
        }
    }
}

impl From<Vec<HistoryRow>> for History {
    fn from(rows: Vec<HistoryRow>) -> Self {
        rows.into_iter().collect()
    }
}

impl FromIterator<HistoryRow> for History {
    fn from_iter<I: IntoIterator<Item = HistoryRow>>(rows: I) -> Self {
        let mut history = History::default();
        for row in rows {
            history.push_row(&row);
        }
        history
    }
}

impl Series {
    fn new(key: EndpointKey) -> Self {
        Self {
            key,
            t: Vec::new(),
            users: Vec::new(),
            rps: Vec::new(),
            failures_per_s: Vec::new(),
            requests: Vec::new(),
            failures: Vec::new(),
            avg_ms: Vec::new(),
            percentiles: Vec::new(),
            weight: Vec::new(),
            rows: Vec::new(),
            per_point: 1,
        }
    }

    /// Method and name.
    pub fn key(&self) -> &EndpointKey {
        &self.key
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether the series has no point.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Rows each full point stands for (1 unless folded).
    pub fn rows_per_point(&self) -> u32 {
        self.per_point
    }

    /// The points, oldest first; `levels` are the history's.
    pub fn points<'a>(&'a self, levels: &'a [f64]) -> impl Iterator<Item = Point<'a>> + 'a {
        (0..self.t.len()).map(move |i| self.point(i, levels))
    }

    fn point<'a>(&'a self, i: usize, levels: &'a [f64]) -> Point<'a> {
        let n = levels.len();
        Point {
            key: &self.key,
            timestamp: self.t[i],
            user_count: self.users[i],
            rps: self.rps[i],
            failures_per_s: self.failures_per_s[i],
            total_requests: self.requests[i],
            total_failures: self.failures[i],
            total_avg_ms: self.avg_ms[i],
            rows: self.rows[i],
            levels,
            values: &self.percentiles[i * n..(i + 1) * n],
        }
    }

    /// Adds a row: as a point of its own, or merged into the last point while that stands for
    /// fewer rows than a full point; folds when the series outgrows `bound`.
    fn push(&mut self, row: &RowValues, levels: usize, bound: usize) {
        let complete = row.percentiles.iter().all(Option::is_some);
        let weight = if complete && row.rps > 0.0 {
            row.rps
        } else {
            0.0
        };
        let last = self.t.len().wrapping_sub(1);
        if self.t.len() > 1 && self.rows[last] < self.per_point {
            let values = row.percentiles.iter().map(|v| v.unwrap_or(f64::NAN));
            self.merge_into(last, row, weight, values, levels);
            return;
        }
        self.t.push(row.timestamp);
        self.users.push(row.user_count);
        self.rps.push(row.rps);
        self.failures_per_s.push(row.failures_per_s);
        self.requests.push(row.total_requests);
        self.failures.push(row.total_failures);
        self.avg_ms.push(row.total_avg_ms);
        self.percentiles
            .extend(row.percentiles.iter().map(|v| v.unwrap_or(f64::NAN)));
        self.weight.push(weight);
        self.rows.push(1);
        if self.t.len() > bound {
            self.fold(levels);
        }
    }

    /// Merges a later row (or point) into point `i`: its snapshot values replace point `i`'s,
    /// rates and percentiles are weighted means.
    fn merge_into(
        &mut self,
        i: usize,
        row: &RowValues,
        weight: f64,
        values: impl Iterator<Item = f64>,
        levels: usize,
    ) {
        self.merge_values(
            i,
            row.timestamp,
            row.user_count,
            1,
            row.rps,
            row.failures_per_s,
        );
        self.requests[i] = row.total_requests;
        self.failures[i] = row.total_failures;
        self.avg_ms[i] = row.total_avg_ms;
        self.merge_percentiles(i, weight, values, levels);
    }

    fn merge_values(&mut self, i: usize, t: i64, users: u64, rows: u32, rps: f64, fps: f64) {
        let (a, b) = (f64::from(self.rows[i]), f64::from(rows));
        self.rps[i] = (self.rps[i] * a + rps * b) / (a + b);
        self.failures_per_s[i] = (self.failures_per_s[i] * a + fps * b) / (a + b);
        self.t[i] = t;
        self.users[i] = users;
        self.rows[i] += rows;
    }

    fn merge_percentiles(
        &mut self,
        i: usize,
        weight: f64,
        values: impl Iterator<Item = f64>,
        levels: usize,
    ) {
        let w0 = self.weight[i];
        let total = w0 + weight;
        let slots = &mut self.percentiles[i * levels..(i + 1) * levels];
        for (slot, v) in slots.iter_mut().zip(values) {
            *slot = if weight == 0.0 && w0 > 0.0 {
                *slot
            } else if w0 == 0.0 {
                // Nothing weighed yet: the later values stand (a window without requests,
                // as written, or the first one with requests).
                v
            } else {
                (*slot * w0 + v * weight) / total
            };
        }
        self.weight[i] = total;
    }

    /// Halves the points: merges pairs after the first point, which stays on its own.
    fn fold(&mut self, levels: usize) {
        self.per_point = self.per_point.saturating_mul(2);
        let mut kept = 1;
        let mut i = 1;
        while i < self.t.len() {
            self.copy_point(i, kept, levels);
            if i + 1 < self.t.len() {
                let j = i + 1;
                let values: Vec<f64> = self.percentiles[j * levels..(j + 1) * levels].to_vec();
                let (t, u, r, rps, fps) = (
                    self.t[j],
                    self.users[j],
                    self.rows[j],
                    self.rps[j],
                    self.failures_per_s[j],
                );
                self.merge_values(kept, t, u, r, rps, fps);
                self.requests[kept] = self.requests[j];
                self.failures[kept] = self.failures[j];
                self.avg_ms[kept] = self.avg_ms[j];
                let w = self.weight[j];
                self.merge_percentiles(kept, w, values.into_iter(), levels);
            }
            kept += 1;
            i += 2;
        }
        self.truncate(kept, levels);
    }

    fn copy_point(&mut self, from: usize, to: usize, levels: usize) {
        if from == to {
            return;
        }
        self.t[to] = self.t[from];
        self.users[to] = self.users[from];
        self.rps[to] = self.rps[from];
        self.failures_per_s[to] = self.failures_per_s[from];
        self.requests[to] = self.requests[from];
        self.failures[to] = self.failures[from];
        self.avg_ms[to] = self.avg_ms[from];
        self.weight[to] = self.weight[from];
        self.rows[to] = self.rows[from];
        self.percentiles
            .copy_within(from * levels..(from + 1) * levels, to * levels);
    }

    fn truncate(&mut self, n: usize, levels: usize) {
        self.t.truncate(n);
        self.users.truncate(n);
        self.rps.truncate(n);
        self.failures_per_s.truncate(n);
        self.requests.truncate(n);
        self.failures.truncate(n);
        self.avg_ms.truncate(n);
        self.weight.truncate(n);
        self.rows.truncate(n);
        self.percentiles.truncate(n * levels);
    }

    fn between(&self, start: i64, end: i64, levels: usize) -> Series {
        let from = self.t.partition_point(|&t| t < start);
        let to = self.t.partition_point(|&t| t <= end).max(from);
        Series {
            key: self.key.clone(),
            t: self.t[from..to].to_vec(),
            users: self.users[from..to].to_vec(),
            rps: self.rps[from..to].to_vec(),
            failures_per_s: self.failures_per_s[from..to].to_vec(),
            requests: self.requests[from..to].to_vec(),
            failures: self.failures[from..to].to_vec(),
            avg_ms: self.avg_ms[from..to].to_vec(),
            percentiles: self.percentiles[from * levels..to * levels].to_vec(),
            weight: self.weight[from..to].to_vec(),
            rows: self.rows[from..to].to_vec(),
            per_point: self.per_point,
        }
    }
}

#[cfg(test)]
mod tests;

//! The run model: what one Locust run (or one run of the embedded driver) measured.
//!
//! Everything downstream — statistics, comparison, reports — works on these plain structs,
//! never on CSV records, so that the readers in [`crate::locust`] are the only place that knows
//! Locust's file formats.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

pub use crate::timeseries::{History, Point, Series};

/// The name Locust gives its total row in every CSV file.
pub const AGGREGATED_NAME: &str = "Aggregated";

/// Identifies an endpoint the way Locust groups requests: by request type (HTTP method) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EndpointKey {
    /// The request type Locust records (`GET`, `POST`, …); empty on the Aggregated row.
    pub method: String,
    /// The request name: the path, or the `name=` the locustfile gave.
    pub name: String,
}

impl EndpointKey {
    /// Builds a key from its two parts.
    pub fn new(method: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            name: name.into(),
        }
    }

    /// The key of Locust's total row.
    pub fn aggregated() -> Self {
        Self::new("", AGGREGATED_NAME)
    }

    /// Whether this is Locust's total row (empty type, name `Aggregated`).
    pub fn is_aggregated(&self) -> bool {
        self.method.is_empty() && self.name == AGGREGATED_NAME
    }
}

impl fmt::Display for EndpointKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.method.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{} {}", self.method, self.name)
        }
    }
}

/// One percentile column: the level (0.95 for the `95%` column) and its value in milliseconds.
///
/// `value_ms` is `None` where Locust wrote `N/A` (a row with no requests).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentile {
    /// The level as a fraction in (0, 1]: `0.999` for the `99.9%` column.
    pub level: f64,
    /// The response time at that level, in milliseconds, as Locust rounded it.
    pub value_ms: Option<f64>,
}

/// One row of `_stats.csv`: the whole-run totals of one endpoint (or of all, for Aggregated).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointStats {
    /// Method and name.
    pub key: EndpointKey,
    /// Requests completed, successful or not (`Request Count`).
    pub requests: u64,
    /// Requests that failed (`Failure Count`).
    pub failures: u64,
    /// `Median Response Time` in ms; `None` when the row has no requests.
    pub median_ms: Option<f64>,
    /// `Average Response Time` in ms (exact, not rounded); 0 when the row has no requests.
    pub avg_ms: f64,
    /// `Min Response Time` in ms (exact); `None` when the row has no requests.
    pub min_ms: Option<f64>,
    /// `Max Response Time` in ms (exact); `None` when the row has no requests.
    pub max_ms: Option<f64>,
    /// `Average Content Size` in bytes.
    pub avg_content_size: f64,
    /// `Requests/s` over the whole run.
    pub rps: f64,
    /// `Failures/s` over the whole run.
    pub failures_per_s: f64,
    /// The percentile columns in file order (Locust writes 50 % … 100 %).
    pub percentiles: Vec<Percentile>,
}

impl EndpointStats {
    /// A row that recorded nothing: no requests, no times, no percentiles.
    pub fn empty(key: EndpointKey) -> Self {
        Self {
            key,
            requests: 0,
            failures: 0,
            median_ms: None,
            avg_ms: 0.0,
            min_ms: None,
            max_ms: None,
            avg_content_size: 0.0,
            rps: 0.0,
            failures_per_s: 0.0,
            percentiles: Vec::new(),
        }
    }

    /// Failed requests as a fraction of all requests (0 when there were none).
    pub fn failure_ratio(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.failures as f64 / self.requests as f64
        }
    }

    /// The value of the percentile column at `level` (e.g. 0.95), if the file has that column
    /// and it is not `N/A`.
    pub fn percentile(&self, level: f64) -> Option<f64> {
        self.percentiles
            .iter()
            .find(|p| (p.level - level).abs() < 1e-9)
            .and_then(|p| p.value_ms)
    }
}

/// One row of `_stats_history.csv`: a snapshot Locust writes about once a second.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    /// Unix time in seconds.
    pub timestamp: i64,
    /// Users running at that moment.
    pub user_count: u64,
    /// Method and name (Aggregated for the total row).
    pub key: EndpointKey,
    /// Current requests per second (Locust's recent window).
    pub rps: f64,
    /// Current failures per second.
    pub failures_per_s: f64,
    /// Percentiles as Locust wrote them: in 2.x with `--csv-full-history` those of a recent
    /// window (about the last 10 s; `0` early on when the window is still empty), otherwise and
    /// in 1.x after 1.0 those of the whole run so far. `None` where Locust wrote `N/A`.
    pub percentiles: Vec<Percentile>,
    /// Cumulative requests so far.
    pub total_requests: u64,
    /// Cumulative failures so far.
    pub total_failures: u64,
    /// Cumulative median so far, ms.
    pub total_median_ms: Option<f64>,
    /// Cumulative average so far, ms.
    pub total_avg_ms: f64,
    /// Cumulative minimum so far, ms.
    pub total_min_ms: Option<f64>,
    /// Cumulative maximum so far, ms.
    pub total_max_ms: Option<f64>,
    /// Cumulative average content size, bytes.
    pub total_avg_content_size: f64,
}

/// One row of `_failures.csv`: an error and how often it happened on one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureRow {
    /// Method and name of the endpoint that failed.
    pub key: EndpointKey,
    /// The error as Locust printed it (untrusted text).
    pub error: String,
    /// How many times it happened.
    pub occurrences: u64,
    /// First time seen (ISO 8601 as written), when the file has the column.
    pub first_seen: Option<String>,
    /// Last time seen, when the file has the column.
    pub last_seen: Option<String>,
}

/// One row of `_exceptions.csv`: an exception raised in user code, with its traceback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionRow {
    /// How many times it was raised.
    pub count: u64,
    /// The exception message (untrusted text).
    pub message: String,
    /// The traceback, possibly several lines (untrusted text).
    pub traceback: String,
    /// The nodes (workers) that raised it.
    pub nodes: String,
}

/// The full response-time histogram of one endpoint, for exact pooling of repeated runs.
///
/// Read from Locust's `--json-file` output (its `response_times` map, keys already rounded as
/// Locust rounds them) or from the embedded driver's `PREFIX_histograms.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// Method and name (Aggregated when the file has a total).
    pub key: EndpointKey,
    /// (response time in ms, number of requests), ascending by time.
    pub buckets: Vec<(f64, u64)>,
}

/// Where a run's files were found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunFiles {
    /// A short name for the run: the prefix's file name (`perf` for `results/perf_stats.csv`).
    pub name: String,
    /// `PREFIX_stats.csv`, the only required file.
    pub stats: PathBuf,
    /// `PREFIX_stats_history.csv`, when present.
    pub history: Option<PathBuf>,
    /// `PREFIX_failures.csv`, when present.
    pub failures: Option<PathBuf>,
    /// `PREFIX_exceptions.csv`, when present.
    pub exceptions: Option<PathBuf>,
    /// Full histograms, when present: the driver's `PREFIX_histograms.csv`, or Locust's
    /// `--json-file PREFIX` output `PREFIX.json`.
    pub histograms: Option<PathBuf>,
}

/// Everything one run recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// The files it was read from.
    pub files: RunFiles,
    /// One entry per endpoint, in file order, without the Aggregated row.
    pub endpoints: Vec<EndpointStats>,
    /// The Aggregated row.
    pub aggregated: EndpointStats,
    /// The history, per endpoint and bounded in size (empty when there is no history file).
    pub history: History,
    /// The failures (empty when there is no failures file or nothing failed).
    pub failures: Vec<FailureRow>,
    /// The exceptions (empty when there is no exceptions file or none was raised).
    pub exceptions: Vec<ExceptionRow>,
    /// Full histograms per endpoint (empty when the run has none).
    pub histograms: Vec<Histogram>,
}

impl Run {
    /// A run of these rows alone, as if read from `<name>_stats.csv` with no sibling files: no
    /// history, failures, exceptions or histograms. What simulations, tests and benches build.
    pub fn of_rows(name: &str, endpoints: Vec<EndpointStats>, aggregated: EndpointStats) -> Self {
        Run {
            files: RunFiles {
                name: name.to_string(),
                stats: std::path::PathBuf::from(format!("{name}_stats.csv")),
                history: None,
                failures: None,
                exceptions: None,
                histograms: None,
            },
            endpoints,
            aggregated,
            history: History::default(),
            failures: Vec::new(),
            exceptions: Vec::new(),
            histograms: Vec::new(),
        }
    }

    /// The endpoint with this key, if the run has it.
    pub fn endpoint(&self, key: &EndpointKey) -> Option<&EndpointStats> {
        if key.is_aggregated() {
            return Some(&self.aggregated);
        }
        self.endpoints.iter().find(|e| &e.key == key)
    }

    /// The run's length in seconds.
    ///
    /// From the history when there is one (last timestamp − first + 1, as Locust writes a row
    /// per second), otherwise from the Aggregated row (requests ÷ requests per second).
    pub fn duration_s(&self) -> Option<f64> {
        let first = self.history.first_timestamp();
        let last = self.history.last_timestamp();
        if let (Some(first), Some(last)) = (first, last) {
            if last > first {
                return Some((last - first + 1) as f64);
            }
        }
        if self.aggregated.rps > 0.0 && self.aggregated.requests > 0 {
            Some(self.aggregated.requests as f64 / self.aggregated.rps)
        } else {
            None
        }
    }

    /// The highest user count the history shows, if there is a history.
    pub fn peak_users(&self) -> Option<u64> {
        self.history.peak_users()
    }

    /// The full histogram of an endpoint, if the run has one; for Aggregated, the file's own
    /// total or else the sum of every endpoint's.
    pub fn histogram(&self, key: &EndpointKey) -> Option<Histogram> {
        if let Some(h) = self.histograms.iter().find(|h| &h.key == key) {
            return Some(h.clone());
        }
        if !key.is_aggregated() || self.histograms.is_empty() {
            return None;
        }
        let mut sum: std::collections::BTreeMap<u64, (f64, u64)> = Default::default();
        for h in &self.histograms {
            for &(ms, count) in &h.buckets {
                let entry = sum.entry(ms.to_bits()).or_insert((ms, 0));
                entry.1 = entry.1.saturating_add(count);
            }
        }
        let mut buckets: Vec<(f64, u64)> = sum.into_values().collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(Histogram {
            key: key.clone(),
            buckets,
        })
    }

    /// Whether the history has rows for individual endpoints (`--csv-full-history`).
    pub fn has_full_history(&self) -> bool {
        self.history
            .series()
            .iter()
            .any(|s| !s.key().is_aggregated())
    }
}

//! Records every request and turns the records into Locust's numbers.
//!
//! Each endpoint (and the Aggregated total) keeps an HDR histogram of latencies (microsecond
//! resolution, 3 significant digits) plus exact count, sum, min, max and content size, so the
//! whole-run numbers are exact where Locust's are exact (average, min, max) and within the
//! histogram's 0.1 % elsewhere. Percentiles and the median are then computed the way Locust
//! computes them: each histogram bucket is mapped to Locust's response-time key (whole ms below
//! 100 ms, 10 ms steps below 1 s, 100 ms steps below 10 s, whole seconds above) and Locust's
//! `calculate_response_time_percentile` / `median_from_dict` run on those keys, so the columns
//! hold the same rounded integers Locust writes.
//!
//! The history's "current" columns copy Locust's sliding window too: requests per second are
//! the mean over the seconds `[last-12, last-2)` of the last request, and windowed percentiles
//! diff against the snapshot of about 10 s earlier that Locust's response-time cache would hold.
//!
//! The users do not record into the run's [`Recorder`] directly but into per-thread buffers
//! ([`Recorders`]) that each tick drains into it.

use std::collections::{BTreeMap, BTreeSet};

use hdrhistogram::Histogram;

use super::locust_math::{failure_sort_key, locust_bucket, locust_percentile};
use crate::locust::write::{EntrySnapshot, FailureLine, HistoryPoint, Num, PERCENTILES};

mod marks;
mod workers;
pub use marks::HistogramMark;
pub use workers::Recorders;

/// Largest latency the histograms hold: one hour, in microseconds.
const MAX_US: u64 = 3_600_000_000;
/// Seconds of per-second data kept for the sliding windows.
const KEEP_SECONDS: i64 = 30;

/// One finished request, as a user task reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Index of the endpoint (distinct method and name).
    pub slot: usize,
    /// Unix time (seconds) when it finished.
    pub at: f64,
    /// Latency in µs: from the send (closed model) or the intended send (open model).
    pub latency_us: u64,
    /// Open model only: latency from the actual send, in µs.
    pub service_us: Option<u64>,
    /// Response body bytes.
    pub content_len: u64,
    /// The error, worded as Locust would, when the request failed.
    pub error: Option<String>,
}

/// One latency series: histogram plus exact moments.
#[derive(Debug, Clone)]
struct Latencies {
    hist: Histogram<u64>,
    /// Sum in ms, added in recording order as Locust adds its floats (same rounding).
    sum_ms: f64,
    min_us: u64,
    max_us: u64,
}

impl Latencies {
    fn new() -> Self {
        Self {
            hist: Histogram::new_with_bounds(1, MAX_US, 3).expect("static histogram bounds"),
            sum_ms: 0.0,
            min_us: u64::MAX,
            max_us: 0,
        }
    }

    fn record(&mut self, us: u64) {
        let v = us.clamp(1, MAX_US);
        self.hist.saturating_record(v);
        self.sum_ms += us as f64 / 1000.0;
        self.min_us = self.min_us.min(us);
        self.max_us = self.max_us.max(us);
    }

    /// Locust's rounded response-time dict rebuilt from the histogram.
    fn locust_keys(&self) -> BTreeMap<u64, u64> {
        let mut keys = BTreeMap::new();
        for v in self.hist.iter_recorded() {
            let ms = self.hist.median_equivalent(v.value_iterated_to()) as f64 / 1000.0;
            *keys.entry(locust_bucket(ms)).or_insert(0) += v.count_at_value();
        }
        keys
    }
}

#[derive(Debug, Clone, Default)]
struct Second {
    requests: u64,
    failures: u64,
    keys: BTreeMap<u64, u64>,
}

/// One Locust `StatsEntry`.
#[derive(Debug, Clone)]
struct Entry {
    method: String,
    name: String,
    latency: Latencies,
    /// Open model only, allocated on the first service time.
    service: Option<Box<Latencies>>,
    requests: u64,
    failures: u64,
    content: u64,
    seconds: BTreeMap<i64, Second>,
    start_key: Option<i64>,
    first_sec: Option<i64>,
}

impl Entry {
    fn new(method: &str, name: &str) -> Self {
        Self {
            method: method.into(),
            name: name.into(),
            latency: Latencies::new(),
            service: None,
            requests: 0,
            failures: 0,
            content: 0,
            seconds: BTreeMap::new(),
            start_key: None,
            first_sec: None,
        }
    }

    fn reset(&mut self) {
        *self = Entry::new(&self.method, &self.name);
    }

    fn record(&mut self, s: &Sample, sec: i64) {
        if self.start_key.is_none() {
            self.start_key = Some(sec);
        }
        if self.first_sec.is_none() {
            self.first_sec = Some(sec);
        }
        self.requests += 1;
        self.content += s.content_len;
        self.latency.record(s.latency_us);
        if let Some(us) = s.service_us {
            self.service
                .get_or_insert_with(|| Box::new(Latencies::new()))
                .record(us);
        }
        let second = self.seconds.entry(sec).or_default();
        second.requests += 1;
        let key = locust_bucket(s.latency_us as f64 / 1000.0);
        *second.keys.entry(key).or_insert(0) += 1;
        if s.error.is_some() {
            self.failures += 1;
            second.failures += 1;
        }
    }

    fn touched(&self) -> bool {
        self.requests > 0 || self.failures > 0
    }
}

#[derive(Debug, Clone)]
struct FailureStat {
    count: u64,
    first: i64,
    last: i64,
    order: usize,
}

/// All statistics of one run.
#[derive(Debug, Clone)]
pub struct Recorder {
    start_time: f64,
    last_request: Option<f64>,
    entries: Vec<Entry>,
    total: Entry,
    failures: BTreeMap<(usize, String), FailureStat>,
}

impl Recorder {
    /// A recorder for these (method, name) endpoints, started at Unix time `now`.
    pub fn new(endpoints: &[(String, String)], now: f64) -> Self {
        let mut total = Entry::new("", crate::model::AGGREGATED_NAME);
        total.start_key = Some(now as i64);
        Self {
            start_time: now,
            last_request: None,
            entries: endpoints.iter().map(|(m, n)| Entry::new(m, n)).collect(),
            total,
            failures: BTreeMap::new(),
        }
    }

    /// Forgets everything recorded so far (`--reset-stats`), restarting the clock at `now`.
    pub fn reset(&mut self, now: f64) {
        for e in &mut self.entries {
            e.reset();
            e.start_key = Some(now as i64);
        }
        self.total.reset();
        self.total.start_key = Some(now as i64);
        self.failures.clear();
        self.start_time = now;
        self.last_request = None;
    }

    /// Records one request.
    pub fn record(&mut self, s: &Sample) {
        let sec = s.at as i64;
        if let Some(e) = self.entries.get_mut(s.slot) {
            e.record(s, sec);
        } else {
            return;
        }
        self.total.record(s, sec);
        self.last_request = Some(self.last_request.map_or(s.at, |l| l.max(s.at)));
        if let Some(err) = &s.error {
            let order = self.failures.len();
            self.failures
                .entry((s.slot, err.clone()))
                .and_modify(|f| {
                    f.count += 1;
                    f.first = f.first.min(sec);
                    f.last = f.last.max(sec);
                })
                .or_insert(FailureStat {
                    count: 1,
                    first: sec,
                    last: sec,
                    order,
                });
        }
    }

    /// Drops per-second data older than the sliding windows need.
    pub fn prune(&mut self, now: f64) {
        let keep_from = now as i64 - KEEP_SECONDS;
        for e in self
            .entries
            .iter_mut()
            .chain(std::iter::once(&mut self.total))
        {
            e.seconds = e.seconds.split_off(&keep_from);
        }
    }

    /// Requests and failures so far (Aggregated).
    pub fn totals(&self) -> (u64, u64) {
        (self.total.requests, self.total.failures)
    }

    /// The longest latency recorded so far (Aggregated), µs; 0 before the first request.
    pub fn slowest_us(&self) -> u64 {
        self.total.latency.max_us
    }

    /// Requests per second over the whole run so far, as Locust's `total_rps`.
    pub fn total_rps(&self) -> f64 {
        self.rate(self.total.requests)
    }

    fn rate(&self, n: u64) -> f64 {
        match self.last_request {
            Some(last) if last > self.start_time => n as f64 / (last - self.start_time),
            _ => 0.0,
        }
    }

    fn ordered(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().filter(|e| e.touched()).collect();
        v.sort_by(|a, b| (&a.name, &a.method).cmp(&(&b.name, &b.method)));
        v
    }

    fn snapshot(&self, e: &Entry, service: bool) -> EntrySnapshot {
        let empty;
        let lat = match (service, &e.service) {
            (false, _) => &e.latency,
            (true, Some(s)) => s.as_ref(),
            (true, None) => {
                empty = Latencies::new();
                &empty
            }
        };
        let n = lat.hist.len();
        let keys = lat.locust_keys();
        let (min_ms, max_ms) = if lat.min_us != u64::MAX {
            (
                Some(lat.min_us as f64 / 1000.0),
                Some(lat.max_us as f64 / 1000.0),
            )
        } else {
            (None, None)
        };
        let median = match (keys.is_empty(), min_ms, max_ms) {
            (false, Some(min), Some(max)) => {
                let m = locust_percentile(&keys, n, 0.5) as f64;
                if m > max {
                    Num::Float(max)
                } else if m < min {
                    Num::Float(min)
                } else {
                    Num::Int(m as i64)
                }
            }
            _ => Num::Int(0),
        };
        EntrySnapshot {
            method: e.method.clone(),
            name: e.name.clone(),
            requests: e.requests,
            failures: e.failures,
            median,
            avg_ms: if n == 0 { 0.0 } else { lat.sum_ms / n as f64 },
            min_ms,
            max_ms,
            content_length_sum: e.content,
            total_rps: self.rate(e.requests),
            total_fail_per_s: self.rate(e.failures),
            percentiles: (n > 0).then(|| PERCENTILES.map(|p| locust_percentile(&keys, n, p))),
        }
    }

    /// The rows of `_stats.csv`: endpoints sorted by (name, method), then Aggregated. With
    /// `service` the latencies are the open model's service times instead.
    pub fn stats_rows(&self, service: bool) -> Vec<EntrySnapshot> {
        let mut rows: Vec<EntrySnapshot> = self
            .ordered()
            .into_iter()
            .map(|e| self.snapshot(e, service))
            .collect();
        rows.push(self.snapshot(&self.total, service));
        rows
    }

    /// The rows one history tick adds at Unix time `now`: Aggregated only, or every endpoint
    /// then Aggregated with `full` (`--csv-full-history`, whose percentiles are windowed).
    pub fn history_rows(
        &self,
        now: f64,
        users: u64,
        full: bool,
    ) -> Vec<(HistoryPoint, EntrySnapshot)> {
        let mut entries = if full { self.ordered() } else { Vec::new() };
        entries.push(&self.total);
        entries
            .into_iter()
            .map(|e| {
                let snap = self.snapshot(e, false);
                let percentiles = if e.requests == 0 {
                    None
                } else if full {
                    Some(self.window_percentiles(e, now as i64))
                } else {
                    snap.percentiles
                };
                let (rps, fps) = self.current_rates(e);
                let point = HistoryPoint {
                    timestamp: now as i64,
                    user_count: users,
                    current_rps: rps,
                    current_fail_per_s: fps,
                    percentiles,
                };
                (point, snap)
            })
            .collect()
    }

    /// Locust's `current_rps` and `current_fail_per_sec`.
    fn current_rates(&self, e: &Entry) -> (f64, f64) {
        let Some(last) = self.last_request else {
            return (0.0, 0.0);
        };
        let last = last as i64;
        let from = (last - 12).max(self.start_time as i64);
        let to = last - 2;
        if to <= from {
            return (0.0, 0.0);
        }
        let (mut r, mut f) = (0u64, 0u64);
        for (_, s) in e.seconds.range(from..to) {
            r += s.requests;
            f += s.failures;
        }
        let n = (to - from) as f64;
        (r as f64 / n, f as f64 / n)
    }

    /// Locust's `get_current_response_time_percentile` for every level, at second `t`.
    fn window_percentiles(&self, e: &Entry, t: i64) -> [u64; 11] {
        let log_keys: BTreeSet<i64> = match e.first_sec {
            Some(first) => e
                .seconds
                .keys()
                .filter(|s| **s > first)
                .map(|s| s - 1)
                .collect(),
            None => BTreeSet::new(),
        };
        let mut acceptable = vec![t - 10];
        for i in 1..9 {
            acceptable.push(t - 10 - i);
            acceptable.push(t - 10 + i);
        }
        let cached = acceptable
            .into_iter()
            .find(|k| log_keys.contains(k) || Some(*k) == e.start_key);
        let Some(k) = cached else {
            return [0; 11];
        };
        let from = if log_keys.contains(&k) {
            k + 1
        } else {
            i64::MIN
        };
        let mut keys = BTreeMap::new();
        let mut n = 0;
        for (_, s) in e.seconds.range(from..) {
            n += s.requests;
            for (key, c) in &s.keys {
                *keys.entry(*key).or_insert(0) += c;
            }
        }
        PERCENTILES.map(|p| locust_percentile(&keys, n, p))
    }

    /// The rows of `_failures.csv`, in Locust's order (see [`failure_sort_key`]).
    pub fn failure_lines(&self) -> Vec<FailureLine<'_>> {
        let mut v: Vec<FailureLine<'_>> = self
            .failures
            .iter()
            .filter_map(|((slot, err), f)| {
                let e = self.entries.get(*slot)?;
                Some(FailureLine {
                    method: &e.method,
                    name: &e.name,
                    error: err,
                    occurrences: f.count,
                    first_seen: f.first,
                    last_seen: f.last,
                })
            })
            .collect();
        v.sort_by_cached_key(|f| failure_sort_key(f.method, f.name, f.error));
        v
    }

    /// The error report Locust prints: (occurrences, "METHOD NAME: error"), in order of first
    /// occurrence, with `CatchResponseError` unwrapped to its message as Locust does.
    pub fn error_report(&self) -> Vec<(u64, String)> {
        let mut v: Vec<(usize, u64, String)> = self
            .failures
            .iter()
            .filter_map(|((slot, err), f)| {
                let e = self.entries.get(*slot)?;
                let shown = err
                    .strip_prefix("CatchResponseError(")
                    .and_then(|r| r.strip_suffix(')'))
                    .map(|r| r.trim_matches(|c| c == '\'' || c == '"'))
                    .unwrap_or(err);
                Some((
                    f.order,
                    f.count,
                    format!("{} {}: {shown}", e.method, e.name),
                ))
            })
            .collect();
        v.sort_by_key(|(order, _, _)| *order);
        v.into_iter().map(|(_, n, text)| (n, text)).collect()
    }

    /// The histogram buckets: (method, name, bucket value in µs, count) per endpoint, then the
    /// Aggregated total. With `service`, the open model's service times.
    pub fn histogram_rows(&self, service: bool) -> Vec<(&str, &str, u64, u64)> {
        let mut rows = Vec::new();
        for e in self
            .ordered()
            .into_iter()
            .chain(std::iter::once(&self.total))
        {
            let lat = if service {
                match &e.service {
                    Some(s) => s.as_ref(),
                    None => continue,
                }
            } else {
                &e.latency
            };
            rows.extend(bucket_rows(e, &lat.hist));
        }
        rows
    }
}

/// One endpoint's recorded buckets as histogram-file rows: (method, name, bucket value in µs,
/// count), the one layout `_histograms.csv` and `_stage_histograms.csv` share.
fn bucket_rows<'e: 'h, 'h>(
    e: &'e Entry,
    hist: &'h Histogram<u64>,
) -> impl Iterator<Item = (&'e str, &'e str, u64, u64)> + 'h {
    hist.iter_recorded().map(move |v| {
        (
            e.method.as_str(),
            e.name.as_str(),
            v.value_iterated_to(),
            v.count_at_value(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(slot: usize, at: f64, ms: f64, err: Option<&str>) -> Sample {
        Sample {
            slot,
            at,
            latency_us: (ms * 1000.0) as u64,
            service_us: None,
            content_len: 10,
            error: err.map(String::from),
        }
    }

    #[test]
    fn rows_add_up_and_clamp_the_median() {
        let eps = vec![
            ("GET".to_string(), "/b".to_string()),
            ("GET".into(), "/a".into()),
        ];
        let mut r = Recorder::new(&eps, 1000.0);
        r.record(&sample(0, 1000.5, 215.3, None));
        r.record(&sample(1, 1001.5, 12.0, Some("boom")));
        r.record(&sample(1, 1002.0, 14.0, None));
        let rows = r.stats_rows(false);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].name, "/a");
        assert_eq!(rows[1].median, Num::Float(215.3));
        assert_eq!(rows[2].requests, 3);
        assert_eq!(rows[2].failures, 1);
        assert_eq!(rows[2].total_rps, 1.5);
        let f = r.failure_lines();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name, "/a");
        let h = r.history_rows(1002.0, 3, true);
        assert_eq!(h.len(), 3);
        assert_eq!(h[2].1.requests, 3);
        r.reset(1003.0);
        assert_eq!(r.totals(), (0, 0));
        assert_eq!(r.stats_rows(false).len(), 1);
    }
}

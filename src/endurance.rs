//! Endurance: whether latency and throughput drift over a long run's steady window.
//!
//! For Aggregated and each endpoint, three series over the steady window
//! ([`crate::steady`]) are fitted with a line against time ([`crate::stats::trend`]):
//! the history's windowed p50 and p95 (with `--csv-full-history`; rows whose window held no
//! request are skipped) and the throughput of each second, from the difference of the
//! cumulative request counts of consecutive rows. Each slope gets a 95 % Newey–West interval
//! allowing for the 10 s window's overlap. A series *drifts* when the interval excludes 0 and
//! the line moves by at least [`MATERIAL`] of the series' mean over the window: significant
//! and material, as `compare` judges changes.

use serde::Serialize;

use crate::model::{EndpointKey, Point, Run};
use crate::stats::stages::WINDOW_S;
use crate::stats::trend::{trend, Trend};
use crate::steady::SteadyWindow;

/// The shortest steady window judged for drift, seconds: the plan's endurance test runs 30
/// minutes; under 5 a trend is hard to tell from the load settling.
pub const MIN_WINDOW_S: f64 = 300.0;
/// The smallest change over the window, as a fraction of the mean, that counts as drift.
pub const MATERIAL: f64 = 0.10;
/// Confidence of the slope intervals.
pub const CONFIDENCE: f64 = 0.95;

/// One series' trend and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftRow {
    /// Request type (empty for Aggregated).
    pub method: String,
    /// Request name (untrusted text).
    pub name: String,
    /// `p50_ms`, `p95_ms` or `rps`.
    pub metric: &'static str,
    /// Slope per minute, with its interval.
    pub per_minute: Trend,
    /// Change the line implies over the window, as a fraction of the mean.
    pub change: f64,
    /// `steady`, `rising` or `falling`.
    pub verdict: &'static str,
}

/// The drift of every series of a long run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endurance {
    /// The window judged, seconds since the first row.
    pub start_s: f64,
    /// See `start_s`.
    pub end_s: f64,
    /// Every series: Aggregated first, then each endpoint.
    pub rows: Vec<DriftRow>,
}

impl Endurance {
    /// Whether any series drifts.
    pub fn drifts(&self) -> bool {
        self.rows.iter().any(|r| r.verdict != "steady")
    }
}

/// The drift of `run` over `steady`, when that window lasts at least [`MIN_WINDOW_S`].
pub fn endurance(run: &Run, steady: Option<&SteadyWindow>) -> Option<Endurance> {
    let w = steady.filter(|w| w.end_s - w.start_s >= MIN_WINDOW_S)?;
    let first = run.history.first_timestamp()?;
    let (from, to) = (first + w.start_s as i64, first + w.end_s as i64);
    let windowed = run.has_full_history();
    let mut keys = vec![EndpointKey::aggregated()];
    if windowed {
        keys.extend(run.endpoints.iter().map(|e| e.key.clone()));
    }
    let minutes = (w.end_s - w.start_s) / 60.0;
    let mut rows = Vec::new();
    for key in keys {
        let series: Vec<Point<'_>> = run
            .history
            .points(&key)
            .filter(|r| r.timestamp >= from && r.timestamp <= to)
            .collect();
        let x = |r: &Point<'_>| (r.timestamp - first) as f64 / 60.0;
        let mut fits = Vec::new();
        if windowed {
            for (metric, level) in [("p50_ms", 0.5), ("p95_ms", 0.95)] {
                let points: Vec<(f64, f64)> = series
                    .iter()
                    .filter_map(|r| {
                        let v = r.percentile(level)?;
                        (!(v == 0.0 && r.rps == 0.0)).then_some((x(r), v))
                    })
                    .collect();
                fits.push((metric, trend(&points, WINDOW_S as usize, CONFIDENCE)));
            }
        }
        let rps: Vec<(f64, f64)> = series
            .windows(2)
            .filter(|p| p[1].timestamp > p[0].timestamp)
            .map(|p| {
                let dt = (p[1].timestamp - p[0].timestamp) as f64;
                let n = p[1].total_requests.saturating_sub(p[0].total_requests) as f64;
                (x(&p[1]), n / dt)
            })
            .collect();
        fits.push(("rps", trend(&rps, 1, CONFIDENCE)));
        for (metric, fit) in fits {
            let Some(t) = fit else { continue };
            let change = if t.mean != 0.0 {
                t.slope * minutes / t.mean
            } else {
                0.0
            };
            let significant = t.low > 0.0 || t.high < 0.0;
            let verdict = match (significant && change.abs() >= MATERIAL, change > 0.0) {
                (false, _) => "steady",
                (true, true) => "rising",
                (true, false) => "falling",
            };
            rows.push(DriftRow {
                method: key.method.clone(),
                name: key.name.clone(),
                metric,
                per_minute: t,
                change,
                verdict,
            });
        }
    }
    Some(Endurance {
        start_s: w.start_s,
        end_s: w.end_s,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EndpointStats, HistoryRow, Percentile};
    use crate::steady::steady_window;

    fn row(t: i64, key: EndpointKey, total: u64, p50: f64, p95: f64) -> HistoryRow {
        HistoryRow {
            timestamp: t,
            user_count: 10,
            key,
            rps: 20.0,
            failures_per_s: 0.0,
            percentiles: vec![
                Percentile {
                    level: 0.5,
                    value_ms: Some(p50),
                },
                Percentile {
                    level: 0.95,
                    value_ms: Some(p95),
                },
            ],
            total_requests: total,
            total_failures: 0,
            total_median_ms: None,
            total_avg_ms: 0.0,
            total_min_ms: None,
            total_max_ms: None,
            total_avg_content_size: 0.0,
        }
    }

    /// 10 minutes at 20 req/s; p95 rises by exactly 6 ms a minute from 100 ms (plus a ±3 ms
    /// zigzag that averages out), p50 holds at 50 ms.
    fn leaking(minutes: i64) -> Run {
        let endpoint = EndpointKey::new("GET", "/a");
        let mut history = Vec::new();
        for t in 0..=minutes * 60 {
            let zig = if t % 2 == 0 { 3.0 } else { -3.0 };
            let p95 = 100.0 + 6.0 * t as f64 / 60.0 + zig;
            let total = 20 * t as u64;
            history.push(row(t, endpoint.clone(), total, 50.0, p95));
            history.push(row(t, EndpointKey::aggregated(), total, 50.0, p95));
        }
        let stats = |key: EndpointKey| EndpointStats::empty(key);
        let mut run = Run::of_rows("r", vec![stats(endpoint)], stats(EndpointKey::aggregated()));
        run.history = history.into();
        run
    }

    #[test]
    fn a_rising_p95_drifts_and_flat_series_do_not() {
        let run = leaking(10);
        let e = endurance(&run, steady_window(&run, None).as_ref()).unwrap();
        let find = |name: &str, metric: &str| {
            e.rows
                .iter()
                .find(|r| r.name == name && r.metric == metric)
                .unwrap()
        };
        let p95 = find("/a", "p95_ms");
        assert!((p95.per_minute.slope - 6.0).abs() < 0.05, "{p95:?}");
        assert!(p95.per_minute.low < 6.0 && p95.per_minute.high > 6.0);
        assert_eq!(p95.verdict, "rising");
        // 60 ms over 10 minutes against a mean of 130 ms.
        assert!((p95.change - 60.0 / 130.0).abs() < 0.01, "{}", p95.change);
        assert_eq!(find("/a", "p50_ms").verdict, "steady");
        let rps = find("Aggregated", "rps");
        assert!((rps.per_minute.mean - 20.0).abs() < 1e-9);
        assert_eq!(rps.verdict, "steady");
        assert!(e.drifts());
    }

    #[test]
    fn short_runs_are_not_judged() {
        let run = leaking(4);
        assert_eq!(endurance(&run, steady_window(&run, None).as_ref()), None);
    }
}

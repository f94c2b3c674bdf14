//! Time series from a run's `_stats_history.csv`, ready to plot: x in seconds since the first
//! row, thinned to a bounded number of points so a 30-minute history keeps the report small.
//!
//! Two kinds of columns are mixed in Locust's history and the charts keep them apart:
//! - the *current* columns (`Requests/s`, `Failures/s`, the percentiles) describe a recent
//!   window — about the last 10 s in Locust 2.x, the whole run so far in 1.x — and in 2.x the
//!   first rows hold `0` percentiles meaning "no request in the window yet";
//! - the `Total …` columns are cumulative over the whole run so far.

use serde::Serialize;

use crate::model::{EndpointKey, Point, Run};

/// At most this many points per line in a full-width chart.
pub const MAX_POINTS: usize = 400;

/// At most this many points per line in a small multiple.
pub const MAX_POINTS_SMALL: usize = 150;

/// One run's percentile lines (of the Aggregated row or of one endpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LatencySeries {
    /// Median of the recent window, ms.
    pub p50: Vec<(f64, f64)>,
    /// 95th percentile of the recent window, ms.
    pub p95: Vec<(f64, f64)>,
    /// 99th percentile of the recent window, ms.
    pub p99: Vec<(f64, f64)>,
}

impl LatencySeries {
    /// Whether no line has a point.
    pub fn is_empty(&self) -> bool {
        self.p50.is_empty() && self.p95.is_empty() && self.p99.is_empty()
    }
}

/// One run's whole-run time series from the Aggregated history rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// Requests per second (recent window).
    pub rps: Vec<(f64, f64)>,
    /// Failures per second (recent window).
    pub failures_per_s: Vec<(f64, f64)>,
    /// Users running.
    pub users: Vec<(f64, f64)>,
    /// Percentiles of the recent window.
    pub latency: LatencySeries,
    /// How many seconds the history spans.
    pub span_s: f64,
    /// Set when lines were thinned: how many history rows each point stands for, at most.
    pub rows_per_point: Option<usize>,
}

impl Timeline {
    /// The Aggregated series of a run, or `None` when it has no history rows.
    pub fn of(run: &Run) -> Option<Self> {
        let start = start(run)?;
        let rows: Vec<Point<'_>> = run.history.points(&EndpointKey::aggregated()).collect();
        if rows.is_empty() {
            return None;
        }
        let at = |r: &Point<'_>| (r.timestamp - start) as f64;
        let rps: Vec<_> = rows.iter().map(|r| (at(r), r.rps)).collect();
        let failures: Vec<_> = rows.iter().map(|r| (at(r), r.failures_per_s)).collect();
        let users: Vec<_> = rows.iter().map(|r| (at(r), r.user_count as f64)).collect();
        let latency = latency_of(&rows, start);
        let longest = rps.len().max(latency.p50.len());
        Some(Self {
            rps: thin(&rps, MAX_POINTS, Keep::Mean),
            failures_per_s: thin(&failures, MAX_POINTS, Keep::Max),
            users: thin(&users, MAX_POINTS, Keep::Max),
            latency: thin_latency(&latency, MAX_POINTS),
            span_s: rows.last().map_or(0.0, at),
            rows_per_point: (longest > MAX_POINTS).then(|| longest.div_ceil(MAX_POINTS)),
        })
    }
}

/// The percentile lines of each of `keys` from its history rows, for small multiples.
///
/// The history keeps one series per endpoint, so each line reads only its endpoint's points.
pub fn endpoint_latencies(run: &Run, keys: &[&EndpointKey]) -> Vec<LatencySeries> {
    let Some(start) = start(run) else {
        return vec![LatencySeries::default(); keys.len()];
    };
    keys.iter()
        .map(|key| {
            let rows: Vec<Point<'_>> = if key.is_aggregated() {
                Vec::new()
            } else {
                run.history.points(key).collect()
            };
            thin_latency(&latency_of(&rows, start), MAX_POINTS_SMALL)
        })
        .collect()
}

/// The first timestamp of the history.
fn start(run: &Run) -> Option<i64> {
    run.history.time_range().map(|r| r.0)
}

fn latency_of(rows: &[Point<'_>], start: i64) -> LatencySeries {
    let line = |level: f64| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| {
                let v = r.percentile(level)?;
                // Locust 2.x writes 0 while its window holds no request yet.
                let no_data = v == 0.0 && r.rps == 0.0;
                (!no_data).then_some(((r.timestamp - start) as f64, v))
            })
            .collect()
    };
    LatencySeries {
        p50: line(0.5),
        p95: line(0.95),
        p99: line(0.99),
    }
}

fn thin_latency(s: &LatencySeries, max: usize) -> LatencySeries {
    LatencySeries {
        p50: thin(&s.p50, max, Keep::Max),
        p95: thin(&s.p95, max, Keep::Max),
        p99: thin(&s.p99, max, Keep::Max),
    }
}

/// What a thinned point keeps of the rows it stands for.
#[derive(Debug, Clone, Copy)]
enum Keep {
    /// The mean: for rates, so the area under the line stays right.
    Mean,
    /// The largest: for latencies and failures, so spikes stay visible.
    Max,
}

/// Thins `points` to at most `max` by grouping consecutive points; each group becomes one
/// point at its first x.
fn thin(points: &[(f64, f64)], max: usize, keep: Keep) -> Vec<(f64, f64)> {
    if points.len() <= max || max == 0 {
        return points.to_vec();
    }
    let per = points.len().div_ceil(max);
    points
        .chunks(per)
        .map(|group| {
            let x = group[0].0;
            let y = match keep {
                Keep::Mean => group.iter().map(|p| p.1).sum::<f64>() / group.len() as f64,
                Keep::Max => group.iter().map(|p| p.1).fold(f64::MIN, f64::max),
            };
            (x, y)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_spikes_and_means() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, i as f64)).collect();
        assert_eq!(thin(&pts, 20, Keep::Max), pts);
        assert_eq!(
            thin(&pts, 5, Keep::Max),
            vec![(0.0, 1.0), (2.0, 3.0), (4.0, 5.0), (6.0, 7.0), (8.0, 9.0)]
        );
        assert_eq!(thin(&pts, 4, Keep::Mean)[0], (0.0, 1.0));
        assert_eq!(thin(&pts, 4, Keep::Mean).len(), 4);
    }
}

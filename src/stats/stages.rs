//! Load stages of one run: the plateaus of its user count, and each plateau's figures from
//! Locust's once-a-second history snapshots.
//!
//! A *stage* is a maximal stretch of consecutive snapshots with the same user count (more than
//! 0) that lasts at least a minimum time (10 s by default); the ramps between plateaus, where
//! the count changes every second, are not stages. A stage runs from its first snapshot to its
//! last, so it lies wholly inside the plateau (users changed somewhere between the snapshot
//! before and the first one).
//!
//! Figures, from the snapshots at the stage's two ends:
//! - requests and failures are differences of the cumulative counts (`Total Request Count`,
//!   `Total Failure Count`): exact for the stage's span;
//! - the average is `(avg_end · n_end − avg_start · n_start) / (n_end − n_start)` from the
//!   cumulative average Locust writes unrounded: exact but for floating point;
//! - percentiles are approximate. Locust's history percentiles describe a sliding window of
//!   about the last 10 s (2.x with `--csv-full-history`). The stage is tiled, backwards from
//!   its last snapshot, by disjoint 10 s windows that lie wholly inside it; each window's
//!   distribution is rebuilt from its 11 percentile columns ([`RebuiltDistribution`]) and the
//!   windows are mixed weighted by the requests each held (cumulative count at its end minus
//!   10 s earlier). A percentile of the mixture is a percentile of the requests the tiles cover;
//!   never an average of percentiles. It misses the part of the stage the tiles leave out (less
//!   than 10 s at its start) and carries the interpolation between Locust's percentile columns.
//!
//! Nothing here knows the run model: snapshots come in as plain [`Snapshot`]s.

use super::distribution::{pooled_quantile, RebuiltDistribution};

/// Default shortest plateau that counts as a stage, seconds.
pub const DEFAULT_MIN_STAGE_S: f64 = 10.0;
/// Locust's window of "current" percentiles (`CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW`), s.
pub const WINDOW_S: i64 = 10;

/// One history snapshot of one row (an endpoint or Aggregated).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Unix time, seconds.
    pub t: i64,
    /// Cumulative requests.
    pub requests: u64,
    /// Cumulative failures.
    pub failures: u64,
    /// Cumulative average response time, ms.
    pub avg_ms: f64,
    /// The window's percentiles as (level, ms); empty when the window held no request.
    pub window: Vec<(f64, f64)>,
}

/// A plateau: its user count and the indices of its first and last snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plateau {
    /// Users held.
    pub users: u64,
    /// Index of the first snapshot at that count.
    pub first: usize,
    /// Index of the last snapshot at that count.
    pub last: usize,
}

/// The plateaus of a user-count series `(t, users)` (ascending `t`) lasting at least `min_s`
/// seconds from first to last snapshot; counts of 0 are never plateaus.
pub fn plateaus(points: &[(i64, u64)], min_s: f64) -> Vec<Plateau> {
    let mut found = Vec::new();
    let mut first = 0;
    for i in 0..points.len() {
        let ends = i + 1 == points.len() || points[i + 1].1 != points[i].1;
        if !ends {
            continue;
        }
        let users = points[i].1;
        let span = points[i].0.saturating_sub(points[first].0) as f64;
        if users > 0 && span >= min_s {
            found.push(Plateau {
                users,
                first,
                last: i,
            });
        }
        first = i + 1;
    }
    found
}

/// What the snapshots say about one row over `[start_t, end_t]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Requests completed in the span.
    pub requests: u64,
    /// Failures in the span.
    pub failures: u64,
    /// Mean response time of the span's requests, ms; `None` without requests.
    pub avg_ms: Option<f64>,
    /// Percentiles `(level, ms)` of the window mixture at the levels asked for; `None` where
    /// no window fits or none held a request.
    pub percentiles: Vec<(f64, Option<f64>)>,
}

/// The last snapshot at or before `t` (`None` before the first: nothing recorded yet).
fn at(series: &[Snapshot], t: i64) -> Option<&Snapshot> {
    let i = series.partition_point(|s| s.t <= t);
    i.checked_sub(1).map(|i| &series[i])
}

fn totals(s: Option<&Snapshot>) -> (u64, u64, f64) {
    s.map_or((0, 0, 0.0), |s| (s.requests, s.failures, s.avg_ms))
}

/// The figures of `series` (one row's snapshots, ascending `t`) between `start_t` and `end_t`,
/// with the window mixture's percentiles at `levels`.
pub fn figures(series: &[Snapshot], start_t: i64, end_t: i64, levels: &[f64]) -> Figures {
    let (n0, f0, a0) = totals(at(series, start_t));
    let (n1, f1, a1) = totals(at(series, end_t));
    let requests = n1.saturating_sub(n0);
    let avg_ms =
        (requests > 0).then(|| ((a1 * n1 as f64 - a0 * n0 as f64) / requests as f64).max(0.0));
    let tiles = tiles(series, start_t, end_t);
    let parts: Vec<(&RebuiltDistribution, u64)> = tiles.iter().map(|(d, w)| (d, *w)).collect();
    Figures {
        requests,
        failures: f1.saturating_sub(f0),
        avg_ms,
        percentiles: levels
            .iter()
            .map(|&p| (p, pooled_quantile(&parts, p)))
            .collect(),
    }
}

/// The disjoint windows tiling `[start_t, end_t]` backwards from its end, each rebuilt from its
/// percentile columns and weighted by the requests it held.
fn tiles(series: &[Snapshot], start_t: i64, end_t: i64) -> Vec<(RebuiltDistribution, u64)> {
    let mut found = Vec::new();
    let mut until = end_t;
    while let Some(s) = at(series, until) {
        if s.t - WINDOW_S < start_t {
            break;
        }
        let before = totals(at(series, s.t - WINDOW_S)).0;
        let weight = s.requests.saturating_sub(before);
        if weight > 0 && !s.window.is_empty() {
            if let Some(d) = RebuiltDistribution::from_summary(None, &s.window, None) {
                found.push((d, weight));
            }
        }
        until = s.t - WINDOW_S;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn snap(t: i64, requests: u64, avg_ms: f64, window: &[(f64, f64)]) -> Snapshot {
        Snapshot {
            t,
            requests,
            failures: requests / 10,
            avg_ms,
            window: window.to_vec(),
        }
    }

    #[test]
    fn plateaus_skip_ramps_zero_users_and_short_holds() {
        // 0 users, a ramp 1..4, 5 users for 12 s, 6 users for 3 s, 10 users for 10 s, 0 at the end.
        let mut points = vec![(0, 0)];
        points.extend((1..5).map(|t| (t, t as u64)));
        points.extend((5..=17).map(|t| (t, 5)));
        points.extend((18..=21).map(|t| (t, 6)));
        points.extend((22..=32).map(|t| (t, 10)));
        points.push((33, 0));
        let p = plateaus(&points, 10.0);
        assert_eq!(
            p,
            [
                Plateau {
                    users: 5,
                    first: 5,
                    last: 17
                },
                Plateau {
                    users: 10,
                    first: 22,
                    last: 32
                }
            ]
        );
        assert_eq!(plateaus(&points, 3.0).len(), 3);
        assert!(plateaus(&[], 10.0).is_empty());
    }

    #[test]
    fn counts_and_average_come_from_the_cumulative_columns() {
        // 100 requests averaging 10 ms, then 300 more averaging 30 ms: 400 at 25 ms.
        let series = [snap(0, 100, 10.0, &[]), snap(20, 400, 25.0, &[])];
        let f = figures(&series, 0, 20, &[0.5]);
        assert_eq!((f.requests, f.failures), (300, 30));
        assert!((f.avg_ms.unwrap() - 30.0).abs() < 1e-12);
        // No window held percentiles: none is made up.
        assert_eq!(f.percentiles, [(0.5, None)]);
    }

    #[test]
    fn percentiles_mix_disjoint_windows_by_their_requests() {
        // Two 10 s windows inside [0, 20]: 100 requests uniform on 0–100 ms, then 300 uniform
        // on 100–200 ms. The mixture's median is where 200 of 400 requests lie below: in the
        // second window, a third of the way (100 of its 300): 133.3 ms. The average of the two
        // window medians would be 100 ms.
        let a = [(0.0, 0.0), (0.5, 50.0), (1.0, 100.0)];
        let b = [(0.0, 100.0), (0.5, 150.0), (1.0, 200.0)];
        let series = [
            snap(0, 0, 0.0, &[]),
            snap(5, 50, 0.0, &a),
            snap(10, 100, 0.0, &a),
            snap(15, 250, 0.0, &b),
            snap(20, 400, 0.0, &b),
        ];
        let f = figures(&series, 0, 20, &[0.5, 0.25]);
        let median = f.percentiles[0].1.unwrap();
        assert!((median - 100.0 - 100.0 / 3.0).abs() < 1e-9, "{median}");
        // p25: 100 of 400, the top of the first window.
        assert!((f.percentiles[1].1.unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn windows_reaching_before_the_stage_are_not_used() {
        // A 15 s stage [5, 20]: only the window ending at 20 fits (10–20); 5–15 reaches back.
        let early = [(0.0, 1000.0), (1.0, 1000.0)];
        let late = [(0.0, 10.0), (1.0, 20.0)];
        let series = [
            snap(0, 0, 0.0, &[]),
            snap(5, 10, 0.0, &early),
            snap(10, 20, 0.0, &early),
            snap(20, 40, 0.0, &late),
        ];
        let f = figures(&series, 5, 20, &[1.0]);
        assert_eq!(f.percentiles[0].1, Some(20.0));
        // A stage shorter than a window has no percentiles.
        assert_eq!(figures(&series, 15, 20, &[1.0]).percentiles[0].1, None);
    }

    proptest! {
        #[test]
        fn plateaus_are_disjoint_long_enough_and_constant(
            users in prop::collection::vec(0u64..4, 0..80),
            min_s in 0.0f64..15.0,
        ) {
            let points: Vec<(i64, u64)> =
                users.iter().enumerate().map(|(t, &u)| (t as i64, u)).collect();
            let found = plateaus(&points, min_s);
            for w in found.windows(2) {
                prop_assert!(w[0].last < w[1].first);
            }
            for p in &found {
                prop_assert!(p.users > 0);
                prop_assert!((points[p.last].0 - points[p.first].0) as f64 >= min_s);
                prop_assert!(points[p.first..=p.last].iter().all(|x| x.1 == p.users));
                // Maximal: the neighbours hold another count.
                prop_assert!(p.first == 0 || points[p.first - 1].1 != p.users);
                prop_assert!(p.last + 1 == points.len() || points[p.last + 1].1 != p.users);
            }
        }

        #[test]
        fn stage_counts_add_up_and_percentiles_stay_within_the_windows(
            steps in prop::collection::vec((0u64..50, 1.0f64..500.0), 2..60),
            cut in 0usize..60,
        ) {
            // One snapshot a second; each window's values lie in [lo, lo + 100].
            let mut total = 0;
            let series: Vec<Snapshot> = steps
                .iter()
                .enumerate()
                .map(|(t, &(n, lo))| {
                    total += n;
                    snap(t as i64, total, 5.0, &[(0.0, lo), (0.5, lo + 50.0), (1.0, lo + 100.0)])
                })
                .collect();
            let end = series.len() as i64 - 1;
            let cut = (cut as i64).min(end);
            let a = figures(&series, 0, cut, &[]);
            let b = figures(&series, cut, end, &[]);
            let whole = figures(&series, 0, end, &[0.5]);
            prop_assert_eq!(a.requests + b.requests, whole.requests);
            if let Some(p50) = whole.percentiles[0].1 {
                let lo = steps.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
                let hi = steps.iter().map(|s| s.1 + 100.0).fold(0.0, f64::max);
                prop_assert!(p50 >= lo - 1e-9 && p50 <= hi + 1e-9);
            }
        }
    }
}

//! The steady-state window of a run: where the ramp-up ends and the load holds.
//!
//! Throughput over the whole run mixes the ramp-up (users still spawning) with the load the
//! test was meant to apply. From the Aggregated history rows, the window starts at the first
//! second from which the user count stays at its final value, and ends at the last row; or,
//! with `--skip-warmup`, a fixed time after the first row.

use serde::Serialize;

use crate::model::{EndpointKey, Point, Run};

/// How the window's start was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowSource {
    /// Where the user count reached its final value and held.
    RampUpEnd,
    /// A fixed warm-up given with `--skip-warmup`.
    SkipWarmup,
}

/// The steady window and the throughput over it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SteadyWindow {
    /// Seconds from the first history row to the window's start.
    pub start_s: f64,
    /// Seconds from the first history row to the window's end (the last row).
    pub end_s: f64,
    /// Users during the window (the final user count).
    pub users: u64,
    /// Requests completed within the window.
    pub requests: u64,
    /// Failures within the window.
    pub failures: u64,
    /// Requests per second within the window.
    pub rps: f64,
    /// How the start was chosen.
    pub source: WindowSource,
}

impl SteadyWindow {
    /// A sentence that says which window was used.
    pub fn describe(&self) -> String {
        let how = match self.source {
            WindowSource::RampUpEnd => "after the ramp-up",
            WindowSource::SkipWarmup => "after --skip-warmup",
        };
        format!(
            "steady state {how}: {:.0}–{:.0} s at {} users, {:.2} req/s",
            self.start_s, self.end_s, self.users, self.rps
        )
    }
}

/// Finds the steady window from the run's Aggregated history rows; `skip_warmup_s` fixes the
/// start instead. `None` without a history or when the window would be shorter than 2 s.
pub fn steady_window(run: &Run, skip_warmup_s: Option<f64>) -> Option<SteadyWindow> {
    let rows: Vec<Point<'_>> = run.history.points(&EndpointKey::aggregated()).collect();
    // A distributed run's last rows can report 0 users (workers stopping): they are the
    // shutdown, not the load, so the window ends at the last row with users.
    let loaded = rows
        .iter()
        .rposition(|r| r.user_count > 0)
        .map_or(rows.len(), |i| i + 1);
    let rows = &rows[..loaded];
    let first = rows.first()?;
    let last = rows.last()?;
    let start = match skip_warmup_s {
        Some(skip) => rows
            .iter()
            .find(|r| (r.timestamp - first.timestamp) as f64 >= skip)?,
        None => {
            let held_from = rows
                .iter()
                .rposition(|r| r.user_count != last.user_count)
                .map_or(0, |i| i + 1);
            rows.get(held_from)?
        }
    };
    let seconds = (last.timestamp - start.timestamp) as f64;
    if seconds < 2.0 {
        return None;
    }
    let requests = last.total_requests.saturating_sub(start.total_requests);
    Some(SteadyWindow {
        start_s: (start.timestamp - first.timestamp) as f64,
        end_s: (last.timestamp - first.timestamp) as f64,
        users: last.user_count,
        requests,
        failures: last.total_failures.saturating_sub(start.total_failures),
        rps: requests as f64 / seconds,
        source: if skip_warmup_s.is_some() {
            WindowSource::SkipWarmup
        } else {
            WindowSource::RampUpEnd
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EndpointStats, HistoryRow, RunFiles};
    use std::path::PathBuf;

    fn row(t: i64, users: u64, total: u64) -> HistoryRow {
        HistoryRow {
            timestamp: t,
            user_count: users,
            key: EndpointKey::aggregated(),
            rps: 0.0,
            failures_per_s: 0.0,
            percentiles: Vec::new(),
            total_requests: total,
            total_failures: total / 100,
            total_median_ms: None,
            total_avg_ms: 0.0,
            total_min_ms: None,
            total_max_ms: None,
            total_avg_content_size: 0.0,
        }
    }

    fn run(history: Vec<HistoryRow>) -> Run {
        let stats = EndpointStats::empty(EndpointKey::aggregated());
        Run {
            files: RunFiles {
                name: "r".into(),
                stats: PathBuf::from("r_stats.csv"),
                history: None,
                failures: None,
                exceptions: None,
                histograms: None,
            },
            endpoints: Vec::new(),
            aggregated: stats,
            history: history.into(),
            failures: Vec::new(),
            exceptions: Vec::new(),
            histograms: Vec::new(),
        }
    }

    #[test]
    fn window_starts_where_the_user_count_holds() {
        // Users 0, 5, 10, 10, 10, 10, 10 at t = 100…106; 20 requests a second once at 10 users.
        let users = [0, 5, 10, 10, 10, 10, 10];
        let totals = [0, 10, 30, 50, 70, 90, 110];
        let history = (0..7)
            .map(|i| row(100 + i as i64, users[i], totals[i]))
            .collect();
        let w = steady_window(&run(history), None).unwrap();
        assert_eq!((w.start_s, w.end_s, w.users), (2.0, 6.0, 10));
        assert_eq!(w.requests, 80);
        assert_eq!(w.rps, 20.0);
        assert_eq!(w.source, WindowSource::RampUpEnd);
    }

    #[test]
    fn a_dip_in_users_restarts_the_window() {
        let users = [10, 10, 9, 10, 10, 10];
        let history = (0..6)
            .map(|i| row(i as i64, users[i], i as u64 * 10))
            .collect();
        let w = steady_window(&run(history), None).unwrap();
        assert_eq!(w.start_s, 3.0);
    }

    #[test]
    fn trailing_rows_without_users_end_the_window_before_them() {
        // 0 s ramp (5 users), 2–9 s at 10 users, then 3 rows at 0 users as workers stop.
        let mut history: Vec<HistoryRow> = (0..10)
            .map(|t| row(t, if t < 2 { 5 } else { 10 }, 100 * t as u64))
            .collect();
        history.extend((10..13).map(|t| row(t, 0, 900)));
        let w = steady_window(&run(history), None).unwrap();
        assert_eq!((w.start_s, w.end_s, w.users), (2.0, 9.0, 10));
        // 700 requests between the rows at 2 s and 9 s, over 7 s.
        assert_eq!(w.requests, 700);
        assert!((w.rps - 100.0).abs() < 1e-9);
    }

    #[test]
    fn skip_warmup_fixes_the_start() {
        let history = (0..10).map(|i| row(i as i64, 10, i as u64 * 5)).collect();
        let w = steady_window(&run(history), Some(4.0)).unwrap();
        assert_eq!((w.start_s, w.requests, w.rps), (4.0, 25, 5.0));
        assert_eq!(w.source, WindowSource::SkipWarmup);
        assert!(w.describe().contains("--skip-warmup"));
    }

    #[test]
    fn no_history_or_too_short_a_window_gives_none() {
        assert_eq!(steady_window(&run(Vec::new()), None), None);
        let history = (0..3).map(|i| row(i as i64, 1 + i as u64, 0)).collect();
        assert_eq!(steady_window(&run(history), None), None);
    }
}

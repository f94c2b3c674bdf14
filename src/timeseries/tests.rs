//! Tests of the compact history: unchanged below the bound, and folded points equal to the
//! rule computed directly from the rows they stand for.

use super::*;
use proptest::prelude::*;

/// Rows of one endpoint: (t, users, rps, total requests, p50, p95); `None` percentiles are N/A.
type Raw = (i64, u64, f64, u64, Option<f64>, Option<f64>);

fn history(rows: &[Raw], bound: usize) -> History {
    let mut h = History::with_bound(vec![0.5, 0.95], bound);
    for &(t, users, rps, total, p50, p95) in rows {
        let percentiles = [p50, p95];
        let values = RowValues {
            timestamp: t,
            user_count: users,
            rps,
            failures_per_s: rps / 10.0,
            total_requests: total,
            total_failures: total / 7,
            total_avg_ms: total as f64 / 3.0,
            percentiles: &percentiles,
        };
        h.push(0, || EndpointKey::new("GET", "/a"), values);
    }
    h
}

fn raw(n: usize) -> Vec<Raw> {
    (0..n)
        .map(|i| {
            let rps = if i % 5 == 0 {
                0.0
            } else {
                (i % 7) as f64 + 0.5
            };
            let p50 = (i % 5 != 0).then_some(10.0 + (i % 3) as f64);
            (
                100 + i as i64,
                1 + i as u64 / 4,
                rps,
                20 * i as u64,
                p50,
                Some(50.0 + i as f64),
            )
        })
        .collect()
}

#[test]
fn below_the_bound_every_row_is_a_point_as_written() {
    let rows = raw(8);
    let h = history(&rows, 8);
    assert!(!h.is_folded());
    let points: Vec<Point<'_>> = h.points(&EndpointKey::new("GET", "/a")).collect();
    assert_eq!(points.len(), 8);
    for (p, r) in points.iter().zip(&rows) {
        assert_eq!((p.timestamp, p.user_count, p.rps), (r.0, r.1, r.2));
        assert_eq!((p.total_requests, p.rows), (r.3, 1));
        assert_eq!((p.percentile(0.5), p.percentile(0.95)), (r.4, r.5));
    }
    assert_eq!(h.points(&EndpointKey::aggregated()).count(), 0);
    assert_eq!(
        (h.first_timestamp(), h.last_timestamp()),
        (Some(100), Some(107))
    );
    assert_eq!(h.peak_users(), Some(2));
}

#[test]
fn a_fold_merges_pairs_after_the_first_point() {
    // Bound 4: the fifth row folds rows 1–2 and 3–4; rows 5, 6 then fill a point of 2.
    let rows: Vec<Raw> = (0..7)
        .map(|i| {
            let rps = [0.0, 1.0, 3.0, 2.0, 0.0, 4.0, 4.0][i];
            (
                i as i64,
                10,
                rps,
                10 * i as u64,
                Some(10.0 * i as f64),
                None,
            )
        })
        .collect();
    let h = history(&rows, 4);
    let points: Vec<Point<'_>> = h.points(&EndpointKey::new("GET", "/a")).collect();
    let t: Vec<i64> = points.iter().map(|p| p.timestamp).collect();
    assert_eq!(t, [0, 2, 4, 6]);
    let n: Vec<u32> = points.iter().map(|p| p.rows).collect();
    assert_eq!(n, [1, 2, 2, 2]);
    let totals: Vec<u64> = points.iter().map(|p| p.total_requests).collect();
    assert_eq!(totals, [0, 20, 40, 60]);
    let rps: Vec<f64> = points.iter().map(|p| p.rps).collect();
    assert_eq!(rps, [0.0, 2.0, 1.0, 4.0]);
    // The p95 column is N/A throughout: no row weighs anything, the last row's N/A stands.
    assert!(points.iter().all(|p| p.percentile(0.95).is_none()));
    // p50: rows weigh nothing (N/A p95), so each point keeps its last row's value.
    let p50: Vec<Option<f64>> = points.iter().map(|p| p.percentile(0.5)).collect();
    assert_eq!(p50, [Some(0.0), Some(20.0), Some(40.0), Some(60.0)]);
    assert_eq!(h.series()[0].rows_per_point(), 2);
}

#[test]
fn folded_percentiles_are_request_weighted_means() {
    // Rows 1 and 2 (rps 1 and 3, p50 10 and 30) fold into one point: (1·10 + 3·30)/4 = 25.
    let rows: Vec<Raw> = (0..5)
        .map(|i| {
            let rps = [2.0, 1.0, 3.0, 5.0, 5.0][i];
            let p50 = [5.0, 10.0, 30.0, 7.0, 9.0][i];
            (i as i64, 10, rps, 10 * i as u64, Some(p50), Some(p50 * 2.0))
        })
        .collect();
    let h = history(&rows, 4);
    let points: Vec<Point<'_>> = h.points(&EndpointKey::new("GET", "/a")).collect();
    assert_eq!(points[1].percentile(0.5), Some(25.0));
    assert_eq!(points[1].percentile(0.95), Some(50.0));
    assert_eq!(points[2].percentile(0.5), Some(8.0));
    assert_eq!(points[0].percentile(0.5), Some(5.0));
}

#[test]
fn between_keeps_the_points_in_the_span() {
    let h = history(&raw(10), 100);
    let part = h.between(103, 105);
    let t: Vec<i64> = part
        .points(&EndpointKey::new("GET", "/a"))
        .map(|p| p.timestamp)
        .collect();
    assert_eq!(t, [103, 104, 105]);
    assert_eq!(part.rows_read(), 3);
    assert_eq!(part.time_range(), Some((103, 105)));
    assert_eq!(part.peak_users(), Some(2));
}

proptest! {
    /// Every point, folded or not, is what the rule gives over the rows it stands for,
    /// computed here directly from those rows.
    #[test]
    fn points_follow_the_rule_over_their_rows(n in 1usize..400, bound in 3usize..40) {
        let rows = raw(n);
        let h = history(&rows, bound);
        let points: Vec<Point<'_>> = h.points(&EndpointKey::new("GET", "/a")).collect();
        prop_assert!(points.len() <= bound);
        prop_assert_eq!(points.iter().map(|p| p.rows as usize).sum::<usize>(), n);
        let mut from = 0;
        for p in &points {
            let span = &rows[from..from + p.rows as usize];
            let last = span.last().unwrap();
            prop_assert_eq!((p.timestamp, p.user_count, p.total_requests), (last.0, last.1, last.3));
            let mean_rps = span.iter().map(|r| r.2).sum::<f64>() / span.len() as f64;
            prop_assert!((p.rps - mean_rps).abs() < 1e-9);
            let weighed: Vec<&Raw> = span
                .iter()
                .filter(|r| r.2 > 0.0 && r.4.is_some() && r.5.is_some())
                .collect();
            let w: f64 = weighed.iter().map(|r| r.2).sum();
            let expected = if w > 0.0 {
                Some(weighed.iter().map(|r| r.2 * r.5.unwrap()).sum::<f64>() / w)
            } else {
                last.5
            };
            let got = p.percentile(0.95);
            prop_assert!(
                (got.unwrap() - expected.unwrap()).abs() < 1e-9,
                "{:?} vs {:?}", got, expected
            );
            from += p.rows as usize;
        }
    }
}

/// A 3-hour run at 20 req/s of one endpoint and Aggregated after a 60 s ramp-up, p95 rising
/// 0.5 ms a minute from 200 ms with a ±20 ms zigzag: 10,861 rows per series, folded twice at
/// the default bound.
fn long_run(bound: usize) -> crate::model::Run {
    use crate::model::EndpointStats;
    let endpoint = EndpointKey::new("GET", "/a");
    let mut h = History::with_bound(vec![0.5, 0.95], bound);
    for t in 0..=3 * 3600 + 60 {
        let users = (t as u64 * 2).min(100);
        let zig = if t % 2 == 0 { 20.0 } else { -20.0 };
        let p95 = 200.0 + 0.5 * t as f64 / 60.0 + zig;
        let percentiles = [Some(100.0), Some(p95)];
        for (i, key) in [&endpoint, &EndpointKey::aggregated()]
            .into_iter()
            .enumerate()
        {
            let values = RowValues {
                timestamp: 1_000 + t,
                user_count: users,
                rps: 20.0,
                failures_per_s: 0.2,
                total_requests: 20 * t as u64,
                total_failures: t as u64 / 5,
                total_avg_ms: 150.0,
                percentiles: &percentiles,
            };
            h.push(i, || key.clone(), values);
        }
    }
    let stats = |key: EndpointKey| EndpointStats::empty(key);
    let mut run =
        crate::model::Run::of_rows("r", vec![stats(endpoint)], stats(EndpointKey::aggregated()));
    run.history = h;
    run
}

#[test]
fn a_folded_long_run_agrees_with_the_unfolded_one() {
    let (folded, full) = (long_run(FULL_RESOLUTION), long_run(usize::MAX));
    assert!(folded.history.is_folded() && !full.history.is_folded());
    assert!(folded
        .history
        .series()
        .iter()
        .all(|s| s.len() <= FULL_RESOLUTION));
    // Duration, peak users and the run's ends are exact.
    assert_eq!(folded.duration_s(), full.duration_s());
    assert_eq!(folded.peak_users(), full.peak_users());
    // The steady window starts at the first point at 100 users: within a point (4 rows) of
    // the row where the ramp ended; its counts come from exact cumulative columns.
    let (a, b) = (
        crate::steady::steady_window(&folded, None).unwrap(),
        crate::steady::steady_window(&full, None).unwrap(),
    );
    assert_eq!(b.start_s, 50.0);
    assert!((a.start_s - b.start_s).abs() <= 4.0, "{a:?}");
    assert_eq!(a.end_s, b.end_s);
    assert!((a.rps - b.rps).abs() < 1e-9);
    // Drift: the p95 slope (0.5 ms/min) within 1 %, the verdicts alike.
    let e =
        |run| crate::endurance::endurance(run, crate::steady::steady_window(run, None).as_ref());
    let (ef, eu) = (e(&folded).unwrap(), e(&full).unwrap());
    assert_eq!(ef.rows.len(), eu.rows.len());
    for (f, u) in ef.rows.iter().zip(&eu.rows) {
        assert_eq!((f.metric, f.verdict), (u.metric, u.verdict));
        let tolerance = 0.01 * u.per_minute.slope.abs() + 1e-9;
        assert!(
            (f.per_minute.slope - u.per_minute.slope).abs() <= tolerance,
            "{f:?} vs {u:?}"
        );
        assert!((f.per_minute.mean - u.per_minute.mean).abs() <= 0.01 * u.per_minute.mean);
    }
    let p95 = eu.rows.iter().find(|r| r.metric == "p95_ms").unwrap();
    assert!((p95.per_minute.slope - 0.5).abs() < 0.01, "{p95:?}");
}

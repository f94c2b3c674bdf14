//! Locust's rounding of response times, so that comparisons don't mistake a rounding step for a
//! change.
//!
//! Locust does not keep raw response times. `StatsEntry._log_response_time` in `locust/stats.py`
//! stores each one in a bucket keyed by the time rounded with Python's `round`: below 100 ms to
//! the nearest 1 ms (`round(t)`), below 1000 ms to the nearest 10 ms (`round(t, -1)`), below
//! 10000 ms to the nearest 100 ms (`round(t, -2)`), and otherwise to the nearest 1000 ms
//! (`round(t, -3)`). `calculate_response_time_percentile` then reports, for level `p`, the bucket
//! key of the `floor(n p) + 1`-th smallest request, so every percentile column is such a key,
//! while the min, max and average columns are exact. Python's `round` breaks exact ties to the
//! even neighbour (banker's rounding), which [`locust_round`] reproduces.

/// Locust's rounding step at a response time of `ms` milliseconds: 1 below 100 ms, 10 below
/// 1000 ms, 100 below 10000 ms, 1000 above (thresholds on the raw time, as in
/// `StatsEntry._log_response_time` of `locust/stats.py`). A percentile that moved by one step is
/// no evidence of a change, since the reported values are bucket keys. `NaN` gives `NaN`.
pub fn locust_rounding_step(ms: f64) -> f64 {
    if ms.is_nan() {
        f64::NAN
    } else if ms < 100.0 {
        1.0
    } else if ms < 1000.0 {
        10.0
    } else if ms < 10000.0 {
        100.0
    } else {
        1000.0
    }
}

/// The bucket key Locust files a raw response time under: `ms` rounded to the nearest multiple of
/// [`locust_rounding_step`]`(ms)`, exact ties to even, as Python's `round(t, ndigits)` does
/// (so 145 → 140 and 155 → 160, 99.6 → 100). Reproduces what a percentile column can show;
/// used to simulate Locust runs in tests. Non-finite input is returned unchanged.
pub fn locust_round(ms: f64) -> f64 {
    if !ms.is_finite() {
        return ms;
    }
    let step = locust_rounding_step(ms);
    (ms / step).round_ties_even() * step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_locusts_thresholds() {
        assert_eq!(locust_rounding_step(0.0), 1.0);
        assert_eq!(locust_rounding_step(99.99), 1.0);
        assert_eq!(locust_rounding_step(100.0), 10.0);
        assert_eq!(locust_rounding_step(999.9), 10.0);
        assert_eq!(locust_rounding_step(1000.0), 100.0);
        assert_eq!(locust_rounding_step(9999.0), 100.0);
        assert_eq!(locust_rounding_step(10000.0), 1000.0);
        assert_eq!(locust_rounding_step(1e7), 1000.0);
        assert_eq!(locust_rounding_step(f64::INFINITY), 1000.0);
        assert!(locust_rounding_step(f64::NAN).is_nan());
    }

    #[test]
    fn rounding_matches_python_round() {
        // Expected values from CPython 3:
        //   def r(t):
        //       return round(t) if t < 100 else round(t, -1) if t < 1000 \
        //           else round(t, -2) if t < 10000 else round(t, -3)
        //   [r(t) for t in (7.28, 14.5, 15.5, 99.6, 147, 145, 155, 202.74, 318.25,
        //                   3432, 3450, 58760, 12500, 13500)]
        //   → [7, 14, 16, 100, 150, 140, 160, 200.0, 320.0, 3400, 3400, 59000, 12000, 14000]
        let cases = [
            (7.28, 7.0),
            (14.5, 14.0),
            (15.5, 16.0),
            (99.6, 100.0),
            (147.0, 150.0),
            (145.0, 140.0),
            (155.0, 160.0),
            (202.74, 200.0),
            (318.25, 320.0),
            (3432.0, 3400.0),
            (3450.0, 3400.0),
            (58760.0, 59000.0),
            (12500.0, 12000.0),
            (13500.0, 14000.0),
        ];
        for (t, want) in cases {
            assert_eq!(locust_round(t), want, "t = {t}");
        }
        assert!(locust_round(f64::NAN).is_nan());
        assert_eq!(locust_round(f64::INFINITY), f64::INFINITY);
    }
}

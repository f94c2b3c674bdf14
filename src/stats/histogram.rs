//! Percentiles of a full histogram, computed exactly as Locust computes them.
//!
//! Locust keeps, per endpoint, a map from the rounded response time to a count
//! (`StatsEntry.response_times`) and reads percentiles off it in
//! `calculate_response_time_percentile` (`locust/stats.py`): walking the times from the
//! largest down, it returns the first time at which the requests *below* it number at most
//! `int(n · p)`. Summing several runs' maps and applying the same walk gives the percentile
//! Locust would have reported had the runs been one.

use super::rounding::locust_round;

/// The `p`-quantile (0–1) of a histogram of (response time ms, count), ascending by time, by
/// Locust's rule. `None` for an empty histogram.
pub fn histogram_percentile(buckets: &[(f64, u64)], p: f64) -> Option<f64> {
    let n: u64 = buckets.iter().map(|b| b.1).sum();
    if n == 0 || !p.is_finite() {
        return None;
    }
    let below_allowed = (n as f64 * p.clamp(0.0, 1.0)) as u64;
    let mut processed: u64 = 0;
    for &(time, count) in buckets.iter().rev() {
        processed += count;
        if n - processed <= below_allowed {
            return Some(time);
        }
    }
    buckets.first().map(|b| b.0)
}

/// Several histograms added up after rounding every time to Locust's bucket key, ascending.
///
/// The driver's histograms hold microsecond buckets; Locust's already hold rounded keys
/// (rounding them again changes nothing).
pub fn merge_locust_buckets<'a>(
    histograms: impl IntoIterator<Item = &'a [(f64, u64)]>,
) -> Vec<(f64, u64)> {
    let mut merged: Vec<(f64, u64)> = histograms
        .into_iter()
        .flatten()
        .map(|&(time, count)| (locust_round(time), count))
        .collect();
    merged.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, u64)> = Vec::with_capacity(merged.len());
    for (time, count) in merged {
        match out.last_mut() {
            Some(last) if last.0 == time => last.1 = last.1.saturating_add(count),
            _ => out.push((time, count)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_locusts_walk() {
        // 10 requests: 1×10 ms, 7×20 ms, 2×100 ms. p50: int(5) = 5 may lie below → walking
        // down, after 100 (2 processed, 8 below) and 20 (9 processed, 1 below ≤ 5) → 20.
        let h = [(10.0, 1), (20.0, 7), (100.0, 2)];
        assert_eq!(histogram_percentile(&h, 0.5), Some(20.0));
        // p80: int(8) = 8 → after 100: 8 below ≤ 8 → 100.
        assert_eq!(histogram_percentile(&h, 0.8), Some(100.0));
        // p79: int(7.9) = 7 → 100 leaves 8 below > 7; 20 leaves 1 → 20.
        assert_eq!(histogram_percentile(&h, 0.79), Some(20.0));
        assert_eq!(histogram_percentile(&h, 1.0), Some(100.0));
        assert_eq!(histogram_percentile(&h, 0.0), Some(10.0));
        assert_eq!(histogram_percentile(&[], 0.5), None);
    }

    #[test]
    fn merging_rounds_to_locust_keys_and_adds_counts() {
        let a = [(0.999, 1), (123.4, 2)];
        let b = [(1.2, 3), (118.0, 1), (4567.0, 1)];
        let merged = merge_locust_buckets([&a[..], &b[..]]);
        assert_eq!(merged, vec![(1.0, 4), (120.0, 3), (4600.0, 1)]);
    }
}

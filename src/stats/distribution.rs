//! A response-time distribution rebuilt from Locust's summary columns.
//!
//! Locust's `_stats.csv` does not keep the raw response times of a run, only the exact minimum,
//! maximum and mean, and the values at a fixed set of percentile levels (rounded, see
//! [`super::rounding`]). To test percentiles and means we need a whole distribution, so we
//! rebuild one: the piecewise-linear interpolation of the empirical CDF through the known
//! (value, level) points, i.e. the "ogive" (cumulative frequency polygon) of grouped data, the
//! linear rule of Hyndman & Fan, "Sample quantiles in statistical packages", *The American
//! Statistician* 50, 1996, type 4.
//! Inside each segment the rebuilt distribution is uniform, so its mean and variance follow in
//! closed form. Equal values at several levels form a jump (an atom), which is what Locust's
//! rounding produces when many requests share one bucket.
//!
//! [`pooled_quantile`] mixes several rebuilt distributions weighted by their request counts,
//! which is how repeated runs (or the two samples of a median test) are pooled.

/// A response-time distribution rebuilt from Locust's summary columns, so that percentile tests
/// and mean tests can work from a run's CSV alone.
///
/// The CDF is piecewise linear through `(min, 0)`, `(v_p, p)` for each percentile column and
/// `(max, 1)` (the ogive; Hyndman & Fan 1996 type 4 interpolation). Construction rules, all
/// deliberate:
/// - missing or non-finite values and levels outside `[0, 1]` are skipped; levels 0 and 1 only
///   matter when the minimum / maximum is absent (the smallest / largest value given stands in);
/// - percentile values are clamped into `[min, max]` — Locust rounds percentiles but not the
///   extremes, so a rounded p100 of 320 next to an exact max of 318.25 is the max;
/// - non-monotone values are clamped to the running maximum;
/// - equal values at several levels make a jump: the CDF is right-continuous there.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuiltDistribution {
    /// (value, cumulative probability), both non-decreasing; first probability 0, last 1.
    points: Vec<(f64, f64)>,
}

impl RebuiltDistribution {
    /// Rebuild a distribution from Locust's `Min Response Time`, percentile columns (level in
    /// `0..=1`, value in ms) and `Max Response Time`.
    ///
    /// When `min_ms` / `max_ms` are `None` (or not finite) the smallest / largest usable
    /// percentile value stands in. Returns `None` when nothing usable is left, or when the
    /// minimum exceeds the maximum (inconsistent input).
    pub fn from_summary(
        min_ms: Option<f64>,
        percentiles: &[(f64, f64)],
        max_ms: Option<f64>,
    ) -> Option<Self> {
        let mut usable: Vec<(f64, f64)> = percentiles
            .iter()
            .copied()
            .filter(|&(p, v)| p.is_finite() && v.is_finite() && (0.0..=1.0).contains(&p))
            .collect();
        usable.sort_by(|a, b| a.0.total_cmp(&b.0));
        let values = || usable.iter().map(|&(_, v)| v);
        let min = min_ms
            .filter(|m| m.is_finite())
            .or_else(|| values().reduce(f64::min))?;
        let max = max_ms
            .filter(|m| m.is_finite())
            .or_else(|| values().reduce(f64::max))?;
        if min > max {
            return None;
        }
        let mut points = Vec::with_capacity(usable.len() + 2);
        points.push((min, 0.0));
        let mut running = min;
        for &(p, v) in usable.iter().filter(|&&(p, _)| p > 0.0 && p < 1.0) {
            running = running.max(v.clamp(min, max));
            points.push((running, p));
        }
        points.push((max, 1.0));
        Some(Self { points })
    }

    /// P(X <= x) of the rebuilt distribution (right-continuous at jumps); `NaN` for `NaN`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let pts = &self.points;
        // Number of points with value <= x; the last of them carries the right-continuous level.
        let k = pts.partition_point(|&(v, _)| v <= x);
        if k == 0 {
            return 0.0;
        }
        if k == pts.len() {
            return 1.0;
        }
        let (v0, p0) = pts[k - 1];
        let (v1, p1) = pts[k];
        p0 + (x - v0) / (v1 - v0) * (p1 - p0)
    }

    /// P(X < x): the left limit of [`Self::cdf`], needed to pool distributions that jump.
    pub(crate) fn cdf_left(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let pts = &self.points;
        let k = pts.partition_point(|&(v, _)| v < x);
        if k == 0 {
            return 0.0;
        }
        if k == pts.len() {
            return 1.0;
        }
        let (v0, p0) = pts[k - 1];
        let (v1, p1) = pts[k];
        p0 + (x - v0) / (v1 - v0) * (p1 - p0)
    }

    /// The p-quantile `inf{x : cdf(x) >= p}`, with `p` clamped to `[0, 1]` (`p = 0` gives the
    /// minimum); `NaN` for a `NaN` level.
    pub fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() {
            return f64::NAN;
        }
        let p = p.clamp(0.0, 1.0);
        let pts = &self.points;
        let j = pts.partition_point(|&(_, q)| q < p);
        if j == 0 {
            return pts[0].0;
        }
        let j = j.min(pts.len() - 1);
        let (v0, p0) = pts[j - 1];
        let (v1, p1) = pts[j];
        if v1 == v0 || p1 <= p0 {
            return v1;
        }
        (v0 + (p - p0) / (p1 - p0) * (v1 - v0)).clamp(v0, v1)
    }

    /// Mean of the rebuilt (piecewise-uniform) distribution: each segment contributes its
    /// probability times its midpoint. Locust's exact average is better when available; this
    /// one is for consistency checks and for pooled runs.
    pub fn mean(&self) -> f64 {
        self.segments().map(|(w, a, b)| w * 0.5 * (a + b)).sum()
    }

    /// Standard deviation of the rebuilt distribution: within-segment variance of a uniform
    /// `(b - a)^2 / 12` plus the spread of segment midpoints (law of total variance). Feeds the
    /// Welch test on means, since Locust reports no standard deviation.
    pub fn std_dev(&self) -> f64 {
        let mean = self.mean();
        let var: f64 = self
            .segments()
            .map(|(w, a, b)| {
                let mid = 0.5 * (a + b) - mean;
                w * (mid * mid + (b - a) * (b - a) / 12.0)
            })
            .sum();
        var.max(0.0).sqrt()
    }

    /// The (value, cumulative probability) points the CDF interpolates, for reports and plots.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// Smallest and largest value the rebuilt distribution can take (the exact min and max when
    /// Locust gave them), e.g. to bound a plot or a search.
    pub fn support(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }

    /// (probability, start, end) of each segment; a jump is a segment with `start == end`.
    fn segments(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.points
            .windows(2)
            .map(|w| (w[1].1 - w[0].1, w[0].0, w[1].0))
    }
}

/// The p-quantile of a mixture of rebuilt distributions weighted by request counts: the
/// distribution of all requests of several runs taken together. Used to pool repeated runs and
/// to find the common cut point of the two-sample quantile test.
///
/// Computed exactly: the mixture CDF is piecewise linear between the union of all breakpoints,
/// so we locate the segment where it reaches `p` and interpolate (jumps included). The result
/// always lies between the smallest and largest per-part quantile at `p`. Parts with weight 0
/// are ignored; `None` when the total weight is 0 or `p` is `NaN` (`p` is clamped to `[0, 1]`).
pub fn pooled_quantile(parts: &[(&RebuiltDistribution, u64)], p: f64) -> Option<f64> {
    if p.is_nan() {
        return None;
    }
    let p = p.clamp(0.0, 1.0);
    let parts: Vec<(&RebuiltDistribution, f64)> = parts
        .iter()
        .filter(|&&(_, w)| w > 0)
        .map(|&(d, w)| (d, w as f64))
        .collect();
    let total: f64 = parts.iter().map(|&(_, w)| w).sum();
    if total == 0.0 {
        return None;
    }
    let cdf = |x: f64| parts.iter().map(|&(d, w)| w * d.cdf(x)).sum::<f64>() / total;
    let cdf_left = |x: f64| parts.iter().map(|&(d, w)| w * d.cdf_left(x)).sum::<f64>() / total;
    let mut xs: Vec<f64> = parts
        .iter()
        .flat_map(|&(d, _)| d.points.iter().map(|&(v, _)| v))
        .collect();
    let lowest = xs.iter().copied().reduce(f64::min)?;
    let first = (lowest, cdf(lowest));
    if first.1 >= p {
        return Some(first.0);
    }
    // The smallest breakpoint where the CDF reaches `p` (the CDF is monotone), found by
    // halving the candidates around a median: linear in the breakpoints, with a logarithmic
    // number of CDF evaluations. A scan over the sorted breakpoints finds the same one.
    let mut reached: Option<f64> = None;
    let mut candidates: &mut [f64] = &mut xs;
    while !candidates.is_empty() {
        let mid = candidates.len() / 2;
        let (below, &mut pivot, above) = candidates.select_nth_unstable_by(mid, f64::total_cmp);
        if cdf(pivot) >= p {
            reached = Some(pivot);
            candidates = below;
        } else {
            candidates = above;
        }
    }
    let all = parts
        .iter()
        .flat_map(|&(d, _)| d.points.iter().map(|&(v, _)| v));
    let Some(x) = reached else {
        return all.reduce(f64::max);
    };
    let before = all.filter(|&v| v < x).fold(lowest, f64::max);
    let prev = (before, cdf(before));
    let left = cdf_left(x);
    if p <= left && left > prev.1 {
        let t = (p - prev.1) / (left - prev.1);
        return Some((prev.0 + t * (x - prev.0)).clamp(prev.0, x));
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    /// Small hand example: min 10, p50 20, p90 40, max 100.
    fn small() -> RebuiltDistribution {
        RebuiltDistribution::from_summary(Some(10.0), &[(0.5, 20.0), (0.9, 40.0)], Some(100.0))
            .unwrap()
    }

    #[test]
    fn hand_computed_cdf_quantile_mean() {
        let d = small();
        assert_eq!(
            d.points(),
            &[(10.0, 0.0), (20.0, 0.5), (40.0, 0.9), (100.0, 1.0)]
        );
        // cdf(15) = 0.5 * (15-10)/(20-10) = 0.25; cdf(30) = 0.5 + 0.4 * 10/20 = 0.7;
        // cdf(70) = 0.9 + 0.1 * 30/60 = 0.95.
        assert!(close(d.cdf(15.0), 0.25, 1e-12));
        assert!(close(d.cdf(30.0), 0.7, 1e-12));
        assert!(close(d.cdf(70.0), 0.95, 1e-12));
        assert_eq!(d.cdf(5.0), 0.0);
        assert_eq!(d.cdf(100.0), 1.0);
        assert_eq!(d.cdf(1e9), 1.0);
        // Inverses of the above.
        assert!(close(d.quantile(0.25), 15.0, 1e-12));
        assert!(close(d.quantile(0.7), 30.0, 1e-12));
        assert!(close(d.quantile(0.95), 70.0, 1e-12));
        assert_eq!(d.quantile(0.0), 10.0);
        assert_eq!(d.quantile(1.0), 100.0);
        assert_eq!(d.quantile(-3.0), 10.0);
        assert_eq!(d.quantile(7.0), 100.0);
        // mean = 0.5*15 + 0.4*30 + 0.1*70 = 7.5 + 12 + 7 = 26.5
        assert!(close(d.mean(), 26.5, 1e-12));
        // E[X^2] = sum w (a^2+ab+b^2)/3 = 0.5*700/3 + 0.4*2800/3 + 0.1*15600/3 = 1010
        // var = 1010 - 26.5^2 = 307.75
        assert!(close(d.std_dev(), 307.75f64.sqrt(), 1e-12));
    }

    #[test]
    fn ties_make_a_jump() {
        // p50 = p66 = p75 = 20: a jump of 0.25 at 20.
        let d = RebuiltDistribution::from_summary(
            Some(10.0),
            &[(0.5, 20.0), (0.66, 20.0), (0.75, 20.0), (1.0, 30.0)],
            Some(30.0),
        )
        .unwrap();
        assert_eq!(d.cdf(20.0), 0.75);
        assert_eq!(d.cdf_left(20.0), 0.5);
        assert!(close(d.cdf(19.0), 0.45, 1e-12));
        assert_eq!(d.quantile(0.5), 20.0);
        assert_eq!(d.quantile(0.6), 20.0);
        assert_eq!(d.quantile(0.75), 20.0);
        assert!(close(d.quantile(0.875), 25.0, 1e-12));
        // mean = 0.5*15 + 0.25*20 + 0.25*25 = 18.75
        assert!(close(d.mean(), 18.75, 1e-12));
        // Everything at one value: a point mass.
        let point = RebuiltDistribution::from_summary(Some(5.0), &[(0.5, 5.0)], Some(5.0)).unwrap();
        assert_eq!(point.cdf(4.9), 0.0);
        assert_eq!(point.cdf(5.0), 1.0);
        assert_eq!(point.quantile(0.3), 5.0);
        assert_eq!(point.mean(), 5.0);
        assert_eq!(point.std_dev(), 0.0);
    }

    #[test]
    fn gaps_clamps_and_missing_extremes() {
        // N/A percentile (NaN) is skipped; p66 below p50 clamps to the running max.
        let d = RebuiltDistribution::from_summary(
            Some(10.0),
            &[(0.5, 20.0), (0.66, 18.0), (0.75, f64::NAN), (0.9, 40.0)],
            Some(100.0),
        )
        .unwrap();
        assert_eq!(
            d.points(),
            &[
                (10.0, 0.0),
                (20.0, 0.5),
                (20.0, 0.66),
                (40.0, 0.9),
                (100.0, 1.0)
            ]
        );
        // Rounded p100 = 320 above the exact max 318.25: the exact max wins.
        let d = RebuiltDistribution::from_summary(
            Some(106.9),
            &[(0.99, 320.0), (1.0, 320.0)],
            Some(318.25),
        )
        .unwrap();
        assert_eq!(d.points(), &[(106.9, 0.0), (318.25, 0.99), (318.25, 1.0)]);
        // No min/max: first and last percentile values stand in.
        let d = RebuiltDistribution::from_summary(None, &[(0.5, 20.0), (0.9, 40.0)], None).unwrap();
        assert_eq!(
            d.points(),
            &[(20.0, 0.0), (20.0, 0.5), (40.0, 0.9), (40.0, 1.0)]
        );
        // Unordered input levels are sorted.
        let d = RebuiltDistribution::from_summary(Some(1.0), &[(0.9, 9.0), (0.5, 5.0)], Some(10.0))
            .unwrap();
        assert_eq!(
            d.points(),
            &[(1.0, 0.0), (5.0, 0.5), (9.0, 0.9), (10.0, 1.0)]
        );
        // Only the extremes: uniform.
        let d = RebuiltDistribution::from_summary(Some(0.0), &[], Some(10.0)).unwrap();
        assert!(close(d.quantile(0.3), 3.0, 1e-12));
        // Nothing usable, or min > max.
        assert!(RebuiltDistribution::from_summary(None, &[], None).is_none());
        assert!(RebuiltDistribution::from_summary(None, &[(0.5, f64::NAN)], None).is_none());
        assert!(RebuiltDistribution::from_summary(Some(5.0), &[], Some(1.0)).is_none());
        assert!(small().cdf(f64::NAN).is_nan());
        assert!(small().quantile(f64::NAN).is_nan());
    }

    #[test]
    fn pooled_quantile_hand_example() {
        // Uniform(0,10) weight 1 and Uniform(10,20) weight 3: median at 0.25 + 0.75*(x-10)/10 = 0.5
        // → x = 10 + 10/3.
        let a = RebuiltDistribution::from_summary(Some(0.0), &[], Some(10.0)).unwrap();
        let b = RebuiltDistribution::from_summary(Some(10.0), &[], Some(20.0)).unwrap();
        let q = pooled_quantile(&[(&a, 1), (&b, 3)], 0.5).unwrap();
        assert!(close(q, 10.0 + 10.0 / 3.0, 1e-12));
        // Mixture of a distribution with itself is itself.
        let s = small();
        for p in [0.0, 0.1, 0.5, 0.77, 0.95, 1.0] {
            let q = pooled_quantile(&[(&s, 5), (&s, 7)], p).unwrap();
            assert!(close(q, s.quantile(p), 1e-12), "p={p}: {q}");
        }
        // Jumps: two point masses at 1 and 2 with equal weight; p = 0.5 is reached at 1.
        let one = RebuiltDistribution::from_summary(Some(1.0), &[], Some(1.0)).unwrap();
        let two = RebuiltDistribution::from_summary(Some(2.0), &[], Some(2.0)).unwrap();
        assert_eq!(pooled_quantile(&[(&one, 1), (&two, 1)], 0.5), Some(1.0));
        assert_eq!(pooled_quantile(&[(&one, 1), (&two, 1)], 0.51), Some(2.0));
        assert_eq!(pooled_quantile(&[(&one, 0), (&two, 1)], 0.1), Some(2.0));
        assert_eq!(pooled_quantile(&[(&one, 0)], 0.5), None);
        assert_eq!(pooled_quantile(&[], 0.5), None);
        assert_eq!(pooled_quantile(&[(&one, 1)], f64::NAN), None);
    }

    /// Random Locust-like summaries: sorted-ish values at the standard levels, some missing.
    fn summary() -> impl Strategy<Value = RebuiltDistribution> {
        const LEVELS: [f64; 11] = [
            0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
        ];
        (
            0.0f64..200.0,
            proptest::collection::vec((0.0f64..50.0, proptest::bool::weighted(0.9)), 11),
            proptest::collection::vec(-5.0f64..5.0, 11),
        )
            .prop_map(|(min, steps, noise)| {
                let mut v = min;
                let pct: Vec<(f64, f64)> = LEVELS
                    .iter()
                    .zip(steps.iter().zip(noise))
                    .map(|(&p, (&(step, present), e))| {
                        v += step;
                        (p, if present { v + e } else { f64::NAN })
                    })
                    .collect();
                RebuiltDistribution::from_summary(Some(min), &pct, Some(v + 1.0)).unwrap()
            })
    }

    /// The pooled quantile as a scan over the sorted breakpoints: the definition the search
    /// in [`pooled_quantile`] must agree with.
    fn scanned_quantile(parts: &[(&RebuiltDistribution, u64)], p: f64) -> Option<f64> {
        let parts: Vec<(&RebuiltDistribution, f64)> = parts
            .iter()
            .filter(|&&(_, w)| w > 0)
            .map(|&(d, w)| (d, w as f64))
            .collect();
        let total: f64 = parts.iter().map(|&(_, w)| w).sum();
        if total == 0.0 {
            return None;
        }
        let cdf = |x: f64| parts.iter().map(|&(d, w)| w * d.cdf(x)).sum::<f64>() / total;
        let cdf_left = |x: f64| parts.iter().map(|&(d, w)| w * d.cdf_left(x)).sum::<f64>() / total;
        let mut xs: Vec<f64> = parts
            .iter()
            .flat_map(|&(d, _)| d.points.iter().map(|&(v, _)| v))
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let mut prev = (xs[0], cdf(xs[0]));
        if prev.1 >= p {
            return Some(prev.0);
        }
        for &x in &xs[1..] {
            let (left, right) = (cdf_left(x), cdf(x));
            if right >= p {
                if p <= left && left > prev.1 {
                    let t = (p - prev.1) / (left - prev.1);
                    return Some((prev.0 + t * (x - prev.0)).clamp(prev.0, x));
                }
                return Some(x);
            }
            prev = (x, right);
        }
        Some(prev.0)
    }

    proptest! {
        #[test]
        fn pooled_quantile_is_the_scan_over_sorted_breakpoints(
            parts in proptest::collection::vec((summary(), 0u64..50), 1..12),
            p in 0.0f64..=1.0,
        ) {
            let parts: Vec<(&RebuiltDistribution, u64)> = parts.iter().map(|(d, w)| (d, *w)).collect();
            let got = pooled_quantile(&parts, p);
            let want = scanned_quantile(&parts, p);
            prop_assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
        }

        #[test]
        fn cdf_and_quantile_are_monotone_and_consistent(
            d in summary(),
            a in 0.0f64..1.0,
            b in 0.0f64..1.0,
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(d.quantile(lo) <= d.quantile(hi));
            let (xa, xb) = (d.quantile(lo), d.quantile(hi));
            prop_assert!(d.cdf(xa) <= d.cdf(xb));
            // Galois connection: cdf(quantile(p)) >= p (up to rounding).
            prop_assert!(d.cdf(d.quantile(lo)) >= lo - 1e-9);
            let pts = d.points();
            prop_assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
            let (min, max) = d.support();
            prop_assert!(d.mean() >= min - 1e-9 && d.mean() <= max + 1e-9);
            prop_assert!(d.std_dev() >= 0.0 && d.std_dev() <= max - min + 1e-9);
        }

        #[test]
        fn pooled_quantile_between_part_quantiles(
            parts in proptest::collection::vec((summary(), 1u64..500), 1..5),
            p in 0.0f64..=1.0,
        ) {
            let refs: Vec<(&RebuiltDistribution, u64)> =
                parts.iter().map(|(d, w)| (d, *w)).collect();
            let q = pooled_quantile(&refs, p).unwrap();
            let qs: Vec<f64> = parts.iter().map(|(d, _)| d.quantile(p)).collect();
            let lo = qs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let tol = 1e-9 * (1.0 + hi.abs());
            prop_assert!(q >= lo - tol && q <= hi + tol, "q={} not in [{}, {}]", q, lo, hi);
        }
    }
}

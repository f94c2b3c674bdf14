//! Linear trends of time series with autocorrelated errors: the least-squares slope, and an
//! interval for it from the Newey–West (HAC) variance.
//!
//! Locust's history rows are not independent: each row's percentiles and `Requests/s` describe
//! a sliding window of about 10 s, so neighbouring rows share most of their requests, and the
//! ordinary least-squares standard error would be far too small. The heteroskedasticity and
//! autocorrelation consistent variance of Newey & West, "A Simple, Positive Semi-Definite,
//! Heteroskedasticity and Autocorrelation Consistent Covariance Matrix", *Econometrica* 55(3),
//! 1987, 703–708, with Bartlett weights `1 − l/(L+1)`, allows for that dependence up to lag
//! `L`. `L` is the larger of the Newey–West (1994, *Review of Economic Studies* 61(4)) rule of
//! thumb `⌊4 (n/100)^(2/9)⌋` and the caller's known dependence (the window's length in rows).
//! No small-sample correction is applied (statsmodels' `cov_type="HAC"`,
//! `use_correction=False` computes the same); the interval uses Student's t with `n − 2`
//! degrees of freedom.

use super::drift::t_critical;

/// The least-squares slope of `y` against `x` (`None` for fewer than two distinct `x`).
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    fit(points).map(|f| f.1)
}

/// `(intercept, slope)` of the least-squares line.
fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| (my - sxy / sxx * mx, sxy / sxx))
}

/// A slope with its Newey–West standard error and interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Trend {
    /// Change of `y` per unit of `x`.
    pub slope: f64,
    /// Its HAC standard error.
    pub std_error: f64,
    /// The interval's ends at the confidence asked for.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Lags allowed for.
    pub lags: usize,
    /// Points fitted.
    pub n: usize,
    /// Mean of `y`, to judge the slope's size against.
    pub mean: f64,
}

/// The least-squares slope of `points` with a Newey–West interval at `confidence`, allowing
/// for at least `min_lags` lags of dependence. `None` for fewer than 3 points or no spread
/// in `x`.
pub fn trend(points: &[(f64, f64)], min_lags: usize, confidence: f64) -> Option<Trend> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let (a, b) = fit(points)?;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let u: Vec<f64> = points
        .iter()
        .map(|&(x, y)| (x - mx) * (y - a - b * x))
        .collect();
    let rule = (4.0 * (n as f64 / 100.0).powf(2.0 / 9.0)).floor() as usize;
    let lags = rule.max(min_lags).min(n - 1);
    let mut s: f64 = u.iter().map(|v| v * v).sum();
    for l in 1..=lags {
        let w = 1.0 - l as f64 / (lags as f64 + 1.0);
        let gamma: f64 = (l..n).map(|i| u[i] * u[i - l]).sum();
        s += 2.0 * w * gamma;
    }
    let std_error = (s.max(0.0)).sqrt() / sxx;
    let t = t_critical((n - 2) as f64, confidence)?;
    Some(Trend {
        slope: b,
        std_error,
        low: b - t * std_error,
        high: b + t * std_error,
        lags,
        n,
        mean: points.iter().map(|p| p.1).sum::<f64>() / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn newey_west_matches_statsmodels() {
        // y = 2 + 0.5 x + a zigzag, x = 0..20. statsmodels 0.15.0:
        // sm.OLS(y, sm.add_constant(x)).fit(cov_type="HAC",
        //     cov_kwds={"maxlags": 3, "use_correction": False}).bse[1]
        let points: Vec<(f64, f64)> = (0..20)
            .map(|i| {
                let x = i as f64;
                let e = [0.3, -0.1, -0.4, 0.2, 0.5, -0.3][i % 6];
                (x, 2.0 + 0.5 * x + e)
            })
            .collect();
        let t = trend(&points, 3, 0.95).unwrap();
        assert_eq!(t.lags, 3);
        assert!((t.slope - STATSMODELS_SLOPE).abs() < 1e-12, "{}", t.slope);
        assert!(
            (t.std_error - STATSMODELS_BSE).abs() < 1e-12,
            "{}",
            t.std_error
        );
    }

    const STATSMODELS_SLOPE: f64 = 0.5001503759398497;
    const STATSMODELS_BSE: f64 = 0.005751982727477814;

    #[test]
    fn too_few_points_or_no_spread_give_none() {
        assert_eq!(trend(&[(0.0, 1.0), (1.0, 2.0)], 0, 0.95), None);
        assert_eq!(trend(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)], 0, 0.95), None);
        assert_eq!(slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]), Some(2.0));
    }

    proptest! {
        #[test]
        fn an_exact_line_has_its_slope_and_no_width(
            a in -100.0f64..100.0, b in -5.0f64..5.0, n in 3usize..200, lags in 0usize..20,
        ) {
            let points: Vec<(f64, f64)> = (0..n).map(|i| (i as f64, a + b * i as f64)).collect();
            let t = trend(&points, lags, 0.95).unwrap();
            prop_assert!((t.slope - b).abs() < 1e-6);
            prop_assert!(t.std_error < 1e-6);
            prop_assert!(t.low <= t.slope && t.slope <= t.high);
        }
    }
}

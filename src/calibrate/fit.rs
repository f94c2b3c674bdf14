//! Measuring the drift allowance from A/A runs: how far runs of one build differ beyond their
//! own sampling noise.
//!
//! For every endpoint and metric the A/A runs give a sample variance `s²` of the per-run log
//! values and a mean within-run variance `v̄`; `τ̂² = max(0, s² − v̄)` is that endpoint's
//! between-run variance (method of moments, as DerSimonian & Laird 1986). The latency model
//! `τ² = relative² + (absolute_ms / value)²` is fitted over all endpoints by least squares in
//! `(relative², absolute_ms²)`, one `relative` per metric and one `absolute_ms` shared. The
//! prior's weight `d₀` comes from how much the endpoints' variances scatter around the model,
//! by the moment estimator of Smyth (2004, §6.2; limma's `fitFDist`): for `s²_g / σ²_g ~
//! χ²_d / d` scaled by a prior drawn from `s₀² χ²_{d₀} / d₀`, `Var(ln s²) = ψ'(d/2) + ψ'(d₀/2)`.

pub use crate::compare::reference::{observe, Observed, DRIFT_METRICS};
use crate::compare::DriftAllowance;
use crate::metric::Metric;

/// Fits the drift allowance to observed A/A drift, metric by metric: least squares of each
/// endpoint's `τ̂²` on `relative² + absolute² / value²`, both kept at or above 0. `dispersion`
/// (failure counts) is taken from `base`, which the fit does not measure.
pub fn fit(observed: &[Observed], base: &DriftAllowance) -> DriftAllowance {
    let mut fitted = base.clone();
    for metric in DRIFT_METRICS {
        let i = Metric::JUDGED
            .iter()
            .position(|&m| m == metric)
            .unwrap_or(0);
        let points: Vec<(f64, f64)> = observed
            .iter()
            .filter(|o| o.metric == metric)
            .map(|o| {
                let x = if metric.is_latency() {
                    1.0 / (o.value * o.value)
                } else {
                    0.0
                };
                (x, o.between_var())
            })
            .collect();
        let (rel2, abs2) = nonnegative_line(&points);
        fitted.relative[i] = rel2.sqrt();
        fitted.absolute_ms[i] = abs2.sqrt();
    }
    fitted.prior_df = prior_df(observed, &fitted);
    fitted
}

/// Least squares `y ≈ a + b x` with `a, b ≥ 0` (the best of the unconstrained fit and the two
/// one-parameter fits on the boundary).
fn nonnegative_line(points: &[(f64, f64)]) -> (f64, f64) {
    if points.is_empty() {
        return (0.0, 0.0);
    }
    let n = points.len() as f64;
    let sse = |a: f64, b: f64| {
        points
            .iter()
            .map(|&(x, y)| (y - a - b * x).powi(2))
            .sum::<f64>()
    };
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let mut candidates = vec![(my.max(0.0), 0.0)];
    let through_origin: f64 = points.iter().map(|p| p.0 * p.0).sum();
    if through_origin > 0.0 {
        let b = points.iter().map(|p| p.0 * p.1).sum::<f64>() / through_origin;
        candidates.push((0.0, b.max(0.0)));
    }
    if sxx > 0.0 {
        let b = sxy / sxx;
        let a = my - b * mx;
        if a >= 0.0 && b >= 0.0 {
            candidates.push((a, b));
        }
    }
    candidates
        .into_iter()
        .min_by(|p, q| sse(p.0, p.1).total_cmp(&sse(q.0, q.1)))
        .unwrap_or((0.0, 0.0))
}

/// The prior's degrees of freedom from the scatter of the observed variances around the
/// fitted model (Smyth 2004, §6.2); capped at 100 (a prior that strong is as good as known).
fn prior_df(observed: &[Observed], fitted: &DriftAllowance) -> f64 {
    let mut e = Vec::new();
    let mut trigamma_d = 0.0;
    for o in observed {
        let expected = fitted.log_var(o.metric, o.value) + o.within_var;
        if expected <= 0.0 || o.total_var <= 0.0 || o.runs < 3 {
            continue;
        }
        let d = (o.runs - 1) as f64;
        let z = (o.total_var / expected).ln() - digamma(d / 2.0) + (d / 2.0).ln();
        e.push(z);
        trigamma_d += trigamma(d / 2.0);
    }
    if e.len() < 3 {
        return fitted.prior_df;
    }
    let n = e.len() as f64;
    let mean = e.iter().sum::<f64>() / n;
    let var = e.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let excess = var - trigamma_d / n;
    if excess <= 0.0 {
        return 100.0;
    }
    (2.0 * inverse_trigamma(excess)).min(100.0)
}

fn digamma(x: f64) -> f64 {
    statrs::function::gamma::digamma(x)
}

/// ψ'(x) by the recurrence ψ'(x) = ψ'(x + 1) + 1/x² and the asymptotic series above 6
/// (Abramowitz & Stegun 6.4.12).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 6.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let t = 1.0 / x;
    let t2 = t * t;
    acc + t + t2 / 2.0 + t * t2 * (1.0 / 6.0 - t2 * (1.0 / 30.0 - t2 * (1.0 / 42.0 - t2 / 30.0)))
}

/// The `x` with ψ'(x) = y, by Newton's method as limma's `trigammaInverse`.
fn inverse_trigamma(y: f64) -> f64 {
    let mut x = 0.5 + 1.0 / y;
    for _ in 0..50 {
        let tri = trigamma(x);
        let dif = tri * (1.0 - tri / y) / tetragamma(x);
        x += dif;
        if (-dif / x).abs() < 1e-8 {
            break;
        }
    }
    x
}

/// ψ''(x) by the recurrence and its asymptotic series.
fn tetragamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 6.0 {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    let t = 1.0 / x;
    let t2 = t * t;
    acc - t2 - t * t2 - t2 * t2 * (0.5 - t2 * (1.0 / 6.0 - t2 * (1.0 / 6.0 - 0.3 * t2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygammas_match_scipy() {
        // scipy.special.polygamma(1, [0.5, 1, 2.5, 10]) → [4.934802200544679, 1.6449340668482264,
        // 0.4903577561002349, 0.10516633568168575]; polygamma(2, [1, 3]) →
        // [-2.4041138063191885, -0.15411380631918858]
        for (x, want) in [
            (0.5, 4.934_802_200_544_679),
            (1.0, 1.644_934_066_848_226_4),
            (2.5, 0.490_357_756_100_234_9),
            (10.0, 0.105_166_335_681_685_75),
        ] {
            assert!(
                (trigamma(x) - want).abs() < 1e-9,
                "ψ'({x}) = {}",
                trigamma(x)
            );
        }
        assert!((tetragamma(1.0) + 2.404_113_806_319_188_5).abs() < 1e-8);
        assert!((tetragamma(3.0) + 0.154_113_806_319_188_58).abs() < 1e-8);
        assert!((inverse_trigamma(0.490_357_756_100_234_9) - 2.5).abs() < 1e-6);
    }
}

//! One regressed or improved endpoint, baseline against latest: its response-time
//! distribution, the baseline in grey under the latest in the endpoint's colour. (Its p50/p95
//! over time is [`super::latency_over_time::compared`].)

use plotters::style::RGBColor;

use super::cdf::{draw, Curve};
use super::{palette, ChartError, HALF_WIDTH};

/// The distribution of both sides, from each side's percentile columns (pooled for a group).
pub fn distribution(
    title: &str,
    color: RGBColor,
    baseline: &[(f64, f64)],
    latest: &[(f64, f64)],
) -> Result<String, ChartError> {
    let curves = [
        ("baseline", baseline, palette::GREY),
        ("latest", latest, color),
    ]
    .into_iter()
    .filter(|(_, points, _)| points.len() >= 2)
    .map(|(label, points, color)| Curve {
        label: label.to_string(),
        points,
        color,
        width: 3,
    })
    .collect();
    draw(title, (HALF_WIDTH, 320), curves)
}

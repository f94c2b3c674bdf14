//! The stages of a stepped run: throughput and response-time percentiles against the users of
//! each stage, one marked point per stage joined by lines (where throughput stops growing
//! with the users, the service has saturated).

use plotters::style::RGBColor;

use super::points::{self, Series};
use super::{palette, ChartError};
use crate::stages::Stage;

/// The throughput chart's title.
pub const THROUGHPUT_TITLE: &str = "Throughput per load stage";
/// The latency chart's title.
pub const LATENCY_TITLE: &str = "Response-time percentiles per load stage, all requests";

/// Requests/s of each stage against its users.
pub fn throughput(stages: &[Stage]) -> Result<String, ChartError> {
    let rps = stages
        .iter()
        .map(|s| (s.users as f64, s.aggregated.rps))
        .collect();
    draw(
        THROUGHPUT_TITLE,
        "requests per second",
        vec![line("requests/s", palette::BLUE, rps)],
    )
}

/// p50, p95 and p99 of each stage against its users.
pub fn latency(stages: &[Stage]) -> Result<String, ChartError> {
    let at = |f: fn(&Stage) -> Option<f64>| -> Vec<(f64, f64)> {
        stages
            .iter()
            .filter_map(|s| Some((s.users as f64, f(s)?)))
            .collect()
    };
    draw(
        LATENCY_TITLE,
        "response time (ms)",
        vec![
            line("p50", palette::BLUE, at(|s| s.aggregated.p50_ms)),
            line("p95", palette::ORANGE, at(|s| s.aggregated.p95_ms)),
            line("p99", palette::VERMILLION, at(|s| s.aggregated.p99_ms)),
        ],
    )
}

/// One stage-by-stage line of `(users, value)` points.
fn line(label: &str, color: RGBColor, points: Vec<(f64, f64)>) -> Series<'_> {
    Series {
        label,
        points,
        color,
        dashed: false,
    }
}

/// The chart of `series` against the stages' users, up to its highest value.
fn draw(title: &str, y_desc: &str, series: Vec<Series<'_>>) -> Result<String, ChartError> {
    let y_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    points::draw(title, "users in the stage", y_desc, &series, &[], y_max)
}

//! Failures per second over time, on their own scale (next to throughput they would be a flat
//! line), the latest run over the baseline when there is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError, WIDTH};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Failures over time";

/// Failures/s (Locust's current value) against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line::solid(
            "baseline failures/s",
            &b.failures_per_s,
            palette::GREY,
        ));
    }
    lines.push(Line::solid(
        if baseline.is_some() {
            "latest failures/s"
        } else {
            "failures/s"
        },
        &latest.failures_per_s,
        palette::INK,
    ));
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "failures per second",
        lines,
        size: (WIDTH, 260),
        compact: false,
    })
}

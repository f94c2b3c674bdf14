//! Throughput (requests per second) over time, the latest run over the baseline when there
//! is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError, WIDTH};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Throughput over time";

/// Requests/s (Locust's current value) against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line::solid("baseline requests/s", &b.rps, palette::GREY));
    }
    lines.push(Line::solid(
        if baseline.is_some() {
            "latest requests/s"
        } else {
            "requests/s"
        },
        &latest.rps,
        palette::INK,
    ));
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "requests per second",
        lines,
        size: (WIDTH, 320),
        compact: false,
    })
}

//! Failures per second over time, on their own scale (next to throughput they would be a flat
//! line), the latest run over the baseline when there is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Failures over time";

/// Failures/s (Locust's current value) against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line {
            label: "baseline failures/s".to_string(),
            points: &b.failures_per_s,
            color: palette::GREY,
            width: 2,
        });
    }
    lines.push(Line {
        label: if baseline.is_some() {
            "latest failures/s"
        } else {
            "failures/s"
        }
        .to_string(),
        points: &latest.failures_per_s,
        color: palette::VERMILLION,
        width: 2,
    });
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "failures per second",
        lines,
        size: (900, 240),
        compact: false,
    })
}

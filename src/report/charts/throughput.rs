//! Throughput (requests per second) over time, the latest run over the baseline when there
//! is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Throughput over time";

/// Requests/s (Locust's current value) against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line {
            label: "baseline requests/s".to_string(),
            points: &b.rps,
            color: palette::GREY,
            width: 2,
        });
    }
    lines.push(Line {
        label: if baseline.is_some() {
            "latest requests/s"
        } else {
            "requests/s"
        }
        .to_string(),
        points: &latest.rps,
        color: palette::BLUE,
        width: 2,
    });
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "requests per second",
        lines,
        size: (900, 320),
        compact: false,
    })
}

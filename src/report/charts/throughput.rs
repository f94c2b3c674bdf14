//! Throughput and failures per second over time, the latest run over the baseline when there
//! is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Throughput and failures over time";

/// Requests/s and failures/s (Locust's current values) against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line {
            label: "baseline requests/s".to_string(),
            points: &b.rps,
            color: palette::GREY,
            width: 2,
        });
        lines.push(Line {
            label: "baseline failures/s".to_string(),
            points: &b.failures_per_s,
            color: palette::PURPLE,
            width: 1,
        });
    }
    let side = if baseline.is_some() { "latest " } else { "" };
    lines.push(Line {
        label: format!("{side}requests/s"),
        points: &latest.rps,
        color: palette::BLUE,
        width: 2,
    });
    lines.push(Line {
        label: format!("{side}failures/s"),
        points: &latest.failures_per_s,
        color: palette::VERMILLION,
        width: 2,
    });
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "per second",
        lines,
        size: (900, 320),
        compact: false,
    })
}

//! Users over time, the latest run over the baseline when there is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Users over time";

/// Running users against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line {
            label: "baseline users".to_string(),
            points: &b.users,
            color: palette::GREY,
            width: 2,
        });
    }
    lines.push(Line {
        label: if baseline.is_some() {
            "latest users"
        } else {
            "users"
        }
        .to_string(),
        points: &latest.users,
        color: palette::GREEN,
        width: 2,
    });
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "users",
        lines,
        size: (900, 240),
        compact: false,
    })
}

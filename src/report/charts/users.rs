//! Users over time, the latest run over the baseline when there is one.

use super::line::{draw, Line, LineChart};
use super::{palette, ChartError, WIDTH};
use crate::report::history::Timeline;

/// The chart's title.
pub const TITLE: &str = "Users over time";

/// Running users against seconds since the start.
pub fn chart(latest: &Timeline, baseline: Option<&Timeline>) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    if let Some(b) = baseline {
        lines.push(Line::solid("baseline users", &b.users, palette::GREY));
    }
    lines.push(Line::solid(
        if baseline.is_some() {
            "latest users"
        } else {
            "users"
        },
        &latest.users,
        palette::INK,
    ));
    draw(&LineChart {
        title: TITLE,
        x_desc: "time since start (m:ss)",
        y_desc: "users",
        lines,
        size: (WIDTH, 260),
        compact: false,
    })
}

//! Response-time percentiles over time: for all requests (Aggregated) full width, or for one
//! endpoint as a small multiple; the baseline's p50 and p95 underneath when there is one.

use super::line::{draw, Line, LineChart};
use super::{palette, shorten, ChartError};
use crate::report::history::LatencySeries;

/// Longest endpoint name, in characters, in a small multiple's title.
pub const SMALL_TITLE_CHARS: usize = 34;

/// p50/p95/p99 of Locust's current window against seconds since the start.
///
/// `title` is shortened with an ellipsis when `compact` (small multiples are narrow); with a
/// baseline, the latest p50 and p95 are drawn over the baseline's and p99 is left out.
pub fn chart(
    title: &str,
    latest: &LatencySeries,
    baseline: Option<&LatencySeries>,
    compact: bool,
) -> Result<String, ChartError> {
    let mut lines = Vec::new();
    match baseline {
        Some(b) => {
            lines.push(Line {
                label: "baseline p50".to_string(),
                points: &b.p50,
                color: palette::SKY,
                width: 2,
            });
            lines.push(Line {
                label: "baseline p95".to_string(),
                points: &b.p95,
                color: palette::GREY,
                width: 2,
            });
            lines.push(Line {
                label: "latest p50".to_string(),
                points: &latest.p50,
                color: palette::BLUE,
                width: 2,
            });
            lines.push(Line {
                label: "latest p95".to_string(),
                points: &latest.p95,
                color: palette::ORANGE,
                width: 2,
            });
        }
        None => {
            for (label, points, color) in [
                ("p99", &latest.p99, palette::VERMILLION),
                ("p95", &latest.p95, palette::ORANGE),
                ("p50", &latest.p50, palette::BLUE),
            ] {
                lines.push(Line {
                    label: label.to_string(),
                    points,
                    color,
                    width: if compact { 1 } else { 2 },
                });
            }
        }
    }
    let title = if compact {
        shorten(title, SMALL_TITLE_CHARS)
    } else {
        title.to_string()
    };
    draw(&LineChart {
        title: &title,
        x_desc: if compact {
            "m:ss"
        } else {
            "time since start (m:ss)"
        },
        y_desc: "response time (ms)",
        lines,
        size: if compact { (560, 270) } else { (900, 320) },
        compact,
    })
}

//! Response-time percentiles over time: for all requests (Aggregated) full width, or for one
//! endpoint as a small multiple, in the endpoint's colour; the baseline underneath in grey when
//! there is one. The percentiles differ by stroke, not colour (colour is the endpoint's):
//! p95 solid and thick, p50 dashed, p99 thin.

use plotters::style::RGBColor;

use super::line::{draw, Line, LineChart};
use super::{palette, shorten, ChartError, HALF_WIDTH, WIDTH};
use crate::report::history::LatencySeries;

/// Longest endpoint name, in characters, in a small multiple's title.
pub const SMALL_TITLE_CHARS: usize = 44;

/// p50/p95/p99 of Locust's current window against seconds since the start, in `color`.
///
/// `title` is shortened with an ellipsis when `compact` (small multiples are half width);
/// with a baseline, the latest p50 and p95 are drawn over the baseline's and p99 is left out.
pub fn chart(
    title: &str,
    color: RGBColor,
    latest: &LatencySeries,
    baseline: Option<&LatencySeries>,
    compact: bool,
) -> Result<String, ChartError> {
    let lines = match baseline {
        Some(b) => {
            let mut lines = p50_p95("baseline", b, palette::GREY);
            lines.extend(p50_p95("latest", latest, color));
            lines
        }
        None => {
            let mut lines = vec![Line {
                width: 1,
                ..Line::solid("p99", &latest.p99, color)
            }];
            lines.extend(p50_p95("", latest, color));
            lines
        }
    };
    let title = if compact {
        shorten(title, SMALL_TITLE_CHARS)
    } else {
        title.to_string()
    };
    draw(&LineChart {
        title: &title,
        x_desc: "time since start (m:ss)",
        y_desc: "response time (ms)",
        lines,
        size: if compact {
            (HALF_WIDTH, 300)
        } else {
            (WIDTH, 340)
        },
        compact,
    })
}

/// One endpoint's p50 and p95 over time, baseline against latest, each from its own run's
/// start: one run a side draws both percentiles; groups draw each run's p95 as its own line
/// (per-second series of different runs do not pool).
pub fn compared(
    title: &str,
    color: RGBColor,
    baseline: &[LatencySeries],
    latest: &[LatencySeries],
) -> Result<String, ChartError> {
    let lines = if baseline.len() <= 1 && latest.len() <= 1 {
        let mut lines = Vec::new();
        for (side, runs, c) in [
            ("baseline", baseline, palette::GREY),
            ("latest", latest, color),
        ] {
            if let Some(s) = runs.first() {
                lines.extend(p50_p95(side, s, c));
            }
        }
        lines
    } else {
        let mut lines = Vec::new();
        for (side, runs, c) in [
            ("baseline", baseline, palette::GREY),
            ("latest", latest, color),
        ] {
            lines.extend(runs.iter().enumerate().map(|(i, s)| Line {
                width: 2,
                ..Line::solid(
                    if i == 0 {
                        format!("{side} p95, one line per run ({})", runs.len())
                    } else {
                        String::new()
                    },
                    &s.p95,
                    c,
                )
            }));
        }
        lines
    };
    draw(&LineChart {
        title,
        x_desc: "time since each run's start (m:ss)",
        y_desc: "response time (ms)",
        lines,
        size: (HALF_WIDTH, 320),
        compact: true,
    })
}

/// The p50 (dashed) and p95 (solid, thick) lines of one series, labelled `side p50` and
/// `side p95`.
fn p50_p95<'a>(side: &str, s: &'a LatencySeries, color: RGBColor) -> Vec<Line<'a>> {
    let label = |p: &str| {
        if side.is_empty() {
            p.to_string()
        } else {
            format!("{side} {p}")
        }
    };
    vec![
        Line {
            dashed: true,
            ..Line::solid(label("p50"), &s.p50, color)
        },
        Line {
            width: 3,
            ..Line::solid(label("p95"), &s.p95, color)
        },
    ]
}

//! The report's charts: one file per chart, each a function from already-computed data to an
//! SVG string.
//!
//! Everything is drawn with plotters' SVG backend, which writes text as `<text>` elements (no
//! fonts are needed to draw, the viewer's sans-serif is used) and escapes `<`, `>`, `&` and
//! quotes in every label, so untrusted endpoint names stay text inside the SVG; the control and
//! bidirectional characters it passes on are shown as `\u{…}` ([`super::escape::visible`]).
//! Errors from plotters are returned as [`ChartError`], never unwrapped or dropped.

pub mod capacity;
pub mod cdf;
pub mod compare_bars;
pub mod endpoint_compare;
pub mod failures;
pub mod latency_over_time;
mod line;
pub mod percentile_bars;
pub mod points;
pub mod stages;
pub mod style;
pub mod throughput;
pub mod trend;
pub mod users;

use super::escape;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// plotters failed while drawing.
    #[error("could not draw the chart `{chart}`: {message}")]
    Draw {
        /// The chart's title.
        chart: String,
        /// What plotters reported.
        message: String,
    },
    /// The chart was asked for with nothing to plot.
    #[error("the chart `{0}` has no data to plot")]
    NoData(String),
}

pub use style::{
    font, palette, EndpointPalette, FONT, HALF_WIDTH, SMALL_PX, TEXT_PX, TITLE_PX, WIDTH,
};

/// Draws on a fresh SVG canvas of `size` pixels and returns the SVG text.
///
/// `title` names the chart in errors and in the SVG's accessible label.
pub(crate) fn render_svg<F>(title: &str, size: (u32, u32), draw: F) -> Result<String, ChartError>
where
    F: FnOnce(
        &DrawingArea<SVGBackend<'_>, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
{
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present());
        drawn.map_err(|e| ChartError::Draw {
            chart: title.to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(label_svg(&escape::visible(&buf), title))
}

/// Adds `role="img"` and an escaped `aria-label` to the root `<svg>` element.
fn label_svg(svg: &str, title: &str) -> String {
    match svg.find("<svg ") {
        Some(at) => {
            let (head, tail) = svg.split_at(at + 5);
            format!(
                "{head}role=\"img\" aria-label=\"{}\" {tail}",
                escape::html(title)
            )
        }
        None => svg.to_string(),
    }
}

/// Width of the endpoint-name column of horizontal bar charts, in pixels.
const BAR_LABEL_WIDTH: u32 = 330;

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A filled square: bars.
    Box,
    /// A short solid line of this stroke width.
    Line(u32),
    /// A short dashed line.
    Dashed,
}

/// One legend entry: its text, colour and mark.
#[derive(Debug, Clone)]
pub struct Key {
    /// The text, drawn as given (shorten long names first).
    pub label: String,
    /// The series' colour.
    pub color: RGBColor,
    /// How the series is drawn.
    pub mark: Mark,
}

impl Key {
    /// An entry with a filled square.
    pub fn boxed(label: impl Into<String>, color: RGBColor) -> Self {
        Self {
            label: label.into(),
            color,
            mark: Mark::Box,
        }
    }

    /// An entry with a line sample, dashed or solid of `width`.
    pub fn line(label: impl Into<String>, color: RGBColor, width: u32, dashed: bool) -> Self {
        Self {
            label: label.into(),
            color,
            mark: if dashed {
                Mark::Dashed
            } else {
                Mark::Line(width)
            },
        }
    }
}

/// The frame every horizontal bar chart shares: title and legend, a value axis in ms from 0
/// to `x_max` with tick labels, and `rows` bar slots without labels (the charts write their
/// own); the first slot is at the top, slot `i` spanning `[rows - i - 1, rows - i]`.
pub(crate) fn bar_frame<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    legend: &[Key],
    x_desc: &str,
    rows: usize,
    x_max: f64,
) -> Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    DrawingAreaErrorKind<std::io::Error>,
> {
    let top = header(root, title, legend, 8 + BAR_LABEL_WIDTH as i32)?;
    let mut ctx = ChartBuilder::on(root)
        .margin(8)
        .margin_top(top)
        .margin_right(24)
        .x_label_area_size(46)
        .y_label_area_size(BAR_LABEL_WIDTH)
        .build_cartesian_2d(0.0..x_max, 0.0..rows as f64)?;
    let x_fmt = |v: &f64| tick(*v);
    let no_label = |_: &f64| String::new();
    ctx.configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GRID)
        .axis_style(palette::AXIS)
        .x_labels(8)
        .y_labels(1)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&no_label)
        .x_desc(x_desc)
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(TEXT_PX))
        .draw()?;
    Ok(ctx)
}

/// Pixels a legend's text of `chars` characters takes at most: the viewer's font is unknown,
/// so a generous 0.62 em per character.
fn legend_text_width(chars: usize) -> i32 {
    (0.56 * f64::from(TEXT_PX) * chars as f64).ceil() as i32
}

/// A chart's title, centred at the top, and under it the legend, outside the plot: entries
/// from pixel `left`, wrapping onto more rows when the chart is too narrow. Returns how many
/// pixels they take, for the plot's top margin.
pub fn header(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    legend: &[Key],
    left: i32,
) -> Result<u32, DrawingAreaErrorKind<std::io::Error>> {
    let (width, _) = root.dim_in_pixel();
    let title_style = font(TITLE_PX).pos(Pos::new(HPos::Center, VPos::Top));
    root.draw(&Text::new(
        title.to_string(),
        (width as i32 / 2, 6),
        title_style,
    ))?;
    let mut top = 14 + TITLE_PX;
    if legend.is_empty() {
        return Ok(top + 4);
    }
    let style = font(TEXT_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let row_height = TEXT_PX as i32 + 8;
    let right = width as i32 - 12;
    let mut y = top as i32 + row_height / 2;
    let mut at = left;
    for key in legend {
        let w = 26 + legend_text_width(key.label.chars().count());
        if at > left && at + w > right {
            at = left;
            y += row_height;
        }
        let c = key.color;
        // Samples are rectangles, never lines, so that a chart's lines are all data.
        match key.mark {
            Mark::Box => root.draw(&Rectangle::new([(at, y - 6), (at + 14, y + 6)], c.filled()))?,
            Mark::Line(w) => {
                let half = w.clamp(2, 4) as i32 / 2;
                root.draw(&Rectangle::new(
                    [(at - 2, y - half), (at + 18, y + half)],
                    c.filled(),
                ))?;
            }
            Mark::Dashed => {
                for x in [at - 2, at + 6, at + 14] {
                    root.draw(&Rectangle::new([(x, y - 1), (x + 5, y + 1)], c.filled()))?;
                }
            }
        }
        root.draw(&Text::new(key.label.clone(), (at + 24, y), style.clone()))?;
        at += w + 18;
    }
    top = (y + row_height / 2 + 4) as u32;
    Ok(top)
}

/// Shortens a label to at most `max` characters, cutting the middle and marking the cut with
/// an ellipsis, so that the method and the end of a long path both stay visible.
pub fn shorten(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max || max < 3 {
        return text.to_string();
    }
    let keep = max - 1;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Shortens each label like [`shorten`], unless that makes two of them the same (long names
/// that differ only in the middle): then each shows the part where the names start to differ,
/// with an ellipsis on each side that was cut.
pub fn distinct_labels(names: &[&str], max: usize) -> Vec<String> {
    let short: Vec<String> = names.iter().map(|n| shorten(n, max)).collect();
    if max < 3 {
        return short;
    }
    let chars: Vec<Vec<char>> = names.iter().map(|n| n.chars().collect()).collect();
    (0..names.len())
        .map(|i| {
            // The longest prefix this name shares with another that shortens the same way.
            let common = (0..names.len())
                .filter(|&j| j != i && short[j] == short[i])
                .map(|j| {
                    chars[i]
                        .iter()
                        .zip(&chars[j])
                        .take_while(|(a, b)| a == b)
                        .count()
                })
                .max();
            let (Some(common), c) = (common, &chars[i]) else {
                return short[i].clone();
            };
            if c.len() <= max {
                return short[i].clone();
            }
            let start = common.saturating_sub(10).min(c.len() - (max - 2));
            let end = (start + max - 2).min(c.len());
            let mut out = String::from("…");
            out.extend(&c[start..end]);
            if end < c.len() {
                out.push('…');
            }
            out
        })
        .collect()
}

/// Seconds since the start as `m:ss` (or `h:mm:ss`), for time axes.
pub fn clock(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// A tick label for a value axis: no needless decimals, and powers of ten for huge values.
pub fn tick(v: f64) -> String {
    if v.abs() >= 1e9 {
        format!("{v:.2e}")
    } else if v.abs() >= 100.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The largest magnitude a chart places on an axis. plotters' tick search never ends on an
/// infinite range (or one whose width overflows): every value is clamped into this before it
/// reaches an axis or a series ([`plottable`]), so that each axis range, with its headroom, is
/// finite and its tick loops are bounded. Real response times, rates and durations are far
/// below it; anything above is drawn at the edge, and labels still show the true value.
pub(crate) const AXIS_LIMIT: f64 = 1e300;

/// The smallest positive value a logarithmic axis starts at (a nanosecond, in ms), so that the
/// ratio of its ends, from which plotters counts its ticks, stays finite (at most ~2e306).
pub(crate) const LOG_AXIS_MIN: f64 = 1e-6;

/// `v` clamped into `±AXIS_LIMIT` (infinities to the limits), `NaN` as 0.
pub(crate) fn plottable(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
    }
}

/// The upper end of a value axis: a little headroom above the largest value, never zero, and
/// always finite.
pub(crate) fn headroom(max: f64) -> f64 {
    let max = plottable(max);
    if max > 0.0 {
        max * 1.1
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_in_the_middle_with_an_ellipsis() {
        assert_eq!(shorten("GET /a", 10), "GET /a");
        assert_eq!(shorten("GET /very/long/path/name", 11), "GET /…/name");
        assert_eq!(shorten("GET /very/long/path/name", 11).chars().count(), 11);
        assert_eq!(shorten("ééééééééééé", 5), "éé…éé");
    }

    #[test]
    fn labels_that_would_collide_show_where_names_differ() {
        let a = "GET /api/v2/tenants/{tenant}/resources/group-001/items/{item}/details";
        let b = "GET /api/v2/tenants/{tenant}/resources/group-002/items/{item}/details";
        let labels = distinct_labels(&[a, b], 30);
        assert_ne!(labels[0], labels[1]);
        assert!(labels[0].contains("group-001"), "{}", labels[0]);
        assert!(labels.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(
            distinct_labels(&["GET /a", "GET /b"], 30),
            ["GET /a", "GET /b"]
        );
    }

    #[test]
    fn axis_ends_stay_finite_for_huge_and_non_finite_values() {
        for max in [9e307, f64::MAX, f64::INFINITY, f64::NAN, -1.0, 0.0] {
            let end = headroom(max);
            assert!(end.is_finite() && end > 0.0, "{max}: {end}");
            assert!((end * 1.08).is_finite());
        }
        assert_eq!(headroom(100.0), 110.00000000000001);
        assert_eq!(plottable(f64::NEG_INFINITY), -AXIS_LIMIT);
        assert_eq!(plottable(f64::NAN), 0.0);
        assert_eq!(plottable(12.5), 12.5);
        assert_eq!(tick(9e307), "9.00e307");
        assert_eq!(tick(250.0), "250");
    }

    #[test]
    fn clock_labels() {
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(65.0), "1:05");
        assert_eq!(clock(3725.0), "1:02:05");
    }

    #[test]
    fn svg_gets_an_escaped_accessible_label() {
        let svg = label_svg("<svg width=\"1\">", "a<b>\"");
        assert_eq!(
            svg,
            "<svg role=\"img\" aria-label=\"a&lt;b&gt;&quot;\" width=\"1\">"
        );
    }
}

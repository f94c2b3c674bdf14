//! The line chart the time-series charts share: lines over seconds since the start, a value axis
//! from zero, a title, a legend above the plot (never over the data) and axis descriptions
//! with units.

use plotters::prelude::*;

use super::{clock, header, headroom, palette, plottable, render_svg, tick, ChartError, FONT};

/// One line: its legend label, points (x in seconds since the start) and style.
pub(crate) struct Line<'a> {
    /// The legend entry.
    pub label: String,
    /// `(seconds since start, value)` points in time order.
    pub points: &'a [(f64, f64)],
    /// The line's colour.
    pub color: RGBColor,
    /// Stroke width in pixels.
    pub width: u32,
}

/// A whole line chart.
pub(crate) struct LineChart<'a> {
    /// The title drawn above the plot.
    pub title: &'a str,
    /// The x axis description, with its unit.
    pub x_desc: &'a str,
    /// The y axis description, with its unit.
    pub y_desc: &'a str,
    /// The lines, drawn in order (later ones on top).
    pub lines: Vec<Line<'a>>,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// A small multiple: smaller type, fewer ticks.
    pub compact: bool,
}

/// Draws the chart.
pub(crate) fn draw(chart: &LineChart<'_>) -> Result<String, ChartError> {
    let points = || chart.lines.iter().flat_map(|l| l.points.iter());
    if points().next().is_none() {
        return Err(ChartError::NoData(chart.title.to_string()));
    }
    let x_max = plottable(points().map(|p| p.0).fold(0.0_f64, f64::max)).max(1.0);
    // Past ten minutes the axis runs in minutes, so ticks fall on whole minutes.
    let unit = if x_max > 600.0 { 60.0 } else { 1.0 };
    let y_max = headroom(points().map(|p| p.1).fold(0.0_f64, f64::max));
    let (label, ticks, y_area) = if chart.compact {
        (14, 5, 56)
    } else {
        (14, 8, 64)
    };
    let legend: Vec<(&str, RGBColor)> = chart
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.color))
        .collect();
    render_svg(chart.title, chart.size, |root| {
        let top = header(root, chart.title, &legend, 8 + y_area, chart.compact)?;
        let mut ctx = ChartBuilder::on(root)
            .margin(8)
            .margin_top(top)
            .margin_right(18)
            .x_label_area_size(if chart.compact { 38 } else { 42 })
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..x_max / unit, 0.0..y_max)?;
        let x_fmt = |v: &f64| clock(*v * unit);
        let y_fmt = |v: &f64| tick(*v);
        ctx.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GRID)
            .axis_style(palette::INK)
            .x_labels(ticks)
            .y_labels(if chart.compact { 4 } else { 6 })
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(chart.x_desc)
            .y_desc(chart.y_desc)
            .label_style((FONT, label).into_font().color(&palette::INK))
            .axis_desc_style((FONT, label).into_font().color(&palette::INK))
            .draw()?;
        for line in &chart.lines {
            let style = line.color.stroke_width(line.width);
            let points = line
                .points
                .iter()
                .map(|&(x, y)| (plottable(x) / unit, plottable(y)));
            ctx.draw_series(LineSeries::new(points, style))?;
        }
        Ok(())
    })
}

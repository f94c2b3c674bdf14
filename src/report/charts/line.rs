//! The line chart the time-series charts share: lines over seconds since the start, a value axis
//! from zero, a title, a legend above the plot (never over the data) and axis descriptions
//! with units.

use plotters::prelude::*;

use super::{
    clock, font, header, headroom, palette, plottable, render_svg, tick, ChartError, Key, TEXT_PX,
};

/// One line: its legend label, points (x in seconds since the start) and style.
pub(crate) struct Line<'a> {
    /// The legend entry; lines with an empty label are drawn but not listed (the runs of a
    /// group after the first, which share their legend entry).
    pub label: String,
    /// `(seconds since start, value)` points in time order.
    pub points: &'a [(f64, f64)],
    /// The line's colour.
    pub color: RGBColor,
    /// Stroke width in pixels.
    pub width: u32,
    /// Dashed (the median, where a chart also draws p95 solid).
    pub dashed: bool,
}

impl<'a> Line<'a> {
    /// A solid line.
    pub fn solid(label: impl Into<String>, points: &'a [(f64, f64)], color: RGBColor) -> Self {
        Self {
            label: label.into(),
            points,
            color,
            width: 2,
            dashed: false,
        }
    }
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
    /// Width and height in pixels: [`super::WIDTH`] or [`super::HALF_WIDTH`] wide.
    pub size: (u32, u32),
    /// A small multiple: fewer ticks.
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
    let (ticks, y_area) = if chart.compact { (5, 66) } else { (8, 72) };
    let legend: Vec<Key> = chart
        .lines
        .iter()
        .filter(|l| !l.label.is_empty())
        .map(|l| Key::line(l.label.as_str(), l.color, l.width, l.dashed))
        .collect();
    render_svg(chart.title, chart.size, |root| {
        let top = header(root, chart.title, &legend, 8 + y_area)?;
        let mut ctx = ChartBuilder::on(root)
            .margin(8)
            .margin_top(top)
            .margin_right(20)
            .x_label_area_size(46)
            .y_label_area_size(y_area)
            .build_cartesian_2d(0.0..x_max / unit, 0.0..y_max)?;
        let x_fmt = |v: &f64| clock(*v * unit);
        let y_fmt = |v: &f64| tick(*v);
        ctx.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GRID)
            .axis_style(palette::AXIS)
            .x_labels(ticks)
            .y_labels(if chart.compact { 4 } else { 6 })
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(chart.x_desc)
            .y_desc(chart.y_desc)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(TEXT_PX))
            .draw()?;
        for line in &chart.lines {
            let style = line.color.stroke_width(line.width);
            let points = line
                .points
                .iter()
                .map(|&(x, y)| (plottable(x) / unit, plottable(y)));
            if line.dashed {
                ctx.draw_series(DashedLineSeries::new(points, 6, 4, style))?;
            } else {
                ctx.draw_series(LineSeries::new(points, style))?;
            }
        }
        Ok(())
    })
}

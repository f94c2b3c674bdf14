//! The line chart the time-series charts share: lines over seconds since the start, a value axis
//! from zero, a title, axis descriptions with units and a legend.

use plotters::prelude::*;

use super::{clock, headroom, palette, render_svg, tick, ChartError, FONT};

/// One line: its legend label, points (x in seconds since the start) and style.
pub(crate) struct Line<'a> {
    /// The legend entry (shortened by the caller if it comes from an endpoint name).
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
    /// The caption drawn above the plot.
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
    let x_max = points().map(|p| p.0).fold(0.0_f64, f64::max).max(1.0);
    let y_max = headroom(points().map(|p| p.1).fold(0.0_f64, f64::max));
    let (caption, label, ticks) = if chart.compact {
        (15, 12, 4)
    } else {
        (19, 14, 8)
    };
    render_svg(chart.title, chart.size, |root| {
        let mut ctx = ChartBuilder::on(root)
            .caption(
                chart.title,
                (FONT, caption).into_font().color(&palette::INK),
            )
            .margin(8)
            .margin_right(18)
            .x_label_area_size(if chart.compact { 30 } else { 40 })
            .y_label_area_size(if chart.compact { 44 } else { 60 })
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        let x_fmt = |v: &f64| clock(*v);
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
            let color = line.color;
            ctx.draw_series(LineSeries::new(line.points.iter().copied(), style))?
                .label(line.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3))
                });
        }
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(palette::GRID)
            .label_font((FONT, label).into_font().color(&palette::INK))
            .draw()?;
        Ok(())
    })
}

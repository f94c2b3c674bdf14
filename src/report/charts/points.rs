//! The chart the load-stage and capacity pages share: one marked point per stage joined by
//! lines, from zero on both axes (users or throughput across, a rate or a time up), with
//! reference lines dashed and chosen points ringed.

use plotters::prelude::*;

use super::{
    font, header, headroom, palette, plottable, render_svg, tick, ChartError, Key, TEXT_PX, WIDTH,
};

/// One series of `(x, y)` points with its legend label and colour.
pub(crate) struct Series<'a> {
    /// The legend's text.
    pub label: &'a str,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// The colour.
    pub color: RGBColor,
    /// A thin dashed reference line, without point marks.
    pub dashed: bool,
}

/// A scatter-and-line chart from zero on both axes, with `marks` ringed.
pub(crate) fn draw(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[Series<'_>],
    marks: &[(f64, f64)],
    y_max: f64,
) -> Result<String, ChartError> {
    let points = || series.iter().flat_map(|s| s.points.iter());
    if points().next().is_none() {
        return Err(ChartError::NoData(title.to_string()));
    }
    let x_max = headroom(points().map(|p| p.0).fold(0.0, f64::max));
    let y_max = headroom(y_max);
    let legend: Vec<Key> = series
        .iter()
        .map(|s| Key::boxed(s.label, s.color))
        .collect();
    render_svg(title, (WIDTH, 340 + 40), |root| {
        let top = header(root, title, &legend, 72)?;
        let mut ctx = ChartBuilder::on(root)
            .margin(8)
            .margin_top(top)
            .margin_right(18)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        let fmt = |v: &f64| tick(*v);
        ctx.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GRID)
            .axis_style(palette::INK)
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(TEXT_PX))
            .draw()?;
        // Back to front, so that the first series (p50, requests/s) stays visible where the
        // lines coincide (p50 = p95 on a service answering in constant time).
        for s in series.iter().rev() {
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|&(x, y)| (plottable(x), plottable(y).min(y_max)))
                .collect();
            if s.dashed {
                ctx.draw_series(DashedLineSeries::new(pts, 6, 4, s.color.stroke_width(1)))?;
                continue;
            }
            ctx.draw_series(LineSeries::new(
                pts.iter().copied(),
                s.color.stroke_width(2),
            ))?;
            ctx.draw_series(pts.iter().map(|&p| Circle::new(p, 4, s.color.filled())))?;
        }
        ctx.draw_series(marks.iter().map(|&(x, y)| {
            Circle::new(
                (plottable(x), plottable(y)),
                9,
                palette::VERMILLION.stroke_width(2),
            )
        }))?;
        Ok(())
    })
}

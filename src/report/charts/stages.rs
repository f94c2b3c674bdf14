//! The stages of a stepped run: throughput and response-time percentiles against the users of
//! each stage, one marked point per stage joined by lines (where throughput stops growing
//! with the users, the service has saturated).

use plotters::prelude::*;

use super::{
    font, header, headroom, palette, plottable, render_svg, tick, ChartError, Key, TEXT_PX, WIDTH,
};
use crate::stages::Stage;

/// The throughput chart's title.
pub const THROUGHPUT_TITLE: &str = "Throughput per load stage";
/// The latency chart's title.
pub const LATENCY_TITLE: &str = "Response-time percentiles per load stage, all requests";

/// Requests/s of each stage against its users.
pub fn throughput(stages: &[Stage]) -> Result<String, ChartError> {
    let rps: Vec<(f64, f64)> = stages
        .iter()
        .map(|s| (s.users as f64, s.aggregated.rps))
        .collect();
    draw(
        THROUGHPUT_TITLE,
        "requests per second",
        &[("requests/s", palette::BLUE, rps)],
    )
}

/// p50, p95 and p99 of each stage against its users.
pub fn latency(stages: &[Stage]) -> Result<String, ChartError> {
    let line = |f: fn(&Stage) -> Option<f64>| -> Vec<(f64, f64)> {
        stages
            .iter()
            .filter_map(|s| Some((s.users as f64, f(s)?)))
            .collect()
    };
    draw(
        LATENCY_TITLE,
        "response time (ms)",
        &[
            ("p50", palette::BLUE, line(|s| s.aggregated.p50_ms)),
            ("p95", palette::ORANGE, line(|s| s.aggregated.p95_ms)),
            ("p99", palette::VERMILLION, line(|s| s.aggregated.p99_ms)),
        ],
    )
}

/// A series: legend label, colour, `(users, value)` points.
type Series<'a> = (&'a str, RGBColor, Vec<(f64, f64)>);

fn draw(title: &str, y_desc: &str, lines: &[Series<'_>]) -> Result<String, ChartError> {
    let points = || lines.iter().flat_map(|l| l.2.iter());
    if points().next().is_none() {
        return Err(ChartError::NoData(title.to_string()));
    }
    let x_max = headroom(plottable(points().map(|p| p.0).fold(0.0, f64::max)) * 1.05);
    let y_max = headroom(plottable(points().map(|p| p.1).fold(0.0, f64::max)));
    let legend: Vec<Key> = lines.iter().map(|l| Key::boxed(l.0, l.1)).collect();
    render_svg(title, (WIDTH, 320 + 40), |root| {
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
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GRID)
            .axis_style(palette::INK)
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .x_desc("users in the stage")
            .y_desc(y_desc)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(TEXT_PX))
            .draw()?;
        // Back to front, so that the first series (p50) stays visible where they coincide.
        for (_, color, points) in lines.iter().rev() {
            let pts = || points.iter().map(|&(x, y)| (plottable(x), plottable(y)));
            ctx.draw_series(LineSeries::new(pts(), color.stroke_width(2)))?;
            ctx.draw_series(pts().map(|p| Circle::new(p, 4, color.filled())))?;
        }
        Ok(())
    })
}

//! The two charts of `perfreport capacity`: throughput against users (the knee, with the
//! proportional-growth line it is judged against) and latency against throughput (the
//! "hockey stick": flat until the ceiling, then straight up).

use plotters::prelude::*;

use super::{
    font, header, headroom, palette, plottable, render_svg, tick, ChartError, Key, TEXT_PX, WIDTH,
};

/// The first chart's title.
pub const THROUGHPUT_TITLE: &str = "Throughput against users";
/// The second chart's title.
pub const LATENCY_TITLE: &str = "Response time against throughput";

/// One series of `(x, y)` points with its legend label and colour.
struct Series<'a> {
    label: &'a str,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    dashed: bool,
}

/// Requests/s of each stage against its users, with the line of throughput growing in
/// proportion to users from the first stage, and the saturation point marked.
///
/// `stages` are `(users, requests/s)`; `knee` the saturation point, if found.
pub fn throughput(stages: &[(f64, f64)], knee: Option<(f64, f64)>) -> Result<String, ChartError> {
    let mut series = vec![Series {
        label: "requests/s",
        points: stages.to_vec(),
        color: palette::BLUE,
        dashed: false,
    }];
    if let (Some(&(u0, x0)), Some(&(u_last, _))) = (stages.first(), stages.last()) {
        if u0 > 0.0 {
            series.push(Series {
                label: "proportional to users",
                points: vec![(u0, x0), (u_last, x0 * u_last / u0)],
                color: palette::GREY,
                dashed: true,
            });
        }
    }
    let marks: Vec<(f64, f64)> = knee.into_iter().collect();
    draw(
        THROUGHPUT_TITLE,
        "users",
        "requests per second",
        &series,
        &marks,
        stages.iter().map(|p| p.1).fold(0.0, f64::max),
    )
}

/// One stage on the latency chart: requests/s, p50 and p95 (ms).
pub type LatencyPoint = (f64, Option<f64>, Option<f64>);

/// p50 and p95 of each stage against its requests/s.
pub fn latency(stages: &[LatencyPoint]) -> Result<String, ChartError> {
    let pick = |f: fn(&LatencyPoint) -> Option<f64>| {
        stages
            .iter()
            .filter_map(|s| f(s).map(|v| (s.0, v)))
            .collect::<Vec<_>>()
    };
    let series = vec![
        Series {
            label: "p50",
            points: pick(|s| s.1),
            color: palette::BLUE,
            dashed: false,
        },
        Series {
            label: "p95",
            points: pick(|s| s.2),
            color: palette::ORANGE,
            dashed: false,
        },
    ];
    let y_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    draw(
        LATENCY_TITLE,
        "requests per second",
        "response time (ms)",
        &series,
        &[],
        y_max,
    )
}

/// A scatter-and-line chart from zero on both axes, with `marks` ringed.
fn draw(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_charts_draw_and_refuse_nothing() {
        let svg = throughput(
            &[(5.0, 50.0), (10.0, 100.0), (15.0, 110.0)],
            Some((10.0, 100.0)),
        )
        .unwrap();
        assert!(svg.contains("aria-label=\"Throughput against users\""));
        assert!(svg.contains("proportional to users"));
        let svg = latency(&[(50.0, Some(100.0), Some(110.0)), (100.0, None, Some(300.0))]).unwrap();
        assert!(svg.contains("p95"));
        assert!(matches!(throughput(&[], None), Err(ChartError::NoData(_))));
        assert!(matches!(latency(&[]), Err(ChartError::NoData(_))));
    }
}

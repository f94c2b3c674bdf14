//! The response-time distribution: the fraction of requests at or below each response time,
//! rebuilt from Locust's percentile columns (min, 50 % … 100 %), on a logarithmic time axis.

use plotters::prelude::*;

use super::{
    distinct_labels, font, header, palette, plottable, render_svg, ChartError, EndpointPalette,
    Key, LOG_AXIS_MIN, TEXT_PX, WIDTH,
};
use crate::report::context::CdfCurve;

/// The chart's title.
pub const TITLE: &str = "Response-time distribution (from the percentile columns)";
/// Longest legend label, in characters.
const LABEL_CHARS: usize = 40;

/// One curve to draw.
pub(crate) struct Curve<'a> {
    /// The legend entry.
    pub label: String,
    /// `(ms, fraction at or below)` points.
    pub points: &'a [(f64, f64)],
    /// Its colour.
    pub color: RGBColor,
    /// Stroke width.
    pub width: u32,
}

/// The run section's chart: Aggregated in black and thicker, each endpoint in its colour on
/// the page.
pub fn chart(curves: &[CdfCurve], colors: &EndpointPalette) -> Result<String, ChartError> {
    let names: Vec<&str> = curves.iter().map(|c| c.label.as_str()).collect();
    let labels = distinct_labels(&names, LABEL_CHARS);
    let lines = curves
        .iter()
        .zip(labels)
        .map(|(c, label)| Curve {
            width: if c.label == crate::model::AGGREGATED_NAME {
                3
            } else {
                2
            },
            color: colors.color(&c.label),
            label,
            points: &c.points,
        })
        .collect();
    draw(TITLE, (WIDTH, 400), lines)
}

/// Draws `curves` on a logarithmic time axis with the legend above the plot.
pub(crate) fn draw(
    title: &str,
    size: (u32, u32),
    curves: Vec<Curve<'_>>,
) -> Result<String, ChartError> {
    let xs = || curves.iter().flat_map(|c| c.points.iter().map(|p| p.0));
    let lo = xs().filter(|x| *x > 0.0).fold(f64::INFINITY, f64::min);
    let hi = xs().fold(0.0_f64, f64::max);
    if hi <= 0.0 {
        return Err(ChartError::NoData(title.to_string()));
    }
    let (lo, hi) = log_range(lo, hi);
    let on_axis = |x: f64| plottable(x).max(LOG_AXIS_MIN);
    let legend: Vec<Key> = curves
        .iter()
        .map(|c| Key::line(c.label.as_str(), c.color, c.width, false))
        .collect();
    render_svg(title, size, |root| {
        let top = header(root, title, &legend, 8 + 66)?;
        let mut ctx = ChartBuilder::on(root)
            .margin(8)
            .margin_top(top)
            .margin_right(20)
            .x_label_area_size(46)
            .y_label_area_size(66)
            .build_cartesian_2d(
                (lo..hi).log_scale().with_key_points(log_ticks(lo, hi)),
                0.0..1.0,
            )?;
        let x_fmt = |v: &f64| super::tick(*v);
        let y_fmt = |v: &f64| format!("{:.0}%", v * 100.0);
        ctx.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GRID)
            .axis_style(palette::AXIS)
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc("response time (ms, logarithmic)")
            .y_desc("requests at or below")
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(TEXT_PX))
            .draw()?;
        for curve in &curves {
            ctx.draw_series(LineSeries::new(
                curve.points.iter().map(|&(x, y)| (on_axis(x), y)),
                curve.color.stroke_width(curve.width),
            ))?;
        }
        Ok(())
    })
}

/// Tick positions for a logarithmic axis from `lo` to `hi`: 1, 2, 5 times the powers of ten
/// inside it, then 1, 2, 3, 5, then every digit, until there are at least three (a narrow
/// range such as 60–320 ms otherwise shows the single tick 100).
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let within = |mantissas: &[f64]| -> Vec<f64> {
        let first = lo.log10().floor() as i32;
        let last = hi.log10().ceil() as i32;
        (first..=last)
            .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|t| (lo..=hi).contains(t))
            .collect()
    };
    for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 5.0][..]] {
        let ticks = within(mantissas);
        if ticks.len() >= 3 {
            return ticks;
        }
    }
    let ticks = within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    if ticks.len() >= 3 {
        return ticks;
    }
    // Less than a decade wide: a round step, 1, 2 or 5 times a power of ten.
    let rough = (hi - lo) / 4.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The logarithmic axis for data from `lo` to `hi` (both positive): a little room on both
/// sides, at least a factor of 2 wide, and within `[0.8 · LOG_AXIS_MIN, 2.5 · AXIS_LIMIT]` so
/// that its ends and their ratio are finite (plotters counts its ticks from that ratio, and an
/// infinite end made the count, and its loop, endless).
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = plottable(lo).max(LOG_AXIS_MIN);
    let hi = plottable(hi).max(lo);
    (lo * 0.8, (hi * 1.25).max(lo * 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_round_and_never_too_few() {
        assert_eq!(
            log_ticks(8.0, 1250.0),
            [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        );
        assert_eq!(log_ticks(60.0, 320.0), [100.0, 200.0, 300.0]);
        // Inside one decade: evenly spaced round values instead.
        assert_eq!(log_ticks(110.0, 190.0), [120.0, 140.0, 160.0, 180.0]);
        // The widest axis stays a handful of ticks a decade.
        assert!(log_ticks(0.08, 2.5e7).len() < 30);
    }

    #[test]
    fn axis_is_finite_and_bounded_for_any_positive_data() {
        for (lo, hi) in [
            (9e307, 9e307),
            (f64::MAX, f64::MAX),
            (1.0, f64::INFINITY),
            (5e-324, 1e308),
            (5e-324, f64::MAX),
            (2.0, 3.0),
        ] {
            let (a, b) = log_range(lo, hi);
            assert!(
                a > 0.0 && b.is_finite() && b >= 2.0 * a * 0.8,
                "{lo:e} {hi:e}: {a:e} {b:e}"
            );
            assert!((b / a).is_finite(), "{lo:e} {hi:e}: {a:e} {b:e}");
        }
        assert_eq!(log_range(10.0, 100.0), (8.0, 125.0));
    }

    #[test]
    fn draws_huge_response_times() {
        let curve = CdfCurve {
            label: "Aggregated".to_string(),
            points: vec![(9e307, 0.0), (1.7e308, 0.5), (f64::MAX, 1.0)],
        };
        let svg = chart(&[curve], &EndpointPalette::default()).unwrap();
        assert!(svg.contains("<svg"));
    }
}

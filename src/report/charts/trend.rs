//! A metric across archived runs (`history --format html`): one point per run, oldest first,
//! joined by a line in the endpoint's colour, with each change point marked by a dashed
//! vertical line and a larger dot in the verdict colour.

use plotters::prelude::*;

use super::{font, header, palette, plottable, render_svg, tick, ChartError, Key, TEXT_PX, WIDTH};

/// What the trend chart draws.
pub struct Trend<'a> {
    /// The chart's title.
    pub title: &'a str,
    /// The y axis description, with its unit.
    pub y_desc: &'a str,
    /// One value per run, oldest first (`None`: the run has none; the line skips it).
    pub values: &'a [Option<f64>],
    /// Positions in `values` of the change points (the first run at the new level).
    pub changes: &'a [usize],
    /// The line's colour (the endpoint's).
    pub color: RGBColor,
    /// Values are fractions, labelled as percentages.
    pub percent: bool,
}

/// Draws the trend, run number (1-based) on x.
pub fn chart(t: &Trend<'_>) -> Result<String, ChartError> {
    let points: Vec<(f64, f64)> = t
        .values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| ((i + 1) as f64, plottable(v))))
        .collect();
    let changes: Vec<(f64, f64)> = t
        .changes
        .iter()
        .filter_map(|&i| Some(((i + 1) as f64, plottable((*t.values.get(i)?)?))))
        .collect();
    let hi = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let lo = points.iter().map(|p| p.1).fold(0.0_f64, f64::min);
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.05).max(1e-9);
    let y_range = lo - if lo < 0.0 { pad } else { 0.0 }..hi + pad;
    let x_range = 0.5..(t.values.len().max(1) as f64 + 0.5);
    let runs = t.values.len();
    let legend = [
        Key::line("value per run", t.color, 2, false),
        Key::line(
            "change point (first run at the new level)",
            palette::BAD,
            2,
            true,
        ),
    ];
    let percent = t.percent;
    render_svg(t.title, (WIDTH, 380), |root| {
        let top = header(root, t.title, &legend, 8 + 76)?;
        let mut ctx = ChartBuilder::on(root)
            .margin(8)
            .margin_top(top)
            .margin_right(20)
            .x_label_area_size(46)
            .y_label_area_size(76)
            .build_cartesian_2d(x_range, y_range.clone())?;
        let x_fmt = |x: &f64| format!("{x:.0}");
        let y_fmt = |v: &f64| {
            if percent {
                format!("{}%", tick(*v * 100.0))
            } else {
                tick(*v)
            }
        };
        ctx.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GRID)
            .axis_style(palette::AXIS)
            .x_labels(runs.clamp(2, 12))
            .y_labels(6)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc("archived run (oldest first)")
            .y_desc(t.y_desc)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(TEXT_PX))
            .draw()?;
        for &(x, _) in &changes {
            ctx.draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                vec![(x - 0.5, y_range.start), (x - 0.5, y_range.end)],
                6,
                4,
                palette::BAD.stroke_width(2),
            )))?;
        }
        ctx.draw_series(LineSeries::new(
            points.iter().copied(),
            t.color.stroke_width(2),
        ))?;
        ctx.draw_series(points.iter().map(|&p| Circle::new(p, 3, t.color.filled())))?;
        ctx.draw_series(
            changes
                .iter()
                .map(|&p| Circle::new(p, 6, palette::BAD.filled())),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_gaps_changes_and_huge_values() {
        let values = [Some(1.0), None, Some(f64::MAX), Some(2.0)];
        let svg = chart(&Trend {
            title: "p95",
            y_desc: "p95 (ms)",
            values: &values,
            changes: &[2, 9],
            color: palette::ORANGE,
            percent: false,
        })
        .unwrap();
        assert!(svg.contains("<svg") && svg.contains("archived run"));
    }
}

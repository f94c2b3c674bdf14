//! Baseline vs latest, two bars per endpoint: the baseline in grey, the latest in blue (or
//! vermillion when the endpoint regressed, green when it improved).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::percentile_bars::LABEL_CHARS;
use super::{
    bar_frame, distinct_labels, font, headroom, palette, plottable, render_svg, tick, ChartError,
    Key, SMALL_PX, TEXT_PX, WIDTH,
};
use crate::report::context::PairBar;

/// The legend: what the bar colours mean.
fn legend() -> [Key; 4] {
    [
        Key::boxed("baseline", palette::GREY),
        Key::boxed("latest", palette::BAR),
        Key::boxed("latest, endpoint regressed", palette::BAD),
        Key::boxed("latest, endpoint improved", palette::GOOD),
    ]
}
/// Pixels per endpoint (two bars).
const ROW: u32 = 40;

/// Pairs of bars (first pair at the top) against a value axis in ms.
pub fn chart(title: &str, x_desc: &str, bars: &[PairBar]) -> Result<String, ChartError> {
    if bars.is_empty() {
        return Err(ChartError::NoData(title.to_string()));
    }
    let n = bars.len();
    let largest = bars
        .iter()
        .flat_map(|b| [b.baseline, b.latest])
        .flatten()
        .fold(0.0, f64::max);
    let x_max = headroom(largest) * 1.08;
    let height = 120 + ROW * n as u32;
    render_svg(title, (WIDTH, height), |root| {
        let mut ctx = bar_frame(root, title, &legend(), x_desc, n, x_max)?;
        let top = |i: usize| (n - i) as f64;
        let latest_color = |verdict: &str| match verdict {
            "regressed" => palette::BAD,
            "improved" => palette::GOOD,
            _ => palette::BAR,
        };
        ctx.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            let v = b.baseline?;
            Some(Rectangle::new(
                [(0.0, top(i) - 0.48), (plottable(v), top(i) - 0.12)],
                palette::GREY.filled(),
            ))
        }))?;
        ctx.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            let v = b.latest?;
            Some(Rectangle::new(
                [(0.0, top(i) - 0.88), (plottable(v), top(i) - 0.52)],
                latest_color(b.verdict).filled(),
            ))
        }))?;
        let value_style = font(SMALL_PX).pos(Pos::new(HPos::Left, VPos::Center));
        let values = bars.iter().enumerate().flat_map(|(i, b)| {
            let baseline = b.baseline.map(|v| (v, top(i) - 0.3));
            let latest = b.latest.map(|v| (v, top(i) - 0.7));
            [baseline, latest].into_iter().flatten()
        });
        ctx.draw_series(values.map(|(v, y)| {
            Text::new(
                format!(" {} ms", tick(v)),
                (plottable(v), y),
                value_style.clone(),
            )
        }))?;
        let name_style = font(TEXT_PX).pos(Pos::new(HPos::Right, VPos::Center));
        let names: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
        for (i, label) in distinct_labels(&names, LABEL_CHARS).into_iter().enumerate() {
            let (x, y) = ctx.backend_coord(&(0.0, top(i) - 0.5));
            root.draw(&Text::new(label, (x - 8, y), name_style.clone()))?;
        }
        Ok(())
    })
}

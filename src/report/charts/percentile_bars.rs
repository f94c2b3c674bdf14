//! One horizontal bar per endpoint: a response-time percentile (p95 in the report), slowest
//! at the top, endpoint names shortened with an ellipsis so they never overlap.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    bar_frame, distinct_labels, font, headroom, palette, plottable, render_svg, tick, ChartError,
    SMALL_PX, TEXT_PX, WIDTH,
};
use crate::report::context::Bar;

/// Longest endpoint label, in characters.
pub(crate) const LABEL_CHARS: usize = 38;
/// Pixels per bar.
const ROW: u32 = 28;

/// Bars of `bars` (in the order given, first at the top) against a value axis in ms.
pub fn chart(title: &str, x_desc: &str, bars: &[Bar]) -> Result<String, ChartError> {
    if bars.is_empty() {
        return Err(ChartError::NoData(title.to_string()));
    }
    let n = bars.len();
    let x_max = headroom(bars.iter().map(|b| b.value).fold(0.0, f64::max)) * 1.08;
    let height = 100 + ROW * n as u32;
    render_svg(title, (WIDTH, height), |root| {
        let mut ctx = bar_frame(root, title, &[], x_desc, n, x_max)?;
        // The first bar sits at the top: bar i spans [n-i-1, n-i].
        let top = |i: usize| (n - i) as f64;
        ctx.draw_series(bars.iter().enumerate().map(|(i, b)| {
            Rectangle::new(
                [(0.0, top(i) - 0.82), (plottable(b.value), top(i) - 0.18)],
                palette::BAR.filled(),
            )
        }))?;
        let value_style = font(SMALL_PX).pos(Pos::new(HPos::Left, VPos::Center));
        ctx.draw_series(bars.iter().enumerate().map(|(i, b)| {
            Text::new(
                format!(" {} ms", tick(b.value)),
                (plottable(b.value), top(i) - 0.5),
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

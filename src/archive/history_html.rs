//! `perfreport history --format html`: a small self-contained page with the trend as an inline
//! SVG chart (plotters, SVG backend only) and the change points marked. Every piece of text
//! that came from a user or a run (labels, endpoint names) is HTML-escaped by
//! [`crate::report::escape::html`].

use plotters::prelude::{
    ChartBuilder, Circle, IntoDrawingArea, LineSeries, PathElement, SVGBackend, ShapeStyle, BLACK,
    BLUE, RED, WHITE,
};

use super::history::{describe, History};
use super::ArchiveError;
use crate::report::charts::plottable;
use crate::report::escape::html as escape;
use crate::time;

/// The trend chart as an SVG document: run number on x, the metric on y, change points in red
/// with a dashed line at each. Values are clamped as the report's charts clamp them
/// ([`plottable`]), so the axis range is finite however large they are.
pub fn chart_svg(h: &History) -> Result<String, ArchiveError> {
    let err = |e: &dyn std::fmt::Display| ArchiveError::Chart(e.to_string());
    let points: Vec<(f64, f64)> = h
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.value.map(|v| ((i + 1) as f64, plottable(v))))
        .collect();
    let changes: Vec<(f64, f64)> = h
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.change.is_some())
        .filter_map(|(i, p)| p.value.map(|v| ((i + 1) as f64, plottable(v))))
        .collect();
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.05).max(1e-9);
    let y_range = (lo - pad).min(if lo >= 0.0 { 0.0 } else { lo - pad })..(hi + pad);
    let x_range = 0.5..(h.points.len().max(1) as f64 + 0.5);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(x_range, y_range.clone())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("archived run (oldest first)")
            .y_desc(h.metric.name())
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .map_err(|e| err(&e))?;
        for &(x, _) in &changes {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.5, y_range.start), (x - 0.5, y_range.end)],
                    ShapeStyle::from(&RED).stroke_width(1),
                )))
                .map_err(|e| err(&e))?;
        }
        chart
            .draw_series(LineSeries::new(points.iter().copied(), &BLUE))
            .map_err(|e| err(&e))?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 2, ShapeStyle::from(&BLACK).filled())),
            )
            .map_err(|e| err(&e))?;
        chart
            .draw_series(
                changes
                    .iter()
                    .map(|&p| Circle::new(p, 5, ShapeStyle::from(&RED).filled())),
            )
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// The whole page.
pub fn page(h: &History) -> Result<String, ArchiveError> {
    let svg = chart_svg(h)?;
    let title = escape(&format!(
        "{} of {} across archived runs",
        h.metric.name(),
        h.endpoint
    ));
    let mut changes = String::new();
    for (p, c) in h.changes() {
        changes.push_str(&format!(
            "<li><strong>{}</strong> ({}): {}</li>\n",
            escape(&p.label),
            escape(&p.run_id),
            escape(&describe(h.metric, c))
        ));
    }
    if changes.is_empty() {
        changes.push_str("<li>none</li>\n");
    }
    let mut rows = String::new();
    for (i, p) in h.points.iter().enumerate() {
        let value = p
            .value
            .map_or_else(|| "-".to_string(), |v| h.metric.show(v));
        let change = p
            .change
            .as_ref()
            .map_or_else(String::new, |c| describe(h.metric, c));
        let class = if p.change.is_some() {
            " class=\"cp\""
        } else {
            ""
        };
        rows.push_str(&format!(
            "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            i + 1,
            escape(&p.run_id),
            escape(&p.label),
            escape(&time::short(p.archived_at_ms)),
            escape(&value),
            escape(&change)
        ));
    }
    Ok(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; }}
td, th {{ padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.cp td {{ background: #fde8e8; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Change points (E-divisive means with Student's t-test, as Apache Otava finds them) are the runs where the level stepped; they are red in the chart.</p>
{search_note}
<figure>
{svg}
</figure>
<h2>Change points</h2>
<ul>
{changes}</ul>
<h2>Runs</h2>
<table>
<thead><tr><th>#</th><th>Run</th><th>Label</th><th>Archived (UTC)</th><th>{metric}</th><th>Change point</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"#,
        metric = escape(h.metric.name()),
        search_note = h
            .change_point_search
            .note
            .as_ref()
            .map_or_else(String::new, |n| format!("<p>{}.</p>\n", escape(n))),
    ))
}

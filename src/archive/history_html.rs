//! `perfreport history --format html`: the trend of a metric across archived runs, rendered from
//! `templates/history.html.j2` with the report's stylesheet, and its chart drawn by the
//! report's chart module ([`crate::report::charts::trend`]) in the report's style. Every name
//! from a user or a run (labels, endpoint names, run ids) is text: the template auto-escapes,
//! and the chart's labels are escaped by plotters and [`crate::report::escape`].

use serde::Serialize;

use super::history::{describe, heading, table, History};
use super::ArchiveError;
use crate::metric::Metric;
use crate::report::charts::{trend, EndpointPalette};
use crate::report::context::HtmlTable;
use crate::report::html::{render_page, STYLE};

/// The page template.
const TEMPLATE: &str = include_str!("../../templates/history.html.j2");
/// Its name; the `.html.j2` ending turns auto-escaping on.
const TEMPLATE_NAME: &str = "history.html.j2";

/// One change point in the list under the chart.
#[derive(Debug, Serialize)]
struct ChangeItem {
    label: String,
    run_id: String,
    text: String,
}

/// What the template receives.
#[derive(Debug, Serialize)]
struct Page {
    title: String,
    version: &'static str,
    style: &'static str,
    heading: String,
    search_note: Option<String>,
    chart: String,
    changes: Vec<ChangeItem>,
    runs: HtmlTable,
    change_rows: Vec<bool>,
}

/// The y axis description of a metric, with its unit.
fn axis(metric: Metric) -> String {
    match metric {
        Metric::Rps => "requests per second".to_string(),
        Metric::FailureRate => "failed requests (%)".to_string(),
        Metric::Requests => "requests".to_string(),
        m => format!("{} response time (ms)", m.name()),
    }
}

/// The trend chart as an SVG document.
pub fn chart_svg(h: &History) -> Result<String, ArchiveError> {
    let values: Vec<Option<f64>> = h.points.iter().map(|p| p.value).collect();
    let changes: Vec<usize> = h.change_points.iter().map(|c| c.index).collect();
    let mut colors = EndpointPalette::default();
    colors.add([h.endpoint.as_str()]);
    let title = format!("{} of {} per archived run", h.metric.name(), h.endpoint);
    trend::chart(&trend::Trend {
        title: &title,
        y_desc: &axis(h.metric),
        values: &values,
        changes: &changes,
        color: colors.color(&h.endpoint),
        percent: h.metric == Metric::FailureRate,
    })
    .map_err(|e| ArchiveError::Chart(e.to_string()))
}

/// The whole page.
pub fn page(h: &History) -> Result<String, ArchiveError> {
    let page = Page {
        title: format!("{} of {} across archived runs", h.metric.name(), h.endpoint),
        version: env!("CARGO_PKG_VERSION"),
        style: STYLE,
        heading: heading(h),
        search_note: h.change_point_search.note.clone(),
        chart: chart_svg(h)?,
        changes: h
            .changes()
            .map(|(p, c)| ChangeItem {
                label: p.label.clone(),
                run_id: p.run_id.clone(),
                text: describe(h.metric, c),
            })
            .collect(),
        runs: HtmlTable::from_table(&table(h), None),
        change_rows: h.points.iter().map(|p| p.change.is_some()).collect(),
    };
    render_page(TEMPLATE_NAME, TEMPLATE, &page).map_err(|e| ArchiveError::Chart(format!("{e:#}")))
}

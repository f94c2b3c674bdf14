//! The sign-off report as one self-contained HTML page (`signoff.html`): the verdict banner,
//! the plan's tables filled in, a chart of P95 per tier, the checklists and every check.
//!
//! It lays out the same [`SignoffReport`] the Markdown and JSON files hold, with the report
//! module's stylesheet and chart code: CSS and SVG inline, no JavaScript, nothing fetched. The
//! template (`templates/signoff.html.j2`) is compiled into the binary with auto-escaping on,
//! so endpoint, tier and error text from runs and SLA files is shown as text; only the chart
//! (labels escaped by plotters) and the stylesheet are marked safe.

use serde::Serialize;

use super::context::{Checklist, SignoffReport, VerdictStatus};
use super::tables;
use crate::report::charts::percentile_bars;
use crate::report::checks;
use crate::report::context::{Bar, HtmlTable};
use crate::report::html::{render_page, HtmlError, STYLE};
use crate::report::table::Table;

/// The page template.
const TEMPLATE: &str = include_str!("../../templates/signoff.html.j2");
/// The template's name; its `.html.j2` ending turns HTML auto-escaping on.
const TEMPLATE_NAME: &str = "signoff.html.j2";

/// A checklist, and whether the resource table and health check go with it.
#[derive(Serialize)]
struct ChecklistView<'a> {
    list: &'a Checklist,
    with_resources: bool,
}

/// One tier's SLA checks, as `perfreport check` prints them.
#[derive(Serialize)]
struct TierChecks {
    name: String,
    verdict_line: String,
    table: HtmlTable,
}

/// What the template receives: the report and what is laid out from it.
#[derive(Serialize)]
struct Page<'a> {
    r: &'a SignoffReport,
    style: &'static str,
    banner: &'static str,
    tone: &'static str,
    facts: Vec<(&'static str, String)>,
    tier_runs: Table,
    p95_chart: Option<String>,
    checklists: Vec<ChecklistView<'a>>,
    checks: Vec<TierChecks>,
}

/// Renders the whole sign-off report.
pub fn render(r: &SignoffReport) -> Result<String, HtmlError> {
    let (banner, tone) = match r.verdict.status {
        VerdictStatus::Ready => ("✓ Ready for production", "good"),
        VerdictStatus::NotReady => ("✗ Not ready for production", "bad"),
        VerdictStatus::Incomplete => ("Not a full sign-off", "note"),
    };
    let page = Page {
        r,
        style: STYLE,
        banner,
        tone,
        facts: tables::facts(r),
        tier_runs: tables::tier_runs(&r.tiers),
        p95_chart: p95_chart(r)?,
        checklists: r
            .checklists
            .iter()
            .map(|list| ChecklistView {
                list,
                with_resources: list.title.starts_with("Resource"),
            })
            .collect(),
        checks: r
            .tiers
            .iter()
            .filter_map(|t| {
                t.checks.as_ref().map(|c| TierChecks {
                    name: t.name.clone(),
                    verdict_line: checks::verdict_line(c),
                    table: HtmlTable::from_table(&checks::checks(c), None),
                })
            })
            .collect(),
    };
    Ok(render_page(TEMPLATE_NAME, TEMPLATE, &page)?)
}

/// Bars of the Aggregated P95 of every tier that ran, in tier order; `None` when none did.
fn p95_chart(r: &SignoffReport) -> Result<Option<String>, HtmlError> {
    let bars: Vec<Bar> = r
        .tiers
        .iter()
        .filter_map(|t| {
            Some(Bar {
                label: t.name.clone(),
                value: t.measured.as_ref()?.p95_ms?,
            })
        })
        .collect();
    if bars.is_empty() {
        return Ok(None);
    }
    Ok(Some(percentile_bars::chart(
        "P95 response time per tier (all requests)",
        "p95 response time (ms)",
        &bars,
    )?))
}

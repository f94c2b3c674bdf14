//! `perfreport capacity`'s output: one table of the stages (text, Markdown, HTML) with the knee
//! under it, the JSON of the [`CapacityReport`], and the HTML page with the two charts.

use serde::Serialize;

use super::{CapacityReport, Stage};
use crate::report::charts::capacity as charts;
use crate::report::context::HtmlTable;
use crate::report::html::{render_page, HtmlError, STYLE};
use crate::report::table::{Align, Cell, Table, Tone};
use crate::report::{escape, Format, ReportError};

/// The page template.
const TEMPLATE: &str = include_str!("../../templates/capacity.html.j2");
/// The template's name; its `.html.j2` ending turns HTML auto-escaping on.
const TEMPLATE_NAME: &str = "capacity.html.j2";

/// The report in `format`; `color` for a terminal.
pub fn render(report: &CapacityReport, format: Format, color: bool) -> Result<String, ReportError> {
    Ok(match format {
        Format::Table => {
            let mut out = stages_table(report).to_text(color);
            out.push('\n');
            for line in findings(report) {
                out.push_str(&escape::terminal(&line));
                out.push('\n');
            }
            out
        }
        Format::Markdown => {
            let mut out = format!("## Capacity of {}\n\n", escape::markdown_code(&report.host));
            out.push_str(&stages_table(report).to_markdown());
            out.push('\n');
            for line in findings(report) {
                out.push_str(&format!("- {}\n", escape::markdown(&line)));
            }
            out
        }
        Format::Json => serde_json::to_string_pretty(report).map_err(ReportError::Json)? + "\n",
    })
}

/// One row per stage.
fn stages_table(report: &CapacityReport) -> Table {
    let mut headers = vec![
        ("Users", Align::Right),
        ("Requests", Align::Right),
        ("rps", Align::Right),
        ("Gain", Align::Right),
        ("p50 ms", Align::Right),
        ("p95 ms", Align::Right),
        ("Failures", Align::Right),
    ];
    if report.sla.is_some() {
        headers.push(("SLA", Align::Left));
    }
    let mut table = Table::new(&headers);
    let knee = report.saturation.map(|p| p.users);
    for s in &report.stages {
        let mut row: Vec<Cell> = vec![
            if Some(s.users) == knee {
                Cell::toned(format!("{} (knee)", s.users), Tone::Strong)
            } else {
                s.users.to_string().into()
            },
            s.requests.to_string().into(),
            format!("{:.1}", s.rps).into(),
            gain_cell(s),
            ms(s.p50_ms).into(),
            ms(s.p95_ms).into(),
            format!("{:.2}%", s.failure_rate * 100.0).into(),
        ];
        if report.sla.is_some() {
            row.push(match s.sla_passed {
                Some(true) => Cell::toned("passed", Tone::Good),
                Some(false) => Cell::toned("FAILED", Tone::Bad),
                None => "-".into(),
            });
        }
        table.row(row);
    }
    table
}

/// One stage as the progress line shows it: `20 users: 198.3 req/s, p95 210 ms, SLA passed`.
pub fn progress_line(s: &Stage) -> String {
    let sla = match s.sla_passed {
        Some(true) => ", SLA passed",
        Some(false) => ", SLA FAILED",
        None => "",
    };
    format!(
        "{} users: {:.1} req/s, p95 {} ms, {:.2}% failed{sla}",
        s.users,
        s.rps,
        ms(s.p95_ms),
        s.failure_rate * 100.0
    )
}

fn gain_cell(s: &Stage) -> Cell {
    match s.gain_share {
        Some(g) if g < super::knee::MIN_GAIN => {
            Cell::toned(format!("{:.0}%", g * 100.0), Tone::Note)
        }
        Some(g) => format!("{:.0}%", g * 100.0).into(),
        None => "-".into(),
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.0}"))
}

/// The knee in sentences: saturation, maximum sustainable load, why it stopped, warnings.
pub fn findings(report: &CapacityReport) -> Vec<String> {
    let mut lines = Vec::new();
    lines.push(match report.saturation {
        Some(p) => format!(
            "Saturation: {} users, {:.1} req/s (the next step bought less than {:.0} % of the \
             proportional gain)",
            p.users,
            p.rps,
            report.min_gain_share * 100.0
        ),
        None => "Saturation: not reached (throughput grew at every step)".into(),
    });
    match report.max_sustainable {
        Some(Some(p)) => lines.push(format!(
            "Max sustainable: {} users, {:.1} req/s (the last stage meeting {})",
            p.users,
            p.rps,
            report.sla.as_deref().unwrap_or("the SLA")
        )),
        Some(None) => lines.push("Max sustainable: none (the first stage failed the SLA)".into()),
        None => {}
    }
    lines.push(format!("Stopped: {}", report.stopped_reason));
    for s in report.stages.iter().filter(|s| !s.failed_checks.is_empty()) {
        lines.push(format!(
            "Failed at {} users: {}",
            s.users,
            s.failed_checks.join("; ")
        ));
    }
    let busy: Vec<String> = report
        .stages
        .iter()
        .filter(|s| s.generator_saturated)
        .map(|s| s.users.to_string())
        .collect();
    if !busy.is_empty() {
        lines.push(format!(
            "WARNING: the load generator was saturated at {} users: those latencies include \
             client-side delay, and a knee there may be the generator's",
            busy.join(", ")
        ));
    }
    lines
}

/// What the page template receives.
#[derive(Serialize)]
struct Page<'a> {
    r: &'a CapacityReport,
    style: &'static str,
    version: &'static str,
    stages_table: HtmlTable,
    findings: Vec<String>,
    charts: Vec<String>,
}

/// The HTML page: the stages, the knee and the two charts.
pub fn html(report: &CapacityReport) -> Result<String, HtmlError> {
    let mut drawn = Vec::new();
    if !report.stages.is_empty() {
        let points: Vec<(f64, f64)> = report
            .stages
            .iter()
            .map(|s| (s.users as f64, s.rps))
            .collect();
        let knee = report.saturation.map(|p| (p.users as f64, p.rps));
        drawn.push(charts::throughput(&points, knee)?);
        let latency: Vec<(f64, Option<f64>, Option<f64>)> = report
            .stages
            .iter()
            .map(|s| (s.rps, s.p50_ms, s.p95_ms))
            .collect();
        drawn.push(charts::latency(&latency)?);
    }
    let page = Page {
        r: report,
        style: STYLE,
        version: env!("CARGO_PKG_VERSION"),
        stages_table: HtmlTable::from_table(&stages_table(report), None),
        findings: findings(report),
        charts: drawn,
    };
    Ok(render_page(TEMPLATE_NAME, TEMPLATE, &page)?)
}

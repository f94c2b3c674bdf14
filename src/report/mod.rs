//! Rendering: one module per output format, all fed the same precomputed structures
//! ([`crate::summary::RunSummary`], [`crate::compare::Comparison`],
//! [`crate::sla::CheckReport`]).

pub mod apdex;
pub mod charts;
pub mod checks;
pub mod context;
pub mod escape;
pub mod format;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod stage_tables;
pub mod table;
pub mod tables;
pub mod terminal;

use crate::compare::Comparison;
use crate::sla::CheckReport;
use crate::summary::RunSummary;

/// An output format for `summary` and `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text tables (colour on a terminal, never with NO_COLOR).
    Table,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
    /// JSON, for machines.
    Json,
}

/// Rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Serialising to JSON failed.
    #[error("could not write JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// Drawing a chart or filling the HTML template failed.
    #[error(transparent)]
    Html(#[from] html::HtmlError),
}

/// Renders one or several run summaries.
pub fn render_summaries(
    summaries: &[RunSummary],
    format: Format,
    color: bool,
) -> Result<String, ReportError> {
    match format {
        Format::Json => json::to_json(summaries),
        Format::Table => Ok(summaries
            .iter()
            .map(|s| terminal::summary(s, color))
            .collect::<Vec<_>>()
            .join("\n")),
        Format::Markdown => Ok(summaries
            .iter()
            .map(markdown::summary)
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// Renders a comparison.
pub fn render_comparison(
    comparison: &Comparison,
    format: Format,
    color: bool,
) -> Result<String, ReportError> {
    match format {
        Format::Json => json::to_json(comparison),
        Format::Table => Ok(terminal::comparison(comparison, color)),
        Format::Markdown => Ok(markdown::comparison(comparison)),
    }
}

/// An output format for `check`: the text formats plus JUnit XML for CI systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Aligned text table (colour on a terminal, never with NO_COLOR).
    Table,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
    /// JSON: a `passed` boolean and a `checks` array.
    Json,
    /// JUnit XML: one test case per check, for CI test reports.
    Junit,
}

/// Renders an SLA check report.
pub fn render_check(
    report: &CheckReport,
    format: CheckFormat,
    color: bool,
) -> Result<String, ReportError> {
    match format {
        CheckFormat::Json => json::to_json(report),
        CheckFormat::Table => Ok(terminal::check(report, color)),
        CheckFormat::Markdown => Ok(markdown::check(report)),
        CheckFormat::Junit => Ok(junit::check_report(report)),
    }
}

//! Rendering: one module per output format, all fed the same precomputed structures
//! ([`crate::summary::RunSummary`], [`crate::compare::Comparison`]).

pub mod charts;
pub mod context;
pub mod format;
pub mod history;
pub mod html;
pub mod json;
pub mod markdown;
pub mod table;
pub mod tables;
pub mod terminal;

use crate::compare::Comparison;
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

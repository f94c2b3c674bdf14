//! `perfreport history`: one metric across archived runs, with its change points.

use super::archive::warn;
use super::{color_wanted, emit_to};
use crate::archive::changepoint::ChangePointOptions;
use crate::archive::history::{self, heading, resolve_endpoint, table, Followed};
use crate::archive::{heal, history_html};
use crate::cli::archive::HistoryFormat;
use crate::cli::HistoryArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::report::escape;
use crate::report::json::to_json;

/// `perfreport history`.
pub fn history(args: &HistoryArgs) -> Result<Outcome, AppError> {
    if args.min_size < 2 {
        return Err(AppError::Usage("--min-size must be at least 2".to_string()));
    }
    let healed = heal::load(&args.results)?;
    warn(&healed.warnings());
    let rows = healed.rows;
    let endpoint = resolve_endpoint(&rows, &args.endpoint)?;
    let options = ChangePointOptions {
        alpha: args.alpha,
        min_size: args.min_size,
        rounded: args.metric.rounded(),
    };
    let h = history::history(&rows, &endpoint, args.metric, options);
    let text = match args.format {
        HistoryFormat::Json => to_json(&h)?,
        HistoryFormat::Html => history_html::page(&h)?,
        HistoryFormat::Markdown => format!(
            "**{}**\n\n{}",
            escape::markdown(&heading(&h)),
            table(&h).to_markdown()
        ),
        HistoryFormat::Table => format!(
            "{}\n\n{}",
            escape::terminal(&heading(&h)),
            table(&h).to_text(color_wanted(args.output.as_deref(), args.color))
        ),
    };
    emit_to(args.output.as_deref(), &text)?;
    Ok(Outcome::Ok)
}

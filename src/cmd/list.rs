//! `perfreport list`: the archived runs, newest first.

use std::collections::HashMap;

use serde::Serialize;

use super::archive::warn;
use super::{emit, use_color};
use crate::archive::heal;
use crate::archive::index::IndexRow;
use crate::cli::ListArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::report::json::to_json;
use crate::report::table::{Align, Cell, Table};
use crate::report::{escape, format, Format};
use crate::time;

/// One line of `list`.
#[derive(Debug, Serialize)]
struct ListRow<'a> {
    run_id: &'a str,
    label: &'a str,
    archived_at: &'a str,
    note: Option<&'a str>,
    git_commit: Option<&'a str>,
    requests: Option<u64>,
    failure_rate: Option<f64>,
    p95_ms: Option<f64>,
}

/// `perfreport list`: archived runs, newest first.
pub fn list(args: &ListArgs) -> Result<Outcome, AppError> {
    let healed = heal::load(&args.results)?;
    warn(&healed.warnings());
    let indexed: HashMap<&str, &IndexRow> = healed
        .rows
        .iter()
        .filter(|r| r.endpoint == crate::model::AGGREGATED_NAME)
        .map(|r| (r.run_id.as_str(), r))
        .collect();
    let mut rows = Vec::with_capacity(healed.runs.len());
    for run in healed.runs.iter().rev() {
        let aggregated = indexed.get(run.id.as_str());
        rows.push(ListRow {
            run_id: &run.id,
            label: &run.manifest.label,
            archived_at: &run.manifest.archived_at,
            note: run.manifest.note.as_deref(),
            git_commit: run.manifest.git_commit.as_deref(),
            requests: aggregated.map(|a| a.requests),
            failure_rate: aggregated.map(|a| a.failure_rate),
            p95_ms: aggregated.and_then(|a| a.p95_ms),
        });
    }
    let text = match args.output.format {
        Format::Json => to_json(&rows)?,
        Format::Table | Format::Markdown => {
            let mut t = Table::new(&[
                ("Run", Align::Left),
                ("Label", Align::Left),
                ("Archived (UTC)", Align::Left),
                ("Requests", Align::Right),
                ("Failure rate", Align::Right),
                ("p95", Align::Right),
                ("Commit", Align::Left),
            ]);
            for (r, run) in rows.iter().zip(healed.runs.iter().rev()) {
                t.row(vec![
                    Cell::from(r.run_id),
                    Cell::from(r.label),
                    Cell::from(time::short(run.manifest.archived_at_ms)),
                    Cell::from(r.requests.map_or_else(|| "-".into(), |v| v.to_string())),
                    Cell::from(r.failure_rate.map_or_else(|| "-".into(), format::percent)),
                    Cell::from(format::opt_ms(r.p95_ms)),
                    Cell::from(
                        r.git_commit
                            .map_or_else(String::new, |c| c.chars().take(10).collect()),
                    ),
                ]);
            }
            if rows.is_empty() {
                let none = format!("no archived runs in {}", args.results.display());
                if args.output.format == Format::Markdown {
                    format!("{}\n", escape::markdown(&none))
                } else {
                    format!("{}\n", escape::terminal(&none))
                }
            } else if args.output.format == Format::Markdown {
                t.to_markdown()
            } else {
                t.to_text(use_color(&args.output))
            }
        }
    };
    emit(&args.output, &text)?;
    Ok(Outcome::Ok)
}

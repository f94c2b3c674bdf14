//! The archive subcommands: `archive`, `list`, `history`, `verify`. Each returns the
//! [`Outcome`] `main` maps to an exit code; warnings about broken run folders go to standard
//! error and never stop the other runs from being shown. Names, labels and paths are printed
//! through [`crate::report::escape`].

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::args::{ArchiveArgs, HistoryArgs, HistoryFormat, ListArgs, VerifyArgs};
use super::changepoint::ChangePointOptions;
use super::history::{heading, history, resolve_endpoint, table};
use super::index::IndexRow;
use super::store::{self, ArchiveRequest};
use super::{heal, history_html, verify, INDEX_NAME};
use crate::error::{AppError, Outcome};
use crate::report::json::to_json;
use crate::report::table::{Align, Cell, Table};
use crate::report::Format;
use crate::report::{escape, format};
use crate::time;

/// `perfreport archive RUN --label L` and `perfreport archive --reindex`.
pub fn archive(args: &ArchiveArgs) -> Result<Outcome, AppError> {
    if args.reindex {
        return reindex(&args.results);
    }
    let (Some(run), Some(label)) = (&args.run, &args.label) else {
        return Err(AppError::Usage(
            "archive needs a RUN and --label (or --reindex)".to_string(),
        ));
    };
    let run = match super::resolve_run_arg(run, &args.results)?.as_slice() {
        [one] => one.clone(),
        many => {
            return Err(AppError::Usage(format!(
                "{} names {} runs; archive takes one run",
                run.display(),
                many.len()
            )))
        }
    };
    let archived = super::archive_run(&ArchiveRequest {
        run: &run,
        label,
        note: args.note.as_deref(),
        results: &args.results,
    })?;
    println!(
        "archived {} ({} files) as {}",
        escape::terminal(&archived.run_name),
        archived.files,
        escape::terminal_path(&archived.dir)
    );
    warn(&archived.warnings);
    if let Some(e) = archived.index_error {
        return Err(AppError::Usage(format!(
            "the run was archived, but the index could not be updated: {e}; the next `perfreport list` or `history` with --results {} retries",
            args.results.display()
        )));
    }
    Ok(Outcome::Ok)
}

fn reindex(results: &Path) -> Result<Outcome, AppError> {
    if !results.is_dir() {
        return Err(AppError::Usage(format!(
            "{}: no such results folder",
            results.display()
        )));
    }
    let lock = store::lock(results)?;
    let mut healed = heal::sync_locked(results, &lock, heal::Sync::Rebuild)?;
    warn(&healed.warnings());
    if let Some(e) = healed.save_error.take() {
        return Err(e.into());
    }
    let indexed: HashSet<&str> = healed.rows.iter().map(|r| r.run_id.as_str()).collect();
    println!(
        "rebuilt {} ({} runs; {} left out)",
        escape::terminal_path(&results.join(INDEX_NAME)),
        indexed.len(),
        healed.runs.len() - indexed.len()
    );
    Ok(Outcome::Ok)
}

fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("perfreport: warning: {}", escape::terminal(w));
    }
}

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
    let text = match args.format {
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
                if args.format == Format::Markdown {
                    format!("{}\n", escape::markdown(&none))
                } else {
                    format!("{}\n", escape::terminal(&none))
                }
            } else if args.format == Format::Markdown {
                t.to_markdown()
            } else {
                t.to_text(color())
            }
        }
    };
    emit(None, &text)?;
    Ok(Outcome::Ok)
}

/// `perfreport history`.
pub fn history_cmd(args: &HistoryArgs) -> Result<Outcome, AppError> {
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        return Err(AppError::Usage(format!(
            "--alpha {}: expected a level between 0 and 1 like 0.01",
            args.alpha
        )));
    }
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
    let h = history(&rows, &endpoint, args.metric, options);
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
            table(&h).to_text(args.output.is_none() && color())
        ),
    };
    emit(args.output.as_deref(), &text)?;
    Ok(Outcome::Ok)
}

/// `perfreport verify`: exit 1 when anything is missing, changed or extra.
pub fn verify_cmd(args: &VerifyArgs) -> Result<Outcome, AppError> {
    if !args.results.is_dir() {
        return Err(AppError::Usage(format!(
            "{}: no such results folder",
            args.results.display()
        )));
    }
    let report = verify::verify(&args.results)?;
    let text = match args.format {
        Format::Json => to_json(&report)?,
        Format::Table | Format::Markdown => {
            let mut out = String::new();
            for issue in &report.issues {
                out.push_str(&escape::terminal(&issue.to_string()));
                out.push('\n');
            }
            let verdict = if report.issues.is_empty() {
                "OK".to_string()
            } else {
                format!("{} problem(s)", report.issues.len())
            };
            out.push_str(&format!(
                "verified {} runs, {} files: {verdict}\n",
                report.runs, report.files
            ));
            out
        }
    };
    emit(None, &text)?;
    Ok(if report.issues.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

fn color() -> bool {
    crate::commands::color_wanted(None, crate::cli::ColorChoice::Auto)
}

fn emit(output: Option<&Path>, text: &str) -> Result<(), AppError> {
    crate::commands::emit_to(output, text)
}

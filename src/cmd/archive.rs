//! `perfreport archive RUN --label L` and `archive --reindex`. Names, labels and paths are
//! printed through [`crate::report::escape`].

use std::collections::HashSet;
use std::path::Path;

use crate::archive::store::{self, ArchiveRequest};
use crate::archive::{heal, INDEX_NAME};
use crate::cli::ArchiveArgs;
use crate::cmd::error::{AppError, Outcome};
use crate::report::escape;

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
    let run = match crate::archive::resolve_run_arg(run, &args.results)?.as_slice() {
        [one] => one.clone(),
        many => {
            return Err(AppError::Usage(format!(
                "{} names {} runs; archive takes one run",
                run.display(),
                many.len()
            )))
        }
    };
    let archived = crate::archive::archive_run(&ArchiveRequest {
        run: &run,
        label,
        note: args.note.as_deref(),
        results: &args.results,
        allow_duplicate: args.allow_duplicate,
    })?;
    println!(
        "archived {} ({} files) as {}",
        escape::terminal(&archived.run_name),
        archived.files,
        escape::terminal_path(&archived.dir)
    );
    warn(&archived.warnings);
    // The run is safe in its folder; the index is derived from the folders and rebuilt by the
    // next `list` or `history`, so this is a warning, not a failure of the command.
    if let Some(e) = archived.index_error {
        warn(&[format!(
            "the run was archived, but the index could not be updated: {e}; the next \
             `perfreport list` or `history` with --results {} rebuilds it",
            args.results.display()
        )]);
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

/// Prints the archive's warnings about broken run folders; they never stop the other runs.
pub(crate) fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("perfreport: warning: {}", escape::terminal(w));
    }
}

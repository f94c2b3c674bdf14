//! Keeps `index.parquet` in step with the run folders, which are the truth: the index is a
//! cache of what the manifests and stats files say.
//!
//! Every command that uses the index ([`load`]) compares it with the folders: the runs in the
//! index must be exactly the folders with a valid manifest, with the same label, archive time
//! and commit. A run in the index whose folder is gone is dropped; a run folder missing from
//! the index (an `archive` killed between moving the folder in and writing the index, a run
//! copied in by hand) is added, once its files match its manifest's checksums; an index that
//! cannot be read ([`super::index::read`]) is rebuilt. The repaired index is written under the
//! results folder's lock, or only used in memory when the folder cannot be written. A run whose
//! files do not match its manifest is never indexed: it is named in a warning until it is
//! repaired, and `perfreport verify` says what changed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::index::{self, IndexRow};
use super::scan::{scan, ArchivedRun, Problem};
use super::store::{self, ResultsLock};
use super::verify::check_files;
use super::{ArchiveError, INDEX_NAME};
use crate::locust::read_stats;

/// The index as the run folders say it should be.
#[derive(Debug, Default)]
pub struct Healed {
    /// Rows of every indexed run, oldest run first, Aggregated first within a run.
    pub rows: Vec<IndexRow>,
    /// The runs with a valid manifest, oldest first.
    pub runs: Vec<ArchivedRun>,
    /// Folders under results/ that are not usable runs.
    pub problems: Vec<Problem>,
    /// What was repaired, and runs left out of the index and why, one sentence each.
    pub notes: Vec<String>,
    /// Why the repaired index could not be written, when it could not.
    pub save_error: Option<ArchiveError>,
}

impl Healed {
    /// Every warning, for standard error: broken folders, then the index notes.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        out.extend(self.notes.iter().cloned());
        if let Some(e) = &self.save_error {
            out.push(format!("the repaired index could not be saved: {e}"));
        }
        out
    }
}

/// Why [`sync_locked`] is called, so that a difference the caller made is not reported as a
/// repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync<'a> {
    /// Repair whatever disagrees with the run folders.
    Repair,
    /// The same, after archiving the run with this folder name (it is expected to be missing).
    NewRun(&'a str),
    /// Rebuild from scratch (`archive --reindex`).
    Rebuild,
}

/// The index of `results`, repaired first when it is unreadable or disagrees with the run
/// folders. Takes the results folder's lock only when there is something to repair.
pub fn load(results: &Path) -> Result<Healed, ArchiveError> {
    let (mut healed, changed) = reconcile(results, Sync::Repair)?;
    if !changed || !results.is_dir() {
        return Ok(healed);
    }
    match store::lock(results) {
        // Re-read under the lock: an archive may have finished while this waited for it.
        Ok(lock) => sync_locked(results, &lock, Sync::Repair),
        Err(e) => {
            healed.save_error = Some(e);
            Ok(healed)
        }
    }
}

/// [`load`] for a caller holding the lock (`archive`, `archive --reindex`): repairs (or
/// rebuilds) and writes the index, and removes leftovers of killed commands.
pub fn sync_locked(
    results: &Path,
    _lock: &ResultsLock,
    why: Sync<'_>,
) -> Result<Healed, ArchiveError> {
    store::remove_stale_temporaries(results)?;
    let (mut healed, changed) = reconcile(results, why)?;
    if changed {
        healed.save_error = index::write(results, &healed.rows).err();
    }
    Ok(healed)
}

/// The index as it should be, and whether that differs from the file.
fn reconcile(results: &Path, why: Sync<'_>) -> Result<(Healed, bool), ArchiveError> {
    let found = scan(results)?;
    let path = results.join(INDEX_NAME);
    let mut notes = Vec::new();
    let rebuild = why == Sync::Rebuild;
    let new_run = match why {
        Sync::NewRun(id) => Some(id),
        _ => None,
    };
    let only_new = found.runs.iter().all(|r| Some(r.id.as_str()) == new_run);
    let read = if rebuild {
        Ok(Vec::new())
    } else {
        index::read(results)
    };
    let (old, rewrite) = match read {
        Ok(rows) => (rows, rebuild),
        Err(ArchiveError::NoIndex { .. }) if found.runs.is_empty() => (Vec::new(), false),
        Err(ArchiveError::NoIndex { .. }) if only_new => (Vec::new(), true),
        Err(ArchiveError::NoIndex { .. }) => {
            notes.push(format!(
                "{}: missing; rebuilt from the run folders",
                path.display()
            ));
            (Vec::new(), true)
        }
        Err(e) => {
            notes.push(format!("{e}; rebuilt from the run folders"));
            (Vec::new(), true)
        }
    };
    let mut by_run: HashMap<&str, Vec<&IndexRow>> = HashMap::new();
    for row in &old {
        by_run.entry(row.run_id.as_str()).or_default().push(row);
    }
    let mut rows = Vec::with_capacity(old.len());
    let (mut added, mut new_added, mut kept) = (0, false, HashSet::new());
    for run in &found.runs {
        let indexed = by_run.get(run.id.as_str());
        if let Some(indexed) = indexed.filter(|rs| rs.iter().all(|r| same_facts(r, run))) {
            rows.extend(indexed.iter().map(|r| (*r).clone()));
            kept.insert(run.id.as_str());
            continue;
        }
        match rows_from_folder(run) {
            Ok(new) => {
                rows.extend(new);
                if Some(run.id.as_str()) == new_run {
                    new_added = true;
                } else {
                    added += 1;
                }
            }
            Err(reason) => notes.push(format!(
                "{}: left out of the index: {reason}; see `perfreport verify`",
                run.dir.display()
            )),
        }
    }
    let removed = by_run.keys().filter(|id| !kept.contains(*id)).count();
    if added + removed > 0 && !rewrite {
        notes.push(format!(
            "{}: did not match the run folders ({added} run(s) added, {removed} dropped); updated",
            path.display()
        ));
    }
    let changed = rewrite || new_added || added + removed > 0;
    let healed = Healed {
        rows,
        runs: found.runs,
        problems: found.problems,
        notes,
        save_error: None,
    };
    Ok((healed, changed))
}

/// Whether an index row still describes the run its manifest describes.
fn same_facts(row: &IndexRow, run: &ArchivedRun) -> bool {
    row.label == run.manifest.label
        && row.archived_at == run.manifest.archived_at
        && row.archived_at_ms == run.manifest.archived_at_ms
        && row.git_commit == run.manifest.git_commit
}

/// A run's index rows from its stats file, once every file matches the manifest's checksums.
fn rows_from_folder(run: &ArchivedRun) -> Result<Vec<IndexRow>, String> {
    let (_, issues) = check_files(run);
    if !issues.is_empty() {
        let list: Vec<String> = issues.iter().map(ToString::to_string).collect();
        return Err(format!(
            "its files do not match its manifest ({})",
            list.join("; ")
        ));
    }
    let stats = run.dir.join(format!("{}_stats.csv", run.manifest.run_name));
    let (endpoints, aggregated) = read_stats(&stats).map_err(|e| e.to_string())?;
    Ok(index::rows_of(run, &endpoints, &aggregated))
}

//! The run archive: a local, tamper-evident store of every load-test run under `results/`, so
//! the next run has a baseline by name and a trend.
//!
//! Layout of a results folder:
//!
//! ```text
//! results/
//!   20261128T104500Z_v1.5.0/    one archived run: Locust's files as they were, plus
//!     manifest.json             what was archived (schema in [`manifest`])
//!   index.parquet               every run's per-endpoint metrics (see [`index`])
//!   index.parquet.sha256        its checksum, so a damaged index is never parsed
//!   .perfreport.lock            held while an archive command writes
//!   .perfreport-tmp-*/          a run being copied; never visible as a run, removed later
//! ```
//!
//! * [`store`] copies a run in atomically; [`scan`] finds the archived runs (and the broken
//!   ones, without stopping); [`select`] resolves `@latest`, `@previous`, `@label:X`;
//!   [`index`] writes and reads the Parquet index and [`heal`] keeps it in step with the run
//!   folders; [`changepoint`] (with [`edivisive`]) finds where a series steps;
//!   [`history`] and [`history_html`] show a metric across runs; [`verify`] rechecks checksums;
//!   [`args`] and [`commands`] are the subcommands' arguments and bodies; [`time`] formats UTC.

pub mod changepoint;
pub mod edivisive;
pub mod heal;
pub mod history;
pub mod history_html;
pub mod index;
pub mod manifest;
pub mod scan;
pub mod select;
pub mod store;
pub mod verify;

use std::path::PathBuf;

pub use select::{resolve_run_arg, RunResolver};

/// The manifest's file name inside a run folder.
pub const MANIFEST_NAME: &str = "manifest.json";
/// The index's file name inside the results folder.
pub const INDEX_NAME: &str = "index.parquet";
/// The index's checksum file (`sha256sum` format) beside it.
pub const INDEX_SHA256_NAME: &str = "index.parquet.sha256";
/// The lock file's name inside the results folder.
pub const LOCK_NAME: &str = ".perfreport.lock";
/// Names starting with this inside the results folder are work in progress, never runs.
pub const TMP_PREFIX: &str = ".perfreport-tmp-";

/// Why an archive operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The label could escape the run folder or is unusable as a folder name.
    #[error("label `{label}` refused: {reason}")]
    BadLabel {
        /// The label as given (control characters shown escaped).
        label: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A manifest is not what perfreport writes.
    #[error("{}: {reason}", path.display())]
    BadManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The run to archive could not be read.
    #[error(transparent)]
    Locust(#[from] crate::locust::LocustError),
    /// The run argument names no run or several.
    #[error("{}: {reason}", path.display())]
    NotOneRun {
        /// The argument.
        path: PathBuf,
        /// What it names instead.
        reason: String,
    },
    /// A selector (`@latest`, `@previous`, `@label:X`) matches no archived run.
    #[error("{selector}: {reason}")]
    Selector {
        /// The selector as given.
        selector: String,
        /// Why it does not resolve.
        reason: String,
    },
    /// The Parquet index could not be written or read.
    #[error("{}: {message}", path.display())]
    Index {
        /// The index file.
        path: PathBuf,
        /// Polars' message.
        message: String,
    },
    /// The index is missing: nothing archived yet, or it was deleted.
    #[error("{}: no index; archive a run first, or rebuild it with `perfreport archive --reindex --results {}`", path.display(), results.display())]
    NoIndex {
        /// Where the index should be.
        path: PathBuf,
        /// The results folder.
        results: PathBuf,
    },
    /// The run's files are already archived, byte for byte.
    #[error("these files are already archived as {} (identical checksums); pass --allow-duplicate to archive them again", existing.display())]
    Duplicate {
        /// The archived run holding the same files.
        existing: PathBuf,
    },
    /// The history chart could not be drawn.
    #[error("could not draw the history page: {0}")]
    Chart(String),
}

impl ArchiveError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ArchiveError {
        let path = path.into();
        move |source| ArchiveError::Io { path, source }
    }
}

/// What [`archive_run`] did.
#[derive(Debug)]
pub struct ArchivedRun {
    /// The run's folder under the results folder.
    pub dir: PathBuf,
    /// The run's own name (its prefix).
    pub run_name: String,
    /// How many files were copied.
    pub files: usize,
    /// Why the index could not be updated, when it could not: the run is archived all the
    /// same, and the next command that reads the index adds it.
    pub index_error: Option<ArchiveError>,
    /// Warnings met while updating the index (broken run folders, runs left out of it).
    pub warnings: Vec<String>,
}

/// Archives one run (atomically, under the results folder's lock) and brings the index up to
/// date with every run folder, the new one included: what `perfreport archive` does, for
/// other commands (the sign-off archives every tier).
pub fn archive_run(req: &store::ArchiveRequest<'_>) -> Result<ArchivedRun, ArchiveError> {
    let archived = store::archive(req)?;
    let id = archived
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let why = heal::Sync::NewRun(&id);
    let (index_error, warnings) = match heal::sync_locked(req.results, &archived.lock, why) {
        Ok(mut healed) => (healed.save_error.take(), healed.warnings()),
        Err(e) => (Some(e), Vec::new()),
    };
    drop(archived.lock);
    Ok(ArchivedRun {
        dir: archived.dir,
        run_name: archived.manifest.run_name,
        files: archived.manifest.files.len(),
        index_error,
        warnings,
    })
}

//! Finds the archived runs in a results folder, and the folders that are not valid runs,
//! without letting one broken folder hide the others.

use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use super::{ArchiveError, MANIFEST_NAME, TMP_PREFIX};

/// One archived run: its folder and manifest.
#[derive(Debug, Clone)]
pub struct ArchivedRun {
    /// The run folder.
    pub dir: PathBuf,
    /// The folder's name, the run's id (`20261128T104500Z_v1.5.0`).
    pub id: String,
    /// The manifest.
    pub manifest: Manifest,
}

impl ArchivedRun {
    /// The run's Locust prefix inside its folder (`…/perf` for `…/perf_stats.csv`).
    pub fn prefix(&self) -> PathBuf {
        self.dir.join(&self.manifest.run_name)
    }
}

/// A folder under results/ that perfreport archived but cannot use.
#[derive(Debug)]
pub enum Problem {
    /// A run folder whose manifest cannot be used.
    Broken(ArchiveError),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Broken(e) => write!(f, "{e}; skipped"),
        }
    }
}

/// What a results folder holds.
#[derive(Debug, Default)]
pub struct Scan {
    /// Valid runs, oldest first (by archive time, then folder name).
    pub runs: Vec<ArchivedRun>,
    /// Run folders that cannot be used (their manifest is broken).
    pub problems: Vec<Problem>,
    /// Folders perfreport did not make (no manifest: Locust's own `--csv` output, a sign-off,
    /// anything else kept beside the archive). Skipped without a word.
    pub foreign: Vec<PathBuf>,
}

/// Lists the runs in `results`. Files at the top level (the index, the lock, a live Locust
/// run's CSVs) and temporary folders are ignored; a missing results folder holds no runs.
pub fn scan(results: &Path) -> Result<Scan, ArchiveError> {
    let mut out = Scan::default();
    let entries = match std::fs::read_dir(results) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(ArchiveError::io(results)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(ArchiveError::io(results))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let dir = entry.path();
        if name.starts_with(TMP_PREFIX) || name.starts_with('.') || !dir.is_dir() {
            continue;
        }
        let manifest_path = dir.join(MANIFEST_NAME);
        if !manifest_path.exists() {
            out.foreign.push(dir);
            continue;
        }
        match Manifest::read(&manifest_path) {
            Ok(manifest) => out.runs.push(ArchivedRun {
                dir,
                id: name,
                manifest,
            }),
            Err(e) => out.problems.push(Problem::Broken(e)),
        }
    }
    out.runs.sort_by(|a, b| {
        (a.manifest.archived_at_ms, &a.id).cmp(&(b.manifest.archived_at_ms, &b.id))
    });
    Ok(out)
}

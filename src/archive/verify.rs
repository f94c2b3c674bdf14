//! `perfreport verify`: recomputes every archived file's SHA-256 and size and compares them
//! with the manifests, so a changed, missing or added file is found.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::scan::{scan, ArchivedRun, Problem};
use super::store::hash_file;
use super::{ArchiveError, MANIFEST_NAME};

/// Something wrong in the archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Issue {
    /// A file the manifest lists is gone.
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A file's bytes differ from the manifest's checksum or size.
    Changed {
        /// The file.
        path: PathBuf,
        /// The manifest's SHA-256.
        expected_sha256: String,
        /// The file's SHA-256 now.
        actual_sha256: String,
        /// The manifest's size.
        expected_size: u64,
        /// The size now.
        actual_size: u64,
    },
    /// A file in a run folder that the manifest does not list.
    Extra {
        /// The file.
        path: PathBuf,
    },
    /// A file could not be read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// A run folder whose manifest cannot be used.
    BadManifest {
        /// The message.
        error: String,
    },
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Issue::Missing { path } => write!(f, "missing: {}", path.display()),
            Issue::Changed {
                path,
                expected_sha256,
                actual_sha256,
                expected_size,
                actual_size,
            } => write!(
                f,
                "changed: {} (sha256 {actual_sha256}, {actual_size} bytes; manifest says {expected_sha256}, {expected_size} bytes)",
                path.display()
            ),
            Issue::Extra { path } => write!(f, "extra: {} (not in the manifest)", path.display()),
            Issue::Unreadable { path, error } => {
                write!(f, "unreadable: {}: {error}", path.display())
            }
            Issue::BadManifest { error } => write!(f, "bad manifest: {error}"),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Runs whose manifests were read.
    pub runs: usize,
    /// Files whose checksums were recomputed.
    pub files: usize,
    /// What is wrong (empty when all is well).
    pub issues: Vec<Issue>,
    /// Folders skipped because perfreport did not archive them (no manifest).
    pub foreign: Vec<PathBuf>,
}

/// Checks the files a run's manifest lists: how many were hashed, and the missing, changed
/// and unreadable ones (files the manifest does not list are not looked at).
pub fn check_files(run: &ArchivedRun) -> (usize, Vec<Issue>) {
    let mut checked = 0;
    let mut issues = Vec::new();
    for entry in &run.manifest.files {
        let path = run.dir.join(&entry.name);
        if !path.is_file() {
            issues.push(Issue::Missing { path });
            continue;
        }
        checked += 1;
        match hash_file(&path) {
            Ok((sha, size)) if sha == entry.sha256 && size == entry.size => {}
            Ok((sha, size)) => issues.push(Issue::Changed {
                path,
                expected_sha256: entry.sha256.clone(),
                actual_sha256: sha,
                expected_size: entry.size,
                actual_size: size,
            }),
            Err(e) => issues.push(Issue::Unreadable {
                path,
                error: e.to_string(),
            }),
        }
    }
    (checked, issues)
}

/// Checks every run in `results`.
pub fn verify(results: &Path) -> Result<VerifyReport, ArchiveError> {
    let found = scan(results)?;
    let mut report = VerifyReport {
        foreign: found.foreign,
        ..VerifyReport::default()
    };
    for problem in found.problems {
        match problem {
            Problem::Broken(e) => report.issues.push(Issue::BadManifest {
                error: e.to_string(),
            }),
        }
    }
    for run in &found.runs {
        report.runs += 1;
        let (checked, issues) = check_files(run);
        report.files += checked;
        report.issues.extend(issues);
        let listed: HashSet<&str> = run.manifest.files.iter().map(|f| f.name.as_str()).collect();
        let entries = std::fs::read_dir(&run.dir).map_err(ArchiveError::io(&run.dir))?;
        let mut extra = Vec::new();
        for entry in entries {
            let entry = entry.map_err(ArchiveError::io(&run.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != MANIFEST_NAME && !listed.contains(name.as_str()) {
                extra.push(entry.path());
            }
        }
        extra.sort();
        report
            .issues
            .extend(extra.into_iter().map(|path| Issue::Extra { path }));
    }
    Ok(report)
}

//! Turns a command-line argument into the runs it names.
//!
//! Locust's `--csv PREFIX` writes `PREFIX_stats.csv` plus optional siblings
//! (`_stats_history.csv`, `_failures.csv`, `_exceptions.csv`). A user may point at the stats
//! file, at any sibling, at the prefix itself, or at a directory holding one or more runs.
//! Full histograms are attached when present: the embedded driver's `PREFIX_histograms.csv`,
//! or `PREFIX.json` from Locust's `--json-file PREFIX`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::error::{FileKind, LocustError};
use crate::model::RunFiles;

/// The suffix of the one file every run must have.
const STATS_SUFFIX: &str = "_stats.csv";

/// The suffix of Locust's `--json-file PREFIX` output, read for its full histograms.
const JSON_SUFFIX: &str = ".json";

/// Finds the runs an argument names: a `_stats.csv` path, a prefix (`results/perf` →
/// `results/perf_stats.csv`), or a directory (every `*_stats.csv` in it sorted by name — or,
/// when it has none, in its subfolders: one or several runs).
///
/// Sibling files (`_stats_history.csv`, `_failures.csv`, `_exceptions.csv`) are attached when
/// present. A sibling's path (e.g. `perf_failures.csv`) names its run too.
pub fn discover_runs(arg: &Path) -> Result<Vec<RunFiles>, LocustError> {
    if arg.is_dir() {
        return runs_in_dir(arg);
    }
    if arg.is_file() {
        let prefix = prefix_of_file(arg).ok_or_else(|| LocustError::NotStatsFile {
            path: arg.to_owned(),
        })?;
        let stats = with_suffix(&prefix, STATS_SUFFIX);
        if !stats.is_file() {
            return Err(LocustError::NotFound { looked_for: stats });
        }
        return Ok(vec![run_files(&prefix)]);
    }
    let looks_like_csv = arg
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".csv"));
    if looks_like_csv {
        return Err(LocustError::NotFound {
            looked_for: arg.to_owned(),
        });
    }
    let stats = with_suffix(arg, STATS_SUFFIX);
    if stats.is_file() {
        Ok(vec![run_files(arg)])
    } else {
        Err(LocustError::NotFound { looked_for: stats })
    }
}

/// How deep below a directory runs are looked for when it holds none itself: `runs/run1/` and
/// `runs/nightly/run1/` (one folder per repeated run, as CI jobs and `--csv` prefixes lay
/// them out).
const SUBFOLDER_DEPTH: usize = 2;

/// Every run in a directory, sorted by file name; names need not be UTF-8. A directory with no
/// `*_stats.csv` of its own is searched [`SUBFOLDER_DEPTH`] levels down (hidden folders, such
/// as an archive's temporary ones, skipped), each run then named by its path below `dir`.
fn runs_in_dir(dir: &Path) -> Result<Vec<RunFiles>, LocustError> {
    let io_error = |source| LocustError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut stats_files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if is_stats_name(&path) && path.is_file() {
            stats_files.push(path);
        }
    }
    stats_files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    let nested = stats_files.is_empty();
    if nested {
        stats_files = stats_in_subfolders(dir)?;
    }
    if stats_files.is_empty() {
        return Err(LocustError::NoRunsInDir {
            dir: dir.to_owned(),
        });
    }
    stats_files
        .iter()
        .map(|stats| {
            let prefix = prefix_of_file(stats).ok_or_else(|| LocustError::NotStatsFile {
                path: stats.clone(),
            })?;
            let mut files = run_files(&prefix);
            if nested {
                if let Ok(below) = prefix.strip_prefix(dir) {
                    let parts: Vec<String> = below
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    files.name = parts.join("/");
                }
            }
            Ok(files)
        })
        .collect()
}

/// Whether a file name ends in `_stats.csv` (compared as bytes).
fn is_stats_name(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.as_encoded_bytes().ends_with(STATS_SUFFIX.as_bytes()))
}

/// The `*_stats.csv` files in `dir`'s subfolders, down to [`SUBFOLDER_DEPTH`] levels, sorted
/// by path; hidden folders are not entered and symbolic links not followed.
fn stats_in_subfolders(dir: &Path) -> Result<Vec<PathBuf>, LocustError> {
    let hidden = |e: &walkdir::DirEntry| {
        e.depth() > 0 && e.file_name().as_encoded_bytes().first() == Some(&b'.')
    };
    let mut found = Vec::new();
    // Not `min_depth`: entries above it never reach `filter_entry`, so hidden folders would
    // be entered.
    let walk = walkdir::WalkDir::new(dir)
        .max_depth(SUBFOLDER_DEPTH + 1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e));
    for entry in walk {
        let entry = entry.map_err(|e| LocustError::Io {
            path: e.path().unwrap_or(dir).to_owned(),
            source: e.into(),
        })?;
        if entry.depth() >= 2 && entry.file_type().is_file() && is_stats_name(entry.path()) {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// The run prefix of a Locust output file (`dir/perf_failures.csv` → `dir/perf`).
///
/// The name is compared as the operating system's bytes, so a prefix that is not UTF-8
/// (`caf\xE9_stats.csv`, written on a Latin-1 system) names its run like any other.
fn prefix_of_file(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let kinds = [
        FileKind::Stats,
        FileKind::History,
        FileKind::Failures,
        FileKind::Exceptions,
    ];
    let prefix = kinds
        .iter()
        .find_map(|kind| strip_name_suffix(name, kind.suffix()))?;
    Some(path.with_file_name(prefix))
}

/// `name` without `suffix` (ASCII), compared byte for byte.
#[cfg(unix)]
fn strip_name_suffix<'a>(name: &'a OsStr, suffix: &str) -> Option<&'a OsStr> {
    use std::os::unix::ffi::OsStrExt;
    name.as_bytes()
        .strip_suffix(suffix.as_bytes())
        .map(OsStr::from_bytes)
}

/// `name` without `suffix`; elsewhere than Unix only a Unicode name can be split safely, and
/// [`runs_in_dir`] refuses the others by name rather than skipping them.
#[cfg(not(unix))]
fn strip_name_suffix<'a>(name: &'a OsStr, suffix: &str) -> Option<&'a OsStr> {
    name.to_str()?.strip_suffix(suffix).map(OsStr::new)
}

/// `prefix` with a suffix appended, as Locust joins them (`results/perf` + `_stats.csv`;
/// `results/` + `_stats.csv` is `results/_stats.csv`).
pub(crate) fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(prefix.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// The files of the run with this prefix; the stats file is known to exist.
fn run_files(prefix: &Path) -> RunFiles {
    let sibling = |kind: FileKind| Some(with_suffix(prefix, kind.suffix())).filter(|p| p.is_file());
    RunFiles {
        name: prefix
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        stats: with_suffix(prefix, STATS_SUFFIX),
        history: sibling(FileKind::History),
        failures: sibling(FileKind::Failures),
        exceptions: sibling(FileKind::Exceptions),
        histograms: sibling(FileKind::Histograms)
            .or_else(|| Some(with_suffix(prefix, JSON_SUFFIX)).filter(|p| p.is_file())),
    }
}

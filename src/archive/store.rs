//! `perfreport archive RUN --label L`: copies a run into the results folder, all or nothing.
//!
//! The files are copied (and hashed) into a temporary folder `results/.perfreport-tmp-*`,
//! synced, described by a `manifest.json`, and the folder is renamed to
//! `results/<UTC timestamp>_<label>/` in one step. A crash at any moment leaves either the whole
//! run or a temporary folder that nothing lists and the next archive removes. The whole
//! operation holds `results/.perfreport.lock` (an OS file lock, released even when the process
//! is killed), so two archive commands never interleave; an existing run is never replaced.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::manifest::{FileEntry, LocustFormat, Manifest, RunFacts, SCHEMA_VERSION};
use super::{ArchiveError, LOCK_NAME, MANIFEST_NAME, TMP_PREFIX};
use crate::locust::{discover_runs, read_run};
use crate::model::{Run, RunFiles};
use crate::time;

/// Test hook: when set to a number of milliseconds, the copy pauses that long after the first
/// file, so a test can kill the process mid-copy.
pub const PAUSE_ENV: &str = "PERFREPORT_TEST_ARCHIVE_PAUSE_MS";

/// The longest label accepted, in bytes.
const MAX_LABEL: usize = 100;

/// What to archive and where.
#[derive(Debug, Clone)]
pub struct ArchiveRequest<'a> {
    /// The run argument (stats file, prefix, or a folder holding one run).
    pub run: &'a Path,
    /// The label.
    pub label: &'a str,
    /// An optional note.
    pub note: Option<&'a str>,
    /// The results folder.
    pub results: &'a Path,
    /// Archive the files even when an archived run has exactly the same files (same
    /// checksums): by default that is refused, as re-archiving a run by mistake counts it twice
    /// in `history` and change-point detection.
    pub allow_duplicate: bool,
}

/// A run that was archived.
#[derive(Debug)]
pub struct Archived {
    /// The new run folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The results folder's lock, still held so the caller can update the index.
    pub lock: ResultsLock,
}

/// Names Windows reserves for devices, in any case and with any extension (`con.txt`).
const WINDOWS_DEVICES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// Refuses labels that could escape the run folder or make an awkward folder name: empty or
/// only spaces, starting or ending with a space (or ending with `.`, which Windows drops),
/// containing `..`, path separators, control characters or characters Windows forbids in folder
/// names, a name Windows reserves for a device (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`,
/// `LPT1`–`LPT9`, any case, with or without an extension), starting with `-` or `.`, or longer
/// than 100 bytes.
pub fn check_label(label: &str) -> Result<(), ArchiveError> {
    let refuse = |reason| {
        Err(ArchiveError::BadLabel {
            label: label.escape_debug().to_string(),
            reason,
        })
    };
    if label.is_empty() {
        return refuse("it is empty");
    }
    if label.trim().is_empty() {
        return refuse("it is only spaces");
    }
    if label.starts_with(char::is_whitespace) || label.ends_with(char::is_whitespace) {
        return refuse("it starts or ends with a space (Windows drops trailing spaces from folder names, and `@label:` would not match)");
    }
    if label.ends_with('.') {
        return refuse("it ends with `.` (Windows drops it from folder names)");
    }
    if is_windows_device(label) {
        return refuse("it is a device name Windows reserves (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9, also with an extension)");
    }
    if label.contains("..") {
        return refuse("it contains `..`");
    }
    if label.contains(['/', '\\']) {
        return refuse("it contains a path separator");
    }
    if label.chars().any(char::is_control) {
        return refuse("it contains a control character");
    }
    if label.starts_with(['.', '-']) {
        return refuse("it starts with `.` or `-`");
    }
    if label.contains(['<', '>', ':', '"', '|', '?', '*']) {
        return refuse(
            "it contains one of < > : \" | ? * (not allowed in folder names on Windows)",
        );
    }
    if label.len() > MAX_LABEL {
        return refuse("it is longer than 100 bytes");
    }
    Ok(())
}

/// Whether `name` is a Windows device name: its part before the first `.` (trailing spaces
/// ignored, as Windows does), in any case, is one of [`WINDOWS_DEVICES`] or `COM`/`LPT` with a
/// digit 1–9 (or a superscript ¹ ² ³, which Windows treats alike).
fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_uppercase();
    if WINDOWS_DEVICES.contains(&upper.as_str()) {
        return true;
    }
    let Some(digit) = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
    else {
        return false;
    };
    let mut chars = digit.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('1'..='9' | '¹' | '²' | '³'), None)
    )
}

/// Holds the results folder's lock file until dropped.
#[derive(Debug)]
pub struct ResultsLock {
    _file: File,
}

/// Takes the results folder's lock, waiting up to a minute for another archive command.
pub fn lock(results: &Path) -> Result<ResultsLock, ArchiveError> {
    let path = results.join(LOCK_NAME);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(ArchiveError::io(&path))?;
    for _ in 0..600 {
        match file.try_lock() {
            Ok(()) => return Ok(ResultsLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(ArchiveError::io(&path)(e)),
        }
    }
    Err(ArchiveError::Io {
        path,
        source: std::io::Error::other("another perfreport archive has held this lock for a minute"),
    })
}

/// Removes temporary folders (and index files) left by killed archive commands. Call only with
/// the lock held.
pub fn remove_stale_temporaries(results: &Path) -> Result<(), ArchiveError> {
    for entry in std::fs::read_dir(results).map_err(ArchiveError::io(results))? {
        let entry = entry.map_err(ArchiveError::io(results))?;
        if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            let path = entry.path();
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(ArchiveError::io(&path))?;
        }
    }
    Ok(())
}

/// Archives one run; the caller updates the index afterwards (see [`super::index`]).
pub fn archive(req: &ArchiveRequest<'_>) -> Result<Archived, ArchiveError> {
    check_label(req.label)?;
    let files = one_run(req.run)?;
    let run = read_run(&files)?;
    std::fs::create_dir_all(req.results).map_err(ArchiveError::io(req.results))?;
    let lock = lock(req.results)?;
    remove_stale_temporaries(req.results)?;

    let archived_at_ms = time::now_millis();
    let tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempdir_in(req.results)
        .map_err(ArchiveError::io(req.results))?;
    let pause = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let mut entries = Vec::new();
    for (i, source) in sources(&files).iter().enumerate() {
        entries.push(copy_hashed(source, tmp.path())?);
        if let (0, Some(ms)) = (i, pause) {
            std::thread::sleep(Duration::from_millis(ms));
        }
    }
    if !req.allow_duplicate {
        refuse_duplicate(req.results, &entries)?;
    }
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        perfreport_version: env!("CARGO_PKG_VERSION").to_string(),
        label: req.label.to_string(),
        note: req.note.map(str::to_string),
        archived_at: time::rfc3339_millis(archived_at_ms),
        archived_at_ms,
        run_name: files.name.clone(),
        git_commit: git_commit(),
        locust: detect_format(&files),
        run: facts(&run),
        files: entries,
    };
    let manifest_path = tmp.path().join(MANIFEST_NAME);
    write_synced(&manifest_path, &manifest.to_json())?;
    sync_dir(tmp.path())?;

    readable_by_all(tmp.path(), 0o755)?;
    let dir = free_name(req.results, &time::compact(archived_at_ms), req.label);
    let tmp_path = tmp.keep();
    std::fs::rename(&tmp_path, &dir).map_err(ArchiveError::io(&dir))?;
    sync_dir(req.results)?;
    Ok(Archived {
        dir,
        manifest,
        lock,
    })
}

/// Refuses files that an archived run already holds, byte for byte (the same checksums).
fn refuse_duplicate(results: &Path, entries: &[FileEntry]) -> Result<(), ArchiveError> {
    let mut wanted: Vec<&str> = entries.iter().map(|e| e.sha256.as_str()).collect();
    wanted.sort_unstable();
    for run in super::scan::scan(results)?.runs {
        let mut held: Vec<&str> = run
            .manifest
            .files
            .iter()
            .map(|e| e.sha256.as_str())
            .collect();
        held.sort_unstable();
        if held == wanted {
            return Err(ArchiveError::Duplicate {
                existing: run.dir.clone(),
            });
        }
    }
    Ok(())
}

/// The argument must name exactly one run.
fn one_run(arg: &Path) -> Result<RunFiles, ArchiveError> {
    let mut runs = discover_runs(arg)?;
    if runs.len() == 1 {
        if let Some(run) = runs.pop() {
            return Ok(run);
        }
    }
    let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
    Err(ArchiveError::NotOneRun {
        path: arg.to_owned(),
        reason: format!(
            "names {} runs ({}); archive one run's _stats.csv or prefix at a time",
            runs.len(),
            names.join(", ")
        ),
    })
}

/// The run's files that exist, stats first.
fn sources(files: &RunFiles) -> Vec<PathBuf> {
    let mut out = vec![files.stats.clone()];
    out.extend(
        [
            &files.history,
            &files.failures,
            &files.exceptions,
            &files.histograms,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    out
}

/// Gives a temporary file or folder (created private) the usual permissions, so that other
/// users and tools can read the archive.
pub fn readable_by_all(path: &Path, mode: u32) -> Result<(), ArchiveError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(ArchiveError::io(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// `results/<stamp>_<label>`, with `-2`, `-3`… appended if that name is taken.
fn free_name(results: &Path, stamp: &str, label: &str) -> PathBuf {
    let base = format!("{stamp}_{label}");
    let mut dir = results.join(&base);
    let mut n = 2;
    while dir.exists() {
        dir = results.join(format!("{base}-{n}"));
        n += 1;
    }
    dir
}

/// Copies `source` into `dir`, hashing as it goes, and syncs the copy.
fn copy_hashed(source: &Path, dir: &Path) -> Result<FileEntry, ArchiveError> {
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = dir.join(&name);
    let input = File::open(source).map_err(ArchiveError::io(source))?;
    let mut output = File::create(&target).map_err(ArchiveError::io(&target))?;
    let (sha256, size) = hash_reading(
        input,
        |e| ArchiveError::io(source)(e),
        |chunk| output.write_all(chunk).map_err(ArchiveError::io(&target)),
    )?;
    output.sync_all().map_err(ArchiveError::io(&target))?;
    let original = std::path::absolute(source).unwrap_or_else(|_| source.to_owned());
    Ok(FileEntry {
        name,
        original_path: original.display().to_string(),
        sha256,
        size,
    })
}

/// SHA-256 of bytes in memory, lower-case hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of a file, lower-case hex, and its size.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    hash_reading(File::open(path)?, |e| e, |_| Ok(()))
}

/// Reads `input` to its end in 64 KiB chunks, handing each to `chunk`; returns the SHA-256
/// (lower-case hex) and the size of what was read.
fn hash_reading<E>(
    mut input: impl Read,
    read_error: impl Fn(std::io::Error) -> E,
    mut chunk: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(String, u64), E> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(&read_error)?;
        if n == 0 {
            return Ok((hex(&hasher.finalize()), size));
        }
        hasher.update(&buf[..n]);
        chunk(&buf[..n])?;
        size += n as u64;
    }
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
    let mut file = File::create(path).map_err(ArchiveError::io(path))?;
    file.write_all(bytes).map_err(ArchiveError::io(path))?;
    file.sync_all().map_err(ArchiveError::io(path))
}

/// Makes a folder's entries durable (a no-op where folders cannot be opened, as on Windows).
fn sync_dir(dir: &Path) -> Result<(), ArchiveError> {
    match File::open(dir) {
        Ok(f) => match f.sync_all() {
            Err(e) if e.kind() != std::io::ErrorKind::PermissionDenied && cfg!(unix) => {
                Err(ArchiveError::io(dir)(e))
            }
            _ => Ok(()),
        },
        Err(_) => Ok(()),
    }
}

/// `git rev-parse HEAD` in the current folder; `None` without git or outside a repository.
fn git_commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let commit = text.trim();
    let valid = out.status.success()
        && (commit.len() == 40 || commit.len() == 64)
        && commit.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| commit.to_string())
}

/// Start, end, duration and users from the history.
fn facts(run: &Run) -> RunFacts {
    RunFacts {
        start: run.history.first_timestamp().map(time::rfc3339),
        end: run.history.last_timestamp().map(time::rfc3339),
        duration_s: run.duration_s(),
        users: run.peak_users(),
    }
}

/// Locust 2.x writes `First Seen`/`Last Seen` in `_failures.csv` (Locust 1.x does not); the
/// other files have the same columns in both.
fn detect_format(files: &RunFiles) -> LocustFormat {
    let header = files.failures.as_ref().and_then(|p| {
        let mut text = String::new();
        File::open(p)
            .ok()?
            .take(4096)
            .read_to_string(&mut text)
            .ok()?;
        text.lines().next().map(str::to_string)
    });
    let (format, evidence) = match header {
        Some(h) if h.contains("First Seen") => ("2.x", "failures file has First Seen/Last Seen"),
        Some(_) => ("1.x", "failures file has no First Seen/Last Seen"),
        None => ("unknown", "no readable failures file"),
    };
    LocustFormat {
        format: format.to_string(),
        evidence: evidence.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        for ok in [
            "v1.5.0",
            "release 2026-11",
            "build_42",
            "résumé",
            "CONSOLE",
            "com10",
            "LPT0",
            "nullable",
            "my.con",
        ] {
            assert!(check_label(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "..",
            "a/../b",
            "../x",
            "a/b",
            "a\\b",
            "a\nb",
            "\u{1b}[31m",
            ".hidden",
            "-x",
            "a:b",
            "<b>",
            " ",
            "   ",
            "v1 ",
            " v1",
            "v1\u{a0}",
            "v1.",
            "CON",
            "con",
            "Con.txt",
            "con.tar.gz",
            "NUL ",
            "prn",
            "AUX",
            "COM1",
            "com9",
            "lpt1",
            "LPT9.log",
            "COM\u{b9}",
        ] {
            assert!(check_label(bad).is_err(), "{bad:?}");
        }
        assert!(check_label(&"x".repeat(101)).is_err());
    }

    #[test]
    fn sha256_of_known_input() {
        // `printf abc | sha256sum`
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        let (sum, size) = hash_file(&path).unwrap();
        assert_eq!(
            sum,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(size, 3);
    }
}

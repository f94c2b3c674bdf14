//! `manifest.json`: what an archived run holds and how to check it has not changed.
//!
//! Schema (version 1; every field is always written, absent values as `null`):
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "perfreport_version": "0.1.0",
//!   "label": "v1.5.0",
//!   "note": "after the cache change",
//!   "archived_at": "2026-11-28T10:45:00.123Z",
//!   "archived_at_ms": 1795862700123,
//!   "run_name": "perf",
//!   "git_commit": "3f2a…",
//!   "locust": { "format": "2.x", "evidence": "failures file has First Seen/Last Seen" },
//!   "run": { "start": "2026-11-28T10:40:00Z", "end": "2026-11-28T10:40:35Z",
//!            "duration_s": 36.0, "users": 20 },
//!   "files": [ { "name": "perf_stats.csv", "original_path": "/abs/results/perf_stats.csv",
//!                "sha256": "9f86…", "size": 1234 } ]
//! }
//! ```

use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use super::ArchiveError;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything recorded about one archived run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`SCHEMA_VERSION`] when written.
    pub schema_version: u32,
    /// The perfreport that archived the run.
    pub perfreport_version: String,
    /// The label given with `--label` (a release, a build).
    pub label: String,
    /// The `--note`, if any.
    pub note: Option<String>,
    /// When the run was archived, RFC 3339 UTC.
    pub archived_at: String,
    /// The same moment in Unix milliseconds, for ordering.
    pub archived_at_ms: i64,
    /// The run's Locust prefix (`perf` for `perf_stats.csv`).
    pub run_name: String,
    /// `git rev-parse HEAD` of the folder the archive command ran in, when it is a repository.
    pub git_commit: Option<String>,
    /// Which Locust output format the files are in.
    pub locust: LocustFormat,
    /// Facts about the run.
    pub run: RunFacts,
    /// Every archived file, with its checksum.
    pub files: Vec<FileEntry>,
}

/// The Locust format detected from the files' headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocustFormat {
    /// `2.x`, `1.x` or `unknown`.
    pub format: String,
    /// What the guess rests on.
    pub evidence: String,
}

/// When the run ran and with how many users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFacts {
    /// First history timestamp (RFC 3339 UTC), when there is a history.
    pub start: Option<String>,
    /// Last history timestamp, when there is a history.
    pub end: Option<String>,
    /// Length in seconds.
    pub duration_s: Option<f64>,
    /// Peak user count from the history.
    pub users: Option<u64>,
}

/// One archived file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// The file's name inside the run folder.
    pub name: String,
    /// Where it was copied from.
    pub original_path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Manifest {
    /// Reads and checks a manifest: valid JSON of this schema, file names that stay inside the
    /// run folder, checksums that look like SHA-256.
    pub fn read(path: &Path) -> Result<Manifest, ArchiveError> {
        let bytes = std::fs::read(path).map_err(ArchiveError::io(path))?;
        let bad = |reason: String| ArchiveError::BadManifest {
            path: path.to_owned(),
            reason,
        };
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("not a perfreport manifest: {e}")))?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(SCHEMA_VERSION)) {
            return Err(bad(format!(
                "schema version {} (this perfreport reads {SCHEMA_VERSION})",
                version.map_or_else(|| "missing".to_string(), |v| v.to_string())
            )));
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| bad(format!("not a perfreport manifest: {e}")))?;
        for file in &manifest.files {
            if !is_plain_name(&file.name) || file.name == super::MANIFEST_NAME {
                return Err(bad(format!(
                    "file name `{}` is not a plain file name in the run folder",
                    file.name.escape_debug()
                )));
            }
            let is_hex = file.sha256.len() == 64
                && file
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !is_hex {
                return Err(bad(format!(
                    "`{}`: sha256 is not 64 lower-case hex digits",
                    file.name.escape_debug()
                )));
            }
        }
        let stats = format!("{}_stats.csv", manifest.run_name);
        if !manifest.files.iter().any(|f| f.name == stats) {
            return Err(bad(format!(
                "run `{}` has no `{}` in its file list",
                manifest.run_name.escape_debug(),
                stats.escape_debug()
            )));
        }
        Ok(manifest)
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).unwrap_or_default();
        text.push(b'\n');
        text
    }
}

/// Whether `name` is one normal path component (no `..`, no separators, no control characters).
pub fn is_plain_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(components.next(), Some(Component::Normal(_)))
        && components.next().is_none()
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names() {
        assert!(is_plain_name("perf_stats.csv"));
        assert!(!is_plain_name("../x"));
        assert!(!is_plain_name(".."));
        assert!(!is_plain_name("a/b"));
        assert!(!is_plain_name("/etc/passwd"));
        assert!(!is_plain_name("a\nb"));
        assert!(!is_plain_name(""));
    }
}

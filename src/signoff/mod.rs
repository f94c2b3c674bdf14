//! Release sign-off (`perfreport signoff`, `perfreport demo`): the seed plan's whole validation,
//! end to end — run the light, medium, heavy and stress tiers (or take runs recorded elsewhere),
//! check each against the SLA, watch the target's resources, ask its health check after the
//! last tier, and write one report with one verdict: ready for production, or not and why.
//!
//! * [`args`] and [`command`]: the two subcommands' flags and entry points;
//! * [`tiers`]: the tiers' load shapes and `--duration-scale`;
//! * [`local`]: the embedded target as a child process, and the health check;
//! * [`resources`]: CPU, memory and descriptors from `/proc`, and their verdicts;
//! * [`run`]: the orchestration, tier by tier;
//! * [`context`], [`tables`], [`checklist`] and [`verdict`]: the report's context — a serialisable, precomputed
//!   [`SignoffReport`] (tables of formatted cells, checklists, the verdict) that every renderer
//!   shares; [`markdown`] and [`html`] render it, JSON is its serialisation, [`terminal`]
//!   prints the verdict.
//!
//! Everything a sign-off writes goes into one new folder (`signoffs/signoff-<UTC time>/` or
//! `--out`): one subfolder per tier with Locust's CSV files, the scenario used, `signoff.md`,
//! `signoff.html` and `signoff.json`. Nothing existing is overwritten.

pub mod build;
pub mod checklist;
pub mod context;
pub mod html;
pub mod local;
pub mod markdown;
pub mod resources;
pub mod run;
pub mod stepped;
pub mod tables;
pub mod terminal;
pub mod tiers;
pub mod verdict;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use context::{SignoffReport, Verdict, VerdictStatus};
pub use run::signoff;

use crate::sla::Sla;

/// Why a sign-off could not be done: bad usage or input (exit code 2). Failed checks are not
/// errors: they are in the report's verdict.
#[derive(Debug, thiserror::Error)]
pub enum SignoffError {
    /// The arguments make no sense together, or are out of range.
    #[error("{0}")]
    Usage(String),
    /// The embedded target could not be started.
    #[error("{0}")]
    Target(String),
    /// A recorded run could not be read.
    #[error("--run {tier}={}: {source}", path.display())]
    Run {
        /// The tier it was given for.
        tier: String,
        /// The path given.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: Box<crate::locust::LocustError>,
    },
    /// A tier's run could not be archived.
    #[error("archiving tier {tier}: {source}")]
    Archive {
        /// The tier.
        tier: String,
        /// Why.
        #[source]
        source: Box<crate::archive::ArchiveError>,
    },
    /// A tier's run could not be read back after the driver wrote it.
    #[error("reading back tier {tier}: {source}")]
    Readback {
        /// The tier.
        tier: String,
        /// Why.
        #[source]
        source: Box<crate::locust::LocustError>,
    },
    /// The driver refused to run a tier.
    #[error("tier {tier}: {source}")]
    Driver {
        /// The tier.
        tier: String,
        /// Why.
        #[source]
        source: Box<crate::driver::DriverError>,
    },
    /// The SLA file could not be read, or names no such tier.
    #[error(transparent)]
    Sla(Box<crate::sla::SlaError>),
    /// A file or folder could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The report could not be serialised.
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
    /// The HTML report could not be rendered (a chart or the template failed).
    #[error("cannot render the HTML report: {0}")]
    Html(#[from] crate::report::html::HtmlError),
}

impl From<crate::sla::SlaError> for SignoffError {
    fn from(e: crate::sla::SlaError) -> Self {
        SignoffError::Sla(Box::new(e))
    }
}

/// Where the load goes, or where the runs come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Start the embedded target (a child process) and run the tiers against it; the strings
    /// are extra `perfreport target` knobs (`--slow`, `--fail-rate`, …).
    Embedded {
        /// Extra arguments for `perfreport target`.
        knobs: Vec<String>,
    },
    /// Run the tiers against a service already running at `host`, watching `pid` if given.
    Host {
        /// `http://127.0.0.1:8003`.
        host: String,
        /// The service's process id, for resource sampling.
        pid: Option<u32>,
    },
    /// Sign off runs recorded elsewhere (Locust's or the driver's), one per tier.
    Recorded {
        /// `(tier, path)` pairs, as given (a path may be an archive selector).
        runs: Vec<(String, PathBuf)>,
        /// Where selectors (`@label:NAME`…) look for archived runs (`--results`).
        results: PathBuf,
        /// `--run-stepped`: one run whose stages stand for the tiers (then `runs` is empty).
        stepped: Option<PathBuf>,
    },
}

/// Everything a sign-off needs, already checked by the command line.
#[derive(Debug, Clone)]
pub struct SignoffOptions {
    /// The targets.
    pub sla: Sla,
    /// Where the load goes or the runs come from.
    pub source: Source,
    /// The tiers to run (empty: every tier of the SLA). Ignored for recorded runs.
    pub tiers: Vec<String>,
    /// The time scale of the tiers (1: the plan's durations).
    pub duration_scale: f64,
    /// The scenario file; `None`: the Resource Agent mix with `between(0.3, 1.0)` waits.
    pub scenario: Option<PathBuf>,
    /// The folder to create for the results.
    pub out: PathBuf,
    /// The health check's path.
    pub health_path: String,
    /// The resource limits.
    pub limits: resources::Limits,
    /// Print progress to standard error.
    pub progress: bool,
    /// Archive every tier's run (`perfreport archive`) into this results folder, labelled
    /// `<label>-<tier>`; `None`: do not archive.
    pub archive: Option<ArchiveTo>,
}

/// Where and under which label the sign-off archives its tier runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveTo {
    /// The results folder (`--results`).
    pub results: PathBuf,
    /// The label prefix: `<label>-<tier>`.
    pub label: String,
}

/// The default scenario of a sign-off: the Resource Agent mix with Locust's
/// `between(0.3, 1.0)` wait, the profile the recorded fixtures use (see the file's comments).
pub const DEFAULT_SCENARIO: &str = include_str!("../../examples/signoff-scenario.toml");

/// `results/<prefix>-<UTC time>`, made unique with `-2`, `-3`… if it already exists.
pub fn default_out(results: &Path, prefix: &str, now: SystemTime) -> PathBuf {
    let stamp = utc(now).0;
    let first = results.join(format!("{prefix}-{stamp}"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| results.join(format!("{prefix}-{stamp}-{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// A time as `20261128T111028Z` (for folder names) and `2026-11-28T11:10:28Z` (for reports).
pub fn utc(time: SystemTime) -> (String, String) {
    let millis = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    (
        crate::time::compact(millis),
        crate::time::rfc3339(millis.div_euclid(1000)),
    )
}

/// A tier name made safe as one folder name: letters, digits, `-`, `_` and `.` kept, anything
/// else `_`, and never `.` or `..`, so an SLA file cannot send output outside the results.
pub fn folder_name(tier: &str) -> String {
    let name: String = tier
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        format!("tier{}", "_".repeat(name.len().max(1)))
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn tier_labels_are_always_archivable() {
        for tier in ["light", "../../etc", "a..b", ".", "..", "x/y", "v1.2"] {
            let label = run::tier_label("rel-1", tier);
            assert!(
                crate::archive::store::check_label(&label).is_ok(),
                "{tier:?} gave {label:?}"
            );
        }
        assert_eq!(run::tier_label("rel-1", "light"), "rel-1-light");
        assert_eq!(run::tier_label("rel-1", "v1.2"), "rel-1-v1.2");
    }

    #[test]
    fn utc_times_match_known_dates() {
        let at = |s: u64| utc(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0).1, "1970-01-01T00:00:00Z");
        // `date -u -d @1795864828`: Sat Nov 28 11:20:28 UTC 2026.
        assert_eq!(
            at(1_795_864_828),
            (
                "20261128T112028Z".to_string(),
                "2026-11-28T11:20:28Z".to_string()
            )
        );
        // A leap day: 2024-02-29T23:59:59Z is 1709251199.
        assert_eq!(at(1_709_251_199).1, "2024-02-29T23:59:59Z");
    }

    #[test]
    fn folder_names_stay_inside() {
        assert_eq!(folder_name("light"), "light");
        assert_eq!(folder_name("../../etc"), ".._.._etc");
        assert_eq!(folder_name(".."), "tier__");
        assert_eq!(folder_name(""), "tier_");
        assert_eq!(folder_name("peak hour/2"), "peak_hour_2");
        assert_eq!(folder_name("ünï"), "_n_");
    }

    #[test]
    fn default_folders_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_795_864_828);
        let first = default_out(dir.path(), "demo", now);
        assert_eq!(first, dir.path().join("demo-20261128T112028Z"));
        std::fs::create_dir(&first).unwrap();
        let second = default_out(dir.path(), "demo", now);
        assert_eq!(second, dir.path().join("demo-20261128T112028Z-2"));
    }
}

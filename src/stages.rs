//! The load stages of one run (the plateaus of a stepped load), with each stage's figures for
//! Aggregated and every endpoint, and the stage as a run of its own for SLA checks.
//!
//! The computation is [`crate::stats::stages`]; this module feeds it the run's history and,
//! when a `PREFIX_stage_histograms.csv` lies beside the run (the format of
//! [`crate::locust::read_stage_histograms`]), replaces the approximate
//! percentiles with exact ones from the driver's `PREFIX_stage_histograms.csv`.

pub mod check;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::locust::{read_stage_histograms, LocustError, StageHistogram};
use crate::model::{EndpointKey, EndpointStats, Percentile, Point, Run};
use crate::stats::stages::{figures, plateaus, Figures, Snapshot};
use crate::stats::{histogram_percentile, merge_locust_buckets};

pub use crate::stats::stages::DEFAULT_MIN_STAGE_S;

/// The suffix of the driver's per-stage histograms beside a run's `_stats.csv`.
pub const STAGE_HISTOGRAMS_SUFFIX: &str = "_stage_histograms.csv";

/// One row's figures over a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageStats {
    /// Requests completed in the stage.
    pub requests: u64,
    /// Requests failed in the stage.
    pub failures: u64,
    /// Requests per second over the stage.
    pub rps: f64,
    /// Failed requests as a fraction of the stage's requests.
    pub failure_rate: f64,
    /// Mean response time, ms (exact from the cumulative average).
    pub avg_ms: Option<f64>,
    /// Median, ms.
    pub p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub p95_ms: Option<f64>,
    /// 99th percentile, ms.
    pub p99_ms: Option<f64>,
    /// Every percentile column of the run, for SLA checks on the stage.
    #[serde(skip)]
    pub percentiles: Vec<Percentile>,
}

/// One endpoint over a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageEndpoint {
    /// Request type.
    pub method: String,
    /// Request name (untrusted text).
    pub name: String,
    /// Its figures.
    #[serde(flatten)]
    pub stats: StageStats,
}

/// One stage: a plateau of the user count, with Aggregated's figures and each endpoint's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Users held during the stage.
    pub users: u64,
    /// Seconds from the run's first history row to the stage's first row at `users`.
    pub start_s: f64,
    /// Seconds from the run's first history row to the stage's last row at `users`.
    pub end_s: f64,
    /// `end_s - start_s`.
    pub duration_s: f64,
    /// Aggregated over the stage.
    #[serde(flatten)]
    pub aggregated: StageStats,
    /// Whether the percentiles are exact (the driver's stage histograms) rather than
    /// rebuilt from the history's 10 s windows.
    pub percentiles_exact: bool,
    /// Why the percentiles are `null`, when the history cannot give a stage's own: its
    /// percentile columns are cumulative over the run (Locust 1.x, or no `--csv-full-history`).
    pub percentiles_note: Option<String>,
    /// Each endpoint, when the history has per-endpoint rows.
    pub endpoints: Vec<StageEndpoint>,
    /// Unix seconds of the first and last row, to match the driver's stage histograms.
    #[serde(skip)]
    pub span_t: (i64, i64),
}

/// How many stages `run` has (plateaus of at least `min_stage_s`), without computing their
/// figures: tables show stages only when there are two or more, and a long constant-load run
/// is then spared a mixture over every window of its history.
pub fn count(run: &Run, min_stage_s: f64) -> usize {
    let users: Vec<(i64, u64)> = run
        .history
        .points(&EndpointKey::aggregated())
        .map(|r| (r.timestamp, r.user_count))
        .collect();
    plateaus(&users, min_stage_s).len()
}

/// The stages of `run` lasting at least `min_stage_s`, from the history alone.
pub fn from_history(run: &Run, min_stage_s: f64) -> Vec<Stage> {
    let aggregated: Vec<Point<'_>> = run.history.points(&EndpointKey::aggregated()).collect();
    let Some(first_t) = aggregated.first().map(|r| r.timestamp) else {
        return Vec::new();
    };
    let users: Vec<(i64, u64)> = aggregated
        .iter()
        .map(|r| (r.timestamp, r.user_count))
        .collect();
    let levels: Vec<f64> = run.aggregated.percentiles.iter().map(|p| p.level).collect();
    // Only `--csv-full-history` makes Locust 2.x write windowed percentiles; without it, and
    // in Locust 1.x, the history's percentiles are cumulative and say nothing about one stage.
    let note = cumulative_percentiles(run);
    let windowed = note.is_none();
    let agg_series = series(&aggregated, windowed);
    let endpoint_series: Vec<(EndpointKey, Vec<Snapshot>)> = run
        .endpoints
        .iter()
        .filter(|_| run.has_full_history())
        .map(|e| {
            let rows: Vec<Point<'_>> = run.history.points(&e.key).collect();
            (e.key.clone(), series(&rows, windowed))
        })
        .collect();
    plateaus(&users, min_stage_s)
        .into_iter()
        .map(|p| {
            let (start, end) = (users[p.first].0, users[p.last].0);
            let duration_s = (end - start) as f64;
            let stats = |s: &[Snapshot]| stage_stats(&figures(s, start, end, &levels), duration_s);
            Stage {
                users: p.users,
                start_s: (start - first_t) as f64,
                end_s: (end - first_t) as f64,
                duration_s,
                aggregated: stats(&agg_series),
                percentiles_exact: false,
                percentiles_note: note.map(str::to_string),
                endpoints: endpoint_series
                    .iter()
                    .map(|(key, s)| StageEndpoint {
                        method: key.method.clone(),
                        name: key.name.clone(),
                        stats: stats(s),
                    })
                    .collect(),
                span_t: (start, end),
            }
        })
        .collect()
}

/// The stages of `run`, with exact percentiles where the driver wrote stage histograms.
///
/// Fails only when a stage-histograms file exists and cannot be read.
pub fn of_run(run: &Run, min_stage_s: f64) -> Result<Vec<Stage>, LocustError> {
    exact_where_recorded(run, from_history(run, min_stage_s))
}

/// `stages` (found in `run`'s history) with exact percentiles where the driver wrote stage
/// histograms beside the run; no file, or no stage, reads nothing.
///
/// Fails only when a stage-histograms file exists and cannot be read.
pub fn exact_where_recorded(run: &Run, mut stages: Vec<Stage>) -> Result<Vec<Stage>, LocustError> {
    if stages.is_empty() {
        return Ok(stages);
    }
    let Some(path) = stage_histograms_path(&run.files.stats).filter(|p| p.is_file()) else {
        return Ok(stages);
    };
    let recorded = read_stage_histograms(&path)?;
    for stage in &mut stages {
        if let Some(h) = recorded.iter().find(|h| (h.start, h.end) == stage.span_t) {
            exact(stage, h);
        }
    }
    Ok(stages)
}

/// `PREFIX_stage_histograms.csv` beside `PREFIX_stats.csv`.
pub fn stage_histograms_path(stats: &Path) -> Option<PathBuf> {
    let name = stats.file_name()?.to_str()?;
    let prefix = name.strip_suffix("_stats.csv")?;
    Some(stats.with_file_name(format!("{prefix}{STAGE_HISTOGRAMS_SUFFIX}")))
}

/// Replaces a stage's percentiles by Locust's percentiles of its recorded histograms.
fn exact(stage: &mut Stage, recorded: &StageHistogram) {
    let find = |key: &EndpointKey| -> Option<Vec<(f64, u64)>> {
        if let Some(h) = recorded.histograms.iter().find(|h| &h.key == key) {
            return Some(merge_locust_buckets([h.buckets.as_slice()]));
        }
        if key.is_aggregated() {
            let all: Vec<&[(f64, u64)]> = recorded
                .histograms
                .iter()
                .filter(|h| !h.key.is_aggregated())
                .map(|h| h.buckets.as_slice())
                .collect();
            return Some(merge_locust_buckets(all));
        }
        None
    };
    let apply = |stats: &mut StageStats, buckets: &[(f64, u64)]| {
        for p in &mut stats.percentiles {
            p.value_ms = histogram_percentile(buckets, p.level);
        }
        set_named(stats);
    };
    if let Some(b) = find(&EndpointKey::aggregated()) {
        apply(&mut stage.aggregated, &b);
    }
    for e in &mut stage.endpoints {
        let key = EndpointKey::new(e.method.clone(), e.name.clone());
        match find(&key) {
            Some(b) => apply(&mut e.stats, &b),
            None => {
                for p in &mut e.stats.percentiles {
                    p.value_ms = None;
                }
                set_named(&mut e.stats);
            }
        }
    }
    stage.percentiles_exact = true;
    stage.percentiles_note = None;
}

/// Why the history's percentile columns are cumulative over the run so far rather than those
/// of Locust's 10 s window, if they are: no `--csv-full-history` (Locust 2.x writes windowed
/// percentiles only with it), or Locust 1.x (cumulative always).
///
/// Locust 1.x is recognised by its `_failures.csv` header, which has no `First Seen` column
/// (Locust 0.x to 1.x and the first 2.x releases), unless the history itself shows a window:
/// an Aggregated `100%` column that falls from one row to the next, which a cumulative maximum
/// never does. So a 2.x run from before `First Seen` keeps
/// its windowed percentiles whenever its latencies varied at all.
pub fn cumulative_percentiles(run: &Run) -> Option<&'static str> {
    if !run.has_full_history() {
        return Some(
            "the history has no per-endpoint rows (no --csv-full-history): its percentiles are \
             cumulative over the run, so no stage has percentiles of its own",
        );
    }
    let old_failures_header = run.files.failures.as_deref().is_some_and(|path| {
        std::fs::read(path)
            .ok()
            .and_then(|b| b.split(|c| *c == b'\n').next().map(<[u8]>::to_vec))
            .is_some_and(|header| !String::from_utf8_lossy(&header).contains("First Seen"))
    });
    // A cumulative `100%` column is the maximum so far, which never falls; a windowed one
    // falls as soon as a slow request leaves the window.
    let tops: Vec<f64> = run
        .history
        .points(&run.aggregated.key)
        .filter_map(|p| p.percentile(1.0))
        .collect();
    let shows_a_window = tops.windows(2).any(|w| w[1] < w[0] - 1.0);
    (old_failures_header && !shows_a_window).then_some(
        "Locust 1.x history (no First Seen in _failures.csv): its percentile columns are \
         cumulative over the run so far, not windowed, so no stage has percentiles of its own",
    )
}

/// The stage as a run of its own: its figures in place of the whole run's, its history rows
/// only, so that SLA checks (`check --tier`, `signoff --run-stepped`) judge the stage.
///
/// Minimum and maximum are unknown for a stage and left empty.
pub fn stage_run(run: &Run, stage: &Stage) -> Run {
    let row = |key: &EndpointKey, s: &StageStats| EndpointStats {
        key: key.clone(),
        requests: s.requests,
        failures: s.failures,
        median_ms: s.p50_ms,
        avg_ms: s.avg_ms.unwrap_or(0.0),
        min_ms: None,
        max_ms: None,
        avg_content_size: 0.0,
        rps: s.rps,
        failures_per_s: s.failures as f64 / stage.duration_s.max(f64::MIN_POSITIVE),
        percentiles: s.percentiles.clone(),
    };
    // Without per-endpoint history rows the stage knows only Aggregated.
    let endpoints: Vec<EndpointStats> = stage
        .endpoints
        .iter()
        .map(|e| {
            row(
                &EndpointKey::new(e.method.clone(), e.name.clone()),
                &e.stats,
            )
        })
        .collect();
    let (start, end) = stage.span_t;
    let mut out = Run::of_rows(
        &run.files.name,
        endpoints,
        row(&EndpointKey::aggregated(), &stage.aggregated),
    );
    out.files = run.files.clone();
    out.history = run.history.between(start, end);
    out
}

/// The stage of `stages` holding `users`, if any (the first, should the load return to it).
pub fn stage_with_users(stages: &[Stage], users: u64) -> Option<&Stage> {
    stages.iter().find(|s| s.users == users)
}

/// A one-line description: `stage at 20 users, 40–58 s of the run`.
pub fn describe(stage: &Stage) -> String {
    format!(
        "stage at {} users, {:.0}–{:.0} s of the run",
        stage.users, stage.start_s, stage.end_s
    )
}

fn series(rows: &[Point<'_>], windowed: bool) -> Vec<Snapshot> {
    rows.iter()
        .map(|r| {
            let window: Vec<(f64, f64)> = r
                .percentiles()
                .filter_map(|p| Some((p.level, p.value_ms?)))
                .collect();
            // Locust 2.x writes 0 while its window holds no request yet.
            let empty = r.rps == 0.0 && window.iter().all(|w| w.1 == 0.0);
            Snapshot {
                t: r.timestamp,
                requests: r.total_requests,
                failures: r.total_failures,
                avg_ms: r.total_avg_ms,
                window: if windowed && !empty {
                    window
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

fn stage_stats(f: &Figures, duration_s: f64) -> StageStats {
    let mut stats = StageStats {
        requests: f.requests,
        failures: f.failures,
        rps: if duration_s > 0.0 {
            f.requests as f64 / duration_s
        } else {
            0.0
        },
        failure_rate: if f.requests > 0 {
            f.failures as f64 / f.requests as f64
        } else {
            0.0
        },
        avg_ms: f.avg_ms,
        p50_ms: None,
        p95_ms: None,
        p99_ms: None,
        percentiles: f
            .percentiles
            .iter()
            .map(|&(level, value_ms)| Percentile { level, value_ms })
            .collect(),
    };
    set_named(&mut stats);
    stats
}

/// Copies the 50/95/99 % values out of `percentiles`.
fn set_named(stats: &mut StageStats) {
    let at = |level: f64| {
        stats
            .percentiles
            .iter()
            .find(|p| (p.level - level).abs() < 1e-9)
            .and_then(|p| p.value_ms)
    };
    (stats.p50_ms, stats.p95_ms, stats.p99_ms) = (at(0.5), at(0.95), at(0.99));
}

//! `perfreport history`: one metric of one endpoint across the archived runs, in archive
//! order, with the change points ([`super::changepoint`]) marked.

use std::collections::HashMap;

use serde::Serialize;

use super::changepoint::{change_points, ChangePointOptions};
use super::index::IndexRow;
use super::ArchiveError;
use crate::metric::Metric;
use crate::report::format;
use crate::report::table::{Align, Cell, Table, Tone};
use crate::time;

/// What `history` follows of a metric: its value in an index row, whether Locust rounds it,
/// and how a value reads.
pub trait Followed {
    /// The value of this metric in an index row (`None` for a metric the index does not keep).
    fn of(self, row: &IndexRow) -> Option<f64>;
    /// Whether Locust stores this metric rounded (the percentile columns are bucket keys; see
    /// [`crate::stats::locust_rounding_step`]), so change points floor its variance there.
    fn rounded(self) -> bool;
    /// A value formatted for people.
    fn show(self, v: f64) -> String;
}

impl Followed for Metric {
    fn of(self, row: &IndexRow) -> Option<f64> {
        match self {
            Metric::Median | Metric::P50 => row.median_ms,
            Metric::P90 => row.p90_ms,
            Metric::P95 => row.p95_ms,
            Metric::P99 => row.p99_ms,
            Metric::Avg => row.avg_ms,
            Metric::Max => row.max_ms,
            Metric::Rps => Some(row.rps),
            Metric::FailureRate => Some(row.failure_rate),
            Metric::Requests => Some(row.requests as f64),
            _ => None,
        }
    }

    fn rounded(self) -> bool {
        matches!(self, Metric::Median | Metric::Percentile(_))
    }

    fn show(self, v: f64) -> String {
        match self {
            Metric::Rps => format::rps(v),
            Metric::FailureRate => format::percent(v),
            Metric::Requests => format!("{v:.0}"),
            _ => format!("{} ms", format::ms(v)),
        }
    }
}

/// One archived run's point in the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// The run folder's name.
    pub run_id: String,
    /// The run's label.
    pub label: String,
    /// When it was archived (RFC 3339).
    pub archived_at: String,
    /// The same, Unix milliseconds.
    #[serde(skip)]
    pub archived_at_ms: i64,
    /// The metric; `null` when the run has no value (no such endpoint, no requests).
    pub value: Option<f64>,
    /// Set when the level stepped at this run.
    pub change: Option<Change>,
}

/// A step in the level, at the run it is attached to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Mean level before.
    pub mean_before: f64,
    /// Mean level from this run on.
    pub mean_after: f64,
    /// Relative change in percent (`null` from a level of 0).
    pub change_pct: Option<f64>,
    /// Two-sided p-value of the step, Bonferroni-adjusted for the splits its segments allow.
    pub p_value: f64,
}

/// One change point in the list `history --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePointEntry {
    /// Position of the run in `points` (0-based): the first run at the new level.
    pub index: usize,
    /// That run's folder name.
    pub run_id: String,
    /// That run's label.
    pub label: String,
    /// The step itself.
    #[serde(flatten)]
    pub change: Change,
}

/// How change points were searched for, so a reader knows why there are none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePointSearch {
    /// The method, in a few words.
    pub method: &'static str,
    /// `--alpha`.
    pub alpha: f64,
    /// `--min-size`: fewest runs on each side of a change point.
    pub min_size: usize,
    /// Runs with a value the search needs before it can find anything.
    pub runs_needed: usize,
    /// Runs with a value in this history.
    pub runs_with_value: usize,
    /// Set when the search could not run (too few runs), saying what it needs.
    pub note: Option<String>,
}

/// A metric's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// The endpoint as shown (`GET /x`, or `Aggregated`).
    pub endpoint: String,
    /// The metric.
    pub metric: Metric,
    /// The runs, oldest first.
    pub points: Vec<HistoryPoint>,
    /// The change points, oldest first (each also marked on its point).
    pub change_points: Vec<ChangePointEntry>,
    /// How they were searched for.
    pub change_point_search: ChangePointSearch,
}

impl History {
    /// The points that are change points.
    pub fn changes(&self) -> impl Iterator<Item = (&HistoryPoint, &Change)> {
        self.points
            .iter()
            .filter_map(|p| p.change.as_ref().map(|c| (p, c)))
    }
}

/// Which endpoint `--endpoint NAME` means: an exact `METHOD name` or `Aggregated`, else a
/// request name that only one method uses.
pub fn resolve_endpoint(rows: &[IndexRow], wanted: &str) -> Result<String, ArchiveError> {
    if rows.is_empty() {
        return Err(ArchiveError::Selector {
            selector: format!("--endpoint {wanted}"),
            reason: "the index holds no runs; archive one first".to_string(),
        });
    }
    if rows.iter().any(|r| r.endpoint == wanted) {
        return Ok(wanted.to_string());
    }
    let mut by_name: Vec<&str> = rows
        .iter()
        .filter(|r| r.name == wanted)
        .map(|r| r.endpoint.as_str())
        .collect();
    by_name.sort_unstable();
    by_name.dedup();
    let not_found = |reason: String| ArchiveError::Selector {
        selector: format!("--endpoint {wanted}"),
        reason,
    };
    match by_name.as_slice() {
        [one] => Ok(one.to_string()),
        [] => {
            let mut all: Vec<&str> = rows.iter().map(|r| r.endpoint.as_str()).collect();
            all.sort_unstable();
            all.dedup();
            Err(not_found(format!(
                "no archived run has this endpoint; known: {}",
                all.join(", ")
            )))
        }
        many => Err(not_found(format!(
            "several endpoints have this name ({}); give the method too",
            many.join(", ")
        ))),
    }
}

/// Builds the history of `metric` on `endpoint` from the index rows.
pub fn history(
    rows: &[IndexRow],
    endpoint: &str,
    metric: Metric,
    options: ChangePointOptions,
) -> History {
    // Per run: any row (for the label and time) and the row of the endpoint, if it has one.
    let mut by_run: HashMap<&str, (&IndexRow, Option<&IndexRow>)> = HashMap::new();
    for row in rows {
        let entry = by_run.entry(row.run_id.as_str()).or_insert((row, None));
        if row.endpoint == endpoint {
            entry.1 = Some(row);
        }
    }
    let mut points: Vec<HistoryPoint> = by_run
        .into_iter()
        .map(|(id, (any, row))| HistoryPoint {
            run_id: id.to_string(),
            label: any.label.clone(),
            archived_at: any.archived_at.clone(),
            archived_at_ms: any.archived_at_ms,
            value: row.and_then(|r| metric.of(r)).filter(|v| v.is_finite()),
            change: None,
        })
        .collect();
    points.sort_by(|a, b| (a.archived_at_ms, &a.run_id).cmp(&(b.archived_at_ms, &b.run_id)));
    let valued: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].value.is_some())
        .collect();
    let values: Vec<f64> = valued.iter().filter_map(|&i| points[i].value).collect();
    let options = ChangePointOptions {
        rounded: metric.rounded(),
        ..options
    };
    let runs_needed = options.values_needed();
    let search = ChangePointSearch {
        method: "E-divisive means with Student's t-test (Apache Otava)",
        alpha: options.alpha,
        min_size: options.min_size,
        runs_needed,
        runs_with_value: values.len(),
        note: (values.len() < runs_needed).then(|| {
            format!(
                "change points need at least {runs_needed} runs with a value ({} on each side of a step, --min-size {}); this history has {}",
                options.min_size,
                options.min_size,
                values.len()
            )
        }),
    };
    for cp in change_points(&values, options) {
        let change_pct = (cp.mean_before != 0.0)
            .then(|| (cp.mean_after - cp.mean_before) / cp.mean_before * 100.0);
        if let Some(&i) = valued.get(cp.index) {
            points[i].change = Some(Change {
                mean_before: cp.mean_before,
                mean_after: cp.mean_after,
                change_pct,
                p_value: cp.p_value,
            });
        }
    }
    let change_points = points
        .iter()
        .enumerate()
        .filter_map(|(index, p)| {
            p.change.as_ref().map(|c| ChangePointEntry {
                index,
                run_id: p.run_id.clone(),
                label: p.label.clone(),
                change: c.clone(),
            })
        })
        .collect();
    History {
        endpoint: endpoint.to_string(),
        metric,
        points,
        change_points,
        change_point_search: search,
    }
}

/// A change as one short phrase: `▲ +30.2% (145 ms → 189 ms, p<0.001)`.
pub fn describe(metric: Metric, change: &Change) -> String {
    let arrow = if change.mean_after > change.mean_before {
        "▲"
    } else {
        "▼"
    };
    let pct = change
        .change_pct
        .map_or_else(String::new, |p| format!(" {}", format::signed_pct(p)));
    let p = format::p_value(change.p_value);
    let p = if p.starts_with('<') {
        format!("p{p}")
    } else {
        format!("p={p}")
    };
    format!(
        "{arrow}{pct} ({} → {}, {p})",
        metric.show(change.mean_before),
        metric.show(change.mean_after),
    )
}

/// The history as a table (shared by the text and Markdown forms).
pub fn table(h: &History) -> Table {
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("Run", Align::Left),
        ("Label", Align::Left),
        ("Archived (UTC)", Align::Left),
        (h.metric.name(), Align::Right),
        ("Change point", Align::Left),
    ]);
    for (i, p) in h.points.iter().enumerate() {
        table.row(vec![
            Cell::from((i + 1).to_string()),
            Cell::from(p.run_id.as_str()),
            Cell::from(p.label.as_str()),
            Cell::from(time::short(p.archived_at_ms)),
            Cell::from(
                p.value
                    .map_or_else(|| "-".to_string(), |v| h.metric.show(v)),
            ),
            match &p.change {
                Some(c) => Cell::toned(describe(h.metric, c), Tone::Note),
                None => Cell::from(""),
            },
        ]);
    }
    table
}

/// The heading line above the table.
pub fn heading(h: &History) -> String {
    let changes = match &h.change_point_search.note {
        Some(note) => note.clone(),
        None => format!("{} change point(s)", h.change_points.len()),
    };
    format!(
        "{} of {} across {} archived runs; {changes}",
        h.metric.name(),
        h.endpoint,
        h.points.len(),
    )
}

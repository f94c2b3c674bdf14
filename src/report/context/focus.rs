//! The endpoints a release reviewer looks at first: each regressed or improved endpoint of a
//! comparison (regressed first), with its p50/p95 over time in the baseline and the latest run
//! (each from its own start) and its response-time distribution on both sides.

use serde::Serialize;

use super::{cdf_points, CompareSection, ReportContext};
use crate::compare::{Comparison, Verdict};
use crate::model::{EndpointKey, Run};
use crate::report::history::{endpoint_latencies, LatencySeries};

/// Changed endpoints drawn at most (the rest are in the tables).
pub const MAX_FOCUS: usize = 8;

/// One changed endpoint, baseline against latest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusEndpoint {
    /// An HTML id for links (`focus-1`, …).
    pub id: String,
    /// The endpoint, `METHOD name`.
    pub name: String,
    /// `regressed` or `improved`.
    pub verdict: &'static str,
    /// Its percentile lines over time, one per baseline run (empty without a per-endpoint
    /// history).
    pub baseline: Vec<LatencySeries>,
    /// The same, one per latest run.
    pub latest: Vec<LatencySeries>,
    /// The baseline's distribution from its percentile columns (pooled for a group).
    pub baseline_cdf: Vec<(f64, f64)>,
    /// The latest's.
    pub latest_cdf: Vec<(f64, f64)>,
}

impl FocusEndpoint {
    /// Whether there is anything to draw over time.
    pub fn has_series(&self) -> bool {
        self.baseline
            .iter()
            .chain(&self.latest)
            .any(|s| !s.is_empty())
    }
}

/// The regressed endpoints, then the improved, each in the comparison's order, at most
/// [`MAX_FOCUS`].
fn changed(c: &Comparison) -> Vec<EndpointKey> {
    let of = |v: Verdict| c.endpoints.iter().filter(move |e| e.verdict == v);
    of(Verdict::Regressed)
        .chain(of(Verdict::Improved))
        .take(MAX_FOCUS)
        .map(|e| e.key())
        .collect()
}

/// The changed endpoints of `c`, their series from `baselines` and `latests` (a run each for
/// a single comparison, the group's runs for groups) and their distributions from the runs
/// the tables show (`baseline`, `latest`: pooled for a group).
pub fn focus(
    c: &Comparison,
    baseline: &Run,
    latest: &Run,
    baselines: &[&Run],
    latests: &[&Run],
) -> Vec<FocusEndpoint> {
    let keys = changed(c);
    let refs: Vec<&EndpointKey> = keys.iter().collect();
    let per_run = |runs: &[&Run]| -> Vec<Vec<LatencySeries>> {
        let by_run: Vec<Vec<LatencySeries>> = runs
            .iter()
            .map(|r| {
                if r.has_full_history() {
                    endpoint_latencies(r, &refs)
                } else {
                    vec![LatencySeries::default(); refs.len()]
                }
            })
            .collect();
        (0..refs.len())
            .map(|i| by_run.iter().map(|s| s[i].clone()).collect())
            .collect()
    };
    let base_series = per_run(baselines);
    let latest_series = per_run(latests);
    let cdf = |run: &Run, key: &EndpointKey| {
        run.endpoints
            .iter()
            .find(|e| &e.key == key)
            .map(cdf_points)
            .unwrap_or_default()
    };
    keys.iter()
        .zip(base_series.into_iter().zip(latest_series))
        .enumerate()
        .map(|(i, (key, (b, l)))| FocusEndpoint {
            id: format!("focus-{}", i + 1),
            name: key.to_string(),
            verdict: c
                .endpoints
                .iter()
                .find(|e| &e.key() == key)
                .map_or("", |e| e.verdict.word()),
            baseline: b,
            latest: l,
            baseline_cdf: cdf(baseline, key),
            latest_cdf: cdf(latest, key),
        })
        .collect()
}

impl CompareSection {
    /// What the focus charts say about their data.
    pub(super) fn focus_note(&self, group: bool) -> String {
        if self.focus.is_empty() {
            return String::new();
        }
        let changed = self.badges.iter().filter(|b| b.tone != "note").count();
        let mut note = if self.focus.len() < changed {
            format!(
                "The first {} changed endpoints, regressed first; all are in the tables.",
                self.focus.len()
            )
        } else {
            "Every regressed or improved endpoint, regressed first.".to_string()
        };
        note.push_str(if group {
            " Over time: each run's p95 from its own start, one line per run (series of \
             different runs do not pool). Distribution: each group's pooled percentile columns."
        } else {
            " Over time: p95 (solid) and p50 (dashed) of Locust's current window, each run \
             from its own start; the baseline in grey. Distribution: from each run's percentile \
             columns."
        });
        if self.focus.iter().any(|f| !f.has_series()) {
            note.push_str(
                " An endpoint over time needs Locust's --csv-full-history on both sides; \
                 without it only the distribution is drawn.",
            );
        }
        note
    }
}

impl ReportContext {
    /// Redraws the changed endpoints over time from the runs of each group (`baselines`,
    /// `latests`), one line per run, for a comparison of groups.
    pub fn focus_groups(&mut self, c: &Comparison, baselines: &[Run], latests: &[Run]) {
        let Some(section) = self.comparison.as_mut() else {
            return;
        };
        if baselines.len() < 2 && latests.len() < 2 {
            return;
        }
        let b: Vec<&Run> = baselines.iter().collect();
        let l: Vec<&Run> = latests.iter().collect();
        let (Some(b0), Some(l0)) = (b.first(), l.first()) else {
            return;
        };
        let per_run = focus(c, b0, l0, &b, &l);
        for (f, runs) in section.focus.iter_mut().zip(per_run) {
            f.baseline = runs.baseline;
            f.latest = runs.latest;
        }
        section.focus_note = section.focus_note(true);
        self.assign_colors();
    }
}

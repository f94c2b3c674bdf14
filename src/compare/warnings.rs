//! Reasons two runs may not be comparable. They are reported, never a reason to refuse.

use crate::model::Run;

/// Durations further apart than this ratio are "very different".
const DURATION_RATIO: f64 = 1.5;
/// Request mixes whose total-variation distance exceeds this are "very different".
const MIX_DISTANCE: f64 = 0.2;

/// A side's set-up as the warnings compare it: for a group, the peak over its runs and their
/// mean duration (a pooled run's own duration would be the sum over its runs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Setup {
    /// Peak user count.
    pub users: Option<u64>,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
}

impl Setup {
    /// One run's set-up.
    pub(super) fn of(run: &Run) -> Self {
        Self {
            users: run.peak_users(),
            duration_s: run.duration_s(),
        }
    }
}

/// Lists what differs between the runs' set-ups: user counts, durations, request mixes.
pub(super) fn comparability(baseline: &Run, latest: &Run) -> Vec<String> {
    comparability_of(Setup::of(baseline), Setup::of(latest), baseline, latest)
}

/// [`comparability`] with the set-ups given apart from the runs whose request mixes are
/// compared (for groups: their pooled runs).
pub(super) fn comparability_of(b: Setup, l: Setup, baseline: &Run, latest: &Run) -> Vec<String> {
    let mut warnings = Vec::new();
    if let (Some(b), Some(l)) = (b.users, l.users) {
        if b != l {
            warnings.push(format!(
                "different user counts: baseline peaked at {b} users, latest at {l}"
            ));
        }
    }
    if let (Some(b), Some(l)) = (b.duration_s, l.duration_s) {
        if b > 0.0 && l > 0.0 && (b / l).max(l / b) > DURATION_RATIO {
            warnings.push(format!(
                "very different durations: baseline {b:.0} s, latest {l:.0} s"
            ));
        }
    }
    let distance = mix_distance(baseline, latest);
    if distance > MIX_DISTANCE {
        warnings.push(format!(
            "very different request mixes: {:.0} % of requests would have to move between \
             endpoints to make them match",
            distance * 100.0
        ));
    }
    warnings
}

/// Total-variation distance between the two runs' shares of requests per endpoint (0 = same
/// mix, 1 = disjoint).
pub(super) fn mix_distance(baseline: &Run, latest: &Run) -> f64 {
    let share = |run: &Run, requests: u64| {
        let total: u64 = run.endpoints.iter().map(|e| e.requests).sum();
        if total == 0 {
            0.0
        } else {
            requests as f64 / total as f64
        }
    };
    let mut sum = 0.0;
    for b in &baseline.endpoints {
        let l = latest.endpoint(&b.key).map_or(0, |e| e.requests);
        sum += (share(baseline, b.requests) - share(latest, l)).abs();
    }
    for l in &latest.endpoints {
        if baseline.endpoint(&l.key).is_none() {
            sum += share(latest, l.requests);
        }
    }
    sum / 2.0
}

/// Runs that appear on both sides: the same file, or the same recorded numbers under another
/// name (a copy). Comparing a run with itself shows no change whatever the build did.
pub(super) fn same_runs(baseline: &[Run], latest: &[Run]) -> Vec<String> {
    // Each file resolved once, not once per pair.
    let real = |runs: &[Run]| -> Vec<std::path::PathBuf> {
        runs.iter()
            .map(|r| {
                r.files
                    .stats
                    .canonicalize()
                    .unwrap_or_else(|_| r.files.stats.clone())
            })
            .collect()
    };
    let (real_b, real_l) = (real(baseline), real(latest));
    let same_numbers = |b: &Run, l: &Run| {
        b.aggregated.requests > 0 && b.aggregated == l.aggregated && b.endpoints == l.endpoints
    };
    let mut warnings = Vec::new();
    for (b, path_b) in baseline.iter().zip(&real_b) {
        for (l, path_l) in latest.iter().zip(&real_l) {
            if path_b == path_l {
                warnings.push(format!(
                    "the same run is on both sides ({}): it cannot show a change",
                    b.files.stats.display()
                ));
            } else if same_numbers(b, l) {
                warnings.push(format!(
                    "runs {} and {} have identical numbers (a copy of one run?): they cannot show a \
                     change",
                    b.files.stats.display(),
                    l.files.stats.display()
                ));
            }
        }
    }
    warnings
}

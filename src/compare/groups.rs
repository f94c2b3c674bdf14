//! Comparing sides of one or more runs: the run, not the request, is the unit of replication.
//!
//! Each run contributes one value per endpoint and metric (its p95, its average, its
//! throughput…) with that value's within-run sampling variance; the deciding test is the
//! moderated random-effects t-test of [`crate::stats::shift_test`] on the log values (response
//! times and throughputs change multiplicatively), which adds a between-run variance — the
//! groups' own, moderated by the measured drift allowance ([`super::DriftAllowance`]) — to the
//! runs' sampling noise. Failure rates are tested as counts
//! ([`crate::stats::rate_difference`], quasi-binomial). With one run a side the same model runs
//! on the drift allowance alone. The values shown are each side's run, or the group pooled
//! ([`crate::group::pool`]); materiality is judged on them, and p-values are Holm-corrected
//! across endpoints × metrics. The Mann–Whitney U test is reported beside groups for reference.

use super::metric::{measure, Side};
use super::options::{CompareOptions, Metric};
use super::{apply_correction, decide, failures, warnings, Comparison, EndpointComparison};
use super::{Mode, RunInfo, Verdict};
use std::borrow::Cow;

use crate::apdex::ApdexChange;
use crate::group::{pool, pools_exactly, spreads};
use crate::model::{EndpointKey, EndpointStats, Run};
use crate::stats::{mann_whitney_min_p, mann_whitney_u};

/// Compares two groups of runs (one run a side included). `None` when a side has no run.
pub fn compare_groups(
    baseline: &[Run],
    latest: &[Run],
    options: &CompareOptions,
    skip_warmup_s: Option<f64>,
) -> Option<Comparison> {
    compare_and_pool(baseline, latest, options, skip_warmup_s).map(|(c, _, _)| c)
}

/// [`compare_groups`], also handing back what each side was judged as: the run itself when a
/// side has one run, else the pooled run (so a report shows the same numbers without pooling
/// again).
pub fn compare_and_pool<'a>(
    baseline: &'a [Run],
    latest: &'a [Run],
    options: &CompareOptions,
    skip_warmup_s: Option<f64>,
) -> Option<(Comparison, Cow<'a, Run>, Cow<'a, Run>)> {
    let shown = |runs: &'a [Run]| -> Option<Cow<'a, Run>> {
        match runs {
            [] => None,
            [one] => Some(Cow::Borrowed(one)),
            _ => pool(runs, &group_name(runs)).map(Cow::Owned),
        }
    };
    let (shown_b, shown_l) = (shown(baseline)?, shown(latest)?);
    let single = baseline.len() == 1 && latest.len() == 1;
    let exact = single || (pools_exactly(baseline) && pools_exactly(latest));

    let sides = Sides {
        baseline,
        latest,
        shown_b: &shown_b,
        shown_l: &shown_l,
        exact,
    };
    let mut endpoints: Vec<EndpointComparison> = Vec::new();
    let mut apdex = Vec::new();
    let keys = shown_b.endpoints.iter().map(|e| &e.key).chain(
        shown_l
            .endpoints
            .iter()
            .map(|e| &e.key)
            .filter(|k| shown_b.endpoint(k).is_none()),
    );
    for key in keys {
        let (e, a) = sides.endpoint(key, options);
        endpoints.push(e);
        apdex.push(a);
    }
    let (mut aggregated, a) = sides.endpoint(&EndpointKey::aggregated(), options);
    apdex.push(a);
    let tests_performed = apply_correction(&mut endpoints, &mut aggregated, options);
    for e in endpoints.iter_mut().chain(std::iter::once(&mut aggregated)) {
        decide(e, options, tests_performed);
    }
    let empty = empty_runs(baseline, latest);
    let regressed = !empty.is_empty()
        || aggregated.verdict == Verdict::Regressed
        || endpoints.iter().any(|e| e.verdict == Verdict::Regressed);

    let (info_b, info_l) = if single {
        let info = |run: &Run| {
            let mut info = RunInfo::of(run);
            if skip_warmup_s.is_some() {
                info.steady = crate::steady::steady_window(run, skip_warmup_s);
            }
            info
        };
        (info(&baseline[0]), info(&latest[0]))
    } else {
        (
            group_info(baseline, &shown_b, skip_warmup_s),
            group_info(latest, &shown_l, skip_warmup_s),
        )
    };
    let mut warnings = warnings::same_runs(baseline, latest);
    warnings.extend(if single {
        warnings::comparability(&baseline[0], &latest[0])
    } else {
        group_warnings(&info_b, &info_l, &sides)
    });
    let comparison = Comparison {
        perfreport_version: env!("CARGO_PKG_VERSION"),
        mode: if single { Mode::Single } else { Mode::Groups },
        regressed,
        baseline: info_b,
        latest: info_l,
        options: options.clone(),
        tests_performed,
        aggregated,
        endpoints,
        failures: failures::compare_failures(&shown_b, &shown_l, options.alpha),
        spreads_baseline: if single {
            Vec::new()
        } else {
            spreads(baseline, &shown_b)
        },
        spreads_latest: if single {
            Vec::new()
        } else {
            spreads(latest, &shown_l)
        },
        notes: notes(baseline.len(), latest.len(), exact, options),
        warnings,
        empty_runs: empty,
        apdex,
    };
    Some((comparison, shown_b, shown_l))
}

/// Runs that recorded no request at all: nothing about them can pass a gate.
fn empty_runs(baseline: &[Run], latest: &[Run]) -> Vec<String> {
    let named = |side: &str, runs: &[Run]| -> Vec<String> {
        runs.iter()
            .filter(|r| r.aggregated.requests == 0)
            .map(|r| {
                format!(
                    "{side} run {} ({}) recorded no requests: nothing can be judged, so the gate fails",
                    r.files.name,
                    r.files.stats.display()
                )
            })
            .collect()
    };
    let mut out = named("baseline", baseline);
    out.extend(named("latest", latest));
    out
}

/// What the reader should know about the method for these group sizes.
fn notes(nb: usize, nl: usize, exact: bool, options: &CompareOptions) -> Vec<String> {
    let mut notes = Vec::new();
    let drift = &options.drift;
    let resid = (nb + nl).saturating_sub(2);
    if let Some(reference) = &options.reference {
        notes.push(format!(
            "run-to-run drift measured endpoint by endpoint on {} reference runs (--drift-from: \
             {}), joined to the drift allowance ({} degrees of freedom){}",
            reference.runs,
            reference.names.join(", "),
            drift.prior_df,
            if resid > 0 {
                format!(" and the groups' own spread ({resid} degrees of freedom)")
            } else {
                String::new()
            }
        ));
    } else if resid == 0 {
        notes.push(format!(
            "one run per side (n = 1): run-to-run drift cannot be measured, so verdicts assume \
             the drift allowance measured on perfreport's A/A battery (between-run sd of p50 \
             {:.0} % + {:.1} ms, p95 {:.0} % + {:.1} ms; --drift scales it); repeat each side 3 \
             or more times to measure your own",
            drift.relative[1] * 100.0,
            drift.absolute_ms[1],
            drift.relative[2] * 100.0,
            drift.absolute_ms[2],
        ));
    } else {
        notes.push(format!(
            "{nb} vs {nl} runs: each run is one sample; the between-run variance is the groups' \
             own ({resid} degrees of freedom) moderated by the drift allowance ({} degrees of \
             freedom)",
            drift.prior_df
        ));
    }
    if nb >= 2 && nl >= 2 {
        let floor = mann_whitney_min_p(nb, nl);
        if floor >= options.alpha {
            notes.push(format!(
                "Mann–Whitney U (MW p) is shown for reference only: with {nb} vs {nl} runs its \
                 exact two-sided p cannot go below {floor:.3}; with tied run values the shown p \
                 is its normal approximation"
            ));
        }
    }
    if nb > 1 || nl > 1 {
        notes.push(if exact {
            "percentiles of a group come from the runs' summed histograms (exact, as Locust computes them)"
                .to_string()
        } else {
            "percentiles of a group are pooled from each run's percentile columns (approximate, ≈); \
             record Locust with --json-file PREFIX (or use perfreport run) for exact pooling"
                .to_string()
        });
    }
    notes.push(
        "intervals in tables are adjusted for the multiple-testing correction (they exclude 0 \
         exactly when the corrected p is below alpha); JSON also gives the unadjusted 95 % ones"
            .to_string(),
    );
    notes
}

fn group_warnings(info_b: &RunInfo, info_l: &RunInfo, sides: &Sides) -> Vec<String> {
    let setup = |info: &RunInfo| warnings::Setup {
        users: info.users,
        duration_s: info.duration_s,
    };
    let mut out =
        warnings::comparability_of(setup(info_b), setup(info_l), sides.shown_b, sides.shown_l);
    for (side, runs) in [("baseline", sides.baseline), ("latest", sides.latest)] {
        if let Some(first) = runs.first() {
            for w in runs
                .iter()
                .skip(1)
                .flat_map(|r| warnings::comparability(first, r))
            {
                out.push(format!("within the {side} group: {w}"));
            }
        }
    }
    out
}

fn group_name(runs: &[Run]) -> String {
    let names: Vec<&str> = runs.iter().map(|r| r.files.name.as_str()).collect();
    let noun = if runs.len() == 1 { "run" } else { "runs" };
    format!("{} {noun} ({})", runs.len(), names.join(", "))
}

fn group_info(runs: &[Run], pooled: &Run, skip_warmup_s: Option<f64>) -> RunInfo {
    let mut info = RunInfo::of(pooled);
    info.runs = runs.len();
    info.duration_s = mean(runs.iter().filter_map(Run::duration_s));
    info.users = runs.iter().filter_map(Run::peak_users).max();
    info.steady = None;
    info.run_steady = runs
        .iter()
        .map(|r| crate::steady::steady_window(r, skip_warmup_s))
        .collect();
    info
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Both sides of a comparison: the runs, and what each side shows.
struct Sides<'a> {
    baseline: &'a [Run],
    latest: &'a [Run],
    shown_b: &'a Run,
    shown_l: &'a Run,
    exact: bool,
}

impl Sides<'_> {
    /// One endpoint's comparison, and its APDEX on both sides as the sides counted it.
    fn endpoint(
        &self,
        key: &EndpointKey,
        options: &CompareOptions,
    ) -> (EndpointComparison, ApdexChange) {
        let (b, l) = (self.shown_b.endpoint(key), self.shown_l.endpoint(key));
        let verdict = match (b, l) {
            (Some(_), None) => Verdict::Removed,
            (None, Some(_)) => Verdict::New,
            _ => Verdict::Unchanged,
        };
        fn rows<'r>(runs: &'r [Run], key: &EndpointKey) -> Vec<(&'r Run, &'r EndpointStats)> {
            runs.iter()
                .filter_map(|r| r.endpoint(key).map(|s| (r, s)))
                .collect()
        }
        let (rows_b, rows_l) = (rows(self.baseline, key), rows(self.latest, key));
        let t_ms = options.apdex.t_for(key);
        let side_b = b.map(|s| Side::new((self.shown_b, s), &rows_b, t_ms));
        let side_l = l.map(|s| Side::new((self.shown_l, s), &rows_l, t_ms));
        let groups = self.baseline.len() > 1 || self.latest.len() > 1;
        let metrics = Metric::JUDGED
            .iter()
            .map(|&m| {
                let mut found = measure(key, m, side_b.as_ref(), side_l.as_ref(), options);
                found.approximate |= groups && !self.exact && m.level().is_some_and(|l| l < 1.0);
                found.n_baseline = self.baseline.len();
                found.n_latest = self.latest.len();
                if let (true, Some(_), Some(sb), Some(sl)) = (groups, found.test, &side_b, &side_l)
                {
                    found.p_mann_whitney =
                        mann_whitney_u(&sb.samples(m), &sl.samples(m)).map(|r| r.p_value);
                }
                found
            })
            .collect();
        let apdex = ApdexChange::of(
            key,
            side_b.as_ref().and_then(|s| s.shown_apdex(t_ms)),
            side_l.as_ref().and_then(|s| s.shown_apdex(t_ms)),
        );
        let endpoint = EndpointComparison {
            method: key.method.clone(),
            name: key.name.clone(),
            verdict,
            requests_baseline: b.map(|s| s.requests),
            requests_latest: l.map(|s| s.requests),
            metrics,
        };
        (endpoint, apdex)
    }
}

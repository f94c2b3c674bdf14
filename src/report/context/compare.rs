//! The comparison's part of the report context: verdict badges, the tables of `compare`,
//! baseline-vs-latest bars and both runs' time series.

use serde::Serialize;

use super::focus::{focus, FocusEndpoint};
use super::{verdict_class, Fact, HtmlTable, MAX_BARS};
use crate::compare::{Comparison, EndpointComparison, Verdict};
use crate::metric::Metric;
use crate::model::{EndpointKey, Run};
use crate::report::history::Timeline;
use crate::report::tables;

/// A baseline/latest pair of bars.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairBar {
    /// The endpoint, `METHOD name`.
    pub label: String,
    /// Baseline value, ms (absent for a new endpoint).
    pub baseline: Option<f64>,
    /// Latest value, ms (absent for a removed endpoint).
    pub latest: Option<f64>,
    /// The endpoint's verdict word.
    pub verdict: &'static str,
}

/// The comparison against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareSection {
    /// True when anything regressed.
    pub regressed: bool,
    /// The verdict sentence the text formats print.
    pub verdict_line: String,
    /// The baseline's one-line description.
    pub baseline_line: String,
    /// The latest run's one-line description.
    pub latest_line: String,
    /// Reasons the runs may not be comparable.
    pub warnings: Vec<String>,
    /// How groups of runs were judged (the tests' limits at this n, how percentiles pooled).
    pub notes: Vec<String>,
    /// Endpoints whose verdict is not `unchanged`, as badges.
    pub badges: Vec<Fact>,
    /// How many endpoints are unchanged (not given a badge).
    pub unchanged: usize,
    /// The per-endpoint overview with verdicts.
    pub overview: HtmlTable,
    /// What `~`, `?` and `-` mean, and the settings.
    pub legend: String,
    /// Material changes with intervals and p-values.
    pub details: HtmlTable,
    /// Every metric of every endpoint.
    pub all_metrics: HtmlTable,
    /// Error signatures that are new, gone or more frequent.
    pub failure_changes: Option<HtmlTable>,
    /// Baseline vs latest median per endpoint.
    pub p50_bars: Vec<PairBar>,
    /// Baseline vs latest p95 per endpoint.
    pub p95_bars: Vec<PairBar>,
    /// Which endpoints the bars show.
    pub bars_note: String,
    /// The baseline's time series, overlaid on the latest's.
    pub baseline_timeline: Option<Timeline>,
    /// The latest run's time series.
    pub latest_timeline: Option<Timeline>,
    /// The regressed and improved endpoints, each drawn baseline against latest.
    pub focus: Vec<FocusEndpoint>,
    /// What the focus charts show and how.
    pub focus_note: String,
}

impl CompareSection {
    /// The section of `c`; `latest_timeline` is the latest run's, already computed for its
    /// own section.
    pub fn of(
        baseline: &Run,
        latest: &Run,
        latest_timeline: Option<Timeline>,
        c: &Comparison,
    ) -> Self {
        let badges: Vec<Fact> = c
            .endpoints
            .iter()
            .chain(Some(&c.aggregated))
            .filter(|e| e.verdict != Verdict::Unchanged)
            .map(|e| {
                Fact::toned(
                    &e.key().to_string(),
                    e.verdict.word(),
                    verdict_class(e.verdict.word()),
                )
            })
            .collect();
        let failure_table = tables::failure_changes(c);
        let (p50_bars, p95_bars, bars_note) = pair_bars(c);
        let mut section = Self {
            regressed: c.regressed,
            verdict_line: tables::verdict_line(c),
            baseline_line: tables::run_line("Baseline", &c.baseline),
            latest_line: tables::run_line("Latest", &c.latest),
            warnings: c.empty_runs.iter().chain(&c.warnings).cloned().collect(),
            notes: c.notes.clone(),
            unchanged: c.count(Verdict::Unchanged),
            badges,
            overview: HtmlTable::from_table(&tables::overview(c), Some("Verdict")),
            legend: tables::legend(c),
            details: HtmlTable::from_table(&tables::details(c, false), None),
            all_metrics: HtmlTable::from_table(&tables::details(c, true), None).grouped(),
            failure_changes: (!failure_table.is_empty())
                .then(|| HtmlTable::from_table(&failure_table, None)),
            p50_bars,
            p95_bars,
            bars_note,
            baseline_timeline: Timeline::of(baseline),
            latest_timeline,
            focus: focus(c, baseline, latest, &[baseline], &[latest]),
            focus_note: String::new(),
        };
        section.focus_note = section.focus_note(false);
        section
    }
}

/// Baseline vs latest bars: endpoints with a verdict other than unchanged first, then the most
/// requested, at most [`MAX_BARS`].
fn pair_bars(c: &Comparison) -> (Vec<PairBar>, Vec<PairBar>, String) {
    let mut chosen: Vec<&EndpointComparison> = c.endpoints.iter().collect();
    chosen.sort_by_key(|e| {
        (
            e.verdict == Verdict::Unchanged,
            std::cmp::Reverse(e.requests_latest.or(e.requests_baseline).unwrap_or(0)),
        )
    });
    chosen.truncate(MAX_BARS);
    let bars = |metric: Metric| -> Vec<PairBar> {
        chosen
            .iter()
            .filter_map(|e| {
                let m = e.metric(metric)?;
                (m.baseline.is_some() || m.latest.is_some()).then(|| PairBar {
                    label: EndpointKey::new(e.method.clone(), e.name.clone()).to_string(),
                    baseline: m.baseline,
                    latest: m.latest,
                    verdict: e.verdict.word(),
                })
            })
            .collect()
    };
    let note = if c.endpoints.len() > chosen.len() {
        format!(
            "{} of {} endpoints: those with a verdict first, then the most requested.",
            chosen.len(),
            c.endpoints.len()
        )
    } else {
        format!("All {} endpoints.", c.endpoints.len())
    };
    (bars(Metric::P50), bars(Metric::P95), note)
}

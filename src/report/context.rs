//! The HTML report's context: every number, label and table cell the template shows, computed
//! beforehand from the same [`RunSummary`], [`Run`] and [`Comparison`] the text formats render.
//!
//! The template only loops and branches over this; tables come from [`super::tables`], so a
//! cell reads the same in the terminal, in Markdown and in the HTML report. It is serialisable
//! so tests can snapshot it instead of the SVG bytes.

use serde::Serialize;

mod compare;
mod focus;
mod group;
mod meta;
mod sla;
mod verdict;

pub use compare::{CompareSection, PairBar};
pub use focus::{FocusEndpoint, MAX_FOCUS};
pub use meta::TargetFacts;
pub use sla::SlaSection;
pub use verdict::{TopVerdict, VerdictPart};

use super::history::{endpoint_latencies, LatencySeries, Timeline};
use super::table::{Align, Table, Tone};
use super::{charts, format};
use super::{stage_tables, tables};
use crate::compare::Comparison;
use crate::model::{EndpointKey, EndpointStats, ExceptionRow, Run};
use crate::summary::RunSummary;

/// Per-endpoint latency small multiples shown at most (the most requested endpoints).
pub const MAX_SMALL_MULTIPLES: usize = 8;
/// Endpoints shown at most in a bar chart (the slowest, or the most telling in a comparison).
pub const MAX_BARS: usize = 30;
/// Endpoint curves in the distribution chart besides Aggregated (the most requested).
pub const MAX_CDF_ENDPOINTS: usize = 4;

/// Everything the report template shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportContext {
    /// The page title.
    pub title: String,
    /// perfreport's version, printed in the footer.
    pub perfreport_version: &'static str,
    /// The SLA checklist of each run checked, when `--sla` was given.
    pub sla: Vec<SlaSection>,
    /// The comparison against a baseline, when `--baseline` was given.
    pub comparison: Option<CompareSection>,
    /// One section per run (the latest run when comparing).
    pub runs: Vec<RunSection>,
    /// Each endpoint's colour, the same in every chart of the page.
    pub colors: charts::EndpointPalette,
}

/// A labelled value: a run fact or a headline number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    /// What the value is.
    pub label: String,
    /// The value, formatted.
    pub value: String,
    /// A CSS tone: empty, `bad`, `good` or `note`.
    pub tone: &'static str,
}

impl Fact {
    fn new(label: &str, value: impl Into<String>) -> Self {
        Self {
            label: label.to_string(),
            value: value.into(),
            tone: "",
        }
    }

    fn toned(label: &str, value: impl Into<String>, tone: &'static str) -> Self {
        Self {
            tone,
            ..Self::new(label, value)
        }
    }
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// The header text.
    pub title: String,
    /// Right-aligned number column.
    pub numeric: bool,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HtmlCell {
    /// The text (escaped by the template).
    pub text: String,
    /// CSS classes: a tone (`bad`, `good`, `note`, `strong`), or `badge` and a tone.
    pub class: String,
}

/// A table, cell for cell the one the terminal and Markdown formats print.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HtmlTable {
    /// The columns.
    pub columns: Vec<Column>,
    /// 1-based positions of the right-aligned number columns (styled per table, not per
    /// cell, which keeps a 1,400-row table small).
    pub numeric_columns: Vec<usize>,
    /// The rows.
    pub rows: Vec<Vec<HtmlCell>>,
}

impl HtmlTable {
    /// Converts a shared table; cells of the column titled `badge_column` become badges.
    pub fn from_table(table: &Table, badge_column: Option<&str>) -> Self {
        let columns: Vec<Column> = table
            .headers()
            .iter()
            .map(|(title, align)| Column {
                title: title.clone(),
                numeric: *align == Align::Right,
            })
            .collect();
        let numeric_columns = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.numeric)
            .map(|(i, _)| i + 1)
            .collect();
        let rows = table
            .rows()
            .iter()
            .map(|cells| {
                cells
                    .iter()
                    .zip(&columns)
                    .map(|(cell, col)| {
                        let class = if badge_column == Some(col.title.as_str()) {
                            format!("badge {}", verdict_class(&cell.text))
                        } else {
                            tone_class(cell.tone).to_string()
                        };
                        HtmlCell {
                            text: cell.text.clone(),
                            class,
                        }
                    })
                    .collect()
            })
            .collect();
        Self {
            columns,
            numeric_columns,
            rows,
        }
    }

    /// Leaves the first cell blank where it repeats the row above, so a long table grouped
    /// by endpoint names each endpoint once (and stays small).
    pub fn grouped(mut self) -> Self {
        let mut previous: Option<String> = None;
        for row in &mut self.rows {
            if let Some(first) = row.first_mut() {
                if previous.as_deref() == Some(first.text.as_str()) {
                    first.text.clear();
                } else {
                    previous = Some(first.text.clone());
                }
            }
        }
        self
    }
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "",
        Tone::Bad => "bad",
        Tone::Good => "good",
        Tone::Note => "note",
        Tone::Strong => "strong",
    }
}

fn verdict_class(word: &str) -> &'static str {
    match word {
        "regressed" => "bad",
        "improved" => "good",
        "new" | "removed" => "note",
        _ => "plain",
    }
}

/// A named line set: one endpoint's latency over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedLatency {
    /// The endpoint, `METHOD name`.
    pub name: String,
    /// Its percentile lines.
    pub series: LatencySeries,
}

/// One bar of a bar chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    /// The endpoint, `METHOD name`.
    pub label: String,
    /// The value, ms.
    pub value: f64,
}

/// A response-time distribution rebuilt from the percentile columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CdfCurve {
    /// Whose distribution, `METHOD name` or `Aggregated`.
    pub label: String,
    /// `(ms, fraction of requests at or below)` points, from the minimum (0) to the maximum (1).
    pub points: Vec<(f64, f64)>,
}

/// One run's section of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSection {
    /// An HTML id for links (`run-1`, …).
    pub id: String,
    /// The run's short name.
    pub name: String,
    /// Start, end, duration, users, spawn rate, files.
    pub facts: Vec<Fact>,
    /// Requests, failures, throughput, percentiles.
    pub headline: Vec<Fact>,
    /// Locust's request statistics table, with each endpoint's APDEX.
    pub requests: HtmlTable,
    /// What the APDEX column means (its T, exact or ≈).
    pub apdex_note: String,
    /// Locust's percentile table.
    pub percentiles: HtmlTable,
    /// The most frequent failures, when anything failed.
    pub failures: Option<HtmlTable>,
    /// "top 10 of 14 kinds" and the like.
    pub failures_note: String,
    /// The most frequent exceptions, with tracebacks.
    pub exceptions: Vec<ExceptionRow>,
    /// The Aggregated time series, when the run has a history.
    pub timeline: Option<Timeline>,
    /// What the history's columns mean (window vs whole run), and any thinning.
    pub timeline_note: String,
    /// Per-endpoint latency over time, when the history has endpoint rows.
    pub endpoint_latency: Vec<NamedLatency>,
    /// Which endpoints the small multiples show.
    pub endpoint_latency_note: String,
    /// p95 per endpoint, slowest first.
    pub p95_bars: Vec<Bar>,
    /// Which endpoints the bars show.
    pub p95_note: String,
    /// Distribution curves: Aggregated, then the most requested endpoints.
    pub cdf: Vec<CdfCurve>,
    /// The stages of a stepped run, when it has two or more.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<crate::stages::Stage>,
    /// The stages table, with its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages_table: Option<(String, HtmlTable)>,
    /// The drift of a long run over its steady window, with its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_table: Option<(String, HtmlTable)>,
}

impl ReportContext {
    /// The report of one or more runs, each in its own section.
    pub fn of_runs(runs: &[Run], title: Option<&str>) -> Self {
        let default_title = match runs {
            [run] => format!("Load test report: {}", run.files.name),
            _ => format!("Load test report: {} runs", runs.len()),
        };
        let mut ctx = Self {
            title: title.map_or(default_title, str::to_string),
            perfreport_version: env!("CARGO_PKG_VERSION"),
            sla: Vec::new(),
            comparison: None,
            runs: runs
                .iter()
                .enumerate()
                .map(|(i, r)| RunSection::of(r, i + 1))
                .collect(),
            colors: charts::EndpointPalette::default(),
        };
        ctx.assign_colors();
        ctx
    }

    /// The report of `latest` compared against `baseline`.
    pub fn compared(
        baseline: &Run,
        latest: &Run,
        comparison: &Comparison,
        title: Option<&str>,
    ) -> Self {
        let default_title = format!(
            "Load test report: {} vs baseline {}",
            latest.files.name, baseline.files.name
        );
        let section = RunSection::of(latest, 1);
        let latest_timeline = section.timeline.clone();
        let mut ctx = Self {
            title: title.map_or(default_title, str::to_string),
            perfreport_version: env!("CARGO_PKG_VERSION"),
            sla: Vec::new(),
            comparison: Some(CompareSection::of(
                baseline,
                latest,
                latest_timeline,
                comparison,
            )),
            runs: vec![section],
            colors: charts::EndpointPalette::default(),
        };
        ctx.assign_colors();
        ctx
    }

    /// Gives each endpoint a chart draws its colour, once for the page: the first run's
    /// distribution curves first (so the curves of that chart never share a colour), then the
    /// changed endpoints of a comparison, the small multiples, and the other runs' curves.
    pub fn assign_colors(&mut self) {
        let mut colors = charts::EndpointPalette::default();
        let cdf = |r: &RunSection| r.cdf.iter().map(|c| c.label.clone()).collect::<Vec<_>>();
        if let Some(first) = self.runs.first() {
            colors.add(cdf(first).iter().map(String::as_str));
        }
        if let Some(c) = &self.comparison {
            colors.add(c.focus.iter().map(|f| f.name.as_str()));
        }
        for run in &self.runs {
            colors.add(run.endpoint_latency.iter().map(|e| e.name.as_str()));
        }
        for run in &self.runs {
            colors.add(cdf(run).iter().map(String::as_str));
        }
        self.colors = colors;
    }
}

impl RunSection {
    /// Recomputes the APDEX column of this section (of `run`) at the targets' T.
    pub fn set_apdex(&mut self, run: &Run, targets: &crate::apdex::ApdexTargets) {
        let summary = RunSummary::of_with(run, None, targets, crate::stages::DEFAULT_MIN_STAGE_S);
        self.requests = HtmlTable::from_table(&tables::requests(&summary), None);
        self.apdex_note = super::apdex::apdex_note(&summary);
    }

    /// The section of one run; `index` numbers the HTML id.
    pub fn of(run: &Run, index: usize) -> Self {
        let mut summary = RunSummary::of(run, None);
        // Exact stage percentiles when the driver wrote stage histograms; a file that cannot
        // be read leaves the history's approximate ones (`summary` reports the error).
        if let Ok(exact) = crate::stages::exact_where_recorded(run, summary.stages.clone()) {
            summary.stages = exact;
        }
        let timeline = Timeline::of(run);
        let (endpoint_latency, endpoint_latency_note) = small_multiples(run);
        let (p95_bars, p95_note) = p95_bars(run);
        let failures = (!summary.top_failures.is_empty())
            .then(|| HtmlTable::from_table(&tables::failures(&summary), None));
        Self {
            id: format!("run-{index}"),
            name: run.files.name.clone(),
            facts: facts(run),
            headline: headline(&summary, run),
            requests: HtmlTable::from_table(&tables::requests_with_sizes(&summary, run), None),
            apdex_note: super::apdex::apdex_note(&summary),
            percentiles: HtmlTable::from_table(&tables::percentiles(&summary), None),
            failures,
            failures_note: format!(
                "top {} of {} kinds",
                summary.top_failures.len(),
                summary.failure_kinds
            ),
            exceptions: summary.exceptions.clone(),
            timeline_note: timeline_note(timeline.as_ref()),
            timeline,
            endpoint_latency,
            endpoint_latency_note,
            p95_bars,
            p95_note,
            cdf: cdf_curves(run),
            stages_table: (!summary.stages.is_empty()).then(|| {
                (
                    stage_tables::stages_title(&summary.stages).to_string(),
                    HtmlTable::from_table(&stage_tables::stages(&summary.stages), None),
                )
            }),
            drift_table: summary.endurance.as_ref().map(|e| {
                (
                    stage_tables::drift_title(e),
                    HtmlTable::from_table(&stage_tables::drift(e), None),
                )
            }),
            stages: summary.stages,
        }
    }
}

fn facts(run: &Run) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some((first, last)) = run.history.time_range() {
        facts.push(Fact::new("Start", crate::time::readable(first)));
        facts.push(Fact::new("End", crate::time::readable(last)));
    }
    if let Some(d) = run.duration_s() {
        facts.push(Fact::new("Duration", format::duration(d)));
    }
    if let Some(u) = run.peak_users() {
        facts.push(Fact::new("Users (peak)", u.to_string()));
    }
    if let Some(rate) = spawn_rate(run) {
        facts.push(Fact::new(
            "Spawn rate",
            format!("≈ {} users/s (from the history)", charts::tick(rate)),
        ));
    }
    facts.push(Fact::new("History", history_kind(run)));
    facts.push(Fact::new(
        "Stats file",
        run.files.stats.display().to_string(),
    ));
    facts.extend(meta::archived_facts(run));
    facts.push(meta::not_recorded());
    facts
}

/// What history a run has, as its facts say.
fn history_kind(run: &Run) -> &'static str {
    match (run.history.is_empty(), run.has_full_history()) {
        (true, _) => "none (no _stats_history.csv)",
        (false, true) => "per endpoint (--csv-full-history)",
        (false, false) => "Aggregated only",
    }
}

fn headline(summary: &RunSummary, run: &Run) -> Vec<Fact> {
    let a = &summary.aggregated;
    let fail_tone = if a.failures > 0 { "bad" } else { "" };
    let pct = |level: f64| format!("{} ms", format::opt_ms(run.aggregated.percentile(level)));
    vec![
        Fact::new("Requests", a.requests.to_string()),
        Fact::toned(
            "Failures",
            format!("{} ({})", a.failures, format::percent(a.failure_rate)),
            fail_tone,
        ),
        Fact::new("Throughput", format!("{} req/s", format::rps(a.rps))),
        Fact::new("p50", pct(0.5)),
        Fact::new("p95", pct(0.95)),
        Fact::new("p99", pct(0.99)),
    ]
}

/// Users added per second while ramping up: the users at the first peak row over the seconds
/// it took to get there.
fn spawn_rate(run: &Run) -> Option<f64> {
    let rows: Vec<_> = run
        .history
        .points(&crate::model::EndpointKey::aggregated())
        .collect();
    let first = rows.first()?;
    let peak = run.peak_users()?;
    let reached = rows.iter().find(|r| r.user_count == peak)?;
    let secs = (reached.timestamp - first.timestamp) as f64;
    let added = peak.saturating_sub(first.user_count) as f64;
    (secs > 0.0 && added > 0.0).then(|| added / secs)
}

fn timeline_note(timeline: Option<&Timeline>) -> String {
    let Some(t) = timeline else {
        return "The run has no _stats_history.csv, so there are no charts over time.".to_string();
    };
    let mut note = "Requests/s, failures/s and the percentiles over time are Locust's current \
                    values: in Locust 2.x a window of about the last 10 seconds (in 1.x the \
                    whole run so far); rows where the window held no request yet are left out. \
                    The tables below are whole-run figures."
        .to_string();
    if let Some(n) = t.rows_per_point {
        note.push_str(&format!(
            " Lines are thinned: each point stands for up to {n} seconds (the mean of \
             requests/s, the largest percentile and failures/s)."
        ));
    }
    note
}

fn small_multiples(run: &Run) -> (Vec<NamedLatency>, String) {
    if !run.has_full_history() {
        return (Vec::new(), String::new());
    }
    let mut by_requests: Vec<&EndpointStats> = run.endpoints.iter().collect();
    by_requests.sort_by_key(|e| std::cmp::Reverse(e.requests));
    // A few spare candidates, in case some endpoints have no history rows with data.
    by_requests.truncate(2 * MAX_SMALL_MULTIPLES);
    let keys: Vec<&EndpointKey> = by_requests.iter().map(|e| &e.key).collect();
    let shown: Vec<NamedLatency> = keys
        .iter()
        .zip(endpoint_latencies(run, &keys))
        .filter(|(_, series)| !series.is_empty())
        .take(MAX_SMALL_MULTIPLES)
        .map(|(key, series)| NamedLatency {
            name: key.to_string(),
            series,
        })
        .collect();
    let note = format!(
        "{} of {} endpoints, the most requested first.",
        shown.len(),
        run.endpoints.len()
    );
    (shown, note)
}

fn p95_bars(run: &Run) -> (Vec<Bar>, String) {
    let mut bars: Vec<Bar> = run
        .endpoints
        .iter()
        .filter_map(|e| {
            Some(Bar {
                label: e.key.to_string(),
                value: e.percentile(0.95)?,
            })
        })
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let total = bars.len();
    bars.truncate(MAX_BARS);
    let note = if total > bars.len() {
        format!("The {} slowest of {total} endpoints.", bars.len())
    } else {
        format!("All {total} endpoints with requests, slowest first.")
    };
    (bars, note)
}

fn cdf_curves(run: &Run) -> Vec<CdfCurve> {
    let mut by_requests: Vec<&EndpointStats> = run.endpoints.iter().collect();
    by_requests.sort_by_key(|e| std::cmp::Reverse(e.requests));
    std::iter::once(&run.aggregated)
        .chain(by_requests.into_iter().take(MAX_CDF_ENDPOINTS))
        .filter_map(|e| {
            let points = cdf_points(e);
            (points.len() >= 2).then(|| CdfCurve {
                label: e.key.to_string(),
                points,
            })
        })
        .collect()
}

/// `(ms, level)` from the minimum through each percentile column to the maximum.
pub fn cdf_points(e: &EndpointStats) -> Vec<(f64, f64)> {
    if e.requests == 0 {
        return Vec::new();
    }
    let mut points: Vec<(f64, f64)> = Vec::new();
    if let Some(min) = e.min_ms {
        points.push((min, 0.0));
    }
    for p in &e.percentiles {
        if let Some(v) = p.value_ms {
            points.push((v, p.level));
        }
    }
    if let Some(max) = e.max_ms {
        points.push((max, 1.0));
    }
    points.retain(|p| p.0.is_finite() && p.0 > 0.0);
    points.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
    // Locust rounds percentiles, so a rounded p50 can exceed the exact max of a tiny run.
    let mut running = 0.0_f64;
    for p in &mut points {
        running = running.max(p.0);
        p.0 = running;
    }
    points
}

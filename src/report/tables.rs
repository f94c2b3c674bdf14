//! The tables every text format shows, built once from the summary or comparison.
//!
//! The terminal and Markdown renderers differ only in framing; the cells come from here.

use super::format;
use super::table::{Align, Cell, Table, Tone};
use crate::compare::{
    Comparison, EndpointComparison, FailureChange, FailureStatus, Judgement, Metric,
    MetricComparison, MetricVerdict, Verdict,
};
use crate::group::MetricSpread;
use crate::summary::{RunSummary, SummaryRow};

/// The metrics shown as columns of the comparison overview.
const OVERVIEW: [Metric; 6] = [
    Metric::Avg,
    Metric::P50,
    Metric::P95,
    Metric::P99,
    Metric::Rps,
    Metric::FailureRate,
];

/// Locust's request statistics table.
pub fn requests(summary: &RunSummary) -> Table {
    let mut t = Table::new(&[
        ("Type", Align::Left),
        ("Name", Align::Left),
        ("# reqs", Align::Right),
        ("# fails", Align::Right),
        ("fail %", Align::Right),
        ("Avg", Align::Right),
        ("Min", Align::Right),
        ("Max", Align::Right),
        ("Med", Align::Right),
        ("req/s", Align::Right),
        ("Apdex", Align::Right),
    ]);
    for row in summary.endpoints.iter().chain(Some(&summary.aggregated)) {
        t.row(vec![
            row.method.clone().into(),
            name_cell(row),
            row.requests.to_string().into(),
            fails_cell(row),
            format::percent(row.failure_rate).into(),
            format::opt_ms(row.avg_ms).into(),
            format::opt_ms(row.min_ms).into(),
            format::opt_ms(row.max_ms).into(),
            format::opt_ms(row.median_ms).into(),
            format::rps(row.rps).into(),
            crate::apdex::shown(row.apdex.as_ref()).into(),
        ]);
    }
    t
}

/// [`requests`] with the two columns Locust's own report adds, read from the same
/// `_stats.csv` rows: the average response size and the failures per second (whole run).
pub fn requests_with_sizes(summary: &RunSummary, run: &crate::model::Run) -> Table {
    let base = requests(summary);
    let mut headers: Vec<(&str, Align)> = base
        .headers()
        .iter()
        .map(|(t, a)| (t.as_str(), *a))
        .collect();
    headers.extend([
        ("Avg size (bytes)", Align::Right),
        ("fails/s", Align::Right),
    ]);
    let mut t = Table::new(&headers);
    let stats: std::collections::HashMap<(&str, &str), &crate::model::EndpointStats> = run
        .endpoints
        .iter()
        .chain(Some(&run.aggregated))
        .map(|e| ((e.key.method.as_str(), e.key.name.as_str()), e))
        .collect();
    let rows = summary.endpoints.iter().chain(Some(&summary.aggregated));
    for (cells, row) in base.rows().iter().zip(rows) {
        let e = stats.get(&(row.method.as_str(), row.name.as_str()));
        let mut cells = cells.clone();
        cells.push(
            e.map_or("-".to_string(), |e| format!("{:.0}", e.avg_content_size))
                .into(),
        );
        cells.push(
            e.map_or("-".to_string(), |e| format::rps(e.failures_per_s))
                .into(),
        );
        t.row(cells);
    }
    t
}

/// The percentile table's title: approximate when pooled.
pub fn percentile_title(s: &RunSummary) -> &'static str {
    if s.approximate {
        "Response time percentiles (ms, ≈ pooled from the runs' percentile columns)"
    } else if s.runs > 1 {
        "Response time percentiles (ms, exact: from the runs' summed histograms)"
    } else {
        "Response time percentiles (ms)"
    }
}

/// One line per steady-state window: the run's, or each run's in a group.
pub fn steady_lines(s: &RunSummary) -> Vec<String> {
    let mut lines: Vec<String> = s.steady.iter().map(|w| w.describe()).collect();
    if s.runs > 1 {
        for (name, w) in s.run_names.iter().zip(&s.run_steady) {
            if let Some(w) = w {
                lines.push(format!("{name}: {}", w.describe()));
            }
        }
    }
    lines
}

/// Locust's response-time percentile table, one column per percentile the file has.
pub fn percentiles(summary: &RunSummary) -> Table {
    let labels: Vec<String> = summary
        .percentile_levels
        .iter()
        .map(|&l| format::level(l))
        .collect();
    let mut headers: Vec<(&str, Align)> = vec![("Type", Align::Left), ("Name", Align::Left)];
    headers.extend(labels.iter().map(|l| (l.as_str(), Align::Right)));
    let mut t = Table::new(&headers);
    for row in summary.endpoints.iter().chain(Some(&summary.aggregated)) {
        let mut cells = vec![row.method.clone().into(), name_cell(row)];
        cells.extend(
            row.percentiles
                .iter()
                .map(|&v| Cell::from(format::opt_ms(v))),
        );
        t.row(cells);
    }
    t
}

/// The most frequent failures.
pub fn failures(summary: &RunSummary) -> Table {
    let mut t = Table::new(&[
        ("# occurrences", Align::Right),
        ("Type", Align::Left),
        ("Name", Align::Left),
        ("Error", Align::Left),
    ]);
    for f in &summary.top_failures {
        t.row(vec![
            f.occurrences.to_string().into(),
            f.key.method.clone().into(),
            f.key.name.clone().into(),
            f.error.clone().into(),
        ]);
    }
    t
}

/// The exceptions, without tracebacks (renderers show those their own way).
pub fn exceptions(summary: &RunSummary) -> Table {
    let mut t = Table::new(&[("# occurrences", Align::Right), ("Message", Align::Left)]);
    for e in &summary.exceptions {
        t.row(vec![e.count.to_string().into(), e.message.clone().into()]);
    }
    t
}

fn name_cell(row: &SummaryRow) -> Cell {
    if row.method.is_empty() {
        Cell::toned(row.name.clone(), Tone::Strong)
    } else {
        row.name.clone().into()
    }
}

fn fails_cell(row: &SummaryRow) -> Cell {
    let tone = if row.failures > 0 {
        Tone::Bad
    } else {
        Tone::Plain
    };
    Cell::toned(row.failures.to_string(), tone)
}

/// One row per endpoint: the change of each overview metric and the verdict.
pub fn overview(c: &Comparison) -> Table {
    let mut headers = vec![("Endpoint", Align::Left), ("Requests", Align::Right)];
    headers.extend(OVERVIEW.iter().map(|m| (m.name(), Align::Right)));
    headers.push(("Verdict", Align::Left));
    let mut t = Table::new(&headers);
    for e in c.endpoints.iter().chain(Some(&c.aggregated)) {
        let mut cells = vec![endpoint_cell(e), requests_cell(e)];
        cells.extend(OVERVIEW.iter().map(|&m| change_cell(e.metric(m))));
        cells.push(verdict_cell(e.verdict));
        t.row(cells);
    }
    t
}

/// Every metric that moved materially (significant or not), or every metric with `all`.
pub fn details(c: &Comparison, all: bool) -> Table {
    let mut t = Table::new(&[
        ("Endpoint", Align::Left),
        ("Metric", Align::Left),
        ("Baseline", Align::Right),
        ("Latest", Align::Right),
        ("Change", Align::Right),
        ("CI of change (adj.)", Align::Right),
        ("p", Align::Right),
        ("Test", Align::Left),
        ("Verdict", Align::Left),
    ]);
    for e in c.endpoints.iter().chain(Some(&c.aggregated)) {
        for m in &e.metrics {
            let shown = all
                || matches!(
                    m.judgement,
                    Judgement::Significant | Judgement::NotSignificant
                );
            if !shown || m.baseline.is_none() && m.latest.is_none() {
                continue;
            }
            t.row(vec![
                endpoint_cell(e),
                m.metric.name().into(),
                value(m, m.baseline).into(),
                value(m, m.latest).into(),
                absolute_change(m).into(),
                interval(m).into(),
                m.p_value.map(format::p_value).unwrap_or_default().into(),
                test_cell(m).into(),
                judgement_cell(m),
            ]);
        }
    }
    t
}

/// With groups: each side's spread of the metrics that moved materially, and of any metric
/// with an outlier run.
pub fn changed_spreads(c: &Comparison) -> Vec<(&'static str, Vec<MetricSpread>)> {
    let moved = |s: &MetricSpread| {
        !s.outliers.is_empty()
            || c.endpoints.iter().chain(Some(&c.aggregated)).any(|e| {
                e.method == s.method
                    && e.name == s.name
                    && e.metrics.iter().any(|m| {
                        m.metric.name() == s.metric
                            && matches!(
                                m.judgement,
                                Judgement::Significant | Judgement::NotSignificant
                            )
                    })
            })
    };
    [
        ("baseline", &c.spreads_baseline),
        ("latest", &c.spreads_latest),
    ]
    .into_iter()
    .map(|(side, all)| {
        (
            side,
            all.iter().filter(|s| moved(s)).cloned().collect::<Vec<_>>(),
        )
    })
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

/// Error signatures that are new, gone or more frequent.
pub fn failure_changes(c: &Comparison) -> Table {
    let mut t = Table::new(&[
        ("Change", Align::Left),
        ("Endpoint", Align::Left),
        ("Error", Align::Left),
        ("Baseline /1000", Align::Right),
        ("Latest /1000", Align::Right),
    ]);
    for f in c
        .failures
        .iter()
        .filter(|f| f.status != FailureStatus::Same)
    {
        t.row(vec![
            failure_status_cell(f),
            format!("{} {}", f.method, f.name).into(),
            f.signature.clone().into(),
            rate_per_1000(f.baseline_per_1000).into(),
            rate_per_1000(f.latest_per_1000).into(),
        ]);
    }
    t
}

/// The line that explains the symbols in the overview.
pub fn legend(c: &Comparison) -> String {
    let o = &c.options;
    let correction = match o.correction {
        crate::compare::Correction::None => "without multiple-testing correction".to_string(),
        k => format!(
            "after {} correction over {} tests",
            k.describe(),
            c.tests_performed
        ),
    };
    format!(
        "~ no material or significant change (alpha {} {correction}; latencies must move by > {:.0}% and > {} ms and one Locust rounding step) · ? too few requests beyond that percentile to judge · ✗ every request of a side failed (latency not judged) · - not available",
        o.alpha,
        o.threshold * 100.0,
        format::ms(o.min_delta_ms),
    )
}

/// One line per side: name, requests, duration, users.
pub fn run_line(label: &str, info: &crate::compare::RunInfo) -> String {
    let mut line = format!(
        "{label}: {} ({} requests, {} failed",
        info.name, info.requests, info.failures
    );
    if info.runs > 1 {
        line.push_str(&format!(", n = {} runs", info.runs));
    }
    if let Some(d) = info.duration_s {
        let each = if info.runs > 1 {
            " each on average"
        } else {
            ""
        };
        line.push_str(&format!(", {}{each}", format::duration(d)));
    }
    if let Some(u) = info.users {
        line.push_str(&format!(", {u} users"));
    }
    if info.runs > 1 {
        line.push(')');
    } else {
        line.push_str(&format!(") {}", info.stats_path));
    }
    if let Some(w) = &info.steady {
        line.push_str(&format!("; {}", w.describe()));
    }
    line
}

/// The closing verdict sentence.
pub fn verdict_line(c: &Comparison) -> String {
    let regressed: Vec<String> = c
        .endpoints
        .iter()
        .chain(Some(&c.aggregated))
        .filter(|e| e.verdict == Verdict::Regressed)
        .map(|e| e.key().to_string())
        .collect();
    let head = if !c.empty_runs.is_empty() {
        let n = c.empty_runs.len();
        format!(
            "GATE FAILED: {n} run{} recorded no requests",
            if n == 1 { "" } else { "s" }
        )
    } else if c.regressed {
        format!("REGRESSED: {}", regressed.join(", "))
    } else {
        "no regression".to_string()
    };
    format!(
        "{head} ({} regressed, {} improved, {} unchanged, {} new, {} removed)",
        c.count(Verdict::Regressed),
        c.count(Verdict::Improved),
        c.count(Verdict::Unchanged),
        c.count(Verdict::New),
        c.count(Verdict::Removed),
    )
}

fn endpoint_cell(e: &EndpointComparison) -> Cell {
    let text = e.key().to_string();
    if e.method.is_empty() {
        Cell::toned(text, Tone::Strong)
    } else {
        text.into()
    }
}

fn requests_cell(e: &EndpointComparison) -> Cell {
    let side = |n: Option<u64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
    format!(
        "{} → {}",
        side(e.requests_baseline),
        side(e.requests_latest)
    )
    .into()
}

fn change_cell(m: Option<&MetricComparison>) -> Cell {
    let Some(m) = m else {
        return "-".into();
    };
    match m.judgement {
        Judgement::Significant => {
            let tone = if m.verdict == MetricVerdict::Regressed {
                Tone::Bad
            } else {
                Tone::Good
            };
            Cell::toned(relative_change(m), tone)
        }
        Judgement::NotSignificant | Judgement::BelowThreshold => "~".into(),
        Judgement::TooFewRequests => "?".into(),
        Judgement::NotAvailable => "-".into(),
        Judgement::NotSelected | Judgement::ShownOnly => {
            Cell::toned(relative_change(m), Tone::Plain)
        }
        Judgement::AllFailed => "✗".into(),
    }
}

fn verdict_cell(v: Verdict) -> Cell {
    let tone = match v {
        Verdict::Regressed => Tone::Bad,
        Verdict::Improved => Tone::Good,
        Verdict::New | Verdict::Removed => Tone::Note,
        Verdict::Unchanged => Tone::Plain,
    };
    Cell::toned(v.word(), tone)
}

/// Why a metric got its verdict, in words (the details table, the APDEX table).
pub(super) fn judgement_cell(m: &MetricComparison) -> Cell {
    match m.judgement {
        Judgement::Significant => {
            let (word, tone) = if m.verdict == MetricVerdict::Regressed {
                ("regressed", Tone::Bad)
            } else {
                ("improved", Tone::Good)
            };
            Cell::toned(word, tone)
        }
        Judgement::NotSignificant => "~ not significant".into(),
        Judgement::BelowThreshold => "~ below threshold".into(),
        Judgement::TooFewRequests => "? too few requests".into(),
        Judgement::NotAvailable => "-".into(),
        Judgement::NotSelected => "not selected".into(),
        Judgement::ShownOnly => "shown only".into(),
        Judgement::AllFailed => "✗ all requests failed".into(),
    }
}

fn failure_status_cell(f: &FailureChange) -> Cell {
    match f.status {
        FailureStatus::New => Cell::toned("new", Tone::Bad),
        FailureStatus::MoreFrequent => Cell::toned("more frequent", Tone::Bad),
        FailureStatus::Gone => Cell::toned("gone", Tone::Good),
        FailureStatus::Same => "same".into(),
    }
}

fn rate_per_1000(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// A metric's value in its own unit; `≈` marks a percentile pooled from several runs.
fn value(m: &MetricComparison, v: Option<f64>) -> String {
    let approx = if m.approximate { "≈" } else { "" };
    match (m.metric, v) {
        (_, None) => "-".to_string(),
        (Metric::Rps, Some(v)) => format::rps(v),
        (Metric::FailureRate, Some(v)) => format::percent(v),
        (Metric::Apdex(_), Some(v)) => format!("{approx}{v:.2}"),
        (_, Some(v)) => format!("{approx}{} ms", format::ms(v.round_to_tenth())),
    }
}

/// The test that decided, with the group sizes when groups were compared.
fn test_cell(m: &MetricComparison) -> String {
    let Some(test) = m.test else {
        return String::new();
    };
    if m.n_baseline > 1 || m.n_latest > 1 {
        let mw = m
            .p_mann_whitney
            .map(|p| format!(", MW p {}", format::p_value(p)))
            .unwrap_or_default();
        format!("{test} (n {} vs {}{mw})", m.n_baseline, m.n_latest)
    } else {
        test.to_string()
    }
}

/// Rounds pooled values to a tenth, so an approximate percentile does not pretend precision.
trait RoundToTenth {
    fn round_to_tenth(self) -> f64;
}

impl RoundToTenth for f64 {
    fn round_to_tenth(self) -> f64 {
        (self * 10.0).round() / 10.0
    }
}

/// Run-to-run spread of each metric of a group, with the runs that stand out.
pub fn spreads(spreads: &[MetricSpread]) -> Table {
    let mut t = Table::new(&[
        ("Endpoint", Align::Left),
        ("Metric", Align::Left),
        ("n", Align::Right),
        ("mean", Align::Right),
        ("median", Align::Right),
        ("sd", Align::Right),
        ("cv", Align::Right),
        ("min – max", Align::Right),
        ("outlier runs", Align::Left),
    ]);
    for s in spreads {
        let unit = |v: f64| match s.metric {
            "rps" => format::rps(v),
            "failure_rate" => format::percent(v),
            _ => format::ms(v.round_to_tenth()),
        };
        let name = if s.method.is_empty() {
            s.name.clone()
        } else {
            format!("{} {}", s.method, s.name)
        };
        let outliers = if s.outliers.is_empty() {
            Cell::from("")
        } else {
            Cell::toned(s.outliers.join(", "), Tone::Note)
        };
        t.row(vec![
            name.into(),
            s.metric.into(),
            s.spread.n.to_string().into(),
            unit(s.spread.mean).into(),
            unit(s.spread.median).into(),
            unit(s.spread.std_dev).into(),
            s.spread
                .cv
                .map_or_else(|| "-".to_string(), |cv| format!("{:.1}%", cv * 100.0))
                .into(),
            format!("{} – {}", unit(s.spread.min), unit(s.spread.max)).into(),
            outliers,
        ]);
    }
    t
}

fn relative_change(m: &MetricComparison) -> String {
    match (m.metric, m.delta_pct, m.delta) {
        (Metric::FailureRate, _, Some(d)) => format!("{:+.2} pp", d * 100.0),
        (Metric::Apdex(_), _, Some(d)) => format::signed_score(d),
        (_, Some(pct), _) => format::signed_pct(pct),
        _ => "-".to_string(),
    }
}

fn absolute_change(m: &MetricComparison) -> String {
    let Some(d) = m.delta else {
        return "-".to_string();
    };
    let abs = match m.metric {
        Metric::Rps => format!("{d:+.2}/s"),
        Metric::FailureRate => return format!("{:+.2} pp", d * 100.0),
        Metric::Apdex(_) => return format::signed_score(d),
        _ => format!("{}{} ms", if d >= 0.0 { "+" } else { "" }, format::ms(d)),
    };
    match m.delta_pct {
        Some(pct) => format!("{abs} ({})", format::signed_pct(pct)),
        None => abs,
    }
}

/// The interval that agrees with the verdict: at the level the multiple-testing correction
/// implies (the unadjusted 95 % one when nothing was corrected).
fn interval(m: &MetricComparison) -> String {
    let (Some(lo), Some(hi)) = (
        m.ci_adjusted_low.or(m.ci_low),
        m.ci_adjusted_high.or(m.ci_high),
    ) else {
        return String::new();
    };
    match m.metric {
        Metric::Rps => format!("[{lo:+.2}, {hi:+.2}]"),
        Metric::FailureRate => format!("[{:+.2}, {:+.2}] pp", lo * 100.0, hi * 100.0),
        Metric::Apdex(_) => format!("[{lo:+.2}, {hi:+.2}]"),
        _ => format!("[{:+.0}, {:+.0}] ms", lo, hi),
    }
}

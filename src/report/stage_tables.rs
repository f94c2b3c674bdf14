//! The tables of a stepped run's stages and of an endurance run's drift, shared by the
//! terminal and Markdown renderers.

use super::format;
use super::table::{Align, Cell, Table, Tone};
use crate::endurance::{Endurance, MATERIAL};
use crate::stages::Stage;

/// The stages table's title, saying which values are approximate or unknown.
pub fn stages_title(stages: &[Stage]) -> String {
    if let Some(note) = stages.iter().find_map(|s| s.percentiles_note.as_deref()) {
        format!("Stages (plateaus of the user count; no stage percentiles: {note})")
    } else if stages.iter().all(|s| s.percentiles_exact) {
        "Stages (plateaus of the user count; percentiles exact, from the driver's stage histograms)"
            .to_string()
    } else {
        "Stages (plateaus of the user count; percentiles ≈ from the history's 10 s windows)"
            .to_string()
    }
}

/// One row per stage: users, span, requests, throughput, failure rate, average, p50/p95/p99.
pub fn stages(stages: &[Stage]) -> Table {
    let mut t = Table::new(&[
        ("Users", Align::Right),
        ("From", Align::Right),
        ("To", Align::Right),
        ("# reqs", Align::Right),
        ("req/s", Align::Right),
        ("fail %", Align::Right),
        ("Avg", Align::Right),
        ("p50", Align::Right),
        ("p95", Align::Right),
        ("p99", Align::Right),
    ]);
    for s in stages {
        let a = &s.aggregated;
        t.row(vec![
            s.users.to_string().into(),
            format!("{:.0}s", s.start_s).into(),
            format!("{:.0}s", s.end_s).into(),
            a.requests.to_string().into(),
            format::rps(a.rps).into(),
            format::percent(a.failure_rate).into(),
            format::opt_ms(a.avg_ms).into(),
            format::opt_ms(a.p50_ms.map(f64::round)).into(),
            format::opt_ms(a.p95_ms.map(f64::round)).into(),
            format::opt_ms(a.p99_ms.map(f64::round)).into(),
        ]);
    }
    t
}

/// The drift table's title.
pub fn drift_title(e: &Endurance) -> String {
    format!(
        "Drift over the steady window {:.0}–{:.0} s (least-squares slope, 95 % Newey–West \
         interval; drifts when the interval excludes 0 and the line moves ≥ {:.0} % of the mean)",
        e.start_s,
        e.end_s,
        MATERIAL * 100.0
    )
}

/// One row per endpoint and metric: slope per minute, its interval, the change over the window.
pub fn drift(e: &Endurance) -> Table {
    let mut t = Table::new(&[
        ("Type", Align::Left),
        ("Name", Align::Left),
        ("Metric", Align::Left),
        ("Mean", Align::Right),
        ("Slope/min", Align::Right),
        ("95% interval", Align::Right),
        ("Change", Align::Right),
        ("Verdict", Align::Left),
    ]);
    for r in &e.rows {
        let p = &r.per_minute;
        let tone = if r.verdict == "steady" {
            Tone::Plain
        } else {
            Tone::Bad
        };
        t.row(vec![
            r.method.clone().into(),
            r.name.clone().into(),
            r.metric.into(),
            format!("{:.2}", p.mean).into(),
            format!("{:+.3}", p.slope).into(),
            format!("{:+.3} … {:+.3}", p.low, p.high).into(),
            format::signed_pct(r.change * 100.0).into(),
            Cell::toned(r.verdict, tone),
        ]);
    }
    t
}

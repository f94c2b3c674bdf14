//! APDEX in the reports: what a summary's Apdex column means, and a comparison's APDEX of
//! both sides with each endpoint's verdict on it.

use super::format;
use super::table::{Align, Cell, Table};
use crate::apdex::shown;
use crate::compare::{Comparison, Metric};
use crate::model::EndpointKey;
use crate::summary::{RunSummary, SummaryRow};

/// What the Apdex column means: its T (or each endpoint's) and the ≈ of rebuilt scores.
pub fn apdex_note(summary: &RunSummary) -> String {
    let rows: Vec<&SummaryRow> = summary
        .endpoints
        .iter()
        .chain(Some(&summary.aggregated))
        .collect();
    let mut ts: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.apdex.map(|a| a.t_ms))
        .collect();
    ts.sort_by(f64::total_cmp);
    ts.dedup();
    let t = match ts.as_slice() {
        [one] => format!("T = {} ms", format::ms(*one)),
        [] => return String::new(),
        _ => {
            let each: Vec<String> = rows
                .iter()
                .filter_map(|r| {
                    r.apdex.map(|a| {
                        let key = EndpointKey::new(r.method.clone(), r.name.clone());
                        format!("{key} {} ms", format::ms(a.t_ms))
                    })
                })
                .collect();
            format!("T per endpoint: {}", each.join(", "))
        }
    };
    let approx = rows.iter().any(|r| r.apdex.is_some_and(|a| !a.exact));
    format!(
        "Apdex: {t}; satisfied ≤ T, tolerating ≤ 4T, (satisfied + tolerating/2) / requests{}",
        if approx {
            "; ≈ read off the distribution rebuilt from the percentile columns (no histogram)"
        } else {
            ", counted from the full histograms"
        }
    )
}

/// The title over [`changes`]: T when every row shares one.
pub fn changes_title(c: &Comparison) -> String {
    let mut ts: Vec<f64> = c
        .apdex
        .iter()
        .flat_map(|a| a.baseline.iter().chain(&a.latest).map(|x| x.t_ms))
        .collect();
    ts.sort_by(f64::total_cmp);
    ts.dedup();
    let t = match ts.as_slice() {
        [one] => format!(", T = {} ms", format::ms(*one)),
        _ => String::new(),
    };
    let approx = c
        .apdex
        .iter()
        .flat_map(|a| a.baseline.iter().chain(&a.latest))
        .any(|x| !x.exact);
    let how = if approx {
        "; ≈ from the rebuilt distribution"
    } else {
        ""
    };
    if c.options.metrics.contains(&Metric::APDEX) {
        format!(
            "APDEX{t} (a drop of more than {:.2} that is significant regresses{how})",
            c.options.apdex_drop
        )
    } else {
        format!("APDEX{t} (shown, not judged: choose T with --apdex-t to judge it{how})")
    }
}

/// Baseline and latest APDEX of every endpoint and the change; empty when no side has any.
pub fn changes(c: &Comparison) -> Table {
    let mut t = Table::new(&[
        ("Endpoint", Align::Left),
        ("baseline", Align::Right),
        ("latest", Align::Right),
        ("change", Align::Right),
        ("verdict", Align::Left),
    ]);
    if c.apdex
        .iter()
        .all(|a| a.baseline.is_none() && a.latest.is_none())
    {
        return t;
    }
    for a in &c.apdex {
        let key = EndpointKey::new(a.method.clone(), a.name.clone());
        t.row(vec![
            Cell::from(key.to_string()),
            shown(a.baseline.as_ref()).into(),
            shown(a.latest.as_ref()).into(),
            a.change.map_or("-".into(), format::signed_score).into(),
            c.endpoints
                .iter()
                .chain(Some(&c.aggregated))
                .find(|e| e.method == a.method && e.name == a.name)
                .and_then(|e| e.metric(Metric::APDEX))
                .map_or_else(|| "-".into(), super::tables::judgement_cell),
        ]);
    }
    t
}

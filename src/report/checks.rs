//! The table and lines every text format shows for an SLA check, built once from the
//! [`CheckReport`]; the terminal and Markdown renderers differ only in framing.

use super::table::{Align, Cell, Table, Tone};
use crate::sla::{CheckReport, TierSource};

/// One row per check: name, target, actual value, result and why it failed.
pub fn checks(report: &CheckReport) -> Table {
    let mut t = Table::new(&[
        ("Check", Align::Left),
        ("Target", Align::Left),
        ("Actual", Align::Right),
        ("Result", Align::Left),
        ("Note", Align::Left),
    ]);
    for c in &report.checks {
        let result = if c.passed {
            Cell::toned("pass", Tone::Good)
        } else {
            Cell::toned("FAIL", Tone::Bad)
        };
        t.row(vec![
            c.name.clone().into(),
            c.target.clone().into(),
            c.actual_text.clone().into(),
            result,
            c.reason.clone().unwrap_or_default().into(),
        ]);
    }
    t
}

/// `PASSED: all 8 checks passed` or `FAILED: 1 of 4 checks failed`.
pub fn verdict_line(report: &CheckReport) -> String {
    if report.passed {
        format!(
            "PASSED: all {} check{} passed",
            report.total,
            plural(report.total)
        )
    } else if report.total == 0 {
        "FAILED: no check was evaluated".to_string()
    } else {
        format!(
            "FAILED: {} of {} check{} failed",
            report.failed,
            report.total,
            plural(report.total)
        )
    }
}

/// What was checked against what: `SLA: built-in SLA (seed plan) · tier: light (inferred)`.
pub fn context_line(report: &CheckReport) -> String {
    let tier = match (&report.tier, report.tier_source) {
        (Some(t), TierSource::Inferred) => format!("{t} (inferred from the user count)"),
        (Some(t), _) => t.clone(),
        (None, _) => "none".to_string(),
    };
    let mut line = format!("SLA: {} · tier: {tier}", report.sla);
    if let Some(users) = report.peak_users {
        line.push_str(&format!(" · {users} users at peak"));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

//! Plain-text output for a terminal or a log: aligned tables, colour only when asked for;
//! untrusted text through [`super::escape::terminal`].

use super::escape;
use super::{checks, format, stage_tables, tables};
use crate::compare::Comparison;
use crate::sla::CheckReport;
use crate::summary::RunSummary;

/// The summary of one run, laid out like Locust's own console tables.
pub fn summary(s: &RunSummary, color: bool) -> String {
    let mut out = if s.runs > 1 {
        format!(
            "Pool of {} runs: {}\n",
            s.runs,
            escape::terminal(&s.run_names.join(", "))
        )
    } else {
        format!(
            "Run {} — {}\n",
            escape::terminal(&s.name),
            escape::terminal(&s.stats_path)
        )
    };
    let mut facts = Vec::new();
    if let Some(d) = s.duration_s {
        facts.push(format!("duration {}", format::duration(d)));
    }
    if let Some(u) = s.users {
        facts.push(format!("{u} users at peak"));
    }
    if !facts.is_empty() {
        out.push_str(&facts.join(", "));
        out.push('\n');
    }
    for line in tables::steady_lines(s) {
        out.push_str(&escape::terminal(&line));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&tables::requests(s).to_text(color));
    let apdex = super::apdex::apdex_note(s);
    if !apdex.is_empty() {
        out.push_str(&escape::terminal(&apdex));
        out.push('\n');
    }
    out.push_str(&format!("\n{}\n", tables::percentile_title(s)));
    out.push_str(&tables::percentiles(s).to_text(color));
    if !s.stages.is_empty() {
        out.push_str(&format!("\n{}\n", stage_tables::stages_title(&s.stages)));
        out.push_str(&stage_tables::stages(&s.stages).to_text(color));
    }
    if let Some(e) = &s.endurance {
        out.push_str(&format!("\n{}\n", stage_tables::drift_title(e)));
        out.push_str(&stage_tables::drift(e).to_text(color));
    }
    if !s.spreads.is_empty() {
        out.push_str("\nRun-to-run spread\n");
        out.push_str(&tables::spreads(&s.spreads).to_text(color));
    }
    if !s.top_failures.is_empty() {
        out.push_str(&format!(
            "\nFailures (top {} of {} kinds)\n",
            s.top_failures.len(),
            s.failure_kinds
        ));
        out.push_str(&tables::failures(s).to_text(color));
    }
    if !s.exceptions.is_empty() {
        out.push_str("\nExceptions\n");
        out.push_str(&tables::exceptions(s).to_text(color));
        for e in &s.exceptions {
            out.push_str(&format!(
                "\n{} × {}\n",
                e.count,
                escape::terminal(&e.message)
            ));
            for line in e.traceback.lines() {
                out.push_str(&format!("    {}\n", escape::terminal(line)));
            }
        }
    }
    out
}

/// The comparison: run facts, the overview, material changes, failures, warnings, verdict.
pub fn comparison(c: &Comparison, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&escape::terminal(&tables::run_line(
        "baseline",
        &c.baseline,
    )));
    out.push('\n');
    out.push_str(&escape::terminal(&tables::run_line("latest  ", &c.latest)));
    out.push_str("\n\n");
    out.push_str(&tables::overview(c).to_text(color));
    out.push_str(&tables::legend(c));
    out.push('\n');
    for note in &c.notes {
        out.push_str(&format!("note: {}\n", escape::terminal(note)));
    }
    let details = tables::details(c, false);
    if !details.is_empty() {
        out.push_str("\nMaterial changes\n");
        out.push_str(&details.to_text(color));
    }
    for (side, spreads) in tables::changed_spreads(c) {
        out.push_str(&format!("\nRun-to-run spread of those metrics, {side}\n"));
        out.push_str(&tables::spreads(&spreads).to_text(color));
    }
    let failures = tables::failure_changes(c);
    if !failures.is_empty() {
        out.push_str("\nFailures that changed\n");
        out.push_str(&failures.to_text(color));
    }
    let apdex = super::apdex::changes(c);
    if !apdex.is_empty() {
        out.push_str(&format!("\n{}\n", super::apdex::changes_title(c)));
        out.push_str(&apdex.to_text(color));
    }
    for w in &c.warnings {
        out.push_str(&format!("\nwarning: {}", escape::terminal(w)));
    }
    for e in &c.empty_runs {
        out.push_str(&format!("\nerror: {}", escape::terminal(e)));
    }
    if !c.warnings.is_empty() || !c.empty_runs.is_empty() {
        out.push('\n');
    }
    let verdict = tables::verdict_line(c);
    let verdict = if color && c.regressed {
        format!("\x1b[1;31m{}\x1b[0m", escape::terminal(&verdict))
    } else {
        escape::terminal(&verdict)
    };
    out.push_str(&format!("\n{verdict}\n"));
    out
}

/// An SLA check: what was checked, one row per check, notes, and the verdict.
pub fn check(r: &CheckReport, color: bool) -> String {
    let mut out = format!(
        "SLA check of run {} — {}\n{}\n",
        escape::terminal(&r.run),
        escape::terminal(&r.stats_path),
        escape::terminal(&checks::context_line(r))
    );
    for note in &r.notes {
        out.push_str(&format!("note: {}\n", escape::terminal(note)));
    }
    out.push('\n');
    out.push_str(&checks::checks(r).to_text(color));
    let verdict = checks::verdict_line(r);
    let verdict = if color && !r.passed {
        format!("\x1b[1;31m{verdict}\x1b[0m")
    } else {
        verdict
    };
    out.push_str(&format!("\n{verdict}\n"));
    out
}

//! GitHub-flavoured Markdown, fit for a pull-request comment: every untrusted text goes through
//! [`super::escape`] for the place it lands (a line, a code span, raw HTML, `<pre>`).

use super::escape;
use super::{checks, format, stage_tables, tables};
use crate::compare::Comparison;
use crate::sla::CheckReport;
use crate::summary::RunSummary;

/// The summary of one run.
pub fn summary(s: &RunSummary) -> String {
    let mut out = if s.runs > 1 {
        format!(
            "## Pool of {} runs: {}\n\n",
            s.runs,
            escape::markdown(&s.run_names.join(", "))
        )
    } else {
        format!("## Run `{}`\n\n", escape::markdown_code(&s.name))
    };
    let mut facts = vec![format!("{} requests", s.aggregated.requests)];
    facts.push(format!(
        "{} failed ({})",
        s.aggregated.failures,
        format::percent(s.aggregated.failure_rate)
    ));
    if let Some(d) = s.duration_s {
        facts.push(format!("duration {}", format::duration(d)));
    }
    if let Some(u) = s.users {
        facts.push(format!("{u} users at peak"));
    }
    out.push_str(&facts.join(" · "));
    out.push('\n');
    for line in tables::steady_lines(s) {
        out.push_str(&format!("\n{}\n", escape::markdown(&line)));
    }
    out.push_str("\n### Requests\n\n");
    out.push_str(&tables::requests(s).to_markdown());
    let apdex = super::apdex::apdex_note(s);
    if !apdex.is_empty() {
        out.push_str(&format!("\n{}\n", escape::markdown(&apdex)));
    }
    out.push_str(&format!("\n### {}\n\n", tables::percentile_title(s)));
    out.push_str(&tables::percentiles(s).to_markdown());
    if !s.stages.is_empty() {
        out.push_str(&format!(
            "\n### {}\n\n",
            stage_tables::stages_title(&s.stages)
        ));
        out.push_str(&stage_tables::stages(&s.stages).to_markdown());
    }
    if let Some(e) = &s.endurance {
        out.push_str(&format!("\n### {}\n\n", stage_tables::drift_title(e)));
        out.push_str(&stage_tables::drift(e).to_markdown());
    }
    if !s.spreads.is_empty() {
        out.push_str("\n### Run-to-run spread\n\n");
        out.push_str(&tables::spreads(&s.spreads).to_markdown());
    }
    if !s.top_failures.is_empty() {
        out.push_str(&format!(
            "\n### Failures (top {} of {} kinds)\n\n",
            s.top_failures.len(),
            s.failure_kinds
        ));
        out.push_str(&tables::failures(s).to_markdown());
    }
    if !s.exceptions.is_empty() {
        out.push_str("\n### Exceptions\n\n");
        out.push_str(&tables::exceptions(s).to_markdown());
        for e in &s.exceptions {
            out.push_str(&format!(
                "\n<details><summary>{} × {}</summary>\n\n<pre>{}</pre>\n</details>\n",
                e.count,
                escape::markdown_html(&e.message),
                escape::markdown_pre(&e.traceback)
            ));
        }
    }
    out
}

/// The comparison, verdict first.
pub fn comparison(c: &Comparison) -> String {
    let mut out = String::new();
    let head = if c.regressed {
        "Performance regression"
    } else {
        "No performance regression"
    };
    out.push_str(&format!("## perfreport: {head}\n\n"));
    out.push_str(&format!(
        "**{}**\n\n",
        escape::markdown(&tables::verdict_line(c))
    ));
    out.push_str(&format!(
        "- {}\n- {}\n\n",
        escape::markdown(&tables::run_line("Baseline", &c.baseline)),
        escape::markdown(&tables::run_line("Latest", &c.latest))
    ));
    for e in &c.empty_runs {
        out.push_str(&format!("> **Gate failed:** {}\n\n", escape::markdown(e)));
    }
    for w in &c.warnings {
        out.push_str(&format!("> **Warning:** {}\n\n", escape::markdown(w)));
    }
    out.push_str(&tables::overview(c).to_markdown());
    out.push_str(&format!("\n{}\n", escape::markdown(&tables::legend(c))));
    for note in &c.notes {
        out.push_str(&format!("\n> **Note:** {}\n", escape::markdown(note)));
    }
    let details = tables::details(c, false);
    if !details.is_empty() {
        out.push_str("\n### Material changes\n\n");
        out.push_str(&details.to_markdown());
    }
    let failures = tables::failure_changes(c);
    if !failures.is_empty() {
        out.push_str("\n### Failures that changed\n\n");
        out.push_str(&failures.to_markdown());
    }
    let apdex = super::apdex::changes(c);
    if !apdex.is_empty() {
        out.push_str(&format!("\n### {}\n\n", super::apdex::changes_title(c)));
        out.push_str(&apdex.to_markdown());
    }
    out.push_str("\n<details><summary>All metrics</summary>\n\n");
    out.push_str(&tables::details(c, true).to_markdown());
    out.push_str("\n</details>\n");
    for (side, spreads) in [
        ("baseline", &c.spreads_baseline),
        ("latest", &c.spreads_latest),
    ] {
        if !spreads.is_empty() {
            out.push_str(&format!(
                "\n<details><summary>Run-to-run spread, {side}</summary>\n\n"
            ));
            out.push_str(&tables::spreads(spreads).to_markdown());
            out.push_str("\n</details>\n");
        }
    }
    out
}

/// An SLA check, verdict first.
pub fn check(r: &CheckReport) -> String {
    let head = if r.passed { "passed" } else { "FAILED" };
    let mut out = format!("## perfreport SLA check: {head}\n\n");
    out.push_str(&format!(
        "**{}** · run `{}`\n\n{}\n\n",
        escape::markdown(&checks::verdict_line(r)),
        escape::markdown_code(&r.run),
        escape::markdown(&checks::context_line(r))
    ));
    for note in &r.notes {
        out.push_str(&format!("> **Note:** {}\n\n", escape::markdown(note)));
    }
    out.push_str(&checks::checks(r).to_markdown());
    out
}

//! The sign-off report as GitHub-flavoured Markdown: the verdict first, then the seed plan's
//! tables and checklists filled in, then every check per tier. It only lays out the
//! [`SignoffReport`]; every text from a run or an SLA file is escaped by
//! [`crate::report::escape::markdown`].

use super::context::{Checklist, ItemStatus, SignoffReport, VerdictStatus};
use super::tables;
use crate::report::escape;
use crate::sla::CheckReport;

/// The whole report.
pub fn render(r: &SignoffReport) -> String {
    let mut out = format!("# {}\n\n", escape::markdown(&r.title));
    out.push_str(&verdict_section(r));
    out.push_str(&facts(r));
    out.push_str("\n## Tiers\n\n");
    out.push_str(&tables::tier_runs(&r.tiers).to_markdown());
    out.push_str("\n## Performance Benchmarks\n\n### Target Metrics\n\n");
    out.push_str(&r.target_metrics.to_markdown());
    out.push_str("\n### Actual Results\n\n");
    out.push_str(&r.actual_results.to_markdown());
    out.push_str("\n## Response Time Validation\n\n");
    if r.response_times.is_empty() {
        out.push_str("The SLA has no per-endpoint targets.\n");
    } else {
        out.push_str(&r.response_times.to_markdown());
    }
    for list in &r.checklists {
        out.push_str(&format!("\n## {}\n\n", escape::markdown(&list.title)));
        if list.title.starts_with("Resource") {
            out.push_str(&resources(r));
        }
        out.push_str(&checklist(list));
    }
    if !r.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for n in &r.notes {
            out.push_str(&format!("- {}\n", escape::markdown(n)));
        }
    }
    out.push_str("\n## Every check, per tier\n");
    for t in r.tiers.iter() {
        if let Some(c) = &t.checks {
            out.push_str(&format!("\n### {}\n\n", escape::markdown(&t.name)));
            out.push_str(&checks(c));
        }
    }
    out
}

/// The verdict, its failures and its gaps: the top of the report, and what the command prints.
pub fn verdict_section(r: &SignoffReport) -> String {
    let v = &r.verdict;
    let badge = match v.status {
        VerdictStatus::Ready => "✅ READY FOR PRODUCTION",
        VerdictStatus::NotReady => "❌ NOT READY FOR PRODUCTION",
        VerdictStatus::Incomplete => "⚠️ NOT A FULL SIGN-OFF",
    };
    let mut out = format!("## Verdict: {badge}\n\n{}\n", escape::markdown(&v.headline));
    if !v.failures.is_empty() {
        out.push_str("\nFailed:\n\n");
        for f in &v.failures {
            out.push_str(&format!("- ❌ {}\n", escape::markdown(f)));
        }
    }
    if !v.gaps.is_empty() {
        out.push_str("\nNot checked:\n\n");
        for g in &v.gaps {
            out.push_str(&format!("- {}\n", escape::markdown(g)));
        }
    }
    out
}

fn facts(r: &SignoffReport) -> String {
    let mut out = "\n| | |\n| --- | --- |\n".to_string();
    for (k, v) in tables::facts(r) {
        out.push_str(&format!("| {k} | {} |\n", escape::markdown(&v)));
    }
    out
}

fn resources(r: &SignoffReport) -> String {
    let mut out = if r.resources.is_empty() {
        String::new()
    } else {
        r.resources.to_markdown() + "\n"
    };
    if let Some(h) = &r.health {
        out.push_str(&format!(
            "Health check after {}: `GET {}`: {} {}\n\n",
            escape::markdown(&h.after_tier),
            escape::markdown_code(&h.url),
            escape::markdown(&h.detail),
            if h.passed { "✅" } else { "❌" }
        ));
    }
    out
}

fn checklist(list: &Checklist) -> String {
    let mut out = String::new();
    for i in &list.items {
        let detail = i.detail.as_deref().map(escape::markdown);
        let line = match (i.status, detail) {
            (ItemStatus::Done, Some(d)) => format!("- [x] {} — {d}", escape::markdown(&i.text)),
            (ItemStatus::Done, None) => format!("- [x] {}", escape::markdown(&i.text)),
            (ItemStatus::Failed, d) => format!(
                "- [ ] ❌ {}{}",
                escape::markdown(&i.text),
                d.map_or(String::new(), |d| format!(" — {d}"))
            ),
            (ItemStatus::NotChecked, d) => format!(
                "- [ ] {} — not checked{}",
                escape::markdown(&i.text),
                d.map_or(String::new(), |d| format!(": {d}"))
            ),
            (ItemStatus::Manual, d) => format!(
                "- [ ] {}{}",
                escape::markdown(&i.text),
                d.map_or(String::new(), |d| format!(" — {d}"))
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn checks(c: &CheckReport) -> String {
    let mut out = "| Check | Target | Actual | Result |\n| --- | --- | ---: | --- |\n".to_string();
    for k in &c.checks {
        let result = if k.passed {
            "✅ pass".to_string()
        } else {
            format!(
                "❌ FAIL{}",
                k.reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(": {}", escape::markdown(r)))
            )
        };
        out.push_str(&format!(
            "| {} | {} | {} | {result} |\n",
            escape::markdown(&k.name),
            escape::markdown(&k.target),
            escape::markdown(&k.actual_text)
        ));
    }
    out
}

//! The one verdict at the top of a report: the gate (regression or not) and the SLA (passed or
//! failed) combined into one answer, each part linking to the section that explains it.

use serde::Serialize;

use super::ReportContext;

/// One part of the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictPart {
    /// What was judged: `Comparison` or `SLA`.
    pub what: &'static str,
    /// Its answer, short: `Performance regression`, `FAILED: 1 of 4 checks failed`.
    pub answer: String,
    /// The sentence behind it (the comparison's verdict line); empty for none.
    pub detail: String,
    /// The section it links to, `#comparison` or `#sla`.
    pub href: &'static str,
    /// `good` or `bad`.
    pub tone: &'static str,
}

/// The verdict of the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopVerdict {
    /// `PASSED` or `FAILED`, and why when failed.
    pub headline: String,
    /// `good` or `bad`.
    pub tone: &'static str,
    /// The gate, then the SLA, whichever the report has.
    pub parts: Vec<VerdictPart>,
}

fn tone(good: bool) -> &'static str {
    if good {
        "good"
    } else {
        "bad"
    }
}

impl TopVerdict {
    /// The verdict of `ctx`, or `None` for a report that judges nothing (no `--baseline`, no
    /// `--sla`).
    pub fn of(ctx: &ReportContext) -> Option<Self> {
        let mut parts = Vec::new();
        if let Some(c) = &ctx.comparison {
            parts.push(VerdictPart {
                what: "Comparison",
                answer: if c.regressed {
                    "Performance regression"
                } else {
                    "No performance regression"
                }
                .to_string(),
                detail: c.verdict_line.clone(),
                href: "#comparison",
                tone: tone(!c.regressed),
            });
        }
        match ctx.sla.as_slice() {
            [] => {}
            [one] => parts.push(VerdictPart {
                what: "SLA",
                answer: one.verdict_line.clone(),
                detail: one.context_line.clone(),
                href: "#sla",
                tone: tone(one.passed),
            }),
            many => {
                let passed = many.iter().filter(|s| s.passed).count();
                parts.push(VerdictPart {
                    what: "SLA",
                    answer: format!(
                        "{}: {passed} of {} runs passed",
                        if passed == many.len() {
                            "PASSED"
                        } else {
                            "FAILED"
                        },
                        many.len()
                    ),
                    detail: String::new(),
                    href: "#sla",
                    tone: tone(passed == many.len()),
                });
            }
        }
        if parts.is_empty() {
            return None;
        }
        let failed: Vec<&str> = parts
            .iter()
            .filter(|p| p.tone == "bad")
            .map(|p| match p.what {
                "SLA" => "the SLA failed",
                _ => "performance regressed",
            })
            .collect();
        let headline = if failed.is_empty() {
            "PASSED".to_string()
        } else {
            format!("FAILED: {}", failed.join(" and "))
        };
        Some(Self {
            headline,
            tone: tone(failed.is_empty()),
            parts,
        })
    }
}

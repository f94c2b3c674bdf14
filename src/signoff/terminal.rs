//! The verdict as plain text, what `signoff` and `demo` print when they finish: the same words
//! as the report's verdict section, with control characters from untrusted text neutralised.

use super::context::{SignoffReport, VerdictStatus};
use crate::report::escape::terminal as safe;

/// The verdict, its failures and its gaps, one per line.
pub fn verdict(r: &SignoffReport) -> String {
    let v = &r.verdict;
    let mark = match v.status {
        VerdictStatus::Ready => "✅",
        VerdictStatus::NotReady => "❌",
        VerdictStatus::Incomplete => "⚠️",
    };
    let mut out = format!("{mark} {}\n", safe(&v.headline));
    if !v.failures.is_empty() {
        out.push_str("\nFailed:\n");
        for f in &v.failures {
            out.push_str(&format!("  - {}\n", safe(f)));
        }
    }
    if !v.gaps.is_empty() {
        out.push_str("\nNot checked:\n");
        for g in &v.gaps {
            out.push_str(&format!("  - {}\n", safe(g)));
        }
    }
    out
}

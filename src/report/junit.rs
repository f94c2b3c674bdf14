//! JUnit XML for CI systems: one test suite per SLA check run, one test case per check, a
//! `<failure>` with a message for each failed check.
//!
//! Endpoint names and file paths are untrusted text: everything is XML-escaped, and
//! characters XML 1.0 cannot carry (most control characters) become U+FFFD.

use crate::sla::{Check, CheckReport, Scope};

/// The whole JUnit document for one check report.
pub fn check_report(report: &CheckReport) -> String {
    let counts = format!(
        r#"tests="{}" failures="{}" errors="0" skipped="0" time="0""#,
        report.total, report.failed
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"perfreport check\" {counts}>\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" {counts}>\n",
        escape(&format!("SLA check of run {}", report.run))
    ));
    out.push_str("    <properties>\n");
    let mut properties = vec![
        ("run", report.run.clone()),
        ("stats", report.stats_path.clone()),
        ("sla", report.sla.clone()),
    ];
    if let Some(tier) = &report.tier {
        properties.push(("tier", tier.clone()));
    }
    if let Some(users) = report.peak_users {
        properties.push(("peak_users", users.to_string()));
    }
    for (name, value) in properties {
        out.push_str(&format!(
            "      <property name=\"{name}\" value=\"{}\"/>\n",
            escape(&value)
        ));
    }
    out.push_str("    </properties>\n");
    for check in &report.checks {
        test_case(&mut out, check);
    }
    if !report.notes.is_empty() {
        out.push_str(&format!(
            "    <system-out>{}</system-out>\n",
            escape_text(&report.notes.join("\n"))
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn test_case(out: &mut String, check: &Check) {
    let classname = match (&check.scope, &check.tier) {
        (Scope::Tier, Some(tier)) => format!("sla.tier.{tier}"),
        _ => "sla.endpoints".to_string(),
    };
    let open = format!(
        "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
        escape(&format!("{} {}", check.name, check.target)),
        escape(&classname)
    );
    if check.passed {
        out.push_str(&open);
        out.push_str("/>\n");
        return;
    }
    let message = match &check.reason {
        Some(reason) if check.actual.is_some() => format!(
            "{} is {} (target {}) but {reason}",
            check.metric, check.actual_text, check.target
        ),
        Some(reason) => format!("{reason} (target {})", check.target),
        None => format!(
            "{} is {}, target {}",
            check.metric, check.actual_text, check.target
        ),
    };
    let detail = format!(
        "check: {}\nexpression: {}\nactual: {}\nthreshold: {} {}",
        check.name, check.expression, check.actual_text, check.threshold, check.unit
    );
    out.push_str(&open);
    out.push_str(">\n");
    out.push_str(&format!(
        "      <failure message=\"{}\" type=\"sla\">{}</failure>\n",
        escape(&message),
        escape_text(&detail)
    ));
    out.push_str("    </testcase>\n");
}

/// Escapes text for XML content and double-quoted attributes; line breaks and tabs become
/// character references so attributes keep them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// Escapes text for XML element content, keeping line breaks and tabs as they are.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// Whether XML 1.0 allows the character (its `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{a}' | '\u{d}'
        | '\u{20}'..='\u{d7ff}'
        | '\u{e000}'..='\u{fffd}'
        | '\u{10000}'..='\u{10ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{1b}[2Jb\u{0}c\n"), "a\u{fffd}[2Jb\u{fffd}c&#10;");
        assert_eq!(escape("résumé ✓ \u{1F600}"), "résumé ✓ \u{1F600}");
        assert_eq!(escape("\u{fffe}"), "\u{fffd}");
        assert_eq!(escape_text("a <b>\n\u{7}'\""), "a &lt;b&gt;\n\u{fffd}'\"");
    }
}

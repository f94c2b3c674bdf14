//! JUnit XML for CI systems: one test suite per SLA check run, one test case per check, a
//! `<failure>` with a message for each failed check.
//!
//! Endpoint names and file paths are untrusted text: everything goes through
//! [`super::escape::xml_attr`] or [`super::escape::xml`], which leave nothing XML 1.0 forbids
//! and show control and bidirectional characters as `\u{…}`.

use super::escape;
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
        escape::xml_attr(&format!("SLA check of run {}", report.run))
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
            escape::xml_attr(&value)
        ));
    }
    out.push_str("    </properties>\n");
    for check in &report.checks {
        test_case(&mut out, check);
    }
    if !report.notes.is_empty() {
        out.push_str(&format!(
            "    <system-out>{}</system-out>\n",
            escape::xml(&report.notes.join("\n"))
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
        escape::xml_attr(&format!("{} {}", check.name, check.target)),
        escape::xml_attr(&classname)
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
        escape::xml_attr(&message),
        escape::xml(&detail)
    ));
    out.push_str("    </testcase>\n");
}

//! The SLA checklist's part of the report context (`perfreport report --sla`): for each run
//! checked, the verdict line and the table `perfreport check` prints, cell for cell.

use serde::Serialize;

use super::HtmlTable;
use crate::report::checks;
use crate::sla::CheckReport;

/// One run checked against the SLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaSection {
    /// The run's short name.
    pub run: String,
    /// True when at least one check ran and every check passed.
    pub passed: bool,
    /// `PASSED: all 8 checks passed` or `FAILED: 1 of 4 checks failed`.
    pub verdict_line: String,
    /// Which SLA and tier: `SLA: built-in SLA (seed plan) · tier: light`.
    pub context_line: String,
    /// One row per check: check, target, actual, result, note.
    pub checks: HtmlTable,
    /// How the tier was chosen, what was not checked.
    pub notes: Vec<String>,
}

impl SlaSection {
    /// The section of one run's check report.
    pub fn of(report: &CheckReport) -> Self {
        Self {
            run: report.run.clone(),
            passed: report.passed,
            verdict_line: checks::verdict_line(report),
            context_line: checks::context_line(report),
            checks: HtmlTable::from_table(&checks::checks(report), None),
            notes: report.notes.clone(),
        }
    }
}

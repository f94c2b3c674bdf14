//! The sign-off report's context: everything a renderer shows, as data (computed by
//! [`super::build`]) and serialisable.
//!
//! Tables are [`Table`]s (the report's one table model) of already-formatted cells with an
//! optional pass/fail mark, checklists
//! are items with a status, and the verdict carries its reasons, so a renderer (Markdown now,
//! HTML through the report module's templates) only lays them out and escapes text. The JSON
//! report is this struct, serialised.

use serde::Serialize;

use super::local::HealthCheck;
use super::resources::{Limits, TierResources};
use super::tiers::TierPlan;
use crate::model::Run;
use crate::report::table::Table;
use crate::sla::CheckReport;

/// The version of the JSON layout below.
pub const SCHEMA: &str = "perfreport-signoff/1";

/// The whole sign-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignoffReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The report's title.
    pub title: String,
    /// When the sign-off started, `2026-11-28T11:10:28Z`.
    pub generated_at: String,
    /// perfreport's version.
    pub perfreport_version: &'static str,
    /// The SLA's source: its file, or the built-in SLA.
    pub sla: String,
    /// What was tested.
    pub target: TargetInfo,
    /// The scenario file given, if any (`None`: the default, kept as `scenario.toml`).
    pub scenario: Option<String>,
    /// The time scale of the tiers, for tiers perfreport ran.
    pub duration_scale: Option<f64>,
    /// The folder holding the runs and this report.
    pub out_dir: String,
    /// The one overall verdict.
    pub verdict: Verdict,
    /// Every tier of the SLA, in SLA order, run or not.
    pub tiers: Vec<TierReport>,
    /// The plan's "Target Metrics" table, from the SLA.
    pub target_metrics: Table,
    /// The plan's "Actual Results" table, filled in.
    pub actual_results: Table,
    /// Per-endpoint targets (the plan's "Response Time Validation"), one column per tier.
    pub response_times: Table,
    /// Per-tier resource checks.
    pub resources: Table,
    /// The resource limits applied.
    pub limits: Limits,
    /// The health check after the last tier, when there was a live target.
    pub health: Option<HealthCheck>,
    /// The plan's checklists, ticked or not.
    pub checklists: Vec<Checklist>,
    /// What a reader should know that is not a verdict (saturated generator, inferred users).
    pub notes: Vec<String>,
}

/// What the tiers ran against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetInfo {
    /// Embedded target, a given host, or recorded runs.
    pub kind: TargetKind,
    /// The base URL, for live tiers.
    pub host: Option<String>,
    /// The process watched, if any.
    pub pid: Option<u32>,
    /// For people.
    pub description: String,
}

/// See [`TargetInfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// `perfreport target`, started by the sign-off.
    Embedded,
    /// A service given with `--host`.
    Host,
    /// Runs given with `--run`.
    Recorded,
}

/// Where a tier's run came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunSource {
    /// Run by the sign-off with the embedded driver.
    Driver,
    /// Recorded elsewhere and given with `--run`.
    Recorded,
    /// No run.
    None,
}

/// How a tier came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TierStatus {
    /// Every check (SLA and resources) passed.
    Passed,
    /// At least one check failed.
    Failed,
    /// Not run.
    NotRun,
    /// Stopped by Ctrl-C or SIGTERM before its end.
    Interrupted,
}

/// The Aggregated figures of a tier's run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// Peak users from the run's history.
    pub peak_users: Option<u64>,
    /// Requests.
    pub requests: u64,
    /// Failed requests.
    pub failures: u64,
    /// Requests per second over the run.
    pub rps: f64,
    /// Average response time, ms.
    pub avg_ms: f64,
    /// P95 response time, ms.
    pub p95_ms: Option<f64>,
    /// Failed requests as a fraction.
    pub error_rate: f64,
    /// The run's length, s.
    pub duration_s: Option<f64>,
}

/// One tier of the sign-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierReport {
    /// The tier's name.
    pub name: String,
    /// Users: planned for a live tier, the SLA's or the run's peak otherwise.
    pub users: Option<u64>,
    /// How it came out.
    pub status: TierStatus,
    /// Where its run came from.
    pub source: RunSource,
    /// The load shape, for a live tier.
    pub plan: Option<TierPlan>,
    /// The `--run` path, for a recorded tier.
    pub recorded_from: Option<String>,
    /// The folder holding its CSV files, inside the output folder.
    pub run_dir: Option<String>,
    /// Its Aggregated figures.
    pub measured: Option<Measured>,
    /// Whether the load generator saturated (latencies then include client delay).
    pub saturated: bool,
    /// The SLA checks (per-endpoint and the tier's).
    pub checks: Option<CheckReport>,
    /// The target's resources, when it was watched.
    pub resources: Option<TierResources>,
    /// Why it was not run, or anything else to know.
    pub note: Option<String>,
}

impl TierReport {
    /// A tier that was not run.
    pub fn not_run(name: &str, users: Option<u64>, why: &str) -> Self {
        Self {
            name: name.to_string(),
            users,
            status: TierStatus::NotRun,
            source: RunSource::None,
            plan: None,
            recorded_from: None,
            run_dir: None,
            measured: None,
            saturated: false,
            checks: None,
            resources: None,
            note: Some(why.to_string()),
        }
    }

    /// A tier with a run and its checks (status still to be judged).
    pub fn measured(name: &str, run: &Run, checks: CheckReport, source: RunSource) -> Self {
        let a = &run.aggregated;
        Self {
            name: name.to_string(),
            users: run.peak_users(),
            status: TierStatus::NotRun,
            source,
            plan: None,
            recorded_from: None,
            run_dir: None,
            measured: Some(Measured {
                peak_users: run.peak_users(),
                requests: a.requests,
                failures: a.failures,
                rps: a.rps,
                avg_ms: a.avg_ms,
                p95_ms: a.percentile(0.95),
                error_rate: a.failure_ratio(),
                duration_s: run.duration_s(),
            }),
            saturated: false,
            checks: Some(checks),
            resources: None,
            note: None,
        }
    }

    /// Passed or failed, from its SLA and resource checks.
    pub fn judged_status(&self) -> TierStatus {
        let sla_ok = self.checks.as_ref().is_some_and(|c| c.passed);
        let resources_ok = self.resources.as_ref().is_none_or(|r| !r.failed());
        if sla_ok && resources_ok {
            TierStatus::Passed
        } else {
            TierStatus::Failed
        }
    }

    /// Whether it has a run.
    pub fn ran(&self) -> bool {
        self.measured.is_some()
    }

    /// `1234 requests, 0 failed, 13.52 req/s, p95 380 ms: 8 of 8 checks passed`.
    pub fn one_line(&self) -> String {
        let Some(m) = &self.measured else {
            return self.note.clone().unwrap_or_else(|| "not run".into());
        };
        let mut line = format!(
            "{} requests, {} failed, {:.2} req/s, avg {:.0} ms, p95 {}",
            m.requests,
            m.failures,
            m.rps,
            m.avg_ms,
            m.p95_ms.map_or("N/A".into(), |p| format!("{p:.0} ms"))
        );
        if let Some(c) = &self.checks {
            line.push_str(&format!(
                "; {} of {} SLA checks passed",
                c.total - c.failed,
                c.total
            ));
        }
        if let Some(r) = &self.resources {
            let failed: Vec<&str> = r
                .checks
                .iter()
                .filter(|c| c.passed == Some(false))
                .map(|c| c.name)
                .collect();
            if failed.is_empty() {
                line.push_str("; resources ok");
            } else {
                line.push_str(&format!("; resources FAILED: {}", failed.join(", ")));
            }
        }
        if self.status == TierStatus::Interrupted {
            line.push_str(" (interrupted)");
        }
        line
    }
}

/// A checklist of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    /// Its heading.
    pub title: String,
    /// Its items.
    pub items: Vec<Item>,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The item as the plan words it.
    pub text: String,
    /// Ticked, failed, not checked, or a manual step.
    pub status: ItemStatus,
    /// The evidence, or why it is not ticked.
    pub detail: Option<String>,
}

/// See [`Item`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Ticked: checked and met.
    Done,
    /// Checked and not met.
    Failed,
    /// Could not be checked (tier not run, target not local…).
    NotChecked,
    /// Outside perfreport (documentation): left for people.
    Manual,
}

/// The one overall verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Ready, passed but incomplete, or not ready.
    pub status: VerdictStatus,
    /// True only for [`VerdictStatus::Ready`].
    pub ready_for_production: bool,
    /// True when no check failed (exit code 0).
    pub passed: bool,
    /// One sentence.
    pub headline: String,
    /// Every failed check, one line each.
    pub failures: Vec<String>,
    /// What was not checked, one line each.
    pub gaps: Vec<String>,
}

/// See [`Verdict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// Every tier ran, every check passed, resources and health were checked.
    Ready,
    /// Nothing failed, but something was not checked (a tier, resources, health).
    Incomplete,
    /// Something failed.
    NotReady,
}

//! The report's tables, built once from the tiers: the plan's "Target Metrics" and "Actual
//! Results" (one column per tier), the per-endpoint "Response Time Validation", and the
//! resources per tier, the tiers as run and the report's facts. Cells are formatted text with
//! an optional pass/fail mark.

use super::context::{SignoffReport, TargetKind, TierReport, TierStatus};
use super::resources::Limits;
use crate::report::table::{Cell, Table};
use crate::sla::{Metric, Scope, Sla};

/// The metrics of the plan's tables, in the plan's order.
const PLAN_METRICS: [(Metric, &str); 4] = [
    (Metric::Rps, "RPS"),
    (Metric::Avg, "Avg Response"),
    (Metric::Percentile(9500), "P95 Response"),
    (Metric::FailureRate, "Error Rate"),
];

/// Every metric the SLA's tiers check: the plan's four, then any other in file order.
fn tier_metrics(sla: &Sla) -> Vec<(Metric, String)> {
    let mut metrics: Vec<(Metric, String)> = PLAN_METRICS
        .iter()
        .map(|(m, label)| (*m, label.to_string()))
        .collect();
    for t in sla.tiers.iter().flat_map(|t| &t.thresholds) {
        if !metrics.iter().any(|(m, _)| *m == t.metric) {
            metrics.push((t.metric, t.metric.to_string()));
        }
    }
    metrics
}

fn tier_headers(first: &str, tiers: &[TierReport]) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain(tiers.iter().map(|t| t.name.clone()))
        .collect()
}

fn users_text(users: Option<u64>) -> String {
    users.map_or("-".into(), |u| u.to_string())
}

/// The SLA's per-tier targets, one column per tier.
pub fn target_metrics(sla: &Sla, tiers: &[TierReport]) -> Table {
    let mut rows = vec![std::iter::once(Cell::from("Users"))
        .chain(
            tiers
                .iter()
                .map(|t| Cell::from(users_text(sla.tier(&t.name).and_then(|s| s.users)))),
        )
        .collect()];
    for (metric, label) in tier_metrics(sla) {
        let mut row = vec![Cell::from(label)];
        for t in tiers {
            let targets: Vec<String> = sla
                .tier(&t.name)
                .map(|s| {
                    s.thresholds
                        .iter()
                        .filter(|th| th.metric == metric)
                        .map(|th| th.target())
                        .collect()
                })
                .unwrap_or_default();
            row.push(Cell::from(if targets.is_empty() {
                "-".to_string()
            } else {
                targets.join(", ")
            }));
        }
        rows.push(row);
    }
    Table::grid(tier_headers("Metric", tiers), rows)
}

/// Each tier's measured values, marked by its checks.
pub fn actual_results(sla: &Sla, tiers: &[TierReport]) -> Table {
    let mut rows = vec![std::iter::once(Cell::from("Users"))
        .chain(tiers.iter().map(|t| match &t.measured {
            Some(m) => Cell::from(users_text(m.peak_users.or(t.users))),
            None => Cell::from("not run"),
        }))
        .collect()];
    for (metric, label) in tier_metrics(sla) {
        let mut row = vec![Cell::from(label)];
        for t in tiers {
            row.push(actual_cell(t, metric));
        }
        rows.push(row);
    }
    Table::grid(tier_headers("Metric", tiers), rows)
}

/// A tier's value of a metric: the tier check's text and verdict when the SLA checks it,
/// else the run's own figure with no verdict.
fn actual_cell(t: &TierReport, metric: Metric) -> Cell {
    let Some(m) = &t.measured else {
        return Cell::from("-");
    };
    let checks: Vec<_> = t
        .checks
        .iter()
        .flat_map(|c| &c.checks)
        .filter(|c| c.scope == Scope::Tier && c.metric == metric)
        .collect();
    if let Some(first) = checks.first() {
        let passed = checks.iter().all(|c| c.passed);
        return Cell::judged(first.actual_text.clone(), Some(passed));
    }
    let text = match metric {
        Metric::Rps => format!("{:.2}", m.rps),
        Metric::Avg => format!("{:.0}ms", m.avg_ms),
        Metric::Percentile(9500) => m.p95_ms.map_or("N/A".into(), |p| format!("{p:.0}ms")),
        Metric::FailureRate => format!(
            "{:.2}% ({} of {})",
            m.error_rate * 100.0,
            m.failures,
            m.requests
        ),
        _ => "-".into(),
    };
    Cell::from(text)
}

/// One row per endpoint check (endpoint and threshold), one column per tier, then a status.
pub fn response_times(tiers: &[TierReport]) -> Table {
    let mut keys: Vec<(String, String, String)> = Vec::new();
    for c in tiers
        .iter()
        .flat_map(|t| t.checks.iter().flat_map(|r| &r.checks))
        .filter(|c| c.scope == Scope::Endpoint)
    {
        let key = (c.subject.clone(), c.metric.to_string(), c.target.clone());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut headers = vec!["Endpoint".to_string(), "Target".to_string()];
    headers.extend(tiers.iter().map(|t| t.name.clone()));
    headers.push("Status".into());
    let rows = keys
        .iter()
        .map(|(subject, metric, target)| {
            let mut row = vec![
                Cell::from(subject.clone()),
                Cell::from(format!("{metric} {target}")),
            ];
            let mut verdicts = Vec::new();
            for t in tiers {
                let check = t.checks.iter().flat_map(|r| &r.checks).find(|c| {
                    c.scope == Scope::Endpoint
                        && &c.subject == subject
                        && &c.metric.to_string() == metric
                        && &c.target == target
                });
                match check {
                    Some(c) => {
                        verdicts.push(c.passed);
                        row.push(Cell::judged(c.actual_text.clone(), Some(c.passed)));
                    }
                    None if t.ran() => row.push(Cell::from("-")),
                    None => row.push(Cell::from("not run")),
                }
            }
            row.push(status_mark(&verdicts));
            row
        })
        .collect();
    Table::grid(headers, rows)
}

fn status_mark(verdicts: &[bool]) -> Cell {
    if verdicts.is_empty() {
        Cell::from("-")
    } else if verdicts.iter().all(|v| *v) {
        Cell::judged("pass", Some(true))
    } else {
        let failed = verdicts.iter().filter(|v| !**v).count();
        Cell::judged(
            format!("FAIL ({failed} of {})", verdicts.len()),
            Some(false),
        )
    }
}

/// The resource checks of every tier that ran.
pub fn resources(tiers: &[TierReport], limits: &Limits) -> Table {
    let headers = vec![
        "Tier".to_string(),
        format!("CPU (mean < {:.0}% of a core)", limits.cpu_percent),
        format!(
            "Memory (growth ≤ {:.0}% of RSS, min {} MiB)",
            limits.growth_fraction * 100.0,
            limits.growth_min_bytes >> 20
        ),
        format!("File descriptors (after ≤ before + {})", limits.fd_slack),
        "Process".to_string(),
    ];
    let rows = tiers
        .iter()
        .filter(|t| t.ran())
        .map(|t| {
            let mut row = vec![Cell::from(t.name.clone())];
            for name in ["cpu", "memory", "fds", "process"] {
                let cell = match t.resources.as_ref().and_then(|r| r.check(name)) {
                    Some(c) if c.passed.is_some() => Cell::judged(c.actual.clone(), c.passed),
                    Some(c) => Cell::from(format!(
                        "not judged: {}",
                        c.reason.as_deref().unwrap_or("-")
                    )),
                    None => Cell::from("not measured"),
                };
                row.push(cell);
            }
            row
        })
        .collect();
    Table::grid(headers, rows)
}

/// What was signed off, how and when: `(label, value)` pairs for the top of the report.
pub fn facts(r: &SignoffReport) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("SLA", r.sla.clone()),
        ("Target", r.target.description.clone()),
    ];
    if r.target.kind != TargetKind::Recorded {
        rows.push((
            "Scenario",
            r.scenario.clone().unwrap_or_else(|| {
                "default: Resource Agent mix, between(0.3, 1.0) waits (scenario.toml)".into()
            }),
        ));
    }
    if let Some(scale) = r.duration_scale {
        rows.push(("Duration scale", format!("{scale} × the plan's durations")));
    }
    rows.push(("Started", r.generated_at.clone()));
    rows.push(("Results", r.out_dir.clone()));
    rows.push(("perfreport", r.perfreport_version.to_string()));
    rows
}

/// The tiers as run: load shape, requests, result and where the run's files are.
pub fn tier_runs(tiers: &[TierReport]) -> Table {
    let headers = [
        "Tier",
        "Users",
        "Spawn rate",
        "Duration",
        "Requests",
        "Failed",
        "Result",
        "Run",
    ];
    let rows = tiers
        .iter()
        .map(|t| {
            let (spawn, duration) = match &t.plan {
                Some(p) => (
                    format!("{:.1}/s", p.spawn_rate),
                    format!("{:.0} s", p.run_time_s),
                ),
                None => (
                    "-".into(),
                    t.measured
                        .as_ref()
                        .and_then(|m| m.duration_s)
                        .map_or("-".into(), |d| format!("{d:.0} s")),
                ),
            };
            let (requests, failed) = t.measured.as_ref().map_or(("-".into(), "-".into()), |m| {
                (m.requests.to_string(), m.failures.to_string())
            });
            let result = match t.status {
                TierStatus::Passed => Cell::judged("passed", Some(true)),
                TierStatus::Failed => Cell::judged("failed", Some(false)),
                TierStatus::Interrupted => Cell::judged("interrupted", Some(false)),
                TierStatus::NotRun => Cell::from(t.note.as_deref().unwrap_or("not run")),
            };
            let run = match (&t.run_dir, &t.recorded_from) {
                (Some(dir), Some(from)) => format!("{dir} (from {from})"),
                (Some(dir), None) => dir.clone(),
                _ => "-".into(),
            };
            vec![
                Cell::from(t.name.clone()),
                Cell::from(users_text(t.users)),
                Cell::from(spawn),
                Cell::from(duration),
                Cell::from(requests),
                Cell::from(failed),
                result,
                Cell::from(run),
            ]
        })
        .collect();
    Table::grid(headers.iter().map(|h| h.to_string()).collect(), rows)
}

//! The seed plan's checklists, ticked from the evidence.
//!
//! An item is ticked only when perfreport checked it and it held; an item it could not check
//! (a tier not run, a target it could not watch) stays unticked with the reason, and
//! "Documentation updated" is left to people. The completion checklist's last item, "Ready for
//! production", is the verdict ([`super::verdict`]).

use super::context::{
    Checklist, Item, ItemStatus, TargetInfo, TargetKind, TierReport, TierStatus, Verdict,
    VerdictStatus,
};
use super::local::HealthCheck;
use crate::sla::Metric;

/// The tier the plan calls the stress test: only "completed" (no crash), not "passed".
const STRESS: &str = "stress";

fn item(text: impl Into<String>, status: ItemStatus, detail: impl Into<String>) -> Item {
    let detail = detail.into();
    Item {
        text: text.into(),
        status,
        detail: (!detail.is_empty()).then_some(detail),
    }
}

pub(super) fn names(tiers: &[&TierReport]) -> String {
    tiers
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan's validation and completion checklists; the completion checklist's last item,
/// "Ready for production", is the verdict.
pub fn checklists(
    tiers: &[TierReport],
    health: Option<&HealthCheck>,
    target: &TargetInfo,
    out_dir: &str,
    archived: &[String],
    verdict: &Verdict,
) -> Vec<Checklist> {
    vec![
        Checklist {
            title: "Performance Validation".into(),
            items: performance(tiers, health),
        },
        Checklist {
            title: "Throughput Validation".into(),
            items: throughput(tiers),
        },
        Checklist {
            title: "Resource Usage Validation".into(),
            items: resource_items(tiers, health, target),
        },
        Checklist {
            title: "Completion Checklist".into(),
            items: completion(tiers, health, target, out_dir, archived, verdict),
        },
    ]
}

fn performance(tiers: &[TierReport], health: Option<&HealthCheck>) -> Vec<Item> {
    let mut items = Vec::new();
    for t in tiers {
        let users = t.users.map_or(String::new(), |u| format!(" ({u} users)"));
        if t.name == STRESS {
            let text = format!("Stress test completed{users}");
            items.push(match t.status {
                TierStatus::NotRun => item(text, ItemStatus::NotChecked, "not run"),
                TierStatus::Interrupted => item(text, ItemStatus::Failed, "interrupted"),
                _ if crashed(t) => item(text, ItemStatus::Failed, "the target exited"),
                _ => item(text, ItemStatus::Done, t.one_line()),
            });
            continue;
        }
        let text = format!("{} load test passed{users}", capitalised(&t.name));
        items.push(tier_item(text, t));
    }
    items.push(all_slas_met(tiers));
    items.push(no_crashes(tiers, health));
    items
}

fn tier_item(text: String, t: &TierReport) -> Item {
    match t.status {
        TierStatus::NotRun => item(text, ItemStatus::NotChecked, "not run"),
        TierStatus::Passed => item(text, ItemStatus::Done, t.one_line()),
        TierStatus::Failed | TierStatus::Interrupted => {
            item(text, ItemStatus::Failed, t.one_line())
        }
    }
}

fn crashed(t: &TierReport) -> bool {
    t.resources
        .as_ref()
        .and_then(|r| r.check("process"))
        .is_some_and(|c| c.passed == Some(false))
}

fn all_slas_met(tiers: &[TierReport]) -> Item {
    let failed: Vec<String> = tiers
        .iter()
        .filter_map(|t| t.checks.as_ref().map(|c| (t, c)))
        .filter(|(_, c)| !c.passed)
        .map(|(t, c)| format!("{}: {} of {} failed", t.name, c.failed, c.total))
        .collect();
    let not_run: Vec<&TierReport> = tiers.iter().filter(|t| !t.ran()).collect();
    let text = "All SLAs met";
    if !failed.is_empty() {
        item(text, ItemStatus::Failed, failed.join("; "))
    } else if !not_run.is_empty() {
        item(
            text,
            ItemStatus::NotChecked,
            format!("not run: {}", names(&not_run)),
        )
    } else {
        let total: usize = tiers
            .iter()
            .filter_map(|t| t.checks.as_ref())
            .map(|c| c.total)
            .sum();
        item(text, ItemStatus::Done, format!("{total} checks passed"))
    }
}

fn no_crashes(tiers: &[TierReport], health: Option<&HealthCheck>) -> Item {
    let text = "No crashes or errors";
    let mut problems: Vec<String> = tiers
        .iter()
        .filter(|t| crashed(t))
        .map(|t| format!("the target exited during {}", t.name))
        .collect();
    for t in tiers {
        let errors_failed = t
            .checks
            .iter()
            .flat_map(|c| &c.checks)
            .any(|c| c.metric == Metric::FailureRate && !c.passed);
        if errors_failed {
            problems.push(format!("{}: error rate over target", t.name));
        }
    }
    if let Some(h) = health.filter(|h| !h.passed) {
        problems.push(format!("health check failed: {}", h.detail));
    }
    let requests: u64 = tiers
        .iter()
        .filter_map(|t| t.measured.as_ref())
        .map(|m| m.requests)
        .sum();
    let failures: u64 = tiers
        .iter()
        .filter_map(|t| t.measured.as_ref())
        .map(|m| m.failures)
        .sum();
    if !problems.is_empty() {
        return item(text, ItemStatus::Failed, problems.join("; "));
    }
    if requests == 0 {
        return item(text, ItemStatus::NotChecked, "no tier ran");
    }
    item(
        text,
        ItemStatus::Done,
        format!("{failures} of {requests} requests failed, within every tier's error-rate target"),
    )
}

fn throughput(tiers: &[TierReport]) -> Vec<Item> {
    let mut items = Vec::new();
    for t in tiers {
        let Some(target) = tier_target(t, Metric::Rps) else {
            if t.ran() {
                continue;
            }
            items.push(item(
                format!("{} load: throughput", capitalised(&t.name)),
                ItemStatus::NotChecked,
                "not run",
            ));
            continue;
        };
        let text = format!("{} load: RPS {target} achieved", capitalised(&t.name));
        items.push(metric_item(text, t, Metric::Rps));
    }
    let rates: Vec<String> = tiers
        .iter()
        .filter_map(|t| tier_target(t, Metric::FailureRate).map(|x| format!("{} {x}", t.name)))
        .collect();
    let text = if rates.is_empty() {
        "Error rate within target for all tests".to_string()
    } else {
        format!(
            "Error rate within target for all tests ({})",
            rates.join(", ")
        )
    };
    let mut failed = Vec::new();
    let mut shown = Vec::new();
    for t in tiers {
        for c in t.checks.iter().flat_map(|c| &c.checks) {
            if c.metric == Metric::FailureRate && c.subject == crate::model::AGGREGATED_NAME {
                shown.push(format!("{} {}", t.name, c.actual_text));
                if !c.passed {
                    failed.push(format!(
                        "{} {} (target {})",
                        t.name, c.actual_text, c.target
                    ));
                }
            }
        }
    }
    let not_run: Vec<&TierReport> = tiers.iter().filter(|t| !t.ran()).collect();
    items.push(if !failed.is_empty() {
        item(text, ItemStatus::Failed, failed.join("; "))
    } else if shown.is_empty() {
        item(
            text,
            ItemStatus::NotChecked,
            "no error-rate target was checked",
        )
    } else if !not_run.is_empty() {
        item(
            text,
            ItemStatus::NotChecked,
            format!("{}; not run: {}", shown.join(", "), names(&not_run)),
        )
    } else {
        item(text, ItemStatus::Done, shown.join(", "))
    });
    items
}

/// The target of the tier's check of `metric` (`>= 10`), from its checks.
fn tier_target(t: &TierReport, metric: Metric) -> Option<String> {
    t.checks
        .iter()
        .flat_map(|c| &c.checks)
        .find(|c| c.metric == metric && c.tier.is_some())
        .map(|c| c.target.clone())
}

fn metric_item(text: String, t: &TierReport, metric: Metric) -> Item {
    let check = t
        .checks
        .iter()
        .flat_map(|c| &c.checks)
        .find(|c| c.metric == metric && c.tier.is_some());
    match check {
        Some(c) if c.passed => item(text, ItemStatus::Done, c.actual_text.clone()),
        Some(c) => item(
            text,
            ItemStatus::Failed,
            format!(
                "{}{}",
                c.actual_text,
                c.reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(": {r}"))
            ),
        ),
        None => item(text, ItemStatus::NotChecked, "not run"),
    }
}

/// Why resources could not be watched, or `None` when they were.
pub(super) fn resources_gap(tiers: &[TierReport], target: &TargetInfo) -> Option<String> {
    match target.kind {
        TargetKind::Recorded => Some("the runs were recorded elsewhere (--run)".into()),
        TargetKind::Host if target.pid.is_none() => {
            Some("the target's process is unknown (pass --target-pid PID)".into())
        }
        _ if !tiers.iter().any(|t| t.resources.is_some()) => Some("no tier ran".into()),
        _ => None,
    }
}

/// Ticks one resource check across the tiers that ran.
fn resource_item(text: &str, name: &str, tiers: &[TierReport], target: &TargetInfo) -> Item {
    if let Some(gap) = resources_gap(tiers, target) {
        return item(text, ItemStatus::NotChecked, format!("not measured: {gap}"));
    }
    let mut failed = Vec::new();
    let mut passed = Vec::new();
    let mut unjudged = Vec::new();
    for t in tiers {
        match t.resources.as_ref().and_then(|r| r.check(name)) {
            Some(c) if c.passed == Some(false) => failed.push(format!(
                "{}: {}",
                t.name,
                c.reason.clone().unwrap_or_else(|| c.actual.clone())
            )),
            Some(c) if c.passed == Some(true) => passed.push(format!("{} {}", t.name, c.actual)),
            Some(c) => unjudged.push(format!(
                "{}: {}",
                t.name,
                c.reason.clone().unwrap_or_default()
            )),
            None => {}
        }
    }
    if !failed.is_empty() {
        return item(text, ItemStatus::Failed, failed.join("; "));
    }
    if passed.is_empty() {
        let why = if unjudged.is_empty() {
            "no tier ran".to_string()
        } else {
            unjudged.join("; ")
        };
        return item(text, ItemStatus::NotChecked, why);
    }
    let mut detail = passed.join("; ");
    if !unjudged.is_empty() {
        detail.push_str(&format!(" (not judged: {})", unjudged.join("; ")));
    }
    item(text, ItemStatus::Done, detail)
}

fn resource_items(
    tiers: &[TierReport],
    health: Option<&HealthCheck>,
    target: &TargetInfo,
) -> Vec<Item> {
    vec![
        resource_item("CPU usage stable (< 80%)", "cpu", tiers, target),
        resource_item("Memory usage stable (no leaks)", "memory", tiers, target),
        resource_item("No file descriptor leaks", "fds", tiers, target),
        graceful(tiers, health, target),
    ]
}

/// After the stress tier the target still runs and answers its health check.
fn graceful(tiers: &[TierReport], health: Option<&HealthCheck>, target: &TargetInfo) -> Item {
    let text = "Graceful degradation under stress";
    let stress = tiers.iter().find(|t| t.name == STRESS);
    if let Some(t) = stress.filter(|t| crashed(t)) {
        return item(
            text,
            ItemStatus::Failed,
            format!("the target exited during {}", t.name),
        );
    }
    match (stress, health) {
        (Some(s), _) if !s.ran() => {
            item(text, ItemStatus::NotChecked, "the stress tier was not run")
        }
        (None, _) => item(text, ItemStatus::NotChecked, "the SLA has no stress tier"),
        (Some(_), Some(h)) if h.after_tier == STRESS && h.passed => item(
            text,
            ItemStatus::Done,
            format!("after stress, {} answered {}", h.url, h.detail),
        ),
        (Some(_), Some(h)) if h.after_tier == STRESS => item(
            text,
            ItemStatus::Failed,
            format!("after stress, {}: {}", h.url, h.detail),
        ),
        _ if target.kind == TargetKind::Recorded => item(
            text,
            ItemStatus::NotChecked,
            "no live target to ask its health check (--run)",
        ),
        _ => item(text, ItemStatus::NotChecked, "no health check after stress"),
    }
}

fn completion(
    tiers: &[TierReport],
    health: Option<&HealthCheck>,
    target: &TargetInfo,
    out_dir: &str,
    archived: &[String],
    verdict: &Verdict,
) -> Vec<Item> {
    let not_run: Vec<&TierReport> = tiers.iter().filter(|t| !t.ran()).collect();
    let interrupted: Vec<&TierReport> = tiers
        .iter()
        .filter(|t| t.status == TierStatus::Interrupted)
        .collect();
    let executed = if !interrupted.is_empty() {
        item(
            "All load tests executed",
            ItemStatus::Failed,
            format!("interrupted: {}", names(&interrupted)),
        )
    } else if not_run.is_empty() {
        let all: Vec<&TierReport> = tiers.iter().collect();
        item("All load tests executed", ItemStatus::Done, names(&all))
    } else {
        item(
            "All load tests executed",
            ItemStatus::NotChecked,
            format!("not run: {}", names(&not_run)),
        )
    };
    let mut slas = all_slas_met(tiers);
    slas.text = "Performance SLAs met".into();
    let issues = {
        let mut checked: Vec<Item> = ["cpu", "memory", "fds"]
            .iter()
            .map(|name| resource_item(name, name, tiers, target))
            .collect();
        checked.push(match health {
            Some(h) if h.passed => item("health", ItemStatus::Done, ""),
            Some(h) => item("health", ItemStatus::Failed, h.detail.clone()),
            None => item("health", ItemStatus::NotChecked, ""),
        });
        let failed: Vec<String> = checked
            .iter()
            .filter(|i| i.status == ItemStatus::Failed)
            .map(|i| format!("{}: {}", i.text, i.detail.clone().unwrap_or_default()))
            .collect();
        let unchecked: Vec<&str> = checked
            .iter()
            .filter(|i| i.status == ItemStatus::NotChecked)
            .map(|i| i.text.as_str())
            .collect();
        let text = "No critical issues found";
        if !failed.is_empty() {
            item(text, ItemStatus::Failed, failed.join("; "))
        } else if !unchecked.is_empty() {
            item(text, ItemStatus::NotChecked, unchecked.join(", "))
        } else {
            item(
                text,
                ItemStatus::Done,
                "CPU, memory and descriptors stable; the health check answered",
            )
        }
    };
    vec![
        executed,
        slas,
        item(
            "Reports generated",
            ItemStatus::Done,
            format!("{out_dir}/signoff.html, {out_dir}/signoff.md, {out_dir}/signoff.json"),
        ),
        issues,
        item(
            "Documentation updated",
            ItemStatus::Manual,
            "a manual step: perfreport cannot check it",
        ),
        item(
            "Results archived",
            ItemStatus::Done,
            if archived.is_empty() {
                format!("every tier's CSV files are in {out_dir}")
            } else {
                format!(
                    "every tier's CSV files are in {out_dir}, and in the archive as {}",
                    archived.join(", ")
                )
            },
        ),
        item(
            "Ready for production",
            match verdict.status {
                VerdictStatus::Ready => ItemStatus::Done,
                VerdictStatus::NotReady => ItemStatus::Failed,
                VerdictStatus::Incomplete => ItemStatus::NotChecked,
            },
            verdict.headline.clone(),
        ),
    ]
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

//! Computes the sign-off report from the tiers' results: the tables ([`super::tables`]), the
//! plan's checklists ([`super::checklist`]) and the verdict ([`super::verdict`]). The data
//! types live below, in [`super::context`], so these modules import them and never each other
//! in a circle.

use std::time::SystemTime;

use super::context::{SignoffReport, TargetInfo, TierReport, SCHEMA};
use super::local::HealthCheck;
use super::resources::Limits;
use super::{checklist, tables, verdict};
use crate::sla::Sla;

/// What [`build`] needs.
pub struct Inputs<'a> {
    /// The SLA.
    pub sla: &'a Sla,
    /// Every tier of the SLA, in SLA order.
    pub tiers: Vec<TierReport>,
    /// The health check, if one ran.
    pub health: Option<HealthCheck>,
    /// What was tested.
    pub target: TargetInfo,
    /// The scenario file given.
    pub scenario: Option<String>,
    /// The time scale.
    pub duration_scale: Option<f64>,
    /// The output folder.
    pub out_dir: String,
    /// When the sign-off started.
    pub started: SystemTime,
    /// The resource limits applied.
    pub limits: Limits,
    /// The archived runs' folders, one per tier run (empty when not archived).
    pub archived: Vec<String>,
}

/// Computes the report: tables, checklists and verdict.
pub fn build(inputs: Inputs<'_>) -> SignoffReport {
    let Inputs {
        sla,
        tiers,
        health,
        target,
        scenario,
        duration_scale,
        out_dir,
        started,
        limits,
        archived,
    } = inputs;
    let mut notes = Vec::new();
    for t in &tiers {
        if t.saturated {
            notes.push(format!(
                "tier {}: the load generator was saturated at times; its latencies include \
                 client-side delay (see {}/*_driver.csv)",
                t.name,
                t.run_dir.as_deref().unwrap_or("the run")
            ));
        }
        if let Some(c) = &t.checks {
            notes.extend(c.notes.iter().map(|n| format!("tier {}: {n}", t.name)));
        }
    }
    let verdict = verdict::verdict(sla, &tiers, health.as_ref(), &target);
    let checklists = checklist::checklists(
        &tiers,
        health.as_ref(),
        &target,
        &out_dir,
        &archived,
        &verdict,
    );
    SignoffReport {
        schema: SCHEMA,
        title: "Performance sign-off".into(),
        generated_at: super::utc(started).1,
        perfreport_version: env!("CARGO_PKG_VERSION"),
        sla: sla.source.clone(),
        target_metrics: tables::target_metrics(sla, &tiers),
        actual_results: tables::actual_results(sla, &tiers),
        response_times: tables::response_times(&tiers),
        resources: tables::resources(&tiers, &limits),
        target,
        scenario,
        duration_scale,
        out_dir,
        verdict,
        tiers,
        limits,
        health,
        checklists,
        notes,
    }
}

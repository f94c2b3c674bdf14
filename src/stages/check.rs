//! SLA checks on a stage of a stepped run: `check RUN --tier NAME` judges the stage whose
//! users equal the tier's, so that one stepped run answers every tier of the load plan.

use crate::locust::LocustError;
use crate::model::Run;
use crate::sla::{evaluate, CheckReport, Sla, SlaError};

use super::{describe, of_run, stage_run, stage_with_users, Stage};

/// Why a stage could not be checked: its histograms could not be read, or the SLA names no
/// such tier.
#[derive(Debug, thiserror::Error)]
pub enum StageCheckError {
    /// The stage histograms file is unreadable.
    #[error(transparent)]
    Locust(#[from] LocustError),
    /// The SLA cannot be applied.
    #[error(transparent)]
    Sla(#[from] SlaError),
}

/// Checks `run` against `sla` as [`evaluate`] does, except that when `tier` names a tier with
/// `users` and the run has two or more stages, the stage at those users is checked instead of
/// the whole run (a note says which; none at those users: a note lists the stages and the
/// whole run is checked).
pub fn evaluate_stage_or_run(
    run: &Run,
    sla: &Sla,
    tier: Option<&str>,
    min_stage_s: f64,
) -> Result<CheckReport, StageCheckError> {
    let users = tier.and_then(|t| sla.tier(t)).and_then(|t| t.users);
    let stages = match users {
        Some(_) => of_run(run, min_stage_s)?,
        None => Vec::new(),
    };
    let (Some(users), true) = (users, stages.len() >= 2) else {
        return Ok(evaluate(run, sla, tier)?);
    };
    match stage_with_users(&stages, users) {
        Some(stage) => {
            let mut report = evaluate(&stage_run(run, stage), sla, tier)?;
            report.notes.insert(0, stage_note(stage, stages.len()));
            Ok(report)
        }
        None => {
            let mut report = evaluate(run, sla, tier)?;
            report.notes.insert(
                0,
                format!(
                    "the run has {} stages ({} users) and none at {users} users: the whole \
                     run was checked",
                    stages.len(),
                    held(&stages)
                ),
            );
            Ok(report)
        }
    }
}

/// What was checked: `checked the stage at 20 users, 36–54 s of the run (stage 3 of 4; …)`.
pub fn stage_note(stage: &Stage, count: usize) -> String {
    let how = if stage.percentiles_exact {
        "percentiles exact from the driver's stage histograms".to_string()
    } else if let Some(note) = &stage.percentiles_note {
        format!("no stage percentiles: {note}; min and max unknown")
    } else {
        "percentiles ≈ from the history's 10 s windows; min and max unknown".to_string()
    };
    format!("checked the {} ({count} stages; {how})", describe(stage))
}

/// The user counts of the stages, comma-separated.
pub fn held(stages: &[Stage]) -> String {
    let users: Vec<String> = stages.iter().map(|s| s.users.to_string()).collect();
    users.join(", ")
}

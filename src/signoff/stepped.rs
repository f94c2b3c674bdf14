//! `signoff --run-stepped RUN`: the whole sign-off from one stepped run. Each tier of the SLA
//! is checked on the stage of the run that held the tier's users ([`crate::stages`]); a tier
//! without such a stage is reported as not run.

use std::path::{Path, PathBuf};

use super::SignoffError;
use crate::locust::load_runs;
use crate::model::Run;
use crate::sla::Sla;
use crate::stages::check::{held, stage_note};
use crate::stages::{of_run, stage_run, stage_with_users, DEFAULT_MIN_STAGE_S};

/// `(tier, path, the stage as a run, a note naming the stage)` for every tier with a stage.
pub type StageTiers = Vec<(String, PathBuf, Run, Option<String>)>;

/// Reads the stepped run at `path` (a path or an archive selector looked up in `results`) and
/// maps every tier of `sla` with `users` to the stage holding them.
pub fn load(sla: &Sla, path: &Path, results: &Path) -> Result<StageTiers, SignoffError> {
    let flag = format!("--run-stepped {}", path.display());
    let resolved = crate::archive::RunResolver::new(results)
        .resolve(path)
        .map_err(|e| SignoffError::Usage(format!("{flag}: {e}")))?;
    let mut found = Vec::new();
    for named in &resolved {
        found.extend(load_runs(named).map_err(|e| SignoffError::Usage(format!("{flag}: {e}")))?);
    }
    let run = match found.len() {
        1 => found.remove(0),
        n => {
            return Err(SignoffError::Usage(format!(
                "{flag}: names {n} runs; name one run's _stats.csv or prefix"
            )))
        }
    };
    let stages = of_run(&run, DEFAULT_MIN_STAGE_S)
        .map_err(|e| SignoffError::Usage(format!("{flag}: {e}")))?;
    if stages.len() < 2 {
        return Err(SignoffError::Usage(format!(
            "{flag}: the run has {} stage(s) (plateaus of the user count of at least {:.0} s); \
             a stepped run holds each tier's users in turn",
            stages.len(),
            DEFAULT_MIN_STAGE_S
        )));
    }
    let mut tiers = Vec::new();
    for tier in &sla.tiers {
        let Some(stage) = tier.users.and_then(|u| stage_with_users(&stages, u)) else {
            continue;
        };
        tiers.push((
            tier.name.clone(),
            path.to_path_buf(),
            stage_run(&run, stage),
            Some(stage_note(stage, stages.len())),
        ));
    }
    if tiers.is_empty() {
        let wanted: Vec<String> = sla
            .tiers
            .iter()
            .filter_map(|t| Some(format!("{} {}", t.name, t.users?)))
            .collect();
        return Err(SignoffError::Usage(format!(
            "{flag}: no stage holds the users of a tier: the stages hold {} users, {} defines \
             {}",
            held(&stages),
            sla.source,
            wanted.join(", ")
        )));
    }
    Ok(tiers)
}

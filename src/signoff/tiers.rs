//! The load tiers a sign-off runs: the seed plan's users, spawn rates and durations, the
//! selection (`--tiers`) and the time scale (`--duration-scale`).
//!
//! | tier | users | spawn rate | duration |
//! | --- | --- | --- | --- |
//! | light | 10 | 2/s | 1 m |
//! | medium | 50 | 5/s | 2 m |
//! | heavy | 100 | 10/s | 2 m |
//! | stress | 200 | 20/s | 2 m |
//!
//! The tiers come from the SLA (the built-in SLA has exactly these four); a tier of an SLA file
//! that the plan does not name runs its `users` with a 10-second ramp for 2 minutes.
//! `--duration-scale F` scales the whole timeline of each tier: the run time by `F` and the
//! spawn rate by `1/F`, so the ramp-up stays the same share of the run as in the plan (a light
//! tier scaled to 6 s does not spend 5 of them starting users).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::SignoffError;
use crate::sla::Sla;

/// The seed plan's load shape per tier: name, users, spawn rate (users/s), duration (s).
const SEED_TIERS: [(&str, u64, f64, f64); 4] = [
    ("light", 10, 2.0, 60.0),
    ("medium", 50, 5.0, 120.0),
    ("heavy", 100, 10.0, 120.0),
    ("stress", 200, 20.0, 120.0),
];

/// Ramp-up and duration of a tier the seed plan does not name.
const OTHER_RAMP_S: f64 = 10.0;
const OTHER_DURATION_S: f64 = 120.0;

/// The largest `--duration-scale`: ten times the plan (a 20-minute tier).
pub const MAX_SCALE: f64 = 10.0;
/// The shortest tier a scale may produce.
pub const MIN_TIER_S: f64 = 1.0;

/// How one tier is run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierPlan {
    /// The tier's name, as in the SLA.
    pub name: String,
    /// Peak concurrent users.
    pub users: u64,
    /// Users started per second.
    pub spawn_rate: f64,
    /// How long the tier runs, in seconds (ramp-up included, as Locust's `--run-time`).
    pub run_time_s: f64,
}

impl TierPlan {
    /// The run time as a [`Duration`].
    pub fn run_time(&self) -> Duration {
        Duration::from_secs_f64(self.run_time_s)
    }

    /// Seconds until every user is started.
    pub fn ramp_s(&self) -> f64 {
        (self.users as f64 / self.spawn_rate).min(self.run_time_s)
    }
}

/// The tiers to run, in SLA order: those named in `selected`, or all the SLA defines.
///
/// Fails when a name is not a tier of the SLA, when a tier has no user count, or when the
/// scale is out of range or makes a tier shorter than [`MIN_TIER_S`].
pub fn plan(sla: &Sla, selected: &[String], scale: f64) -> Result<Vec<TierPlan>, SignoffError> {
    if !scale.is_finite() || scale <= 0.0 || scale > MAX_SCALE {
        return Err(SignoffError::Usage(format!(
            "--duration-scale {scale}: expected a number above 0 and at most {MAX_SCALE} \
             (0.1 runs each tier for a tenth of the plan's time)"
        )));
    }
    let known: Vec<String> = sla.tiers.iter().map(|t| t.name.clone()).collect();
    for name in selected {
        if sla.tier(name).is_none() {
            return Err(SignoffError::Usage(format!(
                "--tiers: unknown tier `{name}`: {} defines {}",
                sla.source,
                list_or_none(&known)
            )));
        }
    }
    if known.is_empty() {
        return Err(SignoffError::Usage(format!(
            "{} defines no tiers: a sign-off runs the SLA's tiers (add [tiers.NAME] tables)",
            sla.source
        )));
    }
    let mut plans = Vec::new();
    for tier in &sla.tiers {
        if !selected.is_empty() && !selected.contains(&tier.name) {
            continue;
        }
        let seed = SEED_TIERS.iter().find(|(n, ..)| *n == tier.name);
        let users = match (tier.users, seed) {
            (Some(u), _) => u,
            (None, Some((_, u, _, _))) => *u,
            (None, None) => {
                return Err(SignoffError::Usage(format!(
                    "tier `{}` of {} has no user count: add `users = N` to run it",
                    tier.name, sla.source
                )))
            }
        };
        let (spawn_rate, run_time_s) = match seed {
            Some((_, _, rate, secs)) => (*rate, *secs),
            None => (users as f64 / OTHER_RAMP_S, OTHER_DURATION_S),
        };
        let run_time_s = run_time_s * scale;
        if run_time_s < MIN_TIER_S {
            return Err(SignoffError::Usage(format!(
                "--duration-scale {scale} makes tier `{}` {run_time_s} s long; a tier needs at \
                 least {MIN_TIER_S} s",
                tier.name
            )));
        }
        plans.push(TierPlan {
            name: tier.name.clone(),
            users,
            spawn_rate: spawn_rate / scale,
            run_time_s,
        });
    }
    Ok(plans)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "no tiers".to_string()
    } else {
        format!("the tiers {}", names.join(", "))
    }
}

/// Parses `--run TIER=PATH`.
pub fn parse_run(text: &str) -> Result<(String, PathBuf), String> {
    let (tier, path) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected TIER=PATH, e.g. light=results/light"))?;
    let (tier, path) = (tier.trim(), path.trim());
    if tier.is_empty() || path.is_empty() {
        return Err(format!(
            "{text:?}: expected TIER=PATH with both parts, e.g. light=results/light"
        ));
    }
    Ok((tier.to_string(), PathBuf::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(plans: &[TierPlan]) -> Vec<(&str, u64, f64, f64)> {
        plans
            .iter()
            .map(|p| (p.name.as_str(), p.users, p.spawn_rate, p.run_time_s))
            .collect()
    }

    #[test]
    fn the_seed_plan_unscaled() {
        let plans = plan(&Sla::builtin(), &[], 1.0).unwrap();
        assert_eq!(
            names(&plans),
            [
                ("light", 10, 2.0, 60.0),
                ("medium", 50, 5.0, 120.0),
                ("heavy", 100, 10.0, 120.0),
                ("stress", 200, 20.0, 120.0),
            ]
        );
        assert_eq!(plans[0].ramp_s(), 5.0);
        assert_eq!(plans[3].run_time(), Duration::from_secs(120));
    }

    #[test]
    fn scaling_keeps_the_ramp_share() {
        let plans = plan(&Sla::builtin(), &["stress".into(), "light".into()], 0.1).unwrap();
        // SLA order, not the order asked for; 6 s and 12 s, ramps of 0.5 s and 1 s.
        assert_eq!(
            names(&plans),
            [("light", 10, 20.0, 6.0), ("stress", 200, 200.0, 12.0)]
        );
        assert_eq!(plans[0].ramp_s() / plans[0].run_time_s, 5.0 / 60.0);
    }

    #[test]
    fn bad_selections_and_scales_are_usage_errors() {
        let sla = Sla::builtin();
        let err = plan(&sla, &["huge".into()], 1.0).unwrap_err().to_string();
        assert!(err.contains("unknown tier `huge`"), "{err}");
        assert!(err.contains("light, medium, heavy, stress"), "{err}");
        for scale in [0.0, -1.0, f64::NAN, f64::INFINITY, 11.0] {
            assert!(plan(&sla, &[], scale).is_err(), "{scale}");
        }
        let err = plan(&sla, &[], 0.01).unwrap_err().to_string();
        assert!(err.contains("at least 1 s"), "{err}");
    }

    #[test]
    fn other_tiers_ramp_over_ten_seconds() {
        let text = "[tiers.soak]\nusers = 30\nchecks = \"p99 < 1s\"\n[tiers.probe]\nchecks = \"avg < 1s\"\n";
        let sla = Sla::from_toml(text, std::path::Path::new("sla.toml")).unwrap();
        let plans = plan(&sla, &["soak".into()], 0.5).unwrap();
        assert_eq!(names(&plans), [("soak", 30, 6.0, 60.0)]);
        let err = plan(&sla, &[], 1.0).unwrap_err().to_string();
        assert!(err.contains("tier `probe`"), "{err}");
    }

    #[test]
    fn run_arguments() {
        assert_eq!(
            parse_run("light=results/light"),
            Ok(("light".into(), PathBuf::from("results/light")))
        );
        assert_eq!(
            parse_run("heavy=a=b.csv"),
            Ok(("heavy".into(), PathBuf::from("a=b.csv")))
        );
        assert!(parse_run("results/light").is_err());
        assert!(parse_run("=x").is_err());
        assert!(parse_run("light=").is_err());
    }
}

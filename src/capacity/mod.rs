//! `perfreport capacity`: find a service's knee with one stepped load test.
//!
//! The embedded driver ([`crate::driver`], as `perfreport run` drives it, so the host must be a
//! loopback address) runs one stage per user count — `--start-users`, then `--step-users` more
//! each stage, up to `--max-users` — each `--stage-time` long. After every stage its
//! throughput and latencies are read back from the Locust files it wrote and, with `--sla`,
//! the stage is checked against the SLA's per-endpoint targets (and `--tier`'s). It stops at
//! the first of:
//!
//! * the SLA failed (`sla_failed`): the stage before is the **maximum sustainable** load;
//! * throughput stopped growing (`saturated`, the rule in [`knee`]): the stage before the flat
//!   step is the **saturation** point;
//! * `--max-users` was reached (`max_users`);
//! * Ctrl-C or SIGTERM (`interrupted`), or a stage recorded no requests (`no_requests`).
//!
//! * [`knee`]: the pure knee rules, tested on synthetic curves;
//! * [`args`]: the command line; [`render`]: table, Markdown, JSON and the HTML page.

pub mod knee;
pub mod render;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::driver::{DriverError, LogLevel};
use crate::locust::{load_runs, LocustError};
use crate::model::Run;
use crate::sla::{evaluate, Sla, SlaError};
use knee::Step;

/// The pause between stages, for the target to finish the requests the last stage left in
/// flight (the driver stops without waiting for them, as Locust's `--stop-timeout 0`).
const SETTLE: Duration = Duration::from_millis(500);

/// What `perfreport capacity` was asked to do, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The base URL (`http://` and a loopback address).
    pub host: String,
    /// The load profile; `None` for the Resource Agent mix.
    pub scenario: Option<PathBuf>,
    /// The SLA each stage is checked against, and the tier whose targets are added.
    pub sla: Option<(Sla, Option<String>)>,
    /// Users of the first stage.
    pub start_users: u64,
    /// Users added per stage.
    pub step_users: u64,
    /// The most users a stage may have.
    pub max_users: u64,
    /// How long each stage runs.
    pub stage_time: Duration,
    /// Keep each stage's Locust files under `PREFIX-u<users>` (else a temporary folder).
    pub csv: Option<PathBuf>,
}

/// Why the capacity search could not be done (bad usage or input: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CapacityError {
    /// The arguments make no sense.
    #[error("{0}")]
    Usage(String),
    /// The driver refused its arguments or could not run.
    #[error(transparent)]
    Driver(#[from] DriverError),
    /// A stage's files could not be read back.
    #[error(transparent)]
    Locust(#[from] LocustError),
    /// The SLA could not be used.
    #[error(transparent)]
    Sla(#[from] SlaError),
    /// The temporary folder for the stages' files could not be made.
    #[error("cannot create a temporary folder in {}: {source}", path.display())]
    Scratch {
        /// Where.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One stage: the load and what it measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Users of the stage.
    pub users: u64,
    /// Requests completed.
    pub requests: u64,
    /// Requests failed.
    pub failures: u64,
    /// Requests per second over the stage (the Aggregated row's `Requests/s`).
    pub rps: f64,
    /// Mean response time, ms.
    pub avg_ms: f64,
    /// Median, ms (Locust's rounding), when any request completed.
    pub p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub p95_ms: Option<f64>,
    /// 99th percentile, ms.
    pub p99_ms: Option<f64>,
    /// Failed requests ÷ requests.
    pub failure_rate: f64,
    /// Whether the stage met the SLA; `null` without one.
    pub sla_passed: Option<bool>,
    /// The checks that failed (`GET /health/: p95 < 50ms (was 61ms)`).
    pub failed_checks: Vec<String>,
    /// The share of the proportional throughput gain this stage bought over the one before
    /// ([`knee::gain_share`]); `null` for the first stage.
    pub gain_share: Option<f64>,
    /// Whether the load generator itself was saturated (its latencies then include
    /// client-side delay, and a knee may be the generator's).
    pub generator_saturated: bool,
    /// The stage's `_stats.csv`, when kept (`--csv`).
    pub stats_file: Option<String>,
}

/// A load and its throughput.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Users.
    pub users: u64,
    /// Requests per second.
    pub rps: f64,
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stopped {
    /// Throughput stopped growing.
    Saturated,
    /// A stage failed the SLA.
    SlaFailed,
    /// The next stage would exceed `--max-users`.
    MaxUsers,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// A stage recorded no requests at all.
    NoRequests,
}

impl Stopped {
    /// Whether the search ended as asked (a knee, or the whole range run): exit 0.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Stopped::Saturated | Stopped::SlaFailed | Stopped::MaxUsers
        )
    }
}

/// The whole search: every stage, the knee and why it stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityReport {
    /// The target.
    pub host: String,
    /// The SLA's source, when there is one.
    pub sla: Option<String>,
    /// The SLA tier checked besides the per-endpoint targets.
    pub tier: Option<String>,
    /// Seconds per stage.
    pub stage_time_s: f64,
    /// The stages run, in order.
    pub stages: Vec<Stage>,
    /// Where throughput stopped growing; `null` while it still grew.
    pub saturation: Option<Point>,
    /// The last stage of the leading stages that met the SLA (`null` when the first failed);
    /// absent without an SLA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_sustainable: Option<Option<Point>>,
    /// Why it stopped.
    pub stopped: Stopped,
    /// The same, in words.
    pub stopped_reason: String,
    /// The flat-step threshold of the saturation rule ([`knee::MIN_GAIN`]).
    pub min_gain_share: f64,
}

/// Checks the configuration: users in range and a loopback host.
pub fn validate(config: &Config) -> Result<(), CapacityError> {
    let usage = |m: &str| Err(CapacityError::Usage(m.to_string()));
    if config.start_users == 0 || config.step_users == 0 {
        return usage("--start-users and --step-users must be at least 1");
    }
    if config.max_users < config.start_users {
        return usage("--max-users must be at least --start-users");
    }
    if config.max_users > 100_000 {
        return usage("--max-users must be at most 100000");
    }
    if config.stage_time < Duration::from_secs(1) || config.stage_time > Duration::from_secs(3600) {
        return usage("--stage-time must be between 1s and 1h");
    }
    crate::driver::parse_host(&config.host)?;
    if let Some(path) = &config.scenario {
        crate::driver::scenario::Scenario::load(path)?;
    }
    match &config.sla {
        Some((sla, Some(tier))) => {
            evaluate(&empty_run(), sla, Some(tier))?;
        }
        Some((sla, None)) if sla.endpoints.is_empty() => {
            return Err(CapacityError::Usage(format!(
                "{} has no per-endpoint targets: name the tier whose targets each stage must                  meet with --tier NAME",
                sla.source
            )))
        }
        _ => {}
    }
    Ok(())
}

/// Runs the stages against `config.host` with the embedded driver and finds the knee;
/// `progress` hears of every stage as it ends.
pub fn run(
    config: &Config,
    progress: &mut dyn FnMut(&Stage),
) -> Result<CapacityReport, CapacityError> {
    validate(config)?;
    let scratch = match &config.csv {
        Some(_) => None,
        None => Some(
            tempfile::tempdir().map_err(|source| CapacityError::Scratch {
                path: std::env::temp_dir(),
                source,
            })?,
        ),
    };
    let prefix_of = |users: u64| match (&config.csv, &scratch) {
        (Some(prefix), _) => suffixed(prefix, &format!("-u{users}")),
        (None, Some(dir)) => dir.path().join(format!("u{users}")),
        (None, None) => PathBuf::from(format!("u{users}")),
    };
    let mut first = true;
    step_up(config, progress, |users| {
        if !first {
            std::thread::sleep(SETTLE);
        }
        first = false;
        let prefix = prefix_of(users);
        let outcome = crate::driver::run(&stage_args(config, users, &prefix))?;
        if outcome.interrupted {
            return Ok(None);
        }
        let stats = crate::locust::with_suffix(&prefix, "_stats.csv");
        let run = load_runs(&stats)?
            .pop()
            .ok_or_else(|| CapacityError::Usage(format!("{}: no run", stats.display())))?;
        let mut stage = measure(&run, users, config.sla.as_ref())?;
        stage.generator_saturated = outcome.saturated;
        stage.stats_file = config.csv.as_ref().map(|_| stats.display().to_string());
        Ok(Some(stage))
    })
}

/// The stepping loop, with the stage runner passed in: `stage(users)` runs one stage and
/// returns what it measured, or `None` when the run was interrupted.
pub fn step_up(
    config: &Config,
    progress: &mut dyn FnMut(&Stage),
    mut stage: impl FnMut(u64) -> Result<Option<Stage>, CapacityError>,
) -> Result<CapacityReport, CapacityError> {
    let mut stages: Vec<Stage> = Vec::new();
    let mut users = config.start_users;
    let stopped = loop {
        let Some(mut measured) = stage(users)? else {
            break Stopped::Interrupted;
        };
        measured.gain_share = stages
            .last()
            .and_then(|before| knee::gain_share(step_of(before), step_of(&measured)));
        progress(&measured);
        let (requests, passed) = (measured.requests, measured.sla_passed);
        stages.push(measured);
        if requests == 0 {
            break Stopped::NoRequests;
        }
        if passed == Some(false) {
            break Stopped::SlaFailed;
        }
        let steps: Vec<Step> = stages.iter().map(step_of).collect();
        if knee::saturation(&steps).is_some() {
            break Stopped::Saturated;
        }
        match users.checked_add(config.step_users) {
            Some(next) if next <= config.max_users => users = next,
            _ => break Stopped::MaxUsers,
        }
    };
    let steps: Vec<Step> = stages.iter().map(step_of).collect();
    let point = |i: usize| Point {
        users: stages[i].users,
        rps: stages[i].rps,
    };
    let saturation = knee::saturation(&steps).map(point);
    let max_sustainable = config.sla.as_ref().map(|_| {
        let passed: Vec<bool> = stages.iter().map(|s| s.sla_passed == Some(true)).collect();
        knee::max_sustainable(&passed).map(point)
    });
    Ok(CapacityReport {
        host: config.host.clone(),
        sla: config.sla.as_ref().map(|(s, _)| s.source.clone()),
        tier: config.sla.as_ref().and_then(|(_, t)| t.clone()),
        stage_time_s: config.stage_time.as_secs_f64(),
        stopped_reason: reason(stopped, &stages, config),
        stages,
        saturation,
        max_sustainable,
        stopped,
        min_gain_share: knee::MIN_GAIN,
    })
}

fn step_of(s: &Stage) -> Step {
    Step {
        users: s.users,
        rps: s.rps,
    }
}

fn reason(stopped: Stopped, stages: &[Stage], config: &Config) -> String {
    let last = stages.last().map_or(0, |s| s.users);
    match stopped {
        Stopped::Saturated => format!(
            "throughput stopped growing: {last} users bought less than {:.0} % of the \
             proportional gain",
            knee::MIN_GAIN * 100.0
        ),
        Stopped::SlaFailed => format!("the SLA failed at {last} users"),
        Stopped::MaxUsers => format!(
            "reached --max-users {} with throughput still growing and the SLA met",
            config.max_users
        ),
        Stopped::Interrupted => format!("interrupted during the stage at {last} users"),
        Stopped::NoRequests => format!(
            "the stage at {last} users recorded no requests (is the target at {} up?)",
            config.host
        ),
    }
}

/// The driver's arguments for one stage: every user started within a tenth of a second, the
/// console quiet (the stage line is printed instead), full history kept.
fn stage_args(config: &Config, users: u64, prefix: &Path) -> crate::driver::Config {
    crate::driver::Config {
        users: Some(users),
        spawn_rate: (users as f64 * 10.0).min(1_000_000.0),
        run_time: Some(config.stage_time),
        host: config.host.clone(),
        csv: Some(prefix.to_path_buf()),
        csv_full_history: true,
        log_level: LogLevel::Error,
        scenario: config.scenario.clone(),
        ..crate::driver::Config::default()
    }
}

/// What one stage's run measured, checked against the SLA when there is one.
pub fn measure(
    run: &Run,
    users: u64,
    sla: Option<&(Sla, Option<String>)>,
) -> Result<Stage, CapacityError> {
    let total = &run.aggregated;
    let (sla_passed, failed_checks) = match sla {
        Some((sla, tier)) => {
            let per_endpoint = Sla {
                tiers: sla
                    .tiers
                    .iter()
                    .filter(|t| Some(&t.name) == tier.as_ref())
                    .cloned()
                    .collect(),
                ..sla.clone()
            };
            let report = evaluate(run, &per_endpoint, tier.as_deref())?;
            let failed = report
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| format!("{} {} (was {})", c.name, c.target, c.actual_text))
                .collect();
            (Some(report.passed), failed)
        }
        None => (None, Vec::new()),
    };
    Ok(Stage {
        users,
        requests: total.requests,
        failures: total.failures,
        rps: total.rps,
        avg_ms: total.avg_ms,
        p50_ms: total.percentile(0.5).or(total.median_ms),
        p95_ms: total.percentile(0.95),
        p99_ms: total.percentile(0.99),
        failure_rate: total.failure_ratio(),
        sla_passed,
        failed_checks,
        gain_share: None,
        generator_saturated: false,
        stats_file: None,
    })
}

/// `prefix` with `suffix` added to its file name.
fn suffixed(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    prefix.with_file_name(name)
}

/// A run with no rows, for checking that a tier name exists before anything runs.
fn empty_run() -> Run {
    let row = crate::model::EndpointStats::empty(crate::model::EndpointKey::aggregated());
    Run::of_rows("capacity", Vec::new(), row)
}

#[cfg(test)]
mod tests;

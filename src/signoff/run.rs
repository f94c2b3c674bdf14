//! The sign-off, tier by tier: run each tier with the embedded driver while sampling the
//! target (or copy a recorded run in), check it against the SLA, ask the health check after the
//! last tier, and write the report.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::context::{RunSource, TargetInfo, TargetKind, TierReport, TierStatus};
use super::local::{health_check, EmbeddedTarget, HealthCheck, HEALTH_TIMEOUT};
use super::resources::{self, Sampler, SAMPLE_EVERY};
use super::tiers::{self, TierPlan};
use super::{folder_name, html, markdown, SignoffError, SignoffOptions, SignoffReport, Source};
use crate::driver::scenario::Scenario;
use crate::driver::{Config, LogLevel};
use crate::locust::load_runs;
use crate::model::Run;
use crate::output::write_atomic;
use crate::report::escape;
use crate::sla::evaluate;

/// How long the target gets, after a tier, to close the tier's connections.
const SETTLE: Duration = Duration::from_secs(5);
/// How long a target gets to answer its first request before the first tier.
const READY_WAIT: Duration = Duration::from_secs(10);

/// The report's file names inside the output folder.
pub const MARKDOWN_FILE: &str = "signoff.md";
/// See [`MARKDOWN_FILE`].
pub const HTML_FILE: &str = "signoff.html";
/// See [`MARKDOWN_FILE`].
pub const JSON_FILE: &str = "signoff.json";
/// The scenario a live sign-off used, kept with its runs.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// Runs the whole sign-off and writes `signoff.md`, `signoff.html` and `signoff.json` into
/// `options.out`.
///
/// Errors are bad usage or input (nothing was judged); failed checks are in the returned
/// report's verdict.
pub fn signoff(options: &SignoffOptions) -> Result<SignoffReport, SignoffError> {
    let started = SystemTime::now();
    let recorded = match &options.source {
        Source::Recorded {
            stepped: Some(path),
            results,
            ..
        } => super::stepped::load(&options.sla, path, results)?,
        Source::Recorded { runs, results, .. } => load_recorded(options, runs, results)?
            .into_iter()
            .map(|(tier, path, run)| (tier, path, run, None))
            .collect(),
        _ => Vec::new(),
    };
    let plans = match &options.source {
        Source::Recorded { .. } => Vec::new(),
        _ => tiers::plan(&options.sla, &options.tiers, options.duration_scale)?,
    };
    let scenario = match &options.source {
        Source::Recorded { .. } => None,
        _ => Some(scenario_text(options.scenario.as_deref())?),
    };
    if let Source::Host { pid: Some(pid), .. } = &options.source {
        if resources::read(*pid).is_none() {
            return Err(SignoffError::Usage(format!(
                "--target-pid {pid}: no such running process (or /proc is not readable)"
            )));
        }
    }
    create_out(&options.out)?;
    let out = &options.out;
    let mut health = None;
    let (mut reports, target) = match &options.source {
        Source::Recorded { .. } => {
            let mut reports = Vec::new();
            for (tier, path, run, note) in &recorded {
                reports.push(recorded_tier(options, tier, path, run, note.as_deref())?);
            }
            let target = TargetInfo {
                kind: TargetKind::Recorded,
                host: None,
                pid: None,
                description: "runs recorded elsewhere (--run)".into(),
            };
            (reports, target)
        }
        Source::Embedded { knobs } => {
            let scenario_path = write_file(out, SCENARIO_FILE, scenario.as_deref())?;
            let lifetime: f64 = plans.iter().map(|p| p.run_time_s + 15.0).sum::<f64>() * 2.0;
            let mut target =
                EmbeddedTarget::start(knobs, Duration::from_secs_f64(lifetime + 120.0))?;
            let info = TargetInfo {
                kind: TargetKind::Embedded,
                host: Some(target.host.clone()),
                pid: Some(target.pid),
                description: embedded_description(knobs),
            };
            progress(
                options,
                &format!(
                    "embedded target on {} (pid {}); results in {}",
                    target.host,
                    target.pid,
                    out.display()
                ),
            );
            let host = target.host.clone();
            let pid = target.pid;
            let mut alive = || target.running();
            let reports = live_tiers(
                options,
                &plans,
                &host,
                Some(pid),
                &scenario_path,
                &mut alive,
                &mut health,
            )?;
            (reports, info)
        }
        Source::Host { host, pid } => {
            let scenario_path = write_file(out, SCENARIO_FILE, scenario.as_deref())?;
            progress(
                options,
                &format!("target {host}; results in {}", out.display()),
            );
            let info = TargetInfo {
                kind: TargetKind::Host,
                host: Some(host.clone()),
                pid: *pid,
                description: match pid {
                    Some(p) => format!("{host} (pid {p}, resources sampled)"),
                    None => format!("{host} (no --target-pid: resources not sampled)"),
                },
            };
            let pid_alive = *pid;
            let mut alive = || pid_alive.is_none_or(|p| resources::read(p).is_some());
            let reports = live_tiers(
                options,
                &plans,
                host,
                *pid,
                &scenario_path,
                &mut alive,
                &mut health,
            )?;
            (reports, info)
        }
    };
    for tier in &options.sla.tiers {
        if !reports.iter().any(|r| r.name == tier.name) {
            reports.push(TierReport::not_run(&tier.name, tier.users, "not run"));
        }
    }
    let order = |name: &str| options.sla.tiers.iter().position(|t| t.name == name);
    reports.sort_by_key(|r| order(&r.name));
    let archived = archive_tiers(options, &reports)?;
    let report = super::build::build(super::build::Inputs {
        sla: &options.sla,
        tiers: reports,
        health,
        target,
        scenario: options.scenario.as_ref().map(|p| p.display().to_string()),
        duration_scale: match options.source {
            Source::Recorded { .. } => None,
            _ => Some(options.duration_scale),
        },
        out_dir: out.display().to_string(),
        started,
        limits: options.limits,
        archived,
    });
    let page = html::render(&report)?;
    write_file(out, MARKDOWN_FILE, Some(&markdown::render(&report)))?;
    write_file(out, HTML_FILE, Some(&page))?;
    let json = serde_json::to_string_pretty(&report)? + "\n";
    write_file(out, JSON_FILE, Some(&json))?;
    Ok(report)
}

/// Reads every `--run TIER=PATH` (a path or an archive selector), refusing unknown tiers, a
/// tier given twice and a path that names more than one run.
fn load_recorded(
    options: &SignoffOptions,
    runs: &[(String, PathBuf)],
    results: &Path,
) -> Result<Vec<(String, PathBuf, Run)>, SignoffError> {
    let mut loaded: Vec<(String, PathBuf, Run)> = Vec::new();
    // `--run light=@label:v1.5-light`: archive selectors look in `--results`.
    let resolver = crate::archive::RunResolver::new(results);
    for (tier, path) in runs {
        if options.sla.tier(tier).is_none() {
            let known: Vec<&str> = options.sla.tiers.iter().map(|t| t.name.as_str()).collect();
            return Err(SignoffError::Usage(format!(
                "--run {tier}={}: unknown tier `{tier}`: {} defines {}",
                path.display(),
                options.sla.source,
                known.join(", ")
            )));
        }
        if loaded.iter().any(|(t, ..)| t == tier) {
            return Err(SignoffError::Usage(format!(
                "--run {tier}=…: tier `{tier}` is given more than once"
            )));
        }
        let resolved = resolver
            .resolve(path)
            .map_err(|e| SignoffError::Usage(format!("--run {tier}={}: {e}", path.display())))?;
        let mut found = Vec::new();
        for named in &resolved {
            found.extend(load_runs(named).map_err(|source| SignoffError::Run {
                tier: tier.clone(),
                path: path.clone(),
                source: Box::new(source),
            })?);
        }
        if found.len() != 1 {
            let names: Vec<String> = found.iter().map(|r| r.files.name.clone()).collect();
            return Err(SignoffError::Usage(format!(
                "--run {tier}={}: names {} runs ({}); name one run's _stats.csv or prefix",
                path.display(),
                found.len(),
                names.join(", ")
            )));
        }
        if let Some(run) = found.pop() {
            loaded.push((tier.clone(), path.clone(), run));
        }
    }
    Ok(loaded)
}

fn scenario_text(path: Option<&Path>) -> Result<String, SignoffError> {
    let Some(path) = path else {
        return Ok(super::DEFAULT_SCENARIO.to_string());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        SignoffError::Usage(format!("--scenario {}: cannot read: {e}", path.display()))
    })?;
    Scenario::parse(&text, &path.display().to_string())
        .map_err(|e| SignoffError::Usage(e.to_string()))?;
    Ok(text)
}

/// Creates the output folder: a new one, or an existing empty one; never one with files in it.
fn create_out(out: &Path) -> Result<(), SignoffError> {
    let write = |source| SignoffError::Write {
        path: out.to_path_buf(),
        source,
    };
    if out.exists() {
        let empty = out.is_dir() && std::fs::read_dir(out).map_err(write)?.next().is_none();
        if !empty {
            return Err(SignoffError::Usage(format!(
                "--out {}: already exists and is not an empty folder; a sign-off never \
                 overwrites results (name a new folder)",
                out.display()
            )));
        }
        return Ok(());
    }
    std::fs::create_dir_all(out).map_err(write)
}

/// Writes `name` in `dir` atomically (when there is text) and returns its path.
fn write_file(dir: &Path, name: &str, text: Option<&str>) -> Result<PathBuf, SignoffError> {
    let path = dir.join(name);
    if let Some(text) = text {
        write_atomic(&path, text.as_bytes()).map_err(|source| SignoffError::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(path)
}

/// Prints one progress line to standard error; it names runs, paths and tiers from the input.
fn progress(options: &SignoffOptions, line: &str) {
    if options.progress {
        eprintln!("perfreport signoff: {}", escape::terminal(line));
    }
}

fn embedded_description(knobs: &[String]) -> String {
    let mut text = "embedded demo target (perfreport target, /analysis/ at 200-500 ms)".to_string();
    if !knobs.is_empty() {
        text.push_str(&format!(" with {}", knobs.join(" ")));
    }
    text
}

/// Copies a recorded run's files into the output folder and checks it.
fn recorded_tier(
    options: &SignoffOptions,
    tier: &str,
    path: &Path,
    run: &Run,
    stage_note: Option<&str>,
) -> Result<TierReport, SignoffError> {
    let dir = options.out.join(folder_name(tier));
    std::fs::create_dir(&dir).map_err(|source| SignoffError::Write {
        path: dir.clone(),
        source,
    })?;
    let files = [
        Some(&run.files.stats),
        run.files.history.as_ref(),
        run.files.failures.as_ref(),
        run.files.exceptions.as_ref(),
    ];
    let prefix = folder_name(tier);
    for (file, suffix) in files
        .iter()
        .zip(["stats", "stats_history", "failures", "exceptions"])
    {
        if let Some(file) = file {
            let to = dir.join(format!("{prefix}_{suffix}.csv"));
            std::fs::copy(file, &to).map_err(|source| SignoffError::Write { path: to, source })?;
        }
    }
    let mut check = evaluate(run, &options.sla, Some(tier))?;
    check.notes.splice(0..0, stage_note.map(str::to_string));
    let mut report = TierReport::measured(tier, run, check, RunSource::Recorded);
    report.note = stage_note.map(str::to_string);
    report.recorded_from = Some(path.display().to_string());
    report.run_dir = Some(dir.display().to_string());
    report.status = report.judged_status();
    progress(options, &format!("{tier}: {}", report.one_line()));
    Ok(report)
}

/// Runs every planned tier against `host`, sampling `pid` when known; stops early on an
/// interrupt or when the target is gone. Fills `health` after the last tier.
fn live_tiers(
    options: &SignoffOptions,
    plans: &[TierPlan],
    host: &str,
    pid: Option<u32>,
    scenario: &Path,
    alive: &mut dyn FnMut() -> bool,
    health: &mut Option<HealthCheck>,
) -> Result<Vec<TierReport>, SignoffError> {
    if !wait_until_up(host, &options.health_path) {
        progress(
            options,
            &format!(
                "{host} did not answer within {} s; running the tiers anyway",
                READY_WAIT.as_secs()
            ),
        );
    }
    let mut reports = Vec::new();
    let mut stopped: Option<String> = None;
    for (i, plan) in plans.iter().enumerate() {
        if let Some(why) = &stopped {
            reports.push(TierReport::not_run(&plan.name, Some(plan.users), why));
            continue;
        }
        progress(
            options,
            &format!(
                "[{}/{}] {}: {} users, spawn {:.1}/s, {:.0} s",
                i + 1,
                plans.len(),
                plan.name,
                plan.users,
                plan.spawn_rate,
                plan.run_time_s
            ),
        );
        let report = live_tier(options, plan, host, pid, scenario)?;
        progress(options, &format!("{}: {}", plan.name, report.one_line()));
        if report.status == TierStatus::Interrupted {
            stopped = Some("not run: the sign-off was interrupted".into());
        } else if !alive() {
            stopped = Some("not run: the target had exited".into());
        }
        reports.push(report);
    }
    if stopped.is_none() {
        if let Some(last) = plans.last() {
            let h = health_check(host, &options.health_path, &last.name, HEALTH_TIMEOUT);
            progress(
                options,
                &format!("health check {} after {}: {}", h.url, last.name, h.detail),
            );
            *health = Some(h);
        }
    }
    Ok(reports)
}

fn live_tier(
    options: &SignoffOptions,
    plan: &TierPlan,
    host: &str,
    pid: Option<u32>,
    scenario: &Path,
) -> Result<TierReport, SignoffError> {
    let dir = options.out.join(folder_name(&plan.name));
    std::fs::create_dir(&dir).map_err(|source| SignoffError::Write {
        path: dir.clone(),
        source,
    })?;
    let config = Config {
        users: Some(plan.users),
        spawn_rate: plan.spawn_rate,
        run_time: Some(plan.run_time()),
        host: host.to_string(),
        csv: Some(dir.join(folder_name(&plan.name))),
        csv_full_history: true,
        log_level: LogLevel::Warning,
        scenario: Some(scenario.to_path_buf()),
        ..Config::default()
    };

    let fds_before = pid.and_then(resources::count_fds);
    let sampler = pid.map(|p| Sampler::start(p, SAMPLE_EVERY));
    let start_s = sampler.as_ref().map_or(0.0, Sampler::elapsed_s);
    let outcome = crate::driver::run(&config).map_err(|source| SignoffError::Driver {
        tier: plan.name.clone(),
        source: Box::new(source),
    });
    let end_s = sampler.as_ref().map_or(0.0, Sampler::elapsed_s);
    let trace = sampler.map(Sampler::finish);
    let outcome = outcome?;
    let resources = match (pid, trace) {
        (Some(pid), Some(trace)) => {
            let fds_after = settle(pid, fds_before, options.limits.fd_slack);
            let steady = (start_s + plan.ramp_s(), end_s);
            Some(resources::assess(
                pid,
                &trace,
                steady,
                fds_before,
                fds_after,
                &options.limits,
            ))
        }
        _ => None,
    };
    let mut runs = load_runs(&dir).map_err(|source| SignoffError::Readback {
        tier: plan.name.clone(),
        source: Box::new(source),
    })?;
    let Some(run) = runs.pop() else {
        return Err(SignoffError::Usage(format!(
            "tier {}: the driver wrote no run into {}",
            plan.name,
            dir.display()
        )));
    };
    let check = evaluate(&run, &options.sla, Some(&plan.name))?;
    let mut report = TierReport::measured(&plan.name, &run, check, RunSource::Driver);
    report.plan = Some(plan.clone());
    report.users = Some(plan.users);
    report.run_dir = Some(dir.display().to_string());
    report.saturated = outcome.saturated;
    report.resources = resources;
    report.status = if outcome.interrupted {
        TierStatus::Interrupted
    } else {
        report.judged_status()
    };
    Ok(report)
}

/// Asks the health path until the target answers anything at all (any HTTP status), for up
/// to [`READY_WAIT`]: a freshly started service finishes setting up (its runtime, signal
/// handlers, their descriptors) before the first tier's descriptor count is taken.
fn wait_until_up(host: &str, path: &str) -> bool {
    let deadline = Instant::now() + READY_WAIT;
    loop {
        if health_check(host, path, "", Duration::from_secs(1))
            .status
            .is_some()
        {
            std::thread::sleep(Duration::from_millis(200));
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits up to [`SETTLE`] for the target's descriptors to come back to at most
/// `before + slack`, and returns the last count.
fn settle(pid: u32, before: Option<u64>, slack: u64) -> Option<u64> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let now = resources::count_fds(pid);
        let settled = match (now, before) {
            (Some(n), Some(b)) => n <= b + slack,
            _ => true,
        };
        if settled || Instant::now() >= deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Archives every tier run into the results archive, as `perfreport archive` would, and
/// returns the archived folders.
fn archive_tiers(
    options: &SignoffOptions,
    reports: &[TierReport],
) -> Result<Vec<String>, SignoffError> {
    let Some(to) = &options.archive else {
        return Ok(Vec::new());
    };
    let mut archived = Vec::new();
    for tier in reports {
        let Some(dir) = &tier.run_dir else {
            continue;
        };
        let label = tier_label(&to.label, &tier.name);
        let done = match crate::archive::archive_run(&crate::archive::store::ArchiveRequest {
            allow_duplicate: false,
            run: Path::new(dir),
            label: &label,
            note: Some("perfreport signoff"),
            results: &to.results,
        }) {
            Ok(done) => done,
            // A recorded run taken from the archive is there already: named, not copied again.
            Err(crate::archive::ArchiveError::Duplicate { existing }) => {
                progress(
                    options,
                    &format!(
                        "tier {} is already archived as {}",
                        tier.name,
                        existing.display()
                    ),
                );
                archived.push(existing.display().to_string());
                continue;
            }
            Err(source) => {
                return Err(SignoffError::Archive {
                    tier: tier.name.clone(),
                    source: Box::new(source),
                })
            }
        };
        if let Some(e) = done.index_error {
            progress(
                options,
                &format!("archived {} but the index was not updated: {e}", tier.name),
            );
        }
        progress(
            options,
            &format!("archived tier {} as {}", tier.name, done.dir.display()),
        );
        archived.push(done.dir.display().to_string());
    }
    Ok(archived)
}

/// The archive label of a tier's run: the sign-off's label, `-`, and the tier's folder name
/// with `..` broken up, so that a tier name from the SLA file cannot make a label the archive
/// refuses.
pub(crate) fn tier_label(label: &str, tier: &str) -> String {
    format!("{label}-{}", super::folder_name(tier).replace("..", "__"))
}

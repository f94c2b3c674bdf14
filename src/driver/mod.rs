//! The embedded load driver (`perfreport run`): Locust's command line and Locust's CSV files,
//! so that the whole pipeline runs on one machine without Locust, and every downstream stage
//! treats the driver's runs exactly like Locust's.
//!
//! * [`config`]: what a load test is to do (the command line builds one, defaulted like Locust);
//! * [`scenario`]: the load profile (a TOML "locustfile");
//! * [`host`]: where load goes (`--host`, loopback only);
//! * [`runner`]: the user loop, closed or open model;
//! * [`threads`]: one user thread per core, each with a runtime of its own;
//! * [`http`]: the lean HTTP/1.1 keep-alive client the users send with;
//! * [`errors`]: failures worded as Locust words them;
//! * [`recorder`]: per-endpoint histograms and Locust's statistics;
//! * [`locust_math`]: Locust's bucketing, percentile and failure-order rules;
//! * [`output`]: the CSV files and console tables;
//! * [`stage_histograms`]: each plateau's histograms of a stepped load;
//! * [`monitor`]: the generator's own CPU and lag;
//! * [`writer`]: the thread that writes the files, off the users' path;
//! * [`backoff`]: the pause of a loop whose failing step returns at once;
//! * [`descriptors`]: the connections the open-file limit leaves room for.
//!
//! Load only ever goes to a loopback address (`127.0.0.0/8`, `::1`, `localhost`), is bounded by
//! `--run-time` or a signal, and stops by itself: the deadline and the signals are watched on
//! a thread of their own ([`crate::shutdown::StopWatch`]), whatever the users are doing.
//!
//! ```text
//! perfreport target &                                   # the demo service on 127.0.0.1:8003
//! perfreport run -u 10 -r 5 -t 30s -H http://127.0.0.1:8003 --csv results/run --csv-full-history
//! perfreport run --rate 200 -u 32 -t 30s --csv results/open      # open model, 200 req/s
//! ```
//!
//! Exit codes: 0 when every request succeeded, `--exit-code-on-error` (default 1, as Locust)
//! when any failed, 2 for bad usage or input.

pub mod backoff;
pub mod config;
pub mod descriptors;
pub mod errors;
pub mod host;
pub mod http;
pub mod locust_math;
pub mod monitor;
pub mod output;
pub mod recorder;
pub mod runner;
pub mod scenario;
pub mod stage_histograms;
pub mod threads;
pub mod writer;

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use config::{Config, LoadStage, LogLevel};
use descriptors::ConnectionBudget;
pub use host::{parse_host, Target};
use monitor::Monitor;
use output::CsvFiles;
use recorder::{Recorder, Recorders};
use runner::{Pace, Plan, Shared};
use scenario::Scenario;
use threads::UserThreads;

use crate::shutdown::StopWatch;

/// Connections used by the open model when `--users` is not given.
pub const DEFAULT_OPEN_CONNECTIONS: u64 = 64;

/// Why a run could not be done. Every variant is a usage or input problem (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// A flag or a combination of flags is wrong.
    #[error("{0}")]
    Usage(String),
    /// A bug in perfreport, not in the input: worded so that it is reported, not retried.
    #[error("internal error (a bug in perfreport; please report it): {0}")]
    Internal(&'static str),
    /// The scenario file is wrong; `line` and `column` are 1-based, 0 when unknown.
    #[error("{file}{}: {message}", position(.line, .column))]
    Scenario {
        /// The file.
        file: String,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the load generator: {0}")]
    Runtime(std::io::Error),
}

fn position(line: &usize, column: &usize) -> String {
    match (*line, *column) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

/// What a finished run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// Requests completed.
    pub requests: u64,
    /// Requests failed.
    pub failures: u64,
    /// The exit code Locust would give: `--exit-code-on-error` when any request failed, else 0.
    pub exit_code: i32,
    /// Whether Ctrl-C or SIGTERM ended the run.
    pub interrupted: bool,
    /// Whether the generator was saturated at some point.
    pub saturated: bool,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// Runs a load test as `perfreport run` does and returns what happened.
pub fn run(config: &Config) -> Result<RunOutcome, DriverError> {
    config.validate()?;
    let target = parse_host(&config.host)?;
    let scenario = match config.scenario.as_deref() {
        Some(path) => Scenario::load(path)?,
        None => Scenario::resource_agent(),
    };
    let pace = match config.rate {
        Some(rate) => Pace::Open {
            rate,
            connections: config.users.unwrap_or(DEFAULT_OPEN_CONNECTIONS),
        },
        None => Pace::Closed {
            users: config
                .stages
                .iter()
                .map(|s| s.users)
                .max()
                .or(config.users)
                .unwrap_or(1),
            spawn_rate: config.spawn_rate,
        },
    };
    let (endpoints, _) = scenario.endpoints();
    let plan = Plan::new(
        scenario,
        target,
        pace,
        config.stages_time().or(config.run_time),
        config.stop_timeout,
        config.reset_stats,
    )
    .map_err(DriverError::Usage)?
    .with_stages(config.stages.clone());
    let mut files = match &config.csv {
        Some(prefix) => {
            let files = CsvFiles::new(prefix, config.csv_full_history, config.rate.is_some())?;
            Some(if config.stages.is_empty() {
                files
            } else {
                files.with_stage_histograms()?
            })
        }
        None => None,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DriverError::Runtime)?;
    let user_threads = UserThreads::start(cores).map_err(DriverError::Runtime)?;
    let plan = plan.with_threads(user_threads.handles());
    let started = Instant::now();
    let stop =
        StopWatch::start(plan.run_time.map(|d| started + d)).map_err(DriverError::Runtime)?;
    let budget = ConnectionBudget::of_this_process();
    if let Some(b) = budget
        .as_ref()
        .filter(|b| b.connections < plan.user_count())
    {
        if config.log_level.shows_warnings() {
            eprintln!("{}", descriptor_warning(plan.user_count(), b));
        }
    }
    let plan = plan.with_budget(budget);
    let outcome = runtime.block_on(drive_run(
        config,
        plan,
        &endpoints,
        files.as_mut(),
        (cores, started),
        &stop,
    ))?;
    if outcome.requests == 0 {
        eprintln!(
            "WARNING: this run recorded no requests at all: nothing was sent or answered \
             (check --host, --run-time and that the server answers)."
        );
    }
    Ok(outcome)
}

/// Why some users will fail with `EMFILE`: more connections than the open-file limit allows.
fn descriptor_warning(wanted: u64, budget: &ConnectionBudget) -> String {
    format!(
        "WARNING: {wanted} connections wanted, but the open-file limit ({}, see `ulimit -n`) \
         leaves room for {} beside the driver's own files: the others fail with \
         [Errno 24] Too many open files until a connection closes; raise the limit to run them all.",
        budget.limit, budget.connections
    )
}

async fn drive_run(
    config: &Config,
    plan: Plan,
    endpoints: &[(String, String)],
    mut files: Option<&mut CsvFiles>,
    (cores, started): (usize, Instant),
    stop: &StopWatch,
) -> Result<RunOutcome, DriverError> {
    let unix_start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
        - started.elapsed().as_secs_f64();
    let shared = Arc::new(Shared {
        recorder: Recorders::new(
            Recorder::new(endpoints, unix_start),
            !plan.threads().is_empty(),
        ),
        users: AtomicU64::new(0),
        late: AtomicU64::new(0),
        unsent: AtomicU64::new(0),
        max_send_lag_us: AtomicU64::new(0),
        unix_start,
        started,
    });
    let plan = Arc::new(plan);

    let mut monitor = Monitor::start(cores, plan.threads());
    let tty = std::io::stderr().is_terminal()
        && !config.only_summary
        && config.log_level.shows_warnings();
    let run_time = plan.run_time.map(|d| d.as_secs_f64());
    if let Some(f) = files.as_deref_mut() {
        write_tick(f, &shared, shared.unix(Instant::now()), 0, None)?;
    }
    let mut driver = tokio::spawn(runner::drive(
        Arc::clone(&plan),
        Arc::clone(&shared),
        stop.receiver(),
    ));
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    let mut saturated = false;
    let mut last_warning: Option<Instant> = None;
    let mut last_users = 0;
    loop {
        tokio::select! {
            _ = &mut driver => break,
            _ = ticker.tick() => {}
        }
        let now = shared.unix(Instant::now());
        last_users = shared.users.load(Ordering::Relaxed);
        let point = sample_monitor(&mut monitor, &shared, now);
        if point.saturated {
            saturated = true;
            let due = last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(10));
            if due && config.log_level.shows_warnings() {
                last_warning = Some(Instant::now());
                eprintln!("{}", saturation_warning(&point, tty));
            }
        }
        match files.as_deref_mut() {
            Some(f) => write_tick(f, &shared, now, last_users, Some(&point))?,
            // Without files the buffers are drained all the same: a second of requests at most.
            None => drop(drained_recorder(&shared)?),
        }
        if tty {
            if let Ok(rec) = shared.recorder.lock() {
                let line = output::progress_line(
                    &rec,
                    shared.started.elapsed().as_secs_f64(),
                    run_time,
                    shared.users.load(Ordering::Relaxed),
                );
                eprint!("\r{line}\x1b[K");
                let _ = std::io::stderr().flush();
            }
        }
    }
    if tty {
        eprintln!();
    }
    let rec = drained_recorder(&shared)?.clone();
    let mut written = Vec::new();
    if let Some(f) = files {
        let now = shared.unix(Instant::now());
        let point = sample_monitor(&mut monitor, &shared, now);
        f.tick(&rec, now, last_users, Some(&point), true)?;
        f.finish()?;
        written = f.paths();
    }
    if config.log_level.shows_tables() {
        print!("{}", output::summary_tables(&rec));
        if saturated {
            println!("WARNING: the load generator was saturated during this run (see _driver.csv): client-side delays are part of the latencies.");
        }
        let unsent = shared.unsent.load(Ordering::Relaxed);
        let sent_late = shared.late.load(Ordering::Relaxed) - unsent;
        if sent_late > 0 {
            println!(
                "WARNING: {sent_late} requests were sent at least {} ms after their intended time \
                 (every connection busy, or the generator behind): their latency counts from \
                 the intended time.",
                runner::LATE_THRESHOLD.as_millis()
            );
        }
        if unsent > 0 {
            println!(
                "WARNING: {unsent} requests due before the end were never sent (every connection \
                 was still waiting for an answer): they are counted as late in _driver.csv."
            );
        }
    }
    let (requests, failures) = rec.totals();
    Ok(RunOutcome {
        requests,
        failures,
        exit_code: if failures > 0 {
            config.exit_code_on_error
        } else {
            0
        },
        interrupted: stop.interrupted(),
        saturated,
        files: written,
    })
}

/// Writes the files of the tick at Unix time `now` (the second the monitor's row is for too).
fn write_tick(
    files: &mut CsvFiles,
    shared: &Shared,
    now: f64,
    users: u64,
    point: Option<&monitor::MonitorPoint>,
) -> Result<(), DriverError> {
    let mut rec = drained_recorder(shared)?;
    rec.prune(now);
    files.tick(&rec, now, users, point, false)
}

/// The monitor's reading for Unix time `now`.
fn sample_monitor(monitor: &mut Monitor, shared: &Shared, now: f64) -> monitor::MonitorPoint {
    monitor.sample(
        now as i64,
        shared.late.load(Ordering::Relaxed),
        shared.max_send_lag_us.load(Ordering::Relaxed),
    )
}

/// The run's recorder, every request recorded so far drained into it.
fn drained_recorder(shared: &Shared) -> Result<std::sync::MutexGuard<'_, Recorder>, DriverError> {
    shared.recorder.drain().map_err(|_| {
        DriverError::Internal("the statistics lock was poisoned by a panicking thread")
    })
}

fn saturation_warning(p: &monitor::MonitorPoint, tty: bool) -> String {
    let cpu = p
        .cpu_percent
        .map_or("unknown".to_string(), |c| format!("{c:.0}%"));
    format!(
        "{}WARNING: load generator saturated (cpu {cpu}, timer lag {:.0} ms): latencies \
         include client-side delay",
        if tty { "\r\x1b[K" } else { "" },
        p.timer_lag_ms
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let t = parse_host("http://127.0.0.1:8003").unwrap();
        assert_eq!(t.addr.port(), 8003);
        assert_eq!(t.host_header, "127.0.0.1:8003");
        assert_eq!(t.prefix, "");
        let t = parse_host("http://localhost/api/").unwrap();
        assert_eq!(t.addr.port(), 80);
        assert_eq!(t.host_header, "localhost");
        assert_eq!(t.prefix, "/api");
        assert_eq!(
            parse_host("http://[::1]:9000").unwrap().host_header,
            "[::1]:9000"
        );
        assert_eq!(parse_host("http://[::1]").unwrap().host_header, "[::1]");
        assert_eq!(
            parse_host("http://[::1]:80/x").unwrap().host_header,
            "[::1]"
        );
        assert!(parse_host("https://127.0.0.1").is_err());
        assert!(parse_host("http://10.0.0.1:80").is_err());
        assert!(parse_host("http://example.com").is_err());
    }
}

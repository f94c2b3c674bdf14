//! Watching the target's resources during a tier, from `/proc`: CPU, resident memory and open
//! file descriptors, and the verdicts of the seed plan's resource checks.
//!
//! A [`Sampler`] thread reads `/proc/PID/stat` (user + system CPU time, in clock ticks of
//! 1/100 s: USER_HZ, which the `/proc` ABI fixes at 100 on Linux), `/proc/PID/status` (`VmRSS`)
//! and the entries of `/proc/PID/fd` every half second. [`assess`] then judges the tier's
//! steady window (from the end of the ramp-up to the end of the tier):
//!
//! * **CPU < 80 %**: the mean CPU use over the window, in percent of one core (as `top` and
//!   psutil's `Process.cpu_percent` count it: a single-process service such as the seed's
//!   uvicorn app saturates at 100 %); the peak over any 1-second span is shown too.
//! * **no memory growth**: the least-squares slope of RSS against time over the window, times
//!   the window's length, is the growth the trend explains; more than 10 % of the RSS at the
//!   window's start, and at least 4 MiB, is a leak. A fit, not last-minus-first, so one
//!   allocation burst does not count as a trend.
//! * **no descriptor leak**: once the load has stopped and the target has had a few seconds to
//!   close its connections, it holds at most 2 descriptors more than before the tier.
//! * **still running**: the process did not exit during the tier.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Clock ticks per second of the CPU times in `/proc/PID/stat` (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;
/// How often the sampler reads `/proc`.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(500);
/// The shortest span a CPU peak is measured over.
const PEAK_SPAN_S: f64 = 1.0;
/// Fewest samples, and shortest window, a memory trend is fitted on.
const MIN_TREND_SAMPLES: usize = 5;
const MIN_TREND_S: f64 = 2.0;

/// One reading of the process.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Seconds since the sampler started.
    pub at_s: f64,
    /// User + system CPU time so far, in clock ticks.
    pub cpu_ticks: u64,
    /// Resident set size, bytes.
    pub rss_bytes: u64,
    /// Open file descriptors (`None` when `/proc/PID/fd` cannot be read).
    pub fds: Option<u64>,
}

/// What the sampler saw during one tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The readings, in time order.
    pub samples: Vec<Sample>,
    /// Whether the process disappeared (exited, or became a zombie) while being watched.
    pub exited: bool,
}

/// The limits of the resource checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// Mean CPU over the steady window must stay below this, percent of one core.
    pub cpu_percent: f64,
    /// RSS growth over the window, as a share of the RSS at its start, that counts as a leak…
    pub growth_fraction: f64,
    /// …when it is also at least this many bytes.
    pub growth_min_bytes: u64,
    /// Descriptors the target may hold after a tier beyond what it held before.
    pub fd_slack: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_percent: 80.0,
            growth_fraction: 0.10,
            growth_min_bytes: 4 << 20,
            fd_slack: 2,
        }
    }
}

/// Reads the process's CPU ticks, RSS and descriptor count; `None` when it is gone (or a
/// zombie) or `/proc` is not there.
pub fn read(pid: u32) -> Option<(u64, u64, Option<u64>)> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let ticks = parse_stat(&stat)?;
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let rss = parse_rss(&status)?;
    Some((ticks, rss, count_fds(pid)))
}

/// Open descriptors of the process, from `/proc/PID/fd`.
pub fn count_fds(pid: u32) -> Option<u64> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(entries.filter(|e| e.is_ok()).count() as u64)
}

/// User + system ticks from `/proc/PID/stat`; `None` for a zombie or dead process. The
/// command name (field 2) is in parentheses and may hold spaces and parentheses, so fields are
/// counted from the last `)`.
fn parse_stat(text: &str) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if matches!(fields.first(), Some(&"Z") | Some(&"X") | Some(&"x")) {
        return None;
    }
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `VmRSS` from `/proc/PID/status`, in bytes.
fn parse_rss(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}

/// A thread that samples one process until stopped.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Trace>,
    started: Instant,
}

impl Sampler {
    /// Starts sampling `pid` every `every` (the first reading is taken at once).
    pub fn start(pid: u32, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let mut trace = Trace {
                samples: Vec::new(),
                exited: false,
            };
            let mut due = started;
            loop {
                let Some((cpu_ticks, rss_bytes, fds)) = read(pid) else {
                    trace.exited = true;
                    break;
                };
                trace.samples.push(Sample {
                    at_s: started.elapsed().as_secs_f64(),
                    cpu_ticks,
                    rss_bytes,
                    fds,
                });
                due += every;
                while Instant::now() < due {
                    if flag.load(Ordering::Relaxed) {
                        return trace;
                    }
                    std::thread::sleep(Duration::from_millis(20).min(every));
                }
                if flag.load(Ordering::Relaxed) {
                    break;
                }
            }
            trace
        });
        Self {
            stop,
            handle,
            started,
        }
    }

    /// Seconds since sampling started, to place the tier's phases on the trace's clock.
    pub fn elapsed_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Stops sampling and returns what was seen.
    pub fn finish(self) -> Trace {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or(Trace {
            samples: Vec::new(),
            exited: false,
        })
    }
}

/// One resource check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceCheck {
    /// `cpu`, `memory`, `fds` or `process`.
    pub name: &'static str,
    /// What must hold, for people: `mean < 80% of a core`.
    pub target: String,
    /// What was measured, for people.
    pub actual: String,
    /// `None` when it could not be judged (too few samples, no `/proc`).
    pub passed: Option<bool>,
    /// Why it failed or could not be judged.
    pub reason: Option<String>,
}

/// The resources of one tier and their verdicts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierResources {
    /// The process watched.
    pub pid: u32,
    /// Samples in the steady window.
    pub samples: usize,
    /// The steady window's length, seconds (first to last sample in it).
    pub window_s: f64,
    /// Mean CPU over the window, percent of one core.
    pub cpu_mean_percent: Option<f64>,
    /// Highest CPU over any span of at least a second in the window.
    pub cpu_peak_percent: Option<f64>,
    /// RSS at the window's first sample, bytes.
    pub rss_start_bytes: Option<u64>,
    /// RSS at the window's last sample.
    pub rss_end_bytes: Option<u64>,
    /// Highest RSS of the whole tier.
    pub rss_peak_bytes: Option<u64>,
    /// Least-squares slope of RSS over the window, bytes per second.
    pub rss_slope_bytes_per_s: Option<f64>,
    /// Slope × window length: the growth the trend explains, bytes.
    pub rss_growth_bytes: Option<f64>,
    /// Descriptors before the tier started.
    pub fds_before: Option<u64>,
    /// Most descriptors seen during the tier.
    pub fds_peak: Option<u64>,
    /// Descriptors after the tier, once the load stopped and connections closed.
    pub fds_after: Option<u64>,
    /// Whether the process exited during the tier.
    pub exited: bool,
    /// The checks: process, cpu, memory, fds.
    pub checks: Vec<ResourceCheck>,
}

impl TierResources {
    /// The check with this name.
    pub fn check(&self, name: &str) -> Option<&ResourceCheck> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.passed == Some(false))
    }
}

/// The least-squares slope of `y` against `x`: the one fit of [`crate::stats::trend`], which
/// the endurance drift of latency and throughput uses too.
pub use crate::stats::trend::slope;

/// Judges one tier. `steady` is the window `(from, to)` in seconds on the trace's clock;
/// `fds_before` and `fds_after` are the counts around the tier.
pub fn assess(
    pid: u32,
    trace: &Trace,
    steady: (f64, f64),
    fds_before: Option<u64>,
    fds_after: Option<u64>,
    limits: &Limits,
) -> TierResources {
    let window: Vec<Sample> = trace
        .samples
        .iter()
        .copied()
        .filter(|s| s.at_s >= steady.0 && s.at_s <= steady.1)
        .collect();
    let span = match (window.first(), window.last()) {
        (Some(a), Some(b)) => b.at_s - a.at_s,
        _ => 0.0,
    };
    let cpu_mean = (span > 0.0).then(|| cpu_percent(&window[0], &window[window.len() - 1]));
    let cpu_peak = cpu_peak(&window);
    let points: Vec<(f64, f64)> = window
        .iter()
        .map(|s| (s.at_s, s.rss_bytes as f64))
        .collect();
    let trend = (window.len() >= MIN_TREND_SAMPLES && span >= MIN_TREND_S)
        .then(|| slope(&points))
        .flatten();
    let mut r = TierResources {
        pid,
        samples: window.len(),
        window_s: span,
        cpu_mean_percent: cpu_mean,
        cpu_peak_percent: cpu_peak,
        rss_start_bytes: window.first().map(|s| s.rss_bytes),
        rss_end_bytes: window.last().map(|s| s.rss_bytes),
        rss_peak_bytes: trace.samples.iter().map(|s| s.rss_bytes).max(),
        rss_slope_bytes_per_s: trend,
        rss_growth_bytes: trend.map(|b| b * span),
        fds_before,
        fds_peak: trace.samples.iter().filter_map(|s| s.fds).max(),
        fds_after,
        exited: trace.exited,
        checks: Vec::new(),
    };
    r.checks = vec![
        process_check(trace.exited),
        cpu_check(&r, limits),
        memory_check(&r, limits),
        fd_check(&r, limits),
    ];
    r
}

fn cpu_percent(a: &Sample, b: &Sample) -> f64 {
    b.cpu_ticks.saturating_sub(a.cpu_ticks) as f64 / TICKS_PER_SECOND / (b.at_s - a.at_s) * 100.0
}

/// The highest CPU over spans of at least [`PEAK_SPAN_S`], each from one sample to the first
/// sample at least that far after it.
fn cpu_peak(window: &[Sample]) -> Option<f64> {
    let mut peak: Option<f64> = None;
    for (i, a) in window.iter().enumerate() {
        if let Some(b) = window[i..].iter().find(|b| b.at_s - a.at_s >= PEAK_SPAN_S) {
            let v = cpu_percent(a, b);
            peak = Some(peak.map_or(v, |p| p.max(v)));
        }
    }
    peak
}

fn process_check(exited: bool) -> ResourceCheck {
    ResourceCheck {
        name: "process",
        target: "still running".into(),
        actual: if exited { "exited" } else { "running" }.into(),
        passed: Some(!exited),
        reason: exited.then(|| "the target exited (crashed?) during the tier".into()),
    }
}

fn cpu_check(r: &TierResources, limits: &Limits) -> ResourceCheck {
    let target = format!("mean < {:.0}% of a core", limits.cpu_percent);
    match r.cpu_mean_percent {
        Some(mean) => {
            let peak = r
                .cpu_peak_percent
                .map_or(String::new(), |p| format!(", peak {p:.0}%"));
            let passed = mean < limits.cpu_percent;
            ResourceCheck {
                name: "cpu",
                target,
                actual: format!("mean {mean:.1}%{peak}"),
                passed: Some(passed),
                reason: (!passed).then(|| format!("mean CPU {mean:.1}% of a core")),
            }
        }
        None => not_judged("cpu", target, "no steady window was sampled"),
    }
}

fn memory_check(r: &TierResources, limits: &Limits) -> ResourceCheck {
    let target = format!(
        "growth ≤ {:.0}% of RSS (min {})",
        limits.growth_fraction * 100.0,
        mib(limits.growth_min_bytes as f64)
    );
    let (Some(growth), Some(start), Some(slope)) = (
        r.rss_growth_bytes,
        r.rss_start_bytes,
        r.rss_slope_bytes_per_s,
    ) else {
        return not_judged(
            "memory",
            target,
            &format!(
                "too short a steady window to fit a trend ({} samples over {:.1} s; needs \
                 {MIN_TREND_SAMPLES} over {MIN_TREND_S} s)",
                r.samples, r.window_s
            ),
        );
    };
    let limit = (limits.growth_fraction * start as f64).max(limits.growth_min_bytes as f64);
    let passed = growth <= limit;
    ResourceCheck {
        name: "memory",
        target,
        actual: format!(
            "{} → {}, trend {} over {:.0} s ({}/s)",
            mib(start as f64),
            mib(r.rss_end_bytes.unwrap_or(start) as f64),
            signed_mib(growth),
            r.window_s,
            kib(slope)
        ),
        passed: Some(passed),
        reason: (!passed).then(|| {
            format!(
                "RSS grew by {} over {:.0} s of steady load (limit {})",
                mib(growth),
                r.window_s,
                mib(limit)
            )
        }),
    }
}

fn fd_check(r: &TierResources, limits: &Limits) -> ResourceCheck {
    let target = format!("after ≤ before + {}", limits.fd_slack);
    let (Some(before), Some(after)) = (r.fds_before, r.fds_after) else {
        return not_judged("fds", target, "the descriptors could not be counted");
    };
    let peak = r.fds_peak.map_or(String::new(), |p| format!(" (peak {p})"));
    let passed = after <= before + limits.fd_slack;
    ResourceCheck {
        name: "fds",
        target,
        actual: format!("{before} → {after}{peak}"),
        passed: Some(passed),
        reason: (!passed)
            .then(|| format!("{after} descriptors open after the tier, {before} before: a leak")),
    }
}

fn not_judged(name: &'static str, target: String, why: &str) -> ResourceCheck {
    ResourceCheck {
        name,
        target,
        actual: "-".into(),
        passed: None,
        reason: Some(why.to_string()),
    }
}

/// Bytes as MiB with one decimal.
fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1u64 << 20) as f64)
}

/// Bytes as MiB with one decimal and a sign.
fn signed_mib(bytes: f64) -> String {
    format!("{:+.1} MiB", bytes / (1u64 << 20) as f64)
}

fn kib(bytes: f64) -> String {
    format!("{:+.1} KiB", bytes / 1024.0)
}

#[cfg(test)]
mod tests;

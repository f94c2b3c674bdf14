//! Watches the load generator itself, so that a saturated generator is reported instead of
//! silently turning its own delays into the target's latency.
//!
//! Each second it takes the process's CPU time from `/proc/self/stat` (user + system, in clock
//! ticks of 1/100 s, the Linux default), the worst lateness of a 10 ms timer probe on each
//! runtime the users run on (how long ready tasks wait for a thread), and in the open model the requests sent
//! late (the last row adds those due before the end that were never sent). The generator counts as saturated when its CPU use reaches 90 % of the cores it may
//! run on or the timer probe is 50 ms or more late. Late requests alone are reported apart:
//! they also happen when the target is slow and every connection is busy.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

/// Clock ticks per second assumed for `/proc/self/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;
/// CPU share of the available cores above which the generator counts as saturated.
const CPU_LIMIT: f64 = 0.90;
/// Timer-probe lateness from which the generator counts as saturated.
const LAG_LIMIT: Duration = Duration::from_millis(50);
/// The probe's period.
const PROBE_PERIOD: Duration = Duration::from_millis(10);

/// One second of self-monitoring.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorPoint {
    /// Unix time in whole seconds.
    pub timestamp: i64,
    /// CPU used over the last interval, percent of one core (`None` without `/proc`).
    pub cpu_percent: Option<f64>,
    /// Worst lateness of the timer probe over the interval, ms.
    pub timer_lag_ms: f64,
    /// Requests sent late during the interval (open model; at the end, plus those never sent).
    pub late: u64,
    /// Largest send lag so far, ms (open model).
    pub max_send_lag_ms: f64,
    /// Whether the CPU or timer-lag limit was crossed.
    pub saturated: bool,
}

/// Samples the generator's own load.
pub struct Monitor {
    cores: f64,
    last_ticks: Option<u64>,
    last_at: Instant,
    last_late: u64,
    probe_max_us: Arc<AtomicU64>,
}

impl Monitor {
    /// Starts monitoring and the timer probes: on this runtime (must run inside it), and on
    /// each of the user threads' `threads` (where they end with their runtime).
    pub fn start(cores: usize, threads: &[Handle]) -> Self {
        let probe_max_us = Arc::new(AtomicU64::new(0));
        tokio::spawn(probe(Arc::clone(&probe_max_us)));
        for t in threads {
            t.spawn(probe(Arc::clone(&probe_max_us)));
        }
        Self {
            cores: cores.max(1) as f64,
            last_ticks: cpu_ticks(),
            last_at: Instant::now(),
            last_late: 0,
            probe_max_us,
        }
    }

    /// Takes one sample; `late` and `max_send_lag_us` are the open model's running totals.
    pub fn sample(&mut self, timestamp: i64, late: u64, max_send_lag_us: u64) -> MonitorPoint {
        let now = Instant::now();
        let ticks = cpu_ticks();
        let wall = now.duration_since(self.last_at).as_secs_f64();
        let cpu_percent = match (self.last_ticks, ticks) {
            (Some(a), Some(b)) if wall > 0.0 => {
                Some(b.saturating_sub(a) as f64 / TICKS_PER_SECOND / wall * 100.0)
            }
            _ => None,
        };
        self.last_ticks = ticks;
        self.last_at = now;
        let lag_us = self.probe_max_us.swap(0, Ordering::Relaxed);
        let late_now = late.saturating_sub(self.last_late);
        self.last_late = late;
        let saturated = cpu_percent.is_some_and(|c| c >= CPU_LIMIT * 100.0 * self.cores)
            || lag_us >= LAG_LIMIT.as_micros() as u64;
        MonitorPoint {
            timestamp,
            cpu_percent,
            timer_lag_ms: lag_us as f64 / 1000.0,
            late: late_now,
            max_send_lag_ms: max_send_lag_us as f64 / 1000.0,
            saturated,
        }
    }
}

/// Keeps the worst lateness of a [`PROBE_PERIOD`] sleep on the runtime it runs on in `max_us`.
async fn probe(max_us: Arc<AtomicU64>) {
    loop {
        let before = Instant::now();
        tokio::time::sleep(PROBE_PERIOD).await;
        let lag = before.elapsed().saturating_sub(PROBE_PERIOD);
        max_us.fetch_max(lag.as_micros() as u64, Ordering::Relaxed);
    }
}

/// User plus system CPU time of this process in clock ticks.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_cpu_ticks(&stat)
}

/// Fields 14 and 15 (utime, stime) of a `/proc/PID/stat` line; the command name in field 2
/// may hold spaces, so fields are counted after its closing parenthesis.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_stat_fields() {
        let line = "1234 (perf report) R 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 3 0 100";
        assert_eq!(parse_cpu_ticks(line), Some(300));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }
}

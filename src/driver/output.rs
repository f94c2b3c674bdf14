//! What a run leaves behind: Locust's four CSV files, the driver's extra files, and the
//! console tables Locust prints at the end.
//!
//! With `--csv PREFIX` these files are written about once a second by a writer thread
//! ([`super::writer`]): the growing ones (`_stats_history.csv`, `_driver.csv`) get the second's
//! rows appended (one write each); the others are replaced atomically (a temporary file in the
//! same directory, then a rename), so a reader never sees half of one. A crash loses at most
//! the last second:
//!
//! * `PREFIX_stats.csv`, `PREFIX_stats_history.csv`, `PREFIX_failures.csv`,
//!   `PREFIX_exceptions.csv`: exactly Locust 2.47's files (see [`crate::locust::write`]). The
//!   driver runs no user code, so `_exceptions.csv` holds only its header.
//! * `PREFIX_histograms.csv`: the latency histograms, so that repeated runs can be pooled
//!   exactly (rewritten every 10 s and at the end: it grows with the spread of latencies).
//!   Header `Type,Name,Value,Count`; one row per non-empty bucket of each endpoint and then of
//!   Aggregated (empty `Type`). `Value` is the bucket's highest value in microseconds
//!   of an HDR histogram with 3 significant digits, so identical `Value`s of several runs are
//!   the same bucket and pooling is adding their `Count`s.
//! * `PREFIX_service_time.csv` (open model only): the `_stats.csv` layout, with the
//!   latencies measured from the actual send instead of the intended send time. (Its name
//!   does not end in `_stats.csv`, so that no reader looking for runs mistakes it for one.)
//! * `PREFIX_service_time_histograms.csv` (open model only): the same for the histograms.
//! * `PREFIX_stage_histograms.csv` (stepped loads, `--stages`): each plateau's histograms
//!   ([`super::stage_histograms`]).
//! * `PREFIX_driver.csv`: the generator's self-monitoring, one row a second:
//!   `Timestamp,CPU %,Timer Lag (ms),Late Requests,Max Send Lag (ms),Saturated`.

use std::path::{Path, PathBuf};

use super::monitor::MonitorPoint;
use super::recorder::Recorder;
use super::stage_histograms::StageHistograms;
use super::writer::{Failure, Job, Writer};
use super::DriverError;
use crate::locust::with_suffix;
use crate::locust::write::{
    exceptions_header, failures_header, history_header, push_failure_row, push_history_row,
    push_record, push_stats_row, stats_header, Cell, Num, PERCENTILE_LABELS,
};
use crate::report::escape;

/// The CSV files of one run, and where the appended ones end.
pub struct CsvFiles {
    prefix: PathBuf,
    full_history: bool,
    open_model: bool,
    writer: Writer,
    /// Length of `_stats_history.csv` so far.
    history_len: u64,
    /// Length of `_stats_history.csv` before the last tick's rows.
    last_tick_offset: u64,
    last_history_second: Option<i64>,
    /// Length of `_driver.csv` so far.
    driver_len: u64,
    /// The second the histogram files were last written.
    histograms_written: Option<i64>,
    /// A stepped load's stage histograms, when it has stages.
    stages: Option<StageHistograms>,
}

/// The suffix of a stepped load's stage histograms.
const STAGE_FILE: &str = crate::stages::STAGE_HISTOGRAMS_SUFFIX;

/// Seconds between writes of the histogram files, which grow with the spread of latencies
/// seen (one row per non-empty bucket: hundreds of kilobytes after a few minutes of a varied
/// run) and matter only once the run is over; the last write comes with the final totals.
const HISTOGRAM_EVERY_SECONDS: i64 = 10;

impl CsvFiles {
    /// Prepares to write under `prefix`; fails when its directory does not exist.
    pub fn new(prefix: &Path, full_history: bool, open_model: bool) -> Result<Self, DriverError> {
        let stats = with_suffix(prefix, "_stats.csv");
        let dir = crate::output::parent_dir(&stats);
        if !dir.is_dir() {
            return Err(DriverError::Usage(format!(
                "--csv {}: directory {} does not exist",
                prefix.display(),
                dir.display()
            )));
        }
        let writer = Writer::start().map_err(|source| DriverError::Write {
            path: prefix.to_path_buf(),
            source,
        })?;
        let history = history_header();
        let driver = "Timestamp,CPU %,Timer Lag (ms),Late Requests,Max Send Lag (ms),Saturated\r\n";
        let files = Self {
            prefix: prefix.to_path_buf(),
            full_history,
            open_model,
            writer,
            history_len: history.len() as u64,
            last_tick_offset: history.len() as u64,
            last_history_second: None,
            driver_len: driver.len() as u64,
            histograms_written: None,
            stages: None,
        };
        files.send(vec![
            files.append("_stats_history.csv", 0, history),
            files.append("_driver.csv", 0, driver.into()),
            Job::Replace(files.path("_exceptions.csv"), exceptions_header()),
        ])?;
        Ok(files)
    }

    /// Also writes `PREFIX_stage_histograms.csv` (a stepped load).
    pub fn with_stage_histograms(mut self) -> Result<Self, DriverError> {
        let stages = StageHistograms::default();
        self.send(vec![Job::Replace(
            self.path(STAGE_FILE),
            stages.content().to_string(),
        )])?;
        self.stages = Some(stages);
        Ok(self)
    }

    fn append(&self, suffix: &str, at: u64, bytes: String) -> Job {
        Job::Append {
            path: self.path(suffix),
            at,
            bytes,
        }
    }

    fn send(&self, batch: Vec<Job>) -> Result<(), DriverError> {
        self.writer.send(batch).map_err(write_error)
    }

    /// Waits until every file is on disk; reports the first write that failed.
    pub fn finish(&mut self) -> Result<(), DriverError> {
        self.writer.finish().map_err(write_error)
    }

    fn path(&self, suffix: &str) -> PathBuf {
        with_suffix(&self.prefix, suffix)
    }

    /// Every file this run writes.
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = [
            "_stats.csv",
            "_stats_history.csv",
            "_failures.csv",
            "_exceptions.csv",
            "_histograms.csv",
            "_driver.csv",
        ]
        .iter()
        .map(|s| self.path(s))
        .collect();
        if self.open_model {
            v.push(self.path("_service_time.csv"));
            v.push(self.path("_service_time_histograms.csv"));
        }
        if self.stages.is_some() {
            v.push(self.path(STAGE_FILE));
        }
        v
    }

    /// Adds the history rows of Unix time `now` (at most one tick per second) and the
    /// monitor's row, then rewrites every file. The `last` tick of a run replaces the rows of
    /// a tick in the same second, so that the history ends at the final totals.
    pub fn tick(
        &mut self,
        rec: &Recorder,
        now: f64,
        users: u64,
        monitor: Option<&MonitorPoint>,
        last: bool,
    ) -> Result<(), DriverError> {
        let second = now as i64;
        let mut jobs = Vec::new();
        if last && self.last_history_second == Some(second) {
            self.history_len = self.last_tick_offset;
            self.last_history_second = None;
        }
        if self.last_history_second != Some(second) {
            let mut rows = String::new();
            for (point, snap) in rec.history_rows(now, users, self.full_history) {
                push_history_row(&mut rows, &point, &snap);
            }
            self.last_tick_offset = self.history_len;
            self.history_len += rows.len() as u64;
            self.last_history_second = Some(second);
            jobs.push(self.append("_stats_history.csv", self.last_tick_offset, rows));
            if let Some(stages) = self.stages.as_mut() {
                let ended = stages.row(rec, second, users);
                let ended = (last && stages.close(rec)) || ended;
                if ended {
                    let content = stages.content().to_string();
                    jobs.push(Job::Replace(self.path(STAGE_FILE), content));
                }
            }
        }
        if let Some(m) = monitor {
            let cpu = m.cpu_percent.map_or(String::new(), |c| format!("{c:.1}"));
            let lag = format!("{:.1}", m.timer_lag_ms);
            let late = m.late.to_string();
            let send_lag = format!("{:.1}", m.max_send_lag_ms);
            let mut row = String::new();
            push_record(
                &mut row,
                &[
                    Cell::Num(Num::Int(m.timestamp)),
                    Cell::Text(&cpu),
                    Cell::Text(&lag),
                    Cell::Text(&late),
                    Cell::Text(&send_lag),
                    Cell::Text(if m.saturated { "yes" } else { "no" }),
                ],
            );
            let at = self.driver_len;
            self.driver_len += row.len() as u64;
            jobs.push(self.append("_driver.csv", at, row));
        }
        jobs.push(Job::Replace(self.path("_stats.csv"), stats_csv(rec, false)));
        let mut failures = failures_header();
        for f in rec.failure_lines() {
            push_failure_row(&mut failures, &f);
        }
        jobs.push(Job::Replace(self.path("_failures.csv"), failures));
        let histograms_due = last
            || self
                .histograms_written
                .is_none_or(|at| second - at >= HISTOGRAM_EVERY_SECONDS);
        if histograms_due {
            self.histograms_written = Some(second);
            jobs.push(Job::Replace(
                self.path("_histograms.csv"),
                histograms_csv(rec, false),
            ));
        }
        if self.open_model {
            jobs.push(Job::Replace(
                self.path("_service_time.csv"),
                stats_csv(rec, true),
            ));
            if histograms_due {
                jobs.push(Job::Replace(
                    self.path("_service_time_histograms.csv"),
                    histograms_csv(rec, true),
                ));
            }
        }
        self.send(jobs)
    }
}

fn write_error((path, source): Failure) -> DriverError {
    DriverError::Write { path, source }
}

/// The content of a `_stats.csv` (service times with `service`).
pub fn stats_csv(rec: &Recorder, service: bool) -> String {
    let mut out = stats_header();
    for row in rec.stats_rows(service) {
        push_stats_row(&mut out, &row);
    }
    out
}

/// The content of a `_histograms.csv`.
pub fn histograms_csv(rec: &Recorder, service: bool) -> String {
    let mut out = String::from("Type,Name,Value,Count\r\n");
    for (method, name, value, count) in rec.histogram_rows(service) {
        push_record(
            &mut out,
            &[
                Cell::Text(method),
                Cell::Text(name),
                Cell::Num(Num::Int(value as i64)),
                Cell::Num(Num::Int(count as i64)),
            ],
        );
    }
    out
}

/// Width Locust gives the name column when stdout is not a terminal.
const NAME_WIDTH: usize = 80;
const TYPE_WIDTH: usize = 8;

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// The tables Locust prints when a run ends: requests, percentiles, then the error report;
/// names and errors through [`escape::terminal`].
pub fn summary_tables(rec: &Recorder) -> String {
    let mut out = String::new();
    let name_w = NAME_WIDTH - TYPE_WIDTH + 4;
    let line = |a: &str, b: &str, rest: &str| {
        format!("{} {} {rest}\n", pad(a, TYPE_WIDTH), pad(b, name_w))
    };
    out.push_str(&line(
        "Type",
        "Name",
        &format!(
            "{:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7} {:>11}",
            "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s"
        ),
    ));
    let sep = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n",
        "-".repeat(TYPE_WIDTH),
        "-".repeat(name_w),
        "-".repeat(7),
        "-".repeat(13),
        "-".repeat(7),
        "-".repeat(7),
        "-".repeat(7),
        "-".repeat(7),
        "-".repeat(8),
        "-".repeat(11)
    );
    out.push_str(&sep);
    let rows = rec.stats_rows(false);
    let row_line = |r: &crate::locust::write::EntrySnapshot| {
        let method = if r.method.is_empty() {
            String::new()
        } else {
            format!("{} ", escape::terminal(&r.method))
        };
        let ratio = if r.requests == 0 {
            if r.failures > 0 {
                100.0
            } else {
                0.0
            }
        } else {
            r.failures as f64 / r.requests as f64 * 100.0
        };
        let median = match r.median {
            Num::Int(i) => i,
            Num::Float(f) => f as i64,
        };
        line(
            &method,
            &escape::terminal(&r.name),
            &format!(
                "{:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7.2} {:>11.2}",
                r.requests,
                format!("{}({:.2}%)", r.failures, ratio),
                r.avg_ms as i64,
                r.min_ms.unwrap_or(0.0) as i64,
                r.max_ms.unwrap_or(0.0) as i64,
                median,
                r.total_rps,
                r.total_fail_per_s
            ),
        )
    };
    let (total, endpoints) = rows
        .split_last()
        .map_or((None, &[][..]), |(t, e)| (Some(t), e));
    for r in endpoints {
        out.push_str(&row_line(r));
    }
    out.push_str(&sep);
    if let Some(t) = total {
        out.push_str(&row_line(t));
    }
    out.push('\n');

    out.push_str("Response time percentiles (approximated)\n");
    let mut header = format!("{} {} ", pad("Type", TYPE_WIDTH), pad("Name", NAME_WIDTH));
    let labels: Vec<String> = PERCENTILE_LABELS
        .iter()
        .copied()
        .chain(std::iter::once("# reqs"))
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l:>8}")
            } else {
                format!("{l:>6}")
            }
        })
        .collect();
    header.push_str(&labels.join(" "));
    out.push_str(&header);
    out.push('\n');
    let psep = format!(
        "{}|{}|{}|{}\n",
        "-".repeat(TYPE_WIDTH),
        "-".repeat(NAME_WIDTH),
        "-".repeat(8),
        vec!["-".repeat(6); PERCENTILE_LABELS.len()].join("|")
    );
    out.push_str(&psep);
    let pline = |r: &crate::locust::write::EntrySnapshot| -> Option<String> {
        let p = r.percentiles?;
        let mut cells: Vec<String> = p.iter().map(|v| v.to_string()).collect();
        cells.push(r.requests.to_string());
        let cols: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:>8}")
                } else {
                    format!("{c:>6}")
                }
            })
            .collect();
        Some(format!(
            "{} {} {}\n",
            pad(&escape::terminal(&r.method), TYPE_WIDTH),
            pad(&escape::terminal(&r.name), NAME_WIDTH),
            cols.join(" ")
        ))
    };
    for r in endpoints {
        out.extend(pline(r));
    }
    out.push_str(&psep);
    if let Some(t) = total {
        out.extend(pline(t));
    }
    out.push('\n');

    let errors = rec.error_report();
    if !errors.is_empty() {
        out.push_str("Error report\n");
        out.push_str(&format!(
            "{} {}\n",
            pad("# occurrences", 18),
            pad("Error", 100)
        ));
        let esep = format!("{}|{}\n", "-".repeat(18), "-".repeat(80 + NAME_WIDTH - 19));
        out.push_str(&esep);
        for (n, text) in errors {
            out.push_str(&format!(
                "{} {}\n",
                pad(&n.to_string(), 18),
                pad(&escape::terminal(&text), 100)
            ));
        }
        out.push_str(&esep);
        out.push('\n');
    }
    out
}

/// The one-line progress shown on a terminal.
pub fn progress_line(rec: &Recorder, elapsed: f64, run_time: Option<f64>, users: u64) -> String {
    let (requests, failures) = rec.totals();
    let mut line = String::new();
    match run_time {
        Some(t) => line.push_str(&format!("[{elapsed:>5.0}s/{t:.0}s]")),
        None => line.push_str(&format!("[{elapsed:>5.0}s]")),
    }
    line.push_str(&format!(
        " users {users} | {requests} reqs | {failures} fails | {:.1} req/s",
        rec.total_rps()
    ));
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::recorder::Sample;

    #[test]
    fn console_tables_show_control_and_bidi_characters_in_names() {
        let endpoints = vec![("GET".to_string(), "/\u{1b}[31mred\u{202e}".to_string())];
        let mut rec = Recorder::new(&endpoints, 1000.0);
        rec.record(&Sample {
            slot: 0,
            at: 1000.5,
            latency_us: 5_000,
            service_us: None,
            content_len: 2,
            error: Some("boom \u{1b}[2J".to_string()),
        });
        let text = summary_tables(&rec);
        assert!(!text.contains(['\u{1b}', '\u{202e}']), "{text:?}");
        assert!(text.contains("/\\u{1b}[31mred\\u{202e}"), "{text}");
        assert!(text.contains("boom \\u{1b}[2J"), "{text}");
    }

    /// The final tick, in the same second as the one before, replaces that second's history
    /// rows instead of adding a second set, so the history ends at the final totals.
    #[test]
    fn the_last_tick_replaces_its_seconds_rows() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("run");
        let endpoints = vec![("GET".to_string(), "/a".to_string())];
        let mut rec = Recorder::new(&endpoints, 1000.0);
        let sample = |at: f64| Sample {
            slot: 0,
            at,
            latency_us: 5_000,
            service_us: None,
            content_len: 2,
            error: None,
        };
        let mut files = CsvFiles::new(&prefix, false, false).unwrap();
        rec.record(&sample(1001.1));
        files.tick(&rec, 1001.2, 1, None, false).unwrap();
        rec.record(&sample(1001.5));
        files.tick(&rec, 1001.7, 1, None, true).unwrap();
        files.finish().unwrap();
        let history = std::fs::read_to_string(dir.path().join("run_stats_history.csv")).unwrap();
        let rows: Vec<&str> = history.lines().skip(1).collect();
        assert_eq!(rows.len(), 1, "{history}");
        let total_requests = rows[0].split(',').nth(17).unwrap();
        assert_eq!(total_requests, "2", "{history}");
    }
}

//! End-to-end tests of `perfreport run` against the real `perfreport target`, each run a few
//! seconds long and aimed at 127.0.0.1 only.

mod hangs;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_perfreport");

/// A running target, killed when dropped.
pub(crate) struct Target {
    child: Child,
    port: u16,
}

impl Target {
    pub(crate) fn start(extra: &[&str]) -> Target {
        let mut cmd = Command::new(BIN);
        cmd.args(["target", "--port", "0", "--seed", "7", "--run-time", "60s"])
            .args(extra);
        Target::launch(cmd)
    }

    /// Starts `cmd` (a `perfreport target` command line) and reads the port it listens on.
    fn launch(mut cmd: Command) -> Target {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start target");
        let stdout = child.stdout.take().expect("target stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read target address");
        let port = line
            .trim()
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        Target { child, port }
    }

    pub(crate) fn host(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `cmd`, asserts exit code 2 and returns its standard error.
fn stderr_of_exit_2(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().code(2);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn first_line(text: &str) -> &str {
    text.split_inclusive("\r\n").next().unwrap_or("")
}

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/shared-2.47/latest-1")
        .join(format!("latest-1_{name}.csv"));
    read(&p)
}

fn records(text: &str) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    rdr.records()
        .map(|r| r.expect("csv record").iter().map(String::from).collect())
        .collect()
}

fn num(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| panic!("not a count: {s:?}"))
}

/// Checks that the counts of the stats, failures and history files agree; returns the
/// Aggregated (requests, failures).
fn check_consistent(prefix: &Path) -> (u64, u64) {
    let p = |s: &str| PathBuf::from(format!("{}_{s}.csv", prefix.display()));
    let stats = records(&read(&p("stats")));
    let (agg, endpoints) = stats.split_last().expect("an Aggregated row");
    assert_eq!(agg[0], "");
    assert_eq!(agg[1], "Aggregated");
    let requests: u64 = endpoints.iter().map(|r| num(&r[2])).sum();
    let failures: u64 = endpoints.iter().map(|r| num(&r[3])).sum();
    assert_eq!(requests, num(&agg[2]), "endpoint requests add up");
    assert_eq!(failures, num(&agg[3]), "endpoint failures add up");
    let failure_rows = records(&read(&p("failures")));
    let occurrences: u64 = failure_rows.iter().map(|r| num(&r[3])).sum();
    assert_eq!(occurrences, failures, "failures.csv adds up");
    let history = records(&read(&p("stats_history")));
    let last = history
        .iter()
        .rev()
        .find(|r| r[3] == "Aggregated")
        .expect("an Aggregated history row");
    assert_eq!(num(&last[17]), requests, "history ends at the stats total");
    assert_eq!(num(&last[18]), failures);
    (requests, failures)
}

#[test]
fn counts_add_up_and_headers_are_locusts() {
    let target = Target::start(&["--fail-rate", "/analysis/=0.5"]);
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("run");
    let out = Command::new(BIN)
        .args(["run", "--headless", "-u", "8", "-r", "20", "-t", "3s", "-H"])
        .arg(target.host())
        .arg("--csv")
        .arg(&prefix)
        .arg("--csv-full-history")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "failures give Locust's exit 1");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Response time percentiles (approximated)"));
    assert!(stdout.contains("Error report"));
    let (requests, failures) = check_consistent(&prefix);
    assert!(requests > 20, "{requests} requests");
    assert!(failures > 0);
    for name in ["stats", "stats_history", "failures", "exceptions"] {
        let ours = read(Path::new(&format!("{}_{name}.csv", prefix.display())));
        assert_eq!(
            first_line(&ours),
            first_line(&fixture(name)),
            "{name} header"
        );
    }
    let failures_csv = read(Path::new(&format!("{}_failures.csv", prefix.display())));
    assert!(failures_csv
        .contains("HTTPError('500 Server Error: Internal Server Error for url: /analysis/')"));
    let history = read(Path::new(&format!(
        "{}_stats_history.csv",
        prefix.display()
    )));
    assert!(history.lines().any(|l| l.contains(",GET,/health/,")));
    assert!(history.ends_with("\r\n"));
}

#[test]
fn sigint_mid_run_leaves_complete_files() {
    let target = Target::start(&["--fast"]);
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("cut");
    let child = Command::new(BIN)
        .args(["run", "-u", "4", "-r", "50", "-t", "30s", "-H"])
        .arg(target.host())
        .arg("--csv")
        .arg(&prefix)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (requests, failures) = check_consistent(&prefix);
    assert!(requests > 0);
    assert_eq!(failures, 0);
}

#[test]
fn target_killed_mid_run_gives_connection_failures() {
    let mut target = Target::start(&["--fast"]);
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("gone");
    let child = Command::new(BIN)
        .args(["run", "-u", "3", "-r", "50", "-t", "3s", "-H"])
        .arg(target.host())
        .arg("--csv")
        .arg(&prefix)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    target.kill();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (_, failures) = check_consistent(&prefix);
    assert!(failures > 0);
    let failures_csv = read(Path::new(&format!("{}_failures.csv", prefix.display())));
    assert!(
        failures_csv.contains("Connection refused") || failures_csv.contains("Connection aborted"),
        "{failures_csv}"
    );
}

#[test]
fn open_model_shows_a_stall_in_p99() {
    let target = Target::start(&["--fast", "--stall-at", "1", "--stall-for", "1"]);
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("open");
    let out = Command::new(BIN)
        .args(["run", "--rate", "100", "-u", "10", "-t", "3s", "-H"])
        .arg(target.host())
        .arg("--csv")
        .arg(&prefix)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    check_consistent(&prefix);
    let stats = records(&read(Path::new(&format!("{}_stats.csv", prefix.display()))));
    let agg = stats.last().unwrap();
    let p99 = num(&agg[18]);
    assert!(p99 >= 500, "intended-time p99 {p99} ms shows the 1 s stall");
    let p90 = num(&agg[15]);
    let service = records(&read(Path::new(&format!(
        "{}_service_time.csv",
        prefix.display()
    ))));
    let service_p90 = num(&service.last().unwrap()[15]);
    assert!(
        service_p90 < p90,
        "service time p90 {service_p90} hides the stall that p90 {p90} shows"
    );
    let monitor = records(&read(Path::new(&format!(
        "{}_driver.csv",
        prefix.display()
    ))));
    let late: u64 = monitor.iter().map(|r| num(&r[3])).sum();
    assert!(late > 0, "requests held up by the stall were sent late");
    assert!(String::from_utf8_lossy(&out.stdout).contains("after their intended time"));
}

#[test]
fn bad_scenario_is_exit_2_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[[task]]\npath = \"/a\"\nweight = -3\n").unwrap();
    let stderr = stderr_of_exit_2(
        assert_cmd::Command::new(BIN)
            .arg("run")
            .arg("--scenario")
            .arg(&file),
    );
    assert!(stderr.contains("bad.toml:3:"), "{stderr}");
}

#[test]
fn refuses_bad_usage_with_exit_2() {
    for (args, expected) in [
        (
            &["run", "-t", "1s", "-H", "http://10.1.2.3:80"][..],
            "only sends load to loopback",
        ),
        (&["run", "-t", "soon"], "invalid time `soon`"),
        (
            &["run", "-t", "1s", "-f", "locustfile.py"],
            "runs no Python locustfile",
        ),
    ] {
        let stderr = stderr_of_exit_2(assert_cmd::Command::new(BIN).args(args));
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn resets_drops_and_timeouts_are_named_like_locust() {
    let target = Target::start(&[
        "--fast",
        "--reset-rate",
        "/health/=0.2",
        "--drop-rate",
        "/lmcache/status=0.3",
        "--hang-rate",
        "/analysis/=0.5",
        "--hang-for",
        "2s",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "[[task]]\npath = \"/health/\"\n[[task]]\npath = \"/lmcache/status\"\n\
         [[task]]\npath = \"/analysis/\"\ntimeout = 0.5\n",
    )
    .unwrap();
    let prefix = dir.path().join("faults");
    let out = Command::new(BIN)
        .args(["run", "-u", "4", "-r", "50", "-t", "2s", "-H"])
        .arg(target.host())
        .arg("--html")
        .arg(dir.path().join("report.html"))
        .arg("--scenario")
        .arg(&scenario)
        .arg("--csv")
        .arg(&prefix)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = read(&dir.path().join("report.html"));
    assert!(
        html.contains("/lmcache/status"),
        "the report names the endpoints"
    );
    assert!(
        html.contains("Connection reset by peer"),
        "and shows the failures"
    );
    check_consistent(&prefix);
    let failures = read(Path::new(&format!("{}_failures.csv", prefix.display())));
    for expected in [
        "ConnectionResetError(104, 'Connection reset by peer')",
        "RemoteDisconnected('Remote end closed connection without response')",
        "Read timed out. (read timeout=0.5)",
    ] {
        assert!(failures.contains(expected), "{expected} in {failures}");
    }
}

/// The recorder's statistics against real Locust 2.47's for the same request stream
/// (`fixtures/driver-vs-locust/generate.py` fed it through `locust.stats` with a fake clock):
/// the stats rows, every full-history row (sliding-window percentiles and rates included) and
/// the failures must come out byte for byte, and so must the console tables.
#[test]
fn recorder_matches_real_locust_statistics() {
    use perfreport::driver::recorder::{Recorder, Sample};
    use perfreport::locust::write::{push_failure_row, push_history_row, push_stats_row};

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/driver-vs-locust");
    let endpoints: Vec<(String, String)> = [
        ("GET", "/health/"),
        ("GET", "/system/metrics"),
        ("POST", "/analysis/run"),
        ("GET", "/items/{id}, \"x\""),
    ]
    .iter()
    .map(|(m, n)| (m.to_string(), n.to_string()))
    .collect();
    let samples: Vec<Sample> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join("samples.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            Sample {
                slot: r[0].parse().unwrap(),
                at: r[1].parse().unwrap(),
                latency_us: r[2].parse().unwrap(),
                service_us: None,
                content_len: r[3].parse().unwrap(),
                error: (!r[4].is_empty()).then(|| r[4].to_string()),
            }
        })
        .collect();
    let start = 1_795_860_000.25;
    let mut rec = Recorder::new(&endpoints, start);
    let mut history = String::new();
    let mut next = samples.iter().peekable();
    for second in 0..47 {
        let tick = start + f64::from(second);
        while let Some(s) = next.next_if(|s| s.at < tick) {
            rec.record(s);
        }
        rec.prune(tick);
        for (point, entry) in rec.history_rows(tick, 5, true) {
            push_history_row(&mut history, &point, &entry);
        }
    }
    let mut stats = String::new();
    for row in rec.stats_rows(false) {
        push_stats_row(&mut stats, &row);
    }
    let mut failures = String::new();
    for f in rec.failure_lines() {
        push_failure_row(&mut failures, &f);
    }
    assert_eq!(stats, read(&dir.join("locust_stats.csv")));
    assert_eq!(failures, read(&dir.join("locust_failures.csv")));
    let expected = read(&dir.join("locust_history.csv"));
    for (i, (ours, theirs)) in history.lines().zip(expected.lines()).enumerate() {
        assert_eq!(ours, theirs, "history line {}", i + 1);
    }
    assert_eq!(history, expected);
    let console = perfreport::driver::output::summary_tables(&rec);
    assert_eq!(console, read(&dir.join("locust_console.txt")));
}

/// The library entry points the rest of perfreport (the demo) calls: an in-process target and
/// an in-process run, without child processes.
#[test]
fn in_process_target_and_run() {
    use perfreport::driver::{self, LogLevel};
    use perfreport::target::{self, Latency};

    let handle = target::spawn(&target::Config {
        port: 0,
        latency: Latency::Fast,
        run_time: Some(Duration::from_secs(30)),
        ..target::Config::default()
    })
    .unwrap();
    assert!(handle.url().starts_with("http://127.0.0.1:"));
    let dir = tempfile::tempdir().unwrap();
    let outcome = driver::run(&driver::Config {
        users: Some(2),
        spawn_rate: 10.0,
        run_time: Some(Duration::from_secs(2)),
        host: handle.url(),
        log_level: LogLevel::Error,
        csv: Some(dir.path().join("lib")),
        ..driver::Config::default()
    })
    .unwrap();
    assert_eq!(outcome.exit_code, 0);
    assert_eq!(outcome.failures, 0);
    assert!(outcome.requests > 10);
    assert!(!outcome.interrupted);
    assert!(outcome.files.iter().all(|f| f.exists()));
    let (requests, _) = check_consistent(&dir.path().join("lib"));
    assert_eq!(requests, outcome.requests);
    handle.stop().unwrap();
}

#[test]
fn html_report_without_csv_and_a_missing_html_folder() {
    let target = Target::start(&["--fast"]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("only.html");
    assert_cmd::Command::new(BIN)
        .args([
            "run",
            "-u",
            "2",
            "-r",
            "10",
            "-t",
            "1s",
            "--loglevel",
            "ERROR",
            "-H",
        ])
        .arg(target.host())
        .arg("--html")
        .arg(&report)
        .assert()
        .code(0);
    let html = read(&report);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("/health/"));
    // The run's facts name the host the driver sent load to.
    let port = target.host().rsplit(':').next().unwrap().to_string();
    assert!(
        html.contains("<dt>Host</dt>") && html.contains(&format!("127.0.0.1:{port}")),
        "the report names the host"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no CSV files left"
    );

    let missing = dir.path().join("no").join("such.html");
    let stderr = stderr_of_exit_2(
        assert_cmd::Command::new(BIN)
            .args(["run", "-t", "1s", "-H"])
            .arg(target.host())
            .arg("--html")
            .arg(&missing),
    );
    assert!(stderr.contains("does not exist"), "{stderr}");
}

/// A fixed 50 ms answer measures as 50 ms: the median of the driver's µs histogram sits within
/// 5 % of the injected delay (the benchmark holds it to 2 % on a quiet machine; the margin here
/// absorbs other tests running beside this one).
#[test]
fn a_fixed_delay_measures_as_itself() {
    let target = Target::start(&["--delay-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, "[[task]]\npath = \"/health/\"\n").unwrap();
    let prefix = dir.path().join("delay");
    assert_cmd::Command::new(BIN)
        .args([
            "run",
            "-u",
            "2",
            "-r",
            "10",
            "-t",
            "2s",
            "--loglevel",
            "ERROR",
            "-H",
        ])
        .arg(target.host())
        .arg("--scenario")
        .arg(&scenario)
        .arg("--csv")
        .arg(&prefix)
        .assert()
        .code(0);
    let hist = read(Path::new(&format!("{}_histograms.csv", prefix.display())));
    let buckets: Vec<(f64, u64)> = hist
        .lines()
        .skip(1)
        .filter(|l| l.starts_with(",Aggregated,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].parse().unwrap(), f[3].parse().unwrap())
        })
        .collect();
    let total: u64 = buckets.iter().map(|b| b.1).sum();
    assert!(total >= 40, "{total} requests");
    let mut seen = 0;
    let median_us = buckets
        .iter()
        .find(|(_, c)| {
            seen += c;
            seen * 2 >= total
        })
        .unwrap()
        .0;
    let error = (median_us / 50_000.0 - 1.0).abs();
    assert!(error < 0.05, "median {median_us} µs for a 50 ms delay");
}

/// A `--csv` prefix ending in `/` names files inside that folder, as Locust joins them
/// (`results/` + `_stats.csv`), and `--html` reads them back from there.
#[test]
fn a_folder_prefix_writes_inside_the_folder() {
    let target = Target::start(&["--fast"]);
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("{}/", dir.path().display());
    assert_cmd::Command::new(BIN)
        .args([
            "run",
            "-u",
            "1",
            "-r",
            "10",
            "-t",
            "1s",
            "--loglevel",
            "ERROR",
            "-H",
        ])
        .arg(target.host())
        .args(["--csv", &prefix, "--html"])
        .arg(dir.path().join("r.html"))
        .assert()
        .code(0);
    assert!(dir.path().join("_stats.csv").is_file());
    assert!(dir.path().join("_histograms.csv").is_file());
    assert!(read(&dir.path().join("r.html")).contains("/health/"));
}

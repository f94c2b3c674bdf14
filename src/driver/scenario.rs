//! The load profile: which requests a user sends, how often each, and how long it waits
//! between them — a locustfile in TOML.
//!
//! ```toml
//! # Locust's wait-time functions: "between(a, b)", "constant(s)", "constant_throughput(n)".
//! # Default: no wait.
//! wait_time = "between(0.3, 1.0)"
//!
//! [[task]]
//! method = "GET"              # default GET
//! path = "/health/"           # required; must start with "/": the driver only talks to --host
//! name = "/health/"           # optional: the name requests are grouped under (Locust's name=)
//! weight = 4                  # default 1
//! headers = { Accept = "application/json" }
//! body = ""                   # optional request body
//! expect_status = [200]       # default: any status below 400 succeeds
//! timeout = 2.0               # per-request timeout in seconds (default 60)
//! ```
//!
//! Errors name the file, line and column (from the TOML parser's spans).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::DriverError;

/// Locust's user wait-time functions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WaitTime {
    /// No wait between tasks.
    None,
    /// `constant(s)`: wait exactly `s` seconds.
    Constant(f64),
    /// `between(a, b)`: wait a uniform random time in `[a, b]` seconds.
    Between(f64, f64),
    /// `constant_throughput(n)`: at most `n` tasks per second per user (wait `1/n` minus the
    /// task's own duration).
    ConstantThroughput(f64),
}

impl WaitTime {
    /// Parses Locust's spelling, e.g. `between(0.3, 1.0)`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (func, rest) = t
            .split_once('(')
            .ok_or_else(|| format!("wait_time {t:?}: expected e.g. \"between(0.5, 2)\""))?;
        let inner = rest
            .strip_suffix(')')
            .ok_or_else(|| format!("wait_time {t:?}: missing ')'"))?;
        let args: Vec<f64> = inner
            .split(',')
            .filter(|a| !a.trim().is_empty())
            .map(|a| {
                a.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("wait_time {t:?}: {:?} is not a number", a.trim()))
            })
            .collect::<Result<_, _>>()?;
        if args.iter().any(|a| !(0.0..=86_400.0).contains(a)) {
            return Err(format!(
                "wait_time {t:?}: arguments must be numbers from 0 to 86400"
            ));
        }
        match (func.trim(), args.as_slice()) {
            ("constant", [s]) => Ok(WaitTime::Constant(*s)),
            ("between", [a, b]) if a <= b => Ok(WaitTime::Between(*a, *b)),
            ("between", [_, _]) => Err(format!("wait_time {t:?}: min must not exceed max")),
            ("constant_throughput", [n]) if *n >= 0.0001 => Ok(WaitTime::ConstantThroughput(*n)),
            ("constant_throughput", [_]) => Err(format!(
                "wait_time {t:?}: throughput must be at least 0.0001 tasks/s"
            )),
            (f, _) => Err(format!(
                "wait_time {t:?}: unknown function or wrong argument count for {f:?} \
                 (use between(a, b), constant(s) or constant_throughput(n))"
            )),
        }
    }

    /// How long to wait after a task that took `task_time`, `unit_random` being uniform in
    /// [0, 1).
    pub fn wait(&self, task_time: Duration, unit_random: f64) -> Duration {
        let secs = match *self {
            WaitTime::None => 0.0,
            WaitTime::Constant(s) => s,
            WaitTime::Between(a, b) => a + (b - a) * unit_random,
            WaitTime::ConstantThroughput(n) => (1.0 / n - task_time.as_secs_f64()).max(0.0),
        };
        Duration::from_secs_f64(secs)
    }
}

/// One kind of request a user sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// HTTP method, upper case.
    pub method: String,
    /// Path and query, starting with `/`.
    pub path: String,
    /// The name requests are recorded under.
    pub name: String,
    /// Relative frequency.
    pub weight: u32,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Request body (empty: none).
    pub body: String,
    /// Statuses that count as success; empty: any status below 400.
    pub expect_status: Vec<u16>,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// A whole load profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// What users wait between tasks.
    pub wait_time: WaitTime,
    /// The tasks, picked at random by weight.
    pub tasks: Vec<Task>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    wait_time: Option<Spanned<String>>,
    #[serde(default)]
    task: Vec<Spanned<RawTask>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    method: Option<Spanned<String>>,
    path: Spanned<String>,
    name: Option<String>,
    weight: Option<Spanned<i64>>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    expect_status: Vec<u16>,
    timeout: Option<Spanned<f64>>,
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

impl Scenario {
    /// The default profile: the Resource Agent mix (`/health/` 4, `/system/metrics` 2,
    /// `/analysis/` 1, `/lmcache/status` 1), no wait.
    pub fn resource_agent() -> Self {
        let task = |path: &str, weight| Task {
            method: "GET".into(),
            path: path.into(),
            name: path.into(),
            weight,
            headers: Vec::new(),
            body: String::new(),
            expect_status: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        };
        Scenario {
            wait_time: WaitTime::None,
            tasks: vec![
                task("/health/", 4),
                task("/system/metrics", 2),
                task("/analysis/", 1),
                task("/lmcache/status", 1),
            ],
        }
    }

    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Self, DriverError> {
        let text = std::fs::read_to_string(path).map_err(|e| DriverError::Scenario {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses scenario text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, DriverError> {
        let err = |span: Option<Range<usize>>, message: String| {
            let (line, column) = span.map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            DriverError::Scenario {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let raw: RawScenario = toml::from_str(text).map_err(|e| {
            let msg = e.message().trim().to_string();
            err(e.span(), msg)
        })?;
        let wait_time = match &raw.wait_time {
            Some(w) => WaitTime::parse(w.get_ref()).map_err(|m| err(Some(w.span()), m))?,
            None => WaitTime::None,
        };
        if raw.task.is_empty() {
            return Err(err(
                None,
                "no [[task]]: a scenario needs at least one".into(),
            ));
        }
        let mut tasks = Vec::new();
        for spanned in &raw.task {
            let t = spanned.get_ref();
            let method = match &t.method {
                Some(m) => {
                    let up = m.get_ref().to_ascii_uppercase();
                    if !METHODS.contains(&up.as_str()) {
                        return Err(err(
                            Some(m.span()),
                            format!("unknown method {:?} (use one of {METHODS:?})", m.get_ref()),
                        ));
                    }
                    up
                }
                None => "GET".into(),
            };
            let path = t.path.get_ref().clone();
            if !path.starts_with('/') {
                return Err(err(
                    Some(t.path.span()),
                    format!(
                        "path {path:?} must start with '/': requests only go to --host, \
                         absolute URLs are refused"
                    ),
                ));
            }
            if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(err(
                    Some(t.path.span()),
                    format!("path {path:?} must not contain spaces or control characters"),
                ));
            }
            let weight = match &t.weight {
                Some(w) if *w.get_ref() < 1 || *w.get_ref() > 1_000_000 => {
                    return Err(err(
                        Some(w.span()),
                        "weight must be between 1 and 1000000".into(),
                    ))
                }
                Some(w) => *w.get_ref() as u32,
                None => 1,
            };
            let timeout = match &t.timeout {
                Some(s) if !(*s.get_ref() > 0.0 && *s.get_ref() <= 3600.0) => {
                    return Err(err(
                        Some(s.span()),
                        "timeout must be above 0 and at most 3600 seconds".into(),
                    ))
                }
                Some(s) => Duration::from_secs_f64(*s.get_ref()),
                None => DEFAULT_TIMEOUT,
            };
            if let Some(bad) = t.expect_status.iter().find(|s| !(100..=599).contains(*s)) {
                return Err(err(
                    Some(spanned.span()),
                    format!("expect_status {bad} is not an HTTP status (100-599)"),
                ));
            }
            for (k, v) in &t.headers {
                if hyper::header::HeaderName::from_bytes(k.as_bytes()).is_err()
                    || hyper::header::HeaderValue::from_str(v).is_err()
                {
                    return Err(err(
                        Some(spanned.span()),
                        format!("header {k:?}: {v:?} is not a valid HTTP header"),
                    ));
                }
            }
            tasks.push(Task {
                name: t.name.clone().unwrap_or_else(|| path.clone()),
                method,
                path,
                weight,
                headers: t.headers.clone().into_iter().collect(),
                body: t.body.clone(),
                expect_status: t.expect_status.clone(),
                timeout,
            });
        }
        Ok(Scenario { wait_time, tasks })
    }

    /// The distinct (method, name) pairs, in first-appearance order, and for each task the
    /// index of its pair.
    pub fn endpoints(&self) -> (Vec<(String, String)>, Vec<usize>) {
        let mut keys: Vec<(String, String)> = Vec::new();
        let mut of_task = Vec::new();
        for t in &self.tasks {
            let key = (t.method.clone(), t.name.clone());
            let idx = match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    keys.len() - 1
                }
            };
            of_task.push(idx);
        }
        (keys, of_task)
    }

    /// Picks a task index by weight, `unit_random` being uniform in [0, 1).
    pub fn pick(&self, unit_random: f64) -> usize {
        let total: u64 = self.tasks.iter().map(|t| u64::from(t.weight)).sum();
        let mut target = (unit_random * total as f64) as u64;
        for (i, t) in self.tasks.iter().enumerate() {
            if target < u64::from(t.weight) {
                return i;
            }
            target -= u64::from(t.weight);
        }
        self.tasks.len() - 1
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_times_parse() {
        assert_eq!(
            WaitTime::parse("between(0.3, 1.0)"),
            Ok(WaitTime::Between(0.3, 1.0))
        );
        assert_eq!(WaitTime::parse("constant(2)"), Ok(WaitTime::Constant(2.0)));
        assert_eq!(
            WaitTime::parse(" constant_throughput(5) "),
            Ok(WaitTime::ConstantThroughput(5.0))
        );
        assert!(WaitTime::parse("between(2, 1)").is_err());
        assert!(WaitTime::parse("between(1)").is_err());
        assert!(WaitTime::parse("poisson(3)").is_err());
        assert!(WaitTime::parse("constant(-1)").is_err());
        assert!(WaitTime::parse("constant").is_err());
        let ct = WaitTime::ConstantThroughput(2.0);
        assert_eq!(
            ct.wait(Duration::from_millis(100), 0.0),
            Duration::from_millis(400)
        );
        assert_eq!(ct.wait(Duration::from_secs(1), 0.0), Duration::ZERO);
    }

    #[test]
    fn scenario_parses() {
        let s = Scenario::parse(
            r#"
wait_time = "constant(0.5)"
[[task]]
path = "/a"
weight = 3
[[task]]
method = "post"
path = "/b?x=1"
name = "b"
headers = { X-Test = "1" }
body = "{}"
expect_status = [201]
timeout = 2.5
"#,
            "t.toml",
        )
        .unwrap();
        assert_eq!(s.wait_time, WaitTime::Constant(0.5));
        assert_eq!(s.tasks.len(), 2);
        assert_eq!(s.tasks[1].method, "POST");
        assert_eq!(s.tasks[1].name, "b");
        assert_eq!(s.tasks[1].timeout, Duration::from_millis(2500));
        assert_eq!(s.pick(0.0), 0);
        assert_eq!(s.pick(0.99), 1);
    }

    #[test]
    fn scenario_errors_carry_lines() {
        let e = Scenario::parse("[[task]]\npath = \"http://evil.example/\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:2:"), "{e}");
        assert!(e.contains("absolute URLs"), "{e}");
        let e = Scenario::parse(
            "wait_time = \"between(3, 1)\"\n[[task]]\npath=\"/\"\n",
            "s.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("s.toml:1:"), "{e}");
        let e = Scenario::parse("[[task]]\npath = \"/\"\nweight = 0\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:3:"), "{e}");
        let e = Scenario::parse("[[task]]\npath = \n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:2:"), "{e}");
        let e = Scenario::parse("[[task]]\npth = \"/\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml:"), "{e}");
    }

    #[test]
    fn default_mix() {
        let s = Scenario::resource_agent();
        let (keys, of_task) = s.endpoints();
        assert_eq!(keys.len(), 4);
        assert_eq!(of_task, vec![0, 1, 2, 3]);
        assert_eq!(s.tasks.iter().map(|t| t.weight).sum::<u32>(), 8);
    }
}

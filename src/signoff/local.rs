//! The target a sign-off talks to when it runs the tiers itself: the embedded demo target
//! started as a child process, and the health check after the last tier.
//!
//! The embedded target is `perfreport target --port 0` run from this same executable, not a
//! thread of the sign-off: its CPU, memory and descriptors are then the target's alone (not
//! mixed with the load generator's), and a crash of the target is observed, not shared. It is
//! killed when the sign-off ends, and stops by itself (`--run-time`) should the sign-off be
//! killed first.
//!
//! Its latencies are those of a healthy build: `perfreport target`'s table with `/analysis/`
//! at half its default (200-500 ms instead of 400-1000 ms). With the Resource Agent mix
//! (weights 4/2/1/1) one request in eight is an `/analysis/`, so the default latencies put the
//! Aggregated P95 near 760 ms, over the light tier's 500 ms, exactly as the seed plan's own
//! example table fails it; at half, the Aggregated P95 is near 380 ms and the average near 90 ms.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::SignoffError;
use crate::driver::parse_host;

/// The knob that makes `perfreport target` a healthy build (see the module header).
pub const HEALTHY_KNOBS: [&str; 2] = ["--slow", "/analysis/=0.5"];

/// How long the health check waits to connect and for the status line.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// The embedded target, running as a child process; killed when dropped.
pub struct EmbeddedTarget {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`.
    pub host: String,
    /// The child's process id, for resource sampling.
    pub pid: u32,
}

impl EmbeddedTarget {
    /// Starts `perfreport target --port 0` with the healthy latencies, then `knobs` (extra
    /// `--slow`/`--fail-rate` arguments), stopping by itself after `lifetime`.
    pub fn start(knobs: &[String], lifetime: Duration) -> Result<Self, SignoffError> {
        let exe = std::env::current_exe().map_err(|e| {
            SignoffError::Target(format!("cannot find the perfreport executable: {e}"))
        })?;
        let mut child = Command::new(&exe)
            .arg("target")
            .args(["--port", "0", "--run-time"])
            .arg(format!("{}s", lifetime.as_secs().max(1)))
            .args(HEALTHY_KNOBS)
            .args(knobs)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                SignoffError::Target(format!("cannot start {} target: {e}", exe.display()))
            })?;
        let pid = child.id();
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SignoffError::Target(
                "the target's output is not piped".into(),
            ));
        };
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let host = line
            .trim()
            .strip_prefix("listening on ")
            .filter(|h| h.starts_with("http://"))
            .map(str::to_string);
        match (read, host) {
            (Ok(_), Some(host)) => Ok(Self {
                child,
                _stdout: stdout,
                host,
                pid,
            }),
            (read, _) => {
                let _ = child.kill();
                let status = child.wait().ok();
                Err(SignoffError::Target(format!(
                    "the embedded target did not start (first line {:?}{}{})",
                    line.trim(),
                    read.err().map_or(String::new(), |e| format!(", {e}")),
                    status.map_or(String::new(), |s| format!(", {s}"))
                )))
            }
        }
    }

    /// Whether the child is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for EmbeddedTarget {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The health check after the last tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthCheck {
    /// The URL asked.
    pub url: String,
    /// The HTTP status, when one came back.
    pub status: Option<u16>,
    /// How long it took, ms.
    pub elapsed_ms: f64,
    /// Whether it answered 2xx within the timeout.
    pub passed: bool,
    /// What happened, for people: `200 OK in 12 ms`, `timed out after 5 s`.
    pub detail: String,
    /// After which tier it ran.
    pub after_tier: String,
}

/// Asks `GET host + path` once, with `timeout` (normally [`HEALTH_TIMEOUT`]) to connect and
/// to answer; 2xx passes.
pub fn health_check(host: &str, path: &str, after_tier: &str, timeout: Duration) -> HealthCheck {
    let started = Instant::now();
    let url = format!("{}{}", host.trim_end_matches('/'), path);
    let result = ask(host, path, timeout);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, passed, detail) = match result {
        Ok((code, reason)) => (
            Some(code),
            (200..300).contains(&code),
            format!("{code} {reason} in {elapsed_ms:.0} ms"),
        ),
        Err(e) => (None, false, e),
    };
    HealthCheck {
        url,
        status,
        elapsed_ms,
        passed,
        detail,
        after_tier: after_tier.to_string(),
    }
}

/// One plain HTTP/1.1 GET with `Connection: close`; returns the status code and reason.
fn ask(host: &str, path: &str, timeout: Duration) -> Result<(u16, String), String> {
    let target = parse_host(host).map_err(|e| e.to_string())?;
    let mut stream = TcpStream::connect_timeout(&target.addr, timeout)
        .map_err(|e| format!("cannot connect to {}: {e}", target.addr))?;
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            format!("no answer within {:.1} s (hung)", timeout.as_secs_f64())
        }
        _ => format!("connection failed: {e}"),
    };
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    let request = format!(
        "GET {}{} HTTP/1.1\r\nHost: {}\r\nUser-Agent: perfreport-signoff\r\nAccept: */*\r\n\
         Connection: close\r\n\r\n",
        target.prefix, path, target.host_header
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let deadline = Instant::now() + timeout;
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") {
        if Instant::now() >= deadline || head.len() > 8192 {
            return Err(format!(
                "no status line within {:.1} s",
                timeout.as_secs_f64()
            ));
        }
        let n = stream.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Err("the connection closed without an answer".into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    parse_status_line(&head)
}

/// `HTTP/1.1 200 OK` → `(200, "OK")`.
fn parse_status_line(head: &[u8]) -> Result<(u16, String), String> {
    let text = String::from_utf8_lossy(head);
    let line = text.lines().next().unwrap_or("");
    let mut parts = line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().and_then(|c| c.parse::<u16>().ok());
    match code {
        Some(code) if version.starts_with("HTTP/") => {
            Ok((code, parts.next().unwrap_or("").trim().to_string()))
        }
        _ => Err(format!("not an HTTP answer: {:?}", line.trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(
            parse_status_line(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n"),
            Ok((200, "OK".into()))
        );
        assert_eq!(
            parse_status_line(b"HTTP/1.1 503 Service Unavailable\r\n"),
            Ok((503, "Service Unavailable".into()))
        );
        assert!(parse_status_line(b"SSH-2.0-OpenSSH\r\n").is_err());
    }

    #[test]
    fn nothing_listening_fails_the_check() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let h = health_check(
            &format!("http://127.0.0.1:{port}"),
            "/health/",
            "stress",
            HEALTH_TIMEOUT,
        );
        assert!(!h.passed);
        assert_eq!(h.status, None);
        assert!(h.detail.contains("cannot connect"), "{}", h.detail);
    }

    #[test]
    fn a_hung_target_fails_the_check() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accepts (the kernel's backlog does) but never answers.
        let h = health_check(
            &format!("http://127.0.0.1:{port}"),
            "/health/",
            "stress",
            Duration::from_millis(300),
        );
        assert!(!h.passed);
        assert!(
            h.detail.contains("hung") || h.detail.contains("within"),
            "{}",
            h.detail
        );
        drop(listener);
    }
}

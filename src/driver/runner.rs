//! The load loop: one user loop for both models, parameterised by [`Pace`] (closed: send, wait,
//! repeat; open: take the next slot of a constant arrival rate) and stopped by a shared stop
//! signal (run time elapsed, Ctrl-C or SIGTERM).
//!
//! Each user keeps one keep-alive HTTP/1.1 connection and opens a new one after an error.
//! Failed requests are named like Locust (through `requests`/`urllib3`) names them, so failures
//! group the same way in every report:
//!
//! | what happened | error text |
//! | --- | --- |
//! | status ≥ 400 not in `expect_status` | `HTTPError('500 Server Error: Internal Server Error for url: NAME')` |
//! | status < 400 not in `expect_status` | `CatchResponseError('Unexpected status code 302, expected one of [200]')` |
//! | connection refused | `ConnectionError(MaxRetryError("HTTPConnectionPool(host='H', port=P): Max retries exceeded with url: PATH (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x....>: Failed to establish a new connection: [Errno 111] Connection refused'))"))` |
//! | closed without a response | `ConnectionError(ProtocolError('Connection aborted.', RemoteDisconnected('Remote end closed connection without response')))` |
//! | connection reset | `ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))` |
//! | no response within the timeout | `ReadTimeout(ReadTimeoutError("HTTPConnectionPool(host='H', port=P): Read timed out. (read timeout=T)"))` |
//! | no connection within the timeout | `ConnectTimeout(...)`, worded the same way |
//!
//! In the open model the latency recorded is measured from the request's intended send time
//! (correcting coordinated omission, like wrk2 and k6's constant-arrival-rate); the latency
//! from the actual send is recorded beside it as the service time.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::Uri;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::http::{serialise_request, Connection, ExchangeError};
use super::locust_math::py_str_repr;
use super::recorder::{Recorder, Sample};
use super::scenario::{Scenario, WaitTime};
use crate::locust::write::python_float_repr;

/// A request sent this much after its intended time counts as late (open model).
pub const LATE_THRESHOLD: Duration = Duration::from_millis(10);

/// How requests are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Closed model: `users` users, started at `spawn_rate` per second, each sending, waiting
    /// its wait time and repeating.
    Closed {
        /// Peak user count.
        users: u64,
        /// Users started per second.
        spawn_rate: f64,
    },
    /// Open model: `rate` requests per second at evenly spaced intended times, sent over
    /// `connections` connections.
    Open {
        /// Requests per second.
        rate: f64,
        /// Concurrent connections.
        connections: u64,
    },
}

/// Where requests go: a loopback socket address plus what goes in `Host` and before paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The address to connect to.
    pub addr: SocketAddr,
    /// The `Host` header.
    pub host_header: String,
    /// A path prefix from `--host` (empty or starting with `/`, no trailing `/`).
    pub prefix: String,
}

/// One task made ready to send.
struct Prepared {
    /// The request, serialised once.
    request: Vec<u8>,
    /// Whether it is a `HEAD` request (whose response has no body).
    head: bool,
    path: String,
    name: String,
    expect: Vec<u16>,
    timeout: Duration,
    slot: usize,
}

/// State shared by the users, the writer and the monitor.
pub struct Shared {
    /// Everything recorded.
    pub recorder: Mutex<Recorder>,
    /// Users (or connections) running now.
    pub users: AtomicU64,
    /// Open model: requests sent later than [`LATE_THRESHOLD`] after their intended time.
    pub late: AtomicU64,
    /// Open model: the largest send lag so far, µs.
    pub max_send_lag_us: AtomicU64,
    /// Unix time of `started`.
    pub unix_start: f64,
    /// When the run started.
    pub started: Instant,
}

impl Shared {
    /// Unix seconds of an instant of this run.
    pub fn unix(&self, at: Instant) -> f64 {
        self.unix_start + at.saturating_duration_since(self.started).as_secs_f64()
    }
}

/// Everything the users need.
pub struct Plan {
    tasks: Vec<Prepared>,
    scenario: Scenario,
    target: Target,
    /// The pacing model.
    pub pace: Pace,
    /// When to stop on its own.
    pub run_time: Option<Duration>,
    /// How long in-flight requests may finish after the stop.
    pub stop_timeout: Duration,
    /// Reset statistics once every user is running.
    pub reset_stats: bool,
    next_slot: AtomicU64,
}

impl Plan {
    /// Prepares the scenario's requests for `target`.
    pub fn new(
        scenario: Scenario,
        target: Target,
        pace: Pace,
        run_time: Option<Duration>,
        stop_timeout: Duration,
        reset_stats: bool,
    ) -> Result<Self, String> {
        let (_, of_task) = scenario.endpoints();
        let mut tasks = Vec::new();
        for (t, slot) in scenario.tasks.iter().zip(of_task) {
            let path = format!("{}{}", target.prefix, t.path);
            // The scenario checked method, path and headers; the --host prefix joins the path.
            path.parse::<Uri>()
                .map_err(|e| format!("path {:?} is not a valid request target: {e}", t.path))?;
            let request = serialise_request(
                &t.method,
                &path,
                &target.host_header,
                &t.headers,
                t.body.as_bytes(),
            );
            tasks.push(Prepared {
                request,
                head: t.method == "HEAD",
                path,
                name: t.name.clone(),
                expect: t.expect_status.clone(),
                timeout: t.timeout,
                slot,
            });
        }
        Ok(Self {
            tasks,
            scenario,
            target,
            pace,
            run_time,
            stop_timeout,
            reset_stats,
            next_slot: AtomicU64::new(0),
        })
    }

    /// How many users (closed) or connections (open) the run uses.
    pub fn user_count(&self) -> u64 {
        match self.pace {
            Pace::Closed { users, .. } => users,
            Pace::Open { connections, .. } => connections,
        }
    }
}

/// Runs the load until `stop` turns true, then lets in-flight requests finish within the
/// stop timeout.
pub async fn drive(plan: Arc<Plan>, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let mut users = JoinSet::new();
    let count = plan.user_count();
    for id in 0..count {
        if let Pace::Closed { spawn_rate, .. } = plan.pace {
            let at = shared.started + Duration::from_secs_f64(id as f64 / spawn_rate);
            if !sleep_until_or_stop(at, &mut stop.clone()).await {
                break;
            }
        }
        shared.users.fetch_add(1, Ordering::Relaxed);
        users.spawn(user(
            Arc::clone(&plan),
            Arc::clone(&shared),
            id,
            stop.clone(),
        ));
    }
    if plan.reset_stats && !*stop.borrow() {
        let now = shared.unix(Instant::now());
        if let Ok(mut r) = shared.recorder.lock() {
            r.reset(now);
        }
    }
    let _ = stop.clone().wait_for(|s| *s).await;
    let _ = tokio::time::timeout(plan.stop_timeout, async {
        while users.join_next().await.is_some() {}
    })
    .await;
    users.abort_all();
    while users.join_next().await.is_some() {}
    shared.users.store(0, Ordering::Relaxed);
}

async fn sleep_until_or_stop(at: Instant, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return false;
    }
    let slept = tokio::select! {
        _ = tokio::time::sleep_until(at.into()) => true,
        _ = stop.wait_for(|s| *s) => false,
    };
    slept && !*stop.borrow()
}

async fn user(plan: Arc<Plan>, shared: Arc<Shared>, id: u64, mut stop: watch::Receiver<bool>) {
    let mut rng = fastrand::Rng::with_seed(shared.unix_start.to_bits() ^ id.wrapping_mul(0x9E37));
    let mut conn: Option<Connection> = None;
    let deadline = plan.run_time.map(|d| shared.started + d);
    loop {
        if *stop.borrow() {
            break;
        }
        let intended = match plan.pace {
            Pace::Closed { .. } => None,
            Pace::Open { rate, .. } => {
                let i = plan.next_slot.fetch_add(1, Ordering::Relaxed);
                let at = shared.started + Duration::from_secs_f64(i as f64 / rate);
                if deadline.is_some_and(|d| at >= d) || !sleep_until_or_stop(at, &mut stop).await {
                    break;
                }
                Some(at)
            }
        };
        let task = &plan.tasks[plan.scenario.pick(rng.f64())];
        let sent = Instant::now();
        if let Some(at) = intended {
            let lag = sent.saturating_duration_since(at);
            if lag >= LATE_THRESHOLD {
                shared.late.fetch_add(1, Ordering::Relaxed);
            }
            shared
                .max_send_lag_us
                .fetch_max(lag.as_micros() as u64, Ordering::Relaxed);
        }
        let (content_len, error) = send(&plan.target, &mut conn, task).await;
        let done = Instant::now();
        let since = intended.unwrap_or(sent);
        let sample = Sample {
            slot: task.slot,
            at: shared.unix(done),
            latency_us: done.saturating_duration_since(since).as_micros() as u64,
            service_us: intended.map(|_| done.saturating_duration_since(sent).as_micros() as u64),
            content_len,
            error,
        };
        if let Ok(mut r) = shared.recorder.lock() {
            r.record(&sample);
        }
        if matches!(plan.pace, Pace::Closed { .. }) && plan.scenario.wait_time != WaitTime::None {
            let wait = plan.scenario.wait_time.wait(done - sent, rng.f64());
            if !sleep_until_or_stop(Instant::now() + wait, &mut stop).await {
                break;
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Connect,
    Response,
}

/// Sends one request on the user's connection (opening one when there is none or the old one
/// cannot be reused); returns the body size and the error, if any. After any error the
/// connection is dropped, as `requests` drops a broken one.
async fn send(
    target: &Target,
    conn: &mut Option<Connection>,
    task: &Prepared,
) -> (u64, Option<String>) {
    let mut phase = Phase::Connect;
    let result = tokio::time::timeout(task.timeout, exchange(target, conn, task, &mut phase)).await;
    let error = match result {
        Ok(Ok((status, len))) => return (len, status_error(status, task)),
        Ok(Err(e)) => e,
        Err(_) => timeout_error(target, task, phase),
    };
    *conn = None;
    (0, Some(error))
}

async fn exchange(
    target: &Target,
    conn: &mut Option<Connection>,
    task: &Prepared,
    phase: &mut Phase,
) -> Result<(u16, u64), String> {
    if conn.as_mut().is_some_and(|c| !c.is_reusable()) {
        *conn = None;
    }
    let connection = match conn {
        Some(c) => c,
        None => conn.insert(
            Connection::connect(target.addr)
                .await
                .map_err(|e| connect_error(target, task, &e))?,
        ),
    };
    *phase = Phase::Response;
    let response = connection
        .exchange(&task.request, task.head)
        .await
        .map_err(|e| exchange_error(&e))?;
    if !connection.keeps_alive() {
        *conn = None;
    }
    Ok((response.status, response.body_len))
}

const DISCONNECTED: &str = "ConnectionError(ProtocolError('Connection aborted.', \
                            RemoteDisconnected('Remote end closed connection without response')))";

fn pool(target: &Target) -> String {
    format!(
        "HTTPConnectionPool(host='{}', port={})",
        target.addr.ip(),
        target.addr.port()
    )
}

fn secs_repr(d: Duration) -> String {
    python_float_repr(d.as_secs_f64())
}

fn connect_error(target: &Target, task: &Prepared, e: &std::io::Error) -> String {
    let cause = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "[Errno 111] Connection refused".to_string(),
        _ => format!("[Errno {}] {}", e.raw_os_error().unwrap_or(0), e),
    };
    format!(
        "ConnectionError(MaxRetryError(\"{}: Max retries exceeded with url: {} (Caused by \
         NewConnectionError('<urllib3.connection.HTTPConnection object at 0x....>: Failed to \
         establish a new connection: {cause}'))\"))",
        pool(target),
        task.path
    )
}

fn timeout_error(target: &Target, task: &Prepared, phase: Phase) -> String {
    match phase {
        Phase::Connect => format!(
            "ConnectTimeout(MaxRetryError(\"{}: Max retries exceeded with url: {} (Caused by \
             ConnectTimeoutError(<urllib3.connection.HTTPConnection object at 0x....>, \
             'Connection to {} timed out. (connect timeout={})'))\"))",
            pool(target),
            task.path,
            target.addr.ip(),
            secs_repr(task.timeout)
        ),
        Phase::Response => format!(
            "ReadTimeout(ReadTimeoutError(\"{}: Read timed out. (read timeout={})\"))",
            pool(target),
            secs_repr(task.timeout)
        ),
    }
}

/// A failed exchange, worded as `requests` words it.
fn exchange_error(e: &ExchangeError) -> String {
    match e {
        ExchangeError::Disconnected => DISCONNECTED.into(),
        ExchangeError::Incomplete { read, expected } => {
            let what = if *expected > 0 {
                format!("IncompleteRead({read} bytes read, {expected} more expected)")
            } else {
                format!("IncompleteRead({read} bytes read)")
            };
            format!("ChunkedEncodingError(ProtocolError('Connection broken: {what}', {what}))")
        }
        ExchangeError::Malformed(m) => format!(
            "ConnectionError(ProtocolError('Connection aborted.', BadStatusLine({})))",
            py_str_repr(m)
        ),
        ExchangeError::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionReset => "ConnectionError(ProtocolError('Connection \
                                                    aborted.', ConnectionResetError(104, \
                                                    'Connection reset by peer')))"
                .into(),
            std::io::ErrorKind::BrokenPipe => "ConnectionError(ProtocolError('Connection \
                                               aborted.', BrokenPipeError(32, 'Broken pipe')))"
                .into(),
            _ => format!(
                "ConnectionError(ProtocolError('Connection aborted.', OSError({}, {})))",
                io.raw_os_error().unwrap_or(0),
                py_str_repr(&io.to_string())
            ),
        },
    }
}

fn status_error(status: u16, task: &Prepared) -> Option<String> {
    if task.expect.contains(&status) || (task.expect.is_empty() && status < 400) {
        return None;
    }
    if status >= 400 {
        let kind = if status < 500 { "Client" } else { "Server" };
        let reason = hyper::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let msg = format!("{status} {kind} Error: {reason} for url: {}", task.name);
        return Some(format!("HTTPError({})", py_str_repr(&msg)));
    }
    let msg = format!(
        "Unexpected status code {status}, expected one of {:?}",
        task.expect
    );
    Some(format!("CatchResponseError({})", py_str_repr(&msg)))
}

//! The load loop: one user loop for both models, parameterised by [`Pace`] (closed: send, wait,
//! repeat; open: take the next slot of a constant arrival rate) and stopped by a shared stop
//! signal (run time elapsed, Ctrl-C or SIGTERM).
//!
//! Each user keeps one keep-alive HTTP/1.1 connection and opens a new one after an error;
//! failures are named as Locust names them ([`super::errors`]).
//!
//! In the open model the latency recorded is measured from the request's intended send time
//! (correcting coordinated omission, like wrk2 and k6's constant-arrival-rate); the latency
//! from the actual send is recorded beside it as the service time.
//!
//! Nothing a user meets can make it spin: each turn of the loop spends tokio's cooperative
//! budget (so a loop whose every step is ready at once still yields to the timers and the
//! writer), and a user whose connection cannot be established waits its wait time, at least
//! a back-off of 10 ms doubling to 1 s, before it tries again.
//!
//! A stepped load ([`Plan::with_stages`]) changes the user count at each stage's start: it
//! starts users, or stops the most recently started ones, at the spawn rate (as Locust's
//! runner does for a `LoadTestShape`). A user told to leave finishes the request it has in
//! flight (which is recorded) and sends no more.
//!
//! At the end (run time, Ctrl-C or SIGTERM) users stop sending and requests in flight get
//! `--stop-timeout` to finish. A request still unanswered then that has waited more than twice
//! the slowest answer of the run (any time at all, when there was none) is recorded as a
//! timeout, worded as its task's timeout; others are dropped, as Locust drops them. In the open
//! model the requests due before the end that were never sent (every connection busy) are
//! counted as late.

use super::host::Target;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::Uri;
use tokio::runtime::Handle;
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio::task::JoinSet;

use super::backoff::Backoff;
use super::config::LoadStage;
use super::descriptors::ConnectionBudget;
use super::errors::{connect_error, exchange_error, status_error, timeout_error, Phase};
use super::http::{serialise_request, Connection};
use super::recorder::{Recorders, Sample};
use super::scenario::{Scenario, WaitTime};

/// A request sent this much after its intended time counts as late (open model).
pub const LATE_THRESHOLD: Duration = Duration::from_millis(10);
/// First and longest pause of a user whose connection cannot be established.
const CONNECT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));
/// How long users get to record what the end cut off before they are aborted.
const CUT_GRACE: Duration = Duration::from_secs(1);

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
    /// Everything recorded: each thread records into its own buffer, drained each tick.
    pub recorder: Recorders,
    /// Users (or connections) running now.
    pub users: AtomicU64,
    /// Open model: requests sent later than [`LATE_THRESHOLD`] after their intended time, plus
    /// (at the end) those due before the end that were never sent.
    pub late: AtomicU64,
    /// Open model: requests due before the end that were never sent (counted in `late` too).
    pub unsent: AtomicU64,
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
    budget: Option<ConnectionBudget>,
    /// A stepped load's plateaus (closed model); empty for a constant load.
    stages: Vec<LoadStage>,
    next_slot: AtomicU64,
    /// Open model: slots actually sent.
    sent: AtomicU64,
    /// The user threads' runtimes, users dealt among them in turn; empty: the caller's.
    threads: Vec<Handle>,
}

/// A user's open connection and the descriptor it holds in the budget.
struct Open {
    conn: Connection,
    _descriptor: Option<OwnedSemaphorePermit>,
}

/// What became of one request.
enum Reply {
    /// It was answered, failed or timed out; `connect_failed` when no connection was made.
    Done {
        content_len: u64,
        error: Option<String>,
        connect_failed: bool,
    },
    /// The end of the run cut it off while it was in this phase.
    Cut(Phase),
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
            budget: None,
            stages: Vec::new(),
            next_slot: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            threads: Vec::new(),
        })
    }

    /// Limits the connections open at once to `budget` (see [`super::descriptors`]).
    pub fn with_budget(mut self, budget: Option<ConnectionBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// Makes the load stepped: `stages` one after the other (closed model; `pace`'s users
    /// should be the largest stage's, for the connection budget's warning).
    pub fn with_stages(mut self, stages: Vec<LoadStage>) -> Self {
        self.stages = stages;
        self
    }

    /// Runs the users on these runtimes ([`super::threads`]), in turn, instead of the
    /// caller's.
    pub fn with_threads(mut self, threads: Vec<Handle>) -> Self {
        self.threads = threads;
        self
    }

    /// The user threads' runtimes (empty when the users run on the caller's).
    pub fn threads(&self) -> &[Handle] {
        &self.threads
    }

    /// How many users (closed) or connections (open) the run uses.
    pub fn user_count(&self) -> u64 {
        match self.pace {
            Pace::Closed { users, .. } => users,
            Pace::Open { connections, .. } => connections,
        }
    }
}

/// Runs the load until `stop` turns true, lets in-flight requests finish within the stop
/// timeout, then cuts off the rest (recording those that waited too long as timeouts).
pub async fn drive(plan: Arc<Plan>, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let mut users = JoinSet::new();
    let (cut_tx, cut) = watch::channel::<Option<Duration>>(None);
    // One "leave" signal per running user, the most recently started last. A constant load
    // never sends on them.
    let mut leaves: Vec<watch::Sender<bool>> = Vec::new();
    let mut started = 0u64;
    let mut start_user = |users: &mut JoinSet<()>, leaves: &mut Vec<watch::Sender<bool>>| {
        let (leave_tx, leave) = watch::channel(false);
        leaves.push(leave_tx);
        shared.users.fetch_add(1, Ordering::Relaxed);
        let task = user(
            Arc::clone(&plan),
            Arc::clone(&shared),
            started,
            (stop.clone(), leave),
            cut.clone(),
        );
        match plan
            .threads
            .get(started as usize % plan.threads.len().max(1))
        {
            Some(thread) => users.spawn_on(task, thread),
            None => users.spawn(task),
        };
        started += 1;
    };
    match (plan.pace, plan.stages.is_empty()) {
        (Pace::Closed { spawn_rate, .. }, false) => {
            let mut stage_start = shared.started;
            'stages: for stage in &plan.stages {
                let mut i = 0u64;
                while leaves.len() as u64 != stage.users {
                    let at = stage_start + Duration::from_secs_f64(i as f64 / spawn_rate);
                    if !sleep_until_or_stop(at, &mut stop.clone()).await {
                        break 'stages;
                    }
                    if (leaves.len() as u64) < stage.users {
                        start_user(&mut users, &mut leaves);
                    } else if let Some(leave) = leaves.pop() {
                        let _ = leave.send(true);
                        shared.users.fetch_sub(1, Ordering::Relaxed);
                    }
                    i += 1;
                }
                stage_start += stage.duration;
            }
        }
        _ => {
            for id in 0..plan.user_count() {
                if let Pace::Closed { spawn_rate, .. } = plan.pace {
                    let at = shared.started + Duration::from_secs_f64(id as f64 / spawn_rate);
                    if !sleep_until_or_stop(at, &mut stop.clone()).await {
                        break;
                    }
                }
                start_user(&mut users, &mut leaves);
            }
            if plan.reset_stats && !*stop.borrow() {
                let now = shared.unix(Instant::now());
                if let Ok(mut r) = shared.recorder.drain() {
                    r.reset(now);
                }
            }
        }
    }
    let _ = stop.clone().wait_for(|s| *s).await;
    let stopped = Instant::now();
    let _ = tokio::time::timeout(plan.stop_timeout, join_all(&mut users)).await;
    let slowest = shared.recorder.drain().map_or(0, |r| r.slowest_us());
    let _ = cut_tx.send(Some(Duration::from_micros(slowest.saturating_mul(2))));
    if tokio::time::timeout(CUT_GRACE, join_all(&mut users))
        .await
        .is_err()
    {
        users.abort_all();
        join_all(&mut users).await;
    }
    drop(leaves);
    if let Pace::Open { rate, .. } = plan.pace {
        let end = plan
            .run_time
            .map_or(stopped, |d| stopped.min(shared.started + d));
        let due = (end.saturating_duration_since(shared.started).as_secs_f64() * rate).ceil();
        let unsent = (due as u64).saturating_sub(plan.sent.load(Ordering::Relaxed));
        shared.unsent.store(unsent, Ordering::Relaxed);
        shared.late.fetch_add(unsent, Ordering::Relaxed);
    }
    shared.users.store(0, Ordering::Relaxed);
}

async fn join_all(users: &mut JoinSet<()>) {
    while users.join_next().await.is_some() {}
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

/// A user's two stop signals: the run's end, and its own leave (a stepped load lowering the
/// user count).
type Stops = (watch::Receiver<bool>, watch::Receiver<bool>);

fn stopped((stop, leave): &Stops) -> bool {
    *stop.borrow() || *leave.borrow()
}

/// Sleeps until `at` unless the run stops or the user is told to leave first; whether it slept.
async fn sleep_until_or_leave(at: Instant, stops: &mut Stops) -> bool {
    if stopped(stops) {
        return false;
    }
    let (stop, leave) = stops;
    let slept = tokio::select! {
        _ = tokio::time::sleep_until(at.into()) => true,
        _ = stop.wait_for(|s| *s) => false,
        Ok(_) = leave.wait_for(|s| *s) => false,
    };
    slept && !stopped(stops)
}

async fn user(
    plan: Arc<Plan>,
    shared: Arc<Shared>,
    id: u64,
    mut stops: Stops,
    mut cut: watch::Receiver<Option<Duration>>,
) {
    let mut rng = fastrand::Rng::with_seed(shared.unix_start.to_bits() ^ id.wrapping_mul(0x9E37));
    let mut conn: Option<Open> = None;
    let mut backoff = Backoff::new(CONNECT_BACKOFF.0, CONNECT_BACKOFF.1);
    let deadline = plan.run_time.map(|d| shared.started + d);
    loop {
        tokio::task::coop::consume_budget().await;
        if stopped(&stops) {
            break;
        }
        let intended = match plan.pace {
            Pace::Closed { .. } => None,
            Pace::Open { rate, .. } => {
                let i = plan.next_slot.fetch_add(1, Ordering::Relaxed);
                let at = shared.started + Duration::from_secs_f64(i as f64 / rate);
                if deadline.is_some_and(|d| at >= d) || !sleep_until_or_leave(at, &mut stops).await
                {
                    break;
                }
                Some(at)
            }
        };
        let task = &plan.tasks[plan.scenario.pick(rng.f64())];
        let sent = Instant::now();
        if let Some(at) = intended {
            plan.sent.fetch_add(1, Ordering::Relaxed);
            let lag = sent.saturating_duration_since(at);
            if lag >= LATE_THRESHOLD {
                shared.late.fetch_add(1, Ordering::Relaxed);
            }
            shared
                .max_send_lag_us
                .fetch_max(lag.as_micros() as u64, Ordering::Relaxed);
        }
        let reply = send(&plan, &mut conn, task, &mut cut).await;
        let done = Instant::now();
        let since = intended.unwrap_or(sent);
        let (content_len, error, connect_failed, last) = match reply {
            Reply::Done {
                content_len,
                error,
                connect_failed,
            } => (content_len, error, connect_failed, false),
            Reply::Cut(phase) => {
                let waited = done.saturating_duration_since(since);
                if !cut.borrow().is_some_and(|longest| waited > longest) {
                    break;
                }
                (
                    0,
                    Some(timeout_error(&plan.target, &task.path, task.timeout, phase)),
                    false,
                    true,
                )
            }
        };
        let sample = Sample {
            slot: task.slot,
            at: shared.unix(done),
            latency_us: done.saturating_duration_since(since).as_micros() as u64,
            service_us: intended.map(|_| done.saturating_duration_since(sent).as_micros() as u64),
            content_len,
            error,
        };
        shared.recorder.record(sample);
        if last {
            break;
        }
        if !connect_failed {
            backoff.reset();
        }
        if matches!(plan.pace, Pace::Closed { .. })
            && (connect_failed || plan.scenario.wait_time != WaitTime::None)
        {
            let mut wait = plan.scenario.wait_time.wait(done - sent, rng.f64());
            if connect_failed {
                wait = wait.max(backoff.next_pause());
            }
            if !sleep_until_or_leave(Instant::now() + wait, &mut stops).await {
                break;
            }
        }
    }
}

/// Sends one request on the user's connection (opening one when there is none or the old one
/// cannot be reused), until it is answered, fails, times out or `cut` cuts it off. After any
/// error the connection is dropped, as `requests` drops a broken one.
async fn send(
    plan: &Plan,
    conn: &mut Option<Open>,
    task: &Prepared,
    cut: &mut watch::Receiver<Option<Duration>>,
) -> Reply {
    let mut phase = Phase::Connect;
    let result = tokio::select! {
        r = tokio::time::timeout(task.timeout, exchange(plan, conn, task, &mut phase)) => Some(r),
        Ok(_) = cut.wait_for(Option::is_some) => None,
    };
    let error = match result {
        Some(Ok(Ok((status, len)))) => {
            return Reply::Done {
                content_len: len,
                error: status_error(status, &task.name, &task.expect),
                connect_failed: false,
            }
        }
        Some(Ok(Err(e))) => e,
        Some(Err(_)) => timeout_error(&plan.target, &task.path, task.timeout, phase),
        None => {
            *conn = None;
            return Reply::Cut(phase);
        }
    };
    *conn = None;
    Reply::Done {
        content_len: 0,
        error: Some(error),
        connect_failed: phase == Phase::Connect,
    }
}

async fn exchange(
    plan: &Plan,
    conn: &mut Option<Open>,
    task: &Prepared,
    phase: &mut Phase,
) -> Result<(u16, u64), String> {
    let target = &plan.target;
    if conn.as_mut().is_some_and(|c| !c.conn.is_reusable()) {
        *conn = None;
    }
    let open = match conn {
        Some(c) => c,
        None => {
            let refused = |e: std::io::Error| connect_error(target, &task.path, &e);
            let descriptor = match &plan.budget {
                Some(b) => Some(b.take().map_err(refused)?),
                None => None,
            };
            let c = Connection::connect(target.addr).await.map_err(refused)?;
            conn.insert(Open {
                conn: c,
                _descriptor: descriptor,
            })
        }
    };
    let connection = &mut open.conn;
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

//! The embedded demo service (`perfreport target`): a stand-in for the "Resource Agent" with
//! realistic random latencies and knobs to inject slowness, failures, dropped connections,
//! hangs and a stall, so that the driver, the comparison and the demo have something to measure
//! on a machine with nothing else installed.
//!
//! It listens on 127.0.0.1 only, prints `listening on http://127.0.0.1:PORT` as the first line
//! of stdout (tests parse it), and stops on Ctrl-C, SIGTERM or after `--run-time`.
//!
//! Idle or slow clients cannot take it down: a connection that has not sent a whole request
//! head within `--header-timeout` (10 s; between requests too) is closed, and when `accept`
//! fails (out of descriptors) the accept loop backs off (10 ms doubling to 100 ms) instead of
//! spinning, so connections already open keep being served and new ones are taken as soon
//! as descriptors free up.
//!
//! With `--max-concurrency N` at most N requests are served at once and the rest wait for a
//! slot; latencies (and `--delay-ms`) count from when a request gets its slot, so a queued
//! request's response time is its wait plus its service time.
//!
//! | endpoint | latency (uniform) |
//! | --- | --- |
//! | `GET /health/` | 5-15 ms |
//! | `GET /system/metrics` | 80-200 ms |
//! | `GET /analysis/` | 400-1000 ms |
//! | `GET /lmcache/status` | 20-100 ms |

mod service;

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use service::{resolve, serve_connection, Faults, State, ENDPOINTS};

use crate::driver::backoff::Backoff;
use crate::shutdown::StopWatch;

/// First and longest pause of the accept loop while descriptors are exhausted.
const ACCEPT_BACKOFF: (Duration, Duration) =
    (Duration::from_millis(10), Duration::from_millis(100));

/// How the demo service behaves: what `perfreport target`'s flags ask for, typed
/// (`cli::target::TargetArgs` builds one; the demo and tests build theirs directly).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Latency multipliers per endpoint.
    pub slow: Vec<Knob>,
    /// Shares answered with HTTP 500.
    pub fail_rate: Vec<Knob>,
    /// Shares reset (TCP RST) instead of answered.
    pub reset_rate: Vec<Knob>,
    /// Shares closed without a response (FIN).
    pub drop_rate: Vec<Knob>,
    /// Shares that hang for `hang_for` first.
    pub hang_rate: Vec<Knob>,
    /// How long a hang lasts.
    pub hang_for: Duration,
    /// Seed of the random latencies and injections (`None`: from the clock).
    pub seed: Option<u64>,
    /// How long a request takes to answer.
    pub latency: Latency,
    /// Every request arriving in this window waits until its end.
    pub stall: Option<Stall>,
    /// Serve at most this many requests at once; the others queue until one finishes.
    pub max_concurrency: Option<u32>,
    /// Stop by itself after this long.
    pub run_time: Option<Duration>,
    /// Close a connection that has not sent a request head within this long.
    pub header_timeout: Duration,
}

/// How long the target takes to answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Latency {
    /// The Resource Agent's latency model (the table above).
    Model,
    /// No sleeps at all, for throughput tests of the driver.
    Fast,
    /// Exactly this long after arrival, for checking a load generator's accuracy.
    Fixed(Duration),
}

/// A stall: requests arriving from `at` after start until `at + length` are all answered at
/// its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stall {
    /// When the stall starts, after the target started.
    pub at: Duration,
    /// How long it lasts.
    pub length: Duration,
}

impl Default for Config {
    /// `perfreport target` with no flags: port 8003, the latency model, no faults.
    fn default() -> Self {
        Self {
            port: 8003,
            slow: Vec::new(),
            fail_rate: Vec::new(),
            reset_rate: Vec::new(),
            drop_rate: Vec::new(),
            hang_rate: Vec::new(),
            hang_for: Duration::from_secs(30),
            seed: None,
            latency: Latency::Model,
            stall: None,
            max_concurrency: None,
            run_time: None,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// One `ENDPOINT=VALUE` setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Knob {
    /// The endpoint path, or `*` for all.
    pub endpoint: String,
    /// The factor or rate.
    pub value: f64,
}

/// Parses `ENDPOINT=VALUE`.
pub fn parse_knob(text: &str) -> Result<Knob, String> {
    let (endpoint, value) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("{text:?}: expected ENDPOINT=VALUE, e.g. /health/=0.1"))?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: {value:?} is not a number"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("{text:?}: the value must be a non-negative number"));
    }
    let endpoint = endpoint.trim();
    if endpoint != "*" && !ENDPOINTS.iter().any(|e| e.path == endpoint) {
        let known: Vec<&str> = ENDPOINTS.iter().map(|e| e.path).collect();
        return Err(format!(
            "{text:?}: unknown endpoint {endpoint:?} (known: {known:?} or *)"
        ));
    }
    Ok(Knob {
        endpoint: endpoint.to_string(),
        value,
    })
}

/// Why the target could not run.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// A flag is wrong.
    #[error("{0}")]
    Usage(String),
    /// The port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The runtime or the console failed.
    #[error("target: {0}")]
    Io(std::io::Error),
}

/// Runs the demo service until Ctrl-C, SIGTERM or `--run-time`.
pub fn serve(args: &Config) -> Result<(), TargetError> {
    let (state, listener) = prepare(args)?;
    let bound = listener.local_addr().map_err(TargetError::Io)?;
    let stop =
        StopWatch::start(args.run_time.map(|d| state.started + d)).map_err(TargetError::Io)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{bound}").map_err(TargetError::Io)?;
        out.flush().map_err(TargetError::Io)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(TargetError::Io)?;
    let mut stopped = stop.receiver();
    runtime.block_on(accept_loop(listener, state, async move {
        let _ = stopped.wait_for(|s| *s).await;
        Ok(())
    }))
}

/// A target serving on a background thread of this process, for embedding it in a library
/// user's own program or test without a child process. Stops on [`TargetHandle::stop`], on drop, or
/// after `--run-time`.
pub struct TargetHandle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), TargetError>>>,
}

impl TargetHandle {
    /// The base URL to give the driver's `--host`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits for the thread.
    pub fn stop(mut self) -> Result<(), TargetError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), TargetError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(TargetError::Io(std::io::Error::other(
                "target thread panicked",
            ))),
            None => Ok(()),
        }
    }
}

impl Drop for TargetHandle {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Starts the demo service on a background thread and returns once it is listening.
pub fn spawn(args: &Config) -> Result<TargetHandle, TargetError> {
    let (state, listener) = prepare(args)?;
    let addr = listener.local_addr().map_err(TargetError::Io)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(TargetError::Io)?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let run_time = args.run_time;
    let thread = std::thread::Builder::new()
        .name("perfreport-target".into())
        .spawn(move || {
            runtime.block_on(accept_loop(listener, state, async move {
                tokio::select! {
                    _ = rx => {}
                    _ = crate::shutdown::time_limit(run_time) => {}
                }
                Ok(())
            }))
        })
        .map_err(TargetError::Io)?;
    Ok(TargetHandle {
        addr,
        stop: Some(tx),
        thread: Some(thread),
    })
}

/// Checks the flags, builds the shared state and binds the port.
fn prepare(args: &Config) -> Result<(Arc<State>, std::net::TcpListener), TargetError> {
    for k in args
        .fail_rate
        .iter()
        .chain(&args.reset_rate)
        .chain(&args.drop_rate)
        .chain(&args.hang_rate)
    {
        if k.value > 1.0 {
            return Err(TargetError::Usage(format!(
                "rate {} for {} must be between 0 and 1",
                k.value, k.endpoint
            )));
        }
    }
    let faults = ENDPOINTS.map(|e| Faults {
        slow: resolve(&args.slow, e.path, 1.0),
        fail: resolve(&args.fail_rate, e.path, 0.0),
        reset: resolve(&args.reset_rate, e.path, 0.0),
        drop: resolve(&args.drop_rate, e.path, 0.0),
        hang: resolve(&args.hang_rate, e.path, 0.0),
    });
    let state = Arc::new(State {
        faults,
        header_timeout: args.header_timeout,
        hang_for: args.hang_for,
        fast: args.latency == Latency::Fast,
        delay: match args.latency {
            Latency::Fixed(delay) => Some(delay),
            Latency::Model | Latency::Fast => None,
        },
        stall: args.stall.map(|s| (s.at, s.length)),
        slots: args
            .max_concurrency
            .map(|n| tokio::sync::Semaphore::new(n as usize)),
        seed: args.seed.unwrap_or_else(|| fastrand::u64(..)),
        counter: AtomicU64::new(0),
        started: Instant::now(),
    });
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener =
        std::net::TcpListener::bind(addr).map_err(|source| TargetError::Bind { addr, source })?;
    listener.set_nonblocking(true).map_err(TargetError::Io)?;
    Ok((state, listener))
}

/// Serves connections until `stop` completes.
async fn accept_loop(
    listener: std::net::TcpListener,
    state: Arc<State>,
    stop: impl std::future::Future<Output = Result<(), TargetError>>,
) -> Result<(), TargetError> {
    let listener = TcpListener::from_std(listener).map_err(TargetError::Io)?;
    tokio::pin!(stop);
    let mut backoff = Backoff::new(ACCEPT_BACKOFF.0, ACCEPT_BACKOFF.1);
    loop {
        let pause = tokio::select! {
            r = &mut stop => return r,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    backoff.reset();
                    serve_connection(stream, Arc::clone(&state));
                    continue;
                }
                // Out of descriptors (the connection stays queued until one frees up) or a
                // connection that failed before it was taken: either way, not at once again.
                Err(_) => backoff.next_pause(),
            },
        };
        tokio::select! {
            r = &mut stop => return r,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_parse() {
        assert_eq!(
            parse_knob("/system/metrics=1.3"),
            Ok(Knob {
                endpoint: "/system/metrics".into(),
                value: 1.3
            })
        );
        assert!(parse_knob("*=0.5").is_ok());
        assert!(parse_knob("/nope=1").is_err());
        assert!(parse_knob("/health/").is_err());
        assert!(parse_knob("/health/=x").is_err());
        assert!(parse_knob("/health/=-1").is_err());
    }

    #[test]
    fn rates_above_one_are_refused() {
        let config = Config {
            port: 0,
            fail_rate: vec![parse_knob("*=1.5").unwrap()],
            ..Config::default()
        };
        assert!(matches!(prepare(&config), Err(TargetError::Usage(_))));
    }
}

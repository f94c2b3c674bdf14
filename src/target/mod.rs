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

use clap::Args;
use tokio::net::TcpListener;

use service::{resolve, serve_connection, Faults, State, ENDPOINTS};

use crate::driver::args::parse_duration;
use crate::driver::backoff::Backoff;
use crate::shutdown::StopWatch;

/// First and longest pause of the accept loop while descriptors are exhausted.
const ACCEPT_BACKOFF: (Duration, Duration) =
    (Duration::from_millis(10), Duration::from_millis(100));

/// Arguments of `perfreport target`.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct TargetArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8003)]
    pub port: u16,

    /// Multiply an endpoint's latency: `ENDPOINT=FACTOR`, e.g. `/system/metrics=1.3`
    /// (`*` for all). Repeatable.
    #[arg(long = "slow", value_parser = parse_knob)]
    pub slow: Vec<Knob>,

    /// Answer HTTP 500 to this share of requests: `ENDPOINT=RATE` with RATE in [0, 1].
    #[arg(long = "fail-rate", value_parser = parse_knob)]
    pub fail_rate: Vec<Knob>,

    /// Reset the connection (TCP RST) instead of answering, for this share: `ENDPOINT=RATE`.
    #[arg(long = "reset-rate", value_parser = parse_knob)]
    pub reset_rate: Vec<Knob>,

    /// Close the connection without a response (orderly FIN) for this share: `ENDPOINT=RATE`.
    #[arg(long = "drop-rate", value_parser = parse_knob)]
    pub drop_rate: Vec<Knob>,

    /// Hang for `--hang-for` before answering, for this share: `ENDPOINT=RATE`.
    #[arg(long = "hang-rate", value_parser = parse_knob)]
    pub hang_rate: Vec<Knob>,

    /// How long a hang lasts.
    #[arg(long = "hang-for", default_value = "30s", value_parser = parse_duration)]
    pub hang_for: Duration,

    /// Seed of the random latencies and injections (default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,

    /// No latency sleeps at all, for throughput tests of the driver.
    #[arg(long)]
    pub fast: bool,

    /// Answer every request exactly this many milliseconds after it arrived, instead of the
    /// latency model, for checking a load generator's accuracy. The last 2 ms are spun rather
    /// than left to the 1 ms timer, so keep the request rate modest.
    #[arg(long = "delay-ms", conflicts_with = "fast", value_parser = parse_delay_ms)]
    pub delay_ms: Option<f64>,

    /// Serve at most this many requests at once; the others queue (in arrival order) until
    /// one finishes, so that throughput saturates at N ÷ service time: a known knee for
    /// `perfreport capacity` (with `--delay-ms 100`, N = 20 saturates at 200 req/s).
    #[arg(long = "max-concurrency", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrency: Option<u32>,

    /// Stall every request that arrives from this many seconds after start …
    #[arg(long = "stall-at", requires = "stall_for")]
    pub stall_at: Option<f64>,

    /// … for this many seconds: they are all answered when the stall ends.
    #[arg(long = "stall-for", requires = "stall_at")]
    pub stall_for: Option<f64>,

    /// Stop by itself after this long (e.g. 60s); default: run until Ctrl-C or SIGTERM.
    #[arg(long = "run-time", value_parser = parse_duration)]
    pub run_time: Option<Duration>,

    /// Close a connection that has not sent a complete request head within this long, idle
    /// keep-alive connections included (slowloris protection).
    #[arg(long = "header-timeout", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
}

impl TargetArgs {
    /// Arguments as `perfreport target` gets them with no flags at all (port 8003).
    pub fn defaults() -> Self {
        Self {
            port: 8003,
            slow: Vec::new(),
            fail_rate: Vec::new(),
            reset_rate: Vec::new(),
            drop_rate: Vec::new(),
            hang_rate: Vec::new(),
            hang_for: Duration::from_secs(30),
            seed: None,
            fast: false,
            delay_ms: None,
            max_concurrency: None,
            stall_at: None,
            stall_for: None,
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

/// Parses `--delay-ms`: a non-negative number of milliseconds, at most an hour.
fn parse_delay_ms(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(ms) if (0.0..=3_600_000.0).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "{text:?}: expected milliseconds between 0 and 3600000, e.g. 50"
        )),
    }
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
pub fn serve(args: &TargetArgs) -> Result<(), TargetError> {
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
pub fn spawn(args: &TargetArgs) -> Result<TargetHandle, TargetError> {
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
fn prepare(args: &TargetArgs) -> Result<(Arc<State>, std::net::TcpListener), TargetError> {
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
    let stall = match (args.stall_at, args.stall_for) {
        (Some(at), Some(len))
            if (0.0..=86_400.0).contains(&at) && (0.0..=86_400.0).contains(&len) =>
        {
            Some((Duration::from_secs_f64(at), Duration::from_secs_f64(len)))
        }
        (Some(_), Some(_)) => {
            return Err(TargetError::Usage(
                "--stall-at and --stall-for must be seconds from 0 to 86400".into(),
            ))
        }
        _ => None,
    };
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
        fast: args.fast,
        delay: args.delay_ms.map(|ms| Duration::from_secs_f64(ms / 1000.0)),
        slots: args
            .max_concurrency
            .map(|n| tokio::sync::Semaphore::new(n as usize)),
        stall,
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

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: TargetArgs,
    }

    #[test]
    fn defaults_are_claps() {
        use clap::Parser;
        assert_eq!(Cli::parse_from(["target"]).args, TargetArgs::defaults());
    }

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
    fn delays_parse_and_exclude_fast() {
        use clap::Parser;
        assert_eq!(parse_delay_ms("50"), Ok(50.0));
        assert_eq!(parse_delay_ms(" 0.5 "), Ok(0.5));
        for bad in ["", "-1", "x", "NaN", "inf", "3600001"] {
            assert!(parse_delay_ms(bad).is_err(), "{bad}");
        }
        let args = Cli::parse_from(["target", "--delay-ms", "20"]).args;
        assert_eq!(args.delay_ms, Some(20.0));
        assert!(Cli::try_parse_from(["target", "--delay-ms", "20", "--fast"]).is_err());
    }

    #[test]
    fn max_concurrency_is_a_positive_count() {
        use clap::Parser;
        let args = Cli::parse_from(["target", "--max-concurrency", "20"]).args;
        assert_eq!(args.max_concurrency, Some(20));
        for bad in ["0", "-1", "x", "100001"] {
            assert!(
                Cli::try_parse_from(["target", "--max-concurrency", bad]).is_err(),
                "{bad}"
            );
        }
    }
}

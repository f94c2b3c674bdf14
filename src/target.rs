//! The embedded demo service (`perfreport target`): a stand-in for the "Resource Agent" with
//! realistic random latencies and knobs to inject slowness, failures, dropped connections,
//! hangs and a stall, so that the driver, the comparison and the demo have something to measure
//! on a machine with nothing else installed.
//!
//! It listens on 127.0.0.1 only, prints `listening on http://127.0.0.1:PORT` as the first line
//! of stdout (tests parse it), and stops on Ctrl-C, SIGTERM or after `--run-time`.
//!
//! | endpoint | latency (uniform) |
//! | --- | --- |
//! | `GET /health/` | 5-15 ms |
//! | `GET /system/metrics` | 80-200 ms |
//! | `GET /analysis/` | 400-1000 ms |
//! | `GET /lmcache/status` | 20-100 ms |

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::driver::args::parse_duration;

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

    /// Stall every request that arrives from this many seconds after start …
    #[arg(long = "stall-at", requires = "stall_for")]
    pub stall_at: Option<f64>,

    /// … for this many seconds: they are all answered when the stall ends.
    #[arg(long = "stall-for", requires = "stall_at")]
    pub stall_for: Option<f64>,

    /// Stop by itself after this long (e.g. 60s); default: run until Ctrl-C or SIGTERM.
    #[arg(long = "run-time", value_parser = parse_duration)]
    pub run_time: Option<Duration>,
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
            stall_at: None,
            stall_for: None,
            run_time: None,
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

/// Sleeps until `until` without the timer's 1 ms granularity: the timer takes all but the last
/// 2 ms, which are spun, yielding to other requests between checks.
async fn sleep_precisely(until: Instant) {
    if let Some(coarse) = until.checked_sub(Duration::from_millis(2)) {
        tokio::time::sleep_until(coarse.into()).await;
    }
    while Instant::now() < until {
        tokio::task::yield_now().await;
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

struct Endpoint {
    path: &'static str,
    min_ms: f64,
    max_ms: f64,
    body: &'static str,
}

const ENDPOINTS: [Endpoint; 4] = [
    Endpoint {
        path: "/health/",
        min_ms: 5.0,
        max_ms: 15.0,
        body: "{\"status\":\"ok\"}\n",
    },
    Endpoint {
        path: "/system/metrics",
        min_ms: 80.0,
        max_ms: 200.0,
        body: "{\"cpu_percent\":37.5,\"memory_percent\":61.2,\"gpu\":[{\"id\":0,\"util\":83}]}\n",
    },
    Endpoint {
        path: "/analysis/",
        min_ms: 400.0,
        max_ms: 1000.0,
        body: "{\"status\":\"done\",\"findings\":[{\"kind\":\"latency\",\"severity\":\"low\"},\
               {\"kind\":\"memory\",\"severity\":\"none\"}],\"summary\":\"no regression found\"}\n",
    },
    Endpoint {
        path: "/lmcache/status",
        min_ms: 20.0,
        max_ms: 100.0,
        body: "{\"enabled\":true,\"hit_rate\":0.82,\"entries\":1024}\n",
    },
];

/// Per-endpoint settings resolved from the knobs.
#[derive(Debug, Clone, Copy)]
struct Faults {
    slow: f64,
    fail: f64,
    reset: f64,
    drop: f64,
    hang: f64,
}

struct State {
    faults: [Faults; 4],
    hang_for: Duration,
    fast: bool,
    delay: Option<Duration>,
    stall: Option<(Duration, Duration)>,
    seed: u64,
    counter: AtomicU64,
    started: Instant,
}

fn resolve(knobs: &[Knob], path: &str, default: f64) -> f64 {
    knobs
        .iter()
        .rev()
        .find(|k| k.endpoint == path || k.endpoint == "*")
        .map_or(default, |k| k.value)
}

/// Runs the demo service until Ctrl-C, SIGTERM or `--run-time`.
pub fn serve(args: &TargetArgs) -> Result<(), TargetError> {
    let (state, listener) = prepare(args)?;
    let bound = listener.local_addr().map_err(TargetError::Io)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{bound}").map_err(TargetError::Io)?;
        out.flush().map_err(TargetError::Io)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(TargetError::Io)?;
    let run_time = args.run_time;
    runtime.block_on(accept_loop(listener, state, async move {
        tokio::select! {
            _ = crate::shutdown::interrupted() => {}
            _ = crate::shutdown::time_limit(run_time) => {}
        }
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
        hang_for: args.hang_for,
        fast: args.fast,
        delay: args.delay_ms.map(|ms| Duration::from_secs_f64(ms / 1000.0)),
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
    loop {
        tokio::select! {
            r = &mut stop => return r,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                serve_connection(stream, Arc::clone(&state));
            }
        }
    }
}

fn serve_connection(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        inner: stream,
        reset: Arc::clone(&reset),
    });
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |req| {
            handle(req, Arc::clone(&state), Arc::clone(&reset))
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .await;
    });
}

/// An injected fault that makes hyper drop the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("injected connection drop")]
struct Dropped;

/// A TCP stream that, when marked, closes with a reset (zero linger) instead of a FIN.
struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.reset.load(Ordering::Relaxed) {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: &'static str) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn handle(
    req: Request<hyper::body::Incoming>,
    state: Arc<State>,
    reset: Arc<AtomicBool>,
) -> Result<Reply, Dropped> {
    let arrived_at = Instant::now();
    let arrived = arrived_at.saturating_duration_since(state.started);
    let Some(i) = ENDPOINTS.iter().position(|e| e.path == req.uri().path()) else {
        return Ok(reply(StatusCode::NOT_FOUND, "{\"detail\":\"Not Found\"}\n"));
    };
    if req.method() != hyper::Method::GET {
        return Ok(reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "{\"detail\":\"Method Not Allowed\"}\n",
        ));
    }
    if let Some((at, len)) = state.stall {
        if arrived >= at && arrived < at + len {
            tokio::time::sleep_until((state.started + at + len).into()).await;
        }
    }
    let (e, f) = (&ENDPOINTS[i], state.faults[i]);
    let n = state.counter.fetch_add(1, Ordering::Relaxed);
    let mut rng = fastrand::Rng::with_seed(state.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let roll = rng.f64();
    if roll < f.reset {
        reset.store(true, Ordering::Relaxed);
        return Err(Dropped);
    }
    if roll < f.reset + f.drop {
        return Err(Dropped);
    }
    let hang_until = f.reset + f.drop + f.hang;
    if roll < hang_until {
        tokio::time::sleep(state.hang_for).await;
    }
    if let Some(delay) = state.delay {
        sleep_precisely(arrived_at + delay).await;
    } else if !state.fast {
        let ms = (e.min_ms + (e.max_ms - e.min_ms) * rng.f64()) * f.slow;
        tokio::time::sleep(Duration::from_secs_f64(ms / 1000.0)).await;
    }
    if roll >= hang_until && roll < hang_until + f.fail {
        return Ok(reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "{\"detail\":\"Internal Server Error\"}\n",
        ));
    }
    Ok(reply(StatusCode::OK, e.body))
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
}

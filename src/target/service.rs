//! What the demo service answers: its four endpoints with their latencies, the injected
//! faults (slowness, failures, resets, drops, hangs, a stall), and the HTTP/1.1 connection
//! that carries them, with its header-read timeout.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::Knob;

/// One endpoint: its path, its latency range and the body it answers.
pub(super) struct Endpoint {
    pub(super) path: &'static str,
    min_ms: f64,
    max_ms: f64,
    body: &'static str,
}

pub(super) const ENDPOINTS: [Endpoint; 4] = [
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
pub(super) struct Faults {
    pub(super) slow: f64,
    pub(super) fail: f64,
    pub(super) reset: f64,
    pub(super) drop: f64,
    pub(super) hang: f64,
}

/// Everything a request's answer depends on.
pub(super) struct State {
    pub(super) faults: [Faults; 4],
    pub(super) header_timeout: Duration,
    pub(super) hang_for: Duration,
    pub(super) fast: bool,
    pub(super) delay: Option<Duration>,
    /// `--max-concurrency`: a permit per request being served.
    pub(super) slots: Option<tokio::sync::Semaphore>,
    pub(super) stall: Option<(Duration, Duration)>,
    pub(super) seed: u64,
    pub(super) counter: AtomicU64,
    pub(super) started: Instant,
}

/// The value of the last knob naming `path` (or `*`), else `default`.
pub(super) fn resolve(knobs: &[Knob], path: &str, default: f64) -> f64 {
    knobs
        .iter()
        .rev()
        .find(|k| k.endpoint == path || k.endpoint == "*")
        .map_or(default, |k| k.value)
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

/// Serves one accepted connection on its own task.
pub(super) fn serve_connection(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        inner: stream,
        reset: Arc::clone(&reset),
    });
    let header_timeout = state.header_timeout;
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |req| {
            handle(req, Arc::clone(&state), Arc::clone(&reset))
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
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
    // Queued behind `--max-concurrency`: service (and `--delay-ms`) starts with the permit.
    let (_slot, served_at) = match &state.slots {
        Some(slots) => (
            Some(slots.acquire().await.map_err(|_| Dropped)?),
            Instant::now(),
        ),
        None => (None, arrived_at),
    };
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
        sleep_precisely(served_at + delay).await;
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

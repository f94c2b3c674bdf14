//! How long-running commands (`run`, `target`) learn to stop: Ctrl-C, SIGTERM, or their run time
//! being up.
//!
//! The stop is watched on a thread of its own with its own small runtime ([`StopWatch`]), so
//! that nothing the command's runtime does (users that fail at once, an accept loop out of
//! descriptors) can delay the deadline or swallow a signal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::{oneshot, watch};

/// Resolves after `run_time`, or never without one.
pub async fn time_limit(run_time: Option<Duration>) {
    match run_time {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending::<()>().await,
    }
}

/// Resolves at `deadline`, or never without one.
async fn deadline_reached(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending::<()>().await,
    }
}

/// SIGINT and SIGTERM, caught from the moment this is made (inside a runtime).
struct Interrupts {
    int: Signal,
    term: Option<Signal>,
}

impl Interrupts {
    /// Starts catching SIGINT, and SIGTERM when it can be watched.
    fn listen() -> std::io::Result<Self> {
        Ok(Self {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate()).ok(),
        })
    }

    /// Resolves on the next SIGINT or SIGTERM.
    async fn recv(&mut self) {
        let term = async {
            match self.term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = self.int.recv() => {}
            _ = term => {}
        }
    }
}

/// A stop signal raised at a deadline or on Ctrl-C or SIGTERM, watched on its own thread.
/// Dropping it stops the watching (and the thread).
pub struct StopWatch {
    stop: watch::Receiver<bool>,
    interrupted: Arc<AtomicBool>,
    quit: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl StopWatch {
    /// Starts watching; returns once SIGINT and SIGTERM are caught, so that a signal sent from
    /// then on stops the command instead of killing it.
    pub fn start(deadline: Option<Instant>) -> std::io::Result<Self> {
        let (stop_tx, stop) = watch::channel(false);
        let (quit, quit_rx) = oneshot::channel::<()>();
        let (ready_tx, ready) = std::sync::mpsc::channel::<std::io::Result<()>>();
        let interrupted = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&interrupted);
        let thread = std::thread::Builder::new()
            .name("perfreport-stop".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let mut signals = match Interrupts::listen() {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    tokio::select! {
                        _ = deadline_reached(deadline) => {}
                        _ = signals.recv() => flag.store(true, Ordering::Relaxed),
                        _ = quit_rx => return,
                    }
                    let _ = stop_tx.send(true);
                });
            })?;
        let watch = Self {
            stop,
            interrupted,
            quit: Some(quit),
            thread: Some(thread),
        };
        match ready.recv() {
            Ok(Ok(())) => Ok(watch),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(std::io::Error::other("the stop-watch thread ended")),
        }
    }

    /// A receiver that turns true at the stop.
    pub fn receiver(&self) -> watch::Receiver<bool> {
        self.stop.clone()
    }

    /// Whether Ctrl-C or SIGTERM (rather than the deadline) raised the stop.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }
}

impl Drop for StopWatch {
    fn drop(&mut self) {
        if let Some(q) = self.quit.take() {
            let _ = q.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deadline fires on the watch thread even while the caller's thread never yields.
    #[test]
    fn the_deadline_stops_a_busy_caller() {
        let started = Instant::now();
        let watch = StopWatch::start(Some(started + Duration::from_millis(100))).unwrap();
        let stop = watch.receiver();
        while !*stop.borrow() {
            assert!(started.elapsed() < Duration::from_secs(5), "no stop");
            std::hint::spin_loop();
        }
        assert!(started.elapsed() >= Duration::from_millis(100));
        assert!(!watch.interrupted());
    }

    #[test]
    fn dropping_ends_the_watch_without_a_stop() {
        let watch = StopWatch::start(None).unwrap();
        let stop = watch.receiver();
        drop(watch);
        assert!(!*stop.borrow());
    }
}

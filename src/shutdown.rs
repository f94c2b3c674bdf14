//! How long-running commands (`run`, `target`) learn to stop: Ctrl-C, SIGTERM, or their run time
//! being up.

use std::time::Duration;

/// Resolves after `run_time`, or never without one.
pub async fn time_limit(run_time: Option<Duration>) {
    match run_time {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending::<()>().await,
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM; on SIGINT alone if SIGTERM cannot be watched.
pub async fn interrupted() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}

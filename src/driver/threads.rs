//! The threads the users run on when the driver may use more than one core: one
//! single-threaded tokio runtime per core, each with its own I/O driver and timers, the users
//! dealt among them in turn (as wrk deals its connections among its threads).
//!
//! A multi-threaded runtime would share one I/O driver, polled by one worker at a time, and
//! move woken users between cores by work stealing; on a thread of its own a user's
//! connection, timers and samples ([`super::recorder::Recorders`]) stay on one core, and the
//! threads share nothing but the run's counters.
//!
//! The run's own runtime (on the calling thread) keeps the ticker, the files and the user
//! count; with one core the users run there too and no thread is started.

use std::thread::JoinHandle;

use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// Running user threads; dropping them ends the threads (after the users have finished).
pub struct UserThreads {
    handles: Vec<Handle>,
    ends: Vec<oneshot::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl UserThreads {
    /// Starts `n` user threads; none (the users run on the caller's runtime) for `n` ≤ 1.
    pub fn start(n: usize) -> std::io::Result<Self> {
        let mut threads = Self {
            handles: Vec::new(),
            ends: Vec::new(),
            threads: Vec::new(),
        };
        let count = if n > 1 { n } else { 0 };
        for i in 0..count {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (end, ended) = oneshot::channel::<()>();
            threads.handles.push(runtime.handle().clone());
            threads.ends.push(end);
            threads.threads.push(
                std::thread::Builder::new()
                    .name(format!("perfreport-users-{i}"))
                    .spawn(move || {
                        runtime.block_on(async {
                            let _ = ended.await;
                        });
                    })?,
            );
        }
        Ok(threads)
    }

    /// The runtimes users go to in turn; empty when they run on the caller's.
    pub fn handles(&self) -> Vec<Handle> {
        self.handles.clone()
    }
}

impl Drop for UserThreads {
    fn drop(&mut self) {
        for end in self.ends.drain(..) {
            let _ = end.send(());
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

//! The process's file descriptors, shared between the users' connections and the driver's own
//! files. With more users than the open-file limit (`ulimit -n`) allows, the connections would
//! take every descriptor and the next CSV write would fail; so connections may only use what
//! the limit leaves after a reserve, and a user beyond that fails its connect exactly as the
//! operating system would fail it (`[Errno 24] Too many open files`).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Descriptors kept back for the driver itself: the CSV files (two kept open, one replaced
/// at a time), `/proc` reads, the runtimes' event descriptors and the `--html` report.
pub const RESERVE: u64 = 32;

/// How many connections may be open at once, when the limit is known (Linux).
#[derive(Debug, Clone)]
pub struct ConnectionBudget {
    /// The soft open-file limit.
    pub limit: u64,
    /// Connections allowed.
    pub connections: u64,
    permits: Arc<Semaphore>,
}

impl ConnectionBudget {
    /// The budget left by this process's open-file limit, the descriptors it has open now and
    /// [`RESERVE`]; `None` where `/proc/self` cannot tell.
    pub fn of_this_process() -> Option<Self> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let limit = soft_open_file_limit(&limits)?;
        // The directory handle read_dir holds is counted too: one more of reserve.
        let open = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        Some(Self::new(limit, limit.saturating_sub(open + RESERVE)))
    }

    /// A budget of `connections` under the open-file limit `limit`.
    pub fn new(limit: u64, connections: u64) -> Self {
        let permits = usize::try_from(connections)
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        Self {
            limit,
            connections,
            permits: Arc::new(Semaphore::new(permits)),
        }
    }

    /// A descriptor for one connection, held as long as the connection is; fails with the
    /// operating system's `EMFILE` when none is left.
    pub fn take(&self) -> std::io::Result<OwnedSemaphorePermit> {
        Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| std::io::Error::from_raw_os_error(24))
    }
}

/// The soft limit on the "Max open files" line of a `/proc/PID/limits` file (`None` when
/// unlimited or missing).
fn soft_open_file_limit(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_soft_limit() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max processes             63499                63499                processes \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(soft_open_file_limit(limits), Some(1024));
        assert_eq!(
            soft_open_file_limit("Max open files  unlimited  unlimited  files\n"),
            None
        );
        assert_eq!(soft_open_file_limit("nothing"), None);
    }

    #[test]
    fn permits_run_out_with_emfile_and_come_back() {
        let budget = ConnectionBudget::new(64, 2);
        let a = budget.take().unwrap();
        let _b = budget.take().unwrap();
        let e = budget.take().unwrap_err();
        assert_eq!(e.raw_os_error(), Some(24));
        drop(a);
        assert!(budget.take().is_ok());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_budget_below_its_limit() {
        let b = ConnectionBudget::of_this_process().expect("a limit in /proc/self/limits");
        assert!(b.connections + RESERVE < b.limit);
    }
}

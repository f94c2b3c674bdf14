//! The thread that writes a run's files, so that disk writes (and their `fsync`s) never pause
//! the users: a response that arrives while a file is being synced would otherwise wait for it,
//! and its latency would count the disk.
//!
//! Two kinds of write: a file replaced whole, atomically ([`crate::output::write_atomic`]), for
//! the small files that change everywhere each second (stats, failures, histograms); and rows
//! appended to a growing file (history, self-monitoring), so that a second's write costs the
//! same at hour ten as at minute one and memory does not grow with the run.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One write.
#[derive(Debug)]
pub enum Job {
    /// Replace the file with this content.
    Replace(PathBuf, String),
    /// Cut the file to `at` bytes (creating it when `at` is 0), then append `bytes`.
    Append {
        /// The file.
        path: PathBuf,
        /// Its length before the append.
        at: u64,
        /// What to append.
        bytes: String,
    },
}

/// The first write that failed: the file and why.
pub type Failure = (PathBuf, std::io::Error);

/// A background writer. Dropping it finishes the queued writes.
pub struct Writer {
    jobs: Option<Sender<Vec<Job>>>,
    thread: Option<JoinHandle<()>>,
    failure: Arc<Mutex<Option<Failure>>>,
}

impl Writer {
    /// Starts the writer thread.
    pub fn start() -> std::io::Result<Self> {
        let (tx, rx) = channel::<Vec<Job>>();
        let failure = Arc::new(Mutex::new(None));
        let seen = Arc::clone(&failure);
        let thread = std::thread::Builder::new()
            .name("perfreport-csv".into())
            .spawn(move || {
                let mut open: HashMap<PathBuf, File> = HashMap::new();
                for batch in rx {
                    for job in batch {
                        if let Err(e) = run(&mut open, &job) {
                            let path = match job {
                                Job::Replace(p, _) | Job::Append { path: p, .. } => p,
                            };
                            if let Ok(mut f) = seen.lock() {
                                f.get_or_insert((path, e));
                            }
                            return;
                        }
                    }
                }
            })?;
        Ok(Self {
            jobs: Some(tx),
            thread: Some(thread),
            failure,
        })
    }

    /// Queues a batch of writes, done in order. Fails with the first write that failed so far.
    pub fn send(&self, batch: Vec<Job>) -> Result<(), Failure> {
        self.check()?;
        if let Some(tx) = &self.jobs {
            // The thread only ends early after a failure, which `check` reports next time.
            let _ = tx.send(batch);
        }
        Ok(())
    }

    /// Waits for every queued write; fails with the first write that failed.
    pub fn finish(&mut self) -> Result<(), Failure> {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.check()
    }

    fn check(&self) -> Result<(), Failure> {
        match self.failure.lock() {
            Ok(mut f) => f.take().map_or(Ok(()), Err),
            Err(_) => Ok(()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

fn run(open: &mut HashMap<PathBuf, File>, job: &Job) -> std::io::Result<()> {
    match job {
        Job::Replace(path, content) => crate::output::write_atomic(path, content.as_bytes()),
        Job::Append { path, at, bytes } => {
            let file = match open.entry(path.clone()) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(File::create(path)?),
            };
            if file.stream_position()? != *at {
                file.set_len(*at)?;
                file.seek(SeekFrom::Start(*at))?;
            }
            file.write_all(bytes.as_bytes())?;
            file.sync_data()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_cut_back_and_replacements_land_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log.csv");
        let whole = dir.path().join("whole.csv");
        let mut w = Writer::start().unwrap();
        let append = |at: u64, s: &str| Job::Append {
            path: log.clone(),
            at,
            bytes: s.into(),
        };
        w.send(vec![
            append(0, "h\r\n"),
            Job::Replace(whole.clone(), "1".into()),
        ])
        .unwrap();
        w.send(vec![append(3, "a\r\n"), append(6, "b\r\n")])
            .unwrap();
        w.send(vec![
            append(6, "B\r\n"),
            Job::Replace(whole.clone(), "2".into()),
        ])
        .unwrap();
        w.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "h\r\na\r\nB\r\n");
        assert_eq!(std::fs::read_to_string(&whole).unwrap(), "2");
    }

    #[test]
    fn a_failed_write_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("missing").join("x.csv");
        let mut w = Writer::start().unwrap();
        w.send(vec![Job::Replace(bad.clone(), "x".into())]).unwrap();
        let (path, _) = w.finish().unwrap_err();
        assert_eq!(path, bad);
    }
}

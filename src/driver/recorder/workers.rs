//! Per-worker recording: each thread that runs users records into a sample buffer of its own,
//! so that users on different cores never wait for one another (nor bounce one lock between
//! caches), and each tick drains every buffer into the run's one [`Recorder`].
//!
//! The buffers hold the samples themselves, not partial statistics: Locust's average is a sum
//! of floats added in recording order, which adding up per-worker sums would round
//! differently. The drain records the samples in completion order (a merge of the buffers by
//! finish time, each buffer being in that order already: a thread finishes its requests one
//! after the other), so the run's recorder holds exactly what recording every request into it
//! in that order gives, whatever thread each one finished on.
//!
//! A buffer lock is only ever taken by its own thread and, once a tick, by the drain, which
//! swaps in an empty buffer (kept from the tick before, capacity and all) and records the
//! full one after letting the buffer's thread go on.
//!
//! When all users run on one thread there is nothing to keep apart: they record straight
//! into the run's recorder, as they finish.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LockResult, Mutex, MutexGuard, PoisonError};

use super::{Recorder, Sample};

/// One thread's samples since the last drain.
type Buffer = Arc<Mutex<Vec<Sample>>>;

thread_local! {
    /// This thread's buffer of each run it records for, by run id (several runs can share a
    /// thread: tests, or a current-thread runtime on the caller's thread).
    static BUFFERS: RefCell<Vec<(u64, Buffer)>> = const { RefCell::new(Vec::new()) };
}

/// Distinguishes the runs of one process, for [`BUFFERS`].
static NEXT_RUN: AtomicU64 = AtomicU64::new(0);

/// The run's recorder and the per-thread buffers that feed it.
pub struct Recorders {
    run: Mutex<Recorder>,
    /// Whether users record into per-thread buffers (else straight into `run`).
    buffered: bool,
    id: u64,
    buffers: Mutex<Vec<Buffer>>,
    /// Empty buffers to swap in at the next drain.
    spares: Mutex<Vec<Vec<Sample>>>,
}

impl Recorders {
    /// Per-thread buffers feeding `recorder` when the users run on several threads
    /// (`buffered`); else the users record into `recorder` directly.
    pub fn new(recorder: Recorder, buffered: bool) -> Self {
        Self {
            run: Mutex::new(recorder),
            buffered,
            id: NEXT_RUN.fetch_add(1, Ordering::Relaxed),
            buffers: Mutex::new(Vec::new()),
            spares: Mutex::new(Vec::new()),
        }
    }

    /// Records one request into the calling thread's buffer (made on the thread's first
    /// request); it reaches the run's recorder at the next [`Recorders::drain`].
    pub fn record(&self, sample: Sample) {
        let mut sample = Some(sample);
        if self.buffered {
            let _ = BUFFERS.try_with(|buffers| {
                let mut buffers = buffers.borrow_mut();
                let mine = match buffers.iter().position(|(id, _)| *id == self.id) {
                    Some(i) => i,
                    None => {
                        // Buffers whose run is over (only this thread holds them) go first.
                        buffers.retain(|(_, b)| Arc::strong_count(b) > 1);
                        let buffer = Buffer::default();
                        if let Ok(mut all) = self.buffers.lock() {
                            all.push(Arc::clone(&buffer));
                        }
                        buffers.push((self.id, buffer));
                        buffers.len() - 1
                    }
                };
                if let Ok(mut b) = buffers[mine].1.lock() {
                    b.extend(sample.take());
                };
            });
        }
        // Unbuffered, or a thread being torn down (no buffers left): record at once.
        if let Some(s) = sample {
            if let Ok(mut r) = self.run.lock() {
                r.record(&s);
            }
        }
    }

    /// The run's recorder as the last drain left it (the requests of the buffers not in it).
    pub fn lock(&self) -> LockResult<MutexGuard<'_, Recorder>> {
        self.run.lock()
    }

    /// Records every buffered request into the run's recorder, in completion order, and
    /// returns the recorder locked: what every number written comes from.
    pub fn drain(&self) -> LockResult<MutexGuard<'_, Recorder>> {
        let mut run = self.run.lock()?;
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        let mut spares = self.spares.lock().unwrap_or_else(PoisonError::into_inner);
        let mut full: Vec<Vec<Sample>> = buffers
            .iter()
            .map(|b| {
                let mut swapped = spares.pop().unwrap_or_default();
                std::mem::swap(
                    &mut *b.lock().unwrap_or_else(PoisonError::into_inner),
                    &mut swapped,
                );
                swapped
            })
            .collect();
        // The buffers of threads that have ended (held here only) are empty now.
        buffers.retain(|b| Arc::strong_count(b) > 1);
        drop(buffers);
        record_in_order(&mut run, &full);
        for mut b in full.drain(..) {
            b.clear();
            spares.push(b);
        }
        Ok(run)
    }
}

/// Records the samples of `buffers` (each in finish order) into `rec`, all in finish order;
/// of samples finished at the same time, the earlier buffer's first.
fn record_in_order(rec: &mut Recorder, buffers: &[Vec<Sample>]) {
    let mut next = vec![0usize; buffers.len()];
    loop {
        let mut first: Option<(usize, f64)> = None;
        for (i, b) in buffers.iter().enumerate() {
            if let Some(s) = b.get(next[i]) {
                if first.is_none_or(|(_, at)| s.at < at) {
                    first = Some((i, s.at));
                }
            }
        }
        let Some((i, _)) = first else { break };
        rec.record(&buffers[i][next[i]]);
        next[i] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locust::write::PERCENTILES;

    fn endpoints() -> Vec<(String, String)> {
        vec![
            ("GET".to_string(), "/b".to_string()),
            ("GET".into(), "/a".into()),
            ("POST".into(), "/a".into()),
        ]
    }

    /// A varied stream over 25 s: three endpoints, latencies from 0.3 ms to 2 s, failures of
    /// several kinds first seen at different times.
    fn stream() -> Vec<Sample> {
        let mut rng = fastrand::Rng::with_seed(13);
        let mut at = 1000.0;
        (0..6000)
            .map(|i| {
                at += rng.f64() * 0.008;
                let slot = rng.usize(0..3);
                let error = match rng.u32(0..50) {
                    0 => Some(format!("HTTPError('50{} Server Error')", rng.u32(0..3))),
                    1 if i > 3000 => Some("ConnectionResetError(104)".to_string()),
                    _ => None,
                };
                Sample {
                    slot,
                    at,
                    latency_us: 300 + rng.u64(0..2_000_000) / (1 + rng.u64(0..400)),
                    service_us: (slot == 2).then(|| rng.u64(100..5000)),
                    content_len: rng.u64(0..100),
                    error,
                }
            })
            .collect()
    }

    /// Everything a tick writes from a recorder, as one comparable value.
    fn written(rec: &Recorder, now: f64) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            rec.stats_rows(false),
            rec.stats_rows(true),
            rec.history_rows(now, 7, true),
            rec.history_rows(now, 7, false),
            rec.failure_lines(),
            rec.error_report(),
            rec.histogram_rows(false),
            rec.histogram_rows(true),
            (rec.totals(), rec.slowest_us(), rec.total_rps()),
        )
    }

    /// Three threads recording a stream between them, drained each second, leave exactly
    /// what recording the whole stream into one recorder leaves, tick after tick: counts,
    /// sums, min and max, histogram buckets, windowed rates and percentiles, failures (and
    /// so does recording unbuffered).
    #[test]
    fn drained_workers_equal_one_recorder() {
        let samples = stream();
        let mut one = Recorder::new(&endpoints(), 1000.0);
        let workers = Recorders::new(Recorder::new(&endpoints(), 1000.0), true);
        let direct = Recorders::new(Recorder::new(&endpoints(), 1000.0), false);
        let mut next = 0;
        let mut ticks = 0;
        for second in 1..=26 {
            let tick = 1000.0 + f64::from(second);
            let due: Vec<&Sample> = samples[next..].iter().take_while(|s| s.at < tick).collect();
            next += due.len();
            for s in &due {
                one.record(s);
                direct.record((*s).clone());
            }
            std::thread::scope(|scope| {
                for w in 0..3 {
                    let (workers, due) = (&workers, &due);
                    scope.spawn(move || {
                        for s in due.iter().skip(w).step_by(3) {
                            workers.record((*s).clone());
                        }
                    });
                }
            });
            one.prune(tick);
            let mut drained = workers.drain().unwrap();
            drained.prune(tick);
            assert_eq!(
                written(&drained, tick),
                written(&one, tick),
                "tick {second}"
            );
            ticks += usize::from(!due.is_empty());
        }
        assert_eq!(next, samples.len());
        assert!(ticks >= 20, "the stream spans the ticks");
        let rec = workers.lock().unwrap();
        assert_eq!(rec.totals().0, samples.len() as u64);
        assert!(rec.failure_lines().len() >= 4, "several failures");
        let p = rec.stats_rows(false).pop().unwrap().percentiles.unwrap();
        assert!(p[0] < p[PERCENTILES.len() - 1], "a spread of latencies");
    }

    /// A thread's buffer outlives no run: the next run on the thread drops the old one.
    #[test]
    fn a_finished_runs_buffer_is_dropped() {
        let sample = stream().swap_remove(0);
        let old = Recorders::new(Recorder::new(&endpoints(), 1000.0), true);
        old.record(sample.clone());
        let buffer = Arc::downgrade(&old.buffers.lock().unwrap()[0]);
        drop(old);
        let new = Recorders::new(Recorder::new(&endpoints(), 1000.0), true);
        new.record(sample);
        assert!(buffer.upgrade().is_none(), "the old run's buffer is gone");
        assert_eq!(new.drain().unwrap().totals().0, 1);
    }
}

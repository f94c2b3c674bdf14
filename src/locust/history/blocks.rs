//! Reads a long `_stats_history.csv` on every core, with the result the one-thread reader
//! gives.
//!
//! The file is cut into blocks of whole lines, each cut just after a `\n`. Worker threads
//! convert blocks in turn, block `k` on worker `k mod n`, and the calling thread folds their rows
//! into the history in file order while it reads the next blocks, so memory holds a few blocks
//! at a time, never the file. A cut is a guess that a record ends there, checked afterwards:
//! it was right when the record before it did not run to the end of its block inside a quoted
//! field (the speculative parsing of Ge et al., "Speculative Distributed CSV Data Parsing for
//! Big Data Analytics", SIGMOD 2019). Locust quotes a field only when it holds a comma, a quote
//! or a line end, so in practice every guess is right.
//!
//! Anything else this path cannot vouch for — a wrong guess, text that is not UTF-8 or holds a
//! NUL byte, a row the converter refuses, a timestamp that goes back, a line longer than a
//! block — ends it with `None`, and the caller reads the file on one thread, which alone gives
//! messages (with the file's own line numbers).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{mpsc, OnceLock};
use std::thread;

use super::{Columns, Endpoints, Kept, Record};
use crate::locust::checks::Timeline;
use crate::locust::error::FileKind;
use crate::locust::fields::{self, Header, Table};
use crate::model::EndpointKey;
use crate::timeseries::History;

/// How a history is cut and shared out.
pub(in crate::locust) struct Plan {
    /// Bytes per block (more when a line is longer).
    pub(in crate::locust) block: usize,
    /// Worker threads; fewer than 2 means the file is read on one thread.
    pub(in crate::locust) threads: usize,
    /// Files shorter than this are read on one thread: starting threads costs more than it
    /// saves.
    pub(in crate::locust) from_bytes: u64,
}

impl Default for Plan {
    /// 1 MiB blocks, a worker per core, files from 8 MiB (about 50,000 rows).
    fn default() -> Self {
        Self {
            block: 1 << 20,
            threads: *CORES.get_or_init(|| thread::available_parallelism().map_or(1, |n| n.get())),
            from_bytes: 8 << 20,
        }
    }
}

/// The cores this process may use, found once (finding them reads cgroup files).
static CORES: OnceLock<usize> = OnceLock::new();

/// Bytes a block may grow by to reach a line end; a longer line (or lines that end in `\r`
/// alone) leaves the file to the one-thread reader, whose memory does not grow with it.
const LONGEST_LINE: usize = 1 << 20;

/// Blocks queued for each worker beyond the one it is converting.
const QUEUED: usize = 1;

/// Reads the history at `path` into its compact form as `plan` says, or gives `None` when
/// it cannot vouch for the result (see the module's header) or the plan says one thread.
pub(in crate::locust) fn load(path: &Path, plan: &Plan) -> Option<History> {
    if plan.threads < 2 {
        return None;
    }
    let file = File::open(path).ok()?;
    if file.metadata().ok()?.len() < plan.from_bytes {
        return None;
    }
    let mut blocks = Blocks {
        file,
        carry: Vec::new(),
        ended: false,
        stopped: false,
        size: plan.block.max(1),
    };
    let mut first = blocks.next(Vec::new())?;
    if first.starts_with(b"\xEF\xBB\xBF") {
        first.drain(..3);
    }
    if !is_text(&first) {
        return None;
    }
    let table = fields::block_with_header(first, path, FileKind::History)?;
    let columns = Columns::find(&table).ok()?;
    let header = table.header.clone();
    let levels: Vec<f64> = header.percentiles().iter().map(|p| p.1).collect();
    let (columns, header) = (&columns, &header);
    thread::scope(|scope| {
        let mut jobs = Vec::new();
        let mut results = Vec::new();
        for _ in 0..plan.threads {
            let (job_tx, job_rx) = mpsc::sync_channel::<Job<'_>>(QUEUED);
            let (done_tx, done_rx) = mpsc::channel();
            scope.spawn(move || {
                for job in job_rx {
                    if done_tx.send(convert(job, columns, header, path)).is_err() {
                        break;
                    }
                }
            });
            jobs.push(job_tx);
            results.push(done_rx);
        }
        let mut sent = 1;
        jobs[0].send(Job::First(Box::new(table))).ok()?;
        while sent < plan.threads * (QUEUED + 1) {
            let Some(block) = blocks.next(Vec::new()) else {
                break;
            };
            jobs[sent % plan.threads]
                .send(Job::Later(block, Batch::default()))
                .ok()?;
            sent += 1;
        }
        let mut history = History::new(levels);
        let mut fold = Fold::default();
        let mut next = 0;
        while next < sent {
            let done = results[next % plan.threads].recv().ok()?;
            let batch = done.batch?;
            fold.add(&batch, &mut history)?;
            if let Some(block) = blocks.next(done.buffer) {
                jobs[sent % plan.threads]
                    .send(Job::Later(block, batch))
                    .ok()?;
                sent += 1;
            }
            // A block other than the last must end where a record ends.
            if done.ended_inside_quotes && next + 1 < sent {
                return None;
            }
            next += 1;
        }
        (!blocks.stopped).then_some(history)
    })
}

/// Whether a block is text a one-thread read accepts: UTF-8 without a NUL byte.
fn is_text(block: &[u8]) -> bool {
    std::str::from_utf8(block).is_ok() && memchr::memchr(0, block).is_none()
}

/// What a worker converts: the first block, whose header is read, or a later one with a
/// batch to fill again (its space reused).
enum Job<'a> {
    First(Box<Table<'a, io::Empty>>),
    Later(Vec<u8>, Batch),
}

/// A converted block.
struct Done {
    /// Its rows, or `None` when a row was refused or the block is not text.
    batch: Option<Batch>,
    /// Whether its last record ran to its end inside a quoted field.
    ended_inside_quotes: bool,
    /// Its buffer, to read another block into.
    buffer: Vec<u8>,
}

/// One block's rows in the form the history takes them.
#[derive(Default)]
struct Batch {
    /// The endpoints the block names, numbered in the order the block names them first.
    keys: Vec<EndpointKey>,
    /// Its rows, in file order: the endpoint, numbered within the block ([`Batch::keys`]),
    /// and the values.
    rows: Vec<(usize, Kept)>,
    /// The rows' percentiles, one run of the history's levels per row.
    percentiles: Vec<Option<f64>>,
}

/// Converts one block, as the one-thread reader converts its rows ([`Columns::convert`]).
fn convert(job: Job<'_>, columns: &Columns, header: &Header, path: &Path) -> Done {
    let (mut table, batch) = match job {
        Job::First(table) => (*table, Batch::default()),
        Job::Later(block, _) if !is_text(&block) => {
            return Done {
                batch: None,
                ended_inside_quotes: false,
                buffer: block,
            }
        }
        Job::Later(block, batch) => (fields::block_table(block, path, header.clone()), batch),
    };
    let batch = rows(&mut table, columns, batch);
    Done {
        batch,
        ended_inside_quotes: table.ended_inside_quotes(),
        buffer: table.into_buffer(),
    }
}

/// Every row of a block's table, in `batch` (emptied first), or `None` at the first one
/// refused.
fn rows(table: &mut Table<'_, io::Empty>, columns: &Columns, mut batch: Batch) -> Option<Batch> {
    let mut endpoints = Endpoints::default();
    let mut record = Record::default();
    batch.rows.clear();
    batch.percentiles.clear();
    while let Some(row) = table.next_row().ok()? {
        let (endpoint, _) = endpoints.find(&row, columns.method, columns.name);
        columns.convert(&row, &mut record).ok()?;
        batch.rows.push((endpoint, record.kept));
        batch.percentiles.extend_from_slice(&record.percentiles);
    }
    batch.keys = endpoints.keys;
    Some(batch)
}

/// The file's endpoints and timeline so far, as blocks are folded in.
#[derive(Default)]
struct Fold {
    /// Key → the endpoint's number in the whole file.
    numbers: HashMap<EndpointKey, usize>,
    /// The keys, by number.
    keys: Vec<EndpointKey>,
    /// The latest timestamp of each endpoint.
    timeline: Timeline,
}

impl Fold {
    /// Adds a block's rows to the history, or gives `None` when a timestamp goes back (the
    /// one-thread reader says where).
    fn add(&mut self, batch: &Batch, history: &mut History) -> Option<()> {
        let numbers: Vec<usize> = batch
            .keys
            .iter()
            .map(|key| match self.numbers.get(key) {
                Some(&number) => number,
                None => {
                    self.numbers.insert(key.clone(), self.keys.len());
                    self.keys.push(key.clone());
                    self.keys.len() - 1
                }
            })
            .collect();
        let width = history.levels().len();
        for (i, &(local, kept)) in batch.rows.iter().enumerate() {
            let endpoint = numbers[local];
            // Line numbers only matter for messages, which the one-thread reader gives.
            self.timeline.advance(endpoint, kept.timestamp, 0).ok()?;
            let values = kept.with(&batch.percentiles[i * width..(i + 1) * width]);
            history.push(endpoint, || self.keys[endpoint].clone(), values);
        }
        Some(())
    }
}

/// A file read a block of whole lines at a time.
struct Blocks {
    file: File,
    /// Bytes read after the last block's final `\n`: the next block's start.
    carry: Vec<u8>,
    /// Whether the file has no more bytes.
    ended: bool,
    /// Whether reading stopped before the end: a read failed, or no `\n` came within
    /// [`LONGEST_LINE`] bytes.
    stopped: bool,
    /// Bytes per block.
    size: usize,
}

impl Blocks {
    /// The next block, read into `buffer`: whole lines, the bytes up to and with the last
    /// `\n` of a block's worth (read further for a longer line), or the rest of the file. `None` at
    /// the end of the file, on a read error (the one-thread reader reports it) and when no
    /// `\n` comes within [`LONGEST_LINE`] bytes.
    fn next(&mut self, mut buffer: Vec<u8>) -> Option<Vec<u8>> {
        buffer.clear();
        buffer.append(&mut self.carry);
        let mut target = self.size;
        // Bytes of `buffer` known to hold no `\n`.
        let mut scanned = 0;
        loop {
            while buffer.len() < target && !self.ended {
                let want = target - buffer.len();
                match (&mut self.file).take(want as u64).read_to_end(&mut buffer) {
                    Ok(n) => self.ended = n < want,
                    Err(_) => {
                        self.stopped = true;
                        return None;
                    }
                }
            }
            if self.ended {
                return (!buffer.is_empty()).then_some(buffer);
            }
            if let Some(at) = memchr::memrchr(b'\n', &buffer[scanned..]).map(|at| scanned + at) {
                self.carry.extend_from_slice(&buffer[at + 1..]);
                buffer.truncate(at + 1);
                return Some(buffer);
            }
            if buffer.len() >= self.size + LONGEST_LINE {
                self.stopped = true;
                return None;
            }
            scanned = buffer.len();
            target = buffer.len() + self.size.min(LONGEST_LINE);
        }
    }
}

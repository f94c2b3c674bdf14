//! `results/index.parquet`: one row per archived run × endpoint (Aggregated included), so the
//! history of a metric is one file read, and DuckDB, Spark or pandas can query the archive as
//! is. Written with polars (only its Parquet feature), always through a temporary file and a
//! rename.
//!
//! Columns: `run_id` (folder name), `label`, `archived_at` (RFC 3339), `archived_at_ms` (i64),
//! `git_commit` (nullable), `endpoint` (`GET /x`, or `Aggregated`), `method`, `name`,
//! `requests` and `failures` (u64), `failure_rate`, `rps`, and the nullable response times in
//! ms `avg_ms`, `min_ms`, `median_ms`, `p90_ms`, `p95_ms`, `p99_ms`, `max_ms` (f64).
//!
//! Beside it, `index.parquet.sha256` (`sha256sum` format) holds the index file's SHA-256. [`read`]
//! never trusts the file: it checks that checksum before anything parses the file (some
//! corruptions make polars panic, others make it allocate exabytes and abort, which no panic
//! handler catches), then the Parquet framing (magic bytes, footer length), contains a panic of
//! polars' reader as a last resort, and checks the schema. Any failure is an
//! [`ArchiveError::Index`]; [`super::heal`] then rebuilds the index from the run folders.

use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::path::Path;
use std::sync::Arc;

use polars::prelude::{Column, DataFrame, ParquetReader, ParquetWriter, SerReader};

use super::scan::ArchivedRun;
use super::store::hash_bytes;
use super::{ArchiveError, INDEX_NAME, INDEX_SHA256_NAME};
use crate::model::EndpointStats;

/// One row of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The run folder's name.
    pub run_id: String,
    /// The run's label.
    pub label: String,
    /// When it was archived (RFC 3339).
    pub archived_at: String,
    /// The same, Unix milliseconds.
    pub archived_at_ms: i64,
    /// The git commit recorded, if any.
    pub git_commit: Option<String>,
    /// `METHOD name`, or `Aggregated`.
    pub endpoint: String,
    /// Request type (empty for Aggregated).
    pub method: String,
    /// Request name.
    pub name: String,
    /// Requests completed.
    pub requests: u64,
    /// Requests failed.
    pub failures: u64,
    /// Failures ÷ requests.
    pub failure_rate: f64,
    /// Requests per second.
    pub rps: f64,
    /// Mean response time (absent without requests).
    pub avg_ms: Option<f64>,
    /// Fastest.
    pub min_ms: Option<f64>,
    /// Median.
    pub median_ms: Option<f64>,
    /// 90th percentile.
    pub p90_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// Slowest.
    pub max_ms: Option<f64>,
}

/// The index rows of one run (Aggregated first).
pub fn rows_of(
    run: &ArchivedRun,
    endpoints: &[EndpointStats],
    aggregated: &EndpointStats,
) -> Vec<IndexRow> {
    std::iter::once(aggregated)
        .chain(endpoints)
        .map(|e| IndexRow {
            run_id: run.id.clone(),
            label: run.manifest.label.clone(),
            archived_at: run.manifest.archived_at.clone(),
            archived_at_ms: run.manifest.archived_at_ms,
            git_commit: run.manifest.git_commit.clone(),
            endpoint: e.key.to_string(),
            method: e.key.method.clone(),
            name: e.key.name.clone(),
            requests: e.requests,
            failures: e.failures,
            failure_rate: e.failure_ratio(),
            rps: e.rps,
            avg_ms: (e.requests > 0).then_some(e.avg_ms),
            min_ms: e.min_ms,
            median_ms: e.median_ms,
            p90_ms: e.percentile(0.9),
            p95_ms: e.percentile(0.95),
            p99_ms: e.percentile(0.99),
            max_ms: e.max_ms,
        })
        .collect()
}

/// Writes the index atomically, then its checksum file (a crash between the two leaves a
/// mismatch, which the next read repairs).
pub fn write(results: &Path, rows: &[IndexRow]) -> Result<(), ArchiveError> {
    let path = results.join(INDEX_NAME);
    let bytes = encode(rows).map_err(|message| ArchiveError::Index {
        path: path.clone(),
        message,
    })?;
    crate::output::write_atomic_as(&path, &bytes, super::TMP_PREFIX)
        .map_err(ArchiveError::io(&path))?;
    let sum_path = results.join(INDEX_SHA256_NAME);
    let line = format!("{}  {INDEX_NAME}\n", hash_bytes(&bytes));
    crate::output::write_atomic_as(&sum_path, line.as_bytes(), super::TMP_PREFIX)
        .map_err(ArchiveError::io(&sum_path))
}

/// The index file's bytes for `rows`: the same rows always give the same bytes.
fn encode(rows: &[IndexRow]) -> Result<Vec<u8>, String> {
    let fail = |e: polars::prelude::PolarsError| e.to_string();
    let text = |f: fn(&IndexRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    let float = |f: fn(&IndexRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    let columns = vec![
        Column::new("run_id".into(), text(|r| &r.run_id)),
        Column::new("label".into(), text(|r| &r.label)),
        Column::new("archived_at".into(), text(|r| &r.archived_at)),
        Column::new(
            "archived_at_ms".into(),
            rows.iter().map(|r| r.archived_at_ms).collect::<Vec<i64>>(),
        ),
        Column::new(
            "git_commit".into(),
            rows.iter()
                .map(|r| r.git_commit.as_deref())
                .collect::<Vec<Option<&str>>>(),
        ),
        Column::new("endpoint".into(), text(|r| &r.endpoint)),
        Column::new("method".into(), text(|r| &r.method)),
        Column::new("name".into(), text(|r| &r.name)),
        Column::new(
            "requests".into(),
            rows.iter().map(|r| r.requests).collect::<Vec<u64>>(),
        ),
        Column::new(
            "failures".into(),
            rows.iter().map(|r| r.failures).collect::<Vec<u64>>(),
        ),
        Column::new(
            "failure_rate".into(),
            rows.iter().map(|r| r.failure_rate).collect::<Vec<f64>>(),
        ),
        Column::new(
            "rps".into(),
            rows.iter().map(|r| r.rps).collect::<Vec<f64>>(),
        ),
        Column::new("avg_ms".into(), float(|r| r.avg_ms)),
        Column::new("min_ms".into(), float(|r| r.min_ms)),
        Column::new("median_ms".into(), float(|r| r.median_ms)),
        Column::new("p90_ms".into(), float(|r| r.p90_ms)),
        Column::new("p95_ms".into(), float(|r| r.p95_ms)),
        Column::new("p99_ms".into(), float(|r| r.p99_ms)),
        Column::new("max_ms".into(), float(|r| r.max_ms)),
    ];
    let mut df = DataFrame::new(rows.len(), columns).map_err(fail)?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut df)
        .map_err(fail)?;
    Ok(bytes)
}

/// Reads the index; [`ArchiveError::NoIndex`] when there is none, [`ArchiveError::Index`]
/// when it is not a whole, unaltered index perfreport wrote. Never panics.
pub fn read(results: &Path) -> Result<Vec<IndexRow>, ArchiveError> {
    let path = results.join(INDEX_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ArchiveError::NoIndex {
                path,
                results: results.to_owned(),
            })
        }
        Err(e) => return Err(ArchiveError::io(&path)(e)),
    };
    let fail = |message: String| ArchiveError::Index {
        path: path.clone(),
        message,
    };
    check_checksum(results, &bytes).map_err(fail)?;
    check_framing(&bytes).map_err(fail)?;
    let df = contain_panic(|| ParquetReader::new(Cursor::new(bytes)).finish())
        .map_err(|panic| fail(format!("the Parquet reader failed on it ({panic})")))?
        .map_err(|e| fail(format!("not a readable Parquet file: {e}")))?;
    rows_of_frame(&df).map_err(|e| fail(format!("not an index of this schema: {e}")))
}

/// Compares the file's SHA-256 with `index.parquet.sha256`.
fn check_checksum(results: &Path, bytes: &[u8]) -> Result<(), String> {
    let sum_path = results.join(INDEX_SHA256_NAME);
    let line = std::fs::read_to_string(&sum_path).map_err(|e| {
        format!(
            "its checksum file {} cannot be read ({e})",
            sum_path.display()
        )
    })?;
    let expected = line.split_whitespace().next().unwrap_or_default();
    if hash_bytes(bytes) != expected {
        return Err(format!(
            "its SHA-256 differs from {} (a changed byte, or written by another program)",
            sum_path.display()
        ));
    }
    Ok(())
}

/// Checks what Parquet requires of a file's ends: `PAR1` at both, and a footer length that
/// fits between them.
fn check_framing(bytes: &[u8]) -> Result<(), String> {
    const MAGIC: &[u8] = b"PAR1";
    let len = bytes.len();
    if len < 12 || !bytes.starts_with(MAGIC) || !bytes.ends_with(MAGIC) {
        return Err(format!(
            "not a Parquet file ({len} bytes, without `PAR1` at both ends)"
        ));
    }
    let mut footer = [0u8; 4];
    footer.copy_from_slice(&bytes[len - 8..len - 4]);
    let footer = u32::from_le_bytes(footer) as usize;
    if footer == 0 || footer > len - 12 {
        return Err(format!(
            "its footer length ({footer} bytes) does not fit the file ({len} bytes)"
        ));
    }
    Ok(())
}

/// Runs `f`, turning a panic into its message. While `f` runs, the panic hook stays silent
/// for this thread and polars' worker threads (named `polars-*`), whose panics polars hands
/// back to this thread; panics anywhere else go to the hook that was installed, which is put
/// back afterwards.
fn contain_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;
    let previous: Arc<Hook> = Arc::new(panic::take_hook());
    let reader = std::thread::current().id();
    let chained = Arc::clone(&previous);
    panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let ours = thread.id() == reader || thread.name().is_some_and(|n| n.starts_with("polars"));
        if !ours {
            chained(info);
        }
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    drop(panic::take_hook());
    match Arc::try_unwrap(previous) {
        Ok(hook) => panic::set_hook(hook),
        Err(shared) => panic::set_hook(Box::new(move |info| shared(info))),
    }
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string())
    })
}

/// The rows of a decoded index; an error names the missing or mistyped column.
fn rows_of_frame(df: &DataFrame) -> Result<Vec<IndexRow>, String> {
    let fail = |e: polars::prelude::PolarsError| e.to_string();
    let col = |name: &str| df.column(name).map_err(fail);
    let strs = |name: &str| -> Result<Vec<Option<String>>, String> {
        Ok(col(name)?
            .str()
            .map_err(fail)?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let floats = |name: &str| -> Result<Vec<Option<f64>>, String> {
        Ok(col(name)?.f64().map_err(fail)?.iter().collect())
    };
    let uints = |name: &str| -> Result<Vec<Option<u64>>, String> {
        Ok(col(name)?.u64().map_err(fail)?.iter().collect())
    };
    let run_id = strs("run_id")?;
    let label = strs("label")?;
    let archived_at = strs("archived_at")?;
    let archived_at_ms: Vec<Option<i64>> =
        col("archived_at_ms")?.i64().map_err(fail)?.iter().collect();
    let git_commit = strs("git_commit")?;
    let endpoint = strs("endpoint")?;
    let method = strs("method")?;
    let name = strs("name")?;
    let requests = uints("requests")?;
    let failures = uints("failures")?;
    let failure_rate = floats("failure_rate")?;
    let rps = floats("rps")?;
    let [avg, min, median, p90, p95, p99, max] = [
        "avg_ms",
        "min_ms",
        "median_ms",
        "p90_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
    ]
    .map(floats);
    let (avg, min, median, p90, p95, p99, max) = (avg?, min?, median?, p90?, p95?, p99?, max?);
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok((0..df.height())
        .map(|i| IndexRow {
            run_id: s(&run_id[i]),
            label: s(&label[i]),
            archived_at: s(&archived_at[i]),
            archived_at_ms: archived_at_ms[i].unwrap_or_default(),
            git_commit: git_commit[i].clone(),
            endpoint: s(&endpoint[i]),
            method: s(&method[i]),
            name: s(&name[i]),
            requests: requests[i].unwrap_or_default(),
            failures: failures[i].unwrap_or_default(),
            failure_rate: failure_rate[i].unwrap_or_default(),
            rps: rps[i].unwrap_or_default(),
            avg_ms: avg[i],
            min_ms: min[i],
            median_ms: median[i],
            p90_ms: p90[i],
            p95_ms: p95[i],
            p99_ms: p99[i],
            max_ms: max[i],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(run: &str, endpoint: &str, p95: Option<f64>) -> IndexRow {
        IndexRow {
            run_id: run.to_string(),
            label: format!("label-{run}"),
            archived_at: "2026-11-28T10:45:00.123Z".to_string(),
            archived_at_ms: 1_795_869_900_123,
            git_commit: (run == "a").then(|| "0123456789abcdef0123456789abcdef01234567".into()),
            endpoint: endpoint.to_string(),
            method: "GET".to_string(),
            name: endpoint.trim_start_matches("GET ").to_string(),
            requests: u64::MAX,
            failures: 3,
            failure_rate: 0.25,
            rps: 12.5,
            avg_ms: Some(10.125),
            min_ms: None,
            median_ms: Some(9.0),
            p90_ms: Some(20.0),
            p95_ms: p95,
            p99_ms: Some(40.0),
            max_ms: Some(80.5),
        }
    }

    #[test]
    fn round_trips_through_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            row("a", "GET /x", Some(30.0)),
            row("b", "GET /rapport/résumé ✓", None),
        ];
        write(dir.path(), &rows).unwrap();
        assert_eq!(read(dir.path()).unwrap(), rows);
        write(dir.path(), &[]).unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["index.parquet", "index.parquet.sha256"]);
    }

    #[test]
    fn damaged_indexes_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![row("a", "GET /x", Some(30.0)), row("b", "Aggregated", None)];
        write(dir.path(), &rows).unwrap();
        let path = dir.path().join(INDEX_NAME);
        let good = std::fs::read(&path).unwrap();
        let message = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            read(dir.path()).unwrap_err().to_string()
        };
        let mut flipped = good.clone();
        flipped[good.len() / 2] ^= 0x10;
        assert!(message(&flipped).contains("SHA-256 differs"));
        // A file that matches its checksum file but is not Parquet (another writer).
        let forged = b"PAR1 not parquet at all PAR1".to_vec();
        let sum = format!("{}  index.parquet\n", hash_bytes(&forged));
        std::fs::write(dir.path().join(INDEX_SHA256_NAME), sum).unwrap();
        assert!(
            message(&forged).contains("footer length"),
            "{}",
            message(&forged)
        );
        std::fs::remove_file(dir.path().join(INDEX_SHA256_NAME)).unwrap();
        assert!(message(&good).contains("checksum file"));
    }

    #[test]
    fn a_panic_is_contained_on_this_thread_and_on_polars_threads() {
        assert_eq!(contain_panic(|| 7), Ok(7));
        assert_eq!(
            contain_panic(|| -> u8 { panic!("boom") }),
            Err("boom".to_string())
        );
        let worker = || {
            std::thread::Builder::new()
                .name("polars-test".into())
                .spawn(|| -> u8 { panic!("in a worker {}", 1) })
                .unwrap()
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
        };
        assert_eq!(contain_panic(worker), Err("in a worker 1".to_string()));
    }

    #[test]
    fn missing_index_is_its_own_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read(dir.path()),
            Err(ArchiveError::NoIndex { .. })
        ));
    }
}

//! `results/index.parquet`: one row per archived run × endpoint (Aggregated included), so the
//! history of a metric is one file read, and DuckDB, Spark or pandas can query the archive as
//! is. Written with polars (only its Parquet feature), always through a temporary file and a
//! rename.
//!
//! Columns: `run_id` (folder name), `label`, `archived_at` (RFC 3339), `archived_at_ms` (i64),
//! `git_commit` (nullable), `endpoint` (`GET /x`, or `Aggregated`), `method`, `name`,
//! `requests` and `failures` (u64), `failure_rate`, `rps`, and the nullable response times in
//! ms `avg_ms`, `min_ms`, `median_ms`, `p90_ms`, `p95_ms`, `p99_ms`, `max_ms` (f64).

use std::fs::File;
use std::path::Path;

use polars::prelude::{Column, DataFrame, ParquetReader, ParquetWriter, SerReader};

use super::scan::{scan, ArchivedRun, Problem};
use super::{ArchiveError, INDEX_NAME};
use crate::locust::read_stats;
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

/// Writes the index atomically.
pub fn write(results: &Path, rows: &[IndexRow]) -> Result<(), ArchiveError> {
    let path = results.join(INDEX_NAME);
    let fail = |message: String| ArchiveError::Index {
        path: path.clone(),
        message,
    };
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
    let mut df = DataFrame::new(rows.len(), columns).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut df)
        .map_err(|e| fail(e.to_string()))?;
    crate::output::write_atomic_as(&path, &bytes, super::TMP_PREFIX)
        .map_err(ArchiveError::io(&path))
}

/// Reads the index; [`ArchiveError::NoIndex`] when there is none.
pub fn read(results: &Path) -> Result<Vec<IndexRow>, ArchiveError> {
    let path = results.join(INDEX_NAME);
    let file = match File::open(&path) {
        Ok(f) => f,
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
        message: format!("{message}; rebuild it with `perfreport archive --reindex`"),
    };
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| fail(e.to_string()))?;
    let col = |name: &str| df.column(name).map_err(|e| fail(e.to_string()));
    let strs = |name: &str| -> Result<Vec<Option<String>>, ArchiveError> {
        Ok(col(name)?
            .str()
            .map_err(|e| fail(e.to_string()))?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let floats = |name: &str| -> Result<Vec<Option<f64>>, ArchiveError> {
        Ok(col(name)?
            .f64()
            .map_err(|e| fail(e.to_string()))?
            .iter()
            .collect())
    };
    let uints = |name: &str| -> Result<Vec<Option<u64>>, ArchiveError> {
        Ok(col(name)?
            .u64()
            .map_err(|e| fail(e.to_string()))?
            .iter()
            .collect())
    };
    let run_id = strs("run_id")?;
    let label = strs("label")?;
    let archived_at = strs("archived_at")?;
    let archived_at_ms: Vec<Option<i64>> = col("archived_at_ms")?
        .i64()
        .map_err(|e| fail(e.to_string()))?
        .iter()
        .collect();
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

/// Adds (or replaces) one run's rows; rebuilds the whole index if the old one is unreadable.
pub fn add_run(results: &Path, rows: Vec<IndexRow>) -> Result<(), ArchiveError> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let id = first.run_id.clone();
    let mut all = match read(results) {
        Ok(existing) => existing,
        Err(_) => return reindex(results).map(|_| ()),
    };
    all.retain(|r| r.run_id != id);
    all.extend(rows);
    write(results, &all)
}

/// Rebuilds the index from the run folders; returns the problems met (runs left out).
pub fn reindex(results: &Path) -> Result<Vec<Problem>, ArchiveError> {
    let found = scan(results)?;
    let mut problems = found.problems;
    let mut rows = Vec::new();
    for run in &found.runs {
        let stats = run.dir.join(format!("{}_stats.csv", run.manifest.run_name));
        match read_stats(&stats) {
            Ok((endpoints, aggregated)) => rows.extend(rows_of(run, &endpoints, &aggregated)),
            Err(e) => problems.push(Problem::Broken(e.into())),
        }
    }
    std::fs::create_dir_all(results).map_err(ArchiveError::io(results))?;
    write(results, &rows)?;
    Ok(problems)
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
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "only index.parquet");
    }

    #[test]
    fn missing_index_says_how_to_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("--reindex"), "{err}");
    }
}

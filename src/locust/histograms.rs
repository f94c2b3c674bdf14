//! Reads full response-time histograms, so that repeated runs pool exactly.
//!
//! Two sources:
//! * Locust's `--json-file PREFIX` output, `PREFIX.json`: a list of entries, each with `name`,
//!   `method` and `response_times`, a map from the response time in ms (rounded as Locust
//!   rounds it) to the number of requests. It has no Aggregated entry.
//! * The embedded driver's `PREFIX_histograms.csv`: `Type,Name,Value,Count`, one row per
//!   non-empty bucket, `Value` the bucket's highest value in microseconds, Aggregated rows last.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::error::{FileKind, LocustError};
use super::fields::{parse_table, read_file, Table};
use crate::model::{EndpointKey, Histogram};

/// Reads the histograms of a run from either source, chosen by the file name.
pub fn read_histograms(path: &Path) -> Result<Vec<Histogram>, LocustError> {
    if is_json(path) {
        let bytes = std::fs::read(path).map_err(|source| LocustError::Io {
            path: path.to_owned(),
            source,
        })?;
        from_locust_json(&bytes, path)
    } else {
        read_file(path, FileKind::Histograms, from_driver_csv)
    }
}

/// Like [`read_histograms`], from bytes in memory; `path` names them and picks the format
/// (`.json`: Locust's `--json-file`, anything else: the driver's CSV).
pub fn read_histograms_from_bytes(
    bytes: &[u8],
    path: &Path,
) -> Result<Vec<Histogram>, LocustError> {
    if is_json(path) {
        from_locust_json(bytes, path)
    } else {
        parse_table(bytes, path, FileKind::Histograms, from_driver_csv)
    }
}

/// Whether a histograms file is Locust's `--json-file` output, by its name.
fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// One entry of Locust's `--json-file` output; other fields are ignored.
#[derive(Deserialize)]
struct JsonEntry {
    name: String,
    method: Option<String>,
    response_times: BTreeMap<String, u64>,
}

fn from_locust_json(bytes: &[u8], path: &Path) -> Result<Vec<Histogram>, LocustError> {
    let entries: Vec<JsonEntry> = serde_json::from_slice(bytes).map_err(|e| LocustError::Json {
        path: path.to_owned(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: e.to_string(),
    })?;
    entries
        .into_iter()
        .map(|entry| {
            let mut buckets = Vec::with_capacity(entry.response_times.len());
            for (time, count) in entry.response_times {
                let ms: f64 = time
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| LocustError::Json {
                        path: path.to_owned(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "a response time key of {:?} is {time:?}, not a number of milliseconds",
                            entry.name
                        ),
                    })?;
                buckets.push((ms, count));
            }
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            Ok(Histogram {
                key: EndpointKey::new(entry.method.unwrap_or_default(), entry.name),
                buckets,
            })
        })
        .collect()
}

pub(crate) fn from_driver_csv(table: &mut Table<'_>) -> Result<Vec<Histogram>, LocustError> {
    let (method, name) = (table.require("Type")?, table.require("Name")?);
    let (value, count) = (table.require("Value")?, table.require("Count")?);
    let mut by_key: BTreeMap<EndpointKey, Vec<(f64, u64)>> = BTreeMap::new();
    let mut order: Vec<EndpointKey> = Vec::new();
    while let Some(row) = table.next_row()? {
        let key = row.key(method, name);
        let micros = row.count(value)?;
        let n = row.count(count)?;
        if !by_key.contains_key(&key) {
            order.push(key.clone());
        }
        by_key
            .entry(key)
            .or_default()
            .push((micros as f64 / 1000.0, n));
    }
    Ok(order
        .into_iter()
        .filter_map(|key| {
            let mut buckets = by_key.remove(&key)?;
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            Some(Histogram { key, buckets })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locust_json_file_reads_its_response_time_maps() {
        let json = br#"[{"name": "/health/", "method": "GET", "num_requests": 4,
            "response_times": {"270": 1, "34": 1, "24": 2}, "num_reqs_per_sec": {}}]"#;
        let h = read_histograms_from_bytes(json, Path::new("run.json")).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].key, EndpointKey::new("GET", "/health/"));
        assert_eq!(h[0].buckets, vec![(24.0, 2), (34.0, 1), (270.0, 1)]);
    }

    #[test]
    fn driver_histograms_csv_reads_microseconds_as_ms() {
        let csv =
            b"Type,Name,Value,Count\r\nGET,/a,1500,3\r\nGET,/a,999,1\r\n,Aggregated,1500,3\r\n";
        let h = read_histograms_from_bytes(csv, Path::new("r_histograms.csv")).unwrap();
        assert_eq!(h[0].buckets, vec![(0.999, 1), (1.5, 3)]);
        assert!(h[1].key.is_aggregated());
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let err = read_histograms_from_bytes(b"[{\"name\": 3}]", Path::new("x.json")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("x.json:1:"), "{text}");
        assert!(text.contains("--json-file"), "{text}");
    }
}

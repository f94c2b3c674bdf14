//! Tests on the runs recorded with real Locust 1.6.0 and 2.47.0 (`fixtures/record/`): every
//! recorded directory loads, and the 1.x files read with their own number formats.

use std::path::Path;

use super::super::{load_runs, read_history};
use super::fixture;
use crate::model::EndpointKey;

#[test]
fn every_recorded_directory_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut loaded = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    while let Some(dir) = dirs.pop() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // driver-vs-locust holds headerless rows from locust.stats for a differential test.
        if matches!(name.as_str(), "malformed" | "record" | "driver-vs-locust") {
            continue;
        }
        let has_stats = std::fs::read_dir(&dir).unwrap().any(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.ends_with("_stats.csv")
        });
        if has_stats {
            let runs = load_runs(&dir).unwrap_or_else(|e| panic!("{e}"));
            assert!(!runs.is_empty());
            loaded += runs.len();
        }
        dirs.extend(
            std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir()),
        );
    }
    assert!(loaded >= 5, "only {loaded} runs found");
}

#[test]
fn locust_1_6_run() {
    let runs = load_runs(&fixture("v1")).unwrap();
    let [run] = runs.as_slice() else {
        panic!("expected one run, got {}", runs.len());
    };
    assert_eq!(run.files.name, "v1run");
    let analysis = run
        .endpoint(&EndpointKey::new("GET", "/analysis/"))
        .unwrap();
    assert_eq!(analysis.requests, 126);
    assert_eq!(analysis.median_ms, Some(700.0));
    assert_eq!(analysis.percentile(0.5), Some(710.0));
    assert_eq!(run.aggregated.requests, 1608);
    assert_eq!(run.aggregated.failures, 20);
    assert!(run
        .endpoint(&EndpointKey::new("GET", "/items/{id}, \"detail\""))
        .is_some());

    assert_eq!(run.failures.len(), 2);
    assert_eq!(run.failures[0].occurrences, 15);
    assert_eq!(run.failures[0].first_seen, None);
    assert_eq!(run.exceptions.len(), 1);
    assert_eq!(run.exceptions[0].count, 8);
    assert!(run.exceptions[0].traceback.contains("locust-1.6"));

    let first = &read_history(run.files.history.as_ref().unwrap()).unwrap()[0];
    assert!(first.key.is_aggregated());
    assert_eq!(first.total_requests, 0);
    assert_eq!(first.total_avg_ms, 0.0);
    assert_eq!(first.total_median_ms, None);
    assert!(run.has_full_history());
}

#[test]
fn endpoint_that_always_fails() {
    let runs = load_runs(&fixture("never-succeeds")).unwrap();
    let run = runs.first().unwrap();
    let status = run
        .endpoint(&EndpointKey::new("GET", "/lmcache/status"))
        .unwrap();
    assert_eq!(status.requests, status.failures);
    assert_eq!(status.failure_ratio(), 1.0);
    assert!(run.exceptions.is_empty());
    assert_eq!(run.failures.len(), 1);
    assert_eq!(run.failures[0].occurrences, 147);
}

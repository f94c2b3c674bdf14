//! Tests of run discovery in temporary directories, and of the errors it gives.

use std::path::Path;

use super::super::{discover_runs, read_stats, LocustError};
use crate::model::RunFiles;

#[test]
fn discover_stats_file_prefix_and_sibling() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("perf");
    for suffix in ["_stats.csv", "_failures.csv"] {
        std::fs::write(dir.path().join(format!("perf{suffix}")), "x").unwrap();
    }
    let expected = RunFiles {
        name: "perf".into(),
        stats: dir.path().join("perf_stats.csv"),
        history: None,
        failures: Some(dir.path().join("perf_failures.csv")),
        exceptions: None,
        histograms: None,
    };
    assert_eq!(discover_runs(&prefix).unwrap(), vec![expected.clone()]);
    assert_eq!(
        discover_runs(&dir.path().join("perf_stats.csv")).unwrap(),
        vec![expected.clone()]
    );
    assert_eq!(
        discover_runs(&dir.path().join("perf_failures.csv")).unwrap(),
        vec![expected]
    );
}

#[test]
fn discover_directory_with_one_and_several_runs() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "b_stats.csv",
        "b_stats_history.csv",
        "b_exceptions.csv",
        "notes.txt",
    ] {
        std::fs::write(dir.path().join(file), "x").unwrap();
    }
    let one = discover_runs(dir.path()).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].name, "b");
    assert_eq!(one[0].history, Some(dir.path().join("b_stats_history.csv")));
    assert_eq!(one[0].exceptions, Some(dir.path().join("b_exceptions.csv")));
    assert_eq!(one[0].failures, None);

    for file in ["a_stats.csv", "c_stats.csv"] {
        std::fs::write(dir.path().join(file), "x").unwrap();
    }
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(dir.path().join("nested/d_stats.csv"), "x").unwrap();
    let names: Vec<String> = discover_runs(dir.path())
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn discover_errors() {
    let dir = tempfile::tempdir().unwrap();
    let e = discover_runs(dir.path()).unwrap_err();
    assert!(matches!(e, LocustError::NoRunsInDir { .. }));
    assert!(e.to_string().ends_with(
        ": no *_stats.csv file in this directory or its subfolders; expected Locust output written with --csv PREFIX"
    ));

    let missing = dir.path().join("results/perf");
    let e = discover_runs(&missing).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "no {}_stats.csv; expected a _stats.csv file, a prefix or a directory",
            missing.display()
        )
    );
    let missing_csv = dir.path().join("gone_stats.csv");
    let e = discover_runs(&missing_csv).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "no {}; expected a _stats.csv file, a prefix or a directory",
            missing_csv.display()
        )
    );

    let other = dir.path().join("report.csv");
    std::fs::write(&other, "x").unwrap();
    let e = discover_runs(&other).unwrap_err();
    assert!(matches!(e, LocustError::NotStatsFile { .. }));

    let orphan = dir.path().join("lonely_failures.csv");
    std::fs::write(&orphan, "x").unwrap();
    let e = discover_runs(&orphan).unwrap_err();
    assert!(e.to_string().starts_with("no "), "{e}");
}

#[test]
fn io_error_names_the_path() {
    let e = read_stats(Path::new("/nonexistent/perf_stats.csv")).unwrap_err();
    assert!(matches!(e, LocustError::Io { .. }));
    assert!(e
        .to_string()
        .starts_with("/nonexistent/perf_stats.csv: could not read: "));
}

/// Issue 12: a run whose file name is not UTF-8 was skipped without a word (a directory of
/// two runs gave one). Names are compared as bytes; the run's name is shown lossily.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_a_run_like_any_other() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let dir = tempfile::tempdir().unwrap();
    let sample = super::fixture("malformed/lf-endings_stats.csv");
    let latin1 = OsStr::from_bytes(b"caf\xE9");
    let mut stats_name = latin1.to_owned();
    stats_name.push("_stats.csv");
    let mut failures_name = latin1.to_owned();
    failures_name.push("_failures.csv");
    std::fs::copy(&sample, dir.path().join(&stats_name)).unwrap();
    std::fs::write(
        dir.path().join(&failures_name),
        "Method,Name,Error,Occurrences\n",
    )
    .unwrap();
    std::fs::copy(&sample, dir.path().join("b_stats.csv")).unwrap();

    let runs = discover_runs(dir.path()).unwrap();
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["b", "caf\u{fffd}"]);
    assert_eq!(runs[1].stats, dir.path().join(&stats_name));
    assert_eq!(runs[1].failures, Some(dir.path().join(&failures_name)));
    let prefix = dir.path().join(latin1);
    assert_eq!(discover_runs(&prefix).unwrap(), vec![runs[1].clone()]);
    assert_eq!(
        discover_runs(&dir.path().join(&failures_name)).unwrap(),
        vec![runs[1].clone()]
    );
    let loaded = super::super::load_runs(dir.path()).unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded[1].aggregated.requests, 183);
}

//! Hostile archives: a real three-run archive, then a corrupted index (flipped bytes,
//! truncated, foreign schema, rewritten, checksum file gone), edited manifests, deleted files
//! and folders, a leftover temporary folder, a stale index. `list`, `history`, `verify` and
//! `archive` must never panic (exit 101) or hang, exit 0, 1 or 2, and never lose a run whose
//! folder and manifest are intact. The helpers are shared with [`super::archive_props`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fixture;

/// Longest any one command may take (a debug build on a busy 2-core machine).
const LIMIT: Duration = Duration::from_secs(60);

/// The runs archived into the base, in order.
fn base_runs() -> [(PathBuf, &'static str); 3] {
    [
        (fixture("v2-pair/baseline/baseline"), "v1.4.0"),
        (fixture("v2-pair/latest/latest"), "v1.5.0"),
        (fixture("v1/v1run"), "v1.6.0"),
    ]
}

/// A run to archive on top of a hostile archive.
pub(super) fn extra_run() -> PathBuf {
    fixture("shared-2.47/baseline-1/baseline-1")
}

/// The base archive: `results/` with three runs, and the index (with its checksum file) as it
/// was after two.
pub(super) struct Base {
    _dir: tempfile::TempDir,
    pub(super) results: PathBuf,
    pub(super) stale_index: (Vec<u8>, Vec<u8>),
}

/// Puts back the index of two runs ago, as an `archive` killed before its index write leaves.
pub(super) fn restore_stale(results: &Path, stale: &(Vec<u8>, Vec<u8>)) {
    std::fs::write(results.join("index.parquet"), &stale.0).unwrap();
    std::fs::write(results.join("index.parquet.sha256"), &stale.1).unwrap();
}

/// How a command ended.
#[derive(Debug)]
pub(super) struct Finished {
    /// The exit code (`None` when killed, also by the time limit).
    pub(super) code: Option<i32>,
    /// Standard output, lossily decoded.
    pub(super) stdout: String,
    /// Standard error, lossily decoded.
    pub(super) stderr: String,
}

/// Runs `perfreport ARGS` in `cwd`, killed after [`LIMIT`], and checks that it ended with 0, 1
/// or 2 and printed no panic.
pub(super) fn perfreport(cwd: &Path, args: &[&str]) -> Finished {
    let out = super::perfreport()
        .args(args)
        .current_dir(cwd)
        .timeout(LIMIT)
        .output()
        .expect("the binary runs");
    let done = Finished {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        matches!(done.code, Some(0..=2)),
        "`perfreport {}` exited with {:?} (None: killed, after {LIMIT:?} or by a signal):\n{}",
        args.join(" "),
        done.code,
        done.stderr
    );
    assert!(
        !done.stderr.contains("panicked") && !done.stderr.contains("RUST_BACKTRACE"),
        "`perfreport {}` leaked a panic:\n{}",
        args.join(" "),
        done.stderr
    );
    done
}

pub(super) fn archive(results: &Path, run: &Path, label: &str) -> Finished {
    let (run, results) = (run.to_str().unwrap(), results.to_str().unwrap());
    perfreport(
        Path::new("/"),
        &["archive", run, "--label", label, "--results", results],
    )
}

pub(super) fn build_base() -> Base {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let mut stale_index = (Vec::new(), Vec::new());
    for (i, (run, label)) in base_runs().iter().enumerate() {
        if i == 2 {
            stale_index = (
                std::fs::read(results.join("index.parquet")).unwrap(),
                std::fs::read(results.join("index.parquet.sha256")).unwrap(),
            );
        }
        let done = archive(&results, run, label);
        assert_eq!(done.code, Some(0), "{}", done.stderr);
        assert!(done.stderr.is_empty(), "{}", done.stderr);
    }
    Base {
        _dir: dir,
        results,
        stale_index,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fresh copy of the base's results folder.
pub(super) fn copy_of(base: &Base) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    copy_dir(&base.results, &results);
    (dir, results)
}

/// The run folders under `results`, by name.
pub(super) fn run_folders(results: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    dirs.sort();
    dirs
}

pub(super) fn name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

fn json(done: &Finished) -> serde_json::Value {
    serde_json::from_str(&done.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", done.stdout, done.stderr))
}

/// Run ids `list --format json` shows.
pub(super) fn listed(results: &Path) -> BTreeSet<String> {
    let done = perfreport(
        Path::new("/"),
        &[
            "list",
            "--format",
            "json",
            "--results",
            results.to_str().unwrap(),
        ],
    );
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    json(&done)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap().to_string())
        .collect()
}

/// Run ids `history --format json` shows (none when it says there are no runs).
pub(super) fn in_history(results: &Path) -> BTreeSet<String> {
    let done = perfreport(
        Path::new("/"),
        &[
            "history",
            "--format",
            "json",
            "--results",
            results.to_str().unwrap(),
        ],
    );
    if done.code == Some(2) && done.stderr.contains("holds no runs") {
        return BTreeSet::new();
    }
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    json(&done)["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap().to_string())
        .collect()
}

pub(super) fn all_ids(results: &Path) -> BTreeSet<String> {
    run_folders(results).iter().map(|d| name(d)).collect()
}

/// Deterministic choices for the byte-flip corpus (SplitMix64, Steele et al. 2014).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Single flipped bits in the index: 8 seeds in 300 made polars panic before the checksum.
const SEEDS: u64 = 120;

#[test]
fn flipped_bytes_in_the_index_never_panic_and_lose_no_run() {
    let base = build_base();
    let (_dir, results) = copy_of(&base);
    let index = results.join("index.parquet");
    let good = std::fs::read(&index).unwrap();
    let ids = all_ids(&results);
    let r = results.to_str().unwrap();
    let (mut corrupted, mut rebuilt) = (Vec::new(), 0);
    for seed in 0..SEEDS {
        let bits = splitmix(seed);
        let mut bytes = good.clone();
        let at = (bits >> 8) as usize % bytes.len();
        bytes[at] ^= 1 << (bits % 8);
        std::fs::write(&index, &bytes).unwrap();
        let command = if seed % 2 == 0 { "list" } else { "history" };
        let done = perfreport(
            Path::new("/"),
            &[command, "--format", "json", "--results", r],
        );
        assert_eq!(done.code, Some(0), "seed {seed}: {}", done.stderr);
        let value = json(&done);
        let rows = if command == "list" {
            &value
        } else {
            &value["points"]
        };
        let shown: BTreeSet<String> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["run_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(shown, ids, "seed {seed} (byte {at}): {}", done.stderr);
        if seed < 3 {
            corrupted.push(bytes);
        }
        if done.stderr.contains("rebuilt from the run folders") {
            rebuilt += 1;
            assert_eq!(
                std::fs::read(&index).unwrap(),
                good,
                "seed {seed}: rebuilt alike"
            );
        }
    }
    // Every flip is caught by the checksum before polars parses the file.
    assert_eq!(rebuilt, SEEDS);
    // `archive` on such an index (it panicked after moving its run in) archives and indexes.
    for bytes in &corrupted {
        let (_dir, results) = copy_of(&base);
        std::fs::write(results.join("index.parquet"), bytes).unwrap();
        let done = archive(&results, &extra_run(), "after-corruption");
        assert_eq!(done.code, Some(0), "{}", done.stderr);
        assert_eq!(in_history(&results), all_ids(&results));
        assert_eq!(all_ids(&results).len(), 4);
    }
}

#[test]
fn truncated_foreign_and_rewritten_indexes_are_rebuilt() {
    let base = build_base();
    let good = std::fs::read(base.results.join("index.parquet")).unwrap();
    // The same rows rewritten by another program (polars without compression).
    let rewritten = {
        use polars::prelude::{ParquetCompression, ParquetReader, ParquetWriter, SerReader};
        let mut df = ParquetReader::new(std::io::Cursor::new(good.clone()))
            .finish()
            .unwrap();
        let mut out = Vec::new();
        ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Uncompressed)
            .finish(&mut df)
            .unwrap();
        assert_ne!(out, good);
        out
    };
    let foreign = {
        use polars::prelude::*;
        let mut df = DataFrame::new(
            2,
            vec![
                Column::new("run_id".into(), [1i64, 2]),
                Column::new("colour".into(), ["red", "blue"]),
            ],
        )
        .unwrap();
        let mut out = Vec::new();
        ParquetWriter::new(&mut out).finish(&mut df).unwrap();
        out
    };
    let mut cases: Vec<(String, Vec<u8>)> = [0, 3, 4, 11, 12, 100, good.len() / 2, good.len() - 1]
        .iter()
        .map(|&n| (format!("truncated to {n} bytes"), good[..n].to_vec()))
        .collect();
    cases.push(("foreign schema".into(), foreign));
    cases.push(("rewritten by another writer".into(), rewritten));
    cases.push((
        "unchanged, but its checksum file deleted".into(),
        good.clone(),
    ));
    cases.push((
        "garbage footer".into(),
        b"PAR1\xff\xff\xff\xff\x04\x00\x00\x00PAR1".to_vec(),
    ));
    for (case, bytes) in cases {
        let (_dir, results) = copy_of(&base);
        std::fs::write(results.join("index.parquet"), &bytes).unwrap();
        if case.contains("checksum file deleted") {
            std::fs::remove_file(results.join("index.parquet.sha256")).unwrap();
        }
        let r = results.to_str().unwrap();
        let done = perfreport(Path::new("/"), &["history", "--results", r]);
        assert_eq!(done.code, Some(0), "{case}: {}", done.stderr);
        assert!(
            done.stderr.contains("rebuilt from the run folders"),
            "{case}: {}",
            done.stderr
        );
        assert!(
            done.stdout.contains("across 3 archived runs"),
            "{case}: {}",
            done.stdout
        );
        assert_eq!(
            std::fs::read(results.join("index.parquet")).unwrap(),
            good,
            "{case}"
        );
        let sum = std::fs::read_to_string(results.join("index.parquet.sha256")).unwrap();
        assert!(sum.ends_with("  index.parquet\n"), "{sum}");
        assert_eq!(listed(&results), all_ids(&results), "{case}");
        let done = perfreport(Path::new("/"), &["verify", "--results", r]);
        assert_eq!(done.code, Some(0), "{case}: {}", done.stdout);
    }
}

#[test]
fn edited_manifests_deleted_files_folders_and_leftovers() {
    let base = build_base();
    let (_dir, results) = copy_of(&base);
    let r = results.to_str().unwrap();
    let runs = run_folders(&results);
    let [a, b, c] = [&runs[0], &runs[1], &runs[2]];

    // A's label edited by hand: the manifest is the truth, the index follows it.
    let manifest = a.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"v1.4.0\"", "\"v1.4.0-renamed\"")).unwrap();
    // B's manifest broken: a warning, B gone from list and history, the rest shown.
    std::fs::write(b.join("manifest.json"), "{ \"schema_version\": 1, oops").unwrap();
    // A leftover temporary folder of a killed archive.
    let leftover = results.join(".perfreport-tmp-killed");
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::write(leftover.join("perf_stats.csv"), "half a file").unwrap();

    let done = perfreport(
        Path::new("/"),
        &["history", "--format", "json", "--results", r],
    );
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stderr.contains("not a perfreport manifest"),
        "{}",
        done.stderr
    );
    let points: Vec<(String, String)> = json(&done)["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["run_id"].as_str().unwrap().to_string(),
                p["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            (name(a), "v1.4.0-renamed".to_string()),
            (name(c), "v1.6.0".to_string())
        ]
    );
    assert_eq!(listed(&results), [name(a), name(c)].into_iter().collect());

    // C's stats file deleted: verify says so; a rebuild leaves C out with a warning.
    std::fs::remove_file(c.join("v1run_stats.csv")).unwrap();
    let done = perfreport(Path::new("/"), &["verify", "--results", r]);
    assert_eq!(done.code, Some(1));
    assert!(done.stdout.contains("missing: "), "{}", done.stdout);
    let done = perfreport(Path::new("/"), &["archive", "--reindex", "--results", r]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stderr
            .contains(&format!("{}: left out of the index", c.display())),
        "{}",
        done.stderr
    );
    assert_eq!(in_history(&results), [name(a)].into_iter().collect());
    assert_eq!(listed(&results), [name(a), name(c)].into_iter().collect());

    // A's folder deleted: it leaves history too; archiving then removes the leftover.
    std::fs::remove_dir_all(a).unwrap();
    assert!(in_history(&results).is_empty());
    let done = archive(&results, &extra_run(), "next");
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(!leftover.exists());
    let ids = in_history(&results);
    assert_eq!(ids.len(), 1);
    assert!(ids.iter().all(|id| id.ends_with("_next")), "{ids:?}");
}

#[test]
fn reindex_checks_checksums_and_a_stale_index_heals() {
    let base = build_base();
    let (_dir, results) = copy_of(&base);
    let r = results.to_str().unwrap();
    let runs = run_folders(&results);

    // `archive` killed after moving its run in and before writing the index: the index is
    // the one from before. The next command adds the run; so does a later archive.
    restore_stale(&results, &base.stale_index);
    let done = perfreport(
        Path::new("/"),
        &["history", "--format", "json", "--results", r],
    );
    assert!(
        done.stderr
            .contains("did not match the run folders (1 run(s) added, 0 dropped)"),
        "{}",
        done.stderr
    );
    assert_eq!(in_history(&results), all_ids(&results));
    restore_stale(&results, &base.stale_index);
    archive(&results, &extra_run(), "later");
    assert_eq!(in_history(&results), all_ids(&results));
    assert_eq!(all_ids(&results).len(), 4);

    // A tampered stats file (same size, one digit changed): --reindex leaves the run out.
    let stats = runs[0].join("baseline_stats.csv");
    let text = std::fs::read_to_string(&stats).unwrap();
    let at = text.find(",141,").expect("a request count to change");
    let mut tampered = text.clone();
    tampered.replace_range(at..at + 5, ",999,");
    std::fs::write(&stats, tampered).unwrap();
    let done = perfreport(Path::new("/"), &["archive", "--reindex", "--results", r]);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stderr
            .contains("left out of the index: its files do not match its manifest (changed: "),
        "{}",
        done.stderr
    );
    assert!(
        done.stdout.contains("(3 runs; 1 left out)"),
        "{}",
        done.stdout
    );
    let mut expected = all_ids(&results);
    expected.remove(&name(&runs[0]));
    assert_eq!(in_history(&results), expected);
}

#[test]
fn the_same_files_are_not_archived_twice_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let again = |extra: &[&str]| {
        super::perfreport()
            .arg("archive")
            .arg(super::archive::v2("baseline"))
            .args(extra)
            .args(["--label", "again", "--results"])
            .arg(&results)
            .assert()
    };
    again(&[]).success();
    let out = again(&[]).code(2);
    let first = super::archive::run_dirs(&results);
    assert_eq!(first.len(), 1);
    let name = first[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        super::archive::stderr(&out).contains("already archived")
            && super::archive::stderr(&out).contains(&name),
        "{}",
        super::archive::stderr(&out)
    );
    // Nothing half-made is left behind, and the flag archives them anyway.
    let folders = std::fs::read_dir(&results)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(folders, 1);
    again(&["--allow-duplicate"]).success();
    assert_eq!(super::archive::run_dirs(&results).len(), 2);
}

//! A property test of the archive: random damage (index bytes, truncation, deletion, a stale
//! index, edited or broken manifests, wrong checksums, changed or deleted stats files, deleted
//! run folders, leftover temporaries), then `list`, `history`, `verify` and `archive`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sha2::{Digest, Sha256};

use super::archive_hostile::{
    all_ids, archive, build_base, copy_of, extra_run, in_history, listed, name, perfreport,
    restore_stale, run_folders,
};

/// One way to damage an archive.
#[derive(Debug, Clone)]
enum Mutation {
    FlipIndexByte(usize, u8),
    TruncateIndex(usize),
    DeleteIndex,
    DeleteIndexChecksum,
    StaleIndex,
    RelabelManifest(usize),
    BreakManifest(usize),
    WrongChecksum(usize),
    FlipStatsByte(usize, usize),
    DeleteStats(usize),
    DeleteRunFolder(usize),
    LeftoverTemporary,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipIndexByte(at, bit)),
        any::<usize>().prop_map(Mutation::TruncateIndex),
        Just(Mutation::DeleteIndex),
        Just(Mutation::DeleteIndexChecksum),
        Just(Mutation::StaleIndex),
        (0usize..3).prop_map(Mutation::RelabelManifest),
        (0usize..3).prop_map(Mutation::BreakManifest),
        (0usize..3).prop_map(Mutation::WrongChecksum),
        (0usize..3, any::<usize>()).prop_map(|(run, at)| Mutation::FlipStatsByte(run, at)),
        (0usize..3).prop_map(Mutation::DeleteStats),
        (0usize..3).prop_map(Mutation::DeleteRunFolder),
        Just(Mutation::LeftoverTemporary),
    ]
}

/// What the test knows of a run after the mutations, independently of perfreport.
#[derive(Debug, Clone, Copy)]
struct Known {
    exists: bool,
    manifest_ok: bool,
}

/// Whether every file a manifest lists is there with its SHA-256 and size (computed here).
fn files_intact(dir: &Path) -> bool {
    let Ok(text) = std::fs::read(dir.join("manifest.json")) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return false;
    };
    manifest["files"].as_array().is_some_and(|files| {
        files.iter().all(|f| {
            let Ok(bytes) = std::fs::read(dir.join(f["name"].as_str().unwrap_or("?"))) else {
                return false;
            };
            let sum: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            f["sha256"].as_str() == Some(sum.as_str())
                && f["size"].as_u64() == Some(bytes.len() as u64)
        })
    })
}

fn apply(
    m: &Mutation,
    results: &Path,
    runs: &[PathBuf],
    known: &mut [Known],
    stale: &(Vec<u8>, Vec<u8>),
) {
    let index = results.join("index.parquet");
    let run = |i: usize| &runs[i % runs.len()];
    let present = |i: usize, known: &[Known]| known[i % runs.len()].exists;
    match *m {
        Mutation::FlipIndexByte(at, bit) => {
            if let Ok(mut bytes) = std::fs::read(&index) {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] ^= 1 << bit;
                    std::fs::write(&index, bytes).unwrap();
                }
            }
        }
        Mutation::TruncateIndex(keep) => {
            if let Ok(bytes) = std::fs::read(&index) {
                std::fs::write(&index, &bytes[..keep % (bytes.len() + 1)]).unwrap();
            }
        }
        Mutation::DeleteIndex => {
            let _ = std::fs::remove_file(&index);
        }
        Mutation::DeleteIndexChecksum => {
            let _ = std::fs::remove_file(results.join("index.parquet.sha256"));
        }
        Mutation::StaleIndex => restore_stale(results, stale),
        Mutation::RelabelManifest(i) if present(i, known) => {
            let path = run(i).join("manifest.json");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let edited = text.replacen("\"label\": \"v1.", "\"label\": \"edited-v1.", 1);
            std::fs::write(&path, edited).unwrap();
        }
        Mutation::BreakManifest(i) if present(i, known) => {
            let path = run(i).join("manifest.json");
            let text = std::fs::read(&path).unwrap_or_default();
            std::fs::write(&path, &text[..text.len() / 2]).unwrap();
            known[i % runs.len()].manifest_ok = false;
        }
        Mutation::WrongChecksum(i) if present(i, known) => {
            let path = run(i).join("manifest.json");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if let Some(at) = text.find("\"sha256\": \"") {
                let digit = at + "\"sha256\": \"".len();
                let mut edited = text.clone();
                let flipped = if &text[digit..=digit] == "0" {
                    "1"
                } else {
                    "0"
                };
                edited.replace_range(digit..=digit, flipped);
                std::fs::write(&path, edited).unwrap();
            }
        }
        Mutation::FlipStatsByte(i, at) if present(i, known) => {
            if let Some(stats) = stats_file(run(i)) {
                let mut bytes = std::fs::read(&stats).unwrap();
                let at = at % bytes.len();
                bytes[at] = if bytes[at] == b'7' { b'8' } else { b'7' };
                std::fs::write(&stats, bytes).unwrap();
            }
        }
        Mutation::DeleteStats(i) if present(i, known) => {
            if let Some(stats) = stats_file(run(i)) {
                std::fs::remove_file(stats).unwrap();
            }
        }
        Mutation::DeleteRunFolder(i) if present(i, known) => {
            std::fs::remove_dir_all(run(i)).unwrap();
            known[i % runs.len()].exists = false;
        }
        Mutation::LeftoverTemporary => {
            let dir = results.join(".perfreport-tmp-proptest");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("x_stats.csv"), "Type,Name\n").unwrap();
        }
        _ => {}
    }
}

fn stats_file(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_stats.csv"))
}

/// Random damage, then every command: no panic, no hang, exit 0/1/2, and every run whose
/// folder, manifest and files are intact is in `list` and `history`, before and after one
/// more `archive`. Deterministic seed, so CI runs the same cases.
#[test]
fn mutated_archives_never_panic_hang_or_lose_runs() {
    let base = build_base();
    let config = Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = proptest::collection::vec(mutation(), 1..5);
    runner
        .run(&strategy, |mutations| {
            let (_dir, results) = copy_of(&base);
            let runs = run_folders(&results);
            let mut known = vec![
                Known {
                    exists: true,
                    manifest_ok: true
                };
                runs.len()
            ];
            for m in &mutations {
                apply(m, &results, &runs, &mut known, &base.stale_index);
            }
            let valid: BTreeSet<String> = runs
                .iter()
                .zip(&known)
                .filter(|(_, k)| k.exists && k.manifest_ok)
                .map(|(d, _)| name(d))
                .collect();
            let intact: BTreeSet<String> = runs
                .iter()
                .zip(&known)
                .filter(|(d, k)| k.exists && k.manifest_ok && files_intact(d))
                .map(|(d, _)| name(d))
                .collect();
            let r = results.to_str().unwrap();
            let check = |stage: &str, intact: &BTreeSet<String>, valid: &BTreeSet<String>| {
                let (list, history) = (listed(&results), in_history(&results));
                prop_assert!(
                    intact.is_subset(&list),
                    "{stage}: list {list:?} lost a run of {intact:?}"
                );
                prop_assert!(
                    intact.is_subset(&history),
                    "{stage}: history {history:?} lost a run of {intact:?}"
                );
                prop_assert!(
                    list.is_subset(valid),
                    "{stage}: list {list:?} shows a run not in {valid:?}"
                );
                prop_assert!(
                    history.is_subset(valid),
                    "{stage}: history {history:?} shows a run not in {valid:?}"
                );
                Ok(())
            };
            check("after damage", &intact, &valid)?;
            let verify = perfreport(Path::new("/"), &["verify", "--results", r]);
            prop_assert!(
                matches!(verify.code, Some(0 | 1)),
                "verify: {:?}",
                verify.code
            );
            let done = archive(&results, &extra_run(), "on-top");
            prop_assert_eq!(done.code, Some(0), "archive: {}", done.stderr);
            let new = all_ids(&results)
                .into_iter()
                .find(|id| id.ends_with("_on-top"))
                .expect("the new run folder");
            let (mut intact, mut valid) = (intact, valid);
            intact.insert(new.clone());
            valid.insert(new);
            check("after archive", &intact, &valid)
        })
        .unwrap();
}

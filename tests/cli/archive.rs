//! `perfreport archive`, `list`, `history`, `verify`, and run selectors in `summary`/`compare`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{fixture, perfreport};

pub(super) fn v2(side: &str) -> PathBuf {
    fixture(&format!("v2-pair/{side}/{side}"))
}

pub(super) fn shared(side: &str) -> PathBuf {
    fixture(&format!("shared-2.47/{side}/{side}"))
}

/// Archives `run` under `label` into `results`, expecting success (the same files may be
/// archived again: these tests build series of runs, some of them identical).
pub(super) fn archive(results: &Path, run: &Path, label: &str) {
    perfreport()
        .arg("archive")
        .arg(run)
        .args(["--allow-duplicate", "--label", label, "--results"])
        .arg(results)
        .assert()
        .success();
}

/// The run folders (with a manifest) under `results`, sorted.
pub(super) fn run_dirs(results: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

pub(super) fn stdout(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

pub(super) fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

fn sha256sum(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

#[test]
fn archive_writes_manifest_and_verify_passes() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    perfreport()
        .arg("archive")
        .arg(v2("baseline"))
        .args([
            "--label",
            "v1.4.0",
            "--note",
            "before the cache change",
            "--results",
        ])
        .arg(&results)
        .assert()
        .success();
    let runs = run_dirs(&results);
    assert_eq!(runs.len(), 1);
    let name = runs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("Z_v1.4.0"), "{name}");
    assert_eq!(name.len(), "20261128T104500Z_v1.4.0".len());

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(runs[0].join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["schema_version"], 1);
    assert_eq!(manifest["label"], "v1.4.0");
    assert_eq!(manifest["note"], "before the cache change");
    assert_eq!(manifest["run_name"], "baseline");
    assert_eq!(manifest["locust"]["format"], "2.x");
    assert!(manifest["run"]["users"].as_u64().unwrap() > 0);
    assert!(manifest["run"]["duration_s"].as_f64().unwrap() > 30.0);
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    for f in files {
        let name = f["name"].as_str().unwrap();
        let original = fixture("v2-pair/baseline").join(name);
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            sha256sum(&original),
            "{name}"
        );
        assert_eq!(f["size"], std::fs::metadata(&original).unwrap().len());
        assert_eq!(
            std::fs::read(runs[0].join(name)).unwrap(),
            std::fs::read(&original).unwrap()
        );
    }
    assert!(results.join("index.parquet").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(&runs[0]),
            0o755,
            "the run folder is readable by other tools"
        );
        assert_eq!(mode(&results.join("index.parquet")), 0o644);
    }

    let out = perfreport()
        .arg("verify")
        .arg("--results")
        .arg(&results)
        .assert()
        .success();
    assert!(
        stdout(&out).contains("verified 1 runs, 4 files: OK"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn verify_names_changed_missing_and_extra_files() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    archive(&results, &v2("baseline"), "v1");
    let run = &run_dirs(&results)[0];

    let stats = run.join("baseline_stats.csv");
    let mut bytes = std::fs::read(&stats).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&stats, &bytes).unwrap();
    let out = perfreport()
        .args(["verify", "--results"])
        .arg(&results)
        .assert()
        .code(1);
    let text = stdout(&out);
    assert!(
        text.contains("changed: ") && text.contains("baseline_stats.csv"),
        "{text}"
    );
    assert!(text.contains("1 problem(s)"), "{text}");

    std::fs::remove_file(run.join("baseline_failures.csv")).unwrap();
    std::fs::write(run.join("notes.txt"), "added by hand").unwrap();
    let out = perfreport()
        .args(["verify", "--format", "json", "--results"])
        .arg(&results)
        .assert()
        .code(1);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let kinds: Vec<(String, String)> = json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let path = i["path"].as_str().unwrap();
            let file = Path::new(path).file_name().unwrap().to_string_lossy();
            (i["kind"].as_str().unwrap().to_string(), file.into_owned())
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("changed".to_string(), "baseline_stats.csv".to_string()),
            ("missing".to_string(), "baseline_failures.csv".to_string()),
            ("extra".to_string(), "notes.txt".to_string()),
        ]
    );
}

#[test]
fn killed_mid_copy_leaves_no_partial_run() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_perfreport"))
        .arg("archive")
        .arg(v2("baseline"))
        .args(["--label", "killed", "--results"])
        .arg(&results)
        .env(perfreport::archive::store::PAUSE_ENV, "30000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first file is in the temporary folder, then SIGKILL.
    let started = Instant::now();
    let partial = loop {
        let tmp = std::fs::read_dir(&results).ok().and_then(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .find(|p| p.is_dir() && std::fs::read_dir(p).unwrap().count() > 0)
        });
        if let Some(tmp) = tmp {
            break tmp;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "copy never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let name = partial.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(".perfreport-tmp-"), "{name}");
    assert!(run_dirs(&results).is_empty());

    let out = perfreport()
        .args(["list", "--results"])
        .arg(&results)
        .assert()
        .success();
    assert!(
        stdout(&out).contains("no archived runs"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    perfreport()
        .args(["verify", "--results"])
        .arg(&results)
        .assert()
        .success();

    // The next archive takes the (released) lock and removes the leftover.
    archive(&results, &v2("baseline"), "after");
    assert!(!partial.exists());
    assert_eq!(run_dirs(&results).len(), 1);
}

#[test]
fn labels_that_could_escape_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    for label in [
        "../escape",
        "a/b",
        "..",
        "line\nbreak",
        "tab\there",
        "-rf",
        "a\\b",
        "   ",
        "v1.5 ",
        "CON",
        "nul",
        "Com1",
        "lpt9.txt",
        "con.tar.gz",
    ] {
        let out = perfreport()
            .arg("archive")
            .arg(v2("baseline"))
            .arg(format!("--label={label}"))
            .arg("--results")
            .arg(&results)
            .assert()
            .code(2);
        assert!(
            stderr(&out).contains("refused"),
            "{label:?}: {}",
            stderr(&out)
        );
    }
    assert!(!results.exists());
    assert!(!dir.path().join("escape").exists());
}

#[test]
fn an_existing_run_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    archive(&results, &v2("baseline"), "same");
    archive(&results, &v2("latest"), "same");
    archive(&results, &v2("latest"), "same");
    let runs = run_dirs(&results);
    assert_eq!(runs.len(), 3);
    let names: Vec<String> = runs
        .iter()
        .map(|r| {
            let m: serde_json::Value =
                serde_json::from_slice(&std::fs::read(r.join("manifest.json")).unwrap()).unwrap();
            m["run_name"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "baseline").count(), 1);
}

#[test]
fn selectors_pick_archived_runs() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    archive(&results, &v2("baseline"), "v1.4.0");
    archive(&results, &v2("latest"), "v1.5.0");

    let by_path = perfreport()
        .args(["compare", "--format", "json", "--fail-on", "never"])
        .arg(v2("baseline"))
        .arg(v2("latest"))
        .assert()
        .success();
    let by_path: serde_json::Value = serde_json::from_slice(&by_path.get_output().stdout).unwrap();
    for (baseline, latest) in [("@previous", "@latest"), ("@label:v1.4.0", "@label:v1.5.0")] {
        let out = perfreport()
            .args([
                "compare",
                "--format",
                "json",
                "--fail-on",
                "never",
                "--results",
            ])
            .arg(&results)
            .args([baseline, latest])
            .assert()
            .success();
        let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(
            json["endpoints"], by_path["endpoints"],
            "{baseline} {latest}"
        );
        assert_eq!(json["regressed"], by_path["regressed"]);
    }
    let mixed = perfreport()
        .args([
            "compare",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--results",
        ])
        .arg(&results)
        .arg("@label:v1.4.0")
        .arg(v2("latest"))
        .assert()
        .success();
    let mixed: serde_json::Value = serde_json::from_slice(&mixed.get_output().stdout).unwrap();
    assert_eq!(mixed["endpoints"], by_path["endpoints"]);

    let out = perfreport()
        .args(["summary", "--format", "json", "--results"])
        .arg(&results)
        .arg("@latest")
        .assert()
        .success();
    assert!(
        stdout(&out).contains("\"name\": \"latest\""),
        "{}",
        stdout(&out)
    );

    let out = perfreport()
        .args(["summary", "--results"])
        .arg(&results)
        .arg("@label:v9")
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("@label:v9: no such run"),
        "{}",
        stderr(&out)
    );
    let out = perfreport()
        .args(["summary", "--results"])
        .arg(&results)
        .arg("@newest")
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("unknown selector"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_shows_runs_newest_first_and_survives_broken_folders() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    archive(&results, &v2("baseline"), "v1.4.0");
    archive(&results, &v2("latest"), "v1.5.0");
    archive(&results, &fixture("v1/v1run"), "v0.9");
    std::fs::create_dir_all(results.join("holiday-photos")).unwrap();
    let runs = run_dirs(&results);
    let broken = runs
        .iter()
        .find(|r| r.to_string_lossy().ends_with("v1.5.0"))
        .unwrap();
    std::fs::write(
        broken.join("manifest.json"),
        "{ \"schema_version\": 1, oops",
    )
    .unwrap();

    let out = perfreport()
        .args(["list", "--results"])
        .arg(&results)
        .assert()
        .success();
    let text = stdout(&out);
    let err = stderr(&out);
    // A folder perfreport did not make (Locust's own output, photos…) is skipped silently.
    assert!(!err.contains("holiday-photos"), "{err}");
    assert!(
        err.contains("manifest.json: not a perfreport manifest"),
        "{err}"
    );
    let v09 = text.find("v0.9").unwrap();
    let v14 = text.find("v1.4.0").unwrap();
    assert!(v09 < v14, "newest first:\n{text}");
    assert!(!text.contains("v1.5.0"), "{text}");

    let out = perfreport()
        .args(["list", "--format", "json", "--results"])
        .arg(&results)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let first = &json[0];
    assert_eq!(first["label"], "v0.9");
    let (_, aggregated) = perfreport::locust::read_stats(&fixture("v1/v1run_stats.csv")).unwrap();
    assert_eq!(first["requests"], aggregated.requests);
    assert_eq!(first["p95_ms"].as_f64(), aggregated.percentile(0.95));

    let out = perfreport()
        .args(["verify", "--results"])
        .arg(&results)
        .assert()
        .code(1);
    assert!(stdout(&out).contains("bad manifest"), "{}", stdout(&out));
}

#[test]
fn concurrent_archives_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let spawn = |label: &str, pause_ms: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_perfreport"))
            .arg("archive")
            .arg(v2("baseline"))
            .args(["--allow-duplicate", "--label", label, "--results"])
            .arg(&results)
            .env(perfreport::archive::store::PAUSE_ENV, pause_ms)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    // A holds the results lock while it pauses mid-copy; B, started then, must wait for it.
    let mut a = spawn("a", "1500");
    let started = Instant::now();
    while !std::fs::read_dir(&results).is_ok_and(|mut entries| {
        entries.any(|e| {
            let p = e.unwrap().path();
            p.is_dir() && std::fs::read_dir(&p).unwrap().count() > 0
        })
    }) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "A never started copying"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let b_started = Instant::now();
    let mut b = spawn("b", "0");
    assert!(b.wait().unwrap().success());
    // Alone B takes milliseconds; behind A's lock it waits out most of A's 1.5 s pause.
    assert!(
        b_started.elapsed() >= Duration::from_millis(1000),
        "B finished in {:?}, while A held the lock",
        b_started.elapsed()
    );
    assert!(a.wait().unwrap().success());
    assert_eq!(run_dirs(&results).len(), 2);
    let out = perfreport()
        .args(["history", "--format", "json", "--results"])
        .arg(&results)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["points"].as_array().unwrap().len(), 2);
    perfreport()
        .args(["verify", "--results"])
        .arg(&results)
        .assert()
        .success();
}

/// The histogram file (Locust's `--json-file` here; the driver's `_histograms.csv` alike) goes
/// into the archive with the CSV files, so archived runs still pool exactly.
#[test]
fn archived_runs_keep_their_histograms() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    archive(&results, &fixture("json-groups/baseline/run1"), "exact");
    let runs = run_dirs(&results);
    let original = fixture("json-groups/baseline/run1.json");
    assert_eq!(
        std::fs::read(runs[0].join("run1.json")).unwrap(),
        std::fs::read(&original).unwrap()
    );
    let out = perfreport()
        .arg("verify")
        .arg("--results")
        .arg(&results)
        .assert()
        .success();
    assert!(
        stdout(&out).contains("verified 1 runs, 5 files: OK"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_and_report_take_selectors_too() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    archive(&results, &v2("baseline"), "v1.4.0");
    archive(&results, &v2("latest"), "v1.5.0");
    let by_path = perfreport()
        .args(["check", "--format", "json"])
        .arg(v2("latest"))
        .assert();
    let by_selector = perfreport()
        .args(["check", "@latest", "--format", "json", "--results"])
        .arg(&results)
        .assert();
    let code = by_path.get_output().status.code();
    assert_eq!(by_selector.get_output().status.code(), code);
    let checks = |out: &assert_cmd::assert::Assert| -> serde_json::Value {
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()["checks"]
            .clone()
    };
    assert_eq!(checks(&by_selector), checks(&by_path));

    let page = dir.path().join("report.html");
    perfreport()
        .args([
            "report",
            "@label:v1.5.0",
            "--baseline",
            "@label:v1.4.0",
            "--results",
        ])
        .arg(&results)
        .arg("-o")
        .arg(&page)
        .assert()
        .success();
    // The same page as with the runs' paths.
    let by_path_page = dir.path().join("by-path.html");
    perfreport()
        .arg("report")
        .arg(v2("latest"))
        .arg("--baseline")
        .arg(v2("baseline"))
        .arg("-o")
        .arg(&by_path_page)
        .assert()
        .success();
    let banner = |path: &std::path::Path| {
        let html = std::fs::read_to_string(path).unwrap();
        let start = html.find("class=\"verdict-parts").expect("a verdict");
        html[start..start + 200].to_string()
    };
    assert!(
        banner(&page).contains("No performance regression"),
        "{}",
        banner(&page)
    );
    assert_eq!(banner(&page), banner(&by_path_page));
    perfreport()
        .args(["check", "@label:v9", "--results"])
        .arg(&results)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("@label:v9: no such run"));
}

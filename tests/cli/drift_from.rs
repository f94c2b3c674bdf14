//! `compare --drift-from`: run-to-run drift measured on reference runs of the baseline's build,
//! and `--correction`.

use super::{fixture, perfreport, regressed};

/// The quiet battery's A/A runs other than `skip`, as `--drift-from` options.
fn reference_args(skip: &str) -> Vec<String> {
    (1..=12)
        .map(|i| format!("run{i:02}"))
        .filter(|name| name != skip)
        .flat_map(|name| {
            let path = fixture(&format!("calibration/quiet/aa/{name}_stats.csv"));
            ["--drift-from".to_string(), path.display().to_string()]
        })
        .collect()
}

fn pair() -> [std::path::PathBuf; 2] {
    [
        fixture("calibration/quiet/aa/run02_stats.csv"),
        fixture("calibration/quiet/slow30/run1_stats.csv"),
    ]
}

#[test]
fn reference_runs_let_one_run_a_side_find_what_the_allowance_alone_misses() {
    // GET /system/metrics +30 %, one run a side: within the machine-wide allowance…
    perfreport()
        .arg("compare")
        .args(pair())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("no regression"));
    // …but beyond the drift 11 earlier runs of the build show for that endpoint.
    let out = perfreport()
        .arg("compare")
        .args(pair())
        .args(reference_args("run02"))
        .args(["--format", "json"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(regressed(&v), ["GET /system/metrics"]);
    assert_eq!(v["options"]["reference"]["runs"], 11);
    assert_eq!(v["options"]["correction"], "bh");
    let avg = &v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap()["metrics"]["avg"];
    // 12 prior degrees of freedom plus 10 from the reference runs.
    assert_eq!(avg["df"], 22.0);
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().starts_with(
                "run-to-run drift measured endpoint by endpoint on 11 reference runs"
            )),
        "{notes:?}"
    );
}

#[test]
fn a_folder_of_repeats_is_a_reference_and_two_runs_are_too_few() {
    perfreport()
        .arg("compare")
        .args(pair())
        .arg("--drift-from")
        .arg(fixture("calibration/quiet/aa"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains("on 12 reference runs"));
    perfreport()
        .arg("compare")
        .args(pair())
        .args(reference_args("run02").into_iter().take(4))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--drift-from names 2 run(s); drift needs at least 3 runs of one build",
        ));
}

#[test]
fn correction_is_chosen_by_name() {
    // Every endpoint +50 %, one run a side with reference runs: several endpoints' evidence adds
    // up under Benjamini–Hochberg; Holm judges each against the whole family.
    let all50 = [
        fixture("calibration/quiet/aa/run02_stats.csv"),
        fixture("calibration/quiet/all50/run1_stats.csv"),
    ];
    let count = |correction: &str| -> usize {
        let out = perfreport()
            .arg("compare")
            .args(&all50)
            .args(reference_args("run02"))
            .args(["--format", "json", "--correction", correction])
            .assert();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        regressed(&v).len()
    };
    let (bh, holm, none) = (count("bh"), count("holm"), count("none"));
    assert!(
        holm <= bh && bh <= none,
        "holm {holm}, bh {bh}, none {none}"
    );
    assert!(bh > holm, "holm {holm}, bh {bh}");
    perfreport()
        .args(["compare", "--correction", "bonferroni"])
        .args(&all50)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "unknown correction `bonferroni`; expected bh, holm or none",
        ));
}

/// Archives `runs` of a battery folder under `label`.
fn archive_all(results: &std::path::Path, folder: &str, runs: &[&str], label: &str) {
    for run in runs {
        perfreport()
            .arg("archive")
            .arg(fixture(&format!("calibration/quiet/{folder}/{run}")))
            .args(["--label", label, "--results"])
            .arg(results)
            .assert()
            .success();
    }
}

#[test]
fn archived_repeats_are_named_as_a_group_with_all() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let repeats = ["run01", "run03", "run04", "run05", "run06", "run07"];
    archive_all(&results, "aa", &repeats, "main");
    archive_all(&results, "slow30", &["run1", "run2", "run3"], "next");

    // Every run labelled `main` against every run labelled `next`: 6 v 3.
    let out = perfreport()
        .args([
            "compare",
            "@all:main",
            "@all:next",
            "--format",
            "json",
            "--results",
        ])
        .arg(&results)
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["baseline"]["runs"], 6);
    assert_eq!(v["latest"]["runs"], 3);

    // The archived repeats as reference runs for one run a side.
    let out = perfreport()
        .arg("compare")
        .arg(fixture("calibration/quiet/aa/run08_stats.csv"))
        .arg(fixture("calibration/quiet/slow30/run4_stats.csv"))
        .args(["--drift-from", "@all:main", "--results"])
        .arg(&results)
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("on 6 reference runs"), "{text}");

    perfreport()
        .args(["archive", "@all:main", "--label", "again", "--results"])
        .arg(&results)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "@all:main names 6 runs; archive takes one run",
        ));
    perfreport()
        .args(["compare", "@all:nothing", "@latest", "--results"])
        .arg(&results)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("@all:nothing: no such run"));
}

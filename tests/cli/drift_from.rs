//! `compare --drift-from`: run-to-run drift measured on reference runs of the baseline's build,
//! and `--correction`.

use super::{fixture, perfreport};

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
    let regressed: Vec<&str> = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["verdict"] == "regressed")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(regressed, ["/system/metrics"]);
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
        v["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["verdict"] == "regressed")
            .count()
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

//! The committed JSON Schemas (`docs/schema/*.schema.json`) describe what the commands really
//! print: each schema compiles (against the 2020-12 meta-schema) and real output of its
//! command, from several kinds of input, validates against it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{fixture, perfreport};

fn schema_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(format!("{name}.schema.json"))
}

/// Fails with every validation error when `instance` does not match the schema `name`.
pub(crate) fn assert_valid(name: &str, instance: &Value, what: &str) {
    let path = schema_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = format!("file:///{name}.schema.json");
    compiler.add_resource(&url, schema).expect("schema added");
    let index = compiler
        .compile(&url, &mut schemas)
        .unwrap_or_else(|e| panic!("{name}.schema.json does not compile: {e}"));
    if let Err(e) = schemas.validate(instance, index) {
        panic!("{what} does not match {name}.schema.json: {e:#}");
    }
}

/// The JSON standard output of `perfreport ARGS` (any exit code but 2).
fn json_of(args: &[&str], paths: &[&Path]) -> Value {
    let out = perfreport()
        .args(args)
        .args(paths)
        .output()
        .expect("perfreport runs");
    assert_ne!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the output is JSON")
}

#[test]
fn summary_and_compare_match_their_schemas() {
    let base = fixture("v2-pair/baseline/baseline");
    let latest = fixture("v2-pair/latest/latest");
    let (groups_base, groups_latest) = (fixture("groups/baseline"), fixture("groups/latest"));
    for (what, paths, extra) in [
        ("one run", vec![&base], &[][..]),
        ("a pooled group", vec![&groups_base], &["--pool"][..]),
        (
            "1.x, 2.47 and failing runs",
            vec![
                &fixture("v1/v1run"),
                &fixture("shared-2.47/baseline-1"),
                &fixture("many-failures"),
            ],
            &[][..],
        ),
        ("a stepped run", vec![&fixture("stepped/stepped")], &[][..]),
        (
            "Locust --json-file histograms",
            vec![&fixture("json-groups/baseline")],
            &[][..],
        ),
    ] {
        let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
        let args = [&["summary", "--format", "json"][..], extra].concat();
        assert_valid("summary", &json_of(&args, &paths), what);
    }
    let quiet = fixture("calibration/quiet");
    for (what, paths, extra) in [
        ("a pair", vec![&base, &latest], &[][..]),
        ("groups", vec![&groups_base, &groups_latest], &[][..]),
        (
            "reference runs",
            vec![
                &fixture("shared-2.47/baseline-1"),
                &fixture("shared-2.47/latest-1"),
            ],
            &["--drift-from", quiet.to_str().unwrap()][..],
        ),
        (
            "APDEX at another T",
            vec![
                &fixture("json-groups/baseline"),
                &fixture("json-groups/latest"),
            ],
            &["--apdex-t", "300ms"][..],
        ),
    ] {
        let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
        let args = [&["compare", "--format", "json"][..], extra].concat();
        assert_valid("compare", &json_of(&args, &paths), what);
    }
}

#[test]
fn check_and_signoff_match_their_schemas() {
    for (run, tier) in [
        ("v2-pair/latest/latest", "medium"),
        ("shared-2.47/baseline-1", "light"),
        ("stepped/stepped", "light"),
    ] {
        let json = json_of(
            &["check", "--format", "json", "--tier", tier],
            &[&fixture(run)],
        );
        assert_valid("check", &json, run);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signoff");
    perfreport()
        .args(["signoff", "--no-archive", "--run"])
        .arg(format!(
            "light={}",
            fixture("shared-2.47/baseline-1").display()
        ))
        .arg("--run")
        .arg(format!(
            "medium={}",
            fixture("v2-pair/latest/latest").display()
        ))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(out.join("signoff.json")).unwrap();
    assert_valid(
        "signoff",
        &serde_json::from_str(&text).unwrap(),
        "signoff.json",
    );
}

#[test]
fn archive_outputs_match_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    for side in ["baseline", "latest"] {
        for run in ["run1", "run2", "run3"] {
            perfreport()
                .arg("archive")
                .arg(fixture(&format!("groups/{side}/{run}")))
                .args(["--label", side, "--results"])
                .arg(&results)
                .assert()
                .success();
        }
    }
    let r: &[&Path] = &[&results];
    for (name, args) in [
        ("list", &["list", "--format", "json", "--results"][..]),
        ("history", &["history", "--format", "json", "--results"][..]),
        ("verify", &["verify", "--format", "json", "--results"][..]),
    ] {
        assert_valid(name, &json_of(args, r), "an archive of six runs");
    }
    // Every kind of problem verify reports.
    let run = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("manifest.json").is_file())
        .unwrap();
    let file = |suffix: &str| {
        std::fs::read_dir(&run)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(suffix))
            .unwrap()
    };
    std::fs::write(file("_stats.csv"), "changed").unwrap();
    std::fs::remove_file(file("_failures.csv")).unwrap();
    std::fs::write(run.join("extra.txt"), "extra").unwrap();
    let json = json_of(&["verify", "--format", "json", "--results"], r);
    assert_eq!(json["issues"].as_array().unwrap().len(), 3, "{json}");
    assert_valid("verify", &json, "a tampered archive");
}

/// A schema that accepts anything would pass every test above: each one must refuse output
/// with a required field missing or of the wrong type.
#[test]
fn the_schemas_refuse_wrong_output() {
    let good = json_of(
        &["compare", "--format", "json"],
        &[
            &fixture("v2-pair/baseline/baseline"),
            &fixture("v2-pair/latest/latest"),
        ],
    );
    for broken in [
        {
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove("regressed");
            v
        },
        {
            let mut v = good.clone();
            v["endpoints"][0]["verdict"] = Value::from("worse");
            v
        },
        {
            let mut v = good.clone();
            v["aggregated"]["metrics"]["p95"]["p_value"] = Value::from("small");
            v
        },
    ] {
        let path = schema_path("compare");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.add_resource("file:///c.json", schema).unwrap();
        let index = compiler.compile("file:///c.json", &mut schemas).unwrap();
        assert!(schemas.validate(&broken, index).is_err());
    }
}

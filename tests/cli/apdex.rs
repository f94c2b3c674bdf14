//! APDEX in `summary`, `check` and `compare`, against scores counted independently in Python
//! from the recorded Locust `--json-file` (see `src/stats/apdex.rs`).

use super::{fixture, perfreport, portable};

fn json(args: &[&str]) -> serde_json::Value {
    let out = perfreport().args(args).output().unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn summary_json_has_exact_apdex_from_the_json_file() {
    let run = fixture("json-groups/baseline/run1_stats.csv");
    let v = json(&["summary", run.to_str().unwrap(), "--format", "json"]);
    let agg = &v[0]["aggregated"]["apdex"];
    assert_eq!(agg["t_ms"], 500.0);
    assert_eq!(agg["exact"], true);
    // 1098 satisfied + 110 tolerating / 2 of 1212 requests in run1.json.
    assert!((agg["score"].as_f64().unwrap() - 0.9513201320132013).abs() < 1e-12);
    let v = json(&[
        "summary",
        run.to_str().unwrap(),
        "--format",
        "json",
        "--apdex-t",
        "300ms",
    ]);
    let metrics = v[0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .unwrap();
    // 193 + 22 / 2 of 215.
    assert!((metrics["apdex"]["score"].as_f64().unwrap() - 0.9488372093023256).abs() < 1e-12);
    // Without a histogram: approximate, marked.
    let plain = fixture("shared-2.47/baseline-1/baseline-1_stats.csv");
    let v = json(&["summary", plain.to_str().unwrap(), "--format", "json"]);
    assert_eq!(v[0]["aggregated"]["apdex"]["exact"], false);
    perfreport()
        .args(["summary", plain.to_str().unwrap(), "--apdex-t", "0"])
        .assert()
        .code(2);
}

#[test]
fn check_judges_apdex_thresholds_with_the_sla_files_t() {
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"GET /system/metrics\" = [\"apdex >= 0.95\", \"apdex(300ms) >= 0.9\"]\n\
         [apdex_t]\n\"/system/metrics\" = \"100ms\"\n",
    )
    .unwrap();
    let run = fixture("json-groups/baseline/run1_stats.csv");
    let out = perfreport()
        .args(["check", run.to_str().unwrap(), "--format", "json", "--sla"])
        .arg(&sla)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    // T = 100 ms from [apdex_t]: 10 + 198 / 2 of 215 = 0.5070 < 0.95.
    assert_eq!(checks[0]["expression"], "apdex >= 0.95");
    assert!((checks[0]["actual"].as_f64().unwrap() - 0.5069767441860465).abs() < 1e-12);
    assert_eq!(checks[0]["passed"], false);
    // T = 300 ms written in the threshold: 0.9488 >= 0.9.
    assert_eq!(checks[1]["passed"], true, "{v:#}");
}

#[test]
fn compare_shows_apdex_of_both_sides_with_their_scores() {
    let b = fixture("json-groups/baseline");
    let l = fixture("json-groups/latest");
    let v = json(&[
        "compare",
        b.to_str().unwrap(),
        l.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let agg = v["apdex"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Aggregated")
        .unwrap();
    assert_eq!(agg["baseline"]["exact"], true);
    let change = agg["change"].as_f64().unwrap();
    let diff =
        agg["latest"]["score"].as_f64().unwrap() - agg["baseline"]["score"].as_f64().unwrap();
    assert!((change - diff).abs() < 1e-12);
}

/// A run of the recorded calibration battery (`fixtures/calibration/`).
fn cal(rel: &str) -> std::path::PathBuf {
    fixture(&format!("calibration/{rel}"))
}

#[test]
fn apdex_is_judged_once_its_t_is_chosen() {
    // Three A/A runs against three with GET /system/metrics 30 % slower (the calibration
    // battery): at T = 100 ms its APDEX drops from 0.57 to 0.50 and the gate fails on it alone.
    let mut cmd = perfreport();
    cmd.args(["compare", "--metrics", "apdex", "--apdex-t", "100ms"]);
    for i in 1..=3 {
        cmd.arg("--baseline").arg(cal(&format!("aa/run0{i}")));
        cmd.arg("--latest").arg(cal(&format!("slow30/run{i}")));
    }
    let out = cmd.args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", portable(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(super::regressed(&json), ["GET /system/metrics"]);
    let metrics = json["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "/system/metrics")
        .map(|e| e["metrics"]["apdex"].clone())
        .unwrap();
    assert_eq!(metrics["judgement"], "significant");
    assert_eq!(metrics["approximate"], false);
    assert!(metrics["delta"].as_f64().unwrap() < -0.05);
    assert_eq!(json["options"]["apdex_t_ms"], 100.0);

    // Without a chosen T it is shown at 500 ms, not judged, and outside the family.
    let out = perfreport()
        .arg("compare")
        .arg(cal("aa/run01"))
        .arg(cal("slow30/run1"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["aggregated"]["metrics"]["apdex"]["judgement"],
        "not_selected"
    );
    assert_eq!(json["options"]["apdex_t_ms"], 500.0);
}

#[test]
fn report_judges_apdex_at_the_sla_files_t() {
    // The same groups in an HTML report: the SLA's [apdex_t] chooses T, so APDEX is judged and
    // the material-changes table shows it regressed.
    let dir = tempfile::tempdir().unwrap();
    let sla = dir.path().join("sla.toml");
    std::fs::write(
        &sla,
        "[endpoints]\n\"*\" = [\"error_rate < 50%\"]\n[apdex_t]\n\"*\" = \"100ms\"\n",
    )
    .unwrap();
    let page = dir.path().join("report.html");
    let mut cmd = perfreport();
    cmd.arg("report");
    for i in 1..=3 {
        cmd.arg(cal(&format!("slow30/run{i}")));
    }
    cmd.arg("--baseline").arg(cal("aa")).arg("--sla").arg(&sla);
    cmd.arg("-o").arg(&page);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", portable(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html
        .find("<td>GET &#x2f;system&#x2f;metrics</td><td>apdex</td>")
        .expect("an apdex row for GET /system/metrics in the changes table");
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    assert!(row.contains("<td>0.57</td><td>0.50</td>"), "{row}");
    assert!(row.ends_with("<td class=\"bad\">regressed</td>"), "{row}");
}

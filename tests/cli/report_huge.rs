//! `perfreport report` on response times near `f64::MAX`: every chart axis must stay finite
//! (plotters' tick search never ended on an infinite axis), so the page is written promptly.

use std::time::Duration;

use super::perfreport;

/// Longest a report may take (a debug build on a busy machine); a hang is killed and fails.
const LIMIT: Duration = Duration::from_secs(60);

const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";

const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size";

/// A run whose every response time (and throughput) is `v`, with a five-row history.
fn write_run(dir: &std::path::Path, name: &str, v: &str) {
    let times = [v; 11].join(",");
    let row = |kind: &str, label: &str| {
        format!("{kind},{label},100,1,{v},{v},{v},{v},10,{v},0.0,{times}")
    };
    let stats = format!(
        "{STATS_HEADER}\n{}\n{}\n",
        row("GET", "/x"),
        row("", "Aggregated")
    );
    std::fs::write(dir.join(format!("{name}_stats.csv")), stats).unwrap();
    let mut history = format!("{HISTORY_HEADER}\n");
    for i in 0..5 {
        history.push_str(&format!(
            "{},10,,Aggregated,{v},0,{times},{},0,{v},{v},{v},{v},10\n",
            1_795_861_797 + i,
            20 * (i + 1)
        ));
    }
    std::fs::write(dir.join(format!("{name}_stats_history.csv")), history).unwrap();
}

#[test]
fn report_on_huge_values_finishes_and_writes_a_page() {
    let dir = tempfile::tempdir().unwrap();
    for (i, v) in ["9e307", "1.7976931348623157e308", "1e308"]
        .iter()
        .enumerate()
    {
        let name = format!("huge{i}");
        write_run(dir.path(), &name, v);
        let page = format!("{name}.html");
        perfreport()
            .current_dir(dir.path())
            .timeout(LIMIT)
            .args(["report", &name, "-o", &page])
            .assert()
            .success();
        let html = std::fs::read_to_string(dir.path().join(&page)).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"), "{v}");
        assert!(html.matches("<svg").count() >= 3, "{v}: charts drawn");
    }
    write_run(dir.path(), "small", "120");
    perfreport()
        .current_dir(dir.path())
        .timeout(LIMIT)
        .args(["report", "huge0", "--baseline", "small", "-o", "pair.html"])
        .assert()
        .success();
    assert!(dir.path().join("pair.html").is_file());
}

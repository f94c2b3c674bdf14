//! End-to-end tests of the `perfreport` binary: one test binary (so `cargo test` links once),
//! one module per command.

mod apdex;
mod archive;
mod archive_history;
mod archive_hostile;
mod archive_props;
mod browser;
mod calibration;
mod capacity;
mod check;
mod compare;
mod completions;
mod drift_from;
mod driver;
mod driver_stages;
mod escaping;
mod groups;
mod inputs;
mod report;
mod report_huge;
mod report_pages;
mod schema;
mod signoff;
mod stages;
mod summary;

use std::path::PathBuf;

use assert_cmd::Command;

/// The binary under test, with colour and the environment pinned down.
pub fn perfreport() -> Command {
    let mut cmd = Command::cargo_bin("perfreport").expect("binary built");
    cmd.env("NO_COLOR", "1").env_remove("RUST_LOG");
    cmd
}

/// The endpoints a `compare --format json` output calls regressed, as `METHOD name`.
pub fn regressed(v: &serde_json::Value) -> Vec<String> {
    v["endpoints"]
        .as_array()
        .expect("an endpoints array")
        .iter()
        .filter(|e| e["verdict"] == "regressed")
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap_or_default(),
                e["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Where the fixtures were recorded: their tracebacks name files under it.
const RECORDED_IN: &str = "/work/main";

/// The output as text, with the repository path (and the one the fixtures were recorded in)
/// replaced so snapshots are the same in any checkout.
pub fn portable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .replace(env!("CARGO_MANIFEST_DIR"), "<repo>")
        .replace(RECORDED_IN, "<repo>")
}

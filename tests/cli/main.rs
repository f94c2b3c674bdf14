//! End-to-end tests of the `perfreport` binary: one test binary (so `cargo test` links once),
//! one module per command.

mod archive;
mod compare;
mod summary;

use std::path::PathBuf;

use assert_cmd::Command;

/// The binary under test, with colour and the environment pinned down.
pub fn perfreport() -> Command {
    let mut cmd = Command::cargo_bin("perfreport").expect("binary built");
    cmd.env("NO_COLOR", "1").env_remove("RUST_LOG");
    cmd
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// The output as text, with the repository path replaced so snapshots are portable.
pub fn portable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace(env!("CARGO_MANIFEST_DIR"), "<repo>")
}

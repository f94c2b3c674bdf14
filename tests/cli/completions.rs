//! `perfreport completions SHELL`: completion scripts generated from the command line itself.

use super::perfreport;

#[test]
fn completions_name_every_subcommand_and_option() {
    let out = perfreport()
        .args(["completions", "bash"])
        .assert()
        .success();
    let script = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(script.starts_with("_perfreport() {"), "{}", &script[..80]);
    for word in [
        "compare",
        "signoff",
        "--drift-from",
        "--correction",
        "completions",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    let out = perfreport().args(["completions", "zsh"]).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).starts_with("#compdef perfreport"));
    perfreport().args(["completions", "tcsh"]).assert().code(2);
}

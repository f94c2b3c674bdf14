//! `perfreport completions SHELL` and `perfreport man`: completion scripts and man pages generated
//! from the command line itself.

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

#[test]
fn man_pages_for_perfreport_and_each_subcommand() {
    let out = perfreport().arg("man").assert().success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(page.contains(".TH perfreport"), "{}", &page[..200]);
    assert!(
        page.contains("compare"),
        "the main page lists the subcommands"
    );
    let out = perfreport().args(["man", "compare"]).assert().success();
    let page = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(page.contains(".TH perfreport-compare"), "{}", &page[..200]);
    assert!(
        page.contains("drift\\-from"),
        "the compare page documents its options"
    );
    let out = perfreport().args(["man", "nope"]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("no subcommand `nope`"));
}

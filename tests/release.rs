//! What a release ships besides the scanner: `--version` naming the commit,
//! shell completions and man pages generated from the clap definitions.

mod common;

use std::process::Command;

use common::*;

fn run(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tempdir");
    npmrc_guard(dir.path()).args(args).output().expect("runs")
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let home = tempfile::tempdir().expect("tempdir");
    let head = hermetic(&mut Command::new("git"), home.path())
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git runs");
    assert!(head.status.success(), "tests run from a git checkout");
    let head = text(&head.stdout).trim().to_string();
    for flag in ["--version", "-V"] {
        let out = run(&[flag]);
        assert_eq!(out.status.code(), Some(0));
        let v = text(&out.stdout);
        assert!(
            v.starts_with(&format!(
                "npmrc-guard {} ({head} ",
                env!("CARGO_PKG_VERSION")
            )),
            "{v}"
        );
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        for word in ["npmrc-guard", "scan", "--staged", "--history", "install"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    // The bash one at least is checked by its shell.
    let out = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("npmrc-guard.bash");
    std::fs::write(&file, &out.stdout).expect("write");
    let check = hermetic(&mut Command::new("bash"), dir.path())
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash");
    assert!(check.status.success(), "{}", text(&check.stderr));
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages() {
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie"),
        "roff: {}",
        &page[..40.min(page.len())]
    );
    assert!(page.contains(".TH npmrc-guard 1"), "{page}");
    for sub in [
        "check",
        "scan",
        "fix",
        "install",
        "uninstall",
        "pre-push",
        "completions",
    ] {
        assert!(
            page.contains(&format!("npmrc\\-guard\\-{}(1)", sub.replace('-', "\\-"))),
            "no {sub}"
        );
        let out = run(&["man", sub]);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        let page = text(&out.stdout);
        assert!(page.contains(&format!(".TH npmrc-guard-{sub} 1")), "{page}");
        // Global options are on every command's page.
        assert!(page.contains("\\-\\-format"), "{sub}: no --format");
    }
    let out = run(&["man", "no-such-command"]);
    assert_eq!(out.status.code(), Some(2), "an unknown command has no page");
    assert!(text(&out.stderr).contains("no command called"));
}

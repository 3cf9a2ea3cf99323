//! The global and selection options, through the real binary: `--include`
//! (command line and config file), `--exit-zero`, `-q`/`--quiet`.

mod common;

use std::process::Output;

use common::*;
use serde_json::Value;

fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

fn paths(out: &Output) -> Vec<String> {
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

/// A repository with a literal in `.npmrc` and one in
/// `config/deploy.npmrc`, a file the default globs do not name.
fn two_files() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    let (a, b) = (npm_token(1501), npm_token(1502));
    repo.write(".npmrc", &literal_npmrc(&a));
    repo.write("config/deploy.npmrc", &literal_npmrc(&b));
    (repo, vec![a, b])
}

#[test]
fn include_names_the_files_to_scan() {
    let (repo, secrets) = two_files();
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc"], "the default globs only");

    // On the command line too, globs add to the default (SPEC: nothing
    // narrows it, so a pre-commit config in the tree cannot either).
    let out = repo.tool(&["scan", "--format", "json", "--include", "config/*.npmrc"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc", "config/deploy.npmrc"]);
    assert_no_secret(&out, &secrets);

    // Repeatable; a glob that matches nothing adds nothing.
    let out = repo.tool(&[
        "scan",
        "--format",
        "json",
        "--include",
        "nothing/*",
        "--include",
        "**/.npmrc",
        "--include",
        "config/deploy.npmrc",
    ]);
    assert_eq!(paths(&out), [".npmrc", "config/deploy.npmrc"]);
    // `*` does not cross `/`.
    let out = repo.tool(&["scan", "--format", "json", "--include", "*.npmrc"]);
    assert_eq!(paths(&out), [".npmrc"]);
}

#[test]
fn include_reaches_the_staged_scan_and_the_fix() {
    let (repo, secrets) = two_files();
    repo.git(&["add", "."]);
    let out = repo.tool(&[
        "scan",
        "--staged",
        "--format",
        "json",
        "--include",
        "config/*",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc", "config/deploy.npmrc"]);

    let out = repo.tool(&[
        "fix",
        "--staged",
        "--include",
        "config/*",
        "--discard-secrets",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, &secrets);
    let fixed = std::fs::read_to_string(repo.root.join("config/deploy.npmrc")).expect("read");
    assert!(
        !fixed.contains(&secrets[1]),
        "config/deploy.npmrc not fixed"
    );
    let staged = repo.git(&["show", ":config/deploy.npmrc"]);
    assert!(!staged.contains(&secrets[1]), "the index blob not fixed");
    // And the default glob's file beside it.
    let root = std::fs::read_to_string(repo.root.join(".npmrc")).expect("read");
    assert!(!root.contains(&secrets[0]), ".npmrc not fixed");
}

#[test]
fn a_config_file_cannot_narrow_the_scan() {
    // A commit that adds this file must not switch off its own scan.
    let (repo, _) = two_files();
    repo.write(".npmrc-guard.toml", "include = [\"nothing/*\"]\n");
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc"]);
    repo.git(&["add", "."]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc"]);
    // With --include on the command line, the config adds to that.
    repo.write(".npmrc-guard.toml", "include = [\"config/*\"]\n");
    let out = repo.tool(&["scan", "--format", "json", "--include", "**/.npmrc"]);
    assert_eq!(paths(&out), [".npmrc", "config/deploy.npmrc"]);
}

#[test]
fn include_from_the_config_file_adds_too() {
    let (repo, _) = two_files();
    repo.write(".npmrc-guard.toml", "include = [\"config/*.npmrc\"]\n");
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc", "config/deploy.npmrc"]);
    // --no-config drops it again.
    let out = repo.tool(&["scan", "--format", "json", "--no-config"]);
    assert_eq!(paths(&out), [".npmrc"]);
}

#[test]
fn a_bad_include_glob_is_an_error() {
    let (repo, _) = two_files();
    let out = repo.tool(&["scan", "--include", "config/[x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("error: invalid glob \"config/[x\""), "{err}");
    assert_eq!(stdout(&out), "", "no report for a run that failed");
}

#[test]
fn exit_zero_reports_but_does_not_block() {
    let t = npm_token(1503);
    let dir = npmrc_dir(literal_npmrc(&t));
    let out = npmrc_guard(dir.path())
        .args(["check", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    for args in [
        &["check", "--exit-zero", ".npmrc"][..],
        &["--exit-zero", "check", ".npmrc"],
    ] {
        let out = npmrc_guard(dir.path()).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            stdout(&out).contains(".npmrc:2:34 error[npm-token]"),
            "{args:?}: the finding is still reported: {}",
            stdout(&out)
        );
        assert_no_secret(&out, std::slice::from_ref(&t));
    }
    // Every format reports, and exits 0.
    for format in ["json", "sarif", "github"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "--exit-zero", "--format", format, ".npmrc"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{format}");
        assert!(stdout(&out).contains("npm-token"), "{format}");
    }
}

#[test]
fn exit_zero_still_fails_what_could_not_be_read() {
    let t = npm_token(1504);
    let dir = npmrc_dir(literal_npmrc(&t));
    let out = npmrc_guard(dir.path())
        .args(["check", "--exit-zero", ".npmrc", "missing.npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "a guard fails closed");
    assert!(text(&out.stderr).contains("missing.npmrc"));
    // And a bad config is still an error.
    std::fs::write(dir.path().join(".npmrc-guard.toml"), "nope = 1\n").expect("write");
    let out = npmrc_guard(dir.path())
        .args(["check", "--exit-zero", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn exit_zero_in_a_repository_scan() {
    let (repo, _) = two_files();
    let out = repo.tool(&["scan", "--exit-zero", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(paths(&out), [".npmrc"]);
}

#[test]
fn quiet_prints_nothing_when_nothing_was_found() {
    let dir = npmrc_dir(SAFE_NPMRC);
    let loud = npmrc_guard(dir.path())
        .args(["check", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(loud.status.code(), Some(0));
    assert_ne!(stdout(&loud), "", "without -q a clean run says so");
    for flag in ["-q", "--quiet"] {
        for args in [&["check", flag, ".npmrc"][..], &[flag, "check", ".npmrc"]] {
            let out = npmrc_guard(dir.path()).args(args).output().expect("runs");
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            assert_eq!(stdout(&out), "", "{args:?}");
            assert_eq!(text(&out.stderr), "", "{args:?}");
        }
    }
    // In a repository too.
    let repo = TestRepo::new();
    repo.write(".npmrc", SAFE_NPMRC);
    let out = repo.tool(&["scan"]);
    assert_ne!(stdout(&out), "");
    let out = repo.tool(&["scan", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn quiet_still_reports_findings() {
    let t = npm_token(1505);
    let dir = npmrc_dir(literal_npmrc(&t));
    let out = npmrc_guard(dir.path())
        .args(["check", "-q", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(".npmrc:2:34 error[npm-token]"));
    assert_no_secret(&out, std::slice::from_ref(&t));
    // A warning is a finding: shown, exit 0.
    let dir = npmrc_dir("//r.example/:_authToken=${NPM_TOKEN\n");
    let out = npmrc_guard(dir.path())
        .args(["check", "-q", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("warning[broken-interpolation]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn quiet_keeps_machine_readable_output() {
    // A program reading JSON or SARIF always gets a document.
    let dir = npmrc_dir(SAFE_NPMRC);
    for format in ["json", "sarif"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "-q", "--format", format, ".npmrc"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{format}");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("a JSON document");
        assert!(doc.is_object(), "{format}");
    }
}

#[test]
fn quiet_does_not_hide_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = npmrc_guard(dir.path())
        .args(["check", "-q", "missing.npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: missing.npmrc"),
        "{}",
        text(&out.stderr)
    );
}

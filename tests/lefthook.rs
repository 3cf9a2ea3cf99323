//! The README's lefthook recipe, run by the real lefthook: the pre-commit
//! command blocks a staged token, and the pre-push command checks what a
//! push sends in a repository made with `init`, `remote add` and `push`
//! (no `origin/HEAD`), reading what git gives the hook on standard input.

mod common;

use common::{npm_token, required, text, TestRepo};
use std::path::PathBuf;

const README: &str = include_str!("../README.md");
const RECIPE: &str = include_str!("../examples/lefthook/lefthook.yml");
const SCRIPT: &str = include_str!("../examples/lefthook/.lefthook/pre-push/npmrc-guard.sh");

#[test]
fn the_readme_shows_the_recipe_as_it_is() {
    assert!(
        README.contains(&format!("```yaml\n{RECIPE}```\n")),
        "README.md must show examples/lefthook/lefthook.yml byte for byte"
    );
    assert!(
        README.contains(&format!("```sh\n{SCRIPT}```\n")),
        "README.md must show examples/lefthook/.lefthook/pre-push/npmrc-guard.sh byte for byte"
    );
}

/// `.venv/bin/lefthook` (PyPI, installed by .ci/run) or one on PATH.
fn lefthook_path() -> Option<String> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_npmrc-guard"));
    let path = format!(
        "{}:{}:{}",
        bin.parent().expect("bin dir").display(),
        venv.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let found = std::process::Command::new("lefthook")
        .arg("version")
        .env("PATH", &path)
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(path);
    }
    assert!(
        !required(),
        "lefthook is missing (bash .ci/run installs it)"
    );
    eprintln!("skipped: lefthook is missing (bash .ci/run installs it)");
    None
}

#[test]
fn lefthook_runs_the_recipe_without_origin_head() {
    let Some(path) = lefthook_path() else { return };
    let repo = TestRepo::new();
    let git = |args: &[&str]| {
        let out = repo.git_cmd(args).env("PATH", &path).output().expect("git");
        (
            out.status.code(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        )
    };
    let bare = repo.dir.path().join("origin.git");
    repo.git(&["init", "-q", "--bare", bare.to_str().expect("utf-8")]);
    repo.git(&["remote", "add", "origin", bare.to_str().expect("utf-8")]);
    repo.write("lefthook.yml", RECIPE);
    repo.write(".lefthook/pre-push/npmrc-guard.sh", SCRIPT);
    let out = repo
        .command("lefthook")
        .arg("install")
        .env("PATH", &path)
        .output()
        .expect("lefthook runs");
    assert!(
        out.status.success(),
        "lefthook install: {}",
        text(&out.stderr)
    );

    // A clean first push: no origin/HEAD, nothing to find.
    repo.write(".npmrc", common::SAFE_NPMRC);
    repo.git(&["add", "."]);
    assert_eq!(git(&["commit", "-q", "-m", "initial"]).0, Some(0));
    let (code, log) = git(&["push", "-q", "-u", "origin", "main"]);
    assert_eq!(code, Some(0), "{log}");
    assert!(
        repo.git_out(&["rev-parse", "-q", "--verify", "origin/HEAD"])
            .status
            .code()
            != Some(0)
    );

    // The pre-commit command blocks a staged token.
    let token = npm_token(77);
    repo.write(".npmrc", &common::literal_npmrc(&token));
    repo.git(&["add", ".npmrc"]);
    let (code, log) = git(&["commit", "-q", "-m", "add a token"]);
    assert_ne!(code, Some(0), "the commit must be blocked: {log}");
    assert!(log.contains("npm-token"), "{log}");
    assert!(!log.contains(&token), "the log holds the whole token");

    // Committed past the hook and removed again: the push sends the token's
    // commit, and the pre-push command blocks it.
    assert_eq!(
        git(&["commit", "-q", "--no-verify", "-m", "add a token"]).0,
        Some(0)
    );
    repo.write(".npmrc", common::SAFE_NPMRC);
    assert_eq!(git(&["commit", "-q", "-am", "remove it"]).0, Some(0));
    let (code, log) = git(&["push", "-q", "origin", "main"]);
    assert_ne!(code, Some(0), "the push must be blocked: {log}");
    assert!(log.contains("npm-token"), "{log}");
    assert!(!log.contains(&token), "the log holds the whole token");
    let remote = repo.git(&["rev-parse", "origin/main"]);
    let local = repo.git(&["rev-parse", "HEAD"]);
    assert_ne!(remote, local, "the remote got the token");

    // A new branch without the token's commit pushes.
    repo.git(&["checkout", "-q", "-b", "clean", "origin/main"]);
    repo.write("package.json", "{}\n");
    repo.git(&["add", "package.json"]);
    assert_eq!(git(&["commit", "-q", "-m", "clean work"]).0, Some(0));
    let (code, log) = git(&["push", "-q", "origin", "clean"]);
    assert_eq!(code, Some(0), "{log}");
}

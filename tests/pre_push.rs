//! pre-push checks what the destination lacks: the commits reachable from
//! the pushed refs and from none of that remote's refs, in real git with
//! real bare remotes.

mod common;

use common::*;

/// A bare repository beside `repo`, added as remote `name`.
fn add_remote(repo: &TestRepo, name: &str) -> std::path::PathBuf {
    let bare = repo.dir.path().join(format!("{name}.git"));
    repo.git(&["init", "-q", "--bare", bare.to_str().expect("utf8")]);
    repo.git(&["remote", "add", name, bare.to_str().expect("utf8")]);
    bare
}

fn commit_file(repo: &TestRepo, path: &str, content: &str, msg: &str) {
    repo.write(path, content);
    repo.git(&["add", "-A"]);
    repo.commit_setup(msg);
}

fn install(repo: &TestRepo) {
    let out = repo.tool(&["install", "--hook", "pre-push"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `git push`; its success and everything it printed.
fn push(repo: &TestRepo, args: &[&str]) -> (bool, String) {
    let mut all = vec!["push", "-q"];
    all.extend_from_slice(args);
    let out = repo.git_out(&all);
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

/// The pre-push command as git runs it: `$1` the remote, the ref lines on
/// standard input.
fn pre_push(repo: &TestRepo, remote: &str, lines: &str) -> std::process::Output {
    let mut cmd = repo.command(env!("CARGO_BIN_EXE_npmrc-guard"));
    cmd.args(["pre-push", remote, "url"]);
    output_with_stdin(&mut cmd, lines.as_bytes())
}

fn rev(repo: &TestRepo, what: &str) -> String {
    repo.git(&["rev-parse", what]).trim().to_string()
}

#[test]
fn a_token_on_one_remote_does_not_pass_to_another() {
    let repo = TestRepo::new();
    let token = npm_token(2201);
    commit_file(&repo, ".npmrc", &literal_npmrc(&token), "leak");
    commit_file(&repo, ".npmrc", SAFE_NPMRC, "removed again");
    add_remote(&repo, "private");
    add_remote(&repo, "public");
    // The private remote has it already (pushed before the hook was there).
    assert!(push(&repo, &["private", "main"]).0);
    install(&repo);
    let (ok, said) = push(&repo, &["public", "main"]);
    assert!(!ok, "the leak went to remote public unchecked: {said}");
    assert!(said.contains("npm-token"), "{said}");
    assert_no_secret_text(&said, &token);
    // To the remote that has it already, the push is not new content.
    commit_file(&repo, "README", "x\n", "more");
    let (ok, said) = push(&repo, &["private", "main"]);
    assert!(ok, "{said}");
}

/// A step appended to the installed pre-push hook cannot turn its
/// refusal into a push (review 5, #10).
#[test]
fn a_step_appended_to_the_pre_push_hook_cannot_swallow_the_block() {
    let repo = TestRepo::new();
    commit_file(&repo, ".npmrc", SAFE_NPMRC, "clean");
    add_remote(&repo, "origin");
    install(&repo);
    let hook = repo.root.join(".git/hooks/pre-push");
    let mut script = std::fs::read_to_string(&hook).expect("hook");
    script.push_str("echo my-other-check-ran\ntrue\n");
    std::fs::write(&hook, script).expect("write hook");
    let token = npm_token(2203);
    commit_file(&repo, ".npmrc", &literal_npmrc(&token), "leak");
    let (ok, said) = push(&repo, &["origin", "main"]);
    assert!(!ok, "pushed through an appended step: {said}");
    assert!(said.contains("npm-token"), "{said}");
    assert_no_secret_text(&said, &token);
}

#[test]
fn a_new_literal_on_an_existing_branch_is_blocked() {
    let repo = TestRepo::new();
    commit_file(&repo, ".npmrc", SAFE_NPMRC, "clean");
    add_remote(&repo, "origin");
    assert!(push(&repo, &["origin", "main"]).0);
    let old = rev(&repo, "HEAD");
    let token = npm_token(2202);
    commit_file(&repo, ".npmrc", &literal_npmrc(&token), "leak");
    let new = rev(&repo, "HEAD");
    // The command itself, exactly: exit 1.
    let out = pre_push(
        &repo,
        "origin",
        &format!("refs/heads/main {new} refs/heads/main {old}\n"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("npm-token"));
    assert_no_secret(&out, std::slice::from_ref(&token));
    // Through git.
    install(&repo);
    let (ok, said) = push(&repo, &["origin", "main"]);
    assert!(
        !ok,
        "a new literal on an existing branch was pushed: {said}"
    );
}

#[test]
fn a_clean_push_on_top_of_an_old_leak_on_that_remote_passes() {
    let repo = TestRepo::new();
    let token = npm_token(2203);
    commit_file(&repo, ".npmrc", &literal_npmrc(&token), "old leak");
    add_remote(&repo, "origin");
    assert!(push(&repo, &["origin", "main"]).0);
    let old = rev(&repo, "HEAD");
    commit_file(&repo, "src/index.js", "x\n", "clean work");
    let new = rev(&repo, "HEAD");
    let out = pre_push(
        &repo,
        "origin",
        &format!("refs/heads/main {new} refs/heads/main {old}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // A new branch to the same remote: the old leak is there already.
    let zero = "0".repeat(40);
    let out = pre_push(
        &repo,
        "origin",
        &format!("refs/heads/topic {new} refs/heads/topic {zero}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    install(&repo);
    let (ok, said) = push(&repo, &["origin", "main"]);
    assert!(ok, "{said}");
}

#[test]
fn a_new_branch_to_a_remote_with_nothing_is_checked_whole() {
    let repo = TestRepo::new();
    let token = npm_token(2204);
    commit_file(&repo, ".npmrc", &literal_npmrc(&token), "leak");
    commit_file(&repo, ".npmrc", SAFE_NPMRC, "removed");
    let tip = rev(&repo, "HEAD");
    // Pushing to a URL, not a named remote: no tracking refs hide anything.
    let zero = "0".repeat(40);
    let out = pre_push(
        &repo,
        "/somewhere/else.git",
        &format!("refs/heads/main {tip} refs/heads/main {zero}\n"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // A deletion pushes nothing.
    let out = pre_push(
        &repo,
        "origin",
        &format!("(delete) {zero} refs/heads/gone {tip}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

fn assert_no_secret_text(said: &str, secret: &str) {
    assert!(!said.contains(secret), "output holds the whole secret");
}

/// The same rules in a SHA-256 repository, which libgit2 cannot open: git's
/// plumbing walks what the destination lacks.
#[test]
fn sha256_pushes_are_checked_by_plumbing() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    let sha256_remote = |name: &str| {
        let bare = repo.dir.path().join(format!("{name}.git"));
        let path = bare.to_str().expect("utf8");
        repo.git(&["init", "-q", "--bare", "--object-format=sha256", path]);
        repo.git(&["remote", "add", name, path]);
    };
    let token = npm_token(2210);
    commit_file(&repo, ".npmrc", &literal_npmrc(&token), "leak");
    commit_file(&repo, ".npmrc", SAFE_NPMRC, "removed again");
    sha256_remote("private");
    sha256_remote("public");
    assert!(push(&repo, &["private", "main"]).0);
    install(&repo);
    let (ok, said) = push(&repo, &["public", "main"]);
    assert!(!ok, "the leak went to remote public unchecked: {said}");
    assert!(said.contains("npm-token"), "{said}");
    assert_no_secret_text(&said, &token);
    // Clean work on top of what the remote has goes through.
    commit_file(&repo, "README", "x\n", "more");
    let (ok, said) = push(&repo, &["private", "main"]);
    assert!(ok, "{said}");
    // A new literal on the existing branch does not.
    let other = npm_token(2211);
    commit_file(&repo, "pkg/.npmrc", &literal_npmrc(&other), "new leak");
    let (ok, said) = push(&repo, &["private", "main"]);
    assert!(!ok, "{said}");
    assert_no_secret_text(&said, &other);
}

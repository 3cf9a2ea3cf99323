//! Every repository git can commit to: SHA-256 object format, split index,
//! sparse index. A clean commit passes, a dirty one is blocked, through the
//! real hook where git runs it (real git).

mod common;

use common::*;

fn install(repo: &TestRepo) {
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `git commit` through the installed hook, with no terminal.
fn commit(repo: &TestRepo, msg: &str) -> std::process::Output {
    let mut cmd = repo.git_cmd(&["commit", "-q", "-m", msg]);
    cmd.stdin(std::process::Stdio::null());
    cmd.output().expect("git runs")
}

fn staged_status(repo: &TestRepo) -> Option<i32> {
    repo.tool(&["scan", "--staged"]).status.code()
}

#[test]
fn sha256_repositories_commit_clean_and_block_dirty() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    install(&repo);
    // The first commit, on an unborn branch.
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    let out = commit(&repo, "clean");
    assert!(
        out.status.success(),
        "clean commit blocked: {}",
        text(&out.stderr)
    );
    let token = npm_token(2501);
    repo.write("pkg/.npmrc", &literal_npmrc(&token));
    repo.git(&["add", "pkg/.npmrc"]);
    assert_eq!(staged_status(&repo), Some(1));
    let out = commit(&repo, "dirty");
    assert!(!out.status.success(), "dirty commit passed");
    assert!(text(&out.stdout).contains("pkg/.npmrc") || text(&out.stderr).contains("pkg/.npmrc"));
    assert_no_secret(&out, std::slice::from_ref(&token));
    // Unrelated work still commits.
    repo.git(&["reset", "-q"]);
    repo.write("README", "x\n");
    repo.git(&["add", "README"]);
    let out = commit(&repo, "readme");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_split_index_is_read_exactly() {
    let repo = TestRepo::new();
    repo.write(".npmrc", SAFE_NPMRC);
    repo.write("a/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "-A"]);
    repo.commit_setup("base");
    repo.git(&["update-index", "--split-index"]);
    install(&repo);
    repo.write("README", "x\n");
    repo.git(&["add", "README"]);
    assert_eq!(staged_status(&repo), Some(0));
    let out = commit(&repo, "clean");
    assert!(
        out.status.success(),
        "clean commit blocked: {}",
        text(&out.stderr)
    );
    repo.write("a/.npmrc", &literal_npmrc(&npm_token(2502)));
    repo.git(&["add", "a/.npmrc"]);
    assert_eq!(staged_status(&repo), Some(1));
    assert!(!commit(&repo, "dirty").status.success());
    // `git commit -a` with a split index: git's temporary index.
    repo.git(&["reset", "-q"]);
    let out = repo.git_out(&["commit", "-q", "-a", "-m", "all"]);
    assert!(!out.status.success(), "commit -a passed a literal");
}

/// A repository with `b/.npmrc` outside the sparse cone, collapsed into a
/// directory entry of a sparse index.
fn sparse() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("a/f", "x\n");
    repo.write("b/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "-A"]);
    repo.commit_setup("base");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "a"]);
    let listed = repo.git(&["ls-files", "--sparse"]);
    assert!(
        listed.lines().any(|l| l == "b/"),
        "not a sparse index: {listed}"
    );
    repo
}

#[test]
fn a_sparse_index_commits_clean() {
    let repo = sparse();
    install(&repo);
    repo.write("a/g", "y\n");
    repo.git(&["add", "a/g"]);
    assert_eq!(staged_status(&repo), Some(0));
    assert!(commit(&repo, "clean").status.success());
}

#[test]
fn a_collapsed_directory_that_differs_from_head_is_scanned() {
    let repo = sparse();
    // Put a literal in b/ on a commit, then move HEAD back with the index
    // kept: the staged `b/` tree holds the literal, HEAD's does not.
    repo.git(&["sparse-checkout", "disable"]);
    repo.write("b/.npmrc", &literal_npmrc(&npm_token(2503)));
    repo.git(&["add", "-A"]);
    repo.commit_setup("leak");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "a"]);
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let listed = repo.git(&["ls-files", "--sparse"]);
    assert!(listed.lines().any(|l| l == "b/"), "not collapsed: {listed}");
    assert_eq!(staged_status(&repo), Some(1));
    install(&repo);
    assert!(
        !commit(&repo, "dirty").status.success(),
        "dirty commit passed"
    );
}

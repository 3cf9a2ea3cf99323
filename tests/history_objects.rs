//! `scan --history` sees every object a clone carries, and fails closed on
//! a shallow clone: refs naming trees and blobs directly, annotated tags,
//! depth-limited clones (real git).

mod common;

use common::*;

fn commit_file(repo: &TestRepo, path: &str, content: &str, msg: &str) {
    repo.write(path, content);
    repo.git(&["add", "-A"]);
    repo.commit_setup(msg);
}

fn history(repo: &TestRepo) -> std::process::Output {
    repo.tool(&["scan", "--history"])
}

#[test]
fn a_tag_of_a_tree_is_scanned_at_its_paths() {
    let repo = TestRepo::new();
    commit_file(&repo, ".npmrc", SAFE_NPMRC, "clean");
    let token = npm_token(2301);
    repo.write("pkg/.npmrc", &literal_npmrc(&token));
    repo.git(&["add", "-A"]);
    let tree = repo.git(&["write-tree"]).trim().to_string();
    // Only the tag holds it: the index goes back to the commit.
    repo.git(&["reset", "-q", "--hard"]);
    assert_eq!(history(&repo).status.code(), Some(0));
    repo.git(&["tag", "t", &tree]);
    let out = history(&repo);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("pkg/.npmrc"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("refs/tags/t"),
        "{}",
        text(&out.stdout)
    );
    assert_no_secret(&out, &[token]);
}

#[test]
fn an_annotated_tag_of_a_tree_is_peeled() {
    let repo = TestRepo::new();
    commit_file(&repo, "README", "x\n", "clean");
    repo.write(".npmrc", &literal_npmrc(&npm_token(2302)));
    repo.git(&["add", "-A"]);
    let tree = repo.git(&["write-tree"]).trim().to_string();
    repo.git(&["reset", "-q", "--hard"]);
    repo.git(&["tag", "-a", "-m", "a tree", "annotated", &tree]);
    // A tag of that tag.
    repo.git(&["tag", "-a", "-m", "again", "outer", "annotated"]);
    repo.git(&["tag", "-d", "annotated"]);
    let out = history(&repo);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn a_ref_to_a_blob_is_scanned_under_its_name() {
    let repo = TestRepo::new();
    commit_file(&repo, "README", "x\n", "clean");
    let blob_file = repo.dir.path().join("blob");
    std::fs::write(&blob_file, literal_npmrc(&npm_token(2303))).expect("write");
    let blob = repo.git(&["hash-object", "-w", blob_file.to_str().expect("utf8")]);
    assert_eq!(history(&repo).status.code(), Some(0));
    repo.git(&["update-ref", "refs/kept/blob", blob.trim()]);
    let out = history(&repo);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("refs/kept/blob"),
        "{}",
        text(&out.stdout)
    );
}

/// A repository whose token was removed two commits ago, and a clone of it
/// with `depth` commits.
fn removed_then_cloned(depth: &str) -> (TestRepo, TestRepo) {
    let origin = TestRepo::new();
    commit_file(&origin, ".npmrc", &literal_npmrc(&npm_token(2304)), "leak");
    commit_file(&origin, ".npmrc", SAFE_NPMRC, "removed");
    commit_file(&origin, "README", "x\n", "more");
    let dir = tempfile::tempdir().expect("tempdir");
    let clone = dir.path().join("clone");
    let url = format!("file://{}", origin.root.display());
    origin.git(&[
        "clone",
        "-q",
        "--depth",
        depth,
        &url,
        clone.to_str().expect("utf8"),
    ]);
    (origin, TestRepo { dir, root: clone })
}

#[test]
fn a_shallow_clone_fails_closed_and_says_how_to_see_it_all() {
    let (origin, clone) = removed_then_cloned("1");
    assert_eq!(history(&origin).status.code(), Some(1));
    let out = history(&clone);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("git fetch --unshallow"),
        "{}",
        text(&out.stderr)
    );
    // Once unshallowed, the old token is found.
    clone.git(&["fetch", "-q", "--unshallow"]);
    assert_eq!(history(&clone).status.code(), Some(1));
}

#[test]
fn a_range_inside_a_shallow_clone_still_works() {
    let (_origin, clone) = removed_then_cloned("2");
    let out = clone.tool(&["scan", "--history", "--range", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A range that reaches the commit where the clone is cut off (its base
    // is not an ancestor) cannot see what came before it.
    clone.git(&["checkout", "-q", "--orphan", "other"]);
    clone.commit_setup("unrelated");
    let out = clone.tool(&["scan", "--history", "--range", "other..main"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("shallow"),
        "{}",
        text(&out.stderr)
    );
}

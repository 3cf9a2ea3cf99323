//! `scan --staged` skips the folders whose cache-tree id (the index's
//! `TREE` extension, the trees `git commit` writes) is HEAD's tree there,
//! and reads the rest. These tests stage changes in every way that leaves
//! a cache-tree valid, invalid or absent, and check both the ids read and
//! the verdicts.

mod common;

use common::*;
use npmrc_guard::git::index;

/// Ten packages, each with a `package.json` and a clean `.npmrc`, committed.
fn monorepo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("package.json", "{\"private\":true}\n");
    for i in 0..10 {
        repo.write(&format!("packages/p{i}/package.json"), "{\"name\":\"p\"}\n");
        repo.write(&format!("packages/p{i}/.npmrc"), SAFE_NPMRC);
        repo.write(&format!("packages/p{i}/src/index.js"), "x\n");
    }
    repo.git(&["add", "-A"]);
    repo.commit_setup("base");
    repo
}

fn read(repo: &TestRepo) -> index::Index {
    let bytes = std::fs::read(repo.root.join(".git/index")).expect("index file");
    index::read(&bytes, |_| true).expect("readable")
}

fn scanned(out: &std::process::Output) -> u64 {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["scanned"]["files"].as_u64().expect("scanned.files")
}

#[test]
fn cache_tree_ids_are_the_trees_git_writes() {
    let repo = monorepo();
    // `git commit` leaves a whole, valid cache-tree.
    let trees = read(&repo).trees;
    for dir in ["", "packages/p3", "packages/p3/src"] {
        let want = repo.git(&["rev-parse", &format!("HEAD:{dir}")]);
        let got = trees
            .get(dir.as_bytes())
            .map(|id| id.iter().map(|b| format!("{b:02x}")).collect::<String>());
        assert_eq!(got.as_deref(), Some(want.trim()), "{dir:?}");
    }
    // Staging a file invalidates its folder and every folder above it.
    repo.write("packages/p3/.npmrc", "a=1\n");
    repo.git(&["add", "packages/p3/.npmrc"]);
    let trees = read(&repo).trees;
    for dir in ["", "packages", "packages/p3"] {
        assert!(!trees.contains_key(dir.as_bytes()), "{dir:?} still valid");
    }
    assert!(trees.contains_key(b"packages/p4".as_slice()));
}

#[test]
fn staged_changes_are_found_beside_unchanged_folders() {
    let repo = monorepo();
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(scanned(&out), 0);

    let t = npm_token(31);
    repo.write("packages/p7/.npmrc", &literal_npmrc(&t));
    repo.write(
        "packages/p2/package.json",
        &format!(
            "{{\"publishConfig\":{{\"//r.example/:_authToken\":\"{}\"}}}}\n",
            npm_token(32)
        ),
    );
    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(scanned(&out), 2);
    let report = text(&out.stdout);
    assert!(report.contains("packages/p7/.npmrc") && report.contains("packages/p2/package.json"));

    // `git write-tree` makes the cache-tree valid again, with the new ids:
    // different from HEAD's, so the files are still read.
    repo.git(&["write-tree"]);
    assert!(read(&repo).trees.contains_key(b"packages/p7".as_slice()));
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(scanned(&out), 2);
}

#[test]
fn intent_to_add_is_in_no_tree_and_still_read() {
    let repo = monorepo();
    repo.write("packages/p5/src/.npmrc", &literal_npmrc(&npm_token(33)));
    repo.git(&["add", "-N", "packages/p5/src/.npmrc"]);
    // write-tree leaves `git add -N` entries out of the trees it writes,
    // and keeps their folders' cache-tree invalid (git's cache-tree.c):
    // the folder is compared entry by entry, and the entry read.
    repo.git(&["write-tree"]);
    let read = read(&repo);
    assert!(read.trees.contains_key(b"packages/p4/src".as_slice()));
    assert!(!read.trees.contains_key(b"packages/p5/src".as_slice()));
    assert!(read.entries.iter().any(|e| e.intent_to_add));
    // Its (empty) staged blob is read, as when there is no cache-tree.
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(scanned(&out), 1);
}

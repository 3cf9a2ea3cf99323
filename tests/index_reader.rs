//! Our index reader against libgit2's, on indexes written by real git in
//! every version, with extended flags, conflicts and a split index.

mod common;

use common::*;
use npmrc_guard::git::index::{entries, Entry, Error};

fn via_git2(repo: &TestRepo) -> Vec<Entry> {
    let r = git2::Repository::open(&repo.root).expect("open");
    let index = r.index().expect("index");
    index
        .iter()
        .map(|e| {
            let mut id = [0u8; 20];
            id.copy_from_slice(e.id.as_bytes());
            Entry {
                path: e.path,
                mode: e.mode,
                id,
                stage: ((e.flags >> 12) & 3) as u8,
                intent_to_add: e.flags_extended & (1 << 13) != 0,
            }
        })
        .collect()
}

fn ours(repo: &TestRepo) -> Result<Vec<Entry>, Error> {
    let bytes = std::fs::read(repo.root.join(".git/index")).expect("index file");
    entries(&bytes, |_| true)
}

fn populated() -> TestRepo {
    let repo = TestRepo::new();
    for i in 0..300 {
        repo.write(
            &format!("packages/p{i:03}/src/deeply/nested/file{i}.js"),
            &format!("{i}\n"),
        );
        if i % 7 == 0 {
            repo.write(&format!("packages/p{i:03}/.npmrc"), "a=1\n");
        }
    }
    repo.write(&format!("{}/x", "long".repeat(40)), "x\n");
    std::os::unix::fs::symlink("target", repo.root.join("link")).expect("symlink");
    repo.git(&["add", "."]);
    repo.commit_setup("init");
    repo.write("new-intent", "n\n");
    // `add -N` sets the extended intent-to-add flag (index version 3).
    repo.git(&["add", "-N", "new-intent"]);
    repo
}

#[test]
fn every_index_version_reads_the_same_as_libgit2() {
    let repo = populated();
    for version in ["2", "3", "4"] {
        repo.git(&["update-index", "--index-version", version]);
        let ours = ours(&repo).unwrap_or_else(|e| panic!("version {version}: {e:?}"));
        assert_eq!(ours, via_git2(&repo), "index version {version}");
        assert!(ours.len() > 300);
    }
}

#[test]
fn conflict_stages_are_read() {
    let repo = TestRepo::new();
    repo.conflict(".npmrc");
    for version in ["2", "4"] {
        repo.git(&["update-index", "--index-version", version]);
        let ours = ours(&repo).expect("reads");
        let stages: Vec<u8> = ours.iter().map(|e| e.stage).collect();
        assert_eq!(stages, [1, 2, 3]);
        assert_eq!(ours, via_git2(&repo));
    }
}

#[test]
fn split_index_is_read_through_git() {
    let repo = populated();
    repo.git(&["update-index", "--split-index"]);
    assert!(matches!(ours(&repo), Err(Error::Unsupported(_))));
    repo.write("packages/p000/.npmrc", &literal_npmrc(&npm_token(501)));
    repo.git(&["add", "packages/p000/.npmrc"]);
    let out = repo.tool(&["scan", "--staged"]);
    // git's plumbing reads what neither reader can: the finding, exactly.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

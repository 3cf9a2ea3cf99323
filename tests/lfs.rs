//! A config committed through Git LFS: the blob is a pointer, the content
//! sits in the clone's LFS store (`.git/lfs/objects/…`), goes to the LFS
//! server on push and into every clone's work tree, where npm reads it
//! (review 3, #14: proven there with git-lfs 3.3.0 and npm). The store's
//! layout is written here by hand as git-lfs writes it (the git-lfs spec:
//! `objects/<oid[0:2]>/<oid[2:4]>/<oid>`, the oid the SHA-256 of the
//! content), so the test needs no git-lfs binary.

mod common;

use common::*;
use sha2::Digest;

/// Stage `content` at `.npmrc` the way `git lfs track .npmrc; git add`
/// does: the pointer in the index, the content in the LFS store.
fn stage_through_lfs(repo: &TestRepo, content: &str) -> std::path::PathBuf {
    let oid: String = sha2::Sha256::digest(content.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    repo.write(
        ".gitattributes",
        ".npmrc filter=lfs diff=lfs merge=lfs -text\n",
    );
    repo.write(
        ".npmrc",
        &format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        ),
    );
    // Without a filter driver git stores the pointer as it is (with one,
    // git-lfs's clean filter passes a pointer through unchanged).
    repo.git(&[
        "-c",
        "filter.lfs.clean=cat",
        "add",
        ".gitattributes",
        ".npmrc",
    ]);
    let dir = repo
        .root
        .join(".git/lfs/objects")
        .join(&oid[..2])
        .join(&oid[2..4]);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let object = dir.join(&oid);
    std::fs::write(&object, content).expect("write");
    object
}

/// libgit2 (SHA-1) and git's plumbing (SHA-256, which libgit2 cannot open).
#[test]
fn a_config_in_git_lfs_is_read_from_the_lfs_store() {
    for format in ["sha1", "sha256"] {
        lfs_case(format);
    }
}

fn lfs_case(format: &str) {
    let repo = TestRepo::with_format(format);
    repo.commit_setup("init");
    let t = npm_token(1701);
    let object = stage_through_lfs(&repo, &literal_npmrc(&t));
    let out = repo.tool(&["scan", "--staged"]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}{}", text(&out.stderr));
    assert!(said.contains(".npmrc:2:34 error[npm-token]"), "{said}");
    assert_no_secret(&out, std::slice::from_ref(&t));
    // The content not in this clone: the guard cannot check it, and says
    // so: exit 2, never 0.
    let kept = std::fs::read(&object).expect("read");
    std::fs::remove_file(&object).expect("rm");
    let out = repo.tool(&["scan", "--staged"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Git LFS pointer"), "{err}");
    std::fs::write(&object, kept).expect("write");

    repo.git(&[
        "-c",
        "filter.lfs.clean=cat",
        "commit",
        "-qm",
        "lfs",
        "--no-verify",
    ]);
    for args in [
        &["scan", "--history"][..],
        &["scan", "--history", "--range", "HEAD~1..HEAD"][..],
    ] {
        let out = repo.tool(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("error[npm-token]"), "{args:?}");
    }

    // The same in CI, without `git lfs fetch`.
    std::fs::remove_file(&object).expect("rm");
    for args in [
        &["scan", "--history"][..],
        &["scan", "--history", "--range", "HEAD~1..HEAD"][..],
    ] {
        let out = repo.tool(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("Git LFS pointer"), "{args:?}: {err}");
    }
}

/// `lfs.storage` moves git-lfs's store (relative to the git folder): the
/// content is read there, not reported missing (review 4, #8).
#[test]
fn the_lfs_store_is_where_lfs_storage_says() {
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::with_format(format);
        repo.commit_setup("init");
        let t = npm_token(1702);
        let object = stage_through_lfs(&repo, &literal_npmrc(&t));
        let moved = repo.root.join(".git/elsewhere/objects");
        let rel = object
            .strip_prefix(repo.root.join(".git/lfs/objects"))
            .expect("under the store");
        std::fs::create_dir_all(moved.join(rel).parent().expect("dir")).expect("mkdir");
        std::fs::rename(&object, moved.join(rel)).expect("move");
        repo.git(&["config", "lfs.storage", "elsewhere"]);
        let out = repo.tool(&["scan", "--staged"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("error[npm-token]"), "{format}");
    }
}

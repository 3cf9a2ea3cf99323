//! `scan --history`: tokens planted on several branches, copied between
//! paths, removed again, and present in files that are not `.npmrc`.

mod common;

use std::fs;

use common::*;
use serde_json::Value;

struct Planted {
    repo: TestRepo,
    c1: String,
    c2: String,
    c3: String,
    c5: String,
    c6: String,
    a: String,
}

fn commit(repo: &TestRepo, msg: &str) -> String {
    repo.git(&["add", "-A"]);
    repo.commit_setup(msg);
    repo.head().expect("HEAD")
}

fn planted() -> Planted {
    let repo = TestRepo::new();
    let a = npm_token(1101);
    let b = npm_token(1102);
    let c = github_token("ghp", 1103);
    repo.write(".npmrc", &literal_npmrc(&a));
    let c1 = commit(&repo, "c1: token A in .npmrc");
    repo.write("notes.txt", &format!("token B: {b}\n"));
    repo.write(".npmrc", &format!("{}save-exact=true\n", literal_npmrc(&a)));
    let c2 = commit(
        &repo,
        "c2: token B in a non-.npmrc file; .npmrc edited, A still there",
    );
    repo.write("packages/x/.npmrc", &literal_npmrc(&a));
    let c3 = commit(&repo, "c3: .npmrc copied to packages/x");
    repo.write(".npmrc", SAFE_NPMRC);
    repo.write("packages/x/.npmrc", SAFE_NPMRC);
    commit(&repo, "c4: tokens removed");
    repo.git(&["checkout", "-q", "-b", "feature", &c2]);
    repo.write(".npmrc", &literal_npmrc(&c));
    let c5 = commit(&repo, "c5: token C on a branch");
    repo.git(&["checkout", "-q", "-b", "old", &c1]);
    repo.write(
        "apps/web/.npmrc",
        "//r.example/:_auth=ZGVwbG95OmNvcnJlY3QtaG9yc2U=\n",
    );
    let c6 = commit(&repo, "c6: _auth on another branch");
    repo.git(&["checkout", "-q", "main"]);
    Planted {
        repo,
        c1,
        c2,
        c3,
        c5,
        c6,
        a,
    }
}

fn findings(out: &std::process::Output) -> Vec<(String, String, String)> {
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["rule"].as_str().expect("rule").to_string(),
                f["commit"].as_str().expect("commit").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_leak_with_its_first_commit() {
    let p = planted();
    let out = p.repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let got = findings(&out);
    let want = vec![
        (".npmrc".to_string(), "npm-token".to_string(), p.c1.clone()),
        (
            ".npmrc".to_string(),
            "github-token".to_string(),
            p.c5.clone(),
        ),
        (
            "apps/web/.npmrc".to_string(),
            "basic-auth".to_string(),
            p.c6.clone(),
        ),
        (
            "packages/x/.npmrc".to_string(),
            "npm-token".to_string(),
            p.c3.clone(),
        ),
    ];
    let mut sorted = got.clone();
    sorted.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(sorted, want_sorted);
    // HEAD is clean, yet the history fails: rewriting does not un-leak.
    assert_eq!(p.repo.tool(&["scan"]).status.code(), Some(0));
    let human = p.repo.tool(&["scan", "--history"]);
    assert!(
        text(&human.stdout).contains("revoke"),
        "{}",
        text(&human.stdout)
    );
    assert_no_secret(&human, std::slice::from_ref(&p.a));
}

#[test]
fn a_range_scans_only_its_commits() {
    let p = planted();
    let range = format!("{}..main", p.c2);
    let out = p
        .repo
        .tool(&["scan", "--history", "--range", &range, "--format", "json"]);
    let got = findings(&out);
    assert_eq!(
        got,
        vec![
            (".npmrc".to_string(), "npm-token".to_string(), p.c3.clone()),
            (
                "packages/x/.npmrc".to_string(),
                "npm-token".to_string(),
                p.c3.clone()
            ),
        ]
    );
    let bad = p.repo.tool(&["scan", "--range", "nope..main"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn allowlisted_fingerprints_stop_failing() {
    let p = planted();
    let out = p.repo.tool(&["scan", "--history", "--format", "json"]);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let fps: Vec<String> = json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| format!("{:?}", f["fingerprint"].as_str().expect("fp")))
        .collect();
    p.repo.write(
        ".npmrc-guard.toml",
        &format!("allow = [{}]\n", fps.join(", ")),
    );
    let out = p.repo.tool(&["scan", "--history"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = p.repo.tool(&["scan", "--history", "--no-config"]);
    assert_eq!(out.status.code(), Some(1));
    p.repo.write(".npmrc-guard.toml", "alow = []\n");
    let out = p.repo.tool(&["scan", "--history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("alow"), "{}", text(&out.stderr));
}

#[test]
fn shallow_clones_fail_closed() {
    let p = planted();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", p.repo.root.display());
    let clone = dir.path().join("shallow");
    let out = p
        .repo
        .git_cmd(&[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            &url,
            clone.to_str().expect("utf8"),
        ])
        .output()
        .expect("git");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shallow = TestRepo { dir, root: clone };
    // What it cannot see it does not pass: exit 2, and how to see it all.
    let out = shallow.tool(&["scan", "--history", "--format", "json"]);
    assert!(
        text(&out.stderr).contains("git fetch --unshallow"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_object_is_an_error_naming_it() {
    let p = planted();
    let blob = p
        .repo
        .git(&["rev-parse", &format!("{}:apps/web/.npmrc", p.c6)]);
    let blob = blob.trim();
    let loose = p
        .repo
        .root
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    fs::remove_file(&loose).expect("loose object exists");
    let out = p.repo.tool(&["scan", "--history"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(blob), "{}", text(&out.stderr));
}

#[test]
fn pre_push_hook_blocks_a_push_with_a_leak_in_history() {
    let p = planted();
    let remote = tempfile::tempdir().expect("tempdir");
    let bare = remote.path().join("remote.git");
    p.repo
        .git(&["init", "-q", "--bare", bare.to_str().expect("utf8")]);
    p.repo
        .git(&["remote", "add", "origin", bare.to_str().expect("utf8")]);
    assert_eq!(
        p.repo
            .tool(&["install", "--hook", "pre-push"])
            .status
            .code(),
        Some(0)
    );
    let out = p.repo.git_out(&["push", "-q", "origin", "main"]);
    assert!(
        !out.status.success(),
        "push of a history with tokens went through"
    );
    assert!(text(&out.stdout).contains("npm-token") || text(&out.stderr).contains("npm-token"));

    // A clean branch pushes.
    let clean = TestRepo::new();
    clean.write(".npmrc", SAFE_NPMRC);
    commit(&clean, "clean");
    let bare2 = remote.path().join("clean.git");
    clean.git(&["init", "-q", "--bare", bare2.to_str().expect("utf8")]);
    clean.git(&["remote", "add", "origin", bare2.to_str().expect("utf8")]);
    assert_eq!(
        clean.tool(&["install", "--hook", "pre-push"]).status.code(),
        Some(0)
    );
    let out = clean.git_out(&["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

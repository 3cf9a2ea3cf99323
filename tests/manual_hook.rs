//! `hooks/pre-commit` (and `hooks/pre-merge-commit`) is the installed script, kept in sync, and it works
//! when copied by hand.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;
use npmrc_guard::hook::{manual_script, HookKind};

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-commit");

#[test]
fn shipped_hook_matches_the_generated_one() {
    // pre-merge-commit: the same scan before a merge commit git makes.
    for kind in [HookKind::PreCommit, HookKind::PreMergeCommit] {
        let name = kind.file_name();
        let path = format!("{}/hooks/{name}", env!("CARGO_MANIFEST_DIR"));
        if bless() {
            fs::write(&path, manual_script(kind)).expect("write");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let shipped = fs::read_to_string(&path).expect("the shipped hook exists");
        assert_eq!(
            shipped,
            manual_script(kind),
            "hooks/{name} is out of date: NPMRC_GUARD_BLESS=1 cargo test --test manual_hook"
        );
    }
}

#[test]
fn copied_hook_blocks_a_literal() {
    let repo = TestRepo::new();
    let hooks = repo.root.join(".git/hooks");
    fs::create_dir_all(&hooks).expect("mkdir");
    fs::copy(SHIPPED, hooks.join("pre-commit")).expect("copy");
    fs::set_permissions(hooks.join("pre-commit"), fs::Permissions::from_mode(0o755))
        .expect("chmod");
    // npmrc-guard on PATH, as the comment in the script asks.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_npmrc-guard"))
        .parent()
        .expect("dir");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    repo.write(".npmrc", &literal_npmrc(&npm_token(301)));
    repo.git(&["add", ".npmrc"]);
    let out = repo
        .git_cmd(&["commit", "-m", "x"])
        .env("PATH", &path)
        .output()
        .expect("git");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("error[npm-token]")
            || text(&out.stdout).contains("error[npm-token]")
    );
    assert_eq!(repo.head(), None);
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    let out = repo
        .git_cmd(&["commit", "-q", "-m", "x"])
        .env("PATH", &path)
        .output()
        .expect("git");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

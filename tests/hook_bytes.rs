//! The hook knows its own bytes: a script with our marker that was edited
//! by hand is kept and reported, never overwritten or deleted; an older
//! script of ours is replaced (real git, real hooks folder).

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;
use npmrc_guard::hook::{manual_script, script, HookKind};

fn hooks(repo: &TestRepo) -> std::path::PathBuf {
    let dir = repo.root.join(".git/hooks");
    fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn put_hook(repo: &TestRepo, content: &str) -> std::path::PathBuf {
    let path = hooks(repo).join("pre-commit");
    fs::write(&path, content).expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// The shipped script, copied by hand and edited: it also leaves a mark.
fn edited_copy() -> String {
    manual_script(HookKind::PreCommit).replace(
        "\"$npmrc_guard\" scan --staged --offer-fix || exit $?\n",
        "echo edited-ran >> \"$(git rev-parse --git-dir)/edited.log\"\n\"$npmrc_guard\" scan --staged --offer-fix || exit $?\n",
    )
}

#[test]
fn install_keeps_an_edited_copy_and_uninstall_restores_it() {
    let repo = TestRepo::new();
    let edited = edited_copy();
    let hook = put_hook(&repo, &edited);
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("edited"),
        "{}",
        text(&out.stderr)
    );
    let kept = hooks(&repo).join("pre-commit.npmrc-guard-backup");
    assert_eq!(fs::read_to_string(&kept).expect("kept"), edited);
    assert_ne!(fs::read_to_string(&hook).expect("ours"), edited);
    // Twice is once: nothing more is moved or written.
    let before = fs::read(&hook).expect("hook");
    let out = repo.tool(&["install"]);
    assert!(
        text(&out.stderr).contains("already installed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(&hook).expect("hook"), before);
    assert_eq!(fs::read_to_string(&kept).expect("kept"), edited);
    // Uninstall puts it back, byte for byte.
    assert_eq!(repo.tool(&["uninstall"]).status.code(), Some(0));
    assert_eq!(fs::read_to_string(&hook).expect("restored"), edited);
    assert!(!kept.exists());
}

#[test]
fn uninstall_never_deletes_an_edited_copy() {
    let repo = TestRepo::new();
    let edited = edited_copy();
    let hook = put_hook(&repo, &edited);
    let out = repo.tool(&["uninstall"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("edited"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read_to_string(&hook).expect("still there"), edited);
}

#[test]
fn an_older_script_of_ours_is_replaced_without_a_backup() {
    // What 0.1.0 wrote before --offer-fix, and before `|| exit $?`, for a
    // binary elsewhere.
    for was in [" scan --staged\n", " scan --staged --offer-fix\n"] {
        let repo = TestRepo::new();
        let old = script(
            HookKind::PreCommit,
            std::path::Path::new("/old/place/npmrc-guard"),
        )
        .replace(" scan --staged --offer-fix || exit $?\n", was);
        assert!(old.ends_with(was), "{old}");
        let hook = put_hook(&repo, &old);
        let out = repo.tool(&["install"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("installed"),
            "{}",
            text(&out.stderr)
        );
        assert!(fs::read_to_string(&hook)
            .expect("hook")
            .contains(" scan --staged --offer-fix || exit $?\n"));
        assert!(!hooks(&repo).join("pre-commit.pre-npmrc-guard").exists());
    }
    // And the shipped script copied by hand, unedited, is ours too.
    let repo = TestRepo::new();
    let hook = put_hook(&repo, &manual_script(HookKind::PreCommit));
    assert_eq!(repo.tool(&["uninstall"]).status.code(), Some(0));
    assert!(!hook.exists());
}

#[test]
fn a_hook_that_cannot_be_read_is_an_error_not_no_hook() {
    // `uninstall` must not say "no pre-commit hook installed" about a hook
    // it could not read (here a folder where the script would be).
    let repo = TestRepo::new();
    let hook = hooks(&repo).join("pre-commit");
    fs::create_dir(&hook).expect("mkdir");
    let out = repo.tool(&["uninstall"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cannot read"),
        "{}",
        text(&out.stderr)
    );
    assert!(hook.is_dir());
}

//! The git guard with real git: what a commit will contain, the installed
//! hook, and install/uninstall.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;

fn installed() -> TestRepo {
    let repo = TestRepo::new();
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    repo
}

/// `git commit`, expecting it to be blocked by the hook; HEAD must not move.
fn assert_blocked(repo: &TestRepo, args: &[&str]) -> String {
    let before = repo.head();
    let out = repo.git_out(args);
    assert!(
        !out.status.success(),
        "git {args:?} should have been blocked"
    );
    assert_eq!(repo.head(), before, "HEAD moved");
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn assert_allowed(repo: &TestRepo, args: &[&str]) {
    let before = repo.head();
    let out = repo.git_out(args);
    assert!(
        out.status.success(),
        "git {args:?} should pass: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_ne!(repo.head(), before, "no commit was made");
}

#[test]
fn staged_literal_blocks_the_first_commit() {
    let repo = installed();
    let t = npm_token(201);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);
    let msg = assert_blocked(&repo, &["commit", "-m", "add registry"]);
    assert!(msg.contains(".npmrc:2:34 error[npm-token]"), "{msg}");
    assert!(msg.contains("npmrc-guard fix --staged"), "{msg}");
    assert!(!msg.contains(&t), "the hook printed the token");
}

/// A step a user appends to the installed hook (`echo 'npm test' >>
/// .git/hooks/pre-commit`) runs only when the guard passes: its status
/// cannot become the hook's (review 5, #10).
#[test]
fn a_step_appended_to_the_hook_cannot_swallow_the_block() {
    let repo = installed();
    let hook = repo.root.join(".git/hooks/pre-commit");
    let mut script = fs::read_to_string(&hook).expect("hook");
    script.push_str("echo my-other-check-ran\ntrue\n");
    fs::write(&hook, script).expect("write hook");
    let t = npm_token(204);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);
    let msg = assert_blocked(&repo, &["commit", "-m", "add registry"]);
    assert!(msg.contains("error[npm-token]"), "{msg}");
    assert!(!msg.contains("my-other-check-ran"), "{msg}");
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    assert_allowed(&repo, &["commit", "-q", "-m", "safe"]);
}

#[test]
fn interpolation_is_allowed() {
    let repo = installed();
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    assert_allowed(&repo, &["commit", "-q", "-m", "safe"]);
}

#[test]
fn commit_all_scans_the_temporary_index() {
    let repo = installed();
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    repo.commit_setup("safe");
    repo.write(".npmrc", &literal_npmrc(&npm_token(202)));
    // Not staged: only `commit -a` takes it.
    assert_blocked(&repo, &["commit", "-a", "-m", "all"]);
    assert_blocked(&repo, &["commit", "-m", "path", "--", ".npmrc"]);
    assert_blocked(&repo, &["commit", "-m", "only", "-o", ".npmrc"]);
}

#[test]
fn staged_token_then_removed_from_work_tree_is_blocked() {
    let repo = installed();
    repo.write(".npmrc", &literal_npmrc(&npm_token(203)));
    repo.git(&["add", ".npmrc"]);
    repo.write(".npmrc", SAFE_NPMRC);
    assert_blocked(&repo, &["commit", "-m", "sneaky"]);
}

#[test]
fn token_only_in_work_tree_is_allowed() {
    let repo = installed();
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    repo.write(".npmrc", &literal_npmrc(&npm_token(204)));
    assert_allowed(&repo, &["commit", "-q", "-m", "staged part is clean"]);
}

#[test]
fn nested_npmrc_files() {
    let repo = installed();
    repo.write(
        "packages/app/.npmrc",
        &literal_npmrc(&github_token("ghp", 205)),
    );
    repo.write("packages/lib/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "."]);
    let msg = assert_blocked(&repo, &["commit", "-m", "nested"]);
    assert!(
        msg.contains("packages/app/.npmrc:2:34 error[github-token]"),
        "{msg}"
    );
    assert!(!msg.contains("packages/lib/.npmrc:"), "{msg}");
}

#[test]
fn deleting_a_file_that_held_a_token_is_allowed() {
    let repo = installed();
    repo.write(".npmrc", &literal_npmrc(&npm_token(206)));
    repo.git(&["add", ".npmrc"]);
    repo.commit_setup("leaked earlier");
    repo.git(&["rm", "-q", ".npmrc"]);
    assert_allowed(&repo, &["commit", "-q", "-m", "remove it"]);
}

#[test]
fn unchanged_files_are_not_rescanned() {
    let repo = installed();
    repo.write(".npmrc", &literal_npmrc(&npm_token(207)));
    repo.git(&["add", ".npmrc"]);
    repo.commit_setup("leaked earlier");
    repo.write("README", "hi\n");
    repo.git(&["add", "README"]);
    // The staged change does not touch .npmrc: it is not part of this commit.
    assert_allowed(&repo, &["commit", "-q", "-m", "docs"]);
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = TestRepo::new();
    repo.git(&["config", "core.hooksPath", "my hooks"]);
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(repo.root.join("my hooks/pre-commit").exists());
    assert!(!repo.root.join(".git/hooks/pre-commit").exists());
    repo.write(".npmrc", &literal_npmrc(&npm_token(208)));
    repo.git(&["add", ".npmrc"]);
    assert_blocked(&repo, &["commit", "-m", "x"]);
}

#[test]
fn linked_worktree() {
    let repo = TestRepo::new();
    repo.write("README", "x\n");
    repo.git(&["add", "README"]);
    repo.commit_setup("init");
    let wt = repo.dir.path().join("wt two");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().expect("utf8"),
        "-b",
        "feature",
    ]);
    let linked = TestRepo {
        dir: tempfile::tempdir().expect("tempdir"),
        root: wt,
    };
    let out = linked.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    linked.write(".npmrc", &literal_npmrc(&npm_token(209)));
    linked.git(&["add", ".npmrc"]);
    assert_blocked(&linked, &["commit", "-m", "in worktree"]);
    assert_blocked(&linked, &["commit", "-a", "-m", "in worktree"]);
    linked.write(".npmrc", SAFE_NPMRC);
    linked.git(&["add", ".npmrc"]);
    assert_allowed(&linked, &["commit", "-q", "-m", "safe"]);
}

#[test]
fn foreign_hook_is_kept_and_still_runs() {
    let repo = TestRepo::new();
    let hooks = repo.root.join(".git/hooks");
    fs::create_dir_all(&hooks).expect("mkdir");
    let foreign = "#!/bin/sh\necho foreign-ran >> \"$(git rev-parse --git-dir)/foreign.log\"\nexit ${FOREIGN_EXIT:-0}\n";
    fs::write(hooks.join("pre-commit"), foreign).expect("write");
    fs::set_permissions(hooks.join("pre-commit"), fs::Permissions::from_mode(0o750))
        .expect("chmod");

    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("kept the existing pre-commit hook"));

    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    assert_allowed(&repo, &["commit", "-q", "-m", "ok"]);
    let log = fs::read_to_string(repo.root.join(".git/foreign.log")).expect("foreign hook ran");
    assert_eq!(log, "foreign-ran\n");

    // Its exit status is respected.
    repo.write("a", "a\n");
    repo.git(&["add", "a"]);
    let before = repo.head();
    let out = repo
        .git_cmd(&["commit", "-m", "x"])
        .env("FOREIGN_EXIT", "3")
        .output()
        .expect("git");
    assert!(!out.status.success());
    assert_eq!(repo.head(), before);

    // Uninstall restores it byte for byte, mode included.
    let out = repo.tool(&["uninstall"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).expect("restored"),
        foreign
    );
    let mode = fs::metadata(hooks.join("pre-commit"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    assert!(!hooks.join("pre-commit.pre-npmrc-guard").exists());
}

#[test]
fn install_twice_equals_once_and_uninstall_removes() {
    let repo = TestRepo::new();
    repo.tool(&["install"]);
    let hook = repo.root.join(".git/hooks/pre-commit");
    let first = fs::read(&hook).expect("hook");
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("already installed"));
    assert_eq!(fs::read(&hook).expect("hook"), first);
    let listing: Vec<_> = fs::read_dir(repo.root.join(".git/hooks"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n.to_string_lossy().contains("npmrc-guard"))
        .collect();
    assert!(
        listing.is_empty(),
        "no kept copy of our own hook: {listing:?}"
    );
    assert_eq!(repo.tool(&["uninstall"]).status.code(), Some(0));
    assert!(!hook.exists());
    assert!(!repo.root.join(".git/hooks/pre-merge-commit").exists());
    // Uninstall when nothing is installed is fine.
    assert_eq!(repo.tool(&["uninstall"]).status.code(), Some(0));
}

#[test]
fn missing_binary_blocks_with_instructions() {
    let repo = TestRepo::named("with space's \"quotes\"");
    let bin_dir = repo.dir.path().join("bin dir");
    fs::create_dir_all(&bin_dir).expect("mkdir");
    let copy = bin_dir.join("npmrc-guard");
    copy_executable(env!("CARGO_BIN_EXE_npmrc-guard").as_ref(), &copy);
    let out = repo
        .command(copy.to_str().expect("utf-8"))
        .arg("install")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    assert_allowed(
        &repo,
        &["commit", "-q", "-m", "works from a path with spaces"],
    );

    fs::remove_file(&copy).expect("rm");
    repo.write("a", "a\n");
    repo.git(&["add", "a"]);
    // PATH without npmrc-guard on it.
    let before = repo.head();
    let out = repo
        .git_cmd(&["commit", "-m", "x"])
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("git");
    assert!(!out.status.success());
    assert_eq!(repo.head(), before);
    let err = text(&out.stderr);
    assert!(err.contains("git commit --no-verify"), "{err}");
    assert!(err.contains("npmrc-guard install"), "{err}");
}

#[test]
fn husky_hooks_path_gets_instructions() {
    // A plain git hook (`--manager git`) is refused in Husky's folder;
    // `install` alone writes to .husky/pre-commit (tests/hook_managers.rs).
    let repo = TestRepo::new();
    fs::create_dir_all(repo.root.join(".husky/_")).expect("mkdir");
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let out = repo.tool(&["install", "--manager", "git"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(".husky/pre-commit"), "{err}");
    assert!(err.contains("npmrc-guard install --manager husky"), "{err}");
    assert!(!repo.root.join(".husky/_/pre-commit").exists());
}

#[test]
fn every_husky_hooks_folder_is_refused() {
    // Husky 4-8 set core.hooksPath to `.husky` itself; `husky install DIR`
    // puts husky.sh in a folder of any name. Each is Husky's, rewritten by
    // it: the plain hook is refused there too.
    let repo = TestRepo::new();
    fs::create_dir_all(repo.root.join(".husky")).expect("mkdir");
    repo.git(&["config", "core.hooksPath", ".husky"]);
    let out = repo.tool(&["install", "--manager", "git"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!repo.root.join(".husky/pre-commit").exists());

    let repo = TestRepo::new();
    repo.write("tools/hooks/husky.sh", "# husky\n");
    repo.git(&["config", "core.hooksPath", "tools/hooks"]);
    let out = repo.tool(&["install", "--manager", "git"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("npmrc-guard install --manager husky"),
        "{}",
        text(&out.stderr)
    );
    assert!(!repo.root.join("tools/hooks/pre-commit").exists());
}

#[test]
fn conflicted_index_is_an_error() {
    let repo = TestRepo::new();
    repo.conflict(".npmrc");
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unmerged"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn symlinked_npmrc_is_not_followed() {
    let repo = TestRepo::new();
    let outside = repo.dir.path().join("outside.npmrc");
    fs::write(&outside, literal_npmrc(&npm_token(210))).expect("write");
    std::os::unix::fs::symlink(&outside, repo.root.join(".npmrc")).expect("symlink");
    repo.git(&["add", ".npmrc"]);
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("symbolic link"));
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("symbolic link"));
}

#[test]
fn work_tree_scan_includes_untracked_and_skips_ignored() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "ignored/\n");
    repo.write("tracked/.npmrc", &literal_npmrc(&npm_token(211)));
    repo.git(&["add", "."]);
    repo.commit_setup("init");
    repo.write("new/.npmrc", &literal_npmrc(&npm_token(212)));
    repo.write("ignored/.npmrc", &literal_npmrc(&npm_token(213)));
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["new/.npmrc", "tracked/.npmrc"]);
    assert_eq!(json["scanned"]["files"], 2);
    // --exclude and -C.
    let out = repo.tool(&[
        "scan",
        "--format",
        "json",
        "--exclude",
        "new/**",
        "-C",
        "tracked",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["findings"].as_array().expect("array").len(), 1);
}

#[test]
fn not_a_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = npmrc_guard(dir.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().expect("parent"),
        )
        .args(["scan", "--staged"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a git repository"),
        "{}",
        text(&out.stderr)
    );
}

/// Review 6, #9: `git merge` makes its merge commit without running
/// pre-commit; git runs pre-merge-commit, with the index holding the
/// merge's result and HEAD its first parent. `install` puts the same scan
/// there: a branch holding a token (pushed by a teammate without the hook,
/// or committed with `--no-verify`) is not merged in unseen.
#[test]
fn a_merge_of_a_branch_holding_a_token_is_refused_and_a_clean_one_passes() {
    let repo = installed();
    let hooks = repo.root.join(".git/hooks");
    assert!(hooks.join("pre-merge-commit").exists());
    let t = npm_token(206);
    repo.write("package.json", "{}\n");
    repo.git(&["add", "package.json"]);
    repo.commit_setup("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);
    repo.commit_setup("a teammate's commit");
    repo.git(&["checkout", "-q", "-b", "clean", "main"]);
    repo.write("app/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "app/.npmrc"]);
    repo.commit_setup("safe");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("z", "z\n");
    repo.git(&["add", "z"]);
    repo.commit_setup("z");
    let out = repo.git_out(&["merge", "--no-ff", "-m", "merge feature", "feature"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains(".npmrc:2:34 error[npm-token]"), "{all}");
    assert!(!all.contains(&t), "the hook printed the token");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
    repo.git(&["merge", "--abort"]);
    // A clean branch merges, the merge commit made by git itself.
    let before = repo.head();
    let out = repo.git_out(&["merge", "--no-ff", "-m", "merge clean", "clean"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(repo.head(), before);
    assert!(repo
        .git_out(&["rev-parse", "-q", "--verify", "HEAD^2"])
        .status
        .success());
    // What the merge brings is what counts, relative to the first parent:
    // a token main already holds does not stop merging a clean branch.
    repo.write("old/.npmrc", &literal_npmrc(&npm_token(207)));
    repo.git(&["add", "old/.npmrc"]);
    repo.commit_setup("an old leak");
    repo.git(&["checkout", "-q", "-b", "clean2", "clean"]);
    repo.write("y", "y\n");
    repo.git(&["add", "y"]);
    repo.commit_setup("y");
    repo.git(&["checkout", "-q", "main"]);
    let out = repo.git_out(&["merge", "--no-ff", "-m", "merge clean2", "clean2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // `--no-verify` is the bypass the script names.
    let out = repo.git_out(&["merge", "--no-ff", "--no-verify", "-m", "bypass", "feature"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// pre-merge-commit follows every rule of pre-commit: a foreign hook is
/// kept and run first, its status respected; install twice is once;
/// uninstall restores both; `--hook pre-merge-commit` alone installs only
/// that one.
#[test]
fn the_merge_hook_keeps_a_foreign_one_and_uninstall_restores_both() {
    let repo = TestRepo::new();
    let hooks = repo.root.join(".git/hooks");
    fs::create_dir_all(&hooks).expect("mkdir");
    let foreign = "#!/bin/sh\necho merge-foreign-ran >> \"$(git rev-parse --git-dir)/foreign.log\"\nexit ${FOREIGN_EXIT:-0}\n";
    fs::write(hooks.join("pre-merge-commit"), foreign).expect("write");
    fs::set_permissions(
        hooks.join("pre-merge-commit"),
        fs::Permissions::from_mode(0o750),
    )
    .expect("chmod");
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("installed the pre-commit hook"), "{err}");
    assert!(
        err.contains("kept the existing pre-merge-commit hook"),
        "{err}"
    );
    assert!(err.contains("installed the pre-merge-commit hook"), "{err}");
    let ours = fs::read(hooks.join("pre-merge-commit")).expect("ours");
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("pre-merge-commit hook already installed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        fs::read(hooks.join("pre-merge-commit")).expect("ours"),
        ours
    );
    // The foreign hook runs first, and its status counts.
    repo.write("a", "a\n");
    repo.git(&["add", "a"]);
    repo.commit_setup("base");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("b", "b\n");
    repo.git(&["add", "b"]);
    repo.commit_setup("b");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("c", "c\n");
    repo.git(&["add", "c"]);
    repo.commit_setup("c");
    let out = repo
        .git_cmd(&["merge", "--no-ff", "-m", "m", "side"])
        .env("FOREIGN_EXIT", "3")
        .output()
        .expect("git");
    assert!(!out.status.success());
    repo.git(&["merge", "--abort"]);
    let out = repo.git_out(&["merge", "--no-ff", "-m", "m", "side"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = fs::read_to_string(repo.root.join(".git/foreign.log")).expect("foreign ran");
    assert_eq!(log, "merge-foreign-ran\nmerge-foreign-ran\n");
    // Uninstall removes both and restores the foreign one, mode included.
    let out = repo.tool(&["uninstall"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!hooks.join("pre-commit").exists());
    assert_eq!(
        fs::read_to_string(hooks.join("pre-merge-commit")).expect("restored"),
        foreign
    );
    let mode = fs::metadata(hooks.join("pre-merge-commit"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    assert!(!hooks.join("pre-merge-commit.pre-npmrc-guard").exists());
    // Asked for by name: only that hook.
    fs::remove_file(hooks.join("pre-merge-commit")).expect("rm");
    let out = repo.tool(&["install", "--hook", "pre-merge-commit"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(hooks.join("pre-merge-commit").exists());
    assert!(!hooks.join("pre-commit").exists());
    let out = repo.tool(&["uninstall", "--hook", "pre-merge-commit"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!hooks.join("pre-merge-commit").exists());
}

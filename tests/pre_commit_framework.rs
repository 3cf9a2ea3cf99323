//! `.pre-commit-hooks.yaml`, proven with the real `pre-commit` tool: a test
//! repository uses this project as a hook repository (`pre-commit
//! try-repo`), which builds it with cargo (`language: rust`).
//!
//! `pre-commit` comes from PATH (`.ci/run` installs it into `.venv/`) or is
//! installed here into `target/pre-commit-venv` from PyPI. Missing under
//! `CI=true` is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn pre_commit() -> Option<PathBuf> {
    let home = tempfile::tempdir().expect("tempdir");
    let on_path = || {
        let mut cmd = Command::new("pre-commit");
        hermetic(&mut cmd, home.path());
        installer_env(&mut cmd).arg("--version").output()
    };
    if on_path().is_ok_and(|o| o.status.success()) {
        return Some(PathBuf::from("pre-commit"));
    }
    // Installed once: one test thread or process at a time gets here, and
    // the venv counts only once pip has finished (`installed` marker), so
    // a run that was killed half-way is redone, not trusted.
    let target = Path::new(ROOT).join("target");
    std::fs::create_dir_all(&target).expect("target/");
    let _lock = FileLock::acquire(&target.join("pre-commit-venv.lock"));
    let venv = target.join("pre-commit-venv");
    let bin = venv.join("bin/pre-commit");
    let done = venv.join("installed");
    if !done.exists() {
        if venv.exists() {
            std::fs::remove_dir_all(&venv).expect("remove a half-made venv");
        }
        let run = |program: &Path, args: &[&std::ffi::OsStr]| {
            let mut cmd = Command::new(program);
            hermetic(&mut cmd, home.path());
            installer_env(&mut cmd).args(args).status()
        };
        let made = run(
            Path::new("python3"),
            &["-m".as_ref(), "venv".as_ref(), venv.as_os_str()],
        );
        if !made.is_ok_and(|s| s.success()) {
            return None;
        }
        let pip = run(
            &venv.join("bin/python"),
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "pre-commit==4.*",
            ]
            .map(std::ffi::OsStr::new),
        );
        if !pip.is_ok_and(|s| s.success()) {
            return None;
        }
        std::fs::write(&done, "").expect("marker");
    }
    Some(bin)
}

/// `pre-commit`, or `None` (a skip) when it is missing outside CI; missing
/// under `CI=true` fails the test.
fn pre_commit_or_skip() -> Option<PathBuf> {
    let pc = pre_commit();
    if pc.is_none() {
        assert!(
            !required(),
            "pre-commit is not available and could not be installed"
        );
        eprintln!("skipped: pre-commit is not available");
    }
    pc
}

/// `pre-commit try-repo ROOT HOOK` in `repo`, on the staged files.
fn try_repo(pc: &Path, repo: &TestRepo, hook: &str, extra: &[(&str, &Path)]) -> Output {
    try_repo_with(pc, repo, hook, extra, &[])
}

/// [`try_repo`] with more arguments to pre-commit (`--all-files`).
fn try_repo_with(
    pc: &Path,
    repo: &TestRepo,
    hook: &str,
    extra: &[(&str, &Path)],
    more: &[&str],
) -> Output {
    let mut cmd = Command::new(pc);
    // pre-commit builds the hook with cargo: it needs the real cargo and
    // rustup homes (read, and the registry cache) but gets its own HOME.
    hermetic(&mut cmd, repo.dir.path());
    installer_env(&mut cmd)
        .current_dir(&repo.root)
        .args(["try-repo", ROOT, hook, "--verbose"])
        .args(more)
        .envs(extra.iter().copied())
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        // The built hook environment is kept between runs; cargo shares
        // its build cache so a rebuild only compiles this crate.
        .env(
            "PRE_COMMIT_HOME",
            Path::new(ROOT).join("target/pre-commit-home"),
        )
        .env(
            "CARGO_TARGET_DIR",
            Path::new(ROOT).join("target/pre-commit-build"),
        )
        // pre-commit builds the hook with `cargo install` (the release
        // profile: LTO, one codegen unit), for each try-repo of a changed
        // tree; the hook it tests needs no such binary, and CI's two cores
        // spent minutes linking it.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1");
    cmd.output().expect("pre-commit runs")
}

#[test]
fn pre_commit_framework_blocks_literals_and_passes_interpolation() {
    let Some(pc) = pre_commit_or_skip() else {
        return;
    };
    let repo = TestRepo::new();
    let t = npm_token(401);
    repo.write("packages/app/.npmrc", &literal_npmrc(&t));
    repo.write("README.md", "no tokens here\n");
    repo.git(&["add", "."]);
    let out = try_repo(&pc, &repo, "npmrc-guard", &[]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("packages/app/.npmrc:2:34 error[npm-token]"),
        "{all}"
    );
    assert!(!all.contains(&t), "pre-commit output holds the token");

    repo.write("packages/app/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "."]);
    let out = try_repo(&pc, &repo, "npmrc-guard", &[]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("Passed"), "{all}");
}

#[test]
fn pre_commit_fix_hook_moves_the_credential_out() {
    let Some(pc) = pre_commit_or_skip() else {
        return;
    };
    let repo = TestRepo::new();
    let t = npm_token(402);
    let line = format!("//registry.npmjs.org/:_authToken={t}");
    repo.write(
        ".npmrc",
        &format!("registry=https://registry.npmjs.org/\n{line}\n"),
    );
    repo.git(&["add", "."]);
    let user = repo.dir.path().join("user.npmrc");
    let env = [("NPM_CONFIG_USERCONFIG", user.as_path())];
    let out = try_repo(&pc, &repo, "npmrc-guard-fix", &env);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    // The framework fails a hook that modified files, so the user looks.
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(!all.contains(&t), "pre-commit output holds the token");
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        "registry=https://registry.npmjs.org/\n"
    );
    assert_eq!(
        std::fs::read_to_string(&user).expect("user config"),
        format!("{line}\n")
    );
    repo.git(&["add", "."]);
    let out = try_repo(&pc, &repo, "npmrc-guard-fix", &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

/// A commit that changes only the file a committed `.npmrc` names as
/// `userconfig=` matches none of the hook's `files:`: npm reads it all the
/// same, so the hook runs on every commit (`always_run`) and checks the
/// project's own configs (`--project`). A repository with no `.npmrc` at
/// all still commits.
#[test]
fn pre_commit_framework_blocks_a_change_to_a_named_file_alone() {
    let Some(pc) = pre_commit_or_skip() else {
        return;
    };
    let repo = TestRepo::new();
    repo.write("README.md", "no tokens here\n");
    repo.git(&["add", "."]);
    let out = try_repo(&pc, &repo, "npmrc-guard", &[]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "no .npmrc at all: {all}");

    repo.write(".npmrc", "userconfig=conf/npmrc\n");
    repo.write("conf/npmrc", SAFE_NPMRC);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "named config", "--no-verify"]);
    let t = npm_token(402);
    repo.write("conf/npmrc", &literal_npmrc(&t));
    repo.git(&["add", "conf/npmrc"]);
    let out = try_repo(&pc, &repo, "npmrc-guard", &[]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("conf/npmrc:2:34 error[npm-token]"), "{all}");
    assert!(!all.contains(&t), "pre-commit output holds the token");
}

/// A commit that changes only a lockfile (or `pnpm-workspace.yaml`, or an
/// env file) reaches the hook: the published `files:` takes every name the
/// tool reads by default, not only the configs.
#[test]
fn pre_commit_framework_blocks_a_lockfile_alone() {
    let Some(pc) = pre_commit_or_skip() else {
        return;
    };
    let repo = TestRepo::new();
    repo.write("README.md", "no tokens here\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "init", "--no-verify"]);
    let t = npm_token(403);
    repo.write(
        "package-lock.json",
        &format!(
            "{{\"lockfileVersion\": 3, \"packages\": {{\"node_modules/x\": {{\"resolved\": \"https://alice:{t}@registry.example/x/-/x-1.0.0.tgz\"}}}}}}\n"
        ),
    );
    repo.git(&["add", "package-lock.json"]);
    let out = try_repo(&pc, &repo, "npmrc-guard", &[]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("package-lock.json:1:"), "{all}");
    assert!(!all.contains(&t), "pre-commit output holds the token");
}

/// `pre-commit run --all-files`, as CI runs it, reviews the commit checked
/// out: its own `.npmrc-guard.toml` cannot exclude its own token (review
/// 5, #3). The config comes from the commit's parent (for GitHub's merge
/// commit of a pull request, the target branch); one committed before
/// is honoured.
#[test]
fn pre_commit_all_files_reviews_the_commit_with_its_parents_config() {
    let Some(pc) = pre_commit_or_skip() else {
        return;
    };
    let t = npm_token(404);
    let repo = TestRepo::new();
    repo.write("README.md", "no tokens here\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "base", "--no-verify"]);
    repo.write(".npmrc-guard.toml", "exclude = [\"fixtures/**\"]\n");
    repo.write("fixtures/.npmrc", &literal_npmrc(&t));
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "pr", "--no-verify"]);
    let out = try_repo_with(&pc, &repo, "npmrc-guard", &[], &["--all-files"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("fixtures/.npmrc:2:34 error[npm-token]"),
        "{all}"
    );
    assert!(!all.contains(&t), "pre-commit output holds the token");

    // The config in a commit of its own before: honoured.
    repo.git(&["rm", "-rq", "--cached", "fixtures"]);
    repo.git(&["commit", "-q", "--amend", "-m", "config", "--no-verify"]);
    repo.git(&["add", "fixtures"]);
    repo.git(&["commit", "-qm", "fixture", "--no-verify"]);
    let out = try_repo_with(&pc, &repo, "npmrc-guard", &[], &["--all-files"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
}

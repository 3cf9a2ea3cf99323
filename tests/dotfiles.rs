//! A dotfiles repository (the home folder, or files stowed into it, kept
//! in git) holds the user configs besides `~/.npmrc`: bun's
//! `~/.bunfig.toml` and pnpm's `~/.config/pnpm/rc`. bun 1.4.5 and pnpm
//! 10.34 send their tokens in every project (proved here on the wire with
//! `HOME` pointed at the repository); the guard reads both (review 5, #8).
//! Needs node and npm (bun and pnpm are installed under target/ once);
//! under `CI=true` their absence fails.

mod common;

use common::capture::{capture_server, Seen};
use common::npm::{installed_once, run};
use common::{text, TestRepo};
use std::path::Path;
use std::process::Command;

/// A fabricated token: random-looking, in no token format.
const TOKEN: &str = "7c1d9e2f-4a6b-4c8d-9e0f-1a2b3c4d5e6f";

fn bearer(seen: &Seen, marker: &str) -> bool {
    seen.lock().expect("lock").iter().any(|(path, auth)| {
        path.contains(marker) && auth.as_deref() == Some(&format!("Bearer {TOKEN}"))
    })
}

/// `program args` in a fresh project folder, with `HOME` the dotfiles
/// repository.
fn in_a_project(program: &Path, args: &[&str], home: &Path) {
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        project.path().join("package.json"),
        r#"{"name":"x","version":"1.0.0","dependencies":{"somepkg":"1.0.0"}}"#,
    )
    .expect("write");
    let caches = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(program);
    common::hermetic(&mut cmd, home)
        .current_dir(project.path())
        .args(args)
        // The user config under test, not the one the test's environment
        // names.
        .env_remove("NPM_CONFIG_USERCONFIG")
        .env_remove("XDG_CONFIG_HOME")
        .env("BUN_INSTALL_CACHE_DIR", caches.path().join("bun"))
        .env("npm_config_store_dir", caches.path().join("pnpm"));
    run("install", &mut cmd, 120);
}

/// The guard on the dotfiles repository: staged, then in the history.
fn guard_blocks(repo: &TestRepo, path: &str) {
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{path}: {}", text(&out.stdout));
    common::assert_no_secret(&out, &[TOKEN.to_string()]);
    assert!(
        text(&out.stdout).contains(&format!("\"path\": \"{path}\"")),
        "{}",
        text(&out.stdout)
    );
    let out = repo.tool(&["check", path]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "check {path}: {}",
        text(&out.stdout)
    );
    repo.git(&["commit", "-qm", "dotfiles", "--no-verify"]);
    let out = repo.tool(&["scan", "--history"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "history {path}: {}",
        text(&out.stdout)
    );
    common::assert_no_secret(&out, &[TOKEN.to_string()]);
}

#[test]
fn bun_reads_the_user_bunfig_a_dotfiles_repository_holds() {
    let Some(tools) = installed_once("bun", "@oven/bun-linux-x64@1.4.5") else {
        return;
    };
    let bun = tools.join("node_modules/@oven/bun-linux-x64/bin/bun");
    let (port, seen) = capture_server();
    let repo = TestRepo::new();
    repo.write(
        ".bunfig.toml",
        &format!("[install]\nregistry = {{ url = \"http://127.0.0.1:{port}/bun/\", token = \"{TOKEN}\" }}\n"),
    );
    in_a_project(&bun, &["install", "--no-cache"], &repo.root);
    assert!(
        bearer(&seen, "/bun/"),
        "bun sent: {:?}",
        seen.lock().expect("lock")
    );
    repo.git(&["add", "-A"]);
    guard_blocks(&repo, ".bunfig.toml");
}

#[test]
fn pnpm_reads_the_user_rc_a_dotfiles_repository_holds() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    let repo = TestRepo::new();
    repo.write(
        ".config/pnpm/rc",
        &format!(
            "registry=http://127.0.0.1:{port}/pnpm/\n//127.0.0.1:{port}/pnpm/:_authToken={TOKEN}\n"
        ),
    );
    let node = Path::new("node");
    let pnpm = tools.join("node_modules/pnpm/bin/pnpm.cjs");
    in_a_project(
        node,
        &[pnpm.to_str().expect("utf-8"), "install"],
        &repo.root,
    );
    assert!(
        bearer(&seen, "/pnpm/"),
        "pnpm sent: {:?}",
        seen.lock().expect("lock")
    );
    repo.git(&["add", "-A"]);
    guard_blocks(&repo, ".config/pnpm/rc");
}

/// `~/.npmrc` naming its global config through `~/` (`prefix=~/.local`,
/// the usual user prefix, names `~/.local/etc/npmrc`): in a dotfiles
/// repository that file is in the repository, and npm sends its token
/// (review 6, #3).
#[test]
fn npm_reads_the_global_config_a_dotfiles_npmrc_names_through_the_home() {
    if !common::npm::have("npm") {
        return;
    }
    for (npmrc, global) in [
        ("prefix=~/.local\n", ".local/etc/npmrc"),
        ("globalconfig=~/.config/npm/npmrc\n", ".config/npm/npmrc"),
    ] {
        let (port, seen) = capture_server();
        let repo = TestRepo::new();
        repo.write(".npmrc", npmrc);
        repo.write(
            global,
            &format!("registry=http://127.0.0.1:{port}/npm/\n//127.0.0.1:{port}/npm/:_authToken={TOKEN}\n"),
        );
        let project = tempfile::tempdir().expect("tempdir");
        std::fs::write(project.path().join("package.json"), "{}").expect("write");
        let mut cmd = Command::new("npm");
        common::hermetic(&mut cmd, &repo.root)
            .current_dir(project.path())
            .args(["view", "somepkg", "--fetch-retries=0"])
            .env_remove("NPM_CONFIG_USERCONFIG");
        run("npm view", &mut cmd, 60);
        assert!(
            bearer(&seen, "/npm/"),
            "{npmrc}: npm sent {:?}",
            seen.lock().expect("lock")
        );
        repo.git(&["add", "-A"]);
        guard_blocks(&repo, global);
    }
}

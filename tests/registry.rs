//! A real registry: Verdaccio 6 on 127.0.0.1, htpasswd auth, a user and
//! its token made through the registry's own API, a private scoped package.
//! npm and pnpm install it with the literal token, and again after each
//! fix; with the variable unset after `--save-env` they fail to
//! authenticate: the secret really left the file. The npm packages built
//! from this binary are published there too, and `npm install -D
//! npmrc-guard` then `npx npmrc-guard install` blocks a commit.
//!
//! Verdaccio and pnpm are installed once into target/test-tools (see
//! tests/common/npm.rs); node and npm are needed, and their absence fails
//! the tests under CI=true.

mod common;

use common::npm::{
    clean_path, hook_manager_modules, missing, packed, run, test_tools, Verdaccio, PNPM_VERSION,
};
use common::{assert_no_secret, hermetic, npm_token, text, TestRepo};
use std::path::Path;
use std::process::{Command, Output};

/// A registry with one user, whose token is returned, and the private
/// package `@private/secret-pkg@1.0.0` published by that user.
fn registry(tools: &Path) -> (Verdaccio, String) {
    common::npm::private_registry(tools)
}

fn publisher_npmrc(registry: &Verdaccio, token: &str) -> String {
    format!(
        "registry={}\n{}:_authToken={token}\n",
        registry.url(),
        registry.nerf()
    )
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Manager {
    Npm,
    Pnpm,
}

/// `install` in the project with fresh caches (nothing is answered from
/// an earlier install: pnpm would otherwise resolve from its metadata
/// cache), after loading `store` into the environment when given.
fn install(manager: Manager, repo: &TestRepo, tools: &Path, store: Option<&Path>) -> Output {
    for leftover in ["node_modules", "package-lock.json", "pnpm-lock.yaml"] {
        let p = repo.root.join(leftover);
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
    }
    let caches = tempfile::tempdir().expect("tempdir");
    let c = caches.path();
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    if let Some(store) = store {
        // The store, sourced as a shell reads it, exported.
        for a in ["-c", "set -a && . \"$0\" && set +a && exec \"$@\""] {
            args.push(a.into());
        }
        args.push(store.into());
    }
    match manager {
        Manager::Npm => {
            for a in ["npm", "install", "--no-audit", "--no-fund"] {
                args.push(a.into());
            }
        }
        Manager::Pnpm => {
            args.push("node".into());
            args.push(tools.join("node_modules/pnpm/bin/pnpm.cjs").into());
            args.push("install".into());
            args.push("--store-dir".into());
            args.push(c.join("store").into());
        }
    }
    let mut cmd = if store.is_some() {
        repo.command("sh")
    } else {
        repo.command(args.remove(0).to_str().expect("utf-8"))
    };
    cmd.args(&args)
        .env("npm_config_cache", c.join("npm"))
        .env("XDG_CACHE_HOME", c.join("cache"))
        .env("XDG_DATA_HOME", c.join("data"))
        .env("XDG_STATE_HOME", c.join("state"));
    run(&format!("{manager:?} install"), &mut cmd, 300)
}

fn installed(repo: &TestRepo) -> bool {
    repo.root
        .join("node_modules/@private/secret-pkg/package.json")
        .exists()
}

fn assert_installs(what: &str, out: &Output, repo: &TestRepo) {
    assert!(
        out.status.success() && installed(repo),
        "{what}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn assert_refused(what: &str, out: &Output, repo: &TestRepo) {
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr)).to_lowercase();
    assert!(
        !out.status.success() && !installed(repo),
        "{what}: installed"
    );
    assert!(
        ["401", "403", "unauthorized", "authenticat", "authoriz"]
            .iter()
            .any(|w| said.contains(w)),
        "{what}: not an authentication failure: {said}"
    );
}

/// The project: a git repository whose `.npmrc` holds the literal token.
fn project(manager: Manager, registry: &Verdaccio, token: &str) -> TestRepo {
    let repo = TestRepo::new();
    let package_manager = match manager {
        Manager::Npm => String::new(),
        // How the tool knows the repository uses pnpm (it then says pnpm's
        // caveat, below).
        Manager::Pnpm => format!(r#", "packageManager": "pnpm@{PNPM_VERSION}""#),
    };
    repo.write(
        "package.json",
        &format!(
            r#"{{ "name": "app", "version": "1.0.0", "private": true, "dependencies": {{ "@private/secret-pkg": "1.0.0" }}{package_manager} }}"#
        ),
    );
    repo.write(".npmrc", &publisher_npmrc(registry, token));
    repo
}

fn fix(repo: &TestRepo, args: &[&str], token: &str) -> Output {
    let mut all = vec!["fix"];
    all.extend_from_slice(args);
    let out = repo.tool(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "fix {args:?}: {}",
        text(&out.stderr)
    );
    assert_no_secret(&out, &[token.to_string()]);
    let npmrc = std::fs::read_to_string(repo.root.join(".npmrc")).expect("read");
    assert!(
        !npmrc.contains(token),
        "the token is still in .npmrc: fix {args:?}"
    );
    out
}

fn round_trip(manager: Manager) {
    let Some(tools) = test_tools() else { return };
    let (registry, token) = registry(&tools);
    let repo = project(manager, &registry, &token);
    let check = repo.tool(&["check", ".npmrc"]);
    assert_eq!(check.status.code(), Some(1), "the literal token is found");

    // 1. The literal token installs.
    assert_installs(
        "literal token",
        &install(manager, &repo, &tools, None),
        &repo,
    );

    // 2. --save-env: the token goes to a store outside the repository.
    let store = repo.dir.path().join("npm-secrets.env");
    let store_arg = store.to_str().expect("utf-8");
    let out = fix(&repo, &["--save-env", store_arg], &token);
    let npmrc = std::fs::read_to_string(repo.root.join(".npmrc")).expect("read");
    assert!(npmrc.contains(":_authToken=${NPM_TOKEN}"), "{npmrc}");
    let with_store = install(manager, &repo, &tools, Some(&store));
    match manager {
        Manager::Npm => assert_installs("--save-env, store loaded", &with_store, &repo),
        // pnpm 10.34.2 no longer expands ${…} in credentials of a project
        // .npmrc (GHSA-3qhv-2rgh-x77r): the store alone does not do it.
        // The fix says so and offers --move-to-user-config (step 4).
        Manager::Pnpm => {
            assert!(
                text(&out.stderr).contains("GHSA-3qhv-2rgh-x77r"),
                "the fix names pnpm's advisory: {}",
                text(&out.stderr)
            );
            assert_refused("pnpm, --save-env, store loaded", &with_store, &repo);
        }
    }

    // 3. The variable unset: the registry refuses. The secret left the file.
    assert_refused(
        "--save-env, no variable",
        &install(manager, &repo, &tools, None),
        &repo,
    );

    // 4. From the literal file again: --move-to-user-config, and no
    // variable at all. The user config is the test's HOME/.npmrc.
    repo.write(".npmrc", &publisher_npmrc(&registry, &token));
    fix(&repo, &["--move-to-user-config"], &token);
    let user = std::fs::read_to_string(repo.dir.path().join(".npmrc")).expect("user config");
    assert!(
        user.contains(&token),
        "the credential moved to the user config"
    );
    assert_installs(
        "--move-to-user-config",
        &install(manager, &repo, &tools, None),
        &repo,
    );
}

#[test]
fn npm_installs_from_the_private_registry_before_and_after_each_fix() {
    round_trip(Manager::Npm);
}

#[test]
fn pnpm_installs_from_the_private_registry_before_and_after_each_fix() {
    round_trip(Manager::Pnpm);
}

/// The packages `npm/pack.cjs` builds from this binary, published to the
/// registry; a fresh project installs them with `npm install -D`, and the
/// hook `npx npmrc-guard install` writes blocks a commit of a token.
#[test]
fn npm_install_d_npmrc_guard_then_the_hook_blocks_a_token() {
    let Some(tools) = test_tools() else { return };
    let registry = Verdaccio::start(&tools);
    let token = registry.add_user("publisher", "correct-horse-battery-staple");
    let publisher = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        publisher.path().join(".npmrc"),
        publisher_npmrc(&registry, &token),
    )
    .expect("write");
    let version = env!("CARGO_PKG_VERSION");
    let platform = common::npm::host_platform();
    // The platform package first: the launcher's optional dependency.
    for tgz in [
        format!("npmrc-guard-{platform}-{version}.tgz"),
        format!("npmrc-guard-{version}.tgz"),
    ] {
        let out = run(
            "npm publish",
            hermetic(&mut Command::new("npm"), publisher.path())
                .args(["publish", "--loglevel=error"])
                .arg(packed().join(&tgz)),
            180,
        );
        assert!(
            out.status.success(),
            "npm publish {tgz}: {}",
            text(&out.stderr)
        );
    }

    let repo = TestRepo::new();
    repo.write(
        "package.json",
        r#"{ "name": "app", "version": "1.0.0", "private": true }"#,
    );
    repo.write(".gitignore", "node_modules/\n");
    // The registry and its token in the user's config (the test's HOME),
    // not in the project.
    std::fs::write(
        repo.dir.path().join(".npmrc"),
        publisher_npmrc(&registry, &token),
    )
    .expect("write");
    let caches = tempfile::tempdir().expect("tempdir");
    let out = run(
        "npm install -D npmrc-guard",
        repo.command("npm")
            .args(["install", "-D", "npmrc-guard", "--no-audit", "--no-fund"])
            .env("npm_config_cache", caches.path()),
        300,
    );
    assert!(
        out.status.success(),
        "npm install -D npmrc-guard: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let binary = repo.root.join(format!(
        "node_modules/@npmrc-guard/{platform}/bin/npmrc-guard"
    ));
    assert!(binary.exists(), "npm installed the platform package");

    let version_out = run(
        "npx npmrc-guard --version",
        repo.command("npx").args(["npmrc-guard", "--version"]),
        120,
    );
    assert!(
        text(&version_out.stdout).starts_with(&format!("npmrc-guard {version} (")),
        "{}",
        text(&version_out.stdout)
    );
    let out = run(
        "npx npmrc-guard install",
        repo.command("npx").args(["npmrc-guard", "install"]),
        120,
    );
    assert!(out.status.success(), "install: {}", text(&out.stderr));
    let hook = std::fs::read_to_string(repo.root.join(".git/hooks/pre-commit")).expect("a hook");
    // The hook calls the platform binary itself: no node at commit time.
    let canonical = std::fs::canonicalize(&binary).expect("canonical");
    assert!(
        hook.contains(canonical.to_str().expect("utf-8")),
        "the hook calls {}: {hook}",
        canonical.display()
    );

    repo.git(&["add", ".gitignore", "package.json"]);
    repo.commit_setup("app");
    let leaked = npm_token(1403);
    repo.write(".npmrc", &common::literal_npmrc(&leaked));
    repo.git(&["add", ".npmrc"]);
    let before = repo.head();
    let blocked = repo.git_out(&["commit", "-m", "leak"]);
    assert!(
        !blocked.status.success(),
        "the commit with a token went through"
    );
    assert!(
        text(&blocked.stderr).contains(".npmrc"),
        "{}",
        text(&blocked.stderr)
    );
    assert_no_secret(&blocked, &[leaked]);
    assert_eq!(repo.head(), before);

    repo.write(".npmrc", common::SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    let clean = repo.git_out(&["commit", "-m", "safe"]);
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    assert_ne!(repo.head(), before);

    for manager in HookManager::ALL {
        through_a_hook_manager(manager, &repo.root.join("node_modules"));
    }
}

/// The hook managers `install` writes into (issue 14, item 2), each proven
/// here with the package npm installed from the registry.
#[derive(Clone, Copy, Debug)]
enum HookManager {
    Husky,
    Lefthook,
    SimpleGitHooks,
    PreCommit,
}

impl HookManager {
    const ALL: [HookManager; 4] = [
        HookManager::Husky,
        HookManager::Lefthook,
        HookManager::SimpleGitHooks,
        HookManager::PreCommit,
    ];
}

/// A project whose `node_modules` is what `npm install -D npmrc-guard`
/// gave (copied, links and all: the launcher and the platform package) and
/// which uses `manager`: `npx npmrc-guard install` adds the command to the
/// manager's config, the manager installs its hook, and a commit with a
/// token is blocked while a clean one goes through. `PATH` holds no other
/// copy of the tool.
fn through_a_hook_manager(manager: HookManager, installed: &Path) {
    let path = clean_path();
    let repo = TestRepo::new();
    let cp = Command::new("cp")
        .arg("-a")
        .arg(installed)
        .arg(repo.root.join("node_modules"))
        .status()
        .expect("cp runs");
    assert!(cp.success(), "copy node_modules");
    repo.write(".gitignore", "node_modules/\n");
    let run = |program: &str, args: &[&str]| {
        let out = run(
            &format!("{manager:?}: {program} {}", args.join(" ")),
            repo.command(program).env("PATH", &path).args(args),
            300,
        );
        assert!(
            out.status.success(),
            "{manager:?}: {program} {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout) + &text(&out.stderr)
    };
    let mut package = r#"{ "name": "app", "version": "1.0.0", "private": true }"#.to_string();
    match manager {
        HookManager::Husky => {
            let Some(modules) = hook_manager_modules() else {
                return;
            };
            repo.write(".husky/pre-commit", "echo user-hook-ran\n");
            run(
                "node",
                &[modules.join("husky/bin.js").to_str().expect("utf-8")],
            );
        }
        HookManager::Lefthook => {
            if missing_tool(&repo, &path, "lefthook", "version") {
                return;
            }
            repo.write(
                "lefthook.yml",
                "pre-commit:\n  commands:\n    user:\n      run: echo user-hook-ran\n",
            );
        }
        HookManager::SimpleGitHooks => {
            if hook_manager_modules().is_none() {
                return;
            }
            package = r#"{ "name": "app", "version": "1.0.0", "private": true, "simple-git-hooks": { "pre-commit": "echo user-hook-ran" } }"#.to_string();
        }
        HookManager::PreCommit => {
            if missing_tool(&repo, &path, "pre-commit", "--version") {
                return;
            }
            repo.write(
                ".pre-commit-config.yaml",
                "repos:\n- repo: local\n  hooks:\n  - id: user\n    name: user\n    entry: echo user-hook-ran\n    language: system\n    verbose: true\n",
            );
        }
    }
    repo.write("package.json", &package);
    repo.git(&["add", "-A"]);
    repo.commit_setup("app");
    let added = run("npx", &["npmrc-guard", "install"]);
    assert!(added.contains("added to"), "{manager:?}: {added}");
    match manager {
        HookManager::Husky => {}
        HookManager::Lefthook => {
            run("lefthook", &["install"]);
        }
        HookManager::SimpleGitHooks => {
            let modules = hook_manager_modules().expect("installed above");
            run(
                "node",
                &[modules
                    .join("simple-git-hooks/cli.js")
                    .to_str()
                    .expect("utf-8")],
            );
        }
        HookManager::PreCommit => {
            run("pre-commit", &["install"]);
        }
    }
    // The managers' configs are committed files: stage what install wrote
    // (pre-commit refuses to run with an unstaged config).
    repo.git(&["add", "-A"]);
    repo.commit_setup("the guard in the hook manager");

    let commit = |content: &str, msg: &str| {
        repo.write(".npmrc", content);
        repo.git(&["add", ".npmrc"]);
        let before = repo.head();
        let out = repo
            .git_cmd(&["commit", "-m", msg])
            .env("PATH", &path)
            .output()
            .expect("git runs");
        let moved = repo.head() != before;
        (moved, out)
    };
    let leaked = npm_token(1404);
    let (moved, out) = commit(&common::literal_npmrc(&leaked), "leak");
    let log = text(&out.stdout) + &text(&out.stderr);
    assert!(
        !moved,
        "{manager:?}: the commit with a token went through: {log}"
    );
    assert!(log.contains("error[npm-token]"), "{manager:?}: {log}");
    assert_no_secret(&out, std::slice::from_ref(&leaked));
    let (moved, out) = commit(common::SAFE_NPMRC, "safe");
    let log = text(&out.stdout) + &text(&out.stderr);
    assert!(moved, "{manager:?}: a clean commit was blocked: {log}");
    assert!(
        log.contains("user-hook-ran"),
        "{manager:?}: the user's own hook ran: {log}"
    );
}

/// Whether `tool` is missing from `path` (then the test skips, or fails
/// under CI=true).
fn missing_tool(repo: &TestRepo, path: &str, tool: &str, arg: &str) -> bool {
    let ok = repo
        .command(tool)
        .env("PATH", path)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success());
    !ok && missing::<()>(tool).is_none()
}

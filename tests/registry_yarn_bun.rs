//! Round trips through a real registry for yarn 2+ and bun (issue 15):
//! Verdaccio on 127.0.0.1 (one for both), a private package, and a project
//! whose `.yarnrc.yml` or `bunfig.toml` holds the literal token. The tool
//! installs it; after `fix --save-env` it installs again with the store
//! loaded into the environment; with the variable unset it does not.
//!
//! Unset, the two fail differently, as each tool does: yarn refuses to
//! load any config with an unset `${NAME}` (it stops before asking the
//! registry anything), bun sends the text `$NPM_TOKEN` and the registry
//! answers 401.
//!
//! yarn 1 has its own test at the end: it expands nothing in `.yarnrc`.
//!
//! yarn is `@yarnpkg/cli-dist` (run with node), yarn 1 the npm package
//! `yarn`, bun is
//! `@oven/bun-linux-x64`; each installed once under target/ (see
//! tests/common/npm.rs), with Verdaccio. Caches are in temporary folders.

mod common;

use common::npm::{installed_once, private_registry, run, test_tools, Verdaccio};
use common::{assert_no_secret, text, TestRepo};
use std::path::{Path, PathBuf};
use std::process::Output;

use common::npm::YARN4 as YARN;
const BUN: &str = "@oven/bun-linux-x64@1.4.5";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tool {
    Yarn,
    Bun,
}

impl Tool {
    fn file(self) -> &'static str {
        match self {
            Tool::Yarn => ".yarnrc.yml",
            Tool::Bun => "bunfig.toml",
        }
    }

    fn config(self, registry: &Verdaccio, token: &str) -> String {
        match self {
            Tool::Yarn => format!(
                "# the team's registry\nnodeLinker: node-modules\nenableGlobalCache: false\n\
                 npmMinimalAgeGate: 0\n\
                 unsafeHttpWhitelist:\n  - 127.0.0.1\n\
                 npmRegistryServer: \"{}\"\nnpmAuthToken: \"{token}\"\n",
                registry.url()
            ),
            Tool::Bun => format!(
                "# the team's registry\n[install]\nregistry = {{ url = \"{}\", token = \"{token}\" }}\n",
                registry.url()
            ),
        }
    }

    /// What the fix writes in place of the token.
    fn reference(self) -> &'static str {
        match self {
            Tool::Yarn => "npmAuthToken: \"${NPM_TOKEN}\"",
            Tool::Bun => "token = \"$NPM_TOKEN\"",
        }
    }
}

/// The program and its first arguments.
fn program(tool: Tool) -> Option<(PathBuf, Vec<PathBuf>)> {
    match tool {
        Tool::Yarn => {
            let dir = installed_once("yarn", YARN)?;
            let js = dir.join("node_modules/@yarnpkg/cli-dist/bin/yarn.js");
            Some((PathBuf::from("node"), vec![js]))
        }
        Tool::Bun => {
            let dir = installed_once("bun", BUN)?;
            Some((dir.join("node_modules/@oven/bun-linux-x64/bin/bun"), vec![]))
        }
    }
}

/// `install` with fresh caches, after loading `store` into the
/// environment when given (sourced as a shell reads it, exported).
fn install(tool: Tool, repo: &TestRepo, store: Option<&Path>) -> Output {
    for leftover in [
        "node_modules",
        "yarn.lock",
        "bun.lock",
        "bun.lockb",
        ".yarn",
        ".pnp.cjs",
    ] {
        let p = repo.root.join(leftover);
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
    }
    if tool == Tool::Yarn {
        // The project's root, for yarn.
        repo.write("yarn.lock", "");
    }
    let (prog, first) = program(tool).expect("installed before");
    let caches = tempfile::tempdir().expect("tempdir");
    let c = caches.path();
    let mut cmd = repo.command("sh");
    cmd.arg("-c");
    match store {
        Some(store) => {
            cmd.arg("set -a && . \"$0\" && set +a && exec \"$@\"");
            cmd.arg(store);
        }
        None => {
            cmd.arg("exec \"$@\"");
            cmd.arg("sh");
        }
    }
    cmd.arg(prog).args(first).arg("install");
    cmd.env("YARN_ENABLE_TELEMETRY", "0")
        .env("YARN_ENABLE_IMMUTABLE_INSTALLS", "false")
        .env("YARN_CACHE_FOLDER", c.join("yarn-cache"))
        .env("YARN_GLOBAL_FOLDER", c.join("yarn-global"))
        .env("BUN_INSTALL_CACHE_DIR", c.join("bun-cache"))
        .env("DO_NOT_TRACK", "1")
        .env("XDG_CACHE_HOME", c.join("cache"));
    run(&format!("{tool:?} install"), &mut cmd, 300)
}

fn installed(repo: &TestRepo) -> bool {
    repo.root
        .join("node_modules/@private/secret-pkg/package.json")
        .exists()
}

fn said(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn round_trip(tool: Tool, registry: &Verdaccio, token: &str) {
    let repo = TestRepo::new();
    repo.write(
        "package.json",
        r#"{ "name": "app", "version": "1.0.0", "private": true, "dependencies": { "@private/secret-pkg": "1.0.0" } }"#,
    );
    repo.write(tool.file(), &tool.config(registry, token));
    let check = repo.tool(&["check", tool.file()]);
    assert_eq!(check.status.code(), Some(1), "the literal token is found");

    // 1. The literal token installs.
    let out = install(tool, &repo, None);
    assert!(
        out.status.success() && installed(&repo),
        "{tool:?}, literal: {}",
        said(&out)
    );

    // 2. --save-env: the token goes to a store outside the repository,
    // and the tool installs with the store loaded.
    let store = repo.dir.path().join("secrets.env");
    let out = repo.tool(&[
        "fix",
        "--save-env",
        store.to_str().expect("utf-8"),
        tool.file(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{tool:?} fix: {}", said(&out));
    assert_no_secret(&out, &[token.to_string()]);
    let fixed = std::fs::read_to_string(repo.root.join(tool.file())).expect("read");
    assert!(
        !fixed.contains(token) && fixed.contains(tool.reference()),
        "{fixed}"
    );
    assert_eq!(
        fixed,
        tool.config(registry, token).replace(
            &format!("\"{token}\""),
            match tool {
                Tool::Yarn => "\"${NPM_TOKEN}\"",
                Tool::Bun => "\"$NPM_TOKEN\"",
            }
        ),
        "only the token's bytes changed"
    );
    let out = install(tool, &repo, Some(&store));
    assert!(
        out.status.success() && installed(&repo),
        "{tool:?}, store loaded: {}",
        said(&out)
    );

    // 3. The variable unset: no install. The secret left the file.
    let out = install(tool, &repo, None);
    let all = said(&out).to_lowercase();
    assert!(
        !out.status.success() && !installed(&repo),
        "{tool:?}, unset: installed"
    );
    match tool {
        // yarn stops at loading its config, before any request.
        Tool::Yarn => assert!(
            all.contains("npm_token") && all.contains("environment variable"),
            "yarn, unset: not the config error: {all}"
        ),
        // bun sends `Bearer $NPM_TOKEN`; the registry refuses it.
        Tool::Bun => assert!(
            ["401", "403", "unauthorized", "authenticat", "authoriz"]
                .iter()
                .any(|w| all.contains(w)),
            "bun, unset: not an authentication failure: {all}"
        ),
    }
}

#[test]
fn yarn_and_bun_install_from_the_private_registry_before_and_after_the_fix() {
    let Some(tools) = test_tools() else { return };
    if program(Tool::Yarn).is_none() || program(Tool::Bun).is_none() {
        return;
    }
    let (registry, token) = private_registry(&tools);
    round_trip(Tool::Yarn, &registry, &token);
    round_trip(Tool::Bun, &registry, &token);
}

const YARN1: &str = "yarn@1.22.22";

/// yarn 1's `install` in `repo` with fresh caches and `env` set.
fn yarn1_install(repo: &TestRepo, yarn1: &Path, env: &[(&str, &str)]) -> Output {
    for leftover in ["node_modules", "yarn.lock"] {
        let p = repo.root.join(leftover);
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
    }
    let caches = tempfile::tempdir().expect("tempdir");
    let mut cmd = repo.command("node");
    cmd.arg(yarn1.join("node_modules/yarn/bin/yarn.js"))
        .args([
            "install",
            "--non-interactive",
            "--no-lockfile",
            "--cache-folder",
        ])
        .arg(caches.path().join("yarn1-cache"))
        .env("YARN_DISABLE_SELF_UPDATE_CHECK", "true")
        .env("XDG_CACHE_HOME", caches.path().join("cache"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    run("yarn 1 install", &mut cmd, 300)
}

/// yarn 1 (issue 15), through Verdaccio: a `.yarnrc` registry URL's
/// `user:password@` is sent, as Basic, with the package's metadata request
/// (the right password passes that step and the install stops at the
/// tarball, whose URL holds no credentials and which yarn 1 fetches
/// without them; a wrong one is refused at the metadata). yarn 1 expands
/// no `${NAME}` in `.yarnrc`: `${PW}` with PW set fails as a wrong password
/// does. There is no safe form of it in `.yarnrc`, so the guard reports it
/// and `fix` refuses (exit 2), naming the way that works: the URL without
/// credentials and `//host/:_authToken=${NAME}` in `.npmrc`, which yarn 1
/// reads and expands: that installs with the variable set, not without.
#[test]
fn yarn1_sends_yarnrc_url_credentials_and_expands_nothing_there() {
    let Some(tools) = test_tools() else { return };
    let Some(yarn1) = installed_once("yarn1", YARN1) else {
        return;
    };
    let (registry, token) = private_registry(&tools);
    let pw = "correct-horse-battery-staple";
    let host = format!("127.0.0.1:{}", registry.port);
    let repo = TestRepo::new();
    repo.write(
        "package.json",
        r#"{ "name": "app", "version": "1.0.0", "private": true, "dependencies": { "@private/secret-pkg": "1.0.0" } }"#,
    );
    let yarnrc = |userinfo: &str| format!("\"@private:registry\" \"http://{userinfo}{host}/\"\n");
    // How far an install got: the metadata passed when the tarball failed.
    let at_tarball = |out: &Output| {
        let all = said(out);
        all.contains("secret-pkg-1.0.0.tgz") && all.contains("401")
    };
    // Refused at the metadata request (Verdaccio: "authorization required").
    let at_metadata = |out: &Output| {
        let all = said(out);
        !out.status.success()
            && !at_tarball(out)
            && all.contains("@private%2fsecret-pkg")
            && (all.contains("authorization required") || all.contains("401"))
    };

    // 1. The literal password: the metadata request passes (the tarball,
    // fetched without credentials, does not).
    let literal = yarnrc(&format!("alice:{pw}@"));
    repo.write(".yarnrc", &literal);
    let out = yarn1_install(&repo, &yarn1, &[]);
    assert!(at_tarball(&out), "yarn 1, literal: {}", said(&out));
    // A wrong password stops at the metadata.
    repo.write(".yarnrc", &yarnrc("alice:wrong-password@"));
    let out = yarn1_install(&repo, &yarn1, &[]);
    assert!(at_metadata(&out), "yarn 1, wrong password: {}", said(&out));
    // 2. `${PW}` with PW set: sent as text, refused as a wrong password is.
    repo.write(".yarnrc", &yarnrc("alice:${PW}@"));
    let out = yarn1_install(&repo, &yarn1, &[("PW", pw)]);
    assert!(
        at_metadata(&out),
        "yarn 1 expanded ${{PW}} in .yarnrc: {}",
        said(&out)
    );

    // The guard: reported, and fix refuses with what to do.
    repo.write(".yarnrc", &literal);
    let check = repo.tool(&["check", ".yarnrc"]);
    assert_eq!(check.status.code(), Some(1), "{}", said(&check));
    let fix = repo.tool(&["fix", "--save-env", "../s.env", ".yarnrc"]);
    assert_eq!(fix.status.code(), Some(2), "{}", said(&fix));
    assert!(
        said(&fix).contains("put the credential in .npmrc as `//host/:_authToken=${NAME}`"),
        "{}",
        said(&fix)
    );
    assert_no_secret(&fix, &[pw.to_string()]);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".yarnrc")).expect("read"),
        literal
    );
    assert!(!repo.dir.path().join("s.env").exists());

    // 3. What it names: no credentials in .yarnrc, `${NPM_TOKEN}` in .npmrc.
    repo.write(".yarnrc", &yarnrc(""));
    repo.write(".npmrc", &format!("//{host}/:_authToken=${{NPM_TOKEN}}\n"));
    let check = repo.tool(&["check", ".yarnrc", ".npmrc"]);
    assert_eq!(check.status.code(), Some(0), "{}", said(&check));
    let out = yarn1_install(&repo, &yarn1, &[("NPM_TOKEN", &token)]);
    assert!(
        out.status.success() && installed(&repo),
        "yarn 1, .npmrc with NPM_TOKEN set: {}",
        said(&out)
    );
    let out = yarn1_install(&repo, &yarn1, &[]);
    assert!(
        !out.status.success() && !installed(&repo),
        "yarn 1, NPM_TOKEN unset: installed"
    );
}

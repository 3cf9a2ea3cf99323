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
//! yarn is `@yarnpkg/cli-dist` (run with node), bun is
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

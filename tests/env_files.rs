//! Env files yarn and bun load by themselves (review hole H8): a committed
//! `.env` can fill the `${NPM_TOKEN}` of a `.npmrc` or `bunfig.toml` with a
//! literal, and bun sends it; a committed `.env.yarn` (or a file
//! `injectEnvironmentFiles` names) does the same for `.yarnrc.yml`.
//!
//! First the tools themselves show what they send (bun's `Authorization`
//! header on a capture server on 127.0.0.1, yarn's `config get
//! --no-redacted`), with no variable set; then every mode of the guard must
//! report the env file's value, and never show it whole. What no tool sends
//! (a variable no credential uses, an ignored local file, a file in another
//! folder) stays at 0.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::capture::capture_server;
use common::{assert_no_secret, hermetic, npmrc_guard, text, TestRepo};
use serde_json::Value;

const BUN: &str = "@oven/bun-linux-x64@1.4.5";
const YARN: &str = "@yarnpkg/cli-dist@4.18.1";

fn bun() -> Option<PathBuf> {
    let dir = common::npm::installed_once("bun", BUN)?;
    Some(dir.join("node_modules/@oven/bun-linux-x64/bin/bun"))
}

/// A secret no tool would take for a token format: a password.
fn password(seed: u32) -> String {
    format!("Envfile{seed}Secret!x")
}

/// The findings of a JSON report: (path, key, line, severity).
fn findings(out: &Output) -> Vec<(String, String, u64, String)> {
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}{}", text(&out.stdout), text(&out.stderr)));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["key"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn check_json(dir: &Path, files: &[&str]) -> Output {
    npmrc_guard(dir)
        .args(["check", "--format", "json"])
        .args(files)
        .output()
        .expect("runs")
}

/// bun, in `dir`, with no variable set: what it sent for `@corp/x`.
fn bun_sends(bun: &Path, dir: &Path, seen: &common::capture::Seen) -> Option<String> {
    let home = tempfile::tempdir().expect("tempdir");
    let out = common::npm::run(
        "bun install",
        hermetic(&mut Command::new(bun), home.path())
            .args(["install", "--no-save"])
            .current_dir(dir)
            .env("BUN_INSTALL_CACHE_DIR", home.path().join("cache"))
            .env("DO_NOT_TRACK", "1"),
        60,
    );
    assert!(!out.status.success(), "the package does not exist");
    let sent = seen.lock().expect("lock").drain(..).collect::<Vec<_>>();
    let (_, auth) = sent
        .into_iter()
        .find(|(p, _)| p.contains("@corp"))
        .unwrap_or_else(|| panic!("bun never asked for @corp/x: {}", text(&out.stderr)));
    auth
}

#[test]
fn bun_sends_what_a_committed_env_file_assigns_and_check_reports_it() {
    let Some(bun) = bun() else {
        return;
    };
    let (port, seen) = capture_server();
    let configs = [
        (
            ".npmrc",
            format!("@corp:registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{NPM_TOKEN}}\n"),
        ),
        (
            ".npmrc",
            format!("@corp:registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=$NPM_TOKEN\n"),
        ),
        (
            "bunfig.toml",
            format!("[install.scopes]\n\"@corp\" = {{ token = \"$NPM_TOKEN\", url = \"http://127.0.0.1:{port}/\" }}\n"),
        ),
    ];
    let mut seed = 0;
    for (config, content) in &configs {
        // bun install loads these with NODE_ENV unset.
        for env in [
            ".env",
            ".env.local",
            ".env.production",
            ".env.production.local",
        ] {
            seed += 1;
            let secret = password(seed);
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(
                dir.path().join("package.json"),
                "{\"name\":\"p\",\"dependencies\":{\"@corp/x\":\"1.0.0\"}}",
            )
            .expect("write");
            std::fs::write(dir.path().join(config), content).expect("write");
            std::fs::write(
                dir.path().join(env),
                format!("# local\nOTHER=1\nNPM_TOKEN={secret}\n"),
            )
            .expect("write");
            assert_eq!(
                bun_sends(&bun, dir.path(), &seen).as_deref(),
                Some(format!("Bearer {secret}").as_str()),
                "bun's reading of {env} into {config}"
            );
            let out = check_json(dir.path(), &[config]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{config} + {env}: {}",
                text(&out.stderr)
            );
            // (`$NPM_TOKEN` in a `.npmrc` is also a warning: npm sends it
            // as text.)
            let errors: Vec<_> = findings(&out)
                .into_iter()
                .filter(|f| f.3 == "error")
                .collect();
            assert_eq!(
                errors,
                [(
                    env.to_string(),
                    "NPM_TOKEN".to_string(),
                    3,
                    "error".to_string()
                )],
                "{config} + {env}"
            );
            assert_no_secret(&out, std::slice::from_ref(&secret));
            // Named alone, the env file is judged with its config too.
            let out = check_json(dir.path(), &[env]);
            assert_eq!(out.status.code(), Some(1), "{env} alone");
        }
    }
}

fn yarn_get(tools: &Path, dir: &Path) -> Value {
    let home = tempfile::tempdir().expect("tempdir");
    common::npm::yarn_config_get(tools, dir, home.path(), "npmScopes", &[])
}

#[test]
fn yarn_reads_env_yarn_and_the_files_it_is_told_to_inject() {
    let tools = common::npm::installed_once("yarn", YARN);
    let scope = "npmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.corp.example\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n";
    let cases = [
        (".env.yarn", scope.to_string()),
        (
            "ci.env",
            format!("injectEnvironmentFiles:\n  - ci.env?\n{scope}"),
        ),
        (
            ".env",
            format!("injectEnvironmentFiles: [\".env\"]\n{scope}"),
        ),
    ];
    for (i, (env, yarnrc)) in cases.iter().enumerate() {
        let secret = password(100 + i as u32);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package.json"), "{\"name\":\"p\"}").expect("write");
        std::fs::write(dir.path().join(".yarnrc.yml"), yarnrc).expect("write");
        std::fs::write(dir.path().join(env), format!("NPM_TOKEN=\"{secret}\"\n")).expect("write");
        if let Some(tools) = &tools {
            assert_eq!(
                yarn_get(tools, dir.path())["corp"]["npmAuthToken"].as_str(),
                Some(secret.as_str()),
                "yarn's reading of {env}"
            );
        }
        let out = check_json(dir.path(), &[".yarnrc.yml"]);
        assert_eq!(out.status.code(), Some(1), "{env}: {}", text(&out.stderr));
        assert_eq!(
            findings(&out),
            [(
                env.to_string(),
                "NPM_TOKEN".to_string(),
                1,
                "error".to_string()
            )]
        );
        assert_no_secret(&out, &[secret]);
    }
}

const NPMRC: &str =
    "@corp:registry=https://npm.corp.example/\n//npm.corp.example/:_authToken=${NPM_TOKEN}\n";

fn status(out: &Output) -> Option<i32> {
    out.status.code()
}

/// Each side committed on its own: the hook sees the other side in the
/// index, the history and range scans pair them across commits.
#[test]
fn every_mode_pairs_an_env_file_with_a_config_committed_apart() {
    let secret = password(7);
    let env = format!("NPM_TOKEN={secret}\n");
    for format in ["sha1", "sha256"] {
        for config_first in [true, false] {
            let repo = if format == "sha1" {
                TestRepo::new()
            } else {
                TestRepo::with_format(format)
            };
            let (first, second) = if config_first {
                ((".npmrc", NPMRC), (".env", env.as_str()))
            } else {
                ((".env", env.as_str()), (".npmrc", NPMRC))
            };
            let what = format!("{format}, {} first", first.0);
            repo.write("README", "x\n");
            repo.write(first.0, first.1);
            repo.git(&["add", "."]);
            repo.git(&["commit", "-qm", "one"]);
            repo.write(second.0, second.1);
            repo.git(&["add", second.0]);
            let out = repo.tool(&["scan", "--staged", "--format", "json"]);
            assert_eq!(status(&out), Some(1), "{what}: {}", text(&out.stderr));
            assert_eq!(findings(&out)[0].0, ".env", "{what}");
            assert_no_secret(&out, std::slice::from_ref(&secret));
            repo.git(&["commit", "-qm", "two", "--no-verify"]);
            for args in [
                &["scan", "--format", "json"][..],
                &["scan", "--history", "--format", "json"],
                &["scan", "--range", "HEAD~1..HEAD", "--format", "json"],
            ] {
                let out = repo.tool(args);
                assert_eq!(
                    status(&out),
                    Some(1),
                    "{what} {args:?}: {}",
                    text(&out.stderr)
                );
                assert_eq!(findings(&out).len(), 1, "{what} {args:?}");
                assert_no_secret(&out, std::slice::from_ref(&secret));
            }
            // fix cannot rewrite an env file: the run fails, the file stays.
            let out = repo.tool(&["fix", "--discard-secrets"]);
            assert_eq!(status(&out), Some(1), "{what} fix: {}", text(&out.stderr));
            assert_eq!(
                std::fs::read_to_string(repo.root.join(".env")).expect("read"),
                env
            );
        }
    }
}

/// What no tool sends from a committed env file is not reported.
#[test]
fn what_no_tool_sends_stays_clean() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "a variable no credential uses",
            &[
                (".npmrc", NPMRC),
                (".env", "DATABASE_URL=postgres://app:Db2024secret@db/app\nAPI_KEY=k3y9secretvalue\n"),
            ],
        ),
        (
            "a registry URL from the env file",
            &[
                (".npmrc", "registry=${REGISTRY}\n"),
                (".env", "REGISTRY=https://registry.npmjs.org/\n"),
            ],
        ),
        (
            "a reference, an empty value, a stand-in",
            &[
                (".npmrc", "//a.example/:_authToken=${A}\n//b.example/:_authToken=${B}\n//c.example/:_authToken=${C}\n"),
                (".env", "A=$CI_NPM_TOKEN\nB=\nC=your-npm-token-here\n"),
            ],
        ),
        (
            "an env file in another folder",
            &[(".npmrc", NPMRC), ("sub/.env", "NPM_TOKEN=Envfile9Secret!x\n")],
        ),
        (
            "an env file bun does not load, beside an npm config",
            &[(".npmrc", NPMRC), (".env.yarn", "NPM_TOKEN=Envfile9Secret!x\n")],
        ),
    ];
    for (what, files) in cases {
        let repo = TestRepo::new();
        for (path, content) in *files {
            repo.write(path, content);
        }
        repo.git(&["add", "."]);
        for args in [&["scan", "--staged"][..], &["scan"], &["check"]] {
            let out = repo.tool(args);
            assert_eq!(
                status(&out),
                Some(0),
                "{what} {args:?}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
    }
}

/// The store `fix --save-env` writes is a local env file git ignores: bun
/// loads it, and nothing commits it, so `check` does not report it. And a
/// fix never names a secret after a variable an env file beside it
/// assigns: bun would send that file's value instead.
#[test]
fn the_fix_store_is_not_reported_and_no_fix_takes_an_assigned_name() {
    let repo = TestRepo::new();
    let token = common::npm_token(41);
    repo.write(".gitignore", ".env.local\n");
    repo.write(".env", "NPM_TOKEN=Envfile41Other!x\n");
    repo.write(
        ".npmrc",
        &format!("//registry.npmjs.org/:_authToken={token}\n"),
    );
    let out = repo.tool(&["fix", "--save-env", ".env.local"]);
    assert_eq!(status(&out), Some(0), "{}", text(&out.stderr));
    let npmrc = std::fs::read_to_string(repo.root.join(".npmrc")).expect("read");
    assert!(!npmrc.contains(&token), "{npmrc}");
    assert!(
        !npmrc.contains("${NPM_TOKEN}"),
        "took the env file's name: {npmrc}"
    );
    let out = repo.tool(&["check"]);
    assert_eq!(
        status(&out),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // Tracked, the same file is committed, and reported.
    repo.git(&["add", "-f", ".env.local", ".npmrc"]);
    let out = repo.tool(&["check"]);
    assert_eq!(
        status(&out),
        Some(1),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_no_secret(&out, &[token]);
}

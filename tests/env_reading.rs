//! Env files read as yarn and bun read them (review 3, holes 1-5 and
//! 9-12): the line breaks, a BOM and a no-break space, references from one
//! variable to another, a registry URL carrying `user:password@`, bun's
//! own variables with no config at all, and yarn's env files for a run in
//! any folder of the project; bun's `ALL_PROXY` and the user config an env
//! file names (review 5, #1 and #2).
//!
//! Each case first shows what the real tool sends (bun's headers on a
//! server on 127.0.0.1, yarn's `config get --no-redacted`), then the
//! guard's verdict in the modes; a case no tool sends from stays at 0.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::mpsc::Receiver;

use common::capture::header_server;
use common::{assert_no_secret, text, TestRepo};
use serde_json::Value;

const BUN: &str = "@oven/bun-linux-x64@1.4.5";
const YARN: &str = "@yarnpkg/cli-dist@4.18.1";

fn bun() -> Option<PathBuf> {
    let dir = common::npm::installed_once("bun", BUN)?;
    Some(dir.join("node_modules/@oven/bun-linux-x64/bin/bun"))
}

fn yarn() -> Option<PathBuf> {
    common::npm::installed_once("yarn", YARN)
}

/// A secret no tool would take for a token format: a password.
fn password(seed: u32) -> String {
    format!("Envread{seed}Secret9x")
}

fn base64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `bun install` in `dir` of `repo` (no variable set), and the header
/// values the server behind `rx` saw.
fn bun_sends(bun: &Path, repo: &TestRepo, dir: &str, rx: &Receiver<Option<String>>) -> Vec<String> {
    while rx.try_recv().is_ok() {}
    let cache = tempfile::tempdir().expect("tempdir");
    let mut cmd = repo.command(bun.to_str().expect("utf-8"));
    cmd.args(["install", "--no-save", "--no-cache"])
        .current_dir(repo.root.join(dir))
        .env("BUN_INSTALL_CACHE_DIR", cache.path())
        .env("DO_NOT_TRACK", "1")
        // The environment wins over an env file: the user config the
        // test's environment names (in its temporary home) would hide the
        // one a committed `.env` names. `HOME` stays temporary.
        .env_remove("NPM_CONFIG_USERCONFIG")
        .env_remove("npm_config_userconfig");
    let out = common::npm::run("bun install", &mut cmd, 60);
    assert!(!out.status.success(), "the package does not exist");
    rx.try_iter().flatten().collect()
}

/// What yarn, run in `dir` of `repo`, takes for the `corp` scope's token.
fn yarn_token(tools: &Path, repo: &TestRepo, dir: &str) -> Option<String> {
    let home = tempfile::tempdir().expect("tempdir");
    let v =
        common::npm::yarn_config_get(tools, &repo.root.join(dir), home.path(), "npmScopes", &[]);
    v["corp"]["npmAuthToken"].as_str().map(str::to_string)
}

/// The findings of a JSON report: (path, key, line).
fn findings(out: &Output) -> Vec<(String, String, u64)> {
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json ({e}): {}{}", text(&out.stdout), text(&out.stderr)));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["key"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// The guard on what is staged (`scan --staged`) and on the work tree
/// (`check` of the env file `check`, `scan`): each must give `want`
/// (status, error findings).
fn verdicts(
    repo: &TestRepo,
    check: &str,
    secret: &str,
    want: (i32, &[(&str, &str, u64)]),
    what: &str,
) {
    let want_findings: Vec<(String, String, u64)> = want
        .1
        .iter()
        .map(|(p, k, l)| (p.to_string(), k.to_string(), *l))
        .collect();
    for args in [
        &["scan", "--staged", "--format", "json"][..],
        &["check", "--format", "json", check],
        &["scan", "--format", "json"],
    ] {
        let out = repo.tool(args);
        assert_eq!(
            out.status.code(),
            Some(want.0),
            "{what} {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert_eq!(findings(&out), want_findings, "{what} {args:?}");
        assert_no_secret(&out, &[secret.to_string()]);
    }
}

const PKG: &str = "{\"name\":\"p\",\"version\":\"1.0.0\",\"dependencies\":{\"somepkg\":\"1.0.0\"}}";

/// Hole 9, 10, 11 for bun: a lone CR ends a line, a BOM is read, a
/// no-break space before `=` is not; a trailing CR neither crashes the
/// guard nor makes the next line a value.
#[test]
fn bun_reads_a_lone_cr_and_a_bom_but_not_a_no_break_space() {
    let Some(bun) = bun() else {
        return;
    };
    let (port, rx) = header_server("authorization");
    let npmrc = format!(
        "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{NPM_TOKEN}}\n"
    );
    let s = password(1);
    let cases: Vec<(Vec<u8>, bool, u64)> = vec![
        (format!("X=1\rNPM_TOKEN={s}\n").into_bytes(), true, 2),
        (format!("# token\rNPM_TOKEN={s}\n").into_bytes(), true, 2),
        (format!("\u{FEFF}NPM_TOKEN={s}\n").into_bytes(), true, 1),
        (format!("NPM_TOKEN={s}\r").into_bytes(), true, 1),
        (format!("NPM_TOKEN\u{A0}={s}\n").into_bytes(), false, 0),
        (format!("NPM_TOKEN=\r{s}=1\n").into_bytes(), false, 0),
        (b"PORT=3000\rNODE_ENV=development\r".to_vec(), false, 0),
    ];
    for (env, sends, line) in cases {
        let what = format!("{:?}", text(&env));
        let repo = TestRepo::new();
        repo.write("package.json", PKG);
        repo.write(".npmrc", &npmrc);
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "config"]);
        repo.write_bytes(b".env", &env);
        let sent = bun_sends(&bun, &repo, "", &rx);
        assert_eq!(
            sent.iter().any(|a| a.contains(&s)),
            sends,
            "bun's reading of {what}: {sent:?}"
        );
        repo.git(&["add", ".env"]);
        let want: &[(&str, &str, u64)] = if sends {
            &[(".env", "NPM_TOKEN", line)]
        } else {
            &[]
        };
        verdicts(&repo, ".env", &s, (i32::from(sends), want), &what);
        repo.git(&["commit", "-qm", "env", "--no-verify"]);
        let out = repo.tool(&["scan", "--history"]);
        assert_eq!(
            out.status.code(),
            Some(i32::from(sends)),
            "{what} history: {}",
            text(&out.stderr)
        );
    }
}

/// Hole 9, 10, 11 for yarn (dotenv): a lone CR ends a line, a BOM and a
/// no-break space before `=` are JavaScript's `\s`.
#[test]
fn yarn_reads_a_lone_cr_a_bom_and_a_no_break_space() {
    let tools = yarn();
    let yarnrc = "npmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.corp.example\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n";
    let s = password(2);
    let cases: Vec<(Vec<u8>, Option<&str>, u64)> = vec![
        (
            format!("X=1\rNPM_TOKEN={s}\n").into_bytes(),
            Some(s.as_str()),
            2,
        ),
        (
            format!("# token\rNPM_TOKEN=\"{s}\"\n").into_bytes(),
            Some(s.as_str()),
            2,
        ),
        (
            format!("\u{FEFF}NPM_TOKEN={s}\n").into_bytes(),
            Some(s.as_str()),
            1,
        ),
        (
            format!("NPM_TOKEN\u{A0}={s}\r").into_bytes(),
            Some(s.as_str()),
            1,
        ),
        (format!("NPM_TOKEN=\r{s}=1\n").into_bytes(), Some(""), 0),
    ];
    for (env, reads, line) in cases {
        let what = format!("{:?}", text(&env));
        let repo = TestRepo::new();
        repo.write("package.json", "{\"name\":\"p\"}");
        repo.write(".yarnrc.yml", yarnrc);
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "config"]);
        repo.write_bytes(b".env.yarn", &env);
        if let Some(tools) = &tools {
            assert_eq!(
                yarn_token(tools, &repo, "").as_deref(),
                reads,
                "yarn's reading of {what}"
            );
        }
        repo.git(&["add", ".env.yarn"]);
        let sends = reads.is_some_and(|r| !r.is_empty());
        let want: &[(&str, &str, u64)] = if sends {
            &[(".env.yarn", "NPM_TOKEN", line)]
        } else {
            &[]
        };
        verdicts(&repo, ".env.yarn", &s, (i32::from(sends), want), &what);
    }
}

/// Holes 1 and 4: a variable of an env file that takes its value from
/// another one; the finding is where the literal is.
#[test]
fn references_inside_env_files_are_followed() {
    let s = password(3);
    if let Some(bun) = bun() {
        let (port, rx) = header_server("authorization");
        let npmrc = format!(
            "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{NPM_TOKEN}}\n"
        );
        // (the env files, the finding)
        type Case<'a> = (&'a [(&'a str, String)], (&'a str, &'a str, u64));
        let cases: &[Case] = &[
            (
                &[(".env", format!("A={s}\nNPM_TOKEN=$A\n"))],
                (".env", "A", 1),
            ),
            (
                &[(".env", format!("A={s}\nNPM_TOKEN=${{A}}\n"))],
                (".env", "A", 1),
            ),
            (
                &[(".env", format!("B={s}\nA=x$B\nNPM_TOKEN=${{A}}\n"))],
                (".env", "B", 1),
            ),
            (
                &[
                    (".env.local", format!("A={s}\n")),
                    (".env", "NPM_TOKEN=$A\n".to_string()),
                ],
                (".env.local", "A", 1),
            ),
        ];
        for (files, at) in cases {
            let repo = TestRepo::new();
            repo.write("package.json", PKG);
            repo.write(".npmrc", &npmrc);
            for (p, c) in *files {
                repo.write(p, c);
            }
            let sent = bun_sends(&bun, &repo, "", &rx);
            assert!(
                sent.iter().any(|a| a.contains(&s)),
                "bun: {files:?}: {sent:?}"
            );
            repo.git(&["add", "."]);
            let mut want = vec![*at];
            if files[0].1.starts_with("B=") {
                // `A=x$B` has text of its own too.
                want.push((".env", "A", 2));
            }
            verdicts(&repo, files[0].0, &s, (1, &want), &format!("{files:?}"));
        }
    }
    let yarnrc = "npmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.corp.example\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n";
    let repo = TestRepo::new();
    repo.write("package.json", "{\"name\":\"p\"}");
    repo.write(".yarnrc.yml", yarnrc);
    repo.write(".env.yarn", &format!("A={s}\nNPM_TOKEN=${{A}}\n"));
    if let Some(tools) = yarn() {
        assert_eq!(yarn_token(&tools, &repo, "").as_deref(), Some(s.as_str()));
    }
    repo.git(&["add", "."]);
    verdicts(
        &repo,
        ".env.yarn",
        &s,
        (1, &[(".env.yarn", "A", 1)]),
        "yarn",
    );
}

/// Hole 3: a registry URL with `user:password@` from an env file, in a
/// `.npmrc`'s `registry=${REG}` or a `bunfig.toml`'s `registry = "$REG"`.
#[test]
fn a_registry_url_with_credentials_from_an_env_file_is_reported() {
    let s = password(4);
    let (port, rx) = header_server("authorization");
    for (config, content) in [
        (".npmrc", "registry=${REG}\n"),
        ("bunfig.toml", "[install]\nregistry = \"$REG\"\n"),
    ] {
        let repo = TestRepo::new();
        repo.write("package.json", PKG);
        repo.write(config, content);
        repo.write(".env", &format!("REG=http://alice:{s}@127.0.0.1:{port}/\n"));
        if let Some(bun) = bun() {
            let sent = bun_sends(&bun, &repo, "", &rx);
            let want = format!("Basic {}", base64(&format!("alice:{s}")));
            assert!(sent.contains(&want), "bun with {config}: {sent:?}");
        }
        repo.git(&["add", "."]);
        verdicts(&repo, ".env", &s, (1, &[(".env", "REG", 1)]), config);
    }
}

/// Hole 2: the variables bun reads for itself, from a committed env file
/// with no config at all.
#[test]
fn bun_reads_its_own_variables_from_a_committed_env_file() {
    let s = password(5);
    let basic = format!("Basic {}", base64(&format!("alice:{s}")));
    let (port, rx) = header_server("authorization");
    let (pport, prx) = header_server("proxy-authorization");
    // (the variable, the env file, the server that sees it, what it
    // sees, the finding's line)
    type Case<'a> = (String, String, &'a Receiver<Option<String>>, String, u64);
    let mut cases: Vec<Case> = Vec::new();
    for name in ["BUN_CONFIG_TOKEN", "NPM_CONFIG_TOKEN", "npm_config_token"] {
        cases.push((
            name.to_string(),
            format!("NPM_CONFIG_REGISTRY=http://127.0.0.1:{port}/\n{name}={s}\n"),
            &rx,
            format!("Bearer {s}"),
            2,
        ));
    }
    for name in [
        "BUN_CONFIG_REGISTRY",
        "NPM_CONFIG_REGISTRY",
        "npm_config_registry",
    ] {
        cases.push((
            name.to_string(),
            format!("{name}=http://alice:{s}@127.0.0.1:{port}/\n"),
            &rx,
            basic.clone(),
            1,
        ));
    }
    for (name, scheme) in [
        ("HTTP_PROXY", "http"),
        ("http_proxy", "http"),
        ("HTTPS_PROXY", "https"),
        ("https_proxy", "https"),
        // Review 5, #1: bun reads these with the four above.
        ("ALL_PROXY", "http"),
        ("all_proxy", "http"),
    ] {
        cases.push((
            name.to_string(),
            format!("NPM_CONFIG_REGISTRY={scheme}://registry.example.invalid/\n{name}=http://alice:{s}@127.0.0.1:{pport}\n"),
            &prx,
            basic.clone(),
            2,
        ));
    }
    for (name, env, server, want, line) in &cases {
        for file in [".env", ".env.local"] {
            let repo = TestRepo::new();
            repo.write("package.json", PKG);
            repo.write(file, env);
            if let Some(bun) = bun() {
                let sent = bun_sends(&bun, &repo, "", server);
                assert!(sent.contains(want), "bun with {name} in {file}: {sent:?}");
            }
            repo.git(&["add", "."]);
            verdicts(&repo, file, &s, (1, &[(file, name.as_str(), *line)]), name);
        }
    }
    // Nothing of its own: a registry without credentials, a reference.
    let repo = TestRepo::new();
    repo.write("package.json", PKG);
    repo.write(
        ".env",
        "NPM_CONFIG_REGISTRY=https://registry.npmjs.org/\nNPM_CONFIG_TOKEN=${CI_TOKEN}\nHTTP_PROXY=http://proxy.corp:3128\n",
    );
    repo.git(&["add", "."]);
    verdicts(&repo, ".env", &s, (0, &[]), "clean");
}

/// Review 5, #2: bun takes its user config's path from
/// `NPM_CONFIG_USERCONFIG` (either spelling), also from a committed env
/// file, and reads that file as an `.npmrc`, resolved against the folder
/// it runs in: a literal token there is sent. The guard reads the file
/// the env file names, also when a commit changes only that file.
#[test]
fn bun_reads_the_user_config_a_committed_env_file_names() {
    let s = password(7);
    let (port, rx) = header_server("authorization");
    let npmrc = format!("registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken={s}\n");
    for (name, value) in [
        ("NPM_CONFIG_USERCONFIG", "conf/npmrc"),
        ("npm_config_userconfig", "./conf/npmrc"),
    ] {
        let repo = TestRepo::new();
        repo.write("package.json", PKG);
        repo.write(".env", &format!("{name}={value}\n"));
        repo.write("conf/npmrc", &npmrc);
        if let Some(bun) = bun() {
            let sent = bun_sends(&bun, &repo, "", &rx);
            assert!(
                sent.contains(&format!("Bearer {s}")),
                "bun with {name}: {sent:?}"
            );
        }
        repo.git(&["add", "."]);
        let key = format!("//127.0.0.1:{port}/:_authToken");
        let want = [("conf/npmrc", key.as_str(), 2)];
        for args in [
            &["scan", "--staged", "--format", "json"][..],
            &["scan", "--format", "json"],
            &["check", "--format", "json", ".env"],
        ] {
            let out = repo.tool(args);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{name} {args:?}: {}",
                text(&out.stdout)
            );
            let got = findings(&out);
            let got: Vec<(&str, &str, u64)> = got
                .iter()
                .map(|(p, k, l)| (p.as_str(), k.as_str(), *l))
                .collect();
            assert_eq!(got, want, "{name} {args:?}");
            assert_no_secret(&out, std::slice::from_ref(&s));
        }
        // The env file committed first: a commit of the named file alone.
        repo.git(&["rm", "-q", "--cached", "conf/npmrc"]);
        repo.git(&["commit", "-qm", "env", "--no-verify"]);
        repo.git(&["add", "conf/npmrc"]);
        let out = repo.tool(&["scan", "--staged"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name} alone: {}",
            text(&out.stdout)
        );
        repo.git(&["commit", "-qm", "npmrc", "--no-verify"]);
        let out = repo.tool(&["scan", "--history"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name} history: {}",
            text(&out.stdout)
        );
    }
}

const SCOPE: &str = "npmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.corp.example\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n";

/// Holes 5 and 12: yarn loads `.env.yarn` from the folder it runs in and
/// merges every `.yarnrc.yml` above it, with what their
/// `injectEnvironmentFiles` name; each side committed apart, in each
/// order.
#[test]
fn yarn_env_files_pair_with_the_configs_of_a_run_in_any_folder() {
    let s = password(6);
    let env = format!("NPM_TOKEN={s}\n");
    // (folder yarn runs in, one side, the other, the file `check` is
    // given, the finding)
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, String)>,
        Vec<(&'a str, String)>,
        &'a str,
        (&'a str, &'a str, u64),
    );
    let cases: Vec<Case> = vec![
        (
            "packages/a",
            vec![(".yarnrc.yml", SCOPE.to_string())],
            vec![("packages/a/.env.yarn", env.clone())],
            "packages/a/.env.yarn",
            ("packages/a/.env.yarn", "NPM_TOKEN", 1),
        ),
        (
            "app",
            vec![
                (
                    ".yarnrc.yml",
                    "injectEnvironmentFiles: [\"ci/secrets.env\"]\n".to_string(),
                ),
                ("ci/secrets.env", env.clone()),
            ],
            vec![("app/.yarnrc.yml", SCOPE.to_string())],
            "app/.yarnrc.yml",
            ("ci/secrets.env", "NPM_TOKEN", 1),
        ),
    ];
    let tools = yarn();
    for (run_in, one, other, check, at) in &cases {
        // SHA-256: the index is read through git's plumbing.
        for (first_is_one, format) in [(true, "sha1"), (false, "sha1"), (false, "sha256")] {
            let (first, second) = if first_is_one {
                (one, other)
            } else {
                (other, one)
            };
            let what = format!(
                "{run_in} {format}, first {:?}",
                first.iter().map(|f| f.0).collect::<Vec<_>>()
            );
            let repo = if format == "sha1" {
                TestRepo::new()
            } else {
                TestRepo::with_format(format)
            };
            repo.write(
                "package.json",
                "{\"name\":\"r\",\"private\":true,\"workspaces\":[\"packages/*\",\"app\"]}",
            );
            repo.write(&format!("{run_in}/package.json"), "{\"name\":\"w\"}");
            for (p, c) in first {
                repo.write(p, c);
            }
            repo.git(&["add", "."]);
            repo.git(&["commit", "-qm", "one"]);
            for (p, c) in second {
                repo.write(p, c);
                repo.git(&["add", p]);
            }
            if let Some(tools) = &tools {
                assert_eq!(
                    yarn_token(tools, &repo, run_in).as_deref(),
                    Some(s.as_str()),
                    "yarn: {what}"
                );
            }
            verdicts(&repo, check, &s, (1, &[*at]), &what);
            repo.git(&["commit", "-qm", "two", "--no-verify"]);
            for args in [
                &["scan", "--history"][..],
                &["scan", "--range", "HEAD~1..HEAD"],
            ] {
                let out = repo.tool(args);
                assert_eq!(
                    out.status.code(),
                    Some(1),
                    "{what} {args:?}: {}",
                    text(&out.stderr)
                );
            }
            // A push of the second commit to a remote that has the first.
            let bare = repo.root.with_file_name("origin.git");
            repo.git(&[
                "init",
                "-q",
                "--bare",
                &format!("--object-format={format}"),
                bare.to_str().expect("utf-8"),
            ]);
            repo.git(&["remote", "add", "origin", bare.to_str().expect("utf-8")]);
            repo.git(&["push", "-q", "origin", "HEAD~1:refs/heads/main"]);
            let (base, head) = (
                repo.git(&["rev-parse", "HEAD~1"]),
                repo.git(&["rev-parse", "HEAD"]),
            );
            let mut cmd = repo.command(env!("CARGO_BIN_EXE_npmrc-guard"));
            cmd.args(["pre-push", "origin", "url"]);
            let line = format!(
                "refs/heads/main {} refs/heads/main {}\n",
                head.trim(),
                base.trim()
            );
            let out = common::output_with_stdin(&mut cmd, line.as_bytes());
            assert_eq!(
                out.status.code(),
                Some(1),
                "{what} pre-push: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
            assert_no_secret(&out, std::slice::from_ref(&s));
        }
    }
}

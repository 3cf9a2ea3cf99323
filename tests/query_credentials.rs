//! A credential in a URL's query string (review 4, #13): npm, yarn and
//! pnpm request a dependency or lockfile URL as written, query included,
//! so `…/priv-1.0.0.tgz?private_token=<token>` sends the token; npm and
//! yarn put a registry URL's query in every request too. Each case is
//! first proved against the real tool with a capture server on 127.0.0.1,
//! then the guard must block the same committed files without showing the
//! secret; a query parameter whose value npm expands (`${NAME}` in
//! `.npmrc`) or that names no credential passes, and `fix` rewrites an
//! `.npmrc` query value to a reference npm sends in its place. Needs node
//! and npm (yarn 1 is installed under target/ once); under `CI=true` their
//! absence fails.

mod common;

use common::capture::{capture_server, Seen};
use common::npm::{have, installed_once, run};
use common::TestRepo;
use std::path::Path;
use std::process::Command;

/// The request paths (query included) the server saw under `marker`.
fn paths(seen: &Seen, marker: &str) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .map(|(path, _)| path.clone())
        .filter(|path| path.contains(marker))
        .collect()
}

/// The 1-based line and column of `needle` in `text`.
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("needle");
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line as u64, (at - start + 1) as u64)
}

type Found = (Vec<(String, u64, u64, Option<String>)>, String);

/// `files` staged in a fresh repository; `scan --staged` in every format
/// exits 1 without the secrets; the JSON findings as (rule, line, column,
/// key), and the human report.
fn guard_blocks(files: &[(&str, &str)], secrets: &[String]) -> Found {
    let repo = TestRepo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.git(&["add", "-A"]);
    for format in ["human", "github", "sarif"] {
        let out = repo.tool(&["scan", "--staged", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            common::text(&out.stdout)
        );
        common::assert_no_secret(&out, secrets);
    }
    let human = common::text(&repo.tool(&["scan", "--staged"]).stdout);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    common::assert_no_secret(&out, secrets);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["key"].as_str().map(str::to_string),
            )
        })
        .collect();
    (found, human)
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        std::fs::write(dir.path().join(path), content).expect("write");
    }
    dir
}

fn in_project(program: &str, dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    common::hermetic(&mut cmd, home).current_dir(dir);
    cmd
}

fn npm(dir: &Path, home: &Path, args: &[&str]) -> Command {
    let mut cmd = in_project("npm", dir, home);
    cmd.args(args).args(["--no-audit", "--fetch-retries=0"]);
    cmd
}

/// One finding, `url-credentials`, at `needle`, named by `key`; the
/// report names the query parameter `param`.
fn one_at((found, human): &Found, text: &str, needle: &str, key: &str, param: &str) {
    assert_eq!(found.len(), 1, "{found:?}");
    let (rule, line, column, k) = &found[0];
    assert_eq!(rule, "url-credentials");
    assert_eq!((*line, *column), place(text, needle), "{found:?}");
    assert_eq!(k.as_deref(), Some(key));
    assert!(
        human.contains(&format!("query parameter `{param}`")),
        "{human}"
    );
}

#[test]
fn npm_sends_a_query_token_of_a_dependency_and_a_lockfile_url_and_the_guard_blocks_it() {
    if !have("npm") {
        return;
    }
    let (port, seen) = capture_server();
    let token = common::uuid_token(1301);
    let manifest = format!(
        "{{\"name\":\"x\",\"version\":\"1.0.0\",\n  \"dependencies\": {{\"priv\": \"http://127.0.0.1:{port}/dep/priv-1.0.0.tgz?private_token={token}\"}}}}\n"
    );
    let files = [("package.json", manifest.as_str())];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    run(
        "npm install",
        &mut npm(dir.path(), home.path(), &["install"]),
        120,
    );
    assert!(
        paths(&seen, "/dep/")
            .iter()
            .any(|p| p.ends_with(&format!("?private_token={token}"))),
        "npm did not request the URL's query: {:?}",
        seen.lock().expect("lock")
    );
    let found = guard_blocks(&files, std::slice::from_ref(&token));
    one_at(
        &found,
        &manifest,
        &token,
        "dependencies.priv",
        "private_token",
    );

    // A lockfile's `resolved`, the credential after another parameter.
    let token = common::uuid_token(1302);
    let lock = format!(
        "{{\"name\":\"x\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,\"packages\":{{\"\":{{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{{\"somepkg\":\"1.0.0\"}}}},\n \"node_modules/somepkg\":{{\"version\":\"1.0.0\",\"resolved\":\"http://127.0.0.1:{port}/lock/somepkg-1.0.0.tgz?v=1&Access-Token={token}\",\"integrity\":\"sha512-AAAA\"}}}}}}\n"
    );
    let manifest = r#"{"name":"x","version":"1.0.0","dependencies":{"somepkg":"1.0.0"}}"#;
    let files = [
        ("package.json", manifest),
        ("package-lock.json", lock.as_str()),
    ];
    let dir = project(&files);
    run("npm ci", &mut npm(dir.path(), home.path(), &["ci"]), 120);
    assert!(
        paths(&seen, "/lock/").iter().any(|p| p.contains(&token)),
        "npm ci did not request the URL's query: {:?}",
        seen.lock().expect("lock")
    );
    let found = guard_blocks(&files, std::slice::from_ref(&token));
    one_at(&found, &lock, &token, "resolved", "Access-Token");
}

/// npm puts a registry URL's query in every request it makes there
/// (`/r/?token=<t>/somepkg`); the guard blocks the committed `.npmrc`, and
/// `fix` rewrites the value to `${NPM_TOKEN}`, which npm expands: it then
/// sends the variable's value, and the guard passes the file.
#[test]
fn npm_sends_a_registry_url_query_token_and_fix_makes_it_a_reference() {
    if !have("npm") {
        return;
    }
    let (port, seen) = capture_server();
    let token = common::uuid_token(1303);
    let npmrc = format!("registry=http://127.0.0.1:{port}/r/?token={token}\n");
    let manifest = r#"{"name":"x","version":"1.0.0","dependencies":{"somepkg":"1.0.0"}}"#;
    let files = [("package.json", manifest), (".npmrc", npmrc.as_str())];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    run(
        "npm install",
        &mut npm(dir.path(), home.path(), &["install"]),
        120,
    );
    assert!(
        paths(&seen, "/r/")
            .iter()
            .any(|p| p.contains(&format!("?token={token}"))),
        "npm did not send the registry URL's query: {:?}",
        seen.lock().expect("lock")
    );
    let found = guard_blocks(&files, std::slice::from_ref(&token));
    one_at(&found, &npmrc, &token, "registry", "token");

    let repo = TestRepo::new();
    repo.write(".npmrc", &npmrc);
    let out = repo.tool(&["fix", ".npmrc", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    common::assert_no_secret(&out, std::slice::from_ref(&token));
    let fixed = std::fs::read_to_string(repo.root.join(".npmrc")).expect("read");
    assert_eq!(
        fixed,
        format!("registry=http://127.0.0.1:{port}/r/?token=${{NPM_TOKEN}}\n")
    );
    assert_eq!(repo.tool(&["check", ".npmrc"]).status.code(), Some(0));
    let new = common::uuid_token(1304);
    std::fs::write(dir.path().join(".npmrc"), &fixed).expect("write");
    run(
        "npm install",
        npm(dir.path(), home.path(), &["install"]).env("NPM_TOKEN", &new),
        120,
    );
    assert!(
        paths(&seen, "/r/")
            .iter()
            .any(|p| p.contains(&format!("?token={new}"))),
        "npm did not expand the fixed reference: {:?}",
        seen.lock().expect("lock")
    );
}

/// yarn 1 fetches a `yarn.lock` `resolved` URL with its query (`#` and
/// what follows are its checksum, not sent).
#[test]
fn yarn_1_sends_a_lockfile_url_query_token_and_the_guard_blocks_it() {
    let Some(tools) = installed_once("yarn-lockfile", "yarn@1.22.22") else {
        return;
    };
    let (port, seen) = capture_server();
    let token = common::uuid_token(1305);
    let lock = format!(
        "# yarn lockfile v1\n\n\nsomepkg@1.0.0:\n  version \"1.0.0\"\n  resolved \"http://127.0.0.1:{port}/yarn/somepkg-1.0.0.tgz?job_token={token}#abc\"\n  integrity sha512-AAAA\n"
    );
    let manifest = r#"{"name":"x","version":"1.0.0","dependencies":{"somepkg":"1.0.0"}}"#;
    let files = [("package.json", manifest), ("yarn.lock", lock.as_str())];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = in_project("node", dir.path(), home.path());
    cmd.arg(tools.join("node_modules/yarn/bin/yarn.js"))
        .args(["install", "--frozen-lockfile", "--network-timeout=5000"])
        .arg("--cache-folder")
        .arg(home.path().join("cache"));
    run("yarn", &mut cmd, 180);
    assert!(
        paths(&seen, "/yarn/")
            .iter()
            .any(|p| p.contains(&format!("?job_token={token}"))),
        "yarn did not request the URL's query: {:?}",
        seen.lock().expect("lock")
    );
    let found = guard_blocks(&files, std::slice::from_ref(&token));
    one_at(&found, &lock, &token, "resolved", "job_token");
}

/// yarn 4 puts `npmRegistryServer`'s query in every request
/// (`/y4/?token=<t>/somepkg`); the guard blocks the `.yarnrc.yml`, and
/// `fix` rewrites the value to `${NPM_TOKEN}`, which yarn expands.
#[test]
fn yarn_4_sends_a_registry_url_query_token_and_fix_makes_it_a_reference() {
    let Some(tools) = installed_once("yarn", common::npm::YARN4) else {
        return;
    };
    let (port, seen) = capture_server();
    let token = common::uuid_token(1306);
    let yarnrc = format!(
        "npmRegistryServer: \"http://127.0.0.1:{port}/y4/?token={token}\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\n"
    );
    let manifest = r#"{"name":"x","version":"1.0.0","dependencies":{"somepkg":"1.0.0"}}"#;
    let files = [("package.json", manifest), (".yarnrc.yml", yarnrc.as_str())];
    let dir = project(&files);
    // The project's root for yarn, whatever a folder above holds (a stray
    // package.json in /tmp made yarn refuse to run).
    std::fs::write(dir.path().join("yarn.lock"), "").expect("write");
    let home = tempfile::tempdir().expect("tempdir");
    let yarn = |env: &[(&str, &str)]| {
        let mut cmd = in_project("node", dir.path(), home.path());
        cmd.arg(tools.join("node_modules/@yarnpkg/cli-dist/bin/yarn.js"))
            .arg("install")
            .env("YARN_ENABLE_TELEMETRY", "0")
            .env("YARN_IGNORE_PATH", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        run("yarn install", &mut cmd, 180);
    };
    yarn(&[]);
    assert!(
        paths(&seen, "/y4/")
            .iter()
            .any(|p| p.contains(&format!("?token={token}"))),
        "yarn did not send the registry URL's query: {:?}",
        seen.lock().expect("lock")
    );
    let found = guard_blocks(&files, std::slice::from_ref(&token));
    one_at(&found, &yarnrc, &token, "npmRegistryServer", "token");

    let repo = TestRepo::new();
    repo.write(".yarnrc.yml", &yarnrc);
    let out = repo.tool(&["fix", ".yarnrc.yml", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    common::assert_no_secret(&out, std::slice::from_ref(&token));
    let fixed = std::fs::read_to_string(repo.root.join(".yarnrc.yml")).expect("read");
    assert_eq!(fixed, yarnrc.replace(&token, "${NPM_TOKEN}"));
    assert_eq!(repo.tool(&["check", ".yarnrc.yml"]).status.code(), Some(0));
    let new = common::uuid_token(1307);
    std::fs::write(dir.path().join(".yarnrc.yml"), &fixed).expect("write");
    yarn(&[("NPM_TOKEN", &new)]);
    assert!(
        paths(&seen, "/y4/")
            .iter()
            .any(|p| p.contains(&format!("?token={new}"))),
        "yarn did not expand the fixed reference: {:?}",
        seen.lock().expect("lock")
    );
}

/// `--move-to-user-config` cannot move a query credential (npm has no
/// user-config key that puts it in a URL): it refuses, says why, and
/// leaves the file as it was.
#[test]
fn a_query_credential_is_not_moved_to_the_user_config() {
    let token = common::uuid_token(1308);
    let npmrc = format!("registry=https://r.example/r/?token={token}\n");
    let repo = TestRepo::new();
    repo.write(".npmrc", &npmrc);
    let out = repo.tool(&["fix", ".npmrc", "--move-to-user-config"]);
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out.stdout));
    common::assert_no_secret(&out, std::slice::from_ref(&token));
    assert!(common::text(&out.stderr).contains("query cannot be moved"));
    let after = std::fs::read_to_string(repo.root.join(".npmrc")).expect("read");
    assert_eq!(after, npmrc);
}

/// What is no secret passes: a reference npm expands in `.npmrc`, a
/// parameter that names no credential, an empty value, a stand-in, a
/// credential in the fragment (never sent).
#[test]
fn a_query_without_a_literal_credential_passes() {
    let cases = [
        (".npmrc", "registry=https://r.example/r/?private_token=${GL_TOKEN}\n".to_string()),
        (".npmrc", "@a:registry=https://r.example/?token=<your-token>&v=2\n".to_string()),
        (
            "package.json",
            r#"{"dependencies":{"a":"https://h.example/a.tgz?v=2&id=7","b":"https://h.example/b.tgz?token=","c":"https://h.example/c.tgz#token=abcdef0123456789"}}"#.to_string(),
        ),
        (
            "package-lock.json",
            r#"{"packages":{"node_modules/a":{"resolved":"https://h.example/a.tgz?sort=asc&monkey=1f2e3d4c5b6a7980"}}}"#.to_string(),
        ),
    ];
    for (name, content) in cases {
        let repo = TestRepo::new();
        repo.write(name, &content);
        let out = repo.tool(&["check", name]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{content}: {}",
            common::text(&out.stdout)
        );
    }
}

//! URLs in files spelled in ways a word scan misses (review 5): an IPv6
//! host in a lockfile URL (#6), a quoted YAML scalar split across lines in
//! `pnpm-lock.yaml` (#5) and in `pnpm-workspace.yaml` with a continuation
//! under-indented (#4). Each shape is first proved against the real tool
//! (bun 1.4.5, yarn 1, pnpm 10) with a capture server, then the guard must
//! refuse the same files in `scan --staged`, `check` and `scan --history`,
//! in every format, without showing the secret. Under `CI=true` a missing
//! tool fails. And a token in a registry URL's path (Gemfury's documented
//! `https://npm.fury.io/<token>/<account>/`): npm sends the path; the
//! guard refuses it and masks it in every key.

mod common;

use common::capture::{capture_server, capture_server_at, Seen};
use common::npm::{have, installed_once, run};
use common::TestRepo;
use std::path::Path;
use std::process::Command;

const MANIFEST: &str = r#"{"name":"x","version":"1.0.0","dependencies":{"somepkg":"1.0.0"}}"#;

/// A fabricated password, split where a file splits it.
const PW1: &str = "q7Rw2LxZp9";
const PW2: &str = "VkT4mNc8Ye";

fn pw() -> String {
    format!("{PW1}{PW2}")
}

/// The `user:password` of each `Authorization: Basic` header sent to a
/// path holding `marker`.
fn sent(seen: &Seen, marker: &str) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .filter(|(path, _)| path.contains(marker))
        .filter_map(|(_, auth)| auth.as_deref()?.strip_prefix("Basic ").map(str::to_string))
        .map(|b| common::text(&npmrc_guard::eval::base64_lenient(&b)))
        .collect()
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

/// The guard refuses `files` (exit 1, no secret shown, every format) in
/// `scan --staged`, `check <file>` and, once committed, `scan --history`;
/// the JSON findings of `scan --staged` for `file` as (rule, line, column).
fn guard_refuses(
    files: &[(&str, &str)],
    file: &str,
    secrets: &[String],
) -> Vec<(String, u64, u64)> {
    guard_refuses_checking(files, file, file, secrets)
}

/// [`guard_refuses`], where `check` is given `checked` (a file that names
/// `file`, say) rather than `file`.
fn guard_refuses_checking(
    files: &[(&str, &str)],
    checked: &str,
    file: &str,
    secrets: &[String],
) -> Vec<(String, u64, u64)> {
    let repo = TestRepo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.git(&["add", "-A"]);
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["human", "json", "github", "sarif"] {
        runs.push(vec!["scan", "--staged", "--format", format]);
        runs.push(vec!["check", "--format", format, checked]);
    }
    for args in &runs {
        let out = repo.tool(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}{}",
            common::text(&out.stdout),
            common::text(&out.stderr)
        );
        common::assert_no_secret(&out, secrets);
    }
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    repo.git(&["commit", "-q", "--no-verify", "-m", "c"]);
    for format in ["human", "json"] {
        let out = repo.tool(&["scan", "--history", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "history: {}",
            common::text(&out.stdout)
        );
        common::assert_no_secret(&out, secrets);
    }
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["path"] == file)
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// The 1-based line and byte column of `needle`'s first place in `text`.
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("needle");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() + 1;
    (line as u64, (at - line_start + 1) as u64)
}

/// The guard run in `dir` (a temp HOME, as every process a test starts).
fn guard_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("tempdir");
    in_project(env!("CARGO_BIN_EXE_npmrc-guard"), dir, home.path())
        .args(args)
        .output()
        .expect("runs")
}

/// `npm run fetch` in `dir` (a temp HOME), and every `Authorization`
/// header the capture server `seen` was sent.
fn npm_run_fetch(dir: &Path, seen: &Seen) -> Vec<String> {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = in_project("npm", dir, home.path());
    cmd.args(["run", "fetch"]);
    run("npm run fetch", &mut cmd, 120);
    seen.lock()
        .expect("lock")
        .iter()
        .filter_map(|(_, a)| a.clone())
        .collect()
}

fn bun_lock(url: &str) -> String {
    format!(
        "{{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {{\n    \"\": {{\n      \"name\": \"x\",\n      \"dependencies\": {{\n        \"somepkg\": \"1.0.0\",\n      }},\n    }},\n  }},\n  \"packages\": {{\n    \"somepkg\": [\"somepkg@1.0.0\", \"{url}\", {{}}, \"sha512-LPlbIuom6w7TyELR1077Uj98dSLaIE3A1Z2ifWqLk/CvfA24JWUbxesuJAO/x2vjkUYih+LxsGYOU7XN8x+4yA==\"],\n  }}\n}}\n"
    )
}

fn pnpm_lock(tarball: &str) -> String {
    format!(
        "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .:\n    dependencies:\n      somepkg:\n        specifier: 1.0.0\n        version: 1.0.0\n\npackages:\n\n  somepkg@1.0.0:\n    resolution: {{integrity: sha512-AAAA, tarball: {tarball}}}\n\nsnapshots:\n\n  somepkg@1.0.0: {{}}\n"
    )
}

/// bun.lock and yarn 1's yarn.lock with `http://alice:<pw>@[::1]:P/…`:
/// bun and yarn 1 send the credentials to [::1] (review 5, #6).
#[test]
fn lockfile_urls_with_an_ipv6_host_are_sent_and_refused() {
    let (port, seen) = capture_server_at("[::1]:0");
    let url = |m: &str| format!("http://alice:{}@[::1]:{port}/{m}/somepkg-1.0.0.tgz", pw());
    let yarn_lock = format!(
        "# yarn lockfile v1\n\n\nsomepkg@1.0.0:\n  version \"1.0.0\"\n  resolved \"{}\"\n  integrity sha512-AAAA\n",
        url("yarn")
    );
    let cases = [
        ("bun", "bun.lock", bun_lock(&url("bun"))),
        ("yarn", "yarn.lock", yarn_lock),
    ];
    for (tool, name, lock) in cases {
        let files = [("package.json", MANIFEST), (name, lock.as_str())];
        let dir = project(&files);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = if tool == "bun" {
            let Some(tools) = installed_once("bun", "@oven/bun-linux-x64@1.4.5") else {
                return;
            };
            let bun = tools.join("node_modules/@oven/bun-linux-x64/bin/bun");
            let mut cmd = in_project(bun.to_str().expect("utf-8"), dir.path(), home.path());
            cmd.args(["install", "--frozen-lockfile"]);
            cmd
        } else {
            let Some(tools) = installed_once("yarn-lockfile", "yarn@1.22.22") else {
                return;
            };
            let mut cmd = in_project("node", dir.path(), home.path());
            cmd.arg(tools.join("node_modules/yarn/bin/yarn.js"));
            cmd.args(["install", "--frozen-lockfile", "--network-timeout=5000"]);
            cmd.arg("--cache-folder").arg(home.path().join("cache"));
            cmd
        };
        run(tool, &mut cmd, 180);
        assert!(
            sent(&seen, &format!("/{tool}/")).contains(&format!("alice:{}", pw())),
            "{tool} did not send the credentials to [::1]: {:?}",
            seen.lock().expect("lock")
        );
        let found = guard_refuses(&files, name, &[pw()]);
        // At the password: the URL is held as written.
        let (line, column) = place(&lock, &pw());
        assert_eq!(
            found,
            [("url-credentials".to_string(), line, column)],
            "{tool}"
        );
    }
}

/// pnpm-lock.yaml's `tarball:` as a double-quoted scalar split by an
/// escaped line break, its continuation indented 6 or 2 spaces, or by a
/// plain one (folded to a space): pnpm joins it and sends the credentials
/// (review 5, #5).
#[test]
fn a_pnpm_lock_tarball_split_across_lines_is_sent_and_refused() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    // (marker, the break, the continuation's indentation, what is sent):
    // a plain line break folds to a space, sent as `%20`.
    let joined = pw();
    let folded = format!("{PW1}%20{PW2}");
    let cases = [
        ("six", "\\", "      ", joined.as_str()),
        ("two", "\\", "  ", joined.as_str()),
        ("fold", "", "      ", folded.as_str()),
    ];
    for (marker, escape, indent, password) in cases {
        let tarball = format!(
            "\"http://alice:{PW1}{escape}\n{indent}{PW2}@127.0.0.1:{port}/{marker}/somepkg-1.0.0.tgz\""
        );
        let lock = pnpm_lock(&tarball);
        let files = [
            ("package.json", MANIFEST),
            ("pnpm-lock.yaml", lock.as_str()),
        ];
        let dir = project(&files);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("node", dir.path(), home.path());
        cmd.arg(tools.join("node_modules/pnpm/bin/pnpm.cjs"));
        cmd.args(["install", "--frozen-lockfile"]);
        cmd.arg("--store-dir").arg(home.path().join("store"));
        run("pnpm", &mut cmd, 180);
        assert!(
            sent(&seen, &format!("/{marker}/")).contains(&format!("alice:{password}")),
            "{marker}: pnpm did not send the joined credentials: {:?}",
            seen.lock().expect("lock")
        );
        // Both halves are masked: neither is shown.
        let secrets = [pw(), PW1.to_string(), PW2.to_string()];
        let found = guard_refuses(&files, "pnpm-lock.yaml", &secrets);
        // At the scalar, which is read, not held as written.
        let (line, column) = place(&lock, "\"http");
        assert_eq!(
            found,
            [("url-credentials".to_string(), line, column)],
            "{marker}"
        );
    }
}

/// pnpm-workspace.yaml `registries.default` as a double-quoted scalar
/// split by an escaped line break, the continuation at the key's own
/// indentation (which pnpm's js-yaml reads and this guard's YAML reader
/// refuses): pnpm sends the credentials (review 5, #4).
#[test]
fn a_pnpm_workspace_registry_split_under_indented_is_sent_and_refused() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    for (marker, first, second) in [("halves", PW1, PW2), ("after-colon", "", "")] {
        let rest = if first.is_empty() {
            pw()
        } else {
            second.to_string()
        };
        let workspace = format!(
            "registries:\n  default: \"http://alice:{first}\\\n  {rest}@127.0.0.1:{port}/{marker}/\"\n"
        );
        let files = [
            ("package.json", MANIFEST),
            ("pnpm-workspace.yaml", workspace.as_str()),
        ];
        let dir = project(&files);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("node", dir.path(), home.path());
        cmd.arg(tools.join("node_modules/pnpm/bin/pnpm.cjs"));
        cmd.arg("install");
        cmd.arg("--store-dir").arg(home.path().join("store"));
        run("pnpm", &mut cmd, 180);
        assert!(
            sent(&seen, &format!("/{marker}/")).contains(&format!("alice:{}", pw())),
            "{marker}: pnpm did not send the joined credentials: {:?}",
            seen.lock().expect("lock")
        );
        let secrets = [pw(), PW1.to_string(), PW2.to_string()];
        let found = guard_refuses(&files, "pnpm-workspace.yaml", &secrets);
        let (line, column) = place(&workspace, "\"http");
        assert_eq!(
            found,
            [("url-credentials".to_string(), line, column)],
            "{marker}"
        );
    }
}

/// Gemfury's documented registry URL carries a token as its first path
/// segment: npm requests every package under that path (shown here with
/// the same path on a capture server), so the token is sent and, once
/// committed, published. The guard refuses the URL and the
/// `//host/<token>/acme/:_authToken` key that goes with it, and shows the
/// token in no key or message; the account alone passes.
#[test]
fn a_gemfury_path_token_is_sent_by_npm_and_refused_and_masked() {
    if !have("npm") {
        return;
    }
    let token = "Xq7Rk2Lm9Pz4Wn8Tv3Bd";
    let (port, seen) = capture_server();
    let npmrc = format!("registry=http://127.0.0.1:{port}/{token}/acme/\n");
    let files = [("package.json", MANIFEST), (".npmrc", npmrc.as_str())];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = in_project("npm", dir.path(), home.path());
    cmd.args(["install", "--no-audit", "--fetch-retries=0"]);
    run("npm install", &mut cmd, 120);
    let paths: Vec<String> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&format!("/{token}/acme/somepkg"))),
        "npm did not request the registry's path: {paths:?}"
    );

    let npmrc = format!(
        "registry=https://npm-proxy.fury.io/{token}/acme/\n//npm-proxy.fury.io/{token}/acme/:_authToken=${{FURY_TOKEN}}\n"
    );
    let files = [(".npmrc", npmrc.as_str())];
    let found = guard_refuses(&files, ".npmrc", &[token.to_string()]);
    let second = npmrc.find('\n').expect("two lines") + 1;
    let column = |at: usize| (at - second + 1) as u64;
    assert_eq!(
        found,
        [
            ("url-credentials".to_string(), 1, place(&npmrc, token).1),
            (
                "url-credentials".to_string(),
                2,
                column(second + npmrc[second..].find(token).expect("token"))
            ),
        ]
    );
    let dir = project(&files);
    let out = guard_in(dir.path(), &["check", "--format", "json", ".npmrc"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let keys: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["key"].as_str())
        .collect();
    assert_eq!(keys, ["registry", "//npm-proxy.fury.io/…/acme/:_authToken"]);

    // The account alone (the form `npm login` writes), a reference for
    // the token: nothing committed.
    let ok = "registry=https://npm-proxy.fury.io/acme/\n//npm-proxy.fury.io/acme/:_authToken=${FURY_TOKEN}\n@x:registry=https://npm.fury.io/${FURY_TOKEN}/acme/\n";
    let dir = project(&[(".npmrc", ok)]);
    let out = guard_in(dir.path(), &["check", ".npmrc"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stdout));
}

/// A lockfile's URL is fetched as written: npm requests the path of a
/// `resolved` URL (shown here with Gemfury's shape on a capture server),
/// so a Gemfury token in a lockfile's or a manifest's URL is sent. The
/// guard refuses it in every lockfile and in `package.json`, with the host
/// in any case, and shows it in no output.
#[test]
fn a_gemfury_path_token_in_a_lockfile_is_sent_by_npm_and_refused() {
    if !have("npm") {
        return;
    }
    let token = "Kq7vRmZpLxWd2NsTb4Hc";
    let (port, seen) = capture_server();
    let lock = |url: &str| {
        format!(
            "{{\"name\":\"x\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,\"packages\":{{\"\":{{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{{\"somepkg\":\"1.0.0\"}}}},\n \"node_modules/somepkg\":{{\"version\":\"1.0.0\",\"resolved\":\"{url}\",\"integrity\":\"sha512-AAAA\"}}}}}}\n"
        )
    };
    let local = lock(&format!(
        "http://127.0.0.1:{port}/{token}/acme/-/somepkg-1.0.0.tgz"
    ));
    let dir = project(&[("package.json", MANIFEST), ("package-lock.json", &local)]);
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = in_project("npm", dir.path(), home.path());
    cmd.args(["ci", "--no-audit", "--fetch-retries=0"]);
    run("npm ci", &mut cmd, 120);
    let paths: Vec<String> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with(&format!("/{token}/acme/-/somepkg"))),
        "npm did not request the lockfile's URL: {paths:?}"
    );

    for host in ["npm.fury.io", "NPM-PROXY.Fury.IO"] {
        let url = format!("https://{host}/{token}/acme/-/somepkg-1.0.0.tgz");
        let manifest = format!(
            "{{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{{\"somepkg\":\"{url}\"}}}}"
        );
        let yarn = format!("somepkg@1.0.0:\n  version \"1.0.0\"\n  resolved \"{url}#abc\"\n");
        let cases = [
            ("package-lock.json", lock(&url)),
            ("yarn.lock", yarn),
            ("pnpm-lock.yaml", pnpm_lock(&url)),
            ("bun.lock", bun_lock(&url)),
            ("package.json", manifest),
            // pnpm sends both (seen through a logging proxy by review 7, #8).
            (
                "pnpm-workspace.yaml",
                format!("registries:\n  default: https://{host}/{token}/acme/\n"),
            ),
            (
                "pnpm-workspace.yaml",
                format!("packages: ['a']\ncatalog:\n  somepkg: {url}\n"),
            ),
        ];
        for (file, text) in &cases {
            let found = guard_refuses(&[(file, text.as_str())], file, &[token.to_string()]);
            assert_eq!(
                found,
                [(
                    "url-credentials".to_string(),
                    place(text, token).0,
                    place(text, token).1
                )],
                "{file}: {text}"
            );
        }
    }
}

/// npm reads `_password` as base64 leniently, skipping every byte outside
/// the alphabet: a base64 password wrapped in a CI's or a template's
/// expression, or written as an unset `${B64}`, is sent (review 7, #4), so
/// it is an error; a variable's name in one decodes to no text, and stays
/// a warning (or nothing).
#[test]
fn a_base64_password_inside_a_reference_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let password = "qwertzuiopas";
    let b64 = "cXdlcnR6dWlvcGFz";
    assert_eq!(
        common::text(&npmrc_guard::eval::base64_lenient(b64)),
        password
    );
    for wrapped in [
        format!("${{{{ {b64} }}}}"),
        format!("$({b64})"),
        format!("<< {b64} >>"),
        format!("{{{{ .{b64} }}}}"),
        format!("%{b64}%"),
        format!("${{{b64}}}"),
    ] {
        let (port, seen) = capture_server();
        let npmrc = format!(
            "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:username=alice\n//127.0.0.1:{port}/:_password={wrapped}\n"
        );
        let dir = project(&[(".npmrc", npmrc.as_str())]);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("npm", dir.path(), home.path());
        cmd.args(["view", "somepkg", "--fetch-retries=0"]);
        run("npm view", &mut cmd, 120);
        assert_eq!(
            sent(&seen, "somepkg"),
            [format!("alice:{password}")],
            "{wrapped}"
        );
        let out = guard_in(dir.path(), &["check", "--format", "json", ".npmrc"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{wrapped}: {}",
            common::text(&out.stdout)
        );
        common::assert_no_secret(&out, &[password.to_string(), b64.to_string()]);
    }
    // A name in a reference npm does not expand: no password of it.
    for name in [
        "${{ secrets.NPM_PASSWORD }}",
        "$(NPM_PASSWORD)",
        "${NPM_PASSWORD}",
    ] {
        let npmrc = format!("//r.example/:username=alice\n//r.example/:_password={name}\n");
        let dir = project(&[(".npmrc", npmrc.as_str())]);
        let out = guard_in(dir.path(), &["check", ".npmrc"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            common::text(&out.stdout)
        );
    }
}

/// A key whose setting name is a reference (`//host/:${FIELD}`) is filled
/// from the environment: the npm a script starts sets
/// `npm_package_config_field` from package.json's `config` and sends the
/// value as the credential it names (review 7, #14). Its literal value is
/// refused; a reference there is not.
#[test]
fn a_key_named_by_the_environment_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let token = common::uuid_token(2441);
    let (port, seen) = capture_server();
    let npmrc = format!(
        "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:${{npm_package_config_field}}={token}\n"
    );
    let manifest = r#"{"name":"x","version":"1.0.0","config":{"field":"_authToken"},"scripts":{"fetch":"npm view somepkg --fetch-retries=0"}}"#;
    let dir = project(&[(".npmrc", npmrc.as_str()), ("package.json", manifest)]);
    let auth = npm_run_fetch(dir.path(), &seen);
    assert!(
        auth.contains(&format!("Bearer {token}")),
        "npm sent {auth:?}"
    );
    let found = guard_refuses(
        &[(".npmrc", npmrc.as_str())],
        ".npmrc",
        std::slice::from_ref(&token),
    );
    assert_eq!(
        found,
        [("auth-token".to_string(), 2, place(&npmrc, &token).1)]
    );
    let ok = "//r.example/:${FIELD}=${VALUE}\n";
    let dir = project(&[(".npmrc", ok)]);
    let out = guard_in(dir.path(), &["check", ".npmrc"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stdout));
}

/// A credential written as `${npm_package_config_token}` is filled from
/// package.json's `config` by every npm a script starts: the token is
/// committed there, and sent (review 7, #15). The reference is refused.
#[test]
fn a_credential_from_package_json_config_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let token = common::uuid_token(2442);
    let (port, seen) = capture_server();
    let npmrc = format!(
        "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{npm_package_config_token}}\n"
    );
    let manifest = format!(
        r#"{{"name":"x","version":"1.0.0","config":{{"token":"{token}"}},"scripts":{{"fetch":"npm view somepkg --fetch-retries=0"}}}}"#
    );
    let files = [
        (".npmrc", npmrc.as_str()),
        ("package.json", manifest.as_str()),
    ];
    let dir = project(&files);
    let auth = npm_run_fetch(dir.path(), &seen);
    assert!(
        auth.contains(&format!("Bearer {token}")),
        "npm sent {auth:?}"
    );
    let found = guard_refuses(&files, ".npmrc", std::slice::from_ref(&token));
    assert_eq!(
        found,
        [("auth-token".to_string(), 2, place(&npmrc, "${npm").1)]
    );
}

/// pnpm-lock.yaml's `resolution` as a block mapping whose `tarball:` is a
/// block scalar split across lines (review 7, #13): literal (`|-`, `|`,
/// `|2-`) keeps the line break, which Node's URL drops; folded (`>-`)
/// joins with a space, sent as `%20`. pnpm sends the credentials either
/// way.
#[test]
fn a_pnpm_lock_tarball_block_scalar_is_sent_and_refused() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    let joined = pw();
    let folded = format!("{PW1}%20{PW2}");
    // (marker, indicator, what is sent).
    let cases = [
        ("lit", "|-", joined.as_str()),
        ("clip", "|", joined.as_str()),
        ("ind", "|2-", joined.as_str()),
        ("fold", ">-", folded.as_str()),
    ];
    for (marker, indicator, password) in cases {
        let lock = format!(
            "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .:\n    dependencies:\n      somepkg:\n        specifier: 1.0.0\n        version: 1.0.0\n\npackages:\n\n  somepkg@1.0.0:\n    resolution:\n      integrity: sha512-AAAA\n      tarball: {indicator}\n        http://alice:{PW1}\n        {PW2}@127.0.0.1:{port}/{marker}/somepkg-1.0.0.tgz\n\nsnapshots:\n\n  somepkg@1.0.0: {{}}\n"
        );
        let files = [
            ("package.json", MANIFEST),
            ("pnpm-lock.yaml", lock.as_str()),
        ];
        let dir = project(&files);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("node", dir.path(), home.path());
        cmd.arg(tools.join("node_modules/pnpm/bin/pnpm.cjs"));
        cmd.args(["install", "--frozen-lockfile"]);
        cmd.arg("--store-dir").arg(home.path().join("store"));
        run("pnpm", &mut cmd, 180);
        assert!(
            sent(&seen, &format!("/{marker}/")).contains(&format!("alice:{password}")),
            "{marker}: pnpm did not send the block scalar's credentials: {:?}",
            seen.lock().expect("lock")
        );
        let secrets = [pw(), PW1.to_string(), PW2.to_string()];
        let found = guard_refuses(&files, "pnpm-lock.yaml", &secrets);
        // At the block scalar's indicator: the value is read, not held as
        // written.
        let (line, column) = place(&lock, &format!("{indicator}\n"));
        assert_eq!(
            found,
            [("url-credentials".to_string(), line, column)],
            "{marker}"
        );
    }
}

/// npm exports each setting of a `.npmrc` to the npm a script starts as
/// `npm_config_<key>`: a credential written `${npm_config_my_secret}`
/// beside `my-secret=<token>` sends that token (review 7, #15). Refused;
/// a reference to a setting the file does not hold, or holds as a
/// reference, is not.
#[test]
fn a_credential_from_another_setting_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let token = common::uuid_token(2443);
    let (port, seen) = capture_server();
    let npmrc = format!(
        "registry=http://127.0.0.1:{port}/\nmy-secret={token}\n//127.0.0.1:{port}/:_authToken=${{npm_config_my_secret}}\n"
    );
    let manifest = r#"{"name":"x","version":"1.0.0","scripts":{"fetch":"npm view somepkg --fetch-retries=0"}}"#;
    let files = [(".npmrc", npmrc.as_str()), ("package.json", manifest)];
    let dir = project(&files);
    let auth = npm_run_fetch(dir.path(), &seen);
    assert!(
        auth.contains(&format!("Bearer {token}")),
        "npm sent {auth:?}"
    );
    let found = guard_refuses(&files, ".npmrc", std::slice::from_ref(&token));
    assert_eq!(
        found,
        [("auth-token".to_string(), 3, place(&npmrc, "${npm").1)]
    );
    // Behind another reference, the setting is still sent.
    for refused in [
        "my-secret=Kq7vRmZpLxWd2NsTb4Hc\n//r.example/:_authToken=${npm_config_other}${npm_config_my_secret}\n",
        "//r.example/:_authToken=npm_package_config_x${X}${npm_package_config_token}\n",
    ] {
        let dir = project(&[(".npmrc", refused)]);
        let out = guard_in(dir.path(), &["check", ".npmrc"]);
        assert_eq!(out.status.code(), Some(1), "{refused}: {}", common::text(&out.stdout));
    }
    for ok in [
        "//r.example/:_authToken=${npm_config_other}\n",
        "my-secret=${SECRET}\n//r.example/:_authToken=${npm_config_my_secret}\n",
    ] {
        let dir = project(&[(".npmrc", ok)]);
        let out = guard_in(dir.path(), &["check", ".npmrc"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{ok}: {}",
            common::text(&out.stdout)
        );
    }
}

/// npm's run-script exports package.json's `name`, `version`, `config.*`,
/// `engines.*` and `bin.*` to every script: a credential written as any
/// `${npm_package_…}` of them is filled from the committed manifest and
/// sent (review 8, #2). Refused.
#[test]
fn every_package_json_field_npm_run_exports_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    for (seed, name, field) in [
        (
            2451,
            "npm_package_engines_tok",
            "\"engines\":{\"tok\":\"TOKEN\"}",
        ),
        (2452, "npm_package_bin_tok", "\"bin\":{\"tok\":\"TOKEN\"}"),
        (2453, "npm_package_name", "\"name\":\"TOKEN\""),
    ] {
        let token = common::uuid_token(seed);
        let (port, seen) = capture_server();
        let npmrc = format!(
            "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{{name}}}\n"
        );
        let field = field.replace("TOKEN", &token);
        let manifest = if field.starts_with("\"name\"") {
            format!(
                r#"{{{field},"version":"1.0.0","scripts":{{"fetch":"npm view somepkg --fetch-retries=0"}}}}"#
            )
        } else {
            format!(
                r#"{{"name":"x","version":"1.0.0",{field},"scripts":{{"fetch":"npm view somepkg --fetch-retries=0"}}}}"#
            )
        };
        let files = [
            (".npmrc", npmrc.as_str()),
            ("package.json", manifest.as_str()),
        ];
        let dir = project(&files);
        let auth = npm_run_fetch(dir.path(), &seen);
        assert!(
            auth.contains(&format!("Bearer {token}")),
            "{name}: npm sent {auth:?}"
        );
        let found = guard_refuses(&files, ".npmrc", std::slice::from_ref(&token));
        assert_eq!(
            found,
            [("auth-token".to_string(), 2, place(&npmrc, "${npm").1)],
            "{name}"
        );
    }
}

/// yarn 1's `yarn run` exports every package.json field, flattened
/// (`npm_package_description`, `npm_package_publishConfig_token`), to
/// the npm a script starts: a credential referring to one in a config npm
/// reads (here the `userconfig` the project names, which yarn 1 does not
/// read itself) is sent (review 8, #8). Refused.
#[test]
fn every_package_json_field_yarn1_run_exports_is_sent_and_refused() {
    let Some(tools) = installed_once("yarn-lockfile", "yarn@1.22.22") else {
        return;
    };
    for (seed, name, field) in [
        (2454, "npm_package_description", "\"description\":\"TOKEN\""),
        (
            2455,
            "npm_package_publishConfig_token",
            "\"publishConfig\":{\"token\":\"TOKEN\"}",
        ),
    ] {
        let token = common::uuid_token(seed);
        let (port, seen) = capture_server();
        let npmrc = format!("registry=http://127.0.0.1:{port}/\nuserconfig=conf/npmrc\n");
        let conf = format!("//127.0.0.1:{port}/:_authToken=${{{name}}}\n");
        let field = field.replace("TOKEN", &token);
        let manifest = format!(
            r#"{{"name":"x","version":"1.0.0","license":"MIT",{field},"scripts":{{"fetch":"npm view somepkg --fetch-retries=0 --registry http://127.0.0.1:{port}/"}}}}"#
        );
        let files = [
            (".npmrc", npmrc.as_str()),
            ("conf/npmrc", conf.as_str()),
            ("package.json", manifest.as_str()),
        ];
        let dir = project(&[]);
        std::fs::create_dir(dir.path().join("conf")).expect("mkdir");
        for (path, content) in files {
            std::fs::write(dir.path().join(path), content).expect("write");
        }
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("node", dir.path(), home.path());
        cmd.arg(tools.join("node_modules/yarn/bin/yarn.js"));
        cmd.args(["run", "fetch"]);
        // (The project's `userconfig=` is read when the environment names
        // none; HOME is a temp folder all the same.)
        cmd.env_remove("NPM_CONFIG_USERCONFIG");
        run("yarn run fetch", &mut cmd, 120);
        let auth: Vec<String> = seen
            .lock()
            .expect("lock")
            .iter()
            .filter_map(|(_, a)| a.clone())
            .collect();
        assert!(
            auth.contains(&format!("Bearer {token}")),
            "{name}: npm under yarn 1 sent {auth:?}"
        );
        let found = guard_refuses(&files, "conf/npmrc", std::slice::from_ref(&token));
        assert_eq!(
            found,
            [("auth-token".to_string(), 1, place(&conf, "${npm").1)],
            "{name}"
        );
    }
}

/// A key wholly (`${npm_package_config_key}=<token>`, config.key =
/// `//host/:_authToken`) or partly (`//host/:_a${npm_package_config_t}`,
/// config.t = `uthToken`) named by package.json's `config`: npm run sends
/// the value as the credential it names (review 8, #9). Refused, at the
/// value; a reference there is not.
#[test]
fn a_key_filled_from_package_json_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    for (seed, key, config) in [
        (
            2456,
            "${npm_package_config_key}",
            "\"key\":\"//127.0.0.1:PORT/:_authToken\"",
        ),
        (
            2457,
            "//127.0.0.1:PORT/:_a${npm_package_config_t}",
            "\"t\":\"uthToken\"",
        ),
    ] {
        let token = common::uuid_token(seed);
        let (port, seen) = capture_server();
        let key = key.replace("PORT", &port.to_string());
        let config = config.replace("PORT", &port.to_string());
        let npmrc = format!("registry=http://127.0.0.1:{port}/\n{key}={token}\n");
        let manifest = format!(
            r#"{{"name":"x","version":"1.0.0","config":{{{config}}},"scripts":{{"fetch":"npm view somepkg --fetch-retries=0"}}}}"#
        );
        let files = [
            (".npmrc", npmrc.as_str()),
            ("package.json", manifest.as_str()),
        ];
        let dir = project(&files);
        let auth = npm_run_fetch(dir.path(), &seen);
        assert!(
            auth.contains(&format!("Bearer {token}")),
            "{key}: npm sent {auth:?}"
        );
        let found = guard_refuses(&files, ".npmrc", std::slice::from_ref(&token));
        assert_eq!(
            found,
            [("auth-token".to_string(), 2, place(&npmrc, &token).1)],
            "{key}"
        );
        let ok = format!("{key}=${{NPM_TOKEN}}\n");
        let dir = project(&[(".npmrc", ok.as_str())]);
        let out = guard_in(dir.path(), &["check", ".npmrc"]);
        assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stdout));
    }
}

/// A registry URL's password written as a reference the npm a script fills
/// from committed files (`${npm_package_config_pw}`, or
/// `${npm_config_corp_pw}` beside `corp-pw=<password>`): npm run sends
/// Basic auth with it (review 8, #6). `url-credentials`, the secret not
/// shown.
#[test]
fn a_url_password_filled_by_npm_run_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let password = common::uuid_token(2458);
    let (port, seen) = capture_server();
    let cases = [
        (
            format!("@corp:registry=http://alice:${{npm_package_config_pw}}@127.0.0.1:{port}/\n"),
            format!(r#""config":{{"pw":"{password}"}},"#),
        ),
        (
            format!("corp-pw={password}\n@corp:registry=http://alice:${{npm_config_corp_pw}}@127.0.0.1:{port}/\n"),
            String::new(),
        ),
    ];
    for (npmrc, config) in cases {
        seen.lock().expect("lock").clear();
        let manifest = format!(
            r#"{{"name":"x","version":"1.0.0",{config}"scripts":{{"fetch":"npm view @corp/x --fetch-retries=0"}}}}"#
        );
        let files = [
            (".npmrc", npmrc.as_str()),
            ("package.json", manifest.as_str()),
        ];
        let dir = project(&files);
        npm_run_fetch(dir.path(), &seen);
        assert!(
            sent(&seen, "corp").contains(&format!("alice:{password}")),
            "{npmrc}: npm sent {:?}",
            seen.lock().expect("lock")
        );
        let found = guard_refuses(&files, ".npmrc", std::slice::from_ref(&password));
        let line = npmrc.lines().count() as u64;
        assert!(
            found.contains(&(
                "url-credentials".to_string(),
                line,
                1 + "@corp:registry=".len() as u64
            )),
            "{npmrc}: {found:?}"
        );
    }
}

/// npm exports the settings of every config it loaded to the npm a script
/// starts: `${npm_config_corp_token}` in the project `.npmrc` is filled
/// from a literal `corp-token=` in the `userconfig=`/`globalconfig=` file
/// it names, and the other way round (review 8, #3). Refused, with both
/// files in the scan.
#[test]
fn a_setting_of_a_named_config_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let token = common::uuid_token(2459);
    for key in ["userconfig", "globalconfig"] {
        for reversed in [false, true] {
            let (port, seen) = capture_server();
            let reference = format!("//127.0.0.1:{port}/:_authToken=${{npm_config_corp_token}}\n");
            let literal = format!("corp-token={token}\n");
            let (own, named) = if reversed {
                (literal.clone(), reference.clone())
            } else {
                (reference.clone(), literal.clone())
            };
            let npmrc = format!("registry=http://127.0.0.1:{port}/\n{key}=conf/.npmrc\n{own}");
            let manifest = r#"{"name":"x","version":"1.0.0","scripts":{"fetch":"npm view somepkg --fetch-retries=0"}}"#;
            let files = [
                (".npmrc", npmrc.as_str()),
                ("conf/.npmrc", named.as_str()),
                ("package.json", manifest),
            ];
            let dir = project(&[]);
            std::fs::create_dir(dir.path().join("conf")).expect("mkdir");
            for (path, content) in files {
                std::fs::write(dir.path().join(path), content).expect("write");
            }
            let home = tempfile::tempdir().expect("tempdir");
            let mut cmd = in_project("npm", dir.path(), home.path());
            // (The project's `userconfig=` is read when the environment
            // names none; HOME is a temp folder all the same.)
            cmd.env_remove("NPM_CONFIG_USERCONFIG");
            cmd.args(["run", "fetch"]);
            run("npm run fetch", &mut cmd, 120);
            let auth: Vec<String> = seen
                .lock()
                .expect("lock")
                .iter()
                .filter_map(|(_, a)| a.clone())
                .collect();
            assert!(
                auth.contains(&format!("Bearer {token}")),
                "{key} {reversed}: npm sent {auth:?}"
            );
            let (file, text) = if reversed {
                ("conf/.npmrc", named.as_str())
            } else {
                (".npmrc", npmrc.as_str())
            };
            // (`check` of the named file alone cannot know which `.npmrc`
            // names it: the project `.npmrc` is checked, which reads it.)
            let found =
                guard_refuses_checking(&files, ".npmrc", file, std::slice::from_ref(&token));
            let (line, column) = place(text, "${npm");
            assert_eq!(
                found,
                [("auth-token".to_string(), line, column)],
                "{key} {reversed}"
            );
        }
    }
}

/// pnpm-lock.yaml's `tarball:` as a plain scalar continued on a
/// more-indented line (review 8, #7): YAML folds the break to a space,
/// sent as `%20`. After `tarball: ` in a block mapping, on its own line
/// below an empty `tarball:`, and inside the flow mapping pnpm writes:
/// pnpm sends the credentials each time, and the guard refuses them.
#[test]
fn a_pnpm_lock_tarball_plain_scalar_across_lines_is_sent_and_refused() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    let folded = format!("alice:{PW1}%20{PW2}");
    let head = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .:\n    dependencies:\n      somepkg:\n        specifier: 1.0.0\n        version: 1.0.0\n\npackages:\n\n  somepkg@1.0.0:\n";
    let tail = "\nsnapshots:\n\n  somepkg@1.0.0: {}\n";
    let url = |marker: &str, indent: &str| {
        format!("http://alice:{PW1}\n{indent}{PW2}@127.0.0.1:{port}/{marker}/somepkg-1.0.0.tgz")
    };
    let cases = [
        (
            "after-key",
            format!(
                "    resolution:\n      integrity: sha512-AAAA\n      tarball: {}\n",
                url("after-key", "        ")
            ),
        ),
        (
            "below-key",
            format!(
                "    resolution:\n      integrity: sha512-AAAA\n      tarball:\n        {}\n",
                url("below-key", "        ")
            ),
        ),
        (
            "flow",
            format!(
                "    resolution: {{integrity: sha512-AAAA, tarball: {}}}\n",
                url("flow", "      ")
            ),
        ),
    ];
    for (marker, packages) in cases {
        let lock = format!("{head}{packages}{tail}");
        let files = [
            ("package.json", MANIFEST),
            ("pnpm-lock.yaml", lock.as_str()),
        ];
        let dir = project(&files);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("node", dir.path(), home.path());
        cmd.arg(tools.join("node_modules/pnpm/bin/pnpm.cjs"));
        cmd.args(["install", "--frozen-lockfile"]);
        cmd.arg("--store-dir").arg(home.path().join("store"));
        run("pnpm", &mut cmd, 180);
        assert!(
            sent(&seen, &format!("/{marker}/")).contains(&folded),
            "{marker}: pnpm did not send the folded credentials: {:?}",
            seen.lock().expect("lock")
        );
        let secrets = [pw(), PW1.to_string(), PW2.to_string()];
        let found = guard_refuses(&files, "pnpm-lock.yaml", &secrets);
        // At the scalar's first byte: the value is read, not held as
        // written.
        let (line, column) = place(&lock, "http://alice");
        assert_eq!(
            found,
            [("url-credentials".to_string(), line, column)],
            "{marker}"
        );
    }
}

/// A Gemfury registry URL whose host or scheme holds a TAB, or whose host
/// is written in full-width letters or with a soft hyphen (review 8, #4):
/// WHATWG's parser drops the TAB and IDNA maps the rest, so npm requests
/// `http://npm.fury.io/<token>/acme/…` (seen here through `proxy=` on a
/// capture server), from `.npmrc`'s `registry=` and from a `package.json`
/// dependency whose TAB is spelt `\u0009`. The guard refuses each.
#[test]
fn a_gemfury_host_hidden_by_a_tab_or_a_mapping_is_sent_and_refused() {
    if !have("npm") {
        return;
    }
    let token = "Wq4Tn8Rz2Kx6Pm9Lc3Vb";
    let (port, seen) = capture_server();
    let requested = |what: &str| {
        seen.lock()
            .expect("lock")
            .iter()
            .any(|(path, _)| path == &format!("http://npm.fury.io/{token}/acme/{what}"))
    };
    for url in [
        format!("http://npm.fu\try.io/{token}/acme/"),
        format!("ht\ttp://npm.fury.io/{token}/acme/"),
        format!("http:/\t/npm.fury.io/{token}/acme/"),
        format!("http://npm.\u{ff46}\u{ff55}\u{ff52}\u{ff59}.io/{token}/acme/"),
        format!("http://npm.\u{ff26}\u{ff35}\u{ff32}\u{ff39}.io/{token}/acme/"),
        format!("http://npm.fu\u{ad}ry.io/{token}/acme/"),
    ] {
        seen.lock().expect("lock").clear();
        let npmrc = format!("proxy=http://127.0.0.1:{port}/\nregistry={url}\n");
        let dir = project(&[(".npmrc", npmrc.as_str())]);
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = in_project("npm", dir.path(), home.path());
        cmd.args(["view", "somepkg", "--fetch-retries=0"]);
        run("npm view", &mut cmd, 120);
        assert!(
            requested("somepkg"),
            "{url:?}: npm did not request the token's path: {:?}",
            seen.lock().expect("lock")
        );
        let found = guard_refuses(
            &[(".npmrc", npmrc.as_str())],
            ".npmrc",
            &[token.to_string()],
        );
        let (line, column) = place(&npmrc, token);
        assert_eq!(
            found,
            [("url-credentials".to_string(), line, column)],
            "{url:?}"
        );
    }

    seen.lock().expect("lock").clear();
    let manifest = format!(
        "{{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{{\"pkg\":\"http://npm.fu\\u0009ry.io/{token}/acme/-/pkg-1.0.0.tgz\"}}}}\n"
    );
    let npmrc = format!("proxy=http://127.0.0.1:{port}/\n");
    let files = [
        ("package.json", manifest.as_str()),
        (".npmrc", npmrc.as_str()),
    ];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = in_project("npm", dir.path(), home.path());
    // (Without its update check, whose https request makes npm tunnel the
    // next one too, `CONNECT npm.fury.io:80`, npm asks the proxy for the
    // URL itself.)
    cmd.args([
        "install",
        "--no-audit",
        "--no-update-notifier",
        "--fetch-retries=0",
    ]);
    run("npm install", &mut cmd, 120);
    assert!(
        requested("-/pkg-1.0.0.tgz"),
        "npm did not request the dependency's URL: {:?}",
        seen.lock().expect("lock")
    );
    let found = guard_refuses(&files, "package.json", &[token.to_string()]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "url-credentials");

    // Gemfury's tarball layout under an account-only registry
    // (`/<account>/~/d/…`) holds no token.
    let lock = "{\"name\":\"x\",\"lockfileVersion\":1,\"dependencies\":{\"@acme/etag\":{\"version\":\"1.8.1\",\"resolved\":\"https://npm.fury.io/acme/~/d/%40acme%2Fetag/%40acme%2Fetag-1.8.1\"}}}\n";
    let dir = project(&[("package-lock.json", lock)]);
    let out = guard_in(dir.path(), &["check", "package-lock.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stdout));
}

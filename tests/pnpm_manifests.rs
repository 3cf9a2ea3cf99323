//! pnpm's other manifests (review 4, #14): pnpm takes `package.yaml` or
//! `package.json5` instead of `package.json` and fetches their dependency
//! URLs with their `user:password@` and their query. Each case is first
//! proved against real pnpm with a capture server on 127.0.0.1, then the
//! guard must block the same committed file, at the value, masked, in
//! every way a `package.json` is read: `check FILE`, `scan`,
//! `scan --staged` and `scan --history` (`check --project` reads the
//! configs, not `package.json`). Needs node and npm (pnpm
//! is installed under target/ once); under `CI=true` their absence fails.

mod common;

use common::capture::{capture_server, Seen};
use common::npm::installed_once;
use common::TestRepo;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A fabricated password: random-looking, not a stand-in.
const PW: &str = "q7Rw2LxZp9VkT4mNc8Ye";

/// The request paths and the `user:password` of each `Authorization:
/// Basic` header sent to a path holding `marker`.
fn sent(seen: &Seen, marker: &str) -> Vec<(String, Option<String>)> {
    seen.lock()
        .expect("lock")
        .iter()
        .filter(|(path, _)| path.contains(marker))
        .map(|(path, auth)| {
            let basic = auth
                .as_deref()
                .and_then(|a| a.strip_prefix("Basic "))
                .map(|b| common::text(&npmrc_guard::eval::base64_lenient(b)));
            (path.clone(), basic)
        })
        .collect()
}

/// The 1-based line and column of `needle` in `text`.
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("needle");
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line as u64, (at - start + 1) as u64)
}

/// The JSON findings of `out` as (rule, path, line, column, key).
fn found(out: &std::process::Output) -> Vec<(String, String, u64, u64, Option<String>)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["key"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// pnpm install in `dir`, stopped once `done` holds or after `secs`.
fn pnpm_install(tools: &Path, dir: &Path, home: &Path, secs: u64, done: impl Fn() -> bool) {
    let mut cmd = Command::new("node");
    common::hermetic(&mut cmd, home).current_dir(dir);
    cmd.arg(tools.join("node_modules/pnpm/bin/pnpm.cjs"))
        .args(["install", "--fetch-retries=0"])
        .arg("--store-dir")
        .arg(home.join("store"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("pnpm runs");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if done() || child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn pnpm_sends_package_yaml_and_package_json5_urls_and_the_guard_blocks_them() {
    let Some(tools) = installed_once("pnpm-lockfile", "pnpm@10.34.2") else {
        return;
    };
    let (port, seen) = capture_server();
    let query = common::uuid_token(1401);
    // YAML with an anchor merged into the dependencies (js-yaml's merge
    // key); JSON5 with comments, unquoted keys, single quotes, an escaped
    // `@`, a trailing comma; and a query credential in each.
    let cases = [
        (
            "package.yaml",
            "y1",
            format!(
                "name: x\nversion: 1.0.0\nbase: &b\n  priv: http://alice:{PW}@127.0.0.1:{port}/y1/priv-1.0.0.tgz\ndependencies:\n  <<: *b\n"
            ),
            PW.to_string(),
            "dependencies.priv",
        ),
        (
            "package.json5",
            "j1",
            format!(
                "// pnpm reads JSON5\n{{name: 'x', version: '1.0.0', /* deps */\n  dependencies: {{priv: 'http://alice:{PW}\\u0040127.0.0.1:{port}/j1/priv-1.0.0.tgz',}},\n}}\n"
            ),
            "'http".to_string(),
            "dependencies.priv",
        ),
        (
            "package.json5",
            "j2",
            format!(
                "{{name: 'x', version: '1.0.0', devDependencies: {{\"q\": \"http://127.0.0.1:{port}/j2/q-1.0.0.tgz?private_token={query}\"}}}}\n"
            ),
            query.clone(),
            "devDependencies.q",
        ),
    ];
    let secrets = [PW.to_string(), query.clone()];
    for (name, marker, content, needle, key) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(name), &content).expect("write");
        let home = tempfile::tempdir().expect("tempdir");
        let marker = format!("/{marker}/");
        let wire = |s: &Seen| {
            sent(s, &marker).iter().any(|(path, basic)| {
                basic.as_deref() == Some(&format!("alice:{PW}")) || path.contains(&query)
            })
        };
        pnpm_install(&tools, dir.path(), home.path(), 180, || wire(&seen));
        assert!(
            wire(&seen),
            "{name}: pnpm did not send the URL's credentials: {:?}",
            seen.lock().expect("lock")
        );

        let (line, column) = place(&content, &needle);
        let expected = [(
            "url-credentials".to_string(),
            name.to_string(),
            line,
            column,
            Some(key.to_string()),
        )];
        let repo = TestRepo::new();
        repo.write(name, &content);
        repo.git(&["add", "-A"]);
        for args in [&["scan", "--staged"][..], &["check", name], &["scan"]] {
            for format in ["human", "github", "sarif"] {
                let out = repo.tool(&[args, &["--format", format]].concat());
                assert_eq!(out.status.code(), Some(1), "{name} {args:?} {format}");
                common::assert_no_secret(&out, &secrets);
            }
            let out = repo.tool(&[args, &["--format", "json"]].concat());
            assert_eq!(found(&out), expected, "{name} {args:?}");
        }
        repo.git(&["commit", "-qm", "manifest"]);
        let out = repo.tool(&["scan", "--history", "--format", "json"]);
        common::assert_no_secret(&out, &secrets);
        assert_eq!(out.status.code(), Some(1), "{name} --history");
        assert_eq!(found(&out).len(), 1, "{name} --history");
    }
}

//! `package.json` `publishConfig` as npm reads it on `npm publish`, proved
//! with a real `npm publish` against a capture server on 127.0.0.1: npm
//! parses the file with `JSON.parse` after stripping a byte-order mark, so
//! the last of two `publishConfig` keys counts, an escape can spell the
//! key, and a value that is an array or a number is sent as JavaScript's
//! `String(value)` (review of issue 10, findings 4, 5 and 6). Needs `npm`;
//! under `CI=true` its absence fails.

mod common;

use common::capture::{capture_server, Seen};
use common::npm::{have, run};
use common::*;
use std::process::Command;

/// The `Authorization` headers `npm publish` sent from the project at
/// `repo` (its `.npmrc` gives the registry a `${NPM_TOKEN}`, set to
/// `from-the-environment`).
fn npm_publish_sends(repo: &TestRepo, seen: &Seen) -> Vec<String> {
    seen.lock().expect("lock").clear();
    let home = tempfile::tempdir().expect("tempdir");
    run(
        "npm publish",
        hermetic(&mut Command::new("npm"), home.path())
            .current_dir(&repo.root)
            .env("NPM_TOKEN", "from-the-environment")
            .args([
                "publish",
                "--fetch-retries=0",
                "--no-update-notifier",
                "--no-audit",
            ]),
        120,
    );
    let sent = seen.lock().expect("lock").clone();
    sent.into_iter().filter_map(|(_, auth)| auth).collect()
}

#[test]
fn npm_publish_sends_the_publish_config_json_parse_reads_and_so_it_is_reported() {
    if !have("npm") {
        return;
    }
    let (port, seen) = capture_server();
    let host = format!("127.0.0.1:{port}");
    let secret = npm_token(1001);
    let npmrc = format!("registry=http://{host}/\n//{host}/:_authToken=${{NPM_TOKEN}}\n");
    let reg = format!("\"registry\":\"http://{host}/\"");
    let cred = format!("\"//{host}/:_authToken\"");
    // (what, package.json, what npm sends as the token)
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "publishConfig given twice: the last counts",
            format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"publishConfig\":{{{reg}}},\n\"publishConfig\":{{{reg},{cred}:\"{secret}\"}}}}\n").into_bytes(),
            secret.clone(),
        ),
        (
            "the key spelled with an escape",
            format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\n\"publish\\u0043onfig\":{{{reg},{cred}:\"{secret}\"}}}}\n").into_bytes(),
            secret.clone(),
        ),
        (
            "a byte-order mark",
            [
                b"\xEF\xBB\xBF".as_slice(),
                format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"publishConfig\":{{{reg},{cred}:\"{secret}\"}}}}\n").as_bytes(),
            ]
            .concat(),
            secret.clone(),
        ),
        (
            "a Latin-1 byte in another string (Node reads it as U+FFFD)",
            [
                b"{\"name\":\"x\",\"version\":\"1.0.0\",\"description\":\"Jos\xE9\",".as_slice(),
                format!("\"publishConfig\":{{{reg},{cred}:\"{secret}\"}}}}\n").as_bytes(),
            ]
            .concat(),
            secret.clone(),
        ),
        (
            "the token in an array",
            format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"publishConfig\":{{{reg},{cred}:[\"{secret}\"]}}}}\n").into_bytes(),
            secret.clone(),
        ),
        (
            "the token as a number",
            format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"publishConfig\":{{{reg},{cred}:12345678901234567890}}}}\n").into_bytes(),
            "12345678901234567000".to_string(),
        ),
        (
            "the token in a duplicate key: the last counts",
            format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"publishConfig\":{{{reg},{cred}:\"from-the-file\",\n{cred}:\"{secret}\"}}}}\n").into_bytes(),
            secret.clone(),
        ),
    ];
    for (what, manifest, token) in &cases {
        let repo = TestRepo::new();
        repo.write(".npmrc", &npmrc);
        std::fs::write(repo.root.join("package.json"), manifest).expect("write");
        let sent = npm_publish_sends(&repo, &seen);
        assert!(
            sent.contains(&format!("Bearer {token}")),
            "{what}: npm sent {sent:?}"
        );
        repo.git(&["add", "-A"]);
        for args in [&["check", "package.json"][..], &["scan", "--staged"]] {
            let out = repo.tool(args);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{what}: {args:?}: {}",
                text(&out.stdout)
            );
            assert!(
                text(&out.stdout).contains("package.json:"),
                "{what}: {}",
                text(&out.stdout)
            );
            assert_no_secret(&out, &[secret.clone(), token.clone()]);
        }
    }
    // The token only in the first of two `publishConfig`s: npm never sends
    // it (it sends the one from the environment); it is committed all the
    // same, and a checksum-valid token anywhere in a file is reported
    // (SPEC.md, `npm-token`), but not as a publishConfig credential.
    let repo = TestRepo::new();
    repo.write(".npmrc", &npmrc);
    repo.write(
        "package.json",
        &format!("{{\"name\":\"x\",\"version\":\"1.0.0\",\"publishConfig\":{{{reg},{cred}:\"{secret}\"}},\n\"publishConfig\":{{{reg}}}}}\n"),
    );
    let sent = npm_publish_sends(&repo, &seen);
    assert!(
        !sent.is_empty() && sent.iter().all(|a| a == "Bearer from-the-environment"),
        "npm sent {sent:?}"
    );
    let out = repo.tool(&["check", "package.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let all = text(&out.stdout);
    assert!(all.contains("outside publishConfig"), "{all}");
    assert_no_secret(&out, std::slice::from_ref(&secret));
}

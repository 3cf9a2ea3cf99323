//! A credential in `.yarnrc.yml` or `bunfig.toml` written as a reference
//! to a variable the npm or bun a script starts fills from package.json
//! (review 9, #3): `npm run` and `bun run` export `config.*` as
//! `npm_package_config_*`, and yarn 4 and bun expand it, so the committed
//! value is sent. Shown on the wire (a server on 127.0.0.1 recording the
//! `Authorization` header), then the guard's exit 1 without the secret.
//! yarn 4 (`@yarnpkg/cli-dist`) and bun (`@oven/bun-linux-x64`) are
//! installed once under target/; under CI=true a missing node or npm fails.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::capture::{capture_server, Seen};
use common::npm::{installed_once, run, YARN4};
use common::{hermetic, required, TestRepo};

const BUN: &str = "@oven/bun-linux-x64@1.4.5";

fn bun() -> Option<PathBuf> {
    let dir = installed_once("bun", BUN)?;
    let bin = dir.join("node_modules/@oven/bun-linux-x64/bin/bun");
    let runs = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        assert!(!required(), "bun does not run here ({})", bin.display());
        eprintln!("skipped: bun does not run here");
        return None;
    }
    Some(bin)
}

/// `files` in a fresh folder, the project's root for yarn (a `yarn.lock`).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        std::fs::write(dir.path().join(path), content).expect("write");
    }
    std::fs::write(dir.path().join("yarn.lock"), "").expect("write");
    dir
}

fn sent(seen: &Seen, header: &str) -> bool {
    seen.lock()
        .expect("lock")
        .iter()
        .any(|(_, auth)| auth.as_deref() == Some(header))
}

/// The guard blocks `files` committed: `check FILE` and `scan --staged`
/// exit 1 with one `auth-token` error at `key` on `line` of `file`, and
/// never show `token`.
fn blocked(files: &[(&str, &str)], file: &str, key: &str, line: u64, token: &str) {
    let repo = TestRepo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.git(&["add", "-A"]);
    let secrets = [token.to_string()];
    let staged = repo.tool(&["scan", "--staged"]);
    assert_eq!(
        staged.status.code(),
        Some(1),
        "{}",
        common::text(&staged.stdout)
    );
    common::assert_no_secret(&staged, &secrets);
    let out = repo.tool(&["check", file, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out.stdout));
    common::assert_no_secret(&out, &secrets);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found: Vec<_> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["key"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("auth-token".to_string(), line, key.to_string())],
        "{v}"
    );
}

#[test]
fn yarn_4_under_npm_run_sends_a_token_from_package_json_config() {
    let Some(tools) = installed_once("yarn", YARN4) else {
        return;
    };
    let yarn_js = tools.join("node_modules/@yarnpkg/cli-dist/bin/yarn.js");
    let (port, seen) = capture_server();
    let token = common::uuid_token(3901);
    let manifest = format!(
        r#"{{"name":"x","version":"1.0.0","config":{{"tok":"{token}"}},"scripts":{{"fetch":"node {} npm info somepkg"}}}}"#,
        yarn_js.display()
    );
    let yarnrc = format!(
        "npmRegistryServer: \"http://127.0.0.1:{port}/\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\n\
         npmAlwaysAuth: true\nnpmAuthToken: \"${{npm_package_config_tok}}\"\n"
    );
    let files = [
        ("package.json", manifest.as_str()),
        (".yarnrc.yml", yarnrc.as_str()),
    ];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("npm");
    hermetic(&mut cmd, home.path())
        .current_dir(dir.path())
        .args(["run", "fetch"])
        .env("YARN_ENABLE_TELEMETRY", "0")
        .env("YARN_IGNORE_PATH", "1");
    run("npm run fetch (yarn 4)", &mut cmd, 180);
    assert!(
        sent(&seen, &format!("Bearer {token}")),
        "yarn did not send the package.json token: {:?}",
        seen.lock().expect("lock")
    );
    blocked(&files, ".yarnrc.yml", "npmAuthToken", 4, &token);
}

#[test]
fn bun_under_bun_run_sends_a_token_from_package_json_config() {
    let Some(bun) = bun() else {
        return;
    };
    let (port, seen) = capture_server();
    let token = common::uuid_token(3902);
    let manifest = format!(
        r#"{{"name":"x","version":"1.0.0","config":{{"tok":"{token}"}},"dependencies":{{"somepkg":"1.0.0"}},"scripts":{{"bi":"{} install --no-cache"}}}}"#,
        bun.display()
    );
    let bunfig = format!(
        "[install]\nregistry = {{ url = \"http://127.0.0.1:{port}/\", token = \"$npm_package_config_tok\" }}\n"
    );
    let files = [
        ("package.json", manifest.as_str()),
        ("bunfig.toml", bunfig.as_str()),
    ];
    let dir = project(&files);
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(&bun);
    hermetic(&mut cmd, home.path())
        .current_dir(dir.path())
        .args(["run", "bi"])
        .env("BUN_INSTALL_CACHE_DIR", home.path().join("bun-cache"));
    run("bun run bi", &mut cmd, 180);
    assert!(
        sent(&seen, &format!("Bearer {token}")),
        "bun did not send the package.json token: {:?}",
        seen.lock().expect("lock")
    );
    blocked(&files, "bunfig.toml", "install.registry.token", 2, &token);
}

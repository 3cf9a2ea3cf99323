//! `--move-to-user-config`: only credentials move, where npm reads them,
//! and never over a credential the user already has. npm's own config
//! loader checks that every registry gets the same Authorization after.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{assert_no_secret, node_json, npm_root, npm_token, required, text};
use serde_json::{json, Value};

fn fix(dir: &Path, home: &Path, userconfig: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_npmrc-guard"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NPM_CONFIG_USERCONFIG", userconfig)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["fix", "--move-to-user-config"])
        .stdin(Stdio::null())
        .output()
        .expect("runs")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// What npm sends to each registry of each (project, user config).
fn npm_auth(npm: &str, jobs: &[(&Path, &Path)]) -> Vec<Value> {
    let jobs: Vec<Value> = jobs
        .iter()
        .map(|(cwd, user)| json!({"cwd": cwd, "userconfig": user}))
        .collect();
    let out = node_json(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm_move.js"),
        npm,
        &serde_json::to_vec(&jobs).expect("json"),
    );
    serde_json::from_slice(&out).expect("json")
}

#[test]
fn url_credentials_move_as_keys_before_the_first_section_and_npm_agrees() {
    let Some(npm) = npm_root() else {
        assert!(
            !required(),
            "npm's @npmcli/config was not found (npm root -g)"
        );
        eprintln!("skipped: npm is not installed");
        return;
    };
    let base = tempfile::tempdir().expect("tempdir");
    let home = base.path().join("home");
    let (before, after) = (base.path().join("before"), base.path().join("after"));
    let t = npm_token(61);
    let project = format!(
        "registry=https://deploy:pa55-w0rd@artifactory.example/api/npm/\n@acme:registry=https://ci:s3cr3t-pw@npm.acme.example:8443/\n//registry.npmjs.org/:_authToken={t}\nsave-exact=true\n"
    );
    // The user's config ends in a section: lines appended there are not
    // top-level settings for npm.
    let user = "color=false\n[work]\nlegacy=1\n";
    for d in [&home, &before, &after] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    for d in [&before, &after] {
        std::fs::write(d.join("package.json"), "{}").expect("write");
        std::fs::write(d.join(".npmrc"), &project).expect("write");
        std::fs::write(d.join("user.npmrc"), user).expect("write");
    }
    let out = fix(&after, &home, &after.join("user.npmrc"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, &[t.clone(), "pa55-w0rd".into(), "s3cr3t-pw".into()]);
    assert_eq!(
        read(&after.join(".npmrc")),
        "registry=https://artifactory.example/api/npm/\n@acme:registry=https://npm.acme.example:8443/\nsave-exact=true\n",
        "the settings stay in the project, without their credentials"
    );
    let moved = read(&after.join("user.npmrc"));
    assert_eq!(
        moved,
        format!("color=false\n//artifactory.example/api/npm/:username=deploy\n//artifactory.example/api/npm/:_password=cGE1NS13MHJk\n//npm.acme.example:8443/:username=ci\n//npm.acme.example:8443/:_password=czNjcjN0LXB3\n//registry.npmjs.org/:_authToken={t}\n[work]\nlegacy=1\n"),
    );
    let err = text(&out.stderr);
    assert!(err.contains("moved 5 credential lines"), "{err}");
    assert!(!err.contains("already there"), "{err}");
    let res = npm_auth(
        &npm,
        &[
            (&before, &before.join("user.npmrc")),
            (&after, &after.join("user.npmrc")),
        ],
    );
    assert_eq!(
        res[0], res[1],
        "npm authenticates differently after the move"
    );
    assert!(
        res[1]
            .as_object()
            .is_some_and(|o| o.len() == 2 && o.values().all(Value::is_string)),
        "{}",
        res[1]
    );
    // A second run changes nothing.
    let again = fix(&after, &home, &after.join("user.npmrc"));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(read(&after.join("user.npmrc")), moved);
}

#[test]
fn a_different_credential_the_user_has_is_never_replaced() {
    let base = tempfile::tempdir().expect("tempdir");
    let (mine, theirs) = (npm_token(71), npm_token(72));
    let project = format!("//registry.npmjs.org/:_authToken={theirs}\n");
    let user = format!("//registry.npmjs.org/:_authToken={mine}\n");
    std::fs::write(base.path().join(".npmrc"), &project).expect("write");
    let userconfig = base.path().join("user.npmrc");
    std::fs::write(&userconfig, &user).expect("write");
    let out = fix(base.path(), base.path(), &userconfig);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("already holds another credential for //registry.npmjs.org/"),
        "{}",
        text(&out.stderr)
    );
    assert_no_secret(&out, &[mine, theirs]);
    assert_eq!(read(&userconfig), user);
    assert_eq!(read(&base.path().join(".npmrc")), project);
}

#[test]
fn a_credential_already_in_the_user_config_is_counted_truthfully() {
    let base = tempfile::tempdir().expect("tempdir");
    let t = npm_token(81);
    std::fs::write(
        base.path().join(".npmrc"),
        format!("//registry.npmjs.org/:_authToken={t}\n"),
    )
    .expect("write");
    let userconfig = base.path().join("user.npmrc");
    let out = fix(base.path(), base.path(), &userconfig);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("moved 1 credential line to"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains("already there"));
    std::fs::write(
        base.path().join(".npmrc"),
        format!("//registry.npmjs.org/:_authToken={t}\n"),
    )
    .expect("write");
    let out = fix(base.path(), base.path(), &userconfig);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("moved 0 credential lines to")
            && text(&out.stderr).contains("1 was already there"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        read(&userconfig),
        format!("//registry.npmjs.org/:_authToken={t}\n")
    );
}

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

/// Run `fix --move-to-user-config` on `project` with `user` as the user
/// config; returns (output, project after, user config after).
fn move_once(project: &str, user: Option<&str>) -> (Output, String, String) {
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::write(base.path().join(".npmrc"), project).expect("write");
    let userconfig = base.path().join("user.npmrc");
    if let Some(user) = user {
        std::fs::write(&userconfig, user).expect("write");
    }
    let out = fix(base.path(), base.path(), &userconfig);
    let after = read(&base.path().join(".npmrc"));
    (out, after, read(&userconfig))
}

/// The fix refused with exit 2 and changed nothing.
fn assert_refused(project: &str, user: Option<&str>, says: &str, secrets: &[String]) {
    let (out, after, user_after) = move_once(project, user);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{project:?}: {err}");
    assert!(err.contains(says), "{project:?}: {err}");
    assert_no_secret(&out, secrets);
    assert_eq!(after, project, "the project file changed");
    assert_eq!(user_after, user.unwrap_or(""), "the user config changed");
}

#[test]
fn url_credentials_whose_url_npm_reads_otherwise_are_refused() {
    let t = npm_token(91);
    for project in [
        // WHATWG drops the tab: npm's registry is r.example.
        format!("registry=https://u:{t}@r.exa\tmple/\n"),
        // npm expands `${P}`: the registry depends on the environment.
        format!("@acme:registry=https://u:{t}@r.example/${{P}}/\n"),
        format!("@acme:registry=https://u:{t}@r.example${{P?}}/\n"),
        // A key npm evaluates with `${…}` in it.
        format!("reg${{X?}}istry=https://u:{t}@r.example/\n"),
    ] {
        assert_refused(
            &project,
            None,
            "cannot be moved as written",
            std::slice::from_ref(&t),
        );
    }
}

#[test]
fn only_registry_urls_move_their_credentials() {
    let t = npm_token(92);
    for key in [
        "proxy",
        "https-proxy",
        "noproxy-registry",
        "@acme:registryx",
    ] {
        let project = format!("{key}=http://u:{t}@proxy.example/\n");
        assert_refused(&project, None, "--save-env", std::slice::from_ref(&t));
    }
}

#[test]
fn a_unicode_registry_host_moves_under_its_punycode_name_and_npm_agrees() {
    let t = npm_token(93);
    let project = format!("@acme:registry=https://u:{t}@ÄÖ.example/api/x\n");
    let (out, after, user) = move_once(&project, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, std::slice::from_ref(&t));
    assert_eq!(after, "@acme:registry=https://ÄÖ.example/api/x\n");
    assert!(
        user.starts_with(
            "//xn--4ca0b.example/api/:username=u\n//xn--4ca0b.example/api/:_password="
        ),
        "{user}"
    );
    let Some(npm) = npm_root() else {
        assert!(!required(), "npm's @npmcli/config was not found");
        eprintln!("skipped the npm check: npm is not installed");
        return;
    };
    let base = tempfile::tempdir().expect("tempdir");
    let (before, moved) = (base.path().join("before"), base.path().join("after"));
    for (d, p, u) in [(&before, project.as_str(), ""), (&moved, &after, &user)] {
        std::fs::create_dir_all(d).expect("mkdir");
        std::fs::write(d.join("package.json"), "{}").expect("write");
        std::fs::write(d.join(".npmrc"), p).expect("write");
        std::fs::write(d.join("user.npmrc"), u).expect("write");
    }
    let res = npm_auth(
        &npm,
        &[
            (&before, &before.join("user.npmrc")),
            (&moved, &moved.join("user.npmrc")),
        ],
    );
    assert_eq!(
        res[0], res[1],
        "npm authenticates differently after the move"
    );
    assert!(res[1].to_string().contains("Basic "), "{}", res[1]);
}

#[test]
fn the_user_credential_is_found_however_either_side_spells_its_key() {
    let (old, new) = (npm_token(94), npm_token(95));
    let secrets = [old.clone(), new.clone()];
    assert_refused(
        &format!("//r.example/:_a${{X?}}uthToken={new}\n"),
        Some(&format!("//r.example/:_authToken={old}\n")),
        "already holds another credential for //r.example/",
        &secrets,
    );
    assert_refused(
        &format!("//r.example/:_authToken={new}\n"),
        Some(&format!("//r.example/:_a${{X?}}uthToken={old}\n")),
        "already holds another credential for //r.example/",
        &secrets,
    );
    // ini's key decoding: a quoted key is the same key.
    assert_refused(
        &format!("//r.example/:_authToken={new}\n"),
        Some(&format!("\"//r.example/:_authToken\"={old}\n")),
        "already holds another credential for //r.example/",
        &secrets,
    );
}

#[test]
fn two_values_for_one_key_in_what_moves_are_refused() {
    let (t1, t2) = (npm_token(96), npm_token(97));
    assert_refused(
        &format!("//r.example/:_authToken={t1}\n//r.example/:_authToken={t2}\n"),
        None,
        "two different values",
        &[t1.clone(), t2.clone()],
    );
    assert_refused(
        &format!("//r.example/:_authToken={t1}\n//r.example/:_a${{X?}}uthToken={t2}\n"),
        Some("color=false\n"),
        "two different values",
        &[t1.clone(), t2],
    );
    // The same line twice moves once, and the count says so.
    let (out, after, user) = move_once(
        &format!("//r.example/:_authToken={t1}\n//r.example/:_authToken={t1}\n"),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(after, "");
    assert_eq!(user, format!("//r.example/:_authToken={t1}\n"));
    let err = text(&out.stderr);
    assert!(err.contains("moved 1 credential line to"), "{err}");
    assert!(!err.contains("already there"), "{err}");
}

#[test]
fn url_credentials_are_not_moved_under_another_credential_for_their_registry() {
    // npm sends the URL's credentials before any `//host/:` key; once they
    // are keys, `_authToken` wins: npm would send another secret.
    let (t, p) = (npm_token(98), npm_token(99));
    for other in [
        format!("//r.example/:_authToken={t}\n"),
        "//r.example/:_authToken=${NPM_TOKEN}\n".to_string(),
        "//r.example/:_a${X?}uth=${NPM_AUTH}\n".to_string(),
    ] {
        let project = format!("registry=https://u:{p}@r.example/\n{other}");
        assert_refused(
            &project,
            None,
            "also holds a credential for //r.example/",
            &[t.clone(), p.clone()],
        );
    }
}

#[test]
fn every_character_allowed_in_moved_credentials_reaches_npm_alike() {
    let Some(npm) = npm_root() else {
        assert!(!required(), "npm's @npmcli/config was not found");
        eprintln!("skipped: npm is not installed");
        return;
    };
    let t = npm_token(100);
    // `registry` goes through nopt's legacy `url.parse`, `@s:registry` does
    // not; `#d` is an ini comment; `:443` is https's default port.
    let project = format!(
        "registry=https://u.s-r_~:p!*'()w-{t}@R.example:443/a/b?c#d\n@s:registry=https://k!*:p~'(x)@ÄÖ.example/x/y\n"
    );
    let base = tempfile::tempdir().expect("tempdir");
    let (before, after) = (base.path().join("before"), base.path().join("after"));
    for d in [&before, &after] {
        std::fs::create_dir_all(d).expect("mkdir");
        std::fs::write(d.join("package.json"), "{}").expect("write");
        std::fs::write(d.join(".npmrc"), &project).expect("write");
    }
    let out = fix(&after, base.path(), &after.join("user.npmrc"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, std::slice::from_ref(&t));
    assert_eq!(
        read(&after.join(".npmrc")),
        "registry=https://R.example:443/a/b?c#d\n@s:registry=https://ÄÖ.example/x/y\n"
    );
    let user = read(&after.join("user.npmrc"));
    assert!(
        user.starts_with("//r.example/a/:username=u.s-r_~\n"),
        "{user}"
    );
    assert!(
        user.contains("\n//xn--4ca0b.example/x/:username=k!*\n"),
        "{user}"
    );
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
    assert_eq!(
        res[1].to_string().matches("Basic ").count(),
        2,
        "{}",
        res[1]
    );
}

#[test]
fn a_credential_without_its_registry_is_not_moved() {
    // A bare `_authToken` in the user config would serve the default
    // registry of every project on the machine (pnpm, yarn 1 read it so).
    let t = npm_token(101);
    for key in ["_authToken", "_auth", "_a${X?}uthToken"] {
        assert_refused(
            &format!("registry=https://r.example/\n{key}={t}\n"),
            None,
            "cannot be moved as written",
            std::slice::from_ref(&t),
        );
    }
}

#[test]
fn a_line_the_user_config_holds_but_overrides_later_is_not_already_there() {
    // npm takes the last value of a key: the user's OLD, not the moved T.
    let (old, t) = (npm_token(102), npm_token(103));
    assert_refused(
        &format!("//r.example/:_authToken={t}\n"),
        Some(&format!(
            "//r.example/:_authToken={t}\n//r.example/:_authToken={old}\n"
        )),
        "already holds another credential for //r.example/",
        &[old, t],
    );
}

#[test]
fn a_key_the_project_sets_again_is_not_moved_from_under_it() {
    // npm sends the last value, T; after a move the `${TOK}` line that
    // stays in the project would win over the user config.
    let t = npm_token(104);
    for again in [
        "//r.example/:_authToken=${TOK}",
        "//r.example/:_a${X?}uthToken=${TOK}",
    ] {
        assert_refused(
            &format!("{again}\n//r.example/:_authToken={t}\n"),
            None,
            "sets the same key for //r.example/ again",
            std::slice::from_ref(&t),
        );
    }
}

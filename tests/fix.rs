//! `npmrc-guard fix`, `check --fix` and `fix --staged`: what changes, where
//! the secret goes, and what never happens.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;

#[test]
fn no_choice_for_the_secret_exits_two_and_changes_nothing() {
    let t = npm_token(1001);
    let content = literal_npmrc(&t);
    let dir = npmrc_dir(content.as_bytes());
    let out = npmrc_guard(dir.path()).arg("fix").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for choice in ["--save-env", "--move-to-user-config", "--discard-secrets"] {
        assert!(err.contains(choice), "{err}");
    }
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        content
    );
}

#[test]
fn save_env_keeps_every_other_byte_and_the_mode() {
    let t = npm_token(1002);
    let g = github_token("ghp", 1003);
    let original = format!(
        "\u{feff}; keep this comment\r\n//registry.npmjs.org/:_authToken = \"{t}\" ; inline\r\n\r\n//npm.pkg.github.com/:_authToken={g}\rsave-exact=true"
    );
    let dir = npmrc_dir(original.as_bytes());
    let npmrc = dir.path().join(".npmrc");
    fs::set_permissions(&npmrc, fs::Permissions::from_mode(0o640)).expect("chmod");
    let store = tempfile::tempdir().expect("tempdir");
    let env = store.path().join("secrets.env");
    let out = npmrc_guard(dir.path())
        .args(["fix", "--save-env"])
        .arg(&env)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, &[t.clone(), g.clone()]);
    let expected = "\u{feff}; keep this comment\r\n//registry.npmjs.org/:_authToken = \"${NPM_TOKEN_REGISTRY_NPMJS_ORG}\" ; inline\r\n\r\n//npm.pkg.github.com/:_authToken=${NPM_TOKEN_NPM_PKG_GITHUB_COM}\rsave-exact=true";
    assert_eq!(fs::read_to_string(&npmrc).expect("read"), expected);
    assert_eq!(
        fs::metadata(&npmrc).expect("meta").permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        fs::read_to_string(&env).expect("env"),
        format!("NPM_TOKEN_REGISTRY_NPMJS_ORG='{t}'\nNPM_TOKEN_NPM_PKG_GITHUB_COM='{g}'\n")
    );
    assert_eq!(
        fs::metadata(&env).expect("meta").permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn save_env_inside_a_repository_must_be_ignored() {
    let repo = TestRepo::new();
    let t = npm_token(1004);
    repo.write(".npmrc", &literal_npmrc(&t));
    let out = repo.tool(&["fix", "--save-env", ".env.local"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not ignored by git"),
        "{}",
        text(&out.stderr)
    );
    assert!(!repo.root.join(".env.local").exists());
    assert_eq!(
        fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        literal_npmrc(&t)
    );

    repo.write(".gitignore", ".env.local\n");
    let out = repo.tool(&["fix", "--save-env", ".env.local", "--var", "REGISTRY_TOKEN"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${REGISTRY_TOKEN}\n"
    );
    assert_eq!(
        fs::read_to_string(repo.root.join(".env.local")).expect("env"),
        format!("REGISTRY_TOKEN='{t}'\n")
    );
}

#[test]
fn a_token_in_a_comment_is_reported_not_guessed() {
    let t = npm_token(1005);
    let u = npm_token(1006);
    let dir = npmrc_dir(format!("# old: {t}\n//registry.npmjs.org/:_authToken={u}\n").as_bytes());
    let out = npmrc_guard(dir.path())
        .args(["fix", "--discard-secrets", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["findings"].as_array().expect("array").len(), 1);
    assert_eq!(json["findings"][0]["line"], 1);
    // Said as it is: not on any setting (a comment here; a line of its own,
    // a list entry or a key no tool reads elsewhere), never "in a comment"
    // for a token that is not in one.
    let human = npmrc_guard(dir.path()).arg("check").output().expect("runs");
    let said = text(&human.stdout);
    assert!(
        said.contains("npm access token outside any setting: npm_"),
        "{said}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        format!("# old: {t}\n//registry.npmjs.org/:_authToken=${{NPM_TOKEN}}\n")
    );
}

#[test]
fn symlinks_and_read_only_files_are_left_alone() {
    let t = npm_token(1007);
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("real.npmrc");
    fs::write(&target, literal_npmrc(&t)).expect("write");
    std::os::unix::fs::symlink(&target, dir.path().join(".npmrc")).expect("symlink");
    let out = npmrc_guard(dir.path())
        .args(["fix", "--discard-secrets"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(&target).expect("read"),
        literal_npmrc(&t)
    );
    assert!(fs::symlink_metadata(dir.path().join(".npmrc"))
        .expect("meta")
        .file_type()
        .is_symlink());

    let ro = npmrc_dir(literal_npmrc(&t).as_bytes());
    let p = ro.path().join(".npmrc");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = npmrc_guard(ro.path())
        .args(["fix", "--discard-secrets"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("read-only"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read_to_string(&p).expect("read"), literal_npmrc(&t));
}

#[test]
fn move_to_user_config_moves_the_line_once() {
    let t = npm_token(1008);
    let line = format!("//registry.npmjs.org/:_authToken={t}");
    let dir = npmrc_dir(
        format!("registry=https://registry.npmjs.org/\n{line}\nsave-exact=true\n").as_bytes(),
    );
    let home = tempfile::tempdir().expect("tempdir");
    let user = home.path().join("user.npmrc");
    fs::write(&user, "color=false").expect("write");
    for _ in 0..2 {
        let out = npmrc_guard(dir.path())
            .args(["fix", "--move-to-user-config"])
            .env("NPM_CONFIG_USERCONFIG", &user)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(
            fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
            "registry=https://registry.npmjs.org/\nsave-exact=true\n"
        );
        // Put the line back: moving it again must not duplicate it.
        fs::write(
            dir.path().join(".npmrc"),
            format!("registry=https://registry.npmjs.org/\n{line}\nsave-exact=true\n"),
        )
        .expect("write");
    }
    assert_eq!(
        fs::read_to_string(&user).expect("read"),
        format!("color=false\n{line}\n")
    );
}

#[test]
fn pnpm_repositories_get_the_advisory() {
    let t = npm_token(1009);
    let dir = npmrc_dir(literal_npmrc(&t).as_bytes());
    fs::write(
        dir.path().join("package.json"),
        r#"{"packageManager": "pnpm@10.34.2"}"#,
    )
    .expect("write");
    let out = npmrc_guard(dir.path())
        .args(["fix", "--discard-secrets"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("GHSA-3qhv-2rgh-x77r"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        SAFE_NPMRC
    );
    let out = npmrc_guard(dir.path())
        .args(["fix", "--discard-secrets"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        SAFE_NPMRC
    );
}

#[test]
fn check_fix_for_the_pre_commit_framework() {
    let t = npm_token(1010);
    let dir = npmrc_dir(literal_npmrc(&t).as_bytes());
    let out = npmrc_guard(dir.path())
        .args(["check", "--fix", "--discard-secrets", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        SAFE_NPMRC
    );
}

#[test]
fn staged_fix_keeps_unstaged_changes_unstaged() {
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env.local\n");
    repo.git(&["add", ".gitignore"]);
    repo.commit_setup("init");
    let t = npm_token(1011);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);
    // Half-done work, not staged.
    repo.write(".npmrc", &format!("{}save-exact=true\n", literal_npmrc(&t)));
    let out = repo.tool(&["fix", "--staged", "--save-env", ".env.local"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("staged and work tree"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(repo.git(&["show", ":.npmrc"]), SAFE_NPMRC);
    assert_eq!(
        fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        format!("{SAFE_NPMRC}save-exact=true\n")
    );
    let unstaged = repo.git(&["diff", "--", ".npmrc"]);
    assert!(unstaged.contains("+save-exact=true"), "{unstaged}");
    let changed = |l: &&str| l.starts_with('+') || l.starts_with('-');
    assert!(
        !unstaged
            .lines()
            .filter(changed)
            .any(|l| l.contains("_authToken")),
        "{unstaged}"
    );
    assert_eq!(
        fs::read_to_string(repo.root.join(".env.local")).expect("env"),
        format!("NPM_TOKEN='{t}'\n")
    );
    // And the hook now lets the commit through.
    assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
    let out = repo.git_out(&["commit", "-q", "-m", "fixed"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Run `command_line` in the repository under a pseudo-terminal
/// (util-linux `script`), typing `answers` at its questions. `None` (a skip)
/// when `script` is missing outside CI.
fn on_a_terminal(
    repo: &TestRepo,
    command_line: &str,
    answers: &str,
    env: &[(&str, &std::path::Path)],
) -> Option<std::process::Output> {
    if repo.command("script").arg("--version").output().is_err() {
        assert!(
            !required(),
            "util-linux `script` is needed for the terminal tests"
        );
        return None;
    }
    Some(output_with_stdin(
        repo.command("script")
            .args(["-qec", command_line, "/dev/null"])
            .envs(env.iter().copied()),
        answers.as_bytes(),
    ))
}

/// In both object formats (a SHA-256 repository through git's plumbing).
#[test]
fn hook_offers_the_fix_on_a_terminal() {
    for format in ["sha1", "sha256"] {
        hook_offers_the_fix_on_a_terminal_in(format);
    }
}

fn hook_offers_the_fix_on_a_terminal_in(format: &str) {
    let repo = TestRepo::with_format(format);
    assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
    let t = npm_token(1012);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);

    // Declined: blocked.
    let commit = "git commit -m from-a-terminal";
    let Some(out) = on_a_terminal(&repo, commit, "n\n", &[]) else {
        return;
    };
    assert_eq!(repo.head(), None, "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("rewrite to ${VAR}"),
        "{}",
        text(&out.stdout)
    );

    // Accepted, secret to .env.local: the commit goes on with the fix.
    let out = on_a_terminal(&repo, commit, "y\n1\n", &[]).expect("script is there");
    let screen = text(&out.stdout);
    assert!(repo.head().is_some(), "the commit did not go on:\n{screen}");
    assert!(!screen.contains(&t), "the terminal showed the token");
    assert_eq!(repo.git(&["show", "HEAD:.npmrc"]), SAFE_NPMRC);
    assert_eq!(
        fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        SAFE_NPMRC
    );
    let env = repo.root.join(".env.local");
    assert_eq!(
        fs::read_to_string(&env).expect("env"),
        format!("NPM_TOKEN='{t}'\n")
    );
    assert_eq!(
        fs::metadata(&env).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    // .env.local is ignored, so it is not about to be committed.
    assert!(repo.git(&["status", "--porcelain"]).trim().is_empty());
}

#[test]
fn scan_fix_rewrites_the_work_tree_and_the_index() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "secrets.env\n");
    let t = npm_token(1013);
    repo.write("packages/a/.npmrc", &literal_npmrc(&t));
    let out = repo.tool(&["scan", "--fix", "--save-env", "secrets.env"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(repo.root.join("packages/a/.npmrc")).expect("read"),
        SAFE_NPMRC
    );
    assert!(
        text(&out.stderr).contains("rewrote packages/a/.npmrc"),
        "{}",
        text(&out.stderr)
    );

    repo.write("packages/b/.npmrc", &literal_npmrc(&t));
    repo.git(&["add", "packages/b/.npmrc"]);
    let out = repo.tool(&["scan", "--staged", "--fix", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // packages/a/.npmrc references NPM_TOKEN already: the fix takes no
    // name another config of the repository references (review 7, #11).
    assert_eq!(
        repo.git(&["show", ":packages/b/.npmrc"]),
        SAFE_NPMRC.replace("NPM_TOKEN", "NPM_TOKEN_2")
    );
    assert_eq!(
        fs::read_to_string(repo.root.join("packages/b/.npmrc")).expect("read"),
        SAFE_NPMRC.replace("NPM_TOKEN", "NPM_TOKEN_2"),
        "the work tree keeps the literal"
    );
    let out = repo.tool(&["scan", "--history", "--fix", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(2), "history cannot be rewritten");
}

#[test]
fn fix_on_a_terminal_can_move_the_line_to_the_user_config() {
    let repo = TestRepo::new();
    let t = npm_token(1014);
    repo.write(".npmrc", &literal_npmrc(&t));
    let user = repo.dir.path().join("user.npmrc");
    let bin = env!("CARGO_BIN_EXE_npmrc-guard");
    let cmd = format!("'{bin}' fix");
    let Some(out) = on_a_terminal(&repo, &cmd, "y\n2\n", &[("NPM_CONFIG_USERCONFIG", &user)])
    else {
        return;
    };
    let screen = text(&out.stdout);
    assert!(!screen.contains(&t), "the terminal showed the token");
    assert_eq!(
        fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        "registry=https://registry.npmjs.org/\n",
        "{screen}"
    );
    assert_eq!(
        fs::read_to_string(&user).expect("user config"),
        format!("//registry.npmjs.org/:_authToken={t}\n")
    );
}

/// Values a `${VAR}` rewrite cannot keep as npm reads them: npm does not
/// expand `${…}` in a `key[]=` list, and `abc${X}def` would lose `X`. The
/// fix leaves them, says why, and exits 1; the secret is not shown.
#[test]
fn values_a_rewrite_would_change_are_left_to_the_user() {
    let t = npm_token(1051);
    for (content, why) in [
        (
            format!("//r.example/:_password[]={t}\n"),
            "does not expand ${…} in a `key[]=` list",
        ),
        (
            format!("//r.example/:_authToken=a{t}${{X}}b\n"),
            "mixes ${…} with literal text",
        ),
        (
            "//r.example/:_password=s3cr3t-${X}-passw0rd\n".to_string(),
            "mixes ${…} with literal text",
        ),
        // `key=` and `key[]=` of one key make one list (found by review).
        (
            format!("//r.example/:_authToken={t}\n//r.example/:_authToken[]=x\n"),
            "merges this key's",
        ),
        (
            format!("registry[]=https://r.example/\nregistry=https://u:{t}@r.example/\n"),
            "merges this key's",
        ),
    ] {
        let dir = npmrc_dir(content.as_bytes());
        let out = npmrc_guard(dir.path())
            .args(["fix", "--discard-secrets"])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{content}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains(why),
            "{content}: {}",
            text(&out.stdout)
        );
        assert_no_secret(&out, &[t.clone(), "s3cr3t".to_string()]);
        assert_eq!(
            fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
            content
        );
    }
}

/// A token with literal text beside it (found by the `fix` fuzz target): npm
/// sends the whole value, so the fix rewrites and stores the whole value.
#[test]
fn a_token_with_text_beside_it_is_fixed_whole() {
    let t = npm_token(1052);
    let content = format!("ca[]=x\nca[] = \"y\"\n//r.example/:_password={t}%7Z3\n");
    let dir = npmrc_dir(content.as_bytes());
    let store = tempfile::tempdir().expect("tempdir");
    let env = store.path().join("secrets.env");
    let out = npmrc_guard(dir.path())
        .args(["fix", "--save-env"])
        .arg(&env)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        "ca[]=x\nca[] = \"y\"\n//r.example/:_password=${NPM_PASSWORD}\n"
    );
    assert_eq!(
        fs::read_to_string(&env).expect("env"),
        format!("NPM_PASSWORD='{t}%7Z3'\n")
    );
}

/// A URL password that also occurs earlier in the URL (`ttps` in `https`)
/// is rewritten where the URL holds it (found by review: the first
/// occurrence was rewritten, the scheme broke and the password stayed).
#[test]
fn a_url_password_is_rewritten_where_the_url_holds_it() {
    for (content, fixed) in [
        (
            "registry=https://u:ttps@h.example/\n",
            "registry=https://u:${NPM_PASSWORD}@h.example/\n",
        ),
        (
            "registry=https://u:p@h.example/\n",
            "registry=https://u:${NPM_PASSWORD}@h.example/\n",
        ),
    ] {
        let dir = npmrc_dir(content.as_bytes());
        let store = tempfile::tempdir().expect("tempdir");
        let env = store.path().join("s.env");
        let out = npmrc_guard(dir.path())
            .args(["fix", "--save-env"])
            .arg(&env)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{content}: {}",
            text(&out.stderr)
        );
        assert_eq!(
            fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
            fixed
        );
    }
}

/// The same password again in the URL's path (found by the `fix` fuzz
/// target): the userinfo's copy is the one rewritten.
#[test]
fn a_url_password_repeated_in_the_path_is_rewritten_in_the_userinfo() {
    let content = "registry=https://u:s3cr3t-pw@r.example/x=https://u:s3cr3t-pw@r.example/npm/\n";
    let dir = npmrc_dir(content.as_bytes());
    let out = npmrc_guard(dir.path())
        .args(["fix", "--discard-secrets"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
        "registry=https://u:${NPM_PASSWORD}@r.example/x=https://u:s3cr3t-pw@r.example/npm/\n"
    );
}

/// `--var` takes a name npm reads as a variable's; a secret typed there is
/// refused (exit 2) without being shown, and the file is left as it was.
#[test]
fn a_var_that_is_no_name_is_refused_unseen() {
    let t = npm_token(1041);
    let dir = npmrc_dir(literal_npmrc(&t).as_bytes());
    let u = npm_token(1042);
    // ... nor a name a shell or npm reads as a setting (review 4, #2).
    for bad in [
        u.as_str(),
        "TOKEN_aB3xQ9zK2mP7wL4v",
        "NPM-TOKEN",
        "1TOKEN",
        "PROMPT_COMMAND",
        "npm_config_registry",
        "HTTPS_PROXY",
        "NODE_OPTIONS",
    ] {
        let out = npmrc_guard(dir.path())
            .args(["fix", "--discard-secrets", "--var", bad])
            .output()
            .expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("a variable name is letters"), "{bad}: {err}");
        // (The rule itself names the settings it keeps out.)
        assert!(!err.contains(bad) || bad.len() < 20, "{bad} shown: {err}");
        assert_eq!(
            fs::read_to_string(dir.path().join(".npmrc")).expect("read"),
            literal_npmrc(&t)
        );
    }
    let out = npmrc_guard(dir.path())
        .args(["fix", "--discard-secrets", "--var", "CORP_TOKEN"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("`export CORP_TOKEN=…`"),
        "{}",
        text(&out.stderr)
    );
}

/// `fix --staged` with only what it cannot rewrite (a token in a comment)
/// says so and names each one, masked, with exit 1: never a bare "nothing
/// to fix" beside a failing hook.
#[test]
fn staged_fix_names_what_it_cannot_rewrite() {
    let repo = TestRepo::new();
    repo.commit_setup("init");
    let t = npm_token(1043);
    let npmrc = format!("# {t}\n");
    repo.write(".npmrc", &npmrc);
    repo.git(&["add", ".npmrc"]);
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nothing this tool can rewrite"), "{err}");
    assert!(
        err.contains(".npmrc:1:3 error[npm-token] still there: npm_"),
        "{err}"
    );
    assert!(!err.contains(&t), "{err}");
    assert_eq!(repo.git(&["show", ":.npmrc"]), npmrc);
}

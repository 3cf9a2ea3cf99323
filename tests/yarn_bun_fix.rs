//! `fix` rewrites yarn 2+'s `.yarnrc.yml` and bun's `bunfig.toml` in each
//! file's own syntax (issue 15): only the secret's bytes change, to the
//! reference that tool expands (`${NAME}` for yarn, `$NAME` for bun);
//! comments, quoting, indentation and order stay. The secrets go to the same stores
//! as for `.npmrc`, names never collide with the ones the file already
//! references, and what the tool would not expand is left to the user.

mod common;

use common::{assert_no_secret, github_token, npm_token, text, TestRepo};

fn yarnrc(ghp: &str) -> String {
    format!(
        "# yarn 2+\nnpmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n    npmAuthToken: \"{ghp}\"\n\
         npmRegistries:\n  \"https://r.example\":\n    npmAuthIdent: 'alice:Summer2024!'\n\
         npmRegistryServer: https://deploy:hunter2pass@r.example/npm/\n\
         npmAuthToken: ${{NPM_TOKEN:-${{FALLBACK-}}}}\n"
    )
}

fn bunfig(npm: &str) -> String {
    format!(
        "# bun\n[install]\nregistry = \"https://registry.npmjs.org/\"\n\n[install.scopes]\n\
         \"@corp\" = {{ token = \"{npm}\", url = \"https://registry.corp.example/\" }}\n\
         \"@other\" = \"https://alice:Summer2024!@registry.other.example/\"\n\
         \"@safe\" = {{ token = \"$NPM_TOKEN\", url = \"https://registry.corp.example/\" }}\n\
         [install.scopes.lit]\nurl = 'https://r.lit.example/'\npassword = 'pa55-word-x'   # literal string\n"
    )
}

fn read(repo: &TestRepo, path: &str) -> String {
    std::fs::read_to_string(repo.root.join(path)).expect("read")
}

#[test]
fn yarnrc_yml_is_fixed_in_yaml() {
    let ghp = github_token("ghp", 161);
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env.local\n");
    repo.write(".yarnrc.yml", &yarnrc(&ghp));
    let out = repo.tool(&["fix", "--save-env", ".env.local", ".yarnrc.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let secrets = [ghp.clone(), "Summer2024!".into(), "hunter2pass".into()];
    assert_no_secret(&out, &secrets);
    // `NPM_TOKEN` is the fallback line's variable: the secrets get others.
    assert_eq!(
        read(&repo, ".yarnrc.yml"),
        "# yarn 2+\nnpmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n    npmAuthToken: \"${NPM_TOKEN_2}\"\n\
         npmRegistries:\n  \"https://r.example\":\n    npmAuthIdent: '${NPM_AUTH}'\n\
         npmRegistryServer: https://deploy:${NPM_PASSWORD}@r.example/npm/\n\
         npmAuthToken: ${NPM_TOKEN:-${FALLBACK-}}\n"
    );
    assert_eq!(
        read(&repo, ".env.local"),
        format!("NPM_TOKEN_2='{ghp}'\nNPM_AUTH='alice:Summer2024!'\nNPM_PASSWORD='hunter2pass'\n")
    );
    let check = repo.tool(&["check", ".yarnrc.yml"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
}

#[test]
fn bunfig_toml_is_fixed_to_what_bun_expands() {
    let npm = npm_token(163);
    let repo = TestRepo::new();
    repo.write("bunfig.toml", &bunfig(&npm));
    let out = repo.tool(&["fix", "--discard-secrets", "bunfig.toml"]);
    // A URL's credentials stay: bun expands no variable inside a URL.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("url-credentials"), "{all}");
    assert!(
        all.contains("replace the secret by a variable reference by hand"),
        "{all}"
    );
    // Named as bun spells them, as written.
    assert!(
        all.contains("→ $NPM_TOKEN_2, $NPM_PASSWORD")
            || all.contains("→ $NPM_PASSWORD, $NPM_TOKEN_2"),
        "{all}"
    );
    assert_no_secret(&out, &[npm.clone(), "pa55-word-x".into()]);
    assert_eq!(
        read(&repo, "bunfig.toml"),
        bunfig("$NPM_TOKEN_2").replace("'pa55-word-x'", "'$NPM_PASSWORD'")
    );
}

/// yarn 4's reading of the settings a move touches, with HOME at `home`.
fn yarn_settings(
    tools: &std::path::Path,
    dir: &std::path::Path,
    home: &std::path::Path,
) -> Vec<serde_json::Value> {
    ["npmRegistries", "npmScopes", "npmAuthToken", "npmAuthIdent"]
        .iter()
        .map(|k| common::npm::yarn_config_get(tools, dir, home, k, &[("MINE", "MARKER")]))
        .collect()
}

/// `--move-to-user-config` takes a registry's credentials out of the
/// project's `.yarnrc.yml` and into `~/.yarnrc.yml` at the same keys, next
/// to what the user file already holds: yarn 4 resolves every setting the
/// same before and after (`config get --json --no-redacted`, HOME a temp
/// folder), and the project file keeps the rest, comments included.
#[test]
fn move_to_user_config_moves_a_registrys_credentials_to_the_users_yarnrc() {
    let (a, b) = (npm_token(172), npm_token(173));
    let tools = common::npm::installed_once("yarn", common::npm::YARN4);
    let repo = TestRepo::new();
    repo.write("package.json", "{\"name\":\"p\"}\n");
    let project = format!(
        "# the team's registries\nnpmRegistryServer: \"https://r.example/\"\nnpmRegistries:\n  \"https://r.example\":\n    npmAuthToken: \"{a}\"  # prod\n  //s.example:\n    npmAlwaysAuth: true\n    npmAuthIdent: 'alice:Summer2024!'\n\
         npmScopes:\n  corp:\n    npmRegistryServer: https://s.example\n"
    );
    repo.write(".yarnrc.yml", &project);
    let home = repo.dir.path();
    let mine = format!("# mine\nenableTelemetry: false\nnpmRegistries:\n  //mine.example:\n    npmAuthToken: \"${{MINE}}\"\n  //other.example:\n    npmAuthToken: {b}\n");
    std::fs::write(home.join(".yarnrc.yml"), &mine).expect("write");
    let before = tools.as_ref().map(|t| yarn_settings(t, &repo.root, home));

    let out = repo.tool(&["fix", "--move-to-user-config", ".yarnrc.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, &[a.clone(), b.clone(), "Summer2024!".into()]);
    assert!(
        text(&out.stderr).contains("moved 2 yarn settings to"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        read(&repo, ".yarnrc.yml"),
        "# the team's registries\nnpmRegistryServer: \"https://r.example/\"\nnpmRegistries:\n  //s.example:\n    npmAlwaysAuth: true\n\
         npmScopes:\n  corp:\n    npmRegistryServer: https://s.example\n"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(".yarnrc.yml")).expect("read"),
        format!("{mine}  \"https://r.example\":\n    \"npmAuthToken\": \"{a}\"\n  \"//s.example\":\n    \"npmAuthIdent\": \"alice:Summer2024!\"\n")
    );
    let check = repo.tool(&["check", ".yarnrc.yml"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    if let (Some(tools), Some(before)) = (&tools, before) {
        assert_eq!(yarn_settings(tools, &repo.root, home), before);
    }
    // Again: nothing left to move.
    let again = repo.tool(&["fix", "--move-to-user-config", ".yarnrc.yml"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));

    // A user file that did not exist is created with mode 0600.
    let repo = TestRepo::new();
    repo.write(
        ".yarnrc.yml",
        &format!("npmRegistries:\n  //r.example:\n    npmAuthToken: {a}\n"),
    );
    let out = repo.tool(&["fix", "--move-to-user-config", ".yarnrc.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&repo, ".yarnrc.yml"), "");
    let user = repo.dir.path().join(".yarnrc.yml");
    assert_eq!(
        std::fs::read_to_string(&user).expect("read"),
        format!("\"npmRegistries\":\n  \"//r.example\":\n    \"npmAuthToken\": \"{a}\"\n")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&user).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// What cannot move without changing what yarn sends, or where it sends it,
/// is refused with exit 2, nothing written; bun's file is not moved.
#[test]
fn move_to_user_config_refuses_what_it_cannot_move_alike() {
    let npm = npm_token(164);
    let registry = format!("npmRegistries:\n  //r.example:\n    npmAuthToken: {npm}\n");
    let cases: Vec<(&str, String, Option<String>, &str)> = vec![
        (
            "a top-level token",
            format!("npmAuthToken: {npm}\n"),
            None,
            "default registry of every project",
        ),
        (
            "a scope's token",
            format!("npmScopes:\n  corp:\n    npmAuthToken: {npm}\n"),
            None,
            "that scope's packages in every project",
        ),
        (
            "a URL's credentials",
            "npmRegistryServer: https://u:Summer2024!@r.example/\n".into(),
            None,
            "a URL keeps its credentials",
        ),
        (
            "a flow mapping",
            format!("npmRegistries:\n  //r.example: {{npmAuthToken: {npm}}}\n"),
            None,
            "stand alone on its line",
        ),
        (
            "the user file sets it otherwise",
            registry.clone(),
            Some("npmRegistries:\n  //r.example:\n    npmAuthToken: other-token-1234\n".into()),
            "already sets npmRegistries.//r.example.npmAuthToken to another value",
        ),
        (
            "the user file does not parse",
            registry.clone(),
            Some("npmRegistries: [\n".into()),
            "not YAML yarn reads",
        ),
        (
            "the user file's mapping is a flow one",
            registry.clone(),
            Some("npmRegistries: {//x: {npmAlwaysAuth: true}}\n".into()),
            "cannot add npmRegistries.//r.example.npmAuthToken",
        ),
    ];
    let mut failures = Vec::new();
    for (what, project, user, says) in &cases {
        let repo = TestRepo::new();
        repo.write(".yarnrc.yml", project);
        let home = repo.dir.path().join(".yarnrc.yml");
        if let Some(user) = user {
            std::fs::write(&home, user).expect("write");
        }
        let out = repo.tool(&["fix", "--move-to-user-config", ".yarnrc.yml"]);
        assert_no_secret(&out, &[npm.clone(), "Summer2024!".into()]);
        let err = text(&out.stderr);
        let home_now = std::fs::read_to_string(&home).ok();
        if out.status.code() != Some(2)
            || !err.contains(says)
            || read(&repo, ".yarnrc.yml") != *project
            || home_now != *user
        {
            failures.push(format!("{what}: exit {:?}: {err}", out.status.code()));
        }
    }
    // Another rc file yarn reads between the two would win after the move.
    let repo = TestRepo::new();
    repo.write("app/.yarnrc.yml", &registry);
    repo.write(
        ".yarnrc.yml",
        "npmRegistries:\n  //r.example:\n    npmAuthToken: \"${T}\"\n",
    );
    let out = repo.tool(&["fix", "--move-to-user-config", "app/.yarnrc.yml"]);
    let err = text(&out.stderr);
    if out.status.code() != Some(2) || !err.contains("yarn also reads") {
        failures.push(format!(
            "a parent's rc file: exit {:?}: {err}",
            out.status.code()
        ));
    }
    assert_eq!(read(&repo, "app/.yarnrc.yml"), registry);
    // YARN_RC_FILENAME names the files yarn reads in projects.
    let repo = TestRepo::new();
    repo.write(".yarnrc.yml", &registry);
    let out = common::npmrc_guard(&repo.root)
        .env("YARN_RC_FILENAME", ".yarnrc-ci.yml")
        .args(["fix", "--move-to-user-config", ".yarnrc.yml"])
        .output()
        .expect("runs");
    let err = text(&out.stderr);
    if out.status.code() != Some(2) || !err.contains("YARN_RC_FILENAME is set") {
        failures.push(format!(
            "YARN_RC_FILENAME: exit {:?}: {err}",
            out.status.code()
        ));
    }
    assert_eq!(read(&repo, ".yarnrc.yml"), registry);
    // A user file git would publish, and the user file itself.
    for (home, says) in [
        ("home", "not ignored by git"),
        ("", "this is the user's yarn config"),
    ] {
        let repo = TestRepo::new();
        repo.write(".yarnrc.yml", &registry);
        std::fs::create_dir_all(repo.root.join(home)).expect("mkdir");
        let out = common::npmrc_guard(&repo.root)
            .env("HOME", repo.root.join(home))
            .args(["fix", "--move-to-user-config", ".yarnrc.yml"])
            .output()
            .expect("runs");
        let err = text(&out.stderr);
        if out.status.code() != Some(2) || !err.contains(says) {
            failures.push(format!(
                "HOME {home:?}: exit {:?}: {err}",
                out.status.code()
            ));
        }
        assert_eq!(read(&repo, ".yarnrc.yml"), registry);
        assert!(!repo.root.join("home/.yarnrc.yml").exists());
    }
    // bun: refused, naming what to use instead.
    let repo = TestRepo::new();
    let bun =
        format!("[install.scopes]\nx = {{ token = \"{npm}\", url = \"https://r.example/\" }}\n");
    repo.write("bunfig.toml", &bun);
    let out = repo.tool(&["fix", "--move-to-user-config", "bunfig.toml"]);
    let err = text(&out.stderr);
    if out.status.code() != Some(2) || !err.contains("choose --save-env or --discard-secrets") {
        failures.push(format!("bunfig.toml: exit {:?}: {err}", out.status.code()));
    }
    assert_eq!(read(&repo, "bunfig.toml"), bun);
    assert!(!repo.dir.path().join(".npmrc").exists());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn staged_files_are_fixed_in_the_index_and_the_work_tree() {
    let (a, b) = (npm_token(165), npm_token(166));
    let repo = TestRepo::new();
    repo.write(".yarnrc.yml", &format!("npmAuthToken: '{a}'\n"));
    repo.write(
        "pkg/bunfig.toml",
        &format!("[install.scopes]\nx = {{ token = \"{b}\" }}\n"),
    );
    repo.git(&["add", ".yarnrc.yml", "pkg/bunfig.toml"]);
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, &[a.clone(), b.clone()]);
    let yarn = "npmAuthToken: '${NPM_TOKEN}'\n";
    let bun = "[install.scopes]\nx = { token = \"$NPM_TOKEN_2\" }\n";
    assert_eq!(repo.git(&["show", ":.yarnrc.yml"]), yarn);
    assert_eq!(repo.git(&["show", ":pkg/bunfig.toml"]), bun);
    assert_eq!(read(&repo, ".yarnrc.yml"), yarn);
    assert_eq!(read(&repo, "pkg/bunfig.toml"), bun);
}

#[test]
fn what_the_tool_would_not_expand_is_left_to_the_user() {
    let npm = npm_token(167);
    let repo = TestRepo::new();
    // yarn: a fallback the variable-unset reading sends; bun: a token with
    // text beside it (bun expands only a whole `$NAME`) is fixed whole.
    let yarn = format!("npmAuthToken: ${{NPM_TOKEN:-{npm}}}\n");
    let bun =
        format!("[install]\nregistry = {{ url = \"https://r.example/\", token = \"x{npm}\" }}\n");
    repo.write(".yarnrc.yml", &yarn);
    repo.write("bunfig.toml", &bun);
    let out = repo.tool(&["fix", "--discard-secrets", ".yarnrc.yml", "bunfig.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_no_secret(&out, std::slice::from_ref(&npm));
    assert_eq!(read(&repo, ".yarnrc.yml"), yarn);
    assert_eq!(
        read(&repo, "bunfig.toml"),
        // (`NPM_TOKEN` is the variable the `.yarnrc.yml` names: not given.)
        "[install]\nregistry = { url = \"https://r.example/\", token = \"$NPM_TOKEN_2\" }\n"
    );
}

/// yarn 1 sends a `.yarnrc` registry URL's `user:password@` (but no token
/// from `.yarnrc`) and expands nothing there (tests/registry_yarn_bun.rs
/// shows both through Verdaccio): reported with what to do instead, and
/// `fix` refuses (exit 2), nothing written.
#[test]
fn yarn1_yarnrc_registry_credentials_are_reported_and_fix_refuses() {
    let npm = npm_token(168);
    let repo = TestRepo::new();
    let yarnrc = format!(
        "# yarn 1\n\"@corp:registry\" \"https://alice:Summer2024!@r.example/\"\n\
         \"//r.example/:_authToken\" \"{npm}\"\nlastUpdateCheck 1700000000000\n"
    );
    repo.write("app/.yarnrc", &yarnrc);
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(String, u64, u64, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("app/.yarnrc".into(), 2, 33, "url-credentials".into()),
            ("app/.yarnrc".into(), 3, 28, "npm-token".into()),
        ]
    );
    assert_no_secret(&out, &[npm.clone(), "Summer2024!".into()]);
    let advice = "put the credential in .npmrc as `//host/:_authToken=${NAME}`";
    let human = text(&repo.tool(&["check", "app/.yarnrc"]).stdout);
    assert_eq!(human.matches(advice).count(), 2, "{human}");
    for how in ["--discard-secrets", "--move-to-user-config"] {
        let out = repo.tool(&["fix", how, "app/.yarnrc"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("app/.yarnrc:2: yarn 1 expands no variable in .yarnrc")
                && err.contains(advice),
            "{err}"
        );
        assert_no_secret(&out, &[npm.clone(), "Summer2024!".into()]);
        assert_eq!(read(&repo, "app/.yarnrc"), yarnrc);
    }
    assert!(!repo.dir.path().join(".npmrc").exists());
}

/// yarn and bun open their files by name: on macOS and Windows that is
/// `.YARNRC.YML` or `BunFig.toml` too, so those are read and fixed alike.
#[test]
fn their_names_are_matched_ignoring_case() {
    let (a, b) = (npm_token(169), npm_token(170));
    let repo = TestRepo::new();
    repo.write(".YARNRC.YML", &format!("npmAuthToken: {a}\n"));
    repo.write(
        "x/BunFig.TOML",
        &format!("[install]\nregistry = {{ token = '{b}' }}\n"),
    );
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let all = text(&out.stdout);
    assert!(
        all.contains(".YARNRC.YML") && all.contains("x/BunFig.TOML"),
        "{all}"
    );
    let out = repo.tool(&["scan", "--fix", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(read(&repo, ".YARNRC.YML"), "npmAuthToken: ${NPM_TOKEN}\n");
    assert_eq!(
        read(&repo, "x/BunFig.TOML"),
        "[install]\nregistry = { token = '$NPM_TOKEN_2' }\n"
    );
}

/// A `.yarnrc.yml` holding the token `q` (as written: quoted or not) with
/// `c` after it, at the top level, under a registry, under a scope, and in
/// a flow mapping ending on the line and on the next; `flow_q` is what the
/// flow mappings hold.
fn every_place(q: &str, flow_q: &str, c: &str) -> String {
    format!(
        "npmAuthToken: {q}{c}\nnpmRegistries:\n  \"https://r.example\":\n    npmAuthToken: {q}{c}\n\
         npmScopes:\n  corp:\n    npmAuthToken: {q}{c}\n  flow: {{npmAuthToken: {flow_q}}}{c}\n\
         \x20 open: {{npmAuthToken: {flow_q}{c}\n    }}\n"
    )
}

/// What yarn 4 reads at each place of [`every_place`], with `env` set.
fn yarn_reads(tools: &std::path::Path, dir: &std::path::Path, env: &[(&str, &str)]) -> Vec<String> {
    let home = tempfile::tempdir().expect("tempdir");
    let get = |key| common::npm::yarn_config_get(tools, dir, home.path(), key, env);
    let (top, registries, scopes) = (get("npmAuthToken"), get("npmRegistries"), get("npmScopes"));
    [
        &top,
        &registries["https://r.example"]["npmAuthToken"],
        &scopes["corp"]["npmAuthToken"],
        &scopes["flow"]["npmAuthToken"],
        &scopes["open"]["npmAuthToken"],
    ]
    .iter()
    .map(|v| v.as_str().unwrap_or("(not a string)").to_string())
    .collect()
}

/// A quoted value followed by a comment was reported and not fixed
/// (saphyr's span of a quoted scalar runs on over the comment). Every
/// quoting style, with and without a comment, in every place, is fixed, and
/// yarn 4 reads the variable where it read the token.
#[test]
fn every_quoting_style_is_fixed_with_or_without_a_comment() {
    let tok = npm_token(171);
    let tools = common::npm::installed_once("yarn", common::npm::YARN4);
    let r = "${NPM_TOKEN}";
    let styles = [
        (
            "plain",
            tok.clone(),
            tok.clone(),
            r.to_string(),
            format!("'{r}'"),
        ),
        (
            "single",
            format!("'{tok}'"),
            format!("'{tok}'"),
            format!("'{r}'"),
            format!("'{r}'"),
        ),
        (
            "double",
            format!("\"{tok}\""),
            format!("\"{tok}\""),
            format!("\"{r}\""),
            format!("\"{r}\""),
        ),
    ];
    let mut failures = Vec::new();
    for (style, q, flow_q, fixed_q, fixed_flow_q) in &styles {
        for c in ["", "  # prod", " #", "\t# \"quoted\" 'comment'"] {
            let what = format!("{style} {c:?}");
            let repo = TestRepo::new();
            repo.write("package.json", "{\"name\":\"p\"}\n");
            let file = every_place(q, flow_q, c);
            repo.write(".yarnrc.yml", &file);
            if let Some(tools) = &tools {
                let read = yarn_reads(tools, &repo.root, &[]);
                assert_eq!(read, vec![tok.clone(); 5], "yarn reads {what} before");
            }
            let out = repo.tool(&["fix", "--discard-secrets", ".yarnrc.yml"]);
            assert_no_secret(&out, std::slice::from_ref(&tok));
            let got = read(&repo, ".yarnrc.yml");
            if out.status.code() != Some(0) || got != every_place(fixed_q, fixed_flow_q, c) {
                failures.push(format!(
                    "{what}: exit {:?}\n{}\n{got}",
                    out.status.code(),
                    text(&out.stderr)
                ));
                continue;
            }
            let check = repo.tool(&["check", ".yarnrc.yml"]);
            assert_eq!(
                check.status.code(),
                Some(0),
                "{what}: {}",
                text(&check.stdout)
            );
            if let Some(tools) = &tools {
                let read = yarn_reads(tools, &repo.root, &[("NPM_TOKEN", "MARKER")]);
                assert_eq!(
                    read,
                    vec!["MARKER".to_string(); 5],
                    "yarn reads {what} after"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `fix --staged --move-to-user-config` with a staged `.npmrc` and
/// `.yarnrc.yml`: the index and the work tree lose both credentials, the
/// npm one goes to `~/.npmrc`, the yarn one to `~/.yarnrc.yml` (created
/// with mode 0600), each once.
#[test]
fn staged_move_sends_each_credential_to_its_tools_user_config() {
    let (a, b) = (npm_token(174), npm_token(175));
    let repo = TestRepo::new();
    repo.write(".npmrc", &format!("//r.example/:_authToken={a}\n"));
    repo.write(
        "web/.yarnrc.yml",
        &format!("nodeLinker: pnp\nnpmRegistries:\n  //r.example:\n    npmAuthToken: {b}\n"),
    );
    repo.git(&["add", ".npmrc", "web/.yarnrc.yml"]);
    let out = repo.tool(&["fix", "--staged", "--move-to-user-config"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_secret(&out, &[a.clone(), b.clone()]);
    for path in [".npmrc", "web/.yarnrc.yml"] {
        let staged = repo.git(&["show", &format!(":{path}")]);
        assert_eq!(staged, read(&repo, path), "{path}");
    }
    assert_eq!(read(&repo, ".npmrc"), "");
    assert_eq!(read(&repo, "web/.yarnrc.yml"), "nodeLinker: pnp\n");
    let home = repo.dir.path();
    assert_eq!(
        std::fs::read_to_string(home.join(".npmrc")).expect("read"),
        format!("//r.example/:_authToken={a}\n")
    );
    assert_eq!(
        std::fs::read_to_string(home.join(".yarnrc.yml")).expect("read"),
        format!("\"npmRegistries\":\n  \"//r.example\":\n    \"npmAuthToken\": \"{b}\"\n")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(home.join(".yarnrc.yml"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

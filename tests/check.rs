//! `npmrc-guard check`: every rule, placeholder and exit status, through the
//! real binary.

mod common;

use std::fs;

use common::*;
use serde_json::Value;

struct Run {
    status: i32,
    json: Value,
}

fn check_bytes(content: &[u8]) -> Run {
    let dir = npmrc_dir(content);
    let out = npmrc_guard(dir.path())
        .args(["check", "--format", "json", ".npmrc"])
        .output()
        .expect("runs");
    // Findings go to standard output; a readable file leaves stderr empty.
    assert_eq!(text(&out.stderr), "");
    Run {
        status: out.status.code().expect("exit code"),
        json: serde_json::from_slice(&out.stdout).expect("stdout is JSON"),
    }
}

fn check(content: &str) -> Run {
    check_bytes(content.as_bytes())
}

fn rules(run: &Run) -> Vec<String> {
    run.json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

fn only(run: &Run) -> &Value {
    let f = run.json["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    &f[0]
}

#[test]
fn npm_token_in_credential() {
    let t = npm_token(1);
    let run = check(&format!(
        "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={t}\n"
    ));
    assert_eq!(run.status, 1);
    let f = only(&run);
    assert_eq!(f["rule"], "npm-token");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 34);
    assert_eq!(f["key"], "//registry.npmjs.org/:_authToken");
    assert_eq!(f["secret"], format!("npm_…{}", &t[38..]));
    assert_eq!(f["fix"], "${NPM_TOKEN}");
    assert_eq!(f["commit"], Value::Null);
    assert_eq!(f["path"], ".npmrc");
    assert_eq!(run.json["scanned"]["files"], 1);
    assert_eq!(run.json["version"], 1);
}

#[test]
fn token_with_bad_checksum_counts_in_a_credential_only() {
    let bad = break_checksum(&npm_token(2));
    let run = check(&format!("//r.example/:_authToken={bad}\n"));
    assert_eq!(rules(&run), ["npm-token"]);
    let run = check(&format!("; example: {bad}\n"));
    assert_eq!(run.status, 0);
    assert!(rules(&run).is_empty());
}

#[test]
fn valid_token_in_a_comment_or_other_key() {
    let t = github_token("ghp", 3);
    let run = check(&format!("# old token {t}\n"));
    assert_eq!(run.status, 1);
    let f = only(&run);
    assert_eq!(f["rule"], "github-token");
    assert_eq!(f["key"], Value::Null);
    assert_eq!(f["fix"], Value::Null);
    assert_eq!(f["column"], 13);
    let run = check(&format!("init-author-name={t}\n"));
    assert_eq!(only(&run)["key"], "init-author-name");
}

#[test]
fn github_token_kinds() {
    for prefix in ["ghp", "gho", "ghu", "ghs", "ghr"] {
        let t = github_token(prefix, 4);
        let run = check(&format!("//npm.pkg.github.com/:_authToken={t}\n"));
        assert_eq!(rules(&run), ["github-token"], "{prefix}");
    }
    let pat = github_pat(5);
    let run = check(&format!("//npm.pkg.github.com/:_authToken={pat}\n"));
    assert_eq!(rules(&run), ["github-token"]);
}

#[test]
fn gitlab_token_rule() {
    let t = gitlab_token(6);
    let run = check(&format!(
        "//gitlab.example.com/api/v4/projects/1/packages/npm/:_authToken={t}\n"
    ));
    assert_eq!(rules(&run), ["gitlab-token"]);
    assert_eq!(only(&run)["fix"], "${NPM_TOKEN}");
}

#[test]
fn auth_token_generic() {
    // A legacy npm token is a UUID.
    let run = check("//registry.npmjs.org/:_authToken=3f2c1a9e-6b7d-4e21-9a8f-0c5d7e9b1a24\n");
    let f = only(&run);
    assert_eq!(f["rule"], "auth-token");
    assert_eq!(f["secret"], "3f2c…24");
    assert_eq!(run.status, 1);
}

#[test]
fn basic_auth() {
    let run = check("//r.example/:_auth=dXNlcjpwYXNzd29yZA==\n//r.example/:_password=cGFzc3dvcmQxMjM=\n//r.example/:username=bob\n");
    assert_eq!(rules(&run), ["basic-auth", "basic-auth"]);
    let fixes: Vec<&str> = run.json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["fix"].as_str().expect("fix"))
        .collect();
    assert_eq!(
        fixes,
        ["${NPM_AUTH_R_EXAMPLE}", "${NPM_PASSWORD_R_EXAMPLE}"]
    );
}

#[test]
fn url_credentials() {
    let run = check("registry=https://deploy:s3cr3t-passw0rd@artifactory.example/api/npm/\n");
    let f = only(&run);
    assert_eq!(f["rule"], "url-credentials");
    assert_eq!(f["column"], 25);
    assert_eq!(f["fix"], "${NPM_PASSWORD}");
    let run = check("registry=https://deploy:${NPM_PASSWORD}@artifactory.example/\n");
    assert!(rules(&run).is_empty());
    let run = check("registry=https://user@artifactory.example/\n");
    assert!(rules(&run).is_empty());
}

#[test]
fn broken_interpolation_is_a_warning() {
    for v in [
        "$NPM_TOKEN",
        "$<NPM_TOKEN>",
        "${NPM_TOKEN",
        "%NPM_TOKEN%",
        "{{NPM_TOKEN}}",
    ] {
        let run = check(&format!("//r.example/:_authToken={v}\n"));
        assert_eq!(rules(&run), ["broken-interpolation"], "{v}");
        assert_eq!(only(&run)["severity"], "warning");
        assert_eq!(run.status, 0, "{v}: warnings do not fail");
    }
}

#[test]
fn unscoped_credential() {
    let run = check("_authToken=${NPM_TOKEN}\n");
    assert_eq!(rules(&run), ["unscoped-credential"]);
    assert_eq!(run.status, 0);
    // A literal that is also unscoped gets both findings.
    let run = check("_authToken=abcdef0123456789abcdef\n");
    assert_eq!(rules(&run), ["unscoped-credential", "auth-token"]);
    assert_eq!(run.status, 1);
}

#[test]
fn placeholders_are_not_secrets() {
    for v in [
        "",
        "${NPM_TOKEN}",
        "${NPM_TOKEN?}",
        "TOKEN",
        "YOUR_TOKEN",
        "<token>",
        "xxxxxxxx",
        "\"${NPM_TOKEN}\"",
        "'${NPM_TOKEN}'",
        "npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ] {
        let run = check(&format!("//registry.npmjs.org/:_authToken={v}\n"));
        assert_eq!(run.status, 0, "{v:?}");
        assert!(rules(&run).is_empty(), "{v:?}: {:?}", rules(&run));
    }
}

#[test]
fn allow_marker_exempts_the_next_line_only() {
    let t = npm_token(7);
    for marker in ["; npmrc-guard: allow", "# npmrc-guard: allow"] {
        let run = check(&format!(
            "{marker}\n//r.example/:_authToken={t}\n//s.example/:_authToken={t}\n"
        ));
        let f = only(&run);
        assert_eq!(f["line"], 3);
    }
}

#[test]
fn credentials_in_sections_are_leaks() {
    let run = check("[work]\n//r.example/:_authToken=abcdef0123456789abcdef\n");
    assert_eq!(rules(&run), ["auth-token"]);
}

#[test]
fn quoted_and_commented_values() {
    let t = npm_token(8);
    let run = check(&format!("//r.example/:_authToken = \"{t}\" ; old\n"));
    let f = only(&run);
    assert_eq!(f["rule"], "npm-token");
    assert_eq!(f["column"], 28);
    // npm reads `a=abc#def` as `abc`: what follows `#` is a comment.
    let run = check("//r.example/:_authToken=${NPM_TOKEN}#literal-after-comment\n");
    assert!(rules(&run).is_empty());
}

#[test]
fn line_ends_bom_and_columns() {
    let t = npm_token(9);
    let run = check(&format!("\u{feff}a=1\r\nb=2\r//r.example/:_authToken={t}"));
    let f = only(&run);
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 25);
}

#[test]
fn same_secret_same_variable_several_get_one_per_registry() {
    let a = npm_token(10);
    let b = github_token("ghp", 11);
    let run = check(&format!(
        "//registry.npmjs.org/:_authToken={a}\n//npm.pkg.github.com/:_authToken={b}\n//registry.npmjs.org/foo/:_authToken={a}\n"
    ));
    let fixes: Vec<&str> = run.json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["fix"].as_str().expect("fix"))
        .collect();
    assert_eq!(
        fixes,
        [
            "${NPM_TOKEN_REGISTRY_NPMJS_ORG}",
            "${NPM_TOKEN_NPM_PKG_GITHUB_COM}",
            "${NPM_TOKEN_REGISTRY_NPMJS_ORG}"
        ]
    );
}

#[test]
fn fingerprint_stable_per_rule_path_secret() {
    let t = npm_token(12);
    let a = check(&format!("//r.example/:_authToken={t}\n"));
    let b = check(&format!("\n\n//r.example/:_authToken = {t}\n"));
    assert_eq!(only(&a)["fingerprint"], only(&b)["fingerprint"]);
    let c = check(&format!("//r.example/:_authToken={}\n", npm_token(13)));
    assert_ne!(only(&a)["fingerprint"], only(&c)["fingerprint"]);
}

#[test]
fn hostile_bytes_do_not_crash() {
    let t = npm_token(14);
    let mut content = b"a=\xff\xfe\x00\x00\n".to_vec();
    content.extend_from_slice(format!("//r.example/:_authToken=\x00{t}\n").as_bytes());
    content.extend(std::iter::repeat_n(b'x', 1 << 20));
    content.extend_from_slice(format!("\n; {t}").as_bytes());
    let run = check_bytes(&content);
    assert_eq!(run.status, 1);
    assert_eq!(rules(&run), ["npm-token", "npm-token"]);
}

#[test]
fn clean_file_exits_zero() {
    let run = check("registry=https://registry.npmjs.org/\n@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\nalways-auth=true\n");
    assert_eq!(run.status, 0);
    assert!(rules(&run).is_empty());
}

#[test]
fn unreadable_inputs_exit_two_after_scanning_the_rest() {
    let t = npm_token(15);
    let dir = npmrc_dir(format!("//r.example/:_authToken={t}\n"));
    fs::create_dir(dir.path().join("adir")).expect("mkdir");
    let out = npmrc_guard(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "missing.npmrc",
            ".npmrc",
            "adir",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["findings"].as_array().expect("array").len(), 1);
    let err = text(&out.stderr);
    assert!(err.contains("error: missing.npmrc: no such file"), "{err}");
    assert!(err.contains("error: adir: is a directory"), "{err}");
}

#[test]
fn default_file_and_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = npmrc_guard(dir.path()).arg("check").output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "no ./.npmrc: cannot read, fail closed"
    );
    // The summary is no all-clear when an input could not be read.
    let said = text(&out.stdout);
    assert!(
        said.contains("but not everything could be read")
            && !said.starts_with("no literal credentials in 0 files\n"),
        "{said}"
    );
    let t = npm_token(16);
    let out = output_with_stdin(
        npmrc_guard(dir.path()).args(["check", "-"]),
        format!("//r.example/:_authToken={t}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("-:1:25 error[npm-token]"));
}

#[test]
fn bad_arguments_exit_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [&["check", "--format", "xml"][..], &["frobnicate"], &[]] {
        let out = npmrc_guard(dir.path()).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn human_format_says_what_to_do() {
    let t = npm_token(17);
    let dir = npmrc_dir(format!("//registry.npmjs.org/:_authToken={t}\n"));
    let out = npmrc_guard(dir.path())
        .args(["check", ".npmrc"])
        .output()
        .expect("runs");
    let expected = format!(
        ".npmrc:1:34 error[npm-token] npm access token in //registry.npmjs.org/:_authToken: npm_…{}\n  fix: replace it with ${{NPM_TOKEN}} and set NPM_TOKEN in your environment (npmrc-guard fix .npmrc)\n1 error in 1 file\n",
        &t[38..]
    );
    assert_eq!(text(&out.stdout), expected);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let dir = npmrc_dir("_authToken=${X}\n");
    let always = npmrc_guard(dir.path())
        .args(["check", "--color", "always"])
        .output()
        .expect("runs");
    assert!(text(&always.stdout).contains("\u{1b}["));
    let auto = npmrc_guard(dir.path())
        .args(["check"])
        .output()
        .expect("runs");
    assert!(
        !text(&auto.stdout).contains("\u{1b}["),
        "not a terminal: no colour"
    );
    let never = npmrc_guard(dir.path())
        .args(["check", "--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("runs");
    assert!(!text(&never.stdout).contains("\u{1b}["));
    let no_color = npmrc_guard(dir.path())
        .args(["check"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!text(&no_color.stdout).contains("\u{1b}["));
    let forced = npmrc_guard(dir.path())
        .args(["check"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("runs");
    assert!(text(&forced.stdout).contains("\u{1b}["));
}

#[test]
fn broken_pipe_is_not_an_error() {
    let mut content = String::new();
    for i in 0..20_000 {
        content.push_str(&format!("//r{i}.example/:_authToken=${{T}}x$NOPE\n"));
    }
    let dir = npmrc_dir(content);
    let mut tool = npmrc_guard(dir.path());
    let mut child = tool
        .args(["check", ".npmrc"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(text(&out.stderr), "");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
}

#[test]
fn force_exclude_skips_named_files_an_exclude_matches() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("vendor/x")).expect("mkdir");
    let t = npm_token(18);
    fs::write(
        dir.path().join("vendor/x/.npmrc"),
        format!("//r.example/:_authToken={t}\n"),
    )
    .expect("write");
    let args = ["check", "--exclude", "vendor/**", "vendor/x/.npmrc"];
    let out = npmrc_guard(dir.path()).args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "named files are checked without --force-exclude"
    );
    let out = npmrc_guard(dir.path())
        .args(args)
        .arg("--force-exclude")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let out = npmrc_guard(dir.path())
        .args([
            "check",
            "--exclude",
            "vendor/**",
            "--force-exclude",
            "./vendor/x/.npmrc",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
}

/// `check --project` (the pre-commit framework's hook) reads the configs
/// git tracks in every folder and what they name: a commit that changes
/// only a sub-project's `userconfig=` file matches no `files:` pattern
/// and is still checked (review 3, #15). Untracked configs are in no
/// commit and are not read.
#[test]
fn project_reads_tracked_configs_in_every_folder() {
    let repo = TestRepo::new();
    repo.write("app/.npmrc", "userconfig=conf/npmrc\n");
    repo.write("app/conf/npmrc", SAFE_NPMRC);
    repo.git(&["add", "."]);
    repo.commit_setup("sub-project");
    let t = npm_token(17);
    repo.write("app/conf/npmrc", &literal_npmrc(&t));
    let u = npm_token(18);
    repo.write("untracked/.npmrc", &literal_npmrc(&u));
    let out = repo.tool(&["check", "--force-exclude", "--project"]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("app/conf/npmrc:2:34 error[npm-token]"),
        "{said}"
    );
    assert!(!said.contains("untracked/"), "{said}");
    // From the sub-project's folder, as paths from there.
    let out = npmrc_guard(&repo.root.join("app"))
        .args(["check", "--project"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("conf/npmrc:2:34 error[npm-token]"));
}

/// A config a committed `.npmrc` (or `.env`) names that git ignores is
/// never committed: it is where a developer's token belongs, and `check`
/// (the published pre-commit hook runs `check --project`) leaves it alone
/// as `scan --staged` does; the same file, not ignored, is read (review
/// 6, #7).
#[test]
fn check_leaves_an_ignored_named_config_alone() {
    let repo = TestRepo::new();
    let t = npm_token(471);
    repo.write(".npmrc", "userconfig=.npmrc.local\n");
    repo.write(".env", "NPM_CONFIG_USERCONFIG=.npmrc.local\n");
    repo.write(".npmrc.local", &literal_npmrc(&t));
    repo.write(".gitignore", ".npmrc.local\n");
    for args in [
        &["check", ".npmrc"][..],
        &["check", ".env"],
        &["check", "--project"],
    ] {
        let out = repo.tool(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
    repo.write(".gitignore", "");
    let out = repo.tool(&["check", ".npmrc"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains(".npmrc.local:2:34 error[npm-token]"));
    assert_no_secret(&out, std::slice::from_ref(&t));
}

//! Holes an independent review found on 2026-11-29 (fourth session), each
//! closed and kept closed here: the reviewer's reproduction, reduced.

mod common;

use common::*;

/// `//alice:pw@host/:_authToken=…`: npm never matches such a key, but the
/// password is committed, and the key was printed whole in every format.
#[test]
fn a_key_never_shows_the_password_of_its_url() {
    let password = "Summer2024Secret".to_string();
    let dir = npmrc_dir(format!(
        "//alice:{password}@f.example/:_authToken=hunter2secretvalue\n\
         //bob:p/w{password}@g.example/:_authToken=hunter2secretvalue\n\
         //registry.example/@corp/:_authToken=hunter2secretvalue\n"
    ));
    for format in ["human", "json", "sarif", "github"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", format, ".npmrc"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_no_secret(&out, &[password.clone(), "hunter2secretvalue".into()]);
        let all = text(&out.stdout);
        assert!(all.contains("//…@f.example/:_authToken"), "{format}: {all}");
        // A scope in the path is not a user name.
        assert!(
            all.contains("//registry.example/@corp/:_authToken"),
            "{format}: {all}"
        );
    }
}

/// The human format printed a yarn scope name's newline raw (the next line
/// began `::warning::…`, a GitHub Actions workflow command, when the default
/// format runs in CI) and a secret's escape sequence raw (a terminal ran it;
/// the colour stripper ate it from the mask).
#[test]
fn the_human_format_prints_no_control_character_from_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmScopes:\n  \"corp\\n::warning::INJECTED\\u202e\":\n    npmAuthToken: hunter2secret\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join(".npmrc"),
        "//j.example/:_authToken=\u{1b}[2Jhunter2secret-long-enough\u{7}\n",
    )
    .expect("write");
    let ours = regex::Regex::new("\x1b\\[[0-9;]*m").expect("regex");
    for color in ["never", "always"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "--color", color, ".yarnrc.yml", ".npmrc"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let stdout = text(&out.stdout);
        for line in stdout.lines() {
            assert!(!line.starts_with("::"), "a workflow command line: {line:?}");
            assert!(!line.contains('\u{202e}'), "{line:?}");
            // Colour codes are ours (ESC followed by `[` and a colour);
            // the file's ESC, BEL and newline are shown escaped.
            let stripped = ours.replace_all(line, "");
            assert!(!stripped.contains(|c: char| c.is_control()), "{line:?}");
        }
        assert!(stdout.contains("\\u{1b}[2J"), "{stdout}");
        assert!(stdout.contains("corp\\n::warning::INJECTED"), "{stdout}");
    }
}

/// Run `scan --staged`, then commit and run `scan` and `scan --history`:
/// each must exit 1 and show no secret.
fn caught_everywhere(repo: &TestRepo, secret: &str, what: &str) {
    let staged = repo.tool(&["scan", "--staged"]);
    assert_eq!(
        staged.status.code(),
        Some(1),
        "{what}: scan --staged: {}",
        text(&staged.stdout)
    );
    assert_no_secret(&staged, &[secret.to_string()]);
    repo.commit_setup(what);
    for args in [&["scan"][..], &["scan", "--history"], &["check"]] {
        let out = repo.tool(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{what}: {args:?}: {}",
            text(&out.stdout)
        );
        assert_no_secret(&out, &[secret.to_string()]);
    }
}

/// npm reads `<prefix>/etc/npmrc` as its global config when a project
/// `.npmrc` sets `prefix=` (npm 11 warns and sends its token all the same,
/// seen with a capture server); a user config may name a global config;
/// `${PWD}/x` and `/proc/self/cwd/x` are `x` in the folder npm runs in.
#[test]
fn configs_npm_reads_through_prefix_chains_and_the_working_folder() {
    let token = npm_token(4101);
    let cred = format!("//registry.npmjs.org/:_authToken={token}\n");
    let cases: [(&str, &[(&str, String)]); 4] = [
        (
            "prefix",
            &[
                (".npmrc", "prefix=tools\n".into()),
                ("tools/etc/npmrc", cred.clone()),
            ],
        ),
        (
            "a user config names a global config",
            &[
                (".npmrc", "userconfig=a.ini\n".into()),
                ("a.ini", "globalconfig=b.ini\n".into()),
                ("b.ini", cred.clone()),
            ],
        ),
        (
            "${PWD}",
            &[
                (".npmrc", "userconfig=${PWD}/cfg\n".into()),
                ("cfg", cred.clone()),
            ],
        ),
        (
            "/proc/self/cwd",
            &[
                (".npmrc", "globalconfig=/proc/self/cwd/cfg\n".into()),
                ("cfg", cred.clone()),
            ],
        ),
    ];
    for (what, files) in cases {
        let repo = TestRepo::new();
        for (path, content) in files {
            repo.write(path, content);
        }
        repo.git(&["add", "-A"]);
        caught_everywhere(&repo, &token, what);
    }
}

/// Commit 1 brings a file holding a token that nothing names (the hook
/// passes it: npm reads nothing from it); commit 2 adds the `.npmrc` that
/// names it, unchanged: npm now sends its token, so that commit is blocked.
#[test]
fn a_staged_npmrc_makes_the_unchanged_file_it_names_count() {
    let token = npm_token(4102);
    let repo = TestRepo::new();
    repo.write(
        "ci/cfg",
        &format!("//registry.npmjs.org/:_authToken={token}\n"),
    );
    repo.git(&["add", "-A"]);
    let first = repo.tool(&["scan", "--staged"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stdout));
    repo.commit_setup("cfg");
    repo.write(".npmrc", "userconfig=ci/cfg\n");
    repo.git(&["add", ".npmrc"]);
    let second = repo.tool(&["scan", "--staged"]);
    assert_eq!(second.status.code(), Some(1), "{}", text(&second.stdout));
    assert!(
        text(&second.stdout).contains("ci/cfg:1:"),
        "{}",
        text(&second.stdout)
    );
    assert_no_secret(&second, std::slice::from_ref(&token));
    // The same through git's plumbing (a SHA-256 repository).
    let repo = TestRepo::with_format("sha256");
    repo.write(
        "ci/cfg",
        &format!("//registry.npmjs.org/:_authToken={token}\n"),
    );
    repo.git(&["add", "-A"]);
    repo.commit_setup("cfg");
    repo.write(".npmrc", "userconfig=ci/cfg\n");
    repo.git(&["add", ".npmrc"]);
    let plumbing = repo.tool(&["scan", "--staged"]);
    assert_eq!(
        plumbing.status.code(),
        Some(1),
        "{}",
        text(&plumbing.stdout)
    );
    assert_no_secret(&plumbing, &[token]);
}

/// `.npmrc -> dirlink/real` with `dirlink -> sub`: npm reads `sub/real`;
/// the hook and the history scan looked up `dirlink/real` whole and found
/// nothing ("not scanned, not followed").
#[test]
fn a_link_through_a_linked_folder_is_followed() {
    let token = npm_token(4103);
    let repo = TestRepo::new();
    repo.write(
        "sub/real",
        &format!("//registry.npmjs.org/:_authToken={token}\n"),
    );
    std::os::unix::fs::symlink("sub", repo.root.join("dirlink")).expect("link");
    std::os::unix::fs::symlink("dirlink/real", repo.root.join(".npmrc")).expect("link");
    repo.git(&["add", "-A"]);
    let staged = repo.tool(&["scan", "--staged"]);
    assert_eq!(staged.status.code(), Some(1), "{}", text(&staged.stderr));
    assert_no_secret(&staged, std::slice::from_ref(&token));
    repo.commit_setup("links");
    let history = repo.tool(&["scan", "--history"]);
    assert_eq!(history.status.code(), Some(1), "{}", text(&history.stderr));
    assert_no_secret(&history, &[token]);
}

/// A `.yarnrc.yml` that starts with `# yarn lockfile v1` is parsed by yarn
/// 4 in its legacy syntax (`parseSyml`'s `LEGACY_REGEXP`), where
/// `npmAuthToken "secret"` is a setting: yarn sent it (seen with a capture
/// server); the guard read the file as YAML, one string, and passed it.
#[test]
fn a_yarnrc_yml_in_yarns_legacy_syntax_is_read_as_yarn_reads_it() {
    let token = npm_token(4104);
    for header in [
        "# yarn lockfile v1\n",
        "# a team note\n#\tYARN  LockFile v1\r\n",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(".yarnrc.yml"),
            format!("{header}npmScopes:\n  corp:\n    npmAuthToken \"{token}\"\nnpmAuthIdent alice:Summer2024Secret-long-enough\n"),
        )
        .expect("write");
        let out = npmrc_guard(dir.path())
            .args(["check", ".yarnrc.yml"])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{header:?}: {}",
            text(&out.stdout)
        );
        assert_eq!(
            text(&out.stdout).matches("error[").count(),
            2,
            "{}",
            text(&out.stdout)
        );
        assert_no_secret(
            &out,
            &[token.clone(), "Summer2024Secret-long-enough".into()],
        );
    }
    // Not the header: a header after a setting, or `v1` followed by more.
    for text_ in [
        "npmAuthToken: \"${T}\"\n# yarn lockfile v1\n",
        "# yarn lockfile v12\nnpmAuthToken: \"${T}\"\n",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".yarnrc.yml"), text_).expect("write");
        let out = npmrc_guard(dir.path())
            .args(["check", ".yarnrc.yml"])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{text_:?}: {}",
            text(&out.stdout)
        );
    }
}

//! A `.npmrc` that is a symbolic link, with real git and `ln -s`: npm
//! follows it, so the token in its target is what npm sends. A target
//! inside the repository is read through (the work tree's file, the
//! index's blob, the commit's blob) and reported at the link, naming the
//! target; a target outside is never read; the fixer never writes through
//! the link.

mod common;

use std::fs;
use std::process::Output;

use common::*;

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

fn stdout(out: &Output) -> String {
    text(&out.stdout)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

/// `ln -s target link`, run in the work tree.
fn ln_s(repo: &TestRepo, target: &str, link: &str) {
    if let Some(dir) = std::path::Path::new(link).parent() {
        fs::create_dir_all(repo.root.join(dir)).expect("mkdir");
    }
    let out = repo
        .command("ln")
        .args(["-s", target, link])
        .output()
        .expect("ln runs");
    assert!(out.status.success(), "ln -s: {}", stderr(&out));
}

/// The paths of the findings of a JSON report.
fn paths(out: &Output) -> Vec<String> {
    json(out)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

#[test]
fn work_tree_link_inside_is_read_through_and_reported_at_the_link() {
    let repo = TestRepo::new();
    let t = npm_token(4001);
    // The target is not a `.npmrc`: only the link makes npm read it.
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "../config/npmrc.shared", "app/.npmrc");
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(paths(&out), ["app/.npmrc"]);
    assert!(
        stderr(&out).contains("app/.npmrc: a symbolic link to config/npmrc.shared"),
        "{}",
        stderr(&out)
    );
    assert_no_secret(&out, std::slice::from_ref(&t));
    // Human output names the target as the file to fix.
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("app/.npmrc:2:")
            && stdout(&out).contains("read through the symbolic link to config/npmrc.shared"),
        "{}",
        stdout(&out)
    );
    assert_no_secret(&out, std::slice::from_ref(&t));
}

#[test]
fn work_tree_links_that_leave_the_repository_dangle_or_loop_are_not_read() {
    let repo = TestRepo::new();
    let t = npm_token(4002);
    let outside = repo.dir.path().join("outside.npmrc");
    fs::write(&outside, literal_npmrc(&t)).expect("write");
    ln_s(&repo, outside.to_str().expect("utf-8"), "abs/.npmrc");
    ln_s(&repo, "../../outside.npmrc", "rel/.npmrc");
    ln_s(&repo, "../nowhere", "dangling/.npmrc");
    ln_s(&repo, ".npmrc", "self/.npmrc");
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    for link in ["abs", "rel", "dangling", "self"] {
        assert!(
            err.contains(&format!("{link}/.npmrc: a symbolic link ("))
                && err.contains("not followed"),
            "{link}: {err}"
        );
    }
    assert!(err.contains("outside the repository"), "{err}");
    assert_no_secret(&out, std::slice::from_ref(&t));
}

#[test]
fn staged_link_reads_the_targets_blob_from_the_index() {
    let repo = TestRepo::new();
    let t = npm_token(4003);
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "../config/npmrc.shared", "app/.npmrc");
    repo.git(&["add", "-A"]);
    // The work tree's copy is clean now; the index still holds the token.
    repo.write("config/npmrc.shared", SAFE_NPMRC);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(paths(&out), ["app/.npmrc"]);
    assert!(
        stderr(&out).contains("app/.npmrc: a symbolic link to config/npmrc.shared"),
        "{}",
        stderr(&out)
    );
    assert_no_secret(&out, std::slice::from_ref(&t));

    // The reverse: the token only in the work tree, the index clean.
    repo.git(&["add", "-A"]);
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    repo.git(&["checkout", "--", "config/npmrc.shared"]);

    // Committed, then only the target changes: the link still counts.
    repo.commit_setup("link");
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    repo.git(&["add", "config/npmrc.shared"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(paths(&out), ["app/.npmrc"]);
}

#[test]
fn staged_link_whose_target_is_not_staged_or_leaves_the_root_is_a_note() {
    let repo = TestRepo::new();
    let t = npm_token(4004);
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "../config/npmrc.shared", "app/.npmrc");
    ln_s(&repo, "../../../outside.npmrc", "up/.npmrc");
    fs::write(repo.dir.path().join("outside.npmrc"), literal_npmrc(&t)).expect("write");
    repo.git(&["add", "app/.npmrc", "up/.npmrc"]);
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "app/.npmrc: a symbolic link (its target config/npmrc.shared is not in the index)"
        ),
        "{err}"
    );
    assert!(
        err.contains("up/.npmrc: a symbolic link (its target is outside the repository)"),
        "{err}"
    );
    assert_no_secret(&out, std::slice::from_ref(&t));
}

#[test]
fn history_reads_the_target_at_each_commit() {
    let repo = TestRepo::new();
    let t = npm_token(4005);
    let u = npm_token(4006);
    repo.write("config/npmrc.shared", SAFE_NPMRC);
    ln_s(&repo, "../config/npmrc.shared", "app/.npmrc");
    repo.git(&["add", "-A"]);
    repo.commit_setup("clean link");
    // Only the target changes; the link and its folder stay the same.
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    repo.git(&["add", "-A"]);
    repo.commit_setup("token");
    let leak = repo.head().expect("head");
    repo.write("config/npmrc.shared", SAFE_NPMRC);
    repo.git(&["add", "-A"]);
    repo.commit_setup("clean again");
    // A link whose target is the token in the same commit.
    repo.write("other/npmrc.base", &literal_npmrc(&u));
    ln_s(&repo, "other/npmrc.base", ".npmrc");
    repo.git(&["add", "-A"]);
    repo.commit_setup("second link");
    let second = repo.head().expect("head");
    repo.git(&["rm", "-q", ".npmrc", "other/npmrc.base"]);
    repo.commit_setup("gone");

    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let mut found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["commit"].as_str().expect("commit").to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (".npmrc".to_string(), second),
            ("app/.npmrc".to_string(), leak)
        ]
    );
    let out = repo.tool(&["scan", "--history"]);
    assert!(
        stdout(&out).contains("read through the symbolic link to config/npmrc.shared"),
        "{}",
        stdout(&out)
    );
    assert_no_secret(&out, &[t, u]);
}

#[test]
fn fix_never_writes_through_a_link_and_says_to_fix_the_target() {
    let repo = TestRepo::new();
    let t = npm_token(4007);
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "../config/npmrc.shared", "app/.npmrc");
    repo.git(&["add", "-A"]);
    for args in [
        &["scan", "--fix", "--discard-secrets"][..],
        &["fix", "--staged", "--discard-secrets"][..],
    ] {
        let out = repo.tool(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains("fix config/npmrc.shared"), "{args:?}: {all}");
        assert_no_secret(&out, std::slice::from_ref(&t));
        let link = repo.root.join("app/.npmrc");
        assert!(fs::symlink_metadata(&link).expect("link").is_symlink());
        assert_eq!(
            fs::read_to_string(repo.root.join("config/npmrc.shared")).expect("read"),
            literal_npmrc(&t)
        );
        // The index still holds the link, not a file.
        let staged = repo.git(&["ls-files", "-s", "app/.npmrc"]);
        assert!(staged.starts_with("120000 "), "{staged}");
    }
}

#[test]
fn the_hook_blocks_a_commit_of_a_link_to_a_token_inside_the_repository() {
    let repo = TestRepo::new();
    let t = npm_token(4008);
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "config/npmrc.shared", ".npmrc");
    repo.git(&["add", "-A"]);
    let out = repo.git_out(&["commit", "-q", "-m", "link"]);
    assert!(!out.status.success(), "the commit went through");
    assert!(repo.head().is_none(), "a commit was made");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains(".npmrc"), "{all}");
    assert_no_secret(&out, std::slice::from_ref(&t));
    // Once the target holds a reference, the same link commits.
    repo.write("config/npmrc.shared", SAFE_NPMRC);
    repo.git(&["add", "-A"]);
    let out = repo.git_out(&["commit", "-q", "-m", "link"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn npm_reads_through_the_link_and_so_does_the_scan() {
    let Some(npm) = npm_root() else {
        assert!(
            !required(),
            "npm's @npmcli/config was not found (npm root -g)"
        );
        eprintln!("skipped: npm is not installed");
        return;
    };
    let repo = TestRepo::new();
    let t = npm_token(4009);
    repo.write("package.json", "{}\n");
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "config/npmrc.shared", ".npmrc");
    let jobs = serde_json::json!([{ "cwd": repo.root, "env": {} }]);
    let stdout = node_json(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm_config.js"),
        &npm,
        jobs.to_string().as_bytes(),
    );
    let theirs: serde_json::Value = serde_json::from_slice(&stdout).expect("node printed JSON");
    let sent = theirs[0]["credentials"]["https://registry.npmjs.org/"].to_string();
    // Not printed: the assertion says only whether npm would send it.
    assert!(sent.contains(&t), "npm does not read the link's target");
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(paths(&out), [".npmrc"]);
    assert_no_secret(&out, std::slice::from_ref(&t));
}

#[test]
fn a_staged_target_that_cannot_be_read_fails_the_run() {
    let repo = TestRepo::new();
    let t = npm_token(4010);
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    ln_s(&repo, "../config/npmrc.shared", "app/.npmrc");
    repo.git(&["add", "-A"]);
    // The target's blob goes missing from the object database.
    let id = repo.git(&["rev-parse", ":config/npmrc.shared"]);
    let id = id.trim();
    fs::remove_file(repo.root.join(".git/objects").join(&id[..2]).join(&id[2..]))
        .expect("remove the blob");
    for args in [
        &["scan", "--staged"][..],
        &["fix", "--staged", "--discard-secrets"][..],
    ] {
        let out = repo.tool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("app/.npmrc"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// `ln -s $PWD/config/npm.conf .npmrc`: an absolute target inside the work
/// tree, also named through a link to the root (the root as the file
/// system resolves it). npm's config loader reads the token through it;
/// `scan --staged` and `scan --history` called it "outside the repository"
/// and passed it (review of issue 10, finding 10). Both through libgit2
/// and through git's plumbing (a SHA-256 repository).
#[test]
fn an_absolute_link_into_the_work_tree_is_read_through() {
    let npm = npm_root();
    if npm.is_none() {
        assert!(
            !required(),
            "npm's @npmcli/config was not found (npm root -g)"
        );
        eprintln!("skipped (the npm half): npm is not installed");
    }
    for format in ["sha1", "sha256"] {
        let t = npm_token(4011);
        let repo = TestRepo::with_format(format);
        // `alias` leads to the work tree's root.
        std::os::unix::fs::symlink(&repo.root, repo.dir.path().join("alias")).expect("link");
        for (root, link) in [
            (repo.root.clone(), "app/.npmrc"),
            (repo.dir.path().join("alias"), ".npmrc"),
        ] {
            // npm reads the `.npmrc` beside the nearest `package.json`.
            repo.write(&link.replace(".npmrc", "package.json"), "{}\n");
            repo.write("config/npm.conf", &literal_npmrc(&t));
            let target = root.join("config/npm.conf");
            ln_s(&repo, target.to_str().expect("UTF-8"), link);
            if let Some(npm) = &npm {
                let cwd = repo.root.join(link).parent().expect("folder").to_path_buf();
                let jobs = serde_json::json!([{ "cwd": cwd, "env": {} }]);
                let stdout = node_json(
                    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm_config.js"),
                    npm,
                    jobs.to_string().as_bytes(),
                );
                let theirs: serde_json::Value =
                    serde_json::from_slice(&stdout).expect("node printed JSON");
                let sent = theirs[0]["credentials"]["https://registry.npmjs.org/"].to_string();
                // Not printed: the assertion says only whether npm sends it.
                assert!(sent.contains(&t), "{format} {link}: npm does not read it");
            }
            repo.git(&["add", "-A"]);
            let out = repo.tool(&["scan", "--staged", "--format", "json"]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{format} {link}: {}",
                stderr(&out)
            );
            assert_eq!(paths(&out), [link], "{format}");
            assert!(
                stderr(&out).contains(&format!("{link}: a symbolic link to config/npm.conf")),
                "{format}: {}",
                stderr(&out)
            );
            assert_no_secret(&out, std::slice::from_ref(&t));
            repo.commit_setup("absolute link");
            let out = repo.tool(&["scan", "--history", "--format", "json"]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{format} {link}: {}",
                stderr(&out)
            );
            assert!(paths(&out).contains(&link.to_string()), "{format}");
            assert_no_secret(&out, std::slice::from_ref(&t));
            repo.git(&["rm", "-q", "-r", "--cached", "."]);
            fs::remove_file(repo.root.join(link)).expect("rm link");
            repo.commit_setup("gone");
        }
        // An absolute target outside the work tree is still not read.
        let outside = repo.dir.path().join("outside.npmrc");
        fs::write(&outside, literal_npmrc(&t)).expect("write");
        ln_s(&repo, outside.to_str().expect("UTF-8"), ".npmrc");
        repo.git(&["add", ".npmrc"]);
        let out = repo.tool(&["scan", "--staged"]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(".npmrc: a symbolic link (its target is outside the repository)"),
            "{format}: {}",
            stderr(&out)
        );
    }
}

/// bun, for the `.env` spelling ([`named_through_a_linked_folder`]).
fn bun() -> Option<std::path::PathBuf> {
    let dir = npm::installed_once("bun", "@oven/bun-linux-x64@1.4.5")?;
    Some(dir.join("node_modules/@oven/bun-linux-x64/bin/bun"))
}

/// The `Authorization` headers `tool` (npm or bun) sent to the server
/// behind `rx` when run in `repo`'s root (the package does not exist).
fn sent_by(
    tool: &str,
    repo: &TestRepo,
    rx: &std::sync::mpsc::Receiver<Option<String>>,
) -> Option<Vec<String>> {
    while rx.try_recv().is_ok() {}
    let cache = tempfile::tempdir().expect("tempdir");
    let mut cmd = match tool {
        "bun" => {
            let mut cmd = repo.command(bun()?.to_str().expect("UTF-8"));
            cmd.args(["install", "--no-save", "--no-cache"])
                .env("BUN_INSTALL_CACHE_DIR", cache.path())
                .env("DO_NOT_TRACK", "1");
            cmd
        }
        _ => {
            if !npm::have("npm") {
                return None;
            }
            let mut cmd = repo.command("npm");
            cmd.args(["view", "somepkg", "--fetch-retries=0"]);
            cmd
        }
    };
    // The test's environment names a user config (in its temporary home):
    // the environment would win over the committed names.
    cmd.env_remove("NPM_CONFIG_USERCONFIG")
        .env_remove("npm_config_userconfig");
    npm::run(tool, &mut cmd, 60);
    Some(rx.try_iter().flatten().collect())
}

/// Review 6, #2: a config named through a committed symbolic link to a
/// folder (`lnk -> real`, named `lnk/npmrc`), by bun's `.env`
/// `NPM_CONFIG_USERCONFIG` and by npm's `.npmrc` `userconfig=`. Both
/// tools open `real/npmrc` and send its token; the guard reads it in
/// every mode (the index, the work tree, each commit's tree; libgit2 and
/// git's plumbing), also when a commit changes only `real/npmrc`.
#[test]
fn a_config_named_through_a_linked_folder_is_read_as_npm_and_bun_read_it() {
    let (port, rx) = capture::header_server("authorization");
    let t = npm_token(4031);
    let real = format!("registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken={t}\n");
    let safe = format!(
        "registry=http://127.0.0.1:{port}/\n//127.0.0.1:{port}/:_authToken=${{NPM_TOKEN}}\n"
    );
    let cases = [
        ("bun", ".env", "NPM_CONFIG_USERCONFIG=lnk/npmrc\n"),
        ("npm", ".npmrc", "userconfig=lnk/npmrc\n"),
    ];
    for (tool, file, names) in cases {
        for format in ["sha1", "sha256"] {
            let what = format!("{tool} {file} {format}");
            let repo = TestRepo::with_format(format);
            repo.write(
                "package.json",
                "{\"name\":\"p\",\"version\":\"1.0.0\",\"dependencies\":{\"somepkg\":\"1.0.0\"}}",
            );
            repo.write(file, names);
            repo.write("real/npmrc", &real);
            ln_s(&repo, "real", "lnk");
            if format == "sha1" {
                match sent_by(tool, &repo, &rx) {
                    // Not printed: the assertion says only whether it was sent.
                    Some(sent) => assert!(
                        sent.contains(&format!("Bearer {t}")),
                        "{what}: the tool does not send the token"
                    ),
                    None => eprintln!("skipped (the {tool} half): {tool} is not installed"),
                }
            }
            repo.git(&["add", "-A"]);
            for args in [
                &["scan", "--staged", "--format", "json"][..],
                &["scan", "--format", "json"],
            ] {
                let out = repo.tool(args);
                assert_eq!(
                    out.status.code(),
                    Some(1),
                    "{what} {args:?}: {}",
                    stderr(&out)
                );
                assert_eq!(paths(&out), ["real/npmrc"], "{what} {args:?}");
                assert_no_secret(&out, std::slice::from_ref(&t));
            }
            repo.commit_setup("all at once");
            let out = repo.tool(&["scan", "--history", "--format", "json"]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{what} history: {}",
                stderr(&out)
            );
            assert_eq!(paths(&out), ["real/npmrc"], "{what} history");
            assert_no_secret(&out, std::slice::from_ref(&t));
            // A commit that changes only the target, after one that made
            // it hold a reference.
            repo.write("real/npmrc", &safe);
            repo.git(&["add", "real/npmrc"]);
            let out = repo.tool(&["scan", "--staged"]);
            assert_eq!(out.status.code(), Some(0), "{what} safe: {}", stdout(&out));
            repo.commit_setup("reference");
            repo.write("real/npmrc", &real);
            repo.git(&["add", "real/npmrc"]);
            let out = repo.tool(&["scan", "--staged"]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{what} target alone: {}",
                stderr(&out)
            );
            assert_no_secret(&out, std::slice::from_ref(&t));
            repo.commit_setup("target alone");
            let out = repo.tool(&["scan", "--range", "HEAD~1..HEAD", "--format", "json"]);
            assert_eq!(out.status.code(), Some(1), "{what} range: {}", stderr(&out));
            assert_eq!(paths(&out), ["real/npmrc"], "{what} range");
            assert_no_secret(&out, std::slice::from_ref(&t));
        }
    }
}

/// A name whose linked folders loop (`a -> b`, `b -> a`) or leave the
/// repository leads to no file the repository holds: every mode ends at
/// once, passes, and says why on standard error.
#[test]
fn a_config_named_through_a_loop_or_outside_ends_with_a_note() {
    let t = npm_token(4032);
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::with_format(format);
        let outside = repo.dir.path().join("outside");
        fs::create_dir_all(&outside).expect("mkdir");
        fs::write(outside.join("npmrc"), literal_npmrc(&t)).expect("write");
        ln_s(&repo, "b", "a");
        ln_s(&repo, "a", "b");
        ln_s(&repo, outside.to_str().expect("UTF-8"), "out");
        repo.write(".env", "NPM_CONFIG_USERCONFIG=a/npmrc\n");
        repo.write(".npmrc", "userconfig=out/npmrc\n");
        repo.git(&["add", "-A"]);
        for (args, commit) in [
            (&["scan", "--staged"][..], false),
            (&["scan"], false),
            (&["scan", "--history"], true),
        ] {
            if commit {
                repo.commit_setup("loop");
            }
            let out = npm::run("npmrc-guard", &mut repo.tool_cmd(args), 30);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{format} {args:?}: {}",
                stdout(&out)
            );
            let err = stderr(&out);
            assert!(
                err.contains("a/npmrc: named as a config, through a symbolic link (too many levels of symbolic links); not read"),
                "{format} {args:?}: {err}"
            );
            assert!(
                err.contains("out/npmrc: named as a config, through a symbolic link (its target is outside the repository); not read"),
                "{format} {args:?}: {err}"
            );
            assert_no_secret(&out, std::slice::from_ref(&t));
        }
    }
}

/// A name through a chain of linked folders, one with a `..` target and
/// one a link to a link (`deep/up -> ../hop`, `hop -> real`): read where
/// the kernel would find it, in the index, the work tree and a commit.
#[test]
fn a_config_named_through_a_chain_of_linked_folders_is_read() {
    let t = npm_token(4033);
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::with_format(format);
        repo.write("real/u.rc", &literal_npmrc(&t));
        ln_s(&repo, "real", "hop");
        ln_s(&repo, "../hop", "deep/up");
        repo.write(".npmrc", "userconfig=deep/up/u.rc\n");
        repo.git(&["add", "-A"]);
        for args in [
            &["scan", "--staged", "--format", "json"][..],
            &["scan", "--format", "json"],
        ] {
            let out = repo.tool(args);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{format} {args:?}: {}",
                stderr(&out)
            );
            assert_eq!(paths(&out), ["real/u.rc"], "{format} {args:?}");
            assert_no_secret(&out, std::slice::from_ref(&t));
        }
        repo.commit_setup("chain");
        let out = repo.tool(&["scan", "--history", "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert_eq!(paths(&out), ["real/u.rc"], "{format} history");
        assert_no_secret(&out, std::slice::from_ref(&t));
    }
}

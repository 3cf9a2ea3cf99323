//! The files npm reads (SPEC.md, "Files read"), and reading that is never
//! slow or stuck: `.npmrc` in any ASCII case (work tree, index, history, with
//! real git), UTF-16 files with a byte-order mark, FIFOs and sockets refused
//! at once, and time linear in the input whatever its shape.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

/// (path, line, column, rule) of every finding.
fn found(out: &Output) -> Vec<(String, u64, u64, String)> {
    json(out)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

/// Run `cmd` (standard output to a file in `dir`) and kill it if it has not
/// ended within `limit`: a test of "never stuck" must not hang itself.
/// Returns the output, or `None` when it had to be killed.
fn run_within(mut cmd: Command, dir: &Path, limit: Duration) -> Option<(Output, Duration)> {
    let out_file = dir.join("stdout.txt");
    let err_file = dir.join("stderr.txt");
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_file).expect("stdout file"))
        .stderr(std::fs::File::create(&err_file).expect("stderr file"))
        .spawn()
        .expect("tool starts");
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let took = start.elapsed();
            let output = Output {
                status,
                stdout: std::fs::read(&out_file).expect("stdout"),
                stderr: std::fs::read(&err_file).expect("stderr"),
            };
            return Some((output, took));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The tool in `dir`, with `dir` as its HOME.
fn tool_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_npmrc-guard"));
    hermetic(&mut cmd, dir).current_dir(dir).args(args);
    cmd
}

#[test]
fn npmrc_in_any_ascii_case_is_scanned_in_the_work_tree_the_index_and_history() {
    let repo = TestRepo::new();
    let (a, b) = (npm_token(101), npm_token(102));
    repo.write(".NPMRC", &literal_npmrc(&a));
    repo.write("pkg/.Npmrc", &literal_npmrc(&b));
    repo.write("pkg/.npmrc.bak", &literal_npmrc(&b));
    let paths = |out: &Output| {
        let mut p: Vec<String> = found(out).into_iter().map(|f| f.0).collect();
        p.dedup();
        p
    };
    let want = vec![".NPMRC".to_string(), "pkg/.Npmrc".to_string()];

    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), want);

    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), want);

    repo.git(&["commit", "-q", "--no-verify", "-m", "tokens"]);
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), want);
    assert_no_secret(&out, &[a, b]);
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut out = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    out
}

#[test]
fn utf16_with_a_bom_is_decoded_and_scanned() {
    let token = npm_token(7);
    let content = format!(
        "registry=https://registry.npmjs.org/\r\n  //registry.npmjs.org/:_authToken={token}\r\n"
    );
    for little in [true, false] {
        let dir = npmrc_dir(utf16(&content, little));
        let out = tool_in(dir.path(), &["check", "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{}", text_of(&out));
        let f = found(&out);
        assert_eq!(f.len(), 1, "{f:?}");
        // Line 2, at the token: columns count characters of the text, not
        // bytes of UTF-16.
        let column = "  //registry.npmjs.org/:_authToken=".len() as u64 + 1;
        assert_eq!((f[0].1, f[0].2), (2, column));
        assert_no_secret(&out, std::slice::from_ref(&token));
        // Human output says why npm never saw it.
        let human = tool_in(dir.path(), &["check"]).output().expect("runs");
        let which = if little { "UTF-16LE" } else { "UTF-16BE" };
        assert!(text(&human.stdout).contains(which), "{}", text_of(&human));
        assert_no_secret(&human, std::slice::from_ref(&token));
    }
}

fn text_of(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn fifo_and_socket_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo.npmrc");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_err() && !required() {
        eprintln!("skipped: no mkfifo");
        return;
    }
    assert!(made.expect("mkfifo runs").success());
    let sock = dir.path().join("sock.npmrc");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).expect("socket");
    for (name, what) in [("fifo.npmrc", "named pipe"), ("sock.npmrc", "socket")] {
        let (out, took) = run_within(
            tool_in(dir.path(), &["check", name]),
            dir.path(),
            Duration::from_secs(30),
        )
        .unwrap_or_else(|| panic!("check {name} blocked"));
        assert_eq!(out.status.code(), Some(2), "{}", text_of(&out));
        assert!(text(&out.stderr).contains(what), "{}", text_of(&out));
        assert!(took < Duration::from_secs(30));
    }
}

/// One line of `n` checksum-valid tokens back to back, after `prefix`.
fn token_line(prefix: &str, n: u64) -> String {
    let mut line = prefix.to_string();
    for i in 0..n {
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&npm_token(1000 + i));
    }
    line.push('\n');
    line
}

#[test]
fn a_long_line_of_tokens_takes_linear_time() {
    // Before: every token was checked against every token reported before
    // it, and every variable name against every name given before it, so
    // 4,000 tokens in one credential took 40 s (release build) and 20,000
    // would take hours. Now it is seconds even in a debug build; the bound
    // is generous so a busy machine cannot make it fail.
    let limit = Duration::from_secs(120);
    for prefix in ["//registry.npmjs.org/:_authToken=", "key="] {
        let dir = npmrc_dir(token_line(prefix, 20_000));
        let run = run_within(
            tool_in(dir.path(), &["check", "--format", "json"]),
            dir.path(),
            limit,
        );
        let (out, _) = run.unwrap_or_else(|| panic!("{prefix}: not done within {limit:?}"));
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_eq!(found(&out).len(), 20_000);
    }
}

#[test]
fn package_json_publish_config_credentials_are_found_where_they_are() {
    let repo = TestRepo::new();
    let token = npm_token(31);
    let other = npm_token(32);
    let manifest = format!(
        "{{\n  \"name\": \"x\",\n  \"publishConfig\": {{\n    \"access\": \"public\",\n    \"//registry.npmjs.org/:_authToken\": \"{token}\",\n    \"registry\": \"https://alice:Hunter2Hunter2@npm.corp.example/\"\n  }}\n}}\n"
    );
    repo.write("pkg/package.json", &manifest);
    // Without publishConfig npm takes no credential from package.json; a
    // certain token is reported all the same, as in every file (review
    // finding 18: `npm run` sends a script's `NPM_TOKEN=npm_…`).
    repo.write(
        "package.json",
        &format!("{{\"name\": \"y\", \"config\": {{\"t\": \"//r/:_authToken={other}\"}}}}\n"),
    );
    let want = |out: &Output| {
        let f = found(out);
        let token_col = "    \"//registry.npmjs.org/:_authToken\": \"".len() as u64 + 1;
        let pw_col = "    \"registry\": \"https://alice:".len() as u64 + 1;
        assert!(
            f.contains(&("pkg/package.json".into(), 5, token_col, "npm-token".into())),
            "{f:?}"
        );
        assert!(
            f.contains(&(
                "pkg/package.json".into(),
                6,
                pw_col,
                "url-credentials".into()
            )),
            "{f:?}"
        );
        let outside = "{\"name\": \"y\", \"config\": {\"t\": \"//r/:_authToken=".len() as u64 + 1;
        assert!(
            f.iter().all(|x| x.0 == "pkg/package.json"
                || *x == ("package.json".into(), 1, outside, "npm-token".into())),
            "{f:?}"
        );
        assert_eq!(f.len(), 3, "{f:?}");
        assert_no_secret(
            out,
            &[token.clone(), other.clone(), "Hunter2Hunter2".to_string()],
        );
    };
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    want(&out);
    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    want(&out);
    repo.git(&["commit", "-q", "--no-verify", "-m", "manifest"]);
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    want(&out);
    // The fixer never rewrites package.json.
    let before = std::fs::read(repo.root.join("pkg/package.json")).expect("read");
    let out = repo.tool(&["fix", "--discard-secrets", "pkg/package.json"]);
    assert_ne!(out.status.code(), Some(0), "{}", text_of(&out));
    assert_eq!(
        std::fs::read(repo.root.join("pkg/package.json")).expect("read"),
        before
    );
}

/// A repository file that a project `.npmrc` names as `userconfig` or
/// `globalconfig` is read by npm, so it is scanned: in the work tree, by
/// `check`, in the index, in history and in a range. A named file that is
/// not there is no error.
#[test]
fn files_a_project_npmrc_names_as_user_or_global_config_are_scanned() {
    let repo = TestRepo::new();
    let (a, b) = (npm_token(111), npm_token(112));
    repo.write(
        "pkg/.npmrc",
        "userconfig=./ci/user.npmrc\nglobalconfig=../shared/npmrc\n",
    );
    repo.write("pkg/ci/user.npmrc", &literal_npmrc(&a));
    repo.write("shared/npmrc", &literal_npmrc(&b));
    repo.write("other/user.npmrc", &literal_npmrc(&b));
    let paths = |out: &Output| {
        let mut p: Vec<String> = found(out).into_iter().map(|f| f.0).collect();
        p.sort();
        p.dedup();
        p
    };
    let want = vec!["pkg/ci/user.npmrc".to_string(), "shared/npmrc".to_string()];

    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), want);

    let out = tool_in(
        &repo.root.join("pkg"),
        &["check", "--format", "json", ".npmrc"],
    )
    .output()
    .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        paths(&out),
        vec!["../shared/npmrc".to_string(), "ci/user.npmrc".to_string()]
    );

    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), want);

    repo.git(&["commit", "-q", "--no-verify", "-m", "named configs"]);
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(paths(&out), want);
    assert_no_secret(&out, &[a.clone(), b.clone()]);

    // The named files gone: nothing to read, no error.
    repo.git(&["rm", "-q", "pkg/ci/user.npmrc", "shared/npmrc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "gone"]);
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = tool_in(&repo.root.join("pkg"), &["check", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = repo.tool(&["scan", "--range", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = repo.tool(&["scan", "--history"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

/// A named config changed on its own, in a range or a push whose `.npmrc`
/// (naming it) is older than the range: npm reads it at the tip, so the
/// review scans it (found by review: pre-push and --range missed it).
#[test]
fn a_named_config_changed_alone_is_caught_by_ranges_and_pre_push() {
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::new();
        std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
        repo.git(&[
            "init",
            "-q",
            "-b",
            "main",
            &format!("--object-format={format}"),
            ".",
        ]);
        let bare = repo.dir.path().join("origin.git");
        let bare_s = bare.to_str().expect("utf8");
        repo.git(&[
            "init",
            "-q",
            "--bare",
            &format!("--object-format={format}"),
            bare_s,
        ]);
        repo.git(&["remote", "add", "origin", bare_s]);
        repo.write(".npmrc", "userconfig=ci/u\n");
        repo.write("ci/u", "x=1\n");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "base"]);
        repo.git(&["push", "-q", "origin", "main"]);
        let t = npm_token(113);
        repo.write("ci/u", &literal_npmrc(&t));
        repo.git(&["commit", "-q", "-am", "leak in the named file"]);
        let out = repo.tool(&["scan", "--range", "origin/main..HEAD", "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        assert_eq!(found(&out)[0].0, "ci/u", "{format}");
        assert_no_secret(&out, std::slice::from_ref(&t));
        let out = repo.tool(&["install", "--manager", "git", "--hook", "pre-push"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let out = repo.git_out(&["push", "-q", "origin", "main"]);
        assert!(!out.status.success(), "{format}: the push went through");
        assert_no_secret(&out, std::slice::from_ref(&t));
    }
}

/// A named config that is a folder holds nothing npm reads (it records the
/// read error and goes on): `check` is not blocked by it.
#[test]
fn a_named_config_that_is_a_folder_blocks_nothing() {
    let dir = npmrc_dir("userconfig=ci\n");
    std::fs::create_dir(dir.path().join("ci")).expect("mkdir");
    let out = tool_in(dir.path(), &["check", ".npmrc"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A commit that changes only a named config, under an older `.npmrc` that
/// names it: the hook (`scan --staged`) reads the unchanged `.npmrc` in the
/// index for the files it names, so the commit is blocked, in both object
/// formats (the git2 path and git's plumbing).
#[test]
fn a_named_config_staged_alone_is_caught_by_the_hook() {
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::with_format(format);
        repo.write("pkg/.npmrc", "userconfig=ci/u\n");
        repo.write("pkg/ci/u", "x=1\n");
        repo.write("README", "hello\n");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
        let t = assert_staged_alone_is_caught(&repo, "pkg/ci/u", 114, format);
        // The fix sees it too (it once said "nothing to fix" and the
        // hook's offer let the commit go on with the token).
        for fix in [
            &["fix", "--staged", "--discard-secrets"][..],
            &["scan", "--staged", "--fix", "--discard-secrets"][..],
        ] {
            repo.write("pkg/ci/u", &literal_npmrc(&t));
            repo.git(&["add", "pkg/ci/u"]);
            let out = repo.tool(fix);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{format} {fix:?}: {}",
                text(&out.stderr)
            );
            let staged = text(&repo.git_out(&["show", ":pkg/ci/u"]).stdout);
            assert!(!staged.contains(&t), "{format} {fix:?}: still staged");
            assert_eq!(repo.tool(&["scan", "--staged"]).status.code(), Some(0));
        }
        repo.write("pkg/ci/u", &literal_npmrc(&t));
        let out = repo.tool(&["scan", "--fix", "--discard-secrets"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        let on_disk = std::fs::read_to_string(repo.root.join("pkg/ci/u")).expect("read");
        assert!(!on_disk.contains(&t), "{format}: scan --fix left it");
        repo.write("pkg/ci/u", &literal_npmrc(&t));
        repo.git(&["add", "pkg/ci/u"]);
        // Unstaged, the named file's change is not in the commit.
        repo.git(&["reset", "-q"]);
        let out = repo.tool(&["scan", "--staged"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
    }
}

/// The unchanged `.npmrc` that names the config may be a symbolic link, or
/// sit in a directory a sparse index keeps collapsed: the hook still reads
/// it (found by review: both commits went through).
#[test]
fn a_named_config_staged_alone_is_caught_behind_a_link_and_a_sparse_index() {
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::with_format(format);
        repo.write("config/npmrc", "userconfig=ci/user.rc\n");
        std::os::unix::fs::symlink("config/npmrc", repo.root.join(".npmrc")).expect("symlink");
        repo.write("ci/user.rc", "x=1\n");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
        assert_staged_alone_is_caught(&repo, "ci/user.rc", 115, format);
    }
    let repo = TestRepo::new();
    repo.write("pkg/.npmrc", "userconfig=../ci/u.rc\n");
    repo.write("pkg/package.json", "{}\n");
    repo.write("ci/u.rc", "x=1\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
    repo.git(&["sparse-checkout", "set", "--cone", "--sparse-index", "ci"]);
    assert_staged_alone_is_caught(&repo, "ci/u.rc", 116, "sparse");
}

/// The `.npmrc` that names the config sits in a folder the commit does not
/// touch (its cache-tree entry is HEAD's tree): it is still read.
#[test]
fn a_named_config_in_another_folder_is_caught_by_the_hook() {
    let repo = TestRepo::new();
    repo.write("pkg/.npmrc", "userconfig=../ci/u.rc\n");
    repo.write("ci/u.rc", "x=1\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
    // Writes the cache-tree, as a commit from a fresh index does.
    repo.git(&["read-tree", "HEAD"]);
    assert_staged_alone_is_caught(&repo, "ci/u.rc", 117, "another folder");
}

/// Stage a literal token in `path` alone and run the hook's scan: it must
/// block (exit 1), report `path` first, and never show the token.
fn assert_staged_alone_is_caught(repo: &TestRepo, path: &str, seed: u64, what: &str) -> String {
    let t = npm_token(seed);
    repo.write(path, &literal_npmrc(&t));
    repo.git(&["add", path]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out.stderr));
    assert_eq!(found(&out)[0].0, path, "{what}");
    assert_no_secret(&out, std::slice::from_ref(&t));
    t
}

//! Hostile repositories, with real git: names that are shell code or not
//! text, links to places a scan must not go, files far too many or too
//! large, odd repository layouts and a read-only work tree. Each must give
//! the right exit status and a clear message, write nothing it should not,
//! and never exit 0 for content that was not read.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

fn finding_paths(out: &Output) -> Vec<String> {
    json(out)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

/// Every file under `dir`, with its content: to see that nothing changed.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir, |_| false)
}

/// Whether a file that one of the hostile names would `touch` exists
/// anywhere under `dir` (or in the current folder).
fn anything_ran(dir: &Path) -> bool {
    let made = |p: &Path| {
        p.file_name()
            .and_then(OsStr::to_str)
            .is_some_and(|n| n.starts_with("PWNED") && n.len() <= 6)
    };
    snapshot(dir).keys().any(|p| made(p))
        || fs::read_dir(".").is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| made(&e.path()))))
}

#[test]
fn hostile_names_are_quoted_and_never_run() {
    // The repository's own folder is hostile too.
    let mut folder = b"r $(touch PWNED0) `touch PWNED1` 'q' \"d\" ".to_vec();
    folder.extend_from_slice(b"\xff\nline");
    let repo = TestRepo::named_os(OsStr::from_bytes(&folder));
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let names: [&[u8]; 5] = [
        b"$(touch PWNED2)/.npmrc",
        b"`touch PWNED3`;x/.npmrc",
        b"a\nb/.npmrc",
        b"caf\xe9/.npmrc",
        b"esc\x1b[31m\xe2\x80\xaered/.npmrc",
    ];
    let mut secrets = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let t = npm_token(1000 + i as u64);
        repo.write_bytes(name, literal_npmrc(&t).as_bytes());
        secrets.push(t);
    }
    repo.git(&["add", "-A"]);

    // The hook blocks the commit and names every file, quoted as git quotes.
    let before = repo.head();
    let out = repo.git_out(&["commit", "-m", "hostile"]);
    assert!(!out.status.success());
    assert_eq!(repo.head(), before);
    let err = stderr(&out);
    for shown in [
        "$(touch PWNED2)/.npmrc",
        "`touch PWNED3`;x/.npmrc",
        r#""a\nb/.npmrc""#,
        r#""caf\351/.npmrc""#,
        r#""esc\033[31m\342\200\256red/.npmrc""#,
    ] {
        assert!(err.contains(shown), "{shown} not in: {err}");
    }
    assert!(
        !out.stderr.contains(&0x1b),
        "an escape byte reached the terminal"
    );
    assert_no_secret(&out, &secrets);

    // Every format: valid, one line per finding, nothing raw.
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(finding_paths(&out).len(), 5);
    let out = repo.tool(&["scan", "--staged", "--format", "github"]);
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout)
        .expect("utf8")
        .lines()
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("::error file=")));
    let out = repo.tool(&["scan", "--staged", "--format", "sarif"]);
    let sarif = json(&out);
    let mut uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    uris.sort_unstable();
    assert_eq!(
        uris,
        [
            "%24%28touch%20PWNED2%29/.npmrc",
            "%60touch%20PWNED3%60%3Bx/.npmrc",
            "a%0Ab/.npmrc",
            "caf%E9/.npmrc",
            "esc%1B%5B31m%E2%80%AEred/.npmrc",
        ]
    );
    let out = repo.tool(&["scan", "--format", "human"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout)
            .lines()
            .filter(|l| l.contains("error["))
            .count(),
        5
    );

    // The fix reaches every file, by its real name, staged and on disk.
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (name, secret) in names.iter().zip(&secrets) {
        let on_disk = fs::read(repo.root.join(OsStr::from_bytes(name))).expect("still there");
        let on_disk = text(&on_disk);
        assert!(on_disk.contains(":_authToken=${NPM_TOKEN"), "{on_disk}");
        assert!(!on_disk.contains(secret.as_str()));
    }
    let out = repo.git_out(&["commit", "-q", "-m", "fixed"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.tool(&["scan", "--history"]).status.code(), Some(0));

    assert!(!anything_ran(repo.dir.path()), "something ran");
}

#[test]
fn symlinked_npmrc_to_outside_dev_zero_and_itself() {
    let repo = TestRepo::new();
    let outside = repo.dir.path().join("outside.npmrc");
    let t = npm_token(1010);
    fs::write(&outside, literal_npmrc(&t)).expect("write");
    let targets = [
        ("out/.npmrc", outside.clone()),
        ("zero/.npmrc", PathBuf::from("/dev/zero")),
        ("self/.npmrc", PathBuf::from(".npmrc")),
    ];
    for (link, target) in &targets {
        let p = repo.root.join(link);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, &p).expect("symlink");
    }
    repo.git(&["add", "-A"]);
    // A commit holds the link, not what it points at: nothing to find, and
    // each link is named on standard error.
    for args in [&["scan", "--staged"][..], &["scan"][..]] {
        let out = repo.tool(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        for (link, _) in &targets {
            assert!(
                err.contains(&format!("{link}: a symbolic link")),
                "{args:?}: {err}"
            );
        }
    }
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0));
    let out = repo.git_out(&["commit", "-q", "-m", "links"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Named on the command line, a link is followed, as `cat` would; what
    // cannot be read fails the run.
    let out = repo.tool(&["check", "out/.npmrc"]);
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out, std::slice::from_ref(&t));
    let out = repo.tool(&["check", "zero/.npmrc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("zero/.npmrc: is a device"),
        "{}",
        stderr(&out)
    );
    let out = repo.tool(&["check", "self/.npmrc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("self/.npmrc: too many levels of symbolic links"),
        "{}",
        stderr(&out)
    );
    // The fixer refuses to write through a link.
    let before = fs::read(&outside).expect("read");
    let out = repo.tool(&["fix", "--discard-secrets", "out/.npmrc"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(fs::read(&outside).expect("read"), before);
}

#[test]
fn npmrc_that_is_a_directory() {
    let repo = TestRepo::new();
    let t = npm_token(1020);
    repo.write(".npmrc/.npmrc", &literal_npmrc(&t));
    repo.write(".npmrc/notes", "x\n");
    // The folder is not a file to scan; the .npmrc inside it is.
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(finding_paths(&out), [".npmrc/.npmrc"]);
    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(finding_paths(&out), [".npmrc/.npmrc"]);
    // Named, it cannot be read: exit 2, never 0.
    for args in [
        &["check", ".npmrc"][..],
        &["fix", "--discard-secrets", ".npmrc"][..],
    ] {
        let out = repo.tool(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(".npmrc: is a directory"),
            "{}",
            stderr(&out)
        );
    }
}

/// A repository `sub` with one commit, to add as a submodule.
fn sub_repository(parent: &TestRepo) -> PathBuf {
    let sub = parent.dir.path().join("subsrc");
    fs::create_dir_all(&sub).expect("mkdir");
    let git = |args: &[&str]| {
        let out = parent
            .git_cmd(args)
            .current_dir(&sub)
            .output()
            .expect("git");
        assert!(out.status.success(), "{}", stderr(&out));
    };
    git(&["init", "-q", "-b", "main"]);
    fs::write(sub.join("README"), "sub\n").expect("write");
    git(&["add", "README"]);
    git(&["commit", "-q", "-m", "sub"]);
    sub
}

#[test]
fn submodule_named_npmrc_and_a_submodule_whose_git_is_a_file() {
    let repo = TestRepo::new();
    let sub = sub_repository(&repo);
    let sub_url = sub.to_str().expect("utf8");
    for at in [".npmrc", "packages/app"] {
        repo.git(&[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            sub_url,
            at,
        ]);
    }
    // A submodule at .npmrc is not a file: noted, nothing read, nothing found.
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".npmrc: a submodule"),
        "{}",
        stderr(&out)
    );
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    repo.commit_setup("submodules");
    let out = repo.tool(&["scan", "--history"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Inside a submodule, `.git` is a file: the hook still installs and runs.
    let inner = TestRepo {
        dir: tempfile::tempdir().expect("tempdir"),
        root: repo.root.join("packages/app"),
    };
    assert!(inner.root.join(".git").is_file());
    let out = inner.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(repo
        .root
        .join(".git/modules/packages/app/hooks/pre-commit")
        .exists());
    inner.write(".npmrc", &literal_npmrc(&npm_token(1030)));
    inner.git(&["add", ".npmrc"]);
    let before = inner.head();
    let out = inner.git_out(&["commit", "-m", "in submodule"]);
    assert!(!out.status.success(), "the hook did not block");
    assert_eq!(inner.head(), before);
    assert!(stderr(&out).contains(".npmrc:2:"), "{}", stderr(&out));
}

#[test]
fn ten_thousand_staged_npmrc_files() {
    let repo = TestRepo::new();
    let mut secrets = Vec::new();
    for i in 0..10_000u64 {
        let content = if i % 1000 == 7 {
            let t = npm_token(2000 + i);
            let c = literal_npmrc(&t);
            secrets.push(t);
            c
        } else {
            SAFE_NPMRC.to_string()
        };
        repo.write(&format!("p/{:02}/{i}/.npmrc", i % 100), &content);
    }
    repo.git(&["add", "-A"]);
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["scanned"]["files"], 10_000);
    assert_eq!(j["findings"].as_array().expect("findings").len(), 10);
    assert_no_secret(&out, &secrets);
    // And through the installed hook.
    assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
    let out = repo.git_out(&["commit", "-q", "-m", "many"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("10 errors in 10000 files"),
        "{}",
        stderr(&out)
    );
}

/// `n` bytes of harmless entries, then a literal token on the last line.
fn huge_npmrc(n: usize, token: &str) -> Vec<u8> {
    let line = b"some-key=some harmless value\n";
    let mut out = Vec::with_capacity(n + 100);
    while out.len() + line.len() <= n {
        out.extend_from_slice(line);
    }
    out.extend_from_slice(format!("//r.example/:_authToken={token}\n").as_bytes());
    out
}

#[test]
fn hundred_megabyte_staged_npmrc() {
    let repo = TestRepo::new();
    let t = npm_token(1040);
    let big = huge_npmrc(100 << 20, &t);
    let lines = big.iter().filter(|&&b| b == b'\n').count();
    fs::write(repo.root.join(".npmrc"), &big).expect("write");
    repo.git(&["add", ".npmrc"]);
    fs::write(repo.root.join(".npmrc"), SAFE_NPMRC).expect("write");
    // The blob is what is read, all of it: the token is on the last line.
    let out = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(j["findings"][0]["line"], lines);
    assert!(out.stdout.len() < 10_000);
    assert_no_secret(&out, std::slice::from_ref(&t));
}

#[test]
fn too_large_to_read_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = fs::File::create(dir.path().join(".npmrc")).expect("create");
    f.set_len(300 << 20).expect("sparse file");
    let out = npmrc_guard(dir.path()).arg("check").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("larger than 256 MiB"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ten_megabyte_line() {
    let t = npm_token(1050);
    let mut line = b"; ".to_vec();
    line.resize(10 << 20, b'x');
    line.extend_from_slice(format!(" {t} tail\n").as_bytes());
    let mut long_value = b"//r.example/:_authToken=".to_vec();
    while long_value.len() < 10 << 20 {
        long_value.extend_from_slice(b"Ab3dE6gH9");
    }
    long_value.push(b'\n');
    for (name, content, column) in [("comment", line, (10 << 20) + 2), ("value", long_value, 25)] {
        let dir = npmrc_dir(&content);
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let j = json(&out);
        assert_eq!(j["findings"][0]["column"], column, "{name}");
        // Reports show a masked secret, never the line.
        let human = npmrc_guard(dir.path()).arg("check").output().expect("runs");
        assert!(human.stdout.len() < 10_000, "{name}: the line was printed");
        assert_no_secret(&human, std::slice::from_ref(&t));
    }
}

#[test]
fn conflict_elsewhere_does_not_hide_a_staged_literal() {
    let repo = TestRepo::new();
    repo.conflict("README");
    repo.write(".npmrc", &literal_npmrc(&npm_token(1060)));
    repo.git(&["add", ".npmrc"]);
    let out = repo.tool(&["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // A conflict at a scanned path fails closed (see git_hook.rs,
    // conflicted_index_is_an_error).
}

#[test]
fn git_dir_and_work_tree_from_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path().join("work tree");
    let gitdir = dir.path().join("elsewhere.git");
    fs::create_dir_all(&work).expect("mkdir");
    let repo = TestRepo {
        dir: tempfile::tempdir().expect("tempdir"),
        root: work.clone(),
    };
    repo.git(&[
        "init",
        "-q",
        "-b",
        "main",
        "--separate-git-dir",
        gitdir.to_str().expect("utf8"),
    ]);
    fs::remove_file(work.join(".git")).expect("no .git file: only the environment says where");
    let t = npm_token(1070);
    repo.write(".npmrc", &literal_npmrc(&t));
    let with_env = |args: &[&str]| -> Output {
        let mut cmd = repo.command(env!("CARGO_BIN_EXE_npmrc-guard"));
        cmd.current_dir(dir.path())
            .env("GIT_DIR", &gitdir)
            .env("GIT_WORK_TREE", &work)
            .args(args)
            .output()
            .expect("runs")
    };
    let git = |args: &[&str]| -> Output {
        repo.git_cmd(args)
            .current_dir(dir.path())
            .env("GIT_DIR", &gitdir)
            .env("GIT_WORK_TREE", &work)
            .output()
            .expect("git")
    };
    assert!(git(&["add", ".npmrc"]).status.success());
    let out = with_env(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(finding_paths(&out), [".npmrc"]);
    let out = with_env(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = with_env(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(gitdir.join("hooks/pre-commit").exists());
    let out = git(&["commit", "-m", "x"]);
    assert!(!out.status.success(), "the hook did not block");
    assert!(stderr(&out).contains(".npmrc:2:"), "{}", stderr(&out));
    assert_no_secret(&out, std::slice::from_ref(&t));
}

/// Run the tool with the repository's folder mounted read-only, in a mount
/// namespace of its own (we run as root here, and root ignores file modes).
fn read_only_tool(repo: &TestRepo, args: &[&str]) -> Output {
    let top = repo.dir.path().to_str().expect("utf8");
    let mut cmd = repo.command("unshare");
    cmd.args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(r#"mount --bind -o ro "$0" "$0" && cd "$1" && shift && exec "$@""#)
        .arg(top)
        .arg(&repo.root)
        .arg(env!("CARGO_BIN_EXE_npmrc-guard"))
        .args(args);
    cmd.output().expect("unshare runs")
}

#[test]
fn read_only_work_tree() {
    let repo = TestRepo::new();
    let t = npm_token(1080);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);
    // Without the namespace, nothing can be said about read-only folders.
    let probe = read_only_tool(&repo, &["--version"]);
    if !probe.status.success() {
        assert!(
            !required(),
            "a read-only mount is needed for this test (CI=true): {}",
            stderr(&probe)
        );
        eprintln!("skipped: no mount namespace here");
        return;
    }
    let before = snapshot(repo.dir.path());
    // Scans only read: they work.
    for args in [&["scan", "--staged"][..], &["scan"][..], &["check"][..]] {
        let out = read_only_tool(&repo, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
    // Writers fail closed, with the reason.
    let env_file = repo.dir.path().join("secrets.env");
    let env_arg = format!("--save-env={}", env_file.display());
    for args in [
        &["fix", "--discard-secrets"][..],
        &["fix", "--staged", "--discard-secrets"][..],
        &["fix", env_arg.as_str()][..],
        &["install"][..],
    ] {
        let out = read_only_tool(&repo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out)
                .to_lowercase()
                .contains("read-only file system"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_no_secret(&out, std::slice::from_ref(&t));
    }
    assert_eq!(snapshot(repo.dir.path()), before, "something was written");
}

#[test]
fn hook_calls_a_binary_whose_path_is_not_utf8() {
    let repo = TestRepo::new();
    let bin_dir = repo
        .dir
        .path()
        .join(OsStr::from_bytes(b"bin \xff '$(touch PWNED)' %s \\n"));
    fs::create_dir_all(&bin_dir).expect("mkdir");
    let exe = bin_dir.join("npmrc-guard");
    copy_executable(env!("CARGO_BIN_EXE_npmrc-guard").as_ref(), &exe);
    assert!(exe.to_str().is_none(), "the path must not be UTF-8");
    let mut install = std::process::Command::new(&exe);
    hermetic(&mut install, repo.dir.path())
        .current_dir(&repo.root)
        .arg("install")
        .env("PATH", "/usr/bin:/bin");
    let out = install.output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    repo.write(".npmrc", &literal_npmrc(&npm_token(1090)));
    repo.git(&["add", ".npmrc"]);
    // npmrc-guard is not on PATH: only the path in the hook can reach it.
    let out = repo.git_out(&["commit", "-m", "x"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(".npmrc:2:"),
        "the hook did not run the binary: {}",
        stderr(&out)
    );
    assert!(!anything_ran(repo.dir.path()), "something ran");
}

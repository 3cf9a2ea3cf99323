//! Holes an independent review found on 2026-12-05 (fifth session), each
//! closed and kept closed here: the reviewer's reproduction, reduced.
//! (The secret-as-a-name cases are in tests/npm_sends.rs, with npm's own
//! header; the env files in tests/env_files.rs.)

mod common;

use std::process::Output;

use common::*;

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn repo(format: &str) -> TestRepo {
    if format == "sha1" {
        TestRepo::new()
    } else {
        TestRepo::with_format(format)
    }
}

/// What git hands a pre-push hook for `git push origin <ref>`.
fn pre_push(repo: &TestRepo, local: &str, remote_id: &str) -> Output {
    let local_id = repo.git(&["rev-parse", local]).trim().to_string();
    let line = format!("{local} {local_id} {local} {remote_id}\n");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_npmrc-guard"));
    hermetic(&mut cmd, repo.dir.path())
        .current_dir(&repo.root)
        .args(["pre-push", "origin", "unused-url"]);
    output_with_stdin(&mut cmd, line.as_bytes())
}

/// Every `git tag -a` push handed the hook the tag object's id, which is no
/// commit: exit 2, and git refused the push. The tag is reviewed as the
/// commit it names.
#[test]
fn a_pushed_annotated_tag_is_reviewed_as_its_commit() {
    for format in ["sha1", "sha256"] {
        let repo = repo(format);
        repo.write("README", "x\n");
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "clean"]);
        let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
        repo.git(&["tag", "-a", "v1", "-m", "release"]);
        let zero = "0".repeat(base.len());
        let out = pre_push(&repo, "refs/tags/v1", &zero);
        assert_eq!(code(&out), Some(0), "{format}: {}", text(&out.stderr));

        let token = npm_token(5001);
        repo.write(".npmrc", &literal_npmrc(&token));
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "leak", "--no-verify"]);
        repo.git(&["tag", "-a", "v2", "-m", "release"]);
        let out = pre_push(&repo, "refs/tags/v2", &zero);
        assert_eq!(code(&out), Some(1), "{format}: {}", text(&out.stderr));
        assert_no_secret(&out, &[token]);
    }
}

/// npm resolves a relative `userconfig=` against the folder it runs in
/// (`path.resolve`), and npm run in any folder under the project reads
/// the project's `.npmrc`: `conf/npmrc` may be `scripts/conf/npmrc`.
#[test]
fn a_relative_userconfig_is_read_from_any_folder_npm_runs_in() {
    let token = npm_token(5002);
    if let Some(_root) = npm_root() {
        // npm itself, run from `scripts/`.
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package.json"), "{\"name\":\"p\"}").expect("write");
        std::fs::write(dir.path().join(".npmrc"), "userconfig=conf/npmrc\n").expect("write");
        std::fs::create_dir_all(dir.path().join("scripts/conf")).expect("mkdir");
        let home = tempfile::tempdir().expect("tempdir");
        let out = hermetic(&mut std::process::Command::new("npm"), home.path())
            .current_dir(dir.path().join("scripts"))
            // (hermetic names a user config; the project's must decide)
            .env_remove("NPM_CONFIG_USERCONFIG")
            .args(["config", "get", "userconfig"])
            .output()
            .expect("npm runs");
        let got = text(&out.stdout);
        assert!(
            got.trim().ends_with("/scripts/conf/npmrc"),
            "npm's user config: {got}{}",
            text(&out.stderr)
        );
    } else {
        assert!(!required(), "npm is required under CI=true");
    }
    let cases = [
        ("userconfig=conf/npmrc\n", "scripts/conf/npmrc"),
        ("globalconfig=../shared/npmrc\n", "tools/shared/npmrc"),
        ("userconfig=conf/${X?}npmrc\n", "conf/npmrc"),
        ("userconfig=/proc/self/cwd//conf/npmrc\n", "conf/npmrc"),
        // Absolute: where the clone sits on the machine is not known.
        ("userconfig=/home/alice/app/conf/npmrc\n", "conf/npmrc"),
        ("globalconfig=/srv/ci/app/tools/npmrc\n", "tools/npmrc"),
    ];
    for format in ["sha1", "sha256"] {
        for (npmrc, file) in cases {
            let what = format!("{format}: {npmrc:?} and {file}");
            let repo = repo(format);
            repo.write(".npmrc", npmrc);
            repo.write(file, "; nothing yet\n");
            repo.git(&["add", "."]);
            repo.git(&["commit", "-qm", "one", "--no-verify"]);
            // The commit changes the named file alone.
            repo.write(file, &literal_npmrc(&token));
            repo.git(&["add", "."]);
            let out = repo.tool(&["scan", "--staged"]);
            assert_eq!(code(&out), Some(1), "{what}: {}", text(&out.stdout));
            repo.git(&["commit", "-qm", "two", "--no-verify"]);
            for args in [
                &["scan"][..],
                &["scan", "--history"],
                &["scan", "--range", "HEAD~1..HEAD"],
            ] {
                let out = repo.tool(args);
                assert_eq!(
                    code(&out),
                    Some(1),
                    "{what} {args:?}: {}",
                    text(&out.stdout)
                );
                assert_no_secret(&out, std::slice::from_ref(&token));
            }
        }
    }
}

/// A pull request's own `; npmrc-guard: allow` above its own token made the
/// range and pre-push reviews pass: the commits under review exempted
/// themselves. An exemption counts once it stands on the base side; one
/// that does stays honoured when the request changes another line.
#[test]
fn an_allow_comment_counts_only_once_it_is_on_the_base_side() {
    let old = npm_token(5003);
    let new = npm_token(5004);
    for format in ["sha1", "sha256"] {
        let repo = repo(format);
        repo.write(
            ".npmrc",
            &format!("; npmrc-guard: allow\n//old.example/:_authToken={old}\nx=1\n"),
        );
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "base"]);
        let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
        // Another line changes: the old exemption still holds.
        repo.write(
            ".npmrc",
            &format!("; npmrc-guard: allow\n//old.example/:_authToken={old}\nx=2\n"),
        );
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "edit", "--no-verify"]);
        let range = format!("{base}..HEAD");
        let out = repo.tool(&["scan", "--range", &range]);
        assert_eq!(code(&out), Some(0), "{format}: {}", text(&out.stdout));
        let out = pre_push(&repo, "HEAD", &base);
        assert_eq!(code(&out), Some(0), "{format}: {}", text(&out.stdout));

        repo.write(
            ".npmrc",
            &format!(
                "; npmrc-guard: allow\n//old.example/:_authToken={old}\nx=2\n# npmrc-guard: allow\n//new.example/:_authToken={new}\n"
            ),
        );
        repo.git(&["add", "."]);
        repo.git(&["commit", "-qm", "pr", "--no-verify"]);
        for out in [
            repo.tool(&["scan", "--range", &range, "--format", "json"]),
            pre_push(&repo, "HEAD", &base),
        ] {
            assert_eq!(code(&out), Some(1), "{format}: {}", text(&out.stdout));
            let all = text(&out.stdout);
            assert!(all.contains("new.example"), "{format}: {all}");
            assert!(!all.contains("old.example"), "{format}: {all}");
            assert_no_secret(&out, &[old.clone(), new.clone()]);
        }
        // In the work tree and the hook the comment is the team's own word.
        let out = repo.tool(&["scan"]);
        assert_eq!(code(&out), Some(0), "{format}: {}", text(&out.stdout));
    }
}

/// yarn 1 sends a `.yarnrc` proxy's `user:password@` as
/// `Proxy-Authorization` (seen with yarn 1.22.22): an error, as `proxy=`
/// is in `.npmrc`.
#[test]
fn a_yarn1_proxy_with_credentials_is_an_error() {
    let password = "Summer2024Proxy";
    let (port, rx) = capture::header_server("proxy-authorization");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("package.json"),
        "{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":{\"somepkg\":\"1.0.0\"}}",
    )
    .expect("write");
    std::fs::write(
        dir.path().join(".yarnrc"),
        format!("registry \"http://registry.invalid/\"\nproxy \"http://alice:{password}@127.0.0.1:{port}/\"\n"),
    )
    .expect("write");
    if let Some(tools) = npm::installed_once("yarn1", "yarn@1.22.22") {
        let home = tempfile::tempdir().expect("tempdir");
        let _ = npm::run(
            "yarn 1 install",
            hermetic(&mut std::process::Command::new("node"), home.path())
                .arg(tools.join("node_modules/yarn/bin/yarn.js"))
                .args(["install", "--non-interactive", "--no-lockfile"])
                .args(["--network-timeout", "5000"])
                .current_dir(dir.path()),
            120,
        );
        let sent = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("yarn 1 asked the proxy");
        let basic = sent.expect("a Proxy-Authorization header");
        let decoded = npmrc_guard::eval::base64_lenient(basic.trim_start_matches("Basic "));
        assert_eq!(
            String::from_utf8_lossy(&decoded),
            format!("alice:{password}")
        );
    }
    let out = npmrc_guard(dir.path())
        .args(["check", ".yarnrc"])
        .output()
        .expect("runs");
    assert_eq!(code(&out), Some(1), "{}", text(&out.stdout));
    assert_no_secret(&out, &[password.to_string()]);
}

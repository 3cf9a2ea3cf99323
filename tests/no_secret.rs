//! Secrets never leave: every output format over every fixture, and no
//! whole fixture secret in standard output or standard error.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use common::*;

#[test]
fn no_output_format_contains_a_secret() {
    let (dir, names, all) = fixture_files();
    let mut runs = 0;
    for format in ["human", "json", "sarif", "github"] {
        for color in ["always", "never"] {
            let out = npmrc_guard(dir.path())
                .args(["check", "--format", format, "--color", color])
                .args(&names)
                .arg("missing.npmrc")
                .output()
                .expect("runs");
            assert_eq!(
                out.status.code(),
                Some(2),
                "{format}: missing file fails the run"
            );
            assert!(!out.stdout.is_empty());
            assert_no_secret(&out, &all);
            runs += 1;
        }
    }
    assert_eq!(runs, 8);
}

#[test]
fn every_fixture_is_found() {
    // The no-leak test above means nothing if the fixtures were not found.
    let dir = tempfile::tempdir().expect("tempdir");
    for f in fixtures() {
        fs::write(dir.path().join(".npmrc"), &f.content).expect("write");
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{}", f.name);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let errors = json["findings"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|f| f["severity"] == "error")
            .count();
        assert_eq!(errors, f.secrets.len(), "{}: {json:#}", f.name);
    }
}

#[test]
fn debug_and_display_show_only_the_mask() {
    for f in fixtures() {
        let found = npmrc_guard::app::scan_bytes(
            f.name,
            f.content.as_bytes(),
            &npmrc_guard::config::Config::default(),
        );
        let text = format!("{found:?}");
        for s in &f.secrets {
            assert!(
                !text.contains(s.as_str()),
                "{}: Debug leaks a secret",
                f.name
            );
        }
    }
}

/// Every file under `dir` but git's object store (zlib-compressed, and git
/// itself put the staged secrets there), with its content.
fn files_but_objects(dir: &std::path::Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir, |p| p.ends_with(".git/objects"))
}

/// One command run over one fixture: what it runs, and the file it was
/// told to keep the secrets in, if any.
struct Case {
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
    store: Option<&'static str>,
    /// Run `git` rather than the tool (the installed hooks).
    git: bool,
}

fn cases() -> Vec<Case> {
    let tool = |args: &[&str]| Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        store: None,
        git: false,
    };
    let mut out = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        for args in [
            &["check"][..],
            &["check", ".npmrc", "missing.npmrc"][..],
            &["check", "-"][..],
            &["scan"][..],
            &["scan", "--staged"][..],
            &["scan", "--history"][..],
            &["scan", "--range", "nope..main", "--history"][..],
            &["scan", "--staged", "--config", "broken.toml"][..],
        ] {
            let mut c = tool(args);
            c.args.extend(["--format".to_string(), format.to_string()]);
            out.push(c);
        }
    }
    for args in [
        &["check"][..],
        &["scan", "--staged"][..],
        &["scan", "--history"][..],
    ] {
        let mut c = tool(args);
        c.env = vec![("NPMRC_GUARD_TEST_PANIC", "1"), ("RUST_BACKTRACE", "1")];
        out.push(c);
    }
    for (args, store) in [
        (&["fix", "--save-env", "../kept.env"][..], Some("kept.env")),
        (
            &["fix", "--staged", "--save-env", "../kept.env"][..],
            Some("kept.env"),
        ),
        (&["fix", "--discard-secrets"][..], None),
        (&["fix", "--move-to-user-config"][..], Some(".npmrc")),
        (
            &["fix", "--save-env", "/nonexistent/folder/x.env"][..],
            None,
        ),
        (&["fix", "--save-env", "in-repo.env"][..], None),
        (&["scan", "--fix", "--discard-secrets"][..], None),
        (
            &["check", "--fix", "--save-env", "../kept.env"][..],
            Some("kept.env"),
        ),
        (&["fix"][..], None),
    ] {
        let mut c = tool(args);
        c.store = store;
        out.push(c);
    }
    out.push(Case {
        git: true,
        ..tool(&["commit", "-m", "through the hook"])
    });
    out.push(Case {
        git: true,
        ..tool(&["push", "-q", "origin", "main"])
    });
    out
}

#[test]
fn no_secret_anywhere_from_any_command() {
    let fixtures = fixtures();
    let all: Vec<String> = fixtures.iter().flat_map(|f| f.secrets.clone()).collect();
    let mut runs = 0;
    for f in &fixtures {
        for case in cases() {
            let repo = TestRepo::new();
            // History holds the file; the index holds it once more, changed.
            repo.write(".npmrc", &f.content);
            repo.git(&["add", ".npmrc"]);
            repo.commit_setup("the leak");
            repo.write(".npmrc", &format!("{}save-exact=true\n", f.content));
            repo.git(&["add", ".npmrc"]);
            repo.write("broken.toml", "include = [\n");
            let bare = repo.dir.path().join("remote.git");
            repo.git(&["init", "-q", "--bare", bare.to_str().expect("utf8")]);
            repo.git(&["remote", "add", "origin", bare.to_str().expect("utf8")]);
            for hook in ["pre-commit", "pre-push"] {
                assert_eq!(
                    repo.tool(&["install", "--hook", hook]).status.code(),
                    Some(0)
                );
            }
            let before = files_but_objects(repo.dir.path());

            let mut cmd = if case.git {
                repo.git_cmd(&[])
            } else {
                repo.command(env!("CARGO_BIN_EXE_npmrc-guard"))
            };
            cmd.args(&case.args).envs(case.env.iter().copied());
            cmd.stdin(fs::File::open(repo.root.join(".npmrc")).expect("open"));
            let out = cmd.output().expect("runs");
            let what = format!("{} over {}", case.args.join(" "), f.name);
            assert!(out.status.code().is_some(), "{what}: killed by a signal");
            if case.env.iter().any(|(k, _)| *k == "NPMRC_GUARD_TEST_PANIC") {
                assert_eq!(out.status.code(), Some(2), "{what}: a panic fails closed");
                assert!(text(&out.stderr).contains("internal error"), "{what}");
            }
            assert_no_secret(&out, &all);

            // Files: a new one holds no secret; a changed one holds only
            // secrets it held before (a token in a comment stays until the
            // user removes it); the chosen store is the exception.
            let store = case.store.map(|s| repo.dir.path().join(s));
            for (path, content) in files_but_objects(repo.dir.path()) {
                if Some(&path) == store.as_ref() || before.get(&path) == Some(&content) {
                    continue;
                }
                let was = before.get(&path).map(|c| text(c)).unwrap_or_default();
                let now = text(&content);
                for s in &all {
                    assert!(
                        !now.contains(s.as_str()) || was.contains(s.as_str()),
                        "{what}: {} now holds a secret ({} characters)",
                        path.display(),
                        s.len()
                    );
                }
            }
            runs += 1;
        }
    }
    assert_eq!(runs, fixtures.len() * cases().len());
}

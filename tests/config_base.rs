//! The scanned tree cannot configure its own scan away: `include` adds to
//! the defaults, and a range or a push is reviewed under the base side's
//! `.npmrc-guard.toml`, with a `config-changed` warning when the commits
//! under review change it (real git).

mod common;

use common::*;
use serde_json::Value;

fn commit_files(repo: &TestRepo, files: &[(&str, &str)], msg: &str) -> String {
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.git(&["add", "-A"]);
    repo.commit_setup(msg);
    repo.head().expect("HEAD")
}

fn rules(out: &std::process::Output) -> Vec<String> {
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

#[test]
fn include_adds_to_the_default_globs() {
    let repo = TestRepo::new();
    repo.write(".npmrc-guard.toml", "include = [\"**/.yarnrc\"]\n");
    repo.write(".npmrc", &literal_npmrc(&npm_token(2401)));
    let out = repo.tool(&["scan"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = repo.tool(&["scan", "--include", "**/.yarnrc"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

/// A base commit with a clean `.npmrc`, and a head commit that adds a token
/// together with a config that would hide it.
fn pull_request(config: impl Fn(&str) -> String) -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let base = commit_files(&repo, &[(".npmrc", SAFE_NPMRC)], "base");
    let token = npm_token(2402);
    repo.write(".npmrc", &literal_npmrc(&token));
    let fp = {
        let out = repo.tool(&["scan", "--format", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v["findings"][0]["fingerprint"]
            .as_str()
            .expect("fp")
            .to_string()
    };
    let head = commit_files(
        &repo,
        &[(".npmrc-guard.toml", &config(&fp))],
        "head: token, and a config that hides it",
    );
    (repo, base, head)
}

#[test]
fn a_range_is_reviewed_under_the_base_config() {
    for hide in [
        |_: &str| "exclude = [\"**/.npmrc\"]\n".to_string(),
        |fp: &str| format!("allow = [\"{fp}\"]\n"),
    ] {
        let (repo, base, _) = pull_request(hide);
        // The work tree's config does hide it from a plain scan...
        assert_eq!(repo.tool(&["scan"]).status.code(), Some(0));
        // ...but not from the review of the range that brings it.
        let range = format!("{base}..HEAD");
        let out = repo.tool(&["scan", "--history", "--range", &range, "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let got = rules(&out);
        assert!(got.contains(&"npm-token".to_string()), "{got:?}");
        assert!(got.contains(&"config-changed".to_string()), "{got:?}");
    }
}

#[test]
fn the_base_config_applies_and_an_unchanged_one_is_no_warning() {
    let repo = TestRepo::new();
    let base = commit_files(
        &repo,
        &[
            (".npmrc", SAFE_NPMRC),
            (".npmrc-guard.toml", "exclude = [\"vendor/**\"]\n"),
        ],
        "base",
    );
    commit_files(
        &repo,
        &[("vendor/x/.npmrc", &literal_npmrc(&npm_token(2403)))],
        "vendored",
    );
    let out = repo.tool(&[
        "scan",
        "--history",
        "--range",
        &format!("{base}..HEAD"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(rules(&out), Vec::<String>::new());
}

#[test]
fn a_push_is_reviewed_under_the_remote_side_config() {
    let (repo, base, head) = pull_request(|_| "exclude = [\"**/.npmrc\"]\n".to_string());
    let bare = repo.dir.path().join("origin.git");
    repo.git(&["init", "-q", "--bare", bare.to_str().expect("utf8")]);
    repo.git(&["remote", "add", "origin", bare.to_str().expect("utf8")]);
    repo.git(&["push", "-q", "origin", &format!("{base}:refs/heads/main")]);
    let mut cmd = repo.command(env!("CARGO_BIN_EXE_npmrc-guard"));
    cmd.args(["pre-push", "origin", "url", "--format", "json"]);
    let out = output_with_stdin(
        &mut cmd,
        format!("refs/heads/main {head} refs/heads/main {base}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let got = rules(&out);
    assert!(got.contains(&"npm-token".to_string()), "{got:?}");
    assert!(got.contains(&"config-changed".to_string()), "{got:?}");
}

/// The commit the hook reviews cannot bring its own config either (review
/// 4, #5): `scan --staged` and `check` under the pre-commit framework
/// (which sets `PRE_COMMIT=1`, and `PRE_COMMIT_FROM_REF` for a review of a
/// range) read the committed `.npmrc-guard.toml`, not the staged or work
/// tree one, and say so when they differ. A config committed before is
/// honoured.
#[test]
fn the_staged_commit_is_checked_under_the_committed_config() {
    for hides in ["exclude = [\"**/.npmrc\"]\n", "exclude = [\"app/**\"]\n"] {
        let repo = TestRepo::new();
        commit_files(&repo, &[("README.md", "x\n")], "base");
        let token = npm_token(2410);
        repo.write("app/.npmrc", &literal_npmrc(&token));
        repo.write(".npmrc-guard.toml", hides);
        repo.git(&["add", "-A"]);
        let out = repo.tool(&["scan", "--staged"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{hides}: {err}");
        assert!(
            err.contains(".npmrc-guard.toml differs from HEAD's"),
            "{err}"
        );
        let out = repo
            .tool_cmd(&["check", "--force-exclude", "app/.npmrc"])
            .env("PRE_COMMIT", "1")
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "check under pre-commit: {hides}"
        );
        // Outside the framework `check` reads the files as they are.
        let out = repo.tool(&["check", "--force-exclude", "app/.npmrc"]);
        assert_eq!(out.status.code(), Some(0), "check: {hides}");

        // Committed on its own first, the config applies.
        repo.git(&["reset", "-q", "app/.npmrc"]);
        repo.commit_setup("config");
        repo.git(&["add", "app/.npmrc"]);
        let out = repo.tool(&["scan", "--staged"]);
        assert_eq!(out.status.code(), Some(0), "{hides}: {}", text(&out.stdout));
        // A review of a range reads it at the range's base.
        let out = repo
            .tool_cmd(&["check", "--force-exclude", "app/.npmrc"])
            .env("PRE_COMMIT", "1")
            .env("PRE_COMMIT_FROM_REF", "HEAD~1")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "from-ref: {hides}");
    }
}

/// Under the pre-commit framework, a run that makes no commit (no
/// `GIT_INDEX_FILE`: `pre-commit run --all-files` in CI) reviews `HEAD`
/// itself, so the config comes from its base (review 5, #3): `HEAD`'s
/// first parent (GitHub's merge commit of a pull request: the target
/// branch), the merge base with `origin/$GITHUB_BASE_REF`, GitLab's
/// `CI_MERGE_REQUEST_DIFF_BASE_SHA`; a root commit has none, and no
/// config applies. A commit being made (git gives its hooks
/// `GIT_INDEX_FILE`) is checked with `HEAD`'s.
#[test]
fn a_run_on_the_checked_out_commit_takes_the_config_of_its_base() {
    checked_out_commit_review(false);
}

/// The same in SHA-256 repositories, where git's plumbing answers what
/// libgit2 answers in the others.
#[test]
fn a_sha256_run_on_the_checked_out_commit_takes_the_config_of_its_base() {
    checked_out_commit_review(true);
}

fn new_repo(sha256: bool) -> TestRepo {
    let repo = TestRepo::new();
    if sha256 {
        std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
        repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    }
    repo
}

fn checked_out_commit_review(sha256: bool) {
    let token = npm_token(2411);
    let pre_commit = |repo: &TestRepo, env: &[(&str, &str)]| {
        let mut cmd = repo.tool_cmd(&["check", "--force-exclude", "--project", "app/.npmrc"]);
        cmd.env("PRE_COMMIT", "1").env_remove("GIT_INDEX_FILE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("runs");
        assert_no_secret(&out, std::slice::from_ref(&token));
        out.status.code()
    };
    let repo = new_repo(sha256);
    commit_files(&repo, &[("README.md", "x\n")], "base");
    repo.git(&["checkout", "-qb", "pr"]);
    commit_files(
        &repo,
        &[
            (".npmrc-guard.toml", "exclude = [\"app/**\"]\n"),
            ("app/.npmrc", &literal_npmrc(&token)),
        ],
        "pr",
    );
    // The pull request's own commit, and the commit after it.
    assert_eq!(pre_commit(&repo, &[]), Some(1), "PR head");
    commit_files(&repo, &[("README.md", "y\n")], "more");
    assert_eq!(pre_commit(&repo, &[]), Some(0), "HEAD~1 holds the config");
    // ... which CI's base finds: origin/main's merge base.
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    assert_eq!(
        pre_commit(&repo, &[("GITHUB_BASE_REF", "main")]),
        Some(1),
        "GITHUB_BASE_REF"
    );
    let base = repo.git(&["rev-parse", "main"]);
    assert_eq!(
        pre_commit(&repo, &[("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.trim())]),
        Some(1),
        "CI_MERGE_REQUEST_DIFF_BASE_SHA"
    );
    // GitHub's merge commit: its first parent is the target branch.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "pr", "-m", "merge"]);
    assert_eq!(pre_commit(&repo, &[]), Some(1), "merge commit");
    // A commit being made: HEAD's config (the merge's) applies.
    let index = repo.root.join(".git/index");
    assert_eq!(
        pre_commit(&repo, &[("GIT_INDEX_FILE", index.to_str().expect("utf-8"))]),
        Some(0),
        "commit time"
    );
    // A depth-1 clone of the merge (actions/checkout's default): its
    // parents are not there, no config applies, and the note says how
    // to fetch one.
    let shallow = new_repo(sha256);
    let url = format!("file://{}", repo.root.display());
    shallow.git(&["fetch", "-q", "--depth", "1", &url, "main"]);
    shallow.git(&["checkout", "-q", "FETCH_HEAD"]);
    let mut cmd = shallow.tool_cmd(&["check", "--force-exclude", "--project", "app/.npmrc"]);
    let out = cmd
        .env("PRE_COMMIT", "1")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "shallow: {}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("fetch-depth: 0"),
        "{}",
        text(&out.stderr)
    );
    // In CI, `HEAD`'s parent may be the pull request's own first commit
    // (review 6, #1): only a base the CI names counts, and with none, no
    // config applies.
    repo.git(&["checkout", "-q", "pr"]);
    assert_eq!(pre_commit(&repo, &[]), Some(0), "outside CI: the parent");
    assert_eq!(
        pre_commit(&repo, &[("CI", "true")]),
        Some(1),
        "CI, no base named"
    );
    let event = repo.dir.path().join("event.json");
    let parent = repo.git(&["rev-parse", "HEAD~1"]);
    for (at, want) in [(base.trim(), 1), (parent.trim(), 0)] {
        std::fs::write(
            &event,
            format!("{{\"pull_request\":{{\"base\":{{\"sha\":\"{at}\"}}}}}}"),
        )
        .expect("write");
        let path = event.to_str().expect("utf-8");
        assert_eq!(
            pre_commit(&repo, &[("CI", "true"), ("GITHUB_EVENT_PATH", path)]),
            Some(want),
            "GitHub event base {at}"
        );
    }
    repo.git(&["checkout", "-q", "main"]);
    let merge = repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(
        pre_commit(
            &repo,
            &[
                ("CI", "true"),
                ("GITHUB_BASE_REF", "nowhere"),
                ("GITHUB_SHA", merge.trim())
            ]
        ),
        Some(1),
        "CI, GitHub's merge commit"
    );
    // A root commit has no base: no config applies.
    let root = new_repo(sha256);
    commit_files(
        &root,
        &[
            (".npmrc-guard.toml", "exclude = [\"app/**\"]\n"),
            ("app/.npmrc", &literal_npmrc(&token)),
        ],
        "root",
    );
    assert_eq!(pre_commit(&root, &[]), Some(1), "root commit");
}

/// In CI, `scan`, `scan --history` and `check` review `HEAD` itself: a
/// merge request or a pushed branch cannot bring the config that hides its
/// own token (review 7, #17 and #1). The config comes from the base the
/// CI names: GitLab's merge request base; on a push, the commit a push to
/// the default branch started from, and on another branch (whose last
/// push its own author made) where it left the default branch. `--config`
/// trusts a file by name.
#[test]
fn ci_scans_of_head_take_the_config_of_the_base_the_ci_names() {
    let (repo, base, head) = pull_request(|_| "exclude = [\".npmrc\"]\n".to_string());
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = repo.tool_cmd(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("runs");
        out.status.code()
    };
    let scans: [&[&str]; 4] = [
        &["scan"],
        &["scan", "--history"],
        &["check", "--force-exclude", ".npmrc"],
        &["scan", "--history", "--format", "json"],
    ];
    // Outside CI the checkout's own file applies (a developer's run).
    for args in scans {
        assert_eq!(run(args, &[]), Some(0), "{args:?} outside CI");
    }
    // GitLab merge request pipeline.
    let mr = [
        ("GITLAB_CI", "true"),
        ("CI", "true"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
    ];
    for args in scans {
        assert_eq!(run(args, &mr), Some(1), "{args:?} in an MR pipeline");
    }
    // A push to a feature branch whose previous push brought the config:
    // `before` is that push, the base is where it left main.
    repo.git(&["checkout", "-q", "-B", "feature", &head]);
    repo.git(&["branch", "-f", "main", &base]);
    repo.git(&["update-ref", "refs/remotes/origin/main", &base]);
    let event = repo.dir.path().join("push.json");
    std::fs::write(
        &event,
        format!("{{\"before\":\"{head}\",\"ref\":\"refs/heads/feature\",\"repository\":{{\"default_branch\":\"main\"}}}}"),
    )
    .expect("write");
    let path = event.to_str().expect("utf-8");
    let github = [
        ("CI", "true"),
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_PATH", path),
    ];
    for args in scans {
        assert_eq!(run(args, &github), Some(1), "{args:?} on a GitHub push");
    }
    let gitlab = [
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_BEFORE_SHA", head.as_str()),
        ("CI_COMMIT_BRANCH", "feature"),
        ("CI_DEFAULT_BRANCH", "main"),
    ];
    for args in scans {
        assert_eq!(run(args, &gitlab), Some(1), "{args:?} on a GitLab push");
    }
    // A CI naming no base: no config applies, and the note says how to
    // trust one by name.
    let out = repo
        .tool_cmd(&["scan"])
        .env("CI", "true")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--config .npmrc-guard.toml"),
        "{}",
        text(&out.stderr)
    );
    let trusted = run(
        &["scan", "--config", ".npmrc-guard.toml"],
        &[("CI", "true")],
    );
    assert_eq!(trusted, Some(0), "--config names a trusted file");
}

/// A `.npmrc-guard.toml` in `HEAD` that does not parse (a teammate's
/// conflict markers, a key a newer version knows) gives the defaults and a
/// note: the commit that repairs it, and any other, goes through the hook;
/// a token is still refused (review 7, #10). The work tree's file, being
/// edited, does not stop the hook either.
#[test]
fn a_broken_committed_config_gives_the_defaults_not_a_locked_repository() {
    for broken in [
        "<<<<<<< HEAD\nexclude = [\"a\"]\n=======\n",
        "severity = \"high\"\n",
    ] {
        let repo = TestRepo::new();
        commit_files(&repo, &[("README.md", "x\n")], "base");
        repo.write(".npmrc-guard.toml", broken);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "broken config"]);
        let out = repo.tool(&["install"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        // An unrelated commit, with the work tree's file half edited.
        repo.write("README.md", "y\n");
        repo.git(&["add", "README.md"]);
        repo.write(".npmrc-guard.toml", "exclude = [\n");
        let out = repo.git_out(&["commit", "-qm", "readme"]);
        assert!(out.status.success(), "{broken:?}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("the defaults apply"),
            "{}",
            text(&out.stderr)
        );
        // The repair on its own.
        repo.write(".npmrc-guard.toml", "exclude = [\"a/**\"]\n");
        repo.git(&["add", ".npmrc-guard.toml"]);
        let out = repo.git_out(&["commit", "-qm", "repair"]);
        assert!(out.status.success(), "{broken:?}: {}", text(&out.stderr));
        // Under the broken one, a token is still refused.
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
        let token = npm_token(2431);
        repo.write(".npmrc", &literal_npmrc(&token));
        repo.git(&["add", ".npmrc"]);
        let out = repo.tool(&["scan", "--staged"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_no_secret(&out, std::slice::from_ref(&token));
    }
}

/// A committed `.npmrc-guard.toml` that links to `/dev/zero` (or any file
/// that is no regular file) is never read without end (review 7, #7): the
/// hook reads `HEAD`'s (the link's text, no config: the defaults), a scan
/// of the work tree refuses it at once, a range never reads it.
#[test]
fn a_config_that_is_no_regular_file_is_never_read_without_end() {
    let repo = TestRepo::new();
    commit_files(&repo, &[("README.md", "x\n")], "base");
    std::os::unix::fs::symlink("/dev/zero", repo.root.join(".npmrc-guard.toml")).expect("link");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "link"]);
    repo.write("README.md", "y\n");
    repo.git(&["add", "README.md"]);
    let runs: [(&[&str], i32); 4] = [
        (&["scan", "--staged"], 0),
        (&["scan", "--history", "--range", "HEAD~1..HEAD"], 0),
        (&["scan"], 2),
        (&["check", "README.md"], 2),
    ];
    for (args, want) in runs {
        let out = npm::run(&format!("{args:?}"), &mut repo.tool_cmd(args), 30);
        assert_eq!(
            out.status.code(),
            Some(want),
            "{args:?}: {}",
            text(&out.stderr)
        );
        if want == 2 {
            assert!(
                text(&out.stderr).contains("not a regular file"),
                "{}",
                text(&out.stderr)
            );
        }
    }
}

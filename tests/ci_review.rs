//! In CI, `scan`, `scan --history` and `check` review `HEAD` itself: an
//! allow comment counts only where the base the CI names already has it,
//! as for `--range` and pre-push (attack 8, #1); a run on the default
//! branch's own tip that reviews no change (a schedule, a manual run) is
//! its own base, so its config and comments apply (attack 8, #5). Real git,
//! the CIs' own variables.

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

/// A `.npmrc` holding `token`, exempted by the comment above it.
fn allowed_npmrc(token: &str) -> String {
    format!("registry=https://registry.npmjs.org/\n; npmrc-guard: allow\n//registry.npmjs.org/:_authToken={token}\n")
}

/// Run the tool in `repo` with `env` added; its exit code and output,
/// after checking that no output holds one of `tokens` whole.
fn run(
    repo: &TestRepo,
    args: &[&str],
    env: &[(&str, &str)],
    tokens: &[String],
) -> (Option<i32>, String) {
    run_in(repo, "", args, env, tokens)
}

/// [`run`] in the folder `sub` of the work tree.
fn run_in(
    repo: &TestRepo,
    sub: &str,
    args: &[&str],
    env: &[(&str, &str)],
    tokens: &[String],
) -> (Option<i32>, String) {
    let mut cmd = repo.tool_cmd(args);
    cmd.current_dir(repo.root.join(sub));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    assert_no_secret(&out, tokens);
    (
        out.status.code(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

const UNEARNED: &str =
    "exempted by a `npmrc-guard: allow` comment that the commits under review add";

/// The runs CI makes of what is checked out (`check` as the published
/// pre-commit hook runs it, on every tracked `.npmrc`).
const SCANS: [&[&str]; 4] = [
    &["scan"],
    &["scan", "--history"],
    &["check", "--force-exclude", "--project", "README.md"],
    &["scan", "--history", "--format", "json"],
];

/// A merge request that adds its token with the comment that exempts it
/// does not silence its own pipeline: each scan of the checkout fails with
/// the message `--range` gives; with no base in the clone, no comment
/// counts and a note says how to fetch one. A comment the base already has
/// counts.
#[test]
fn a_review_in_ci_does_not_honour_an_allow_comment_it_adds() {
    review_in_ci(false);
}

/// The same in a repository libgit2 cannot open: git's plumbing answers.
#[test]
fn a_sha256_review_in_ci_does_not_honour_an_allow_comment_it_adds() {
    review_in_ci(true);
}

fn new_repo(sha256: bool) -> TestRepo {
    let repo = TestRepo::new();
    if sha256 {
        std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
        repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    }
    repo
}

fn review_in_ci(sha256: bool) {
    let repo = new_repo(sha256);
    let token = npm_token(2481);
    let base = commit_files(
        &repo,
        &[("package.json", "{\"name\":\"x\"}\n"), ("README.md", "x\n")],
        "base",
    );
    repo.git(&["checkout", "-qb", "mr"]);
    commit_files(&repo, &[(".npmrc", &allowed_npmrc(&token))], "mr");
    // Outside CI the comment is the user's own: it counts.
    for args in SCANS {
        assert_eq!(
            run(&repo, args, &[], std::slice::from_ref(&token)).0,
            Some(0),
            "{args:?} outside CI"
        );
    }
    let gitlab_mr = [
        ("CI", "true"),
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ("CI_DEFAULT_BRANCH", "main"),
    ];
    let event = repo.dir.path().join("event.json");
    std::fs::write(
        &event,
        format!("{{\"pull_request\":{{\"base\":{{\"sha\":\"{base}\"}}}}}}"),
    )
    .expect("write");
    let path = event.to_str().expect("utf-8");
    let github_pr = [
        ("CI", "true"),
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", path),
    ];
    for env in [&gitlab_mr[..], &github_pr[..]] {
        for args in SCANS {
            let (code, said) = run(&repo, args, env, std::slice::from_ref(&token));
            assert_eq!(code, Some(1), "{args:?} {env:?}: {said}");
            // The human report says why (JSON has no such field).
            let human = !args.contains(&"json");
            assert!(!human || said.contains(UNEARNED), "{args:?}: {said}");
        }
    }
    // The published pre-commit hook under `pre-commit run --from-ref
    // BASE --to-ref HEAD`, in CI or not.
    let from_ref = [
        ("PRE_COMMIT", "1"),
        ("PRE_COMMIT_FROM_REF", base.as_str()),
        ("PRE_COMMIT_TO_REF", "HEAD"),
    ];
    let (code, said) = run(&repo, SCANS[2], &from_ref, std::slice::from_ref(&token));
    assert_eq!(code, Some(1), "--from-ref: {said}");
    assert!(said.contains(UNEARNED), "{said}");
    // A commit being made: the comment it adds is its author's own, as for
    // `scan --staged`.
    let index = repo.root.join(".git/index");
    let committing = [
        ("PRE_COMMIT", "1"),
        ("GIT_INDEX_FILE", index.to_str().expect("utf-8")),
    ];
    let mine = npm_token(2486);
    repo.write(".npmrc", &allowed_npmrc(&mine));
    repo.git(&["add", ".npmrc"]);
    let (code, said) = run(&repo, SCANS[2], &committing, &[token.clone(), mine]);
    assert_eq!(code, Some(0), "commit time, a new comment: {said}");
    repo.git(&["reset", "-q", "--hard"]);
    assert_eq!(
        run(&repo, SCANS[2], &committing, std::slice::from_ref(&token)).0,
        Some(0),
        "commit time"
    );
    // In CI with no base in the clone: no comment counts, and the note
    // says how to fetch the base.
    for args in SCANS {
        let (code, said) = run(&repo, args, &[("CI", "true")], std::slice::from_ref(&token));
        assert_eq!(code, Some(1), "{args:?} with no base: {said}");
        assert!(said.contains("fetch-depth: 0"), "{args:?}: {said}");
    }
    // Once the comment is on the base side (merged), a later merge
    // request that touches something else passes, and so does the whole
    // history, the commit that brought the comment included.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--ff-only", "mr"]);
    let merged = repo.head().expect("HEAD");
    repo.git(&["checkout", "-qb", "next"]);
    commit_files(&repo, &[("README.md", "x\n"), ("sub/x.txt", "x\n")], "next");
    let gitlab_next = [
        ("CI", "true"),
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_DIFF_BASE_SHA", merged.as_str()),
    ];
    for args in SCANS {
        let (code, said) = run(&repo, args, &gitlab_next, std::slice::from_ref(&token));
        assert_eq!(code, Some(0), "{args:?} after the merge: {said}");
    }
    // From a folder inside the work tree: the same files, the same base.
    let from_sub: [&[&str]; 3] = [
        &["scan"],
        &["scan", "--history"],
        &[
            "check",
            "--force-exclude",
            "../.npmrc",
            "./../sub/../.npmrc",
        ],
    ];
    for (env, want) in [(&gitlab_next[..], 0), (&gitlab_mr[..], 1)] {
        for args in from_sub {
            let (code, said) = run_in(&repo, "sub", args, env, std::slice::from_ref(&token));
            assert_eq!(code, Some(want), "{args:?} in sub/ {env:?}: {said}");
        }
    }
}

/// The README's history job on `workflow_dispatch` and `schedule`, and a
/// GitLab scheduled or manual pipeline, on the default branch's tip: its
/// `allow` of a revoked token in history and its comments apply. A run on
/// another branch, or whose checkout is not the tip, or a push, keeps the
/// old rule: a change cannot bring its own config or comment.
#[test]
fn a_run_on_the_default_branch_tip_that_reviews_no_change_is_its_own_base() {
    own_base(false);
}

#[test]
fn a_sha256_run_on_the_default_branch_tip_that_reviews_no_change_is_its_own_base() {
    own_base(true);
}

fn own_base(sha256: bool) {
    let repo = new_repo(sha256);
    let revoked = npm_token(2482);
    let local = npm_token(2483);
    commit_files(&repo, &[("README.md", "x\n")], "init");
    commit_files(&repo, &[(".npmrc", &literal_npmrc(&revoked))], "leak");
    repo.git(&["rm", "-q", ".npmrc"]);
    repo.commit_setup("rm (token revoked)");
    // A comment the default branch once held, on a file removed since:
    // what was merged was reviewed, and counts as it stands.
    let gone = npm_token(2485);
    commit_files(
        &repo,
        &[("old/.npmrc", &allowed_npmrc(&gone))],
        "old local registry",
    );
    repo.git(&["rm", "-q", "old/.npmrc"]);
    repo.commit_setup("rm old local registry");
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let fp = v["findings"][0]["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    commit_files(
        &repo,
        &[
            (
                ".npmrc-guard.toml",
                &format!("# revoked\nallow = [\"{fp}\"]\n"),
            ),
            ("app/.npmrc", &allowed_npmrc(&local)),
        ],
        "allow the revoked token; a local registry's token",
    );
    let tip = repo.head().expect("HEAD");
    repo.git(&["update-ref", "refs/remotes/origin/main", "main"]);
    let both = [revoked.clone(), local.clone(), gone.clone()];
    let event = repo.dir.path().join("event.json");
    let path = event.to_str().expect("utf-8").to_string();
    let github = |name: &str, git_ref: &str, payload: &str, sha: &str| {
        std::fs::write(&event, payload).expect("write");
        let env = [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", name),
            ("GITHUB_EVENT_PATH", path.as_str()),
            ("GITHUB_REF", git_ref),
            ("GITHUB_SHA", sha),
        ];
        let mut codes = Vec::new();
        for args in SCANS {
            let (code, said) = run(&repo, args, &env, &both);
            codes.push((code, said));
        }
        codes
    };
    let dispatch =
        r#"{"ref":"refs/heads/main","inputs":{},"repository":{"default_branch":"main"}}"#;
    let schedule = r#"{"schedule":"17 3 * * 1"}"#;
    for (name, payload) in [("workflow_dispatch", dispatch), ("schedule", schedule)] {
        for (code, said) in github(name, "refs/heads/main", payload, &tip) {
            assert_eq!(code, Some(0), "{name}: {said}");
        }
    }
    let gitlab = |source: &str, branch: &str, before: &str| {
        let env = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", source),
            ("CI_COMMIT_BRANCH", branch),
            ("CI_DEFAULT_BRANCH", "main"),
            ("CI_COMMIT_BEFORE_SHA", before),
            ("CI_COMMIT_SHA", tip.as_str()),
        ];
        SCANS
            .iter()
            .map(|args| run(&repo, args, &env, &both))
            .collect::<Vec<_>>()
    };
    let zeros = "0".repeat(40);
    for source in ["schedule", "web"] {
        for (code, said) in gitlab(source, "main", &zeros) {
            assert_eq!(code, Some(0), "GitLab {source}: {said}");
        }
    }
    // A push with no `before` (the default branch created) brings its
    // commits: no base, no config, no comment.
    for (code, said) in gitlab("push", "main", &zeros) {
        assert_eq!(code, Some(1), "GitLab push: {said}");
    }
    let push = format!(
        r#"{{"before":"{zeros}","ref":"refs/heads/main","repository":{{"default_branch":"main"}}}}"#
    );
    for (code, said) in github("push", "refs/heads/main", &push, &tip) {
        assert_eq!(code, Some(1), "GitHub push: {said}");
    }
    // A checkout that is not the default branch's tip: a branch that adds
    // its own token with its own comment and config.
    repo.git(&["checkout", "-qb", "feature"]);
    let theirs = npm_token(2484);
    commit_files(
        &repo,
        &[
            (".npmrc", &allowed_npmrc(&theirs)),
            (".npmrc-guard.toml", "exclude = [\"app/**\"]\n"),
        ],
        "feature: its own token, comment and config",
    );
    let all = [both.to_vec(), vec![theirs.clone()]].concat();
    let feature_tip = repo.head().expect("HEAD");
    let on_feature = |env: &[(&str, &str)]| {
        SCANS
            .iter()
            .map(|args| run(&repo, args, env, &all))
            .collect::<Vec<_>>()
    };
    // A manual run of `main` whose checkout is the feature (a workflow
    // that checks out another ref), a manual run of the feature, and a
    // GitLab schedule of the feature: never their own base.
    std::fs::write(&event, dispatch).expect("write");
    let other = r#"{"ref":"refs/heads/feature","repository":{"default_branch":"main"}}"#;
    let runs: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "dispatch of main, feature checked out",
            vec![
                ("GITHUB_EVENT_NAME", "workflow_dispatch"),
                ("GITHUB_REF", "refs/heads/main"),
                ("GITHUB_SHA", tip.as_str()),
            ],
        ),
        (
            "dispatch of the feature",
            vec![
                ("GITHUB_EVENT_NAME", "workflow_dispatch"),
                ("GITHUB_REF", "refs/heads/feature"),
                ("GITHUB_SHA", feature_tip.as_str()),
            ],
        ),
        (
            "GitLab schedule of the feature",
            vec![
                ("CI_PIPELINE_SOURCE", "schedule"),
                ("CI_COMMIT_BRANCH", "feature"),
                ("CI_DEFAULT_BRANCH", "main"),
                ("CI_COMMIT_SHA", feature_tip.as_str()),
            ],
        ),
    ];
    for (what, vars) in runs {
        let payload = if what == "dispatch of the feature" {
            other
        } else {
            dispatch
        };
        std::fs::write(&event, payload).expect("write");
        let mut env = vec![("CI", "true"), ("GITHUB_EVENT_PATH", path.as_str())];
        env.extend(vars);
        for (code, said) in on_feature(&env) {
            assert_eq!(code, Some(1), "{what}: {said}");
        }
    }
}

/// A `.npmrc` that is a symbolic link is judged by its target's version
/// on the base side: a comment the base's target holds counts, one a
/// merge request adds to the target does not.
#[test]
fn a_linked_npmrc_is_judged_by_its_target_on_the_base_side() {
    linked_npmrc(false);
}

#[test]
fn a_sha256_linked_npmrc_is_judged_by_its_target_on_the_base_side() {
    linked_npmrc(true);
}

fn linked_npmrc(sha256: bool) {
    let repo = new_repo(sha256);
    let kept = npm_token(2487);
    repo.write("conf/npmrc", &allowed_npmrc(&kept));
    std::os::unix::fs::symlink("conf/npmrc", repo.root.join(".npmrc")).expect("symlink");
    let base = commit_files(&repo, &[("README.md", "x\n")], "base: a linked .npmrc");
    commit_files(&repo, &[("README.md", "y\n")], "mr: something else");
    let mr = |base: &str| {
        [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base),
        ]
        .map(|(k, v)| (k, v.to_string()))
    };
    let env = mr(&base);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for args in SCANS {
        let (code, said) = run(&repo, args, &env, std::slice::from_ref(&kept));
        assert_eq!(code, Some(0), "{args:?}, the base's comment: {said}");
    }
    // So does a range review, which reads the link's target at its tip.
    let range = format!("{base}..HEAD");
    let (code, said) = run(
        &repo,
        &["scan", "--history", "--range", &range],
        &[],
        std::slice::from_ref(&kept),
    );
    assert_eq!(code, Some(0), "--range, the base's comment: {said}");
    let added = npm_token(2488);
    let base = repo.head().expect("HEAD");
    repo.write("conf/npmrc", &allowed_npmrc(&added));
    commit_files(&repo, &[], "mr: its own token and comment in the target");
    let env = mr(&base);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for args in SCANS {
        let (code, said) = run(&repo, args, &env, &[kept.clone(), added.clone()]);
        assert_eq!(code, Some(1), "{args:?}, the MR's comment: {said}");
    }
}

//! Where a CI says the change it runs on starts: the base of a review of
//! the commit checked out (`pre-commit run --all-files`), whose own
//! `.npmrc-guard.toml` must not decide its scan (review 5 #3, review 6
//! #1). Read from the environment the CI sets, never from the commits.

use std::path::Path;

/// What the environment says about the run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Base {
    /// Whether a CI runs this (`CI` set, not `false`).
    pub in_ci: bool,
    /// Commits or refs the CI names as the base, best first: each is used
    /// when the clone holds it.
    pub revs: Vec<String>,
    /// A pull request's branch to merge `HEAD` with at its merge base
    /// (GitHub's `GITHUB_BASE_REF`), as `refs/remotes/origin/<branch>`.
    pub merge_with: Option<String>,
    /// GitHub checked out its merge commit of a pull request (`GITHUB_SHA`),
    /// whose first parent is the base branch.
    pub merge_commit: Option<String>,
    /// A run on the default branch that reviews no change (a schedule, a
    /// manual run): the commit the CI names for it and the branch's
    /// remote-tracking ref. When `HEAD` is one of them it is its own base:
    /// the default branch's tip is what was reviewed and merged.
    pub own_tip: Vec<String>,
}

/// Whether a CI runs this, by what `env` (a variable lookup) holds: `CI`
/// as most set it (not `false` or `0`), and the CIs that set only their
/// own names (Jenkins, Azure Pipelines, TeamCity, AWS CodeBuild, Bamboo,
/// GoCD, Harness), with the others' for good measure.
pub fn in_ci(env: &dyn Fn(&str) -> Option<String>) -> bool {
    let var = |n: &str| env(n).filter(|v| !v.is_empty());
    var("CI").is_some_and(|v| !v.eq_ignore_ascii_case("false") && v != "0")
        || [
            "GITHUB_ACTIONS",
            "GITLAB_CI",
            "JENKINS_URL",
            "TF_BUILD",
            "TEAMCITY_VERSION",
            "BUILDKITE",
            "CIRCLECI",
            "BITBUCKET_BUILD_NUMBER",
            "PRE_COMMIT_CI",
            "CODEBUILD_BUILD_ID",
            "bamboo_buildKey",
            "GO_PIPELINE_NAME",
            "HARNESS_BUILD_ID",
        ]
        .iter()
        .any(|n| var(n).is_some())
}

/// The base `env` (a variable lookup) describes, reading GitHub's event
/// file through `read`.
pub fn base(env: &dyn Fn(&str) -> Option<String>, read: &dyn Fn(&Path) -> Option<Vec<u8>>) -> Base {
    let var = |n: &str| env(n).filter(|v| !v.is_empty());
    let in_ci = in_ci(env);
    let mut revs = Vec::new();
    let mut own_tip = Vec::new();
    let mut merge_with = var("GITHUB_BASE_REF");
    // GitHub: the event's own base (a pull request's base commit, or the
    // commit a push to the default branch started from).
    let event = var("GITHUB_EVENT_PATH")
        .and_then(|p| read(Path::new(&p)))
        .and_then(|e| serde_json::from_slice::<serde_json::Value>(&e).ok())
        .unwrap_or_default();
    let text = |at: &str| {
        event
            .pointer(at)
            .and_then(|s| s.as_str())
            .map(str::to_string)
    };
    let default = text("/repository/default_branch");
    // A pull request's own `before` (its previous head, on a
    // `synchronize`) is a commit under review: only a push's counts.
    if event.get("pull_request").is_some() {
        revs.extend(text("/pull_request/base/sha"));
    } else if event.get("merge_group").is_some() {
        revs.extend(text("/merge_group/base_sha"));
    } else {
        if let Some(default) = &default {
            // A push to another branch started from that branch's own
            // last push, which the same author made (review 7, #1): its
            // base is where it left the default branch.
            if text("/ref").as_deref() == Some(&format!("refs/heads/{default}")) {
                revs.extend(text("/before"));
            } else if merge_with.is_none() {
                merge_with = Some(default.clone());
            }
        }
        // A schedule's event file names no branch: the run's own name and
        // ref say what it is on.
        let on_default = github_default_run(
            var("GITHUB_EVENT_NAME").as_deref(),
            var("GITHUB_REF").as_deref(),
            default.as_deref(),
        );
        if let Some(branch) = on_default.filter(|_| var("GITHUB_BASE_REF").is_none()) {
            own_tip.extend(var("GITHUB_SHA"));
            own_tip.push(format!("refs/remotes/origin/{branch}"));
        }
    }
    // GitLab: a merge request's base; the commit a push to the default
    // branch started from, or, on another branch, where it left it.
    revs.extend(var("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
    if let Some(default) = var("CI_DEFAULT_BRANCH") {
        if var("CI_COMMIT_BRANCH").as_deref() == Some(default.as_str()) {
            revs.extend(var("CI_COMMIT_BEFORE_SHA"));
        } else if merge_with.is_none() && var("CI_MERGE_REQUEST_DIFF_BASE_SHA").is_none() {
            merge_with = Some(default);
        }
    }
    let merge_request =
        var("CI_MERGE_REQUEST_DIFF_BASE_SHA").is_some() || var("CI_MERGE_REQUEST_IID").is_some();
    let on_default = gitlab_default_run(
        var("CI_PIPELINE_SOURCE").as_deref(),
        var("CI_COMMIT_BRANCH").as_deref(),
        var("CI_DEFAULT_BRANCH").as_deref(),
    );
    if let Some(branch) = on_default.filter(|_| !merge_request) {
        own_tip.extend(var("CI_COMMIT_SHA"));
        own_tip.push(format!("refs/remotes/origin/{branch}"));
    }
    // Another CI (Jenkins, Azure Pipelines, Bitbucket, Buildkite,
    // CircleCI, …; review 9, #5): a pull request's target branch where the
    // CI names one, else the clone's default branch (`origin/HEAD`): the
    // base is where `HEAD` left it, and the default branch's own tip is
    // its own base.
    let github_or_gitlab = [
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_PATH",
        "GITHUB_BASE_REF",
        "GITHUB_SHA",
        "GITLAB_CI",
        "CI_DEFAULT_BRANCH",
        "CI_COMMIT_SHA",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
        "CI_PIPELINE_SOURCE",
    ]
    .iter()
    .any(|n| var(n).is_some());
    if in_ci && !github_or_gitlab {
        let target = var("SYSTEM_PULLREQUEST_TARGETBRANCH")
            .map(|b| b.trim_start_matches("refs/heads/").to_string())
            .or_else(|| var("BITBUCKET_PR_DESTINATION_BRANCH"))
            .or_else(|| var("CHANGE_TARGET"))
            .or_else(|| var("BUILDKITE_PULL_REQUEST_BASE_BRANCH"));
        if target.is_none() {
            own_tip.push("refs/remotes/origin/HEAD".to_string());
        }
        merge_with = merge_with.or(target).or_else(|| Some("HEAD".to_string()));
    }
    // A push of a new branch names no commit before it (all zeros).
    revs.retain(|r| is_commit_id(r) && r.bytes().any(|b| b != b'0'));
    own_tip.retain(|r| r.starts_with("refs/") || is_commit_id(r));
    let merge_commit = var("GITHUB_BASE_REF")
        .and(var("GITHUB_SHA"))
        .filter(|s| is_commit_id(s));
    Base {
        in_ci,
        revs,
        merge_with: merge_with.map(|b| format!("refs/remotes/origin/{b}")),
        merge_commit,
        own_tip,
    }
}

/// The default branch a GitHub run of `event` on `git_ref` that reviews
/// no change is on: a schedule (GitHub runs those only on the default
/// branch, and its event file names none), or a manual run
/// (`workflow_dispatch`) of the branch the event names as the default
/// (`default`). A push reviews what it brings (its `before`); any other
/// event, or a ref that is not that branch: none.
fn github_default_run(
    event: Option<&str>,
    git_ref: Option<&str>,
    default: Option<&str>,
) -> Option<String> {
    let branch = git_ref?.strip_prefix("refs/heads/")?;
    match event? {
        "schedule" => Some(branch.to_string()),
        "workflow_dispatch" if default == Some(branch) => Some(branch.to_string()),
        _ => None,
    }
}

/// The default branch a GitLab pipeline from `source` on `branch` that
/// reviews no change is on: a scheduled one, or one run by hand, by the
/// API or by a trigger, on the default branch (`default`). A push reviews
/// what it brings; a merge request has no branch.
fn gitlab_default_run(
    source: Option<&str>,
    branch: Option<&str>,
    default: Option<&str>,
) -> Option<String> {
    let on_default = branch.is_some() && branch == default;
    let by_hand_or_clock = matches!(source?, "schedule" | "web" | "api" | "trigger");
    (on_default && by_hand_or_clock).then(|| branch.unwrap_or_default().to_string())
}

/// What [`Base::choose`] asks of a repository, answered by libgit2 or by
/// git's plumbing (a repository libgit2 cannot open: SHA-256).
pub trait Commits {
    /// The full id of the commit `rev` names, when the clone holds it.
    fn commit(&self, rev: &str) -> Option<String>;
    /// The merge base of two commits.
    fn merge_base(&self, a: &str, b: &str) -> Option<String>;
    /// A commit's parents, first parent first.
    fn parents(&self, id: &str) -> Vec<String>;
    /// The commit `id` and every commit it reaches (none when the clone
    /// does not hold it).
    fn ancestors(&self, id: &str) -> std::collections::HashSet<String>;
}

impl Base {
    /// The commit a review of `HEAD` takes its config from: the first
    /// base the CI names that the clone holds; the merge base with the
    /// pull request's branch; the base branch's side of GitHub's merge
    /// commit; `HEAD` itself when it is the default branch's tip in a run
    /// that reviews no change; outside CI, `HEAD`'s first parent. In CI
    /// with none of them, `None`: never a commit under review.
    pub fn choose(&self, repo: &(impl Commits + ?Sized)) -> Option<String> {
        let head = repo.commit("HEAD")?;
        if let Some(id) = self.revs.iter().find_map(|rev| repo.commit(rev)) {
            return Some(id);
        }
        // A merge base that is HEAD is no base: the branch named is HEAD
        // or holds it (a clone of the merge commit alone under the base
        // branch's name; review 9, #8), and HEAD is what is reviewed.
        if let Some(target) = self.merge_with.as_deref().and_then(|r| repo.commit(r)) {
            if let Some(base) = repo.merge_base(&head, &target).filter(|b| *b != head) {
                return Some(base);
            }
        }
        // A parent the clone does not hold is no base (a shallow clone:
        // actions/checkout's default depth 1 holds the merge commit alone;
        // review 9, #8).
        let parents = repo.parents(&head);
        let first = parents
            .first()
            .filter(|p| repo.commit(p).is_some())
            .cloned();
        if self.merge_commit.as_deref() == Some(head.as_str())
            && parents.len() > 1
            && first.is_some()
        {
            return first;
        }
        if self
            .own_tip
            .iter()
            .any(|tip| repo.commit(tip).as_deref() == Some(head.as_str()))
        {
            return Some(head);
        }
        if self.in_ci {
            return None;
        }
        first
    }
}

fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A history: each commit's parents; `origin/main` and HEAD by name.
    struct Fake(Vec<(&'static str, Vec<&'static str>)>);

    impl Commits for Fake {
        fn commit(&self, rev: &str) -> Option<String> {
            let rev = match rev {
                "HEAD" => "h",
                "refs/remotes/origin/main" => "m",
                r => r,
            };
            self.0
                .iter()
                .find(|(c, _)| *c == rev)
                .map(|(c, _)| c.to_string())
        }
        fn merge_base(&self, a: &str, b: &str) -> Option<String> {
            // Enough for the shapes below: the first parent of b that a
            // also reaches through its first parents.
            let firsts = |mut c: String| {
                let mut out = vec![c.clone()];
                while let Some(p) = self.parents(&c).into_iter().next() {
                    out.push(p.clone());
                    c = p;
                }
                out
            };
            let from_a = firsts(a.to_string());
            firsts(b.to_string())
                .into_iter()
                .find(|c| from_a.contains(c))
        }
        fn parents(&self, id: &str) -> Vec<String> {
            let found = self.0.iter().find(|(c, _)| *c == id);
            found.map_or_else(Vec::new, |(_, p)| p.iter().map(|s| s.to_string()).collect())
        }
        fn ancestors(&self, id: &str) -> std::collections::HashSet<String> {
            let mut out = std::collections::HashSet::new();
            let mut todo = vec![id.to_string()];
            while let Some(c) = todo.pop() {
                if self.commit(&c).is_some() && out.insert(c.clone()) {
                    todo.extend(self.parents(&c));
                }
            }
            out
        }
    }

    #[test]
    fn the_base_chosen_is_never_a_commit_under_review() {
        // b <- m (origin/main); b <- p1 <- p2 <- h (the PR's two commits).
        let history = Fake(vec![
            ("b", vec![]),
            ("m", vec!["b"]),
            ("p1", vec!["b"]),
            ("p2", vec!["p1"]),
            ("h", vec!["p2"]),
        ]);
        let base = |revs: &[&str], merge_with: bool, merge_commit: Option<&str>, in_ci| Base {
            in_ci,
            revs: revs.iter().map(|s| s.to_string()).collect(),
            merge_with: merge_with.then(|| "refs/remotes/origin/main".to_string()),
            merge_commit: merge_commit.map(str::to_string),
            own_tip: Vec::new(),
        };
        // The first named base the clone holds.
        let got = base(&["gone", "m"], true, None, true).choose(&history);
        assert_eq!(got.as_deref(), Some("m"));
        // None held: the merge base with the PR's branch.
        let got = base(&["gone"], true, None, true).choose(&history);
        assert_eq!(got.as_deref(), Some("b"));
        // In CI with nothing named: none, never HEAD's parent (the PR's).
        assert_eq!(base(&[], false, None, true).choose(&history), None);
        assert_eq!(base(&["gone"], false, None, true).choose(&history), None);
        // Outside CI: HEAD's first parent.
        let got = base(&[], false, None, false).choose(&history);
        assert_eq!(got.as_deref(), Some("p2"));
        // GitHub's merge commit: its first parent is the base branch.
        let merged = Fake(vec![("b", vec![]), ("x", vec!["b"]), ("h", vec!["b", "x"])]);
        let got = base(&[], false, Some("h"), true).choose(&merged);
        assert_eq!(got.as_deref(), Some("b"));
        // Not the commit checked out: no base.
        assert_eq!(base(&[], false, Some("z"), true).choose(&merged), None);
        // A shallow clone holds the merge commit alone (actions/checkout's
        // default): its parents are named, not held, so there is no base
        // (review 9, #8); nor outside CI.
        let shallow = Fake(vec![("h", vec!["b", "x"])]);
        assert_eq!(base(&[], false, Some("h"), true).choose(&shallow), None);
        assert_eq!(base(&[], false, None, false).choose(&shallow), None);
        // ... and when that clone names the merge commit as the base branch
        // (origin/main is HEAD), the merge base is HEAD: no base either.
        let cloned = Fake(vec![("h", vec!["b", "x"]), ("m", vec!["h"])]);
        assert_eq!(base(&[], true, Some("h"), true).choose(&cloned), None);
        // No HEAD: none.
        assert_eq!(base(&["m"], true, None, false).choose(&Fake(vec![])), None);
        // A run on the default branch that reviews no change: HEAD is its
        // own base only when it is that branch's tip.
        let own = |tips: &[&str]| Base {
            own_tip: tips.iter().map(|s| s.to_string()).collect(),
            ..base(&[], false, None, true)
        };
        assert_eq!(own(&["gone", "h"]).choose(&history).as_deref(), Some("h"));
        assert_eq!(own(&["refs/remotes/origin/main"]).choose(&history), None);
        assert_eq!(own(&["p2", "gone"]).choose(&history), None);
        // A base the CI names comes first.
        let named = Base {
            revs: vec!["m".to_string()],
            ..own(&["h"])
        };
        assert_eq!(named.choose(&history).as_deref(), Some("m"));
    }

    #[test]
    fn a_run_that_reviews_no_change_on_the_default_branch_is_its_own_base() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let zeros = "0".repeat(40);
        let tip = |sha: &str| vec![sha.to_string(), "refs/remotes/origin/main".to_string()];
        let github = |name: &str, git_ref: &str, event: &str| {
            with(
                &[
                    ("CI", "true"),
                    ("GITHUB_ACTIONS", "true"),
                    ("GITHUB_EVENT_NAME", name),
                    ("GITHUB_EVENT_PATH", "/e"),
                    ("GITHUB_REF", git_ref),
                    ("GITHUB_SHA", &b),
                ],
                Some(event),
            )
        };
        let dispatch =
            r#"{"ref":"refs/heads/main","inputs":{},"repository":{"default_branch":"main"}}"#;
        let got = github("workflow_dispatch", "refs/heads/main", dispatch);
        assert_eq!(got.own_tip, tip(&b));
        assert!(got.revs.is_empty());
        // A schedule's event names no branch: GitHub runs it on the default.
        let got = github(
            "schedule",
            "refs/heads/main",
            r#"{"schedule":"17 3 * * 1"}"#,
        );
        assert_eq!(got.own_tip, tip(&b));
        // Not the default branch, or not shown to be: today's rules.
        let other = r#"{"ref":"refs/heads/feature","repository":{"default_branch":"main"}}"#;
        let got = github("workflow_dispatch", "refs/heads/feature", other);
        assert!(got.own_tip.is_empty());
        assert_eq!(got.merge_with.as_deref(), Some("refs/remotes/origin/main"));
        let unnamed = r#"{"ref":"refs/heads/main"}"#;
        assert!(github("workflow_dispatch", "refs/heads/main", unnamed)
            .own_tip
            .is_empty());
        assert!(github("schedule", "refs/tags/v1", "{}").own_tip.is_empty());
        // A push reviews what it brings, even with no `before`; a pull
        // request or a merge queue is a review.
        let push = format!(
            r#"{{"before":"{zeros}","ref":"refs/heads/main","repository":{{"default_branch":"main"}}}}"#
        );
        assert!(github("push", "refs/heads/main", &push).own_tip.is_empty());
        let pr = format!(
            r#"{{"pull_request":{{"base":{{"sha":"{a}"}}}},"repository":{{"default_branch":"main"}}}}"#
        );
        assert!(github("schedule", "refs/heads/main", &pr)
            .own_tip
            .is_empty());
        assert!(github("pull_request_target", "refs/heads/main", dispatch)
            .own_tip
            .is_empty());
        let queue = format!(r#"{{"merge_group":{{"base_sha":"{a}"}}}}"#);
        assert!(github("schedule", "refs/heads/main", &queue)
            .own_tip
            .is_empty());
        // GitLab: a scheduled pipeline, or one run by hand, on the default
        // branch (no `before`).
        let gitlab = |source: &str, branch: &str, extra: &[(&str, &str)]| {
            // The first of a name wins: `extra` overrides.
            let mut vars = extra.to_vec();
            vars.extend([
                ("CI", "true"),
                ("GITLAB_CI", "true"),
                ("CI_PIPELINE_SOURCE", source),
                ("CI_COMMIT_BRANCH", branch),
                ("CI_DEFAULT_BRANCH", "main"),
                ("CI_COMMIT_BEFORE_SHA", zeros.as_str()),
                ("CI_COMMIT_SHA", b.as_str()),
            ]);
            with(&vars, None)
        };
        for source in ["schedule", "web", "api", "trigger"] {
            let got = gitlab(source, "main", &[]);
            assert_eq!(got.own_tip, tip(&b), "{source}");
            assert!(got.revs.is_empty(), "{source}");
        }
        assert!(gitlab("push", "main", &[]).own_tip.is_empty());
        assert!(gitlab("merge_request_event", "main", &[])
            .own_tip
            .is_empty());
        assert!(gitlab("schedule", "feature", &[]).own_tip.is_empty());
        assert!(gitlab("schedule", "main", &[("CI_MERGE_REQUEST_IID", "7")])
            .own_tip
            .is_empty());
        // A `before` the pipeline names still comes first.
        let got = gitlab("web", "main", &[("CI_COMMIT_BEFORE_SHA", a.as_str())]);
        assert_eq!(got.revs, std::slice::from_ref(&a));
    }

    fn with(vars: &[(&str, &str)], event: Option<&str>) -> Base {
        let env = |n: &str| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        };
        let read = |_: &Path| event.map(|e| e.as_bytes().to_vec());
        base(&env, &read)
    }

    #[test]
    fn other_cis_take_the_default_branch_or_the_target_they_name() {
        for vars in [
            &[("CIRCLECI", "true"), ("CIRCLE_BRANCH", "feature")][..],
            &[("JENKINS_URL", "http://j/"), ("BRANCH_NAME", "main")][..],
            &[("CI", "true"), ("BITBUCKET_BUILD_NUMBER", "7")][..],
        ] {
            let got = with(vars, None);
            assert_eq!(got.merge_with.as_deref(), Some("refs/remotes/origin/HEAD"));
            assert_eq!(got.own_tip, ["refs/remotes/origin/HEAD"]);
        }
        for (vars, target) in [
            (
                &[
                    ("TF_BUILD", "True"),
                    ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/dev"),
                ][..],
                "dev",
            ),
            (
                &[("CI", "true"), ("BITBUCKET_PR_DESTINATION_BRANCH", "main")][..],
                "main",
            ),
            (
                &[("JENKINS_URL", "http://j/"), ("CHANGE_TARGET", "release")][..],
                "release",
            ),
        ] {
            let got = with(vars, None);
            let want = format!("refs/remotes/origin/{target}");
            assert_eq!(got.merge_with.as_deref(), Some(want.as_str()));
            assert!(got.own_tip.is_empty());
        }
        // Outside CI, and GitHub's or GitLab's own rules: untouched.
        assert_eq!(with(&[], None).merge_with, None);
        let gitlab = with(&[("GITLAB_CI", "true"), ("CI", "true")], None);
        assert!(gitlab.merge_with.is_none() && gitlab.own_tip.is_empty());
        // The tip of origin's default branch is its own base; a branch
        // takes the merge base; HEAD is never its own merge base.
        let history = Fake(vec![("b", vec![]), ("h", vec!["b"]), ("m", vec!["b"])]);
        let other = with(&[("CIRCLECI", "true")], None);
        let on_tip = Fake(vec![("b", vec![]), ("h", vec!["b"])]);
        /// A history whose `origin/HEAD` names the given commit.
        struct OriginHead(Fake, &'static str);
        impl Commits for OriginHead {
            fn commit(&self, rev: &str) -> Option<String> {
                let rev = if rev == "refs/remotes/origin/HEAD" {
                    self.1
                } else {
                    rev
                };
                self.0.commit(rev)
            }
            fn merge_base(&self, a: &str, b: &str) -> Option<String> {
                self.0.merge_base(a, b)
            }
            fn parents(&self, id: &str) -> Vec<String> {
                self.0.parents(id)
            }
            fn ancestors(&self, id: &str) -> std::collections::HashSet<String> {
                self.0.ancestors(id)
            }
        }
        assert_eq!(other.choose(&OriginHead(on_tip, "h")).as_deref(), Some("h"));
        assert_eq!(
            other.choose(&OriginHead(history, "m")).as_deref(),
            Some("b")
        );
    }

    #[test]
    fn each_ci_names_its_base() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let pr = format!("{{\"pull_request\":{{\"base\":{{\"sha\":\"{a}\"}}}}}}");
        let got = with(
            &[
                ("CI", "true"),
                ("GITHUB_EVENT_PATH", "/e.json"),
                ("GITHUB_BASE_REF", "main"),
                ("GITHUB_SHA", &b),
            ],
            Some(&pr),
        );
        assert!(got.in_ci);
        assert_eq!(got.revs, std::slice::from_ref(&a));
        assert_eq!(got.merge_with.as_deref(), Some("refs/remotes/origin/main"));
        assert_eq!(got.merge_commit.as_deref(), Some(b.as_str()));
        // A pull request's `before` is its own previous head: not a base.
        let sync =
            format!("{{\"before\":\"{b}\",\"pull_request\":{{\"base\":{{\"sha\":\"{a}\"}}}}}}");
        let got = with(&[("CI", "true"), ("GITHUB_EVENT_PATH", "/e")], Some(&sync));
        assert_eq!(got.revs, std::slice::from_ref(&a));
        // A push to the default branch: `before`; a new branch's all-zero
        // `before` is none.
        let push = |before: &str, branch: &str| {
            format!("{{\"before\":\"{before}\",\"ref\":\"refs/heads/{branch}\",\"repository\":{{\"default_branch\":\"main\"}}}}")
        };
        let event = [("CI", "true"), ("GITHUB_EVENT_PATH", "/e")];
        let got = with(&event, Some(&push(&a, "main")));
        assert_eq!(got.revs, std::slice::from_ref(&a));
        assert_eq!((got.merge_with, got.merge_commit), (None, None));
        let got = with(&event, Some(&push(&"0".repeat(40), "main")));
        assert!(got.revs.is_empty());
        // A push to another branch started from its own last push (review
        // 7, #1): where it left the default branch instead. So does a push
        // whose default branch the event does not name.
        let got = with(&event, Some(&push(&a, "feature")));
        assert!(got.revs.is_empty());
        assert_eq!(got.merge_with.as_deref(), Some("refs/remotes/origin/main"));
        let got = with(&event, Some(&format!("{{\"before\":\"{a}\"}}")));
        assert_eq!(
            got,
            Base {
                in_ci: true,
                ..Base::default()
            }
        );
        // GitLab: a merge request's base; a push's `before` on the default
        // branch only, else where the branch left it.
        let got = with(
            &[
                ("GITLAB_CI", "true"),
                ("CI", "true"),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &a),
                ("CI_DEFAULT_BRANCH", "main"),
            ],
            None,
        );
        assert_eq!(got.revs, std::slice::from_ref(&a));
        assert_eq!(got.merge_with, None);
        let gitlab = |branch: &str| {
            with(
                &[
                    ("GITLAB_CI", "true"),
                    ("CI_COMMIT_BEFORE_SHA", &a),
                    ("CI_COMMIT_BRANCH", branch),
                    ("CI_DEFAULT_BRANCH", "main"),
                ],
                None,
            )
        };
        assert_eq!(gitlab("main").revs, std::slice::from_ref(&a));
        let got = gitlab("feature");
        assert!(got.revs.is_empty());
        assert_eq!(got.merge_with.as_deref(), Some("refs/remotes/origin/main"));
        // Not in CI.
        assert_eq!(with(&[], None), Base::default());
        assert!(!with(&[("CI", "false")], None).in_ci);
        assert!(with(&[("JENKINS_URL", "https://ci.example/")], None).in_ci);
    }
}

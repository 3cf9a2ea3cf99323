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
}

/// The base `env` (a variable lookup) describes, reading GitHub's event
/// file through `read`.
pub fn base(env: &dyn Fn(&str) -> Option<String>, read: &dyn Fn(&Path) -> Option<Vec<u8>>) -> Base {
    let var = |n: &str| env(n).filter(|v| !v.is_empty());
    // `CI` as most set it; and the CIs that set only their own name
    // (Jenkins, Azure Pipelines, TeamCity), with the others' for good
    // measure.
    let in_ci = var("CI").is_some_and(|v| !v.eq_ignore_ascii_case("false") && v != "0")
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
        ]
        .iter()
        .any(|n| var(n).is_some());
    let mut revs = Vec::new();
    // GitHub: the event's own base (a pull request's base commit, or the
    // commit a push started from).
    if let Some(event) = var("GITHUB_EVENT_PATH").and_then(|p| read(Path::new(&p))) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&event) {
            // A pull request's own `before` (its previous head, on a
            // `synchronize`) is a commit under review: only a push's counts.
            let at = if v.get("pull_request").is_some() {
                "/pull_request/base/sha"
            } else if v.get("merge_group").is_some() {
                "/merge_group/base_sha"
            } else {
                "/before"
            };
            if let Some(sha) = v.pointer(at).and_then(|s| s.as_str()) {
                revs.push(sha.to_string());
            }
        }
    }
    // GitLab: a merge request's base, or the commit a push started from.
    for name in ["CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_BEFORE_SHA"] {
        if let Some(sha) = var(name) {
            revs.push(sha);
        }
    }
    // A push of a new branch names no commit before it (all zeros).
    revs.retain(|r| is_commit_id(r) && r.bytes().any(|b| b != b'0'));
    let merge_commit = var("GITHUB_BASE_REF")
        .and(var("GITHUB_SHA"))
        .filter(|s| is_commit_id(s));
    Base {
        in_ci,
        revs,
        merge_with: var("GITHUB_BASE_REF").map(|b| format!("refs/remotes/origin/{b}")),
        merge_commit,
    }
}

fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // A push: `before`; a new branch's all-zero `before` is none.
        let push = format!("{{\"before\":\"{a}\"}}");
        let got = with(&[("CI", "true"), ("GITHUB_EVENT_PATH", "/e")], Some(&push));
        assert_eq!(got.revs, std::slice::from_ref(&a));
        assert_eq!(got.merge_commit, None);
        let zeros = format!("{{\"before\":\"{}\"}}", "0".repeat(40));
        let got = with(&[("CI", "true"), ("GITHUB_EVENT_PATH", "/e")], Some(&zeros));
        assert!(got.revs.is_empty());
        // GitLab.
        let got = with(
            &[
                ("GITLAB_CI", "true"),
                ("CI", "true"),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &a),
            ],
            None,
        );
        assert_eq!(got.revs, std::slice::from_ref(&a));
        // Not in CI.
        assert_eq!(with(&[], None), Base::default());
        assert!(!with(&[("CI", "false")], None).in_ci);
        assert!(with(&[("JENKINS_URL", "https://ci.example/")], None).in_ci);
    }
}

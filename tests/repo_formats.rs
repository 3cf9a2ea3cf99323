//! Every repository git can commit to: SHA-256 object format, split index,
//! sparse index. A clean commit passes, a dirty one is blocked, through the
//! real hook where git runs it (real git).

mod common;

use common::*;

fn install(repo: &TestRepo) {
    let out = repo.tool(&["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `git commit` through the installed hook, with no terminal.
fn commit(repo: &TestRepo, msg: &str) -> std::process::Output {
    let mut cmd = repo.git_cmd(&["commit", "-q", "-m", msg]);
    cmd.stdin(std::process::Stdio::null());
    cmd.output().expect("git runs")
}

fn staged_status(repo: &TestRepo) -> Option<i32> {
    repo.tool(&["scan", "--staged"]).status.code()
}

#[test]
fn sha256_repositories_commit_clean_and_block_dirty() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    install(&repo);
    // The first commit, on an unborn branch.
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", ".npmrc"]);
    let out = commit(&repo, "clean");
    assert!(
        out.status.success(),
        "clean commit blocked: {}",
        text(&out.stderr)
    );
    let token = npm_token(2501);
    repo.write("pkg/.npmrc", &literal_npmrc(&token));
    repo.git(&["add", "pkg/.npmrc"]);
    assert_eq!(staged_status(&repo), Some(1));
    let out = commit(&repo, "dirty");
    assert!(!out.status.success(), "dirty commit passed");
    assert!(text(&out.stdout).contains("pkg/.npmrc") || text(&out.stderr).contains("pkg/.npmrc"));
    assert_no_secret(&out, std::slice::from_ref(&token));
    // Unrelated work still commits.
    repo.git(&["reset", "-q"]);
    repo.write("README", "x\n");
    repo.git(&["add", "README"]);
    let out = commit(&repo, "readme");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// In a SHA-256 repository, which libgit2 cannot open, the work tree, the
/// history and a range are scanned by git's plumbing, with the same
/// verdicts and the same fail-closed rules.
#[test]
fn sha256_work_tree_history_and_ranges_are_scanned() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    let token = npm_token(2502);
    let json = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).expect("json")
    };
    repo.write(".npmrc", SAFE_NPMRC);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "clean"]);
    assert_eq!(repo.tool(&["scan"]).status.code(), Some(0));
    assert_eq!(repo.tool(&["scan", "--history"]).status.code(), Some(0));
    // A token committed, then removed: the work tree is clean again, the
    // history is not.
    repo.write("pkg/.npmrc", &literal_npmrc(&token));
    assert_eq!(
        repo.tool(&["scan"]).status.code(),
        Some(1),
        "untracked file"
    );
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "leak"]);
    let leak = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["rm", "-q", "pkg/.npmrc"]);
    repo.git(&["commit", "-q", "-m", "remove"]);
    assert_eq!(repo.tool(&["scan"]).status.code(), Some(0));
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_no_secret(&out, std::slice::from_ref(&token));
    let findings = json(&out)["findings"].clone();
    assert_eq!(findings.as_array().map(Vec::len), Some(1), "{findings}");
    assert_eq!(findings[0]["path"], "pkg/.npmrc");
    assert_eq!(findings[0]["commit"].as_str(), Some(leak.trim()));
    // A range sees what it holds, and no more.
    assert_eq!(
        repo.tool(&["scan", "--range", "HEAD~1..HEAD"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        repo.tool(&["scan", "--range", "HEAD~2..HEAD"])
            .status
            .code(),
        Some(1)
    );
    // The range cannot configure its own scan away: the config comes from
    // the base side, and changing it is a warning.
    repo.write(".npmrc-guard.toml", "exclude = [\"pkg/**\"]\n");
    repo.write("pkg/.npmrc", &literal_npmrc(&token));
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "exclude and leak again"]);
    let out = repo.tool(&["scan", "--range", "HEAD~1..HEAD", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let rules: Vec<String> = json(&out)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(rules.contains(&"config-changed".to_string()), "{rules:?}");
    assert!(rules.contains(&"npm-token".to_string()), "{rules:?}");
    // A tag that names a tree directly.
    repo.git(&["rm", "-q", "pkg/.npmrc", ".npmrc-guard.toml"]);
    repo.git(&["commit", "-q", "-m", "clean again"]);
    let other = npm_token(2503);
    let blob = text(
        &output_with_stdin(
            &mut repo.git_cmd(&["hash-object", "-w", "--stdin"]),
            literal_npmrc(&other).as_bytes(),
        )
        .stdout,
    );
    let tree = text(
        &output_with_stdin(
            &mut repo.git_cmd(&["mktree"]),
            format!("100644 blob {}\t.npmrc\n", blob.trim()).as_bytes(),
        )
        .stdout,
    );
    repo.git(&["tag", "kept", tree.trim()]);
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        json(&out)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["commit"] == "refs/tags/kept"),
        "{}",
        text(&out.stdout)
    );
    // A shallow clone cannot answer for the history it lacks.
    let clone = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", repo.root.display());
    let status = hermetic(&mut std::process::Command::new("git"), clone.path())
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(clone.path().join("c"))
        .status()
        .expect("git clone");
    assert!(status.success());
    let out = npmrc_guard(&clone.path().join("c"))
        .args(["scan", "--history"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("git fetch --unshallow"));
}

#[test]
fn a_split_index_is_read_exactly() {
    let repo = TestRepo::new();
    repo.write(".npmrc", SAFE_NPMRC);
    repo.write("a/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "-A"]);
    repo.commit_setup("base");
    repo.git(&["update-index", "--split-index"]);
    install(&repo);
    repo.write("README", "x\n");
    repo.git(&["add", "README"]);
    assert_eq!(staged_status(&repo), Some(0));
    let out = commit(&repo, "clean");
    assert!(
        out.status.success(),
        "clean commit blocked: {}",
        text(&out.stderr)
    );
    repo.write("a/.npmrc", &literal_npmrc(&npm_token(2502)));
    repo.git(&["add", "a/.npmrc"]);
    assert_eq!(staged_status(&repo), Some(1));
    assert!(!commit(&repo, "dirty").status.success());
    // `git commit -a` with a split index: git's temporary index.
    repo.git(&["reset", "-q"]);
    let out = repo.git_out(&["commit", "-q", "-a", "-m", "all"]);
    assert!(!out.status.success(), "commit -a passed a literal");
    // The fix rewrites a split index too (libgit2 cannot read one), and
    // asks git whether the store is tracked.
    repo.write(".gitignore", ".env.local\n");
    repo.git(&["add", "a/.npmrc"]);
    let out = repo.tool(&["fix", "--staged", "--save-env", ".env.local"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The root `.npmrc` already references NPM_TOKEN, so the secret gets
    // another name (any config of the repository, or a folder above,
    // takes a name; review 7 #11, review 9 #7). The split index used to
    // hide the root's reference: libgit2 cannot list its files.
    assert_eq!(
        text(&repo.git_out(&["show", ":a/.npmrc"]).stdout),
        SAFE_NPMRC.replace("NPM_TOKEN", "NPM_TOKEN_2")
    );
    assert_eq!(staged_status(&repo), Some(0));
}

/// A repository with `b/.npmrc` outside the sparse cone, collapsed into a
/// directory entry of a sparse index.
fn sparse() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("a/f", "x\n");
    repo.write("b/.npmrc", SAFE_NPMRC);
    repo.git(&["add", "-A"]);
    repo.commit_setup("base");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "a"]);
    let listed = repo.git(&["ls-files", "--sparse"]);
    assert!(
        listed.lines().any(|l| l == "b/"),
        "not a sparse index: {listed}"
    );
    repo
}

#[test]
fn a_sparse_index_commits_clean() {
    let repo = sparse();
    install(&repo);
    repo.write("a/g", "y\n");
    repo.git(&["add", "a/g"]);
    assert_eq!(staged_status(&repo), Some(0));
    assert!(commit(&repo, "clean").status.success());
}

#[test]
fn a_collapsed_directory_that_differs_from_head_is_scanned() {
    let repo = sparse();
    // Put a literal in b/ on a commit, then move HEAD back with the index
    // kept: the staged `b/` tree holds the literal, HEAD's does not.
    repo.git(&["sparse-checkout", "disable"]);
    repo.write("b/.npmrc", &literal_npmrc(&npm_token(2503)));
    repo.git(&["add", "-A"]);
    repo.commit_setup("leak");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "a"]);
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let listed = repo.git(&["ls-files", "--sparse"]);
    assert!(listed.lines().any(|l| l == "b/"), "not collapsed: {listed}");
    assert_eq!(staged_status(&repo), Some(1));
    install(&repo);
    assert!(
        !commit(&repo, "dirty").status.success(),
        "dirty commit passed"
    );
}

/// In a SHA-256 repository a `.npmrc` link is read through to its target,
/// as in SHA-1: the hook, the history and a range (found by review: it was
/// only noted, and a token behind it passed).
#[test]
fn sha256_links_are_read_through() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
    repo.git(&["init", "-q", "-b", "main", "--object-format=sha256", "."]);
    install(&repo);
    repo.write("README", "x\n");
    repo.git(&["add", "-A"]);
    assert!(commit(&repo, "base").status.success());
    let t = npm_token(2504);
    repo.write("conf/npmrc", &literal_npmrc(&t));
    std::os::unix::fs::symlink("conf/npmrc", repo.root.join(".npmrc")).expect("symlink");
    repo.git(&["add", "-A"]);
    let out = commit(&repo, "leak behind a link");
    assert!(!out.status.success(), "the hook let it through");
    assert_no_secret(&out, std::slice::from_ref(&t));
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak behind a link"]);
    let out = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_no_secret(&out, std::slice::from_ref(&t));
    let out = repo.tool(&["scan", "--range", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // The target fixed, then changed alone: the link reads the new content.
    repo.write("conf/npmrc", SAFE_NPMRC);
    repo.git(&["commit", "-q", "--no-verify", "-am", "fixed"]);
    assert_eq!(
        repo.tool(&["scan", "--range", "HEAD~1..HEAD"])
            .status
            .code(),
        Some(0)
    );
    let u = npm_token(2505);
    repo.write("conf/npmrc", &literal_npmrc(&u));
    repo.git(&["add", "-A"]);
    let out = commit(&repo, "target alone");
    assert!(
        !out.status.success(),
        "a change to the target alone passed the hook"
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "target alone"]);
    let out = repo.tool(&["scan", "--range", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_no_secret(&out, &[t, u]);
}

/// `fix --staged` and `scan --fix` rewrite in both object formats (in a
/// SHA-256 repository through git's plumbing): the index blob and the
/// work-tree file both hold `${NPM_TOKEN}`, the entry keeps its mode, the
/// secret is in the ignored store, and the staged scan is clean after.
#[test]
fn the_fix_rewrites_staged_and_work_tree_files_in_both_object_formats() {
    for format in ["sha1", "sha256"] {
        let repo = TestRepo::with_format(format);
        repo.write(".gitignore", ".env.local\n");
        repo.write("README", "x\n");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
        let t = npm_token(2511);
        let file = "pkg/.npmrc";
        repo.write(file, &literal_npmrc(&t));
        repo.git(&["add", file]);
        repo.git(&["update-index", "--chmod=+x", file]);
        let out = repo.tool(&["fix", "--staged", "--save-env", ".env.local"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        assert_no_secret(&out, std::slice::from_ref(&t));
        let staged = text(&repo.git_out(&["show", &format!(":{file}")]).stdout);
        assert_eq!(staged, literal_npmrc("${NPM_TOKEN}"), "{format}");
        let on_disk = std::fs::read_to_string(repo.root.join(file)).expect("read");
        assert_eq!(on_disk, staged, "{format}");
        let listed = text(&repo.git_out(&["ls-files", "-s", file]).stdout);
        assert!(listed.starts_with("100755 "), "{format}: {listed}");
        let store = std::fs::read_to_string(repo.root.join(".env.local")).expect("store");
        assert!(store.contains(&format!("NPM_TOKEN='{t}'")), "{format}");
        assert_eq!(staged_status(&repo), Some(0), "{format}");

        // The work tree alone, by `scan --fix`.
        let u = npm_token(2512);
        repo.write("other/.npmrc", &literal_npmrc(&u));
        let out = repo.tool(&["scan", "--fix", "--discard-secrets"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        assert_no_secret(&out, std::slice::from_ref(&u));
        let on_disk = std::fs::read_to_string(repo.root.join("other/.npmrc")).expect("read");
        assert!(!on_disk.contains(&u), "{format}");
    }
}

/// Run from a subfolder (and with `GIT_LITERAL_PATHSPECS` set), the fix
/// through git's plumbing rewrites the root `.npmrc` and keeps its own
/// mode: it once took the mode of the link `packages/app/.npmrc` and
/// committed the root file as a symbolic link (found by review).
#[test]
fn the_plumbing_fix_from_a_subfolder_keeps_each_entry_its_own_mode() {
    for split in [false, true] {
        let format = if split { "sha1" } else { "sha256" };
        let repo = TestRepo::with_format(format);
        repo.write(".npmrc", "registry=https://r.example/\n");
        std::fs::create_dir_all(repo.root.join("packages/app")).expect("mkdir");
        std::os::unix::fs::symlink("../../.npmrc", repo.root.join("packages/app/.npmrc"))
            .expect("symlink");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
        if split {
            repo.git(&["update-index", "--split-index"]);
        }
        let t = npm_token(2513);
        repo.write(".npmrc", &literal_npmrc(&t));
        repo.git(&["add", ".npmrc"]);
        let store = repo.dir.path().join("npm.env");
        let out = repo
            .command(env!("CARGO_BIN_EXE_npmrc-guard"))
            .current_dir(repo.root.join("packages/app"))
            .env("GIT_LITERAL_PATHSPECS", "1")
            .args(["fix", "--staged", "--save-env"])
            .arg(&store)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        let listed = text(
            &repo
                .git_out(&["ls-files", "-s", ".npmrc", "packages/app/.npmrc"])
                .stdout,
        );
        let modes: Vec<&str> = listed.lines().map(|l| &l[..6]).collect();
        assert_eq!(modes, ["100644", "120000"], "{format}: {listed}");
        assert_eq!(
            text(&repo.git_out(&["show", ":.npmrc"]).stdout),
            literal_npmrc("${NPM_TOKEN}"),
            "{format}"
        );
    }
}

/// A reftable repository (`git init --ref-format=reftable`), which libgit2
/// cannot open: git's plumbing answers, so a clean commit goes through and
/// a token is blocked (every commit was blocked with exit 2).
#[test]
fn reftable_repositories_commit_clean_and_block_dirty() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(repo.root.join(".git")).expect("rm .git");
    repo.git(&["init", "-q", "-b", "main", "--ref-format=reftable", "."]);
    install(&repo);
    repo.write("README", "x\n");
    repo.git(&["add", "README"]);
    let out = commit(&repo, "clean");
    assert!(
        out.status.success(),
        "clean commit blocked: {}",
        text(&out.stderr)
    );
    let token = npm_token(2514);
    repo.write(".npmrc", &literal_npmrc(&token));
    repo.git(&["add", ".npmrc"]);
    let out = commit(&repo, "dirty");
    assert!(!out.status.success(), "dirty commit passed");
    assert_no_secret(&out, std::slice::from_ref(&token));
    repo.git(&["commit", "-q", "--no-verify", "-m", "leaked"]);
    let out = repo.tool(&["scan", "--history"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

/// A staged `.npmrc` outside the sparse checkout keeps its skip-worktree
/// bit through the plumbing fix (it was cleared, and `git status` then
/// showed the file deleted; found by review).
#[test]
fn the_plumbing_fix_keeps_the_skip_worktree_bit() {
    let repo = TestRepo::with_format("sha256");
    repo.write("a/x", "x\n");
    repo.write("b/.npmrc", "registry=https://r.example/\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "base"]);
    repo.git(&["sparse-checkout", "set", "a"]);
    let blob = repo.dir.path().join("blob");
    std::fs::write(&blob, literal_npmrc(&npm_token(2515))).expect("write");
    let id = repo.git(&["hash-object", "-w", blob.to_str().expect("utf-8")]);
    repo.git(&[
        "update-index",
        "--cacheinfo",
        &format!("100644,{},b/.npmrc", id.trim()),
    ]);
    repo.git(&["update-index", "--skip-worktree", "b/.npmrc"]);
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(repo.git(&["ls-files", "-v", "b/.npmrc"]).starts_with("S "));
    assert_eq!(repo.git(&["status", "--porcelain"]), "M  b/.npmrc\n");
}

//! What the hook offers on a terminal (written against cargo-mutants'
//! survivor `offer_fix`: `&&` made `||` offered a fix for a token the fix
//! cannot rewrite). The accepted and declined offers are in tests/fix.rs.

mod common;

use common::*;

/// `command_line` under a pseudo-terminal (util-linux `script`), typing
/// `answers`; `None` (a skip) when `script` is missing outside CI.
fn on_a_terminal(
    repo: &TestRepo,
    command_line: &str,
    answers: &str,
) -> Option<std::process::Output> {
    if repo.command("script").arg("--version").output().is_err() {
        assert!(
            !required(),
            "util-linux `script` is needed for the terminal tests"
        );
        return None;
    }
    Some(output_with_stdin(
        repo.command("script")
            .args(["-qec", command_line, "/dev/null"]),
        answers.as_bytes(),
    ))
}

#[test]
fn a_token_only_in_a_comment_blocks_without_an_offer() {
    let repo = TestRepo::new();
    assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
    let t = npm_token(1212);
    let npmrc = format!("# old: //registry.npmjs.org/:_authToken={t}\n");
    repo.write(".npmrc", &npmrc);
    repo.git(&["add", ".npmrc"]);
    let Some(out) = on_a_terminal(&repo, "git commit -m from-a-terminal", "y\n1\n") else {
        return;
    };
    let screen = text(&out.stdout);
    assert_eq!(repo.head(), None, "the commit went on:\n{screen}");
    assert!(
        screen.contains("private-key") || screen.contains("npm-token"),
        "{screen}"
    );
    assert!(
        !screen.contains("rewrite to ${VAR}"),
        "a fix was offered:\n{screen}"
    );
    assert!(!screen.contains(&t), "the terminal showed the token");
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        npmrc
    );
}

#[test]
fn an_accepted_offer_says_the_commit_goes_on_and_excludes_only_a_store_it_uses() {
    let repo = TestRepo::new();
    assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
    repo.write(".npmrc", &literal_npmrc(&npm_token(1213)));
    repo.git(&["add", ".npmrc"]);
    // (3): discard. Nothing is stored, so nothing is added to the excludes.
    let commit = "git commit -q -m from-a-terminal";
    let Some(out) = on_a_terminal(&repo, commit, "y\n3\n") else {
        return;
    };
    let screen = text(&out.stdout);
    assert!(repo.head().is_some(), "the commit did not go on:\n{screen}");
    assert!(
        screen.contains("the commit goes on with the fixed content"),
        "{screen}"
    );
    assert!(!screen.contains("added /.env.local"), "{screen}");
    let exclude = std::fs::read_to_string(repo.root.join(".git/info/exclude")).unwrap_or_default();
    assert!(!exclude.contains(".env.local"), "{exclude}");
    assert!(!repo.root.join(".env.local").exists());
}

#[test]
fn fix_on_a_terminal_offers_an_untracked_env_local() {
    let repo = TestRepo::new();
    repo.write(".npmrc", &literal_npmrc(&npm_token(1214)));
    repo.git(&["add", ".npmrc"]);
    let line = format!("'{}' fix --staged", env!("CARGO_BIN_EXE_npmrc-guard"));
    let Some(out) = on_a_terminal(&repo, &line, "y\n1\n") else {
        return;
    };
    let screen = text(&out.stdout);
    assert!(
        screen.contains(".env.local (untracked, git-ignored)"),
        "{screen}"
    );
    // Not ignored yet (only the hook adds the exclude): refused.
    assert!(screen.contains("not ignored by git"), "{screen}");
}

/// The hook's offer keeps the secret in `.env.local` after adding it to
/// `.git/info/exclude`; a `.gitignore` line `!.env.local` outweighs that
/// exclude for git (not for libgit2), so `git status` would list the file
/// and `git add -A` take the secret (review 8, #11). The offer is refused,
/// nothing is written, and the commit stays blocked.
#[test]
fn the_offer_never_stores_where_a_gitignore_unignores_it() {
    let repo = TestRepo::new();
    assert_eq!(repo.tool(&["install"]).status.code(), Some(0));
    let t = npm_token(1215);
    let npmrc = literal_npmrc(&t);
    repo.write(".gitignore", "!.env.local\n");
    repo.write(".npmrc", &npmrc);
    repo.git(&["add", ".npmrc", ".gitignore"]);
    let Some(out) = on_a_terminal(&repo, "git commit -q -m from-a-terminal", "y\n1\n") else {
        return;
    };
    let screen = text(&out.stdout);
    assert_eq!(repo.head(), None, "the commit went on:\n{screen}");
    assert!(screen.contains("stays not ignored by git"), "{screen}");
    assert!(!screen.contains(&t), "the terminal showed the token");
    assert!(!repo.root.join(".env.local").exists(), "{screen}");
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".npmrc")).expect("read"),
        npmrc
    );
}

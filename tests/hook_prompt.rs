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

//! What `fix` reports about the files it read (written against
//! cargo-mutants' survivors in `fix_files`: the file count, fixing only
//! when there is something to rewrite, and the findings of a file it cannot
//! write).

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

fn said(out: &std::process::Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_fixed_file_is_counted() {
    let repo = TestRepo::new();
    repo.write(".npmrc", &literal_npmrc(&npm_token(1301)));
    let out = repo.tool(&["fix", "--discard-secrets", ".npmrc"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(
        said(&out).contains("no literal credentials in 1 file"),
        "{}",
        said(&out)
    );
    // The variable the file now names; no pnpm note without pnpm.
    let all = said(&out);
    assert!(all.contains("then set NPM_TOKEN to new ones"), "{all}");
    assert!(!all.contains("pnpm"), "{all}");
    assert!(
        all.contains("rewrote .npmrc: 1 literal credential → ${NPM_TOKEN}"),
        "{all}"
    );
}

#[test]
fn nothing_to_rewrite_asks_nothing() {
    let repo = TestRepo::new();
    repo.write(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
    // No flag and no terminal: nothing to rewrite, so no choice is needed.
    let out = repo.tool(&["fix", ".npmrc"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let t = npm_token(1302);
    repo.write(
        ".npmrc",
        &format!("# //registry.npmjs.org/:_authToken={t}\n"),
    );
    let out = repo.tool(&["fix", ".npmrc"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert_no_secret(&out, &[t]);
}

#[test]
fn a_read_only_file_keeps_exactly_its_findings() {
    let repo = TestRepo::new();
    let t = npm_token(1303);
    let c = npm_token(1304);
    let npmrc =
        format!("# //registry.npmjs.org/:_authToken={c}\n//registry.npmjs.org/:_authToken={t}\n");
    repo.write(".npmrc", &npmrc);
    let path = repo.root.join(".npmrc");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = repo.tool(&["fix", "--discard-secrets", ".npmrc"]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert_no_secret(&out, &[t, c]);
    // The token it could not rewrite and the one in a comment, once each.
    let all = said(&out);
    assert!(all.contains("2 errors in 1 file"), "{all}");
    assert_eq!(all.matches("error[npm-token]").count(), 2, "{all}");
    assert!(all.contains(".npmrc:2:34 error[npm-token]"), "{all}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), npmrc);
}

/// A link among other files: its target's secret is still reported (found
/// by cargo-mutants: skipping a link whenever any other input was not its
/// target went unnoticed, as tests/symlinks.rs fixes a link alone).
#[test]
fn a_link_among_other_files_still_reports_its_target() {
    let repo = TestRepo::new();
    let t = npm_token(1305);
    repo.write("config/npmrc.shared", &literal_npmrc(&t));
    std::fs::create_dir_all(repo.root.join("app")).expect("mkdir");
    std::os::unix::fs::symlink("../config/npmrc.shared", repo.root.join("app/.npmrc"))
        .expect("symlink");
    repo.write("b/.npmrc", "registry=https://registry.npmjs.org/\n");
    let out = repo.tool(&["scan", "--fix", "--discard-secrets"]);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("fix config/npmrc.shared"), "{all}");
    assert_no_secret(&out, &[t]);
}

/// `fix --staged` (found by cargo-mutants in `fix_staged`): a clean index
/// is "nothing to fix", even with a read-only work-tree file; a staged
/// literal whose work-tree file is gone is still fixed; the store's names
/// are not reused.
#[test]
fn fix_staged_fixes_what_is_staged_and_only_that() {
    let repo = TestRepo::new();
    repo.write(".npmrc", "registry=https://registry.npmjs.org/\n");
    repo.git(&["add", ".npmrc"]);
    let path = repo.root.join(".npmrc");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("nothing to fix in the staged files"), "{all}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let t = npm_token(1306);
    repo.write(".npmrc", &literal_npmrc(&t));
    repo.git(&["add", ".npmrc"]);
    std::fs::remove_file(&path).expect("rm");
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("then set NPM_TOKEN to new ones"), "{all}");
    assert_eq!(
        repo.git(&["show", ":.npmrc"]),
        literal_npmrc("${NPM_TOKEN}")
    );
    assert_no_secret(&out, &[t]);

    let u = npm_token(1307);
    repo.write(".gitignore", "s.env\n");
    repo.write("s.env", "NPM_TOKEN='someone-else-s-value'\n");
    repo.write(".npmrc", &literal_npmrc(&u));
    repo.git(&["add", ".npmrc", ".gitignore"]);
    let out = repo.tool(&["fix", "--staged", "--save-env", "s.env"]);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(
        repo.git(&["show", ":.npmrc"]),
        literal_npmrc("${NPM_TOKEN_2}")
    );
    assert_no_secret(&out, &[u]);
}

/// Which copies `fix --staged` rewrote, file by file (found by
/// cargo-mutants: the "(work tree)" lines and the count after the fix).
#[test]
fn fix_staged_names_the_copies_it_rewrote() {
    let repo = TestRepo::new();
    let t = npm_token(1308);
    repo.write("a/.npmrc", &literal_npmrc(&t));
    repo.write("b/.npmrc", "registry=https://registry.npmjs.org/\n");
    repo.git(&["add", "a/.npmrc", "b/.npmrc"]);
    repo.write("b/.npmrc", &literal_npmrc(&t));
    let out = repo.tool(&["fix", "--staged", "--discard-secrets"]);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("rewrote a/.npmrc (staged and work tree): 1 literal"),
        "{all}"
    );
    assert!(
        all.contains("rewrote b/.npmrc (work tree): 1 literal"),
        "{all}"
    );
    assert!(all.contains("then set NPM_TOKEN to new ones"), "{all}");
    assert_no_secret(&out, &[t]);
}

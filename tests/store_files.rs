//! The secret stores and the atomic writer through the library, byte for
//! byte and mode for mode (written against cargo-mutants' survivors in
//! `src/fix/store.rs` and `src/fix/write.rs`; the end-to-end cases are in
//! tests/fix_store.rs and tests/fix_move.rs).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use npmrc_guard::fix::store::{self, MovedLines, Saved};
use npmrc_guard::fix::write;

fn mode(p: &Path) -> u32 {
    fs::metadata(p).expect("metadata").permissions().mode() & 0o7777
}

fn set_mode(p: &Path, m: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(m)).expect("chmod");
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn read_env_reads_what_dotenv_readers_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join("s.env");
    assert!(store::read_env(&env).is_empty(), "a missing store");
    fs::write(
        &env,
        "# A=commented\n#B=commented\nexport C='x'\n  D=\"a\\\"b\\\\c\"\nE='it'\\''s'\n F = bare \n=nameless\nno equals\n",
    )
    .expect("write");
    let got = store::read_env(&env);
    let mut names: Vec<&str> = got.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["C", "D", "E", "F"]);
    assert_eq!(got["C"], "x");
    assert_eq!(got["D"], "a\"b\\c");
    assert_eq!(got["E"], "it's");
    assert_eq!(got["F"], "bare");
}

#[test]
fn quote_refuses_what_readers_disagree_on() {
    assert_eq!(store::quote("N", "a\\b").as_deref(), Ok("'a\\b'"));
    assert_eq!(store::quote("N", "plain").as_deref(), Ok("'plain'"));
    for bad in ["ab\\", "a\\\\b", "it's", "a\nb", "a${B}"] {
        let err = store::quote("N", bad).expect_err(bad);
        assert!(err.contains("the value for N holds"), "{err}");
    }
}

#[test]
fn save_env_creates_0600_and_appends_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join("s.env");
    let saved = store::save_env(&env, &vars(&[("A", "one"), ("B", "two")])).expect("saved");
    assert_eq!(
        saved,
        Saved {
            written: vec!["A".into(), "B".into()],
            tightened_from: None
        }
    );
    assert_eq!(
        fs::read_to_string(&env).expect("read"),
        "A='one'\nB='two'\n"
    );
    assert_eq!(mode(&env), 0o600);

    // The same value again: nothing written, nothing tightened.
    let again = store::save_env(&env, &vars(&[("A", "one")])).expect("saved");
    assert_eq!(again, Saved::default());
    assert_eq!(
        fs::read_to_string(&env).expect("read"),
        "A='one'\nB='two'\n"
    );

    // Another value for a name there: an error, and nothing written.
    let err =
        store::save_env(&env, &vars(&[("C", "three"), ("A", "v4lue-x")])).expect_err("a conflict");
    assert!(err.contains("A is already set"), "{err}");
    assert!(!err.contains("v4lue-x"), "{err}");
    assert_eq!(
        fs::read_to_string(&env).expect("read"),
        "A='one'\nB='two'\n"
    );
}

#[test]
fn save_env_tightens_an_existing_store_and_ends_its_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join("s.env");
    fs::write(&env, "KEEP=1").expect("write");
    set_mode(&env, 0o644);
    let saved = store::save_env(&env, &vars(&[("A", "one")])).expect("saved");
    assert_eq!(saved.tightened_from, Some(0o644));
    assert_eq!(mode(&env), 0o600);
    assert_eq!(fs::read_to_string(&env).expect("read"), "KEEP=1\nA='one'\n");

    // Already 0600: left alone.
    let saved = store::save_env(&env, &vars(&[("B", "two")])).expect("saved");
    assert_eq!(saved.tightened_from, None);
    assert_eq!(
        fs::read_to_string(&env).expect("read"),
        "KEEP=1\nA='one'\nB='two'\n"
    );
}

#[test]
fn save_env_writes_through_no_link_and_into_no_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("target.env");
    fs::write(&target, "").expect("write");
    let link = dir.path().join("link.env");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let err = store::save_env(&link, &vars(&[("A", "one")])).expect_err("a link");
    assert!(err.contains("symbolic link"), "{err}");
    let err = store::save_env(dir.path(), &vars(&[("A", "one")])).expect_err("a folder");
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(fs::read_to_string(&target).expect("read"), "");
}

#[test]
fn move_to_user_config_adds_before_the_first_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rc = dir.path().join(".npmrc");
    let line = |s: &str| s.as_bytes().to_vec();

    // A new user config: the lines, mode 0600.
    let moved =
        store::move_to_user_config(&rc, &[line("//a.example/:_authToken=one")]).expect("moved");
    assert_eq!(
        moved,
        MovedLines {
            added: 1,
            already: 0
        }
    );
    assert_eq!(
        fs::read_to_string(&rc).expect("read"),
        "//a.example/:_authToken=one\n"
    );
    assert_eq!(mode(&rc), 0o600);

    // A config with a section and no final line break before it.
    fs::write(&rc, "color=false\r[sect]\nx=1\n").expect("write");
    let moved = store::move_to_user_config(
        &rc,
        &[
            line("//a.example/:_authToken=one"),
            line("//b.example/:_authToken=two"),
            line("//b.example/:_authToken=two"),
        ],
    )
    .expect("moved");
    assert_eq!(
        moved,
        MovedLines {
            added: 2,
            already: 0
        }
    );
    assert_eq!(
        fs::read_to_string(&rc).expect("read"),
        "color=false\r//a.example/:_authToken=one\n//b.example/:_authToken=two\n[sect]\nx=1\n"
    );

    fs::write(&rc, "color=false[x]\n").expect("write");
    store::move_to_user_config(&rc, &[line("//a.example/:_authToken=one")]).expect("moved");
    assert_eq!(
        fs::read_to_string(&rc).expect("read"),
        "color=false[x]\n//a.example/:_authToken=one\n"
    );

    fs::write(&rc, "[x]\ny=1\n").expect("write");
    store::move_to_user_config(&rc, &[line("//a.example/:_authToken=one")]).expect("moved");
    assert_eq!(
        fs::read_to_string(&rc).expect("read"),
        "//a.example/:_authToken=one\n[x]\ny=1\n"
    );
}

#[test]
fn move_to_user_config_counts_what_is_there_as_npm_reads_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rc = dir.path().join(".npmrc");
    let line = |s: &str| s.as_bytes().to_vec();
    // The same key and value, written another way, is already there; a
    // later line for the key overrides an earlier one.
    fs::write(
        &rc,
        "//a.example/:_authToken=old\n//a.example/:_authToken = one \n",
    )
    .expect("write");
    let moved = store::move_to_user_config(&rc, &[line("//a.example/:_a${X?}uthToken=one")])
        .expect("moved");
    assert_eq!(
        moved,
        MovedLines {
            added: 0,
            already: 1
        }
    );

    // Overridden by a later line: not there, and a clash.
    fs::write(
        &rc,
        "//a.example/:_authToken=one\n//a.example/:_authToken=new\n",
    )
    .expect("write");
    let err = store::move_to_user_config(&rc, &[line("//a.example/:_authToken=one")])
        .expect_err("a clash");
    assert!(err.contains("already holds another credential"), "{err}");

    // Another credential of another registry is no clash.
    fs::write(&rc, "//b.example/:_authToken=two\n").expect("write");
    let moved =
        store::move_to_user_config(&rc, &[line("//a.example/:_authToken=one")]).expect("moved");
    assert_eq!(moved.added, 1);

    // Two values for one key in what moves.
    let err = store::move_to_user_config(
        &rc,
        &[
            line("//c.example/:_authToken=one"),
            line("//c.example/:_authToken=two"),
        ],
    )
    .expect_err("two values");
    assert!(err.contains("one credential of"), "{err}");
    let err = store::move_to_user_config(&rc, &[line("color=a"), line("color=b")])
        .expect_err("two values");
    assert!(err.contains("one setting"), "{err}");
    assert_eq!(
        fs::read_to_string(&rc).expect("read"),
        "//b.example/:_authToken=two\n//a.example/:_authToken=one\n"
    );
}

#[test]
fn replace_file_keeps_the_mode_and_refuses_what_it_must() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("f");
    fs::write(&f, "old").expect("write");
    set_mode(&f, 0o640);
    assert_eq!(write::check_writable(&f).map(|m| m & 0o7777), Ok(0o640));
    write::replace_file(&f, b"new").expect("replaced");
    assert_eq!(fs::read(&f).expect("read"), b"new");
    assert_eq!(mode(&f), 0o640);
    // Nothing else is left in the folder.
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);

    set_mode(&f, 0o444);
    let err = write::replace_file(&f, b"x").expect_err("read-only");
    assert!(err.contains("read-only"), "{err}");
    set_mode(&f, 0o200);
    assert!(
        write::check_writable(&f).is_ok(),
        "writable by its owner only"
    );
    let err = write::check_writable(dir.path()).expect_err("a folder");
    assert!(err.contains("not a regular file"), "{err}");
    let link = dir.path().join("l");
    std::os::unix::fs::symlink(&f, &link).expect("symlink");
    let err = write::replace_file(&link, b"x").expect_err("a link");
    assert!(err.contains("symbolic link"), "{err}");
    set_mode(&f, 0o600);
    assert_eq!(fs::read(&f).expect("read"), b"new");
}

#[test]
fn write_atomically_gives_the_mode_and_writes_in_the_file_s_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("hook");
    // The temporary name is not predictable: names a guess would take are
    // no obstacle.
    for guess in [0u64, 1] {
        fs::write(
            dir.path()
                .join(format!(".hook.npmrc-guard-{guess:016x}.tmp")),
            "",
        )
        .expect("write");
    }
    write::write_atomically(&f, b"#!/bin/sh\n", 0o100755).expect("written");
    assert_eq!(mode(&f), 0o755);
    assert_eq!(fs::read(&f).expect("read"), b"#!/bin/sh\n");
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 3);

    // The temporary file goes next to the file, not into the current
    // folder: a child process whose current folder is gone still writes.
    let home = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", "gone_cwd_child", "--test-threads=1"])
        .env_clear()
        .env("HOME", home.path())
        .env("STORE_FILES_TARGET", dir.path().join("from-child"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.contains("1 passed"), "{out:?}");
    assert_eq!(
        fs::read(dir.path().join("from-child")).expect("written"),
        b"x"
    );
}

/// Run by the test above, alone in its own process.
#[test]
fn gone_cwd_child() {
    let Some(target) = std::env::var_os("STORE_FILES_TARGET") else {
        return;
    };
    let cwd = tempfile::tempdir().expect("tempdir");
    std::env::set_current_dir(cwd.path()).expect("cd");
    fs::remove_dir(cwd.path()).expect("rmdir");
    write::write_atomically(Path::new(&target), b"x", 0o600).expect("written");
}

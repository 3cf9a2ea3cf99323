//! Holes an independent review found on 2026-11-29 (fourth session), each
//! closed and kept closed here: the reviewer's reproduction, reduced.

mod common;

use common::*;

/// `//alice:pw@host/:_authToken=…`: npm never matches such a key, but the
/// password is committed, and the key was printed whole in every format.
#[test]
fn a_key_never_shows_the_password_of_its_url() {
    let password = "Summer2024Secret".to_string();
    let dir = npmrc_dir(format!(
        "//alice:{password}@f.example/:_authToken=hunter2secretvalue\n\
         //bob:p/w{password}@g.example/:_authToken=hunter2secretvalue\n\
         //registry.example/@corp/:_authToken=hunter2secretvalue\n"
    ));
    for format in ["human", "json", "sarif", "github"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", format, ".npmrc"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_no_secret(&out, &[password.clone(), "hunter2secretvalue".into()]);
        let all = text(&out.stdout);
        assert!(all.contains("//…@f.example/:_authToken"), "{format}: {all}");
        // A scope in the path is not a user name.
        assert!(
            all.contains("//registry.example/@corp/:_authToken"),
            "{format}: {all}"
        );
    }
}

/// The human format printed a yarn scope name's newline raw (the next line
/// began `::warning::…`, a GitHub Actions workflow command, when the default
/// format runs in CI) and a secret's escape sequence raw (a terminal ran it;
/// the colour stripper ate it from the mask).
#[test]
fn the_human_format_prints_no_control_character_from_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmScopes:\n  \"corp\\n::warning::INJECTED\\u202e\":\n    npmAuthToken: hunter2secret\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join(".npmrc"),
        "//j.example/:_authToken=\u{1b}[2Jhunter2secret\u{7}\n",
    )
    .expect("write");
    let ours = regex::Regex::new("\x1b\\[[0-9;]*m").expect("regex");
    for color in ["never", "always"] {
        let out = npmrc_guard(dir.path())
            .args(["check", "--color", color, ".yarnrc.yml", ".npmrc"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let stdout = text(&out.stdout);
        for line in stdout.lines() {
            assert!(!line.starts_with("::"), "a workflow command line: {line:?}");
            assert!(!line.contains('\u{202e}'), "{line:?}");
            // Colour codes are ours (ESC followed by `[` and a colour);
            // the file's ESC, BEL and newline are shown escaped.
            let stripped = ours.replace_all(line, "");
            assert!(!stripped.contains(|c: char| c.is_control()), "{line:?}");
        }
        assert!(stdout.contains("\\u{1b}[2J"), "{stdout}");
        assert!(stdout.contains("corp\\n::warning::INJECTED"), "{stdout}");
    }
}

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

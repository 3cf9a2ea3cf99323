//! Secrets never leave: every output format over every fixture, and no
//! whole fixture secret in standard output or standard error.

mod common;

use std::fs;

use common::*;

#[test]
fn no_output_format_contains_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all = Vec::new();
    let mut names = Vec::new();
    for f in fixtures() {
        let name = format!("{}.npmrc", f.name);
        fs::write(dir.path().join(&name), &f.content).expect("write");
        all.extend(f.secrets);
        names.push(name);
    }
    let mut runs = 0;
    for format in ["human", "json", "sarif", "github"] {
        for color in ["always", "never"] {
            let out = npmrc_guard(dir.path())
                .args(["check", "--format", format, "--color", color])
                .args(&names)
                .arg("missing.npmrc")
                .output()
                .expect("runs");
            assert_eq!(
                out.status.code(),
                Some(2),
                "{format}: missing file fails the run"
            );
            assert!(!out.stdout.is_empty());
            assert_no_secret(&out, &all);
            runs += 1;
        }
    }
    assert_eq!(runs, 8);
}

#[test]
fn every_fixture_is_found() {
    // The no-leak test above means nothing if the fixtures were not found.
    let dir = tempfile::tempdir().expect("tempdir");
    for f in fixtures() {
        fs::write(dir.path().join(".npmrc"), &f.content).expect("write");
        let out = npmrc_guard(dir.path())
            .args(["check", "--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{}", f.name);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let errors = json["findings"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|f| f["severity"] == "error")
            .count();
        assert_eq!(errors, f.secrets.len(), "{}: {json:#}", f.name);
    }
}

#[test]
fn debug_and_display_show_only_the_mask() {
    for f in fixtures() {
        let found = npmrc_guard::app::scan_bytes(
            f.name,
            f.content.as_bytes(),
            &npmrc_guard::config::Config::default(),
        );
        let text = format!("{found:?}");
        for s in &f.secrets {
            assert!(
                !text.contains(s.as_str()),
                "{}: Debug leaks a secret",
                f.name
            );
        }
    }
}

//! Four holes a reviewer found in the `.yarnrc.yml` detection (issues 10
//! and 15): spellings from which yarn 4 sends a credential and the guard
//! answered 0. Each case is shown to be read by yarn itself (`yarn config
//! get … --json --no-redacted`, yarn installed once under
//! target/test-tools-yarn; under CI=true a missing node or npm fails), and
//! must be an error from `npmrc-guard check` whose output never holds the
//! secret. The safe spellings next to them stay at 0.

mod common;

use std::path::Path;

use common::{npmrc_guard, text};
use serde_json::Value;

const SECRET: &str = "hunter2secret";
const PROXY_PW: &str = "Summer2024Secret";

/// A case: the file's bytes, the setting yarn is asked for, the path to the
/// value in yarn's answer, and what yarn must hold there.
struct Case {
    what: &'static str,
    file: &'static [u8],
    setting: &'static str,
    path: &'static [&'static str],
    holds: &'static str,
}

const LITERAL: &[Case] = &[
    Case {
        what: "a tab after the colon",
        file: b"npmAuthToken:\thunter2secret\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
    Case {
        what: "a tab after the colon, ident",
        file: b"npmAuthIdent:\talice:hunter2secret\n",
        setting: "npmAuthIdent",
        path: &[],
        holds: "alice:hunter2secret",
    },
    Case {
        what: "a tab after the colon, in a registry",
        file: b"npmRegistries:\n  \"https://r.example\":\n    npmAuthToken:\thunter2secret\n",
        setting: "npmRegistries",
        path: &["https://r.example", "npmAuthToken"],
        holds: SECRET,
    },
    Case {
        what: "a tab after the colon, in a flow mapping",
        file: b"npmScopes:\n  corp: {npmAuthToken:\thunter2secret}\n",
        setting: "npmScopes",
        path: &["corp", "npmAuthToken"],
        holds: SECRET,
    },
    Case {
        what: "a tab after the colon and a tab in the value",
        file: b"npmAuthToken:\t\"hunter2secret\tx\"\n",
        setting: "npmAuthToken",
        path: &[],
        holds: "hunter2secret\tx",
    },
    Case {
        what: "a Latin-1 byte in a comment",
        file: b"# caf\xe9 registry\nnpmAuthToken: hunter2secret\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
    Case {
        what: "a Latin-1 byte in the value",
        file: b"npmAuthToken: \"caf\xe9-hunter2secret\"\n",
        setting: "npmAuthToken",
        path: &[],
        holds: "caf\u{fffd}-hunter2secret",
    },
    Case {
        what: "a sequence as the key",
        file: b"? [npmAuthToken]\n: hunter2secret\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
    Case {
        what: "a sequence as the key, in a flow mapping",
        file: b"{[npmAuthToken]: hunter2secret}\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
    Case {
        what: "sequences as keys in a scope",
        file: b"npmScopes:\n  [corp]: {[npmAuthToken]: hunter2secret}\n",
        setting: "npmScopes",
        path: &["corp", "npmAuthToken"],
        holds: SECRET,
    },
    Case {
        what: "an httpProxy with a password",
        file: b"httpProxy: \"http://alice:Summer2024Secret@proxy.example:3128\"\n",
        setting: "httpProxy",
        path: &[],
        holds: "http://alice:Summer2024Secret@proxy.example:3128",
    },
    Case {
        what: "an httpsProxy with a password",
        file: b"httpsProxy: http://alice:Summer2024Secret@proxy.example/\n",
        setting: "httpsProxy",
        path: &[],
        holds: "http://alice:Summer2024Secret@proxy.example/",
    },
    Case {
        what: "a networkSettings proxy with a password",
        file: b"networkSettings:\n  \"*.example\":\n    httpsProxy: http://alice:Summer2024Secret@proxy.example/\n",
        setting: "networkSettings",
        path: &["*.example", "httpsProxy"],
        holds: "http://alice:Summer2024Secret@proxy.example/",
    },
    // Review, 2026-12-05: where the legacy header is and is not.
    Case {
        what: "a lone CR in the first comment (YAML to yarn: JavaScript's `.` stops at it)",
        file: b"# a\r# yarn lockfile v1\n# yarn lockfile v1\n{npmAuthToken: hunter2secret}\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
    Case {
        what: "a legacy header with U+FEFF for its space (JavaScript's `\\s`)",
        file: b"#\xef\xbb\xbfyarn lockfile v1\nnpmAuthToken hunter2secret\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
    Case {
        what: "a legacy file with an escaped quoted key",
        file: b"# yarn lockfile v1\n\"npm\\u0041uthToken\" hunter2secret\n",
        setting: "npmAuthToken",
        path: &[],
        holds: SECRET,
    },
];

const SAFE: &[Case] = &[
    Case {
        what: "a tab after the colon, a reference",
        file: b"npmAuthToken:\t\"${NPM_TOKEN}\"\n",
        setting: "npmAuthToken",
        path: &[],
        holds: "MARKER",
    },
    Case {
        what: "a sequence as the key, a reference",
        file: b"? [npmAuthToken]\n: ${NPM_TOKEN}\n",
        setting: "npmAuthToken",
        path: &[],
        holds: "MARKER",
    },
    Case {
        what: "a proxy without credentials",
        file: b"httpProxy: http://proxy.example:3128\n",
        setting: "httpProxy",
        path: &[],
        holds: "http://proxy.example:3128",
    },
    Case {
        what: "a proxy with a password from a variable",
        file: b"httpsProxy: http://alice:${NPM_TOKEN}@proxy.example/\n",
        setting: "httpsProxy",
        path: &[],
        holds: "http://alice:MARKER@proxy.example/",
    },
];

fn yarn_get(tools: &Path, dir: &Path, key: &str) -> Value {
    let home = tempfile::tempdir().expect("tempdir");
    common::npm::yarn_config_get(tools, dir, home.path(), key, &[("NPM_TOKEN", "MARKER")])
}

fn check(dir: &Path) -> (Option<i32>, String) {
    let out = npmrc_guard(dir)
        .args(["check", ".yarnrc.yml"])
        .output()
        .expect("runs");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.code(), all)
}

fn run(cases: &[Case], status: i32) {
    let tools = common::npm::installed_once("yarn", common::npm::YARN4);
    let mut failures = Vec::new();
    for case in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package.json"), "{\"name\":\"p\"}\n").expect("write");
        std::fs::write(dir.path().join(".yarnrc.yml"), case.file).expect("write");
        if let Some(tools) = &tools {
            let mut v = yarn_get(tools, dir.path(), case.setting);
            for p in case.path {
                v = v[*p].clone();
            }
            assert_eq!(
                v.as_str(),
                Some(case.holds),
                "yarn's reading of {}",
                case.what
            );
        }
        let (code, all) = check(dir.path());
        if code != Some(status) || all.contains(SECRET) || all.contains(PROXY_PW) {
            failures.push(format!("{}: exit {code:?}\n{all}", case.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_yarn_sends_is_an_error() {
    run(LITERAL, 1);
}

#[test]
fn the_safe_spellings_pass() {
    run(SAFE, 0);
}

/// A file the tool's YAML reader refuses is read line by line, and says
/// so: never a silent 0.
#[test]
fn a_file_that_does_not_parse_is_read_line_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = "npmScopes:\n  corp:\n    npmAuthToken: hunter2secret\n  other: [\n";
    std::fs::write(dir.path().join(".yarnrc.yml"), yaml).expect("write");
    let (code, all) = check(dir.path());
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("read line by line"), "{all}");
    assert!(!all.contains(SECRET), "{all}");
    assert!(all.contains(".yarnrc.yml:3:"), "{all}");
}

/// A key over 1024 characters: js-yaml reads the file, the tool's YAML
/// reader does not and reads it line by line, where a quoted key's
/// escapes must be decoded as js-yaml decodes them (review, 2026-12-05).
#[test]
fn the_line_by_line_reading_decodes_quoted_keys() {
    let tools = common::npm::installed_once("yarn", "@yarnpkg/cli-dist@4.18.1");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("package.json"), "{\"name\":\"p\"}\n").expect("write");
    let yaml = format!(
        "npmScopes:\n  {}:\n    npmRegistryServer: \"https://a.example\"\n  corp:\n    \"npm\\u0041uthToken\": hunter2secret\n",
        "s".repeat(1100)
    );
    std::fs::write(dir.path().join(".yarnrc.yml"), yaml).expect("write");
    if let Some(tools) = &tools {
        let v = yarn_get(tools, dir.path(), "npmScopes");
        assert_eq!(v["corp"]["npmAuthToken"].as_str(), Some(SECRET), "{v}");
    }
    let (code, all) = check(dir.path());
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("read line by line"), "{all}");
    assert!(!all.contains(SECRET), "{all}");
}

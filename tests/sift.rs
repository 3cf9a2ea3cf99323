//! The sifted walks against walks over every line.
//!
//! `detect::detect` and `files::named_values` decode only the lines a
//! `sift::Sift` finds by vector search; `detect_every_line` and
//! `named_values_every_line` walk every line with the same per-line code.
//! They must agree on everything: the fuzz seed corpora, the test fixtures,
//! and generated files made of the pieces the detectors care about.

mod common;

use std::path::Path;

use common::*;
use npmrc_guard::{detect, files};
use proptest::prelude::*;

fn same(src: &[u8]) -> Result<(), TestCaseError> {
    let fast = format!("{:?}", detect::detect("f", src));
    let every = format!("{:?}", detect::detect_every_line("f", src));
    prop_assert_eq!(
        fast,
        every,
        "detect differs on {:?}",
        String::from_utf8_lossy(src)
    );
    prop_assert_eq!(
        files::named_values(src),
        files::named_values_every_line(src),
        "named_values differs on {:?}",
        String::from_utf8_lossy(src)
    );
    Ok(())
}

#[test]
fn seed_corpora_and_fixtures() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut n = 0;
    for target in std::fs::read_dir(&corpus).expect("fuzz/corpus") {
        for seed in std::fs::read_dir(target.expect("entry").path()).expect("target folder") {
            let bytes = std::fs::read(seed.expect("entry").path()).expect("seed");
            same(&bytes).unwrap();
            n += 1;
        }
    }
    for f in fixtures() {
        same(f.content.as_bytes()).unwrap();
        n += 1;
    }
    assert!(n > 30, "only {n} inputs");
}

#[test]
fn counted_breaks_and_markers() {
    let t = npm_token(7);
    for src in [
        format!("a\r\n\r; npmrc-guard: allow\r\n_authToken={t}\r//h/:_authToken=x\n"),
        format!("\u{feff}_auth={t}\n[s]\n//h/:_password=p@ss\n"),
        format!("; npmrc-guard: allow\n\n_auth={t}"),
        format!("\r\r\n\n{t}"),
        format!("userconfig=u.rc\n[s]\nglobalconfig=g.rc\n_authToken={t}"),
    ] {
        same(src.as_bytes()).unwrap();
    }
}

#[test]
fn remembered_keys_and_names() {
    // The sifted walk remembers the last plain key and variable name it
    // accepted; a line that differs in either is judged afresh.
    let keys = [
        "//r.example/:_authToken",
        "//h.example/:_authToken",
        "//r.example/:_password",
        "//r.example/:_a${X?}uthToken",
        "//r.example/:_authtoken",
        "_authToken",
        "//alice:pw@r.example/:_authToken",
    ];
    let values = [
        "${NPM_TOKEN}",
        "${A1B2C3D4E5F6G7H8J}",
        "${NPM_TOKEN}",
        " ${GITHUB_TOKEN} ",
        "${NPM_TOKEN_}",
        "${npm_TOKEN}",
        "${1NPM}",
    ];
    for first in keys {
        for second in keys {
            for v in values {
                let src = format!("{first}=${{NPM_TOKEN}}\n{second}={v}\n{first}={v}\n");
                same(src.as_bytes()).unwrap();
            }
        }
    }
}

/// One line made of the pieces that decide a verdict.
fn line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "//r.example/:_authToken",
        "//r.example/:_auth",
        "//r.example/:_password",
        "//r.example/:username",
        "_authToken",
        "//h/:_a${X?}uthToken",
        "//h/:_authtoken",
        "registry",
        "@s:registry",
        "userconfig",
        "globalc${X?}onfig",
        "\"userconfi\\u0067\"",
        "key",
        "list[]",
        "cache",
        "a\\;b",
        "npm_",
        "",
    ]);
    let value = prop_oneof![
        (0u64..50).prop_map(npm_token),
        (0u64..50).prop_map(|s| github_token("ghp_", s)),
        (0u64..50).prop_map(|s| break_checksum(&npm_token(s))),
        (0u64..50).prop_map(github_pat),
        (0u64..50).prop_map(gitlab_token),
        prop::sample::select(vec![
            "${NPM_TOKEN}",
            "${GITHUB_TOKEN}",
            // Shaped as a plain reference, but no variable's name: sent as
            // text (the sifted walk remembers the names it accepted).
            "${A1B2C3D4E5F6G7H8J}",
            "${NPM_TOKEN?}",
            "$NPM_TOKEN",
            "%NPM_TOKEN%",
            "{{NPM_TOKEN}}",
            "${NPM_TOKEN",
            "https://alice:Pa$sw0rd@npm.example/",
            "https://TOKEN@h/",
            "https://u:${P}@h/",
            "-----BEGIN PRIVATE KEY-----abc-----END PRIVATE KEY-----",
            "true",
            "YOUR_TOKEN",
            "cGFzcw==",
            "u.rc",
            "'[\"x\"]'",
            "\"q\"",
            "a;b",
            "x#y",
            "",
        ])
        .prop_map(str::to_string),
    ];
    let sep = prop::sample::select(vec!["=", " = ", "", " ", ": ", "=\""]);
    let lead = prop::sample::select(vec!["", " ", "; ", "# ", "[", "\u{feff}"]);
    let tail = prop::sample::select(vec!["", " ", "]", " ; c", "\""]);
    prop_oneof![
        8 => (lead, key, sep, value.clone(), tail).prop_map(|(l, k, s, v, t)| format!("{l}{k}{s}{v}{t}")),
        1 => value,
        1 => prop::sample::select(vec!["; npmrc-guard: allow", "[section]", "", "  ", "key[]=a"]).prop_map(str::to_string),
    ]
}

/// A file of such lines, with mixed line breaks.
fn file() -> impl Strategy<Value = Vec<u8>> {
    let brk = prop::sample::select(vec!["\n", "\r\n", "\r"]);
    prop::collection::vec((line(), brk), 0..12).prop_map(|lines| {
        lines
            .into_iter()
            .flat_map(|(l, b)| format!("{l}{b}").into_bytes())
            .collect()
    })
}

/// Bytes biased towards the characters `.npmrc` syntax cares about.
fn npmrcish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"=;#[]\"'\\ \t\r\n${}?:/@_%-".to_vec()),
        4 => prop::sample::select(b"abcnpm_ghpAZ09".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn generated_files(src in file()) {
        same(&src)?;
    }

    #[test]
    fn generated_bytes(src in npmrcish()) {
        same(&src)?;
    }
}

/// Larger than the window the searches look ahead by (256 KiB): triggers
/// on both sides of its edges, strings across them.
#[test]
fn across_search_windows() {
    let t = npm_token(9);
    let pieces = [
        "registry=https://registry.npmjs.org/\n".to_string(),
        "; a comment line with some words in it\n".to_string(),
        "//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\n".to_string(),
        "save-exact=true\r\n".to_string(),
        "key=-----BEGIN RSA PRIVATE KEY-----abc-----END RSA PRIVATE KEY-----\n".to_string(),
        format!("//r.example/:_authToken={t}\n"),
        "; npmrc-guard: allow\n".to_string(),
        "userconfig=ci/u.rc\r".to_string(),
        format!("# {t}\n"),
        "cache=/home/user/.npm-cache\n".to_string(),
    ];
    let mut src = String::new();
    let mut i = 0usize;
    while src.len() < 1_200_000 {
        // An uneven walk through the pieces, so that each lands at many
        // offsets from a window's edge.
        src.push_str(&pieces[(i * 7 + i / 3) % pieces.len()]);
        i += 1;
    }
    src.push_str("[section]\n_auth=x\n");
    same(src.as_bytes()).unwrap();
}

/// The triggers that are rare in a file but decide a verdict alone: a
/// Gemfury URL (`fury.io`, found by the survey's window pass) and a query
/// credential (`?`), each on a line that holds no other trigger, in a
/// file whose other lines hold none either, with the trigger's first byte
/// at each place around the edges of the 256 KiB windows the searches read
/// (first and last byte of a window, a string across two). Without its
/// trigger, the sifted walk never looks at the line.
#[test]
fn rare_triggers_at_window_edges() {
    const WINDOW: usize = 256 * 1024;
    /// `n` bytes of lines that hold no trigger.
    fn filler(mut n: usize) -> String {
        let mut out = String::new();
        while n >= 20 {
            out.push_str("save-exact=true\n");
            n -= 16;
        }
        if n >= 3 {
            out.push_str(&format!("k={}\n", "x".repeat(n - 3)));
        } else {
            out.push_str(&"\n".repeat(n));
        }
        out
    }
    // (The line, and where in it the trigger starts.)
    let lines = [
        ("registry=https://npm.fury.io/q8Xk2ZpT7vLm/acme/", "fury.io"),
        (
            "registry=https://npm-proxy.fury.io/q8Xk2ZpT7vLm/acme/",
            "fury.io",
        ),
        (
            "registry=https://gl.example/api/npm/?token=q8Xk2ZpT7vLm",
            "?",
        ),
    ];
    for (line, trigger) in lines {
        let at = line.find(trigger).unwrap();
        for edge in [WINDOW, 2 * WINDOW] {
            for trigger_at in edge - 8..edge + 3 {
                let src = format!("{}{line}\n{}", filler(trigger_at - at), filler(WINDOW / 2));
                assert_eq!(src.find(trigger), Some(trigger_at));
                let number = 1 + src[..trigger_at].matches('\n').count();
                let every = detect::detect_every_line("f", src.as_bytes());
                assert!(
                    every.iter().any(|d| d.finding.line == number),
                    "no finding for {line:?} at {trigger_at}"
                );
                // (Compared here, not by `same`: a failure names the line,
                // not the 400 KB around it.)
                assert_eq!(
                    format!("{:?}", detect::detect("f", src.as_bytes())),
                    format!("{every:?}"),
                    "detect differs for {line:?} at {trigger_at}"
                );
                assert_eq!(
                    files::named_values(src.as_bytes()),
                    files::named_values_every_line(src.as_bytes())
                );
            }
        }
    }
}

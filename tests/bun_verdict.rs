//! The verdict against bun itself (issue 15, "Proof"): bun has no config
//! dump, so what it sends is read off the wire. Generated `bunfig.toml`
//! files point every registry of `install.registry` and `install.scopes`
//! at a server on 127.0.0.1 that records the `Authorization` header of each
//! request; `bun install` asks it for one package per scope. Every
//! referenced variable is set to a unique marker; what bun sends once the
//! markers are removed is the literal residue. A setting must get an error
//! from `npmrc-guard check` exactly when its residue is non-empty, not a
//! stand-in and not a whole reference bun leaves as text, or when it holds
//! a token whose format makes it certain.
//!
//! 2,000 generated registry entries, 20 to a file. `BUN_VERDICT_SEED=N`
//! generates others. Needs node and npm (bun, from the npm package
//! `@oven/bun-linux-x64`, is installed once under target/test-tools-bun);
//! under CI=true their absence is a failure.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use common::capture::capture_server;
use common::{hermetic, npmrc_guard, required, text};
use npmrc_guard::standin::is_standin;
use npmrc_guard::tokens;
use serde_json::Value;

const ENTRIES: usize = 2_000;
const PER_FILE: usize = 20;
const BUN: &str = "@oven/bun-linux-x64@1.4.5";

/// bun's binary, installed on first use under a lock; `None` (the test
/// skips) when node or npm is missing outside CI.
fn bun() -> Option<PathBuf> {
    let dir = common::npm::installed_once("bun", BUN)?;
    let bin = dir.join("node_modules/@oven/bun-linux-x64/bin/bun");
    let runs = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        assert!(!required(), "bun does not run here ({})", bin.display());
        eprintln!("skipped: bun does not run here");
        return None;
    }
    Some(bin)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const VARS: &[&str] = &["NPM_TOKEN", "BUN_AUTH_TOKEN", "PW"];

fn marker(var: &str) -> String {
    format!("MRK{var}Q")
}

const STANDINS: &[&str] = &[
    "YOUR_TOKEN",
    "<token>",
    "xxxxxxxx",
    "changeme",
    "your-npm-token",
];
const SECRETS: &[&str] = &[
    "Summer2024!",
    "hunter2secret",
    "Pa$sw0rd2024",
    "Zq81mXkL0pAa",
];

/// A credential value as written in the file.
fn value(rng: &mut Rng) -> String {
    let seed = rng.next() % 1000;
    let var = rng.pick(VARS);
    match rng.below(12) {
        0 | 1 => common::npm_token(seed),
        2 => common::github_token("ghp", seed),
        3 => common::break_checksum(&common::npm_token(seed)),
        4 | 5 => format!("${var}"),
        6 => format!("${{{var}}}"),
        7 => format!("tok_${var}"),
        8 => rng.pick(STANDINS).to_string(),
        9 => rng.pick(SECRETS).to_string(),
        10 => format!("${var}x{}", common::npm_token(seed)),
        _ => format!("{}${var}", rng.pick(SECRETS)),
    }
}

/// A TOML basic string holding `s`.
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

/// One registry entry: its TOML value, the kind of credential, the value.
fn entry(rng: &mut Rng, port: u16) -> (String, &'static str, String) {
    let url = format!("http://127.0.0.1:{port}/");
    match rng.below(3) {
        0 => {
            let v = value(rng);
            let t = format!("{{ url = {}, token = {} }}", toml_str(&url), toml_str(&v));
            (t, "token", v)
        }
        1 => {
            let v = value(rng);
            let t = format!(
                "{{ url = {}, username = \"alice\", password = {} }}",
                toml_str(&url),
                toml_str(&v)
            );
            (t, "password", v)
        }
        _ => {
            let pw = rng.pick(&["Summer2024!", "hunter2secret", "xxxxxxxx", "YOUR_TOKEN"]);
            let user = rng.pick(&["alice", "bob"]);
            let v = format!("http://{user}:{pw}@127.0.0.1:{port}/");
            (toml_str(&v), "url", v)
        }
    }
}

fn strip_markers(s: &str) -> String {
    let mut s = s.to_string();
    for v in VARS {
        s = s.replace(&marker(v), "");
    }
    s
}

/// A residue bun sends as text that is a whole reference of another
/// syntax (`${NAME}`): the `broken-interpolation` warning, not an error.
fn literal(r: &str) -> bool {
    let whole_ref = r.starts_with("${")
        && r.ends_with('}')
        && r[2..r.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    !r.is_empty() && !is_standin(r) && !whole_ref
}

fn base64_decode(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let Some(v) = A.iter().position(|&a| a == c) else {
            continue;
        };
        bits = bits << 6 | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_guard_agrees_with_bun() {
    let Some(bun) = bun() else {
        return;
    };
    let seed = std::env::var("BUN_VERDICT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15u64);
    let mut rng = Rng(seed | 1);
    let (port, seen) = capture_server();
    let (mut agree, mut total, mut literal_count, mut braced) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for file in 0..ENTRIES / PER_FILE {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut toml = String::from("[install.scopes]\n");
        let mut deps = serde_json::Map::new();
        let mut entries = Vec::new();
        for i in 0..PER_FILE {
            let (t, what, v) = entry(&mut rng, port);
            toml.push_str(&format!("\"@f{file}s{i}\" = {t}\n"));
            deps.insert(format!("@f{file}s{i}/p"), Value::from("1.0.0"));
            entries.push((format!("@f{file}s{i}"), what, v));
        }
        std::fs::write(dir.path().join("bunfig.toml"), &toml).expect("write");
        let manifest = serde_json::json!({"name": "p", "version": "1.0.0", "dependencies": deps});
        std::fs::write(dir.path().join("package.json"), manifest.to_string()).expect("write");
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = Command::new(&bun);
        hermetic(&mut cmd, home.path())
            .args(["install", "--no-save"])
            .current_dir(dir.path())
            .env("BUN_INSTALL_CACHE_DIR", home.path().join("cache"))
            .env("DO_NOT_TRACK", "1");
        for v in VARS {
            cmd.env(v, marker(v));
        }
        let out = cmd.output().expect("bun runs");
        // Every package is missing: bun fails, having asked for each.
        assert!(!out.status.success(), "{}", text(&out.stdout));
        let sent: BTreeMap<String, Option<String>> = seen.lock().expect("lock").drain(..).collect();

        let guard = npmrc_guard(dir.path())
            .args(["check", "--format", "json", "bunfig.toml"])
            .output()
            .expect("runs");
        assert!(
            matches!(guard.status.code(), Some(0 | 1)),
            "{}",
            text(&guard.stderr)
        );
        let report: Value = serde_json::from_slice(&guard.stdout).expect("json");
        let keys = |severity: &str| -> Vec<String> {
            report["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["severity"] == severity)
                .map(|f| f["key"].as_str().unwrap_or("").to_string())
                .collect()
        };
        let (errors, warnings) = (keys("error"), keys("warning"));
        // A certain token no key holds (glued into a `$NAME` reference bun
        // does not send) is reported on its line, with no key.
        let keyless_error_lines: Vec<u64> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["severity"] == "error" && f["key"].is_null())
            .filter_map(|f| f["line"].as_u64())
            .collect();

        for (i, (scope, what, v)) in entries.iter().enumerate() {
            total += 1;
            let path = format!("/{}%2fp", scope);
            let header = sent
                .get(&path)
                .unwrap_or_else(|| panic!("bun never asked for {path}: {}", text(&out.stderr)));
            let residue = match header.as_deref() {
                None => String::new(),
                Some(h) => match h.split_once(' ') {
                    Some(("Bearer", t)) => strip_markers(t),
                    Some(("Basic", b)) => {
                        let decoded = base64_decode(b);
                        let (user, pass) = decoded.split_once(':').unwrap_or((&decoded, ""));
                        // A URL's username counts when it has no password
                        // (SPEC: "a username alone is a credential").
                        if *what == "url" && pass.is_empty() {
                            strip_markers(user)
                        } else {
                            strip_markers(pass)
                        }
                    }
                    _ => panic!("unexpected Authorization scheme"),
                },
            };
            let certain = tokens::find_tokens(v.as_bytes())
                .iter()
                .any(|t| t.is_certain());
            let expected = literal(&residue) || certain;
            literal_count += usize::from(expected);
            let key = match *what {
                "url" => format!("install.scopes.{scope:?}"),
                w => format!("install.scopes.{scope:?}.{w}"),
            };
            if *what == "token" && v.starts_with("${") {
                // What bun's docs do not say: `${NAME}` is not expanded in
                // bunfig.toml; it is sent as text, and the guard warns.
                assert_eq!(header.as_deref(), Some(format!("Bearer {v}").as_str()));
                assert!(warnings.contains(&key), "no warning for {key} = {v}");
                braced += 1;
            }
            // Entry i is on line i + 2, under `[install.scopes]`.
            let got = errors.contains(&key) || keyless_error_lines.contains(&(i as u64 + 2));
            if got == expected {
                agree += 1;
            } else {
                disagreements.push(format!(
                    "{key} = {v:?}: bun sends {header:?} (residue {residue:?}), expected error: {expected}, guard: {got}"
                ));
            }
        }
    }
    eprintln!(
        "bun verdict: {agree} of {total} registry entries agree ({literal_count} literal; \
         {braced} `${{NAME}}` tokens sent as text, each warned)"
    );
    assert!(braced > 0, "no `${{NAME}}` token generated");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(30)].join("\n")
    );
}

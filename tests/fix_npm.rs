//! The fix is lossless by npm's own measure: `@npmcli/config`, loading the
//! fixed file with each variable set to the value it replaced, resolves
//! exactly what it resolved from the original, for every key. Runs the real
//! binary (`fix --save-env`) on generated files full of awkward cases.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;
use serde_json::{json, Value};

/// Deterministic awkward files: each mixes secrets into the shapes people
/// write (quotes, inline comments, CRLF, BOM, sections, several registries).
fn files() -> Vec<String> {
    let mut out = Vec::new();
    let ends = ["\n", "\r\n", "\r"];
    for i in 0..60u64 {
        let e = ends[(i % 3) as usize];
        let t1 = npm_token(600 + i);
        let t2 = github_token("ghp", 700 + i);
        let t3 = gitlab_token(800 + i);
        let bad = break_checksum(&npm_token(900 + i));
        let mut f = String::new();
        if i % 5 == 0 {
            f.push('\u{feff}');
        }
        f.push_str(&format!(
            "; project config {i}{e}registry=https://registry.npmjs.org/{e}"
        ));
        match i % 6 {
            0 => f.push_str(&format!("//registry.npmjs.org/:_authToken={t1}{e}")),
            1 => f.push_str(&format!("//registry.npmjs.org/:_authToken = \"{t1}\"{e}")),
            2 => f.push_str(&format!("//registry.npmjs.org/:_authToken='{t1}' ; old{e}")),
            3 => f.push_str(&format!(
                "  //registry.npmjs.org/:_authToken\t=\t{t1}#comment{e}"
            )),
            4 => f.push_str(&format!("//registry.npmjs.org/:_authToken={t1}{e}")),
            _ => f.push_str(&format!("//registry.npmjs.org/:_authToken={bad}{e}")),
        }
        if i % 2 == 0 {
            f.push_str(&format!("@acme:registry=https://npm.pkg.github.com{e}//npm.pkg.github.com/:_authToken={t2}{e}"));
        }
        if i % 3 == 0 {
            f.push_str(&format!(
                "//gitlab.example.com/api/v4/packages/npm/:_authToken={t3}{e}"
            ));
            f.push_str(&format!(
                "//gitlab.example.com/api/v4/projects/7/packages/npm/:_authToken={t3}{e}"
            ));
        }
        if i % 4 == 1 {
            f.push_str(&format!("//r.example/:_auth=ZGVwbG95OnMzY3IzdC17aX0={i}{e}//r.example/:_password=cGFzc3dvcmQ{i}{e}"));
        }
        if i % 7 == 2 {
            f.push_str(&format!(
                "registry=https://deploy:pa55-{i}-word@artifactory.example/api/npm/{e}"
            ));
        }
        if i % 10 == 3 {
            // A token with more literal text beside it: npm sends all of it,
            // so the fix takes the whole value (the whole URL password).
            f.push_str(&format!(
                "//mixed.example/:_password={t1}%7Z3{e}@x:registry=https://u:{t2}.x@x.example/{e}"
            ));
        }
        f.push_str(&format!(
            "//other.example/:_authToken=${{OTHER_TOKEN}}{e}save-exact=true"
        ));
        if i % 2 == 1 {
            // The file already references the name a lone secret would get.
            f.push_str(&format!("{e}//ref.example/:_authToken=${{NPM_TOKEN}}"));
        }
        if i % 6 == 4 {
            // npm ignores credentials in sections and does not expand
            // `${…}` there: the fix leaves them, and says so (exit 1).
            f.push_str(&format!("{e}[work]{e}//legacy.example/:_authToken={t1}"));
        }
        if i % 2 == 1 {
            f.push_str(e);
        }
        out.push(f);
    }
    out
}

/// The store as a real reader reads it: `node --env-file`, in a clean
/// environment, for the names the file sets.
fn parse_env(file: &std::path::Path) -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    if names.is_empty() {
        return serde_json::Map::new();
    }
    let home = tempfile::tempdir().expect("tempdir");
    let out = Command::new("node")
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg(format!("--env-file={}", file.display()))
        .arg("-e")
        .arg("const o={};for(const n of process.argv.slice(1))o[n]=process.env[n];process.stdout.write(JSON.stringify(o))")
        .args(&names)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node --env-file: {}",
        text_of(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn text_of(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn npm_resolves_the_same_credentials_after_the_fix() {
    let Some(npm) = npm_root() else {
        assert!(
            !required(),
            "npm's @npmcli/config was not found (npm root -g)"
        );
        eprintln!("skipped: npm is not installed");
        return;
    };
    let base = tempfile::tempdir().expect("tempdir");
    let mut jobs = Vec::new();
    let mut fixed_text = Vec::new();
    for (i, content) in files().iter().enumerate() {
        let before = base.path().join(format!("before-{i}"));
        let after = base.path().join(format!("after-{i}"));
        for d in [&before, &after] {
            std::fs::create_dir_all(d).expect("mkdir");
            std::fs::write(d.join("package.json"), "{}").expect("write");
            std::fs::write(d.join(".npmrc"), content).expect("write");
        }
        let env_file = base.path().join(format!("secrets-{i}.env"));
        if i % 8 == 6 {
            // An existing, too-open store that already holds the usual names
            // with other values.
            std::fs::write(
                &env_file,
                "NPM_TOKEN='held-elsewhere'\nNPM_TOKEN_REGISTRY_NPMJS_ORG='x'\n",
            )
            .expect("write");
            std::fs::set_permissions(&env_file, std::fs::Permissions::from_mode(0o644))
                .expect("chmod");
        }
        let env_before = parse_env(&env_file);
        let out = npmrc_guard(&after)
            .args(["fix", "--save-env"])
            .arg(&env_file)
            .output()
            .expect("runs");
        let in_section = content.contains("[work]");
        let expected = if in_section { 1 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "file {i}: {}",
            text(&out.stderr)
        );
        let all: Vec<String> = content
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
            .filter(|w| w.len() >= 20)
            .map(str::to_string)
            .collect();
        assert_no_secret(&out, &all);
        let env = parse_env(&env_file);
        let fixed = std::fs::read_to_string(after.join(".npmrc")).expect("read");
        // Fixing twice changes nothing the second time.
        let again = npmrc_guard(&after)
            .args(["fix", "--discard-secrets"])
            .output()
            .expect("runs");
        assert_eq!(again.status.code(), Some(expected));
        assert_eq!(
            std::fs::read_to_string(after.join(".npmrc")).expect("read"),
            fixed,
            "file {i}: second fix changed it"
        );
        fixed_text.push(fixed);
        if i % 8 == 6 {
            let mode = std::fs::metadata(&env_file)
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "file {i}: the store was not tightened");
        }
        jobs.push(json!({"cwd": before, "env": env_before}));
        jobs.push(json!({"cwd": after, "env": env}));
    }
    let stdout = node_json(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm_config.js"),
        &npm,
        &serde_json::to_vec(&jobs).expect("json"),
    );
    let results: Vec<Value> = serde_json::from_slice(&stdout).expect("json");
    for (i, pair) in results.chunks(2).enumerate() {
        let (before, after) = (&pair[0]["data"], &pair[1]["data"]);
        assert!(
            before.as_object().is_some_and(|o| !o.is_empty()),
            "file {i}: npm read nothing"
        );
        assert_eq!(
            before, after,
            "file {i}: npm resolves differently after the fix:\n{}",
            fixed_text[i]
        );
    }
    // The fixed files hold no literal any more.
    for (i, f) in fixed_text.iter().enumerate() {
        let f = f.split("[work]").next().unwrap_or_default();
        assert!(
            !f.contains("npm_FAKE") && !f.contains("ghp_FAKE") && !f.contains("glpat-FAKE"),
            "file {i}: {f}"
        );
    }
}

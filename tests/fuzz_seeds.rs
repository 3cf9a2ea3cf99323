//! The fuzz targets' seed corpora (`fuzz/corpus/<target>/seed-*`) are made
//! from the test fixtures. This test keeps them in step:
//! `NPMRC_GUARD_BLESS=1 cargo test --test fuzz_seeds` rewrites them.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;

/// Seed name → content, for every target.
fn seeds() -> BTreeMap<(&'static str, String), Vec<u8>> {
    let mut files: Vec<(String, String)> = fixtures()
        .into_iter()
        .map(|f| (f.name.to_string(), f.content))
        .collect();
    let t = npm_token(501);
    let extra = [
        ("safe", SAFE_NPMRC.to_string()),
        ("section", format!("[work]\n//r.example/:_authToken={t}\n")),
        (
            "allow",
            format!("; npmrc-guard: allow\n//r.example/:_authToken={t}\n"),
        ),
        (
            "interp",
            "//r.example/:_authToken=${A}${B?}\\${C}\n_auth=${BROKEN\n".to_string(),
        ),
        (
            "array",
            format!("ca[]=x\nca[] = \"y\"\n//r.example/:_password[]={t}\n"),
        ),
        (
            "userinfo",
            format!("@s:registry=https://u:{t}@r.example/npm/\n"),
        ),
        (
            "escapes",
            "k\\;=v\\#x ; c\n'quoted'='[1,2]'\n\"a\"=\"true\"\n=x\n".to_string(),
        ),
    ];
    files.extend(extra.map(|(n, c)| (n.to_string(), c)));
    let mut out = BTreeMap::new();
    for (name, content) in files {
        out.insert(
            ("parse", format!("seed-{name}")),
            content.clone().into_bytes(),
        );
        out.insert(("fix", format!("seed-{name}")), content.into_bytes());
    }
    let tokens = [
        npm_token(502),
        github_token("ghp", 503),
        github_token("ghs", 504),
        break_checksum(&npm_token(505)),
        github_pat(506),
        gitlab_token(507),
    ];
    for (i, tok) in tokens.iter().enumerate() {
        out.insert(
            ("tokens", format!("seed-{i}")),
            format!("x={tok} y").into_bytes(),
        );
    }
    let t = &tokens[0];
    let values = [
        "${NPM_TOKEN}".to_string(),
        "${A?}${B}".to_string(),
        format!("npm_ab${{X?}}{}", &t[6..]),
        r"\${A}x\\${B}y\\\${C?}".to_string(),
        "Pa$sw0rd ${A".to_string(),
        "${}${?}${A?B}".to_string(),
    ];
    for (i, v) in values.iter().enumerate() {
        out.insert(("eval", format!("seed-{i}")), v.clone().into_bytes());
    }
    let urls = [
        format!("https://deploy:{t}@r.example/npm/"),
        "https://alice:Pa$sw0rd2024@npm.corp.example/".to_string(),
        "https:alice:pw@host".to_string(),
        "https://alice@corp:p%40ss@host/".to_string(),
        "https://TOKEN123@host/".to_string(),
        "http://a:p\tw@h\\x/".to_string(),
    ];
    for (i, u) in urls.iter().enumerate() {
        out.insert(("url", format!("seed-{i}")), u.clone().into_bytes());
    }
    out
}

#[test]
fn seed_corpora_match_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let bless = bless();
    let want = seeds();
    for ((target, name), content) in &want {
        let path = root.join(target).join(name);
        if bless {
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(&path, content).expect("write");
        }
        let have = fs::read(&path).unwrap_or_default();
        assert!(
            have == *content,
            "{} is out of date: NPMRC_GUARD_BLESS=1 cargo test --test fuzz_seeds",
            path.display()
        );
    }
    // No stale seeds either.
    for target in ["parse", "fix", "tokens", "eval", "url"] {
        for entry in fs::read_dir(root.join(target)).expect("corpus folder") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.starts_with("seed-") {
                assert!(
                    want.contains_key(&(target, name.clone())),
                    "stale seed fuzz/corpus/{target}/{name}"
                );
            }
        }
    }
}

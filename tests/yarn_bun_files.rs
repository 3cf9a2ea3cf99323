//! yarn 2+'s `.yarnrc.yml` and bun's `bunfig.toml` are read by every way
//! the tool reads files (issue 15): `check FILE`, `scan`, `scan --staged`,
//! `scan --history`, in every format, with the same rule ids and masking
//! (`fix` is tested in `yarn_bun_fix.rs`).

mod common;

use common::{assert_no_secret, github_token, npm_token, text, TestRepo};
use serde_json::Value;

fn yarnrc(token: &str, password: &str) -> String {
    format!(
        "# yarn 2+\nnpmScopes:\n  corp:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n    npmAuthToken: \"{token}\"\n\
         npmRegistries:\n  \"https://r.example\":\n    npmAuthIdent: 'alice:{password}'\n\
         npmAuthToken: ${{NPM_TOKEN:-${{FALLBACK-}}}}\n"
    )
}

fn bunfig(token: &str) -> String {
    format!(
        "[install]\nregistry = \"https://registry.npmjs.org/\"\n\n[install.scopes]\n\
         \"@corp\" = {{ token = \"{token}\", url = \"https://registry.corp.example/\" }}\n\
         \"@other\" = \"https://alice:Summer2024!@registry.other.example/\"\n\
         \"@safe\" = {{ token = \"$NPM_TOKEN\", url = \"https://registry.corp.example/\" }}\n"
    )
}

/// (path, line, column, rule, key) of each finding of a JSON report.
fn findings(out: &std::process::Output) -> Vec<(String, u64, u64, String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json: {e}: {}{}", text(&out.stdout), text(&out.stderr)));
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or("").to_string(),
                f["key"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn expected() -> Vec<(String, u64, u64, String, String)> {
    let f = |p: &str, l: u64, c: u64, r: &str, k: &str| {
        (p.to_string(), l, c, r.to_string(), k.to_string())
    };
    vec![
        f(
            ".yarnrc.yml",
            5,
            20,
            "github-token",
            "npmScopes.corp.npmAuthToken",
        ),
        f(
            ".yarnrc.yml",
            8,
            20,
            "basic-auth",
            "npmRegistries[\"https://r.example\"].npmAuthIdent",
        ),
        f(
            "app/bunfig.toml",
            5,
            22,
            "npm-token",
            "install.scopes.\"@corp\".token",
        ),
        f(
            "app/bunfig.toml",
            6,
            27,
            "url-credentials",
            "install.scopes.\"@other\"",
        ),
    ]
}

#[test]
fn every_reading_finds_them() {
    let ghp = github_token("ghp", 151);
    let npm = npm_token(152);
    let secrets = vec![ghp.clone(), npm.clone(), "Summer2024!".to_string()];
    let repo = TestRepo::new();
    repo.write(".yarnrc.yml", &yarnrc(&ghp, "Summer2024!"));
    repo.write("app/bunfig.toml", &bunfig(&npm));
    // Other names are not these files.
    repo.write("yarnrc.yml", &yarnrc(&npm_token(1), "x"));
    repo.write("app/bunfig.toml.bak", &bunfig(&ghp));

    let check = repo.tool(&[
        "check",
        "--format",
        "json",
        ".yarnrc.yml",
        "app/bunfig.toml",
    ]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    assert_eq!(findings(&check), expected());
    assert_no_secret(&check, &secrets);

    let scan = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(scan.status.code(), Some(1), "{}", text(&scan.stderr));
    assert_eq!(findings(&scan), expected());

    repo.git(&["add", "-A"]);
    let staged = repo.tool(&["scan", "--staged", "--format", "json"]);
    assert_eq!(staged.status.code(), Some(1), "{}", text(&staged.stderr));
    assert_eq!(findings(&staged), expected());

    repo.git(&["commit", "-qm", "configs"]);
    repo.write(".yarnrc.yml", "npmAuthToken: ${NPM_TOKEN}\n");
    repo.write("app/bunfig.toml", "[install]\nregistry = \"https://r/\"\n");
    repo.git(&["commit", "-qam", "cleaned"]);
    let clean = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    let history = repo.tool(&["scan", "--history", "--format", "json"]);
    assert_eq!(history.status.code(), Some(1), "{}", text(&history.stderr));
    assert_eq!(findings(&history), expected());
    assert_no_secret(&history, &secrets);

    for format in ["human", "github", "sarif"] {
        let out = repo.tool(&["scan", "--history", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let all = text(&out.stdout);
        assert!(
            all.contains(".yarnrc.yml") && all.contains("app/bunfig.toml"),
            "{format}: {all}"
        );
        assert_no_secret(&out, &secrets);
    }
}

#[test]
fn what_the_tools_do_not_read_is_not_a_credential() {
    let repo = TestRepo::new();
    repo.write(
        ".yarnrc.yml",
        "npmScopes:\n  corp:\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAuthIdent: ${IDENT:-}\n\
         npmAuthToken: YOUR_TOKEN\nother: Summer2024!\n",
    );
    repo.write(
        "bunfig.toml",
        "[install.scopes]\n\"@a\" = { token = \"$NPM_TOKEN\", url = \"$REGISTRY_URL\" }\n\
         [other]\ntoken = \"Summer2024!\"\n",
    );
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // Not YAML / not TOML: nothing yarn or bun could read, no crash.
    repo.write(".yarnrc.yml", "npmAuthToken: [\n");
    repo.write("bunfig.toml", "[install\n");
    let out = repo.tool(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_name_with_credentials_is_never_shown() {
    let npm = npm_token(154);
    let repo = TestRepo::new();
    repo.write(
        ".yarnrc.yml",
        &format!(
            "npmRegistries:\n  \"https://alice:Summer2024!@r.example\":\n    npmAuthToken: {npm}\n\
             npmScopes:\n  {npm}:\n    npmAuthToken: hunter2secret\n"
        ),
    );
    repo.write(
        "bunfig.toml",
        &format!(
            "[install.scopes]\n\"{npm}\" = {{ token = \"hunter2secret\", url = \"https://r/\" }}\n"
        ),
    );
    for format in ["human", "json", "sarif", "github"] {
        let out = repo.tool(&["scan", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stderr)
        );
        assert_no_secret(
            &out,
            &[
                npm.clone(),
                "Summer2024!".to_string(),
                "hunter2secret".to_string(),
            ],
        );
    }
    let out = repo.tool(&["scan", "--format", "json"]);
    let keys: Vec<String> = findings(&out).into_iter().map(|f| f.4).collect();
    assert!(
        keys.contains(&"npmRegistries[\"https://…@r.example\"]".to_string()),
        "{keys:?}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever the bytes, both readers answer (no panic, no hang): the
    /// library is called directly, the binary once per case would be slow.
    #[test]
    fn any_content_is_read(s in "[a-z:{}\\[\\]&*!|>'\"#$\\-\\\\ \n\tnpmAuthTokenScopesinstall.=@]{0,200}") {
        let _ = npmrc_guard::files::detect_file(".yarnrc.yml", s.as_bytes());
        let _ = npmrc_guard::files::detect_file("bunfig.toml", s.as_bytes());
        let _ = npmrc_guard::files::detect_file(".yarnrc.yml", &s.as_bytes()[..s.len() / 2]);
    }
}

//! The pure core's small promises, pinned through the library API: the
//! config file's checks, the rule table, the secret mask and fingerprint,
//! and which paths the selector takes. Written to kill the mutants
//! `cargo mutants` found alive in `src/config.rs`, `src/finding.rs` and
//! `src/select.rs` (see the README's contributor section).

mod common;

use npmrc_guard::config::{self, Config};
use npmrc_guard::finding::{fingerprint, mask, Rule, Secret, Severity};
use npmrc_guard::select::Selector;

fn vars(name: &str) -> Result<Config, String> {
    Config::from_str(&format!("[vars]\n\"r.example\" = {name:?}\n"), "cfg")
}

#[test]
fn config_reads_every_key() {
    let c = Config::from_str(
        "include = [\"a/*\"]\nexclude = [\"b/**\"]\nallow = [\"f00\"]\n[vars]\n\"r.example\" = \"R_TOKEN\"\n",
        "cfg",
    )
    .expect("valid");
    assert_eq!(c.include, ["a/*"]);
    assert_eq!(c.exclude, ["b/**"]);
    assert_eq!(c.allow, ["f00"]);
    assert_eq!(c.vars["r.example"], "R_TOKEN");
    let err = Config::from_str("nope = 1\n", "cfg").expect_err("unknown key");
    assert!(err.starts_with("cfg:1:1: "), "{err}");
    assert!(err.contains("`nope`"), "{err}");
}

#[test]
fn config_vars_must_be_variable_names() {
    for ok in ["R_TOKEN", "_R_TOKEN", "r2_token", "A_1_b_KEY", "TOKEN"] {
        let c = vars(ok).expect("loads");
        assert_eq!(
            c.fixer_vars().expect("a name").get("r.example"),
            Some(&ok.to_string())
        );
    }
    let token = common::npm_token(31);
    let random = "TOKEN_aB3xQ9zK2mP7wL4v";
    for bad in [
        "",
        "1R",
        "9",
        "R-TOKEN",
        "R TOKEN",
        "R.T",
        "É",
        "$R",
        random,
        &token,
        "PROMPT_COMMAND",
        "NPM_CONFIG_REGISTRY",
        // No credential word: some tool's setting (`CC` is the compiler
        // make runs; review 6, #5).
        "R",
        "r2",
        "CC",
    ] {
        // The file loads (a name that breaks a rule added later must not
        // block every commit); the name is out of `vars`, and only the
        // fixer refuses to run.
        let c = vars(bad).expect(bad);
        assert!(c.vars.is_empty(), "{bad:?}");
        let err = c.fixer_vars().expect_err(bad);
        assert!(err.contains("a variable name is letters"), "{bad:?}: {err}");
        assert!(err.starts_with("cfg: "), "{err}");
        // The refused name is not repeated: a secret written there stays
        // unseen.
        assert!(
            bad.len() < 4 || bad.starts_with(['P', 'N']) || !err.contains(bad),
            "{bad:?} shown: {err}"
        );
    }
}

#[test]
fn config_load_finds_or_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No file at the root: the defaults.
    assert_eq!(
        config::load(None, dir.path()).expect("no file is fine"),
        Config::default()
    );
    // A file named with --config must exist.
    let named = dir.path().join("named.toml");
    let err = config::load(Some(&named), dir.path()).expect_err("missing --config");
    assert!(err.contains("named.toml"), "{err}");
    // Read when there.
    std::fs::write(&named, "include = [\"x/*\"]\n").expect("write");
    assert_eq!(
        config::load(Some(&named), dir.path())
            .expect("read")
            .include,
        ["x/*"]
    );
    std::fs::write(dir.path().join(config::FILE_NAME), "exclude = [\"y\"]\n").expect("write");
    assert_eq!(config::load(None, dir.path()).expect("read").exclude, ["y"]);
    // Present but unreadable (a folder): an error, never the defaults.
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(other.path().join(config::FILE_NAME)).expect("mkdir");
    assert!(config::load(None, other.path()).is_err());
}

#[test]
fn rule_table() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "npm-token",
            "github-token",
            "gitlab-token",
            "auth-token",
            "basic-auth",
            "url-credentials",
            "private-key",
            "broken-interpolation",
            "unscoped-credential",
            "config-changed",
        ]
    );
    let mut summaries: Vec<&str> = Rule::ALL.iter().map(|r| r.summary()).collect();
    assert!(summaries.iter().all(|s| s.len() > 5), "{summaries:?}");
    summaries.sort_unstable();
    summaries.dedup();
    assert_eq!(summaries.len(), Rule::ALL.len(), "one summary per rule");
    for r in Rule::ALL {
        let warning = matches!(
            r,
            Rule::BrokenInterpolation | Rule::UnscopedCredential | Rule::ConfigChanged
        );
        let want = if warning {
            Severity::Warning
        } else {
            Severity::Error
        };
        assert_eq!(r.severity(), want, "{r:?}");
        assert_eq!(r.is_secret(), !warning, "{r:?}");
        assert_eq!(r.to_string(), r.id());
        assert_eq!(
            serde_json::to_string(&r).expect("json"),
            format!("\"{}\"", r.id())
        );
    }
    assert_eq!(Severity::Warning.to_string(), "warning");
    assert_eq!(Severity::Error.to_string(), "error");
}

#[test]
fn mask_shows_at_most_four_and_two() {
    assert_eq!(mask(""), "…");
    assert_eq!(
        mask("abcdefghijklmnopqrstuvw"),
        "…",
        "23 characters: nothing"
    );
    assert_eq!(mask("abcdefghijklmnopqrstuvwx"), "abcd…wx", "24 characters");
    assert_eq!(mask("abcdefghijklmnopqrstuvwxyz"), "abcd…yz");
    // Characters, not bytes.
    assert_eq!(mask(&"é".repeat(23)), "…");
    assert_eq!(mask(&format!("{}x", "é".repeat(23))), "éééé…éx");
}

#[test]
fn a_secret_shows_only_its_mask() {
    let whole = "npm_abcdefghijklmnopqrstuvwxyz0123456789";
    let s = Secret::new(whole);
    assert_eq!(s.expose(), whole);
    assert_eq!(s.mask(), "npm_…89");
    assert_eq!(s.to_string(), "npm_…89");
    assert_eq!(format!("{s:?}"), "Secret(npm_…89)");
    assert_eq!(serde_json::to_string(&s).expect("json"), "\"npm_…89\"");
}

#[test]
fn fingerprints_are_stable_and_distinct() {
    // Allowlists name these: a change breaks every user's config.
    let f = fingerprint(Rule::NpmToken, ".npmrc", "secret-value");
    assert_eq!(f.len(), 32);
    assert!(f
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(f, fingerprint(Rule::NpmToken, ".npmrc", "secret-value"));
    assert_ne!(f, fingerprint(Rule::AuthToken, ".npmrc", "secret-value"));
    assert_ne!(f, fingerprint(Rule::NpmToken, "a/.npmrc", "secret-value"));
    assert_ne!(f, fingerprint(Rule::NpmToken, ".npmrc", "secret-valuf"));
    assert_eq!(f, PINNED_FINGERPRINT);
}

/// `h = SHA-256("npmrc-guard/v2\0npm-token\0.npmrc\0secret-value")`, then
/// 1,000 times `h = SHA-256(h ‖ "secret-value")`, first 16 bytes (computed
/// apart, with Python's hashlib).
const PINNED_FINGERPRINT: &str = "3aedfa8c5c70f1a3898bebbd34addf9c";

fn globs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn default_selector_takes_every_npmrc() {
    let s = Selector::new(&[], &[]).expect("valid");
    for yes in [".npmrc", "a/.npmrc", "packages/app/.npmrc"] {
        assert!(s.matches(yes.as_bytes()), "{yes}");
        assert!(!s.is_excluded(yes.as_bytes()), "{yes}");
    }
    for no in ["x.npmrc", ".npmrc.bak", "a/.npmrc/b", "a/x.npmrc", "npmrc"] {
        assert!(!s.matches(no.as_bytes()), "{no}");
    }
}

#[test]
fn selector_globs_and_excludes() {
    let s = Selector::new(&globs(&["config/*.npmrc"]), &globs(&["vendor/**"])).expect("valid");
    assert!(s.matches(b"config/a.npmrc"));
    assert!(!s.matches(b"config/x/a.npmrc"), "* does not cross /");
    assert!(
        !s.matches(b".npmrc"),
        "the command line's globs replace the default"
    );
    let s = Selector::new(&[], &globs(&["vendor/**"])).expect("valid");
    assert!(s.matches(b"a/.npmrc"));
    assert!(!s.is_excluded(b"a/.npmrc"));
    assert!(!s.matches(b"vendor/x/.npmrc"));
    assert!(s.is_excluded(b"vendor/x/.npmrc"));
    assert!(Selector::new(&globs(&["a/[x"]), &[]).is_err());
    assert!(Selector::new(&[], &globs(&["a/[x"])).is_err());
}

//! The verdict against yarn 2+ itself (issue 15, "Proof"): over generated
//! `.yarnrc.yml` content, the tool reports an error exactly where yarn
//! would send a literal credential.
//!
//! yarn (`@yarnpkg/cli-dist`, run with node) answers `yarn config get
//! npmScopes --json --no-redacted` (and, for a few batches, the top-level
//! `npmAuthToken`, `npmAuthIdent` and `npmRegistries`) twice for each
//! generated file: once with every referenced variable set to a unique
//! marker, once with every variable that has a fallback (`${F:-…}`,
//! `${F-…}`) unset. What is left of `npmAuthToken` / `npmAuthIdent` once
//! the markers are removed, and of a `npmRegistryServer` URL's password (or
//! username alone, read as WHATWG URL), is the literal residue. A setting must get an error from `npmrc-guard check`
//! exactly when one of its two residues is non-empty, not a stand-in and
//! not a whole reference yarn leaves as text (`$NAME`: a warning), or when
//! it holds a token whose format makes it certain.
//!
//! A yarn process takes about a second, so the 2,000 generated files are
//! scopes of batch files (100 a batch): yarn evaluates each setting on its
//! own, and a YAML anchor in one file may be aliased by the next. Values
//! yarn refuses (it then loads no config at all) are checked one file each.
//! `YARN_VERDICT_SEED=N` generates other files. Needs node and npm (yarn is
//! installed once under target/test-tools-yarn); under CI=true their
//! absence is a failure.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::{npmrc_guard, text};
use npmrc_guard::standin::{is_standin, VOCABULARY};
use npmrc_guard::tokens;
use regex::Regex;
use serde_json::Value;

const FILES: usize = 2_000;
const BATCH: usize = 100;
/// Batches that also carry top-level settings and `npmRegistries`.
const TOP_LEVEL_BATCHES: usize = 4;
const YARN: &str = "@yarnpkg/cli-dist@4.18.1";

/// The folder holding `node_modules/` with yarn, installed on first use
/// under a lock; `None` (the test skips) when node or npm is missing
/// outside CI.
pub fn yarn_tools() -> Option<PathBuf> {
    let dir = common::npm::installed_once("yarn", YARN)?;
    Some(dir)
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
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Variables referenced without a fallback: always set.
const VARS: &[&str] = &["NPM_TOKEN", "V1", "V2", "U"];
/// Variables referenced with a fallback: set, then unset.
const FALLBACK_VARS: &[&str] = &["F1", "F2", "F_TOKEN"];

const STANDINS: &[&str] = &[
    "YOUR_TOKEN",
    "<token>",
    "xxxxxxxx",
    "PUT_AUTHTOKEN_HERE",
    "ghp_your_token_here",
    "changeme",
    "your-npm-token",
];

const SECRETS: &[&str] = &[
    "Summer2024!",
    "hunter2secret",
    "Pa$sw0rd2024",
    "correct-horse-battery",
    "123e4567-e89b-12d3-a456-426614174000",
    "Zq81mXkL0pAa",
];

fn marker(var: &str) -> String {
    format!("MRK{var}Q")
}

struct Gen {
    rng: Rng,
    anchors: usize,
}

impl Gen {
    fn token(&mut self) -> String {
        let seed = self.rng.next() % 1000;
        match self.rng.below(5) {
            0 | 1 => common::npm_token(seed),
            2 => common::github_token("ghp", seed),
            3 => common::gitlab_token(seed),
            _ => common::break_checksum(&common::npm_token(seed)),
        }
    }

    fn standin(&mut self) -> String {
        if self.rng.chance(50) {
            return self.rng.pick(STANDINS).to_string();
        }
        let n = 1 + self.rng.below(3);
        (0..n)
            .map(|_| VOCABULARY[self.rng.below(VOCABULARY.len())].to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join("_")
    }

    /// A piece of a value; `depth` bounds nested fallbacks.
    fn fragment(&mut self, depth: usize) -> String {
        match self.rng.below(13) {
            0 | 1 => self.token(),
            2 => {
                let t = self.token();
                let at = 4 + self.rng.below(t.len() - 4);
                let r = format!("${{{}}}", self.rng.pick(VARS));
                format!("{}{r}{}", &t[..at], &t[at..])
            }
            3 | 4 => format!("${{{}}}", self.rng.pick(VARS)),
            5 if depth < 2 => {
                let op = self.rng.pick(&[":-", "-"]);
                let var = self.rng.pick(FALLBACK_VARS);
                let inner = if self.rng.chance(30) {
                    String::new()
                } else {
                    self.fragment(depth + 1)
                };
                format!("${{{var}{op}{inner}}}")
            }
            6 => self.standin(),
            7 => self.rng.pick(SECRETS).to_string(),
            8 => self
                .rng
                .pick(&["\\$", "\\}", "\\\\", "}", "$NPM_TOKEN", "$", "\\x"])
                .to_string(),
            9 => self.rng.pick(&[" ", "-", "_", ":", "@"]).to_string(),
            10 => format!("alice:{}", self.rng.pick(SECRETS)),
            _ => String::new(),
        }
    }

    fn value(&mut self) -> String {
        loop {
            let n = 1 + self.rng.below(3);
            let v: String = (0..n).map(|_| self.fragment(0)).collect();
            // yarn reads a value that is empty or only spaces as none.
            if !v.trim().is_empty() {
                return v;
            }
        }
    }

    /// `v` as a YAML scalar, in one of the styles that can hold it.
    fn scalar(&mut self, v: &str, indent: &str) -> String {
        let plain_ok = v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_$.-{}<>".contains(&b))
            && v.as_bytes()[0].is_ascii_alphanumeric();
        let anchor = if self.rng.chance(5) {
            self.anchors += 1;
            format!("&a{} ", self.anchors)
        } else {
            String::new()
        };
        match self.rng.below(5) {
            0 if plain_ok => format!("{anchor}{v}"),
            1 if !v.starts_with(' ') && !v.ends_with(' ') => {
                format!("{anchor}|-\n{indent}  {v}")
            }
            2 => format!("{anchor}'{}'", v.replace('\'', "''")),
            _ => format!(
                "{anchor}\"{}\"",
                v.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        }
    }

    /// One generated file: a scope's settings; `(setting, value)` pairs.
    fn file(&mut self, scope: &str, out: &mut String) -> Vec<(String, String)> {
        out.push_str(&format!("  {scope}:\n"));
        let mut settings = Vec::new();
        for name in ["npmAuthToken", "npmAuthIdent"] {
            if !self.rng.chance(70) {
                continue;
            }
            let v = self.value();
            let s = self.scalar(&v, "    ");
            // js-yaml's readings a YAML 1.2 parser may not share: a tab
            // after the colon, a sequence as the key (`String([k])`).
            let block = s.contains('\n');
            let key = if !block && self.rng.chance(10) {
                format!("[{name}]")
            } else {
                name.to_string()
            };
            let sep = if !block && self.rng.chance(10) {
                ":\t"
            } else {
                ": "
            };
            out.push_str(&format!("    {key}{sep}{s}\n"));
            settings.push((name.to_string(), v));
        }
        if self.rng.chance(40) {
            let userinfo = self.rng.pick(&[
                "alice:Summer2024!@",
                "alice@",
                "alice:${V1}@",
                "${U}:${V1}@",
                ":${NPM_TOKEN}@",
                "alice:xxxxxxxx@",
                "alice:<password>@",
                "${U}@",
                "alice:${F1:-hunter2secret}@",
                "alice:${F2-}@",
                "TOKEN@",
                "",
                "",
            ]);
            let v = format!("https://{userinfo}{scope}.example/npm/");
            let s = self.scalar(&v, "    ");
            out.push_str(&format!("    npmRegistryServer: {s}\n"));
            settings.push(("npmRegistryServer".to_string(), v));
        }
        if settings.is_empty() {
            out.push_str("    npmAlwaysAuth: true\n");
        }
        settings
    }
}

/// Run yarn's `config get KEY` in `dir` with `env`.
fn yarn_get(
    tools: &Path,
    dir: &Path,
    key: &str,
    env: &[(String, String)],
) -> Result<Value, String> {
    let home = tempfile::tempdir().expect("tempdir");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = common::npm::yarn_config(tools, dir, home.path(), key, &env);
    if !out.status.success() {
        return Err(format!("{}{}", text(&out.stdout), text(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

fn strip_markers(s: &str) -> String {
    let mut s = s.to_string();
    for v in VARS.iter().chain(FALLBACK_VARS) {
        s = s.replace(&marker(v), "");
    }
    s
}

/// The credential a registry URL yarn holds carries, read as WHATWG URL
/// (what Node's fetch reads): the password, or the username alone.
fn url_residue(url: &str) -> String {
    let Ok(u) = url::Url::parse(url) else {
        return String::new();
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let pass = strip_markers(&decode(u.password().unwrap_or("")));
    if pass.is_empty() && u.password().is_none_or(str::is_empty) {
        strip_markers(&decode(u.username()))
    } else {
        pass
    }
}

/// Whether yarn sends a literal credential: a residue judged as SPEC says.
fn literal(residue: &str) -> bool {
    !residue.is_empty() && !is_standin(residue) && !whole_reference(residue)
}

/// A whole residue that is a reference npm does not expand (as in
/// tests/npm_verdict.rs): the SPEC's `broken-interpolation` warning.
fn whole_reference(s: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:\$\{[^${}]*\??\}|\$\{[A-Za-z_][A-Za-z0-9_]*\??",
            r"|\$<[A-Za-z_][A-Za-z0-9_]*>|\$[A-Za-z_][A-Za-z0-9_]*",
            r"|%[A-Za-z_][A-Za-z0-9_]*%|\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\})$"
        ))
        .expect("regex")
    });
    let s = s.trim();
    let open_name = s.strip_prefix("${").or_else(|| s.strip_prefix('$'));
    let one_case = |n: &str| {
        !(n.bytes().any(|b| b.is_ascii_uppercase()) && n.bytes().any(|b| b.is_ascii_lowercase()))
    };
    RE.is_match(s)
        && match open_name {
            Some(n) if !n.ends_with('}') && !n.starts_with('<') => {
                one_case(n.trim_end_matches('?'))
            }
            _ => true,
        }
}

fn certain_token(value: &str) -> bool {
    tokens::find_tokens(value.as_bytes())
        .iter()
        .any(|t| t.is_certain())
}

/// The guard's error findings in `file`, by key.
fn guard_errors(dir: &Path, file: &str) -> BTreeMap<String, usize> {
    let out = npmrc_guard(dir)
        .args(["check", "--format", "json", file])
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut errors = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        if f["severity"] == "error" {
            let key = f["key"].as_str().unwrap_or("").to_string();
            *errors.entry(key).or_insert(0) += 1;
        }
    }
    errors
}

#[test]
fn the_guard_agrees_with_yarn() {
    let Some(tools) = yarn_tools() else {
        return;
    };
    let seed = std::env::var("YARN_VERDICT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let mut gen = Gen {
        rng: Rng(seed | 1),
        anchors: 0,
    };
    let set: Vec<(String, String)> = VARS
        .iter()
        .chain(FALLBACK_VARS)
        .map(|v| (v.to_string(), marker(v)))
        .collect();
    let unset: Vec<(String, String)> = VARS.iter().map(|v| (v.to_string(), marker(v))).collect();
    let (mut agree, mut settings, mut literal_count) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for batch in 0..FILES / BATCH {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package.json"), "{\"name\":\"b\"}\n").expect("write");
        // A check: the guard's key, yarn's setting, the path to the value
        // in yarn's answer, the value as written.
        let mut checks: Vec<(String, &str, Vec<String>, String)> = Vec::new();
        let mut yaml = String::new();
        let mut asked = vec!["npmScopes"];
        if batch < TOP_LEVEL_BATCHES {
            // The top level and `npmRegistries`, in a few batches (each
            // costs yarn runs of its own).
            asked.extend(["npmAuthToken", "npmAuthIdent", "npmRegistries"]);
            for name in ["npmAuthToken", "npmAuthIdent"] {
                let v = gen.value();
                let sc = gen.scalar(&v, "");
                yaml.push_str(&format!("{name}: {sc}\n"));
                checks.push((name.to_string(), name, Vec::new(), v));
            }
            yaml.push_str("npmRegistries:\n");
            for i in 0..BATCH / 5 {
                let url = format!("https://r{i}.example");
                let name = if gen.rng.chance(50) {
                    "npmAuthToken"
                } else {
                    "npmAuthIdent"
                };
                let v = gen.value();
                let sc = gen.scalar(&v, "    ");
                yaml.push_str(&format!("  \"{url}\":\n    {name}: {sc}\n"));
                checks.push((
                    format!("npmRegistries[{url:?}].{name}"),
                    "npmRegistries",
                    vec![url, name.to_string()],
                    v,
                ));
            }
        }
        yaml.push_str("npmScopes:\n");
        for i in 0..BATCH {
            let scope = format!("s{i}");
            for (name, v) in gen.file(&scope, &mut yaml) {
                checks.push((
                    format!("npmScopes.{scope}.{name}"),
                    "npmScopes",
                    vec![scope.clone(), name],
                    v,
                ));
            }
        }
        std::fs::write(dir.path().join(".yarnrc.yml"), &yaml).expect("write");
        let mut answers: BTreeMap<(&str, bool), Value> = BTreeMap::new();
        for key in &asked {
            // The two readings at once: a yarn process is mostly start-up.
            let (with, without) = std::thread::scope(|s| {
                let with = s.spawn(|| yarn_get(&tools, dir.path(), key, &set));
                let without = yarn_get(&tools, dir.path(), key, &unset);
                (with.join().expect("thread"), without)
            });
            let with = with.unwrap_or_else(|e| panic!("yarn refused batch {batch}: {e}\n{yaml}"));
            let without = without
                .unwrap_or_else(|e| panic!("yarn refused batch {batch} (fallbacks): {e}\n{yaml}"));
            answers.insert((key, true), with);
            answers.insert((key, false), without);
        }
        let errors = guard_errors(dir.path(), ".yarnrc.yml");
        for (key, setting, path, value) in &checks {
            settings += 1;
            let sent = |set: bool| {
                let mut v = &answers[&(*setting, set)];
                for p in path {
                    v = &v[p.as_str()];
                }
                v.as_str().unwrap_or("").to_string()
            };
            let (a, b) = (sent(true), sent(false));
            let (ra, rb) = if key.ends_with("npmRegistryServer") {
                (url_residue(&a), url_residue(&b))
            } else {
                (strip_markers(&a), strip_markers(&b))
            };
            let expected = literal(&ra) || literal(&rb) || certain_token(value);
            literal_count += usize::from(expected);
            let got = errors.contains_key(key);
            if got == expected {
                agree += 1;
            } else {
                disagreements.push(format!(
                    "{key} = {value:?}: yarn sends {ra:?} / {rb:?}, expected error: {expected}, guard: {got}"
                ));
            }
        }
    }
    eprintln!(
        "yarn verdict: {agree} of {settings} settings agree ({literal_count} literal) over {FILES} files"
    );
    assert!(settings >= FILES, "too few settings generated");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(30)].join("\n")
    );
}

/// What yarn refuses whatever the environment holds, the guard knows it
/// refuses (and then judges the text as written, saying so).
#[test]
fn what_yarn_refuses_the_guard_knows() {
    let Some(tools) = yarn_tools() else {
        return;
    };
    let cases = [
        ("${1X}", false),
        ("${X?}", false),
        ("${}", false),
        ("${NPM_TOKEN", false),
        ("a${X:-b", true),
        ("hunter2secret${X", true),
        ("${NPM_TOKEN }", false),
    ];
    let env: Vec<(String, String)> =
        vec![("X".into(), "x".into()), ("NPM_TOKEN".into(), "t".into())];
    for (value, error) in cases {
        assert!(npmrc_guard::yarn_env::residue(value).is_err(), "{value}");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("package.json"), "{\"name\":\"b\"}\n").expect("write");
        let yaml = format!(
            "npmAuthToken: {}\n",
            serde_json::to_string(value).expect("json")
        );
        std::fs::write(dir.path().join(".yarnrc.yml"), &yaml).expect("write");
        let refused = yarn_get(&tools, dir.path(), "npmAuthToken", &env);
        assert!(refused.is_err(), "yarn took {value:?}: {refused:?}");
        let out = npmrc_guard(dir.path())
            .args(["check", ".yarnrc.yml"])
            .output()
            .expect("runs");
        let all = text(&out.stdout);
        assert_eq!(out.status.code(), Some(i32::from(error)), "{value}: {all}");
        if error {
            assert!(all.contains("yarn refuses"), "{value}: {all}");
        }
    }
}

//! The verdict against npm itself (issue 10, "Proof"): over at least 10,000
//! generated `.npmrc` files, the tool reports an error exactly when npm would
//! send a literal credential.
//!
//! Each file is loaded by npm's own config loader, and npm-registry-fetch's
//! own auth lookup names the credentials it sends to every registry the file
//! names (tests/npm_verdict.js, one node process for all files), with every
//! referenced variable set to a unique marker (variables inside keys set
//! empty, the spelling under which npm reads the key as a credential). What
//! is left of the credential material once the markers are removed is the
//! literal residue: npm sends it whatever the environment holds. The file
//! must get an error from `npmrc-guard check` (one process for all files)
//! exactly when some residue is non-empty, not a stand-in, and not a whole
//! reference npm does not expand (`$NAME`, `${NAME`, …: a warning, SPEC),
//! or when the file holds a token whose format makes it certain (the SPEC's
//! textual rule: an error anywhere, whatever npm does with it).
//!
//! Stand-ins are judged by the detector's own rule (`standin::is_standin`):
//! the SPEC defines them by its vocabulary. Keys a file would hold twice
//! (npm keeps the last value, the tool reports both lines) are not
//! generated.
//!
//! `NPMRC_VERDICT_SEED=N` generates other files; `NPMRC_VERDICT_WHOLE=1`
//! sends every file, not every 20th, through npm's whole loader too (about
//! a minute more). Needs `node` and `npm`; under `CI=true` their absence is
//! a failure.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use npmrc_guard::standin::{is_standin, VOCABULARY};
use npmrc_guard::tokens;
use regex::Regex;
use serde_json::Value;

const FILES: usize = 12_000;

/// A small deterministic generator (xorshift64*), seeded: a failure
/// reproduces, and `NPMRC_VERDICT_SEED` (a number) explores others.
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

/// Variables referenced in values: npm gets a marker for each.
const VALUE_VARS: &[&str] = &["NPM_TOKEN", "X", "A", "B", "U", "P", "NPM_PASSWORD"];
/// Variables referenced in keys: set empty.
const KEY_VARS: &[&str] = &["K", "KEY_PART"];

const STANDINS: &[&str] = &[
    "YOUR_TOKEN",
    "<token>",
    "xxxxxxxx",
    "PUT_AUTHTOKEN_HERE",
    "ghp_your_token_here",
    "ghp_<your-token>",
    "{base64Token}",
    "MYTOKEN",
    "changeme",
    "[token]",
    "PAT_TOKEN",
    "INSERT_ENCRYPTED_PASSWORD_HERE",
    "your-npm-token",
    "********",
    "<password>",
    "username",
];

const SECRETS: &[&str] = &[
    "Summer2024!",
    "hunter2secret",
    "AKCp8$kQ7mZx2Lq9Wn4",
    "Pa$sw0rd2024",
    "a8Kd02mZq",
    "correct-horse-battery",
    "123e4567-e89b-12d3-a456-426614174000",
    "s3cr3t",
    "Zq81mXkL0pAa",
];

const BASE64: &[&str] = &[
    "YWxpY2U6U3VtbWVyMjAyNCE=",
    "U3VtbWVyMjAyNCE=",
    "[U3VtbWVyMjAyNCE=]",
    "cGFzc3dvcmQ=",
    "!!",
    "[]",
    "e30=",
];

/// Interpolation forms, `NAME` standing for a variable name.
const REFS: &[&str] = &[
    "${NAME}",
    "${NAME?}",
    "\\${NAME}",
    "\\\\${NAME}",
    "${NAME",
    "$NAME",
    "%NAME%",
    "{{NAME}}",
    "$<NAME>",
];

struct Gen {
    rng: Rng,
    /// A counter that makes every key of a file unique.
    n: usize,
    /// Whether the file has an unscoped credential key, an `@acme:` one.
    unscoped: bool,
    acme: bool,
    /// The fixed key names the file already has.
    used: Vec<String>,
}

impl Gen {
    fn var_ref(&mut self, names: &[&str]) -> String {
        let form = self.rng.pick(REFS);
        form.replace("NAME", self.rng.pick(names))
    }

    fn token(&mut self) -> String {
        let seed = self.rng.next() % 1000;
        match self.rng.below(6) {
            0 | 1 => common::npm_token(seed),
            2 => common::github_token(self.rng.pick(&["ghp", "gho", "ghs"]), seed),
            3 => common::github_pat(seed),
            4 => common::gitlab_token(seed),
            _ => common::break_checksum(&common::npm_token(seed)),
        }
    }

    /// A stand-in made by the rule: words of the vocabulary the detector
    /// uses, in any case, with separators, maybe behind a token prefix; or
    /// one of the written-out ones.
    fn standin(&mut self) -> String {
        if self.rng.chance(40) {
            return self.rng.pick(STANDINS).to_string();
        }
        let mut out = String::new();
        if self.rng.chance(20) {
            out.push_str(self.rng.pick(&["ghp_", "npm_", "glpat-", "github_pat_"]));
        }
        let open = self.rng.pick(&["", "", "<", "{", "[", "("]);
        out.push_str(open);
        for i in 0..1 + self.rng.below(3) {
            if i > 0 {
                out.push_str(self.rng.pick(&["_", "-", ".", "", " "]));
            }
            let w = VOCABULARY[self.rng.below(VOCABULARY.len())];
            out.push_str(&match self.rng.below(3) {
                0 => w.to_ascii_uppercase(),
                1 => w[..1].to_ascii_uppercase() + &w[1..],
                _ => w.to_string(),
            });
        }
        out.push_str(match open {
            "<" => ">",
            "{" => "}",
            "[" => "]",
            "(" => ")",
            _ => "",
        });
        out
    }

    /// A piece of a credential value.
    fn fragment(&mut self) -> String {
        match self.rng.below(14) {
            0 | 1 => self.token(),
            2 => {
                // A token split by a reference npm expands.
                let t = self.token();
                let at = 4 + self.rng.below(t.len() - 4);
                let r = self.var_ref(VALUE_VARS);
                format!("{}{r}{}", &t[..at], &t[at..])
            }
            3 | 4 => self.var_ref(VALUE_VARS),
            5 => self.standin(),
            6 => self.rng.pick(SECRETS).to_string(),
            7 => self.rng.pick(BASE64).to_string(),
            8 => self
                .rng
                .pick(&["true", "false", "null", "", " "])
                .to_string(),
            9 => self.url(),
            10 => self
                .rng
                .pick(&[
                    "$", "\\", "a;b", "x#y", "=", "\t", "a\\;b", "\\#x", "\\\\", "\u{a0}",
                    "\u{3000}", "\u{feff}", "\u{2028}",
                ])
                .to_string(),
            11 => self.standin(),
            _ => format!("${{{}}}", self.rng.pick(VALUE_VARS)),
        }
    }

    /// A value: fragments, maybe quoted, JSON or with an inline comment.
    fn value(&mut self) -> String {
        let parts = 1 + self.rng.below(3);
        let mut v = String::new();
        for _ in 0..parts {
            v.push_str(&self.fragment());
        }
        let json_safe = !v.contains(['"', '\\', '\t']);
        match self.rng.below(12) {
            0 => format!("\"{v}\""),
            1 => format!("'{v}'"),
            2 => format!("\"{v}\" ; a comment"),
            3 => format!("{v} # a comment"),
            4 if json_safe => format!("'[\"{v}\"]'"),
            5 if json_safe => format!("'{{\"a\":\"{v}\"}}'"),
            6 if json_safe => format!("'[\"{v}\",\"second\"]'"),
            7 => format!("  {v}  "),
            _ => v,
        }
    }

    fn password(&mut self) -> String {
        match self.rng.below(10) {
            0 => self.token(),
            1 | 2 => self.rng.pick(SECRETS).to_string(),
            3 => self.standin(),
            4 => self.var_ref(VALUE_VARS),
            5 => self
                .rng
                .pick(&[
                    "p%40ss",
                    "p\tw0rdXq",
                    "%3Cpassword%3E",
                    "Xk%2529fLq",
                    "p@w0rdXq",
                ])
                .to_string(),
            6 => String::new(),
            _ => format!("${{{}}}", self.rng.pick(&["P", "NPM_PASSWORD"])),
        }
    }

    fn username(&mut self) -> String {
        match self.rng.below(8) {
            0 => self.token(),
            1 => "alice@corp".to_string(),
            2 => self
                .rng
                .pick(&["<username>", "USERNAME", "al%40ice", "al\tice"])
                .to_string(),
            3 => self.var_ref(VALUE_VARS),
            4 => "Zq81mXkL0pAa".to_string(),
            _ => "alice".to_string(),
        }
    }

    /// A URL of one of the shapes npm and `new URL()` accept, or not.
    fn url(&mut self) -> String {
        let scheme = self
            .rng
            .pick(&["https:", "https:", "http:", "HTTPS:", "ftp:", "git+ssh:"]);
        let slashes = self.rng.pick(&["//", "//", "", "\\\\", "/\\", "///"]);
        let userinfo = match self.rng.below(6) {
            0 => String::new(),
            1 => format!("{}@", self.username()),
            _ => format!("{}:{}@", self.username(), self.password()),
        };
        let host = self
            .rng
            .pick(&["npm.corp.example", "h.example:8080", "registry.npmjs.org"]);
        let path = self.rng.pick(&["/", "/npm/", "", "/a@b"]);
        format!("{scheme}{slashes}{userinfo}{host}{path}")
    }

    /// A credential key, unique in the file.
    fn credential_key(&mut self) -> String {
        self.n += 1;
        let n = self.n;
        // Keys npm would read twice keep only their last value: the
        // unscoped and `@acme:` forms come once a file at most.
        let prefix = match self.rng.below(8) {
            0 if !self.unscoped => {
                self.unscoped = true;
                String::new()
            }
            1 if !self.acme => {
                self.acme = true;
                "@acme:".to_string()
            }
            2 => format!("//localhost:{}/:", 4000 + n),
            3 => format!("//r{n}.example/npm/:"),
            4 => format!("//r{n}{}.example/:", self.key_ref()),
            _ => format!("//r{n}.example/:"),
        };
        let name = match self.rng.below(14) {
            0..=4 => "_authToken".to_string(),
            5 => "_auth".to_string(),
            6 | 7 => "_password".to_string(),
            8 => "_authtoken".to_string(),
            9 => format!("_a{}uthToken", self.key_ref()),
            10 => format!("_authToken{}", self.key_ref()),
            11 => "_a\\${K}uthToken".to_string(),
            12 => "username".to_string(),
            _ => "email".to_string(),
        };
        // `username` beside `_password` for the same registry, now and then.
        let key = format!("{prefix}{name}");
        match self.rng.below(10) {
            0 => format!("\"{key}\""),
            1 => format!("  {key}"),
            _ => key,
        }
    }

    fn key_ref(&mut self) -> String {
        let name = self.rng.pick(KEY_VARS);
        if self.rng.chance(50) {
            format!("${{{name}?}}")
        } else {
            format!("${{{name}}}")
        }
    }

    fn line(&mut self) -> String {
        let sep = self.rng.pick(&["=", "=", " = ", "\t=\t"]);
        match self.rng.below(16) {
            0..=6 => {
                let k = self.credential_key();
                let array = if self.rng.chance(8) { "[]" } else { "" };
                let v = self.value();
                format!("{k}{array}{sep}{v}")
            }
            7 => {
                // A registry's basic auth: username and _password together.
                self.n += 1;
                let host = format!("//b{}.example/", self.n);
                let u = self.username();
                let p = self.value();
                format!("{host}:username{sep}{u}\n{host}:_password{sep}{p}")
            }
            8..=10 => {
                self.n += 1;
                let key = match self.rng.below(5) {
                    0 => "registry".to_string(),
                    1 => format!("@s{}:registry", self.n),
                    2 => "https-proxy".to_string(),
                    3 => "proxy".to_string(),
                    _ => format!("k{}", self.n),
                };
                // Once a file each, like the unscoped keys.
                let key = if self.used.contains(&key) {
                    format!("k{}", self.n)
                } else {
                    self.used.push(key.clone());
                    key
                };
                let url = self.url();
                let url = match self.rng.below(6) {
                    0 => format!("\"{url}\""),
                    1 => format!("{url} ; comment"),
                    _ => url,
                };
                format!("{key}{sep}{url}")
            }
            11 => {
                self.n += 1;
                let v = match self.rng.below(4) {
                    0 => self.var_ref(VALUE_VARS),
                    1 => self.rng.pick(STANDINS).to_string(),
                    2 => "true".to_string(),
                    _ => "plain value".to_string(),
                };
                format!("k{}{sep}{v}", self.n)
            }
            12 => {
                let c = self.rng.pick(&[";", "#"]);
                let body = match self.rng.below(3) {
                    0 => common::break_checksum(&common::npm_token(self.rng.next() % 100)),
                    1 => self.rng.pick(STANDINS).to_string(),
                    _ => "_authToken=${NPM_TOKEN}".to_string(),
                };
                format!("{c} {body}")
            }
            13 => {
                self.n += 1;
                format!("[sec{}]", self.n)
            }
            14 => {
                // A token pasted on a line of its own, or after a key with no `=`.
                let t = self.token();
                let lead = self
                    .rng
                    .pick(&["", "  ", "authToken ", "_authToken: ", "token\t"]);
                format!("{lead}{t}")
            }
            _ => String::new(),
        }
    }

    fn file(&mut self) -> String {
        self.n = 0;
        self.unscoped = false;
        self.acme = false;
        self.used.clear();
        let lines = 1 + self.rng.below(4);
        let end = self.rng.pick(&["\n", "\n", "\r\n", "\r"]);
        let mut out = String::new();
        for _ in 0..lines {
            out.push_str(&self.line());
            out.push_str(end);
        }
        out
    }
}

/// A whole residue that is a reference npm does not expand: the SPEC's
/// `broken-interpolation` warning, not an error.
fn whole_reference(s: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:\$\{[^${}]*\??\}|\$\{[A-Za-z_][A-Za-z0-9_]*\??",
            r"|\$<[A-Za-z_][A-Za-z0-9_]*>|\$[A-Za-z_][A-Za-z0-9_]*",
            r"|%[A-Za-z_][A-Za-z0-9_]*%|\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\})$"
        ))
        .expect("regex")
    });
    // `$NAME` and an unclosed `${NAME` name a variable only when NAME is
    // written in one case (`$NPM_TOKEN`, `$npm_token`): `$ecretPassw0rd` is
    // a password that starts with `$`.
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

/// A piece of credential material npm holds (printed when a verdict
/// differs).
#[derive(Debug)]
#[allow(dead_code)]
struct Piece {
    what: String,
    key: String,
    residue: String,
}

fn literal_pieces(pieces: &Value) -> Vec<Piece> {
    pieces
        .as_array()
        .expect("array")
        .iter()
        .filter(|p| {
            let r = p["residue"].as_str().expect("residue");
            !r.is_empty()
                && p["decodesEmpty"] != Value::Bool(true)
                && !is_standin(r)
                && !whole_reference(r)
        })
        .map(|p| Piece {
            what: p["what"].as_str().unwrap_or_default().to_string(),
            key: p["key"].as_str().unwrap_or_default().to_string(),
            residue: p["residue"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// The class of a disagreement, for grouping: which way, and what kind of
/// material (or which rule fired).
fn class(npm: &[Piece], certain: bool, tool: &[String]) -> String {
    if certain && npm.is_empty() {
        "missed: a certain token outside what npm sends".to_string()
    } else if let Some(p) = npm.first() {
        let name = p.key.rsplit(':').next().unwrap_or_default();
        format!("missed: npm sends a literal ({} {name})", p.what)
    } else {
        format!("false alarm: {}", tool.join(","))
    }
}

#[test]
fn verdict_agrees_with_npm() {
    let Some(npm) = common::npm_root() else {
        assert!(
            !common::required(),
            "node and npm (with @npmcli/config) are required under CI=true"
        );
        eprintln!("skipped: npm is not installed");
        return;
    };
    let started = std::time::Instant::now();
    let seed = std::env::var("NPMRC_VERDICT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10u64);
    let mut gen = Gen {
        rng: Rng(0x9E37_79B9_7F4A_7C15 ^ seed),
        n: 0,
        unscoped: false,
        acme: false,
        used: Vec::new(),
    };
    let files: Vec<String> = (0..FILES).map(|_| gen.file()).collect();

    // 12,000 small files: in memory where the system offers it (writing
    // them to a busy disk takes several times longer).
    let shm = std::path::Path::new("/dev/shm");
    let dir = shm
        .is_dir()
        .then(|| tempfile::tempdir_in(shm).ok())
        .flatten()
        .map_or_else(tempfile::tempdir, Ok)
        .expect("tempdir");
    let name_re = Regex::new(r"\$\{([^${}?]+)\??\}").expect("regex");
    let section_re = Regex::new(r"(?:^|[\r\n])\[(sec[0-9]+)\]").expect("regex");
    let mut jobs = Vec::new();
    let mut paths = Vec::new();
    std::fs::create_dir(dir.path().join("whole")).expect("mkdir");
    let whole_every = if std::env::var_os("NPMRC_VERDICT_WHOLE").is_some() {
        1
    } else {
        20
    };
    for (i, f) in files.iter().enumerate() {
        let name = format!("{i:05}.npmrc");
        std::fs::write(dir.path().join(&name), f).expect("write");
        paths.push(name.clone());
        // Every 20th file (every file with `NPMRC_VERDICT_WHOLE=1`) also as
        // a project's `.npmrc`, for npm's whole loader.
        let cwd = (i % whole_every == 0).then(|| {
            let cwd = dir.path().join("whole").join(format!("{i:05}"));
            std::fs::create_dir(&cwd).expect("mkdir");
            std::fs::write(cwd.join(".npmrc"), f).expect("write");
            cwd
        });
        let sections: Vec<&str> = section_re
            .captures_iter(f)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
            .collect();
        let names: BTreeSet<&str> = name_re
            .captures_iter(f)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
            .collect();
        let mut env = serde_json::Map::new();
        let mut markers = Vec::new();
        for (j, name) in names.into_iter().enumerate() {
            if KEY_VARS.contains(&name) {
                env.insert(name.into(), "".into());
            } else {
                let m = format!("qz{j}mark{i}zq");
                env.insert(name.into(), m.clone().into());
                markers.push(m);
            }
        }
        jobs.push(serde_json::json!({
            "file": dir.path().join(&name),
            "cwd": cwd,
            "env": env,
            "markers": markers,
            "sections": sections,
        }));
    }
    let generated = started.elapsed();

    let stdout = common::node_json(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/npm_verdict.js"),
        &npm,
        &serde_json::to_vec(&jobs).expect("json"),
    );
    let theirs: Vec<Value> = serde_json::from_slice(&stdout).expect("node printed JSON");
    assert_eq!(theirs.len(), files.len());
    let asked_npm = started.elapsed();

    let mut tool = common::npmrc_guard(dir.path());
    let out = tool
        .args(["--no-config", "check", "--format", "json"])
        .args(&paths)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check failed: {}",
        common::text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        if f["severity"] == "error" {
            errors
                .entry(f["path"].as_str().expect("path").to_string())
                .or_default()
                .push(f["rule"].as_str().expect("rule").to_string());
        }
    }

    let mut agree = 0;
    let mut npm_errors = 0;
    let mut certain_files = 0;
    // Per class: how many, and the shortest file.
    let mut classes: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
    for (i, (file, pieces)) in files.iter().zip(&theirs).enumerate() {
        let literal = literal_pieces(pieces);
        // The SPEC's textual rule beside npm's: a token whose format makes it
        // certain is an error anywhere in the file.
        let certain = tokens::find_tokens(file.as_bytes())
            .iter()
            .any(|t| t.is_certain());
        certain_files += usize::from(certain && literal.is_empty());
        let tool_rules = errors.get(&paths[i]).cloned().unwrap_or_default();
        npm_errors += usize::from(!literal.is_empty());
        if (literal.is_empty() && !certain) == tool_rules.is_empty() {
            agree += 1;
            continue;
        }
        let detail = format!("npm: {literal:?}; tool: {tool_rules:?}");
        let entry = classes
            .entry(class(&literal, certain, &tool_rules))
            .or_insert((0, file.clone(), detail.clone()));
        entry.0 += 1;
        if file.len() < entry.1.len() {
            entry.1 = file.clone();
            entry.2 = detail;
        }
    }
    let figure = format!(
        "{} generated files, {} where npm sends a literal credential, {certain_files} more with a certain token elsewhere; verdicts agree on {agree} ({:.2}%), disagree on {} (generate {:.1?}, npm {:.1?}, total {:.1?})",
        files.len(),
        npm_errors,
        100.0 * agree as f64 / files.len() as f64,
        files.len() - agree,
        generated,
        asked_npm - generated,
        started.elapsed(),
    );
    println!("{figure}");
    let mut report = String::new();
    for (class, (count, file, detail)) in &classes {
        report.push_str(&format!(
            "\n{class}: {count} files; the shortest:\n{file:?}\n  {detail}\n"
        ));
    }
    assert!(classes.is_empty(), "{figure}\n{report}");
    // The grammar must keep producing both verdicts in number.
    const { assert!(FILES >= 10_000) };
    assert!(
        npm_errors > FILES / 5 && npm_errors < FILES * 4 / 5,
        "{figure}"
    );
}

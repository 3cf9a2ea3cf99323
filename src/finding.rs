//! What a scan produces: findings, their rules and a secret type that can
//! only ever show its mask.

use std::fmt;

use serde::{Serialize, Serializer};

/// Every rule the detectors know, with its id from SPEC.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    NpmToken,
    GithubToken,
    GitlabToken,
    AuthToken,
    BasicAuth,
    UrlCredentials,
    PrivateKey,
    BrokenInterpolation,
    UnscopedCredential,
    ConfigChanged,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::NpmToken,
        Rule::GithubToken,
        Rule::GitlabToken,
        Rule::AuthToken,
        Rule::BasicAuth,
        Rule::UrlCredentials,
        Rule::PrivateKey,
        Rule::BrokenInterpolation,
        Rule::UnscopedCredential,
        Rule::ConfigChanged,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::NpmToken => "npm-token",
            Rule::GithubToken => "github-token",
            Rule::GitlabToken => "gitlab-token",
            Rule::AuthToken => "auth-token",
            Rule::BasicAuth => "basic-auth",
            Rule::UrlCredentials => "url-credentials",
            Rule::PrivateKey => "private-key",
            Rule::BrokenInterpolation => "broken-interpolation",
            Rule::UnscopedCredential => "unscoped-credential",
            Rule::ConfigChanged => "config-changed",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::BrokenInterpolation | Rule::UnscopedCredential | Rule::ConfigChanged => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    /// One line on what the rule finds, for reports and SARIF rule help.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::NpmToken => "npm access token",
            Rule::GithubToken => "GitHub token",
            Rule::GitlabToken => "GitLab personal access token",
            Rule::AuthToken => "literal auth token",
            Rule::BasicAuth => "literal basic-auth credential",
            Rule::UrlCredentials => "username or password in a registry URL",
            Rule::PrivateKey => "PEM private key",
            Rule::BrokenInterpolation => "variable reference npm will not expand",
            Rule::UnscopedCredential => "credential not scoped to a registry",
            Rule::ConfigChanged => "config file changed inside the scanned range",
        }
    }

    /// Whether findings of this rule carry a secret.
    pub fn is_secret(self) -> bool {
        self.severity() == Severity::Error
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A secret value. `Display`, `Debug` and `Serialize` show only the mask:
/// at most the first 4 and last 2 characters, nothing of a secret shorter
/// than [`MASK_MIN`] characters. The whole value is reachable only through
/// [`Secret::expose`], which the fixer and the secret store use.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The whole secret. Callers must not print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn mask(&self) -> String {
        mask(&self.0)
    }
}

/// The mask of `value` as SPEC.md defines it: its first 4 and last 2
/// characters, only when at least 18 more stay hidden. Shorter secrets are
/// passwords more often than tokens, and six characters shown of twelve
/// leave six to guess against the fingerprint (SPEC allows "at most").
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n < MASK_MIN {
        return "…".to_string();
    }
    let head: String = value.chars().take(4).collect();
    let tail: String = value.chars().skip(n - 2).collect();
    format!("{head}…{tail}")
}

/// The shortest secret whose mask shows any of it.
pub const MASK_MIN: usize = 24;

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.mask())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.mask())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.mask())
    }
}

/// One finding, as the JSON format of SPEC.md lays it out.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
    pub secret: Option<Secret>,
    pub fingerprint: Fingerprint,
    pub commit: Option<String>,
    pub fix: Option<String>,
    /// Byte range of the secret (or the offending value) in the file.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
    /// Registry host the credential belongs to, when the key names one.
    #[serde(skip)]
    pub host: Option<String>,
    /// Why this finding exists, for warnings that carry no secret.
    #[serde(skip)]
    pub detail: Option<String>,
}

/// A finding's [`fingerprint`], computed the first time it is asked for:
/// each costs [`FINGERPRINT_ROUNDS`] SHA-256 rounds, and the human format,
/// the hook and a config with no `allow` never ask (a line of 160,000
/// tokens spent all its time on them).
#[derive(Clone)]
pub struct Fingerprint {
    /// What it is made of: (rule, path, secret). The secret is never shown
    /// (see the `Debug` below).
    of: std::sync::Arc<(Rule, String, String)>,
    value: std::sync::OnceLock<String>,
}

impl Fingerprint {
    pub fn new(rule: Rule, path: &str, secret: &str) -> Self {
        Fingerprint {
            of: std::sync::Arc::new((rule, path.to_string(), secret.to_string())),
            value: std::sync::OnceLock::new(),
        }
    }

    /// The fingerprint, as reports show it.
    pub fn get(&self) -> &str {
        self.value.get_or_init(|| {
            let (rule, path, secret) = &*self.of;
            fingerprint(*rule, path, secret)
        })
    }
}

/// Compute the fingerprints of `findings` on every core: a report of many
/// findings spends its time there (each is [`FINGERPRINT_ROUNDS`] rounds).
pub fn compute_fingerprints(findings: &[Finding]) {
    const PER_THREAD: usize = 256;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || findings.len() < 2 * PER_THREAD {
        findings.iter().for_each(|f| {
            f.fingerprint.get();
        });
        return;
    }
    let chunk = findings.len().div_ceil(threads);
    std::thread::scope(|s| {
        for part in findings.chunks(chunk) {
            s.spawn(move || {
                for f in part {
                    f.fingerprint.get();
                }
            });
        }
    });
}

/// Equal when made of the same (rule, path, secret): the fingerprint is a
/// function of them, so neither needs computing.
impl PartialEq for Fingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.of == other.of
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value.get() {
            Some(v) => write!(f, "Fingerprint({v})"),
            None => f.write_str("Fingerprint(not computed)"),
        }
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.get())
    }
}

/// A stable fingerprint of (rule, path, secret), made slow to guess from:
/// a report is public (a CI log, a SARIF upload) and shows the secret's
/// mask, so a fast hash would let anyone try every password that fits it
/// (a million guesses took seconds). Each guess here costs
/// [`FINGERPRINT_ROUNDS`] SHA-256 rounds, the secret mixed into each. A
/// weak password can still be guessed from any fingerprint, given time:
/// revoke what is found. A secret longer than [`FINGERPRINT_MIXED_BYTES`]
/// is mixed into the rounds by its own SHA-256: a guess costs as many
/// rounds, and a value of many megabytes costs one pass over it, not a
/// thousand.
pub fn fingerprint(rule: Rule, path: &str, secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"npmrc-guard/v2\0");
    h.update(rule.id().as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret.as_bytes());
    let mut digest = h.finalize();
    let long;
    let mixed: &[u8] = if secret.len() > FINGERPRINT_MIXED_BYTES {
        long = Sha256::digest(secret.as_bytes());
        &long
    } else {
        secret.as_bytes()
    };
    for _ in 0..FINGERPRINT_ROUNDS {
        let mut h = Sha256::new();
        h.update(digest);
        h.update(mixed);
        digest = h.finalize();
    }
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// See [`fingerprint`]: about 80 µs each on one core; a file with 20,000
/// findings pays under two seconds.
pub const FINGERPRINT_ROUNDS: usize = 1_000;

/// The longest secret mixed whole into each round of [`fingerprint`].
pub const FINGERPRINT_MIXED_BYTES: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_rules() {
        assert_eq!(mask("short"), "…");
        assert_eq!(mask("elevenchars"), "…");
        assert_eq!(mask("twelve_chars"), "…");
        assert_eq!(mask("twenty-three-characters"), "…");
        assert_eq!(mask("twenty-four-characters!!"), "twen…!!");
        let s = Secret::new("npm_abcdefghijklmnopqrstuvwxyz0123456789");
        assert_eq!(s.to_string(), "npm_…89");
        assert_eq!(format!("{s:?}"), "Secret(npm_…89)");
        assert_eq!(
            serde_json::to_string(&s).expect("serialises"),
            "\"npm_…89\""
        );
    }

    #[test]
    fn fingerprint_is_stable_and_distinct() {
        let a = fingerprint(Rule::NpmToken, ".npmrc", "x");
        assert_eq!(a, fingerprint(Rule::NpmToken, ".npmrc", "x"));
        assert_ne!(a, fingerprint(Rule::NpmToken, "a/.npmrc", "x"));
        assert_ne!(a, fingerprint(Rule::AuthToken, ".npmrc", "x"));
        assert_eq!(a.len(), 32);
        // A long secret is mixed in by its digest: still one fingerprint
        // per secret.
        let long = "k".repeat(FINGERPRINT_MIXED_BYTES + 1);
        let other = format!("{}j", &long[1..]);
        assert_eq!(
            fingerprint(Rule::PrivateKey, ".npmrc", &long),
            fingerprint(Rule::PrivateKey, ".npmrc", &long)
        );
        assert_ne!(
            fingerprint(Rule::PrivateKey, ".npmrc", &long),
            fingerprint(Rule::PrivateKey, ".npmrc", &other)
        );
    }

    // Written against cargo-mutants' survivors.
    #[test]
    fn rules_show_their_ids_severities_and_summaries() {
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
                "config-changed"
            ]
        );
        for r in Rule::ALL {
            assert_eq!(r.to_string(), r.id());
            assert_eq!(
                serde_json::to_string(&r).expect("serialises"),
                format!("\"{}\"", r.id())
            );
            let warning = matches!(
                r,
                Rule::BrokenInterpolation | Rule::UnscopedCredential | Rule::ConfigChanged
            );
            let want = if warning {
                Severity::Warning
            } else {
                Severity::Error
            };
            assert_eq!(r.severity(), want, "{r}");
            assert_eq!(r.is_secret(), !warning, "{r}");
        }
        let mut summaries: Vec<&str> = Rule::ALL.iter().map(|r| r.summary()).collect();
        assert_eq!(Rule::NpmToken.summary(), "npm access token");
        summaries.sort_unstable();
        summaries.dedup();
        assert_eq!(summaries.len(), Rule::ALL.len(), "one summary per rule");
        assert_eq!(Severity::Warning.to_string(), "warning");
        assert_eq!(Severity::Error.to_string(), "error");
    }

    #[test]
    fn expose_gives_the_whole_secret() {
        let s = Secret::new("a-secret-of-a-longer-length");
        assert_eq!(s.expose(), "a-secret-of-a-longer-length");
        assert_eq!(s.mask(), "a-se…th");
        assert_eq!(mask("thirteen-char"), "…");
    }
}

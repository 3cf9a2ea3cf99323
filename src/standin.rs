//! Stand-ins: text written where a secret goes, not a secret (pure).
//!
//! A stand-in is made only of words from [`VOCABULARY`] (any case, written
//! together or apart) and the separators in [`SEPARATORS`], possibly behind
//! a known token prefix (`ghp_your_token_here`), or of runs of one filler
//! character (`xxxxxxxx`, `********`). Everything else is a secret: a
//! password of ordinary words (`Summer2024!`, `correct-horse-battery`), a
//! checksum-valid token, a UUID, a random-looking run.

use crate::tokens;

/// The closed vocabulary of placeholder words (lowercase). The README shows
/// this table.
pub const VOCABULARY: &[&str] = &[
    "access",
    "account",
    "actual",
    "api",
    "auth",
    "authentication",
    "authorization",
    "base64",
    "basic",
    "bearer",
    "b64",
    "change",
    "changeme",
    "ci",
    "classic",
    "credential",
    "credentials",
    "dummy",
    "encoded",
    "encrypted",
    "enter",
    "env",
    "example",
    "fake",
    "false",
    "gh",
    "github",
    "gitlab",
    "goes",
    "here",
    "hidden",
    "insert",
    "key",
    "me",
    "my",
    "name",
    "none",
    "npm",
    "npmjs",
    "null",
    "object",
    "own",
    "pass",
    "passwd",
    "password",
    "pat",
    "paste",
    "personal",
    "placeholder",
    "private",
    "publish",
    "put",
    "pwd",
    "read",
    "redacted",
    "registry",
    "replace",
    "sample",
    "secret",
    "some",
    "string",
    "tbd",
    "the",
    "this",
    "todo",
    "token",
    "true",
    "undefined",
    "user",
    "username",
    "value",
    "var",
    "variable",
    "with",
    "write",
    "your",
];

/// Separators allowed between placeholder words (quotes too: a value
/// written `"${NPM_TOKEN}" ; comment` leaves only its quotes behind).
pub const SEPARATORS: &[char] = &[
    '_', '-', '.', '<', '>', '"', '\'', '{', '}', '[', ']', '(', ')', ' ', ':',
];

/// Token prefixes a stand-in may follow.
const PREFIXES: &[&str] = &[
    "npm_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
];

/// Whether `value` is a stand-in rather than a secret.
pub fn is_standin(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    // A token whose checksum holds is never a stand-in (a GitLab token has
    // no checksum: its format alone is not enough).
    if v.len() > 128
        || tokens::find_tokens(v.as_bytes())
            .iter()
            .any(|t| t.kind != tokens::Kind::GitLab && t.is_certain())
    {
        return false;
    }
    let body = PREFIXES.iter().find_map(|p| v.strip_prefix(p)).unwrap_or(v);
    // Separators alone (`<>`, `___`) stand for nothing.
    body.split(SEPARATORS)
        .filter(|p| !p.is_empty())
        .all(|part| is_filler_run(part) || is_words(part))
}

/// `xxxxxxxx`, `XXXX`, `********`, `0000`, `....`: one filler repeated.
fn is_filler_run(part: &str) -> bool {
    let mut chars = part.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    matches!(first, 'x' | 'X' | '*' | '0' | '#' | '.')
        && part.len() >= 3
        && chars.all(|c| c.eq_ignore_ascii_case(&first))
}

/// `part` is vocabulary words written together (`AUTHTOKEN`,
/// `base64Token`, `MYTOKEN`), ignoring case.
fn is_words(part: &str) -> bool {
    if !part.is_ascii() {
        return false;
    }
    let p = part.to_ascii_lowercase();
    let b = p.as_bytes();
    // reach[i]: the first i bytes split into words.
    let mut reach = vec![false; b.len() + 1];
    reach[0] = true;
    for i in 0..b.len() {
        if !reach[i] {
            continue;
        }
        for w in VOCABULARY {
            if b[i..].starts_with(w.as_bytes()) {
                reach[i + w.len()] = true;
            }
        }
    }
    reach[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_examples() {
        for s in [
            "MYTOKEN",
            "PUT_AUTHTOKEN_HERE",
            "PAT_TOKEN",
            "ghp_your_token_here",
            "ghp_<your-token>",
            "{base64Token}",
            "INSERT_ENCRYPTED_PASSWORD_HERE",
            "xxxxxxxx",
            "<token>",
            "TOKEN",
            "YOUR_TOKEN",
        ] {
            assert!(is_standin(s), "{s:?}");
        }
        for s in [
            "Summer2024!",
            "correct-horse-battery",
            "123e4567-e89b-12d3-a456-426614174000",
            "Pa$sw0rd2024",
            "a8Kd02mZq",
        ] {
            assert!(!is_standin(s), "{s:?}");
        }
    }

    // Written against cargo-mutants' survivors.
    #[test]
    fn filler_runs_and_tokens() {
        assert!(is_standin("xxx"));
        assert!(is_standin("XxX"));
        assert!(!is_standin("xx"));
        assert!(!is_standin("qqqq"));
        assert!(!is_standin("xK9q"));
        // Only a length up to 128 can be a stand-in.
        assert!(is_standin(&"x".repeat(128)));
        assert!(!is_standin(&"x".repeat(129)));
        // A fine-grained GitHub token is a token whatever it is made of; a
        // classic one whose checksum fails, or a GitLab one, is judged by
        // its characters.
        let pat = format!("github_pat_{}_{}", "x".repeat(22), "x".repeat(59));
        assert!(!is_standin(&pat));
        assert!(is_standin(&format!("npm_{}", "x".repeat(36))));
        assert!(is_standin(&format!("glpat-{}", "x".repeat(20))));
    }
}

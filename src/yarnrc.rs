//! yarn 1's `.yarnrc` (pure).
//!
//! yarn 1 reads it with its lockfile parser (`key value` lines; a string is
//! a bare word or a JSON string in `"`), expands no `${NAME}` in it, and
//! takes request credentials only from its npm configs (`.npmrc`,
//! `npm_config_*`): checked with yarn 1.22.22 against a server on
//! 127.0.0.1 that logs the `Authorization` header, and in its source
//! (`NpmRegistry.getAuthByRegistry` asks the npm config only), a token in
//! `.yarnrc` (`"//host/:_authToken" tok`, `"_authToken" tok` with
//! `always-auth`) is never sent. What it does send is a registry URL from
//! `.yarnrc` (`registry`, `"@scope:registry"`, and the `--registry`
//! argument lines), whose `user:password@` goes out as `Basic`. Those are
//! read here; a certain token anywhere in the file counts too, as it is
//! committed all the same. yarn 1 expands nothing there, so there is no
//! safe form to rewrite to: the fixer leaves them to the user.

use crate::detect::Detected;
use crate::foreign::{self, Cred, Item};

/// The file name yarn 1 reads.
pub const NAME: &str = ".yarnrc";

/// How notes name the file.
pub const TOOL: &str = "yarn 1's .yarnrc";

/// What to do with a credential in `.yarnrc`: there is no safe form of it
/// there (findings say so, and `fix` refuses with it).
pub const ADVICE: &str = "yarn 1 expands no variable in .yarnrc, so no form of this credential is safe there: \
     take `user:password@` out of the URL, put the credential in .npmrc as `//host/:_authToken=${NAME}` \
     (yarn 1 reads .npmrc and expands it there), and revoke it";

/// Findings in one `.yarnrc`.
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    let items = std::str::from_utf8(src).map(items).unwrap_or_default();
    let mut found = foreign::judge(
        path,
        src,
        &items,
        TOOL,
        "yarn 1 expands nothing in .yarnrc and sends tokens only from .npmrc: move the credentials to .npmrc as `//host/:_authToken=${NAME}`",
    );
    for d in &mut found {
        if d.finding.severity == crate::finding::Severity::Error {
            d.fix = None;
            d.finding.detail = Some(format!("in {TOOL}; {ADVICE}"));
        }
    }
    found
}

/// One string token at the start of `s`: its value, its length, and
/// whether the file holds the value as it is (no quotes to decode).
pub(crate) fn string(s: &str) -> Option<(String, usize, bool)> {
    if s.starts_with('"') {
        // The closing quote: not after a single backslash (yarn's rule).
        let b = s.as_bytes();
        let mut i = 1;
        while i < b.len() {
            if b[i] == b'"' && !(b[i - 1] == b'\\' && (i < 2 || b[i - 2] != b'\\')) {
                let raw = &s[..=i];
                let value: String = serde_json::from_str(raw).ok()?;
                let as_is = value == raw[1..raw.len() - 1];
                return Some((value, i + 1, as_is));
            }
            i += 1;
        }
        return None;
    }
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || "/.-".contains(c)) {
        return None;
    }
    let end = s.find([':', ' ', '\n', '\r', ',']).unwrap_or(s.len());
    Some((s[..end].to_string(), end, true))
}

/// Whether yarn 1 takes `key` as a registry URL, or a proxy's: yarn
/// 1.22.22 sent `proxy "http://alice:pw@host/"`'s credentials as
/// `Proxy-Authorization` (review, 2026-12-05).
fn registry_key(key: &str) -> bool {
    let key = key.strip_prefix("--").unwrap_or(key);
    let key = key.rsplit('.').next().unwrap_or(key);
    matches!(key, "registry" | "proxy" | "https-proxy" | "http-proxy")
        || key
            .strip_prefix('@')
            .and_then(|k| k.strip_suffix(":registry"))
            .is_some_and(|scope| !scope.is_empty())
}

/// The registry URLs of the file's top-level `key value` lines.
fn items(text: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some((key, klen, _)) = string(line) else {
            continue;
        };
        if !registry_key(&key) {
            continue;
        }
        let rest = &line[klen..];
        let gap = rest.len() - rest.trim_start_matches([' ', ':']).len();
        let vstart = klen + gap;
        // A URL as a bare word ends at its `:`: only a quoted one is a URL.
        if !line[vstart..].starts_with('"') {
            continue;
        }
        let Some((value, vlen, as_is)) = string(&line[vstart..]) else {
            continue;
        };
        let span = start + vstart..start + vstart + vlen;
        out.push(Item {
            key: key.clone(),
            cred: Cred::Url,
            verbatim: as_is.then_some(span.start + 1),
            span,
            residues: Ok(vec![value.clone()]),
            value,
            // yarn 1 expands nothing in `.yarnrc`.
            refs: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_urls_are_read() {
        let src = "# yarn 1\nregistry \"https://a:b@r.example/\"\n\"@corp:registry\" \"https://c:d@r.example/\"\n\
                   --install.registry \"https://e:f@r.example/\"\n\"//r.example/:_authToken\" tok\n  registry \"x\"\nlastUpdateCheck 1\n";
        let found = items(src);
        let keys: Vec<&str> = found.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["registry", "@corp:registry", "--install.registry"]);
        assert_eq!(found[0].verbatim, src.find("https://a"));
        assert_eq!(&src[found[1].span.clone()], "\"https://c:d@r.example/\"");
    }

    #[test]
    fn proxy_urls_are_read() {
        let src = "proxy \"http://a:b@p.example/\"\n\"--https-proxy\" \"http://c:d@p.example/\"\nno-proxy \"x\"\n";
        let keys: Vec<String> = items(src).into_iter().map(|i| i.key).collect();
        assert_eq!(keys, ["proxy", "--https-proxy"]);
    }

    #[test]
    fn escapes_are_decoded() {
        let found = items("registry \"https://a:b\\u0040@r.example/\"\n");
        assert_eq!(found[0].value, "https://a:b@@r.example/");
        assert_eq!(found[0].verbatim, None);
    }
}

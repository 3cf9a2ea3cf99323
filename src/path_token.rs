//! A token a registry reads from its URL's path (pure).
//!
//! Gemfury's npm registry takes a deploy or pull token as the first path
//! segment, the account's name after it: `https://npm.fury.io/<token>/<account>/`
//! (and `npm-proxy.fury.io`, which falls back to npmjs.org). npm requests
//! every URL under the registry's path, so the token is sent in each
//! request line, and a committed `.npmrc` holding such a URL (or the
//! `//npm.fury.io/<token>/<account>/:_authToken` key that goes with it)
//! holds the token. The rule is by host, not by how the segment looks:
//! with a single segment (`https://npm.fury.io/<account>/`, the form
//! `npm login` uses) there is no token.

use std::ops::Range;
use std::sync::LazyLock;

/// The hosts whose first path segment is a token when an account follows.
const HOSTS: &[&str] = &["npm.fury.io", "npm-proxy.fury.io"];

/// Where a host of [`HOSTS`] may be named: `fury` in any case. npm reads a
/// host in any case, and its dots may be written `%2E` or `。` (WHATWG's
/// host parsing decodes and maps them); `fury` itself is spelt out but in
/// a percent-encoded or full-width form, which `%` (a trigger of its own)
/// or a non-ASCII byte would show.
static MENTION: LazyLock<regex::bytes::Regex> =
    LazyLock::new(|| regex::bytes::Regex::new(r"(?i-u)fury").expect("a valid pattern"));

/// The length of what [`mentions`] finds.
pub const MENTION_LEN: usize = 4;

/// Where `hay` may name one of [`HOSTS`], in order.
pub fn mentions(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    MENTION.find_iter(hay).map(|m| m.start())
}

/// Whether `line` may name one of [`HOSTS`].
pub fn names_a_host(line: &[u8]) -> bool {
    MENTION.is_match(line)
}

/// Where the path token is in `url`: a URL (`https://npm.fury.io/<token>/acme/`,
/// also `https:npm.fury.io/…` and `\` for `/`, as WHATWG's parser reads a
/// special scheme) or a `.npmrc` key's `//npm.fury.io/<token>/acme/:_authToken`.
/// The host is read by the `url` crate, as Node's `new URL()` reads it
/// (capitals, `%2E`, `。`, a trailing dot).
pub fn find(url: &str) -> Option<Range<usize>> {
    let b = url.as_bytes();
    let start = if url.starts_with("//") {
        2
    } else {
        let colon = url.find(':')?;
        let scheme = &url[..colon];
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            return None;
        }
        colon
            + 1
            + b[colon + 1..]
                .iter()
                .take_while(|&&c| matches!(c, b'/' | b'\\'))
                .count()
    };
    let authority_end = start + url[start..].find(['/', '\\', '?', '#'])?;
    let authority = &url[start..authority_end];
    let parsed = url::Url::parse(&format!("https://{authority}/")).ok()?;
    let host = parsed.host_str()?.trim_end_matches('.');
    if !HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return None;
    }
    if b[authority_end] != b'/' && b[authority_end] != b'\\' {
        return None;
    }
    let path_start = authority_end + 1;
    let path = &url[path_start..];
    let mut segments = path.split(['/', '\\', '?', '#']);
    let token = segments.next()?;
    let account = segments.next()?;
    let named = |s: &str| !s.is_empty() && !s.starts_with([':', '@', '-']);
    (named(token) && named(account)).then(|| path_start..path_start + token.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(url: &str) -> Option<&str> {
        find(url).map(|r| &url[r])
    }

    #[test]
    fn gemfurys_first_segment_before_an_account() {
        let t = "Xq7Rk2Lm9Pz4Wn8Tv3Bd";
        for url in [
            format!("https://npm.fury.io/{t}/acme/"),
            format!("https://npm-proxy.fury.io/{t}/acme/"),
            format!("HTTPS://NPM-PROXY.FURY.IO./{t}/acme"),
            format!("//npm-proxy.fury.io/{t}/acme/:_authToken"),
            format!("https://u:p@npm.fury.io:443/{t}/acme/"),
            // Spellings Node's parser reads as the same host (review 7,
            // #2): capitals, `%2E`, an ideographic full stop, `\`, no
            // slashes.
            format!("https://NPM.Fury.IO/{t}/acme/"),
            format!("https://npm%2Efury%2Eio/{t}/acme/"),
            format!("https://npm\u{3002}fury\u{3002}io/{t}/acme/"),
            format!("https:\\\\npm.fury.io\\{t}\\acme\\"),
            format!("https:npm.fury.io/{t}/acme/"),
        ] {
            assert_eq!(token(&url), Some(t), "{url}");
        }
        // An account alone, another host, a reference left out, a key.
        for url in [
            "https://npm.fury.io/acme/",
            "//npm-proxy.fury.io/acme/:_authToken",
            "https://npm.fury.io//acme/",
            "https://registry.npmjs.org/abc/def/",
            "https://npm.fury.io.evil.example/abc/def/",
            "https://npm.fury.io/acme/-/x-1.0.0.tgz",
            "https://npm.fury.io/acme/@scope%2fx",
        ] {
            assert_eq!(token(url), None, "{url}");
        }
    }
}

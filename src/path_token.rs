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

use memchr::memmem::Finder;

/// The hosts whose first path segment is a token when an account follows.
const HOSTS: &[&str] = &["npm.fury.io", "npm-proxy.fury.io"];

/// What every host of [`HOSTS`] ends with, as written in a file (npm reads
/// a host in any case; a file that spells it in capitals is not looked
/// for): a line without it names none of them.
pub static HOSTS_TEXT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("fury.io"));

/// Whether `line` may name one of [`HOSTS`].
pub fn names_a_host(line: &[u8]) -> bool {
    HOSTS_TEXT.find(line).is_some()
}

/// `fury.io` in any case: a URL's host is read in any case (WHATWG's
/// parser lowercases it), and a lockfile or a manifest may spell it so.
static MENTION: LazyLock<regex::bytes::Regex> =
    LazyLock::new(|| regex::bytes::Regex::new(r"(?i-u)fury\.io").expect("a valid pattern"));

/// Where `hay` may name one of [`HOSTS`], in any case, in order.
pub fn mentions(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    MENTION.find_iter(hay).map(|m| m.start())
}

/// Where the path token is in `url`: a URL (`https://npm.fury.io/<token>/acme/`)
/// or a `.npmrc` key's `//npm.fury.io/<token>/acme/:_authToken`.
pub fn find(url: &str) -> Option<Range<usize>> {
    let after = url.find("//")? + 2;
    let rest = &url[after..];
    let authority_end = rest.find(['/', '?', '#'])?;
    let authority = &rest[..authority_end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).trim_end_matches('.');
    if !HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return None;
    }
    let path_start = after + authority_end + 1;
    let path = &url[path_start..];
    let mut segments = path.split(['/', '?', '#']);
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

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

/// `fury` in any case: where a host of [`HOSTS`] is spelt out.
static FURY: LazyLock<regex::bytes::Regex> =
    LazyLock::new(|| regex::bytes::Regex::new(r"(?i-u)fury").expect("a valid pattern"));

/// The longest mention [`mentions`] finds (`fury`; a byte that may hide
/// it is one long).
pub const MENTION_LEN: usize = 4;

/// Where `hay` may name one of [`HOSTS`], in order: `fury` in any case, or
/// a byte that may hide it from that search, as WHATWG's URL parser
/// (Node's `new URL()`, the `url` crate) reads a URL (review 8, #4):
/// - a TAB, which the parser drops anywhere in a URL (`npm.fu<TAB>ry.io`,
///   `ht<TAB>tp:`, `/<TAB>/`; a line break ends a line before it could);
/// - any non-ASCII byte: IDNA maps full-width (`ｆｕｒｙ`), circled
///   (`ⓕ`), mathematical (`𝐟`) and modifier (`ʳ`) letters to ASCII ones
///   and drops a soft hyphen or a zero-width space in a host, and the set
///   is too large to list by its lead bytes;
/// - `%`, which the host parser decodes (`npm.%66ury.io`), and `\`, which
///   spells any character in a JSON, YAML or quoted `.npmrc` string
///   (`\u0066`, `\t`).
///
/// An ordinary line holds none of them: the search stays a `memchr` pass.
pub fn mentions(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut found = Mentions::new(hay);
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = found.first_from(from)?;
        from = at + 1;
        Some(at)
    })
}

/// The mentions of a haystack ([`mentions`]), asked for from places that
/// only go forward: each kind (`fury`; a TAB, `%` or `\`; a non-ASCII
/// byte) keeps its last answer, and is searched again only from past it,
/// so a caller may skip ahead (to the next line) at no cost.
#[derive(Debug)]
pub struct Mentions<'a> {
    hay: &'a [u8],
    /// Per kind: where the last search started, and what it found.
    last: [Option<(usize, Option<usize>)>; 3],
}

impl<'a> Mentions<'a> {
    pub fn new(hay: &'a [u8]) -> Self {
        Mentions {
            hay,
            last: [None; 3],
        }
    }

    /// The first mention at or after `from`.
    pub fn first_from(&mut self, from: usize) -> Option<usize> {
        let hay = self.hay;
        if from >= hay.len() {
            return None;
        }
        let mut first: Option<usize> = None;
        for (kind, last) in self.last.iter_mut().enumerate() {
            let fresh = match *last {
                Some((start, found)) if start <= from && found.is_none_or(|f| f >= from) => found,
                _ => {
                    let found = match kind {
                        0 => FURY.find_at(hay, from).map(|m| m.start()),
                        1 => memchr::memchr3(b'\t', b'%', b'\\', &hay[from..]).map(|i| from + i),
                        _ => first_non_ascii(&hay[from..]).map(|i| from + i),
                    };
                    *last = Some((from, found));
                    found
                }
            };
            first = match (first, fresh) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        first
    }
}

/// Where the first byte of `hay` at or above 0x80 is.
fn first_non_ascii(hay: &[u8]) -> Option<usize> {
    let mut at = 0;
    for chunk in hay.chunks(64) {
        if !chunk.is_ascii() {
            return chunk.iter().position(|&b| b >= 0x80).map(|i| at + i);
        }
        at += chunk.len();
    }
    None
}

/// Whether `line` may name one of [`HOSTS`].
pub fn names_a_host(line: &[u8]) -> bool {
    mentions(line).next().is_some()
}

/// Where the path token is in `url`: a URL (`https://npm.fury.io/<token>/acme/`,
/// also `https:npm.fury.io/…` and `\` for `/`, as WHATWG's parser reads a
/// special scheme) or a `.npmrc` key's `//npm.fury.io/<token>/acme/:_authToken`.
/// The host is read by the `url` crate, as Node's `new URL()` reads it
/// (capitals, `%2E`, `。`, full-width letters, a trailing dot), after the
/// TABs and line breaks the parser drops anywhere in a URL are dropped
/// (`ht<TAB>tp:/<TAB>/npm.fu<TAB>ry.io/…`; review 8, #4). The range is
/// in `url` as written (a TAB inside the token is inside it).
pub fn find(url: &str) -> Option<Range<usize>> {
    if memchr::memchr3(b'\t', b'\n', b'\r', url.as_bytes()).is_none() {
        return find_in_clean(url);
    }
    // Where each kept byte is in `url`.
    let kept: Vec<usize> = (0..url.len())
        .filter(|&i| !matches!(url.as_bytes()[i], b'\t' | b'\n' | b'\r'))
        .collect();
    let clean: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let found = find_in_clean(&clean)?;
    Some(kept[found.start]..kept[found.end - 1] + 1)
}

/// [`find`] in a URL that holds no TAB nor line break.
fn find_in_clean(url: &str) -> Option<Range<usize>> {
    // WHATWG's parser strips the C0 controls and spaces before a URL
    // (npm and yarn requested `/<TOKEN>/acme/` for `\x01http://npm.fury.io/…`;
    // review 9, #1).
    let lead = url.bytes().take_while(|&c| c <= b' ').count();
    find_in_trimmed(&url[lead..]).map(|r| r.start + lead..r.end + lead)
}

/// [`find_in_clean`] past the controls before the URL.
fn find_in_trimmed(url: &str) -> Option<Range<usize>> {
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
    // A package (`@scope%2fx`), npm's tarball folder (`-`) and Gemfury's
    // download path (`/<account>/~/d/<pkg>/<pkg>-1.0.0`, the `resolved`
    // of a lockfile of an account-only registry) name no account.
    let named = |s: &str| !s.is_empty() && !s.starts_with([':', '@', '-', '~']);
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
            // What the parser drops or maps (review 8, #4): a TAB or a
            // line break anywhere, full-width, circled, mathematical and
            // modifier letters, a soft hyphen, a zero-width space.
            format!("http://npm.fu\try.io/{t}/acme/"),
            format!("ht\ttp://npm.fury.io/{t}/acme/"),
            format!("http:/\t/npm.fury.io/{t}/acme/"),
            format!("http://npm.fury.io/\t{t}/acme/"),
            format!("http://npm.fury.io/{t}\n/\r\nacme/"),
            format!("\t//npm.fury.io/{t}/acme/:_authToken"),
            format!("http://npm.\u{ff46}\u{ff55}\u{ff52}\u{ff59}.io/{t}/acme/"),
            format!("http://npm.\u{ff26}\u{ff35}\u{ff32}\u{ff39}.io/{t}/acme/"),
            format!("http://npm.\u{24d5}ury.io/{t}/acme/"),
            format!("http://npm.\u{1d41f}ury.io/{t}/acme/"),
            format!("http://npm.fu\u{2b3}y.io/{t}/acme/"),
            format!("http://npm.fu\u{ad}ry.io/{t}/acme/"),
            format!("http://npm.fu\u{200b}ry.io/{t}/acme/"),
            format!("http://npm.%66ury.io/{t}/acme/"),
            // The C0 controls and spaces before a URL (review 9, #1).
            format!("\u{1}http://npm.fury.io/{t}/acme/"),
            format!("\u{1f} \u{0}https://npm.fury.io/{t}/acme/"),
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
            // Gemfury's tarball layout under an account-only registry (a
            // `resolved` of dependabot-core's npm_lockfiles/private_source.json).
            "https://npm.fury.io/dependabot/~/d/%40dependabot%2Fetag/%40dependabot%2Fetag-1.8.1",
        ] {
            assert_eq!(token(url), None, "{url}");
        }
        // A TAB inside the token is inside what is reported.
        let url = "http://npm.fury.io/Xq7R\tk2Lm/acme/";
        assert_eq!(token(url), Some("Xq7R\tk2Lm"));
        // Other hosts that a mapping gives (`ſ` is `s`, a dotless `ı`
        // makes a punycode label).
        for url in [
            "http://npm.\u{17f}ury.io/T/acme/",
            "http://npm.fury.\u{131}o/T/acme/",
        ] {
            assert_eq!(token(url), None, "{url}");
        }
    }

    #[test]
    fn every_spelling_that_may_hide_the_host_is_a_mention() {
        let at = |s: &str| mentions(s.as_bytes()).collect::<Vec<_>>();
        assert_eq!(at("registry=https://npm.FURY.io/ fury"), [21, 30]);
        assert_eq!(at("a\tb%c\\d"), [1, 3, 5]);
        // Every byte of a non-ASCII character, in order among the others.
        assert_eq!(at("\u{ff46}u\try fury"), [0, 1, 2, 4, 8]);
        assert_eq!(at("npm.fu\u{ad}ry.io"), [6, 7]);
        let long = format!("{}\u{e9}{}\t", "a".repeat(100), "b".repeat(70));
        assert_eq!(at(&long), [100, 101, 172]);
        // An ordinary line: none.
        assert!(at("//registry.npmjs.org/:_authToken=${NPM_TOKEN}").is_empty());
        assert!(!names_a_host(b"registry=https://registry.npmjs.org/"));
        assert!(names_a_host(
            "registry=http://npm.\u{ff46}ury.io/".as_bytes()
        ));
    }
}

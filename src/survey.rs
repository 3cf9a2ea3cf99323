//! What the detectors of a `.npmrc` look up across the whole file, found
//! in one pass over it (pure).
//!
//! Where tokens start ([`crate::tokens`]), where `-----BEGIN` is
//! ([`crate::pem`] and [`crate::detect`] both read PEM blocks), where a
//! Gemfury host may be named ([`crate::path_token`]), where the
//! first `[section]` line starts and whether `[]` occurs (a `key[]=` list,
//! [`crate::detect`]) were each a search of the whole file; a large file
//! read from memory once per search cost as much as the searches. Here
//! they all read the file a window at a time, each window once from
//! memory and then from the cache. Each question keeps a whole-file
//! answer beside it ([`begins`], [`hosts`], [`has_list`], [`first_section`]), and
//! the unit tests check that both agree.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem;

use crate::npmrc::{self, LineKind};
use crate::tokens::{self, TokenMatch};

/// What [`survey`] found in a file.
#[derive(Debug, Default)]
pub struct Survey {
    /// Every token, sorted by where it starts ([`tokens::find_tokens`]).
    pub tokens: Vec<TokenMatch>,
    /// Where `-----BEGIN` occurs, in order ([`begins`]).
    pub pem_begins: Vec<usize>,
    /// Where [`crate::path_token::mentions`] finds a Gemfury host may be
    /// named, the first on each line, in order ([`hosts`]): a line names
    /// one only if one of these is in it. (One a line: a mention may be
    /// any non-ASCII byte, and a file of them is no list of its bytes.)
    pub hosts: Vec<usize>,
    /// Where the first `[section]` line starts ([`first_section`]).
    pub first_section: Option<usize>,
    /// Whether `[]` occurs ([`has_list`]).
    pub has_list: bool,
}

impl Survey {
    /// Whether a section line starts at or before `start`: keys there are
    /// `section.key`, not settings.
    pub fn in_section(&self, start: usize) -> bool {
        self.first_section.is_some_and(|f| f <= start)
    }
}

/// The dashes that open a PEM block, without the space OpenSSL wants
/// after them (an inline `key=` value may break the line there).
const BEGIN: &[u8] = b"-----BEGIN";

static BEGIN_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(BEGIN));

/// [`Survey`] of `src`, read [`tokens::WINDOW`] bytes at a time.
pub fn survey(src: &[u8]) -> Survey {
    survey_by(src, tokens::WINDOW)
}

/// [`survey`] with windows of `window` bytes (tests use small ones).
#[doc(hidden)]
pub fn survey_by(src: &[u8], window: usize) -> Survey {
    let window = window.max(1);
    let mut found = tokens::Finder::new(src);
    let mut out = Survey::default();
    let mut from = 0;
    let mut mention_skip = 0;
    while from < src.len() {
        let to = src.len().min(from + window);
        found.window(from..to);
        starts_in(&BEGIN_FINDER, src, from..to, &mut out.pem_begins);
        mentions_in(src, from..to, &mut mention_skip, &mut out.hosts);
        if !out.has_list || out.first_section.is_none() {
            brackets_in(src, from..to, &mut out);
        }
        from = to;
    }
    out.tokens = found.finish();
    out
}

/// Where the needle of `finder` starts in `window` (it may end after it).
/// No two overlap: `-----BEGIN` has no border.
fn starts_in(finder: &memmem::Finder<'_>, src: &[u8], window: Range<usize>, out: &mut Vec<usize>) {
    let needle = finder.needle().len();
    let hay = &src[window.start..src.len().min(window.end + needle - 1)];
    out.extend(
        finder
            .find_iter(hay)
            .map(|i| window.start + i)
            .take_while(|&at| at < window.end),
    );
}

/// Where [`crate::path_token::mentions`] finds a host may be named in
/// `window` (the mention may end after it), the first on each line.
/// `skip` is where the line of the last mention found ends: the search
/// goes on from there, in this window or a later one (each byte is
/// searched once, however long the line).
fn mentions_in(src: &[u8], window: Range<usize>, skip: &mut usize, out: &mut Vec<usize>) {
    let hay = &src[window.start
        ..src
            .len()
            .min(window.end + crate::path_token::MENTION_LEN - 1)];
    let mut found = crate::path_token::Mentions::new(hay);
    while let Some(at) = found
        .first_from(skip.saturating_sub(window.start))
        .map(|i| window.start + i)
        .filter(|&at| at < window.end)
    {
        out.push(at);
        *skip = end_of_line(src, at);
    }
}

/// Where the line that holds `at` ends (npm's ini breaks lines at CR or
/// LF).
fn end_of_line(src: &[u8], at: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &src[at..]).map_or(src.len(), |i| at + i)
}

/// `[]` and the first section line, as far as `window` goes: one search
/// for both brackets.
fn brackets_in(src: &[u8], window: Range<usize>, out: &mut Survey) {
    for i in memchr::memchr2_iter(b'[', b']', &src[window.clone()]).map(|i| window.start + i) {
        if src[i] == b']' {
            out.has_list |= i > 0 && src[i - 1] == b'[';
        } else if out.first_section.is_none() && is_section_start(src, i) {
            out.first_section = Some(i);
        }
        if out.has_list && out.first_section.is_some() {
            return;
        }
    }
}

/// Whether the `[` at `i` starts a line that npm reads as a section
/// header.
fn is_section_start(src: &[u8], i: usize) -> bool {
    (i == 0 || matches!(src[i - 1], b'\n' | b'\r'))
        && npmrc::lines_from(src, i, 0)
            .next()
            .is_some_and(|l| matches!(l.kind, LineKind::Section(_)))
}

/// Where `-----BEGIN` occurs in `src`, by one search of all of it: the
/// reference [`survey`] is tested against.
pub fn begins(src: &[u8]) -> Vec<usize> {
    BEGIN_FINDER.find_iter(src).collect()
}

/// Where [`crate::path_token::mentions`] finds a host may be named in
/// `src`, the first on each line, by one search of all of it.
pub fn hosts(src: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut skip = 0;
    for at in crate::path_token::mentions(src) {
        if at >= skip {
            out.push(at);
            skip = end_of_line(src, at);
        }
    }
    out
}

/// Whether `[]` occurs in `src`, by one search of all of it.
pub fn has_list(src: &[u8]) -> bool {
    memchr::memchr_iter(b']', src).any(|i| i > 0 && src[i - 1] == b'[')
}

/// Where the first section line of `src` starts, by one search of all of
/// it.
pub fn first_section(src: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'[', src).find(|&i| is_section_start(src, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_finds_what_one_search_of_the_file_finds() {
        let token = {
            let body = "a".repeat(30);
            let crc = tokens::base62_crc(body.as_bytes());
            format!("npm_{body}{}", String::from_utf8_lossy(&crc))
        };
        let sources = [
            format!("a=1\n-----BEGIN x\nk[]=v\n//h/:_authToken={token}\n[s]\nb=2 -----BEGIN\n"),
            format!("x[\n [s]\n[t]\n]\n[]\n-----BEGIN-----BEGIN\n{token}"),
            "registry=https://npm.fury.io/T/a/\nfury.iofury.io\nr=https://npm-proxy.fury.io/T/a/"
                .to_string(),
            // Bytes that may hide a host, many on a line and on lines
            // broken by CR alone (review 8, #4).
            "a\tb=%\\\n\u{ff46}\u{ff55}ry\rr=http://npm.fu\u{ad}ry.io/fury\n\t\r\n%".to_string(),
            "k=v\r[s]\nk=[]\n".to_string(),
            "[]".to_string(),
            "]".to_string(),
            String::new(),
        ];
        for src in &sources {
            let src = src.as_bytes();
            for window in [1, 2, 3, 5, 7, 10, 11, 64, tokens::WINDOW] {
                let got = survey_by(src, window);
                assert_eq!(got.tokens, tokens::find_tokens(src), "window {window}");
                assert_eq!(got.pem_begins, begins(src), "window {window}");
                assert_eq!(got.hosts, hosts(src), "window {window}");
                assert_eq!(got.has_list, has_list(src), "window {window}");
                assert_eq!(got.first_section, first_section(src), "window {window}");
            }
        }
        let sample = survey(sources[0].as_bytes());
        assert_eq!(sample.tokens.len(), 1);
        assert_eq!(sample.pem_begins.len(), 2);
        assert!(sample.has_list);
        assert!(sample.first_section.is_some());
        assert!(!sample.in_section(0));
        assert!(sample.in_section(sample.first_section.unwrap()));
        // One mention a line, the first.
        assert_eq!(hosts(sources[3].as_bytes()), [1, 7, 31, 44, 47]);
    }
}

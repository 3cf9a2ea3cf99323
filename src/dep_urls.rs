//! Credentials in the URLs packages are fetched from (pure): lockfiles and
//! `package.json` dependency specs.
//!
//! `npm ci` fetches each `"resolved"` URL of `package-lock.json` /
//! `npm-shrinkwrap.json` as written, `user:password@` included (sent as
//! `Authorization: Basic`); yarn 1 does the same with `resolved` in
//! `yarn.lock`, pnpm with `tarball:` in `pnpm-lock.yaml`, bun with the
//! URL of a package's entry in `bun.lock` (JSON with trailing commas; its
//! `\u0040` decoded) or in the older binary `bun.lockb` (its strings stored
//! as they are); and npm, yarn, pnpm and bun all send the userinfo of
//! a URL given as a dependency spec in `package.json` (git, for a
//! `git+https://` one), bun also from its catalogs there. Each such URL is judged
//! by the `.npmrc` detector as the line `registry=<url>` (so stand-ins and
//! masking are the same) and reported at the URL's line and column.
//!
//! A URL's query is sent too: a parameter named as a credential's
//! (`?private_token=…`, [`crate::urlcreds::query_credentials`]) is one.
//!
//! A lockfile is large (tens of MB): only the words around an `@`, a `?`
//! or a `\` (which may escape one: JSON's and YAML's `\u0040`, YAML's
//! `\x40`) are looked at, found by `memchr`.

use std::ops::Range;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::detect::{self, Detected};
use crate::finding::Rule;

/// The lockfiles whose URLs are fetched as written.
pub const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// Whether the file name `name` is one of [`LOCKFILES`].
pub fn is_lockfile(name: &str) -> bool {
    LOCKFILES.iter().any(|l| l.eq_ignore_ascii_case(name))
}

/// The top-level `package.json` keys whose string values are dependency
/// specs: npm's four, npm's `overrides`, yarn's `resolutions`, `pnpm`
/// (its `overrides`), and bun's catalogs: `workspaces.catalog`,
/// `workspaces.catalogs.<name>`, and the same at the top level (bun 1.4
/// reads both, checked on the wire).
pub(crate) const DEPENDENCY_KEYS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "overrides",
    "resolutions",
    "pnpm",
    "workspaces",
    "catalog",
    "catalogs",
];

/// One URL with credentials, as found.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Url {
    /// Where the URL's text is in the file: its own bytes when `verbatim`,
    /// else the whole (escaped) string that holds it.
    span: Range<usize>,
    /// The URL as the tool reads it (escapes decoded, `git+` dropped).
    text: String,
    verbatim: bool,
}

/// Findings in a lockfile: every URL with credentials, anywhere.
pub fn detect_lockfile(path: &str, src: &[u8]) -> Vec<Detected> {
    let json = crate::select::ends_with_caseless(path, ".json");
    // bun's binary lockfile: its URLs sit among binary fields. A control
    // byte ends a word there as a space does (the copy keeps every offset),
    // and nothing before a URL is a name: a report names no key, since the
    // bytes before it may belong to another string.
    let binary = crate::select::ends_with_caseless(path, ".lockb");
    let spaced: Vec<u8>;
    let words = if binary {
        let mut copy: Vec<u8> = src
            .iter()
            .map(|&b| if b < 0x20 && b != b'\n' { b' ' } else { b })
            .collect();
        // bun stores its strings back to back: a URL may follow a package
        // name with nothing between (`alongpackagenamehttp://…`; review
        // 6, #4). The byte before each `http://`/`https://` ends a word.
        for at in memchr::memmem::find_iter(src, b"http") {
            let rest = &src[at + 4..];
            if at > 0 && (rest.starts_with(b"://") || rest.starts_with(b"s://")) {
                copy[at - 1] = b' ';
            }
        }
        spaced = copy;
        &spaced[..]
    } else {
        src
    };
    let mut urls = urls(words, 0, words.len(), json);
    if crate::select::ends_with_caseless(path, ".yaml") {
        urls = with_multiline_scalars(src, urls, true);
    } else if crate::select::ends_with_caseless(path, "yarn.lock") {
        // yarn 1's own format continues no plain value on the next line;
        // yarn 2+ uses a lockfile only with its `__metadata`.
        let berry = !is_yarn1_lockfile(src) && memchr::memmem::find(src, b"__metadata:").is_some();
        urls = with_multiline_scalars(src, urls, berry);
    }
    let note = "in a lockfile, whose URLs are fetched as written (npm ci, yarn, pnpm, bun); \
                remove the credentials from the URL (give them in the user's config), \
                regenerate the lockfile, and revoke them";
    let mut out = Vec::new();
    let mut lines = Cursor::default();
    for url in &urls {
        let key = (!binary).then(|| line_key(src, url.span.start));
        let one = std::slice::from_ref(url);
        out.extend(judge(path, src, one, key.as_deref(), note, &mut lines));
    }
    crate::foreign::certain_tokens(path, src, &mut out);
    out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    out
}

/// Findings in a YAML file the YAML reader could not read
/// (`pnpm-workspace.yaml`): every URL with credentials in it, as in a
/// lockfile, each with `note` as its detail and no key.
pub fn detect_unread_yaml(path: &str, src: &[u8], note: &str) -> Vec<Detected> {
    let urls = with_multiline_scalars(src, urls(src, 0, src.len(), false), true);
    let mut lines = Cursor::default();
    let mut out = judge(path, src, &urls, None, note, &mut lines);
    out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    out
}

/// `words` (the URLs of a YAML file's words) with those in a quoted
/// scalar that spans lines read from the scalar as YAML reads it instead:
/// a line break folds to a space (a run of them to line breaks), an
/// escaped one (`\` at the line's end, double quotes) to nothing, and the
/// next line's indentation is dropped, whatever it is (js-yaml takes an
/// under-indented one). pnpm joins `"http://alice:<half>\` and
/// `  <half>@host/"` and sends the credentials.
///
/// A block scalar (`tarball: |-` or `>-`, its lines indented below) is read
/// as YAML reads it too ([`block_scalars`]; review 7, #13): pnpm takes the
/// URL with the line break inside, Node's URL drops it, and the password
/// is sent.
///
/// So is a plain scalar continued on a more-indented line
/// ([`crate::yaml_plain`]; review 8, #7), when `plain`: pnpm sent
/// `alice:<half>%20<half>`.
fn with_multiline_scalars(src: &[u8], mut words: Vec<Url>, plain: bool) -> Vec<Url> {
    let mut scalars: Vec<(Range<usize>, String)> = multiline_scalars(src)
        .into_iter()
        .map(|span| {
            let body = String::from_utf8_lossy(&src[span.start + 1..span.end - 1]);
            let double = src[span.start] == b'"';
            let folded = fold_lines(&body, double);
            let text = if double {
                yaml_unescape(&folded)
            } else {
                folded.replace("''", "'")
            };
            (span, text)
        })
        .collect();
    scalars.extend(block_scalars(src));
    let taken: Vec<Range<usize>> = scalars.iter().map(|(span, _)| span.clone()).collect();
    if plain {
        scalars.extend(crate::yaml_plain::multiline(src, &taken));
    }
    if scalars.is_empty() {
        return words;
    }
    // A word inside a scalar is read from the scalar. The spans by start,
    // each with the furthest end of those up to it: one search a word
    // (a search of every span for every word was quadratic in a file of
    // many scalars, which a plain one across two lines makes cheaply).
    scalars.sort_by_key(|(s, _)| s.start);
    let furthest: Vec<usize> = scalars
        .iter()
        .scan(0, |end, (s, _)| {
            *end = s.end.max(*end);
            Some(*end)
        })
        .collect();
    words.retain(|u| {
        let before = scalars.partition_point(|(s, _)| s.start <= u.span.start);
        !(before > 0 && u.span.end <= furthest[before - 1])
    });
    for (span, text) in scalars {
        for (_, url) in in_text(&text) {
            words.push(Url {
                span: span.clone(),
                text: url,
                verbatim: false,
            });
        }
    }
    words.sort_by_key(|u| u.span.start);
    words
}

/// Whether a `yarn.lock` is in yarn 1's format, not YAML: yarn 2+ reads
/// one whose first lines are comments ending with `# yarn lockfile v1`
/// with that format's parser, and any other with js-yaml
/// (`@yarnpkg/parsers`' `LEGACY_REGEXP`); yarn 1 reads its own format.
fn is_yarn1_lockfile(src: &[u8]) -> bool {
    for line in src.split(|&b| b == b'\n') {
        let Some(comment) = line.strip_prefix(b"#") else {
            return false;
        };
        let words: Vec<&[u8]> = comment
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
            .collect();
        let header = [&b"yarn"[..], b"lockfile", b"v1"];
        if comment.first().is_some_and(u8::is_ascii_whitespace)
            && words.len() == 3
            && words
                .iter()
                .zip(header)
                .all(|(w, h)| w.eq_ignore_ascii_case(h))
        {
            return true;
        }
    }
    false
}

/// The block scalars of a YAML text whose content spans lines: each one's
/// span (from its `|` or `>` to the end of its last line) and value, as
/// YAML reads it. Literal (`|`) keeps the line breaks, folded (`>`) joins
/// lines with a space (an empty line is a line break; a more-indented
/// line keeps its breaks); the content's indentation is the indicator's
/// (`|2`) or its first line's, and is taken off every line; chomping
/// (`-` strip, `+` keep, else one line break) applies at the end. Each
/// line is looked at once or twice.
fn block_scalars(src: &[u8]) -> Vec<(Range<usize>, String)> {
    if memchr::memchr2(b'|', b'>', src).is_none() {
        return Vec::new();
    }
    // Byte for byte, so places stay: each byte that is not UTF-8 a `?`.
    let mut text = String::with_capacity(src.len());
    for chunk in src.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    // (The text after a last line break is no line.)
    for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
        lines.push((at, line.strip_suffix('\r').unwrap_or(line)));
        at += line.len() + 1;
    }
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        i += 1;
        let Some((at, literal, explicit, chomp)) = block_header(line) else {
            continue;
        };
        let parent = indent(line);
        // The content: the lines below indented deeper (blank ones too).
        let mut content: Vec<&str> = Vec::new();
        let mut want = explicit.map(|m| parent + m);
        let mut end = i;
        while end < lines.len() {
            let l = lines[end].1;
            if l.trim().is_empty() {
                content.push(l);
                end += 1;
                continue;
            }
            let n = indent(l);
            let need = *want.get_or_insert(n);
            if n <= parent || n < need {
                break;
            }
            content.push(l);
            end += 1;
        }
        // Trailing blank lines belong to chomping, not to the span.
        let mut kept = content.len();
        while kept > 0 && content[kept - 1].trim().is_empty() {
            kept -= 1;
        }
        let trailing = content.len() - kept;
        content.truncate(kept);
        i += kept;
        if content.len() < 2 {
            continue;
        }
        let cut = want.unwrap_or(0);
        let body: Vec<&str> = content.iter().map(|l| l.get(cut..).unwrap_or("")).collect();
        let mut value = String::new();
        for (k, l) in body.iter().enumerate() {
            if k > 0 {
                let prev = body[k - 1];
                let more = |s: &str| s.starts_with([' ', '\t']);
                let normal = |s: &str| !s.is_empty() && !more(s);
                // Folded: a break between two normal lines is a space;
                // the one before empty lines is dropped (each empty line
                // is a break).
                match (literal, normal(prev), normal(l), l.is_empty()) {
                    (false, true, true, _) => value.push(' '),
                    (false, true, _, true) => {}
                    _ => value.push('\n'),
                }
            }
            value.push_str(l);
        }
        match chomp {
            Some('-') => {}
            Some(_) => value.extend(std::iter::repeat_n('\n', 1 + trailing)),
            None => value.push('\n'),
        }
        let (last_start, last) = lines[i - 1];
        out.push((start + at..last_start + last.len(), value));
    }
    out
}

/// A line that opens a block scalar: the place of its `|` or `>` (after
/// `key:` or `-` and a space, or alone on the line), whether it is
/// literal, the explicit indentation (`|2`) and the chomping (`-`, `+`).
fn block_header(line: &str) -> Option<(usize, bool, Option<usize>, Option<char>)> {
    let b = line.as_bytes();
    for (p, &c) in b.iter().enumerate() {
        if c != b'|' && c != b'>' {
            continue;
        }
        let before = line[..p].trim_end_matches([' ', '\t']);
        let spaced = before.len() < p;
        let opens = before.trim_start().is_empty()
            || (spaced && (before.ends_with(':') || before.ends_with('-')));
        if !opens {
            continue;
        }
        let rest = &line[p + 1..];
        let head = rest
            .find(|ch: char| !(ch.is_ascii_digit() || ch == '+' || ch == '-'))
            .unwrap_or(rest.len());
        let (indicators, after) = rest.split_at(head);
        let tail = after.trim_start_matches([' ', '\t']);
        // Nothing after it but a comment, which follows a space.
        let comment = tail.starts_with('#') && tail.len() < after.len();
        if head > 2 || !(tail.is_empty() || comment) {
            continue;
        }
        let explicit = indicators
            .chars()
            .find(char::is_ascii_digit)
            .and_then(|d| d.to_digit(10))
            .filter(|&d| d > 0)
            .map(|d| d as usize);
        let chomp = indicators.chars().find(|ch| matches!(ch, '+' | '-'));
        return Some((p, c == b'|', explicit, chomp));
    }
    None
}

/// The spans (quotes included) of the quoted scalars of a YAML text that
/// span lines. A quote opens one where a scalar starts: at a line's start
/// or after a space, a tab, `[`, `{` or `,` (inside a plain scalar it is
/// text). Each byte is looked at once.
fn multiline_scalars(src: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = memchr::memchr2(b'"', b'\'', &src[at..]).map(|i| at + i) {
        at = i + 1;
        let opens = i == 0
            || matches!(
                src[i - 1],
                b'\n' | b'\r' | b' ' | b'\t' | b'[' | b'{' | b','
            );
        if !opens {
            continue;
        }
        let quote = src[i];
        // The closing quote: `\"` escapes one in double quotes, `''` in
        // single quotes.
        let mut j = i + 1;
        let close = loop {
            let Some(k) = memchr::memchr2(quote, b'\\', &src[j..]).map(|k| j + k) else {
                break None;
            };
            if src[k] == b'\\' {
                j = k + if quote == b'"' { 2 } else { 1 };
            } else if quote == b'\'' && src.get(k + 1) == Some(&b'\'') {
                j = k + 2;
            } else {
                break Some(k);
            }
            if j >= src.len() {
                break None;
            }
        };
        let Some(close) = close else {
            break;
        };
        at = close + 1;
        if memchr::memchr(b'\n', &src[i..close]).is_some() {
            out.push(i..close + 1);
        }
    }
    out
}

/// The inside of a quoted scalar with its line breaks folded as YAML
/// folds them (escapes left for [`yaml_unescape`], but an escaped line
/// break, `\` ending a line in double quotes, taken out).
fn fold_lines(body: &str, double: bool) -> String {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut out = String::with_capacity(body.len());
    // Line breaks to fold before the next text; none after an escaped one.
    let mut pending: Option<usize> = None;
    for (i, raw) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if i > 0 {
            line = line.trim_start_matches([' ', '\t']);
        }
        let slashes = line.len() - line.trim_end_matches('\\').len();
        let escaped = double && !last && slashes % 2 == 1;
        if escaped {
            line = &line[..line.len() - 1];
        } else if !last {
            line = line.trim_end_matches([' ', '\t']);
        }
        if i > 0 && !last && !escaped && line.is_empty() {
            if let Some(k) = pending.as_mut() {
                *k += 1;
            }
            continue;
        }
        match pending.take() {
            Some(1) => out.push(' '),
            Some(k) => out.extend(std::iter::repeat_n('\n', k - 1)),
            None => {}
        }
        out.push_str(line);
        pending = (!escaped).then_some(1);
    }
    out
}

/// The name a lockfile gives the value the URL at `at` starts
/// (`"resolved": "…"`, `resolved "…"`, `tarball: …`), as a report's `key`;
/// a URL in an array (bun.lock's `"name": ["name@1.0.0", "https://…"`) is
/// named by the line's key; a URL after anything else (yarn 2+'s
/// `"x@https://…":`) is in a package descriptor.
fn line_key(src: &[u8], at: usize) -> String {
    // A name is short: a long line (a lockfile on one line) is not walked.
    let lo = at.saturating_sub(256);
    let start = memchr::memrchr(b'\n', &src[lo..at]).map_or(lo, |i| lo + i + 1);
    let mut before = &src[start..at];
    for skip in [b'"', b' ', b':', b' ', b'"'] {
        before = before.trim_ascii_end();
        before = before.strip_suffix(&[skip]).unwrap_or(before);
    }
    if before.ends_with(b",") || before.ends_with(b"[") {
        // An array element: the key the line starts with, if any.
        let line = src[start..at].trim_ascii_start();
        let name = line
            .strip_prefix(b"\"")
            .and_then(|l| memchr::memchr(b'"', l).map(|e| &l[..e]))
            .filter(|n| {
                line.get(n.len() + 2..)
                    .is_some_and(|r| r.trim_ascii_start().starts_with(b":"))
            });
        return name.map_or_else(
            || "descriptor".to_string(),
            |n| crate::foreign::shown_name(&String::from_utf8_lossy(n)),
        );
    }
    let name = before
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
        .count();
    if name == 0 {
        return "descriptor".to_string();
    }
    String::from_utf8_lossy(&before[before.len() - name..]).into_owned()
}

/// Whether `src` may hold a URL with credentials: an `@` (userinfo), a
/// `?` (a query), a `\` (an escape that could spell either) or a Gemfury
/// host (a path token). Without one, a file costs two passes.
pub fn may_hold_url_credentials(src: &[u8]) -> bool {
    memchr::memchr3(b'@', b'?', b'\\', src).is_some()
        || crate::path_token::mentions(src).next().is_some()
}

/// Findings in the dependency specs of a `package.json`; one that
/// [`may_hold_url_credentials`] passes over, or that is not JSON, has none.
pub fn detect_package_json(path: &str, src: &[u8]) -> Vec<Detected> {
    if !may_hold_url_credentials(src) {
        return Vec::new();
    }
    let body = src.strip_prefix("\u{feff}".as_bytes()).unwrap_or(src);
    let Ok(text) = std::str::from_utf8(body) else {
        return Vec::new();
    };
    let Ok(Entries(top)) = serde_json::from_str::<Entries<'_>>(text) else {
        return Vec::new();
    };
    let mut strings = Vec::new();
    for (key, raw) in top {
        if DEPENDENCY_KEYS.contains(&key.as_str()) {
            string_values(src, raw, &mut vec![key], &mut strings);
        }
    }
    let note = "in a package.json dependency spec, fetched with these credentials \
                (npm, yarn and pnpm install send them); the fixer does not rewrite package.json: \
                remove them from the URL (give them in the user's config) and revoke them";
    let mut out = Vec::new();
    let mut lines = Cursor::default();
    for (key, span) in strings {
        // The string's inside, without its quotes.
        let found = urls(src, span.start + 1, span.end - 1, true);
        out.extend(judge(path, src, &found, Some(&key), note, &mut lines));
    }
    out
}

/// A string value another reader found (`pnpm-workspace.yaml`'s catalogs
/// and overrides, [`crate::pnpm_workspace`]): the text as the tool reads
/// it, where it is in the file, and where its own bytes start when the
/// file holds them as they are (no escapes, no folding).
#[derive(Clone, Debug)]
pub struct Spec {
    /// The value's name in reports (`catalogs.x.priv`).
    pub key: String,
    pub text: String,
    pub span: Range<usize>,
    pub verbatim: Option<usize>,
}

/// Findings in the dependency specs `specs` of the file `src`, each with
/// `note` as its detail.
pub fn detect_specs(path: &str, src: &[u8], specs: &[Spec], note: &str) -> Vec<Detected> {
    let mut out = Vec::new();
    let mut lines = Cursor::default();
    for spec in specs {
        let found: Vec<Url> = in_text(&spec.text)
            .into_iter()
            .map(|(offset, text)| match spec.verbatim {
                Some(at) => Url {
                    span: at + offset..at + offset + text.len(),
                    text,
                    verbatim: true,
                },
                None => Url {
                    span: spec.span.clone(),
                    text,
                    verbatim: false,
                },
            })
            .collect();
        out.extend(judge(path, src, &found, Some(&spec.key), note, &mut lines));
    }
    out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    out
}

/// Every string value under `raw` (objects walked, arrays not: a spec is
/// a string) with its dotted key and its span in `src`, quotes included.
fn string_values(
    src: &[u8],
    raw: &RawValue,
    key: &mut Vec<String>,
    out: &mut Vec<(String, Range<usize>)>,
) {
    let text = raw.get();
    // `raw` borrows from `src`.
    let at = text.as_ptr() as usize - src.as_ptr() as usize;
    if text.starts_with('"') {
        out.push((key.join("."), at..at + text.len()));
    } else if text.starts_with('{') {
        let Ok(Entries(entries)) = serde_json::from_str::<Entries<'_>>(text) else {
            return;
        };
        for (k, v) in entries {
            key.push(k);
            string_values(src, v, key, out);
            key.pop();
        }
    }
}

/// A JSON object's members in order, duplicates kept (each is committed;
/// `JSON.parse` keeps the last).
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Whether `b` ends a word: a URL is never split by one. In JSON a string
/// ends at `"`; elsewhere (YAML, yarn 1's format) also at a space and
/// flow punctuation. Not at a TAB: one inside a plain or quoted scalar is
/// part of it, and the URL parser drops it (`npm.fu<TAB>ry.io`; review 8,
/// #4).
fn ends_word(b: u8, json: bool) -> bool {
    match b {
        b'"' | b'\n' | b'\r' => true,
        _ if json => false,
        b'\'' | b' ' | b',' | b'{' | b'}' | b'[' | b']' => true,
        _ => false,
    }
}

/// The length of the IPv6 literal host (`[::1]`, `[2001:db8::1]`,
/// `[fe80::1%25eth0]`) that `rest` starts with, brackets included.
fn ipv6_literal(rest: &[u8]) -> Option<usize> {
    // The longest is 39 characters and a zone id.
    let inside = rest.iter().skip(1).take(64);
    let n = inside
        .take_while(|&&c| {
            c.is_ascii_alphanumeric() || matches!(c, b':' | b'.' | b'%' | b'-' | b'_')
        })
        .count();
    (rest.get(1 + n) == Some(&b']') && rest[1..1 + n].contains(&b':')).then_some(n + 2)
}

/// Whether `before` ends in an `@`, written or escaped (`\x40`,
/// `\u0040`, `\U00000040`).
fn ends_in_at(before: &[u8]) -> bool {
    [&b"@"[..], b"\\x40", b"\\u0040", b"\\U00000040"]
        .iter()
        .any(|at| before.ends_with(at))
}

/// The URLs with credentials in `src[from..to]`. Only words holding an
/// `@` or a `?` (or a `\`) are looked at; each word is walked once.
fn urls(src: &[u8], from: usize, to: usize, json: bool) -> Vec<Url> {
    let hay = &src[from..to];
    // A `\` may escape an `@` (JSON's and YAML's `\u0040`, YAML's `\x40`).
    // A Gemfury host names a URL whose path holds a token
    // ([`crate::path_token`]).
    let hits = merged(
        memchr::memchr3_iter(b'@', b'?', b'\\', hay),
        crate::path_token::mentions(hay),
    );
    let mut out = Vec::new();
    // End of the last word looked at: a later hit inside it is skipped, and
    // no scan goes back past it (linear in the input, whatever its shape).
    let mut done = 0;
    for hit in hits {
        if hit < done {
            continue;
        }
        let start = hay[done..hit]
            .iter()
            .rposition(|&b| ends_word(b, json))
            .map_or(done, |i| done + i + 1);
        let mut end = hit;
        while end < hay.len() {
            // An IPv6 host (`@[::1]:8080`) is part of its URL, though a
            // `[` or `]` ends a word elsewhere in YAML.
            if hay[end] == b'[' && ends_in_at(&hay[..end]) {
                if let Some(n) = ipv6_literal(&hay[end..]) {
                    end += n;
                    continue;
                }
            }
            if ends_word(hay[end], json) {
                break;
            }
            // A JSON escape: `\"` does not end the string.
            end += if json && hay[end] == b'\\' { 2 } else { 1 };
        }
        let end = end.min(hay.len());
        done = end;
        word(&hay[start..end], from + start, json, &mut out);
    }
    out
}

/// The offsets of two ascending iterators, in order.
fn merged(
    a: impl Iterator<Item = usize>,
    b: impl Iterator<Item = usize>,
) -> impl Iterator<Item = usize> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y < x => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// The URLs with credentials in one word at `at`.
fn word(w: &[u8], at: usize, json: bool, out: &mut Vec<Url>) {
    if memchr::memchr(b'\\', w).is_some() {
        // Decoded: `\u0040` is an `@`, `\/` a `/`.
        let decoded = if json {
            let mut quoted = Vec::with_capacity(w.len() + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(w);
            quoted.push(b'"');
            serde_json::from_slice::<String>(&quoted).ok()
        } else {
            Some(yaml_unescape(&String::from_utf8_lossy(w)))
        };
        let Some(text) = decoded else {
            return;
        };
        for (_, url) in in_text(&text) {
            out.push(Url {
                span: at..at + w.len(),
                text: url,
                verbatim: false,
            });
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(w) else {
        // Judged on what is UTF-8 of it; a URL is ASCII.
        let lossy = String::from_utf8_lossy(w).into_owned();
        for (_, url) in in_text(&lossy) {
            out.push(Url {
                span: at..at + w.len(),
                text: url,
                verbatim: false,
            });
        }
        return;
    };
    for (offset, url) in in_text(text) {
        out.push(Url {
            span: at + offset..at + offset + url.len(),
            text: url,
            verbatim: true,
        });
    }
}

/// `s` with the escapes of a YAML double-quoted scalar decoded (`\\x40`,
/// `\\u0040`, `\\U00000040`, `\\t`, `\\/`, …); an escape it does not know
/// stands for its character.
fn yaml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        let hex = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            't' => {
                out.push('\t');
                continue;
            }
            'n' => {
                out.push('\n');
                continue;
            }
            'r' => {
                out.push('\r');
                continue;
            }
            other => {
                out.push(other);
                continue;
            }
        };
        let digits: String = chars.by_ref().take(hex).collect();
        match u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(ch) if digits.len() == hex => out.push(ch),
            _ => out.push_str(&digits),
        }
    }
    out
}

/// The `http:`/`https:` URLs (after an optional `git+`) in `text` that
/// carry credentials, with where each starts, each cut at the end of its
/// authority (where the parser looks for userinfo: after the slashes, up
/// to `/`, `\\`, `?` or `#`; tabs dropped, slashes optional). A user name
/// alone is a secret only when it does not read as a name. A URL whose
/// query holds a credential is given whole, to the end of its word.
fn in_text(text: &str) -> Vec<(usize, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    if memchr::memchr2(b'@', b'?', b).is_none() && crate::path_token::mentions(b).next().is_none() {
        return out;
    }
    // End of the last authority parsed: a scheme inside it is part of it
    // (each byte is parsed once).
    let mut done = 0;
    // End of the word the last URL is in, and whether its query was read.
    let mut word_end = 0;
    let mut query_read = false;
    // Where the next authority ends, `@` is and `#` is: schemes may share
    // one authority (`http:http:…?`), so each search goes on from the last
    // one's answer and no byte is searched twice (linear, whatever the
    // shape; it was quadratic).
    let mut stop = Ahead::default();
    let mut at_sign = Ahead::default();
    let mut hash = Ahead::default();
    for colon in memchr::memchr_iter(b':', b) {
        if colon < done {
            continue;
        }
        // `:` is not a scheme character: each run is walked once (twice
        // when it holds a TAB or a line break).
        let Some(start) = http_scheme_start(b, colon) else {
            continue;
        };
        let after = colon + 1;
        let slashes = b[after..]
            .iter()
            .take_while(|&&c| matches!(c, b'/' | b'\\' | b'\t' | b'\n' | b'\r'))
            .count();
        let end = stop.find(b, after + slashes, |c| {
            matches!(c, b'/' | b'\\' | b'?' | b'#')
        });
        // The whole URL: to the end of the word (whitespace or a quote).
        // Its query is read once a word: a URL later in the same word
        // has a query that is the end of this one's (linear, whatever the
        // shape).
        if word_end <= end {
            // (Not at a TAB or a line break, which the parser drops.)
            word_end = b[end..]
                .iter()
                .position(|&c| matches!(c, b' ' | b'\x0c' | b'"' | b'\'' | b'<' | b'>'))
                .map_or(b.len(), |i| end + i);
            query_read = false;
        }
        // (A fragment is never sent: a URL ends before its `#`.)
        let whole = hash.find(b, end, |c| c == b'#').min(word_end);
        // A Gemfury URL whose path holds a token ([`crate::path_token`]):
        // judged whole. Its host ends a short authority after `//`.
        let authority = &b[after + slashes..end];
        if slashes >= 2
            && authority.len() <= 256
            && crate::path_token::mentions(authority).next().is_some()
            && crate::path_token::find(&text[start..whole]).is_some()
        {
            done = whole;
            // The host as the parser reads it (`NPM.FURY.IO` is
            // npm.fury.io), the same length.
            let mut url = text[start..whole].to_string();
            url[after + slashes - start..end - start].make_ascii_lowercase();
            out.push((start, url));
            continue;
        }
        let first_in_word = !std::mem::replace(&mut query_read, true);
        if first_in_word
            && memchr::memchr(b'?', &b[end..whole]).is_some()
            && crate::urlcreds::query_credentials(&text[start..whole])
                .is_some_and(|found| !found.is_empty())
        {
            // Judged whole: its user name and password too.
            done = whole;
            out.push((start, text[start..whole].to_string()));
            continue;
        }
        if at_sign.find(b, after, |c| c == b'@') >= end {
            continue;
        }
        done = end;
        let url = &text[start..end];
        let Some(info) = crate::urlcreds::credentials(url) else {
            continue;
        };
        // A user name alone that reads as an account's (`git`, `johndoe`,
        // the `team@bitbucket.org` of Bitbucket's and Azure DevOps' clone
        // URLs, `x-access-token`) is no secret: git asks its credential
        // helper for the password, npm sends `name:` with an empty one. A
        // token written there is one (`https://<PAT>@`).
        if info.password.is_empty() && is_account_name(&info.username) {
            continue;
        }
        out.push((start, url.to_string()));
    }
    out
}

/// Where the URL whose scheme ends at the `:` at `colon` starts, if the
/// scheme is `http` or `https` (after an optional `git+`, which is not
/// part of the URL). The parser drops a TAB or a line break anywhere in a
/// URL (`ht<TAB>tp:`; review 8, #4): when the run of scheme characters
/// before `colon` is not such a scheme, the run with those bytes in it is
/// read with them dropped.
fn http_scheme_start(b: &[u8], colon: usize) -> Option<usize> {
    let scheme_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.');
    let read = |start: usize| {
        let scheme: Vec<u8> = b[start..colon]
            .iter()
            .copied()
            .filter(|c| !matches!(c, b'\t' | b'\n' | b'\r'))
            .collect();
        let (skip, scheme) = match scheme.get(..4) {
            Some(git) if scheme.len() > 4 && git.eq_ignore_ascii_case(b"git+") => (
                b[start..].iter().position(|&c| c == b'+')? + 1,
                &scheme[4..],
            ),
            _ => (0, &scheme[..]),
        };
        (scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https"))
            .then_some(start + skip)
    };
    let plain = b[..colon]
        .iter()
        .rposition(|&c| !scheme_char(c))
        .map_or(0, |i| i + 1);
    if let Some(start) = read(plain) {
        return Some(start);
    }
    if plain == 0 || !matches!(b[plain - 1], b'\t' | b'\n' | b'\r') {
        return None;
    }
    let spread = b[..colon]
        .iter()
        .rposition(|&c| !(scheme_char(c) || matches!(c, b'\t' | b'\n' | b'\r')))
        .map_or(0, |i| i + 1);
    // (A run's leading TABs are no part of its URL.)
    let spread = spread
        + b[spread..colon]
            .iter()
            .take_while(|c| matches!(c, b'\t' | b'\n' | b'\r'))
            .count();
    read(spread)
}

/// The first byte a predicate holds for at or after a place, searched
/// forward only: asked again from a place at or before the last answer,
/// it answers without searching.
#[derive(Default)]
struct Ahead {
    from: usize,
    found: Option<usize>,
}

impl Ahead {
    fn find(&mut self, b: &[u8], from: usize, hit: impl Fn(u8) -> bool) -> usize {
        match self.found {
            Some(at) if self.from <= from && from <= at => at,
            _ => {
                let at = b[from..]
                    .iter()
                    .position(|&c| hit(c))
                    .map_or(b.len(), |i| from + i);
                (self.from, self.found) = (from, Some(at));
                at
            }
        }
    }
}

/// Whether a URL's user name, given alone, reads as an account's name and
/// not as a token: words of lower-case letters (the first may be a capital)
/// joined by `-`, `_` or `.`, each maybe ending in a few digits, at most
/// four digits in all and 39 characters (GitHub's limit), and nothing
/// `standin::reads_as_names` calls random. A token used as the user name
/// mixes cases or digits through it (`aZ3kPq…`), so it stays a secret,
/// however short.
fn is_account_name(user: &str) -> bool {
    let word = |w: &str| {
        let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
        let mut chars = letters.chars();
        !letters.is_empty()
            && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_lowercase())
    };
    !user.is_empty()
        && user.len() <= 39
        && user.bytes().filter(u8::is_ascii_digit).count() <= 4
        && user.split(['-', '_', '.']).all(word)
        && crate::standin::reads_as_names(user)
}

/// Line numbers counted once over a file: each finding's line and column
/// from the last one's (a file with a credential in each of its 100,000
/// URLs is not counted 100,000 times). Offsets go forward; one before the
/// last starts the count again.
#[derive(Default)]
struct Cursor {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl Cursor {
    /// The 1-based line and byte column of `offset` in `src`.
    fn at(&mut self, src: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        if offset < self.offset || self.line == 0 {
            *self = Cursor {
                offset: 0,
                line: 1,
                line_start: 0,
            };
        }
        let between = &src[self.offset..offset];
        self.line += memchr::memchr_iter(b'\n', between).count();
        if let Some(i) = memchr::memrchr(b'\n', between) {
            self.line_start = self.offset + i + 1;
        }
        self.offset = offset;
        (self.line, offset - self.line_start + 1)
    }
}

/// The findings of `urls`, each judged as `registry=<url>` and moved to
/// where the URL is in `src`.
fn judge(
    path: &str,
    src: &[u8],
    urls: &[Url],
    key: Option<&str>,
    note: &str,
    lines: &mut Cursor,
) -> Vec<Detected> {
    const KEY: &str = "registry";
    let mut out = Vec::new();
    for url in urls {
        let plain = !url
            .text
            .contains(['\n', '\r', ';', '#', '"', '\'', '\\', '$'])
            && url.text.trim() == url.text
            && !url.text.starts_with('[');
        let value = if plain {
            url.text.clone()
        } else {
            // npm's reading of `.npmrc` expands `${…}`; the lockfile's
            // reader does not: every `${` is escaped. (A lone `$` is never
            // expanded: escaped, its `\\` would end the userinfo, or make
            // `$NAME` no whole reference; review 7, #6.)
            serde_json::to_string(&url.text.replace("${", "\\${")).unwrap_or_default()
        };
        let line = format!("{KEY}={value}\n");
        let value_start = KEY.len() + 1;
        let exact = plain && url.verbatim;
        // A user name alone that reads as an account's is no secret (see
        // [`in_text`]), also in a URL given whole for its query.
        let account = crate::urlcreds::credentials(&url.text)
            .filter(|i| i.password.is_empty() && is_account_name(&i.username))
            .map(|i| i.username);
        for mut d in detect::detect(path, line.as_bytes()) {
            // A query value that is wholly a reference (`?job_token=
            // $CI_JOB_TOKEN`) is sent as that text: a broken reference, as
            // in `.npmrc` (review 7, #6).
            let broken = d.finding.rule == Rule::BrokenInterpolation;
            if d.finding.rule != Rule::UrlCredentials
                && !broken
                && !(d.finding.rule.is_secret() && d.secret.is_some())
            {
                continue;
            }
            if d.finding.rule == Rule::UrlCredentials
                && account.is_some()
                && d.secret.as_ref().map(|s| s.expose()) == account.as_deref()
            {
                continue;
            }
            let f = &mut d.finding;
            let span = if exact && f.span.start >= value_start {
                let start = url.span.start + (f.span.start - value_start);
                start..start + f.span.len()
            } else {
                url.span.clone()
            };
            // A URL's own bytes hold no line end: its findings are on the
            // line it starts on.
            let (line_no, column) = lines.at(src, url.span.start);
            f.line = line_no;
            f.column = column + (span.start - url.span.start);
            f.span = span;
            f.key = key.map(crate::foreign::shown_name);
            f.host = None;
            d.fix = None;
            // (A URL's query parameter is named before the note.)
            f.detail = Some(match f.detail.take() {
                _ if broken => "this URL is fetched as written, its references unexpanded: \
                                the server gets the reference's text, not a credential"
                    .to_string(),
                Some(query) if f.rule == Rule::UrlCredentials => format!("{query}; {note}"),
                _ => note.to_string(),
            });
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str, json: bool) -> Vec<(usize, String)> {
        urls(src.as_bytes(), 0, src.len(), json)
            .into_iter()
            .map(|u| (u.span.start, u.text))
            .collect()
    }

    #[test]
    fn urls_with_credentials_in_their_words() {
        let s = r#"{"resolved": "http://alice:pw@h/@scope/x.tgz", "b": "https://h/@s/y.tgz"}"#;
        assert_eq!(found(s, true), [(14, "http://alice:pw@h".into())]);
        // yarn berry: a descriptor before the URL, several in one key.
        let s = "\"x@https://Xq7Rk2Lm9Pz4Wn8Tv3Bd@h/x.tgz, y@https://h/y\":\n  resolution: \"x@git+https://t:x-oauth-basic@github.com/o/r.git\"\n";
        let got = found(s, false);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, "https://Xq7Rk2Lm9Pz4Wn8Tv3Bd@h");
        assert_eq!(got[1].1, "https://t:x-oauth-basic@github.com");
        // pnpm: a flow mapping.
        let s = "    resolution: {integrity: sha512-A, tarball: http://a:b@h/x.tgz}\n";
        assert_eq!(found(s, false)[0].1, "http://a:b@h");
        // Escaped in YAML (pnpm-lock.yaml, yarn 2+'s yarn.lock).
        let s = "    resolution: {tarball: \"http://alice:pw\\x40h/x.tgz\"}\n";
        assert_eq!(found(s, false), [(27, "http://alice:pw@h".into())]);
        let s = "  resolved \"http://alice:pw\\u0040h/x.tgz\"\n";
        assert_eq!(found(s, false), [(12, "http://alice:pw@h".into())]);
        // Escaped in JSON: the whole string is the span.
        let s = r#"{"r": "http:\/\/alice:pw\u0040h\/x.tgz"}"#;
        assert_eq!(found(s, true), [(7, "http://alice:pw@h".into())]);
        // A query credential: the URL given whole (to its fragment).
        let s = r#""git+https://git@h/o/r.git?v=1&private_token=abc123XYZ#semver:1""#;
        assert_eq!(
            found(s, true),
            [(
                5,
                "https://git@h/o/r.git?v=1&private_token=abc123XYZ".into()
            )]
        );
        // No credentials: an ssh user, a scope, an email, a path.
        for s in [
            r#""git+ssh://git@github.com/o/r.git""#,
            r#""https://git@github.com/o/r.git""#,
            r#""@babel/core@^7.0.0""#,
            r#""a <a@b.c> (https://b.c)""#,
            r#""https://h/x@1.0.0""#,
            // A user name alone that reads as one: the clone URLs of
            // Bitbucket, Azure DevOps and GitHub's app tokens' user.
            r#""git+https://johndoe@bitbucket.org/team/repo.git""#,
            r#""git+https://contoso@dev.azure.com/contoso/web/_git/ui-kit""#,
            r#""git+https://x-access-token@github.com/o/r.git""#,
            r#""http://gitlab-ci-token@gitlab.example/x.tgz""#,
        ] {
            assert!(found(s, true).is_empty(), "{s}");
        }
        // A user name alone that is a secret: a token, a random run.
        let pat = format!("ghp_{}", "aB3x".repeat(9));
        for user in [
            pat.as_str(),
            "f9c452a8-1a4a-4144-828e-6d170876d1d5",
            "Xq7Rk2Lm9Pz4Wn8Tv3Bd",
            // Short tokens (review 4, #4): 16 and 12 characters of base62
            // with one or two digits, and letters alone in mixed case.
            "kQ7vRmZpLxWd2NsT",
            "aZkPqLmN3oRs",
            "QmZkPxWvLrTsNbYc",
        ] {
            let s = format!("\"git+https://{user}@github.com/o/r.git\"");
            assert_eq!(found(&s, true).len(), 1, "{s}");
        }
    }

    #[test]
    fn the_cursor_counts_as_line_column_does() {
        let src = b"ab\ncd\n\nefg\n";
        let mut c = Cursor::default();
        for offset in [0, 1, 3, 4, 7, 9, 2, 11, 10] {
            assert_eq!(
                c.at(src, offset),
                crate::foreign::line_column(src, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn a_credential_in_every_url_of_a_one_line_lockfile() {
        // Each finding's place from the last one's, not from the start of
        // the file (which made a credential in every URL quadratic).
        let entry = "\"resolved\":\"http://alice:Summer2024xyz@h/x.tgz\",";
        let src = format!("{{{}}}", entry.repeat(5_000));
        let found = detect_lockfile("package-lock.json", src.as_bytes());
        assert_eq!(found.len(), 5_000);
        for f in [&found[1].finding, &found[4_999].finding] {
            let at = crate::foreign::line_column(src.as_bytes(), f.span.start);
            assert_eq!((f.line, f.column), at);
        }
        assert_eq!(found[1].finding.column, 1 + entry.len() + 26);
    }

    #[test]
    fn lockfile_lines_name_their_value() {
        let key = |s: &str| line_key(s.as_bytes(), s.find("http").unwrap());
        assert_eq!(key("{\n    \"resolved\": \"http://a:b@h/\""), "resolved");
        assert_eq!(key("x:\n  resolved \"http://a:b@h/\""), "resolved");
        assert_eq!(
            key("  resolution: {integrity: s, tarball: http://a:b@h/}"),
            "tarball"
        );
        assert_eq!(key("{\"a\":{\"resolved\":\"http://a:b@h/\""), "resolved");
        assert_eq!(key("\"x@http://a:b@h/\":"), "descriptor");
        // bun.lock: an element of a package's array.
        assert_eq!(
            key("    \"@s/p\": [\"@s/p@1.0.0\", \"http://a:b@h/p.tgz\", {}],"),
            "@s/p"
        );
        assert_eq!(
            key("    [\"p@1.0.0\", \"http://a:b@h/p.tgz\"],"),
            "descriptor"
        );
    }

    #[test]
    fn linear_whatever_the_shape() {
        let s = "@".repeat(200_000);
        assert!(found(&s, false).is_empty());
        let s = format!("\"{}", "a@".repeat(200_000));
        assert!(found(&s, true).is_empty());
        let s = format!("\"{}@h", "http:".repeat(200_000));
        assert!(found(&s, true).len() <= 1);
        let s = "http://a:b@h/".repeat(50_000);
        assert_eq!(found(&s, true).len(), 50_000);
        // Schemes sharing one authority, with a query, a fragment or a
        // Gemfury host at its end (each search for the authority's end,
        // an `@` or a `#` went to the end again: quadratic).
        for end in ["?x", "#x", "?x#y", "npm.fury.io/a", "@h?x"] {
            let s = format!("\"{}{end}\"", "http:".repeat(200_000));
            assert!(found(&s, true).len() <= 1, "{end}");
        }
        let s = format!("\"{}\"", "https://npm.fury.io/a:".repeat(100_000));
        assert!(found(&s, true).len() <= 1);
        // Many scalars across lines, each with words in it (every word was
        // looked for in every scalar: quadratic).
        let s = "t: http://u:Summer2024xyz@h/\n  x\n".repeat(200_000);
        let urls =
            with_multiline_scalars(s.as_bytes(), urls(s.as_bytes(), 0, s.len(), false), true);
        assert_eq!(urls.len(), 200_000);
    }

    #[test]
    fn a_gemfury_path_token_in_a_lockfile_or_a_manifest() {
        let t = "Xq7Rk2Lm9Pz4Wn8Tv3Bd";
        for host in ["npm.fury.io", "NPM-Proxy.FURY.io"] {
            let url = format!("https://{host}/{t}/acme/-/x-1.0.0.tgz");
            let lock = format!("{{\n  \"resolved\": \"{url}\"\n}}\n");
            let d = detect_lockfile("package-lock.json", lock.as_bytes());
            assert_eq!(d.len(), 1, "{lock}: {d:?}");
            assert_eq!(d[0].finding.rule, Rule::UrlCredentials);
            assert_eq!(&lock[d[0].finding.span.clone()], t);
            let yarn = format!("x@1:\n  resolved \"{url}#abc\"\n");
            let d = detect_lockfile("yarn.lock", yarn.as_bytes());
            assert_eq!(d.len(), 1, "{yarn}: {d:?}");
            assert_eq!(&yarn[d[0].finding.span.clone()], t);
            let pkg = format!("{{\"dependencies\": {{\"x\": \"{url}\"}}}}");
            let d = detect_package_json("package.json", pkg.as_bytes());
            assert_eq!(d.len(), 1, "{pkg}: {d:?}");
            assert_eq!(&pkg[d[0].finding.span.clone()], t);
        }
        // A TAB (spelt `\t` or `\u0009` in JSON) in the scheme, the
        // slashes, the host or after the token, a full-width host, `%66`
        // (review 8, #4): the parser drops or maps them, npm sends the
        // token.
        for url in [
            format!("ht\\ttp://npm.fury.io/{t}/acme/-/x-1.0.0.tgz"),
            format!("git+ht\\u0009tps://npm.fury.io/{t}/acme/-/x-1.0.0.tgz"),
            format!("http:/\\t/npm.fury.io/{t}/acme/-/x-1.0.0.tgz"),
            format!("http://npm.fu\\u0009ry.io/{t}/acme/-/x-1.0.0.tgz"),
            format!("http://npm.fury.io/{t}\\t/acme/-/x-1.0.0.tgz"),
            format!("http://npm.\u{ff46}\u{ff55}\u{ff52}\u{ff59}.io/{t}/acme/-/x-1.0.0.tgz"),
            format!("http://npm.%66ury.io/{t}/acme/-/x-1.0.0.tgz"),
        ] {
            for (name, src) in [
                ("package-lock.json", format!("{{\"resolved\": \"{url}\"}}")),
                (
                    "package.json",
                    format!("{{\"dependencies\": {{\"x\": \"{url}\"}}}}"),
                ),
            ] {
                let d = if name == "package.json" {
                    detect_package_json(name, src.as_bytes())
                } else {
                    detect_lockfile(name, src.as_bytes())
                };
                assert_eq!(d.len(), 1, "{src}: {d:?}");
                assert_eq!(d[0].finding.rule, Rule::UrlCredentials, "{src}");
            }
        }
        // A raw TAB in a yarn.lock's quoted value and in a YAML plain
        // scalar is part of it.
        for url in [
            format!("ht\ttp://npm.fury.io/{t}/acme/-/x-1.0.0.tgz"),
            format!("http:/\t/npm.fu\try.io/{t}/acme/-/x-1.0.0.tgz"),
        ] {
            for (name, src) in [
                ("yarn.lock", format!("x@1:\n  resolved \"{url}#abc\"\n")),
                (
                    "pnpm-lock.yaml",
                    format!("packages:\n  x@1:\n    resolution: {{tarball: {url}}}\n"),
                ),
            ] {
                let d = detect_lockfile(name, src.as_bytes());
                assert_eq!(d.len(), 1, "{src}: {d:?}");
                assert_eq!(d[0].finding.rule, Rule::UrlCredentials, "{src}");
            }
        }
        // A word before a scheme is no part of it; `h<TAB>ttp` is none.
        let text = |s: &str| in_text(s).into_iter().map(|(_, u)| u).collect::<Vec<_>>();
        assert_eq!(
            text("x\thttp://u:Summer2024xyz@h/"),
            ["http://u:Summer2024xyz@h"]
        );
        assert!(text("ht\tx://u:Summer2024xyz@h/").is_empty());
        // The account alone, another host: no token.
        for url in [
            "https://npm.fury.io/acme/-/x-1.0.0.tgz",
            "https://npm.fury.io/dependabot/~/d/%40dependabot%2Fetag/%40dependabot%2Fetag-1.8.1",
            "https://npm.fury.io.evil.example/abc/def/x.tgz",
            "https://notfury.io/abc/def/x.tgz",
        ] {
            let lock = format!("{{\"resolved\": \"{url}\"}}");
            assert!(
                detect_lockfile("package-lock.json", lock.as_bytes()).is_empty(),
                "{url}"
            );
        }
    }

    #[test]
    fn findings_point_at_the_secret() {
        let src = "{\n  \"resolved\": \"http://alice:Summer2024xyz@h/x.tgz\"\n}\n";
        let d = detect_lockfile("package-lock.json", src.as_bytes());
        assert_eq!(d.len(), 1, "{d:?}");
        let f = &d[0].finding;
        assert_eq!(f.rule, Rule::UrlCredentials);
        assert_eq!((f.line, f.column), (2, 29));
        assert_eq!(f.key.as_deref(), Some("resolved"));
        assert!(d[0].fix.is_none());
        // Only the query's credential, not the account name before it.
        let pkg = "{\"dependencies\": {\"p\": \"https://git@h/p.tgz?token=Xq7Rk2Lm9Pz4Wn8Tv3Bd\"}}";
        let d = detect_package_json("package.json", pkg.as_bytes());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(&pkg[d[0].finding.span.clone()], "Xq7Rk2Lm9Pz4Wn8Tv3Bd");
        let pkg = "{\"dependencies\": {\"p\": \"http://tok123456789abc@h/p.tgz\"},\n \"repository\": \"https://u:pw123456789@h/r\"}";
        let d = detect_package_json("package.json", pkg.as_bytes());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].finding.key.as_deref(), Some("dependencies.p"));
        assert_eq!((d[0].finding.line, d[0].finding.column), (1, 32));
    }

    #[test]
    fn ipv6_hosts_and_quoted_scalars_across_lines() {
        // An IPv6 host stays in its URL (review 5, #6), written or after an
        // escaped `@`; a flow sequence around a URL still ends it.
        let s = "  resolved \"http://alice:pw@[::1]:8080/x.tgz\"\n";
        assert_eq!(found(s, false), [(12, "http://alice:pw@[::1]:8080".into())]);
        let s = "{tarball: \"http://a:pw\\x40[2001:db8::1]/x.tgz\"}";
        assert_eq!(found(s, false)[0].1, "http://a:pw@[2001:db8::1]");
        let s = "    \"p\": [\"p@1\", \"http://a:pw@[::1]/p.tgz\", {}],\n";
        assert_eq!(found(s, false)[0].1, "http://a:pw@[::1]");
        let s = "x: [http://a:pw@h/x.tgz]\n";
        assert_eq!(found(s, false)[0].1, "http://a:pw@h");
        let s = "x: [http://a:pw@[::1]]\n";
        assert_eq!(found(s, false)[0].1, "http://a:pw@[::1]");
        // A quoted scalar across lines (review 5, #5): an escaped line
        // break joins, a plain one folds to a space; any indentation.
        let lock = |v: &str| format!("packages:\n  x@1:\n    resolution: {{tarball: {v}}}\n");
        let text = |src: &str| {
            let urls = with_multiline_scalars(
                src.as_bytes(),
                urls(src.as_bytes(), 0, src.len(), false),
                true,
            );
            urls.into_iter().map(|u| u.text).collect::<Vec<_>>()
        };
        for indent in ["", "  ", "      "] {
            let src = lock(&format!("\"http://alice:Kq7vRm\\\n{indent}ZpLx@h/x.tgz\""));
            assert_eq!(text(&src), ["http://alice:Kq7vRmZpLx@h"], "{src}");
            let src = lock(&format!("\"http://alice:\\\n{indent}Kq7vRmZpLx@h/x.tgz\""));
            assert_eq!(text(&src), ["http://alice:Kq7vRmZpLx@h"], "{src}");
        }
        let src = lock("\"http://alice:Kq7\n      vRm@h/x.tgz\"");
        assert_eq!(text(&src), ["http://alice:Kq7 vRm@h"]);
        let src = lock("'http://alice:Kq7\n\n  vRm@h/x.tgz'");
        assert_eq!(text(&src), ["http://alice:Kq7\nvRm@h"]);
        // One reading of a scalar, not two; none of a plain one's quote.
        let src = lock("\"http://alice:pw@h/x\\\n  .tgz\"");
        assert_eq!(text(&src), ["http://alice:pw@h"]);
        assert!(multiline_scalars(b"a: it\"s\nb: \"x\"\n").is_empty());
        // A plain scalar continued on a more-indented line, in a block
        // mapping and in pnpm's flow mapping (review 8, #7).
        let src = "packages:\n  x@1:\n    resolution:\n      tarball: http://alice:Kq7\n        vRm@h/x.tgz\n";
        assert_eq!(text(src), ["http://alice:Kq7 vRm@h"]);
        assert_eq!(
            text(&lock("http://alice:Kq7\n      vRm@h/x.tgz")),
            ["http://alice:Kq7 vRm@h"]
        );
        // yarn 1's format is no YAML: its lines below a key continue
        // nothing; yarn 2+'s, with `__metadata` and no such header, is.
        assert!(is_yarn1_lockfile(
            b"# THIS IS AN AUTOGENERATED FILE.\n# yarn lockfile v1\n\n\nx@1:\n"
        ));
        assert!(is_yarn1_lockfile(b"#   Yarn  LOCKFILE v1\r\n"));
        assert!(!is_yarn1_lockfile(
            b"__metadata:\n  version: 8\n# yarn lockfile v1\n"
        ));
        assert!(!is_yarn1_lockfile(b"# yarn lockfile v12\n"));
        let v1 = "# yarn lockfile v1\n\n\nx@1:\n  version \"1\"\n  resolved \"http://u:Summer2024xyz@h/x.tgz\"\n";
        let d = detect_lockfile("yarn.lock", v1.as_bytes());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].finding.line, d[0].finding.column), (6, 22));
        let d = detect_lockfile("yarn.lock", &v1.as_bytes()["# yarn lockfile v1\n".len()..]);
        assert_eq!((d[0].finding.line, d[0].finding.column), (5, 22));
        let berry = "__metadata:\n  version: 8\n\n\"x@npm:1\":\n  resolution: \"x@npm:1\"\n  checksum: http://u:Summer\n    2024xyz@h/x.tgz\n";
        let d = detect_lockfile("yarn.lock", berry.as_bytes());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].finding.line, d[0].finding.column), (6, 13));
        // Block scalars (review 7, #13): literal keeps breaks, folded joins
        // with a space, chomping, explicit indentation, the span from the
        // indicator to the last content line.
        let blocks = |s: &str| -> Vec<(String, String)> {
            block_scalars(s.as_bytes())
                .into_iter()
                .map(|(r, v)| (s[r].to_string(), v))
                .collect()
        };
        assert_eq!(
            blocks("a:\n  t: |-\n    x\n    y\n  b: 1\n"),
            [("|-\n    x\n    y".to_string(), "x\ny".to_string())]
        );
        assert_eq!(blocks("t: >-\n  x\n  y\n")[0].1, "x y");
        assert_eq!(blocks("t: >\n  x\n\n  y\n")[0].1, "x\ny\n");
        assert_eq!(blocks("t: |+ # c\n  x\n  y\n\n")[0].1, "x\ny\n\n");
        assert_eq!(blocks("t: |2-\n    x\n   y\n")[0].1, "  x\n y");
        assert_eq!(blocks("- >-\n  x\n   y\n")[0].1, "x\n y");
        // One line is read as a word already; `a|b` and `x: "|"` open none.
        assert!(blocks("t: |-\n  x\nu: 1\n").is_empty());
        assert!(blocks("t: a|b\n  x\n  y\n").is_empty());
        assert!(blocks("t: '|'\n  x\n  y\n").is_empty());
        assert_eq!(fold_lines("a \\\n  b\n\n c\\\\\n d", true), "a b\nc\\\\ d");
    }
}

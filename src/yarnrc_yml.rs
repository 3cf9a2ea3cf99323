//! yarn 2+'s `.yarnrc.yml` (pure).
//!
//! yarn reads it with js-yaml's failsafe schema (every scalar a string;
//! aliases resolved; a later duplicate key wins) and evaluates each string
//! setting with [`crate::yarn_env`]. Credentials are sent from
//! `npmAuthToken` (`Bearer`) and `npmAuthIdent` (`Basic`) at the top level,
//! under `npmRegistries.<url>` and under `npmScopes.<scope>`; registry URLs
//! (`npmRegistryServer`, `npmPublishRegistry`, `npmAuditRegistry`, at the
//! top level and per scope, and the keys of `npmRegistries`) may carry
//! `user:password@`. Setting names are case-sensitive: yarn ignores
//! `NpmAuthToken` (checked with yarn 4.18.1), though the token is committed
//! all the same (a certain token is reported anywhere in the file).
//!
//! Every duplicate is judged, not only the one yarn keeps.

use std::collections::HashMap;
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::detect::Detected;
use crate::fix::Edit;
use crate::foreign::{self, Cred, Item};

/// The file name yarn 2+ reads.
pub const NAME: &str = ".yarnrc.yml";

/// How notes name the file.
pub const TOOL: &str = "yarn's .yarnrc.yml";

/// A YAML node with where its scalars are. An alias shares the anchored
/// node (as js-yaml does), so a "billion laughs" file costs no memory.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Scalar {
        value: String,
        span: std::ops::Range<usize>,
        verbatim: Option<usize>,
    },
    Map(Vec<(Rc<Node>, Rc<Node>)>),
    Seq(Vec<Rc<Node>>),
}

/// Findings in one `.yarnrc.yml`.
///
/// The bytes are decoded as Node decodes them (each invalid UTF-8 sequence
/// is U+FFFD, which is what yarn reads). A file saphyr cannot read is read
/// again with the tabs js-yaml takes as separators made spaces; a file that
/// still does not parse is read line by line ([`fallback`]), every finding
/// saying so: a guard never passes a file it could not read.
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    let decoded = Decoded::new(src);
    let text = decoded.text.as_str();
    let legacy = is_legacy(text);
    let (mut items, parsed) = match read(text).filter(|_| !legacy) {
        Some(root) => (items(&root), true),
        None if legacy => (legacy_items(text), false),
        None => (fallback(text), false),
    };
    for item in &mut items {
        decoded.to_file(item);
    }
    let mut found = foreign::judge(
        path,
        src,
        &items,
        TOOL,
        "yarn expands `${NAME}`, `${NAME:-fallback}` and `${NAME-fallback}`",
    );
    if !parsed {
        let note = if legacy {
            "the file starts with `# yarn lockfile v1`, so yarn reads it in its legacy syntax, \
             and so was it read here, line by line"
        } else {
            "the file is not YAML this tool can read, so it was read line by line"
        };
        for d in &mut found {
            d.finding.detail = Some(match d.finding.detail.take() {
                Some(detail) => format!("{note}; {detail}"),
                None => note.to_string(),
            });
        }
    }
    found
}

/// The file's text as Node decodes it, and where each of its bytes was in
/// the file when that differs (invalid UTF-8 made U+FFFD).
struct Decoded {
    text: String,
    /// `origin[i]`: the file offset of the text's byte `i` (one more entry
    /// for the end).
    origin: Option<Vec<usize>>,
}

impl Decoded {
    fn new(src: &[u8]) -> Self {
        if let Ok(text) = std::str::from_utf8(src) {
            return Decoded {
                text: text.to_string(),
                origin: None,
            };
        }
        let mut text = String::with_capacity(src.len() + 16);
        let mut origin = Vec::with_capacity(src.len() + 16);
        let mut at = 0;
        for chunk in src.utf8_chunks() {
            text.push_str(chunk.valid());
            origin.extend(at..at + chunk.valid().len());
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                text.push(char::REPLACEMENT_CHARACTER);
                origin.extend([at; 3]);
                at += chunk.invalid().len();
            }
        }
        origin.push(at);
        Decoded {
            text,
            origin: Some(origin),
        }
    }

    /// `item`'s places in the text made places in the file. A value that
    /// holds a replaced byte is no longer as it is in the file.
    fn to_file(&self, item: &mut Item) {
        let Some(origin) = &self.origin else { return };
        let at = |i: usize| {
            origin
                .get(i)
                .copied()
                .unwrap_or_else(|| *origin.last().unwrap_or(&0))
        };
        if let Some(v) = item.verbatim {
            let end = v + item.value.len();
            let exact = self.text.get(v..end) == Some(item.value.as_str())
                && at(end) - at(v) == item.value.len();
            item.verbatim = exact.then(|| at(v));
        }
        item.span = at(item.span.start)..at(item.span.end);
    }
}

/// The first document of `text` as js-yaml reads it, or `None`.
///
/// js-yaml 4 (which yarn 4 bundles: `load` with the failsafe schema) takes
/// a tab as white space wherever it takes a space but in indentation (`tab
/// characters must not be used in indentation`); saphyr refuses some of
/// those tabs (`npmAuthToken:\tvalue`). A file saphyr refuses is read again
/// with every tab after a line's first non-blank character made a space
/// (one byte for one, so places stay), the values held verbatim then taken
/// back from the file as it is.
pub(crate) fn read(text: &str) -> Option<Rc<Node>> {
    if let Some(root) = parse(text) {
        return Some(root);
    }
    if !text.contains('\t') {
        return None;
    }
    parse_as(&separators_as_spaces(text), text).map(|(root, _)| root)
}

/// `text` with each tab after a line's first non-blank character a space.
fn separators_as_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut indent = true;
    for c in text.chars() {
        match c {
            '\n' | '\r' => {
                indent = true;
                out.push(c);
            }
            ' ' | '\t' if indent => out.push(c),
            '\t' => out.push(' '),
            _ => {
                indent = false;
                out.push(c);
            }
        }
    }
    out
}

/// The first document of `text`, or `None` when it is not YAML yarn reads.
fn parse(text: &str) -> Option<Rc<Node>> {
    parse_as(text, text).map(|(root, _)| root)
}

/// [`parse`] `text`, whose bytes are those of `original` but for some tabs
/// made spaces (a value held verbatim is read from `original`), with the
/// spans of the plain scalars inside a flow collection (`{a: b}`, `[a]`),
/// where `{`, `}`, `,`, `[` and `]` end the scalar.
fn parse_as(text: &str, original: &str) -> Option<(Rc<Node>, Vec<std::ops::Range<usize>>)> {
    let offsets = ByteOffsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        text,
        original,
        offsets,
        anchors: HashMap::new(),
        stack: Vec::new(),
        flows: 0,
        root: None,
        flow_plain: Vec::new(),
    };
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.ok()?;
        match ev {
            Event::DocumentEnd => break,
            Event::StreamEnd => break,
            _ => b.event(ev, span)?,
        }
        if b.root.is_some() {
            break;
        }
    }
    Some((b.root?, b.flow_plain))
}

/// The settings yarn sends credentials from, wherever they are.
fn credential(name: &str) -> Option<Cred> {
    match name {
        "npmAuthToken" => Some(Cred::Token),
        "npmAuthIdent" => Some(Cred::Ident),
        "npmRegistryServer" | "npmPublishRegistry" | "npmAuditRegistry" | "httpProxy"
        | "httpsProxy" => Some(Cred::Url),
        _ => None,
    }
}

/// The credential settings of a file that does not parse, line by line:
/// each `key: value` pair of a line (after any `-`, `?`, `{` or `,`; the key
/// quoted or not) whose key is a setting yarn sends credentials from, the
/// value up to the line's end, a ` #` comment, or a `,` or `}` when it is
/// not quoted. A multi-line value is not followed.
fn fallback(text: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        fallback_line(line.trim_end_matches(['\n', '\r']), start, &mut out);
        start += line.len();
    }
    out
}

/// The offset in `line` of the first byte at or after `at` that is not in
/// `skip`.
fn skip(line: &str, at: usize, skip: &[char]) -> usize {
    line.len() - line[at..].trim_start_matches(skip).len()
}

/// Whether yarn reads `text` in its legacy syntax (yarn 1's lockfile):
/// `parseSyml` does so when the text matches
/// `/^(#.*(\r?\n))*?#\s+yarn\s+lockfile\s+v1\r?\n/i`: comment lines, the
/// first of them with that header.
fn is_legacy(text: &str) -> bool {
    static LEGACY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        // Case by hand: this build's `regex` has no Unicode case tables.
        // JavaScript's `.` stops at `\r`, `\u{2028}` and `\u{2029}` too, and
        // its `\s` is its own list (U+FEFF in, U+0085 out), spelled out:
        // Rust's would read a lone `\r` or a `#\u{FEFF}yarn` otherwise
        // than yarn does (review, 2026-12-05).
        let pattern = concat!(
            r"\A(?:#[^\n\r\u{2028}\u{2029}]*\r?\n)*?#",
            r"[\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}]+",
            r"[Yy][Aa][Rr][Nn]",
            r"[\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}]+",
            r"[Ll][Oo][Cc][Kk][Ff][Ii][Ll][Ee]",
            r"[\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}]+",
            r"[Vv]1\r?\n"
        );
        regex::Regex::new(pattern).expect("valid regex")
    });
    LEGACY.is_match(text)
}

/// The credential settings of a file in yarn's legacy syntax, line by
/// line: a key (quoted or not), an optional `:`, then the value (quoted,
/// or the rest of the line) on the same line, at any indentation (a
/// scope's settings are nested under it).
fn legacy_items(text: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        let key_at = skip(l, 0, &[' ', '\t']);
        let after = &l[key_at..];
        // A quoted key is a JSON string (`"npm\u0041uthToken"` is
        // `npmAuthToken`), as yarn 1's lockfile parser reads it.
        let (name, key_end) = match after.chars().next() {
            Some('#') | None => (None, 0),
            Some('"') => match crate::yarnrc::string(after) {
                Some((name, len, _)) => (Some(name), key_at + len),
                None => (None, 0),
            },
            _ => {
                let e = after.find([':', ' ', '\t']).unwrap_or(after.len());
                (Some(after[..e].to_string()), key_at + e)
            }
        };
        if let Some(name) = name.as_deref() {
            let colon = skip(l, key_end, &[' ', '\t']);
            let value_at = skip(
                l,
                colon + usize::from(l[colon..].starts_with(':')),
                &[' ', '\t'],
            );
            let v = &l[value_at..];
            let (value, end, verbatim) = match v.strip_prefix('"') {
                Some(q) => match crate::yarnrc::string(v) {
                    Some((value, len, as_is)) => {
                        (value, value_at + len, as_is.then_some(value_at + 1))
                    }
                    None => (q.to_string(), l.len(), Some(value_at + 1)),
                },
                None => (
                    v.trim_end().to_string(),
                    value_at + v.trim_end().len(),
                    Some(value_at),
                ),
            };
            if let (Some(cred), false) = (credential(name), value.is_empty()) {
                let node = Node::Scalar {
                    value,
                    span: start + value_at..start + end,
                    verbatim: verbatim.map(|v| start + v),
                };
                out.extend(item(&node, name.to_string(), cred, true));
            }
        }
        start += line.len();
    }
    out
}

fn fallback_line(line: &str, base: usize, out: &mut Vec<Item>) {
    let mut rest = 0;
    while rest < line.len() {
        let key_at = skip(line, rest, &[' ', '\t', '-', '?', '{', ',', '[']);
        let after = &line[key_at..];
        let (name, key_end) = match after.chars().next() {
            Some('"' | '\'') => match quoted_key(after) {
                Some((name, len)) => (name, key_at + len),
                None => return,
            },
            _ => {
                let e = after.find([':', ' ', '\t', ']']).unwrap_or(after.len());
                (after[..e].to_string(), key_at + e)
            }
        };
        let name = name.as_str();
        let colon = skip(line, key_end, &[' ', '\t', ']']);
        if name.is_empty() || !line[colon..].starts_with(':') {
            return;
        }
        let value_at = skip(line, colon + 1, &[' ', '\t']);
        let v = &line[value_at..];
        if v.starts_with(['{', '[']) {
            // A flow collection: its pairs are read next.
            rest = value_at;
            continue;
        }
        let flow = line[..key_at].contains('{');
        let (value, end, verbatim) = match v.chars().next() {
            Some(q @ ('"' | '\'')) => match v[1..].find(q) {
                Some(e) => (&v[1..1 + e], value_at + e + 2, value_at + 1),
                None => (&v[1..], line.len(), value_at + 1),
            },
            _ => {
                let mut e = v.len();
                for stop in [" #", "\t#"] {
                    e = e.min(v.find(stop).unwrap_or(e));
                }
                if flow {
                    e = e.min(v.find([',', '}']).unwrap_or(e));
                }
                let value = v[..e].trim_end();
                (value, value_at + value.len(), value_at)
            }
        };
        if let (Some(cred), false) = (credential(name), value.is_empty()) {
            let node = Node::Scalar {
                value: value.to_string(),
                span: base + value_at..base + end,
                verbatim: Some(base + verbatim),
            };
            out.extend(item(&node, name.to_string(), cred, true));
        }
        // A flow mapping may hold more pairs on the line.
        match line[end..].find(',') {
            Some(c) => rest = end + c + 1,
            None => return,
        }
    }
}

/// A quoted YAML key at the start of `s`, decoded as js-yaml decodes it
/// (`"npm\u0041uthToken"` is `npmAuthToken`, `'a''b'` is `a'b`), and its
/// length; `None` when it is not closed on the line.
fn quoted_key(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if q == '\'' => {
                if s[i + 1..].starts_with('\'') {
                    out.push('\'');
                    chars.next();
                } else {
                    return Some((out, i + 1));
                }
            }
            '"' if q == '"' => return Some((out, i + 1)),
            '\\' if q == '"' => {
                let (_, e) = chars.next()?;
                let hex = |n: usize, chars: &mut std::str::CharIndices<'_>| {
                    let digits: String = chars.by_ref().take(n).map(|(_, c)| c).collect();
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                };
                out.push(match e {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' | '\t' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => hex(2, &mut chars)?,
                    'u' => hex(4, &mut chars)?,
                    'U' => hex(8, &mut chars)?,
                    other => other,
                });
            }
            c => out.push(c),
        }
    }
    None
}

/// Character indices (what the parser's markers count) to byte offsets.
struct ByteOffsets(Option<Vec<usize>>);

impl ByteOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return ByteOffsets(None);
        }
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        ByteOffsets(Some(v))
    }
    fn byte(&self, index: usize) -> usize {
        match &self.0 {
            None => index,
            Some(v) => v
                .get(index)
                .copied()
                .unwrap_or_else(|| *v.last().unwrap_or(&0)),
        }
    }
}

/// An open collection: its entries so far, its anchor, whether it is a
/// flow collection, and the height of its tallest entry so far.
struct Open {
    entries: Entries,
    anchor: usize,
    flow: bool,
    height: usize,
}

enum Entries {
    Map(Vec<(Rc<Node>, Rc<Node>)>, Option<Rc<Node>>),
    Seq(Vec<Rc<Node>>),
}

/// The deepest document read (nodes on a path from the root, through
/// aliases too). Past it a file is refused, and read line by line as any
/// file this reader refuses: a guard's reading, never a pass. js-yaml
/// 4.1.1, which yarn and pnpm read with, takes a file up to about 1,800
/// to 2,500 deep ("Maximum call stack size exceeded" past that on node
/// 20's stack); no config nests a tenth as deep. It bounds the recursion
/// over a tree (its drop, [`to_value`], [`last_end`]: 4,096 overflowed a
/// test thread's 2 MiB stack) and saphyr's work per token, which grows
/// with the depth.
pub(crate) const MAX_DEPTH: usize = 1_000;

struct Builder<'a> {
    text: &'a str,
    original: &'a str,
    offsets: ByteOffsets,
    /// Each anchored node and its height.
    anchors: HashMap<usize, (Rc<Node>, usize)>,
    stack: Vec<Open>,
    /// How many of `stack` are flow collections.
    flows: usize,
    root: Option<Rc<Node>>,
    flow_plain: Vec<std::ops::Range<usize>>,
}

impl Builder<'_> {
    fn event(&mut self, ev: Event<'_>, span: Span) -> Option<()> {
        match ev {
            Event::MappingStart(anchor, _) => {
                let flow = self.flow_start(&span, '{');
                self.open(Entries::Map(Vec::new(), None), anchor, flow)?;
            }
            Event::SequenceStart(anchor, _) => {
                let flow = self.flow_start(&span, '[');
                self.open(Entries::Seq(Vec::new()), anchor, flow)?;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let open = self.stack.pop()?;
                self.flows -= usize::from(open.flow);
                let node = match (open.entries, ev) {
                    (Entries::Map(pairs, _), Event::MappingEnd) => Node::Map(pairs),
                    (Entries::Seq(items), Event::SequenceEnd) => Node::Seq(items),
                    _ => return None,
                };
                self.done(Rc::new(node), open.anchor, open.height + 1)?;
            }
            Event::Scalar(value, style, anchor, _) => {
                let start = self.offsets.byte(span.start.index());
                let mut end = self.offsets.byte(span.end.index()).max(start);
                let raw = self.text.get(start..end).unwrap_or("");
                if style == ScalarStyle::Plain {
                    // A plain scalar's span may run on over the line break
                    // and indentation after it.
                    end = start + raw.trim_end_matches([' ', '\t', '\r', '\n']).len();
                } else if let Some(len) = quoted_len(raw, style) {
                    // A quoted one's runs on over the white space and the
                    // comment after its closing quote (saphyr 0.3.4).
                    end = start + len;
                }
                let verbatim = self.verbatim(&value, style, start, end);
                // Without the anchor or tag the span may begin with.
                let quote = usize::from(style != ScalarStyle::Plain);
                let start = verbatim.map_or(start, |at| at - quote);
                // Read from the file as it is (a tab made a space is back).
                let value = match verbatim {
                    Some(at) if self.text.len() == self.original.len() => self
                        .original
                        .get(at..at + value.len())
                        .map_or_else(|| value.into_owned(), str::to_string),
                    _ => value.into_owned(),
                };
                if style == ScalarStyle::Plain && self.flows > 0 {
                    self.flow_plain.push(start..end);
                }
                let node = Rc::new(Node::Scalar {
                    value,
                    span: start..end,
                    verbatim,
                });
                self.done(node, anchor, 1)?;
            }
            Event::Alias(id) => {
                let (node, height) = self.anchors.get(&id)?;
                self.done(Rc::clone(node), 0, *height)?;
            }
            _ => {}
        }
        Some(())
    }

    /// Whether the collection starting at `span` is a flow one (`{`, `[`).
    /// A block collection whose first key is itself a flow collection may
    /// count as one too: its plain scalars are then quoted by a fix, which
    /// is never wrong.
    fn flow_start(&self, span: &Span, open: char) -> bool {
        let at = self.offsets.byte(span.start.index());
        self.text.get(at..).is_some_and(|t| t.starts_with(open))
    }

    /// Where `value`'s bytes start when the file holds them as they are
    /// (the span may begin with an anchor or a tag).
    fn verbatim(&self, value: &str, style: ScalarStyle, start: usize, end: usize) -> Option<usize> {
        let raw = self.text.get(start..end)?;
        let body = match style {
            ScalarStyle::Plain => raw,
            ScalarStyle::SingleQuoted => raw.strip_suffix('\'')?,
            ScalarStyle::DoubleQuoted => raw.strip_suffix('"')?,
            _ => return None,
        };
        let at = body.len().checked_sub(value.len())?;
        let quoted = style != ScalarStyle::Plain;
        let opened = !quoted || body[..at].ends_with(['\'', '"']);
        (body.get(at..) == Some(value) && opened).then_some(start + at)
    }

    /// A collection starts; `None` past [`MAX_DEPTH`].
    fn open(&mut self, entries: Entries, anchor: usize, flow: bool) -> Option<()> {
        if self.stack.len() >= MAX_DEPTH {
            return None;
        }
        self.flows += usize::from(flow);
        self.stack.push(Open {
            entries,
            anchor,
            flow,
            height: 0,
        });
        Some(())
    }

    /// A node `height` tall is complete: it goes into its parent, or is
    /// the document; `None` past [`MAX_DEPTH`].
    fn done(&mut self, node: Rc<Node>, anchor: usize, height: usize) -> Option<()> {
        if height > MAX_DEPTH {
            return None;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, (Rc::clone(&node), height));
        }
        let Some(open) = self.stack.last_mut() else {
            self.root = Some(node);
            return Some(());
        };
        open.height = open.height.max(height);
        match &mut open.entries {
            Entries::Seq(items) => items.push(node),
            Entries::Map(pairs, key) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
        Some(())
    }
}

/// The length of `raw` (a quoted scalar's span, which may begin with an
/// anchor or a tag and run on past the scalar) up to and with the closing
/// quote, or `None` when it is not read so: `''` in single quotes and any
/// `\`-escaped character in double quotes do not close.
fn quoted_len(raw: &str, style: ScalarStyle) -> Option<usize> {
    let quote = match style {
        ScalarStyle::SingleQuoted => b'\'',
        ScalarStyle::DoubleQuoted => b'"',
        _ => return None,
    };
    let bytes = raw.as_bytes();
    // Properties (`&anchor`, `!tag`), each up to white space.
    let mut at = 0;
    loop {
        while bytes.get(at).is_some_and(|b| b" \t\r\n".contains(b)) {
            at += 1;
        }
        match bytes.get(at)? {
            b'&' | b'!' => {
                while bytes.get(at).is_some_and(|b| !b" \t\r\n".contains(b)) {
                    at += 1;
                }
            }
            b if *b == quote => break,
            _ => return None,
        }
    }
    at += 1;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\\' if quote == b'"' => at += 2,
            b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            b if b == quote => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// `edits` (a fix of `src`), each one that rewrites part of a plain
/// scalar inside a flow collection made into a rewrite of the whole
/// scalar, single-quoted: there, the `{` and `}` of `${NAME}` would end the
/// scalar. Elsewhere a plain `${NAME}` is the same plain scalar.
pub fn quote_edits(src: &[u8], edits: Vec<Edit>) -> Vec<Edit> {
    let Some((_, flow_plain)) = std::str::from_utf8(src).ok().and_then(|t| parse_as(t, t)) else {
        return edits;
    };
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    let mut inside: Vec<(std::ops::Range<usize>, Vec<Edit>)> = Vec::new();
    for e in edits {
        match flow_plain
            .iter()
            .find(|s| s.start <= e.span.start && e.span.end <= s.end)
        {
            Some(s) => match inside.iter_mut().find(|(r, _)| r == s) {
                Some((_, v)) => v.push(e),
                None => inside.push((s.clone(), vec![e])),
            },
            None => out.push(e),
        }
    }
    for (scalar, mut parts) in inside {
        parts.sort_by_key(|e| e.span.start);
        let shifted: Vec<Edit> = parts
            .iter()
            .map(|e| Edit {
                span: e.span.start - scalar.start..e.span.end - scalar.start,
                text: e.text.clone(),
            })
            .collect();
        let value = crate::fix::apply(&src[scalar.clone()], &shifted);
        let value = String::from_utf8_lossy(&value).replace('\'', "''");
        out.push(Edit {
            span: scalar,
            text: format!("'{value}'"),
        });
    }
    out.sort_by_key(|e| e.span.start);
    out
}

/// A document as js-yaml hands it to yarn: every scalar a string (an empty
/// value too), a later duplicate key replacing the earlier value whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Map(std::collections::BTreeMap<String, Value>),
    Seq(Vec<Value>),
}

/// The first document of `text` as yarn reads it: an empty map for a text
/// with no document (only comments, or nothing), `None` when it does not
/// parse, is in yarn's legacy syntax, or holds more than 100,000 nodes once
/// its aliases are expanded.
pub fn value(text: &str) -> Option<Value> {
    if is_legacy(text) {
        return None;
    }
    let Some(root) = read(text) else {
        let blank = text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        return blank.then(|| Value::Map(Default::default()));
    };
    let mut budget = 100_000usize;
    to_value(&root, &mut budget)
}

fn to_value(node: &Node, budget: &mut usize) -> Option<Value> {
    *budget = budget.checked_sub(1)?;
    Some(match node {
        Node::Scalar { value, .. } => Value::Str(value.clone()),
        Node::Seq(items) => {
            // A loop, not an iterator chain: one frame a level.
            let mut seq = Vec::with_capacity(items.len());
            for i in items {
                seq.push(to_value(i, budget)?);
            }
            Value::Seq(seq)
        }
        Node::Map(_) => {
            let mut map = std::collections::BTreeMap::new();
            for (name, _, v) in entries(node) {
                map.insert(name, to_value(v, budget)?);
            }
            Value::Map(map)
        }
    })
}

/// One entry of a mapping, where it is written: its path of keys (as
/// js-yaml makes them strings), the span of its key, the span of its value
/// when that is a scalar, and whether it is inside a flow collection.
#[derive(Clone, Debug)]
pub struct Place {
    pub path: Vec<String>,
    pub key: std::ops::Range<usize>,
    pub scalar: Option<std::ops::Range<usize>>,
    /// The byte after the last scalar of the entry (its key or value).
    pub end: usize,
}

/// Every mapping entry of `text`'s first document reachable without
/// aliases, in document order, or `None` when it does not parse.
pub fn places(text: &str) -> Option<Vec<Place>> {
    let root = read(text)?;
    let mut out = Vec::new();
    walk(&root, &mut Vec::new(), &mut out, 0);
    Some(out)
}

fn walk(node: &Node, path: &mut Vec<String>, out: &mut Vec<Place>, depth: usize) {
    let Node::Map(pairs) = node else { return };
    if depth > 64 {
        return;
    }
    for (k, v) in pairs {
        let (Some((name, _)), Node::Scalar { span: key, .. }) = (key(k), &**k) else {
            continue;
        };
        path.push(name);
        let scalar = match &**v {
            Node::Scalar { span, .. } => Some(span.clone()),
            _ => None,
        };
        out.push(Place {
            path: path.clone(),
            key: key.clone(),
            scalar,
            end: last_end(v).unwrap_or(key.end).max(key.end),
        });
        walk(v, path, out, depth + 1);
        path.pop();
    }
}

/// The end of the last scalar of `node` (its spans, not through aliases'
/// copies elsewhere: the largest end).
fn last_end(node: &Node) -> Option<usize> {
    match node {
        Node::Scalar { span, .. } => Some(span.end),
        Node::Seq(items) => items.iter().filter_map(|i| last_end(i)).max(),
        Node::Map(pairs) => pairs
            .iter()
            .flat_map(|(k, v)| [last_end(k), last_end(v)])
            .flatten()
            .max(),
    }
}

/// The settings a fix must leave in place: the keys of the credential
/// values of `src`, or `None` when it is not YAML yarn reads.
pub fn keys(src: &[u8]) -> Option<Vec<String>> {
    let root = read(std::str::from_utf8(src).ok()?)?;
    Some(items(&root).into_iter().map(|i| i.key).collect())
}

/// The entries of a mapping, each key as js-yaml makes it a string
/// (`storeMappingPair`: `String(key)`, so a sequence is its items joined
/// by `,` and a mapping `[object Object]`; a sequence inside a sequence key
/// makes js-yaml refuse the file), with the scalar it is read from.
pub(crate) fn entries(node: &Node) -> impl Iterator<Item = (String, Node, &Node)> {
    let pairs: &[(Rc<Node>, Rc<Node>)] = match node {
        Node::Map(p) => p,
        _ => &[],
    };
    pairs
        .iter()
        .filter_map(|(k, v)| key(k).map(|(name, at)| (name, at, &**v)))
}

/// A mapping key as the string js-yaml makes of it, and the scalar it is
/// read from (spanning every item of a sequence key).
fn key(node: &Node) -> Option<(String, Node)> {
    const OBJECT: &str = "[object Object]";
    match node {
        Node::Scalar { .. } => Some((scalar_text(node)?.to_string(), node.clone())),
        Node::Map(_) => Some((OBJECT.to_string(), Node::Seq(Vec::new()))),
        Node::Seq(items) => {
            let mut parts = Vec::with_capacity(items.len());
            let mut spans = Vec::new();
            for i in items {
                match &**i {
                    Node::Scalar { value, span, .. } => {
                        parts.push(value.as_str());
                        spans.push(span.clone());
                    }
                    Node::Map(_) => parts.push(OBJECT),
                    Node::Seq(_) => return None,
                }
            }
            let value = parts.join(",");
            let span = match (spans.first(), spans.last()) {
                (Some(a), Some(b)) => a.start..b.end,
                _ => return Some((value, Node::Seq(Vec::new()))),
            };
            let verbatim = match &**items.first()? {
                Node::Scalar {
                    verbatim, value: v, ..
                } if items.len() == 1 && *v == value => *verbatim,
                _ => None,
            };
            let at = Node::Scalar {
                value: value.clone(),
                span,
                verbatim,
            };
            Some((value, at))
        }
    }
}

fn scalar_text(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar { value, .. } => Some(value),
        _ => None,
    }
}

/// The credential settings of one level (top level, a registry, a scope).
fn settings(node: &Node, prefix: &str, urls: bool, out: &mut Vec<Item>) {
    for (name, _, value) in entries(node) {
        let cred = match credential(&name) {
            Some(Cred::Url) if !urls || name.ends_with("Proxy") => continue,
            Some(cred) => cred,
            None => continue,
        };
        if let Some(item) = item(value, format!("{prefix}{name}"), cred, true) {
            out.push(item);
        }
    }
}

/// The proxy settings of one level (top level, a `networkSettings` glob):
/// `http://user:password@proxy` is sent as `Proxy-Authorization`.
fn proxies(node: &Node, prefix: &str, out: &mut Vec<Item>) {
    for (name, _, value) in entries(node) {
        if name == "httpProxy" || name == "httpsProxy" {
            out.extend(item(value, format!("{prefix}{name}"), Cred::Url, true));
        }
    }
}

pub(crate) fn item(node: &Node, key: String, cred: Cred, evaluated: bool) -> Option<Item> {
    let Node::Scalar {
        value,
        span,
        verbatim,
    } = node
    else {
        return None;
    };
    let (residues, refs) = if evaluated {
        (
            crate::yarn_env::residue(value).map(|r| vec![r.set, r.unset]),
            crate::yarn_env::names(value),
        )
    } else {
        (Ok(vec![value.clone()]), Vec::new())
    };
    Some(Item {
        key,
        cred,
        span: span.clone(),
        verbatim: *verbatim,
        residues,
        value: value.clone(),
        refs,
    })
}

/// Every credential value of the document.
fn items(root: &Node) -> Vec<Item> {
    let mut out = Vec::new();
    settings(root, "", true, &mut out);
    proxies(root, "", &mut out);
    for (name, _, value) in entries(root) {
        match name.as_str() {
            "npmRegistries" => {
                for (url, key, registry) in entries(value) {
                    // The key is matched against registry URLs, not sent,
                    // and not evaluated; what it holds is committed.
                    let url = foreign::shown_name(&url);
                    if let Some(i) = item(&key, format!("npmRegistries[{url:?}]"), Cred::Url, false)
                    {
                        out.push(i);
                    }
                    settings(
                        registry,
                        &format!("npmRegistries[{url:?}]."),
                        false,
                        &mut out,
                    );
                }
            }
            "npmScopes" => {
                for (scope, _, config) in entries(value) {
                    let scope = foreign::shown_name(&scope);
                    settings(config, &format!("npmScopes.{scope}."), true, &mut out);
                }
            }
            "networkSettings" => {
                for (glob, _, config) in entries(value) {
                    let glob = foreign::shown_name(&glob);
                    proxies(config, &format!("networkSettings[{glob:?}]."), &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(src: &str) -> Vec<String> {
        items(&parse(src).expect("yaml"))
            .into_iter()
            .map(|i| i.key)
            .collect()
    }

    #[test]
    fn the_settings_yarn_sends() {
        let src = "npmAuthToken: a\nnpmScopes:\n  corp:\n    npmAuthIdent: 'u:p'\n    other: x\n\
                   npmRegistries:\n  \"https://r.example/\":\n    npmAuthToken: b\n";
        assert_eq!(
            keys(src),
            [
                "npmAuthToken",
                "npmScopes.corp.npmAuthIdent",
                "npmRegistries[\"https://r.example/\"]",
                "npmRegistries[\"https://r.example/\"].npmAuthToken",
            ]
        );
    }

    #[test]
    fn spans_point_at_the_value() {
        let src = "x: 1\nnpmAuthToken: \"abc\"\n";
        let it = &items(&parse(src).expect("yaml"))[0];
        assert_eq!(&src[it.span.clone()], "\"abc\"");
        assert_eq!(it.verbatim, Some(src.find("abc").expect("there")));
        let src = "a: &t abc\nnpmAuthToken: *t\n";
        let it = &items(&parse(src).expect("yaml"))[0];
        assert_eq!(it.value, "abc");
        assert_eq!(&src[it.span.clone()], "abc");
    }

    #[test]
    fn a_quoted_value_ends_at_its_closing_quote() {
        for (src, value) in [
            ("npmAuthToken: \"abc\"  # prod \"x\"\n", "\"abc\""),
            ("npmAuthToken: 'a''b'\t# 'x'\n", "'a''b'"),
            ("npmAuthToken: \"a\\\"b\" #\n", "\"a\\\"b\""),
            ("npmAuthToken: &t !!str 'abc'  # x\n", "'abc'"),
            (
                "npmScopes: {c: {npmAuthToken: \"abc\"  # x\n  }}\n",
                "\"abc\"",
            ),
        ] {
            let it = &items(&parse(src).expect("yaml"))[0];
            assert_eq!(&src[it.span.clone()], value, "{src:?}");
        }
        let src = "npmAuthToken: \"abc\"  # prod\n";
        let it = &items(&parse(src).expect("yaml"))[0];
        assert_eq!(it.verbatim, src.find("abc"));
    }

    #[test]
    fn not_yaml_no_items() {
        assert!(parse("a: [\n").is_none());
    }

    fn read_keys(src: &str) -> Vec<String> {
        items(&read(src).expect("yaml"))
            .into_iter()
            .map(|i| i.key)
            .collect()
    }

    #[test]
    fn a_tab_after_the_colon_is_a_separator() {
        let src = "npmAuthToken:\thunter2secret\nnpmScopes:\n  c: {npmAuthIdent:\t'a\tb'}\n";
        assert!(
            parse(src).is_none(),
            "saphyr reads it now: drop the second reading?"
        );
        let found = items(&read(src).expect("yaml"));
        assert_eq!(found[0].value, "hunter2secret");
        assert_eq!(found[0].verbatim, src.find("hunter2"));
        // A tab inside a value stays a tab.
        assert_eq!(found[1].value, "a\tb");
        assert_eq!(found[1].key, "npmScopes.c.npmAuthIdent");
        // In indentation js-yaml refuses a tab: so does this reading.
        assert!(read("npmScopes:\n\tc:\n\t\tnpmAuthToken: x\n").is_none());
    }

    #[test]
    fn not_utf8_is_read_as_node_reads_it() {
        let src = b"# caf\xe9\nnpmAuthToken: \"\xff\xfehunter2secret\"\nnpmAuthIdent: u:pw\n";
        let found = detect(NAME, src);
        assert_eq!(found.len(), 2, "{found:?}");
        // Past replaced bytes, places are still places in the file.
        let ident = src.windows(4).position(|w| w == b"u:pw").expect("there");
        assert_eq!(found[1].finding.span.start, ident);
        assert_eq!(found[1].finding.line, 3);
    }

    #[test]
    fn keys_are_strings_as_js_yaml_makes_them() {
        assert_eq!(read_keys("? [npmAuthToken]\n: a\n"), ["npmAuthToken"]);
        assert_eq!(
            read_keys("npmScopes: {[c]: {? [npmAuthIdent] : b}}\n"),
            ["npmScopes.c.npmAuthIdent"]
        );
        // `String(["npmAuth", "Token"])` is `npmAuth,Token`: no setting.
        assert!(read_keys("? [npmAuth, Token]\n: a\n").is_empty());
        let registries = read_keys("npmRegistries:\n  [\"https://u:p@r/\"]: {}\n");
        assert_eq!(registries, ["npmRegistries[\"https://…@r/\"]"]);
    }

    #[test]
    fn proxies_carry_credentials() {
        let src = "httpProxy: http://u:p@proxy\nhttpsProxy: x\nnetworkSettings:\n  \"*.e\":\n    httpsProxy: y\n    httpProxy: z\nnpmScopes:\n  c:\n    httpProxy: not-read\n";
        assert_eq!(
            keys(src),
            [
                "httpProxy",
                "httpsProxy",
                "networkSettings[\"*.e\"].httpsProxy",
                "networkSettings[\"*.e\"].httpProxy",
            ]
        );
    }

    #[test]
    fn what_does_not_parse_is_read_line_by_line() {
        let src = "npmScopes:\n  c:\n    npmAuthToken: \"abc\" # x\n  d: {npmAuthIdent: 'u:p', npmAuthToken: t}\n- httpsProxy: http://u:p@h\nnpmAuthToken: ${NPM_TOKEN}\nbad: [\n";
        assert!(read(src).is_none());
        let found = fallback(src);
        let keys: Vec<&str> = found.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "npmAuthToken",
                "npmAuthIdent",
                "npmAuthToken",
                "httpsProxy",
                "npmAuthToken"
            ]
        );
        assert_eq!(found[0].value, "abc");
        assert_eq!(found[0].verbatim, src.find("abc"));
        assert_eq!(found[2].value, "t");
        let d = detect(NAME, src.as_bytes());
        assert!(d.iter().all(|d| d
            .finding
            .detail
            .as_deref()
            .is_some_and(|x| x.contains("read line by line"))));
        assert!(!d.is_empty());
    }

    #[test]
    fn aliases_are_shared_not_copied() {
        // Ten levels of ten aliases: 10^10 nodes if copied.
        let mut src = String::from("a0: &a0 {k: x}\n");
        for i in 1..10 {
            let refs: Vec<String> = (0..10).map(|j| format!("k{j}: *a{}", i - 1)).collect();
            src.push_str(&format!("a{i}: &a{i} {{{}}}\n", refs.join(", ")));
        }
        src.push_str("npmAuthToken: hunter2secret\n");
        assert_eq!(keys(&src), ["npmAuthToken"]);
    }

    /// Nesting past what js-yaml reads is refused at once (and the file
    /// read line by line), never a stack overflow or a wait: a 200,000
    /// deep `- - - x` aborted the process, `? ? ? x` took seconds.
    #[test]
    fn deep_nesting_is_refused_at_once() {
        let within = format!("{}x\n", "- ".repeat(MAX_DEPTH - 1));
        assert!(parse(&within).is_some());
        assert!(value(&within).is_some());
        let start = std::time::Instant::now();
        for deep in [
            format!("{}x\n", "- ".repeat(200_000)),
            format!("{}x\n", "? ".repeat(200_000)),
            format!("a: {}\n", "[".repeat(200_000)),
            format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a: {}x{}\n", "{a: ".repeat(100_000), "}".repeat(100_000)),
        ] {
            assert!(parse(&deep).is_none());
        }
        // Aliases make a tree taller than the open collections are deep.
        let mut chain = String::from("a0: &a0 [x]\n");
        for i in 1..=MAX_DEPTH {
            chain.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        assert!(parse(&chain).is_none());
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
        // Read line by line, the credential is still found.
        let src = format!("a: {}\nnpmAuthToken: hunter2secret\n", "[".repeat(200_000));
        let found = detect(NAME, src.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].finding.line, 2);
    }
}

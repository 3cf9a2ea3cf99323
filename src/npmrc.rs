//! Parse `.npmrc` exactly as npm does (pure).
//!
//! npm reads its config files with the `ini` package (`decode`/`unsafe`) and
//! then interpolates `${VAR}` in `@npmcli/config`. This module mirrors both,
//! byte for byte, on raw input that may be any bytes at all:
//!
//! * lines end at `\n`, `\r\n` or a lone `\r`; empty lines are skipped;
//! * a line whose first non-space character is `;` or `#` is a comment;
//! * `[name]` followed only by white space is a section header;
//! * otherwise the key is everything before the first `=`, and a line with
//!   no `=` is the key with the value `true`; a line starting with `=` is
//!   ignored, as is a value holding U+2028 or U+2029 (JavaScript's `.` does
//!   not match them);
//! * keys and values are trimmed of JavaScript white space (which includes
//!   the byte-order mark U+FEFF); a value in `"…"` is JSON-decoded, one in
//!   `'…'` has its quotes stripped and is then JSON-decoded if it can be;
//!   an unquoted value ends at the first `;` or `#` not escaped with `\`;
//! * the strings `true`, `false` and `null` become those JSON values;
//! * bytes that are not UTF-8 read as U+FFFD, as Node.js decodes them.
//!
//! Every entry keeps the byte span of its value in the input, so reports
//! point at the right column and the fixer replaces exactly those bytes.

use std::borrow::Cow;
use std::ops::Range;

/// One physical line of the input.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    /// 1-based line number, counting `\n`, `\r\n` and lone `\r` as one break.
    pub number: usize,
    /// Byte range of the line, without its line break.
    pub span: Range<usize>,
    pub kind: LineKind,
    src: Src<'a>,
}

/// The input. Only the slices that are decoded are checked for UTF-8, not
/// the whole input up front: most lines of a large file are never decoded.
#[derive(Clone, Copy, Debug)]
struct Src<'a> {
    bytes: &'a [u8],
}

impl<'a> Src<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Src { bytes }
    }

    /// `range` as text (borrowed when it is valid UTF-8). Ranges always
    /// start and end at character boundaries: they are cut at ASCII bytes
    /// or after whole characters.
    fn str(&self, range: Range<usize>) -> Cow<'a, str> {
        lossy(&self.bytes[range])
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only white space.
    Blank,
    /// A whole-line `;` or `#` comment. The range is the text after the
    /// comment character, untrimmed.
    Comment(Range<usize>),
    /// `[name]`: the range of `name`, undecoded.
    Section(Range<usize>),
    /// `key` or `key=value`: raw ranges, undecoded and untrimmed.
    Entry {
        key: Range<usize>,
        value: Option<Range<usize>>,
    },
    /// A line npm ignores (it starts with `=`, or its value holds a
    /// JavaScript line terminator).
    Ignored,
}

/// A decoded value, as `ini` hands it to npm.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Null,
    /// What `JSON.parse` made of a single-quoted value that is not a string
    /// (a number, an array, an object).
    Json(serde_json::Value),
}

impl<'a> Value<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON, the way `JSON.stringify` would show it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Null => serde_json::Value::Null,
            Value::Json(v) => v.clone(),
        }
    }

    /// The value as JavaScript's `String(value)` shows it (what a value
    /// becomes when it is used as a property name).
    fn into_js_string(self) -> Cow<'a, str> {
        match self {
            Value::Str(s) => s,
            Value::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
            Value::Null => Cow::Borrowed("null"),
            Value::Json(v) => Cow::Owned(js_string(&v)),
        }
    }
}

/// JavaScript's `String(value)` of a JSON value (arrays joined by `,`,
/// `null` items empty), as npm turns a decoded value into its string.
pub fn js_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        serde_json::Value::Object(_) => "[object Object]".to_string(),
        other => other.to_string(),
    }
}

/// How a value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    None,
    Double,
    Single,
}

/// A decoded `key=value` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    /// The key as npm reads it: trimmed, unquoted, without a trailing `[]`.
    pub key: Cow<'a, str>,
    /// The line used `key[]=`: the value is appended to an array.
    pub array: bool,
    pub value: Value<'a>,
    /// Bytes of the input that hold the value: inside the quotes of a quoted
    /// value; the trimmed text before any inline comment otherwise. Empty
    /// (at the end of the line) for a line without `=`.
    pub value_span: Range<usize>,
    pub quote: Quote,
    /// The line had an `=` (a line without one sets the key to `true`).
    pub assigned: bool,
}

impl<'a> Line<'a> {
    /// The decoded entry, or `None` for lines that are not entries and for
    /// the key `__proto__`, which `ini` drops.
    pub fn entry(&self) -> Option<Entry<'a>> {
        let (key, array) = self.key()?;
        let (value, value_span, quote) = self.value();
        Some(Entry {
            key,
            array,
            value,
            value_span,
            quote,
            assigned: matches!(self.kind, LineKind::Entry { value: Some(_), .. }),
        })
    }

    /// The key of an entry line as npm reads it, and whether it was written
    /// `key[]`. `None` for other lines and for `__proto__`.
    pub fn key(&self) -> Option<(Cow<'a, str>, bool)> {
        let LineKind::Entry { key, .. } = &self.kind else {
            return None;
        };
        let raw_key = unsafe_decode(&self.src, key.clone()).value.into_js_string();
        let array = raw_key.len() > 2 && raw_key.ends_with("[]");
        let key = if array {
            match raw_key {
                Cow::Borrowed(k) => Cow::Borrowed(&k[..k.len() - 2]),
                Cow::Owned(mut k) => {
                    k.truncate(k.len() - 2);
                    Cow::Owned(k)
                }
            }
        } else {
            raw_key
        };
        (key != "__proto__").then_some((key, array))
    }

    /// The raw bytes of an entry's value, before decoding (empty for other
    /// lines): cheap to test before paying for [`Line::value`].
    pub fn raw_value(&self) -> &'a [u8] {
        match &self.kind {
            LineKind::Entry { value: Some(r), .. } => &self.src.bytes[r.clone()],
            _ => &[],
        }
    }

    /// The decoded value of an entry line, its span and its quoting. A line
    /// without `=` (and any other line) reads as `true`.
    pub fn value(&self) -> (Value<'a>, Range<usize>, Quote) {
        let LineKind::Entry {
            value: Some(range), ..
        } = &self.kind
        else {
            return (Value::Bool(true), self.span.end..self.span.end, Quote::None);
        };
        let decoded = unsafe_decode(&self.src, range.clone());
        let value = match decoded.value {
            Value::Str(s) if s == "true" => Value::Bool(true),
            Value::Str(s) if s == "false" => Value::Bool(false),
            Value::Str(s) if s == "null" => Value::Null,
            other => other,
        };
        (value, decoded.span, decoded.quote)
    }

    /// The decoded section name; `None` for lines that are not sections.
    pub fn section(&self) -> Option<String> {
        match &self.kind {
            LineKind::Section(r) => Some(
                unsafe_decode(&self.src, r.clone())
                    .value
                    .into_js_string()
                    .into_owned(),
            ),
            _ => None,
        }
    }

    /// The raw bytes of the line.
    pub fn bytes(&self) -> &'a [u8] {
        &self.src.bytes[self.span.clone()]
    }
}

/// The physical lines of `src`, classified as `ini` would.
pub fn lines(src: &[u8]) -> Lines<'_> {
    Lines {
        src: Src::new(src),
        pos: 0,
        number: 0,
    }
}

/// The physical lines of `src` from `start` on, which must be where a line
/// starts (0, or just after a line break), numbered from `number`: what
/// [`lines`] gives from that line on, without walking the lines before it.
pub fn lines_from(src: &[u8], start: usize, number: usize) -> Lines<'_> {
    debug_assert!(start == 0 || matches!(src[start - 1], b'\n' | b'\r'));
    debug_assert!(src.get(start) != Some(&b'\n') || start == 0 || src[start - 1] != b'\r');
    Lines {
        src: Src::new(src),
        pos: start,
        number: number.saturating_sub(1),
    }
}

#[derive(Debug, Clone)]
pub struct Lines<'a> {
    src: Src<'a>,
    pos: usize,
    number: usize,
}

impl Lines<'_> {
    /// Where the next line starts; past the end of the input when there is
    /// none.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let src = self.src.bytes;
        if self.pos > src.len() || (self.pos == src.len() && self.number > 0) {
            return None;
        }
        let start = self.pos;
        let end = memchr::memchr2(b'\n', b'\r', &src[start..]).map_or(src.len(), |i| start + i);
        self.pos = match src.get(end) {
            None => src.len() + 1,
            Some(b'\r') if src.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
        };
        self.number += 1;
        Some(Line {
            number: self.number,
            span: start..end,
            kind: classify(src, start..end),
            src: self.src,
        })
    }
}

fn classify(src: &[u8], span: Range<usize>) -> LineKind {
    let line = &src[span.clone()];
    let content = trim_start(src, span.clone());
    if content.is_empty() {
        return LineKind::Blank;
    }
    if matches!(src[content.start], b';' | b'#') {
        return LineKind::Comment(content.start + 1..span.end);
    }
    if line[0] == b'[' {
        if let Some(close) = memchr::memchr(b']', line) {
            let after = span.start + close + 1..span.end;
            if trim_start(src, after).is_empty() {
                return LineKind::Section(span.start + 1..span.start + close);
            }
        }
    }
    match memchr::memchr(b'=', line) {
        Some(0) => LineKind::Ignored,
        Some(eq) => {
            let value = span.start + eq + 1..span.end;
            if has_js_line_terminator(&src[value.clone()]) {
                return LineKind::Ignored;
            }
            LineKind::Entry {
                key: span.start..span.start + eq,
                value: Some(value),
            }
        }
        None => LineKind::Entry {
            key: span,
            value: None,
        },
    }
}

/// U+2028 or U+2029, which JavaScript's `.` does not match.
fn has_js_line_terminator(bytes: &[u8]) -> bool {
    memchr::memchr_iter(0xE2, bytes)
        .any(|i| bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)))
}

/// A value decoded by `ini`'s `unsafe`, with the bytes it came from.
#[derive(Debug)]
struct Decoded<'a> {
    value: Value<'a>,
    span: Range<usize>,
    quote: Quote,
}

/// Bytes as Node.js decodes them: invalid UTF-8 becomes U+FFFD. Borrows
/// when the bytes are valid.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn unsafe_decode<'a>(input: &Src<'a>, raw: Range<usize>) -> Decoded<'a> {
    let src = input.bytes;
    let t = trim(src, raw);
    let bytes = &src[t.clone()];
    let first = bytes.first().copied();
    let last = bytes.last().copied();
    if first == Some(b'"') && last == Some(b'"') {
        // `"` alone starts and ends with a quote; JSON.parse rejects it.
        let text = input.str(t.clone());
        if let Ok(s) = serde_json::from_str::<String>(&text) {
            return Decoded {
                value: Value::Str(Cow::Owned(s)),
                span: t.start + 1..t.end - 1,
                quote: Quote::Double,
            };
        }
        return Decoded {
            value: Value::Str(text),
            span: t,
            quote: Quote::None,
        };
    }
    if first == Some(b'\'') && last == Some(b'\'') {
        let inner = if bytes.len() >= 2 {
            t.start + 1..t.end - 1
        } else {
            t.end..t.end
        };
        let text = input.str(inner.clone());
        let value = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::String(s)) => Value::Str(Cow::Owned(s)),
            Ok(serde_json::Value::Bool(b)) => Value::Bool(b),
            Ok(serde_json::Value::Null) => Value::Null,
            Ok(v) => Value::Json(v),
            Err(_) => Value::Str(text),
        };
        return Decoded {
            value,
            span: inner,
            quote: Quote::Single,
        };
    }
    // Unquoted: cut at the first `;` or `#` not escaped by `\`; `\;`, `\#`
    // and `\\` lose their backslash, any other `\x` keeps it.
    let mut end = bytes.len();
    let mut has_escape = false;
    let mut i = 0;
    while let Some(j) = find3(b';', b'#', b'\\', &bytes[i..]) {
        let at = i + j;
        if bytes[at] == b'\\' {
            has_escape = true;
            i = at + 2;
            if i >= bytes.len() {
                break;
            }
        } else {
            end = at;
            break;
        }
    }
    let span = trim_end(src, t.start..t.start + end);
    let value = if has_escape {
        Cow::Owned(String::from_utf8_lossy(&unescape(&src[span.clone()])).into_owned())
    } else {
        input.str(span.clone())
    };
    Decoded {
        value: Value::Str(value),
        span,
        quote: Quote::None,
    }
}

/// `memchr3`, with a plain loop for the short keys and values that make up
/// most of a file (the vector search costs more than it saves on them).
fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    if hay.len() < 64 {
        hay.iter().position(|&x| x == a || x == b || x == c)
    } else {
        memchr::memchr3(a, b, c, hay)
    }
}

/// `ini`'s escape handling of an unquoted value.
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut escaped = false;
    for &b in raw {
        if escaped {
            if !matches!(b, b'\\' | b';' | b'#') {
                out.push(b'\\');
            }
            out.push(b);
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else {
            out.push(b);
        }
    }
    if escaped {
        out.push(b'\\');
    }
    out
}

/// Length of the JavaScript white-space character (`\s`, and what `trim`
/// removes) at the start of `b`, if there is one.
fn space_prefix(b: &[u8]) -> Option<usize> {
    match b {
        [b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ', ..] => Some(1),
        [0xC2, 0xA0, ..] => Some(2),
        [0xE1, 0x9A, 0x80, ..]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
        | [0xE2, 0x81, 0x9F, ..]
        | [0xE3, 0x80, 0x80, ..]
        | [0xEF, 0xBB, 0xBF, ..] => Some(3),
        _ => None,
    }
}

/// Length of the JavaScript white-space character at the end of `b`.
fn space_suffix(b: &[u8]) -> Option<usize> {
    match b {
        [.., b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '] => Some(1),
        [.., 0xC2, 0xA0] => Some(2),
        [.., 0xE1, 0x9A, 0x80]
        | [.., 0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF]
        | [.., 0xE2, 0x81, 0x9F]
        | [.., 0xE3, 0x80, 0x80]
        | [.., 0xEF, 0xBB, 0xBF] => Some(3),
        _ => None,
    }
}

fn trim_start(src: &[u8], mut r: Range<usize>) -> Range<usize> {
    while let Some(n) = space_prefix(&src[r.clone()]) {
        r.start += n;
    }
    r
}

fn trim_end(src: &[u8], mut r: Range<usize>) -> Range<usize> {
    while let Some(n) = space_suffix(&src[r.clone()]) {
        r.end -= n;
    }
    r
}

fn trim(src: &[u8], r: Range<usize>) -> Range<usize> {
    let r = trim_start(src, r);
    trim_end(src, r)
}

/// A `${NAME}` or `${NAME?}` reference npm expands, found in a decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolation {
    /// Byte range of `${…}` in the decoded value.
    pub span: Range<usize>,
    pub name: String,
    pub optional: bool,
    /// An odd number of backslashes before `$`: npm keeps it literally.
    pub escaped: bool,
}

/// The `${…}` references in a decoded value, as `@npmcli/config`'s
/// `env-replace` sees them (`/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g`).
pub fn interpolations(value: &str) -> Vec<Interpolation> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'$', &bytes[from..]).map(|i| from + i) {
        if bytes.get(i + 1) != Some(&b'{') {
            from = i + 1;
            continue;
        }
        let name_start = i + 2;
        let name_len = bytes[name_start..]
            .iter()
            .position(|b| matches!(b, b'$' | b'{' | b'}' | b'?'))
            .unwrap_or(bytes.len() - name_start);
        let mut end = name_start + name_len;
        let optional = bytes.get(end) == Some(&b'?');
        if optional {
            end += 1;
        }
        if name_len == 0 || bytes.get(end) != Some(&b'}') {
            from = i + 1;
            continue;
        }
        let backslashes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
        out.push(Interpolation {
            span: i..end + 1,
            name: value[name_start..name_start + name_len].to_string(),
            optional,
            escaped: backslashes % 2 == 1,
        });
        from = end + 1;
    }
    out
}

/// One decoded item of a file, in order: what `ini.decode` walks.
#[derive(Clone, Debug, PartialEq)]
pub enum Item<'a> {
    /// A section header; `None` for `[__proto__]`, which `ini` detaches.
    Section(Option<String>),
    Entry(Entry<'a>),
}

/// Every section header and entry of `src`, in order.
pub fn items(src: &[u8]) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    for line in lines(src) {
        match &line.kind {
            LineKind::Section(_) => {
                let name = line.section().filter(|n| n != "__proto__");
                out.push(Item::Section(name));
            }
            LineKind::Entry { .. } => {
                if let Some(entry) = line.entry() {
                    out.push(Item::Entry(entry));
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

    fn one(src: &str) -> Entry<'_> {
        let mut found = items(src.as_bytes()).into_iter().filter_map(|i| match i {
            Item::Entry(e) => Some(e),
            Item::Section(_) => None,
        });
        found.next().expect("one entry")
    }

    fn s(v: &str) -> Value<'static> {
        Value::Str(Cow::Owned(v.to_string()))
    }

    #[test]
    fn basic_entry_and_span() {
        let src = "//r.example/:_authToken = abc123 ";
        let e = one(src);
        assert_eq!(e.key, "//r.example/:_authToken");
        assert_eq!(e.value, s("abc123"));
        assert_eq!(&src[e.value_span], "abc123");
    }

    #[test]
    fn inline_comments_need_no_space() {
        assert_eq!(one("a=abc#def").value, s("abc"));
        assert_eq!(one("a=abc;def").value, s("abc"));
        assert_eq!(one(r"a=abc\;def").value, s("abc;def"));
        assert_eq!(one(r"a=abc\#def").value, s("abc#def"));
        assert_eq!(one(r"a=a\b").value, s(r"a\b"));
        assert_eq!(one(r"a=ab\").value, s(r"ab\"));
        assert_eq!(one(r"a=a\\;b").value, s(r"a\"));
    }

    #[test]
    fn quotes() {
        let e = one(r#"a = "x;y\u0041" "#);
        assert_eq!(e.value, s("x;yA"));
        assert_eq!(e.quote, Quote::Double);
        assert_eq!(one("a='x;y'").value, s("x;y"));
        assert_eq!(one(r#"a='"q"'"#).value, s("q"));
        assert_eq!(one("a='12'").value, Value::Json(serde_json::json!(12)));
        assert_eq!(one("a=\"").value, s("\""));
        assert_eq!(one("a='").value, s(""));
        assert_eq!(one(r#"a="bad\q""#).value, s(r#""bad\q""#));
        assert_eq!(one("a=\"true\"").value, Value::Bool(true));
        assert_eq!(one("a=null").value, Value::Null);
    }

    #[test]
    fn a_quote_at_one_end_only_is_no_quoting() {
        // npm's `ini`: `{"a":"\"abc","b":"'abc","d":"abc\""}`.
        assert_eq!(one("a=\"abc;def").value, s("\"abc"));
        assert_eq!(one("b='abc;def").value, s("'abc"));
        assert_eq!(one("d=abc\";x").value, s("abc\""));
    }

    #[test]
    fn only_u2028_and_u2029_end_a_value_for_javascript() {
        // U+2019 (E2 80 99) and U+2228 (E2 88 A8) share bytes with them.
        assert_eq!(one("c=it\u{2019}s").value, s("it\u{2019}s"));
        assert_eq!(one("e=x\u{2228}y").value, s("x\u{2228}y"));
    }

    #[test]
    fn javascript_white_space_is_trimmed_at_either_end() {
        // npm's `ini` (`String.prototype.trim`): every one reads as `v`.
        let e = one("\u{a0}k\u{a0}=\u{a0}v\u{a0}");
        assert_eq!((e.key.as_ref(), e.value), ("k", s("v")));
        for ws in [
            '\u{1680}', '\u{205f}', '\u{200a}', '\u{202f}', '\u{3000}', '\u{feff}',
        ] {
            let src = format!("a=v{ws}");
            assert_eq!(one(&src).value, s("v"), "{ws:?}");
        }
    }

    #[test]
    fn keys_without_values_and_arrays() {
        let e = one("flag");
        assert_eq!(e.value, Value::Bool(true));
        assert!(!e.assigned);
        let e = one("list[] = x");
        assert!(e.array);
        assert_eq!(e.key, "list");
        assert!(!one("[]=x").array);
    }

    #[test]
    fn a_quoted_or_escaped_key_is_an_array_too() {
        // What npm's `ini` makes of them: `{"list":["x"],"a;b":["z"]}`.
        let e = one("\"list[]\" = x");
        assert!(e.array);
        assert_eq!(e.key, "list");
        let e = one(r"a\;b[]=z");
        assert!(e.array);
        assert_eq!(e.key, "a;b");
    }

    #[test]
    fn sections_are_named_and_proto_is_detached() {
        let got = items(b"[ s ]\nk=false\n[__proto__]\n[\"q\"]\n");
        assert_eq!(
            got,
            vec![
                Item::Section(Some("s".into())),
                Item::Entry(Entry {
                    key: "k".into(),
                    array: false,
                    value: Value::Bool(false),
                    value_span: 8..13,
                    quote: Quote::None,
                    assigned: true,
                }),
                Item::Section(None),
                Item::Section(Some("q".into())),
            ]
        );
        assert_eq!(lines(b"k=v").next().and_then(|l| l.section()), None);
    }

    #[test]
    fn position_is_where_the_next_line_starts() {
        let mut it = lines(b"a\r\nb\rc");
        assert_eq!(it.position(), 0);
        it.next();
        assert_eq!(it.position(), 3);
        it.next();
        assert_eq!(it.position(), 5);
        it.next();
        // Past the end: there is no next line.
        assert_eq!(it.position(), 7);
        assert!(it.next().is_none());
    }

    #[test]
    fn a_final_line_break_ends_a_line_and_starts_none() {
        let count = |src: &[u8]| lines(src).count();
        // An empty input is one (blank) line, as an editor shows it.
        assert_eq!(count(b""), 1);
        assert_eq!(count(b"a"), 1);
        assert_eq!(count(b"a\n"), 1);
        assert_eq!(count(b"a\r\n\r"), 2);
        assert_eq!(count(b"a\n\n"), 2);
        // From the end of the input: a line only when it is the first.
        assert_eq!(lines_from(b"a\n", 2, 2).count(), 0);
    }

    #[test]
    fn line_ends_and_numbers() {
        let src = b"a=1\r\nb=2\rc=3\n\nd=4";
        let got: Vec<(usize, String)> = lines(src)
            .filter_map(|l| l.entry().map(|e| (l.number, e.key.into_owned())))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "a".into()),
                (2, "b".into()),
                (3, "c".into()),
                (5, "d".into())
            ]
        );
    }

    #[test]
    fn bom_is_white_space() {
        let e = one("\u{feff}key=v");
        assert_eq!(e.key, "key");
        assert!(matches!(
            lines("\u{feff};c".as_bytes()).next().map(|l| l.kind),
            Some(LineKind::Comment(_))
        ));
        // `[s]` after a BOM is not a section for ini: it is a key.
        assert_eq!(one("\u{feff}[s]").key, "[s]");
    }

    #[test]
    fn sections_and_ignored_lines() {
        let src = b"[sec] \n=x\na=b\xE2\x80\xA8c\n[x]y";
        let all: Vec<LineKind> = lines(src).map(|l| l.kind).collect();
        assert!(matches!(all[0], LineKind::Section(_)));
        assert_eq!(all[1], LineKind::Ignored);
        assert_eq!(all[2], LineKind::Ignored);
        assert!(matches!(all[3], LineKind::Entry { value: None, .. }));
    }

    #[test]
    fn invalid_utf8_reads_as_replacement() {
        let e = one_bytes(b"a=x\xFFy");
        assert_eq!(e.value, s("x\u{FFFD}y"));
        assert_eq!(e.value_span, 2..5);
    }

    fn one_bytes(src: &[u8]) -> Entry<'_> {
        lines(src).find_map(|l| l.entry()).expect("entry")
    }

    #[test]
    fn interpolation_forms() {
        let got = interpolations(r"${A} ${B?} \${C} \\${D} ${} ${E");
        let names: Vec<(&str, bool, bool)> = got
            .iter()
            .map(|i| (i.name.as_str(), i.optional, i.escaped))
            .collect();
        assert_eq!(
            names,
            vec![
                ("A", false, false),
                ("B", true, false),
                ("C", false, true),
                ("D", false, false)
            ]
        );
    }
}

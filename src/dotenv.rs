//! Env files as the two tools that load them by themselves read them
//! (pure): SPEC.md, "Files read". Each tool has its own reader, and they
//! differ at the edges (checked against yarn 4.18.1 and bun 1.4.5):
//!
//! - yarn parses with the `dotenv` package (16.3.1): CRLF and a lone CR
//!   are line breaks, and JavaScript's `\s` (which takes a BOM, U+00A0 and
//!   the other Unicode spaces) may stand around `=`; then it expands each
//!   value with `${NAME}`, `${NAME:-fallback}` and `${NAME-fallback}`
//!   (`\$` escapes), against the environment and the values before it;
//! - bun has a reader of its own (`env_loader.zig`): a BOM is dropped, a
//!   CR is a line break, only ASCII spaces (and the byte 0xA0) are
//!   whitespace, so `NAME<U+00A0>=` is no assignment; then it expands
//!   `$NAME`, `${NAME}` and `${NAME:-fallback}` in each value of the file.
//!
//! Both let a later line of a file override an earlier one. Work is linear
//! in the file: no regex backtracking (the `regex` crate), no recursion.

use std::ops::Range;
use std::sync::OnceLock;

/// Which reader a file is read with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reader {
    /// The `dotenv` package, as yarn 2+ uses it.
    Dotenv,
    /// bun's own.
    Bun,
}

/// One `NAME=value` of an env file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub name: String,
    /// The value as the tool reads it, before expansion.
    pub value: String,
    /// The value's bytes in the file (inside its quotes).
    pub span: Range<usize>,
    pub line: usize,
    /// 1-based, in bytes, of the value's start on its line.
    pub column: usize,
}

/// The assignments of `src`, read as `reader` reads them, in file order.
pub fn assignments(reader: Reader, src: &[u8]) -> Vec<Assign> {
    match reader {
        Reader::Dotenv => dotenv(src),
        Reader::Bun => bun(src),
    }
}

/// Where each line of a file starts, a CR, a CRLF and a LF each ending
/// one: found once, so each assignment's place is a binary search (it
/// was a walk from the file's start: 100,000 assignments, quadratic).
struct Lines(Vec<usize>);

impl Lines {
    fn new(src: &[u8]) -> Self {
        let mut starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', src) {
            if src[i] == b'\n' || src.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        Lines(starts)
    }

    /// The line and column of byte `at`.
    fn place(&self, at: usize) -> (usize, usize) {
        let line = self.0.partition_point(|&s| s <= at);
        (line, at - self.0[line - 1] + 1)
    }
}

fn assign(lines: &Lines, key: usize, name: &str, value: String, span: Range<usize>) -> Assign {
    let line = lines.place(key).0;
    let column = lines.place(span.start).1;
    Assign {
        name: name.to_string(),
        value,
        span,
        line,
        column,
    }
}

/// JavaScript's `\s` (WhiteSpace and LineTerminator), as a class.
const JS_SPACE: &str = r"[\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]";

fn dotenv_line() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // dotenv 16.3.1's LINE, with `\s` spelt as JavaScript means it
        // and `\w` ASCII; leftmost-first, as a backtracking engine picks.
        let s = JS_SPACE;
        let re = format!(
            r#"(?m)^{s}*(?:export{s}+)?([A-Za-z0-9_.-]+)(?:{s}*={s}*?|:{s}+?)({s}*'(?:\\'|[^'])*'|{s}*"(?:\\"|[^"])*"|{s}*`(?:\\`|[^`])*`|[^#\r\n]+)?{s}*(?:#[^\n]*)?$"#
        );
        regex::Regex::new(&re).expect("dotenv's line")
    })
}

fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// dotenv's `parse`: the text with `\r\n?` made `\n`, matched line by
/// line; a value trimmed, unquoted when it starts and ends with one quote,
/// and in `"` quotes `\n` and `\r` unescaped.
fn dotenv(src: &[u8]) -> Vec<Assign> {
    // Invalid UTF-8 reads as U+FFFD, as Node's decoder reads it; `at`
    // maps each byte of `norm` back to `src`.
    let mut norm = String::with_capacity(src.len());
    let mut at: Vec<usize> = Vec::with_capacity(src.len() + 1);
    let mut pos = 0;
    for chunk in src.utf8_chunks() {
        let valid = chunk.valid();
        let b = valid.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\r' {
                norm.push('\n');
                at.push(pos + i);
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                continue;
            }
            let len = valid[i..].chars().next().map_or(1, char::len_utf8);
            norm.push_str(&valid[i..i + len]);
            at.extend((0..len).map(|k| pos + i + k));
            i += len;
        }
        pos += b.len();
        if !chunk.invalid().is_empty() {
            norm.push('\u{FFFD}');
            at.extend([pos; 3]);
            pos += chunk.invalid().len();
        }
    }
    at.push(src.len());
    let lines = Lines::new(src);
    let mut out = Vec::new();
    for caps in dotenv_line().captures_iter(&norm) {
        let Some(name) = caps.get(1) else { continue };
        let (mut start, mut end) = caps
            .get(2)
            .map_or((name.end(), name.end()), |v| (v.start(), v.end()));
        // trim()
        while let Some(c) = norm[start..end].chars().next().filter(|&c| is_js_space(c)) {
            start += c.len_utf8();
        }
        while let Some(c) = norm[start..end]
            .chars()
            .next_back()
            .filter(|&c| is_js_space(c))
        {
            end -= c.len_utf8();
        }
        let raw = &norm[start..end];
        let first = raw.as_bytes().first().copied();
        let quoted = matches!(first, Some(b'\'' | b'"' | b'`'))
            && raw.len() >= 2
            && raw.as_bytes()[raw.len() - 1] == first.unwrap_or(0);
        let (inner, value) = if quoted {
            let inner = &raw[1..raw.len() - 1];
            let value = if first == Some(b'"') {
                inner.replace("\\n", "\n").replace("\\r", "\r")
            } else {
                inner.to_string()
            };
            (start + 1..end - 1, value)
        } else {
            (start..end, raw.to_string())
        };
        let span = at[inner.start]..at[inner.end];
        out.push(assign(&lines, at[name.start()], name.as_str(), value, span));
    }
    out
}

/// bun's whitespace, bytewise.
fn bun_space(b: u8) -> bool {
    matches!(b, b'\t' | 0x0B | 0x0C | b' ' | 0xA0 | b'\n' | b'\r')
}

/// bun's reader (`env_loader.zig`, `Parser`), step for step.
fn bun(src: &[u8]) -> Vec<Assign> {
    let base = if src.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut p = BunParser { src, pos: base };
    let lines = Lines::new(src);
    let mut out = Vec::new();
    while p.pos < src.len() {
        let Some(key) = p.key(true) else {
            p.skip_line();
            continue;
        };
        let (value, span) = p.value();
        let name = String::from_utf8_lossy(&src[key.clone()]).into_owned();
        out.push(assign(&lines, key.start, &name, value, span));
    }
    out
}

struct BunParser<'a> {
    src: &'a [u8],
    pos: usize,
}

impl BunParser<'_> {
    fn skip_line(&mut self) {
        match self.src[self.pos..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
        {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.src.len(),
        }
    }

    fn skip_space(&mut self) {
        while self.pos < self.src.len() && bun_space(self.src[self.pos]) {
            self.pos += 1;
        }
    }

    fn key(&mut self, check_export: bool) -> Option<Range<usize>> {
        if check_export {
            self.skip_space();
        }
        let start = self.pos;
        let mut end = start;
        while end < self.src.len()
            && (self.src[end].is_ascii_alphanumeric()
                || matches!(self.src[end], b'_' | b'-' | b'.'))
        {
            end += 1;
        }
        if end < self.src.len() && start < end {
            self.pos = end;
            self.skip_space();
            if self.pos < self.src.len() {
                if check_export && end < self.pos && &self.src[start..end] == b"export" {
                    if let Some(k) = self.key(false) {
                        return Some(k);
                    }
                }
                match self.src[self.pos] {
                    b'=' => {
                        self.pos += 1;
                        return Some(start..end);
                    }
                    b':' if self.src.get(self.pos + 1).is_some_and(|&b| bun_space(b)) => {
                        self.pos += 2;
                        return Some(start..end);
                    }
                    _ => {}
                }
            }
        }
        self.pos = start;
        None
    }

    /// A quoted value at `pos` (the quote): its text, and the span inside
    /// the quotes, when a closing quote ends the line.
    fn quoted(&mut self, quote: u8) -> Option<(String, Range<usize>)> {
        let start = self.pos;
        let mut end = start + 1;
        while end < self.src.len() {
            let b = self.src[end];
            if b == b'\\' {
                end += 1;
            } else if b == quote {
                end += 1;
                self.pos = end;
                self.skip_space();
                let gap = &self.src[end..self.pos];
                if self.pos >= self.src.len()
                    || self.src[self.pos] == b'#'
                    || gap.contains(&b'\n')
                    || gap.contains(&b'\r')
                {
                    let mut buf = Vec::new();
                    let mut i = start;
                    while i < end {
                        match self.src[i] {
                            b'\\' if quote == b'"' => {
                                match self.src.get(i + 1) {
                                    Some(b'n') => buf.push(b'\n'),
                                    Some(b'r') => buf.push(b'\r'),
                                    _ => buf.extend_from_slice(&self.src[i..(i + 2).min(end)]),
                                }
                                i += 2;
                            }
                            b'\r' => {
                                i += 1;
                                if i >= end || self.src[i] != b'\n' {
                                    buf.push(b'\n');
                                }
                            }
                            c => {
                                buf.push(c);
                                i += 1;
                            }
                        }
                    }
                    let text = String::from_utf8_lossy(&buf);
                    // The quotes off (bun's `value[1 .. len - 1]`).
                    let inner = text
                        .get(1..text.len().saturating_sub(1))
                        .unwrap_or("")
                        .to_string();
                    return Some((inner, start + 1..end - 1));
                }
                self.pos = start;
            }
            end += 1;
        }
        None
    }

    fn value(&mut self) -> (String, Range<usize>) {
        let start = self.pos;
        self.skip_space();
        let len = self.src.len();
        if self.pos >= len {
            return (String::new(), len..len);
        }
        if let q @ (b'`' | b'"' | b'\'') = self.src[self.pos] {
            if let Some(v) = self.quoted(q) {
                return v;
            }
        }
        let mut end = start;
        while end < len && !matches!(self.src[end], b'#' | b'\r' | b'\n') {
            end += 1;
        }
        self.pos = end;
        let (mut s, mut e) = (start, end);
        while s < e && bun_space(self.src[s]) {
            s += 1;
        }
        while e > s && bun_space(self.src[e - 1]) {
            e -= 1;
        }
        (String::from_utf8_lossy(&self.src[s..e]).into_owned(), s..e)
    }
}

/// One reference in a value: the name, and the fallback text when it has
/// one (`${NAME:-fallback}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    pub range: Range<usize>,
}

/// The references in `value` as `reader`'s tool expands them, left to
/// right (a yarn fallback's own references included).
pub fn references(reader: Reader, value: &str) -> Vec<Ref> {
    let b = value.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = b.get(i + 1) == Some(&b'{');
        let start = if braced { i + 2 } else { i + 1 };
        let mut end = start;
        while end < b.len() && word(b[end]) {
            end += 1;
        }
        let ok = match reader {
            // `${` + `[a-zA-Z]\w*` + `}`, `:-` or `-`.
            Reader::Dotenv => {
                braced
                    && b.get(start).is_some_and(|c| c.is_ascii_alphabetic())
                    && matches!(b.get(end), Some(b'}' | b'-' | b':'))
            }
            // bun takes `$` at the value's last byte for nothing.
            Reader::Bun => end > start && i + 1 < b.len(),
        };
        if ok {
            out.push(Ref {
                name: value[start..end].to_string(),
                range: i..end,
            });
        }
        i = end.max(i + 1);
    }
    out
}

/// `value` with every reference expanded by `lookup` (an unset variable is
/// empty; a fallback is taken when `lookup` gives nothing, as both tools
/// do for an unset variable). Escapes are left as written.
pub fn expand(reader: Reader, value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    expand_nested(reader, value, lookup, 0)
}

/// Fallbacks nested deeper than this are taken as written.
const MAX_NESTING: usize = 8;

fn expand_nested(
    reader: Reader,
    value: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> String {
    if depth > MAX_NESTING {
        return value.to_string();
    }
    let b = value.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    for r in references(reader, value) {
        if r.range.start < last {
            // Inside a fallback taken whole below.
            continue;
        }
        out.push_str(&value[last..r.range.start]);
        let mut end = r.range.end;
        let mut fallback = String::new();
        let braced = b.get(r.range.start + 1) == Some(&b'{');
        if braced {
            let op = if value[end..].starts_with(":-") {
                2
            } else if reader == Reader::Dotenv && value[end..].starts_with('-') {
                1
            } else {
                0
            };
            if op > 0 || b.get(end) == Some(&b'}') {
                end += op;
                let mut depth = 1;
                let from = end;
                while end < b.len() {
                    match b[end] {
                        b'{' if end > 0 && b[end - 1] == b'$' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    end += 1;
                }
                fallback = value[from..end].to_string();
                end = (end + 1).min(b.len());
            }
        }
        match lookup(&r.name) {
            Some(v) if !v.is_empty() => out.push_str(&v),
            _ => out.push_str(&expand_nested(reader, &fallback, lookup, depth + 1)),
        }
        last = end.max(r.range.end);
    }
    out.push_str(&value[last.min(value.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(reader: Reader, src: &[u8]) -> Vec<(String, String, usize)> {
        assignments(reader, src)
            .into_iter()
            .map(|a| (a.name, a.value, a.line))
            .collect()
    }

    fn want(v: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        v.iter()
            .map(|(n, v, l)| (n.to_string(), v.to_string(), *l))
            .collect()
    }

    /// 200,000 assignments on lines ended by a lone CR: each place is
    /// looked up, not counted from the file's start (quadratic: 10 s of
    /// CPU for 200 KB in the release build).
    #[test]
    fn places_cost_no_walk_from_the_start() {
        let src = "A=b\r".repeat(200_000) + "B=c\r\nC=d\n E=f";
        let start = std::time::Instant::now();
        for reader in [Reader::Bun, Reader::Dotenv] {
            let all = assignments(reader, src.as_bytes());
            let last: Vec<(&str, usize, usize)> = all[all.len() - 3..]
                .iter()
                .map(|a| (a.name.as_str(), a.line, a.column))
                .collect();
            assert_eq!(
                last,
                [("B", 200_001, 3), ("C", 200_002, 3), ("E", 200_003, 4)]
            );
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn both_readers_read_the_common_forms() {
        let src = b"# c\nexport A=one\nB = \"two # x\" # c\nC='th\nree'\nD=four # c\nE: five\nbad line\nF=\n";
        let common = want(&[
            ("A", "one", 2),
            ("B", "two # x", 3),
            ("C", "th\nree", 4),
            ("D", "four", 6),
            ("E", "five", 7),
            ("F", "", 9),
        ]);
        assert_eq!(read(Reader::Dotenv, src), common);
        assert_eq!(read(Reader::Bun, src), common);
    }

    #[test]
    fn a_lone_cr_ends_a_line_for_both() {
        for r in [Reader::Dotenv, Reader::Bun] {
            assert_eq!(
                read(r, b"X=1\rNPM_TOKEN=abc\n"),
                want(&[("X", "1", 1), ("NPM_TOKEN", "abc", 2)]),
                "{r:?}"
            );
            assert_eq!(
                read(r, b"# c\rNPM_TOKEN=abc"),
                want(&[("NPM_TOKEN", "abc", 2)])
            );
            assert_eq!(
                read(r, b"NPM_TOKEN=\rA=1\n"),
                want(&[("NPM_TOKEN", "", 1), ("A", "1", 2)]),
                "{r:?}"
            );
            assert_eq!(
                read(r, b"PORT=3000\rNODE_ENV=development\r"),
                want(&[("PORT", "3000", 1), ("NODE_ENV", "development", 2)])
            );
            for tail in [
                &b"A=1\r"[..],
                b"NPM_TOKEN=\r",
                b"NPM_TOKEN=$X\r",
                b"\r",
                b"A=\"x\"\r",
            ] {
                let got = assignments(r, tail);
                for a in &got {
                    assert!(a.span.end <= tail.len());
                }
            }
        }
    }

    #[test]
    fn a_bom_is_read_by_both_and_a_no_break_space_by_dotenv_only() {
        let bom = b"\xEF\xBB\xBFNPM_TOKEN=abc\n";
        for r in [Reader::Dotenv, Reader::Bun] {
            let got = assignments(r, bom);
            assert_eq!(got.len(), 1, "{r:?}");
            assert_eq!(&bom[got[0].span.clone()], b"abc");
        }
        let nbsp = "NPM_TOKEN\u{A0}=abc\n".as_bytes();
        assert_eq!(read(Reader::Dotenv, nbsp), want(&[("NPM_TOKEN", "abc", 1)]));
        assert!(read(Reader::Bun, nbsp).is_empty());
    }

    #[test]
    fn spans_are_in_the_original_bytes() {
        let src = b"A=1\r\nB=\"x y\"\r\nC=zz\n";
        for r in [Reader::Dotenv, Reader::Bun] {
            let got = assignments(r, src);
            let vals: Vec<&[u8]> = got.iter().map(|a| &src[a.span.clone()]).collect();
            assert_eq!(vals, [&b"1"[..], b"x y", b"zz"], "{r:?}");
            assert_eq!(got[2].line, 3);
            assert_eq!(got[2].column, 3);
        }
    }

    #[test]
    fn references_in_each_tools_syntax() {
        let names =
            |r, v| -> Vec<String> { references(r, v).into_iter().map(|r| r.name).collect() };
        assert_eq!(names(Reader::Bun, "$A${B}x${C:-d}\\$E"), ["A", "B", "C"]);
        assert_eq!(
            names(Reader::Dotenv, "$A${B}x${C:-${D}}\\${E}"),
            ["B", "C", "D"]
        );
        let env = |n: &str| (n == "A").then(|| "s3".to_string());
        assert_eq!(expand(Reader::Bun, "p$A/${A}:${Z:-q}", &env), "ps3/s3:q");
        assert_eq!(expand(Reader::Dotenv, "${Z-${A}}", &env), "s3");
    }
}

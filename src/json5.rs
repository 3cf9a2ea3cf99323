//! JSON5, read as pnpm reads a `package.json5` (the `json5` package's
//! `JSON5.parse`), keeping where each string is (pure).
//!
//! Only what the dependency-URL check asks is answered: every string value
//! with the keys leading to it, its text decoded (`\x40`, `\u0040`,
//! surrogate pairs, line continuations, `\0`, `\v`, any other escaped
//! character standing for itself), and where it is in the file. Comments
//! (`//`, `/* */`), single quotes, unquoted keys (with their `\uXXXX`
//! escapes), trailing commas and JSON5's extra white space (U+FEFF, U+2028,
//! U+2029, U+00A0, any Unicode space) are read. It is read leniently: a
//! file `JSON5.parse` refuses gives what it holds all the same (pnpm then
//! sends nothing, and reporting it costs nobody). One pass with a stack of
//! its own, never recursion: nesting has no depth limit to hide behind.

use std::ops::Range;

/// One string value of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Str {
    /// The keys (and `[i]` array places) leading to it, outermost first.
    pub path: Vec<String>,
    /// The text, escapes decoded.
    pub text: String,
    /// Where it is in the file, quotes included.
    pub span: Range<usize>,
    /// Where its own bytes start, when the file holds them as they are
    /// (no escape).
    pub verbatim: Option<usize>,
}

/// A container being read, and the key or place its next value gets.
enum Frame {
    Object { key: Option<String>, want_key: bool },
    Array { index: usize },
}

/// Every string value of `text`, in order.
pub fn strings(text: &str) -> Vec<Str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // The name each open container has in its parent.
    let mut names: Vec<String> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr2(b'\n', b'\r', &b[i..]).map_or(b.len(), |e| i + e);
                // (U+2028/U+2029 end a comment too; the rest of that line
                // is then read as a comment: lenient, never less.)
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |e| i + 2 + e + 2);
            }
            b'{' | b'[' => {
                let name = match stack.last() {
                    Some(Frame::Object { key, .. }) => key.clone().unwrap_or_default(),
                    Some(Frame::Array { index }) => format!("[{index}]"),
                    None => String::new(),
                };
                if !stack.is_empty() {
                    names.push(name);
                }
                stack.push(if c == b'{' {
                    Frame::Object {
                        key: None,
                        want_key: true,
                    }
                } else {
                    Frame::Array { index: 0 }
                });
                i += 1;
            }
            b'}' | b']' => {
                if stack.pop().is_some() && !stack.is_empty() {
                    names.pop();
                }
                i += 1;
            }
            b':' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Object { key, want_key }) => {
                        *key = None;
                        *want_key = true;
                    }
                    Some(Frame::Array { index }) => *index += 1,
                    None => {}
                }
                i += 1;
            }
            b'"' | b'\'' => {
                let (value, end, escaped) = string_at(text, i);
                match stack.last_mut() {
                    Some(Frame::Object {
                        key,
                        want_key: true,
                    }) => *key = Some(value),
                    top => {
                        let mut path = names.clone();
                        match top {
                            Some(Frame::Object { key, .. }) => {
                                path.push(key.clone().unwrap_or_default());
                            }
                            Some(Frame::Array { index }) => path.push(format!("[{index}]")),
                            None => {}
                        }
                        out.push(Str {
                            path,
                            text: value,
                            span: i..end,
                            verbatim: (!escaped).then_some(i + 1),
                        });
                    }
                }
                i = end;
            }
            _ if c.is_ascii_whitespace() => i += 1,
            _ => {
                // A word: an unquoted key, a number, `true`, `null`, or
                // white space outside ASCII.
                let ch = text[i..].chars().next().unwrap_or(' ');
                if ch.is_whitespace() || ch == '\u{feff}' {
                    i += ch.len_utf8();
                    continue;
                }
                let end = word_end(text, i);
                if let Some(Frame::Object {
                    key,
                    want_key: true,
                }) = stack.last_mut()
                {
                    *key = Some(unescape(&text[i..end]).0);
                }
                i = end.max(i + ch.len_utf8());
            }
        }
    }
    out
}

/// Where the word at `i` ends: at white space or punctuation.
fn word_end(text: &str, i: usize) -> usize {
    text[i..]
        .char_indices()
        .find(|&(_, c)| {
            c.is_whitespace()
                || c == '\u{feff}'
                || matches!(c, ':' | ',' | '{' | '}' | '[' | ']' | '"' | '\'' | '/')
        })
        .map_or(text.len(), |(e, _)| i + e)
}

/// The string whose opening quote is at `i`: its decoded text, where it
/// ends (after its closing quote, or at the end of the line or file when
/// unclosed), and whether it holds an escape.
fn string_at(text: &str, i: usize) -> (String, usize, bool) {
    let b = text.as_bytes();
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            q if q == quote => break,
            b'\\' => j += 2,
            b'\n' | b'\r' => break,
            _ => j += 1,
        }
    }
    let j = j.min(b.len());
    // (Cut on a char boundary: an escaped multi-byte character.)
    let mut inner_end = j;
    while !text.is_char_boundary(inner_end) {
        inner_end += 1;
    }
    let (value, escaped) = unescape(&text[i + 1..inner_end]);
    let end = if b.get(j) == Some(&quote) { j + 1 } else { j };
    (value, end.max(inner_end), escaped)
}

/// `s` with JSON5's escapes decoded, and whether it held one.
fn unescape(s: &str) -> (String, bool) {
    if !s.contains('\\') {
        return (s.to_string(), false);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush(&mut out, &mut high);
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { break };
        let unit = match e {
            'x' | 'u' => {
                let n = if e == 'x' { 2 } else { 4 };
                let digits: String = chars.by_ref().take(n).collect();
                match u32::from_str_radix(&digits, 16) {
                    Ok(v) if digits.len() == n => v,
                    _ => {
                        flush(&mut out, &mut high);
                        out.push_str(&digits);
                        continue;
                    }
                }
            }
            'n' => 0x0a,
            't' => 0x09,
            'r' => 0x0d,
            'b' => 0x08,
            'f' => 0x0c,
            'v' => 0x0b,
            '0' => 0,
            // A line continuation: the line end is no character.
            '\n' | '\u{2028}' | '\u{2029}' => continue,
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                continue;
            }
            other => other as u32,
        };
        // UTF-16 code units, as JavaScript has them: a pair is one
        // character; a lone half is U+FFFD here.
        match (high.take(), unit) {
            (Some(h), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((h - 0xD800) << 10) + (unit - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
            (h, 0xD800..=0xDBFF) => {
                if h.is_some() {
                    out.push('\u{fffd}');
                }
                high = Some(unit);
            }
            (h, _) => {
                if h.is_some() {
                    out.push('\u{fffd}');
                }
                out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
            }
        }
    }
    flush(&mut out, &mut high);
    (out, true)
}

fn flush(out: &mut String, high: &mut Option<u32>) {
    if high.take().is_some() {
        out.push('\u{fffd}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String)> {
        strings(text)
            .into_iter()
            .map(|s| (s.path.join("."), s.text))
            .collect()
    }

    #[test]
    fn json5_shapes() {
        let src = "// c\n{name: 'x', /* c */ dependencies: {priv: 'http://a:b\\u0040h/', \"q\": \"r\",},\n pnpm: {overrides: {'x': \"y\\\n z\"}}, list: ['a', {k: 'v'}], n: 1, t: true, \\u0064eps: {a: 'b'}}";
        assert_eq!(
            found(src),
            [
                ("name".into(), "x".into()),
                ("dependencies.priv".into(), "http://a:b@h/".into()),
                ("dependencies.q".into(), "r".into()),
                ("pnpm.overrides.x".into(), "y z".into()),
                ("list.[0]".into(), "a".into()),
                ("list.[1].k".into(), "v".into()),
                ("deps.a".into(), "b".into()),
            ]
        );
        let s = &strings("{a: 'http://u:p@h/'}")[0];
        assert_eq!((s.span.clone(), s.verbatim), (4..19, Some(5)));
        assert_eq!(found("{a: '\\x40\\ud83d\\ude00\\0'}")[0].1, "@\u{1f600}\0");
        // Unclosed, unbalanced, deep: no panic, linear.
        for s in ["{a: 'x", "}}]]{", "{'a\\", "{a: '\\u12'}", "é{a:'é'}"] {
            let _ = strings(s);
        }
        let deep = format!("{}{{a:'http://u:p@h/'}}", "[".repeat(100_000));
        assert_eq!(strings(&deep).len(), 1);
    }
}

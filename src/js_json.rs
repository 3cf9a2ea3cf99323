//! JSON read as npm reads a `package.json` (pure): Node decodes the file as
//! UTF-8 (bytes that are not UTF-8 become U+FFFD), one leading byte-order
//! mark is stripped (json-parse-even-better-errors), then `JSON.parse`.
//!
//! Only what [`crate::publish_config`] asks is answered: the members of an
//! object, keys decoded as JavaScript has them (escapes, lone surrogates),
//! values as byte spans of the file, and a string value decoded. A later
//! duplicate key wins, as in `JSON.parse`. Nesting is walked with a stack
//! of its own, not by recursion: V8 parses a file nested 100,000 deep, so
//! a depth limit (serde_json's is 128) would be a way to hide a secret.

use std::ops::Range;

/// The UTF-8 byte-order mark npm strips.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One member of an object: its key, and the span of its value in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub key: String,
    pub value: Range<usize>,
}

/// The members of the object `src` holds, in order, duplicates kept; `None`
/// when `JSON.parse` would throw on it or it is not an object.
pub fn document_members(src: &[u8]) -> Option<Vec<Member>> {
    let start = if src.starts_with(BOM) { BOM.len() } else { 0 };
    let (members, end) = members_at(src, ws(src, start))?;
    (ws(src, end) == src.len()).then_some(members)
}

/// The members of the object at `value`, a span [`document_members`] gave
/// (so already valid JSON); `None` when it is not an object.
pub fn object_members(src: &[u8], value: Range<usize>) -> Option<Vec<Member>> {
    members_at(&src[..value.end], value.start).map(|(members, _)| members)
}

/// The members of the object at `i`, and where it ends; `None` when there
/// is no object there that `JSON.parse` takes.
fn members_at(src: &[u8], mut i: usize) -> Option<(Vec<Member>, usize)> {
    if src.get(i) != Some(&b'{') {
        return None;
    }
    let mut out = Vec::new();
    i = ws(src, i + 1);
    if src.get(i) == Some(&b'}') {
        return Some((out, i + 1));
    }
    loop {
        let key_end = string_end(src, i)?;
        let key = decode_string(&src[i..key_end]);
        i = ws(src, key_end);
        (src.get(i) == Some(&b':')).then_some(())?;
        let start = ws(src, i + 1);
        let end = skip_value(src, start)?;
        out.push(Member {
            key,
            value: start..end,
        });
        i = ws(src, end);
        match src.get(i)? {
            b',' => i = ws(src, i + 1),
            b'}' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

/// The member a key names last (the one `JSON.parse` keeps).
pub fn last<'m>(members: &'m [Member], key: &str) -> Option<&'m Member> {
    members.iter().rev().find(|m| m.key == key)
}

/// The string a JSON string literal (quotes included, already valid)
/// stands for, lone surrogates as U+FFFD.
pub fn decode_string(literal: &[u8]) -> String {
    let inner = &literal[1..literal.len() - 1];
    let mut units: Vec<u16> = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let run = memchr::memchr(b'\\', &inner[i..]).map_or(inner.len(), |n| i + n);
        units.extend(String::from_utf8_lossy(&inner[i..run]).encode_utf16());
        if run == inner.len() {
            break;
        }
        let unit = match inner[run + 1] {
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => 0x0A,
            b'r' => 0x0D,
            b't' => 0x09,
            b'u' => {
                i = run + 6;
                units.push(hex4(&inner[run + 2..run + 6]).unwrap_or(0xFFFD));
                continue;
            }
            other => u16::from(other),
        };
        units.push(unit);
        i = run + 2;
    }
    String::from_utf16_lossy(&units)
}

fn hex4(digits: &[u8]) -> Option<u16> {
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Past JSON's whitespace (space, tab, line feed, carriage return) from `i`.
fn ws(src: &[u8], mut i: usize) -> usize {
    while matches!(src.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end of the string literal at `i`, if it is one `JSON.parse` takes.
fn string_end(src: &[u8], i: usize) -> Option<usize> {
    (src.get(i) == Some(&b'"')).then_some(())?;
    let mut i = i + 1;
    loop {
        match *src.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *src.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let digits = src.get(i + 2..i + 6)?;
                    digits.iter().all(u8::is_ascii_hexdigit).then_some(())?;
                    i += 6;
                }
                _ => return None,
            },
            0..=0x1F => return None,
            _ => i += 1,
        }
    }
}

/// The end of the number at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(src: &[u8], mut i: usize) -> Option<usize> {
    let digits = |i: usize| {
        src[i.min(src.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    if src.get(i) == Some(&b'-') {
        i += 1;
    }
    match src.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i += digits(i),
        _ => return None,
    }
    if src.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        (n > 0).then_some(())?;
        i += 1 + n;
    }
    if matches!(src.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(src.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        (n > 0).then_some(())?;
        i += n;
    }
    Some(i)
}

/// The end of the value at `i` (no whitespace before it), if `JSON.parse`
/// takes it; nested objects and arrays are walked with an explicit stack.
fn skip_value(src: &[u8], mut i: usize) -> Option<usize> {
    // The closing byte of each open object or array.
    let mut open: Vec<u8> = Vec::new();
    loop {
        // A value starts at `i`.
        i = ws(src, i);
        match *src.get(i)? {
            b'{' => {
                i = ws(src, i + 1);
                if src.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    open.push(b'}');
                    i = key_and_colon(src, i)?;
                    continue;
                }
            }
            b'[' => {
                i = ws(src, i + 1);
                if src.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    open.push(b']');
                    continue;
                }
            }
            b'"' => i = string_end(src, i)?,
            b't' => i = literal(src, i, b"true")?,
            b'f' => i = literal(src, i, b"false")?,
            b'n' => i = literal(src, i, b"null")?,
            _ => i = number_end(src, i)?,
        }
        // A value ended at `i`: close what it closes, or go on to the next.
        loop {
            let Some(&close) = open.last() else {
                return Some(i);
            };
            i = ws(src, i);
            match *src.get(i)? {
                b',' => {
                    i += 1;
                    if close == b'}' {
                        i = key_and_colon(src, ws(src, i))?;
                    }
                    break;
                }
                c if c == close => {
                    open.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

/// Past `"key" :` at `i`.
fn key_and_colon(src: &[u8], i: usize) -> Option<usize> {
    let i = ws(src, string_end(src, i)?);
    (src.get(i) == Some(&b':')).then_some(i + 1)
}

fn literal(src: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    src[i..].starts_with(word).then_some(i + word.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(src: &str) -> Option<Vec<String>> {
        document_members(src.as_bytes()).map(|m| m.into_iter().map(|m| m.key).collect())
    }

    #[test]
    fn members_in_order_with_duplicates_and_decoded_keys() {
        assert_eq!(
            keys("{\"a\":1,\"publish\\u0043onfig\":{},\"a\":[2]}").unwrap(),
            ["a", "publishConfig", "a"]
        );
        let src = b"\xEF\xBB\xBF {\"a\":1 , \"a\" : {\"b\":\"c\"} }\n";
        let members = document_members(src).unwrap();
        let last = last(&members, "a").unwrap();
        assert_eq!(&src[last.value.clone()], b"{\"b\":\"c\"}");
        assert_eq!(
            object_members(src, last.value.clone()).unwrap(),
            [Member {
                key: "b".into(),
                value: last.value.start + 5..last.value.start + 8
            }]
        );
        assert_eq!(keys("{}").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn what_json_parse_throws_on_is_none() {
        for bad in [
            "",
            "[1]",
            "{\"a\":1,}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":-}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u00G0\"}",
            "{\"a\":\"\t\"}",
            "{\"a\":tru}",
            "{\"a\":[1 2]}",
            "{\"a\":{\"b\"}}",
            "{\"a\":1}}",
            "\u{feff}\u{feff}{}",
            "\u{c}{}",
            "{} \u{a0}",
        ] {
            assert_eq!(keys(bad), None, "{bad:?}");
        }
        for good in [
            "{\"a\":-0.5e+3,\"b\":[true,false,null,{}],\"c\":\"\u{7f}é\\/\"}",
            "\r\n\t {\"a\":[[[]],[{\"x\":[]}]]}",
        ] {
            assert!(keys(good).is_some(), "{good:?}");
        }
    }

    #[test]
    fn deep_nesting_has_no_limit() {
        let n = 100_000;
        let src = format!("{{\"a\":{}{},\"b\":1}}", "[".repeat(n), "]".repeat(n));
        assert_eq!(keys(&src).unwrap(), ["a", "b"]);
    }

    #[test]
    fn strings_decode_as_javascript_has_them() {
        assert_eq!(decode_string(b"\"a\\u0043\\n\\\"\\/\""), "aC\n\"/");
        assert_eq!(decode_string(b"\"\\ud83d\\ude00\""), "\u{1f600}");
        assert_eq!(decode_string(b"\"\\ud800x\""), "\u{fffd}x");
        assert_eq!(decode_string(b"\"\xffa\""), "\u{fffd}a");
    }
}

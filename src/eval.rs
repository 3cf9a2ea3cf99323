//! npm's evaluation of a key or value, with the environment unknown (pure).
//!
//! `@npmcli/config` runs every key and every string value through
//! `env-replace` (`/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g`): an even run of
//! backslashes before `${NAME}` is halved and the variable's value follows;
//! an odd run is halved (rounding down) and `${NAME}` stays as text. String
//! values are trimmed first (`parse-field.js`); arrays and other JSON values
//! of untyped keys are not expanded at all.
//!
//! The **literal residue** is what npm produces with every expansion
//! removed: the bytes it sends whatever the environment holds.

use crate::npmrc::{self, Value};

/// The literal residue of a string npm passes through `env-replace`, and
/// how many references it expands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Residue {
    pub text: String,
    pub refs: usize,
}

/// `env-replace` with every expanded reference removed.
pub fn residue(s: &str) -> Residue {
    expand(s, "")
}

/// [`residue`]'s text, without copying a string that references nothing
/// (most keys).
pub fn residue_of(s: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    if memchr::memchr(b'$', s.as_bytes()).is_none() {
        return s;
    }
    std::borrow::Cow::Owned(residue(&s).text)
}

/// `env-replace` with every variable holding `value`: where a reference
/// stands matters (`https://alice:${P?}@host/` has a password).
pub fn expand(s: &str, value: &str) -> Residue {
    if memchr::memchr(b'$', s.as_bytes()).is_none() {
        return Residue {
            text: s.to_string(),
            refs: 0,
        };
    }
    let mut text = String::with_capacity(s.len());
    let mut refs = 0;
    let mut at = 0;
    for r in npmrc::interpolations(s) {
        let esc_start = r.span.start
            - s.as_bytes()[..r.span.start]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
        text.push_str(&s[at..esc_start]);
        let esc = r.span.start - esc_start;
        // A name no environment holds (a secret pasted between the braces)
        // stays as its text: `${…}` unless `?` makes it nothing.
        let unset = !r.optional && !crate::standin::is_variable_name(&r.name);
        if esc % 2 == 0 && unset {
            text.push_str(&"\\".repeat(esc / 2));
            text.push_str(&s[r.span.clone()]);
        } else if esc % 2 == 1 {
            // `orig.slice((esc + 1) / 2)`: half the backslashes and the text.
            text.push_str(&"\\".repeat(esc / 2));
            text.push_str(&s[r.span.clone()]);
        } else {
            text.push_str(&"\\".repeat(esc / 2));
            text.push_str(value);
            refs += 1;
        }
        at = r.span.end;
    }
    text.push_str(&s[at..]);
    Residue { text, refs }
}

/// The residue of a decoded value as npm hands it to the registry client.
/// `None` for values that carry no bytes of their own (`true`, `false`,
/// `null`: npm reads them as booleans and null for untyped keys).
pub fn value_residue(value: &Value<'_>, array: bool) -> Option<Residue> {
    match value {
        Value::Str(s) if array => Some(Residue {
            text: s.to_string(),
            refs: 0,
        }),
        Value::Str(s) => {
            // parse-field reads these four as true, false, null and
            // undefined for untyped keys, after trimming (`" null"` too).
            let t = js_trim(s);
            if matches!(t, "true" | "false" | "null" | "undefined") {
                return None;
            }
            Some(residue(t))
        }
        Value::Bool(_) | Value::Null => None,
        Value::Json(v) => Some(Residue {
            text: npmrc::js_string(v),
            refs: 0,
        }),
    }
}

/// `String.prototype.trim`.
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Node's lenient base64 decoding (`Buffer.from(s, 'base64')`): characters
/// outside the alphabet (either alphabet, standard or URL-safe) are skipped
/// and decoding stops at the first `=`.
pub fn base64_lenient(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_replace_forms() {
        let r = |s: &str| residue(s).text;
        assert_eq!(r("${A}"), "");
        assert_eq!(r("${A?}"), "");
        assert_eq!(r("${A}${B}"), "");
        assert_eq!(r("npm_ab${X?}cd"), "npm_abcd");
        assert_eq!(r(r"\${A}"), "${A}");
        assert_eq!(r(r"\\${A}"), r"\");
        assert_eq!(r(r"\\\${A}"), r"\${A}");
        assert_eq!(r("Pa$sw0rd"), "Pa$sw0rd");
        assert_eq!(r("${A"), "${A");
        assert_eq!(r("a\\b${A}c"), "a\\bc");
        assert_eq!(residue("${A}x${B?}").refs, 2);
        assert_eq!(expand("a:${P?}@h", "0").text, "a:0@h");
        assert_eq!(expand(r"\${A}\\${B}", "0").text, r"${A}\0");
    }

    #[test]
    fn base64_like_node() {
        assert_eq!(base64_lenient("cGFzcw=="), b"pass");
        assert_eq!(base64_lenient("[cGFzcw==]"), b"pass");
        assert_eq!(base64_lenient("c G F z c w"), b"pass");
        assert!(base64_lenient("!!").is_empty());
    }

    // Written against cargo-mutants' survivors.

    /// A plain base64 encoder over `alphabet`, with `=` padding.
    fn encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn base64_every_byte_in_both_alphabets() {
        let all: Vec<u8> = (0..=255).collect();
        let std = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let url = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for alphabet in [std, url] {
            let text = encode(&all, alphabet);
            assert_eq!(base64_lenient(&text), all);
            // Decoding stops at the first `=`.
            assert_eq!(
                base64_lenient(&format!("{}=QUJD", encode(b"ab", alphabet))),
                b"ab"
            );
        }
    }

    #[test]
    fn values_as_npm_hands_them_on() {
        let s = |t: &str| Value::Str(t.to_string().into());
        let res = |text: &str, refs| {
            Some(Residue {
                text: text.to_string(),
                refs,
            })
        };
        assert_eq!(value_residue(&s(" x${A} "), false), res("x", 1));
        // Array members are not expanded or trimmed.
        assert_eq!(value_residue(&s(" x${A} "), true), res(" x${A} ", 0));
        assert_eq!(value_residue(&s(" null"), true), res(" null", 0));
        for word in [" null", "true", "false ", "undefined"] {
            assert_eq!(value_residue(&s(word), false), None, "{word}");
        }
        assert_eq!(value_residue(&Value::Bool(true), false), None);
        assert_eq!(value_residue(&Value::Null, false), None);
        let json = Value::Json(serde_json::json!([1, "a"]));
        assert_eq!(value_residue(&json, false), res("1,a", 0));
    }

    #[test]
    fn trim_like_javascript() {
        assert_eq!(js_trim(" \t\u{feff}a b\u{feff}\n "), "a b");
        assert_eq!(js_trim("a"), "a");
        assert_eq!(js_trim("\u{a0}a\u{2028}"), "a");
    }

    #[test]
    fn escaped_references_count_and_keep_text() {
        let r = residue(r"a\${A}b${B}c\\\${C}");
        assert_eq!(r.text, r"a${A}bc\${C}");
        assert_eq!(r.refs, 1);
        assert_eq!(
            expand("x${A}${B}y", "v"),
            Residue {
                text: "xvvy".into(),
                refs: 2
            }
        );
    }
}

//! `package.json` `publishConfig` (pure): npm merges it into its config on
//! `npm publish` (`flatten` in @npmcli/config's definitions), so a credential
//! there is sent like one in `.npmrc`.
//!
//! npm takes from it every `//host/:…` key, `@scope:registry`, and the keys
//! it defines (`registry`, `_auth`, …). Each value of those, as the string
//! npm makes of it (an array or a number too), is judged by the `.npmrc`
//! detector, given as the line `key=value`, and its findings are moved to
//! where the value is in `package.json`. Values are not `${…}`-expanded
//! there: npm reads them as JSON, not as config.

use memchr::memmem;

use crate::detect::{self, Detected};
use crate::js_json::{self, Member};

/// Findings in the `publishConfig` of one `package.json`, read as npm reads
/// it ([`js_json`]: a byte-order mark stripped, the last of duplicate keys
/// kept, keys decoded). A file without the bytes `publishConfig` or `\u`
/// (an escape can spell the key: `"publish\u0043onfig"`) costs one or two
/// `memmem` passes; one `JSON.parse` throws on has none (npm cannot
/// publish it either).
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    if memmem::find(src, b"publishConfig").is_none() && memmem::find(src, b"\\u").is_none() {
        return Vec::new();
    }
    let Some(entries) = js_json::document_members(src).and_then(|top| {
        let config = js_json::last(&top, "publishConfig")?.value.clone();
        js_json::object_members(src, config)
    }) else {
        return Vec::new();
    };
    // Later duplicates win, as in JSON.parse: where each key is last.
    let last: std::collections::HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, m)| (m.key.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for (i, Member { key, value: span }) in entries.iter().enumerate() {
        if last.get(key.as_str()) != Some(&i) || !npm_takes(key) {
            continue;
        }
        let raw = &src[span.clone()];
        let Some(value) = js_string(raw) else {
            continue;
        };
        out.extend(entry(path, src, key, &value, span.start, raw));
    }
    out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    out
}

/// The string npm makes of a `publishConfig` value (the JSON text `raw`):
/// npm-registry-fetch puts it in a template (`Bearer ${token}`), which is
/// JavaScript's `String(value)`: an array joined with `,`, a number in
/// digits. `None` for what is not sent: `null`, `false`, an empty string
/// (npm checks the value is truthy), or an array too deep for serde_json.
fn js_string(raw: &[u8]) -> Option<String> {
    let value = match raw.first()? {
        b'"' => js_json::decode_string(raw),
        // (An object is `[object Object]`: none of what it holds is sent.)
        b'n' | b'f' | b'{' => return None,
        _ => crate::npmrc::js_string(&serde_json::from_slice(raw).ok()?),
    };
    (!value.is_empty()).then_some(value)
}

/// Whether npm's `flatten` takes `key` from `publishConfig` into the options
/// npm-registry-fetch reads credentials from.
fn npm_takes(key: &str) -> bool {
    key.starts_with("//")
        || (key.starts_with('@') && key.to_ascii_lowercase().ends_with(":registry"))
        || matches!(key, "registry" | "_auth" | "_authToken" | "_password")
}

/// The findings of one `key: value`, the JSON value `raw` at byte `at` of
/// `src`.
fn entry(path: &str, src: &[u8], key: &str, value: &str, at: usize, raw: &[u8]) -> Vec<Detected> {
    if key.contains(['\n', '\r', '=', ';', '#', '[']) || key.trim() != key {
        return Vec::new();
    }
    // As written when that reads back as the same value, else JSON-quoted
    // (the `.npmrc` reading decodes a quoted value as JSON).
    let plain = !value.contains(['\n', '\r', ';', '#', '"', '\'', '\\'])
        && value.trim() == value
        && !value.starts_with('[');
    let shown_value = if plain {
        value.to_string()
    } else {
        serde_json::to_string(value).unwrap_or_default()
    };
    let line = format!("{key}={shown_value}\n");
    let value_start = key.len() + 1;
    // The finding's offset maps byte for byte when the value is a JSON
    // string with no escapes; otherwise it is put at the value's start.
    let exact = plain && raw.first() == Some(&b'"') && raw.len() == value.len() + 2;
    let mut found = detect::detect(path, line.as_bytes());
    for d in &mut found {
        let f = &mut d.finding;
        let offset = if exact && f.span.start >= value_start {
            at + 1 + (f.span.start - value_start)
        } else {
            at
        };
        let len = if exact { f.span.len() } else { raw.len() };
        let (line_no, column) = line_column(src, offset);
        f.line = line_no;
        f.column = column;
        f.span = offset..offset + len;
        d.fix = None;
        let note = "in package.json publishConfig, which npm uses on publish; \
                    the fixer does not rewrite package.json: remove it, put `${NPM_TOKEN}` in .npmrc, and revoke the secret";
        f.detail = Some(match f.detail.take() {
            Some(detail) => format!("{detail}; {note}"),
            None => note.to_string(),
        });
    }
    found
}

/// The 1-based line and byte column of `offset` in `src`; column 1 of
/// line 1 is after a byte-order mark.
fn line_column(src: &[u8], offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or_else(
        || {
            if src.starts_with(js_json::BOM) {
                js_json::BOM.len()
            } else {
                0
            }
        },
        |i| i + 1,
    );
    (line, offset.saturating_sub(start) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_keys_npm_takes() {
        assert!(npm_takes("//registry.npmjs.org/:_authToken"));
        assert!(npm_takes("@acme:registry"));
        assert!(npm_takes("registry"));
        assert!(!npm_takes("access"));
        assert!(!npm_takes("tag"));
    }

    #[test]
    fn line_and_column() {
        let src = b"{\n  \"a\": \"x\"\n}";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 9), (2, 8));
    }

    #[test]
    fn values_as_npm_stringifies_them() {
        assert_eq!(js_string(b"\"a\\u0062\"").as_deref(), Some("ab"));
        assert_eq!(
            js_string(b"[\"t\",[1,null,\"u\"]]").as_deref(),
            Some("t,1,,u")
        );
        assert_eq!(js_string(b"123").as_deref(), Some("123"));
        assert_eq!(js_string(b"true").as_deref(), Some("true"));
        for unsent in ["null", "false", "\"\"", "{\"a\":\"t\"}"] {
            assert_eq!(js_string(unsent.as_bytes()), None, "{unsent}");
        }
    }

    #[test]
    fn no_publish_config_no_findings() {
        assert!(detect("package.json", b"{\"name\": \"x\"}").is_empty());
        assert!(detect("package.json", b"not json publishConfig").is_empty());
    }
}

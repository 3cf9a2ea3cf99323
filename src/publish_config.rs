//! `package.json` `publishConfig` (pure): npm merges it into its config on
//! `npm publish` (`flatten` in @npmcli/config's definitions), so a credential
//! there is sent like one in `.npmrc`.
//!
//! npm takes from it every `//host/:…` key, `@scope:registry`, and the keys
//! it defines (`registry`, `_auth`, …). Each string value of those is
//! judged by the `.npmrc` detector, given as the line `key=value`, and its
//! findings are moved to where the value is in `package.json`. Values are
//! not `${…}`-expanded there: npm reads them as JSON, not as config.

use memchr::memmem;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use crate::detect::{self, Detected};

#[derive(Deserialize)]
struct Manifest<'a> {
    #[serde(borrow, rename = "publishConfig")]
    publish_config: Option<&'a RawValue>,
}

/// Findings in the `publishConfig` of one `package.json`. A file without the
/// bytes `publishConfig` costs one `memmem` pass; one that is not JSON has
/// none (npm cannot publish it either).
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    if memmem::find(src, b"publishConfig").is_none() {
        return Vec::new();
    }
    let Ok(text) = std::str::from_utf8(src) else {
        return Vec::new();
    };
    let Ok(Manifest {
        publish_config: Some(config),
    }) = serde_json::from_str::<Manifest<'_>>(text)
    else {
        return Vec::new();
    };
    // Later duplicates win, as in JSON.parse.
    let Ok(entries) = serde_json::from_str::<BTreeMap<String, &RawValue>>(config.get()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, raw) in entries {
        if !npm_takes(&key) {
            continue;
        }
        let Ok(value) = serde_json::from_str::<String>(raw.get()) else {
            continue;
        };
        // Where the JSON string starts in the file: `raw` borrows from `src`.
        let at = raw.get().as_ptr() as usize - src.as_ptr() as usize;
        out.extend(entry(path, src, &key, &value, at, raw.get()));
    }
    out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    out
}

/// Whether npm's `flatten` takes `key` from `publishConfig` into the options
/// npm-registry-fetch reads credentials from.
fn npm_takes(key: &str) -> bool {
    key.starts_with("//")
        || (key.starts_with('@') && key.to_ascii_lowercase().ends_with(":registry"))
        || matches!(key, "registry" | "_auth" | "_authToken" | "_password")
}

/// The findings of one `key: value`, the JSON string at byte `at` of `src`.
fn entry(path: &str, src: &[u8], key: &str, value: &str, at: usize, raw: &str) -> Vec<Detected> {
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
    // The finding's offset maps byte for byte when the JSON string holds no
    // escapes; otherwise it is put at the string's start.
    let exact = plain && raw.len() == value.len() + 2;
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

/// The 1-based line and byte column of `offset` in `src`.
fn line_column(src: &[u8], offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, offset - start + 1)
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
    fn no_publish_config_no_findings() {
        assert!(detect("package.json", b"{\"name\": \"x\"}").is_empty());
        assert!(detect("package.json", b"not json publishConfig").is_empty());
    }
}

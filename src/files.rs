//! Which reading each file gets (pure): SPEC.md, "Files read".
//!
//! A `.npmrc` (any name the selector let through) is read as npm reads it;
//! one in UTF-16 with a byte-order mark is decoded first; a `package.json`
//! is read for its `publishConfig`.

use crate::decode;
use crate::detect::{self, Detected};

/// The manifest npm reads `publishConfig` from.
pub const PACKAGE_JSON: &str = "package.json";

/// Findings in one file, `path` as reports show it.
pub fn detect_file(path: &str, bytes: &[u8]) -> Vec<Detected> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == PACKAGE_JSON {
        return crate::publish_config::detect(path, bytes);
    }
    if let Some((kind, text)) = decode::utf16(bytes) {
        return utf16_findings(path, &text, kind);
    }
    detect::detect(path, bytes)
}

/// A UTF-16 file, decoded to `text`: its findings are at the lines and
/// columns of the decoded text (characters, for the ASCII an `.npmrc`
/// holds). They have no automatic fix: the fixer edits bytes, and npm never
/// read this file anyway.
fn utf16_findings(path: &str, text: &[u8], kind: decode::Utf16) -> Vec<Detected> {
    let mut found = detect::detect(path, text);
    for d in &mut found {
        d.fix = None;
        let note = format!(
            "the file is {}: npm cannot read it, but what it holds is committed; \
             delete the secret (or save the file as UTF-8 and run the fix) and revoke it",
            kind.name()
        );
        d.finding.detail = Some(match d.finding.detail.take() {
            Some(detail) => format!("{detail}; {note}"),
            None => note,
        });
    }
    found
}

//! PEM private keys in a file read as npm config (pure): the key file a
//! `.npmrc` names as `//host/:keyfile` ([`crate::files::named_configs`])
//! is read like a named config, and npm (npm-registry-fetch) presents the
//! key in it to that registry in the TLS handshake: mutual TLS, the proof
//! of possession a token would otherwise give. An inline `key="-----BEGIN
//! …"` value is [`crate::detect`]'s; this finds a block on lines of its
//! own, where OpenSSL looks for one (`-----BEGIN ` at a line's start).
//!
//! A key encrypted with a passphrase (`ENCRYPTED PRIVATE KEY`, or a
//! `Proc-Type: 4,ENCRYPTED` header) is not reported: npm has no passphrase
//! setting, and with one such key npm 11 fails with `ERR_OSSL_BAD_DECRYPT`
//! before the handshake (seen against `openssl s_server -Verify 1`), so
//! the key is never used. Nor is a block without its `-----END` line
//! (OpenSSL cannot read it).

use memchr::memmem;

use crate::detect::Detected;
use crate::finding::{Finding, Fingerprint, Rule, Secret};

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The unencrypted PEM private-key blocks of `src`, each an error at its
/// `-----BEGIN` line.
pub fn private_keys(path: &str, src: &[u8]) -> Vec<Detected> {
    private_keys_at(path, src, &crate::survey::begins(src))
}

/// [`private_keys`], given where `-----BEGIN` occurs in `src`
/// ([`crate::survey`]: [`crate::detect`] reads the same list).
pub fn private_keys_at(path: &str, src: &[u8], begins: &[usize]) -> Vec<Detected> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut marks = None;
    let lines = crate::lines::Lines::new(src);
    for &at in begins {
        if at < from || src.get(at + BEGIN.len() - 1) != Some(&b' ') {
            continue;
        }
        from = at + BEGIN.len();
        let line_start = at == 0 || matches!(src[at - 1], b'\n' | b'\r') || src[..at] == *BOM;
        if !line_start {
            continue;
        }
        let marks = marks.get_or_insert_with(|| Marks::new(src));
        let Some(block) = block(src, at, marks) else {
            continue;
        };
        from = block.end;
        out.push(finding(path, &lines, block));
    }
    out
}

/// Where each `-----END <label>-----` line is, by label, and each
/// `Proc-Type: 4,ENCRYPTED`: found in one pass, the first time a block
/// opens, so that no block searches the rest of the file again (each
/// `-----BEGIN PRIVATE KEY-----` without its end did: quadratic).
struct Marks<'a> {
    ends: std::collections::HashMap<&'a [u8], Vec<usize>>,
    encrypted: Vec<usize>,
}

const END: &[u8] = b"-----END ";
const ENCRYPTED: &[u8] = b"Proc-Type: 4,ENCRYPTED";

impl<'a> Marks<'a> {
    fn new(src: &'a [u8]) -> Self {
        let mut ends: std::collections::HashMap<&[u8], Vec<usize>> = Default::default();
        for e in memmem::find_iter(src, END) {
            let rest = &src[e + END.len()..];
            // The label ends at the first `-----` (the next `-----END `
            // holds one, so no label is read twice).
            if let Some(len) = memmem::find(rest, DASHES) {
                ends.entry(&rest[..len]).or_default().push(e);
            }
        }
        Marks {
            ends,
            encrypted: memmem::find_iter(src, ENCRYPTED).collect(),
        }
    }

    /// Where the first `-----END <label>-----` at or after `from` ends.
    fn end(&self, label: &[u8], from: usize) -> Option<usize> {
        let at = self.ends.get(label)?;
        let e = at.get(at.partition_point(|&e| e < from))?;
        Some(e + END.len() + label.len() + DASHES.len())
    }

    /// Whether `Proc-Type: 4,ENCRYPTED` is inside `span`.
    fn encrypted(&self, span: std::ops::Range<usize>) -> bool {
        let i = self.encrypted.partition_point(|&p| p < span.start);
        self.encrypted
            .get(i)
            .is_some_and(|&p| p + ENCRYPTED.len() <= span.end)
    }
}

/// The span of the usable private-key block whose `-----BEGIN ` is at `at`.
fn block(src: &[u8], at: usize, marks: &Marks) -> Option<std::ops::Range<usize>> {
    let rest = &src[at + BEGIN.len()..];
    let label_len = memmem::find(rest, DASHES)?;
    let label = &rest[..label_len];
    if label.contains(&b'\n')
        || !label.ends_with(b"PRIVATE KEY")
        || label.starts_with(b"ENCRYPTED ")
    {
        return None;
    }
    let body_start = at + BEGIN.len() + label_len + DASHES.len();
    let end = marks.end(label, body_start)?;
    if marks.encrypted(body_start..end) {
        return None;
    }
    Some(at..end)
}

fn finding(path: &str, lines: &crate::lines::Lines, span: std::ops::Range<usize>) -> Detected {
    let text = String::from_utf8_lossy(&lines.src()[span.clone()]).into_owned();
    let line = lines.line_column(span.start).0;
    let rule = Rule::PrivateKey;
    let secret = Secret::new(text.clone());
    Detected {
        finding: Finding {
            rule,
            severity: rule.severity(),
            path: path.to_string(),
            line,
            column: 1,
            key: None,
            secret: Some(secret.clone()),
            fingerprint: Fingerprint::new(rule, path, &text),
            commit: None,
            fix: None,
            span,
            host: None,
            detail: Some(
                "a PEM private key: npm presents it to a registry when a .npmrc names this file \
                 as `//host/:keyfile`; the fixer cannot move it: remove the file from the repository, \
                 keep the key outside it (or encrypted), and revoke the key's certificate"
                    .to_string(),
            ),
        },
        fix: None,
        secret: Some(secret),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<usize> {
        private_keys("k", src.as_bytes())
            .iter()
            .map(|d| d.finding.line)
            .collect()
    }

    #[test]
    fn unencrypted_blocks_on_lines_of_their_own() {
        let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n";
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\r\nMIIE\r\n-----END RSA PRIVATE KEY-----\r\n";
        let cert = "-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n";
        assert_eq!(lines(key), [1]);
        assert_eq!(lines(&format!("Bag Attributes\n{cert}{rsa}{key}")), [5, 8]);
        assert_eq!(lines(&format!("\u{feff}{key}")), [1]);
        for unusable in [
            // Inline in a value: detect's.
            "key=-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".to_string(),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n"
                .to_string(),
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,88\n\nMIIE\n-----END RSA PRIVATE KEY-----\n".to_string(),
            "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n".to_string(),
            "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END RSA PRIVATE KEY-----\n".to_string(),
            cert.to_string(),
            // `-----BEGIN` not followed by a space opens no block.
            "-----BEGINXRSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n".to_string(),
        ] {
            assert!(lines(&unusable).is_empty(), "{unusable}");
        }
    }

    #[test]
    fn the_secret_is_the_block() {
        let src = "x\n-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\ny\n";
        let found = private_keys("certs/client.key", src.as_bytes());
        assert_eq!(found.len(), 1);
        let f = &found[0].finding;
        assert_eq!((f.rule, f.line, f.column), (Rule::PrivateKey, 2, 1));
        assert_eq!(&src[f.span.clone()], &src[2..src.len() - 3]);
    }

    /// Blocks that never end, and an encrypted mark far below many
    /// openings: each opening was a search of the rest of the file
    /// (quadratic: 2.9 s of CPU for 1.6 MB in the release build).
    #[test]
    fn openings_without_ends_cost_one_pass() {
        let open = "-----BEGIN PRIVATE KEY-----\n".repeat(100_000);
        let start = std::time::Instant::now();
        assert!(lines(&open).is_empty());
        let encrypted = format!(
            "{open}MIIE\nProc-Type: 4,ENCRYPTED\n-----END PRIVATE KEY-----\n\
             -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
        );
        assert_eq!(lines(&encrypted), [100_004]);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }
}

//! Token formats and their checksums (pure).
//!
//! npm (`npm_…`) and GitHub classic (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`,
//! `ghr_…`) tokens are a prefix, 30 random base62 characters and a six
//! character checksum: the zlib CRC-32 of the random part, written in base62
//! (`0-9A-Za-z`, most significant digit first, left-padded with `0`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// The providers whose token formats we recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Npm,
    GitHub,
    GitLab,
}

/// A token found in raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenMatch {
    pub kind: Kind,
    /// Byte range of the token in the scanned input.
    pub span: Range<usize>,
    /// Whether the format carries a checksum and it is valid. Formats without
    /// a checksum (fine-grained GitHub, GitLab) are `Checksum::None`.
    pub checksum: Checksum,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    Valid,
    Invalid,
    None,
}

impl TokenMatch {
    /// Certain enough to report anywhere in a file, comments included.
    pub fn is_certain(&self) -> bool {
        self.checksum != Checksum::Invalid
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static TOKEN_RE: LazyLock<Regex> = LazyLock::new(|| {
    // The `(?-u)` keeps `\b`-free ASCII classes fast on arbitrary bytes; word
    // boundaries are checked by hand in `find_tokens` so that a token glued
    // to other base62 characters is not taken for one.
    Regex::new(concat!(
        r"(?-u)(npm_[0-9A-Za-z]{36})",
        r"|(gh[pousr]_[0-9A-Za-z]{36})",
        r"|(github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})",
        r"|(glpat-[0-9A-Za-z_-]{20,}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?)",
    ))
    .expect("token regex is valid")
});

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Every recognisable token in `input`, in order of position.
pub fn find_tokens(input: &[u8]) -> Vec<TokenMatch> {
    let mut out = Vec::new();
    for caps in TOKEN_RE.captures_iter(input) {
        let whole = caps.get(0).expect("group 0 always matches");
        let (start, end) = (whole.start(), whole.end());
        if start > 0 && is_word(input[start - 1]) {
            continue;
        }
        if end < input.len() && is_word(input[end]) && caps.get(4).is_none() {
            continue;
        }
        let (kind, checksum) = if caps.get(1).is_some() {
            (Kind::Npm, classic_checksum(&input[start + 4..end]))
        } else if caps.get(2).is_some() {
            (Kind::GitHub, classic_checksum(&input[start + 4..end]))
        } else if caps.get(3).is_some() {
            (Kind::GitHub, Checksum::None)
        } else {
            // GitLab tokens of the classic form are exactly 20 characters;
            // the routable form carries its dotted suffix.
            let body = &input[start + 6..end];
            if !body.contains(&b'.') && body.len() != 20 {
                continue;
            }
            (Kind::GitLab, Checksum::None)
        };
        out.push(TokenMatch {
            kind,
            span: start..end,
            checksum,
        });
    }
    out
}

/// Check the 36-character body of a classic token: 30 random characters
/// followed by their base62 CRC-32.
pub fn classic_checksum(body: &[u8]) -> Checksum {
    if body.len() != 36 {
        return Checksum::Invalid;
    }
    let (random, check) = body.split_at(30);
    if base62_crc(random) == *check {
        Checksum::Valid
    } else {
        Checksum::Invalid
    }
}

/// The six base62 characters that end a classic token whose random part is
/// `random`.
pub fn base62_crc(random: &[u8]) -> [u8; 6] {
    let mut n = crc32(random);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// The zlib CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: LazyLock<[u32; 256]> = LazyLock::new(|| {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        table
    });
    let mut crc = !0u32;
    for &b in data {
        crc = TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib_check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn public_github_vector() {
        // From DataDog's dd-sensitive-data-scanner checksum tests (SPEC.md).
        let good = b"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";
        let bad = b"ghp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V3";
        assert_eq!(classic_checksum(&good[4..]), Checksum::Valid);
        assert_eq!(classic_checksum(&bad[4..]), Checksum::Invalid);
        let found = find_tokens(good);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::GitHub);
        assert!(found[0].is_certain());
    }

    #[test]
    fn word_boundaries() {
        let t = "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";
        assert!(find_tokens(format!("x{t}").as_bytes()).is_empty());
        assert!(find_tokens(format!("{t}x").as_bytes()).is_empty());
        assert_eq!(find_tokens(format!("={t};").as_bytes()).len(), 1);
    }

    #[test]
    fn gitlab_forms() {
        let classic = b"glpat-abcdefghij0123456789";
        assert_eq!(find_tokens(classic)[0].kind, Kind::GitLab);
        assert!(find_tokens(b"glpat-abcdefghij012345678").is_empty());
        let routable = b"glpat-abcdefghijklmnopqrstuvwxyz0123.01.0y1b2c3d4";
        let found = find_tokens(routable);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, 0..routable.len());
    }

    #[test]
    fn fine_grained_github() {
        let t = format!("github_pat_{}_{}", "A".repeat(22), "b".repeat(59));
        let found = find_tokens(t.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].checksum, Checksum::None);
    }
}

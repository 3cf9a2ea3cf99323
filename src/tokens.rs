//! Token formats and their checksums (pure).
//!
//! npm (`npm_…`) and GitHub classic (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`,
//! `ghr_…`) tokens are a prefix, 30 random base62 characters and a six
//! character checksum: the zlib CRC-32 of the random part, written in base62
//! (`0-9A-Za-z`, most significant digit first, left-padded with `0`).

use std::ops::Range;
use std::sync::LazyLock;

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

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The length of the run of ASCII alphanumerics at `at` (at most `max`).
fn alnum_run(input: &[u8], at: usize, max: usize) -> usize {
    input.get(at..).map_or(0, |rest| {
        rest.iter()
            .take(max)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
    })
}

/// How much of the input [`find_tokens`]' two searches read at a time.
pub const WINDOW: usize = 256 * 1024;

/// Every recognisable token in `input`, in order of position.
///
/// A hand-written scanner rather than a regex: `check` runs on every commit,
/// and compiling the counted repetitions of a token regex cost more than
/// scanning a small file. Candidates are found with one `memchr` pass for
/// `_` (every prefix but `glpat-` has one at a fixed place: `npm_` and
/// `gh?_` at 3, `github_pat_` at 6; searching for each prefix was four
/// passes, and `gh` is common text) and one `memmem` pass for `glpat-`;
/// the characters after them are checked by hand. Both passes read the
/// input a window at a time, the second while the first has left it in
/// the cache (a large file read from memory twice cost a pass more). A
/// token glued to other
/// word characters (`[0-9A-Za-z_-]`, as in `<token>_authToken=`) is taken
/// for one only when its checksum holds: the checksum is the evidence then,
/// and one in 62^6 runs of random characters has it.
pub fn find_tokens(input: &[u8]) -> Vec<TokenMatch> {
    let mut finder = Finder::new(input);
    let mut from = 0;
    while from < input.len() {
        let to = input.len().min(from + WINDOW);
        finder.window(from..to);
        from = to;
    }
    finder.finish()
}

/// [`find_tokens`] a window at a time, so that a caller can run other
/// searches over the same window while it is in the cache
/// ([`crate::survey`]). Windows must come in order and cover the input.
#[derive(Debug)]
pub struct Finder<'a> {
    input: &'a [u8],
    out: Vec<TokenMatch>,
    /// Where the run of word characters the last `glpat-` began ends: a
    /// run of `glpat-glpat-…` is read once, not once per `glpat-` in it.
    run_end: usize,
}

impl<'a> Finder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Finder {
            input,
            out: Vec::new(),
            run_end: 0,
        }
    }

    /// The tokens that start in `window` (they may end after it).
    pub fn window(&mut self, window: Range<usize>) {
        static GLPAT: LazyLock<memchr::memmem::Finder<'static>> =
            LazyLock::new(|| memchr::memmem::Finder::new(b"glpat-"));
        let input = self.input;
        let (from, to) = (window.start, window.end);
        let out = &mut self.out;
        let run_end = &mut self.run_end;
        let mut take = |start: usize| {
            let glued = start > 0 && is_word(input[start - 1]);
            if let Some(t) = token_at(input, start, glued, run_end) {
                out.push(t);
            }
        };
        for q in memchr::memchr_iter(b'_', &input[from..to]).map(|i| from + i) {
            if q >= 6 && input[q - 6..].starts_with(b"github_pat_") {
                take(q - 6);
            }
            if q >= 3 && (input[q - 3..].starts_with(b"npm_") || input[q - 3..].starts_with(b"gh"))
            {
                take(q - 3);
            }
        }
        // A `glpat-` that starts in the window may end after it; one that
        // starts after it is the next window's.
        let hay = &input[from..input.len().min(to + 5)];
        for start in GLPAT.find_iter(hay).map(|i| from + i) {
            if start >= to {
                break;
            }
            take(start);
        }
    }

    /// Every token found, in order of position.
    pub fn finish(self) -> Vec<TokenMatch> {
        let mut out = self.out;
        out.sort_by_key(|t| t.span.start);
        // A glued token may start inside another (`npm_…gh` + `p_…`): keep
        // the first.
        let mut end = 0;
        out.retain(|t| {
            let keep = t.span.start >= end;
            end = end.max(t.span.end);
            keep
        });
        out
    }
}

/// Whether `bytes` hold a run that starts as a token does (`npm_`, `gh?_`,
/// `github_pat_`, `glpat-`) with at least 20 letters or digits after the
/// prefix, valid or not: a key that does is never shown in a report (a
/// token with one character too many is still most of a secret).
pub fn holds_token_like(bytes: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 8] = [
        b"npm_",
        b"ghp_",
        b"gho_",
        b"ghu_",
        b"ghs_",
        b"ghr_",
        b"github_pat_",
        b"glpat-",
    ];
    // Every prefix starts with `n` or `g`: look only there (a comparison
    // at every position halved the throughput of `check`).
    memchr::memchr2_iter(b'n', b'g', bytes).any(|i| {
        PREFIXES
            .iter()
            .any(|p| bytes[i..].starts_with(p) && alnum_run(bytes, i + p.len(), 20) == 20)
    })
}

/// The token starting at `start`, if one does; `glued` when a word
/// character comes just before it. `run_end`: where a run of word
/// characters that holds `start + 6` ends, if it does (0 otherwise); kept
/// up to date for the next call, with `start` never smaller.
fn token_at(input: &[u8], start: usize, glued: bool, run_end: &mut usize) -> Option<TokenMatch> {
    let rest = &input[start..];
    let bounded = |end: usize| input.get(end).is_none_or(|&b| !is_word(b));
    let (kind, end, checksum) = if rest.starts_with(b"npm_") {
        let end = start + 4 + 36;
        (alnum_run(input, start + 4, 36) == 36).then_some(())?;
        (Kind::Npm, end, classic_checksum(&input[start + 4..end]))
    } else if rest.starts_with(b"github_pat_") {
        let a = start + 11;
        let end = a + 22 + 1 + 59;
        let ok = alnum_run(input, a, 22) == 22
            && input.get(a + 22) == Some(&b'_')
            && alnum_run(input, a + 23, 59) == 59;
        ok.then_some(())?;
        (Kind::GitHub, end, Checksum::None)
    } else if rest.len() >= 4 && b"pousr".contains(&rest[2]) && rest[3] == b'_' && rest[0] == b'g' {
        let end = start + 4 + 36;
        (alnum_run(input, start + 4, 36) == 36).then_some(())?;
        (Kind::GitHub, end, classic_checksum(&input[start + 4..end]))
    } else if rest.starts_with(b"glpat-") {
        let body = start + 6;
        // Every byte from `body` up to a known run's end is a word
        // character (`body` is past the run's start: starts only grow).
        if *run_end <= body {
            *run_end = body + input[body..].iter().take_while(|&&b| is_word(b)).count();
        }
        let run = *run_end - body;
        if run < 20 {
            return None;
        }
        let end = body + run;
        // The routable form: `.` two characters `.` seven to nine.
        let lower = |b: &u8| b.is_ascii_digit() || b.is_ascii_lowercase();
        let two = input
            .get(end + 1..end + 3)
            .is_some_and(|s| s.iter().all(lower));
        let tail = input
            .get(end + 4..)
            .map_or(0, |s| s.iter().take(9).take_while(|b| lower(b)).count());
        let routable = input.get(end) == Some(&b'.')
            && two
            && input.get(end + 3) == Some(&b'.')
            && (7..=9).contains(&tail);
        if routable {
            (Kind::GitLab, end + 4 + tail, Checksum::None)
        } else if run == 20 {
            (Kind::GitLab, end, Checksum::None)
        } else {
            return None;
        }
    } else {
        return None;
    };
    let glued = glued || !bounded(end);
    (!glued || checksum == Checksum::Valid).then_some(TokenMatch {
        kind,
        span: start..end,
        checksum,
    })
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
    fn tokens_across_the_edge_of_a_window_are_found() {
        let gitlab = b"glpat-abcdefghij0123456789";
        let npm = format!("npm_{}", "a".repeat(30));
        let npm = format!(
            "{npm}{}",
            String::from_utf8_lossy(&base62_crc(&npm.as_bytes()[4..]))
        );
        for token in [gitlab.as_slice(), npm.as_bytes()] {
            for at in WINDOW - token.len() - 1..=WINDOW + 1 {
                let mut input = vec![b' '; at];
                input.extend_from_slice(token);
                input.push(b'\n');
                let found = find_tokens(&input);
                assert_eq!(found.len(), 1, "token at {at}");
                assert_eq!(found[0].span, at..at + token.len(), "token at {at}");
            }
        }
    }

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
        assert_eq!(find_tokens(format!("={t};").as_bytes()).len(), 1);
        // Glued to word characters: a token only when its checksum holds.
        assert_eq!(classic_checksum(&t.as_bytes()[4..]), Checksum::Valid);
        for glued in [
            format!("x{t}"),
            format!("{t}x"),
            format!("{t}_authToken"),
            format!("-{t}-"),
        ] {
            let found = find_tokens(glued.as_bytes());
            assert_eq!(found.len(), 1, "{glued}");
            assert_eq!(&glued[found[0].span.clone()], t);
        }
        let broken = "ghp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V5";
        assert!(find_tokens(format!("x{broken}").as_bytes()).is_empty());
        assert!(find_tokens(format!("{broken}x").as_bytes()).is_empty());
        assert_eq!(find_tokens(format!("={broken};").as_bytes()).len(), 1);
        // Not a token: a fine-grained or GitLab run glued to more.
        assert!(find_tokens(b"xglpat-abcdefghij0123456789").is_empty());
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

    /// A classic token (`prefix` then 30 random characters and their
    /// checksum), valid or with its last character changed.
    fn classic(prefix: &str, valid: bool) -> String {
        let random = "Ab3dEf6hIj9lMn2pQr5tUv8xYz1B4D";
        let mut crc = base62_crc(random.as_bytes());
        if !valid {
            crc[5] = if crc[5] == b'0' { b'1' } else { b'0' };
        }
        format!("{prefix}{random}{}", String::from_utf8_lossy(&crc))
    }

    fn spans(input: &str) -> Vec<(Kind, Range<usize>, Checksum)> {
        find_tokens(input.as_bytes())
            .into_iter()
            .map(|t| (t.kind, t.span, t.checksum))
            .collect()
    }

    // The tests below were written against cargo-mutants' survivors.

    #[test]
    fn certainty_follows_the_checksum() {
        let m = |checksum| TokenMatch {
            kind: Kind::Npm,
            span: 0..1,
            checksum,
        };
        assert!(m(Checksum::Valid).is_certain());
        assert!(m(Checksum::None).is_certain());
        assert!(!m(Checksum::Invalid).is_certain());
    }

    #[test]
    fn classic_tokens_have_exact_spans_and_checksums() {
        for prefix in ["npm_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            let kind = if prefix == "npm_" {
                Kind::Npm
            } else {
                Kind::GitHub
            };
            let good = classic(prefix, true);
            let bad = classic(prefix, false);
            let text = format!("k = {good} ; {bad}\n");
            let second = 4 + good.len() + 3;
            assert_eq!(
                spans(&text),
                [
                    (kind, 4..4 + 40, Checksum::Valid),
                    (kind, second..second + 40, Checksum::Invalid)
                ],
                "{prefix}"
            );
            // One character short is none; glued to a word character, a
            // token only when its checksum holds.
            assert!(spans(&format!("={}\n", &good[..39])).is_empty(), "{prefix}");
            for glue in ["_", "-", "x", "0"] {
                assert_eq!(
                    spans(&format!("{glue}{good}")),
                    [(kind, 1..41, Checksum::Valid)],
                    "{prefix}{glue}"
                );
                assert_eq!(
                    spans(&format!("{good}{glue}")),
                    [(kind, 0..40, Checksum::Valid)],
                    "{prefix}{glue}"
                );
                assert!(spans(&format!("{glue}{bad}")).is_empty(), "{prefix}{glue}");
                assert!(spans(&format!("{bad}{glue}")).is_empty(), "{prefix}{glue}");
            }
        }
        // Other `gh?_` letters, and `gh` with no `_`, are not tokens.
        let other = classic("gha_", true);
        assert!(spans(&other).is_empty());
        let long = format!("=gh{}\n", "a1".repeat(30));
        assert!(spans(&long).is_empty());
        let no_sep = format!("=ghpx{}\n", &classic("", true));
        assert!(spans(&no_sep).is_empty());
        // `gh` at the very end of the input.
        assert!(spans("x=gh").is_empty());
        assert!(spans("x=ghp").is_empty());
    }

    #[test]
    fn fine_grained_github_has_an_exact_shape() {
        let t = |a: usize, sep: char, b: usize| {
            format!("=github_pat_{}{sep}{}\n", "A".repeat(a), "b".repeat(b))
        };
        assert_eq!(
            spans(&t(22, '_', 59)),
            [(Kind::GitHub, 1..1 + 11 + 22 + 1 + 59, Checksum::None)]
        );
        assert!(spans(&t(21, '_', 59)).is_empty());
        assert!(spans(&t(22, '-', 59)).is_empty());
        assert!(spans(&t(22, '_', 58)).is_empty());
        assert!(spans(&t(22, '_', 60)).is_empty());
    }

    #[test]
    fn gitlab_shapes() {
        let body = "abcdefghij0123456789";
        assert_eq!(
            spans(&format!("=glpat-{body};")),
            [(Kind::GitLab, 1..27, Checksum::None)]
        );
        // Longer than 20 only in the routable form.
        assert!(spans(&format!("=glpat-{body}x;")).is_empty());
        for tail in ["0y1b2c3", "0y1b2c3d", "0y1b2c3d4"] {
            let text = format!("=glpat-{body}x.01.{tail};");
            assert_eq!(
                spans(&text),
                [(Kind::GitLab, 1..text.len() - 1, Checksum::None)],
                "{tail}"
            );
        }
        for bad in [
            "x.01.0y1b2c",     // six after the second dot
            "x.01.0y1b2c3d4e", // ten
            "x.0A.0y1b2c3d",   // an upper-case letter in the two
            "x.01x0y1b2c3d",   // no second dot
            "x-01.0y1b2c3d",   // no first dot
            "x.012.0y1b2c3d",  // three between the dots
        ] {
            assert!(spans(&format!("=glpat-{body}{bad};")).is_empty(), "{bad}");
        }
    }

    #[test]
    fn token_like_runs() {
        let run = |n: usize| "a".repeat(n);
        for prefix in [
            "npm_",
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "github_pat_",
            "glpat-",
        ] {
            assert!(holds_token_like(format!("{prefix}{}", run(20)).as_bytes()));
            assert!(holds_token_like(
                format!("//x/:{prefix}{}", run(20)).as_bytes()
            ));
            assert!(!holds_token_like(
                format!("//x/:{prefix}{}", run(19)).as_bytes()
            ));
            assert!(!holds_token_like(
                format!("{prefix}{}_b", run(19)).as_bytes()
            ));
        }
        assert!(!holds_token_like(format!("gha_{}", run(30)).as_bytes()));
        assert!(!holds_token_like(b""));
    }

    #[test]
    fn checksums_of_other_lengths_are_invalid() {
        let body = &classic("", true);
        assert_eq!(classic_checksum(body.as_bytes()), Checksum::Valid);
        assert_eq!(classic_checksum(&body.as_bytes()[..35]), Checksum::Invalid);
        assert_eq!(
            classic_checksum(format!("{body}0").as_bytes()),
            Checksum::Invalid
        );
        // 0xCBF43926 in base62, most significant digit first.
        assert_eq!(&base62_crc(b"123456789"), b"3jZRME");
        assert_eq!(&base62_crc(b""), b"000000");
    }
}

//! URL reading: never panics, agrees with the parser it wraps, and a
//! registry URL whose password npm would send is always reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npmrc_guard::finding::Severity;
use npmrc_guard::{detect, standin, urlcreds};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Some(info) = urlcreds::credentials(s) else {
        return;
    };
    // A URL the WHATWG parser refuses has its userinfo read leniently, as
    // bun reads it (review 7, #9): reported failing closed; npm, which
    // refuses it, sends nothing, so the checks below do not apply.
    let Some((_, raw)) = urlcreds::parse(s.trim()) else {
        assert!(!info.username.is_empty() || !info.password.is_empty());
        return;
    };
    let decode = |p: &str| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    };
    assert_eq!(decode(&raw.username), info.username);
    assert_eq!(decode(&raw.password), info.password);
    // Written as a `registry=` value that the ini reader passes through
    // unchanged (no quotes, comments, escapes, references or line breaks,
    // nothing to trim, no U+2028/U+2029, which make npm's `ini` skip the
    // line), a password npm sends must be an error.
    let plain = !s.bytes().any(|c| matches!(c, b';' | b'#' | b'\'' | b'"' | b'\\' | b'$' | b'\r' | b'\n' | b'['))
        && !s.contains(['\u{2028}', '\u{2029}'])
        && s.trim() == s
        && s != "true" && s != "false" && s != "null";
    // A password that is one whole `%NAME%` is a reference npm will not
    // expand: SPEC keeps that a `broken-interpolation` warning.
    let is_name = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let whole_reference = info
        .password
        .strip_prefix('%')
        .and_then(|r| r.strip_suffix('%'))
        .is_some_and(is_name);
    if plain && !info.password.is_empty() && !standin::is_standin(&info.password) && !whole_reference {
        let file = format!("registry={s}\n");
        let found = detect::detect("f", file.as_bytes());
        assert!(
            found.iter().any(|d| d.finding.severity == Severity::Error),
            "missed the password in {s:?}"
        );
    }
});

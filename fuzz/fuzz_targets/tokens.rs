//! The token scanner and checksum code: matches are ordered, inside the
//! input and never overlap; a checksum is called valid exactly when it is;
//! a token built with a correct checksum is found and valid, and changing
//! any one of its characters makes it invalid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npmrc_guard::tokens::{base62_crc, classic_checksum, find_tokens, Checksum, Kind};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fuzz_target!(|data: &[u8]| {
    // Any input.
    let found = find_tokens(data);
    let mut prev_end = 0;
    for m in &found {
        assert!(m.span.start >= prev_end && m.span.start < m.span.end && m.span.end <= data.len());
        prev_end = m.span.end;
        let token = &data[m.span.clone()];
        if matches!(m.kind, Kind::Npm | Kind::GitHub) && token.len() == 40 {
            let body = &token[4..];
            assert_eq!(m.checksum, classic_checksum(body));
        }
    }

    // A well-formed token made from the input's first 30 bytes.
    if data.len() < 31 {
        return;
    }
    let random: Vec<u8> = data[..30].iter().map(|b| BASE62[*b as usize % 62]).collect();
    let prefix: &[u8] = match data[30] % 6 {
        0 => b"npm_",
        1 => b"ghp_",
        2 => b"gho_",
        3 => b"ghu_",
        4 => b"ghs_",
        _ => b"ghr_",
    };
    let mut token = prefix.to_vec();
    token.extend_from_slice(&random);
    token.extend_from_slice(&base62_crc(&random));
    let mut line = b"x=".to_vec();
    line.extend_from_slice(&token);
    line.push(b'\n');
    let found = find_tokens(&line);
    assert_eq!(found.len(), 1, "a valid token is found once");
    assert_eq!(found[0].span, 2..42);
    assert_eq!(found[0].checksum, Checksum::Valid);

    // Change one character of the random part or of the checksum to another
    // base62 character: the checksum no longer holds.
    if let Some(&k) = data.get(31) {
        let at = 4 + (k as usize % 36);
        let old = token[at];
        let pick = data.get(32).copied().unwrap_or(1) as usize % 61;
        let new = BASE62.iter().copied().filter(|&c| c != old).nth(pick).unwrap();
        token[at] = new;
        assert_eq!(classic_checksum(&token[4..]), Checksum::Invalid, "one changed character went unnoticed");
    }
});

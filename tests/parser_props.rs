//! Property tests of the parser and detectors on arbitrary bytes.

use npmrc_guard::detect::detect;
use npmrc_guard::npmrc::{lines, Quote, Value};
use proptest::prelude::*;

/// Bytes biased towards the characters `.npmrc` syntax cares about.
fn npmrcish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"=;#[]\"'\\ \t\r\n${}?:/@_".to_vec()),
        4 => prop::sample::select(b"abcnpm_ghpAZ09".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn never_panics_and_spans_stay_inside(src in prop_oneof![npmrcish(), prop::collection::vec(any::<u8>(), 0..400)]) {
        for line in lines(&src) {
            prop_assert!(line.span.end <= src.len());
            if let Some(e) = line.entry() {
                prop_assert!(e.value_span.start <= e.value_span.end);
                prop_assert!(e.value_span.end <= src.len());
                prop_assert!(line.span.start <= e.value_span.start);
                let raw = &src[e.value_span.clone()];
                // The span covers exactly the value npm reads.
                if let Value::Str(v) = &e.value {
                    match e.quote {
                        Quote::None if !raw.contains(&b'\\') => {
                            prop_assert_eq!(String::from_utf8_lossy(raw), v.as_ref());
                        }
                        Quote::Double => {
                            let json = format!("\"{}\"", String::from_utf8_lossy(raw));
                            let decoded: String = serde_json::from_str(&json).expect("was JSON");
                            prop_assert_eq!(&decoded, v.as_ref());
                        }
                        Quote::Single if !raw.starts_with(b"\"") => {
                            prop_assert_eq!(String::from_utf8_lossy(raw), v.as_ref());
                        }
                        _ => {}
                    }
                }
            }
        }
        for d in detect("f", &src) {
            prop_assert!(d.finding.span.end <= src.len());
            prop_assert!(d.finding.line >= 1 && d.finding.column >= 1);
            if let Some(site) = &d.fix {
                prop_assert!(site.span.end <= src.len());
            }
        }
    }
}

/// The token scanner against a regex statement of the same formats, with
/// word boundaries on both sides.
fn reference_tokens(input: &[u8]) -> Vec<std::ops::Range<usize>> {
    let re = regex::bytes::Regex::new(concat!(
        r"(?-u)npm_[0-9A-Za-z]{36}|gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59}",
        r"|glpat-[0-9A-Za-z_-]{20}(?:[0-9A-Za-z_-]*\.[0-9a-z]{2}\.[0-9a-z]{7,9})?",
    ))
    .expect("valid");
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut out = Vec::new();
    for start in 0..input.len() {
        if start > 0 && word(input[start - 1]) {
            continue;
        }
        if let Some(m) = re.find_at(input, start).filter(|m| m.start() == start) {
            if input.get(m.end()).is_none_or(|&b| !word(b)) {
                out.push(m.range());
            }
        }
    }
    out
}

fn tokenish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"npm_".to_vec()),
        Just(b"ghp_".to_vec()),
        Just(b"gho_".to_vec()),
        Just(b"github_pat_".to_vec()),
        Just(b"glpat-".to_vec()),
        Just(b".01.".to_vec()),
        Just(b"_".to_vec()),
        "[0-9A-Za-z]{1,40}".prop_map(String::into_bytes),
        "[a-z0-9]{7,10}".prop_map(String::into_bytes),
        prop::sample::select(b" =;#.-\n\"".to_vec()).prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn token_scanner_matches_the_reference(input in tokenish()) {
        let ours: Vec<_> = npmrc_guard::tokens::find_tokens(&input).into_iter().map(|t| t.span).collect();
        prop_assert_eq!(ours, reference_tokens(&input));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Paths shown in reports are one line of printable text, and the SARIF
    /// emitter gets the real bytes back from them.
    #[test]
    fn shown_paths_are_printable_and_reversible(
        name in prop::collection::vec(
            prop_oneof![any::<u8>(), Just(b'"'), Just(b'\\'), Just(b'\n'), Just(b'/')],
            0..40,
        )
    ) {
        use npmrc_guard::inputs::{path_bytes, shown_path};
        let shown = shown_path(&name);
        prop_assert!(!shown.chars().any(char::is_control), "{:?}", shown);
        prop_assert_eq!(path_bytes(&shown), name);
    }
}

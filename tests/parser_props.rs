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

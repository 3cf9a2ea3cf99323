//! Property tests of the fixer: fixing twice equals fixing once, nothing
//! fixable is left, and every byte outside the edits is untouched.

mod common;

use std::collections::HashMap;

use npmrc_guard::detect::detect;
use npmrc_guard::fix::pipeline::plan_file;
use npmrc_guard::fix::{apply, Strategy as FixStrategy};
use proptest::prelude::*;

fn line() -> impl Strategy<Value = String> {
    let secret = prop_oneof![
        (0u64..50).prop_map(common::npm_token),
        (0u64..50).prop_map(|s| common::github_token("ghp", s)),
        (0u64..50).prop_map(common::gitlab_token),
        "[A-Za-z0-9+/=_-]{8,30}",
    ];
    let key = prop_oneof![
        Just("//registry.npmjs.org/:_authToken"),
        Just("//npm.pkg.github.com/:_authToken"),
        Just("//r.example/:_auth"),
        Just("//r.example/:_password"),
        Just("_authToken"),
        Just("registry"),
    ];
    let sep = prop_oneof![Just("="), Just(" = "), Just("\t=")];
    let quote = prop_oneof![Just(("", "")), Just(("\"", "\"")), Just(("'", "'"))];
    let tail = prop_oneof![Just(""), Just(" ; note"), Just("#c"), Just("  ")];
    prop_oneof![
        4 => (key, sep, quote, secret.clone(), tail)
            .prop_map(|(k, s, (q1, q2), v, t)| format!("{k}{s}{q1}{v}{q2}{t}")),
        1 => secret.clone().prop_map(|v| format!("; {v}")),
        1 => secret.prop_map(|v| format!("registry=https://u:{v}@h.example/")),
        1 => Just("save-exact=true".to_string()),
        1 => Just("[sec]".to_string()),
        1 => Just(String::new()),
    ]
}

fn file() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop::collection::vec(
            (line(), prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]),
            0..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(bom, lines, last_break)| {
            let mut s = if bom {
                "\u{feff}".to_string()
            } else {
                String::new()
            };
            let n = lines.len();
            for (i, (l, e)) in lines.into_iter().enumerate() {
                s.push_str(&l);
                if i + 1 < n || last_break {
                    s.push_str(e);
                }
            }
            s.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn fix_is_idempotent_complete_and_local(src in file(), move_lines in any::<bool>()) {
        let strategy = if move_lines { FixStrategy::MoveLines } else { FixStrategy::Interpolate };
        // The one refusal by design (as in the fuzz target): URL
        // credentials npm would read otherwise than written do not move.
        let once = match plan_file("f", &src, strategy, None, &HashMap::new(), &mut Default::default()) {
            Err(e) if move_lines && e.contains("cannot be moved as written") => return Ok(()),
            other => other.expect("plans"),
        };
        // Nothing fixable left (plan_file checks it too, and errors if not).
        let twice = plan_file("f", &once.fixed, strategy, None, &HashMap::new(), &mut Default::default()).expect("plans");
        prop_assert!(twice.plan.is_empty());
        prop_assert_eq!(&twice.fixed, &once.fixed);
        // Bytes outside the edits are untouched, in order.
        let mut edits = once.plan.edits.clone();
        edits.sort_by_key(|e| e.span.start);
        let mut pos = 0;
        let mut expected = Vec::new();
        for e in &edits {
            prop_assert!(e.span.start >= pos);
            expected.extend_from_slice(&src[pos..e.span.start]);
            expected.extend_from_slice(e.text.as_bytes());
            pos = e.span.end;
        }
        expected.extend_from_slice(&src[pos..]);
        prop_assert_eq!(&expected, &once.fixed);
        prop_assert_eq!(apply(&src, &once.plan.edits), once.fixed.clone());
        let sites: Vec<std::ops::Range<usize>> = detect("f", &src)
            .into_iter()
            .filter_map(|d| d.fix.map(|f| f.span))
            .collect();
        if !move_lines {
            // Interpolation writes `${NAME}` over exactly the bytes of one
            // secret each, and over every secret.
            for e in &once.plan.edits {
                let ok = e.text.starts_with("${") && e.text.ends_with('}');
                prop_assert!(ok, "edit text {:?}", e.text);
                prop_assert!(sites.contains(&e.span), "edit {:?} is not a secret's bytes", e.span);
            }
            prop_assert_eq!(once.plan.edits.len(), sites.len());
            prop_assert_eq!(once.plan.is_empty(), sites.is_empty());
        } else {
            // A line move deletes one whole line (with its break) that holds
            // a secret, and that line goes to the user config as it was; a
            // URL loses exactly its `user:pw@`, around a secret.
            for e in &once.plan.edits {
                prop_assert!(e.text.is_empty());
                let bytes = &src[e.span.clone()];
                let whole_line = (e.span.start == 0 || matches!(src[e.span.start - 1], b'\n' | b'\r'))
                    && (e.span.end == src.len() || matches!(src[e.span.end - 1], b'\n' | b'\r'));
                let holds = sites.iter().any(|s| e.span.start <= s.start && s.end <= e.span.end);
                prop_assert!(holds, "edit {:?} holds no secret", e.span);
                if bytes.ends_with(b"@") && !bytes.contains(&b'\n') && !bytes.contains(&b'\r') && !whole_line {
                    prop_assert!(!bytes.contains(&b'/'), "{:?}", String::from_utf8_lossy(bytes));
                } else {
                    prop_assert!(whole_line, "edit {:?} is not a whole line", e.span);
                    let line = bytes.strip_suffix(b"\r\n").or_else(|| bytes.strip_suffix(b"\n")).or_else(|| bytes.strip_suffix(b"\r")).unwrap_or(bytes);
                    prop_assert!(once.plan.lines.iter().any(|l| l == line), "moved line not kept");
                }
            }
            prop_assert!(sites.iter().all(|s| once.plan.edits.iter().any(|e| e.span.start <= s.start && s.end <= e.span.end)), "a secret was not moved");
        }
    }
}

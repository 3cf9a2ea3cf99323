//! The fixer: fixing twice equals fixing once, nothing fixable is left after
//! a fix, and every byte outside the edits is unchanged, in both strategies.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use npmrc_guard::fix::pipeline::plan_file;
use npmrc_guard::fix::{apply, Names, Strategy};

fuzz_target!(|src: &[u8]| {
    for strategy in [Strategy::Interpolate, Strategy::MoveLines] {
        // plan_file re-detects after the fix and errs if anything fixable
        // is left: for any input, that is a bug.
        // The one refusal by design: URL credentials a URL parser would
        // re-encode cannot be moved to the user config as written.
        let once = match plan_file("f", src, strategy, None, &HashMap::new(), &mut Names::default()) {
            Err(e) if strategy == Strategy::MoveLines && e.contains("cannot be moved as written") => {
                continue
            }
            other => other.unwrap_or_else(|e| panic!("{strategy:?}: {e}")),
        };
        let twice = plan_file("f", &once.fixed, strategy, None, &HashMap::new(), &mut Names::default())
            .unwrap_or_else(|e| panic!("{strategy:?}, second pass: {e}"));
        assert!(twice.plan.is_empty(), "{strategy:?}: the second fix found more to do");
        assert_eq!(twice.fixed, once.fixed);

        let mut edits = once.plan.edits.clone();
        edits.sort_by_key(|e| e.span.start);
        let mut pos = 0;
        let mut expected = Vec::new();
        for e in &edits {
            assert!(e.span.start >= pos && e.span.end <= src.len(), "edits overlap or overrun");
            expected.extend_from_slice(&src[pos..e.span.start]);
            expected.extend_from_slice(e.text.as_bytes());
            pos = e.span.end;
        }
        expected.extend_from_slice(&src[pos..]);
        assert_eq!(expected, once.fixed, "bytes outside the edits changed");
        assert_eq!(apply(src, &once.plan.edits), once.fixed);
        if strategy == Strategy::Interpolate {
            for e in &once.plan.edits {
                assert!(e.text.starts_with("${") && e.text.ends_with('}'), "{:?}", e.text);
            }
            // Every rewritten secret is kept for the user: none is lost.
            assert_eq!(once.plan.moved.is_empty(), once.plan.edits.is_empty());
        } else {
            // Each edit takes out a whole line, or a URL's `user:pw@`
            // (which moves as `username` and `_password` lines).
            assert!(once.plan.lines.len() >= once.plan.edits.len());
        }
    }
});

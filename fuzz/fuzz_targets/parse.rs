//! The parser and the detectors never panic, and every span they report lies
//! inside the input, on the line it belongs to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npmrc_guard::npmrc::{self, LineKind};
use npmrc_guard::{detect, npmrc::interpolations};

fuzz_target!(|src: &[u8]| {
    let mut prev_end = 0;
    let mut prev_number = 0;
    for line in npmrc::lines(src) {
        let span = line.span.clone();
        assert!(span.start >= prev_end && span.start <= span.end && span.end <= src.len());
        assert_eq!(line.number, prev_number + 1, "line numbers count up by one");
        prev_end = span.end;
        prev_number = line.number;
        let inside = |r: &std::ops::Range<usize>| {
            assert!(span.start <= r.start && r.start <= r.end && r.end <= span.end, "{r:?} outside line {span:?}");
        };
        match &line.kind {
            LineKind::Comment(r) | LineKind::Section(r) => inside(r),
            LineKind::Entry { key, value } => {
                inside(key);
                if let Some(v) = value {
                    inside(v);
                    assert!(key.end <= v.start);
                }
            }
            LineKind::Blank | LineKind::Ignored => {}
        }
        let _ = line.section();
        if let Some(entry) = line.entry() {
            inside(&entry.value_span);
            if let Some(s) = entry.value.as_str() {
                for i in interpolations(s) {
                    assert!(i.span.start < i.span.end && i.span.end <= s.len());
                    assert_eq!(&s[i.span.start..i.span.start + 2], "${");
                }
            }
        }
    }
    assert!(prev_end <= src.len());
    let _ = npmrc::items(src);

    let line_count = src.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
    for d in detect::detect("f", src) {
        let f = &d.finding;
        assert!(f.span.start <= f.span.end && f.span.end <= src.len(), "{:?}", f.span);
        assert!(f.line >= 1 && f.line <= line_count);
        assert!(f.column >= 1);
        if let Some(site) = &d.fix {
            assert!(site.span.start < site.span.end && site.span.end <= src.len());
        }
    }
});

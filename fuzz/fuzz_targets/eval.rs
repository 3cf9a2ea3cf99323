//! The evaluator agrees with a second, literal reading of npm's env-replace
//! (`/(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g`), written position by position as
//! the JavaScript regex engine tries it: the literal residue and the number
//! of references expanded are the same for every input. A name no
//! environment holds (`standin::is_variable_name`) is unset: its `${…}`
//! stays.
#![no_main]

use libfuzzer_sys::fuzz_target;
use npmrc_guard::eval;

/// npm's env-replace with every expansion removed, as the regex reads it.
fn env_replace_residue(s: &str) -> (String, usize) {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut refs = 0;
    let mut copied = 0;
    let mut p = 0;
    while p < b.len() {
        // `(?<!\\)`: a match cannot start right after a backslash.
        if p > 0 && b[p - 1] == b'\\' {
            p += 1;
            continue;
        }
        let mut q = p;
        while q < b.len() && b[q] == b'\\' {
            q += 1;
        }
        let esc = q - p;
        if !(b.get(q) == Some(&b'$') && b.get(q + 1) == Some(&b'{')) {
            p += 1;
            continue;
        }
        let name_start = q + 2;
        let mut r = name_start;
        while r < b.len() && !matches!(b[r], b'$' | b'{' | b'}' | b'?') {
            r += 1;
        }
        if r == name_start {
            p += 1;
            continue;
        }
        let mut end = r;
        let optional = b.get(end) == Some(&b'?');
        if optional {
            end += 1;
        }
        if b.get(end) != Some(&b'}') {
            p += 1;
            continue;
        }
        end += 1;
        out.push_str(&s[copied..p]);
        if esc % 2 == 1 {
            // `orig.slice((esc.length + 1) / 2)`
            out.push_str(&s[p + (esc + 1) / 2..end]);
        } else if optional || npmrc_guard::standin::is_variable_name(&s[name_start..r]) {
            out.push_str(&s[p..p + esc / 2]);
            refs += 1;
        } else {
            // A name no environment holds (a secret pasted between the
            // braces): npm leaves `${…}` as it is, its backslashes halved.
            out.push_str(&s[p..p + esc / 2]);
            out.push_str(&s[q..end]);
        }
        copied = end;
        p = end;
    }
    out.push_str(&s[copied..]);
    (out, refs)
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let r = eval::residue(s);
    let (text, refs) = env_replace_residue(s);
    assert_eq!(r.text, text, "residue of {s:?}");
    assert_eq!(r.refs, refs, "references in {s:?}");
    assert!(r.text.len() <= s.len());
    let _ = eval::base64_lenient(s);
});

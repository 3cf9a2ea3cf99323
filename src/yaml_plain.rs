//! The plain scalars of a YAML text that span lines, read as YAML reads
//! them (pure).
//!
//! A plain (unquoted) scalar goes on over a line break when the next line
//! is indented more than the node that holds it (the key of a block
//! mapping, the `-` of a block sequence): the break folds to a space, a
//! run of empty lines to that many line breaks less one, and the next
//! line's indentation and the white space around a break are dropped.
//! pnpm reads `tarball: http://alice:<half>` / `    <half>@host/x.tgz` as
//! `http://alice:<half> <half>@host/x.tgz` and sends the password with
//! `%20` in it (review 8, #7). The scalar may start after `key: `, after
//! `- `, on the line below an empty `key:`, or inside a flow collection
//! opened on its line (`{tarball: http://…`), where `,`, `]`, `}` end it.
//!
//! Lines are found by `memchr`; a line is scanned only when the next
//! non-blank one is indented more (in a lockfile as written, only after
//! `key:`), so a large lockfile costs about one pass.

use std::ops::Range;

/// Each plain scalar of `src` that spans lines and starts outside the
/// spans `taken` (quoted and block scalars, read elsewhere): its span,
/// from its first byte to its last, and its value.
pub fn multiline(src: &[u8], taken: &[Range<usize>]) -> Vec<(Range<usize>, String)> {
    if !may_continue(src) {
        return Vec::new();
    }
    let lines = lines(src);
    // The taken spans in order, walked forward with the lines.
    let mut taken: Vec<Range<usize>> = taken.to_vec();
    taken.sort_by_key(|t| t.start);
    let mut next_taken = 0;
    let mut inside = |at: usize| {
        while next_taken < taken.len() && taken[next_taken].end <= at {
            next_taken += 1;
        }
        taken[next_taken..]
            .iter()
            .take_while(|t| t.start <= at)
            .any(|t| at < t.end)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &src[lines[i].clone()];
        // (A blank line opens nothing: a run of them is walked once.)
        if is_blank(line) {
            i += 1;
            continue;
        }
        let Some(next) = next_content(src, &lines, i + 1) else {
            break;
        };
        // Only a line with a more-indented line after it may open one.
        if indent(&src[lines[next].clone()]) <= indent(line) || inside(lines[i].start) {
            i += 1;
            continue;
        }
        let opened = match open(line) {
            Some(Open::Scalar {
                at,
                limit: Some(limit),
                flow,
            }) => Some((i, at, limit, flow)),
            Some(Open::EmptyValue { limit }) => {
                // A scalar on its own line below `key:` (comment lines
                // between them skipped).
                let below = (next..lines.len()).find(|&j| {
                    let l = &src[lines[j].clone()];
                    !is_blank(l) && !l[indent(l)..].starts_with(b"#")
                });
                match below.map(|j| (j, open(&src[lines[j].clone()]))) {
                    Some((
                        j,
                        Some(Open::Scalar {
                            at,
                            limit: None,
                            flow: false,
                        }),
                    )) if indent(&src[lines[j].clone()]) > limit => Some((j, at, limit, false)),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((first, at, limit, flow)) = opened else {
            i += 1;
            continue;
        };
        match read(src, &lines, first, at, limit, flow) {
            Some((span, value, last)) => {
                out.push((span, value));
                i = last + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// Whether a line of `src` may continue a plain scalar: its previous
/// line with content (comments skipped) does not end with `:` (a key
/// whose value is below), and it is indented deeper than that line, or
/// that line is a bare one (no `: `, no `- `: a scalar alone). One pass,
/// nothing kept; a lockfile as written has no such line, and skips the
/// rest of [`multiline`].
fn may_continue(src: &[u8]) -> bool {
    // (Indentation, ends with `:`, bare) of the last line with content.
    let mut prev: Option<(usize, bool, bool)> = None;
    let mut at = 0;
    while at < src.len() {
        let end = memchr::memchr(b'\n', &src[at..]).map_or(src.len(), |i| at + i);
        let line = &src[at..end];
        at = end + 1;
        let ind = indent(line);
        let body = &line[ind..];
        let body = &body[..body.len()
            - body
                .iter()
                .rev()
                .take_while(|c| matches!(c, b' ' | b'\t' | b'\r'))
                .count()];
        if body.is_empty() || body.starts_with(b"#") {
            continue;
        }
        if let Some((before, colon, bare)) = prev {
            if !colon && (ind > before || bare) {
                return true;
            }
        }
        let keyed =
            memchr::memchr_iter(b':', body).any(|i| matches!(body.get(i + 1), Some(b' ' | b'\t')));
        let bare = !keyed && !body.starts_with(b"- ") && body != b"-";
        prev = Some((ind, body.ends_with(b":"), bare));
    }
    false
}

/// The lines of `src`, without their line break (`\n`, `\r\n`).
fn lines(src: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for end in memchr::memchr_iter(b'\n', src) {
        let e = if end > at && src[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        out.push(at..e);
        at = end + 1;
    }
    if at < src.len() {
        out.push(at..src.len());
    }
    out
}

/// The first line from `from` on that holds more than white space.
fn next_content(src: &[u8], lines: &[Range<usize>], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&j| !is_blank(&src[lines[j].clone()]))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&c| c == b' ' || c == b'\t')
}

/// The indentation of a line: its leading spaces.
fn indent(line: &[u8]) -> usize {
    line.iter().take_while(|&&c| c == b' ').count()
}

/// What a line leaves open at its end.
#[derive(Debug, PartialEq, Eq)]
enum Open {
    /// A plain scalar starts at `at` and is not ended on the line; a line
    /// after it continues it if indented more than `limit` (`None`: the
    /// line is the scalar alone, and the node above it says).
    Scalar {
        at: usize,
        limit: Option<usize>,
        flow: bool,
    },
    /// `key:` with nothing after it at the block level: the value may be
    /// on the lines below, indented more than `limit`.
    EmptyValue { limit: usize },
}

/// What `line` leaves open at its end ([`Open`]), or `None` (a comment,
/// a quoted or block scalar, a flow collection closed on the line, …).
fn open(line: &[u8]) -> Option<Open> {
    let ind = indent(line);
    let mut p = ind;
    let mut limit = None;
    // Block sequence entries: `- - x`.
    while line.get(p) == Some(&b'-') && matches!(line.get(p + 1), None | Some(b' ' | b'\t')) {
        limit = Some(p);
        p = skip_space(line, p + 1);
    }
    let node = p;
    // Where the scalar at the line's end would start, if one does.
    let mut frag = Some(p);
    let mut depth = 0usize;
    let mut flow_limit = None;
    let mut end = line.len();
    while p < line.len() {
        let c = line[p];
        let at_frag = frag == Some(p);
        match c {
            b'\'' | b'"' if at_frag => {
                // A quoted scalar; one not closed on the line is read
                // elsewhere.
                p = quoted_end(line, p)?;
                frag = None;
                continue;
            }
            b'#' if p == 0 || matches!(line[p - 1], b' ' | b'\t') => {
                end = p;
                break;
            }
            b':' if matches!(line.get(p + 1), None | Some(b' ' | b'\t')) => {
                if depth == 0 {
                    limit = Some(node);
                }
                frag = Some(skip_space(line, p + 1));
                p += 1;
                continue;
            }
            b'{' | b'[' if at_frag => {
                if depth == 0 {
                    flow_limit = Some(limit.unwrap_or(ind));
                }
                depth += 1;
                frag = Some(skip_space(line, p + 1));
                p += 1;
                continue;
            }
            b',' if depth > 0 => {
                frag = Some(skip_space(line, p + 1));
                p += 1;
                continue;
            }
            b'}' | b']' if depth > 0 => {
                depth -= 1;
                frag = None;
            }
            b'&' | b'!' if at_frag => {
                // An anchor or a tag before the scalar.
                let word = line[p..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t'))
                    .map_or(line.len(), |i| p + i);
                frag = Some(skip_space(line, word));
                p = word;
                continue;
            }
            _ => {}
        }
        p += 1;
    }
    let end = end
        - line[..end]
            .iter()
            .rev()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
    let Some(at) = frag.filter(|&f| f < end) else {
        // `key:` at the block level with its value below.
        return (depth == 0 && frag.is_some() && limit.is_some() && line[..end].ends_with(b":"))
            .then(|| Open::EmptyValue {
                limit: limit.unwrap_or(ind),
            });
    };
    let first = line[at];
    let indicator = matches!(
        first,
        b'[' | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b','
    ) || (matches!(first, b'-' | b'?' | b':')
        && matches!(line.get(at + 1), None | Some(b' ' | b'\t')));
    if indicator {
        return None;
    }
    let limit = if depth > 0 { flow_limit } else { limit };
    Some(Open::Scalar {
        at,
        limit,
        flow: depth > 0,
    })
}

fn skip_space(line: &[u8], from: usize) -> usize {
    from + line[from.min(line.len())..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count()
}

/// Where the quoted scalar opening at `at` ends on `line` (past its
/// closing quote), if it does.
fn quoted_end(line: &[u8], at: usize) -> Option<usize> {
    let quote = line[at];
    let mut p = at + 1;
    while p < line.len() {
        match line[p] {
            b'\\' if quote == b'"' => p += 2,
            c if c == quote && quote == b'\'' && line.get(p + 1) == Some(&b'\'') => p += 2,
            c if c == quote => return Some(p + 1),
            _ => p += 1,
        }
    }
    None
}

/// The scalar that starts at `at` on line `first` and goes on over the
/// lines indented more than `limit`: its span, its value and its last
/// line, or `None` when no line continues it.
fn read(
    src: &[u8],
    lines: &[Range<usize>],
    first: usize,
    at: usize,
    limit: usize,
    flow: bool,
) -> Option<(Range<usize>, String, usize)> {
    let start = lines[first].start + at;
    let head = &src[start..lines[first].end];
    let (head, mut ended) = part(head, flow, true);
    let mut parts: Vec<(usize, &[u8])> = vec![(0, head)];
    let mut span_end = start + head.len();
    let mut last = first;
    let mut blanks = 0;
    let mut j = first + 1;
    while !ended && j < lines.len() {
        let line = &src[lines[j].clone()];
        if is_blank(line) {
            blanks += 1;
            j += 1;
            continue;
        }
        let ind = indent(line);
        let body = &line[skip_space(line, ind)..];
        if ind <= limit || body.starts_with(b"#") {
            break;
        }
        let (text, stop) = part(body, flow, false);
        ended = stop;
        span_end = lines[j].start + (line.len() - body.len()) + text.len();
        parts.push((blanks, text));
        blanks = 0;
        last = j;
        j += 1;
    }
    if last == first {
        return None;
    }
    let mut value = String::new();
    for (k, (blanks_before, text)) in parts.into_iter().enumerate() {
        if k > 0 {
            if blanks_before == 0 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', blanks_before));
            }
        }
        value.push_str(&String::from_utf8_lossy(text));
    }
    Some((start..span_end, value, last))
}

/// The part of a line a plain scalar holds, white space around it
/// dropped, and whether the scalar ends on it: at ` #` (a comment), at
/// `: ` (a key; an error on a continuation line, but nothing is lost by
/// reading up to it), and in a flow collection at `,`, `]` or `}`. The
/// head (`first`) is already cut where the scalar starts.
fn part(line: &[u8], flow: bool, first: bool) -> (&[u8], bool) {
    let mut end = line.len();
    let mut stop = false;
    for (p, &c) in line.iter().enumerate() {
        let spaced_before = p > 0 && matches!(line[p - 1], b' ' | b'\t');
        let spaced_after = matches!(line.get(p + 1), None | Some(b' ' | b'\t'));
        let ends = (c == b'#' && (spaced_before || (!first && p == 0)))
            || (c == b':' && spaced_after)
            || (flow && matches!(c, b',' | b']' | b'}'));
        if ends {
            end = p;
            stop = true;
            break;
        }
    }
    let text = &line[..end];
    let trimmed = text.len()
        - text
            .iter()
            .rev()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
    (&text[..trimmed], stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(src: &str) -> Vec<(String, String)> {
        multiline(src.as_bytes(), &[])
            .into_iter()
            .map(|(r, v)| (src[r].to_string(), v))
            .collect()
    }

    fn value_of(src: &str) -> Vec<String> {
        values(src).into_iter().map(|(_, v)| v).collect()
    }

    #[test]
    fn a_plain_scalar_goes_on_over_more_indented_lines() {
        // Review 8, #7: pnpm-lock.yaml's tarball, split after a key.
        let src = "packages:\n  x@1:\n    resolution:\n      tarball: http://alice:Kq7\n        vRm@h/x.tgz\n  y@1: {}\n";
        assert_eq!(
            values(src),
            [(
                "http://alice:Kq7\n        vRm@h/x.tgz".to_string(),
                "http://alice:Kq7 vRm@h/x.tgz".to_string()
            )]
        );
        // Any deeper indentation, white space around the break, CRLF.
        assert_eq!(value_of("t: a  \n b\t\r\n     c\nu: 1\n"), ["a b c"]);
        // Empty lines are line breaks, one less.
        assert_eq!(value_of("t: a\n\n  b\n\n\n  c\n"), ["a\nb\n\nc"]);
        // On its own line below `key:` (a comment between), continued at
        // the same indentation.
        assert_eq!(value_of("t:\n  # c\n  a\n  b\n"), ["a b"]);
        assert_eq!(
            value_of("a:\n  t:\n    http://u:p\n    w@h/\n  b: 1\n"),
            ["http://u:p w@h/"]
        );
        // After `- `, `- - ` and `- key: `.
        assert_eq!(
            value_of("l:\n  - http://u:p\n    w@h/\n"),
            ["http://u:p w@h/"]
        );
        assert_eq!(value_of("- - a\n    b\n"), ["a b"]);
        assert_eq!(value_of("- k: a\n    b\n  j: 1\n"), ["a b"]);
        // Behind an anchor or a tag.
        assert_eq!(value_of("t: &x !!str a\n  b\n"), ["a b"]);
        // In a flow mapping opened on the line: `,` and `}` end it.
        assert_eq!(
            value_of(
                "    resolution: {integrity: sha512-x, tarball: http://a:b\n      c@h/x.tgz}\n"
            ),
            ["http://a:b c@h/x.tgz"]
        );
        assert_eq!(value_of("r: {t: a\n  b, u: c}\n"), ["a b"]);
        // A comment ends it; a comment line below is no part of it.
        assert_eq!(value_of("t: a\n  b # c\n  d\n"), ["a b"]);
        assert_eq!(value_of("t: a # c\n  d\n"), Vec::<String>::new());
        assert_eq!(value_of("t: a\n  # c\n  d\n"), Vec::<String>::new());
        // A `#` inside a word, a `:` not before a space, are text.
        assert_eq!(value_of("t: http://h/#x\n  b:c\n"), ["http://h/#x b:c"]);
    }

    #[test]
    fn the_pre_filter_passes_every_scalar_found() {
        for src in [
            "t: a  \n b\t\r\n     c\nu: 1\n",
            "t: a\n\n  b\n",
            "a:\n  t:\n    http://u:p\n    w@h/\n  b: 1\n",
            "a:\n  t:\n      http://u:p\n    w@h/\n",
            "l:\n  - http://u:p\n    w@h/\n",
            "- k: a\n    b\n",
            "r: {t: a\n  b, u: c}\n",
            "t: a\n  # c\n  b\n",
        ] {
            assert!(may_continue(src.as_bytes()), "{src:?}");
        }
        // A lockfile as written has none.
        let lock = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      x:\n        specifier: ^1\n        version: 1.0.0\n\npackages:\n\n  x@1.0.0:\n    resolution: {integrity: sha512-A}\n    engines: {node: '>=6'}\n    os:\n      - linux\n      - darwin\n";
        assert!(!may_continue(lock.as_bytes()));
    }

    #[test]
    fn linear_whatever_the_shape() {
        // Runs of blank and of comment lines: each walked once (a run of
        // 400,000 walked once per line would not end).
        let n = 400_000;
        let src = format!(
            "x: 1\n{}t: a\n{}  b\nu:\n{}  c\n  d\n",
            "\n".repeat(n),
            "\n".repeat(n),
            "  # x\n".repeat(n)
        );
        let found = value_of(&src);
        assert_eq!(found[0], format!("a{}b", "\n".repeat(n)));
        assert_eq!(found[1], "c d");
    }

    #[test]
    fn what_is_no_multi_line_plain_scalar() {
        for src in [
            // A lockfile as written: keys with their values below.
            "packages:\n  x@1:\n    resolution: {integrity: sha512-x}\n    engines: {node: '>=6'}\n",
            "a: 1\nb:\n  c: 2\n  d:\n    - e\n    - f\n",
            "- k: v\n  j: w\n",
            // The same indentation, or less: another node.
            "a: b\nc: d\n",
            // Quoted, block and flow scalars are read elsewhere.
            "t: \"a\n  b\"\n",
            "t: 'a''s\n  b'\n",
            "t: |\n  a\n  b\n",
            "t: >-\n  a\n  b\n",
            "t: {a: b}\n  c\n",
            "t: [a, b]\n  c\n",
            "t: *ref\n  c\n",
            "# a: b\n  c\n",
            "",
            "\n\n",
            "t:",
        ] {
            assert_eq!(values(src), Vec::<(String, String)>::new(), "{src:?}");
        }
        // A span taken by another reader is skipped.
        let src = "t: a\n  b\n";
        let taken = [Range {
            start: 0,
            end: src.len(),
        }];
        assert!(multiline(src.as_bytes(), &taken).is_empty());
    }
}

//! Which of the tokens written in a credential's value npm sends, when it
//! decodes or expands the value first (pure).
//!
//! A quoted, escaped or interpolated value's literal residue is not its
//! bytes: each token found in the file is looked for in the residue.
//! Searching the whole residue once per token, and cutting each token out
//! of a copy of it, made a line of many tokens quadratic (a 4 MB line took
//! 30 s). [`find`] reads the residue once, whatever the number of tokens.

use std::collections::HashMap;

/// What [`find`] found.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    /// The indices, in the slice [`find`] was given, of the tokens the
    /// residue holds somewhere.
    pub sent: Vec<usize>,
    /// The residue without them: each taken out at the first place it
    /// occurs after the one taken out before it (a token that occurs only
    /// earlier is left in; the tokens of a residue occur in the order the
    /// file wrote them).
    pub rest: String,
    /// Bytes looked at: at most a small multiple of the residue's length
    /// and the tokens', whatever their number (tests check that).
    pub work: usize,
}

/// Which of `tokens` (in the order the file holds them, each non-empty)
/// occur in `residue`, and the residue without them.
pub fn find(residue: &str, tokens: &[&str]) -> Found {
    let bytes = residue.as_bytes();
    // Where each distinct token occurs in the residue, in order, and how
    // many of those places the walk below has passed.
    let mut places: HashMap<&[u8], (Vec<usize>, usize)> = tokens
        .iter()
        .map(|t| (t.as_bytes(), (Vec::new(), 0)))
        .collect();
    // The lengths to look up where a run of word characters of length
    // `run` starts: a token made only of word characters fits where the run
    // is at least as long as it is (`open`); one whose first run ends
    // inside it (`glpat-….xx.yyyyyyy`) only where the run is as long as its
    // own (`closed`). So few lengths are looked up at each place, however
    // many lengths the tokens have.
    let mut open: Vec<usize> = Vec::new();
    let mut closed: HashMap<usize, Vec<usize>> = HashMap::new();
    for t in tokens
        .iter()
        .map(|t| t.as_bytes())
        .filter(|t| !t.is_empty())
    {
        match word_run(t, 0) {
            run if run == t.len() => open.push(t.len()),
            run => closed.entry(run).or_default().push(t.len()),
        }
    }
    open.sort_unstable();
    open.dedup();
    for lens in closed.values_mut() {
        lens.sort_unstable();
        lens.dedup();
    }
    // A token can start only where one of the tokens' first four bytes
    // are: only there are the bytes that follow looked up.
    let mut heads: Vec<&[u8]> = tokens
        .iter()
        .map(|t| &t.as_bytes()[..t.len().min(4)])
        .filter(|h| !h.is_empty())
        .collect();
    heads.sort_unstable();
    heads.dedup();
    let mut first = [false; 256];
    for h in &heads {
        first[usize::from(h[0])] = true;
    }
    let mut work = bytes.len();
    // The end of the run of word characters the walk is in: each byte is
    // read once to find it, however many places share the run.
    let mut run_end = 0;
    for (p, &b) in bytes.iter().enumerate() {
        if !first[usize::from(b)] || !heads.iter().any(|h| bytes[p..].starts_with(h)) {
            continue;
        }
        if run_end <= p {
            run_end = p + word_run(bytes, p);
            work += run_end - p;
        }
        let run = run_end - p;
        let lens = open
            .iter()
            .take_while(|&&len| len <= run)
            .chain(closed.get(&run).into_iter().flatten());
        for &len in lens {
            if let Some(window) = bytes.get(p..p + len) {
                work += len;
                if let Some((at, _)) = places.get_mut(window) {
                    at.push(p);
                }
            }
        }
    }
    let mut sent = Vec::new();
    let mut rest = String::with_capacity(residue.len());
    let mut cursor = 0;
    for (i, t) in tokens.iter().enumerate() {
        let Some((at, passed)) = places.get_mut(t.as_bytes()) else {
            continue;
        };
        if at.is_empty() {
            continue;
        }
        sent.push(i);
        while at.get(*passed).is_some_and(|&p| p < cursor) {
            *passed += 1;
            work += 1;
        }
        if let Some(&p) = at.get(*passed) {
            // Tokens are ASCII: `p` and `p + len` are character boundaries.
            rest.push_str(&residue[cursor..p]);
            work += p - cursor;
            cursor = p + t.len();
            *passed += 1;
        }
    }
    rest.push_str(&residue[cursor..]);
    work += residue.len() - cursor;
    Found { sent, rest, work }
}

/// The length of the run of word characters (`[0-9A-Za-z_-]`, what a token
/// is made of) at `at`.
fn word_run(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the detector did before: a search of the whole residue per
    /// token, and each cut out of a copy where it first occurs.
    fn quadratic(residue: &str, tokens: &[&str]) -> (Vec<usize>, String) {
        let sent: Vec<usize> = (0..tokens.len())
            .filter(|&i| residue.contains(tokens[i]))
            .collect();
        let mut rest = residue.to_string();
        for &i in &sent {
            if let Some(at) = rest.find(tokens[i]) {
                rest.replace_range(at..at + tokens[i].len(), "");
            }
        }
        (sent, rest)
    }

    #[test]
    fn tokens_in_order_are_cut_out() {
        let got = find("xAAAAyBBBBz", &["AAAA", "CCCC", "BBBB"]);
        assert_eq!(got.sent, [0, 2]);
        assert_eq!(got.rest, "xyz");
        // The same token twice, and a token that is a prefix of another.
        let got = find("AAAA,AAAA,AAAAB", &["AAAA", "AAAA", "AAAAB"]);
        assert_eq!(got.sent, [0, 1, 2]);
        assert_eq!(got.rest, ",,");
        assert_eq!(find("", &["AAAA"]).sent, Vec::<usize>::new());
        assert_eq!(find("abc", &[]).rest, "abc");
        // Not UTF-8 boundaries of their own: multi-byte text around.
        assert_eq!(find("é npm_x é", &["npm_x"]).rest, "é  é");
    }

    #[test]
    fn agrees_with_a_search_per_token_when_tokens_are_in_order() {
        let pool = [
            "npm_aaaa",
            "npm_bbbb",
            "ghp_cccc",
            "gh",
            "npm_aa",
            "glpat-a.b",
            "glpat-aa.b",
        ];
        // Every sequence of up to four pool tokens, separated by text.
        let mut cases = vec![Vec::new()];
        for _ in 0..4 {
            let next: Vec<Vec<usize>> = cases
                .iter()
                .flat_map(|c: &Vec<usize>| {
                    (0..pool.len()).map(move |i| {
                        let mut c = c.clone();
                        c.push(i);
                        c
                    })
                })
                .collect();
            cases.extend(next);
        }
        for case in cases {
            let tokens: Vec<&str> = case.iter().map(|&i| pool[i]).collect();
            for sep in ["", ",", "x${A}"] {
                let residue = tokens.join(sep);
                let got = find(&residue, &tokens);
                let (sent, rest) = quadratic(&residue, &tokens);
                assert_eq!(got.sent, sent, "{residue:?}");
                assert_eq!(got.rest.len(), rest.len(), "{residue:?}");
            }
        }
    }

    /// The shapes that were quadratic: many tokens in a quoted, an escaped
    /// and an interpolated value. The work stays within a small multiple of
    /// the input; a search per token would be about `tokens × length / 2`.
    #[test]
    fn work_is_linear_in_the_residue() {
        let tokens: Vec<String> = (0..5_000).map(|i| format!("npm_{i:036}")).collect();
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        for sep in ["\",\"", ";", "${X?}", ""] {
            let residue = refs.join(sep);
            let input = residue.len() + refs.iter().map(|t| t.len()).sum::<usize>();
            let got = find(&residue, &refs);
            assert_eq!(got.sent.len(), refs.len());
            assert_eq!(got.rest, sep.repeat(refs.len() - 1));
            assert!(
                got.work <= 3 * input,
                "{sep:?}: {} units of work for {input} bytes",
                got.work
            );
        }
        // GitLab tokens of many lengths (`glpat-<run>.xx.yyyyyyy`, and a
        // run of `glpat-` glued together): few lengths are looked up at
        // each place.
        let gitlab: Vec<String> = (0..2_000)
            .map(|i| format!("glpat-{}.ab.cdefghi", "x".repeat(20 + i)))
            .collect();
        let gitlab: Vec<&str> = gitlab.iter().map(String::as_str).collect();
        let residue = format!("{}{}", gitlab.join(" "), "glpat-".repeat(100_000));
        let input = residue.len() + gitlab.iter().map(|t| t.len()).sum::<usize>();
        let got = find(&residue, &gitlab);
        assert_eq!(got.sent.len(), gitlab.len());
        assert!(got.work <= 3 * input, "{} for {input}", got.work);
        // Tokens the residue does not hold cost no search each.
        let absent: Vec<String> = (0..5_000).map(|i| format!("npm_{i:036}x")).collect();
        let absent: Vec<&str> = absent.iter().map(String::as_str).collect();
        let residue = refs.join(" ");
        let got = find(&residue, &absent);
        assert!(got.sent.is_empty());
        assert!(got.work <= 3 * (residue.len() + 5_000 * 41), "{}", got.work);
    }
}

//! Fixes as data (pure): which `${VAR}` replaces each literal secret, and
//! one function that applies byte-range edits to a file.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::detect::{Detected, Field};

/// Replace `span` of the input with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub text: String,
}

/// A secret a fix removes from the file, and the variable that now names it.
#[derive(Clone, PartialEq, Eq)]
pub struct Moved {
    pub var: String,
    pub value: crate::finding::Secret,
}

impl std::fmt::Debug for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Moved({}={})", self.var, self.value)
    }
}

/// What decides a secret's variable name, across the files of one fix.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Secret → the name it was given, so one secret gets one name.
    pub by_secret: HashMap<String, String>,
    /// The names in `by_secret`, as a set: asking costs one look-up, so a
    /// file of 100,000 secrets is not 100,000² comparisons.
    pub given: HashSet<String>,
    /// Names the files already reference (`${NAME}`) for something else.
    pub referenced: HashSet<String>,
    /// Names the chosen store already holds, with their values.
    pub store: HashMap<String, String>,
}

impl Names {
    /// Whether `name` may be given to `secret`: no other secret has it, the
    /// files do not reference it for anything else, and the store does not
    /// hold it with another value.
    fn free_for(&self, name: &str, secret: &str) -> bool {
        let same_in_store = self.store.get(name).map(|v| v == secret);
        !self.given.contains(name)
            && same_in_store != Some(false)
            && (same_in_store == Some(true) || !self.referenced.contains(name))
    }
}

/// The names `src` references as `${NAME}` or `${NAME?}` (npm's syntax).
pub fn referenced_names(src: &[u8]) -> HashSet<String> {
    static REF: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"\$\{([^${}?]+)\??\}").expect("valid regex")
    });
    REF.captures_iter(src)
        .map(|c| String::from_utf8_lossy(&c[1]).into_owned())
        .collect()
}

/// Variable names for the fixable findings of one file (SPEC.md, "Fix"):
/// `NPM_TOKEN` / `NPM_AUTH` / `NPM_PASSWORD` when the file holds one
/// distinct secret; otherwise one per registry, `NPM_TOKEN_<HOST>`; the same
/// secret always gets the same name. `vars` maps a registry host to a name
/// the user chose; `single` overrides the name when there is one secret.
pub fn assign_vars(found: &mut [Detected], vars: &HashMap<String, String>, single: Option<&str>) {
    assign_vars_with(found, vars, single, &mut Names::default());
}

/// [`assign_vars`], starting from (and extending) `names`, so the staged
/// blob and the work-tree file of the same path name the same secret alike.
/// Returns the variable of each finding (the fix as data); the finding's
/// `fix` text shows it as `${NAME}`.
pub fn assign_vars_with(
    found: &mut [Detected],
    vars: &HashMap<String, String>,
    single: Option<&str>,
    names: &mut Names,
) -> Vec<Option<String>> {
    let mut distinct: HashSet<&str> = HashSet::new();
    for d in found.iter() {
        if let (Some(_), Some(s)) = (&d.fix, &d.secret) {
            distinct.insert(s.expose());
        }
    }
    let several = distinct.len() > 1;
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(found.len());
    for d in found.iter_mut() {
        let (Some(site), Some(secret)) = (&d.fix, &d.secret) else {
            out.push(None);
            continue;
        };
        let name = match names.by_secret.get(secret.expose()) {
            Some(name) => name.clone(),
            None => {
                let host = d.finding.host.as_deref();
                let wanted = host
                    .and_then(|h| vars.get(h).cloned())
                    .or_else(|| (!several).then(|| single.map(str::to_string)).flatten())
                    .unwrap_or_else(|| default_name(site.field, host, several));
                let name = unique(wanted, &mut next_suffix, names, secret.expose());
                names.given.insert(name.clone());
                names
                    .by_secret
                    .insert(secret.expose().to_string(), name.clone());
                name
            }
        };
        d.finding.fix = Some(format!("${{{name}}}"));
        out.push(Some(name));
    }
    out
}

fn default_name(field: Field, host: Option<&str>, several: bool) -> String {
    let base = field.var_base();
    match host {
        Some(host) if several => {
            let suffix: String = host
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("{base}_{suffix}")
        }
        _ => base.to_string(),
    }
}

/// `wanted`, or the first of `wanted_2`, `wanted_3`, … free for `secret`.
/// `next` remembers, per wanted name, where the run of names already given
/// ends (those are never free again), so the n-th `NPM_TOKEN_HOST` costs one
/// try, not n.
fn unique(
    wanted: String,
    next: &mut HashMap<String, usize>,
    names: &Names,
    secret: &str,
) -> String {
    if names.free_for(&wanted, secret) {
        return wanted;
    }
    let start = next.entry(wanted.clone()).or_insert(2);
    let mut given_so_far = true;
    let mut n = *start;
    loop {
        let candidate = format!("{wanted}_{n}");
        if names.free_for(&candidate, secret) {
            return candidate;
        }
        // A name only this secret cannot take (the store holds it with
        // another value) may suit the next one: the run ends there.
        given_so_far &= names.given.contains(&candidate);
        if given_so_far {
            *start = n + 1;
        }
        n += 1;
    }
}

/// How a fix takes the secrets out of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Replace each secret with `${VAR}`.
    Interpolate,
    /// Delete each line holding a secret (it moves to the user's npm config).
    MoveLines,
}

/// Everything a fix of one file does, as data.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub edits: Vec<Edit>,
    /// Variables and the secrets they now stand for (Interpolate).
    pub moved: Vec<Moved>,
    /// Credential lines for the user config, without their line break
    /// (MoveLines): whole `//host/:` lines taken out of the file, and
    /// `//host/:username` / `:_password` for credentials taken out of a URL.
    pub lines: Vec<Vec<u8>>,
    /// Lines (1-based) of URL credentials that cannot move as written.
    pub refused: Vec<usize>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// The plan that rewrites every fixable finding of `src`.
pub fn plan(src: &[u8], found: &[Detected], vars: &[Option<String>], strategy: Strategy) -> Plan {
    match strategy {
        Strategy::Interpolate => {
            let (edits, moved) = edits(found, vars);
            Plan {
                edits,
                moved,
                ..Plan::default()
            }
        }
        Strategy::MoveLines => {
            let mut plan = Plan::default();
            // Spans already taken out, by start: findings come in order of
            // position, so the last edit is asked first and a long line of
            // many findings is not searched for its ends again and again.
            let mut taken_out: HashSet<usize> = HashSet::new();
            for d in found.iter().filter(|d| d.fix.is_some()) {
                let at = d.finding.span.start;
                if plan.edits.last().is_some_and(|e| e.span.contains(&at)) {
                    continue;
                }
                let key = d.finding.key.as_deref().unwrap_or("");
                let credential_key = key.starts_with("//")
                    || ["_authToken", "_auth", "_password", "username"].contains(&key);
                if !credential_key {
                    // A URL with `user:pw@` (`registry=`, `@scope:registry=`):
                    // the setting stays, only its credentials move.
                    match url_credentials(src, d.finding.span.start) {
                        Some((edit, lines)) => {
                            if taken_out.insert(edit.span.start) {
                                plan.edits.push(edit);
                                plan.lines.extend(lines);
                            }
                        }
                        None => plan.refused.push(d.finding.line),
                    }
                    continue;
                }
                let (line, with_break) = line_around(src, at);
                if !taken_out.insert(with_break.start) {
                    continue;
                }
                plan.lines.push(src[line].to_vec());
                plan.edits.push(Edit {
                    span: with_break,
                    text: String::new(),
                });
            }
            plan
        }
    }
}

/// The credentials of the URL around byte `at` (in its password): the edit
/// that removes `user:pw@`, and the `//host/path/:username` and
/// `:_password` lines (base64, as npm wants it) that say the same to npm.
/// npm sends URL credentials as the URL spells them (percent-encoded), so
/// they move as written; `None` for a URL whose credentials WHATWG would
/// re-encode, or that is not `scheme://user:pw@host`.
fn url_credentials(src: &[u8], at: usize) -> Option<(Edit, Vec<Vec<u8>>)> {
    let (line, _) = line_around(src, at);
    let text = &src[line.clone()];
    let rel = at - line.start;
    let sep = text[..rel].windows(3).rposition(|w| w == b"://")?;
    let ui = sep + 3;
    // The userinfo ends at the authority's last `@`, as a URL parser reads
    // it (`https://u:p@w@host/`: the password is `p@w`).
    let authority = text[ui..]
        .iter()
        .position(|&b| b"/?#\\".contains(&b))
        .unwrap_or(text.len() - ui);
    let end_at = ui + text[ui..ui + authority].iter().rposition(|&b| b == b'@')?;
    if end_at < rel {
        return None;
    }
    let colon = ui + text[ui..end_at].iter().position(|&b| b == b':')?;
    let (user, pw) = (&text[ui..colon], &text[colon + 1..end_at]);
    let safe = |b: &u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(b);
    if user.is_empty() || pw.is_empty() || !user.iter().all(safe) || !pw.iter().all(safe) {
        return None;
    }
    let rest = &text[end_at + 1..];
    let url_end = rest
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b"\"';#".contains(&b))
        .unwrap_or(rest.len());
    let hostpath = std::str::from_utf8(&rest[..url_end]).ok()?;
    let hostpath = hostpath.split(['?', '#']).next().unwrap_or("");
    let (host, path) = match hostpath.find('/') {
        Some(i) => (&hostpath[..i], &hostpath[i..]),
        None => (hostpath, "/"),
    };
    let scheme = std::str::from_utf8(&text[..sep])
        .ok()?
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
        .next()?
        .to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    let host = match (scheme.as_str(), host.rsplit_once(':')) {
        ("https", Some((h, "443"))) | ("http", Some((h, "80"))) => h.to_string(),
        _ => host,
    };
    if host.is_empty() {
        return None;
    }
    let dir = &path[..=path.rfind('/')?];
    let nerf = format!("//{host}{dir}");
    let user = String::from_utf8_lossy(user);
    let lines = vec![
        format!("{nerf}:username={user}").into_bytes(),
        format!("{nerf}:_password={}", base64(pw)).into_bytes(),
    ];
    let edit = Edit {
        span: line.start + ui..line.start + end_at + 1,
        text: String::new(),
    };
    Some((edit, lines))
}

/// Standard base64 with padding, as npm reads `_password`.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The line holding byte `at`: its range without, then with, its line break
/// (`\n`, `\r\n` or `\r`).
fn line_around(src: &[u8], at: usize) -> (Range<usize>, Range<usize>) {
    let start = src[..at]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let end = src[at..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(src.len(), |i| at + i);
    let brk = match (src.get(end), src.get(end + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(_), _) => 1,
        (None, _) => 0,
    };
    (start..end, start..end + brk)
}

/// The edits that rewrite every fixable finding to its variable (`vars`,
/// one per finding, from [`assign_vars_with`]), and the secrets they move.
pub fn edits(found: &[Detected], vars: &[Option<String>]) -> (Vec<Edit>, Vec<Moved>) {
    let mut edits = Vec::new();
    let mut moved: Vec<Moved> = Vec::new();
    let mut kept: HashSet<&str> = HashSet::new();
    for (d, var) in found.iter().zip(vars) {
        let (Some(site), Some(secret), Some(var)) = (&d.fix, &d.secret, var) else {
            continue;
        };
        edits.push(Edit {
            span: site.span.clone(),
            text: format!("${{{var}}}"),
        });
        if kept.insert(var) {
            moved.push(Moved {
                var: var.clone(),
                value: secret.clone(),
            });
        }
    }
    (edits, moved)
}

/// Apply `edits` to `src`. Edits are applied in order of position (ties in
/// the order given); one that
/// overlaps an earlier one is skipped. Bytes outside the edits are copied
/// unchanged.
pub fn apply(src: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.span.start);
    let mut out = Vec::with_capacity(src.len());
    let mut pos = 0;
    for e in sorted {
        if e.span.start < pos || e.span.end > src.len() {
            continue;
        }
        out.extend_from_slice(&src[pos..e.span.start]);
        out.extend_from_slice(e.text.as_bytes());
        pos = e.span.end;
    }
    out.extend_from_slice(&src[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_around_handles_every_line_end() {
        let src = b"a=1\r\nb=2\rc=3";
        assert_eq!(line_around(src, 5), (5..8, 5..9));
        assert_eq!(line_around(src, 0), (0..3, 0..5));
        assert_eq!(line_around(src, 10), (9..12, 9..12));
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"pa55-word"), "cGE1NS13b3Jk");
    }

    #[test]
    fn url_credentials_move_as_keys_and_the_url_stays() {
        let src = b"registry=https://deploy:pa55@Reg.example:443/api/npm/x?y\n";
        let (edit, lines) = url_credentials(src, 24).expect("moves");
        assert_eq!(
            apply(src, &[edit]),
            b"registry=https://Reg.example:443/api/npm/x?y\n".to_vec()
        );
        assert_eq!(
            lines,
            vec![
                b"//reg.example/api/npm/:username=deploy".to_vec(),
                b"//reg.example/api/npm/:_password=cGE1NQ==".to_vec()
            ]
        );
        assert!(url_credentials(b"registry=https://a:p\"w@h/\n", 20).is_none());
        // The userinfo ends at the last `@` (found by the `fix` fuzz target):
        // the password is `p@x:q`, which cannot move as written.
        assert!(url_credentials(b"registry=https://u:p@x:q@h.example/\n", 20).is_none());
        // A space is inside the userinfo too (a URL parser encodes it).
        assert!(url_credentials(b"registry=https://u:p@x y@h.example/\n", 20).is_none());
    }

    #[test]
    fn apply_keeps_other_bytes() {
        let src = b"\xEF\xBB\xBFa=1\r\nb=22\rc=3";
        let e = [
            Edit {
                span: 15..16,
                text: "X".into(),
            },
            Edit {
                span: 10..12,
                text: "${Y}".into(),
            },
            Edit {
                span: 10..11,
                text: "overlap".into(),
            },
        ];
        assert_eq!(apply(src, &e), b"\xEF\xBB\xBFa=1\r\nb=${Y}\rc=X".to_vec());
    }
}

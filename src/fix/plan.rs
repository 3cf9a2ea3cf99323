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
    /// Names the environment of this run sets, with their values: npm
    /// would send such a value for a `${NAME}` the fix writes.
    pub set: HashMap<String, String>,
}

impl Names {
    /// Whether `name` may be given to `secret`: no other secret has it, the
    /// files do not reference it for anything else, and the store does not
    /// hold it with another value, nor does the environment.
    fn free_for(&self, name: &str, secret: &str) -> bool {
        if self.set.get(name).is_some_and(|v| v != secret) {
            return false;
        }
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
        d.finding.fix = Some(crate::files::reference(&d.finding.path, &name));
        out.push(Some(name));
    }
    out
}

fn default_name(field: Field, host: Option<&str>, several: bool) -> String {
    let base = field.var_base();
    match host {
        // A host that holds a token would spell it in the name.
        Some(host) if several && !crate::tokens::holds_token_like(host.as_bytes()) => {
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
            // A name npm would take for no variable's (a part of the host
            // that looks random: see `standin::is_fixer_name`) would
            // leave the reference sent as text: the plain name instead.
            let name = format!("{base}_{suffix}");
            if crate::standin::is_fixer_name(&name) {
                name
            } else {
                base.to_string()
            }
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
    /// URL credentials that cannot move as written.
    pub refused: Vec<Refused>,
    /// yarn 2+ settings for the user's `~/.yarnrc.yml` (MoveLines of a
    /// `.yarnrc.yml`).
    pub settings: Vec<crate::fix::yarn_move::Setting>,
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
            // The `//host/path/` of every credential key of the file, read
            // once, when a URL's credentials are about to move.
            let mut credentialed: Option<HashSet<String>> = None;
            // Evaluated keys of the whole lines that move, with their line.
            let mut moved_keys: Vec<(String, usize)> = Vec::new();
            for d in found.iter().filter(|d| d.fix.is_some()) {
                let at = d.finding.span.start;
                if plan.edits.last().is_some_and(|e| e.span.contains(&at)) {
                    continue;
                }
                let key = d.finding.key.as_deref().unwrap_or("");
                if ["_authToken", "_auth", "_password", "username"].contains(&key) {
                    // Without `//host/:`, the user config would offer it
                    // to every project's default registry.
                    plan.refused.push(Refused {
                        line: d.finding.line,
                        why: Refusal::Bare,
                        nerf: None,
                    });
                    continue;
                }
                if !key.starts_with("//") {
                    // A URL with `user:pw@` (`registry=`, `@scope:registry=`):
                    // the setting stays, only its credentials move.
                    let credentialed =
                        credentialed.get_or_insert_with(|| credentialed_registries(src));
                    match url_credentials(src, d.finding.span.start) {
                        Ok((nerf, ..)) if credentialed.contains(&nerf) => {
                            plan.refused.push(Refused {
                                line: d.finding.line,
                                why: Refusal::Shadowed,
                                nerf: Some(nerf),
                            });
                        }
                        Ok((_, edit, lines)) => {
                            if taken_out.insert(edit.span.start) {
                                plan.edits.push(edit);
                                plan.lines.extend(lines);
                            }
                        }
                        Err(why) => plan.refused.push(Refused {
                            line: d.finding.line,
                            why,
                            nerf: None,
                        }),
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
                moved_keys.push((key.to_string(), d.finding.line));
            }
            // A key the file still sets after the move overrides the moved
            // line (the project config wins over the user config): npm
            // would send the value that stays, not the one it sent before.
            if !moved_keys.is_empty() && plan.refused.is_empty() {
                let kept = kept_keys(&apply(src, &plan.edits));
                if let Some((key, line)) = moved_keys.iter().find(|(k, _)| kept.contains(k)) {
                    plan.refused.push(Refused {
                        line: *line,
                        why: Refusal::KeptAgain,
                        nerf: registry_of(key).map(str::to_string),
                    });
                }
            }
            plan
        }
    }
}

/// Why the credentials of a URL do not move to the user config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// npm would read the URL, or the keys that would hold its credentials,
    /// otherwise than as written (`${…}`, a tab, re-encoded characters).
    NotAsWritten,
    /// The setting is not `registry` or `@scope:registry` (a proxy): its
    /// credentials under `//host/:` would go to another place.
    NotRegistry,
    /// The file sets the same key again in a line that stays: after the
    /// move, that line would win.
    KeptAgain,
    /// A credential key without its `//host/path/:` (`_authToken=`): in the
    /// user config it would serve every project's default registry.
    Bare,
    /// The file sets another credential for the same `//host/path/:`: npm
    /// sends the URL's credentials before it, but would send it instead
    /// once the URL's are keys too.
    Shadowed,
    /// The credential is in the URL's query (`?token=…`): npm has no key
    /// that would send it from the user config.
    InQuery,
}

/// URL credentials that stay where they are, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// 1-based line.
    pub line: usize,
    pub why: Refusal,
    /// The `//host/path/` the credentials would have moved to, if known.
    pub nerf: Option<String>,
}

impl Refused {
    /// The error a fix of `path` stops with.
    pub fn message(&self, path: &str) -> String {
        let line = self.line;
        match self.why {
            Refusal::NotAsWritten => format!(
                "{path}:{line}: the credentials in this URL cannot be moved as written (npm would read the URL or its `//host/:` keys otherwise: `${{…}}`, a tab, or characters it re-encodes): move them by hand, or choose --save-env"
            ),
            Refusal::Shadowed => format!(
                "{path}:{line}: the credentials in this URL cannot be moved as written: the file also holds a credential for {}, which npm would send instead once they are keys; move them by hand, or choose --save-env",
                self.nerf.as_deref().unwrap_or("its registry")
            ),
            Refusal::KeptAgain => format!(
                "{path}:{line}: this credential cannot be moved as written: the file sets the same key for {} again in a line that stays, which would then win over the moved one; delete the one npm should not use, or choose --save-env",
                self.nerf.as_deref().unwrap_or("its registry")
            ),
            Refusal::Bare => format!(
                "{path}:{line}: this credential cannot be moved as written: without a `//host/:` prefix, in the user config it would serve the default registry of every project; prefix its key with the registry (`//host/:_authToken`), or choose --save-env"
            ),
            Refusal::InQuery => format!(
                "{path}:{line}: the credential in this URL's query cannot be moved: npm has no user-config key that puts it in the URL; choose --save-env (or --discard-secrets and revoke it)"
            ),
            Refusal::NotRegistry => format!(
                "{path}:{line}: the credentials in this URL cannot be moved as written: only `registry` and `@scope:registry` URLs move their credentials to the user config (as `//host/:` keys they would serve another registry); choose --save-env"
            ),
        }
    }
}

/// Whether npm reads `key` (evaluated) as a registry URL.
fn is_registry_setting(key: &str) -> bool {
    key == "registry"
        || key
            .strip_prefix('@')
            .and_then(|k| k.strip_suffix(":registry"))
            .is_some_and(|scope| !scope.is_empty() && !scope.contains(':'))
}

/// The credentials of the URL around byte `at` (in its userinfo): the edit
/// that removes `user:pw@`, and the `//host/path/:username` and
/// `:_password` lines (base64, as npm wants it) that say the same to npm.
///
/// The URL is read as npm reads it (`ini`, then `new URL()`, WHATWG, which
/// the `url` crate implements) and the `//host/path/` key is npm's
/// nerf-dart of that URL (punycode host, default port dropped, the path's
/// folder). Anything npm would read otherwise than as written is refused:
/// `${…}` (the URL would depend on the environment), white space or
/// control characters (WHATWG drops tabs), quoting or escapes that change
/// the value, credentials a parser re-encodes (`$`, `%`, …), or lines the
/// user config would not read back as the same key and value.
fn url_credentials(src: &[u8], at: usize) -> Result<(String, Edit, Vec<Vec<u8>>), Refusal> {
    use crate::npmrc::Value;
    use Refusal::{NotAsWritten, NotRegistry};
    let (line, _) = line_around(src, at);
    let text = &src[line.clone()];
    let entry = crate::npmrc::lines(text)
        .find_map(|l| l.entry())
        .ok_or(NotAsWritten)?;
    let key = crate::eval::residue(&entry.key);
    if !is_registry_setting(&key.text) || entry.array {
        return Err(NotRegistry);
    }
    let Value::Str(value) = &entry.value else {
        return Err(NotAsWritten);
    };
    let span = entry.value_span.clone();
    let raw = &text[span.clone()];
    if key.refs > 0
        || raw != value.as_bytes()
        || crate::eval::js_trim(value) != value
        || value.contains("${")
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(NotAsWritten);
    }
    let url = url::Url::parse(value).map_err(|_| NotAsWritten)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NotAsWritten);
    }
    // The userinfo as written: after `scheme:` and any `/` or `\`, up to
    // the authority's last `@`.
    let colon = value.find(':').ok_or(NotAsWritten)?;
    let ui = colon
        + 1
        + value[colon + 1..]
            .bytes()
            .take_while(|b| b"/\\".contains(b))
            .count();
    let authority = value[ui..]
        .find(['/', '\\', '?', '#'])
        .map_or(value.len(), |i| ui + i);
    let rel = at
        .checked_sub(line.start + span.start)
        .ok_or(NotAsWritten)?;
    if value[authority..]
        .find('?')
        .is_some_and(|q| rel > authority + q)
    {
        return Err(Refusal::InQuery);
    }
    let end_at = ui + value[ui..authority].rfind('@').ok_or(NotAsWritten)?;
    if !(ui..end_at).contains(&rel) {
        return Err(NotAsWritten);
    }
    // Credentials move only when every reader spells them alike: WHATWG,
    // and the legacy `url.parse` that npm's `registry` type goes through.
    let (user, pw) = (url.username(), url.password().unwrap_or(""));
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~!*'()".contains(&b))
    };
    if !plain(user) || !plain(pw) || value[ui..end_at] != format!("{user}:{pw}") {
        return Err(NotAsWritten);
    }
    // Without its credentials, the URL must be the same URL.
    let mut bare = url.clone();
    bare.set_username("").map_err(|()| NotAsWritten)?;
    bare.set_password(None).map_err(|()| NotAsWritten)?;
    let edited = format!("{}{}", &value[..ui], &value[end_at + 1..]);
    if url::Url::parse(&edited).ok().as_ref() != Some(&bare) {
        return Err(NotAsWritten);
    }
    // npm's nerf-dart: `new URL('.', protocol//host pathname)`.
    bare.set_query(None);
    bare.set_fragment(None);
    let dir = bare.join(".").map_err(|_| NotAsWritten)?;
    let host = dir.host_str().ok_or(NotAsWritten)?;
    let port = dir.port().map(|p| format!(":{p}")).unwrap_or_default();
    let nerf = format!("//{host}{port}{}", dir.path());
    let wanted = [
        (format!("{nerf}:username"), user.to_string()),
        (format!("{nerf}:_password"), base64(pw.as_bytes())),
    ];
    let mut lines = Vec::new();
    for (k, v) in wanted {
        let l = format!("{k}={v}").into_bytes();
        if read_back(&l).as_ref() != Some(&(k, v)) {
            return Err(NotAsWritten);
        }
        lines.push(l);
    }
    let start = line.start + span.start;
    let edit = Edit {
        span: start + ui..start + end_at + 1,
        text: String::new(),
    };
    Ok((nerf, edit, lines))
}

/// The keys `src` sets before its first `[section]`, as npm evaluates them.
fn kept_keys(src: &[u8]) -> HashSet<String> {
    crate::npmrc::lines(src)
        .take_while(|l| !matches!(l.kind, crate::npmrc::LineKind::Section(_)))
        .filter_map(|l| l.key())
        .map(|(k, _)| crate::eval::residue(&k).text)
        .collect()
}

/// The `//host/path/` of every credential key in `src`, as npm evaluates
/// the key (`//h/:_a${X?}uthToken` counts), whatever its value.
fn credentialed_registries(src: &[u8]) -> HashSet<String> {
    crate::npmrc::lines(src)
        .filter_map(|l| l.key())
        .filter_map(|(k, _)| registry_of(&crate::eval::residue(&k).text).map(str::to_string))
        .collect()
}

/// The registry a credential key names (`//host/path/:_authToken` →
/// `//host/path/`), if it is one.
pub fn registry_of(key: &str) -> Option<&str> {
    let (reg, field) = key.rsplit_once(':')?;
    (reg.starts_with("//") && ["_authToken", "_auth", "_password", "username"].contains(&field))
        .then_some(reg)
}

/// The key and string value npm reads from one config line, both
/// evaluated; `None` when either expands a reference.
fn read_back(line: &[u8]) -> Option<(String, String)> {
    let entry = crate::npmrc::lines(line).find_map(|l| l.entry())?;
    let key = crate::eval::residue(&entry.key);
    let value = crate::eval::value_residue(&entry.value, entry.array)?;
    (key.refs == 0 && value.refs == 0 && !entry.array).then_some((key.text, value.text))
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
            text: crate::files::reference(&d.finding.path, var),
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
    #[test]
    fn a_host_that_looks_random_gives_no_name() {
        use crate::detect::Field;
        assert_eq!(
            default_name(Field::Password, Some("r.ex3QtaG9yc2ample"), true),
            "NPM_PASSWORD"
        );
        assert_eq!(
            default_name(Field::AuthToken, Some("npm.corp.example"), true),
            "NPM_TOKEN_NPM_CORP_EXAMPLE"
        );
    }

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
        let (_, edit, lines) = url_credentials(src, 24).expect("moves");
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
        assert_eq!(
            url_credentials(b"registry=https://a:p\"w@h/\n", 20),
            Err(Refusal::NotAsWritten)
        );
        // The userinfo ends at the last `@` (found by the `fix` fuzz target):
        // the password is `p@x:q`, which cannot move as written.
        assert!(url_credentials(b"registry=https://u:p@x:q@h.example/\n", 20).is_err());
        // A space is inside the userinfo too (a URL parser encodes it).
        assert!(url_credentials(b"registry=https://u:p@x y@h.example/\n", 20).is_err());
    }

    #[test]
    fn url_credentials_move_only_as_npm_reads_them() {
        let moved = |src: &str| {
            let at = src.find("u:p").expect("a password") + 2;
            url_credentials(src.as_bytes(), at).map(|(_, e, l)| {
                let fixed = apply(src.as_bytes(), &[e]);
                let l: Vec<String> = l
                    .into_iter()
                    .map(|l| String::from_utf8(l).unwrap())
                    .collect();
                (String::from_utf8(fixed).unwrap(), l)
            })
        };
        let nerf = |src: &str| {
            moved(src).map(|(_, l)| l[0].split(":username").next().unwrap().to_string())
        };
        // The host as WHATWG serialises it: punycode, lower case, the
        // default port dropped, `\` read as `/`.
        assert_eq!(
            nerf("registry=https://u:pw@ÄÖ.example/a/b\n"),
            Ok("//xn--4ca0b.example/a/".into())
        );
        assert_eq!(
            nerf("registry=http://u:pw@H.example:80/\n"),
            Ok("//h.example/".into())
        );
        assert_eq!(
            nerf("registry=http://u:pw@h.example:8080\n"),
            Ok("//h.example:8080/".into())
        );
        assert_eq!(
            nerf("registry=https://u:pw@h.example\\a\\b\n"),
            Ok("//h.example/a/".into())
        );
        assert_eq!(
            nerf("registry=https://u:pw@h.example/a/../b/c?x#y\n"),
            Ok("//h.example/b/".into())
        );
        assert_eq!(
            moved("@s:registry = \"https://u:pw@h.example/\"\n").map(|(f, _)| f),
            Ok("@s:registry = \"https://h.example/\"\n".into())
        );
        for refused in [
            "registry=https://u:pw@r.exa\tmple/\n",
            "registry=https://u:p\tw@r.example/\n",
            "registry=https://u:pw@r.example/${P}/\n",
            "registry=https://u:pw@r.example/\\${P}/\n",
            "reg${X?}istry=https://u:pw@r.example/\n",
            "registry=https://u:pw$@r.example/\n",
            "registry=https://u:pw%41@r.example/\n",
            "registry=https://u:pw@r.example/a=b/\n",
            "registry=\"https://u:pw@r.example/a;b/\"\n",
            "registry=\"https://u:pw\\u0040r.example/\"\n",
            "registry=ftp://u:pw@r.example/\n",
            // White space that is no control character, and a control
            // character that is no white space: a URL parser encodes both.
            "registry=https://u:pw@r.example/a\u{a0}b/\n",
            "registry=https://u:pw@r.example/a\u{1}b/\n",
        ] {
            assert_eq!(
                moved(refused).map(|_| ()),
                Err(Refusal::NotAsWritten),
                "{refused:?}"
            );
        }
        for key in [
            "proxy",
            "https-proxy",
            "@s:registry:x",
            "@:registry",
            "registry[]",
        ] {
            let src = format!("{key}=http://u:pw@proxy.example/\n");
            assert_eq!(
                moved(&src).map(|_| ()),
                Err(Refusal::NotRegistry),
                "{src:?}"
            );
        }
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
    #[test]
    fn referenced_names_are_the_names_npm_expands() {
        let names = referenced_names(b"a=${X}\nb=x${Y?}y\nc=$Z\nd=${}\n");
        assert_eq!(names, HashSet::from(["X".to_string(), "Y".to_string()]));
    }

    #[test]
    fn registry_of_names_only_a_registry_credential() {
        assert_eq!(
            registry_of("//h.example/a/:_authToken"),
            Some("//h.example/a/")
        );
        assert_eq!(registry_of("//h.example/:username"), Some("//h.example/"));
        // Another setting of the registry, or a credential field without
        // `//host/`: no credential of a registry (the URL's may move).
        assert_eq!(registry_of("//h.example/:always-auth"), None);
        assert_eq!(registry_of("@s:_authToken"), None);
        assert_eq!(registry_of("_authToken"), None);
    }

    #[test]
    fn a_line_reads_back_only_as_plain_key_and_string() {
        assert_eq!(
            read_back(b"//h/:username=u"),
            Some(("//h/:username".into(), "u".into()))
        );
        // Either side expanding a reference, or an array, is not read back.
        assert_eq!(read_back(b"//h/:username=${U}"), None);
        assert_eq!(read_back(b"//h/${P}:username=u"), None);
        assert_eq!(read_back(b"//h/:username[]=u"), None);
    }

    #[test]
    fn a_moved_secret_shows_its_variable_and_only_the_mask() {
        let secret = "npm_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB0a";
        let moved = Moved {
            var: "NPM_TOKEN".into(),
            value: crate::finding::Secret::new(secret),
        };
        let shown = format!("{moved:?}");
        assert_eq!(
            shown,
            format!("Moved(NPM_TOKEN={})", crate::finding::mask(secret))
        );
        assert!(!shown.contains(secret));
    }

    #[test]
    fn a_name_is_free_only_when_no_one_else_holds_it() {
        let mut names = Names::default();
        assert!(names.free_for("NPM_TOKEN", "s1"));
        // Given to a secret already.
        names.given.insert("NPM_TOKEN".into());
        assert!(!names.free_for("NPM_TOKEN", "s1"));
        // Referenced by the files for something else, unless the store
        // holds it with this very value.
        names.referenced.insert("NPM_AUTH".into());
        assert!(!names.free_for("NPM_AUTH", "s1"));
        names.store.insert("NPM_AUTH".into(), "s1".into());
        assert!(names.free_for("NPM_AUTH", "s1"));
        // In the store with another value.
        assert!(!names.free_for("NPM_AUTH", "s2"));
        names.store.insert("NPM_PASSWORD".into(), "s3".into());
        assert!(!names.free_for("NPM_PASSWORD", "s1"));
        assert!(names.free_for("NPM_PASSWORD", "s3"));
        // Set in the environment of this run: npm would send that value.
        names.set.insert("NPM_ENV".into(), "s4".into());
        assert!(!names.free_for("NPM_ENV", "s1"));
        assert!(names.free_for("NPM_ENV", "s4"));
    }
}

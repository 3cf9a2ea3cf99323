//! Credentials in the config files of other package managers (pure):
//! yarn 2+'s `.yarnrc.yml`, yarn 1's `.yarnrc`, bun's `bunfig.toml`.
//!
//! Each file type has its own module that reads the file as its tool does
//! and hands over [`Item`]s: where a credential value is, which kind of
//! credential it is, and its literal residue(s) under that tool's own
//! interpolation. Each residue is judged by the `.npmrc` detector, given as
//! the line npm would read it as (`//registry/:_authToken=…`,
//! `registry=…`), so the rules, stand-ins and masking are the same; the
//! findings are then moved to where the value is in the file. Tokens whose
//! format makes them certain count anywhere else in the file, as in
//! `.npmrc`.

use std::collections::HashMap;
use std::ops::Range;

use crate::detect::{self, Detected};
use crate::detect::{Field, FixSite};
use crate::finding::{Fingerprint, Rule, Severity};
use crate::lines::Lines;

/// What a value is to its tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cred {
    /// Sent as `Authorization: Bearer …`.
    Token,
    /// yarn's `npmAuthIdent`: `user:password` (sent base64-encoded) or
    /// already base64; judged as the text it is.
    Ident,
    /// A password sent as the second half of HTTP Basic credentials.
    Password,
    /// A registry URL, which may carry `user:password@`.
    Url,
}

/// One credential value of a file.
#[derive(Clone, Debug)]
pub struct Item {
    /// The setting as reports name it (`npmScopes.corp.npmAuthToken`).
    pub key: String,
    pub cred: Cred,
    /// Where the value's text is in the file, quotes included.
    pub span: Range<usize>,
    /// Where the value's own bytes start, when the file holds them as they
    /// are (no escapes, no folding): findings then point at the secret.
    pub verbatim: Option<usize>,
    /// The text the tool sends whatever the environment holds (one or
    /// more readings, see [`crate::yarn_env`]), or why the tool refuses
    /// the value.
    pub residues: Result<Vec<String>, String>,
    /// The value as written, once decoded from the file's syntax.
    pub value: String,
    /// The names of the variables the tool puts in the value, in order.
    pub refs: Vec<String>,
}

/// A name from the file (a registry URL, a scope, a `.npmrc` key) as a
/// report's `key` or a message may show it: never with credentials or a
/// token in it (SPEC: `key` never holds secret material). A URL's
/// `user:password@` becomes `…@`, and each host label and path segment
/// that does not read as names ([`crate::standin::reads_as_names`]) `…`:
/// Gemfury's `//npm-proxy.fury.io/<token>/acme/:_authToken` is shown as
/// `//npm-proxy.fury.io/…/acme/:_authToken`.
pub fn shown_name(name: &str) -> String {
    if crate::tokens::holds_token_like(name.as_bytes()) {
        return "…".to_string();
    }
    // Only a URL has an authority (a scope such as `@corp` has none).
    let after_scheme = match name.find("://") {
        Some(i) => i + 3,
        None if name.starts_with("//") => 2,
        None => return name.to_string(),
    };
    let rest = &name[after_scheme..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("…{}", masked_parts(&authority[at..], '.')),
        None => masked_parts(authority, '.'),
    };
    format!("{}{host}{}", &name[..after_scheme], masked_parts(path, '/'))
}

/// `text` with each of its parts between `sep`s that does not read as
/// names made `…`.
fn masked_parts(text: &str, sep: char) -> String {
    if crate::standin::reads_as_names(text) {
        return text.to_string();
    }
    let parts: Vec<&str> = text
        .split(sep)
        .map(|p| {
            if crate::standin::reads_as_names(p) {
                p
            } else {
                "…"
            }
        })
        .collect();
    parts.join(&sep.to_string())
}

/// The findings of `items` in `src`, with `tool` naming the file in notes
/// and `syntax` saying how that tool spells a reference (for
/// `broken-interpolation`, whose `.npmrc` advice would be wrong here).
pub fn judge(path: &str, src: &[u8], items: &[Item], tool: &str, syntax: &str) -> Vec<Detected> {
    let lines = Lines::new(src);
    let mut out: Vec<Detected> = Vec::new();
    // The findings so far at each (rule, span): a duplicate is looked up,
    // not searched for among every finding.
    let mut at: HashMap<(Rule, usize, usize), Vec<usize>> = HashMap::new();
    for item in items {
        if let Some(d) = filled_by_script(path, &lines, item, tool) {
            out.push(d);
            continue;
        }
        let (texts, refused) = match &item.residues {
            Ok(r) => (r.clone(), None),
            // The tool refuses the value and sends nothing, but the text is
            // committed: judged as npm would read it.
            Err(why) => (vec![item.value.clone()], Some(why.clone())),
        };
        let mut seen: Vec<String> = Vec::new();
        for text in texts {
            if text.chars().all(|c| c == crate::yarn_env::REF) || seen.contains(&text) {
                continue;
            }
            seen.push(text.clone());
            for mut d in one(path, &lines, item, &text, refused.is_some(), tool) {
                let mut note = (d.fix.is_none() && d.finding.severity == Severity::Error)
                    .then(|| {
                        format!(
                            "in {tool}; the fixer cannot rewrite this value as written: \
                             replace the secret by a variable reference by hand ({syntax}) and revoke it"
                        )
                    });
                if let Some(why) = &refused {
                    note = Some(format!("{why}; {}", note.unwrap_or_default()));
                }
                if d.finding.rule == Rule::BrokenInterpolation {
                    d.finding.detail = None;
                    note = Some(format!("this is sent as text: {syntax}"));
                }
                if d.fix.is_some() && d.finding.rule != Rule::UrlCredentials {
                    // The `.npmrc` reasons no longer hold for the fix (a
                    // URL's detail names its query parameter: it still does).
                    d.finding.detail = None;
                }
                if let Some(note) = note {
                    d.finding.detail = Some(match d.finding.detail.take() {
                        Some(detail) => format!("{detail}; {note}"),
                        None => note,
                    });
                }
                let f = &d.finding;
                let same = at.entry((f.rule, f.span.start, f.span.end)).or_default();
                if !same
                    .iter()
                    .any(|&i| out[i].finding.fingerprint == f.fingerprint)
                {
                    same.push(out.len());
                    out.push(d);
                }
            }
        }
    }
    certain_tokens_at(path, &lines, &mut out);
    out.retain(|d| !allowed_at(&lines, d.finding.line));
    out.sort_by_key(|d| (d.finding.line, d.finding.column, d.finding.rule));
    out
}

/// The error of a credential `item` takes from package.json when a
/// script runs (review 9, #3): `npm run` and `bun run` export its fields
/// and the script as `npm_package_*` and `npm_lifecycle_*`
/// ([`detect::from_package`]), which yarn 4 and bun expand as any other
/// variable (checked with yarn 4 under `npm run`: `npmAuthToken:
/// "${npm_package_config_tok}"` sent the committed value). In a URL, only
/// such a reference in its `user:password@` counts. It is judged as the
/// `.npmrc` line holding the same reference, so the reason is npm's.
fn filled_by_script(path: &str, lines: &Lines, item: &Item, tool: &str) -> Option<Detected> {
    let name = item.refs.iter().find(|n| {
        detect::from_package(n.as_bytes())
            && (item.cred != Cred::Url || userinfo(&item.value).is_some_and(|u| u.contains(*n)))
    })?;
    let line = match item.cred {
        Cred::Url => format!("registry=http://u:${{{name}}}@registry.invalid/\n"),
        _ => format!("//registry.invalid/:_authToken=${{{name}}}\n"),
    };
    let mut d = detect::detect(path, line.as_bytes()).into_iter().next()?;
    let f = &mut d.finding;
    if item.cred == Cred::Ident || item.cred == Cred::Password {
        f.rule = Rule::BasicAuth;
        f.severity = f.rule.severity();
    }
    (f.line, f.column) = lines.line_column(item.span.start);
    f.span = item.span.clone();
    f.key = Some(item.key.clone());
    f.host = None;
    f.fingerprint = Fingerprint::new(f.rule, path, &format!("{}\0{}", item.key, item.value));
    f.detail = Some(format!(
        "{}; {tool} expands it as any other variable",
        f.detail.take().unwrap_or_default()
    ));
    d.fix = None;
    Some(d)
}

/// The `user:password` of the URL `value`, if it has one.
fn userinfo(value: &str) -> Option<&str> {
    let rest = &value[value.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    Some(&authority[..authority.rfind('@')?])
}

/// The findings of one residue `text` of `item`; a fix where `tool` would
/// read the rewritten value as the reference it is (see [`fix_site`]).
fn one(path: &str, lines: &Lines, item: &Item, text: &str, raw: bool, tool: &str) -> Vec<Detected> {
    // The `.npmrc` line npm would read the same credential from. An ident
    // or a password is judged as the text it is (not as npm's base64
    // `_auth`): a `basic-auth` finding when not a token.
    let key = match item.cred {
        Cred::Token | Cred::Ident | Cred::Password => "//registry/:_authToken",
        Cred::Url => "registry",
    };
    let shown = text.to_string();
    // As written when npm reads it back as the same text, else JSON-quoted
    // with every `${` escaped (npm expands it; the tool did already). A
    // value the tool refused is given as written: npm's reading judges it.
    // Where the tool put a variable's value, npm is given a reference.
    let plain = raw
        || (!shown.contains(['\n', '\r', ';', '#', '"', '\'', '\\', crate::yarn_env::REF])
            && !shown.contains("${")
            && shown.trim() == shown
            && !shown.starts_with('['));
    let value = if plain {
        shown.clone()
    } else {
        serde_json::to_string(&with_references(&escape_npm(&shown))).unwrap_or_default()
    };
    let line = format!("{key}={value}\n");
    let value_start = key.len() + 1;
    let exact = plain && !raw && text == item.value;
    let mut found = detect::detect(path, line.as_bytes());
    for d in &mut found {
        let f = &mut d.finding;
        let span = match item.verbatim {
            Some(at) if exact && f.span.start >= value_start => {
                let start = at + (f.span.start - value_start);
                start..start + f.span.len()
            }
            _ => item.span.clone(),
        };
        let (line_no, column) = lines.line_column(span.start);
        f.line = line_no;
        f.column = column;
        f.span = span;
        f.key = Some(item.key.clone());
        f.host = None;
        if item.cred != Cred::Token && item.cred != Cred::Url && f.rule == Rule::AuthToken {
            f.rule = Rule::BasicAuth;
            f.severity = f.rule.severity();
            if let Some(secret) = &d.secret {
                f.fingerprint = Fingerprint::new(f.rule, path, secret.expose());
            }
        }
        d.fix = match (d.fix.take(), item.verbatim) {
            (Some(site), Some(at)) if exact && site.span.start >= value_start => {
                let start = at + (site.span.start - value_start);
                // (A URL's query token is named as a token, not a password.)
                fix_site(item, tool, start..start + site.span.len()).map(|mut f| {
                    if item.cred == Cred::Url && site.field == Field::AuthToken {
                        f.field = Field::AuthToken;
                    }
                    f
                })
            }
            _ => None,
        };
    }
    found
}

/// The fix of `span` (the secret's bytes in the file) in `item`, if the
/// tool expands a reference there. yarn expands `${NAME}` anywhere in a
/// string setting. bun expands only a whole `$NAME` value of `token`,
/// `username` or `password`, never inside a URL: a fix must rewrite the
/// whole value, and a URL's credentials are left to the user.
fn fix_site(item: &Item, tool: &str, span: Range<usize>) -> Option<FixSite> {
    let field = match item.cred {
        Cred::Token => Field::AuthToken,
        Cred::Ident => Field::Auth,
        Cred::Password | Cred::Url => Field::Password,
    };
    if tool == crate::yarnrc::TOOL {
        // yarn 1 expands nothing in `.yarnrc`.
        return None;
    }
    if tool == crate::bunfig::TOOL {
        let whole = item.verbatim.map(|at| at..at + item.value.len());
        if item.cred == Cred::Url || whole.as_ref() != Some(&span) {
            return None;
        }
    }
    Some(FixSite { field, span })
}

/// `s` such that npm's `env-replace` gives `s` back: a backslash before
/// every `${…}` it would expand, and each backslash before it doubled.
fn escape_npm(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut at = 0;
    for r in crate::npmrc::interpolations(s) {
        let run = s.as_bytes()[..r.span.start]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        out.push_str(&s[at..r.span.start - run]);
        out.push_str(&"\\".repeat(2 * run + 1));
        out.push_str(&s[r.span.clone()]);
        at = r.span.end;
    }
    out.push_str(&s[at..]);
    out
}

/// `s` with each [`crate::yarn_env::REF`] turned into a reference npm
/// expands: the backslashes before it doubled (npm halves an even run and
/// then expands).
fn with_references(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c == crate::yarn_env::REF {
            let run = out.len() - out.trim_end_matches('\\').len();
            out.push_str(&"\\".repeat(run));
            out.push_str("${VALUE}");
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the line above `line` (1-based) is the comment
/// `# npmrc-guard: allow`, which exempts it as in `.npmrc`.
#[cfg(test)]
fn allowed(src: &[u8], line: usize) -> bool {
    allowed_at(&Lines::new(src), line)
}

/// `found` without the findings an allow comment (`# npmrc-guard:
/// allow` on the line above) exempts, the file's lines found once.
pub(crate) fn retain_allowed(src: &[u8], found: &mut Vec<Detected>) {
    let lines = Lines::new(src);
    found.retain(|d| !allowed_at(&lines, d.finding.line));
}

fn allowed_at(lines: &Lines, line: usize) -> bool {
    if line < 2 {
        return false;
    }
    let Some(above) = lines.line(line - 1) else {
        return false;
    };
    let text = String::from_utf8_lossy(above);
    let Some(comment) = text.trim().strip_prefix('#') else {
        return false;
    };
    let c = comment.trim();
    c.eq_ignore_ascii_case("npmrc-guard: allow") || c.eq_ignore_ascii_case("npmrc-guard:allow")
}

/// Tokens whose format makes them certain, anywhere no finding covers.
pub(crate) fn certain_tokens(path: &str, src: &[u8], out: &mut Vec<Detected>) {
    certain_tokens_at(path, &Lines::new(src), out);
}

fn certain_tokens_at(path: &str, lines: &Lines, out: &mut Vec<Detected>) {
    let src = lines.src();
    // Whether a finding covers part of a token is a binary search over the
    // findings given, by start, with the furthest end so far; the tokens
    // come in order and apart, so those added here end before the next.
    let mut given: Vec<(usize, usize)> = out
        .iter()
        .map(|d| (d.finding.span.start, d.finding.span.end))
        .collect();
    given.sort_unstable();
    let mut furthest = 0;
    for g in &mut given {
        furthest = furthest.max(g.1);
        g.1 = furthest;
    }
    let mut added_end = 0;
    for t in crate::tokens::find_tokens(src) {
        let before = given.partition_point(|g| g.0 < t.span.end);
        let covered = before > 0 && given[before - 1].1 > t.span.start;
        if !t.is_certain() || covered || added_end > t.span.start {
            continue;
        }
        let token = &src[t.span.clone()];
        let mut line = b"# ".to_vec();
        line.extend_from_slice(token);
        for mut d in detect::detect(path, &line) {
            let f = &mut d.finding;
            let start = t.span.start + f.span.start.saturating_sub(2);
            f.span = start..start + f.span.len();
            added_end = added_end.max(f.span.end);
            let (line_no, column) = lines.line_column(start);
            f.line = line_no;
            f.column = column;
            d.fix = None;
            out.push(d);
        }
    }
}

/// The 1-based line and byte column of `offset` in `src`.
pub fn line_column(src: &[u8], offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, offset - start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_comment_exempts_the_line_below() {
        let src = b"a: 1\n  # npmrc-guard: allow\nnpmAuthToken: x\nb: 2\n";
        assert!(allowed(src, 3));
        assert!(!allowed(src, 4));
        assert!(!allowed(src, 1));
    }

    #[test]
    fn a_credential_filled_from_package_json_is_an_error() {
        let errors = |found: Vec<Detected>| -> Vec<(Rule, usize)> {
            found
                .iter()
                .filter(|d| d.finding.severity == Severity::Error)
                .map(|d| (d.finding.rule, d.finding.line))
                .collect()
        };
        let yml = "npmAlwaysAuth: true\n\
                   npmAuthToken: \"${npm_package_config_tok}\"\n\
                   npmAuthIdent: \"alice:${X:-${npm_lifecycle_script}}\"\n\
                   npmRegistries:\n  \"//r.example\":\n    npmAuthToken: \"${npm_package_pw}\"\n\
                   npmRegistryServer: \"https://u:${npm_package_config_pw}@r.example/\"\n";
        assert_eq!(
            errors(crate::yarnrc_yml::detect(".yarnrc.yml", yml.as_bytes())),
            [
                (Rule::AuthToken, 2),
                (Rule::BasicAuth, 3),
                (Rule::AuthToken, 6),
                (Rule::UrlCredentials, 7)
            ]
        );
        let toml = "[install]\n\
                    registry = { url = \"http://u:$npm_package_config_pw@r.example/\", token = \"$npm_package_config_tok\" }\n\
                    [install.scopes]\n\
                    corp = { url = \"https://r.example/\", password = \"$npm_lifecycle_event\" }\n";
        assert_eq!(
            errors(crate::bunfig::detect("bunfig.toml", toml.as_bytes())),
            [
                (Rule::UrlCredentials, 2),
                (Rule::AuthToken, 2),
                (Rule::BasicAuth, 4)
            ]
        );
        // Other variables, and such a name outside a URL's userinfo, are
        // references; nothing is shown whole.
        let yml = "npmAuthToken: \"${NPM_TOKEN}\"\n\
                   npmRegistryServer: \"https://${npm_package_config_host}/\"\n";
        assert_eq!(
            errors(crate::yarnrc_yml::detect(".yarnrc.yml", yml.as_bytes())),
            []
        );
        let toml =
            "[install]\nregistry = { url = \"https://r.example/\", token = \"$NPM_TOKEN\" }\n";
        assert_eq!(
            errors(crate::bunfig::detect("bunfig.toml", toml.as_bytes())),
            []
        );
    }

    #[test]
    fn names_never_show_credentials() {
        assert_eq!(
            shown_name("https://r.example/npm/"),
            "https://r.example/npm/"
        );
        assert_eq!(
            shown_name("https://alice:Summer2024!@r.example/"),
            "https://…@r.example/"
        );
        assert_eq!(shown_name("//tok@r.example"), "//…@r.example");
        assert_eq!(shown_name("corp"), "corp");
        assert_eq!(shown_name("npm_abcdefghijklmnopqrstuvwxyz0123"), "…");
    }

    #[test]
    fn references_stay_references_after_backslashes() {
        for (s, residue) in [("\\\0", "\\"), ("a\0b", "ab"), ("\\\\\0", "\\\\")] {
            let r = crate::eval::residue(&with_references(&escape_npm(s)));
            assert_eq!(r.text, residue, "{s:?}");
            assert_eq!(r.refs, 1, "{s:?}");
        }
    }

    #[test]
    fn escaped_for_npm_reads_back_the_same() {
        for s in ["${X}", r"a\${X}b", r"\\${X}", "plain", "${X?}${Y}"] {
            assert_eq!(crate::eval::residue(&escape_npm(s)).text, s, "{s}");
        }
    }

    #[test]
    fn shown_names_mask_what_does_not_read_as_names() {
        // Gemfury's documented URLs carry the token as the first segment.
        let token = "Xq7Rk2Lm9Pz4Wn8Tv3Bd";
        assert_eq!(
            shown_name(&format!("//npm-proxy.fury.io/{token}/acme/:_authToken")),
            "//npm-proxy.fury.io/…/acme/:_authToken"
        );
        assert_eq!(
            shown_name(&format!("https://alice:pw@npm.fury.io/{token}/acme/")),
            "https://…@npm.fury.io/…/acme/"
        );
        assert_eq!(
            shown_name(&format!("//{token}.registry.example/:_authToken")),
            "//….registry.example/:_authToken"
        );
        // Names stay whole.
        for name in [
            "//npm-proxy.fury.io/acme/:_authToken",
            "//gitlab.example.com/api/v4/projects/12345678/packages/npm/:_authToken",
            "//pkgs.dev.azure.com/contoso/_packaging/web-feed/npm/registry/:_password",
            "//localhost:4873/:_authToken",
            "@corp",
        ] {
            assert_eq!(shown_name(name), name);
        }
    }
}

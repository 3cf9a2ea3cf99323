//! bun's `bunfig.toml` (pure).
//!
//! bun takes registry credentials from `install.registry` and from every
//! entry of `install.scopes`: a URL string (which may carry
//! `user:password@`), or a table with `url`, `token`, `username`,
//! `password` (src/install/npm.zig, `Registry.Scope.fromAPI`).
//!
//! bun's only interpolation there is a whole value `$NAME` (its env
//! loader's `getAuto`): `token`, `username` and `password` that are exactly
//! `$NAME` are the variable's value, and a `url` that starts with `$`
//! names a variable holding the whole URL; and a URL's password that is
//! exactly `$NAME` (`https://u:$PW@host/`). Nothing else is expanded:
//! checked with bun 1.4.5 against a server on 127.0.0.1, `token =
//! "${NPM_TOKEN}"` is sent as the text `Bearer ${NPM_TOKEN}`, and
//! `tok_$NPM_TOKEN` as the text `tok_$NPM_TOKEN` — so, unlike in `.npmrc`,
//! `${NPM_TOKEN}` is no safe form in `bunfig.toml`; it is reported as a
//! reference the tool does not expand.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::detect::Detected;
use crate::foreign::{self, Cred, Item};

/// The file name bun reads.
pub const NAME: &str = "bunfig.toml";

/// bun's user config, `$HOME/.bunfig.toml` or `$XDG_CONFIG_HOME/.bunfig.toml`
/// (bun 1.4.5 sends its token in every project): the same syntax, read
/// wherever a repository holds it (a dotfiles repository; review 5, #8).
pub const USER_NAME: &str = ".bunfig.toml";

/// How notes name the file.
pub const TOOL: &str = "bun's bunfig.toml";

/// Findings in one `bunfig.toml`.
///
/// bun refuses a file that is not TOML it reads (checked with bun 1.4.5: a
/// syntax error, a duplicate key, even one byte that is not UTF-8 in a
/// comment make `bun install` stop at "failed to load bunfig") and then
/// sends nothing; but what the file holds is committed, and sent once the
/// file is mended. So a file that does not parse is read line by line
/// ([`fallback`]): its credentials are errors as they would be, each
/// saying the file does not parse. A guard never passes a file it could
/// not read.
pub fn detect(path: &str, src: &[u8]) -> Vec<Detected> {
    let text = String::from_utf8_lossy(src);
    let parsed = std::str::from_utf8(src).ok().and_then(|text| {
        let doc = DeTable::parse(text).ok()?;
        Some(items(text, doc.get_ref()))
    });
    let lossless = text.len() == src.len();
    let (items, note) = match parsed {
        Some(items) => (items, None),
        // Places in `text` are places in the file while no byte was
        // replaced; past a replaced byte a finding points at the value.
        None => (
            fallback(&text)
                .into_iter()
                .map(|mut i| {
                    if !lossless {
                        let end = i.span.end.min(src.len());
                        i.span = i.span.start.min(end)..end;
                        i.verbatim = None;
                    }
                    i
                })
                .collect(),
            Some("bun refuses this file as it is (it is not TOML bun reads), so it was read line by line; the secret is committed all the same"),
        ),
    };
    let mut found = foreign::judge(
        path,
        src,
        &items,
        TOOL,
        "bun expands only a whole value `$NAME` (not `${NAME}`)",
    );
    if let Some(note) = note {
        for d in &mut found {
            d.finding.detail = Some(match d.finding.detail.take() {
                Some(detail) => format!("{note}; {detail}"),
                None => note.to_string(),
            });
        }
    }
    found
}

/// The credentials of a file that does not parse, line by line: every
/// `token`, `password` or `url` key given a quoted string (as a table key
/// or inside an inline table), and every quoted string that is a URL (a
/// scope given as a URL string, `registry = "…"`).
fn fallback(text: &str) -> Vec<Item> {
    const KEY_WINDOW: usize = 256;
    let mut out = Vec::new();
    let mut base = 0;
    for line in text.split_inclusive('\n') {
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let q = b[i];
            if q == b'#' {
                break;
            }
            if q != b'"' && q != b'\'' {
                i += 1;
                continue;
            }
            let Some(len) = line[i + 1..].find(q as char) else {
                break;
            };
            let value = &line[i + 1..i + 1 + len];
            let end = i + len + 2;
            let before = line[..i].trim_end();
            let after_eq = before.ends_with('=');
            let key = before.trim_end_matches('=').trim_end();
            // A key is short: looked for in the last bytes before the `=`
            // only (looking back over the whole line before each string
            // made `a=""""…` quadratic: 7 s of CPU for 100 KB).
            let mut from = key.len().saturating_sub(KEY_WINDOW);
            while !key.is_char_boundary(from) {
                from += 1;
            }
            let key = key[from..]
                .rsplit(['{', ',', ' ', '\t', '.'])
                .next()
                .unwrap_or("")
                .trim_matches(['"', '\'']);
            let cred = match key {
                "token" if after_eq => Some(Cred::Token),
                "password" if after_eq => Some(Cred::Password),
                _ if after_eq && value.contains("://") => Some(Cred::Url),
                _ => None,
            };
            if let (Some(cred), false) = (cred, value.is_empty()) {
                let name = if key.is_empty() { "install" } else { key };
                out.push(item(
                    text,
                    base + i..base + end,
                    value,
                    name.to_string(),
                    cred,
                ));
            }
            i = end;
        }
        base += line.len();
    }
    out
}

/// Whether `v` is a whole `$NAME`, which bun expands.
fn whole_name(v: &str) -> bool {
    v.len() > 1
        && v.starts_with('$')
        && v[1..]
            .bytes()
            .enumerate()
            .all(|(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()))
}

/// The names of the variables bun puts in a value: a whole `$NAME`, a
/// URL's password that is one, a URL that starts with `$` ([`residue`]).
fn names(value: &str, url: bool) -> Vec<String> {
    let name = if whole_name(value) || (url && value.starts_with('$')) {
        Some(value)
    } else if url {
        url_password(value)
            .map(|(pw, _)| pw)
            .filter(|pw| whole_name(pw))
    } else {
        None
    };
    name.map(|n| n[1..].to_string()).into_iter().collect()
}

/// What bun sends of a value whatever the environment holds.
fn residue(value: &str, url: bool) -> String {
    let reference = if url {
        value.starts_with('$') && value.len() > 1
    } else {
        whole_name(value)
    };
    if reference {
        return String::new();
    }
    // A URL's password that is a whole `$NAME` is expanded too (bun 1.4.5
    // on the wire: `http://u:$NPM_TOKEN@host/` sent `u:<value>`, while
    // `u:x$NPM_TOKEN`, a `$NPM_TOKEN` user name and `u:${NPM_TOKEN}` went
    // as text).
    if url {
        if let Some((pw, at)) = url_password(value).filter(|(pw, _)| whole_name(pw)) {
            let mut out = value.to_string();
            out.replace_range(at..at + pw.len(), &crate::yarn_env::REF.to_string());
            return out;
        }
    }
    value.to_string()
}

/// The password of the URL `value` (`scheme://user:PASSWORD@host`) and
/// where it starts.
fn url_password(value: &str) -> Option<(&str, usize)> {
    let start = value.find("://")? + 3;
    let rest = &value[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let userinfo = &authority[..authority.rfind('@')?];
    let colon = userinfo.find(':')?;
    Some((&userinfo[colon + 1..], start + colon + 1))
}

/// The settings a fix must leave in place: the keys of the credential
/// values of `src`, or `None` when it is not TOML.
pub fn keys(src: &[u8]) -> Option<Vec<String>> {
    let text = std::str::from_utf8(src).ok()?;
    let doc = DeTable::parse(text).ok()?;
    Some(
        items(text, doc.get_ref())
            .into_iter()
            .map(|i| i.key)
            .collect(),
    )
}

fn table<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    match t.get(key)?.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// The credential settings of one registry (`install.registry` or a scope).
fn registry(text: &str, value: &Spanned<DeValue<'_>>, key: &str, out: &mut Vec<Item>) {
    match value.get_ref() {
        DeValue::String(url) => out.push(item(text, value.span(), url, key.to_string(), Cred::Url)),
        DeValue::Table(t) => {
            for (name, cred) in [
                ("url", Cred::Url),
                ("token", Cred::Token),
                ("password", Cred::Password),
            ] {
                if let Some(v) = t.get(name) {
                    if let DeValue::String(s) = v.get_ref() {
                        out.push(item(text, v.span(), s, format!("{key}.{name}"), cred));
                    }
                }
            }
        }
        _ => {}
    }
}

fn item(text: &str, span: std::ops::Range<usize>, value: &str, key: String, cred: Cred) -> Item {
    let raw = text.get(span.clone()).unwrap_or("");
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let verbatim = (raw.get(quote..quote + value.len()) == Some(value)
        && raw.len() == value.len() + 2 * quote)
        .then_some(span.start + quote);
    Item {
        key,
        cred,
        span,
        verbatim,
        residues: Ok(vec![residue(value, cred == Cred::Url)]),
        value: value.to_string(),
        refs: names(value, cred == Cred::Url),
    }
}

fn items(text: &str, doc: &DeTable<'_>) -> Vec<Item> {
    let mut out = Vec::new();
    let Some(install) = table(doc, "install") else {
        return out;
    };
    if let Some(r) = install.get("registry") {
        registry(text, r, "install.registry", &mut out);
    }
    if let Some(scopes) = table(install, "scopes") {
        for (name, value) in scopes.iter() {
            registry(
                text,
                value,
                &format!("install.scopes.{:?}", foreign::shown_name(name.get_ref())),
                &mut out,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_password_that_is_a_whole_dollar_name_is_a_reference() {
        let r = crate::yarn_env::REF;
        assert_eq!(
            residue("http://u:$NPM_TOKEN@h/", true),
            format!("http://u:{r}@h/")
        );
        for sent in [
            "http://u:x$NPM_TOKEN@h/",
            "http://$NPM_TOKEN@h/",
            "http://u:${NPM_TOKEN}@h/",
        ] {
            assert_eq!(residue(sent, true), sent);
        }
        let src = b"[install.scopes]\n\"@a\" = \"https://u:$PW@r.example/\"\n\"@b\" = \"https://u:hunter2secret@r.example/\"\n";
        let found = detect("bunfig.toml", src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].finding.line, 3);
    }

    #[test]
    fn only_a_whole_dollar_name_is_a_reference() {
        assert_eq!(residue("$NPM_TOKEN", false), "");
        assert_eq!(residue("${NPM_TOKEN}", false), "${NPM_TOKEN}");
        assert_eq!(residue("tok_$NPM_TOKEN", false), "tok_$NPM_TOKEN");
        assert_eq!(residue("$", false), "$");
        assert_eq!(residue("$REGISTRY_URL/", true), "");
    }

    #[test]
    fn what_does_not_parse_is_read_line_by_line() {
        let src = "[install]\nregistry = { url = \"https://r/\", token = \"abc\" }\nbad = = 1\n\
                   [install.scopes]\n\"@a\" = \"https://u:p@h/\" # \"x\"\npassword = 'pw'\nname = \"n\"\n";
        assert!(DeTable::parse(src).is_err());
        let found = fallback(src);
        let keys: Vec<&str> = found.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["url", "token", "@a", "password"]);
        assert_eq!(found[1].verbatim, src.find("abc"));
        let d = detect(NAME, src.as_bytes());
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0]
            .finding
            .detail
            .as_deref()
            .is_some_and(|x| x.contains("bun refuses")));
    }

    #[test]
    fn registry_and_scopes() {
        let src = "[install]\nregistry = { url = \"https://r/\", token = \"abc\" }\n\
                   [install.scopes]\n\"@a\" = \"https://u:p@h/\"\n[install.scopes.b]\npassword = 'pw'\n";
        let doc = DeTable::parse(src).expect("toml");
        let found = items(src, doc.get_ref());
        let keys: Vec<&str> = found.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "install.registry.url",
                "install.registry.token",
                "install.scopes.\"@a\"",
                "install.scopes.\"b\".password"
            ]
        );
        assert_eq!(found[1].verbatim, src.find("abc"));
        assert_eq!(found[3].verbatim, src.find("pw"));
    }

    /// A line of 400,000 quotes is read in linear time: the key before
    /// each string was looked for back over the whole line (quadratic).
    /// With the old look-back this runs for minutes.
    #[test]
    fn a_line_of_quotes_is_read_in_linear_time() {
        let src = format!(
            "a={}\n[[[\nx = \"a b\", token = \"s3cr3tValue99\"\n",
            "\"".repeat(400_001)
        );
        let keys: Vec<String> = fallback(&src).into_iter().map(|i| i.key).collect();
        assert_eq!(keys, ["token"]);
    }
}

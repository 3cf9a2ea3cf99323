//! `--move-to-user-config` for yarn 2+'s `.yarnrc.yml` (pure): the
//! credential settings leave the project file and go to the user's
//! `~/.yarnrc.yml`, at the same path of keys.
//!
//! yarn 4 reads the home file below every project file and merges them key
//! by key (`Configuration.find`: `findFolderRcFile(homedir)` unshifted
//! before the project's rc files, all merged by `W9`: mappings merged per
//! key, the project's scalar winning). A setting taken out of the project
//! and written at the same path in the home file is then what yarn
//! resolves, as long as: the home file does not set it otherwise, no
//! mapping on the way is emptied into a null (a null scalar from the
//! project would hide the home mapping: an emptied parent goes too), no
//! `onConflict` directive changes the merge, and no other rc file between
//! them sets it (checked by the caller, which reads them). Each edit is
//! checked by reading both files again as yarn does ([`yarnrc_yml::value`]):
//! what does not read exactly as planned is refused, nothing written.

use std::collections::BTreeMap;

use crate::detect::Detected;
use crate::fix::Edit;
use crate::yarnrc_yml::{self, Place, Value};

/// One setting that moves: its path of keys and its value as yarn reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct Setting {
    pub path: Vec<String>,
    pub value: String,
}

impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Setting({})", self.path.join("."))
    }
}

/// How reports name a setting's path (`npmScopes.corp.npmAuthToken`).
pub fn shown_path(path: &[String]) -> String {
    path.iter()
        .map(|k| crate::foreign::shown_name(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// Why the setting at `path` cannot move, if it cannot. Only a registry's
/// own credentials move (`npmRegistries."<url>".npmAuthToken` or
/// `npmAuthIdent`): yarn sends them to that registry alone
/// (`getAuthConfiguration`: the scope's settings when they hold a
/// credential, else the registry's, else the top level). In the user
/// file, a top-level credential would go to the default registry of every
/// project, and a scope's to whatever registry another project names for
/// that scope (the public one, when it names none).
fn unmovable(path: &[String]) -> Option<&'static str> {
    let leaf = path.last().map(String::as_str);
    if !matches!(leaf, Some("npmAuthToken" | "npmAuthIdent")) {
        return Some("only npmAuthToken and npmAuthIdent move (a URL keeps its credentials)");
    }
    match (path.len(), path[0].as_str()) {
        (3, "npmRegistries") => None,
        (1, _) => Some(
            "in the user file a top-level credential would be sent to the default registry of every project; \
             put it under `npmRegistries: \"<registry URL>\":` in this file first",
        ),
        (3, "npmScopes") => Some(
            "in the user file a scope's credential would be sent for that scope's packages in every project, \
             to whatever registry that project names (the public one when it names none); \
             put it under `npmRegistries: \"<registry URL>\":` in this file first",
        ),
        _ => Some("it is not a credential setting yarn reads"),
    }
}

/// Where the user file is, for messages.
const HOME: &str = "~/.yarnrc.yml";

/// The edits that take the fixable findings of `src` (a `.yarnrc.yml`
/// shown as `path`) out, and the settings they take out.
pub fn take_out(
    path: &str,
    src: &[u8],
    found: &[Detected],
) -> Result<(Vec<Edit>, Vec<Setting>), String> {
    let refuse = |line: usize, why: &str| {
        format!("{path}:{line}: this credential cannot be moved to {HOME} as written: {why}; move it by hand, or choose --save-env")
    };
    let text = std::str::from_utf8(src).map_err(|_| refuse(1, "the file is not UTF-8"))?;
    let (Some(before), Some(places)) = (yarnrc_yml::value(text), yarnrc_yml::places(text)) else {
        return Err(refuse(1, "the file is not YAML read as yarn reads it"));
    };
    if has_on_conflict(&before) {
        return Err(refuse(
            1,
            "the file uses `onConflict`, which changes how yarn merges it with the user file",
        ));
    }
    let mut settings: Vec<Setting> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    for d in found.iter().filter(|d| d.fix.is_some()) {
        let line = d.finding.line;
        let at = d.finding.span.start;
        let place = places
            .iter()
            .find(|p| p.scalar.as_ref().is_some_and(|s| s.contains(&at)))
            .ok_or_else(|| refuse(line, "it is not a setting's own value"))?;
        if let Some(why) = unmovable(&place.path) {
            return Err(refuse(line, why));
        }
        let value = match get(&before, &place.path) {
            Some(Value::Str(v)) => v.clone(),
            _ => return Err(refuse(line, "a later setting of the same key overrides it")),
        };
        let setting = Setting {
            path: place.path.clone(),
            value,
        };
        if settings.contains(&setting) {
            continue;
        }
        let span = own_line(src, place).ok_or_else(|| {
            refuse(
                line,
                "it does not stand alone on its line (`key: value`, a comment at most)",
            )
        })?;
        edits.push(Edit {
            span,
            text: String::new(),
        });
        settings.push(setting);
    }
    // A mapping left empty goes too (its key alone would be a null that
    // hides the user file's mapping).
    let mut expected = before.clone();
    for s in &settings {
        remove(&mut expected, &s.path);
    }
    for p in &places {
        let emptied = matches!(get(&before, &p.path), Some(Value::Map(m)) if !m.is_empty())
            && get(&expected, &p.path).is_none();
        if emptied && !edits.iter().any(|e| e.span.contains(&p.key.start)) {
            let span = key_line(src, p).ok_or_else(|| {
                refuse(
                    crate::foreign::line_column(src, p.key.start).0,
                    "a mapping it leaves empty does not stand alone on its line",
                )
            })?;
            edits.push(Edit {
                span,
                text: String::new(),
            });
        }
    }
    edits.sort_by_key(|e| e.span.start);
    edits.dedup();
    let fixed = crate::fix::apply(src, &edits);
    let after = std::str::from_utf8(&fixed).ok().and_then(yarnrc_yml::value);
    if after.as_ref() != Some(&expected) {
        return Err(refuse(
            found.first().map_or(1, |d| d.finding.line),
            "taking it out would change how yarn reads the rest of the file",
        ));
    }
    Ok((edits, settings))
}

/// The user file `home` (its bytes, `None` when absent) with `settings`
/// added, or `None` when it already holds them all. Refused when the file
/// does not read as yarn reads it, sets one of them otherwise, or would
/// not read back as itself plus the settings.
pub fn put_in(home: Option<&[u8]>, settings: &[Setting]) -> Result<Option<Vec<u8>>, String> {
    let refuse = |why: String| {
        format!("{HOME}: {why}; nothing was changed: add the setting there by hand, or choose --save-env")
    };
    let mut text = match home {
        Some(bytes) => std::str::from_utf8(bytes)
            .map_err(|_| refuse("not UTF-8".into()))?
            .to_string(),
        None => String::new(),
    };
    let before = yarnrc_yml::value(&text)
        .ok_or_else(|| refuse("it is not YAML yarn reads (yarn would refuse it)".into()))?;
    if has_on_conflict(&before) {
        return Err(refuse("it uses `onConflict`".into()));
    }
    let mut expected = before.clone();
    let mut to_add: Vec<&Setting> = Vec::new();
    for s in settings {
        if settings
            .iter()
            .any(|o| o.path == s.path && o.value != s.value)
        {
            return Err(refuse(format!(
                "the files to fix set {} to two different values",
                shown_path(&s.path)
            )));
        }
        match get(&before, &s.path) {
            Some(Value::Str(v)) if *v == s.value => continue,
            Some(_) => {
                return Err(refuse(format!(
                "it already sets {} to another value, which moving would replace for every project",
                shown_path(&s.path)
            )))
            }
            None => {}
        }
        if !insert(&mut expected, &s.path, &s.value) {
            return Err(refuse(format!(
                "a key on the way to {} is not a mapping there",
                shown_path(&s.path)
            )));
        }
        if !to_add.iter().any(|o| o.path == s.path) {
            to_add.push(s);
        }
    }
    if to_add.is_empty() {
        return Ok(None);
    }
    for s in to_add {
        text = add_one(&text, s).ok_or_else(|| {
            refuse(format!(
                "cannot add {} to it as written",
                shown_path(&s.path)
            ))
        })?;
    }
    if yarnrc_yml::value(&text).as_ref() != Some(&expected) {
        return Err(refuse(
            "the settings added would not read back as written".into(),
        ));
    }
    Ok(Some(text.into_bytes()))
}

/// `text` with `s` written under the deepest mapping of its path that the
/// text already has, in block style, after that mapping's last entry.
fn add_one(text: &str, s: &Setting) -> Option<String> {
    let places = yarnrc_yml::places(text).unwrap_or_default();
    // The deepest prefix of the path the file has as an entry.
    let depth = (0..s.path.len())
        .rev()
        .find(|&n| n == 0 || places.iter().any(|p| p.path == s.path[..n]))?;
    let (at, indent) = if depth == 0 {
        // The top level: after the end, indented as its first key is.
        let indent = match places.first() {
            Some(p) => column(text, p.key.start)?,
            None => 0,
        };
        (text.len(), indent)
    } else {
        let parent = places.iter().rev().find(|p| p.path == s.path[..depth])?;
        let children: Vec<&Place> = places
            .iter()
            .filter(|p| p.path.len() == depth + 1 && p.path[..depth] == s.path[..depth])
            .collect();
        let indent = match children.first() {
            Some(c) => column(text, c.key.start)?,
            // An empty mapping: `key: {}` cannot take a block entry.
            None => return None,
        };
        let end = children.iter().map(|c| c.end).max()?.max(parent.end);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        (line_end, indent)
    };
    let mut lines = String::new();
    for (i, key) in s.path[depth..].iter().enumerate() {
        let pad = " ".repeat(indent + 2 * i);
        let key = serde_json::to_string(key).ok()?;
        if depth + i + 1 == s.path.len() {
            let value = serde_json::to_string(&s.value).ok()?;
            lines.push_str(&format!("{pad}{key}: {value}\n"));
        } else {
            lines.push_str(&format!("{pad}{key}:\n"));
        }
    }
    let mut out = String::with_capacity(text.len() + lines.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&lines);
    out.push_str(&text[at..]);
    Some(out)
}

/// The column (in bytes) of `at` in its line, when only spaces come
/// before it there (a block mapping's key).
fn column(text: &str, at: usize) -> Option<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at]
        .bytes()
        .all(|b| b == b' ')
        .then_some(at - start)
}

/// The line of a `key: value` entry with its line break, when the entry is
/// all the line holds (but a comment after the value).
fn own_line(src: &[u8], place: &Place) -> Option<std::ops::Range<usize>> {
    let value = place.scalar.as_ref()?;
    let (start, end, with_break) = line_of(src, place.key.start);
    // (An alias's value is elsewhere; a value may run over lines.)
    let before_key = src.get(start..place.key.start)?;
    let between = src.get(place.key.end..value.start)?;
    let after = src.get(value.end..end)?;
    let ok = before_key.iter().all(|&b| b == b' ') && trimmed(between) == b":" && is_comment(after);
    ok.then_some(start..with_break)
}

/// The line of a mapping's key (`key:` and a comment at most), with its
/// line break.
fn key_line(src: &[u8], place: &Place) -> Option<std::ops::Range<usize>> {
    let (start, end, with_break) = line_of(src, place.key.start);
    let before_key = src.get(start..place.key.start)?;
    let after = trimmed(src.get(place.key.end..end)?);
    let ok = before_key.iter().all(|&b| b == b' ')
        && after.first() == Some(&b':')
        && is_comment(&after[1..]);
    ok.then_some(start..with_break)
}

/// The line around `at`: its start, its end, its end with the break.
fn line_of(src: &[u8], at: usize) -> (usize, usize, usize) {
    let start = src[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = src[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |i| at + i);
    let end_text = if end > start && src.get(end.wrapping_sub(1)) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    (start, end_text, (end + 1).min(src.len()))
}

fn trimmed(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !b" \t".contains(c))
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !b" \t".contains(c))
        .map_or(s, |i| i + 1);
    &b[s..e]
}

/// Blank, or white space then a `#` comment.
fn is_comment(b: &[u8]) -> bool {
    let t = trimmed(b);
    t.is_empty() || (t[0] == b'#' && b.first().is_some_and(|c| b" \t".contains(c)))
}

fn get<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| match v {
        Value::Map(m) => m.get(k),
        _ => None,
    })
}

/// `v` without the value at `path`; a mapping that this empties goes too.
fn remove(v: &mut Value, path: &[String]) {
    let (Value::Map(m), Some((first, rest))) = (v, path.split_first()) else {
        return;
    };
    if rest.is_empty() {
        m.remove(first);
        return;
    }
    if let Some(child) = m.get_mut(first) {
        let was_full = matches!(child, Value::Map(c) if !c.is_empty());
        remove(child, rest);
        if was_full && matches!(child, Value::Map(c) if c.is_empty()) {
            m.remove(first);
        }
    }
}

/// `v` with `value` at `path`, creating mappings on the way; `false` when
/// something on the way is not a mapping.
fn insert(v: &mut Value, path: &[String], value: &str) -> bool {
    let (Value::Map(m), Some((first, rest))) = (v, path.split_first()) else {
        return false;
    };
    if rest.is_empty() {
        m.insert(first.clone(), Value::Str(value.to_string()));
        return true;
    }
    let child = m
        .entry(first.clone())
        .or_insert_with(|| Value::Map(BTreeMap::new()));
    insert(child, rest, value)
}

fn has_on_conflict(v: &Value) -> bool {
    match v {
        Value::Str(_) => false,
        Value::Seq(items) => items.iter().any(has_on_conflict),
        Value::Map(m) => m.contains_key("onConflict") || m.values().any(has_on_conflict),
    }
}

/// Whether `other` (another rc file yarn reads, between the user file and
/// the project) sets any of `settings`' paths, or cannot be read: the move
/// would then change what yarn resolves.
pub fn overridden_by(other: &[u8], settings: &[Setting]) -> Option<String> {
    let Some(v) = std::str::from_utf8(other).ok().and_then(yarnrc_yml::value) else {
        return Some("it is not YAML read as yarn reads it".into());
    };
    if has_on_conflict(&v) {
        return Some("it uses `onConflict`".into());
    }
    settings
        .iter()
        .find(|s| get(&v, &s.path).is_some())
        .map(|s| {
            format!(
                "it sets {} too, and would win over the user file",
                shown_path(&s.path)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(path: &[&str], value: &str) -> Setting {
        Setting {
            path: path.iter().map(|p| p.to_string()).collect(),
            value: value.into(),
        }
    }

    fn take(src: &str) -> Result<(String, Vec<Setting>), String> {
        let found = yarnrc_yml::detect(".yarnrc.yml", src.as_bytes());
        take_out(".yarnrc.yml", src.as_bytes(), &found).map(|(e, s)| {
            (
                String::from_utf8(crate::fix::apply(src.as_bytes(), &e)).unwrap(),
                s,
            )
        })
    }

    #[test]
    fn a_credential_line_goes_and_an_emptied_mapping_with_it() {
        let src = "# top\nnpmRegistries:\n  //a.example:\n    npmAuthToken: \"hunter2secret\"  # prod\n  \"https://b.example\":\n    npmAuthIdent: 'a:hunter2secret'\n    npmAlwaysAuth: true\r\nnodeLinker: node-modules\n";
        let (fixed, settings) = take(src).expect("moves");
        assert_eq!(
            fixed,
            "# top\nnpmRegistries:\n  \"https://b.example\":\n    npmAlwaysAuth: true\r\nnodeLinker: node-modules\n"
        );
        assert_eq!(
            settings,
            [
                s(
                    &["npmRegistries", "//a.example", "npmAuthToken"],
                    "hunter2secret"
                ),
                s(
                    &["npmRegistries", "https://b.example", "npmAuthIdent"],
                    "a:hunter2secret"
                ),
            ]
        );
        // The last mapping emptied: its parent goes too.
        let src = "npmRegistries:\n  //a.example:\n    npmAuthToken: hunter2secret\nx: y\n";
        assert_eq!(take(src).expect("moves").0, "x: y\n");
    }

    #[test]
    fn what_is_not_alone_on_its_line_is_refused() {
        for src in [
            "npmAuthToken: hunter2secret\n",
            "npmScopes:\n  corp:\n    npmAuthToken: hunter2secret\n",
            "npmRegistries:\n  //r: {npmAuthToken: hunter2secret}\n",
            "npmRegistries:\n  //r:\n    npmAuthToken: hunter2secret\n    npmAuthToken: other-secret-x\n",
            "npmRegistries:\n  //r:\n    npmAuthToken: hunter2secret\n    npmAuthToken: hunter2secret\n",
            "npmRegistryServer: https://u:hunter2secret@r.example/\n",
            "npmRegistries:\n  //r:\n    npmAuthToken: &t hunter2secret\nx: *t\n",
            "npmRegistries:\n  onConflict: extend\n  //r:\n    npmAuthToken: hunter2secret\n",
        ] {
            assert!(take(src).is_err(), "{src}");
        }
    }

    /// Every prefix and every one-byte deletion of a few documents: the
    /// move plans or refuses, never panics, and what it plans reads back
    /// as planned (checked inside).
    #[test]
    fn cut_documents_never_panic() {
        let docs = [
            "# c\nnpmRegistries:\n  \"//a.example\":\n    npmAuthToken: \"hunter2secret\"  # prod\n  //b:\n    npmAuthIdent: 'a:hunter2secret'\r\n    x: *y\nnpmScopes: {c: {npmAuthToken: hunter2secret}}\n",
            "npmRegistries:\n  ? //a\n  : npmAuthToken: &t hunter2secret\n  //b: {npmAuthToken: *t}\nk: |\n  npmAuthToken: hunter2secret\n",
            "npmRegistries:\n  ? \"//a\n    b\"\n  :\n    npmAuthToken: hunter2secret\n",
            "npmRegistries:\n  //é.example:\n    npmAuthToken: \"hunter2\\\"secret\"\n    npmAuthToken: hunter2secret\n",
        ];
        let setting = [s(&["npmRegistries", "//a", "npmAuthToken"], "v")];
        for doc in docs {
            let b = doc.as_bytes();
            let mut cuts: Vec<Vec<u8>> = (0..=b.len()).map(|n| b[..n].to_vec()).collect();
            for i in 0..b.len() {
                let mut v = b.to_vec();
                v.remove(i);
                cuts.push(v);
            }
            for src in cuts {
                let found = yarnrc_yml::detect(".yarnrc.yml", &src);
                let _ = take_out(".yarnrc.yml", &src, &found);
                let _ = put_in(Some(&src), &setting);
            }
        }
    }

    #[test]
    fn settings_go_under_the_mapping_the_user_file_has() {
        let home = "# mine\nnpmScopes:\n    mine:\n        npmAuthToken: \"${MINE}\"\nenableTelemetry: false\n";
        let out = put_in(
            Some(home.as_bytes()),
            &[
                s(&["npmScopes", "corp", "npmAuthToken"], "a\"b"),
                s(&["npmAuthToken"], "t"),
            ],
        )
        .expect("added")
        .expect("changed");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# mine\nnpmScopes:\n    mine:\n        npmAuthToken: \"${MINE}\"\n    \"corp\":\n      \"npmAuthToken\": \"a\\\"b\"\nenableTelemetry: false\n\"npmAuthToken\": \"t\"\n"
        );
        assert_eq!(
            put_in(None, &[s(&["npmScopes", "c", "npmAuthToken"], "t")]).unwrap(),
            Some(b"\"npmScopes\":\n  \"c\":\n    \"npmAuthToken\": \"t\"\n".to_vec())
        );
        // Already there: nothing to write; otherwise: refused.
        let home = b"npmAuthToken: t\n";
        assert_eq!(put_in(Some(home), &[s(&["npmAuthToken"], "t")]), Ok(None));
        assert!(put_in(Some(home), &[s(&["npmAuthToken"], "u")]).is_err());
        assert!(put_in(
            Some(b"npmScopes: x\n"),
            &[s(&["npmScopes", "c", "npmAuthToken"], "t")]
        )
        .is_err());
        assert!(put_in(Some(b"a: [\n"), &[s(&["npmAuthToken"], "t")]).is_err());
        assert!(put_in(
            Some(b"npmScopes: {}\n"),
            &[s(&["npmScopes", "c", "npmAuthToken"], "t")]
        )
        .is_err());
    }
    #[test]
    fn a_setting_shows_its_path_never_its_value() {
        let x = s(
            &["npmRegistries", "//r.example", "npmAuthToken"],
            "hunter2secret",
        );
        assert_eq!(
            format!("{x:?}"),
            "Setting(npmRegistries.//r.example.npmAuthToken)"
        );
        assert_eq!(
            shown_path(&x.path),
            "npmRegistries.//r.example.npmAuthToken"
        );
    }

    #[test]
    fn each_refusal_says_why() {
        let why = |src: &str| take(src).expect_err(src);
        for (src, says) in [
            ("npmAuthToken: hunter2secret\n", "a top-level credential"),
            (
                "npmScopes:\n  corp:\n    npmAuthToken: hunter2secret\n",
                "a scope's credential",
            ),
            // Not alone on its line: said so, before any edit is tried.
            (
                "npmRegistries:\n  //r: {\n    npmAuthToken: hunter2secret }\n",
                "it does not stand alone on its line",
            ),
            (
                "npmRegistries:\n  //r:\n    &k npmAuthToken: hunter2secret\n",
                "it does not stand alone on its line",
            ),
            (
                "npmRegistries:\n  //r: &a\n    npmAuthToken: hunter2secret\n",
                "a mapping it leaves empty does not stand alone on its line",
            ),
        ] {
            let err = why(src);
            assert!(err.contains(says), "{err}");
            assert!(err.starts_with(".yarnrc.yml:"), "{err}");
        }
    }
    #[test]
    fn a_setting_goes_after_the_whole_line_of_the_last_entry() {
        // A comment after the last entry's value: the new lines go after
        // it, not into it.
        let home = "npmScopes:\n  mine:\n    npmAuthToken: \"${MINE}\"  # mine\nx: y\n";
        let out = put_in(
            Some(home.as_bytes()),
            &[s(&["npmScopes", "corp", "npmAuthToken"], "t")],
        )
        .expect("added")
        .expect("changed");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "npmScopes:\n  mine:\n    npmAuthToken: \"${MINE}\"  # mine\n  \"corp\":\n    \"npmAuthToken\": \"t\"\nx: y\n"
        );
    }
    #[test]
    fn crlf_lines_move_whole() {
        let src = "npmRegistries:\r\n  //a.example:\r\n    npmAuthToken: hunter2secret  # ci\r\n  //b.example:\r\n    npmAlwaysAuth: true\r\nx: y\r\n";
        let (fixed, settings) = take(src).expect("moves");
        assert_eq!(
            fixed,
            "npmRegistries:\r\n  //b.example:\r\n    npmAlwaysAuth: true\r\nx: y\r\n"
        );
        assert_eq!(
            settings,
            [s(
                &["npmRegistries", "//a.example", "npmAuthToken"],
                "hunter2secret"
            )]
        );
    }
    #[test]
    fn an_rc_file_between_that_sets_or_hides_a_setting_stops_the_move() {
        let moving = [s(&["npmRegistries", "//r", "npmAuthToken"], "t")];
        assert_eq!(
            overridden_by(
                b"x: y\nnpmRegistries:\n  //q:\n    npmAuthToken: u\n",
                &moving
            ),
            None
        );
        let why = |other: &[u8]| overridden_by(other, &moving).unwrap_or_default();
        assert!(why(b"npmRegistries:\n  //r:\n    npmAuthToken: u\n")
            .contains("sets npmRegistries.//r.npmAuthToken too"));
        assert!(why(b"onConflict: reset\n").contains("onConflict"));
        assert!(why(b"a: [\n").contains("not YAML"));
        assert!(why(b"\xff: x\n").contains("not YAML"));
    }
}

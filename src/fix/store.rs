//! The secret stores: a dotenv file, the user's npm config.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::eval::{self, Residue};
use crate::fix::plan::registry_of;
use crate::fix::write;
use crate::inputs::{describe, shown};
use crate::npmrc::{self, LineKind};

/// A value as a store line writes it: `'value'`, a `'` inside as `'\''`.
/// Sourcing the line in sh then runs nothing. Values that `node --env-file`,
/// the `dotenv` npm package and python-dotenv would not all read back
/// exactly in that form are refused (tests/fix_store.rs tries each reader).
pub fn quote(name: &str, v: &str) -> Result<String, String> {
    let why = if v.contains('\'') {
        Some("a single quote")
    } else if v.chars().any(char::is_control) {
        Some("a control character or line break")
    } else if v.ends_with('\\') || v.contains("\\\\") {
        Some("a trailing or doubled backslash")
    } else if v.contains("${") {
        Some("`${`")
    } else {
        None
    };
    match why {
        Some(why) => Err(format!(
            "the value for {name} holds {why}, which dotenv readers (node --env-file, dotenv, python-dotenv) do not read back alike; nothing was written: choose --move-to-user-config, or --discard-secrets and revoke it"
        )),
        None => Ok(format!("'{}'", v.replace('\'', "'\\''"))),
    }
}

/// The value of one `NAME=…` store line, as the readers read it: single
/// quotes (with `'\''`), double quotes, or bare.
fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.replace("'\\''", "'");
    }
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return inner.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    raw.to_string()
}

/// The names a store already holds, with their values.
pub fn read_env(path: &Path) -> HashMap<String, String> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((name, value)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                out.insert(name.to_string(), unquote(value));
            }
        }
    }
    out
}

/// What [`save_env`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Saved {
    /// Names written now (names already there with the same value are not).
    pub written: Vec<String>,
    /// The store existed with a mode other than 0600 and was tightened.
    pub tightened_from: Option<u32>,
}

/// Append `NAME='value'` lines to a dotenv file, created with mode 0600, an
/// existing one tightened to 0600. A name already there with the same value
/// is skipped; with another value it is an error (nothing is written).
pub fn save_env(path: &Path, vars: &[(String, String)]) -> Result<Saved, String> {
    let meta = fs::symlink_metadata(path).ok();
    if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
        return Err(format!("{}: a symbolic link; not written", shown(path)));
    }
    one_name(path, meta.as_ref())?;
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        return Err(format!("{}: not a regular file; not written", shown(path)));
    }
    // bun and yarn load this file by themselves and expand `$` in it, even
    // inside single quotes (bun 1.4.5; review 4, #12): a secret holding
    // one would be read back as another value.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if crate::envfiles::is_env_file(&name) {
        if let Some((var, _)) = vars.iter().find(|(_, v)| v.contains('$')) {
            return Err(format!(
                "the secret for {var} holds `$`, which bun and yarn expand when they load {} by themselves; nothing was written: choose a store they do not load (e.g. --save-env .npmrc-guard.env, git-ignored)",
                shown(path)
            ));
        }
    }
    let existing = match &meta {
        Some(_) => {
            fs::read_to_string(path).map_err(|e| format!("{}: {}", shown(path), describe(&e)))?
        }
        None => String::new(),
    };
    let have = read_env(path);
    let mut lines = String::new();
    let mut saved = Saved::default();
    for (name, value) in vars {
        match have.get(name) {
            Some(v) if v == value => continue,
            Some(_) => {
                return Err(format!(
                    "{name} is already set in {} to another value; nothing was written: choose another name with --var",
                    shown(path)
                ))
            }
            None => {}
        }
        lines.push_str(&format!("{name}={}\n", quote(name, value)?));
        saved.written.push(name.clone());
    }
    if let Some(m) = &meta {
        let mode = crate::os::mode(&m.permissions());
        if mode != 0o600 {
            crate::os::set_mode(path, 0o600)
                .map_err(|e| format!("cannot tighten {} to 0600: {}", shown(path), describe(&e)))?;
            saved.tightened_from = Some(mode);
        }
    }
    if !lines.is_empty() {
        append(path, &existing, lines.as_bytes())?;
    }
    Ok(saved)
}

/// A config entry as npm evaluates it: the key with every `${…}` removed
/// (`//h/:_a${X?}uthToken` is `//h/:_authToken`), and the value's residue.
type Evaluated = (String, Option<Residue>);

/// The top-level entries of an npm config as npm evaluates them (what it
/// reads before the first `[section]`), and where that section starts.
fn credentials(src: &[u8]) -> (Vec<Evaluated>, Option<usize>) {
    let mut out = Vec::new();
    for line in npmrc::lines(src) {
        if let LineKind::Section(_) = line.kind {
            return (out, Some(line.span.start));
        }
        if let Some(entry) = line.entry() {
            let value = eval::value_residue(&entry.value, entry.array);
            out.push((eval::residue(&entry.key).text, value));
        }
    }
    (out, None)
}

/// The top-level settings of the npm config `src` as npm evaluates them:
/// each key, and its value's literal text when it has one.
pub fn top_level(src: &[u8]) -> Vec<(String, Option<String>)> {
    credentials(src)
        .0
        .into_iter()
        .map(|(k, v)| (k, v.map(|r| r.text)))
        .collect()
}

/// Whether the npm config `src` sets `userconfig` (as npm evaluates its
/// keys, before the first `[section]`).
pub fn sets_userconfig(src: &[u8]) -> bool {
    credentials(src)
        .0
        .iter()
        .any(|(key, _)| key == "userconfig")
}

/// What [`move_to_user_config`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MovedLines {
    /// Lines added to the user config.
    pub added: usize,
    /// Lines the user config already held (same key and value for npm).
    pub already: usize,
}

/// Add credential lines to the user's npm config: before its first
/// `[section]` (npm reads nothing else there as a top-level setting),
/// mode 0600 when created, lines it already holds skipped. Keys and values
/// are compared as npm evaluates them, on both sides. A different
/// credential the user already has for the same registry is never
/// replaced, and two different values for one key in what moves (npm uses
/// the last) are never merged into one: both are errors, and nothing is
/// written.
pub fn move_to_user_config(path: &Path, lines: &[Vec<u8>]) -> Result<MovedLines, String> {
    let meta = fs::symlink_metadata(path).ok();
    if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{}: a symbolic link; not written (links are not followed): move the credentials by hand",
            shown(path)
        ));
    }
    one_name(path, meta.as_ref())?;
    let existing = match meta {
        Some(_) => fs::read(path).map_err(|e| format!("{}: {}", shown(path), describe(&e)))?,
        None => Vec::new(),
    };
    let (have, section) = credentials(&existing);
    let mut moving: Vec<(Evaluated, &[u8])> = Vec::new();
    for line in lines {
        let Some(entry) = credentials(line).0.into_iter().next() else {
            continue;
        };
        if moving
            .iter()
            .any(|((k, v), _)| *k == entry.0 && *v != entry.1)
        {
            let what = registry_of(&entry.0).map_or_else(
                || "one setting".to_string(),
                |reg| format!("one credential of {reg}"),
            );
            return Err(format!(
                "the lines to move hold two different values for {what} (npm uses the last one); nothing was changed: delete the one npm should not use, or choose --save-env"
            ));
        }
        moving.push((entry, line));
    }
    let mut add = Vec::new();
    let mut done = MovedLines::default();
    let mut seen: Vec<&Evaluated> = Vec::new();
    for (entry, line) in &moving {
        if seen.contains(&entry) {
            continue;
        }
        seen.push(entry);
        // npm takes the last value of a key: a line is there only when no
        // later one overrides it.
        let last = have.iter().rev().find(|(k, _)| *k == entry.0);
        if last == Some(entry) {
            done.already += 1;
            continue;
        }
        if let Some(reg) = registry_of(&entry.0) {
            let clash = have
                .iter()
                .filter(|(k, _)| registry_of(k) == Some(reg))
                .any(|h| !moving.iter().any(|(m, _)| m == h));
            if clash {
                return Err(format!(
                    "{} already holds another credential for {reg}: moving would replace it for every project; nothing was changed. Remove it there first, or choose --save-env",
                    shown(path)
                ));
            }
        }
        add.extend_from_slice(line);
        add.push(b'\n');
        done.added += 1;
    }
    if add.is_empty() {
        return Ok(done);
    }
    match section {
        None => append(path, &String::from_utf8_lossy(&existing), &add)?,
        Some(at) => {
            let mut out = existing[..at].to_vec();
            if !out.is_empty() && !out.ends_with(b"\n") && !out.ends_with(b"\r") {
                out.push(b'\n');
            }
            out.extend_from_slice(&add);
            out.extend_from_slice(&existing[at..]);
            write::replace_file(path, &out)?;
        }
    }
    Ok(done)
}

/// A store with other names (hard links) is refused: a secret appended
/// there would be in each of them, one perhaps a file a dotfiles
/// repository tracks, where git can commit it. (A symbolic link is refused
/// before this.)
fn one_name(path: &Path, meta: Option<&fs::Metadata>) -> Result<(), String> {
    match meta.filter(|m| m.is_file()).map(crate::os::links) {
        Some(n) if n > 1 => Err(format!(
            "{}: the file has {n} names (hard links), and a secret written there would be in each of them, perhaps in a file git tracks; not written: use a file of its own",
            shown(path)
        )),
        _ => Ok(()),
    }
}

fn append(path: &Path, existing: &str, add: &[u8]) -> Result<(), String> {
    let mut f = crate::os::create_with_mode(OpenOptions::new().create(true).append(true), 0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {}", shown(path), describe(&e)))?;
    let mut buf = Vec::new();
    if !existing.is_empty() && !existing.ends_with('\n') {
        buf.push(b'\n');
    }
    buf.extend_from_slice(add);
    f.write_all(&buf)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {}", shown(path), describe(&e)))
}

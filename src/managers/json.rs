//! JSON configs, edited as text (pure): simple-git-hooks' (the
//! `simple-git-hooks` object in `package.json`, or `.simple-git-hooks.json`)
//! and lefthook's (`lefthook.json`). The member we add is inserted after
//! the last one, in the object's own spacing (objects that are missing are
//! added as one line); nothing else moves. A simple-git-hooks command the
//! user already has gets ours put before it (`ours || exit 1; …`: the
//! user's command cannot skip it), and uninstall takes off exactly that.

use super::edit::{Added, Edit, Removed};
use super::snippet::one_line;
use crate::hook::HookKind;

struct Member {
    key: String,
    key_start: usize,
    value_start: usize,
    value_end: usize,
}

struct Object {
    close: usize,
    members: Vec<Member>,
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// After the string that starts at `i` (a `"`).
fn string_end(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// After the value that starts at `i`. The text was checked to be JSON.
fn value_end(b: &[u8], i: usize) -> usize {
    match b[i] {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            j
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            j
        }
    }
}

/// The object whose `{` is at `open`.
fn object(text: &str, open: usize) -> Object {
    let b = text.as_bytes();
    let mut members = Vec::new();
    let mut i = ws(b, open + 1);
    while i < b.len() && b[i] == b'"' {
        let key_end = string_end(b, i);
        let key = serde_json::from_str::<String>(&text[i..key_end]).unwrap_or_default();
        let value_start = ws(b, ws(b, key_end) + 1);
        let value_end = value_end(b, value_start);
        members.push(Member {
            key,
            key_start: i,
            value_start,
            value_end,
        });
        i = ws(b, value_end);
        if i < b.len() && b[i] == b',' {
            i = ws(b, i + 1);
        }
    }
    Object { close: i, members }
}

/// The top-level object of a JSON text.
fn top(text: &str) -> Result<Object, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    if !value.is_object() {
        return Err("it is not a JSON object".to_string());
    }
    Ok(object(text, ws(text.as_bytes(), 0)))
}

/// The member `key` of `obj` (the last, as JSON parsers read duplicates).
fn member<'a>(obj: &'a Object, key: &str) -> Option<(usize, &'a Member)> {
    obj.members
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| m.key == key)
}

/// Insert `"key": raw` after the last member of `obj`, in the spacing the
/// object already uses.
fn insert_member(text: &str, obj: &Object, key: &str, raw: &str) -> Edit {
    let member = format!("{}: {raw}", quoted(key));
    let (at, insertion) = match obj.members.last() {
        None => (obj.close, member.clone()),
        Some(last) => {
            let before = &text[..last.key_start];
            let sep_start = before.trim_end_matches([' ', '\t', '\n', '\r']).len();
            (
                last.value_end,
                format!(",{}{member}", &text[sep_start..last.key_start]),
            )
        }
    };
    let mut new = text[..at].to_string();
    new.push_str(&insertion);
    new.push_str(&text[at..]);
    let line = line_of(&new, at + insertion.len() - member.len());
    Edit {
        text: new,
        added: vec![member],
        line,
    }
}

/// Take member `i` of `obj` out, with the comma and spacing that joined it
/// (what [`insert_member`] added, when it was the last).
fn remove_member(text: &str, obj: &Object, i: usize) -> Removed {
    let m = &obj.members[i];
    let (from, to) = match (i.checked_sub(1), obj.members.get(i + 1)) {
        (_, Some(next)) => (m.key_start, next.key_start),
        (Some(p), None) => (obj.members[p].value_end, m.value_end),
        (None, None) => (m.key_start, m.value_end),
    };
    let mut new = text[..from].to_string();
    new.push_str(&text[to..]);
    Removed::Text(new, vec![text[m.key_start..m.value_end].to_string()])
}

/// The object our hook goes into: the top level, or its `simple-git-hooks`
/// member in `package.json`.
fn target(text: &str, package_json: bool) -> Result<Object, String> {
    let top = top(text)?;
    if !package_json {
        return Ok(top);
    }
    let (_, m) = member(&top, "simple-git-hooks").ok_or("it has no \"simple-git-hooks\" key")?;
    if text.as_bytes()[m.value_start] != b'{' {
        return Err(
            "its \"simple-git-hooks\" value is not an object (a path to another config?)"
                .to_string(),
        );
    }
    Ok(object(text, m.value_start))
}
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Ours, put before a user's command: the raw JSON text that opens the
/// string, after its opening quote. It ends the hook when the check fails
/// (`|| exit 1`), whatever the user's command does after it (`exec`,
/// `exit 0`, `|| true`).
fn prefixed(kind: HookKind) -> String {
    let q = quoted(&format!("{} || exit 1; ", one_line(kind)));
    q[1..q.len() - 1].to_string()
}

/// What the first release chained after a user's command, which let an
/// `exec` or `exit` in that command skip the check: `uninstall` still takes
/// it off.
fn chained_v1(kind: HookKind) -> String {
    let q = quoted(&format!(" && {{ {}; }}", one_line(kind)));
    q[1..q.len() - 1].to_string()
}

/// The end of a member's key (its closing quote included).
fn ws_colon(text: &str, m: &Member) -> usize {
    string_end(text.as_bytes(), m.key_start)
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

pub fn add(text: &str, package_json: bool, kind: HookKind) -> Result<Added, String> {
    let obj = target(text, package_json)?;
    let hook = kind.file_name();
    let ours = quoted(&one_line(kind));
    let head = format!("\"{}", prefixed(kind));
    if let Some(m) = obj.members.iter().rev().find(|m| m.key == hook) {
        let raw = &text[m.value_start..m.value_end];
        if raw == ours || (raw.starts_with(&head) && raw.len() > head.len()) {
            return Ok(Added::Already);
        }
        if raw.ends_with(&format!("{}\"", chained_v1(kind))) {
            return Err(format!(
                "its \"{hook}\" command (line {}) has npmrc-guard chained after it, as an older `npmrc-guard install` wrote it, which the command before it can skip; run `npmrc-guard uninstall`, then `npmrc-guard install` again",
                line_of(text, m.key_start)
            ));
        }
        let current: String = serde_json::from_str(raw)
            .map_err(|_| format!("its \"{hook}\" value is not a string"))?;
        let t = current.trim_end();
        if t.contains(['#', '\n']) || t.ends_with([';', '&', '|', '\\']) || t.is_empty() {
            // The command itself is not shown: it is the user's text, and
            // could hold anything.
            return Err(format!(
                "its \"{hook}\" command (line {}) cannot be chained safely (a comment, several lines or a trailing operator)",
                line_of(text, m.key_start)
            ));
        }
        let at = m.value_start + 1;
        let mut new = text[..at].to_string();
        let added = prefixed(kind);
        new.push_str(&added);
        new.push_str(&text[at..]);
        let line = line_of(text, m.key_start);
        // What we added, not the user's command (it could hold anything).
        let shown = format!("{}: \"{added}…\"", &text[m.key_start..ws_colon(text, m)]);
        return Ok(Added::Changed(Edit {
            text: new,
            added: vec![shown],
            line,
        }));
    }
    Ok(Added::Changed(insert_member(text, &obj, hook, &ours)))
}

pub fn remove(text: &str, package_json: bool, kind: HookKind) -> Removed {
    let Ok(obj) = target(text, package_json) else {
        return Removed::Absent;
    };
    let hook = kind.file_name();
    let ours = quoted(&one_line(kind));
    let head = format!("\"{}", prefixed(kind));
    let tail = format!("{}\"", chained_v1(kind));
    let Some(i) = obj.members.iter().rposition(|m| m.key == hook) else {
        return Removed::Absent;
    };
    let m = &obj.members[i];
    let raw = &text[m.value_start..m.value_end];
    if raw == ours {
        return remove_member(text, &obj, i);
    }
    if raw.starts_with(&head) && raw.len() > head.len() {
        let (from, to) = (m.value_start + 1, m.value_start + head.len());
        let mut new = text[..from].to_string();
        new.push_str(&text[to..]);
        return Removed::Text(new, vec![text[from..to].to_string()]);
    }
    if !(raw.starts_with('"') && raw.ends_with(&tail) && raw.len() > tail.len()) {
        return Removed::Absent;
    }
    let (from, to) = (m.value_end - tail.len(), m.value_end - 1);
    let mut new = text[..from].to_string();
    new.push_str(&text[to..]);
    Removed::Text(new, vec![text[from..to].to_string()])
}

/// Where lefthook's JSON config holds our command, and the command.
const LEFTHOOK_PATH: [&str; 2] = ["commands", "npmrc-guard"];

fn lefthook_leaf(kind: HookKind) -> String {
    format!("{{\"run\": {}}}", quoted(&one_line(kind)))
}

/// `"keys[0]": {"keys[1]": … leaf}` on one line: what we insert where the
/// chain stops.
fn nested(keys: &[&str], leaf: &str) -> String {
    keys.iter().rev().fold(leaf.to_string(), |raw, k| {
        format!("{{{}: {raw}}}", quoted(k))
    })
}

fn lefthook_chain(kind: HookKind) -> [&'static str; 3] {
    [kind.file_name(), LEFTHOOK_PATH[0], LEFTHOOK_PATH[1]]
}

/// Add our command to lefthook's JSON config (`lefthook.json`).
pub fn lefthook_add(text: &str, kind: HookKind) -> Result<Added, String> {
    let chain = lefthook_chain(kind);
    let leaf = lefthook_leaf(kind);
    let mut obj = top(text)?;
    for (depth, key) in chain.iter().enumerate() {
        let Some((_, m)) = member(&obj, key) else {
            let raw = nested(&chain[depth + 1..], &leaf);
            return Ok(Added::Changed(insert_member(text, &obj, key, &raw)));
        };
        let raw = &text[m.value_start..m.value_end];
        if depth + 1 == chain.len() {
            return if raw == leaf {
                Ok(Added::Already)
            } else {
                Err(format!(
                    "line {}: a command named npmrc-guard is there already, not as `npmrc-guard install` writes it; remove it or keep it",
                    line_of(text, m.key_start)
                ))
            };
        }
        if !raw.starts_with('{') {
            return Err(format!("its \"{key}\" value is not an object"));
        }
        obj = object(text, m.value_start);
        if depth == 0 {
            for m in &obj.members {
                let value = &text[m.value_start..m.value_end];
                if super::yaml::LEFTHOOK_SKIPPERS.contains(&m.key.as_str())
                    && !(m.key == "skip" && value == "false")
                {
                    return Err(super::yaml::skipper_refusal(
                        line_of(text, m.key_start),
                        &m.key,
                    ));
                }
            }
        }
    }
    Ok(Added::Already)
}

pub fn lefthook_remove(text: &str, kind: HookKind) -> Removed {
    let chain = lefthook_chain(kind);
    let leaf = lefthook_leaf(kind);
    let Ok(mut obj) = top(text) else {
        return Removed::Absent;
    };
    for depth in 0..chain.len() {
        let Some((i, m)) = member(&obj, chain[depth]) else {
            return Removed::Absent;
        };
        let ours = nested(&chain[depth..], &leaf);
        // `{"k": v}` without its braces is the member as we inserted it.
        if text[m.key_start..m.value_end] == ours[1..ours.len() - 1] {
            return remove_member(text, &obj, i);
        }
        if !text[m.value_start..].starts_with('{') {
            return Removed::Absent;
        }
        obj = object(text, m.value_start);
    }
    Removed::Absent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, pkg: bool) -> String {
        let Ok(Added::Changed(e)) = add(text, pkg, HookKind::PreCommit) else {
            panic!("{text}");
        };
        let _: serde_json::Value = serde_json::from_str(&e.text).expect("still JSON");
        assert_eq!(add(&e.text, pkg, HookKind::PreCommit), Ok(Added::Already));
        match remove(&e.text, pkg, HookKind::PreCommit) {
            Removed::Text(back, _) => assert_eq!(back, text),
            other => panic!("{other:?}"),
        }
        e.text
    }

    #[test]
    fn package_json_keeps_its_shape() {
        let pkg = "{\n  \"name\": \"x\",\n  \"simple-git-hooks\": {\n    \"pre-push\": \"npm test\"\n  },\n  \"devDependencies\": {}\n}\n";
        let out = round_trip(pkg, true);
        assert!(out.contains("\"pre-push\": \"npm test\",\n    \"pre-commit\": \"g=node_modules/.bin/npmrc-guard; "), "{out}");
        let out = round_trip(
            "{\"simple-git-hooks\":{\"pre-commit\":\"npx lint-staged\"}}",
            true,
        );
        assert!(out.contains("\"g=node_modules/.bin/npmrc-guard; "), "{out}");
        assert!(
            out.contains("\"$g\\\" scan --staged || exit 1; npx lint-staged\""),
            "{out}"
        );
        // The first release's chained form: uninstall takes it off,
        // install asks for that first.
        let v1 = format!(
            "{{\"simple-git-hooks\":{{\"pre-commit\":\"npx lint-staged{}\"}}}}",
            chained_v1(HookKind::PreCommit)
        );
        assert!(add(&v1, true, HookKind::PreCommit).is_err());
        assert!(
            matches!(remove(&v1, true, HookKind::PreCommit), Removed::Text(t, _) if t == "{\"simple-git-hooks\":{\"pre-commit\":\"npx lint-staged\"}}")
        );
        round_trip("{\"simple-git-hooks\": {}}", true);
        round_trip("{\n\t\"pre-push\": \"x\"\n}", false);
        round_trip("{}", false);
    }

    #[test]
    fn lefthook_json_nests_what_is_missing() {
        for text in [
            "{}",
            "{\n  \"pre-push\": {}\n}\n",
            "{\"pre-commit\": {\"parallel\": true}}",
            "{\"pre-commit\": {\"commands\": {\"lint\": {\"run\": \"x\"}}}}",
        ] {
            let Ok(Added::Changed(e)) = lefthook_add(text, HookKind::PreCommit) else {
                panic!("{text}");
            };
            let v: serde_json::Value = serde_json::from_str(&e.text).expect("JSON");
            assert_eq!(
                v["pre-commit"]["commands"]["npmrc-guard"]["run"],
                one_line(HookKind::PreCommit).as_str()
            );
            assert_eq!(
                lefthook_add(&e.text, HookKind::PreCommit),
                Ok(Added::Already)
            );
            match lefthook_remove(&e.text, HookKind::PreCommit) {
                Removed::Text(back, _) => assert_eq!(back, text),
                other => panic!("{other:?}"),
            }
        }
        let theirs = "{\"pre-commit\": {\"commands\": {\"npmrc-guard\": {\"run\": \"x\"}}}}";
        assert!(lefthook_add(theirs, HookKind::PreCommit).is_err());
        for skipper in [
            "\"skip\": true",
            "\"files\": \"x\"",
            "\"exclude\": []",
            "\"only\": []",
        ] {
            let text = format!("{{\"pre-commit\": {{{skipper}}}}}");
            assert!(lefthook_add(&text, HookKind::PreCommit).is_err(), "{text}");
        }
        let text = "{\"pre-commit\": {\"skip\": false}}";
        assert!(lefthook_add(text, HookKind::PreCommit).is_ok(), "{text}");
        assert_eq!(
            lefthook_remove(theirs, HookKind::PreCommit),
            Removed::Absent
        );
    }

    #[test]
    fn refuses_what_it_cannot_chain() {
        for bad in [
            "{\"simple-git-hooks\": \"./hooks.json\"}",
            "{\"simple-git-hooks\": {\"pre-commit\": \"a # b\"}}",
            "{\"simple-git-hooks\": {\"pre-commit\": \"a &&\"}}",
            "{\"simple-git-hooks\": {\"pre-commit\": 1}}",
            "{\"name\": \"x\"}",
            "{",
            "[]",
        ] {
            assert!(add(bad, true, HookKind::PreCommit).is_err(), "{bad}");
        }
    }
}

//! simple-git-hooks' config (the `simple-git-hooks` object in
//! `package.json`, or `.simple-git-hooks.json`), edited as text (pure): the
//! member we add is inserted after the last one, in the file's own
//! indentation; nothing else moves. A hook command the user already has
//! gets ours chained after it (`… && { ours; }`), and uninstall takes off
//! exactly that.

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

/// The object our hook goes into: the top level, or its `simple-git-hooks`
/// member in `package.json`.
fn target(text: &str, package_json: bool) -> Result<Object, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    if !value.is_object() {
        return Err("it is not a JSON object".to_string());
    }
    let top = object(text, ws(text.as_bytes(), 0));
    if !package_json {
        return Ok(top);
    }
    let m = top
        .members
        .iter()
        .rev()
        .find(|m| m.key == "simple-git-hooks")
        .ok_or("it has no \"simple-git-hooks\" key")?;
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

/// Ours, chained after a user's command: the raw JSON text that ends the
/// string, before its closing quote.
fn chained(kind: HookKind) -> String {
    let q = quoted(&format!(" && {{ {}; }}", one_line(kind)));
    q[1..q.len() - 1].to_string()
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

pub fn add(text: &str, package_json: bool, kind: HookKind) -> Result<Added, String> {
    let obj = target(text, package_json)?;
    let hook = kind.file_name();
    let ours = quoted(&one_line(kind));
    let tail = format!("{}\"", chained(kind));
    if let Some(m) = obj.members.iter().rev().find(|m| m.key == hook) {
        let raw = &text[m.value_start..m.value_end];
        if raw == ours || (raw.starts_with('"') && raw.ends_with(&tail)) {
            return Ok(Added::Already);
        }
        let current: String = serde_json::from_str(raw)
            .map_err(|_| format!("its \"{hook}\" value is not a string"))?;
        let t = current.trim_end();
        if t.contains(['#', '\n']) || t.ends_with([';', '&', '|', '\\']) || t.is_empty() {
            return Err(format!(
                "its \"{hook}\" command ({}) cannot be chained safely (a comment, several lines or a trailing operator)",
                quoted(&current)
            ));
        }
        let at = m.value_end - 1;
        let mut new = text[..at].to_string();
        let added = chained(kind);
        new.push_str(&added);
        new.push_str(&text[at..]);
        let line = line_of(text, m.key_start);
        let shown = new[m.key_start..m.value_end + added.len()].to_string();
        return Ok(Added::Changed(Edit {
            text: new,
            added: vec![shown],
            line,
        }));
    }
    let member = format!("\"{hook}\": {ours}");
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
    Ok(Added::Changed(Edit {
        text: new,
        added: vec![member],
        line,
    }))
}

pub fn remove(text: &str, package_json: bool, kind: HookKind) -> Removed {
    let Ok(obj) = target(text, package_json) else {
        return Removed::Absent;
    };
    let hook = kind.file_name();
    let ours = quoted(&one_line(kind));
    let tail = format!("{}\"", chained(kind));
    let Some(i) = obj.members.iter().rposition(|m| m.key == hook) else {
        return Removed::Absent;
    };
    let m = &obj.members[i];
    let raw = &text[m.value_start..m.value_end];
    let (from, to) = if raw == ours {
        match (i.checked_sub(1), obj.members.get(i + 1)) {
            (_, Some(next)) => (m.key_start, next.key_start),
            (Some(p), None) => (obj.members[p].value_end, m.value_end),
            (None, None) => (m.key_start, m.value_end),
        }
    } else if raw.starts_with('"') && raw.ends_with(&tail) && raw.len() > tail.len() {
        (m.value_end - tail.len(), m.value_end - 1)
    } else {
        return Removed::Absent;
    };
    let mut new = text[..from].to_string();
    new.push_str(&text[to..]);
    Removed::Text(
        new,
        vec![text[from..to].trim_start_matches(',').trim().to_string()],
    )
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
        assert!(
            out.contains("\"npx lint-staged && { g=node_modules"),
            "{out}"
        );
        round_trip("{\"simple-git-hooks\": {}}", true);
        round_trip("{\n\t\"pre-push\": \"x\"\n}", false);
        round_trip("{}", false);
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

//! Line-based edits of files the user owns (pure): insert one block of
//! lines that opens with our marker comment, find it again, remove exactly
//! it. Everything else in the file keeps its bytes.

use super::snippet::{marker, Join, MARKER_PREFIX};

/// A file after `install` added to it.
#[derive(Debug, PartialEq, Eq)]
pub struct Edit {
    /// The whole new content.
    pub text: String,
    /// The lines added, as shown to the user.
    pub added: Vec<String>,
    /// 1-based number of the first added line in the new content.
    pub line: usize,
}

/// What `install` makes of a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    Changed(Edit),
    /// Our lines are there already, unchanged.
    Already,
}

/// What `uninstall` makes of a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Removed {
    /// The content without our lines, and the lines removed.
    Text(String, Vec<String>),
    /// We created the file and it holds only our lines: delete it.
    DeleteFile(Vec<String>),
    /// None of ours.
    Absent,
    /// Our marker is there but the lines after it are not what we wrote:
    /// left alone. The 1-based line of the marker.
    Edited(usize),
}

/// One line of a text: byte range with and without its line break, and the
/// count of leading spaces.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub start: usize,
    /// After the line break (or the end of the text).
    pub end: usize,
    pub indent: usize,
    /// The line without indentation and line break.
    pub body: &'a str,
    /// Whether the line ends with a line break.
    pub broken: bool,
}

impl Line<'_> {
    /// Neither blank nor a comment.
    pub fn is_content(&self) -> bool {
        !self.body.trim().is_empty() && !self.body.starts_with('#')
    }
}

pub fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let (end, broken) = match text[start..].find('\n') {
            Some(i) => (start + i + 1, true),
            None => (text.len(), false),
        };
        let raw = text[start..end]
            .trim_end_matches('\n')
            .trim_end_matches('\r');
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        out.push(Line {
            start,
            end,
            indent,
            body: &raw[indent..],
            broken,
        });
        start = end;
    }
    out
}

/// The block `install` writes: marker line then `body`, each line indented
/// by `indent` spaces (empty lines stay empty), each ended by `eol`. With
/// `Join::AddedBreak` it starts with the line break it adds.
pub fn render(indent: usize, join: Join, body: &[String], eol: &str) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    if join == Join::AddedBreak {
        out.push_str(eol);
    }
    out.push_str(&pad);
    out.push_str(&marker(join));
    out.push_str(eol);
    for l in body {
        if !l.is_empty() {
            out.push_str(&pad);
            out.push_str(l);
        }
        out.push_str(eol);
    }
    out
}

/// Insert the block at byte `at` (the start of a line, or the end of the
/// text; at the end of a last line without a break, one is added).
pub fn insert(text: &str, at: usize, indent: usize, body: &[String], eol: &str) -> Edit {
    let join = if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        Join::AddedBreak
    } else {
        Join::Inserted
    };
    let block = render(indent, join, body, eol);
    let mut new = String::with_capacity(text.len() + block.len());
    new.push_str(&text[..at]);
    new.push_str(&block);
    new.push_str(&text[at..]);
    let line = text[..at].matches('\n').count() + 1 + usize::from(join == Join::AddedBreak);
    Edit {
        text: new,
        added: shown(&block),
        line,
    }
}

/// A new file holding only the block.
pub fn create(body: &[String]) -> Edit {
    let block = render(0, Join::Created, body, "\n");
    Edit {
        added: shown(&block),
        text: block,
        line: 1,
    }
}

fn shown(block: &str) -> Vec<String> {
    block
        .lines()
        .skip_while(|l| l.is_empty())
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect()
}

/// Find our block and take it out. `bodies` are the shapes we may have
/// written (the same at any indentation).
/// A block is found in the file's own line ends, or in LF (what Husky's
/// shell files get whatever the file uses).
pub fn remove(text: &str, bodies: &[Vec<String>]) -> Removed {
    remove_owned(text, bodies, &|_: &[Line<'_>], _: usize| true)
}

/// Which marker lines are this hook's: `owns(lines, n)` for the marker at
/// line `n` (0-based) of `lines`.
pub type Owns<'f> = &'f dyn Fn(&[Line<'_>], usize) -> bool;

/// [`remove`] in a file that may also hold our blocks for other hooks
/// (lefthook's one config has a `pre-commit:` and a `pre-merge-commit:`
/// block of ours, with the same command): a marker `owns` does not take is
/// another hook's, neither ours to take out nor an edited one.
pub fn remove_owned(text: &str, bodies: &[Vec<String>], owns: Owns<'_>) -> Removed {
    let own = super::snippet::eol_of(text);
    let mut first = None;
    for eol in [own, "\n"] {
        match remove_among(text, bodies, owns, eol) {
            Removed::Edited(n) => {
                first.get_or_insert(Removed::Edited(n));
            }
            found => return found,
        }
        if own == "\n" {
            break;
        }
    }
    first.unwrap_or(Removed::Absent)
}

/// [`remove`] for blocks written with `eol` only.
pub fn remove_with(text: &str, bodies: &[Vec<String>], eol: &str) -> Removed {
    remove_among(text, bodies, &|_: &[Line<'_>], _: usize| true, eol)
}

/// The first marker `owns` takes: its block taken out when it is one of
/// `bodies`, else an edited one.
fn remove_among(text: &str, bodies: &[Vec<String>], owns: Owns<'_>, eol: &str) -> Removed {
    let ls = lines(text);
    let Some((n, at)) = ls
        .iter()
        .enumerate()
        .find(|(n, l)| l.body.starts_with(MARKER_PREFIX) && owns(&ls, *n))
    else {
        return Removed::Absent;
    };
    block_at(text, at, bodies, eol).unwrap_or(Removed::Edited(n + 1))
}

/// The removal of the block of one of `bodies` that opens at the marker
/// line `at`, if one does.
fn block_at(text: &str, at: &Line<'_>, bodies: &[Vec<String>], eol: &str) -> Option<Removed> {
    for body in bodies {
        for join in Join::ALL {
            let block = render(at.indent, join, body, eol);
            match join {
                Join::Created => {
                    if text == block {
                        return Some(Removed::DeleteFile(shown(&block)));
                    }
                }
                Join::AddedBreak => {
                    // The block as rendered starts with the break before
                    // the marker line, and ends the file.
                    let from = at.start.wrapping_sub(eol.len());
                    if at.start >= eol.len() && text.get(from..) == Some(block.as_str()) {
                        return Some(Removed::Text(text[..from].to_string(), shown(&block)));
                    }
                }
                Join::Inserted => {
                    if text[at.start..].starts_with(&block) {
                        let mut rest = text[..at.start].to_string();
                        rest.push_str(&text[at.start + block.len()..]);
                        return Some(Removed::Text(rest, shown(&block)));
                    }
                }
            }
        }
    }
    None
}

/// The key a block-YAML line opens (`key:` or `"key":`), and what follows
/// its colon with any comment taken off, trimmed. `None` when the line is
/// not a `key:` line.
pub fn yaml_key(body: &str) -> Option<(&str, &str)> {
    let (key, after) = if let Some(q @ ('"' | '\'')) = body.chars().next() {
        let close = body[1..].find(q)? + 1;
        (&body[1..close], body[close + 1..].strip_prefix(':')?)
    } else {
        let colon = body
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| matches!(body.as_bytes().get(i + 1), None | Some(b' ' | b'\t')))?;
        (body[..colon].trim_end(), &body[colon + 1..])
    };
    let after = match after.find(" #") {
        Some(i) => &after[..i],
        None if after.trim_start().starts_with('#') => "",
        None => after,
    };
    Some((key, after.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Vec<String> {
        vec!["a".to_string(), "  b".to_string()]
    }

    #[test]
    fn insert_then_remove_restores_every_byte() {
        for text in ["", "x\n", "x", "x\r\ny\r\n", "x\ny"] {
            for at in [0, text.len()] {
                let eol = super::super::snippet::eol_of(text);
                let e = insert(text, at, 2, &body(), eol);
                assert_ne!(e.text, text);
                match remove(&e.text, &[body()]) {
                    Removed::Text(back, _) => assert_eq!(back, text, "{text:?} at {at}"),
                    other => panic!("{text:?} at {at}: {other:?}"),
                }
            }
        }
        let c = create(&body());
        assert!(matches!(remove(&c.text, &[body()]), Removed::DeleteFile(_)));
    }

    #[test]
    fn an_edited_block_is_left_alone() {
        let e = insert("x\n", 2, 0, &body(), "\n");
        let edited = e.text.replace("  b\n", "  c\n");
        assert_eq!(remove(&edited, &[body()]), Removed::Edited(2));
        assert_eq!(remove("x\n", &[body()]), Removed::Absent);
    }

    #[test]
    fn yaml_keys() {
        assert_eq!(yaml_key("pre-commit:"), Some(("pre-commit", "")));
        assert_eq!(yaml_key("pre-commit: # hi"), Some(("pre-commit", "")));
        assert_eq!(yaml_key("\"pre-commit\": {}"), Some(("pre-commit", "{}")));
        assert_eq!(yaml_key("run: a:b"), Some(("run", "a:b")));
        assert_eq!(yaml_key("- id: x"), Some(("- id", "x")));
        assert_eq!(yaml_key("a:b"), None);
    }
}

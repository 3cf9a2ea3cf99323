//! Husky's hook files (`.husky/pre-commit`): plain shell that Husky runs
//! with `sh -e` (pure). Our lines go first, after a `#!` line and Husky 8's
//! `. "$(dirname …)/_/husky.sh"` line if the file has them, so an `exec` or
//! `exit` further down cannot skip them.

use super::edit::{self, Added, Removed};
use super::snippet::lines;
use crate::hook::HookKind;

fn body(kind: HookKind) -> Vec<String> {
    lines(kind).to_vec()
}

/// `existing`: the file's content, `None` when there is no file.
pub fn add(existing: Option<&str>, kind: HookKind) -> Result<Added, String> {
    let Some(text) = existing else {
        return Ok(Added::Changed(edit::create(&body(kind))));
    };
    if let Removed::Text(..) = edit::remove_with(text, &[body(kind)], "\r\n") {
        return Err(
            "it holds npmrc-guard's lines with CRLF line ends, as an older `npmrc-guard install` wrote them, which sh cannot run; run `npmrc-guard uninstall`, then `npmrc-guard install` again".to_string(),
        );
    }
    match edit::remove(text, &[body(kind)]) {
        Removed::Absent => {}
        Removed::Edited(n) => {
            return Err(format!(
                "line {n} carries npmrc-guard's marker but the lines after it were edited; remove the block or restore it, then run `npmrc-guard install` again"
            ))
        }
        _ => return Ok(Added::Already),
    }
    let ls = edit::lines(text);
    let head = ls
        .iter()
        .take_while(|l| {
            l.indent == 0 && (l.body.starts_with("#!") || l.body.starts_with(". \"$(dirname"))
        })
        .last()
        .map_or(0, |l| l.end);
    // Always LF: sh reads a CR as part of a word, and `}` followed by CR
    // closes nothing (the user's CRLF lines stay as they are).
    Ok(Added::Changed(edit::insert(
        text,
        head,
        0,
        &body(kind),
        "\n",
    )))
}

pub fn remove(text: &str, kind: HookKind) -> Removed {
    edit::remove(text, &[body(kind)])
}

/// The lines to add by hand.
pub fn by_hand(kind: HookKind) -> String {
    body(kind).join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goes_first_and_comes_out_whole() {
        for text in [
            "npm test\n",
            "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nnpx lint-staged\n",
            "",
            "#!/bin/sh",
            "#!/bin/sh\r\necho lint\r\n",
        ] {
            let Ok(Added::Changed(e)) = add(Some(text), HookKind::PreCommit) else {
                panic!("{text:?}");
            };
            assert_eq!(add(Some(&e.text), HookKind::PreCommit), Ok(Added::Already));
            match remove(&e.text, HookKind::PreCommit) {
                Removed::Text(back, _) => assert_eq!(back, text),
                other => panic!("{other:?}"),
            }
            // Our lines end with LF whatever the file uses: sh reads a CR
            // as part of a word.
            let ours = e
                .text
                .lines()
                .filter(|l| l.contains("npmrc-guard") || l.contains("\"$g\""));
            assert!(ours.clone().count() >= 3, "{}", e.text);
            for l in ours {
                assert!(!l.ends_with('\r'), "{l:?}");
            }
            if let Some(rest) = text.strip_prefix("npm") {
                assert!(e
                    .text
                    .ends_with(&format!("\"$g\" scan --staged\nnpm{rest}")));
            }
        }
        // Lines of ours with CRLF (an older install): uninstall takes them
        // out, install asks for that first.
        let crlf = "#!/bin/sh\r\necho lint\r\n";
        let old = edit::insert(crlf, 11, 0, &body(HookKind::PreCommit), "\r\n").text;
        assert!(add(Some(&old), HookKind::PreCommit).is_err());
        assert!(matches!(remove(&old, HookKind::PreCommit), Removed::Text(t, _) if t == crlf));
        let Ok(Added::Changed(e)) = add(None, HookKind::PrePush) else {
            panic!()
        };
        assert!(matches!(
            remove(&e.text, HookKind::PrePush),
            Removed::DeleteFile(_)
        ));
    }
}
